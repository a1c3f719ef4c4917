"""``tf.keras.optimizers.schedules``: learning rates that change with the step number.

A schedule is called with the optimizer's ``iterations`` (the number of steps taken so
far, starting at 0) and returns a float32 tensor. Pass one as an optimizer's
``learning_rate``: each ``apply_gradients`` uses its value at the current step, with
Keras 3's formulas.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine import ops
from ..engine.i18n import _
from ..engine.tensor import TensorLike, convert_to_tensor

__all__ = ["CosineDecay", "ExponentialDecay", "LearningRateSchedule", "PiecewiseConstantDecay"]


def _float_step(step, dtype):
    t = step if isinstance(step, TensorLike) else convert_to_tensor(step)
    return ops.cast(t, dtype)


def _positive_steps(decay_steps):
    if decay_steps <= 0:
        raise ValueError(_("Argument `decay_steps` must be > 0. Received: "
                           "decay_steps={steps}").format(steps=decay_steps))


class LearningRateSchedule:
    """Base class: subclass it and define ``__call__(self, step)``."""

    def __call__(self, step):
        raise NotImplementedError(_("{cls} must define __call__(self, step)").format(
            cls=type(self).__name__))

    def get_config(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with ``staircase``
    the exponent is rounded down (the rate drops every ``decay_steps`` steps)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _positive_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        lr = convert_to_tensor(self.initial_learning_rate)
        p = ops.divide(_float_step(step, lr.dtype), ops.cast(
            convert_to_tensor(self.decay_steps), lr.dtype))
        if self.staircase:
            p = ops.floor(p)
        return ops.multiply(lr, ops.pow(ops.cast(convert_to_tensor(self.decay_rate),
                                                 lr.dtype), p))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while ``step <=
    boundaries[1]``, ..., and ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(_(
                "The length of boundaries should be 1 less than the length of values. "
                "Received: boundaries={boundaries} of length {nb}, and values={values} of "
                "length {nv}.").format(boundaries=list(boundaries), nb=len(boundaries),
                                       values=list(values), nv=len(values)))
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        s = step.numpy() if isinstance(step, TensorLike) else np.asarray(step)
        piece = int(np.searchsorted(np.asarray(self.boundaries, dtype=float), float(s),
                                    side="left"))
        first = convert_to_tensor(self.values[0])
        return ops.cast(convert_to_tensor(self.values[piece]), first.dtype)


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` (or, after ``warmup_steps`` of linear
    warm-up, from ``warmup_target``) down to ``alpha`` times it over ``decay_steps`` steps:
    ``lr * ((1 - alpha) * (1 + cos(pi * t / decay_steps)) / 2 + alpha)``, then constant."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _positive_steps(decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.alpha, self.name = alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def _decay(self, step, decay_from, dtype):
        fraction = ops.divide(step, ops.cast(convert_to_tensor(self.decay_steps), dtype))
        cosine = ops.multiply(ops.add(ops.cos(ops.multiply(fraction, math.pi)), 1.0), 0.5)
        return ops.multiply(decay_from, ops.add(ops.multiply(cosine, 1.0 - self.alpha),
                                                self.alpha))

    def __call__(self, step):
        lr = convert_to_tensor(self.initial_learning_rate)
        dt = lr.dtype
        decay_steps = ops.cast(convert_to_tensor(self.decay_steps), dt)
        t = _float_step(step, dt)
        if self.warmup_target is None:
            return self._decay(ops.minimum(t, decay_steps), lr, dt)
        target = ops.cast(convert_to_tensor(self.warmup_target), dt)
        warm = ops.cast(convert_to_tensor(self.warmup_steps), dt)
        t = ops.minimum(t, ops.add(decay_steps, warm))
        if float(t.numpy()) < float(warm.numpy()):
            return ops.add(ops.multiply(ops.subtract(target, lr), ops.divide(t, warm)), lr)
        return self._decay(ops.subtract(t, warm), target, dt)
