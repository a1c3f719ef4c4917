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

from ..registry import REGISTRY, composite, exports, operators, refuse
from ..tensor import Tensor, TensorLike, convert_to_tensor
from . import array, linalg, math, nn, reduce  # noqa: F401  (registers the primitives)

_fn = {name.rsplit(".", 1)[-1]: fn for name, fn in exports().items()}
add, subtract, multiply, divide = _fn["add"], _fn["subtract"], _fn["multiply"], _fn["divide"]
exp, sqrt, square, abs, sigmoid = _fn["exp"], _fn["sqrt"], _fn["square"], _fn["abs"], _fn["sigmoid"]
reduce_sum, reduce_mean, reduce_max = _fn["reduce_sum"], _fn["reduce_mean"], _fn["reduce_max"]
maximum, negative, identity = _fn["maximum"], _fn["negative"], _fn["identity"]
softplus, equal, not_equal = _fn["softplus"], _fn["equal"], _fn["not_equal"]
getitem = REGISTRY["getitem"].public
scatter_add = REGISTRY["scatter_add"].public
gather = _fn["gather"]


# ----- composites (built from primitives; no VJP of their own) ---------------------------


@composite("math.reciprocal", numpy=np.reciprocal)
def reciprocal(x, name=None):
    """1 / x (composite)."""
    return divide(1, x if isinstance(x, TensorLike) else convert_to_tensor(x))


@composite("math.rsqrt")
def rsqrt(x, name=None):
    """1 / sqrt(x) (composite)."""
    return reciprocal(sqrt(x))


@composite("math.expm1", numpy=np.expm1)
def expm1(x, name=None):
    """exp(x) - 1 (composite)."""
    return subtract(exp(x), 1)


@composite("math.log_sigmoid")
def log_sigmoid(x, name=None):
    """log(sigmoid(x)) = -softplus(-x), computed without overflow (composite)."""
    return negative(softplus(negative(x)))


@composite("add_n", "math.add_n")
def add_n(inputs, name=None):
    """Sum of a list of tensors (composite)."""
    total = inputs[0]
    for t in inputs[1:]:
        total = add(total, t)
    return total if isinstance(total, TensorLike) else convert_to_tensor(total)


@composite("norm", "linalg.norm")
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """Euclidean (or 1 / inf) norm (composite; its gradient at 0 is NaN, as in TF)."""
    keep = bool(keepdims)
    if ord in ("euclidean", "fro", 2, 2.0):
        return sqrt(reduce_sum(square(tensor), axis=axis, keepdims=keep))
    if ord in (1, 1.0):
        return reduce_sum(abs(tensor), axis=axis, keepdims=keep)
    if ord == np.inf:
        return reduce_max(abs(tensor), axis=axis, keepdims=keep)
    raise ValueError(f"norm: ord={ord!r} is not supported; use 'euclidean', 1 or np.inf")


@composite("nn.l2_loss")
def l2_loss(t, name=None):
    """sum(t**2) / 2 (composite)."""
    return multiply(reduce_sum(square(t)), 0.5)


@composite("clip_by_norm")
def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescale so the L2 norm is at most ``clip_norm`` (composite)."""
    t = t if isinstance(t, TensorLike) else convert_to_tensor(t)
    l2 = sqrt(reduce_sum(square(t), axis=axes, keepdims=True))
    factor = divide(clip_norm, maximum(l2, clip_norm))
    return multiply(t, factor)


@composite("reduce_variance", "math.reduce_variance")
def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Mean squared deviation from the mean (composite)."""
    mean = reduce_mean(input_tensor, axis=axis, keepdims=True)
    return reduce_mean(square(subtract(input_tensor, mean)), axis=axis, keepdims=keepdims)


@composite("reduce_std", "math.reduce_std")
def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Standard deviation (composite)."""
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


@composite("nn.silu", "nn.swish")
def silu(features, beta=1.0, name=None):
    """x * sigmoid(beta * x), a.k.a. swish (composite)."""
    return multiply(features, sigmoid(multiply(features, beta)))


@composite("nn.softsign")
def softsign(features, name=None):
    """x / (1 + |x|) (composite)."""
    return divide(features, add(abs(features), 1))


@composite("unstack")
def unstack(value, num=None, axis=0, name=None):
    """Split along ``axis`` into a list of tensors (composite)."""
    x = value if isinstance(value, TensorLike) else convert_to_tensor(value)
    n = x.shape[axis]
    if num is not None and int(num) != n:
        raise ValueError(f"unstack: num={num} but axis {axis} has size {n}")
    prefix = (slice(None),) * (axis % x.ndim)
    return [getitem(x, (*prefix, i)) for i in range(n)]


@composite("nn.embedding_lookup")
def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of ``params`` picked by ``ids`` (``gather`` on axis 0; dense gradient)."""
    refuse("tf.nn.embedding_lookup", max_norm=max_norm is not None)
    return gather(params, ids, axis=0)


# ----- operators that are not a plain op -------------------------------------------------


@composite(operators=("__eq__",))
def _eq(self, other):
    if other is None:
        return False
    try:
        return equal(self, other)
    except (TypeError, ValueError):
        return False


@composite(operators=("__ne__",))
def _ne(self, other):
    if other is None:
        return True
    try:
        return not_equal(self, other)
    except (TypeError, ValueError):
        return True


@composite(operators=("__pos__",))
def _pos(self):
    return self if isinstance(self, Tensor) else identity(self)


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
            raise RuntimeError(f"two different functions are both named {short!r}")
    globals().update(table)
    return sorted(table)


__all__ = [*_publish(), "bind_operators", "getitem", "scatter_add"]
bind_operators()
