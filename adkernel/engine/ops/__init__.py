"""User-facing op functions: convert the arguments, run the primitive, record it.

The primitives themselves (numpy forward + VJP) live in the family modules
``math``, ``reduce``, ``array``, ``linalg`` and ``nn``, and are all registered in
:data:`adkernel.engine.registry.REGISTRY`. Functions at the end of this module
marked *composite* are built only from primitives and need no VJP of their own.
:func:`bind_operators` attaches ``+ - * / ** @ [] < ...`` to tensors.
"""

from __future__ import annotations

import numpy as np

from .._state import serials, state
from ..dtypes import as_dtype
from ..errors import InvalidArgumentError
from ..registry import apply, make_binary, make_unary, record
from ..tensor import (
    EagerTensor,
    Tensor,
    TensorLike,
    _wrap,
    convert_to_tensor,
    dtype_mismatch,
    operand,
)
from . import array as _array
from . import linalg as _linalg
from . import math as _math
from . import nn as _nn
from . import reduce as _reduce

# ----- helpers ---------------------------------------------------------------------------


def _unify(op_name: str, xs) -> tuple[tuple, tuple]:
    """(args, values) for several inputs that must share one dtype.

    The first tensor sets the dtype; Python numbers and arrays adopt it. With no
    tensor at all, the first value is converted with TensorFlow's defaults.
    """
    dtype = None
    for i, x in enumerate(xs):
        if isinstance(x, TensorLike):
            d = x._value.dtype
            if dtype is None:
                dtype = d
            elif d != dtype:
                raise dtype_mismatch(op_name, dtype, d, i)
    if dtype is None:
        first = convert_to_tensor(xs[0])
        xs = (first, *xs[1:])
        dtype = first._value.dtype
    args = []
    vals = []
    for x in xs:
        if isinstance(x, TensorLike):
            args.append(x)
            vals.append(x._value)
        else:
            args.append(None)
            vals.append(operand(x, dtype))
    return tuple(args), tuple(vals)


def _one(x) -> tuple[TensorLike, object]:
    if not isinstance(x, TensorLike):
        x = convert_to_tensor(x)
    return x, x._value


def _axis(axis):
    """Normalise an ``axis`` argument: None, an int, or a tuple of ints."""
    if axis is None:
        return None
    if isinstance(axis, TensorLike):
        axis = axis.numpy()
    if isinstance(axis, np.ndarray):
        axis = axis.tolist()
    if isinstance(axis, list | tuple):
        return tuple(int(a) for a in axis)
    return int(axis)


def _shape_arg(shape) -> tuple:
    if isinstance(shape, TensorLike):
        shape = shape.numpy()
    if isinstance(shape, np.ndarray):
        shape = shape.tolist()
    if isinstance(shape, int | np.integer):
        return (int(shape),)
    return tuple(-1 if s is None else int(s) for s in shape)


def _float_check(name: str, v):
    if v.dtype.kind not in "fc":
        raise TypeError(
            f"{name} needs a float tensor, got {v.dtype.name}. Try tf.cast(x, tf.float32) first."
        )


# ----- elementwise -----------------------------------------------------------------------

add = make_binary(_math.add)
subtract = make_binary(_math.sub)
multiply = make_binary(_math.mul)
_truediv = make_binary(_math.truediv)
pow = make_binary(_math.pow_)
maximum = make_binary(_math.maximum)
minimum = make_binary(_math.minimum)
floormod = make_binary(_math.floormod)
floordiv = make_binary(_math.floordiv)
squared_difference = make_binary(_math.squared_difference)
equal = make_binary(_math.equal)
not_equal = make_binary(_math.not_equal)
less = make_binary(_math.less)
less_equal = make_binary(_math.less_equal)
greater = make_binary(_math.greater)
greater_equal = make_binary(_math.greater_equal)
logical_and = make_binary(_math.logical_and)
logical_or = make_binary(_math.logical_or)
logical_xor = make_binary(_math.logical_xor)


def divide(x, y, name=None):
    """x / y. Integer tensors are divided as float64, like TensorFlow's truediv."""
    if isinstance(x, TensorLike) and x._value.dtype.kind in "iu":
        x = cast(x, np.float64)
        if isinstance(y, TensorLike):
            y = cast(y, np.float64)
    elif (
        isinstance(y, TensorLike) and y._value.dtype.kind in "iu" and not isinstance(x, TensorLike)
    ):
        y = cast(y, np.float64)
    return _truediv(x, y)


truediv = divide

negative = make_unary(_math.neg, float_only=False)
exp = make_unary(_math.exp)
log = make_unary(_math.log)
log1p = make_unary(_math.log1p)
sqrt = make_unary(_math.sqrt)
square = make_unary(_math.square, float_only=False)
abs = make_unary(_math.abs_, float_only=False)
sign = make_unary(_math.sign, float_only=False)
sin = make_unary(_math.sin)
cos = make_unary(_math.cos)
tan = make_unary(_math.tan)
tanh = make_unary(_math.tanh)
sigmoid = make_unary(_math.sigmoid)
relu = make_unary(_math.relu, float_only=False)
elu = make_unary(_math.elu)
softplus = make_unary(_math.softplus)
identity = make_unary(_math.identity, float_only=False)
stop_gradient = make_unary(_math.stop_gradient, float_only=False)
round = make_unary(_math.round_, float_only=False)
floor = make_unary(_math.floor)
ceil = make_unary(_math.ceil)
logical_not = make_unary(_math.logical_not, float_only=False)
is_finite = make_unary(_math.is_finite)
is_nan = make_unary(_math.is_nan)


def leaky_relu(features, alpha=0.2, name=None):
    """x where x > 0, else alpha * x (alpha is also the slope at 0)."""
    x, v = _one(features)
    _float_check("leaky_relu", v)
    return apply(_math.leaky_relu, (x,), (v,), {"alpha": float(alpha)})


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clamp to [min, max]; the gradient passes inside and at the bounds."""
    args, vals = _unify("clip_by_value", (t, clip_value_min, clip_value_max))
    return apply(_math.clip_by_value, args, vals)


def where(condition, x=None, y=None, name=None):
    """Pick ``x`` where ``condition`` holds, else ``y``; with one argument, the indices."""
    c = condition._value if isinstance(condition, TensorLike) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise TypeError(f"tf.where needs a bool condition, got {c.dtype.name}; try x > 0.")
    if x is None and y is None:
        return _wrap(np.argwhere(c).astype(np.int64))
    if x is None or y is None:
        raise ValueError("tf.where needs both x and y, or neither.")
    args, vals = _unify("where", (x, y))
    cond_arg = condition if isinstance(condition, TensorLike) else None
    return apply(_math.where, (cond_arg, *args), (c, *vals))


def cast(x, dtype, name=None):
    """Convert to ``dtype``. Float-to-float casts pass gradients; casts to ints cut them."""
    target = as_dtype(dtype)._np
    x, v = _one(x)
    if v.dtype == target:
        return x if isinstance(x, Tensor) else identity(x)
    if target.kind in "fc":
        return apply(_math.cast, (x,), (v,), {"dtype": target})
    return apply(_math.cast_to_integer, (x,), (v,), {"dtype": target})


# ----- reductions ------------------------------------------------------------------------


def _reduction(op, float_only=False):
    opname = op.name

    fwd = op.forward
    new = object.__new__

    def reduce(input_tensor, axis=None, keepdims=False, name=None):
        x, v = _one(input_tensor)
        if float_only:
            _float_check(opname, v)
        if axis is None and not keepdims:
            out = new(EagerTensor)
            out._value = fwd(v)
            out._serial = next(serials)
            if state.recording:
                record(op, (x,), (x._serial,), (v,), None, out)
            return out
        axis = _axis(axis)
        return apply(op, (x,), (v,), {"axis": axis, "keepdims": keepdims})

    reduce.__name__ = reduce.__qualname__ = opname
    reduce.__doc__ = f"{op.doc} (``{opname}``), recorded on active tapes."
    return reduce


reduce_sum = _reduction(_reduce.reduce_sum)
reduce_mean = _reduction(_reduce.reduce_mean)
reduce_max = _reduction(_reduce.reduce_max)
reduce_min = _reduction(_reduce.reduce_min)
reduce_prod = _reduction(_reduce.reduce_prod)
reduce_logsumexp = _reduction(_reduce.logsumexp, float_only=True)


def argmax(input, axis=None, output_type=np.int64, name=None):
    """Index of the largest value along ``axis`` (default 0). No gradient."""
    x, v = _one(input)
    return apply(
        _reduce.argmax,
        (x,),
        (v,),
        {"axis": 0 if axis is None else _axis(axis), "output_type": as_dtype(output_type)._np},
    )


def argmin(input, axis=None, output_type=np.int64, name=None):
    """Index of the smallest value along ``axis`` (default 0). No gradient."""
    x, v = _one(input)
    return apply(
        _reduce.argmin,
        (x,),
        (v,),
        {"axis": 0 if axis is None else _axis(axis), "output_type": as_dtype(output_type)._np},
    )


# ----- shapes and indexing ---------------------------------------------------------------


def reshape(tensor, shape, name=None):
    """Same elements, new shape (``-1`` infers one dimension)."""
    x, v = _one(tensor)
    shape = _shape_arg(shape)
    try:
        np.empty(np.shape(v), dtype=np.bool_).reshape(shape)
    except ValueError:
        raise InvalidArgumentError(
            f"Cannot reshape a tensor with {np.size(v)} elements to shape {list(shape)}.",
            op="Reshape",
        ) from None
    return apply(_array.reshape, (x,), (v,), {"shape": shape})


def broadcast_to(input, shape, name=None):
    """Repeat along new or size-1 axes to reach ``shape``."""
    x, v = _one(input)
    return apply(_array.broadcast_to, (x,), (v,), {"shape": _shape_arg(shape)})


def transpose(a, perm=None, conjugate=False, name=None):
    """Permute the axes (reverse them by default)."""
    x, v = _one(a)
    return apply(
        _array.transpose,
        (x,),
        (v,),
        None if perm is None else {"perm": tuple(int(p) for p in _axis(list(perm)))},
    )


def expand_dims(input, axis, name=None):
    """Insert an axis of size 1."""
    x, v = _one(input)
    return apply(_array.expand_dims, (x,), (v,), {"axis": _axis(axis)})


def squeeze(input, axis=None, name=None):
    """Remove axes of size 1."""
    x, v = _one(input)
    return apply(_array.squeeze, (x,), (v,), None if axis is None else {"axis": _axis(axis)})


def concat(values, axis, name=None):
    """Join tensors along an existing axis."""
    args, vals = _unify("concat", tuple(values))
    return apply(_array.concat, args, vals, {"axis": int(axis)})


def stack(values, axis=0, name=None):
    """Join tensors along a new axis."""
    args, vals = _unify("stack", tuple(values))
    return apply(_array.stack, args, vals, {"axis": int(axis)})


def unstack(value, num=None, axis=0, name=None):
    """Split along ``axis`` into a list of tensors (composite)."""
    x, v = _one(value)
    n = np.shape(v)[axis]
    key_prefix = (slice(None),) * (axis % np.ndim(v))
    return [getitem(x, (*key_prefix, i)) for i in range(n)]


def _index_key(key):
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, TensorLike):
        return key.numpy()
    if isinstance(key, list):
        return np.asarray([k.numpy() if isinstance(k, TensorLike) else k for k in key])
    return key


def getitem(x, key, _out_type=None, _out_init=None):
    """``x[key]`` with basic slicing and integer arrays; gradients scatter back."""
    x, v = _one(x)
    key = _index_key(key)
    try:
        np.empty(np.shape(v), dtype=np.bool_)[key]
    except IndexError as e:
        raise IndexError(f"{e} (indexing a tensor of shape {tuple(np.shape(v))})") from None
    return apply(_array.getitem, (x,), (v,), {"key": key}, _out_type, _out_init)


def scatter_add(g, key, shape):
    """Zeros of ``shape`` with ``g`` added at ``[key]`` (the VJP of indexing)."""
    x, v = _one(g)
    return apply(_array.scatter_add_, (x,), (v,), {"key": key, "shape": tuple(shape)})


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """``params`` indexed along ``axis`` by integer ``indices``; dense gradient."""
    x, v = _one(params)
    if isinstance(indices, TensorLike):
        idx_arg, idx = indices, indices._value
    else:
        idx_arg, idx = None, np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather needs integer indices, got {idx.dtype.name}")
    ax = 0 if axis is None else int(axis)
    n = np.shape(v)[ax]
    if np.any(idx >= n) or np.any(idx < -n):
        raise InvalidArgumentError(
            f"indices {idx.tolist()} out of range for axis {ax} of size {n}", op="GatherV2"
        )
    return apply(_array.gather, (x, idx_arg), (v, idx), {"axis": ax})


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot encoding (no gradient)."""
    if isinstance(indices, TensorLike):
        arg, idx = indices, indices._value
    else:
        arg, idx = None, np.asarray(indices)
    dt = as_dtype(dtype)._np if dtype is not None else np.dtype(np.float32)
    out = apply(
        _array.one_hot,
        (arg,),
        (idx,),
        {
            "depth": int(depth),
            "on_value": 1 if on_value is None else on_value,
            "off_value": 0 if off_value is None else off_value,
            "dtype": dt,
        },
    )
    if axis is not None and axis != -1:
        perm = list(range(out.ndim - 1))
        perm.insert(axis % out.ndim, out.ndim - 1)
        out = transpose(out, perm)
    return out


# ----- linear algebra --------------------------------------------------------------------


def matmul(a, b, transpose_a=False, transpose_b=False, name=None, **kwargs):
    """Matrix product ``a @ b`` of rank >= 2 tensors (batched over leading axes)."""
    args, vals = _unify("MatMul", (a, b))
    for side, v in zip("ab", vals, strict=True):
        if np.ndim(v) < 2:
            raise InvalidArgumentError(
                f"matmul needs rank >= 2 tensors, but {side} has shape {tuple(np.shape(v))}. "
                "Try tf.reshape(v, (-1, 1)) for a column or tf.expand_dims(v, 0) for a row.",
                op="MatMul",
            )
    if transpose_a or transpose_b:
        a2 = args[0] if args[0] is not None else convert_to_tensor(vals[0])
        b2 = args[1] if args[1] is not None else convert_to_tensor(vals[1])
        if transpose_a:
            a2 = _swap_last(a2)
        if transpose_b:
            b2 = _swap_last(b2)
        return matmul(a2, b2)
    va, vb = vals
    if np.shape(va)[-1] != np.shape(vb)[-2]:
        raise InvalidArgumentError(
            f"Matrix size-incompatible: In[0]: {list(np.shape(va))}, In[1]: {list(np.shape(vb))}"
            ". The inner dimensions must agree.",
            op="MatMul",
        )
    return apply(_linalg.matmul, args, vals)


def einsum(equation, *inputs, **kwargs):
    """Einstein summation over tensors, e.g. ``tf.einsum('ij,jk->ik', a, b)``."""
    args, vals = _unify("Einsum", inputs)
    try:
        np.einsum(equation, *[np.empty(np.shape(v), np.bool_) for v in vals])
    except ValueError as e:
        raise InvalidArgumentError(f"einsum {equation!r}: {e}", op="Einsum") from None
    return apply(_linalg.einsum, args, vals, {"equation": equation})


def solve(matrix, rhs, adjoint=False, name=None):
    """Solve ``matrix @ x = rhs`` for x (``tf.linalg.solve``)."""
    if adjoint:
        matrix = _swap_last(matrix if isinstance(matrix, TensorLike) else convert_to_tensor(matrix))
    args, vals = _unify("MatrixSolve", (matrix, rhs))
    a, b = vals
    if np.ndim(a) < 2 or np.shape(a)[-1] != np.shape(a)[-2] or np.ndim(b) < 2:
        raise InvalidArgumentError(
            f"solve needs a square matrix and a matrix right-hand side, got shapes "
            f"{tuple(np.shape(a))} and {tuple(np.shape(b))}",
            op="MatrixSolve",
        )
    return apply(_linalg.solve, args, vals)


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of ``params`` picked by ``ids`` (``gather`` on axis 0; dense gradient)."""
    return gather(params, ids, axis=0)


def _swap_last(t):
    nd = t.ndim
    perm = list(range(nd))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return transpose(t, perm)


# ----- neural-network functions ----------------------------------------------------------


def softmax(logits, axis=None, name=None):
    """exp(x) / sum(exp(x)) along ``axis`` (default last)."""
    x, v = _one(logits)
    _float_check("softmax", v)
    return apply(_nn.softmax, (x,), (v,), None if axis in (None, -1) else {"axis": int(axis)})


def log_softmax(logits, axis=None, name=None):
    """x - logsumexp(x) along ``axis`` (default last)."""
    x, v = _one(logits)
    _float_check("log_softmax", v)
    return apply(_nn.log_softmax, (x,), (v,), None if axis in (None, -1) else {"axis": int(axis)})


def _labels_logits(opname, labels, logits):
    if labels is None or logits is None:
        raise ValueError(f"{opname} needs both labels= and logits=.")
    args, vals = _unify(opname, (logits, labels))
    if np.shape(vals[0]) != np.shape(vals[1]):
        raise InvalidArgumentError(
            f"{opname}: logits and labels must have the same shape "
            f"({tuple(np.shape(vals[0]))} vs {tuple(np.shape(vals[1]))})",
            op=opname,
        )
    return (args[1], args[0]), (vals[1], vals[0])


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Per-element binary cross-entropy of ``sigmoid(logits)`` against ``labels``."""
    args, vals = _labels_logits("sigmoid_cross_entropy_with_logits", labels, logits)
    return apply(_nn.sigmoid_cross_entropy_with_logits, args, vals)


def softmax_cross_entropy_with_logits(labels=None, logits=None, axis=-1, name=None):
    """Cross-entropy of ``softmax(logits)`` against probability ``labels`` (one per row)."""
    args, vals = _labels_logits("softmax_cross_entropy_with_logits", labels, logits)
    return apply(
        _nn.softmax_cross_entropy_with_logits,
        args,
        vals,
        None if axis == -1 else {"axis": int(axis)},
    )


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Cross-entropy of ``softmax(logits)`` against integer class ``labels``."""
    x, v = _one(logits)
    _float_check("sparse_softmax_cross_entropy_with_logits", v)
    if isinstance(labels, TensorLike):
        lab_arg, lab = labels, labels._value
    else:
        lab_arg, lab = None, np.asarray(labels)
    if lab.dtype.kind not in "iu":
        raise TypeError(
            "sparse labels must be integers (class indices); for one-hot labels use "
            "softmax_cross_entropy_with_logits"
        )
    if np.any(lab < 0) or np.any(lab >= np.shape(v)[-1]):
        raise InvalidArgumentError(
            f"Received a label value outside the valid range of [0, {np.shape(v)[-1]}).",
            op="SparseSoftmaxCrossEntropyWithLogits",
        )
    return apply(_nn.sparse_softmax_cross_entropy_with_logits, (lab_arg, x), (lab, v))


def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)**2) over the last axis (Keras' ``mse``)."""
    args, vals = _unify("mean_squared_error", (y_pred, y_true))
    return apply(_nn.mean_squared_error, (args[1], args[0]), (vals[1], vals[0]))


# ----- composites (built from primitives; no VJP of their own) ---------------------------


def reciprocal(x, name=None):
    """1 / x (composite)."""
    return divide(1, x) if isinstance(x, TensorLike) else divide(1, convert_to_tensor(x))


def rsqrt(x, name=None):
    """1 / sqrt(x) (composite)."""
    return reciprocal(sqrt(x))


def expm1(x, name=None):
    """exp(x) - 1 (composite)."""
    return subtract(exp(x), 1)


def add_n(inputs, name=None):
    """Sum of a list of tensors (composite)."""
    total = inputs[0]
    for t in inputs[1:]:
        total = add(total, t)
    return total if isinstance(total, TensorLike) else convert_to_tensor(total)


def norm(tensor, ord="euclidean", axis=None, keepdims=False, name=None):
    """Euclidean (or 1 / inf) norm (composite; its gradient at 0 is NaN, as in TF)."""
    if ord in ("euclidean", "fro", 2, 2.0):
        return sqrt(reduce_sum(square(tensor), axis=axis, keepdims=keepdims))
    if ord in (1, 1.0):
        return reduce_sum(abs(tensor), axis=axis, keepdims=keepdims)
    if ord == np.inf:
        return reduce_max(abs(tensor), axis=axis, keepdims=keepdims)
    raise ValueError(f"norm: ord={ord!r} is not supported; use 'euclidean', 1 or np.inf")


def l2_loss(t, name=None):
    """sum(t**2) / 2 (composite)."""
    return multiply(reduce_sum(square(t)), 0.5)


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescale so the L2 norm is at most ``clip_norm`` (composite)."""
    t, _ = _one(t)
    l2 = sqrt(reduce_sum(square(t), axis=axes, keepdims=True))
    factor = divide(clip_norm, maximum(l2, clip_norm))
    return multiply(t, factor)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Mean squared deviation from the mean (composite)."""
    mean = reduce_mean(input_tensor, axis=axis, keepdims=True)
    return reduce_mean(square(subtract(input_tensor, mean)), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Standard deviation (composite)."""
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def silu(features, beta=1.0):
    """x * sigmoid(beta * x), a.k.a. swish (composite)."""
    return multiply(features, sigmoid(multiply(features, beta)))


def softsign(features, name=None):
    """x / (1 + |x|) (composite)."""
    return divide(features, add(abs(features), 1))


def sigmoid_cross_entropy_mean(labels, logits):
    """Mean binary cross-entropy with logits (composite helper for the course)."""
    return reduce_mean(sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


# ----- operators -------------------------------------------------------------------------


def _r(fn, name):
    def reflected(self, other):
        return fn(other, self)

    reflected.__name__ = reflected.__qualname__ = name
    return reflected


def _eq(self, other):
    if other is None:
        return False
    try:
        return equal(self, other)
    except (TypeError, ValueError):
        return False


def _ne(self, other):
    if other is None:
        return True
    try:
        return not_equal(self, other)
    except (TypeError, ValueError):
        return True


def _pos(self):
    return self if isinstance(self, Tensor) else identity(self)


def _and(self, other):
    return logical_and(self, other)


def _or(self, other):
    return logical_or(self, other)


def _xor(self, other):
    return logical_xor(self, other)


def _invert(self):
    return logical_not(self)


def _rmatmul(self, other):
    return matmul(other, self)


def bind_operators(cls=TensorLike) -> None:
    """Attach Python's operators to tensors and variables (the one place they are bound)."""
    table = {
        "__add__": add,
        "__radd__": _r(add, "__radd__"),
        "__sub__": subtract,
        "__rsub__": _r(subtract, "__rsub__"),
        "__mul__": multiply,
        "__rmul__": _r(multiply, "__rmul__"),
        "__truediv__": divide,
        "__rtruediv__": _r(divide, "__rtruediv__"),
        "__floordiv__": floordiv,
        "__rfloordiv__": _r(floordiv, "__rfloordiv__"),
        "__mod__": floormod,
        "__rmod__": _r(floormod, "__rmod__"),
        "__pow__": pow,
        "__rpow__": _r(pow, "__rpow__"),
        "__matmul__": matmul,
        "__rmatmul__": _rmatmul,
        "__neg__": negative,
        "__pos__": _pos,
        "__abs__": abs,
        "__lt__": less,
        "__le__": less_equal,
        "__gt__": greater,
        "__ge__": greater_equal,
        "__eq__": _eq,
        "__ne__": _ne,
        "__and__": _and,
        "__rand__": _r(logical_and, "__rand__"),
        "__or__": _or,
        "__ror__": _r(logical_or, "__ror__"),
        "__xor__": _xor,
        "__invert__": _invert,
        "__getitem__": getitem,
    }
    for name, fn in table.items():
        setattr(cls, name, fn)


bind_operators()
