"""``tf.keras.initializers``: how a layer fills its weights when it is built.

The formulas are Keras 3's; the random numbers come from adkernel's generator (so they
differ from TensorFlow's even with the same seed: for equal numbers, set the weights).
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.dtypes import as_dtype
from ..engine.i18n import _
from ..engine.tensor import TensorLike, constant
from ..tf_random import random as _random
from ._common import snake

__all__ = ["Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Initializer",
           "LecunNormal", "LecunUniform", "Ones", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "Zeros", "get"]


def _np_dtype(dtype):
    return as_dtype("float32" if dtype is None else dtype)._np


def _rng(seed):
    """A seeded initializer gives the same values on every call (Keras 3's rule); unseeded
    ones draw from tf.random's global stream (``tf.random.set_seed`` makes them repeatable)."""
    return _random._gen(None) if seed is None else np.random.default_rng(int(seed))


def _normal(shape, mean, std, seed, dtype, truncated=False):
    rng = _rng(seed)
    x = rng.normal(0.0, 1.0, tuple(shape))
    if truncated:
        bad = np.abs(x) > 2
        while bad.any():
            x[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
            bad = np.abs(x) > 2
    return constant((x * float(std) + float(mean)).astype(_np_dtype(dtype)))


def _uniform(shape, lo, hi, seed, dtype):
    x = _rng(seed).uniform(float(lo), float(hi), tuple(shape))
    return constant(x.astype(_np_dtype(dtype)))


class Initializer:
    """Base class: ``init(shape, dtype)`` returns a tensor."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return constant(np.zeros(tuple(shape), dtype=_np_dtype(dtype)))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return constant(np.ones(tuple(shape), dtype=_np_dtype(dtype)))


class Constant(Initializer):
    """Every entry ``value`` (a number, or an array broadcast to the shape)."""

    def __init__(self, value=0.0):
        self.value = value.numpy() if isinstance(value, TensorLike) else value

    def __call__(self, shape, dtype=None):
        v = np.broadcast_to(np.asarray(self.value, _np_dtype(dtype)), tuple(shape))
        return constant(v.copy())

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return _normal(shape, self.mean, self.stddev, self.seed, dtype)


class TruncatedNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return _normal(shape, self.mean, self.stddev, self.seed, dtype, truncated=True)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        return _uniform(shape, self.minval, self.maxval, self.seed, dtype)


def _fans(shape):
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(Initializer):
    """Keras' family: variance ``scale / n`` with n the fan in, fan out or their average."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0:
            raise ValueError(_("VarianceScaling: scale must be positive, got {scale}").format(
                scale=scale))
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(_("VarianceScaling: mode must be fan_in, fan_out or fan_avg, got "
                               "{mode!r}").format(mode=mode))
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(_("VarianceScaling: unknown distribution {distribution!r}").format(
                distribution=distribution))
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            std = math.sqrt(scale) / 0.87962566103423978
            return _normal(shape, 0.0, std, self.seed, dtype, truncated=True)
        if self.distribution == "untruncated_normal":
            return _normal(shape, 0.0, math.sqrt(scale), self.seed, dtype)
        limit = math.sqrt(3.0 * scale)
        return _uniform(shape, -limit, limit, self.seed, dtype)


class GlorotUniform(VarianceScaling):
    """Uniform in ``±sqrt(6 / (fan_in + fan_out))``: Dense's default kernel initializer."""

    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_uniform": HeUniform,
    "he_normal": HeNormal, "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "variance_scaling": VarianceScaling, "uniform": RandomUniform, "normal": RandomNormal,
}


def get(identifier):
    """An initializer from its name (``'glorot_uniform'``), class, instance or function."""
    if isinstance(identifier, str):
        key = identifier if identifier in _BY_NAME else snake(identifier)
        if key not in _BY_NAME:
            raise ValueError(_("Could not interpret initializer identifier: {identifier!r}; "
                               "adkernel knows {known}.").format(identifier=identifier,
                                                                 known=sorted(_BY_NAME)))
        return _BY_NAME[key]()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(_("Could not interpret initializer identifier: {identifier!r}").format(
        identifier=identifier))
