"""Shape, movement and indexing primitives."""

from __future__ import annotations

import numpy as np

from ..dtypes import as_dtype
from ..errors import (
    DTypeError,
    InvalidArgumentError,
    invalid_argument,
    invalid_dtype,
    numpy_message,
)
from ..i18n import _, lazy
from ..registry import (
    apply,
    axis_arg,
    bool_error,
    defop,
    one,
    refuse,
    scalar_axis,
    shape_arg,
    unify,
    variable_conversion_error,
)
from ..tensor import TensorLike, Variable, convert_to_tensor
from .math import cast_api, identity


@defop("reshape", uses=(), tf=("reshape",), local=(lazy("1 (the gradient is reshaped back)"),))
def reshape(x, shape):
    """x with a new shape (same elements)"""
    return np.reshape(x, shape)


@reshape.defvjp
def reshape_vjp(g, out, need, x, shape):
    """the gradient is reshaped back"""
    return (np.reshape(g, np.shape(x)),)


@reshape.api
def reshape_api(tensor, shape, name=None):
    """Same elements, new shape (``-1`` infers one dimension)."""
    x, v = one(tensor)
    shape = shape_arg(shape)
    try:
        np.empty(np.shape(v), dtype=np.bool_).reshape(shape)
    except ValueError:
        raise InvalidArgumentError(
            _("Cannot reshape a tensor with {value} elements to shape {shape}.").format(
                value=np.size(v), shape=list(shape)),
            op="Reshape",
        ) from None
    return apply(reshape, (x,), (v,), {"shape": shape})


@defop("broadcast_to", uses=(), tf=("broadcast_to",),
       local=(lazy("1, summed over the repeated copies"),))
def broadcast_to(x, shape):
    """x repeated along new or size-1 axes"""
    return np.broadcast_to(x, shape)


@broadcast_to.defvjp
def broadcast_to_vjp(g, out, need, x, shape):
    """the engine sums the gradient back over the broadcast axes"""
    return (g,)


@broadcast_to.api
def broadcast_to_api(input, shape, name=None):
    """Repeat along new or size-1 axes to reach ``shape``."""
    x, v = one(input)
    shape = shape_arg(shape)
    try:
        np.broadcast_shapes(np.shape(v), shape)
    except ValueError:
        raise InvalidArgumentError(
            _("Unable to broadcast tensor of shape {shape} to {shape2}.").format(
                shape=list(np.shape(v)), shape2=list(shape)),
            op="BroadcastTo",
        ) from None
    return apply(broadcast_to, (x,), (v,), {"shape": shape})


@defop("transpose", uses=(), tf=("transpose",), local=(lazy("1 (the gradient is permuted back)"),))
def transpose(x, perm=None):
    """x with its axes permuted (reversed by default)"""
    return np.transpose(x, perm)


@transpose.defvjp
def transpose_vjp(g, out, need, x, perm=None):
    """the gradient is permuted back"""
    if perm is None:
        return (np.transpose(g),)
    return (np.transpose(g, tuple(np.argsort(perm))),)


@transpose.api
def transpose_api(a, perm=None, conjugate=False, name=None):
    """Permute the axes (reverse them by default)."""
    x, v = one(a)
    if conjugate and v.dtype.kind == "c":
        refuse("tf.transpose", conjugate=True)
    if perm is None:
        return apply(transpose, (x,), (v,))
    perm = tuple(int(p) for p in axis_arg(list(perm)))
    if sorted(p % max(v.ndim, 1) for p in perm) != list(range(v.ndim)) or len(perm) != v.ndim:
        raise InvalidArgumentError(
            _("transpose: perm {perm} is not a permutation of the {ndim} axes of a tensor of "
              "shape {shape}.").format(
                perm=list(perm), ndim=v.ndim, shape=list(v.shape)), op="Transpose")
    return apply(transpose, (x,), (v,), {"perm": perm})


@defop("expand_dims", uses=(), tf=("expand_dims",), local=("1",))
def expand_dims(x, axis):
    """x with a new axis of size 1"""
    return np.expand_dims(x, axis)


@expand_dims.defvjp
def expand_dims_vjp(g, out, need, x, axis):
    """the new axis is dropped from the gradient"""
    return (np.reshape(g, np.shape(x)),)


@expand_dims.api
def expand_dims_api(input, axis, name=None):
    """Insert an axis of size 1."""
    x, v = one(input)
    axis = scalar_axis("expand_dims", "ExpandDims", axis, one_item=True)
    if not -v.ndim - 1 <= axis <= v.ndim:
        raise InvalidArgumentError(
            _("expand_dims: axis {axis} is out of range for a tensor of rank {ndim} (use "
              "-{value} .. {ndim}).").format(
                axis=axis, ndim=v.ndim, value=v.ndim + 1), op="ExpandDims")
    return apply(expand_dims, (x,), (v,), {"axis": axis})


@defop("squeeze", uses=(), tf=("squeeze",), local=("1",))
def squeeze(x, axis=None):
    """x without its size-1 axes (or only those in axis)"""
    return np.squeeze(x, axis=axis)


@squeeze.defvjp
def squeeze_vjp(g, out, need, x, axis=None):
    """the removed axes are restored in the gradient"""
    return (np.reshape(g, np.shape(x)),)


@squeeze.api
def squeeze_api(input, axis=None, name=None):
    """Remove axes of size 1."""
    x, v = one(input)
    if axis is None:
        return apply(squeeze, (x,), (v,))
    axis = axis_arg(axis)
    for a in axis if isinstance(axis, tuple) else (axis,):
        if not -v.ndim <= a < v.ndim or v.shape[a] != 1:
            raise InvalidArgumentError(
                _("Can not squeeze dim[{a}], expected a dimension of 1 (the tensor has shape "
                  "{shape}).").format(
                    a=a, shape=list(v.shape)), op="Squeeze")
    return apply(squeeze, (x,), (v,), {"axis": axis})


def _split_points(sizes):
    return list(np.cumsum(sizes)[:-1])


@defop("concat", uses=(), tf=("concat",), local=(lazy("1 on its own slice"),))
def concat(*xs, axis=0):
    """inputs joined along an existing axis"""
    return np.concatenate(xs, axis=axis)


@concat.defvjp
def concat_vjp(g, out, need, *xs, axis=0):
    """each input gets its slice of the gradient"""
    sizes = [np.shape(x)[axis] for x in xs]
    return tuple(np.split(g, _split_points(sizes), axis=axis))


def _as_list(values):
    """TensorFlow's reading of the ``values`` of concat and stack: a list or tuple is the list of
    inputs; anything else (one tensor, a variable, an array) is a single input."""
    return list(values) if isinstance(values, list | tuple) else [values]


def _one_concat_axis(axis) -> None:
    """The axis check of a concat with a single input: it must be one integer, whatever it is
    (the input comes back unchanged, so TensorFlow checks nothing else)."""
    if isinstance(axis, list | tuple) or (isinstance(axis, np.ndarray | TensorLike)
                                          and np.ndim(axis) != 0):
        raise ValueError(_("concat: axis must be one integer, got {axis!r}.").format(axis=axis))
    scalar_axis("concat", "ConcatV2", axis)


def _fast_input(v) -> bool:
    """TensorFlow's eager fast path takes tensors, variables, numpy arrays and Python numbers;
    anything else (a list, a numpy scalar) sends the op down its slow conversion path."""
    return (isinstance(v, TensorLike | np.ndarray | bool | int)
            or type(v) is float or isinstance(v, np.float64))


def _is_tensor(v) -> bool:
    return isinstance(v, TensorLike) and not isinstance(v, Variable)


def _slow_concat_check(values, axis) -> None:
    """concat down TensorFlow's slow path (a list or numpy-scalar axis, or an input that is
    not a tensor, array or number): unless every input is a tensor, the first tensor (else the
    first input) sets the dtype and every other input is converted to it, so a variable or a
    tensor of another dtype is a ValueError (the fast path's kernel raises
    InvalidArgumentError)."""
    if _fast_input(axis) and all(_fast_input(v) for v in values):
        return
    if all(_is_tensor(v) for v in values):
        return
    first = next((v for v in values if _is_tensor(v)), values[0])
    if not isinstance(first, TensorLike):
        return
    dtype = first._value.dtype
    for v in values:
        if isinstance(v, TensorLike) and v._value.dtype != dtype:
            if isinstance(v, Variable):
                raise variable_conversion_error(v, dtype)
            raise ValueError(_(
                "concat: a tensor of dtype {got} cannot be converted to {dtype}, the dtype of "
                "the first tensor. Cast it first with tf.cast, or give inputs of one "
                "dtype.").format(got=v._value.dtype.name, dtype=dtype.name))


@concat.api
def concat_api(values, axis, name=None):
    """Join tensors along an existing axis. As in TensorFlow, a single tensor (or a list of
    one) comes back unchanged, whatever the axis."""
    values = _as_list(values)
    if len(values) == 1:
        _one_concat_axis(axis)
        x = values[0]
        return identity.public(x if isinstance(x, TensorLike) else convert_to_tensor(x))
    if not values:
        raise InvalidArgumentError(_("concat needs at least one tensor, got an empty list."),
                                   op="ConcatV2")
    _slow_concat_check(values, axis)
    axis = scalar_axis("concat", "ConcatV2", axis, one_item=True)
    args, vals = unify("concat", tuple(values))
    try:
        np.concatenate([np.empty(np.shape(v), np.bool_) for v in vals], axis=axis)
    except (ValueError, np.exceptions.AxisError) as e:
        shapes = ", ".join(str(list(np.shape(v))) for v in vals)
        raise InvalidArgumentError(_("concat: {e} (inputs of shape {shapes}, axis={axis})").format(
                                       e=e, shapes=shapes, axis=axis),
                                   op="ConcatV2") from None
    return apply(concat, args, vals, {"axis": axis})


@defop("stack", uses=(), tf=("stack",), local=(lazy("1 on its own slice"),))
def stack(*xs, axis=0):
    """inputs joined along a new axis"""
    return np.stack(xs, axis=axis)


@stack.defvjp
def stack_vjp(g, out, need, *xs, axis=0):
    """each input gets its slice of the gradient, without the new axis"""
    n = len(xs)
    parts = np.split(g, n, axis=axis)
    return tuple(np.squeeze(p, axis=axis) for p in parts)


def _is_zero(axis) -> bool:
    if isinstance(axis, TensorLike):
        axis = axis.numpy()
    return axis is not None and np.ndim(axis) == 0 and axis == 0


def _stack_rank_check(axis, rank: int) -> None:
    """ValueError unless ``axis`` is an axis of the stacked result (rank ``rank``)."""
    if not -rank <= axis < rank:
        raise ValueError(
            _("stack: axis {axis} is out of range: stacking tensors of rank {ndim} makes a "
              "tensor of rank {rank}, whose axes are -{rank} .. {last}.").format(
                axis=axis, ndim=rank - 1, rank=rank, last=rank - 1))


@stack.api
def stack_api(values, axis=0, name=None):
    """Join tensors along a new axis. As in TensorFlow, one tensor (not in a list) stands for
    the list of its rows: with ``axis=0`` it comes back as it is."""
    if not isinstance(values, list | tuple):
        x = values if isinstance(values, TensorLike) else convert_to_tensor(values)
        if _is_zero(axis):
            return convert_to_tensor(x)
        if x.ndim == 0 or x.shape[0] == 0:
            raise invalid_argument(
                _("stack: a single tensor of shape {shape} stands for the list of its rows, "
                  "and it has none. Pass a list of tensors, e.g. tf.stack([a, b], axis={axis})."
                  ).format(shape=list(x.shape), axis=axis), op="StridedSlice", index=True)
        _stack_rank_check(axis, x.ndim)
        values = list(x)
    elif not values:
        if _is_zero(axis):
            return convert_to_tensor(np.zeros((0,), np.float32))
        raise IndexError(_("stack: the list of tensors is empty."))
    if axis is None or (isinstance(axis, list | tuple | np.ndarray) and np.ndim(axis)):
        raise TypeError(_("stack: axis must be an integer, got {axis!r}.").format(axis=axis))
    args, vals = unify("stack", tuple(values))
    if not _is_zero(axis):
        axis = int(axis.numpy() if isinstance(axis, TensorLike) else axis)
        _stack_rank_check(axis, np.ndim(vals[0]) + 1)
    try:
        np.stack([np.empty(np.shape(v), np.bool_) for v in vals], axis=int(axis))
    except (ValueError, np.exceptions.AxisError) as e:
        shapes = ", ".join(str(list(np.shape(v))) for v in vals)
        raise InvalidArgumentError(_("stack: {e} (inputs of shape {shapes}, axis={axis})").format(
                                       e=e, shapes=shapes, axis=axis),
                                   op="Pack") from None
    return apply(stack, args, vals, {"axis": int(axis)})


@defop("getitem", uses=(), operators=("__getitem__",),
       local=(lazy("1 at the selected positions, else 0"),))
def getitem(x, key):
    """x[key]: basic slicing and integer-array indexing"""
    return x[key]


@getitem.defvjp
def getitem_vjp(g, out, need, x, key):
    """the gradient is scattered back to the indexed positions (repeats add up)"""
    return (_scatter(g, key, np.shape(x)),)


def _index_key(key):
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, TensorLike):
        return key.numpy()
    if isinstance(key, list):
        return np.asarray([k.numpy() if isinstance(k, TensorLike) else k for k in key])
    return key


@getitem.api
def getitem_api(x, key, _out_type=None, _out_init=None):
    """``x[key]`` with basic slicing and integer arrays; gradients scatter back."""
    x, v = one(x)
    key = _index_key(key)
    try:
        np.empty(np.shape(v), dtype=np.bool_)[key]
    except IndexError as e:
        # TensorFlow's InvalidArgumentError, which ``except IndexError`` also catches
        raise invalid_argument(
            _("{error} (indexing a tensor of shape {shape})").format(
                error=numpy_message(e), shape=tuple(np.shape(v))),
            op="StridedSlice", index=True) from None
    return apply(getitem, (x,), (v,), {"key": key}, _out_type, _out_init)


@defop("scatter_add", uses=(), local=(lazy("1 at the selected positions"),))
def scatter_add_(g, key, shape):
    """zeros of shape with g added at x[key] (the transpose of getitem)"""
    z = np.zeros(shape, dtype=np.result_type(g))
    np.add.at(z, key, g)
    return z


@scatter_add_.defvjp
def scatter_add_vjp(gg, out, need, g, key, shape):
    """the transpose of a scatter is a gather: gg[key]"""
    if isinstance(gg, np.ndarray | np.generic):
        return (gg[key],)
    return (getitem(gg, key=key),)


def _scatter(g, key, shape):
    if isinstance(g, np.ndarray | np.generic):
        return scatter_add_.forward(g, key, shape)
    return scatter_add_(g, key=key, shape=shape)


@scatter_add_.api
def scatter_add(g, key, shape):
    """Zeros of ``shape`` with ``g`` added at ``[key]`` (the VJP of indexing)."""
    x, v = one(g)
    return apply(scatter_add_, (x,), (v,), {"key": key, "shape": tuple(shape)})


def _indices(indices, op: str | None = None):
    """``(the tensor to record as an input, or None; its values as an array)``.

    With ``op``, the values must be integers; otherwise ``InvalidArgumentError`` naming the
    op, as TensorFlow (its GatherV2/GatherNd kernels take int16/int32/int64 indices only: an
    empty list ``[]`` becomes float32 and is refused too).
    """
    if isinstance(indices, TensorLike):
        arg, idx = indices, indices._value
    else:
        arg, idx = None, np.asarray(indices)
    if op is not None and idx.dtype.kind not in "iu":
        raise InvalidArgumentError(
            _("{op} needs integer indices, got {dtype}. Give integers, e.g. "
              "tf.cast(indices, tf.int32); an empty list [] is float32, as in TensorFlow: "
              "write tf.constant([], tf.int32).").format(
                op=op, dtype="float32" if isinstance(indices, list | tuple) and idx.size == 0
                else idx.dtype.name), op=op)
    return arg, idx


@defop("gather", uses=(1,), tf=("gather",),
       local=(lazy("1 at the gathered rows (repeats add up)"), "0"))
def gather(params, indices, axis=0):
    """params[..., indices, ...] along axis"""
    return np.take(params, indices, axis=axis)


@gather.defvjp
def gather_vjp(g, out, need, params, indices, axis=0):
    """a dense scatter-add of the gradient (TensorFlow returns IndexedSlices)"""
    key = (slice(None),) * (axis % max(np.ndim(params), 1)) + (np.asarray(indices),)
    return (_scatter(g, key, np.shape(params)), None)


@gather.api
def gather_api(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """``params`` indexed along ``axis`` by integer ``indices``; dense gradient.

    ``batch_dims`` leading axes of ``params`` and ``indices`` are batch axes (each batch
    element gathers from its own slice). Indices outside ``[0, n)`` raise, as in
    TensorFlow; ``validate_indices`` is ignored, as in TensorFlow.
    """
    x, v = one(params)
    idx_arg, idx = _indices(indices, "gather")
    bd = int(batch_dims)
    if bd < 0:
        bd += idx.ndim
    if axis is not None and np.asarray(axis.numpy() if isinstance(axis, TensorLike)
                                       else axis).dtype.kind == "f":
        raise invalid_dtype(_("gather: axis must be an integer, got {axis!r}.").format(
            axis=axis), op="GatherV2")
    ax = bd if axis is None else scalar_axis("gather", "GatherV2", axis)
    if ax < 0:
        ax += v.ndim
    if not 0 <= bd <= min(ax, idx.ndim) or not 0 <= ax < v.ndim:
        raise InvalidArgumentError(
            _("gather: batch_dims={batch_dims} and axis={axis} do not fit params of shape "
              "{shape} and indices of shape {shape2} (need 0 <= batch_dims <= axis < rank of "
              "params, and batch_dims <= rank of indices).").format(
                batch_dims=batch_dims, axis=axis, shape=list(v.shape), shape2=list(idx.shape)),
            op="GatherV2")
    if v.shape[:bd] != idx.shape[:bd]:
        raise InvalidArgumentError(
            _("gather: the first {bd} dimensions of params {shape} and indices {shape2} must "
              "match (batch_dims={bd}).").format(
                bd=bd, shape=list(v.shape), shape2=list(idx.shape)), op="GatherV2")
    n = v.shape[ax]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].ravel()[0]
        raise InvalidArgumentError(
            _("indices contains {bad}, which is not in [0, {n}) (axis {ax} of params with shape"
              " {shape}); negative indices do not wrap around.").format(
                bad=int(bad), n=n, ax=ax, shape=list(v.shape)),
            op="GatherV2")
    if bd:
        parts = [gather_api(getitem_api(x, i), idx[i], axis=ax - 1, batch_dims=bd - 1)
                 for i in range(v.shape[0])]
        return stack_api(parts, axis=0) if parts else convert_to_tensor(
            np.zeros(v.shape[:ax] + idx.shape[bd:] + v.shape[ax + 1:], v.dtype))
    return apply(gather, (x, idx_arg), (v, idx), {"axis": ax})


def _filled_like(op, fill, input, dtype):
    """``op`` (ones_like / zeros_like) on ``input``: recorded in the input's own dtype, a plain
    constant ``fill(shape, dtype)`` in another."""
    x, v = one(input)
    dt = as_dtype(dtype)._np if dtype is not None else v.dtype
    if dt != v.dtype:
        return convert_to_tensor(fill(np.shape(v), dt))
    return apply(op, (x,), (v,))


@defop("ones_like", differentiable=False, tf=("ones_like",),
       cut=lazy("tf.ones_like, whose output does not depend on its input's values"))
def ones_like(x):
    """ones of x's shape and dtype (recorded without a gradient, as TensorFlow's OnesLike)"""
    return np.ones(np.shape(x), np.result_type(x))


@ones_like.api
def ones_like_api(input, dtype=None, name=None):
    """Ones with the shape (and dtype) of ``input``.

    As in TensorFlow, in the input's own dtype it is an op on the tape (OnesLike, no
    gradient: the gradients of the ops after it still run); in another dtype it is
    ``tf.ones(tf.shape(input), dtype)``, which the tape does not record.
    """
    return _filled_like(ones_like, np.ones, input, dtype)


@defop("zeros_like", differentiable=False, tf=("zeros_like",),
       cut=lazy("tf.zeros_like, whose output does not depend on its input's values"))
def zeros_like(x):
    """zeros of x's shape and dtype (recorded without a gradient, as TensorFlow's ZerosLike)"""
    return np.zeros(np.shape(x), np.result_type(x))


@zeros_like.api
def zeros_like_api(input, dtype=None, name=None):
    """Zeros with the shape (and dtype) of ``input`` (recorded as ``ones_like`` is)."""
    return _filled_like(zeros_like, np.zeros, input, dtype)


@defop("one_hot", differentiable=False, tf=("one_hot",),
       cut=lazy("tf.one_hot, whose output does not depend smoothly on its integer input"))
def one_hot(indices, depth, on_value=1.0, off_value=0.0, dtype=np.float32):
    """one-hot encoding of integer indices"""
    idx = np.asarray(indices)
    out = np.full((*idx.shape, depth), off_value, dtype=dtype)
    valid = (idx >= 0) & (idx < depth)
    np.put_along_axis(
        out,
        np.where(valid, idx, 0)[..., None],
        np.where(valid, on_value, off_value)[..., None].astype(dtype),
        axis=-1,
    )
    return out


@one_hot.api
def one_hot_api(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot encoding (no gradient).

    As in TensorFlow, without ``dtype`` the result takes the dtype of ``on_value`` or
    ``off_value`` (float32 when neither is given), and the new axis is ``axis`` (-1: last).
    """
    arg, idx = _indices(indices)
    given = {k: convert_to_tensor(v, dtype_hint=dtype)._value.dtype
             for k, v in (("on_value", on_value), ("off_value", off_value)) if v is not None}
    if dtype is not None:
        dt = as_dtype(dtype)._np
    elif given:
        dt = next(iter(given.values()))
    else:
        dt = np.dtype(np.float32)
    for k, d in given.items():
        if d != dt:
            raise TypeError((_("dtype {got} of {k} does not match dtype {want} of on_value")
                             if dtype is None else
                             _("dtype {got} of {k} does not match dtype {want} parameter")
                             ).format(got=d.name, k=k, want=dt.name))
    if axis is not None and not -1 <= int(axis) <= idx.ndim:
        raise InvalidArgumentError(
            _("Expected axis to be -1 or between [0, {value}). But received: {axis}").format(
                value=idx.ndim + 1, axis=axis),
            op="OneHot")
    out = apply(
        one_hot,
        (arg,),
        (idx,),
        {
            "depth": int(depth),
            "on_value": 1 if on_value is None else _scalar(on_value),
            "off_value": 0 if off_value is None else _scalar(off_value),
            "dtype": dt,
        },
    )
    if axis is not None and axis != -1:
        perm = list(range(out.ndim - 1))
        perm.insert(int(axis), out.ndim - 1)
        out = transpose_api(out, perm)
    return out


def _scalar(v):
    return v.numpy() if isinstance(v, TensorLike) else v


# ----- padding, tiling, running sums, gather_nd (issue 10) ---------------------------------


def _int_matrix(x, what, op):
    v = x.numpy() if isinstance(x, TensorLike) else np.asarray(x)
    if v.dtype.kind not in "iu" and not (v.dtype.kind == "f" and np.all(v == np.round(v))):
        raise TypeError(_("{what} must be integers, got {dtype}").format(
                            what=what, dtype=v.dtype.name))
    return v.astype(np.int64)


@defop("pad", uses=(), tf=("pad",), local=(lazy("1 inside, the padding gets nothing"),))
def pad(x, paddings, mode="constant", constant_values=0):
    """x surrounded by constant_values (or its reflection) per axis"""
    if mode == "constant":
        return np.pad(x, paddings, mode="constant", constant_values=constant_values)
    return np.pad(x, paddings, mode=mode)


@pad.defvjp
def pad_vjp(g, out, need, x, paddings, mode="constant", constant_values=0):
    """constant: the inner slice of the gradient; reflect/symmetric: mirrored copies add up"""
    if mode == "constant":
        key = tuple(slice(lo, lo + n) for (lo, _), n in zip(paddings, np.shape(x), strict=True))
        return (g[key],)
    # reflected padding: each output position copies one input position; add them back
    src = np.pad(np.arange(int(np.prod(np.shape(x)))).reshape(np.shape(x)), paddings,
                 mode=mode)
    return (_scatter(g, np.unravel_index(src, np.shape(x)), np.shape(x)),)


@pad.api
def pad_api(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pad each axis with ``paddings[i] = [before, after]`` entries.

    ``mode``: ``"CONSTANT"`` (``constant_values``), ``"REFLECT"`` (mirror without the edge)
    or ``"SYMMETRIC"`` (mirror with the edge), case-insensitive as in TensorFlow.
    """
    x, v = one(tensor)
    p = _int_matrix(paddings, "tf.pad: paddings", "Pad")
    if p.shape != (v.ndim, 2):
        raise InvalidArgumentError(
            _("pad: paddings must have shape [{ndim}, 2] (one [before, after] pair per axis of "
              "the tensor of shape {shape}), got shape {shape2}.").format(
                ndim=v.ndim, shape=list(v.shape), shape2=list(p.shape)), op="PadV2")
    if np.any(p < 0):
        raise InvalidArgumentError(_("pad: paddings must be non-negative, got {value}.").format(
                                       value=p.tolist()),
                                   op="PadV2")
    m = str(mode).upper()
    if m not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(_("tf.pad: mode must be 'CONSTANT', 'REFLECT' or 'SYMMETRIC', got "
                           "{mode!r}").format(
                             mode=mode))
    pads = tuple((int(a), int(b)) for a, b in p)
    if m != "CONSTANT":
        limit = 0 if m == "REFLECT" else 1
        for (a, b), n in zip(pads, v.shape, strict=True):
            if max(a, b) > n - 1 + limit:
                raise InvalidArgumentError(
                    _("pad: {m} padding of {value} needs an axis longer than that, but the "
                      "tensor has shape {shape}.").format(
                        m=m, value=max(a, b), shape=list(v.shape)), op="MirrorPad")
        return apply(pad, (x,), (v,), {"paddings": pads, "mode": m.lower()})
    cv = constant_values.numpy() if isinstance(constant_values, TensorLike) else constant_values
    return apply(pad, (x,), (v,), {"paddings": pads,
                                   "constant_values": np.asarray(cv, v.dtype)[()]})


@defop("tile", uses=(), tf=("tile",), local=(lazy("1, summed over the copies"),))
def tile(x, multiples):
    """x repeated multiples[i] times along axis i"""
    return np.tile(x, multiples)


@tile.defvjp
def tile_vjp(g, out, need, x, multiples):
    """the copies' gradients add up: reshape to (m0, n0, m1, n1, ...) and sum the m axes"""
    shape = np.shape(x)
    split = tuple(d for m, n in zip(multiples, shape, strict=True) for d in (m, n))
    return (np.sum(np.reshape(g, split), axis=tuple(range(0, 2 * len(shape), 2))),)


@tile.api
def tile_api(input, multiples, name=None):
    """Repeat the whole tensor ``multiples[i]`` times along axis ``i``."""
    x, v = one(input)
    m = _int_matrix(multiples, "tf.tile: multiples", "Tile").reshape(-1)
    if m.shape != (v.ndim,) or np.any(m < 0):
        raise InvalidArgumentError(
            _("tile: multiples must be {ndim} non-negative integers (one per axis of the tensor"
              " of shape {shape}), got {value}.").format(
                ndim=v.ndim, shape=list(v.shape), value=m.tolist()), op="Tile")
    return apply(tile, (x,), (v,), {"multiples": tuple(int(a) for a in m)})


def _cumsum_any(g, axis, exclusive, reverse):
    if isinstance(g, np.ndarray | np.generic):
        return cumsum.forward(g, axis, exclusive, reverse)
    return cumsum(g, axis=axis, exclusive=exclusive, reverse=reverse)


@defop("cumsum", uses=(), tf=("cumsum", "math.cumsum"), numpy=np.cumsum,
       local=(lazy("1 for every later position (earlier when reverse)"),))
def cumsum(x, axis=0, exclusive=False, reverse=False):
    """running sum of x along axis (exclusive: without the element itself)"""
    a = np.flip(x, axis) if reverse else x
    s = np.cumsum(a, axis=axis, dtype=np.result_type(a))
    if s.dtype.kind in "fc":  # TensorFlow's running sums start from +0.0: never -0.0
        s += 0.0
    if exclusive and np.shape(s)[axis]:
        s = np.concatenate([np.zeros_like(np.take(s, [0], axis)), np.take(
            s, np.arange(np.shape(s)[axis] - 1), axis)], axis=axis)
    return np.flip(s, axis) if reverse else s


@cumsum.defvjp
def cumsum_vjp(g, out, need, x, axis=0, exclusive=False, reverse=False):
    """the running sum in the other direction: cumsum(g, reverse=not reverse)"""
    return (_cumsum_any(g, axis, exclusive, not reverse),)


@cumsum.api
def cumsum_api(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along ``axis``; ``exclusive`` leaves the element itself out,
    ``reverse`` sums from the end."""
    t, v = one(x)
    ax = scalar_axis("cumsum", "Cumsum", axis)
    if v.dtype.kind == "b":
        raise bool_error("cumsum")
    if not -max(v.ndim, 1) <= ax < max(v.ndim, 1) or v.ndim == 0:
        raise InvalidArgumentError(
            _("cumsum: axis {ax} is out of range for a tensor of shape {shape} (use -{ndim} .. "
              "{value}).").format(
                ax=ax, shape=list(v.shape), ndim=v.ndim, value=v.ndim - 1), op="Cumsum")
    return apply(cumsum, (t,), (v,), {"axis": ax % v.ndim, "exclusive": bool(exclusive),
                                      "reverse": bool(reverse)})


@cumsum.numpy_api
def cumsum_numpy(a, axis=None, dtype=None, out=None):
    """``np.cumsum`` on tensors: numpy's defaults (no axis: over the flattened array)."""
    t, _v = one(a)
    if dtype is not None:
        t = cast_api(t, dtype)
    if axis is None:
        t, axis = reshape_api(t, (-1,)), 0
    return cumsum_api(t, axis=axis)


@defop("gather_nd", uses=(1,), tf=("gather_nd",),
       local=(lazy("1 at the gathered positions (repeats add up)"), "0"))
def gather_nd(params, indices):
    """params[indices[..., 0], indices[..., 1], ...]: slices picked by index tuples"""
    idx = np.asarray(indices)
    return params[tuple(np.moveaxis(idx, -1, 0))]


@gather_nd.defvjp
def gather_nd_vjp(g, out, need, params, indices):
    """a dense scatter-add of the gradient to the gathered positions"""
    key = tuple(np.moveaxis(np.asarray(indices), -1, 0))
    return (_scatter(g, key, np.shape(params)), None)


@gather_nd.api
def gather_nd_api(params, indices, batch_dims=0, name=None):
    """Slices of ``params`` picked by the index tuples in the last axis of ``indices``."""
    x, v = one(params)
    refuse("tf.gather_nd", batch_dims=int(batch_dims) != 0)
    idx_arg, idx = _indices(indices, "gather_nd")
    if idx.ndim == 0 or idx.shape[-1] > v.ndim:
        raise InvalidArgumentError(
            _("gather_nd: the last axis of indices (shape {shape}) must hold at most {ndim} "
              "coordinates for params of shape {shape2}.").format(
                shape=list(idx.shape), ndim=v.ndim, shape2=list(v.shape)), op="GatherNd")
    for k in range(idx.shape[-1]):
        col = idx[..., k]
        if col.size and (col.min() < 0 or col.max() >= v.shape[k]):
            bad = col[(col < 0) | (col >= v.shape[k])].ravel()[0]
            raise InvalidArgumentError(
                _("gather_nd: index {bad} in coordinate {k} is not in [0, {value}) (params has "
                  "shape {shape}).").format(
                    bad=int(bad), k=k, value=v.shape[k], shape=list(v.shape)), op="GatherNd")
    n = int(np.prod(idx.shape[:-1], dtype=np.int64))
    if n and not v.size:  # TensorFlow refuses even index tuples that pick empty slices
        raise InvalidArgumentError(
            _("gather_nd: params (shape {shape}) holds no elements, so the {n} index tuple(s) "
              "have nothing to pick, and TensorFlow refuses them. Gather from a non-empty "
              "tensor, or give no index tuples (indices of shape [0, {k}]).").format(
                shape=list(v.shape), n=n, k=idx.shape[-1]), op="GatherNd")
    return apply(gather_nd, (x, idx_arg), (v, idx))


def _int_list(value, what: str, tfop: str, empty_ok: bool = False) -> np.ndarray:
    """A scalar or 1-D list of integers (a shift or axis list of reverse and roll), checked as
    TensorFlow's kernels check it: a float is an InvalidArgumentError (its dtype attribute
    accepts only int32 and int64), so is a list of lists. An empty list is a float list for
    roll; reverse (``empty_ok``) reads it as no axes."""
    v = value.numpy() if isinstance(value, TensorLike) else np.asarray(value)
    if empty_ok and isinstance(value, list | tuple) and not value:
        v = v.astype(np.int32)
    if v.dtype.kind not in "iu":
        raise InvalidArgumentError(
            _("{what} must be integers (int32 or int64), got {value!r}.").format(
                what=what, value=value), op=tfop)
    if v.ndim > 1:
        raise InvalidArgumentError(
            _("{what} must be one integer or a list of integers, got shape {shape}.").format(
                what=what, shape=list(v.shape)), op=tfop)
    return v.astype(np.int64)


def _reverse_any(g, axis):
    if isinstance(g, np.ndarray | np.generic):
        return np.flip(g, axis)
    return reverse(g, axis=axis)


@defop("reverse", uses=(), tf=("reverse",), numpy=np.flip,
       local=(lazy("1 (the gradient is reversed back)"),))
def reverse(x, axis):
    """x with the order of its elements reversed along the given axes"""
    return np.flip(x, axis)


@reverse.defvjp
def reverse_vjp(g, out, need, x, axis):
    """the gradient reversed along the same axes"""
    return (_reverse_any(g, axis),)


@reverse.api
def reverse_api(tensor, axis, name=None):
    """Reverse the order of the elements along each axis in the list ``axis``."""
    x, v = one(tensor)
    if axis is None:
        raise ValueError(_("reverse: axis must be a list of axes to reverse, got None (for "
                           "example axis=[0] or axis=[-1])."))
    if type(axis) is float:  # converted on its own as int32 first: TensorFlow's TypeError
        raise DTypeError(_("Cannot convert {value!r} to EagerTensor of dtype {dtype}").format(
            value=axis, dtype="int32"))
    if v.ndim == 0 or v.size == 0:  # TensorFlow returns a scalar or an empty tensor
        # unchanged, whatever the integer axes (its kernel reads them only to move elements)
        given = axis.numpy() if isinstance(axis, TensorLike) else np.asarray(axis)
        if given.size and given.dtype.kind not in "iu":
            _int_list(axis, "reverse: axis", "ReverseV2")  # its InvalidArgumentError
        return apply(reverse, (x,), (v,), {"axis": ()})
    a = _int_list(axis, "reverse: axis", "ReverseV2", empty_ok=True)
    if a.ndim != 1:
        raise InvalidArgumentError(
            _("reverse: axis must be a list of axes, e.g. [{value}], got the single integer "
              "{value}.").format(value=int(a)), op="ReverseV2")
    for k in a:
        if not -v.ndim <= k < v.ndim:
            raise InvalidArgumentError(
                _("reverse: axis {axis} is out of range for a tensor of shape {shape} (use "
                  "-{ndim} .. {value}).").format(
                    axis=int(k), shape=list(v.shape), ndim=v.ndim, value=v.ndim - 1),
                op="ReverseV2")
    axes = [int(k) % v.ndim for k in a]
    if len(set(axes)) != len(axes):
        raise InvalidArgumentError(
            _("reverse: an axis is given more than once in {axis} (shape {shape}).").format(
                axis=a.tolist(), shape=list(v.shape)), op="ReverseV2")
    return apply(reverse, (x,), (v,), {"axis": tuple(axes)})


@reverse.numpy_api
def reverse_numpy(m, axis=None):
    """``np.flip`` on tensors: numpy's defaults (no axis: every axis; one int or a tuple)."""
    t, v = one(m)
    axes = list(range(v.ndim)) if axis is None else list(np.atleast_1d(axis_arg(axis)))
    return reverse_api(t, axes)


def _roll_any(g, shift, axis):
    if isinstance(g, np.ndarray | np.generic):
        return np.roll(g, shift, axis)
    return roll(g, shift=shift, axis=axis)


@defop("roll", uses=(), tf=("roll",), numpy=np.roll,
       local=(lazy("1 (the gradient is rolled back)"),))
def roll(x, shift, axis):
    """x shifted cyclically by shift[i] positions along axis[i]"""
    return np.roll(x, shift, axis)


@roll.defvjp
def roll_vjp(g, out, need, x, shift, axis):
    """the gradient rolled back: roll(g, -shift, axis)"""
    return (_roll_any(g, tuple(-s for s in shift), axis),)


@roll.api
def roll_api(input, shift, axis, name=None):
    """Shift the elements cyclically: by ``shift[i]`` positions along ``axis[i]`` (an axis
    given twice is shifted by the sum of its shifts)."""
    x, v = one(input)
    s = _int_list(shift, "roll: shift", "Roll")
    a = _int_list(axis, "roll: axis", "Roll")
    if v.ndim == 0:
        raise InvalidArgumentError(
            _("roll: the input must have at least one axis, got a scalar."), op="Roll")
    if s.shape != a.shape:  # (TensorFlow refuses a scalar shift with a list of one axis too)
        raise InvalidArgumentError(
            _("roll: shift and axis must have the same size, got {shift} and {axis}.").format(
                shift=s.tolist(), axis=a.tolist()), op="Roll")
    for k in a.reshape(-1):
        if not -v.ndim <= k < v.ndim:
            raise InvalidArgumentError(
                _("roll: axis {axis} is out of range for a tensor of shape {shape} (use "
                  "-{ndim} .. {value}).").format(
                    axis=int(k), shape=list(v.shape), ndim=v.ndim, value=v.ndim - 1), op="Roll")
    return apply(roll, (x,), (v,), {"shift": tuple(int(k) for k in s.reshape(-1)),
                                    "axis": tuple(int(k) % v.ndim for k in a.reshape(-1))})


@roll.numpy_api
def roll_numpy(a, shift, axis=None):
    """``np.roll`` on tensors: numpy's defaults (no axis: over the flattened array, then the
    shape comes back; shift and axis broadcast against each other)."""
    t, v = one(a)
    if axis is None:
        return reshape_api(roll_numpy(reshape_api(t, (-1,)), shift, 0), v.shape)
    s, ax = np.broadcast_arrays(np.asarray(shift), np.asarray(axis))
    return roll_api(t, s.reshape(-1).tolist(), ax.reshape(-1).tolist())
