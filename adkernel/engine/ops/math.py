"""Elementwise primitives: forward and VJP side by side, one block per op.

Conventions at non-differentiable points follow TensorFlow (measured on 2.21):
relu'(0) = 0, abs'(0) = 0, sign' = 0, leaky_relu'(0) = alpha, elu'(0) = 1,
maximum/minimum ties give the whole gradient to the first argument, sqrt'(0) = inf
and rsqrt'(0) = -inf (both 0 where the upstream gradient is 0), d(x**y)/dy =
g * x**y * log(x) with log(x) taken as 0 where x <= 0 (so NaN where x**y is inf or NaN),
clip_by_value is maximum(minimum(x, hi), lo): the gradient passes at exactly the bounds,
and a NaN input sends it to ``lo``.

Inside a VJP, ``_fresh(a)`` tells whether ``a`` is a numpy array the VJP just
allocated, so that it may be updated in place (``out=``) instead of allocating
again; on the tensor path (higher derivatives) everything is an op.
"""

from __future__ import annotations

import math as _pymath

import numpy as np

from ..dtypes import as_dtype
from ..errors import (
    DTypeError,
    InvalidArgumentError,
    NotFoundError,
    from_numpy_error,
    invalid_argument,
    invalid_dtype,
)
from ..i18n import _, lazy
from ..registry import (
    _packed,
    apply,
    bool_error,
    composite,
    defop,
    float_check,
    list_beside_variable,
    make_binary,
    one,
    unify,
)
from ..tensor import (
    TensorLike,
    _contains_numpy,
    _contains_tensor,
    convert_to_tensor,
    dtype_mismatch,
    operand,
)

_ndarray = np.ndarray
_F32 = np.dtype(np.float32)


def _unit(g) -> bool:
    """True when ``g`` is a broadcast view of the number 1: the upstream gradient of a
    sum. Multiplying by it changes nothing, so VJPs skip that pass over the data."""
    return (type(g) is _ndarray and not any(g.strides) and g.ndim > 0 and g.size > 0
            and g.item(0) == 1)


def _times(fresh, g):
    """``fresh * g``, in place when ``fresh`` is an array this VJP just allocated."""
    if type(g) is _ndarray and _unit(g) and np.shape(fresh) == g.shape:
        return fresh
    if type(fresh) is _ndarray and (type(g) is not _ndarray or g.shape == fresh.shape):
        fresh *= g
        return fresh
    return g * fresh


def _twice(x):
    """``2 * x``; for an array as ``x + x`` (the same bits: numpy multiplies by a Python int
    on a slower path, about 0.8 µs more on a small array), a tensor keeps its ``x * 2``."""
    return x + x if type(x) is _ndarray else x * 2


def _tsum(a, b):
    """The sum of two tangent contributions, either of which may be absent (None)."""
    return b if a is None else a if b is None else a + b


# ----- binary arithmetic -------------------------------------------------------------


@defop("add", uses=(), tf=("add", "math.add"), numpy=np.add,
       operators=("__add__",), local=("1", "1"))
def add(x, y):
    """x + y"""
    return x + y


@add.defvjp
def add_vjp(g, out, need, x, y):
    """d(x+y)/dx = 1, d(x+y)/dy = 1"""
    return g, g


def _python_floats(value) -> bool:
    """A Python float, or a list of numbers holding one (not numpy, not tensors)."""
    if type(value) is float:
        return True
    return (isinstance(value, list | tuple) and not _contains_numpy(value)
            and not _contains_tensor(value) and np.asarray(value).dtype.kind in "fc")


def refuse_python_floats(opname: str, x, y) -> None:
    """TensorFlow's ``add`` and ``matmul`` convert a Python float (or list of them) on its
    own, as float32, so meeting an integer tensor it raises InvalidArgumentError (the other
    ops raise TypeError: the float cannot become the tensor's dtype)."""
    for i, (v, other) in enumerate(((x, y), (y, x))):
        if (isinstance(other, TensorLike) and other._value.dtype.kind in "iub"
                and _python_floats(v)):
            a, b = (other._value.dtype, _F32) if i == 1 else (_F32, other._value.dtype)
            raise dtype_mismatch(opname, a, b)


_add_binary = make_binary(add)


_MAY_BE_PYTHON_FLOATS = (float, list, tuple)


def _add_general(x, y):
    """``tf.add`` off the fast path: like the other elementwise ops, except for Python floats
    meeting an integer tensor (InvalidArgumentError, as TensorFlow's AddV2)."""
    if type(x) in _MAY_BE_PYTHON_FLOATS or type(y) in _MAY_BE_PYTHON_FLOATS:
        refuse_python_floats("add", x, y)
        if type(x) in (list, tuple) and _contains_tensor(x) and isinstance(y, TensorLike):
            # tf.add converts x on its own first: a list of float32 tensors stays float32
            x = _packed(x, None)
    if isinstance(x, TensorLike) and x._value.dtype.kind == "b":
        # a number that cannot be a bool is taken in its own dtype: the kernel refuses both
        raise bool_error("add")
    return _add_binary(x, y)


# x + y (``tf.add``): two tensors of one dtype take the fast path of every elementwise op
add_api = add.api(make_binary(add, other=_add_general))


# ``y + x`` with ``x`` not a tensor is the plain elementwise add, no wrapper in between:
# TensorFlow converts ``x`` to ``y``'s dtype first (so ``0.5 + int_tensor`` is a TypeError).
composite(operators=("__radd__",))(_add_binary)


@add.defjvp
def add_jvp(t, out, x, y):
    """ẋ + ẏ"""
    return _tsum(t[0], t[1])


@defop("sub", uses=(), call="binary", tf=("subtract", "math.subtract"), numpy=np.subtract,
       operators=("__sub__", "__rsub__"), local=("1", "-1"))
def sub(x, y):
    """x - y"""
    return x - y


@sub.defvjp
def sub_vjp(g, out, need, x, y):
    """d(x-y)/dx = 1, d(x-y)/dy = -1"""
    return g, (-g if need[1] else None)


@sub.defjvp
def sub_jvp(t, out, x, y):
    """ẋ - ẏ"""
    return _tsum(t[0], None if t[1] is None else -t[1])


@defop("mul", uses=(0, 1), call="binary", tf=("multiply", "math.multiply"),
       numpy=np.multiply, local=("{1}", "{0}"))
def mul(x, y):
    """x * y"""
    return x * y


@mul.defvjp
def mul_vjp(g, out, need, x, y):
    """d(x*y)/dx = y, d(x*y)/dy = x"""
    if type(g) is _ndarray and _unit(g) and np.shape(x) == np.shape(y) == g.shape:
        return (y if need[0] else None), (x if need[1] else None)
    return (g * y if need[0] else None), (g * x if need[1] else None)


@mul.defjvp
def mul_jvp(t, out, x, y):
    """ẋ·y + x·ẏ"""
    return _tsum(None if t[0] is None else t[0] * y, None if t[1] is None else x * t[1])


_I32 = np.dtype(np.int32)
_mul_binary = make_binary(mul, bools=True)  # the operators' version (tf.multiply refuses bools)


def _bool_product(x, y):
    """``x * y`` when a bool tensor meets an operand of another dtype. TensorFlow's ``*``
    then casts both sides to int32, multiplies and casts the product to bool (True where it
    is not 0): ``bool * float`` is a bool (0.5 counts as 0). The casts cut the gradient path,
    as there. (Two bool tensors: numpy's product is the logical and, no casts needed.)"""
    return cast_api(_mul_binary(cast_api(x, _I32), cast_api(y, _I32)), np.bool_)


# ``x * y``: tf.multiply, except when a bool tensor takes part (see _bool_product)
composite(operators=("__mul__",))(make_binary(mul, bools=True, on_bool=_bool_product))


# ``x * y`` with ``x`` not a tensor is the plain elementwise multiply, no wrapper in between:
# ``x`` takes ``y``'s dtype first (``2 * bool_tensor`` is a TypeError, ``True * bool_tensor``
# a logical and).
composite(operators=("__rmul__",))(_mul_binary)


@defop("truediv", uses=(0, 1), tf=("divide", "math.divide"),
       numpy=np.true_divide, operators=("__truediv__", "__rtruediv__"),
       nan=lazy("division has derivative 1/y and -x/y**2, infinite where y = 0"),
       local=("1/{1}", "-{0}/{1}²"))
def truediv(x, y):
    """x / y"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / y


@truediv.defvjp
def truediv_vjp(g, out, need, x, y):
    """d(x/y)/dx = 1/y, d(x/y)/dy = -x/y**2, computed as (-x/y)/y (TensorFlow's order)"""
    # (-x/y)/y neither underflows (y*y for y = 1e-30) nor, differentiated again, multiplies
    # 0 by inf at y = 0 as y*y would: second derivatives are inf where TensorFlow's are
    gx = g / y if need[0] else None
    gy = g * (-x / y / y) if need[1] else None
    return gx, gy


@truediv.defjvp
def truediv_jvp(t, out, x, y):
    """ẋ/y - x·ẏ/y²"""
    return _tsum(None if t[0] is None else t[0] / y,
                 None if t[1] is None else -t[1] * x / (y * y))


def refuse_bool_division(opname: str, ref) -> None:
    """TensorFlow's ``/`` and ``divide_no_nan`` check the dtype in Python: a bool tensor is a
    TypeError there (not the kernels' InvalidArgumentError)."""
    if ref is not None and ref._value.dtype.kind == "b":
        raise DTypeError(_(
            "{op} does not work on bool tensors (True/False are not numbers in TensorFlow). "
            "Convert first: tf.cast(x, tf.float32).").format(op=opname))


@truediv.api
def divide(x, y, name=None):
    """x / y. Integer tensors are divided as float64 (float32 for 8- and 16-bit integers), like
    TensorFlow's truediv; any dtype mismatch raises TypeError, as there."""
    tx, ty = isinstance(x, TensorLike), isinstance(y, TensorLike)
    if ty and type(x) in (list, tuple):  # tf.divide converts x with y's dtype first
        x = _packed(x, y)
        tx = isinstance(x, TensorLike)
    if tx and ty and x._value.dtype != y._value.dtype:
        raise DTypeError(str(dtype_mismatch("truediv", x._value.dtype, y._value.dtype)))
    ref = x if tx else y if ty else None
    refuse_bool_division("truediv", ref)
    if ref is None or ref._value.dtype.kind not in "iu":
        return _truediv(x, y)
    dt = ref._value.dtype
    if not tx:
        x = convert_to_tensor(operand(x, dt))
    if not ty:
        if _python_floats(y):  # TensorFlow's own words for it: a TypeError
            raise DTypeError(str(dtype_mismatch("truediv", dt, _F32)))
        y = convert_to_tensor(operand(y, dt))
    to = np.float32 if dt.itemsize <= 2 else np.float64
    return _truediv(cast.api_fn(x, to), cast.api_fn(y, to))


@composite("truediv", "math.truediv")
def truediv_api(x, y, name=None):
    """x / y as ``tf.truediv``: unlike ``tf.divide``, which converts a list x with y's dtype,
    x is converted on its own (a Python float as float32, an int as int32, a list of tensors
    packed) and y with x's dtype where it can be; two dtypes are then a TypeError."""
    x = convert_to_tensor(x)
    if not isinstance(y, TensorLike):
        y = convert_to_tensor(_packed(y, x), dtype_hint=x._value.dtype)
    if x._value.dtype != y._value.dtype:
        raise DTypeError(str(dtype_mismatch("truediv", x._value.dtype, y._value.dtype)))
    return divide(x, y)


@defop("pow", uses=(0, 1, "out"), call="binary", tf=("pow", "math.pow"),
       numpy=(np.power, np.float_power), operators=("__pow__", "__rpow__"),
       nan=lazy("x**p has derivative p*x**(p-1), infinite at x = 0 for p < 1"),
       local=("{1}·{0}^({1} - 1)", "{0}^{1}·ln({0})"))
def pow_(x, y):
    """x ** y"""
    return _np_pow(x, y)


def _np_pow(x, y):
    """x ** y on arrays, as C's pow (TensorFlow's kernel): numpy computes ``x ** 0.5`` as
    sqrt(x), NaN at -inf and -0 at -0, where pow gives inf and +0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = x**y
    dtype = getattr(r, "dtype", None)
    if dtype is not None and dtype.kind == "f" and np.any(np.asarray(y) == 0.5):
        half = np.asarray(y) == 0.5
        r = np.where(half & np.isneginf(x), dtype.type(np.inf), r)
        r = np.where(half & (np.asarray(x) == 0), dtype.type(0), r).astype(dtype, copy=False)
    return r


def _pow_any(x, y):
    """x ** y: the op on a tensor (an outer tape records it), C's pow on arrays."""
    return x**y if isinstance(x, TensorLike) or isinstance(y, TensorLike) else _np_pow(x, y)


@pow_.defvjp
def pow_vjp(g, out, need, x, y):
    """d/dx = y * x**(y-1); d/dy = x**y * log(x), log(x) read as 0 where x <= 0 (NaN stays)"""
    gx = gy = None
    if need[0]:
        if np.ndim(y) == 0 and not need[1] and float(y) == 2.0:
            gx = _times(_twice(x), g)
        else:
            gx = g * y * _pow_any(x, y - 1)  # TensorFlow's order: (g * y) * x**(y-1)
    if need[1]:
        # TensorFlow's order: only log(x) is masked, so where x**y is inf or NaN
        # (0 ** -1, a negative base with a fractional exponent) d/dy is NaN, not 0
        positive = x > 0
        log_x = np.where(positive, np.log(np.where(positive, x, 1)), 0)
        gy = g * out * log_x
    return gx, gy


@pow_.defjvp
def pow_jvp(t, out, x, y):
    """y·x^(y-1)·ẋ + x^y·log(x)·ẏ (0 where x <= 0)"""
    tx = ty = None
    if t[0] is not None:
        tx = (x * 2 * t[0] if np.ndim(y) == 0 and float(y) == 2.0
              else t[0] * (y * _pow_any(x, y - 1)))
    if t[1] is not None:
        positive = x > 0
        ty = t[1] * np.where(positive, out * np.log(np.where(positive, x, 1)), 0)
    return _tsum(tx, ty)


@defop("maximum", uses=(0, 1), call="binary", tf=("maximum", "math.maximum"),
       numpy=np.maximum, local=(lazy("1 where {0} ≥ {1}, else 0"),
                                   lazy("1 where {1} > {0}, else 0")))
def maximum(x, y):
    """max(x, y) elementwise; x where they are equal (-0. and 0.: the first, as TensorFlow)"""
    return _first_on_ties(x, y, np.maximum(x, y))


def _first_on_ties(x, y, out):
    """``out`` with ``x`` where ``x == y``: TensorFlow's maximum and minimum return their
    first argument on a tie, which shows only as the sign of a zero (max(-0., 0.) is -0.)"""
    if getattr(out, "dtype", None) is None or out.dtype.kind != "f":
        return out
    return np.where(x == y, x, out).astype(out.dtype, copy=False)


@maximum.defvjp
def maximum_vjp(g, out, need, x, y):
    """the gradient goes to the larger input; ties go to x (TensorFlow's rule)"""
    first = x >= y
    gx = np.where(first, g, 0) if need[0] else None
    gy = np.where(first, 0, g) if need[1] else None
    return gx, gy


@defop("minimum", uses=(0, 1), call="binary", tf=("minimum", "math.minimum"),
       numpy=np.minimum, local=(lazy("1 where {0} ≤ {1}, else 0"),
                                   lazy("1 where {1} < {0}, else 0")))
def minimum(x, y):
    """min(x, y) elementwise; x where they are equal (-0. and 0.: the first, as TensorFlow)"""
    return _first_on_ties(x, y, np.minimum(x, y))


@minimum.defvjp
def minimum_vjp(g, out, need, x, y):
    """the gradient goes to the smaller input; ties go to x (TensorFlow's rule)"""
    first = x <= y
    gx = np.where(first, g, 0) if need[0] else None
    gy = np.where(first, 0, g) if need[1] else None
    return gx, gy


@defop("floormod", uses=(0, 1), call="binary", tf=("math.floormod",), numpy=np.remainder,
       operators=("__mod__", "__rmod__"), local=("1", "-floor({0}/{1})"))
def floormod(x, y):
    """x mod y (sign of y, like Python's %)"""
    refuse_integer_zero("floormod", x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.result_type(x, y).kind != "f":
            return np.mod(x, y)
        # TensorFlow's float kernel: C's fmod, moved by y when the signs differ; a zero
        # remainder keeps fmod's sign (x's), where numpy's mod gives y's (3 % -0.5 is +0)
        r = np.fmod(x, y)
        return np.where((r != 0) & ((r < 0) != (y < 0)), r + y, r)


def refuse_integer_zero(opname: str, x, y) -> None:
    """TensorFlow's integer ``//`` and ``%`` raise InvalidArgumentError when a divisor is 0
    (numpy would give 0 with a warning); an empty result raises nothing."""
    if np.result_type(y).kind in "iu" and np.size(y) and not np.all(y) and (
            np.size(x) and 0 not in np.broadcast_shapes(np.shape(x), np.shape(y))):
        raise invalid_argument(_(
            "Integer division by zero in {op}: a divisor is 0. Check the divisor (e.g. "
            "tf.where(y == 0, 1, y)) or divide floats instead.").format(op=opname), op=opname)


@floormod.defvjp
def floormod_vjp(g, out, need, x, y):
    """d(x mod y)/dx = 1, d(x mod y)/dy = -floor(x / y)"""
    gy = -g * np.floor(x / y) if need[1] else None
    return g, gy


@defop("squared_difference", uses=(0, 1), call="binary", tf=("math.squared_difference",),
       local=("2·({0} - {1})", "-2·({0} - {1})"))
def squared_difference(x, y):
    """(x - y) ** 2"""
    d = x - y
    return d * d


@squared_difference.defvjp
def squared_difference_vjp(g, out, need, x, y):
    """d/dx = 2(x-y), d/dy = -2(x-y)"""
    two_d = (x - y) * 2
    two_d = g * two_d
    return (two_d if need[0] else None), (-two_d if need[1] else None)


# ----- unary -------------------------------------------------------------------------


@defop("neg", uses=(), call="unary_any", tf=("negative", "math.negative"),
       numpy=np.negative, operators=("__neg__",), local=("-1",))
def neg(x):
    """-x"""
    return -x


@neg.defvjp
def neg_vjp(g, out, need, x):
    """d(-x)/dx = -1"""
    return (-g,)


@neg.defjvp
def neg_jvp(t, out, x):
    """-ẋ"""
    return -t[0]


@defop("exp", uses=("out",), call="unary", tf=("exp", "math.exp"), numpy=np.exp,
       local=("exp({0})",))
def exp(x):
    """exp(x)"""
    with np.errstate(over="ignore"):
        return np.exp(x)


@exp.defvjp
def exp_vjp(g, out, need, x):
    """d exp(x)/dx = exp(x)"""
    if _unit(g) and np.shape(out) == g.shape:
        return (out,)
    return (g * out,)


@exp.defjvp
def exp_jvp(t, out, x):
    """exp(x)·ẋ"""
    return t[0] * out


@defop("expm1", uses=(0,), call="unary", tf=("math.expm1",), numpy=np.expm1,
       local=("exp({0})",))
def expm1(x):
    """exp(x) - 1, accurate near 0 (-0.0 stays -0.0), as TensorFlow's Expm1 kernel"""
    with np.errstate(over="ignore"):
        return np.expm1(x)


@expm1.defvjp
def expm1_vjp(g, out, need, x):
    """d expm1(x)/dx = exp(x), computed from x as TensorFlow's gradient does (in a second
    derivative the upstream gradient of expm1's input is then multiplied by exp(x) on its own:
    elu(expm1(x)) at x = inf gives TensorFlow's 0 * inf = NaN)"""
    with np.errstate(over="ignore"):
        return (g * np.exp(x),)


@expm1.defjvp
def expm1_jvp(t, out, x):
    """exp(x)·ẋ"""
    with np.errstate(over="ignore"):
        return t[0] * np.exp(x)


@defop("log", uses=(0,), call="unary", tf=("log", "math.log"), numpy=np.log,
       nan=lazy("log has derivative 1/x, infinite at x = 0"), local=("1/{0}",))
def log(x):
    """log(x)"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


@log.defvjp
def log_vjp(g, out, need, x):
    """d log(x)/dx = 1/x, as g * reciprocal(x) (TensorFlow's form)"""
    # differentiated again, reciprocal's rule applies: 0 where its upstream gradient is 0,
    # so x * [3, 0] then log has second derivative -1/x**2 from the 3 and 0 (not NaN) from
    # the 0, where log(0 * x) is the constant -inf
    if isinstance(x, TensorLike) or isinstance(g, TensorLike):
        return (g * reciprocal(x),)
    return (g / x,)


@log.defjvp
def log_jvp(t, out, x):
    """ẋ/x"""
    return t[0] / x


@defop("log1p", uses=(0,), call="unary", tf=("math.log1p",), numpy=np.log1p,
       nan=lazy("log1p has derivative 1/(1+x), infinite at x = -1"), local=("1/(1 + {0})",))
def log1p(x):
    """log(1 + x)"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log1p(x)


@log1p.defvjp
def log1p_vjp(g, out, need, x):
    """d log(1+x)/dx = 1/(1+x), as g * reciprocal(1 + x) (TensorFlow's form)"""
    # differentiated again, reciprocal's rule applies: 0 where its upstream gradient is 0,
    # also where 1 + x is NaN, inf or 0 (tf: log1p(x / -inf) at x = NaN has 0 there)
    if isinstance(x, TensorLike) or isinstance(g, TensorLike):
        return (g * reciprocal(x + 1),)
    with np.errstate(divide="ignore"):
        return (g * (1 / (x + 1)),)


@defop("upstream_times", uses=(0, 1), local=("{1}", "{0}"))
def upstream_times_(g, factor):
    """g * factor, and 0 where g is 0 (even where factor is inf or NaN)"""
    with np.errstate(invalid="ignore"):
        return np.where(g == 0, 0, g * factor).astype(np.result_type(g, factor), copy=False)


@upstream_times_.defvjp
def upstream_times_vjp(gg, out, need, g, factor):
    """d/dg = factor everywhere (TensorFlow's SqrtGradGrad and friends ignore the mask, so a
    second derivative through a zero upstream gradient is not lost); d/dfactor = g"""
    return (gg * factor if need[0] else None), (gg * g if need[1] else None)


@upstream_times_.api
def upstream_times(g, factor):
    """``g * factor`` with 0 where ``g`` is 0: the VJP rule of sqrt, rsqrt and reciprocal
    (TensorFlow's), as an op so that an outer tape differentiates it like TensorFlow does."""
    args, vals = unify("upstream_times", (g, factor))
    return apply(upstream_times_, args, vals)


def _upstream_times(g, factor):
    if isinstance(g, TensorLike) or isinstance(factor, TensorLike):
        return upstream_times(g, factor)
    return upstream_times_.forward(g, factor)


@defop("sqrt", uses=("out",), call="unary", tf=("sqrt", "math.sqrt"), numpy=np.sqrt,
       nan=lazy("sqrt has derivative 1/(2 sqrt(x)), infinite at x = 0"), local=("1/(2·√{0})",))
def sqrt(x):
    """sqrt(x)"""
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


@sqrt.defvjp
def sqrt_vjp(g, out, need, x):
    """d sqrt(x)/dx = 1/(2 sqrt(x)); 0 where the upstream gradient is 0 (TensorFlow)"""
    return (_upstream_times(g, 0.5 / out),)


@defop("rsqrt", uses=("out",), call="unary", tf=("math.rsqrt",),
       nan=lazy("rsqrt has derivative -1/(2 x sqrt(x)), infinite at x = 0"),
       local=("-1/(2·{0}·√{0})",))
def rsqrt(x):
    """1 / sqrt(x)"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1 / np.sqrt(x)


@rsqrt.defvjp
def rsqrt_vjp(g, out, need, x):
    """d x**-0.5/dx = -0.5 * rsqrt(x)**3; 0 where the upstream gradient is 0 (TensorFlow)"""
    return (_upstream_times(g, (out * out * out) * -0.5),)


@defop("reciprocal", uses=("out",), tf=("math.reciprocal",),
       numpy=np.reciprocal, nan=lazy("1/x has derivative -1/x², infinite at x = 0"),
       local=("-1/{0}²",))
def reciprocal(x):
    """1 / x"""
    with np.errstate(divide="ignore"):
        return 1 / x


@reciprocal.defvjp
def reciprocal_vjp(g, out, need, x):
    """d(1/x)/dx = -(1/x)**2; 0 where the upstream gradient is 0 (TensorFlow)"""
    return (_upstream_times(g, -(out * out)),)


@reciprocal.api
def reciprocal_api(x, name=None):
    """1 / x, elementwise. An integer tensor raises NotFoundError, as in TensorFlow (which has
    no integer kernel for it)."""
    x, v = one(x)
    if v.dtype.kind == "b":
        raise bool_error("reciprocal")
    if v.dtype.kind not in "fc":
        raise NotFoundError(_(
            "reciprocal needs a float tensor, got {dtype} (TensorFlow has no integer version "
            "of it). Try tf.cast(x, tf.float32) first.").format(dtype=v.dtype.name),
            op="reciprocal")
    return apply(reciprocal, (x,), (v,))


@defop("square", uses=(0,), call="unary_any", tf=("square", "math.square"), numpy=np.square,
       local=("2·{0}",))
def square(x):
    """x ** 2"""
    return x * x


@square.defvjp
def square_vjp(g, out, need, x):
    """d x**2/dx = 2x"""
    return (_times(_twice(x), g),)


@square.defjvp
def square_jvp(t, out, x):
    """2x·ẋ"""
    return x * 2 * t[0]


@defop("abs", uses=(0,), call="unary_any", tf=("abs", "math.abs"), numpy=np.absolute,
       operators=("__abs__",), local=("sign({0})",))
def abs_(x):
    """|x|"""
    return np.abs(x)


@abs_.defvjp
def abs_vjp(g, out, need, x):
    """d|x|/dx = sign(x), 0 at 0"""
    return (g * np.sign(x),)


@defop("sign", uses=(), call="unary_any", tf=("sign", "math.sign"), numpy=np.sign,
       local=("0",))
def sign(x):
    """sign(x)"""
    return np.sign(x)


@sign.defvjp
def sign_vjp(g, out, need, x):
    """d sign(x)/dx = 0 (TensorFlow returns zeros, not None)"""
    return (np.zeros_like(g),)


@defop("sin", uses=(0,), call="unary", tf=("sin", "math.sin"), numpy=np.sin,
       local=("cos({0})",))
def sin(x):
    """sin(x)"""
    return np.sin(x)


@sin.defvjp
def sin_vjp(g, out, need, x):
    """d sin(x)/dx = cos(x)"""
    return (_times(np.cos(x), g),)


@sin.defjvp
def sin_jvp(t, out, x):
    """cos(x)·ẋ"""
    return np.cos(x) * t[0]


@defop("cos", uses=(0,), call="unary", tf=("cos", "math.cos"), numpy=np.cos,
       local=("-sin({0})",))
def cos(x):
    """cos(x)"""
    return np.cos(x)


@cos.defvjp
def cos_vjp(g, out, need, x):
    """d cos(x)/dx = -sin(x)"""
    return (-g * np.sin(x),)


@cos.defjvp
def cos_jvp(t, out, x):
    """-sin(x)·ẋ"""
    return -t[0] * np.sin(x)


@defop("cosh", uses=(0,), call="unary", tf=("math.cosh", "cosh"), numpy=np.cosh,
       local=("sinh({0})",))
def cosh(x):
    """cosh(x)"""
    with np.errstate(over="ignore"):
        return np.cosh(x)


@cosh.defvjp
def cosh_vjp(g, out, need, x):
    """d cosh(x)/dx = sinh(x)"""
    # sinh as one op (TensorFlow's form): differentiated again it gives g * cosh(x), inf at
    # x = inf, where (exp(x) - exp(-x)) / 2 would add inf * exp(-inf) = inf * 0 = NaN
    with np.errstate(over="ignore"):
        return (g * np.sinh(x),)


@defop("sinh", uses=(0,), call="unary", tf=("math.sinh", "sinh"), numpy=np.sinh,
       local=("cosh({0})",))
def sinh(x):
    """sinh(x)"""
    with np.errstate(over="ignore"):
        return np.sinh(x)


@sinh.defvjp
def sinh_vjp(g, out, need, x):
    """d sinh(x)/dx = cosh(x)"""
    with np.errstate(over="ignore"):
        return (g * np.cosh(x),)


@defop("tan", uses=("out",), call="unary", tf=("tan", "math.tan"), numpy=np.tan,
       local=("1 + tan({0})²",))
def tan(x):
    """tan(x)"""
    return np.tan(x)


@tan.defvjp
def tan_vjp(g, out, need, x):
    """d tan(x)/dx = 1 + tan(x)**2"""
    return (g * (out * out + 1),)


@defop("tanh", uses=("out",), call="unary", tf=("tanh", "math.tanh", "nn.tanh"),
       numpy=np.tanh, local=("1 - tanh({0})²",))
def tanh(x):
    """tanh(x)"""
    return np.tanh(x)


@tanh.defvjp
def tanh_vjp(g, out, need, x):
    """d tanh(x)/dx = 1 - tanh(x)**2"""
    d = out * out
    if type(d) is _ndarray:
        np.subtract(1.0, d, out=d)  # a Python float: numpy's faster path than an int
        return (_times(d, g),)
    return (g * (1 - d),)


@tanh.defjvp
def tanh_jvp(t, out, x):
    """(1 - tanh(x)²)·ẋ"""
    return t[0] * (1 - out * out)


@defop("atanh", uses=(0,), call="unary", tf=("math.atanh", "atanh"), numpy=np.arctanh,
       nan=lazy("atanh has derivative 1/(1 - x²), infinite at x = ±1"),
       local=("1/(1 - {0}²)",))
def atanh(x):
    """atanh(x)"""
    return np.arctanh(x)


@atanh.defvjp
def atanh_vjp(g, out, need, x):
    """d atanh(x)/dx = 1/(1 - x**2), as g * reciprocal(1 - x**2) (TensorFlow's form)"""
    # differentiated again, reciprocal's rule applies: 0 where its upstream gradient is 0,
    # also at x = ±1 (as TensorFlow; g / (1 - x**2) would give 0 * inf = NaN there)
    if isinstance(x, TensorLike) or isinstance(g, TensorLike):
        return (g * reciprocal(1 - x * x),)
    return (g / (1 - x * x),)


@defop("sigmoid", uses=("out",), call="unary", tf=("sigmoid", "math.sigmoid", "nn.sigmoid"),
       local=("σ({0})·(1 - σ({0}))",))
def sigmoid(x):
    """1 / (1 + exp(-x))"""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


@sigmoid.defvjp
def sigmoid_vjp(g, out, need, x):
    """d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x))"""
    return (g * (out * (1 - out)),)


@sigmoid.defjvp
def sigmoid_jvp(t, out, x):
    """σ(x)(1 - σ(x))·ẋ"""
    return t[0] * (out * (1 - out))


@defop("relu", uses=(0,), call="unary_any", arg="features", tf=("nn.relu",),
       local=(lazy("1 where {0} > 0, else 0"),))
def relu(x):
    """max(x, 0): 0 where x < 0, else x (so -0. and NaN stay, as in TensorFlow)"""
    return np.where(x < 0, 0, x)


@relu.defvjp
def relu_vjp(g, out, need, x):
    """d relu(x)/dx = 1 where x > 0, else 0 (also at 0 and NaN); g times it, so NaN * 0 is NaN"""
    return (_gated(g, x, x > 0),)


def _gated(g, x, keep):
    """``g`` times the 0/1 mask ``keep`` of a piecewise-linear op's derivative (relu, relu6).

    MULTIPLIED, as TensorFlow's kernels do, not selected: a NaN (or inf) upstream gradient
    where the mask is 0 gives NaN, not 0. In a recorded pass the mask depends on ``x`` with
    derivative 0, so that the second derivative is zeros, not None."""
    if isinstance(x, _ndarray | np.generic):
        return g * keep.astype(np.result_type(g, x), copy=False)
    return g * np.where(keep, np.ones_like(x) + _zero_slope(x), np.zeros_like(x))


@defop("relu6", uses=(0,), call="unary_any", arg="features", tf=("nn.relu6",),
       local=(lazy("1 where 0 < {0} < 6, else 0"),))
def relu6(x):
    """min(max(x, 0), 6) (NaN stays, -0. becomes 0, as in TensorFlow)"""
    return np.minimum(np.maximum(x, 0), 6) + 0  # + 0: -0. becomes 0., as TensorFlow's


@relu6.defvjp
def relu6_vjp(g, out, need, x):
    """d relu6(x)/dx = 1 where 0 < x < 6, else 0 (also at 0, at 6 and at NaN, as
    TensorFlow's Relu6Grad); g times it, as relu's"""
    return (_gated(g, x, (x > 0) & (x < 6)),)


def _zero_slope(x):
    """0, recorded as depending on ``x`` with derivative 0 (``sign``'s, which is zeros).

    Added to a piecewise-linear VJP in a recorded pass so that its second derivative is
    zeros, as in TensorFlow, not None (a comparison alone would cut ``x`` off)."""
    return 0 * np.sign(x)


@defop("leaky_relu", uses=(0,), tf=("nn.leaky_relu",),
       local=(lazy("1 where {0} > 0, else alpha"),))
def leaky_relu(x, alpha=0.2):
    """x where x > 0, else alpha * x"""
    return np.where(x > 0, x, x * alpha)


@leaky_relu.defvjp
def leaky_relu_vjp(g, out, need, x, alpha=0.2):
    """1 where x > 0, else alpha (alpha at 0, as TensorFlow)"""
    if isinstance(x, _ndarray | np.generic):
        return (np.where(x > 0, g, g * alpha),)
    return (np.where(x > 0, g + _zero_slope(x), g * alpha),)


@leaky_relu.api
def leaky_relu_api(features, alpha=0.2, name=None):
    """x where x > 0, else alpha * x (alpha is also the slope at 0)."""
    x, v = one(features)
    if v.dtype.kind in "iu":  # TensorFlow casts integer features to float32
        x = cast_api(x, "float32")
        v = x._value
    float_check("leaky_relu", v)
    # TensorFlow keeps alpha as a float32 attribute, also for float64 features
    return apply(leaky_relu, (x,), (v,), {"alpha": float(np.float32(alpha))})


@defop("elu", uses=("out",), call="unary", arg="features", tf=("nn.elu",),
       local=(lazy("1 where {0} > 0, else exp({0})"),))
def elu(x):
    """x where x > 0, else exp(x) - 1"""
    with np.errstate(over="ignore"):
        return np.where(x < 0, np.expm1(np.minimum(x, 0)), x)  # -0. and NaN stay


@elu.defvjp
def elu_vjp(g, out, need, x):
    """exp(x) = elu(x) + 1 where elu(x) < 0, else 1 (1 at 0 and at NaN, as TensorFlow)"""
    # read from the output, as TensorFlow does: a NaN input passes the upstream gradient
    # unchanged; and g multiplies a finite factor (1 where elu(x) = inf), so that the
    # derivative with respect to g has no 0 * inf to leak NaN into other elements
    return (g * np.where(out < 0, out + 1, 1),)


_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_SCALE_ALPHA = 1.7580993408473768599402175208123  # scale * alpha


@defop("selu", uses=("out",), call="unary", arg="features", tf=("nn.selu",),
       local=(lazy("scale where {0} ≥ 0, else selu({0}) + scale·alpha"),))
def selu(x):
    """scale·x where x ≥ 0, else scale·alpha·(exp(x) - 1) (TensorFlow's constants)"""
    # TensorFlow's exp(x) - 1 (not expm1); Python floats keep the input's dtype
    neg = (np.exp(np.minimum(x, 0)) - 1.0) * _SELU_SCALE_ALPHA
    return np.where(x < 0, neg, x * _SELU_SCALE)


@selu.defvjp
def selu_vjp(g, out, need, x):
    """selu(x) + scale·alpha where selu(x) < 0, else scale (TensorFlow's SeluGrad, read
    from the output: 1.0507 at 0, at inf and at NaN)"""
    return (g * np.where(out < 0, out + _SELU_SCALE_ALPHA, _SELU_SCALE),)


@defop("softplus", uses=(0,), call="unary", arg="features",
       tf=("math.softplus", "nn.softplus"),
       local=("σ({0})",))
def softplus(x):
    """log(1 + exp(x)), computed without overflow"""
    with np.errstate(invalid="ignore"):
        return np.logaddexp(x, 0).astype(np.result_type(x), copy=False)


def _sigmoid_of(x):
    """sigmoid(x): the op on a tensor (an outer tape records it), its numpy form on an array."""
    return sigmoid(x) if isinstance(x, TensorLike) else sigmoid.forward(x)


@softplus.defvjp
def softplus_vjp(g, out, need, x):
    """d softplus(x)/dx = sigmoid(x); the second derivative is sigmoid's, as TensorFlow's"""
    return (g * _sigmoid_of(x),)


@defop("silu", uses=(0,), local=("σ(β{0})·(1 + β{0}·(1 - σ(β{0})))",))
def silu(x, beta=1.0):
    """x * sigmoid(beta * x) (tf.nn.silu with a number for beta)"""
    with np.errstate(over="ignore"):
        return x * (1 / (1 + np.exp(-(x * beta))))


@silu.defvjp
def silu_vjp(g, out, need, x, beta=1.0):
    """σ(βx)·(1 + βx·(1 - σ(βx))), then times g, as TensorFlow's swish gradient"""
    # the factor is formed first and g multiplies it once: an infinite upstream gradient
    # at x = 0 gives -inf * 0.5, not the NaN of inf * 0 that x * sigmoid(x) differentiated
    # term by term would give
    bx = x * beta
    s = _sigmoid_of(bx)
    return (g * (s * (1 + bx * (1 - s))),)


@defop("softsign", uses=(0,), call="unary", arg="features", tf=("nn.softsign",),
       local=("1/(1 + |{0}|)²",))
def softsign(x):
    """x / (1 + |x|)"""
    with np.errstate(invalid="ignore"):
        return x / (np.abs(x) + 1)


@softsign.defvjp
def softsign_vjp(g, out, need, x):
    """d softsign(x)/dx = 1/(1 + |x|)**2, computed as g/(1+|x|)/(1+|x|): 0 at ±inf"""
    d = np.abs(x) + 1
    return (g / d / d,)


@defop("clip_by_value", uses=(0, 1, 2), tf=("clip_by_value",),
       local=(lazy("1 where inside the bounds, else 0"), lazy("1 where below"),
              lazy("1 where above")))
def clip_by_value(x, lo, hi):
    """max(min(x, hi), lo), TensorFlow's order (lo wins when lo > hi; ties keep the first)"""
    return maximum.forward(minimum.forward(x, hi), lo)


@clip_by_value.defvjp
def clip_by_value_vjp(g, out, need, x, lo, hi):
    """as maximum(minimum(x, hi), lo): x where lo <= x <= hi (bounds too), NaN x to lo"""
    under = x <= hi  # minimum's rule: ties go to x, a NaN x goes to hi
    past_lo = np.minimum(x, hi) >= lo  # maximum's rule: ties go to the first argument
    kept = np.where(past_lo, g, 0)
    gx = np.where(under, kept, 0) if need[0] else None
    glo = np.where(past_lo, 0, g) if need[1] else None
    ghi = np.where(under, 0, kept) if need[2] else None
    return gx, glo, ghi


def _clip_bound_check(t, bound, lo, hi) -> None:
    """One step of TensorFlow's clip_by_value: ``bound`` converted to ``t``'s dtype (its
    TypeError), broadcast with ``t`` (InvalidArgumentError), and a result as big as ``t``
    (else ValueError)."""
    vals = unify("clip_by_value", (t, bound))[1]
    if vals[0].dtype.kind == "b":
        return
    shape = np.shape(vals[0])
    try:
        full = np.broadcast_shapes(shape, np.shape(vals[1]))
    except ValueError:
        views = [np.broadcast_to(np.zeros((), bool), np.shape(v)) for v in vals]
        try:  # the ufunc's message ("operands could not be broadcast together ..."), translated
            np.logical_and(*views)
        except ValueError as e:
            raise from_numpy_error("clip_by_value", e, [np.shape(v) for v in vals]) from None
        raise
    if full != shape:
        raise ValueError(_(
            "clip_by_value: the bounds (shapes {lo} and {hi}) would make the result bigger than "
            "the tensor (shape {shape}); TensorFlow refuses this. Give bounds of the tensor's "
            "shape, or ones that broadcast to it, such as single numbers.").format(
                lo=list(np.shape(lo)), hi=list(np.shape(hi)), shape=list(shape)))


@clip_by_value.api
def clip_by_value_api(t, clip_value_min, clip_value_max, name=None):
    """Clamp to [min, max] as max(min(t, max), min); the gradient passes inside and at
    the bounds."""
    # TensorFlow's order: minimum(t, max), a shape check, then maximum(that, min) and the
    # check again, so max's errors come before min's
    _clip_bound_check(t, clip_value_max, clip_value_min, clip_value_max)
    _clip_bound_check(t, clip_value_min, clip_value_min, clip_value_max)
    args, vals = unify("clip_by_value", (t, clip_value_min, clip_value_max))
    if vals[0].dtype.kind == "b":
        raise bool_error("clip_by_value")
    return apply(clip_by_value, args, vals)


@defop("where", uses=(0,), tf=("where",),
       local=("0", lazy("1 where the condition holds, else 0"),
              lazy("0 where the condition holds, else 1")))
def where(cond, x, y):
    """x where cond, else y"""
    return np.where(cond, x, y)


@where.defvjp
def where_vjp(g, out, need, cond, x, y):
    """the gradient goes to the selected branch; the other branch gets 0 (not NaN-safe)"""
    gx = np.where(cond, g, 0) if need[1] else None
    gy = np.where(cond, 0, g) if need[2] else None
    return None, gx, gy


@where.api
def where_api(condition, x=None, y=None, name=None):
    """Pick ``x`` where ``condition`` holds, else ``y``; with one argument, the indices."""
    c = condition._value if isinstance(condition, TensorLike) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise TypeError(_("tf.where needs a bool condition, got {dtype}; try x > 0.").format(
                            dtype=c.dtype.name))
    if x is None and y is None:
        return convert_to_tensor(np.argwhere(c).astype(np.int64))
    if x is None or y is None:
        raise ValueError(_("tf.where needs both x and y, or neither."))
    args, vals = unify("where", (x, y))
    cond_arg = condition if isinstance(condition, TensorLike) else None
    return apply(where, (cond_arg, *args), (c, *vals))


@defop("identity", uses=(), call="unary_all", arg="input", tf=("identity",), numpy=np.positive,
       local=("1",))
def identity(x):
    """x"""
    return x


@identity.defvjp
def identity_vjp(g, out, need, x):
    """d x/dx = 1"""
    return (g,)


@defop("cast", uses=(0,), tf=("cast",), local=("1",))
def cast(x, dtype):
    """x converted to another float (or complex) dtype"""
    return x.astype(dtype)


@cast.defvjp
def cast_vjp(g, out, need, x, dtype):
    """the gradient is cast back to the input's dtype"""
    if isinstance(x, _ndarray | np.generic):
        return (g.astype(x.dtype) if g.dtype != x.dtype else g,)
    return (cast(g, dtype=np.result_type(x)),)


@cast.api
def cast_api(x, dtype, name=None):
    """Convert to ``dtype``. Float-to-float casts pass gradients; casts to ints cut them; to
    the same dtype, ``x`` itself comes back (a tensor or variable, as in TensorFlow)."""
    target = as_dtype(dtype)._np
    x, v = one(x)
    if v.dtype == target:  # TensorFlow hands back the tensor or variable itself
        return x if isinstance(x, TensorLike) else identity.public(x)
    if target.kind in "fc":
        return apply(cast, (x,), (v,), {"dtype": target})
    return apply(cast_to_integer, (x,), (v,), {"dtype": target})


# ----- declared non-differentiable -------------------------------------------------------


@defop("cast_to_integer", differentiable=False,
       cut=lazy("a cast to an integer or bool dtype (tf.cast(..., tf.int32)), which has no "
                "gradient: keep the computation in floats"))
def cast_to_integer(x, dtype):
    """x converted to an integer or bool dtype (cuts the gradient path)"""
    if np.dtype(dtype).kind in "iu":
        with np.errstate(invalid="ignore"):
            return np.trunc(x).astype(dtype) if np.result_type(x).kind == "f" else x.astype(dtype)
    return x.astype(dtype)


@defop("stop_gradient", differentiable=False, call="unary_all", arg="input",
       tf=("stop_gradient",),
       cut=lazy("tf.stop_gradient, which blocks gradients on purpose"))
def stop_gradient(x):
    """x, with no gradient flowing back through it"""
    return x


@defop("round", differentiable=False, call="unary_any", tf=("round", "math.round"),
       numpy=np.rint,
       cut=lazy("tf.round, a step function whose gradient TensorFlow leaves undefined (None)"))
def round_(x):
    """x rounded half to even"""
    return np.round(x)


@defop("floor", differentiable=False, call="unary", tf=("floor", "math.floor"), numpy=np.floor,
       cut=lazy("tf.floor, a step function whose gradient TensorFlow leaves undefined (None)"))
def floor(x):
    """largest integer <= x"""
    return np.floor(x)


@defop("ceil", differentiable=False, call="unary", tf=("ceil", "math.ceil"), numpy=np.ceil,
       cut=lazy("tf.math.ceil, a step function whose gradient TensorFlow leaves undefined (None)"))
def ceil(x):
    """smallest integer >= x"""
    return np.ceil(x)


@defop("floordiv", differentiable=False, call="binary", tf=("math.floordiv",),
       numpy=np.floor_divide, operators=("__floordiv__", "__rfloordiv__"),
       cut=lazy("integer division (//), which has no gradient"))
def floordiv(x, y):
    """floor(x / y); an integer division by zero raises (TensorFlow)"""
    refuse_integer_zero("floordiv", x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.result_type(x, y).kind in "fc":
            # TensorFlow floors the rounded quotient (numpy's floor_divide does not):
            # -2.48 // -0.08 is 31, -inf // 2 is -inf, 1 // -inf is -0
            return np.floor(np.true_divide(x, y))
        return np.floor_divide(x, y)


@defop("equal", differentiable=False, call="binary_all", tf=("equal", "math.equal"), numpy=np.equal)
def equal(x, y):
    """x == y"""
    return np.equal(x, y)


@defop("not_equal", differentiable=False, call="binary_all", tf=("not_equal", "math.not_equal"),
       numpy=np.not_equal)
def not_equal(x, y):
    """x != y"""
    return np.not_equal(x, y)


@defop("less", differentiable=False, call="binary", tf=("less", "math.less"), numpy=np.less,
       operators=("__lt__",))
def less(x, y):
    """x < y"""
    return np.less(x, y)


@defop("less_equal", differentiable=False, call="binary", tf=("less_equal", "math.less_equal"),
       numpy=np.less_equal, operators=("__le__",))
def less_equal(x, y):
    """x <= y"""
    return np.less_equal(x, y)


@defop("greater", differentiable=False, call="binary", tf=("greater", "math.greater"),
       numpy=np.greater, operators=("__gt__",))
def greater(x, y):
    """x > y"""
    return np.greater(x, y)


@defop("greater_equal", differentiable=False, call="binary",
       tf=("greater_equal", "math.greater_equal"), numpy=np.greater_equal, operators=("__ge__",))
def greater_equal(x, y):
    """x >= y"""
    return np.greater_equal(x, y)


# ----- logical ops (bool tensors only) and bitwise ops (integer tensors only) -------------
#
# TensorFlow's logical ops take bool tensors and nothing else: a Python number or list must
# already be a bool (TypeError), a numpy array is converted with astype, and a tensor of
# another dtype is refused (InvalidArgumentError). ``& | ^ ~`` are logical on bool tensors
# and bitwise (tf.bitwise) on integer tensors; on float tensors they are refused.

_BOOL = np.dtype(bool)


def _logical_operand(v):
    """An argument of a logical op as a tensor (numbers and lists must be bools)."""
    if isinstance(v, TensorLike):
        return v
    if isinstance(v, list | tuple) and any(isinstance(e, TensorLike) for e in v):
        return _packed_bools(v)
    if not isinstance(v, np.ndarray | np.generic) and np.asarray(v).dtype.kind != "b":
        raise DTypeError(_("Cannot convert {value!r} to EagerTensor of dtype bool").format(
            value=v))
    return convert_to_tensor(operand(v, _BOOL))


def _packed_bools(items):
    """A list holding tensors, packed into one bool tensor as TensorFlow does when a bool is
    wanted: each tensor is cast (non-zero and NaN give True), Python values must be bools."""
    parts = []
    first_bool = isinstance(items[0], TensorLike) and items[0]._value.dtype.kind == "b"
    for i, e in enumerate(items):
        if first_bool and isinstance(e, TensorLike) and e._value.dtype.kind != "b":
            # TensorFlow packs with the first tensor's dtype: a bool one makes others wrong
            raise invalid_argument(_(
                "cannot pack a list into one tensor: item #{i} is a {dtype} tensor but the "
                "first is a bool tensor. Give tensors of one dtype (tf.cast them).").format(
                    i=i, dtype=e._value.dtype.name), op="Pack")
        if isinstance(e, TensorLike):
            parts.append(np.asarray(e._value) != 0)
        else:
            parts.append(_logical_operand(e)._value)
    if len({p.shape for p in parts}) > 1:
        raise invalid_argument(_(
            "Shapes of all inputs must match to pack a list into one tensor, got {shapes}."
            ).format(shapes=[list(p.shape) for p in parts]), op="Pack")
    return convert_to_tensor(np.stack(parts))


def _list_beside_tensor(*args) -> list:
    """TensorFlow converts every argument of a logical op to bool before the op, in order,
    when one of them is a Python list: a list is packed (a list that cannot be packed, such
    as ``clip_by_global_norm``'s ``(list, norm)``, raises its InvalidArgumentError first when
    it comes first), and a tensor of another dtype is a ValueError (not the op's
    InvalidArgumentError, which two tensors meet)."""
    converted = []
    for v in args:
        if not isinstance(v, TensorLike):
            converted.append(_logical_operand(v))
            continue
        converted.append(v)
        if v._value.dtype.kind != "b":
            raise ValueError(_(
                "Tensor conversion requested dtype bool for a tensor of dtype {dtype}: a "
                "logical op takes bool tensors only. Compare first to get bools (e.g. x > 0), "
                "or convert with tf.cast(x, tf.bool).").format(dtype=v._value.dtype.name))
    return converted


def _bool_check(tf_name: str, *tensors) -> None:
    for i, t in enumerate(tensors):
        if t._value.dtype.kind != "b":
            raise invalid_dtype(_(
                "tf.{op} works on bool tensors only, but input #{i} is {dtype}. Compare first "
                "to get bools (e.g. x > 0), or convert with tf.cast(x, tf.bool).").format(
                    op=tf_name, i=i, dtype=t._value.dtype.name), op=tf_name)


def _int_check(tf_name: str, *tensors) -> None:
    for i, t in enumerate(tensors):
        if t._value.dtype.kind not in "iu":
            raise invalid_dtype(_(
                "tf.{op} works on integer tensors only, but input #{i} is {dtype}. Convert "
                "with tf.cast(x, tf.int32) first (or use bool tensors with & | ^ ~ for "
                "logical and, or, xor, not).").format(
                    op=tf_name, i=i, dtype=t._value.dtype.name), op=tf_name)


def _int_pair(x, y):
    """Both arguments of a bitwise op as tensors: a number or array takes the dtype of the
    tensor beside it (TypeError if it cannot, e.g. 2.5 for int32)."""
    if not isinstance(x, TensorLike):
        x = convert_to_tensor(x if not isinstance(y, TensorLike) else operand(
            x, y._value.dtype))
    if not isinstance(y, TensorLike):
        y = convert_to_tensor(operand(y, x._value.dtype))
    return x, y


def _logical_api(op, tf_name: str):
    binary = make_binary(op, bools=True)

    def logical(x, y, name=None):
        if isinstance(x, list | tuple) or isinstance(y, list | tuple):
            x, y = _list_beside_tensor(x, y)
        x, y = _logical_operand(x), _logical_operand(y)
        _bool_check(tf_name, x, y)
        return binary(x, y)

    logical.__name__ = logical.__qualname__ = op.name
    logical.__doc__ = f"Elementwise {op.doc} of two bool tensors (no gradient)."
    return op.api(logical)


def _bitwise_api(op, tf_name: str):
    binary = make_binary(op)

    def bitwise(x, y, name=None):
        list_beside_variable(x, y)  # TensorFlow's slow conversion path (a list first)
        x, y = _int_pair(x, y)
        _int_check(tf_name, x, y)
        return binary(x, y)

    bitwise.__name__ = bitwise.__qualname__ = op.name
    bitwise.__doc__ = f"Elementwise {op.doc} of two integer tensors (no gradient)."
    return op.api(bitwise)


@defop("logical_and", differentiable=False, tf=("logical_and", "math.logical_and"),
       numpy=np.logical_and)
def logical_and(x, y):
    """x and y (bool tensors)"""
    return np.logical_and(x, y)


@defop("logical_or", differentiable=False, tf=("logical_or", "math.logical_or"),
       numpy=np.logical_or)
def logical_or(x, y):
    """x or y (bool tensors)"""
    return np.logical_or(x, y)


@defop("logical_xor", differentiable=False, tf=("math.logical_xor",), numpy=np.logical_xor)
def logical_xor(x, y):
    """x xor y (bool tensors)"""
    return np.logical_xor(x, y)


@defop("logical_not", differentiable=False, tf=("logical_not", "math.logical_not"),
       numpy=np.logical_not)
def logical_not(x):
    """not x (a bool tensor)"""
    return np.logical_not(x)


@logical_not.api
def logical_not_api(x, name=None):
    """Elementwise not of a bool tensor (no gradient)."""
    x = _logical_operand(x)
    _bool_check("logical_not", x)
    return apply(logical_not, (x,), (x._value,))


logical_not_api.__name__ = logical_not_api.__qualname__ = "logical_not"


@defop("bitwise_and", differentiable=False, tf=("bitwise.bitwise_and",))
def bitwise_and(x, y):
    """x & y bit by bit (integer tensors)"""
    return np.bitwise_and(x, y)


@defop("bitwise_or", differentiable=False, tf=("bitwise.bitwise_or",))
def bitwise_or(x, y):
    """x | y bit by bit (integer tensors)"""
    return np.bitwise_or(x, y)


@defop("bitwise_xor", differentiable=False, tf=("bitwise.bitwise_xor",))
def bitwise_xor(x, y):
    """x ^ y bit by bit (integer tensors)"""
    return np.bitwise_xor(x, y)


def _unsigned(x):
    return x.astype(np.dtype(f"u{x.dtype.itemsize}"))


@defop("left_shift", differentiable=False, tf=("bitwise.left_shift",))
def left_shift(x, y):
    """x << y, y clipped to [0, bits - 1], wrapping around as TensorFlow does"""
    bits = x.dtype.itemsize * 8
    shifted = np.left_shift(_unsigned(x), _unsigned(np.clip(y, 0, bits - 1)))
    return shifted.astype(np.result_type(x, y))


@defop("right_shift", differentiable=False, tf=("bitwise.right_shift",))
def right_shift(x, y):
    """x >> y (arithmetic: the sign bit is kept), y clipped to [0, bits - 1]"""
    bits = x.dtype.itemsize * 8
    return np.right_shift(x, np.clip(y, 0, bits - 1).astype(x.dtype))


@defop("invert", differentiable=False, tf=("bitwise.invert",))
def invert(x):
    """~x: every bit flipped (an integer tensor)"""
    return np.invert(x)


@invert.api
def invert_api(x, name=None):
    """Every bit of an integer tensor flipped (``-x - 1`` for signed integers)."""
    x = x if isinstance(x, TensorLike) else convert_to_tensor(x)
    _int_check("bitwise.invert", x)
    return apply(invert, (x,), (x._value,))


invert_api.__name__ = invert_api.__qualname__ = "invert"

for _op, _name in ((logical_and, "logical_and"), (logical_or, "logical_or"),
                   (logical_xor, "logical_xor")):
    _logical_api(_op, _name)


def _truth(v):
    """numpy's view of a value in np.logical_*: nonzero is True (for any dtype)."""
    t = v if isinstance(v, TensorLike) else convert_to_tensor(np.asarray(v))
    if t._value.dtype.kind == "b":
        return t
    return apply(not_equal, (t, None), (t._value, np.zeros((), t._value.dtype)))


def _numpy_logical(op):
    def numpy_logical(*args):
        return op.public(*[_truth(a) for a in args])

    numpy_logical.__name__ = numpy_logical.__qualname__ = "np_" + op.name
    return op.numpy_api(numpy_logical)


for _op in (logical_and, logical_or, logical_xor, logical_not):
    _numpy_logical(_op)
for _op in (bitwise_and, bitwise_or, bitwise_xor, left_shift, right_shift):
    _bitwise_api(_op, "bitwise." + _op.name)


def _bool_or_int(x, y, logical, bitwise):
    """``x & y`` and friends: logical on a bool tensor, bitwise on an integer tensor (the
    tensor is ``x``, or ``y`` when Python calls the reflected operator)."""
    t = x if isinstance(x, TensorLike) else y
    kind = t._value.dtype.kind
    if kind == "b":
        return logical.public(x, y)
    if kind not in "iu":  # a number beside a float tensor still has to convert first
        x, y = _int_pair(x, y)
    return bitwise.public(x, y)


@composite(operators=("__and__", "__rand__"), numpy=np.bitwise_and)
def _and(x, y):
    return _bool_or_int(x, y, logical_and, bitwise_and)


@composite(numpy=np.bitwise_xor)
def _xor(x, y):
    return _bool_or_int(x, y, logical_xor, bitwise_xor)


@composite(operators=("__xor__", "__rxor__"))
def _xor_operator(x, y):
    """``x ^ y``. A float tensor beside ``^`` is almost always a power written as in maths
    (``x^3``): the error says that ``^`` is XOR and powers are ``**`` (TensorFlow's error
    class, InvalidArgumentError, is kept)."""
    for i, t in enumerate((x, y)):
        if isinstance(t, TensorLike) and t._value.dtype.kind in "fc":
            raise invalid_dtype(_(
                "In Python `^` is bitwise XOR, not a power: it works on integer or bool "
                "tensors only, but input #{i} is {dtype}. To raise to a power write `**`, "
                "e.g. `x**3` for x cubed.").format(i=i, dtype=t._value.dtype.name),
                op="bitwise.bitwise_xor")
    return _xor(x, y)


@composite(operators=("__or__", "__ror__"), numpy=np.bitwise_or)
def _or(x, y):
    if isinstance(x, TensorLike) and not isinstance(y, TensorLike):
        try:  # when y does not convert, TensorFlow asks y for __ror__: AttributeError for
            # a float, a str or None (their type has __ror__, for unions; they have not)
            y = _logical_operand(y) if x._value.dtype.kind == "b" else convert_to_tensor(
                operand(y, x._value.dtype))
        except (TypeError, ValueError) as exc:
            # a list of tensors that does not pack is TensorFlow's InvalidArgumentError,
            # which (not being a ValueError there) is raised as it is
            if hasattr(y, "__ror__") or isinstance(exc, InvalidArgumentError):
                raise
            raise AttributeError(_(
                "t | {value!r}: {value!r} cannot become a {dtype} tensor, and TensorFlow then "
                "fails with AttributeError ({kind!r} has no __ror__). Give | a bool (for bool "
                "tensors) or an integer (for integer tensors).").format(
                    value=y, dtype=x._value.dtype.name, kind=type(y).__name__)) from None
    return _bool_or_int(x, y, logical_or, bitwise_or)


@composite(operators=("__invert__",), numpy=np.invert)
def _invert(x):
    if x._value.dtype.kind == "b":
        return logical_not.public(x)
    return invert.public(x)


@defop("is_finite", differentiable=False, call="unary", tf=("math.is_finite",),
       numpy=np.isfinite)
def is_finite(x):
    """x is neither inf nor NaN"""
    return np.isfinite(x)


@defop("is_nan", differentiable=False, call="unary", tf=("math.is_nan",), numpy=np.isnan)
def is_nan(x):
    """x is NaN"""
    return np.isnan(x)


_truediv = make_binary(truediv)


# ----- atan2, divide_no_nan, xlogy (issue 20) ----------------------------------------------


def _float_inputs(opname: str, a, b):
    """Refuse integer tensors (TensorFlow's InvalidArgumentError) for a float-only binary op.

    A non-tensor operand is first converted to the tensor's dtype, as TensorFlow does: a
    Python float meeting an integer tensor is a TypeError (DTypeError) before the dtype check.
    A list holding tensors is stacked on the tape first, as in the other binary ops."""
    if type(a) in (list, tuple) or type(b) in (list, tuple):
        list_beside_variable(a, b)
        a, b = _packed(a, b), _packed(b, a)
    if not isinstance(a, TensorLike) and not isinstance(b, TensorLike):
        a = convert_to_tensor(a)
    if not isinstance(b, TensorLike):
        b = operand(b, a._value.dtype)
    elif not isinstance(a, TensorLike):
        a = operand(a, b._value.dtype)
    for t in (a, b):
        if isinstance(t, TensorLike):
            float_check(opname, t._value)
    return a, b


def _no_nan_div(a, b):
    """a / b, 0 where b == 0 (whatever a is); for arrays and, in VJPs, tensors."""
    zero = b == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(zero, 0, a / np.where(zero, 1, b))


@defop("atan2", uses=(0, 1), tf=("math.atan2", "atan2"), numpy=np.arctan2,
       local=("{1}/({0}² + {1}²)", "-{0}/({0}² + {1}²)"))
def atan2(y, x):
    """the angle of the point (x, y): arctan(y / x) in the right quadrant"""
    return np.arctan2(y, x)


@atan2.defvjp
def atan2_vjp(g, out, need, y, x):
    """d/dy = x / (x**2 + y**2), d/dx = -y / (x**2 + y**2) (NaN at the origin, as TensorFlow)"""
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = g / (x * x + y * y)
    return (scaled * x if need[0] else None), (-scaled * y if need[1] else None)


_atan2_binary = make_binary(atan2)


@atan2.api
def atan2_api(y, x, name=None):
    """The angle of the point (x, y) in radians, in [-pi, pi] (float tensors only)."""
    return _atan2_binary(*_float_inputs("atan2", y, x))


atan2_api.__name__ = atan2_api.__qualname__ = "atan2"


@defop("divide_no_nan", uses=(0, 1), tf=("math.divide_no_nan",),
       local=(lazy("1/{1}, 0 where {1} = 0"), lazy("-{0}/{1}², 0 where {1} = 0")))
def divide_no_nan(x, y):
    """x / y, and 0 where y == 0 (even for x = 0, inf or NaN)"""
    return _no_nan_div(x, y)


@divide_no_nan.defvjp
def divide_no_nan_vjp(g, out, need, x, y):
    """d/dx = 1/y, d/dy = -x/y**2, both 0 where y == 0 (TensorFlow's rule)"""
    # recorded (under an outer tape), through the op itself as TensorFlow's gradient is, so a
    # second derivative multiplies its upstream by div_no_nan's own factors (inf * 0 = NaN
    # where y == 0, as in TensorFlow) instead of selecting 0 there
    div = (divide_no_nan if any(isinstance(v, TensorLike) for v in (g, x, y))
           else _no_nan_div)
    gx = div(g, y) if need[0] else None
    gy = g * div(div(-x, y), y) if need[1] else None
    return gx, gy


_divide_no_nan_binary = make_binary(divide_no_nan)


@divide_no_nan.api
def divide_no_nan_api(x, y, name=None):
    """x / y with 0 where y is 0. Integer tensors are divided as floats, as by ``/``; two
    tensors of different dtypes raise TypeError, as there."""
    if isinstance(y, TensorLike) and type(x) in (list, tuple):  # x takes y's dtype first
        x = _packed(x, y)
    ref = x if isinstance(x, TensorLike) else y if isinstance(y, TensorLike) else None
    if isinstance(x, TensorLike) and isinstance(y, TensorLike) and (
            x._value.dtype != y._value.dtype):  # TensorFlow's check, in Python: a TypeError
        raise TypeError(_(
            "divide_no_nan: x and y must have the same dtype, got {dtype} and {dtype2}. Convert "
            "one of them first, e.g. tf.cast(y, x.dtype).").format(
                dtype=x._value.dtype.name, dtype2=y._value.dtype.name))
    refuse_bool_division("divide_no_nan", ref)
    if ref is not None and ref._value.dtype.kind in "iu":
        dt = ref._value.dtype
        to = np.float32 if dt.itemsize <= 2 else np.float64
        x, y = (cast.api_fn(t if isinstance(t, TensorLike) else convert_to_tensor(
            operand(t, dt)), to) for t in (x, y))
    return _divide_no_nan_binary(x, y)


divide_no_nan_api.__name__ = divide_no_nan_api.__qualname__ = "divide_no_nan"


@defop("xlogy", uses=(0, 1), tf=("math.xlogy",),
       local=(lazy("log({1}), 0 where {0} = 0"), lazy("{0}/{1}, 0 where {0} = 0")))
def xlogy(x, y):
    """x * log(y), and 0 where x == 0 (even for y = 0 or NaN)"""
    zero = x == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(zero, 0, x * np.log(np.where(zero, 1, y)))


@xlogy.defvjp
def xlogy_vjp(g, out, need, x, y):
    """d/dx = log(y), d/dy = x/y, both 0 where x == 0 (TensorFlow's rule)"""
    # typed fill values: in a nested tape ``zero`` is a tensor and ``y`` may be a plain
    # array, and a tensor ``where`` would convert a Python 0 / 1 to int32 first
    zero = x == 0
    safe_y = np.where(zero, np.ones_like(y), y)
    with np.errstate(divide="ignore", invalid="ignore"):
        if need[0] and (isinstance(y, TensorLike) or isinstance(g, TensorLike)):
            # recorded (a higher derivative): TensorFlow's xlogy(x != 0, y), whose own
            # derivative in y is its upstream times (x != 0) / y, so an infinite upstream
            # gives 0 * inf = NaN where x = 0 (a where would route a 0 instead)
            nz = np.asarray(np.asarray(x._value if isinstance(x, TensorLike) else x) != 0,
                            np.result_type(y._value if isinstance(y, TensorLike) else y))
            gx = g * xlogy(nz, y)
        elif need[0]:
            log_y = np.log(safe_y)
            gx = g * np.where(zero, np.zeros_like(log_y), log_y)
        else:
            gx = None
        if need[1]:
            ratio = x / safe_y
            gy = g * np.where(zero, np.zeros_like(ratio), ratio)
        else:
            gy = None
    return gx, gy


_xlogy_binary = make_binary(xlogy)


@xlogy.api
def xlogy_api(x, y, name=None):
    """x * log(y) with 0 where x is 0 (float tensors only)."""
    return _xlogy_binary(*_float_inputs("xlogy", x, y))


xlogy_api.__name__ = xlogy_api.__qualname__ = "xlogy"


# ----- the error function (issue 10) ------------------------------------------------------

_erf_scalar = np.frompyfunc(_pymath.erf, 1, 1)


@defop("erf", uses=(0,), call="unary", tf=("math.erf",), local=("2/√π·exp(-{0}²)",))
def erf(x):
    """erf(x) = 2/sqrt(pi) * integral of exp(-t**2) from 0 to x"""
    return np.asarray(_erf_scalar(x), dtype=x.dtype)


@erf.defvjp
def erf_vjp(g, out, need, x):
    """d erf(x)/dx = 2/sqrt(pi) * exp(-x**2)"""
    return (g * (np.exp(-(x * x)) * 1.1283791670955126),)


_erfc_scalar = np.frompyfunc(_pymath.erfc, 1, 1)


@defop("erfc", uses=(0,), call="unary", tf=("math.erfc",), local=("-2/√π·exp(-{0}²)",))
def erfc(x):
    """erfc(x) = 1 - erf(x), accurate where erf(x) is close to 1"""
    return np.asarray(_erfc_scalar(x), dtype=x.dtype)


@erfc.defvjp
def erfc_vjp(g, out, need, x):
    """d erfc(x)/dx = -2/sqrt(pi) * exp(-x**2), in TensorFlow's order"""
    return ((g * -1.1283791670955126) * np.exp(-(x * x)),)

