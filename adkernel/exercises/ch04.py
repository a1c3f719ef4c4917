"""Exercises of chapter 04 (linear regression).

``from adkernel.exercises import ____, ch04 as ex``
"""

from __future__ import annotations

import math

from . import progress
from ._core import LearnerError, Problem, _short, describe, right, to_array, wrong
from ._core import ____ as ____
from ._feedback import lazy
from ._regression import descend, loss_at, seed_data

__all__ = ["progress", "q1"]

# (learning rate, epochs): the tutorial's pair first, then hidden ones (all stable)
_RUNS = ((0.1, 100), (0.05, 60), (0.5, 30))


def _values(ctx, value, call_text):
    """The returned pair as two float64 numbers (NaN/inf allowed), or Incorrect."""
    if value is None:
        raise wrong(
            lazy("`{call}` returned `None`: end the function with `return W, b`."),
            call=call_text,
        )
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise wrong(
            lazy("`{call}` should return the pair `W, b`, but it returned {found}."),
            call=call_text,
            found=describe(value),
        )
    out = []
    for name, v in zip(("W", "b"), value, strict=True):
        try:
            arr = to_array(v)
        except Exception:
            arr = None
        if arr is None or arr.size != 1:
            raise wrong(
                lazy(
                    "`{call}` returned a pair whose {name} is {found}; each should be one "
                    "number (a variable of shape (1,) is fine)."
                ),
                call=call_text,
                name=name,
                found=describe(v),
            )
        out.append(float(arr.reshape(())))
    return out


def _learner_error(exc: LearnerError):
    """Turn the usual mistakes inside a training loop into their own messages."""
    error = _short(f"{type(exc.exc).__name__}: {exc.exc}", 200)
    text = str(exc.exc)
    if isinstance(exc.exc, TypeError) and "NoneType" in text:
        return wrong(
            lazy(
                "A gradient was `None` inside your loop ({error}). Either `W = W - …` replaced "
                "your Variable by a plain tensor that the next tape does not watch (update it "
                "in place with `W.assign_sub(lr * dW)`), or the loss was not computed from the "
                "W and b you differentiate: the notebook's `loss_function` uses the global W "
                "and b, so write the loss with your own."
            ),
            error=error,
        )
    if isinstance(exc.exc, AttributeError) and "assign" in text:
        return wrong(
            lazy(
                "`{error}`: W or b is no longer a Variable. `W = W - …` makes a new tensor; "
                "keep the Variable and update it with `W.assign_sub(lr * dW)`."
            ),
            error=error,
        )
    # `persistent=True` is in the engine's message in every language (an identifier)
    if isinstance(exc.exc, RuntimeError) and (
        "non-persistent" in text or "persistent=True" in text
    ):
        return wrong(
            lazy(
                "A tape was asked for a second gradient ({error}). One tape outside the loop "
                "is not enough: open a new `with tf.GradientTape() as tape:` inside the loop, "
                "one per epoch."
            ),
            error=error,
        )
    return None


def _run(ctx, train, lr, epochs):
    try:
        return ctx.call(train, lr, epochs)
    except LearnerError as exc:
        better = _learner_error(exc)
        if better is not None:
            raise better from None
        raise


def _close(a, b, rtol=1e-4):
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-4)


def _check_train(ctx, train):
    if not callable(train):
        raise wrong(
            lazy("`train` should be a function `def train(lr, epochs): ...`, but it is {found}."),
            found=describe(train),
        )
    _, _, W0, b0 = seed_data()
    start_loss = loss_at(W0, b0)
    for k, (lr, epochs) in enumerate(_RUNS):
        call_text = f"train({lr}, {epochs})"
        call = _run(ctx, train, lr, epochs)
        W, b = _values(ctx, call.value, call_text)
        rW, rb, _ = descend(lr, epochs)
        if _close(W, rW) and _close(b, rb):
            if call.gradient_calls == 0:
                raise wrong(
                    lazy(
                        "`{call}` returns the right W and b, but no `tape.gradient` call produced "
                        "them. Let the tape compute dW and db: record the loss inside "
                        "`with tf.GradientTape() as tape:` every epoch."
                    ),
                    call=call_text,
                )
            continue
        if k > 0:
            raise wrong(
                lazy(
                    "`train(0.1, 100)` is right, but `{call}` is not. Does your function use its "
                    "arguments `lr` and `epochs`, and start from `W_start`, `b_start` every time "
                    "it is called?"
                ),
                call=call_text,
            )
        if not (math.isfinite(W) and math.isfinite(b)):
            raise wrong(
                lazy(
                    "After `{call}` W and b are not finite numbers (W = {W}, b = {b}): training "
                    "diverged. The tutorial's loss is a mean, `tf.reduce_mean`; a sum over the "
                    "100 points makes every step 100 times larger."
                ),
                call=call_text,
                W=W,
                b=b,
            )
        if _close(W, rb) and _close(b, rW):
            raise wrong(
                lazy("W and b are swapped: return them in the order `W, b`."),
            )
        if loss_at(W, b) > start_loss:
            raise wrong(
                lazy(
                    "With W = {W:.4g} and b = {b:.4g} the loss is larger than at the start: your "
                    "steps moved uphill. A gradient points uphill, so subtract it: "
                    "`W.assign_sub(lr * dW)`."
                ),
                W=W,
                b=b,
            )
        for off in (epochs - 1, epochs + 1):
            oW, ob, _ = descend(lr, off)
            if _close(W, oW) and _close(b, ob):
                raise wrong(
                    lazy(
                        "`{call}` made {n} updates instead of {epochs}: run exactly `epochs` "
                        "updates, one per pass of the loop."
                    ),
                    call=call_text,
                    n=off,
                    epochs=epochs,
                )
        again = _values(ctx, _run(ctx, train, lr, epochs).value, call_text)
        if not (_close(again[0], W, 1e-6) and _close(again[1], b, 1e-6)):
            raise wrong(
                lazy(
                    "Two calls of `{call}` returned different results: your function continues "
                    "from the W and b of an earlier run. Create fresh variables from `W_start` "
                    "and `b_start` inside `train`."
                ),
                call=call_text,
            )
        raise wrong(
            lazy(
                "`{call}` returns W = {W:.4g}, b = {b:.4g}, which is not where the tutorial's "
                "loop ends from `W_start`, `b_start`. Each epoch: compute the mean squared error "
                "inside a new tape, take the gradients of W and b, subtract lr × gradient from "
                "both."
            ),
            call=call_text,
            W=W,
            b=b,
        )
    return right(
        lazy(
            "Your loop reproduces the tutorial's run at lr 0.1 for 100 epochs and two hidden "
            "settings, with a fresh tape every epoch."
        ),
    )


q1 = Problem(
    "ch04",
    1,
    names=["train"],
    checker=_check_train,
    hints=[
        lazy(
            "Wrap the tutorial's loop in the function: the `____` in the loop stands for "
            "several lines, the same four steps as the tutorial (loss in a tape, gradients, "
            "two `assign_sub`), with `lr` instead of 0.1."
        ),
        lazy(
            "Open a new tape every epoch, and write the loss with the W and b of `train`, "
            "not with the notebook's `loss_function` (it reads the global W and b): the mean "
            "of the squared differences between W·X + b and y."
        ),
    ],
    starter="""
def train(lr, epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    for epoch in range(epochs):
        ____
    return ____
""",
    solution="""
def train(lr, epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    for epoch in range(epochs):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(W * X + b - y))
        dW, db = tape.gradient(loss, [W, b])
        W.assign_sub(lr * dW)
        b.assign_sub(lr * db)
    return W, b
""",
    explanation=lazy(
        "`train(0.1, 100)` ends at W ≈ 2.4386, b ≈ 0.3796, the tutorial's numbers. The tape is "
        "opened inside the loop because a non-persistent tape gives one gradient, and "
        "`assign_sub` keeps W and b the Variables the next tape watches."
    ),
)
