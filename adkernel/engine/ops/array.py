"""Shape, movement and indexing primitives."""

from __future__ import annotations

import numpy as np

from ..registry import defop


@defop("reshape", uses=())
def reshape(x, shape):
    """x with a new shape (same elements)"""
    return np.reshape(x, shape)


@reshape.defvjp
def reshape_vjp(g, out, need, x, shape):
    """the gradient is reshaped back"""
    return (np.reshape(g, np.shape(x)),)


@defop("broadcast_to", uses=())
def broadcast_to(x, shape):
    """x repeated along new or size-1 axes"""
    return np.broadcast_to(x, shape)


@broadcast_to.defvjp
def broadcast_to_vjp(g, out, need, x, shape):
    """the engine sums the gradient back over the broadcast axes"""
    return (g,)


@defop("transpose", uses=())
def transpose(x, perm=None):
    """x with its axes permuted (reversed by default)"""
    return np.transpose(x, perm)


@transpose.defvjp
def transpose_vjp(g, out, need, x, perm=None):
    """the gradient is permuted back"""
    if perm is None:
        return (np.transpose(g),)
    return (np.transpose(g, tuple(np.argsort(perm))),)


@defop("expand_dims", uses=())
def expand_dims(x, axis):
    """x with a new axis of size 1"""
    return np.expand_dims(x, axis)


@expand_dims.defvjp
def expand_dims_vjp(g, out, need, x, axis):
    """the new axis is dropped from the gradient"""
    return (np.reshape(g, np.shape(x)),)


@defop("squeeze", uses=())
def squeeze(x, axis=None):
    """x without its size-1 axes (or only those in axis)"""
    return np.squeeze(x, axis=axis)


@squeeze.defvjp
def squeeze_vjp(g, out, need, x, axis=None):
    """the removed axes are restored in the gradient"""
    return (np.reshape(g, np.shape(x)),)


def _split_points(sizes):
    return list(np.cumsum(sizes)[:-1])


@defop("concat", uses=())
def concat(*xs, axis=0):
    """inputs joined along an existing axis"""
    return np.concatenate(xs, axis=axis)


@concat.defvjp
def concat_vjp(g, out, need, *xs, axis=0):
    """each input gets its slice of the gradient"""
    sizes = [np.shape(x)[axis] for x in xs]
    return tuple(np.split(g, _split_points(sizes), axis=axis))


@defop("stack", uses=())
def stack(*xs, axis=0):
    """inputs joined along a new axis"""
    return np.stack(xs, axis=axis)


@stack.defvjp
def stack_vjp(g, out, need, *xs, axis=0):
    """each input gets its slice of the gradient, without the new axis"""
    n = len(xs)
    parts = np.split(g, n, axis=axis)
    return tuple(np.squeeze(p, axis=axis) for p in parts)


@defop("getitem", uses=())
def getitem(x, key):
    """x[key]: basic slicing and integer-array indexing"""
    return x[key]


@getitem.defvjp
def getitem_vjp(g, out, need, x, key):
    """the gradient is scattered back to the indexed positions (repeats add up)"""
    return (_scatter(g, key, np.shape(x)),)


@defop("scatter_add", uses=())
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
    from . import getitem as getitem_op

    return (getitem_op(gg, key),)


def _scatter(g, key, shape):
    if isinstance(g, np.ndarray | np.generic):
        return scatter_add_.forward(g, key, shape)
    from . import scatter_add

    return scatter_add(g, key, shape)


@defop("gather", uses=(1,))
def gather(params, indices, axis=0):
    """params[..., indices, ...] along axis"""
    return np.take(params, indices, axis=axis)


@gather.defvjp
def gather_vjp(g, out, need, params, indices, axis=0):
    """a dense scatter-add of the gradient (TensorFlow returns IndexedSlices)"""
    key = (slice(None),) * (axis % max(np.ndim(params), 1)) + (np.asarray(indices),)
    return (_scatter(g, key, np.shape(params)), None)


@defop("one_hot", differentiable=False)
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
