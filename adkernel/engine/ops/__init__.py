"""The user-facing op functions, derived from the registry.

Every primitive is one ``defop`` block in the family modules ``math``, ``reduce``,
``array``, ``linalg`` and ``nn`` (see :mod:`adkernel.engine.registry`). This module
imports them, adds the *composites* (functions built only from primitives, which need no
VJP), and then makes every public function an attribute of this module under the last
part of its ``tf`` name (``tf.math.log1p`` -> ``ops.log1p``). Python's operators are
bound to tensors from the same table.
"""

from __future__ import annotations

import numpy as np

from ..errors import DTypeError, InvalidArgumentError, invalid_dtype
from ..i18n import _
from ..registry import (
    REGISTRY,
    apply,
    axis_arg,
    bool_error,
    check_scalar_axes,
    composite,
    exports,
    float_check,
    one,
    operators,
    refuse,
    scalar_axis,
)
from ..tensor import TensorLike, convert_to_tensor, dtype_mismatch
from . import array, linalg, math, nn, reduce  # noqa: F401  (registers the primitives)

_fn = {name.rsplit(".", 1)[-1]: fn for name, fn in exports().items()}
add, subtract, multiply, divide = _fn["add"], _fn["subtract"], _fn["multiply"], _fn["divide"]
exp, sqrt, square, abs, sigmoid = _fn["exp"], _fn["sqrt"], _fn["square"], _fn["abs"], _fn["sigmoid"]
reduce_sum, reduce_mean, reduce_max = _fn["reduce_sum"], _fn["reduce_mean"], _fn["reduce_max"]
maximum, negative, identity = _fn["maximum"], _fn["negative"], _fn["identity"]
pow, squeeze = _fn["pow"], _fn["squeeze"]
softplus, equal, not_equal = _fn["softplus"], _fn["equal"], _fn["not_equal"]
getitem = REGISTRY["getitem"].public
scatter_add = REGISTRY["scatter_add"].public
gather = _fn["gather"]
reciprocal = _fn["reciprocal"]


# ----- composites (built from primitives; no VJP of their own) ---------------------------


@composite("math.log_sigmoid")
def log_sigmoid(x, name=None):
    """log(sigmoid(x)) = -softplus(-x), computed without overflow (composite)."""
    float_check("log_sigmoid", one(x)[1])
    return negative(softplus(negative(x)))


@composite("add_n", "math.add_n")
def add_n(inputs, name=None):
    """Sum of a list of tensors of one dtype and one shape (composite). Each input is
    converted on its own, as TensorFlow does: ``[x_float32, [1, 2]]`` is refused (the list
    becomes int32)."""
    inputs = [t if isinstance(t, TensorLike) else convert_to_tensor(t) for t in inputs]
    total = inputs[0]
    if total._value.dtype.kind == "b":
        raise bool_error("add_n")
    first = total._value
    for i, t in enumerate(inputs[1:], 1):
        if t._value.dtype != first.dtype:
            raise dtype_mismatch("AddN", first.dtype, t._value.dtype, i)
    for t in inputs[1:]:
        if t._value.shape != first.shape:
            raise InvalidArgumentError(_(
                "add_n: all inputs must have the same shape, got {shape} and {shape2} (add_n "
                "does not broadcast; use tf.add or + for that).").format(
                    shape=list(first.shape), shape2=list(t._value.shape)), op="AddN")
    for t in inputs[1:]:
        total = add(total, t)
    return total if isinstance(total, TensorLike) else convert_to_tensor(total)


_MATRIX_NORMS = ("euclidean", "fro", 1, 2, np.inf)


def _norm_axis(axis):
    """``axis`` of tf.norm as None, an int, or a pair of ints (a matrix norm). TensorFlow takes
    only Python ints here: a list of one, a numpy integer, a float or a tensor is refused."""
    if axis is None or type(axis) is int:
        return axis
    if (isinstance(axis, list | tuple) and len(axis) == 2 and all(type(a) is int for a in axis)
            and axis[0] != axis[1]):
        return tuple(axis)
    raise ValueError(
        _("'axis' must be None, an integer, or a tuple of 2 unique integers, got "
          "{axis}").format(axis=axis))


@composite("norm", "linalg.norm")
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """Vector p-norms and matrix norms, as ``tf.norm`` (composite).

    ``axis`` None or an int: a vector norm (``'euclidean'``, 1, 2, ``np.inf`` or any
    p > 0); a pair of axes: a matrix norm (``'euclidean'``/``'fro'``, 1: the largest
    column sum, ``np.inf``: the largest row sum). The gradient of the 2-norm at 0 is NaN,
    as in TensorFlow.
    """
    t, v = one(tensor)
    axis = _norm_axis(axis)  # (TensorFlow checks the axis before the dtype)
    if v.dtype.kind == "b":  # TensorFlow's abs refuses it in Python: a TypeError
        raise DTypeError(_("Expected numeric or variant tensor, got dtype tf.bool: norm needs "
                           "numbers. Try tf.cast(x, tf.float32) first."))
    float_check("norm", v)
    keep = bool(keepdims)
    matrix = isinstance(axis, tuple)
    is_str = isinstance(ord, str)
    if matrix:
        if not any(ord == m and is_str == isinstance(m, str) for m in _MATRIX_NORMS):
            raise ValueError(
                _("'ord' must be a supported matrix norm in {norms}, got {ord!r}").format(
                    norms=list(_MATRIX_NORMS), ord=ord))
        if not is_str and ord == 2:
            raise NotImplementedError(
                _("tf.norm: the argument 'ord' = 2 with a pair of axes (the spectral norm of a "
                  "matrix, its largest singular value) is not supported by adkernel; use "
                  "ord='fro' for the Frobenius norm, or 1 or np.inf."))
    elif not (ord == "euclidean" if is_str else isinstance(ord, int | float) and ord > 0):
        raise ValueError(
            _("'ord' must be a supported vector norm ('euclidean', or a number p > 0 such as 1,"
              " 2 or np.inf), got {ord!r}; 'fro' needs a pair of axes (a matrix norm).").format(
                ord=ord))
    if is_str or ord == 2:
        if not matrix:
            return sqrt(reduce_sum(square(t), axis=axis, keepdims=keep))
        result = sqrt(reduce_sum(square(t), axis=axis, keepdims=True))
    else:
        a = abs(t)
        if ord == 1:
            result = reduce_sum(a, axis=None if axis is None else
                                (axis[0] if matrix else axis), keepdims=True)
            if matrix:
                result = reduce_max(result, axis=axis[1], keepdims=True)
        elif ord == np.inf:
            if matrix:
                a = reduce_sum(a, axis=axis[1], keepdims=True)
            result = reduce_max(a, axis=None if axis is None else
                                (axis[0] if matrix else axis), keepdims=True)
        else:
            p = float(ord)
            result = pow(reduce_sum(pow(a, p), axis=axis, keepdims=True), 1.0 / p)
    return result if keep else squeeze(result, axis)


@composite("nn.l2_loss")
def l2_loss(t, name=None):
    """sum(t**2) / 2 (composite; float tensors only)."""
    t, v = one(t)
    float_check("l2_loss", v)
    return multiply(reduce_sum(square(t)), 0.5)


@composite("clip_by_norm")
def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescale so the L2 norm is at most ``clip_norm`` (composite)."""
    t = t if isinstance(t, TensorLike) else convert_to_tensor(t)
    # TensorFlow's formula, step for step: (t * clip_norm) / max(norm, clip_norm) rounds as
    # TensorFlow does (1.67 clipped to 0.5 is 0.5, not 0.49999997), and the two wheres keep
    # the gradient of a zero norm finite
    l2sum = reduce_sum(multiply(t, t), axis=axes, keepdims=True)
    positive = _fn["greater"](l2sum, 0)
    safe = _fn["where"](positive, l2sum, np.ones_like(l2sum._value))
    l2norm = _fn["where"](positive, sqrt(safe), l2sum)
    return divide(multiply(t, clip_norm), maximum(l2norm, clip_norm))


@composite("reduce_variance", "math.reduce_variance")
def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Mean squared deviation from the mean (composite). Integer tensors raise TypeError, as in
    TensorFlow."""
    input_tensor, v = one(input_tensor)
    # (TensorFlow checks the axis before the dtype)
    check_scalar_axes("reduce_variance", "Mean", None if axis is None else axis_arg(axis),
                      v.ndim)
    if v.dtype.kind == "b":
        raise bool_error("reduce_variance")
    if v.dtype.kind in "fc" or v.size:  # TensorFlow takes the mean first (a bad axis raises)
        mean = reduce_mean(input_tensor, axis=axis, keepdims=True)
    if v.dtype.kind not in "fc":
        raise TypeError(_(
            "reduce_variance and reduce_std need a float tensor, got {dtype} (the mean of "
            "integers is rarely an integer). Try tf.cast(x, tf.float32) first.").format(
                dtype=v.dtype.name))
    return reduce_mean(square(subtract(input_tensor, mean)), axis=axis, keepdims=keepdims)


@composite("reduce_std", "math.reduce_std")
def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Standard deviation (composite)."""
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


@composite("linalg.trace")
def trace(x, name=None):
    """Sum of the main diagonal of each matrix in ``x`` (its last two axes): TensorFlow's
    ``reduce_sum(diag_part(x), -1)`` (composite). Bool tensors are refused."""
    t, v = one(x)
    if v.dtype.kind == "b":
        raise bool_error("trace")
    return reduce_sum(_fn["diag_part"](t), axis=-1)


@composite("nn.l2_normalize", "math.l2_normalize", "linalg.l2_normalize")
def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """``x`` divided by its L2 norm along ``axis`` (all axes by default), TensorFlow's formula
    ``x * rsqrt(maximum(reduce_sum(x**2, axis, keepdims=True), epsilon))`` (composite): a
    zero vector stays zero. ``dim`` is the old name of ``axis``."""
    if dim is not None:
        if axis is not None:
            raise ValueError(_("Cannot specify both 'dim' and 'axis'."))
        axis = dim
    t, v = one(x)
    if v.dtype.kind == "b":
        raise bool_error("l2_normalize")
    square_sum = reduce_sum(square(t), axis=axis, keepdims=True)
    return multiply(t, _fn["rsqrt"](maximum(square_sum, epsilon)))


@composite("nn.silu", "nn.swish")
def silu(features, beta=1.0, name=None):
    """x * sigmoid(beta * x), a.k.a. swish (composite)."""
    features, v = one(features)
    float_check("silu", v)
    if isinstance(beta, TensorLike) or np.ndim(beta):  # a tensor beta gets its own gradient
        return multiply(features, sigmoid(multiply(features, beta)))
    return apply(REGISTRY["silu"], (features,), (v,), {"beta": float(beta)})


_SQRT_2_OVER_PI = 0.7978845608028654
# TensorFlow casts its constants to the features' dtype from float32 ones: in float64 the
# coefficient is float32(0.044715), 0.044714998453855515, and 1/sqrt(2) float32(1/sqrt(2))
_GELU_COEFF = float(np.float32(0.044715))
_SQRT_HALF = float(np.float32(0.7071067811865476))  # likewise TensorFlow's 1/sqrt(2)


@composite("nn.gelu")
def gelu(features, approximate=False, name=None):
    """x·Φ(x), the Gaussian error linear unit (composite, TensorFlow's own formula:
    ``0.5·x·erfc(-x/√2)``, or with ``approximate=True`` the tanh approximation
    ``0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))``)."""
    features, v = one(features)
    if v.dtype.kind not in "fc":
        raise ValueError(_(
            "gelu needs a float tensor, got {dtype}. Try tf.cast(x, tf.float32) first.").format(
                dtype=v.dtype.name))
    half = multiply(0.5, features)
    if approximate:
        cubic = multiply(_GELU_COEFF, pow(features, 3))
        inner = multiply(_SQRT_2_OVER_PI, add(features, cubic))
        return multiply(half, add(1.0, _fn["tanh"](inner)))
    return multiply(half, _fn["erfc"](multiply(negative(features), _SQRT_HALF)))


@composite("unstack")
def unstack(value, num=None, axis=0, name=None):
    """Split along ``axis`` into a list of tensors (composite)."""
    x = value if isinstance(value, TensorLike) else convert_to_tensor(value)
    if axis is None:
        raise TypeError(_("unstack: axis must be an integer, got None."))
    axis = int(axis)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            _("unstack: axis {axis} is out of range for a tensor of shape {shape} (use "
              "-{ndim} .. {last}); a scalar cannot be unstacked.").format(
                axis=axis, shape=list(x.shape), ndim=x.ndim, last=x.ndim - 1))
    n = x.shape[axis]
    if num is not None and int(num) != n:
        raise InvalidArgumentError(
            _("unstack: num={num} but axis {axis} has size {n}").format(
                num=num, axis=axis, n=n), op="Unpack")
    prefix = (slice(None),) * (axis % x.ndim)
    return [getitem(x, (*prefix, i)) for i in range(n)]


@composite("nn.embedding_lookup")
def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of ``params`` picked by ``ids`` (``gather`` on axis 0; dense gradient).

    As in TensorFlow, a Python list is a list of shards of the table, split by the 'div'
    strategy: with ``n`` shards holding ``N`` rows in all, the first ``N % n`` shards hold
    ``N // n + 1`` consecutive ids and the others ``N // n``. A tuple is not: TensorFlow
    packs it into one table, as any value it converts.
    """
    refuse("tf.nn.embedding_lookup", max_norm=max_norm is not None)
    if isinstance(params, tuple):
        params = _tensor(params)
    if isinstance(params, list):
        if len(params) != 1:
            return _sharded_lookup([_tensor(p) for p in params], ids)
        params = params[0]
    return gather(params, ids, axis=0)


def _sharded_lookup(shards, ids):
    """embedding_lookup on several shards: each id's shard and row by the 'div' strategy,
    then one gather from the shards joined together."""
    if not shards:
        raise ValueError(_("tf.nn.embedding_lookup: 'params' is an empty list; give the table "
                           "(or its shards)."))
    for i, s in enumerate(shards):
        if not s.ndim:  # TensorFlow reads each shard's number of rows: IndexError
            raise IndexError(_(
                "tf.nn.embedding_lookup: each shard in 'params' needs at least one axis (its "
                "rows), but shard #{i} is a scalar. Give tensors of shape [rows, ...], or one "
                "table instead of a list.").format(i=i))
    idv = np.asarray(ids.numpy() if isinstance(ids, TensorLike) else ids)
    sizes = [int(s.shape[0]) for s in shards]
    n, total = len(sizes), sum(sizes)
    per, extra = divmod(total, n)
    if idv.dtype.kind not in "iu" or np.any(idv < 0) or np.any(idv >= total):
        raise InvalidArgumentError(
            _("tf.nn.embedding_lookup: ids {ids} must be integers in [0, {total}), the number of "
              "rows in all the shards.").format(ids=idv.tolist(), total=total),
            op="DynamicPartition")
    big = extra * (per + 1)
    shard = np.where(idv < big, idv // (per + 1), (idv - extra) // max(per, 1))
    offset = idv - np.where(shard < extra, shard * (per + 1), shard * per + extra)
    if np.any(offset >= np.asarray(sizes)[shard]):
        raise InvalidArgumentError(
            _("tf.nn.embedding_lookup: the shards have {sizes} rows, but the 'div' strategy "
              "expects {expected}, so some ids point past the end of their shard. Give the "
              "whole table as one tensor, e.g. tf.concat(shards, axis=0).").format(
                sizes=sizes, expected=[per + 1] * extra + [per] * (n - extra)),
            op="GatherV2")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(idv.dtype)
    return gather(concat(shards, 0), starts[shard] + offset, axis=0)


# ----- issue 10: split, sort, boolean_mask, matvec, global-norm clipping, moments -----------
matmul, concat, stack, cast = _fn["matmul"], _fn["concat"], _fn["stack"], _fn["cast"]


def _tensor(x):
    return x if isinstance(x, TensorLike) else convert_to_tensor(x)


def _check_axis(opname, tfop, axis, ndim):
    a = scalar_axis(opname, tfop, axis, floats=True)
    if not -max(ndim, 1) <= a < max(ndim, 1) or ndim == 0:
        raise InvalidArgumentError(
            _("{op}: axis {a} is out of range for a tensor of rank {ndim} (use -{ndim} .. "
              "{value}).").format(
                op=opname, a=a, ndim=ndim, value=ndim - 1), op=tfop)
    return a % ndim


@composite("split")
def split(value, num_or_size_splits, axis=0, num=None, name=None):
    """Cut ``value`` along ``axis`` into equal parts (an int) or parts of the given sizes
    (a list; one size may be -1: the rest). Each part is a slice (composite)."""
    x = _tensor(value)
    ax = _check_axis("split", "Split", axis, x.ndim)
    n = x.shape[ax]
    sizes = num_or_size_splits
    if isinstance(sizes, TensorLike):
        sizes = sizes.numpy().tolist()
    if isinstance(sizes, int | np.integer):
        k = int(sizes)
        if k <= 0 or n % k:
            raise InvalidArgumentError(
                _("split: cannot split axis {ax} of size {n} (shape {shape}) into {k} equal "
                  "parts; pass a list of sizes instead.").format(
                    ax=ax, n=n, shape=list(x.shape), k=k), op="Split")
        sizes = [n // k] * k
    else:
        sizes = [int(s) for s in sizes]
        if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
            raise InvalidArgumentError(_("split: bad sizes {sizes} (at most one -1).").format(
                                           sizes=sizes),
                                       op="SplitV")
        if -1 in sizes:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise InvalidArgumentError(
                _("split: sizes {num_or_size_splits} do not add up to {n}, the size of axis "
                  "{ax} of the tensor of shape {shape}.").format(
                    num_or_size_splits=list(num_or_size_splits), n=n, ax=ax,
                    shape=list(x.shape)), op="SplitV")
        if num is not None and int(num) != len(sizes):
            raise ValueError(_("split: num={num} but {n} sizes were given").format(
                                 num=num, n=len(sizes)))
    prefix = (slice(None),) * ax
    out, start = [], 0
    for s in sizes:
        out.append(getitem(x, (*prefix, slice(start, start + s))))
        start += s
    return out


def _order(values, axis, direction, opname):
    """(tensor, axis, sorting positions). The direction and the axis are checked before the
    values are converted, in TensorFlow's order."""
    d = str(direction).upper()
    if d not in ("ASCENDING", "DESCENDING"):
        raise ValueError(_("{op}: direction must be 'ASCENDING' or 'DESCENDING', got "
                           "{direction!r}").format(
                             op=opname, direction=direction))
    if axis is not None and np.ndim(axis.numpy() if isinstance(axis, TensorLike) else axis):
        raise ValueError(_("{op}: axis must be one integer (a scalar), got {axis!r}.").format(
            op=opname, axis=axis))
    scalar_axis(opname, "TopKV2", axis, floats=True)
    x = _tensor(values)
    ax = _check_axis(opname, "TopKV2", axis, x.ndim)
    v = x._value
    if v.dtype.kind not in "iuf":
        raise invalid_dtype(_("{op} needs a number tensor (integer or float), got {dtype}.").format(
            op=opname, dtype=v.dtype.name), op="TopKV2")
    # stable in both directions: descending sorts order-reversed keys (ties keep their order);
    # integers are reversed with ~v (= -v - 1), which cannot overflow at the smallest integer
    keys = v if d == "ASCENDING" else (-v if v.dtype.kind == "f" else ~v)
    return x, ax, np.argsort(keys, axis=ax, kind="stable")


@composite("sort")
def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Sorted along ``axis``; the gradient of each sorted slot flows to the element that
    landed there (indexing, composite). Ties keep their order; NaN goes last in both
    directions (TensorFlow's place for it is not consistent, see docs/tf-compat.md)."""
    x, ax, idx = _order(values, axis, direction, "sort")
    grids = list(np.indices(idx.shape, sparse=True))
    grids[ax] = idx
    return getitem(x, tuple(grids))


@composite("argsort")
def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """Positions that sort ``values`` along ``axis`` (int32, no gradient). adkernel's sort
    is always stable, which satisfies ``stable=True`` too."""
    return convert_to_tensor(_order(values, axis, direction, "argsort")[2].astype(np.int32))


class TopKV2(tuple):
    """``tf.math.top_k``'s result: ``(values, indices)``, also by those names."""

    __slots__ = ()

    def __new__(cls, values, indices):
        return tuple.__new__(cls, (values, indices))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"TopKV2(values={self[0]!r}, indices={self[1]!r})"


def _top_k_args(x, k, index_type):
    if x._value.dtype.kind not in "iuf":
        raise InvalidArgumentError(_("top_k: the input must hold numbers (int or float), got "
                                     "{dtype}").format(dtype=x.dtype.name), op="TopKV2")
    kv = np.asarray(k.numpy() if isinstance(k, TensorLike) else k)
    if kv.dtype.kind not in "iu" or kv.ndim != 0:
        raise TypeError(_("top_k: k must be a whole number (a Python int or an int scalar "
                          "tensor), got {k!r}").format(k=k))
    idx_np = np.dtype(getattr(index_type, "_np", None) or index_type)
    if idx_np not in (np.int16, np.int32, np.int64):
        raise InvalidArgumentError(_("top_k: index_type must be tf.int16, tf.int32 or "
                                     "tf.int64, got {t}").format(t=index_type), op="TopKV2")
    if x.ndim == 0:
        raise InvalidArgumentError(_("top_k: input must be >= 1-D, got shape []: the k "
                                     "largest are taken along the last axis."), op="TopKV2")
    k = int(kv)
    if k < 0:
        raise InvalidArgumentError(_("top_k: Need k >= 0, got {k}").format(k=k), op="TopKV2")
    if k > x.shape[-1]:
        raise InvalidArgumentError(_(
            "top_k: input must have at least k columns. Had {n}, needed {k}").format(
                n=x.shape[-1], k=k), op="TopKV2")
    return k, idx_np


@composite("math.top_k", "nn.top_k")
def top_k(input, k=1, sorted=True, index_type=np.int32, name=None):
    """The ``k`` largest entries along the last axis and their positions (composite).

    Largest first (``sorted=True``); equal values keep their order (the lower index first)
    and NaN counts as the smallest. With ``sorted=False`` the chosen entries come in the
    order of their positions. The gradient of each result slot flows to the element chosen
    for it; the indices have no gradient.
    """
    x = _tensor(input)
    k, idx_np = _top_k_args(x, k, index_type)
    v = x._value
    # keys whose ascending order is v's descending one: -v for floats (NaN last); ~v = -v - 1
    # for signed integers (-v overflows at the most negative value: int64's -2**63, which a
    # NaN cast to int64 gives); max - v for unsigned ones
    if v.dtype.kind == "f":
        keys = np.where(np.isnan(v), np.inf, -v)
    elif v.dtype.kind == "u":
        keys = np.iinfo(v.dtype).max - v
    else:
        keys = ~v
    order = np.argsort(keys, axis=-1, kind="stable")[..., :k]
    if not sorted:
        order = np.sort(order, axis=-1)
    grids = list(np.indices(order.shape, sparse=True))
    grids[-1] = order
    return TopKV2(getitem(x, tuple(grids)), convert_to_tensor(order.astype(idx_np)))


@composite("boolean_mask")
def boolean_mask(tensor, mask, axis=None, name=None):
    """The entries of ``tensor`` where ``mask`` is True, flattened over the mask's axes
    (starting at ``axis``, default 0). The gradient scatters back (composite). As in
    TensorFlow, a negative ``axis`` works only when the mask's axes end before the last axis
    (``tensor.shape[axis:axis + mask.ndim]`` must be the mask's shape)."""
    x = _tensor(tensor)
    m = mask.numpy() if isinstance(mask, TensorLike) else np.asarray(mask)
    if m.ndim == 0:
        raise ValueError(_("boolean_mask: the mask cannot be a scalar; give one True/False per "
                           "element (or row) of the tensor."))
    if m.dtype.kind != "b":
        raise TypeError(_("boolean_mask needs a bool mask, got {dtype}").format(
                            dtype=m.dtype.name))
    ax = 0 if axis is None else int(axis)
    # TensorFlow slices the shape with the axis as given, so a negative axis whose slice
    # runs past the end (axis=-1 with a 1-d mask) finds no dimensions and is refused
    if x.shape[ax:ax + m.ndim] != m.shape:
        raise ValueError(
            _("boolean_mask: the mask's shape {shape} must match the tensor's shape {shape2} "
              "starting at axis {ax} (a negative axis must leave room for the mask's axes "
              "before the end).").format(
                shape=list(m.shape), shape2=list(x.shape), ax=ax))
    return getitem(x, (slice(None),) * (ax % max(x.ndim, 1)) + (m,))


@composite("linalg.matvec")
def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """Matrix times vector, ``a @ b[..., None]`` squeezed (composite of matmul)."""
    bt = _tensor(b)
    if bt.ndim < 1:
        raise InvalidArgumentError(_("matvec: b must be a vector (rank >= 1), got shape "
                                     "{shape}.").format(
                                       shape=list(bt.shape)), op="MatMul")
    col = _fn["expand_dims"](bt, -1)
    return squeeze(matmul(a, col, transpose_a=transpose_a, adjoint_a=adjoint_a,
                          a_is_sparse=a_is_sparse, b_is_sparse=b_is_sparse), -1)


@composite("linalg.global_norm")
def global_norm(t_list, name=None):
    """sqrt of the sum of squares of every entry of every tensor (None entries skipped)."""
    ts = [_tensor(t) for t in t_list if t is not None]
    if not ts:
        return convert_to_tensor(np.float32(0.0))
    return sqrt(add_n([reduce_sum(square(t)) for t in ts]))


@composite("clip_by_global_norm")
def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """``(clipped list, global norm)``: every tensor scaled by
    ``clip_norm / max(global_norm, clip_norm)``, as TensorFlow (composite); an infinite or
    NaN global norm makes every entry NaN, as TensorFlow documents."""
    if isinstance(t_list, TensorLike) or not isinstance(t_list, list | tuple):
        raise TypeError(_("clip_by_global_norm: t_list should be a list or tuple of tensors"))
    gn = global_norm(t_list) if use_norm is None else _tensor(use_norm)
    dt = gn.dtype
    c = cast(_tensor(clip_norm), dt) if _tensor(clip_norm).dtype != dt else _tensor(clip_norm)
    # 1.0 / gn as TensorFlow writes it (a division: its gradient has no "0 where the upstream
    # is 0" rule, so a NaN norm makes the whole Jacobian NaN, as there)
    scale = multiply(c, _fn["minimum"](divide(1.0, gn), divide(1.0, c)))
    # an infinite or NaN norm makes every entry NaN (TensorFlow documents this): gn - gn is
    # 0 for a finite norm, NaN otherwise
    scale = add(scale, subtract(gn, gn))
    out = [None if t is None else multiply(_tensor(t), cast(scale, _tensor(t).dtype))
           for t in t_list]
    return out, gn


@composite("nn.moments")
def moments(x, axes, shift=None, keepdims=False, name=None):
    """``(mean, variance)`` over ``axes`` (composite). ``shift`` is ignored, as in
    TensorFlow 2. The values and first derivatives are TensorFlow's; second derivatives
    are exact (TensorFlow stops the gradient through the mean inside the variance, which
    changes only its second derivatives)."""
    if isinstance(x, list | tuple):  # TensorFlow fails reading the list's dtype
        raise AttributeError(
            _("nn.moments takes one tensor, not a Python list of {n} values; "
              "turn it into a tensor first, e.g. tf.stack(values) or tf.constant(values).").format(
                n=len(x)))
    t = _tensor(x)
    axes = tuple(int(a) for a in (axes if isinstance(axes, list | tuple) else [axes]))
    mean = reduce_mean(t, axis=axes, keepdims=True)
    fixed = _fn["stop_gradient"](mean)
    # TensorFlow's variance: around a constant mean (its values and first derivatives, also
    # -inf / NaN where x holds inf); mean((x - c)**2) = var + (mean - c)**2 for any c, so
    # subtracting (mean - c)**2 with c = the constant mean restores the exact second
    # derivatives (the term is 0 with gradient 0; where() keeps inf - inf out of it)
    var = reduce_mean(_fn["squared_difference"](t, fixed), axis=axes, keepdims=True)
    if t.dtype.is_floating:
        shift = _fn["where"](_fn["is_finite"](fixed), subtract(mean, fixed), 0.0)
        var = subtract(var, square(shift))
    if not keepdims:
        mean, var = squeeze(mean, axes), squeeze(var, axes)
    return mean, var


@composite("meshgrid")
def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D tensors: ``X, Y = tf.meshgrid(x, y)`` (``indexing='xy'``,
    the default, or ``'ij'``), as TensorFlow; gradients flow back to the 1-D inputs."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(_("{value!r} is an invalid keyword argument for this function").format(
                            value=next(iter(kwargs))))
    if indexing not in ("xy", "ij"):
        raise ValueError(_("indexing parameter must be either 'xy' or 'ij', got "
                           "{indexing!r}").format(indexing=indexing))
    ts = [_tensor(a) for a in args]
    if not ts:
        return []
    flat = [_fn["reshape"](t, (-1,)) for t in ts]
    sizes = [f.shape[0] for f in flat]
    n = len(flat)
    if indexing == "xy" and n > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, f in enumerate(flat):
        axis = i
        if indexing == "xy" and n > 1 and i < 2:
            axis = 1 - i
        shape = [1] * n
        shape[axis] = f.shape[0]
        out.append(_fn["broadcast_to"](_fn["reshape"](f, shape), sizes))
    return out


# ----- operators that are not a plain op -------------------------------------------------


def _compare(fn, self, other, mismatch: bool):
    """``==`` and ``!=`` as TensorFlow 2.21: elementwise ``equal``/``not_equal``, except that
    shapes that do not broadcast give one bool (a scalar tensor), and a tensor (not a
    variable) compared with None gives a Python bool. Other errors stay errors: a value that
    cannot take the tensor's dtype is a TypeError, a tensor of another dtype an
    InvalidArgumentError."""
    if other is None:
        if self._is_variable:
            raise ValueError(_("Attempt to convert a value (None) with an unsupported type "
                               "(<class 'NoneType'>) to a Tensor."))
        return mismatch
    try:
        return fn(self, other)
    except InvalidArgumentError as error:
        if isinstance(other, TensorLike) and other._value.dtype != self._value.dtype:
            raise
        try:  # a list of tensors of different shapes does not pack: TensorFlow raises
            shape = np.shape(other)
        except ValueError:
            raise error from None
        try:
            np.broadcast_shapes(self._value.shape, shape)
        except ValueError:
            return convert_to_tensor(mismatch)
        raise


@composite(operators=("__eq__",))
def _eq(self, other):
    return _compare(equal, self, other, False)


@composite(operators=("__ne__",))
def _ne(self, other):
    return _compare(not_equal, self, other, True)


def bind_operators(cls=TensorLike) -> None:
    """Attach Python's operators to tensors and variables (from the registry's table)."""
    for name, fn in operators().items():
        setattr(cls, name, fn)


def _publish() -> list[str]:
    """Make every public function an attribute of this module; return their names."""
    table: dict = {}
    for qualified, fn in exports().items():
        short = qualified.rsplit(".", 1)[-1]
        if table.setdefault(short, fn) is not fn:
            raise RuntimeError(_("two different functions are both named {short!r}").format(
                                   short=short))
    globals().update(table)
    return sorted(table)


__all__ = [*_publish(), "bind_operators", "getitem", "scatter_add"]
bind_operators()
