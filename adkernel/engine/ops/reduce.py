"""Reductions. ``axis`` is None (everything), an int or a tuple of ints.

reduce_max / reduce_min split the gradient equally between tied maxima (TensorFlow's
rule, unlike ``maximum``); a NaN or inf upstream gradient, or a NaN in the row, makes the
whole reduced row NaN, as in TensorFlow.
"""

from __future__ import annotations

from math import prod as _prod

import numpy as np

from ..dtypes import as_dtype
from ..errors import InvalidArgumentError, invalid_dtype
from ..i18n import _, lazy
from ..registry import apply, axis_arg, check_scalar_axes, defop, one
from ..tensor import TensorLike
from .math import _logical_operand

_ndarray = np.ndarray
_NUMPY = (np.ndarray, np.generic)  # values whose .ndim is cheaper than np.ndim()
_SMALL = 4096  # below this many elements, a filled array is cheaper than a broadcast view


def _spread(g, shape):
    """``g`` broadcast to ``shape``: a filled array when small, a zero-copy view when large."""
    if (type(g) is _ndarray or isinstance(g, np.generic)) and g.ndim == 0:
        if _prod(shape) <= _SMALL:
            a = np.empty(shape, dtype=g.dtype)
            a.fill(g)
            return a
    return np.broadcast_to(g, shape)


def _expand(g, x_shape, axis, keepdims):
    """Give a reduced gradient back its reduced axes (size 1), ready to broadcast."""
    if keepdims or (axis is None and (g.ndim if isinstance(g, _NUMPY) else np.ndim(g)) == 0):
        return g
    nd = len(x_shape)
    axes = range(nd) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    axes = sorted(a % nd for a in axes)
    shape = list(np.shape(g))
    for a in axes:
        shape.insert(a, 1)
    return g.reshape(tuple(shape)) if type(g) is _ndarray else np.reshape(g, tuple(shape))


def _count(x_shape, axis) -> int:
    if axis is None:
        return _prod(x_shape)
    n = 1
    for a in axis if isinstance(axis, tuple) else (axis,):
        n *= x_shape[a]
    return n


@defop("reduce_sum", uses=(), call="reduce", tf=("reduce_sum", "math.reduce_sum"),
       local=(lazy("1 for every element"),))
def reduce_sum(x, axis=None, keepdims=False):
    """sum of x over axis (every reduced axis of length 1: x itself, -0.0 kept, as TF)"""
    # One expression, so that the tracer inlines it (no helper names). Summing starts from
    # +0.0, so -0.0 alone in its row comes out +0.0; TensorFlow turns a reduction whose
    # reduced axes all have length 1 into a reshape, which keeps it: start from -0.0 there
    # (-0.0 + v is v for every v) and from +0.0 elsewhere (a row of -0.0s sums to +0.0).
    # (Axes are wrapped so that an axis out of range reaches numpy's AxisError; a tuple is
    # checked by its first axis first, the common case of a gradient summed over (0,).)
    return np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype, initial=-0.0 if (
        x.size == 1 if axis is None else x.shape[axis % x.ndim] == 1
        if axis.__class__ is (0).__class__ else not axis or (x.shape[axis[0] % x.ndim] == 1 and (
            axis.__len__() == 1
            or np.multiply.reduce(np.array(x.shape).take(axis, mode="wrap")) == 1))) else 0.0)


@reduce_sum.defvjp
def reduce_sum_vjp(g, out, need, x, axis=None, keepdims=False):
    """every summed element receives the upstream gradient"""
    return (_spread(_expand(g, np.shape(x), axis, keepdims), np.shape(x)),)


@defop("reduce_mean", uses=(), call="reduce", tf=("reduce_mean", "math.reduce_mean"),
       local=(lazy("1/{n} for every element"),))
def reduce_mean(x, axis=None, keepdims=False):
    """mean of x over axis (integer tensors: integer mean, as TensorFlow)"""
    if x.dtype.kind in "iu":
        n = _count(np.shape(x), axis)
        if not n:
            raise InvalidArgumentError(
                _("reduce_mean: the mean of an empty integer tensor (shape {shape}, "
                  "axis={axis}) is undefined; cast it to float first, e.g. "
                  "tf.reduce_mean(tf.cast(x, tf.float32)), which gives nan").format(
                    shape=tuple(np.shape(x)), axis=axis), op="reduce_mean")
        total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        return np.trunc(total / n).astype(x.dtype)
    n = _count(x.shape, axis)
    if n == 1:  # every reduced axis has length 1: TensorFlow reshapes (-0.0 kept)
        return np.add.reduce(x, axis=axis, keepdims=keepdims, initial=-0.0)
    if x.dtype.kind == "f" and x.dtype.itemsize >= 4:
        # add.reduce (pairwise summation, like np.mean) without np.mean's Python wrapper;
        # the sum divided by n, as TensorFlow (times 1/n can round differently)
        total = np.add.reduce(x, axis=axis, keepdims=keepdims)
        return total / x.dtype.type(n) if n else total * np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.mean(x, axis=axis, keepdims=keepdims)


@reduce_mean.defvjp
def reduce_mean_vjp(g, out, need, x, axis=None, keepdims=False):
    """every averaged element receives upstream / n"""
    shape = x.shape
    n = _count(shape, axis)
    scaled = g / n if n else g * np.nan  # divided, as TensorFlow's gradient of the mean
    return (_spread(_expand(scaled, shape, axis, keepdims), shape),)


def _extreme_vjp(g, out, x, axis, keepdims):
    """TensorFlow's rule: (hit / number of hits) * g, a product, so that a NaN or inf
    upstream gradient spreads over the whole reduced row (0 * inf is NaN), and a row
    whose extreme is NaN (no element equals it) gets NaN everywhere."""
    xv = x._value if isinstance(x, TensorLike) else np.asarray(x)
    ov = out._value if isinstance(out, TensorLike) else np.asarray(out)
    shape = xv.shape
    share = np.equal(xv, _expand(ov, shape, axis, keepdims)).astype(
        xv.dtype if xv.dtype.kind == "f" else np.float64)
    with np.errstate(invalid="ignore"):
        share /= np.sum(share, axis=axis, keepdims=True)
    return (share * _expand(g, shape, axis, keepdims),)


@defop("reduce_max", uses=(0, "out"), call="reduce", tf=("reduce_max", "math.reduce_max"),
       local=(lazy("1 at the maximum (tied maxima share it), else 0"),))
def reduce_max(x, axis=None, keepdims=False):
    """largest element of x over axis (of nothing: the dtype's lowest value, as TF)"""
    if x.size == 0:
        return np.max(x, axis=axis, keepdims=keepdims, initial=_bound(x.dtype, -1))
    return np.max(x, axis=axis, keepdims=keepdims)


def _bound(dtype, sign: int):
    """-inf / +inf for floats, the smallest / largest integer otherwise (sign -1 / +1): what
    TensorFlow's max / min of an empty row gives."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return info.min if sign < 0 else info.max
    if dtype.kind == "b":
        return sign > 0
    return sign * np.inf


@reduce_max.defvjp
def reduce_max_vjp(g, out, need, x, axis=None, keepdims=False):
    """the gradient goes to the maximum; tied maxima share it equally (NaN spreads)"""
    return _extreme_vjp(g, out, x, axis, keepdims)


@defop("reduce_min", uses=(0, "out"), call="reduce", tf=("reduce_min", "math.reduce_min"),
       local=(lazy("1 at the minimum (tied minima share it), else 0"),))
def reduce_min(x, axis=None, keepdims=False):
    """smallest element of x over axis (of nothing: the dtype's largest value, as TF)"""
    if x.size == 0:
        return np.min(x, axis=axis, keepdims=keepdims, initial=_bound(x.dtype, 1))
    return np.min(x, axis=axis, keepdims=keepdims)


@reduce_min.defvjp
def reduce_min_vjp(g, out, need, x, axis=None, keepdims=False):
    """the gradient goes to the minimum; tied minima share it equally (NaN spreads)"""
    return _extreme_vjp(g, out, x, axis, keepdims)


@defop("reduce_prod", uses=(0, "out"), call="reduce", tf=("reduce_prod", "math.reduce_prod"),
       local=(lazy("the product of the other elements"),))
def reduce_prod(x, axis=None, keepdims=False):
    """product of x over axis"""
    return np.multiply.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@reduce_prod.defvjp
def reduce_prod_vjp(g, out, need, x, axis=None, keepdims=False):
    """d prod/dx_i = product of the other elements (exact at zeros, to every order)"""
    shape = np.shape(x)
    ge = _expand(g, shape, axis, keepdims)
    # out / x is 0 / 0 at a zero and inf / inf or NaN at a non-finite x, where the product
    # of the others is a number (TensorFlow multiplies exclusive products out, too)
    if isinstance(x, np.ndarray | np.generic):
        if _not_divisible(x):
            return (ge * _prod_of_others(np.asarray(x), axis),)
    elif _not_divisible(x.numpy()):  # a recorded pass
        return (ge * _prod_of_others_recorded(x, axis),)
    return (ge * _expand(out, shape, axis, keepdims) / x,)


def _not_divisible(v):
    return bool(np.any((v == 0) | ~np.isfinite(v))) if np.result_type(v).kind in "fc" else bool(
        np.any(v == 0))


def _prod_of_others_recorded(x, axis):
    """:func:`_prod_of_others` from differentiable ops (for higher derivatives): each
    element's row of the reduced values, with itself replaced by 1, multiplied out."""
    nd = np.ndim(x)
    axes = tuple(range(nd)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    axes = tuple(sorted(a % nd for a in axes))
    keep = tuple(a for a in range(nd) if a not in axes)
    perm = keep + axes
    moved = np.transpose(x, perm)
    lead = tuple(moved.shape[: len(keep)])
    n = int(np.prod(moved.shape[len(keep):], dtype=np.int64))
    flat = np.reshape(moved, (*lead, 1, n))
    rows = np.where(np.eye(n, dtype=bool), np.ones((), dtype=np.result_type(x)), flat)
    others = np.reshape(np.prod(rows, axis=-1), moved.shape)
    return np.transpose(others, tuple(np.argsort(perm)))


def _prod_of_others(x, axis):
    """Exclusive products along the reduced axes, exact even where x has zeros."""
    if axis is None:
        flat = x.reshape(-1)
        left = np.concatenate([[1], np.cumprod(flat[:-1])]).astype(x.dtype)
        right = np.concatenate([np.cumprod(flat[::-1][:-1])[::-1], [1]]).astype(x.dtype)
        return (left * right).reshape(x.shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(sorted(a % x.ndim for a in axes))
    moved = np.moveaxis(x, axes, tuple(range(-len(axes), 0)))
    lead = moved.shape[: moved.ndim - len(axes)]
    flat = moved.reshape(*lead, -1)
    ones = np.ones((*lead, 1), x.dtype)
    left = np.concatenate([ones, np.cumprod(flat[..., :-1], axis=-1)], axis=-1)
    right = np.concatenate(
        [np.cumprod(flat[..., ::-1][..., :-1], axis=-1)[..., ::-1], ones], axis=-1
    )
    others = (left * right).reshape(moved.shape)
    return np.moveaxis(others, tuple(range(-len(axes), 0)), axes)


@defop("logsumexp", uses=(0,), call="reduce_float",
       tf=("reduce_logsumexp", "math.reduce_logsumexp"), local=("softmax({0})",))
def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over axis, computed stably (of nothing: -inf)"""
    m = _shift(x, axis)
    with np.errstate(divide="ignore"):
        s = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return s if keepdims else np.squeeze(s, axis=axis)


def _shift(x, axis):
    """The finite maximum over axis (kept), 0 where there is none: logsumexp's shift."""
    m = reduce_max.forward(x, axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0)


@logsumexp.defvjp
def logsumexp_vjp(g, out, need, x, axis=None, keepdims=False):
    """d logsumexp/dx = softmax(x) = exp(x - m) / sum(exp(x - m)), m = max(x) (0 if not finite)"""
    # TensorFlow's formula: two equal entries get exactly 0.5 each (exp(x - out) does not)
    shape = np.shape(x)
    e = np.exp(x - _shift(x if isinstance(x, np.ndarray | np.generic) else x.numpy(), axis))
    return (_expand(g, shape, axis, keepdims) * (e / np.sum(e, axis=axis, keepdims=True)),)


@defop("argmax", differentiable=False, tf=("argmax", "math.argmax"),
       cut=lazy("tf.argmax, which returns integer positions and has no gradient"))
def argmax(x, axis=0, output_type=np.int64):
    """index of the largest element along axis (NaN never wins, as in TensorFlow)"""
    return np.argmax(_without_nan(x, -np.inf), axis=axis).astype(output_type)


def _without_nan(x, fill):
    """x with NaN replaced by ``fill``: TensorFlow's argmax/argmin pass over NaN (and give
    the first position when nothing beats the start)."""
    if x.dtype.kind == "f" and np.isnan(x).any():
        return np.where(np.isnan(x), fill, x)
    return x


@defop("argmin", differentiable=False, tf=("argmin", "math.argmin"),
       cut=lazy("tf.argmin, which returns integer positions and has no gradient"))
def argmin(x, axis=0, output_type=np.int64):
    """index of the smallest element along axis (NaN never wins, as in TensorFlow)"""
    return np.argmin(_without_nan(x, np.inf), axis=axis).astype(output_type)


def _refuse_axis_list(opname, axis):
    """TensorFlow takes one axis in argmax/argmin: a list is refused, by argmax in Python (a
    TypeError), by argmin's kernel (an InvalidArgumentError)."""
    msg = _("{op}: axis must be a single integer such as 0 or -1, got {axis!r}. To reduce "
            "over several axes, reshape the tensor first.").format(op=opname, axis=axis)
    if opname == "argmax":
        raise TypeError(msg)
    raise InvalidArgumentError(msg, op="ArgMin")


def _arg_extreme(op):
    def arg_extreme(input, axis=None, output_type=np.int64, name=None):
        x, v = one(input)
        if isinstance(axis, list | tuple | np.ndarray):
            _refuse_axis_list(op.name, axis)
        axis = 0 if axis is None else axis_arg(axis)
        check_scalar_axes(op.name, "ArgMax" if op.name == "argmax" else "ArgMin", axis, v.ndim)
        return apply(op, (x,), (v,), {"axis": axis,
                                       "output_type": as_dtype(output_type)._np})

    arg_extreme.__name__ = arg_extreme.__qualname__ = op.name
    arg_extreme.__doc__ = f"Index of the {'largest' if op.name == 'argmax' else 'smallest'} " \
        "value along ``axis`` (default 0). No gradient."
    return op.api(arg_extreme)


_arg_extreme(argmax)
_arg_extreme(argmin)


def _logical_reduce(op):
    opname = op.name

    def logical_reduce(input_tensor, axis=None, keepdims=False, name=None):
        name = opname  # (the ``name=`` argument is TensorFlow's op label, unused here)
        x = _logical_operand(input_tensor)
        v = x._value
        if v.dtype.kind != "b":
            msg = _("{name} needs a bool tensor, got {dtype}; compare first, "
                    "e.g. tf.{name}(x > 0).").format(name=name, dtype=v.dtype.name)
            if isinstance(axis, list | tuple):  # TensorFlow's error type on this path
                raise ValueError(msg)
            raise invalid_dtype(msg, op=name)
        ax = axis_arg(axis)
        for a in () if ax is None else ax if isinstance(ax, tuple) else (ax,):
            if not -max(v.ndim, 1) <= a < max(v.ndim, 1):
                raise InvalidArgumentError(
                    _("{name}: axis {a} is out of range for a tensor of shape {shape}.").format(
                        name=name, a=a, shape=list(v.shape)),
                    op="Any" if name == "reduce_any" else "All")
        return apply(op, (x,), (v,), {"axis": ax, "keepdims": bool(keepdims)})

    logical_reduce.__name__ = logical_reduce.__qualname__ = opname
    logical_reduce.__doc__ = (f"Logical {'or' if opname == 'reduce_any' else 'and'} of a bool "
                              "tensor over ``axis`` (no gradient).")
    return op.api(logical_reduce)


@defop("reduce_any", differentiable=False, tf=("reduce_any", "math.reduce_any"),
       cut=lazy("tf.reduce_any, whose bool result has no gradient"))
def reduce_any(x, axis=None, keepdims=False):
    """logical or of x over axis"""
    return np.any(x, axis=axis, keepdims=keepdims)


@defop("reduce_all", differentiable=False, tf=("reduce_all", "math.reduce_all"),
       cut=lazy("tf.reduce_all, whose bool result has no gradient"))
def reduce_all(x, axis=None, keepdims=False):
    """logical and of x over axis"""
    return np.all(x, axis=axis, keepdims=keepdims)


_logical_reduce(reduce_any)
_logical_reduce(reduce_all)
