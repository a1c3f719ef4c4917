"""Exercises of chapter 04 (linear regression).

``from adkernel.exercises import ____, ch04 as ex``
"""

from __future__ import annotations

import math

from . import progress
from ._core import Problem
from ._core import ____ as ____
from ._plain import _short
from ._regression import descend, loss_at, seed_data
from .judging import (
    describe,
    failed,
    is_kind,
    lazy,
    raised_is,
    returned,
    right,
    to_numpy,
    wrong,
)

__all__ = ["progress", "q1"]

# (learning rate, epochs): the tutorial's pair first, then hidden ones (all stable)
_RUNS = ((0.1, 100), (0.05, 60), (0.5, 30))


def _call_text(lr, epochs) -> str:
    return f"train({lr}, {epochs})"


def _values(value, call_text):
    """The returned pair (encoded) as two float64 numbers (NaN/inf allowed), or Incorrect."""
    if is_kind(value, "none"):
        raise wrong(
            lazy("`{call}` returned `None`: end the function with `return W, b`."),
            call=call_text,
        )
    if not is_kind(value, "tuple", "list") or value.get("n", len(value["items"])) != 2:
        raise wrong(
            lazy("`{call}` should return the pair `W, b`, but it returned {found}."),
            call=call_text,
            found=describe(value),
        )
    out = []
    for name, v in zip(("W", "b"), value["items"], strict=True):
        arr = None if is_kind(v, "str", "bool") else to_numpy(v)
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


def _learner_error(call):
    """The usual mistakes inside a training loop, told from what the call raised; None for
    anything else (then the general "your code raised" message)."""
    raised = call.get("raised")
    if not raised:
        return None
    text = str(raised.get("message", ""))
    error = _short(f"{raised.get('type', '?')}: {text}", 200)
    if raised_is(call, "TypeError") and "NoneType" in text:
        if (call.get("gradient_calls") or 0) >= 2:
            # the first epoch's gradients were fine: the next tape lost W or b
            return wrong(
                lazy(
                    "A gradient was `None` after the first epoch ({error}): the first update "
                    "went through, then the next tape no longer watched W or b. `W = W - …` "
                    "replaces your Variable by a plain tensor; keep the Variable and update it "
                    "in place with `W.assign_sub(lr * dW)`."
                ),
                error=error,
            )
        if call.get("gradient_calls") == 1:
            return wrong(
                lazy(
                    "A gradient was `None` in the very first epoch ({error}): the loss does not "
                    "depend on the W and b you differentiate. Compute the loss from the "
                    "Variables of `train` (the notebook's `loss_function` reads the global W "
                    "and b, not yours), and make both of them `tf.Variable`s."
                ),
                error=error,
            )
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
    if raised_is(call, "AttributeError") and "assign" in text:
        return wrong(
            lazy(
                "`{error}`: W or b is no longer a Variable. `W = W - …` makes a new tensor; "
                "keep the Variable and update it with `W.assign_sub(lr * dW)`."
            ),
            error=error,
        )
    # `persistent=True` is in the engine's message in every language (an identifier)
    if raised_is(call, "RuntimeError") and (
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


def _pair(call, call_text):
    """The two numbers a call returned, or Incorrect naming what went wrong."""
    better = _learner_error(call)
    if better is not None:
        raise better
    return _values(returned(call), call_text)


def _close(a, b, rtol=1e-4):
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-4)


def _facts(call) -> list:
    """What each ``tape.gradient`` call of a run was asked (see ``gradient_facts``)."""
    return [f for f in call.get("gradients") or [] if isinstance(f, dict)]


def _losses(call) -> list:
    """The value of the loss the run differentiated, at each ``tape.gradient`` call (the
    finite ones); empty when the engine could not tell."""
    out = []
    for facts in _facts(call):
        v = facts.get("target_value")
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            out.append(float(v))
    return out


def _tape_kept_every_epoch(call) -> bool:
    """One tape recorded the whole run: the operations it held grew with every epoch
    (a fresh tape per epoch holds the same few operations at each gradient)."""
    held = [f.get("ops_recorded") for f in _facts(call)]
    held = [n for n in held if isinstance(n, int) and not isinstance(n, bool)]
    return len(held) >= 3 and held[0] > 0 and held[-1] >= 2 * held[0] and held[-1] > held[1]


def _mean_residual(W, b) -> float:
    """``mean(W * X + b - y)`` on the seed data: a "loss" that forgot the square."""
    X, y, _, _ = seed_data()
    return float((W * X + b - y).mean())


def _wrong_loss(call, W, b, start):
    """Incorrect when the loss the run differentiated is not the mean squared error and
    that explains the result; None when the loss looked right or could not be seen."""
    _, _, W0, b0 = seed_data()
    losses = _losses(call)
    if not losses:
        return None
    first = losses[0]
    if _close(first, _mean_residual(W0, b0)) and not _close(first, start):
        return wrong(
            lazy(
                "The loss your loop differentiates is the mean of the differences W·X + b − y, "
                "not of their squares (at the start it is {first:.4g}, the mean squared error "
                "is {mse:.4g}). Without the square it has no minimum: every step lowers it "
                "further, and W and b run away. Square the differences with `tf.square` "
                "before taking the mean."
            ),
            first=first,
            mse=start,
        )
    if min(losses) < 0:
        return wrong(
            lazy(
                "The loss your loop differentiates went below zero ({low:.4g}), but a mean "
                "squared error never does. Check that the loss squares the differences "
                "(`tf.square`) and that nothing negates it."
            ),
            low=min(losses),
        )
    if loss_at(W, b) > start and len(losses) >= 2 and losses[-1] < losses[0]:
        return wrong(
            lazy(
                "The loss your loop differentiates fell (from {first:.4g} to {last:.4g}), but "
                "the mean squared error at the W and b you returned is larger than at the "
                "start: your steps go downhill on a different loss. Make the loss the mean of "
                "the squared differences between W·X + b and y."
            ),
            first=first,
            last=losses[-1],
        )
    return None


def _same_twice(data, first):
    """Incorrect when the tutorial's run, made twice, gave two different results."""
    if not data["again"]:
        return
    call_text = _call_text(*_RUNS[0])
    W, b = _pair(first, call_text)
    aW, ab = _pair(data["again"][0], call_text)
    if not (_close(aW, W, 1e-6) and _close(ab, b, 1e-6)):
        raise wrong(
            lazy(
                "Two calls of `{call}` returned different results: your function "
                "continues from the W and b of an earlier run. Create fresh "
                "variables from `W_start` and `b_start` inside `train`."
            ),
            call=call_text,
        )


def _gather_train(ctx, train):
    if not callable(train):
        return {"callable": False, "found": ctx.value(train)}
    calls = []
    # the tutorial's run twice (a function that continues from an earlier run differs),
    # then the hidden runs; stop at the first call that raised or ran too long
    for lr, epochs in (_RUNS[0], *_RUNS):
        calls.append(ctx.call(train, lr, epochs))
        if failed(calls[-1]):
            break
    return {"callable": True, "first": calls[0], "again": calls[1:2], "runs": calls[2:]}


def _judge_train(data):
    if not data["callable"]:
        raise wrong(
            lazy("`train` should be a function `def train(lr, epochs): ...`, but it is {found}."),
            found=describe(data["found"]),
        )
    _, _, W0, b0 = seed_data()
    start_loss = loss_at(W0, b0)
    calls = [data["first"], *data["runs"]]
    for k, ((lr, epochs), call) in enumerate(zip(_RUNS, calls, strict=False)):
        call_text = _call_text(lr, epochs)
        W, b = _pair(call, call_text)
        rW, rb, _ = descend(lr, epochs)
        if _close(W, rW) and _close(b, rb):
            if call["gradient_calls"] == 0:
                raise wrong(
                    lazy(
                        "`{call}` returns the right W and b, but no `tape.gradient` call produced "
                        "them. Let the tape compute dW and db: record the loss inside "
                        "`with tf.GradientTape() as tape:` every epoch."
                    ),
                    call=call_text,
                )
            if _tape_kept_every_epoch(call):
                raise wrong(
                    lazy(
                        "`{call}` returns the right W and b, but one tape recorded the whole "
                        "run: opened before the loop, it kept the records of every epoch, so "
                        "its memory grew with each epoch. This is the chapter's trap \"one "
                        "tape outside the loop\": open a new `with tf.GradientTape() as "
                        "tape:` inside the loop, so that each tape records just that epoch's "
                        "loss."
                    ),
                    call=call_text,
                )
            if k == 0 and data["again"] and not data["runs"]:
                _pair(data["again"][0], call_text)  # the second run raised or ran too long
            continue
        if k > 0:
            _same_twice(data, calls[0])
            raise wrong(
                lazy(
                    "`train(0.1, 100)` is right, but `{call}` is not. Does your function use its "
                    "arguments `lr` and `epochs`, and start from `W_start`, `b_start` every time "
                    "it is called?"
                ),
                call=call_text,
            )
        not_mse = _wrong_loss(call, W, b, start_loss)
        if not_mse is not None:
            raise not_mse
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
        oW, ob, _ = descend(1.0, epochs)
        if _close(W, oW) and _close(b, ob):
            raise wrong(
                lazy(
                    "`{call}` ends where steps without the learning rate would (lr = 1): "
                    "multiply each gradient by `lr` before subtracting it."
                ),
                call=call_text,
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
        _same_twice(data, call)
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
    if not all(_facts(call) for call in calls):  # the engine could not show the tapes
        return right(
            lazy(
                "Your loop reproduces the tutorial's run at lr 0.1 for 100 epochs and two "
                "hidden settings."
            ),
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
    gather=_gather_train,
    judge=_judge_train,
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
