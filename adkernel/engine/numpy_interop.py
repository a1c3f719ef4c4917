"""NumPy interoperability: numpy functions called on tensors stay on the tape.

``np.sin(x)``, ``X @ W`` or ``y - pred`` with a numpy array on one side call
:meth:`TensorLike.__array_ufunc__`, which runs the matching adkernel op, so the
result is a recorded tensor. ``np.sum``, ``np.reshape``, ``np.where`` and friends
arrive through ``__array_function__`` and are mapped the same way. A numpy
function with no adkernel equivalent raises a clear error when one of its
arguments is being watched by a tape (the result would silently have no
gradient); otherwise it simply runs on the values, as numpy would.
"""

from __future__ import annotations

import itertools

import numpy as np

from ._state import state
from .errors import NotDifferentiableError
from .tensor import TensorLike, _wrap


def _ops():
    from . import ops

    return ops


def _tracked(obj) -> bool:
    for tape in state.recording:
        if obj._serial in tape._ids:
            return True
        if tape._auto and obj._is_variable and obj.trainable:
            return True
    return False


def _any_tracked(items) -> bool:
    for x in items:
        if isinstance(x, TensorLike):
            if _tracked(x):
                return True
        elif isinstance(x, list | tuple):
            if _any_tracked(x):
                return True
    return False


def _to_numpy(x):
    if isinstance(x, TensorLike):
        return x._value
    if isinstance(x, list):
        return [_to_numpy(i) for i in x]
    if isinstance(x, tuple):
        return tuple(_to_numpy(i) for i in x)
    return x


def _ufunc_table():
    o = _ops()
    return {
        np.add: o.add,
        np.subtract: o.subtract,
        np.multiply: o.multiply,
        np.true_divide: o.divide,
        np.power: o.pow,
        np.float_power: o.pow,
        np.matmul: o.matmul,
        np.negative: o.negative,
        np.positive: o.identity,
        np.exp: o.exp,
        np.log: o.log,
        np.log1p: o.log1p,
        np.expm1: o.expm1,
        np.sqrt: o.sqrt,
        np.square: o.square,
        np.absolute: o.abs,
        np.sign: o.sign,
        np.sin: o.sin,
        np.cos: o.cos,
        np.tan: o.tan,
        np.tanh: o.tanh,
        np.maximum: o.maximum,
        np.minimum: o.minimum,
        np.reciprocal: o.reciprocal,
        np.remainder: o.floormod,
        np.floor_divide: o.floordiv,
        np.floor: o.floor,
        np.ceil: o.ceil,
        np.rint: o.round,
        np.equal: o.equal,
        np.not_equal: o.not_equal,
        np.less: o.less,
        np.less_equal: o.less_equal,
        np.greater: o.greater,
        np.greater_equal: o.greater_equal,
        np.logical_and: o.logical_and,
        np.logical_or: o.logical_or,
        np.logical_xor: o.logical_xor,
        np.logical_not: o.logical_not,
        np.isfinite: o.is_finite,
        np.isnan: o.is_nan,
    }


_UFUNCS: dict | None = None

_SUGGEST = {
    "arctan": "no arctan op yet: write it from supported ops or wrap it in tf.custom_gradient",
    "sinh": "(exp(x) - exp(-x)) / 2 with tf.exp",
    "cosh": "(exp(x) + exp(-x)) / 2 with tf.exp",
    "log2": "tf.math.log(x) / np.log(2.0)",
    "log10": "tf.math.log(x) / np.log(10.0)",
    "exp2": "tf.pow(2.0, x)",
}


def array_ufunc(ufunc, method, inputs, kwargs):
    global _UFUNCS
    if _UFUNCS is None:
        _UFUNCS = _ufunc_table()
    if kwargs.get("out") is not None:
        raise TypeError(
            f"np.{ufunc.__name__}(..., out=...) cannot write into an adkernel tensor: tensors "
            "are immutable. Drop out= and use the returned tensor (or Variable.assign)."
        )
    fn = _UFUNCS.get(ufunc)
    if method == "__call__" and fn is not None and not kwargs:
        return fn(*inputs)
    if method == "reduce" and ufunc is np.add:
        axis = kwargs.get("axis", 0)
        return _ops().reduce_sum(inputs[0], axis=axis, keepdims=kwargs.get("keepdims", False))
    if _any_tracked(inputs):
        hint = _SUGGEST.get(ufunc.__name__, "use the matching tf.* / tf.math.* function")
        raise NotDifferentiableError(
            f"np.{ufunc.__name__}{'.' + method if method != '__call__' else ''} is not recorded "
            f"by adkernel's tape, so its result would have no gradient. Try: {hint}."
        )
    return getattr(ufunc, method)(*_to_numpy(inputs), **kwargs)


def _sum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    return _ops().reduce_sum(a, axis=axis, keepdims=keepdims)


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    return _ops().reduce_mean(a, axis=axis, keepdims=keepdims)


def _max(a, axis=None, out=None, keepdims=False, **kw):
    return _ops().reduce_max(a, axis=axis, keepdims=keepdims)


def _min(a, axis=None, out=None, keepdims=False, **kw):
    return _ops().reduce_min(a, axis=axis, keepdims=keepdims)


def _prod(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    return _ops().reduce_prod(a, axis=axis, keepdims=keepdims)


def _reshape(a, *args, **kw):
    shape = kw.get("shape", kw.get("newshape", args[0] if args else None))
    return _ops().reshape(a, shape)


def _transpose(a, axes=None):
    return _ops().transpose(a, axes)


def _swapaxes(a, axis1, axis2):
    nd = np.ndim(a._value if isinstance(a, TensorLike) else a)
    perm = list(range(nd))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return _ops().transpose(a, perm)


def _moveaxis(a, source, destination):
    nd = np.ndim(a._value if isinstance(a, TensorLike) else a)
    perm = list(np.moveaxis(np.arange(nd), source, destination))
    return _ops().transpose(a, [int(p) for p in perm])


def _split(ary, indices_or_sections, axis=0):
    o = _ops()
    v = ary._value if isinstance(ary, TensorLike) else np.asarray(ary)
    n = np.shape(v)[axis]
    if isinstance(indices_or_sections, int | np.integer):
        step = n // int(indices_or_sections)
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0, *[int(i) for i in indices_or_sections], n]
    prefix = (slice(None),) * (axis % np.ndim(v))
    return [
        o.getitem(ary, (*prefix, slice(lo, hi)))
        for lo, hi in itertools.pairwise(bounds)
    ]


def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.where(_to_numpy(condition))
    return _ops().where(condition, x, y)


def _like(fill):
    def like(a, dtype=None, *args, **kw):
        v = a._value if isinstance(a, TensorLike) else np.asarray(a)
        return _wrap(np.full(np.shape(v), fill, dtype=dtype or v.dtype))

    return like


def _array_function_table():
    o = _ops()
    return {
        np.sum: _sum,
        np.mean: _mean,
        np.max: _max,
        np.amax: _max,
        np.min: _min,
        np.amin: _min,
        np.prod: _prod,
        np.reshape: _reshape,
        np.transpose: _transpose,
        np.swapaxes: _swapaxes,
        np.moveaxis: _moveaxis,
        np.expand_dims: lambda a, axis: o.expand_dims(a, axis),
        np.squeeze: lambda a, axis=None: o.squeeze(a, axis),
        np.concatenate: lambda arrays, axis=0, **kw: o.concat(list(arrays), axis),
        np.stack: lambda arrays, axis=0, **kw: o.stack(list(arrays), axis),
        np.split: _split,
        np.where: _where,
        np.clip: lambda a, a_min, a_max, **kw: o.clip_by_value(a, a_min, a_max),
        np.broadcast_to: lambda array, shape, **kw: o.broadcast_to(array, shape),
        np.take: lambda a, indices, axis=None, **kw: o.gather(
            o.reshape(a, (-1,)) if axis is None else a, indices, axis=axis or 0
        ),
        np.dot: lambda a, b, out=None: (
            o.matmul(a, b)
            if np.ndim(_to_numpy(a)) >= 2 and np.ndim(_to_numpy(b)) >= 2
            else o.multiply(a, b)
        ),
        np.zeros_like: _like(0),
        np.ones_like: _like(1),
        np.shape: lambda a: np.shape(_to_numpy(a)),
        np.ndim: lambda a: np.ndim(_to_numpy(a)),
        np.size: lambda a, axis=None: np.size(_to_numpy(a), axis),
        np.result_type: lambda *a: np.result_type(*_to_numpy(a)),
        np.einsum: lambda eq, *ops_, **kw: o.einsum(eq, *ops_),
        np.linalg.solve: lambda a, b: o.solve(a, b),
        np.linalg.norm: lambda x, ord=None, axis=None, keepdims=False: o.norm(
            x, "euclidean" if ord is None else ord, axis, keepdims
        ),
    }


_FUNCS: dict | None = None

# numpy functions that never carry gradients: run them on the values.
_VALUE_ONLY = {
    "allclose",
    "isclose",
    "array_equal",
    "array_equiv",
    "argmax",
    "argmin",
    "any",
    "all",
    "count_nonzero",
    "isfinite",
    "isnan",
    "isinf",
    "nonzero",
    "argsort",
    "searchsorted",
    "unique",
    "round",
    "around",
    "floor",
    "ceil",
    "histogram",
    "percentile",
    "quantile",
    "median",
    "sort",
    "copy",
    "array2string",
    "array_repr",
    "array_str",
    "printoptions",
    "save",
    "savez",
    "savetxt",
    "tolist",
    "may_share_memory",
    "shares_memory",
    "iscomplexobj",
    "isrealobj",
    "isscalar",
    "ravel_multi_index",
    "unravel_index",
    "full_like",
    "empty_like",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
}


def array_function(func, types, args, kwargs):
    global _FUNCS
    if _FUNCS is None:
        _FUNCS = _array_function_table()
    fn = _FUNCS.get(func)
    if fn is not None:
        return fn(*args, **kwargs)
    name = getattr(func, "__name__", str(func))
    if name not in _VALUE_ONLY and _any_tracked(list(args) + list(kwargs.values())):
        raise NotDifferentiableError(
            f"np.{name} is not recorded by adkernel's tape, so its result would have no "
            f"gradient (TensorFlow would silently return None later). Use the matching "
            f"tf.* function, or call np.{name} on x.numpy() if you do not need a gradient."
        )
    return func(*_to_numpy(args), **_to_numpy(kwargs))
