"""``tf.random`` and ``tf.nn.dropout``: TensorFlow's seeding rules over numpy Generators.

A module of its own, below both ``tf`` and ``tf.keras`` (whose initializers and ``Dropout``
layer draw from the same streams), so that neither imports the other.
"""

from __future__ import annotations

import numpy as np

from .engine import errors as _errors
from .engine import ops as _ops
from .engine.dtypes import as_dtype, float32
from .engine.i18n import _
from .engine.registry import composite as _export
from .engine.tensor import Tensor, TensorLike, _wrap, convert_to_tensor
from .engine.trace import replayed


def _shape_tuple(shape) -> tuple:
    if isinstance(shape, TensorLike):
        shape = shape.numpy().tolist()
    if isinstance(shape, int | np.integer):
        return (int(shape),)
    return tuple(int(s) for s in shape)


_DEFAULT_GLOBAL_SEED = 87654321  # used when only an op seed is given (TensorFlow has one too)


class _Random:
    """``tf.random`` with TensorFlow's seeding rules (numpy Generators underneath).

    * no seeds: fresh values every run;
    * ``tf.random.set_seed(s)``: the sequence of random calls is reproducible; calling
      ``set_seed(s)`` again replays it from the start;
    * an op ``seed=k`` (with or without a global seed): that op has its own stream, so
      repeated calls give new values, and ``set_seed`` replays them too.

    The numbers differ from TensorFlow's (another generator); the rules are the same.
    """

    def __init__(self) -> None:
        self._global = None
        self._rng = np.random.default_rng()
        self._streams: dict = {}

    def set_seed(self, seed) -> None:
        """Set the global seed: every random sequence restarts from it."""
        self._global = int(seed)
        self._rng = np.random.default_rng(self._global)
        self._streams = {}

    def _gen(self, seed):
        if seed is None:
            return self._rng
        key = int(seed)
        if key not in self._streams:
            base = _DEFAULT_GLOBAL_SEED if self._global is None else self._global
            self._streams[key] = np.random.default_rng([base & 0xFFFFFFFF, key & 0xFFFFFFFF])
        return self._streams[key]

    @replayed
    def normal(self, shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
        dt = as_dtype(dtype)._np
        x = self._gen(seed).normal(float(mean), float(stddev), _shape_tuple(shape))
        return _wrap(x.astype(dt))

    @replayed
    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
        dt = as_dtype(dtype)._np
        rng = self._gen(seed)
        x = rng.normal(0.0, 1.0, _shape_tuple(shape))
        bad = np.abs(x) > 2
        while bad.any():
            x[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
            bad = np.abs(x) > 2
        return _wrap((x * float(stddev) + float(mean)).astype(dt))

    @replayed
    def uniform(self, shape, minval=0, maxval=None, dtype=float32, seed=None, name=None):
        dt = as_dtype(dtype)._np
        rng = self._gen(seed)
        if dt.kind in "iu":
            if maxval is None:
                raise ValueError(_("tf.random.uniform with an integer dtype needs maxval"))
            return _wrap(rng.integers(int(minval), int(maxval), _shape_tuple(shape)).astype(dt))
        hi = 1.0 if maxval is None else float(maxval)
        return _wrap(rng.uniform(float(minval), hi, _shape_tuple(shape)).astype(dt))

    @replayed
    def shuffle(self, value, seed=None, name=None):
        v = convert_to_tensor(value)._value
        return _wrap(self._gen(seed).permutation(v))


    @replayed
    def categorical(self, logits, num_samples, dtype=None, seed=None, name=None):
        """``num_samples`` class indices per row of ``logits`` (unnormalised log-probabilities),
        drawn from ``softmax(logits)``; int64 by default. No gradient, as in TensorFlow."""
        lg = logits if isinstance(logits, TensorLike) else convert_to_tensor(logits)
        v = lg._value
        if v.ndim != 2:
            raise _errors.InvalidArgumentError(
                _("random.categorical: logits should be a matrix [batch, classes], got shape "
                  "{shape}.").format(shape=list(v.shape)), op="Multinomial")
        dt = np.int64 if dtype is None else as_dtype(dtype)._np
        if dt not in (np.int32, np.int64):
            raise TypeError(_("random.categorical: dtype must be int32 or int64, got "
                              "{dtype}").format(dtype=dt))
        n = int(num_samples.numpy() if isinstance(num_samples, TensorLike) else num_samples)
        z = v.astype(np.float64)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
        u = self._gen(seed).uniform(0.0, 1.0, (v.shape[0], n))
        idx = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(-1), v.shape[1] - 1)
        return _wrap(idx.astype(dt))


random = _Random()


@_export("nn.dropout")
def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zero each entry with probability ``rate`` and scale the rest by ``1 / (1 - rate)``.

    ``noise_shape`` (broadcastable to ``x``'s shape) shares one keep/drop decision along
    its size-1 axes; ``seed`` follows ``tf.random``'s rules. The gradient is the same mask.
    """
    t = x if isinstance(x, TensorLike) else convert_to_tensor(x)
    if t._value.dtype.kind != "f":
        raise TypeError(_("nn.dropout needs a float tensor, got {dtype}").format(
            dtype=t.dtype.name))
    r = float(rate.numpy() if isinstance(rate, TensorLike) else rate)
    if not 0 <= r < 1:
        raise ValueError(_("nn.dropout: rate must be a number in [0, 1), got {rate}").format(
            rate=r))
    shape = t._value.shape if noise_shape is None else _shape_tuple(noise_shape)
    try:
        np.broadcast_shapes(shape, t._value.shape)
    except ValueError:
        raise _errors.InvalidArgumentError(
            _("nn.dropout: noise_shape {noise_shape} does not broadcast to the tensor's shape "
              "{shape}.").format(noise_shape=list(shape), shape=list(t._value.shape)),
            op="Dropout") from None
    return _ops.multiply(t, _dropout_scale(shape, r, t._value.dtype, seed))


@replayed  # (drawn again at every call of a traced function, as TensorFlow does)
def _dropout_scale(shape, rate, dtype, seed) -> Tensor:
    """The dropout mask: ``1 / (1 - rate)`` where kept, 0 where dropped."""
    keep = random._gen(seed).uniform(0.0, 1.0, shape) >= rate
    return _wrap(np.where(keep, 1.0 / (1.0 - rate), 0.0).astype(dtype))
