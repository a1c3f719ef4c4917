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
INVERTED = 0.4  # held-out accuracy below this is far worse than guessing (50%) on 1000 points
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


def _bouncing(path) -> bool:
    """At the end of the run each step still reverses the one before it: the parameters
    jump from one side of the valley to the other (rather than crawl along its floor)."""
    if len(path) < 3:
        return False
    (w0, b0), (w1, b1), (w2, b2) = path[-3:]
    return (w2 - w1) * (w1 - w0) + (b2 - b1) * (b1 - b0) < 0


@lru_cache(maxsize=8)
def _good_rates(epochs: int, step: float = 0.05):
    """``(lo, hi)``: the smallest and largest rates on a grid of ``step`` whose run of
    ``epochs`` epochs ends below the target loss (None when none does), from the checker's
    own runs."""
    good = []
    k = 1
    while True:
        lr = round(k * step, 10)
        losses = descend(lr, epochs)[2]
        if _first_bad(losses) is not None or losses[-1] > losses[0]:
            break  # from here on the runs diverge
        if losses[-1] < TARGET_LOSS:
            good.append(lr)
        k += 1
    return (good[0], good[-1]) if good else None


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
    path: list = []
    losses = [float(v) for v in descend(lr, int(epochs), path=path)[2]]  # the checker's run
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
    raise _not_there_yet(lr, epochs, losses[-1], path)


def _not_there_yet(lr, epochs, end, path):
    """The diagnosis of a stable run that ends above the target loss: its steps are too
    large (they still bounce across the valley), too few, or too small."""
    if epochs < 2:  # one step shows no bouncing: look at two
        path = []
        descend(lr, 2, path=path)
    if _bouncing(path):
        return _too_bouncy(lr, epochs, end)
    if descend(lr, BUDGET)[2][-1] < TARGET_LOSS:
        return wrong(
            lazy(
                "After {e} epochs at lr = {lr:g} the loss is {end:.4f}: not below {t} yet. "
                "This rate gets there with more epochs (up to {n})."
            ),
            e=epochs,
            lr=lr,
            end=end,
            t=TARGET_LOSS,
            n=BUDGET,
        )
    return wrong(
        lazy(
            "After {e} epochs at lr = {lr:g} the loss is {end:.4f}: not below {t} yet. The slow "
            "part is the long valley floor, where the slope is gentle: bigger steps (or more "
            "epochs, up to {n}) help it along."
        ),
        e=epochs,
        lr=lr,
        end=end,
        t=TARGET_LOSS,
        n=BUDGET,
    )


def _too_bouncy(lr, epochs, end):
    """The diagnosis of a rate whose steps overshoot the valley and still bounce at the end,
    with the rates that do get there (from the checker's own runs)."""
    values = {"e": epochs, "lr": lr, "end": end, "t": TARGET_LOSS}
    good = _good_rates(epochs)
    if good is not None and good[1] < lr:
        return wrong(
            lazy(
                "After {e} epochs at lr = {lr:g} the loss is {end:.4f}: not below {t} yet. The "
                "steps are too large: each one overshoots the valley, so W and b are still "
                "jumping from one side to the other, and the jumps shrink only slowly. Take "
                "smaller steps: rates from about {lo:g} to {hi:g} get below {t} in {e} epochs."
            ),
            lo=good[0],
            hi=good[1],
            **values,
        )
    if epochs < BUDGET and descend(lr, BUDGET)[2][-1] < TARGET_LOSS:
        return wrong(
            lazy(
                "After {e} epochs at lr = {lr:g} the loss is {end:.4f}: not below {t} yet. "
                "Each step overshoots the valley, so W and b are still jumping from one side "
                "to the other; the jumps do die out at this rate, but {e} epochs are not "
                "enough. Give it more epochs (up to {n})."
            ),
            n=BUDGET,
            **values,
        )
    good = _good_rates(BUDGET)
    if good is not None and good[1] < lr:
        return wrong(
            lazy(
                "After {e} epochs at lr = {lr:g} the loss is {end:.4f}: not below {t} yet. The "
                "steps are too large: each one overshoots the valley, so W and b are still "
                "jumping from one side to the other, and the jumps shrink only slowly. Take "
                "smaller steps, and more epochs: in {n} epochs, rates from about {lo:g} to "
                "{hi:g} get below {t}."
            ),
            lo=good[0],
            hi=good[1],
            n=BUDGET,
            **values,
        )
    return wrong(
        lazy(
            "After {e} epochs at lr = {lr:g} the loss is {end:.4f}: not below {t} yet. The "
            "steps are too large: each one overshoots the valley, so W and b are still jumping "
            "from one side to the other, and the jumps shrink only slowly. Take smaller steps."
        ),
        **values,
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
    still = False
    try:
        data["train_step"] = ctx.call(train_step)
        data["after"] = [ctx.value(p) for p in params]
        still = not failed(data["train_step"]) and any(
            np.array_equal(np.asarray(p.numpy()), old)
            for p, old in zip(params, saved, strict=True)
        )
        if still:
            data["nudged"] = _nudged_step(ctx, params, saved, train_step)
    finally:
        _put_back(params, saved)
    if still:
        # is the boundary a straight line? (the labels of midpoints, see _straight)
        call, value = ctx.run(predict, _midpoints())
        if not failed(call):
            try:
                data["midpoints"] = ctx.value(to_array(value))
            except Exception:
                pass
    return data


def _put_back(params, saved) -> None:
    for p, old in zip(params, saved, strict=True):
        try:
            p.assign(old)
        except Exception:
            pass


def _nudged_step(ctx, params, saved, train_step):
    """Which parameters one ``train_step()`` moves when it starts a little away from the
    trained values (a list of bools), or None when that could not be seen.

    A parameter a step leaves unchanged may be missing from the update, or it may sit where
    its gradient is about 0 (training has converged: a step of lr · 1e-9 does not change a
    float32). Off that point the gradient is not 0, so a parameter that is updated moves."""
    rng = np.random.RandomState(0)
    starts = []
    try:
        for p, old in zip(params, saved, strict=True):
            start = (old + 0.1 * rng.randn(*old.shape)).astype(old.dtype)
            p.assign(start)
            starts.append(start)
    except Exception:
        return None
    call = ctx.call(train_step)
    if failed(call):
        return None
    return [not np.array_equal(np.asarray(p.numpy()), s) for p, s in zip(params, starts,
                                                                        strict=True)]


@lru_cache(maxsize=1)
def _pairs():
    """Each held-out point paired with another one, drawn once (an index array)."""
    return np.random.RandomState(HELD_OUT[1] + 1).permutation(HELD_OUT[0])


def _midpoints():
    """The midpoints of the held-out pairs: a straight boundary gives the midpoint of two
    points on one side of it that side's label too."""
    X, _ = _held_out()
    return (X + X[_pairs()]) / 2


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


def _stuck(data, still) -> list[int]:
    """Of the parameters one step left unchanged, those that do not move either when the
    step starts a little away from the trained values (all of them when that was not seen).

    The others are updated: where training stopped their gradients are about 0."""
    moved = data.get("nudged")
    if not isinstance(moved, list) or len(moved) != len(data["before"]):
        return still
    return [i for i in still if not moved[i]]


def _straight(data, labels) -> bool:
    """The network's boundary is a straight line on the held-out points: the midpoint of two
    points with one label gets that label too (a few exceptions allowed, for rounding)."""
    ev = data.get("midpoints")
    mid = None if ev is None or is_kind(ev, "str", "bool", "none") else to_numpy(ev)
    if mid is None or mid.size != labels.size:
        return False
    mid = mid.reshape(-1)
    same = labels == labels[_pairs()]
    return int(np.sum(same & (mid != labels))) <= 0.01 * int(np.sum(same))


def _step_left_unchanged(before, i):
    return wrong(
        lazy(
            "One call of `train_step()` left `params[{i}]` (shape {s}) unchanged: every "
            "parameter should take a step. Is it in the list you differentiate and update?"
        ),
        i=i,
        s=tuple(before[i].shape),
    )


def _why_untrained(step, before, stuck, n, accuracy):
    """When the network classifies poorly: what one call of ``train_step()`` shows wrong
    with the training itself (None when the step looks right). ``stuck``: the parameters
    the step does not update (see :func:`_stuck`)."""
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
    if len(stuck) == len(before):
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
    if stuck:
        return _step_left_unchanged(before, stuck[0])
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
    still = _unchanged(before, after)
    stuck = _stuck(data, still)
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
        untrained = _why_untrained(step, before, stuck, n, accuracy)
        if untrained is not None:
            raise untrained
        if accuracy < INVERTED:
            raise wrong(
                lazy(
                    "On {n} fresh points your network is right only {a:.0%} of the time: "
                    "worse than guessing, which gets half of them right. Flip its answers and "
                    "they would be {b:.0%} right: a clue that something has the wrong sign. "
                    "Is the loss falling while you train (each step `p.assign_sub(lr * g)`, "
                    "with a learning rate above 0)? If it is, does `predict` give 1 where the "
                    "logit is above 0?"
                ),
                n=n,
                a=accuracy,
                b=1 - accuracy,
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
        if still:  # and none stuck: training has settled where the gradients are about 0
            if _straight(data, labels):
                raise wrong(
                    lazy(
                        "On {n} fresh points your network is right {a:.0%} of the time, and "
                        "training has settled: the gradients are about 0, so more steps will "
                        "not help. Its boundary is a straight line, like the chapter's single "
                        "neuron (84% of the notebook's held-out points): without a nonlinear "
                        "activation the two layers multiply out to one linear layer. Apply "
                        "tanh to the hidden layer, `tf.tanh(tf.matmul(X, W1) + b1)`."
                    ),
                    n=n,
                    a=accuracy,
                )
            raise wrong(
                lazy(
                    "On {n} fresh points your network is right {a:.0%} of the time, and "
                    "training has settled: the gradients are about 0, so more steps will not "
                    "help. Its boundary bends, but not enough: try more hidden units, or "
                    "another random start."
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
    if stuck:
        raise _step_left_unchanged(before, stuck[0])
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
