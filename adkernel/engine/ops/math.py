"""Elementwise primitives: forward and VJP side by side, one block per op.

Conventions at non-differentiable points follow TensorFlow (measured on 2.21):
relu'(0) = 0, abs'(0) = 0, sign' = 0, leaky_relu'(0) = alpha, elu'(0) = 1,
maximum/minimum ties give the whole gradient to the first argument, sqrt'(0) = inf
(but 0 where the upstream gradient is 0), d(x**y)/dy = 0 where x <= 0,
clip_by_value passes the gradient at exactly the bounds.

Inside a VJP, ``_fresh(a)`` tells whether ``a`` is a numpy array the VJP just
allocated, so that it may be updated in place (``out=``) instead of allocating
again; on the tensor path (higher derivatives) everything is an op.
"""

from __future__ import annotations

import numpy as np

from ..registry import defop

_ndarray = np.ndarray


def _unit(g) -> bool:
    """True when ``g`` is a broadcast view of the number 1: the upstream gradient of a
    sum. Multiplying by it changes nothing, so VJPs skip that pass over the data."""
    return type(g) is _ndarray and g.ndim > 0 and not any(g.strides) and g.item(0) == 1


def _times(fresh, g):
    """``fresh * g``, in place when ``fresh`` is an array this VJP just allocated."""
    if _unit(g) and np.shape(fresh) == g.shape:
        return fresh
    if type(fresh) is _ndarray and (type(g) is not _ndarray or g.shape == fresh.shape):
        fresh *= g
        return fresh
    return g * fresh


# ----- binary arithmetic -------------------------------------------------------------


@defop("add", uses=())
def add(x, y):
    """x + y"""
    return x + y


@add.defvjp
def add_vjp(g, out, need, x, y):
    """d(x+y)/dx = 1, d(x+y)/dy = 1"""
    return g, g


@defop("sub", uses=())
def sub(x, y):
    """x - y"""
    return x - y


@sub.defvjp
def sub_vjp(g, out, need, x, y):
    """d(x-y)/dx = 1, d(x-y)/dy = -1"""
    return g, (-g if need[1] else None)


@defop("mul", uses=(0, 1))
def mul(x, y):
    """x * y"""
    return x * y


@mul.defvjp
def mul_vjp(g, out, need, x, y):
    """d(x*y)/dx = y, d(x*y)/dy = x"""
    if _unit(g) and np.shape(x) == np.shape(y) == g.shape:
        return (y if need[0] else None), (x if need[1] else None)
    return (g * y if need[0] else None), (g * x if need[1] else None)


@defop("truediv", uses=(0, 1))
def truediv(x, y):
    """x / y"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / y


@truediv.defvjp
def truediv_vjp(g, out, need, x, y):
    """d(x/y)/dx = 1/y, d(x/y)/dy = -x/y**2"""
    gx = g / y if need[0] else None
    gy = -g * x / (y * y) if need[1] else None
    return gx, gy


@defop("pow", uses=(0, 1, "out"))
def pow_(x, y):
    """x ** y"""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return x**y


@pow_.defvjp
def pow_vjp(g, out, need, x, y):
    """d(x**y)/dx = y * x**(y-1), d(x**y)/dy = x**y * log(x) (0 where x <= 0)"""
    gx = gy = None
    if need[0]:
        if np.ndim(y) == 0 and not need[1] and float(y) == 2.0:
            gx = _times(x * 2, g)
        else:
            gx = g * (y * x ** (y - 1))
    if need[1]:
        positive = x > 0
        safe_x = np.where(positive, x, 1)
        gy = g * np.where(positive, out * np.log(safe_x), 0)
    return gx, gy


@defop("maximum", uses=(0, 1))
def maximum(x, y):
    """max(x, y) elementwise"""
    return np.maximum(x, y)


@maximum.defvjp
def maximum_vjp(g, out, need, x, y):
    """the gradient goes to the larger input; ties go to x (TensorFlow's rule)"""
    first = x >= y
    gx = np.where(first, g, 0) if need[0] else None
    gy = np.where(first, 0, g) if need[1] else None
    return gx, gy


@defop("minimum", uses=(0, 1))
def minimum(x, y):
    """min(x, y) elementwise"""
    return np.minimum(x, y)


@minimum.defvjp
def minimum_vjp(g, out, need, x, y):
    """the gradient goes to the smaller input; ties go to x (TensorFlow's rule)"""
    first = x <= y
    gx = np.where(first, g, 0) if need[0] else None
    gy = np.where(first, 0, g) if need[1] else None
    return gx, gy


@defop("floormod", uses=(0, 1))
def floormod(x, y):
    """x mod y (sign of y, like Python's %)"""
    return np.mod(x, y)


@floormod.defvjp
def floormod_vjp(g, out, need, x, y):
    """d(x mod y)/dx = 1, d(x mod y)/dy = -floor(x / y)"""
    gy = -g * np.floor(x / y) if need[1] else None
    return g, gy


@defop("squared_difference", uses=(0, 1))
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


@defop("neg", uses=())
def neg(x):
    """-x"""
    return -x


@neg.defvjp
def neg_vjp(g, out, need, x):
    """d(-x)/dx = -1"""
    return (-g,)


@defop("exp", uses=("out",))
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


@defop("log", uses=(0,))
def log(x):
    """log(x)"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


@log.defvjp
def log_vjp(g, out, need, x):
    """d log(x)/dx = 1/x"""
    return (g / x,)


@defop("log1p", uses=(0,))
def log1p(x):
    """log(1 + x)"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log1p(x)


@log1p.defvjp
def log1p_vjp(g, out, need, x):
    """d log(1+x)/dx = 1/(1+x)"""
    return (g / (x + 1),)


@defop("sqrt", uses=("out",))
def sqrt(x):
    """sqrt(x)"""
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


@sqrt.defvjp
def sqrt_vjp(g, out, need, x):
    """d sqrt(x)/dx = 1/(2 sqrt(x)); 0 where the upstream gradient is 0 (TensorFlow)"""
    return (np.where(g == 0, 0, g * 0.5 / out),)


@defop("square", uses=(0,))
def square(x):
    """x ** 2"""
    return x * x


@square.defvjp
def square_vjp(g, out, need, x):
    """d x**2/dx = 2x"""
    return (_times(x * 2, g),)


@defop("abs", uses=(0,))
def abs_(x):
    """|x|"""
    return np.abs(x)


@abs_.defvjp
def abs_vjp(g, out, need, x):
    """d|x|/dx = sign(x), 0 at 0"""
    return (g * np.sign(x),)


@defop("sign", uses=())
def sign(x):
    """sign(x)"""
    return np.sign(x)


@sign.defvjp
def sign_vjp(g, out, need, x):
    """d sign(x)/dx = 0 (TensorFlow returns zeros, not None)"""
    return (np.zeros_like(g),)


@defop("sin", uses=(0,))
def sin(x):
    """sin(x)"""
    return np.sin(x)


@sin.defvjp
def sin_vjp(g, out, need, x):
    """d sin(x)/dx = cos(x)"""
    return (_times(np.cos(x), g),)


@defop("cos", uses=(0,))
def cos(x):
    """cos(x)"""
    return np.cos(x)


@cos.defvjp
def cos_vjp(g, out, need, x):
    """d cos(x)/dx = -sin(x)"""
    return (-g * np.sin(x),)


@defop("tan", uses=("out",))
def tan(x):
    """tan(x)"""
    return np.tan(x)


@tan.defvjp
def tan_vjp(g, out, need, x):
    """d tan(x)/dx = 1 + tan(x)**2"""
    return (g * (out * out + 1),)


@defop("tanh", uses=("out",))
def tanh(x):
    """tanh(x)"""
    return np.tanh(x)


@tanh.defvjp
def tanh_vjp(g, out, need, x):
    """d tanh(x)/dx = 1 - tanh(x)**2"""
    d = out * out
    if type(d) is _ndarray:
        np.subtract(1, d, out=d)
        return (_times(d, g),)
    return (g * (1 - d),)


@defop("sigmoid", uses=("out",))
def sigmoid(x):
    """1 / (1 + exp(-x))"""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


@sigmoid.defvjp
def sigmoid_vjp(g, out, need, x):
    """d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x))"""
    return (g * (out * (1 - out)),)


@defop("relu", uses=(0,))
def relu(x):
    """max(x, 0)"""
    return np.maximum(x, 0)


@relu.defvjp
def relu_vjp(g, out, need, x):
    """d relu(x)/dx = 1 where x > 0, else 0 (also at 0)"""
    return (np.where(x > 0, g, 0),)


@defop("leaky_relu", uses=(0,))
def leaky_relu(x, alpha=0.2):
    """x where x > 0, else alpha * x"""
    return np.where(x > 0, x, x * alpha)


@leaky_relu.defvjp
def leaky_relu_vjp(g, out, need, x, alpha=0.2):
    """1 where x > 0, else alpha (alpha at 0, as TensorFlow)"""
    return (np.where(x > 0, g, g * alpha),)


@defop("elu", uses=(0, "out"))
def elu(x):
    """x where x > 0, else exp(x) - 1"""
    with np.errstate(over="ignore"):
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


@elu.defvjp
def elu_vjp(g, out, need, x):
    """1 where x > 0, else exp(x) (1 at 0)"""
    return (np.where(x > 0, g, g * (out + 1)),)


@defop("softplus", uses=("out",))
def softplus(x):
    """log(1 + exp(x)), computed without overflow"""
    return np.logaddexp(x, 0).astype(np.result_type(x), copy=False)


@softplus.defvjp
def softplus_vjp(g, out, need, x):
    """d softplus(x)/dx = sigmoid(x)"""
    return (g * (1 - np.exp(-out)),)


@defop("clip_by_value", uses=(0, 1, 2))
def clip_by_value(x, lo, hi):
    """min(max(x, lo), hi)"""
    return np.minimum(np.maximum(x, lo), hi)


@clip_by_value.defvjp
def clip_by_value_vjp(g, out, need, x, lo, hi):
    """1 where lo <= x <= hi (bounds included), else the gradient goes to the bound"""
    below = x < lo
    above = x > hi
    gx = np.where(below, 0, np.where(above, 0, g)) if need[0] else None
    glo = np.where(below, g, 0) if need[1] else None
    ghi = np.where(above, g, 0) if need[2] else None
    return gx, glo, ghi


@defop("where", uses=(0,))
def where(cond, x, y):
    """x where cond, else y"""
    return np.where(cond, x, y)


@where.defvjp
def where_vjp(g, out, need, cond, x, y):
    """the gradient goes to the selected branch; the other branch gets 0 (not NaN-safe)"""
    gx = np.where(cond, g, 0) if need[1] else None
    gy = np.where(cond, 0, g) if need[2] else None
    return None, gx, gy


@defop("identity", uses=())
def identity(x):
    """x"""
    return x


@identity.defvjp
def identity_vjp(g, out, need, x):
    """d x/dx = 1"""
    return (g,)


@defop("cast", uses=(0,))
def cast(x, dtype):
    """x converted to another float (or complex) dtype"""
    return x.astype(dtype)


@cast.defvjp
def cast_vjp(g, out, need, x, dtype):
    """the gradient is cast back to the input's dtype"""
    if isinstance(x, _ndarray | np.generic):
        return (g.astype(x.dtype) if g.dtype != x.dtype else g,)
    from ..ops import cast as cast_op

    return (cast_op(g, x.dtype),)


# ----- declared non-differentiable -------------------------------------------------------


@defop("cast_to_integer", differentiable=False)
def cast_to_integer(x, dtype):
    """x converted to an integer or bool dtype (cuts the gradient path)"""
    if np.dtype(dtype).kind in "iu":
        with np.errstate(invalid="ignore"):
            return np.trunc(x).astype(dtype) if np.result_type(x).kind == "f" else x.astype(dtype)
    return x.astype(dtype)


@defop("stop_gradient", differentiable=False)
def stop_gradient(x):
    """x, with no gradient flowing back through it"""
    return x


@defop("round", differentiable=False)
def round_(x):
    """x rounded half to even"""
    return np.round(x)


@defop("floor", differentiable=False)
def floor(x):
    """largest integer <= x"""
    return np.floor(x)


@defop("ceil", differentiable=False)
def ceil(x):
    """smallest integer >= x"""
    return np.ceil(x)


@defop("floordiv", differentiable=False)
def floordiv(x, y):
    """floor(x / y)"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor_divide(x, y)


@defop("equal", differentiable=False)
def equal(x, y):
    """x == y"""
    return np.equal(x, y)


@defop("not_equal", differentiable=False)
def not_equal(x, y):
    """x != y"""
    return np.not_equal(x, y)


@defop("less", differentiable=False)
def less(x, y):
    """x < y"""
    return np.less(x, y)


@defop("less_equal", differentiable=False)
def less_equal(x, y):
    """x <= y"""
    return np.less_equal(x, y)


@defop("greater", differentiable=False)
def greater(x, y):
    """x > y"""
    return np.greater(x, y)


@defop("greater_equal", differentiable=False)
def greater_equal(x, y):
    """x >= y"""
    return np.greater_equal(x, y)


@defop("logical_and", differentiable=False)
def logical_and(x, y):
    """x and y"""
    return np.logical_and(x, y)


@defop("logical_or", differentiable=False)
def logical_or(x, y):
    """x or y"""
    return np.logical_or(x, y)


@defop("logical_xor", differentiable=False)
def logical_xor(x, y):
    """x xor y"""
    return np.logical_xor(x, y)


@defop("logical_not", differentiable=False)
def logical_not(x):
    """not x"""
    return np.logical_not(x)


@defop("is_finite", differentiable=False)
def is_finite(x):
    """x is neither inf nor NaN"""
    return np.isfinite(x)


@defop("is_nan", differentiable=False)
def is_nan(x):
    """x is NaN"""
    return np.isnan(x)
