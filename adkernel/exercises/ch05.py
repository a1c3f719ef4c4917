"""Exercises of chapter 05 (the tutorial's two exercises).

``from adkernel.exercises import ____, ch05 as ex``
"""

from __future__ import annotations

import math

import numpy as np

from . import progress
from ._core import Problem, describe, right, to_array, wrong
from ._core import ____ as ____
from ._feedback import lazy
from ._regression import descend

__all__ = ["make_moons", "progress", "q1", "q2", "q3"]

TARGET_LOSS = 0.25
BUDGET = 50
ACCURACY = 0.9
HELD_OUT = (1000, 2024)  # points and seed of the checker's own held-out set


def _first_bad(losses) -> int | None:
    for k, v in enumerate(losses):
        if not math.isfinite(v):
            return k
    return None


# -- q1: a learning rate that diverges ------------------------------------------------------
def _check_diverging(ctx, diverging_lr):
    lr = ctx.number(diverging_lr, "diverging_lr")
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
    _, _, losses = descend(lr, 100)
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
    checker=_check_diverging,
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
def _check_fast(ctx, fast_config):
    if not isinstance(fast_config, (tuple, list)) or len(fast_config) != 2:
        raise wrong(
            lazy("`fast_config` should be a pair `(lr, epochs)`, but it is {found}."),
            found=describe(fast_config),
        )
    lr = ctx.number(fast_config[0], "lr")
    epochs = ctx.number(fast_config[1], "epochs")
    if epochs != int(epochs) or epochs < 1:
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
    _, _, losses = descend(lr, epochs)
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
    checker=_check_fast,
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


def _param_arrays(ctx, params):
    if hasattr(params, "trainable_variables") and not isinstance(params, (list, tuple, dict)):
        params = list(params.trainable_variables)  # a tf.keras model or a tf.Module
    if isinstance(params, dict):
        params = list(params.values())
    if not isinstance(params, (list, tuple)) or not params:
        raise wrong(
            lazy(
                "`params` should be the list of your network's variables, e.g. "
                "`[W1, b1, W2, b2]`, but it is {found}."
            ),
            found=describe(params),
        )
    arrays = []
    for i, p in enumerate(params):
        if not callable(getattr(p, "numpy", None)):
            raise wrong(
                lazy("`params[{i}]` is {found}, not a variable."),
                i=i,
                found=describe(p),
            )
        arrays.append(to_array(p))
    return list(params), arrays


def _identical_units(arrays) -> bool:
    """True when a weight matrix has several columns (units) that are all the same."""
    for a in arrays:
        if a.ndim == 2 and a.shape[1] > 1 and np.allclose(a, a[:, :1]):
            return True
    return False


def _has_hidden_layer(arrays) -> bool:
    return sum(a.ndim == 2 for a in arrays) >= 2


def _labels(ctx, value, n):
    if value is None:
        raise wrong(
            lazy("`predict(X)` returned `None`: did you forget `return`?"),
        )
    try:
        p = to_array(value)
    except Exception:
        raise wrong(
            lazy("`predict(X)` should return one 0 or 1 per point, but it returned {found}."),
            found=describe(value),
        ) from None
    if p.size != n:
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
    if np.all((p == 0) | (p == 1)):
        return p
    if np.all((p >= 0) & (p <= 1)):
        return (p > 0.5).astype(float)
    raise wrong(
        lazy(
            "`predict(X)` returns values from {lo:.3g} to {hi:.3g}; it should return 0 or 1 per "
            "point. If these are logits, compare them with 0."
        ),
        lo=float(p.min()),
        hi=float(p.max()),
    )


def _check_mlp(ctx, params, train_step, predict):
    for name, fn in (("train_step", train_step), ("predict", predict)):
        if not callable(fn):
            raise wrong(
                lazy("`{name}` should be a function, but it is {found}."),
                name=name,
                found=describe(fn),
            )
    params, before = _param_arrays(ctx, params)
    if any(not np.all(np.isfinite(a)) for a in before):
        raise wrong(
            lazy(
                "Some of your parameters are NaN or inf: training blew up. Lower the learning "
                "rate, or use `tf.nn.sigmoid_cross_entropy_with_logits` for the loss."
            ),
        )
    n, seed = HELD_OUT
    X_new, y_new = make_moons(n, 0.2, seed)
    labels = _labels(ctx, ctx.call(predict, X_new.copy()).value, n)
    accuracy = float(np.mean(labels == y_new))
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
    try:
        call = ctx.call(train_step)
        after = [to_array(p) for p in params]
    finally:
        for p, old in zip(params, before, strict=True):
            try:
                p.assign(old.astype(np.asarray(p.numpy()).dtype))
            except Exception:
                pass
    if call.gradient_calls == 0:
        raise wrong(
            lazy(
                "Your network classifies well, but one call of `train_step()` made no "
                "`tape.gradient` call. Compute the gradients of the loss with a tape inside "
                "`train_step`."
            ),
        )
    still = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if np.array_equal(a, b)]
    if still:
        raise wrong(
            lazy(
                "One call of `train_step()` left `params[{i}]` (shape {s}) unchanged: every "
                "parameter should take a step. Is it in the list you differentiate and update?"
            ),
            i=still[0],
            s=tuple(before[still[0]].shape),
        )
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
    checker=_check_mlp,
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
