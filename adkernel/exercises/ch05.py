"""Exercises of chapter 05 (the tutorial's two exercises).

``from adkernel.exercises import ____, ch05 as ex``
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from . import progress
from ._core import Problem, to_array
from ._core import ____ as ____
from ._regression import descend
from .judging import (
    describe,
    failed,
    is_kind,
    lazy,
    number,
    returned,
    right,
    to_numpy,
    wrong,
)

__all__ = ["make_moons", "progress", "q1", "q2", "q3"]

TARGET_LOSS = 0.25
BUDGET = 50
ACCURACY = 0.9
HELD_OUT = (1000, 2024)  # points and seed of the checker's own held-out set
TRAIN_POINTS = 200  # the notebook's X_train


def _first_bad(losses) -> int | None:
    for k, v in enumerate(losses):
        if not math.isfinite(v):
            return k
    return None


# -- q1: a learning rate that diverges ------------------------------------------------------
def _gather_diverging(ctx, diverging_lr):
    return {"lr": ctx.value(diverging_lr)}


def _judge_diverging(data):
    lr = number(data["lr"], "diverging_lr")
    if lr < 0:
        raise wrong(
            lazy(
                "A negative learning rate adds the gradient, so it climbs uphill whatever its "
                "size. We want a positive rate whose steps are too large to settle."
            ),
        )
    if lr == 0:
        raise wrong(
            lazy("With a learning rate of 0 the parameters never move. Try a positive rate."),
        )
    # the checker's own float64 run of the tutorial's loop from the seed's start, made here
    # in the judge: nothing from the learner's kernel but their answer
    losses = [float(v) for v in descend(lr, 100)[2]]
    bad = _first_bad(losses)
    if bad is not None:
        return right(
            lazy(
                "At lr = {lr:g} the loss overflows to a non-finite number at epoch {k}: the "
                "steps overshoot the valley further every time."
            ),
            lr=lr,
            k=bad,
        )
    if losses[-1] > losses[0]:
        return right(
            lazy(
                "At lr = {lr:g} the loss after 100 epochs ({end:.4g}) is larger than at the start "
                "({start:.4g}): training diverges."
            ),
            lr=lr,
            end=losses[-1],
            start=losses[0],
        )
    if lr >= 0.7:
        raise wrong(
            lazy(
                "At lr = {lr:g} the parameters overshoot and oscillate, but the oscillation "
                "dies out and the loss still ends below where it started. Go a little higher."
            ),
            lr=lr,
        )
    raise wrong(
        lazy(
            "At lr = {lr:g} the loss still falls over 100 epochs. Go higher: double the rate "
            "until the loss explodes."
        ),
        lr=lr,
    )


q1 = Problem(
    "ch05",
    1,
    names=["diverging_lr"],
    gather=_gather_diverging,
    judge=_judge_diverging,
    hints=[
        lazy(
            "Start from 0.1 and double the learning rate (with the explorer or "
            "`history_of(lr, 100)`) until the loss grows instead of shrinking."
        ),
        lazy(
            "As the rate grows, the loss curve changes shape: first it falls smoothly, then it "
            "zig-zags but still falls, then the zig-zags grow. You want a rate of the third "
            "kind, where the loss ends higher than it started."
        ),
    ],
    starter="""
diverging_lr = ____
""",
    solution="""
diverging_lr = 1.0
""",
    explanation=lazy(
        "Along the steep direction each step multiplies the distance to the minimum by "
        "1 − lr · 2.48. Above lr ≈ 0.807 that factor is below −1: every step overshoots by "
        "more than it corrects. At lr = 1.0 the loss reaches about 1e35 after 100 epochs."
    ),
)


# -- q2: a fast, stable configuration ---------------------------------------------------------
def _pair(ev) -> bool:
    return is_kind(ev, "tuple", "list") and ev.get("n") == 2 and len(ev["items"]) == 2


def _whole_epochs(e: float) -> bool:
    return e == int(e) and 1 <= e <= BUDGET


def _gather_fast(ctx, fast_config):
    return {"config": ctx.value(fast_config)}


def _judge_fast(data):
    config = data["config"]
    if not _pair(config):
        raise wrong(
            lazy("`fast_config` should be a pair `(lr, epochs)`, but it is {found}."),
            found=describe(config),
        )
    lr = number(config["items"][0], "lr")
    epochs = number(config["items"][1], "epochs")
    if epochs != int(epochs) or epochs < 1:
        if 0 < epochs < 1 and lr == int(lr) and lr >= 1:
            raise wrong(
                lazy(
                    "`fast_config` is `({lr:g}, {e:g})`: {lr:g} epochs at a learning rate of "
                    "{e:g}? The pair is `(lr, epochs)`, the learning rate first: swap them."
                ),
                lr=lr,
                e=epochs,
            )
        raise wrong(
            lazy("`epochs` is {e:g}; it should be a whole number of epochs, at least 1."),
            e=epochs,
        )
    epochs = int(epochs)
    if epochs > BUDGET:
        raise wrong(
            lazy(
                "{e} epochs is over the budget of {n}: find a learning rate that gets there "
                "in {n} epochs or fewer."
            ),
            e=epochs,
            n=BUDGET,
        )
    if lr <= 0:
        raise wrong(
            lazy("The learning rate {lr:g} does not move downhill; use a positive rate."),
            lr=lr,
        )
    losses = [float(v) for v in descend(lr, int(epochs))[2]]  # the checker's own run
    bad = _first_bad(losses)
    if bad is not None or losses[-1] > losses[0]:
        raise wrong(
            lazy(
                "At lr = {lr:g} training diverges: the loss grows instead of shrinking. Stay "
                "below the limit you found in the previous question."
            ),
            lr=lr,
        )
    if losses[-1] < TARGET_LOSS:
        return right(
            lazy("After {e} epochs at lr = {lr:g} the loss is {end:.4f}, below {t}."),
            e=epochs,
            lr=lr,
            end=losses[-1],
            t=TARGET_LOSS,
        )
    raise wrong(
        lazy(
            "After {e} epochs at lr = {lr:g} the loss is {end:.4f}: not below {t} yet. The slow "
            "part is the long valley floor, where the slope is gentle: bigger steps (or more "
            "epochs, up to {n}) help it along."
        ),
        e=epochs,
        lr=lr,
        end=losses[-1],
        t=TARGET_LOSS,
        n=BUDGET,
    )


q2 = Problem(
    "ch05",
    2,
    names=["fast_config"],
    gather=_gather_fast,
    judge=_judge_fast,
    hints=[
        lazy(
            "At lr = 0.1 the loss drops fast, then crawls along the valley floor. The crawl "
            "is what bigger steps shorten."
        ),
        lazy(
            "More epochs only help, up to the budget. For the rate, try values between 0.1 "
            "and the divergence limit you found in question 1: which of them end below the "
            "target loss?"
        ),
    ],
    starter="""
fast_config = (____, ____)
""",
    solution="""
fast_config = (0.5, 50)
""",
    explanation=lazy(
        "At lr = 0.5 the loss after 50 epochs is about 0.2485 (the best possible is 0.2481). "
        "Any rate from about 0.4 to 0.75 works; 0.3 stops at 0.254 and 0.78 oscillates too much."
    ),
)


# -- q3: a small neural network ----------------------------------------------------------------
def make_moons(n: int, noise: float, seed: int):
    """Two interleaving half circles, ``(X, labels)``; the notebook draws its data the same way."""
    rng = np.random.RandomState(seed)
    t = rng.rand(n) * np.pi
    labels = np.arange(n) % 2
    x0 = np.where(labels == 0, np.cos(t), 1 - np.cos(t))
    x1 = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
    X = np.stack([x0, x1], axis=1) + rng.randn(n, 2) * noise
    return X, labels


@lru_cache(maxsize=1)
def _held_out_points():
    return make_moons(HELD_OUT[0], 0.2, HELD_OUT[1])


def _held_out():
    """The checker's own held-out set ``(X, labels)``: fresh copies, drawn once."""
    X, labels = _held_out_points()
    return X.copy(), labels.copy()


def _param_list(params):
    """The learner's ``params`` as a list: a tf.keras model's (or tf.Module's) trainable
    variables, a dict's values; anything else as it is (the judge says what it is)."""
    if hasattr(params, "trainable_variables") and not isinstance(params, (list, tuple, dict)):
        params = list(params.trainable_variables)
    if isinstance(params, dict):
        params = list(params.values())
    return params


def _is_variable(ev) -> bool:
    return is_kind(ev, "array") and ev.get("kind") == "Variable"


def _gather_mlp(ctx, params, train_step, predict):
    data = {
        "callable": [callable(train_step), callable(predict)],
        "functions": [ctx.value(train_step), ctx.value(predict)],
    }
    if not all(data["callable"]):
        return data
    params = _param_list(params)
    data["params"] = ctx.value(params)
    if not isinstance(params, (list, tuple)) or not params:
        return data
    data["before"] = [ctx.value(p) for p in params]
    if not all(_is_variable(ev) for ev in data["before"]):
        return data  # not variables: nothing to train, nothing we could put back
    call, value = ctx.run(predict, _held_out()[0])
    labels = call.pop("value")  # written down once, as data["labels"]
    data["predict"] = call
    if failed(call):
        return data
    if isinstance(value, (list, tuple)):  # a Python list of labels: one array, not 1000 items
        try:
            labels = ctx.value(to_array(value))
        except Exception:
            pass
    data["labels"] = labels
    # one step of training, to see every parameter move; then the parameters are put back
    saved = [np.array(p.numpy(), copy=True) for p in params]
    try:
        data["train_step"] = ctx.call(train_step)
        data["after"] = [ctx.value(p) for p in params]
    finally:
        for p, old in zip(params, saved, strict=True):
            try:
                p.assign(old)
            except Exception:
                pass
    return data


def _identical_units(arrays) -> bool:
    """True when a weight matrix has several columns (units) that are all the same."""
    for a in arrays:
        if a.ndim == 2 and a.shape[1] > 1 and np.allclose(a, a[:, :1]):
            return True
    return False


def _has_hidden_layer(arrays) -> bool:
    return sum(a.ndim == 2 for a in arrays) >= 2


def _labels(ev, n):
    """The labels ``predict(X)`` returned (encoded), as 0.0/1.0 per point, or Incorrect."""
    if is_kind(ev, "none"):
        raise wrong(
            lazy("`predict(X)` returned `None`: did you forget `return`?"),
        )
    p = None if is_kind(ev, "str", "bool") else to_numpy(ev)
    if p is None:
        raise wrong(
            lazy("`predict(X)` should return one 0 or 1 per point, but it returned {found}."),
            found=describe(ev),
        )
    if p.size != n:
        if p.size == TRAIN_POINTS:
            raise wrong(
                lazy(
                    "`predict(X)` for {n} new points returned {m} labels, as many as `X_train` "
                    "has points: predict from its argument `X`, not from `X_train`."
                ),
                n=n,
                m=TRAIN_POINTS,
            )
        raise wrong(
            lazy(
                "`predict(X)` for {n} points returned an array of shape {s}: return one 0 or 1 "
                "per point."
            ),
            n=n,
            s=tuple(p.shape),
        )
    p = p.reshape(-1)
    if not np.all(np.isfinite(p)):
        raise wrong(
            lazy(
                "`predict(X)` returns NaN: training blew up. Lower the learning rate, or use "
                "`tf.nn.sigmoid_cross_entropy_with_logits` on the logits instead of taking the "
                "log of a sigmoid yourself."
            ),
        )
    labels = (p == 0) | (p == 1)
    if np.all(labels):
        return p
    if np.all((p >= 0) & (p <= 1)):
        raise wrong(
            lazy(
                "`predict(X)` returns values between 0 and 1 such as {v:.3g}: probabilities, "
                "not labels. Return 1 where the probability is above 0.5 (the logit above 0) "
                "and 0 elsewhere."
            ),
            v=float(p[~labels][0]),
        )
    raise wrong(
        lazy(
            "`predict(X)` returns values from {lo:.3g} to {hi:.3g}; it should return 0 or 1 per "
            "point. If these are logits, compare them with 0."
        ),
        lo=float(p.min()),
        hi=float(p.max()),
    )


def _unchanged(before, after) -> list[int]:
    return [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if np.array_equal(a, b)]


def _step_left_unchanged(before, after):
    i = _unchanged(before, after)[0]
    return wrong(
        lazy(
            "One call of `train_step()` left `params[{i}]` (shape {s}) unchanged: every "
            "parameter should take a step. Is it in the list you differentiate and update?"
        ),
        i=i,
        s=tuple(before[i].shape),
    )


def _why_untrained(step, before, after, n, accuracy):
    """When the network classifies poorly: what one call of ``train_step()`` shows wrong
    with the training itself (None when the step looks right)."""
    returned(step)  # it raised or ran past the time limit: that is the first thing to fix
    if step["gradient_calls"] == 0:
        return wrong(
            lazy(
                "On {n} fresh points your network is right {a:.0%} of the time, and one call "
                "of `train_step()` made no `tape.gradient` call: it cannot be following the "
                "gradient of the loss. Compute the gradients with a tape inside `train_step`."
            ),
            n=n,
            a=accuracy,
        )
    still = _unchanged(before, after)
    if len(still) == len(before):
        return wrong(
            lazy(
                "On {n} fresh points your network is right {a:.0%} of the time, and one call "
                "of `train_step()` changed none of the parameters, so your loop never trained "
                "them. Each variable must take its step in place, `p.assign_sub(lr * g)` with "
                "a learning rate above 0 (`p = p - lr * g` only makes a new tensor)."
            ),
            n=n,
            a=accuracy,
        )
    if still:
        return _step_left_unchanged(before, after)
    return None


def _judge_mlp(data):
    for name, ok, found in zip(("train_step", "predict"), data["callable"], data["functions"],
                               strict=True):
        if not ok:
            raise wrong(
                lazy("`{name}` should be a function, but it is {found}."),
                name=name,
                found=describe(found),
            )
    if not is_kind(data["params"], "list", "tuple") or not data["params"].get("n"):
        raise wrong(
            lazy(
                "`params` should be the list of your network's variables, e.g. "
                "`[W1, b1, W2, b2]`, but it is {found}."
            ),
            found=describe(data["params"]),
        )
    for i, ev in enumerate(data["before"]):
        if is_kind(ev, "list", "tuple"):
            raise wrong(
                lazy(
                    "`params[{i}]` holds {n} items itself, not one variable: list the variables "
                    "one after another, `[W1, b1, W2, b2]`, not grouped by layer."
                ),
                i=i,
                n=ev["n"],
            )
        if not _is_variable(ev):
            raise wrong(
                lazy("`params[{i}]` is {found}, not a variable."),
                i=i,
                found=describe(ev),
            )
    before = [to_numpy(ev) for ev in data["before"]]
    if any(not np.all(np.isfinite(a)) for a in before):
        raise wrong(
            lazy(
                "Some of your parameters are NaN or inf: training blew up. Lower the learning "
                "rate, or use `tf.nn.sigmoid_cross_entropy_with_logits` for the loss."
            ),
        )
    n = HELD_OUT[0]
    _, y_new = _held_out()
    returned(data["predict"])
    labels = _labels(data["labels"], n)
    accuracy = float(np.mean(labels == y_new))
    step = data["train_step"]
    after = [to_numpy(ev) for ev in data["after"]]
    if accuracy < ACCURACY:
        if _identical_units(before):
            raise wrong(
                lazy(
                    "Held-out accuracy {a:.0%}, and all hidden units of a layer have the same "
                    "weights: started equal (e.g. all zeros), they receive equal gradients and "
                    "stay equal. Initialise the weights randomly."
                ),
                a=accuracy,
            )
        untrained = _why_untrained(step, before, after, n, accuracy)
        if untrained is not None:
            raise untrained
        if accuracy < 0.6:
            raise wrong(
                lazy(
                    "On {n} fresh points your network is right {a:.0%} of the time: that is "
                    "guessing. Is the loss falling while you train?"
                ),
                n=n,
                a=accuracy,
            )
        if not _has_hidden_layer(before):
            raise wrong(
                lazy(
                    "On {n} fresh points your model is right {a:.0%} of the time. Without a "
                    "hidden layer the boundary is a straight line, and a line cannot split the "
                    "moons: add a hidden layer with a nonlinear activation such as tanh."
                ),
                n=n,
                a=accuracy,
            )
        raise wrong(
            lazy(
                "On {n} fresh points your network is right {a:.0%} of the time; {t:.0%} is "
                "expected, more than a straight boundary can reach: train for more steps (or "
                "with a larger learning rate) until the boundary bends around the moons."
            ),
            n=n,
            a=accuracy,
            t=ACCURACY,
        )
    returned(step)
    if step["gradient_calls"] == 0:
        raise wrong(
            lazy(
                "Your network classifies well, but one call of `train_step()` made no "
                "`tape.gradient` call. Compute the gradients of the loss with a tape inside "
                "`train_step`."
            ),
        )
    if _unchanged(before, after):
        raise _step_left_unchanged(before, after)
    return right(
        lazy(
            "Held-out accuracy {a:.1%} on {n} points your network never saw, and "
            "`train_step()` updates every parameter with gradients from a tape."
        ),
        a=accuracy,
        n=n,
    )


q3 = Problem(
    "ch05",
    3,
    names=["params", "train_step", "predict"],
    gather=_gather_mlp,
    judge=_judge_mlp,
    hints=[
        lazy(
            "Two layers: the inputs (2 per point) go to a hidden layer of tanh units (16 are "
            "plenty), which goes to one output, the logit. So W1 is 2 × 16 and W2 is 16 × 1. "
            "Start W1 and W2 with small random numbers (`rng.randn`), not zeros."
        ),
        lazy(
            "For the loss, average the sigmoid cross-entropy of the logits against the labels "
            "`Y_train` (`tf.nn` has a function that takes logits). A logit above 0 means class "
            "1, which is what `predict` tests. Train for a few hundred steps; if the accuracy "
            "is low, train longer or take larger steps."
        ),
    ],
    starter="""
rng = np.random.RandomState(1)
W1 = ____
b1 = ____
W2 = ____
b2 = ____
params = [W1, b1, W2, b2]

def forward(X):
    return ____

def train_step():
    with tf.GradientTape() as tape:
        loss = ____
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(____)
    return loss

def predict(X):
    return ____

for step in range(____):
    train_step()
""",
    solution="""
rng = np.random.RandomState(1)
W1 = tf.Variable(rng.randn(2, 16) * 0.5, dtype=tf.float32)
b1 = tf.Variable(np.zeros(16), dtype=tf.float32)
W2 = tf.Variable(rng.randn(16, 1) * 0.5, dtype=tf.float32)
b2 = tf.Variable(np.zeros(1), dtype=tf.float32)
params = [W1, b1, W2, b2]

def forward(X):
    return tf.matmul(tf.tanh(tf.matmul(X, W1) + b1), W2) + b2

def train_step():
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
            labels=Y_train, logits=forward(X_train)))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(0.5 * g)
    return loss

def predict(X):
    return (forward(X).numpy()[:, 0] > 0).astype(int)

for step in range(500):
    train_step()
""",
    explanation=lazy(
        "2 inputs → 16 tanh units → 1 logit, trained for 500 full-batch steps at lr 0.5: about "
        "94% of the notebook's 200 held-out points, where the straight line of the logistic "
        "model got 84%, and about 97% of the checker's 1000 fresh points."
    ),
)
