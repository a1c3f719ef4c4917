"""Sorting and order statistics built from recorded ops: sort, median, percentile, quantile.

Nothing here has a VJP of its own, so every gradient (and every higher derivative,
through nested tapes) comes from ops the tape already knows:

* **sort** is indexing. The permutation is computed on the values with
  ``np.argsort`` and the tensor is indexed with it (``ops.getitem``), so the gradient
  of each sorted position flows back to the element that landed there.
* **percentile / quantile** (numpy's default ``'linear'`` method) pick the two
  neighbouring order statistics ``a`` and ``b`` around the virtual index
  ``(n - 1) * q`` and interpolate with the fixed weight ``t``: ``a + (b - a) * t``
  (numpy's exact formula, so the values agree with numpy's). The gradient is
  ``1 - t`` for ``a`` and ``t`` for ``b``.
* **median** is the middle order statistic, or the mean of the two middle ones.

Ties. Equal values are ordered stably (first occurrence first) and the gradient
follows that order, as TensorFlow's ``tf.sort`` gradient follows the permutation its
``top_k`` chose: in ``median([1., 2., 2.])`` the whole gradient goes to ``x[1]``.
At a tie these functions have no derivative (moving one of the tied elements up or
down changes which one is selected), so no single answer is "right"; this one is
deterministic. NaNs sort last, as in numpy; a slice that holds a NaN has the NaN as
its percentile and median (numpy's result), and the gradient goes to that element.

Results keep the input's float dtype (integers are computed in float64). numpy
promotes a float32 input to float64 when ``q`` is an array; adkernel, like
TensorFlow, does not mix float widths.
"""

from __future__ import annotations

import numpy as np

from . import ops
from .i18n import _
from .tensor import TensorLike, convert_to_tensor

__all__ = ["median", "percentile", "quantile", "sort"]


def _tensor(a):
    return a if isinstance(a, TensorLike) else convert_to_tensor(np.asarray(a))


def _float(x):
    """x as a float tensor: integers and bools become float64, as numpy computes them."""
    if np.asarray(x).dtype.kind in "fc":
        return x
    return ops.cast(x, np.float64)


def _axes(axis, ndim: int) -> tuple:
    """``axis`` (None, an int or a tuple of ints) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(int(a) for a in axis) if isinstance(axis, tuple | list) else (int(axis),)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim)
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(_("repeated axis"))
    return tuple(sorted(out))


def _along(idx: np.ndarray, axis: int) -> tuple:
    """The key that indexes an array like ``np.take_along_axis(a, idx, axis)`` does."""
    key = list(np.indices(idx.shape, sparse=True))
    key[axis] = idx
    return tuple(key)


def sort(a, axis=-1):
    """``np.sort(a, axis)``: the elements in ascending order, recorded as indexing.

    ``axis=None`` sorts the flattened tensor. The gradient of each output position goes
    to the input element that was moved there (ties: the stable order, first first).
    """
    x = _tensor(a)
    v = np.asarray(x)
    if axis is None:
        x = ops.reshape(x, (-1,))
        v = v.reshape(-1)
        axis = -1
    if v.ndim == 0:
        raise np.exceptions.AxisError(int(axis), 0)
    order = np.argsort(v, axis=axis, kind="stable")  # raises numpy's AxisError for a bad axis
    return ops.getitem(x, _along(order, int(axis) % v.ndim))


def _to_last(x, v, axis):
    """Move the reduced axes of ``x`` to the end and merge them into one.

    Returns the moved tensor, its values, the order (argsort) of each row along the last
    axis, and the shape numpy gives the result with ``keepdims=True``.
    """
    axes = _axes(axis, v.ndim)
    kept = tuple(d for d in range(v.ndim) if d not in axes)
    rest = tuple(v.shape[d] for d in kept)
    kd_shape = tuple(1 if d in axes else v.shape[d] for d in range(v.ndim))
    perm = kept + axes
    if perm != tuple(range(v.ndim)):
        x = ops.transpose(x, perm)
        v = np.transpose(v, perm)
    shape = (*rest, int(np.prod([v.shape[d] for d in range(len(kept), v.ndim)])))
    if v.shape != shape:
        x = ops.reshape(x, shape)
        v = v.reshape(shape)
    return x, v, np.argsort(v, axis=-1, kind="stable"), kd_shape


def _pick(x, order, k, nan_rows):
    """The ``k``-th order statistic of each row of ``x`` (``k``: an int or a 1-d int array).

    ``order`` is the argsort of each row. Rows that hold a NaN pick their last element
    (the NaN) instead, as numpy does. The result has the shape of the rows, plus ``k``'s.
    """
    idx = np.take(order, k, axis=-1)
    rows = list(np.indices(order.shape[:-1], sparse=True))
    if np.ndim(k):
        rows = [r[..., None] for r in rows]
    if nan_rows is not None:
        last = order[..., -1]
        where = nan_rows
        if np.ndim(k):
            last, where = last[..., None], where[..., None]
        idx = np.where(where, last, idx)
    return ops.getitem(x, (*rows, idx))


def _finish(r, rest: tuple, qshape: tuple, kd_shape: tuple, keepdims: bool):
    """Shape ``r`` (rest + q axes) as numpy's result: q axes first, then the kept axes."""
    nr = len(rest)
    if qshape:
        r = ops.reshape(r, rest + qshape) if len(qshape) != 1 else r
        if nr:
            r = ops.transpose(r, tuple(range(nr, nr + len(qshape))) + tuple(range(nr)))
    target = qshape + (kd_shape if keepdims else rest)
    return r if np.shape(np.asarray(r)) == target else ops.reshape(r, target)


def _nan_rows(v):
    if v.dtype.kind != "f":
        return None
    rows = np.isnan(v).any(axis=-1)
    return rows if rows.any() else None


def quantile(a, q, axis=None, keepdims=False):
    """``np.quantile(a, q, axis, keepdims=...)`` with the default ``'linear'`` method.

    ``q`` (numbers in [0, 1], a scalar or an array) is data, not differentiated; the
    result is differentiable with respect to ``a``.
    """
    qa = np.asanyarray(q.numpy() if isinstance(q, TensorLike) else q)
    if not (np.all(qa >= 0) and np.all(qa <= 1)):
        raise ValueError(_("Quantiles must be in the range [0, 1]"))
    return _quantile(a, qa, axis, keepdims)


def percentile(a, q, axis=None, keepdims=False):
    """``np.percentile(a, q, axis, keepdims=...)`` with the default ``'linear'`` method."""
    qa = np.true_divide(q.numpy() if isinstance(q, TensorLike) else q, 100)
    if not (np.all(qa >= 0) and np.all(qa <= 1)):
        raise ValueError(_("Percentiles must be in the range [0, 100]"))
    return _quantile(a, np.asanyarray(qa), axis, keepdims)


def _quantile(a, q: np.ndarray, axis, keepdims: bool):
    if q.ndim > 2:
        raise ValueError(_("q must be a scalar or 1d"))
    x = _float(_tensor(a))
    x, v, order, kd_shape = _to_last(x, np.asarray(x), axis)
    n = v.shape[-1]
    if n == 0:
        raise IndexError(_("cannot take a percentile of an empty slice (numpy raises too)"))
    rest = v.shape[:-1]
    qf = q.reshape(-1)
    # numpy's virtual index and neighbours ('linear' = Hyndman & Fan's method 7)
    vi = (n - 1) * qf
    lo = np.floor(vi)
    top = vi >= n - 1
    lo[top] = n - 1
    gamma = (vi - lo).astype(v.dtype)
    lo = lo.astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    nan_rows = _nan_rows(v)
    if q.ndim == 0:
        lo, hi, gamma = lo[0], hi[0], gamma[0]
    a_ = _pick(x, order, lo, nan_rows)
    b_ = a_ if np.array_equal(lo, hi) else _pick(x, order, hi, nan_rows)
    diff = ops.subtract(b_, a_)
    up = gamma >= 0.5
    if not np.any(up):
        r = ops.add(a_, ops.multiply(diff, gamma))
    elif np.all(up):
        r = ops.subtract(b_, ops.multiply(diff, 1 - gamma))
    else:
        r = ops.where(
            np.broadcast_to(up, np.shape(np.asarray(diff))),
            ops.subtract(b_, ops.multiply(diff, 1 - gamma)),
            ops.add(a_, ops.multiply(diff, gamma)),
        )
    return _finish(r, rest, q.shape, kd_shape, keepdims)


def median(a, axis=None, keepdims=False):
    """``np.median(a, axis, keepdims=...)``: the middle value, or the mean of the two."""
    x = _float(_tensor(a))
    x, v, order, kd_shape = _to_last(x, np.asarray(x), axis)
    n = v.shape[-1]
    if n == 0:
        raise IndexError(_("cannot take the median of an empty slice"))
    nan_rows = _nan_rows(v)
    mid = _pick(x, order, np.intp(n // 2), nan_rows)
    if n % 2 == 0:
        below = _pick(x, order, np.intp(n // 2 - 1), nan_rows)
        mid = ops.multiply(ops.add(below, mid), 0.5)
    return _finish(mid, v.shape[:-1], (), kd_shape, keepdims)
