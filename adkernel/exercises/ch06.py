"""Exercises of chapter 06 (under the hood).

``from adkernel.exercises import ____, ch06 as ex``
"""

from __future__ import annotations

import math

import numpy as np

from . import progress
from ._core import Problem, describe, right, to_array, wrong
from ._core import ____ as ____
from ._feedback import lazy

__all__ = ["progress", "q1", "q2"]


# -- q1: the multiplication rule and the backward pass of a tiny engine ------------------------
def _graphs(Value, mul, backward):
    """Gradients of small graphs built with the learner's engine."""
    Value.__mul__ = mul
    Value.__rmul__ = mul
    Value.backward = backward
    out = {}
    a, b = Value(2.0), Value(5.0)
    f = a * b
    f.backward()
    out["ab"] = (f.data, a.grad, b.grad)
    a, b, c = Value(2.0), Value(-1.0), Value(4.0)
    f = a * b + c * 3.0  # a tree: no value is used twice
    f.backward()
    out["tree"] = (a.grad, b.grad, c.grad)
    a = Value(1.5)
    f = a + a
    f.backward()
    out["twice"] = a.grad
    x = Value(1.0)
    a = x * 2.0
    b = a * 3.0
    c = a + b
    c.backward()
    out["fan"] = x.grad
    a, b = Value(-2.0), Value(3.0)
    f = (a * b) * (a + b)
    f.backward()
    out["f"] = (a.grad, b.grad)
    return out


def _num(v):
    try:
        return float(v)
    except Exception:
        return math.nan


def _same(found, expected) -> bool:
    return all(
        math.isclose(_num(a), b, rel_tol=1e-12, abs_tol=1e-12)
        for a, b in zip(found, expected, strict=True)
    )


def _check_engine(ctx, mul, backward, Value):
    for name, fn in (("mul", mul), ("backward", backward)):
        if not callable(fn):
            raise wrong(
                lazy("`{name}` should be a function, but it is {found}."),
                name=name,
                found=describe(fn),
            )
    if not isinstance(Value, type):
        raise wrong(
            lazy(
                "`Value` should be the class defined above, but it is {found}: run the cell "
                "that defines it again."
            ),
            found=describe(Value),
        )
    g = ctx.call(_graphs, Value, mul, backward).value
    data, ga, gb = g["ab"]
    if not _same([data], [10.0]):
        raise wrong(
            lazy(
                "For a = 2, b = 5, `(a * b).data` is {d}: the forward value of a product is "
                "`self.data * other.data`."
            ),
            d=describe(data),
        )
    if _same([ga, gb], [0.0, 0.0]):
        raise wrong(
            lazy(
                "For f = a · b no gradient reached a or b (both are 0). `backward` should walk "
                "the nodes from f back to the inputs, reversed(topological_order(self)), and add "
                "upstream × local to each parent's grad."
            ),
        )
    if _same([ga, gb], [2.0, 5.0]):
        raise wrong(
            lazy(
                "For f = a · b at a = 2, b = 5 you get ∂f/∂a = 2 and ∂f/∂b = 5: the local "
                "derivatives are swapped. ∂(ab)/∂a is b, the *other* factor."
            ),
        )
    if not _same([ga, gb], [5.0, 2.0]):
        raise wrong(
            lazy(
                "For f = a · b at a = 2, b = 5 you get ∂f/∂a = {ga} and ∂f/∂b = {gb}. Each input "
                "of a product should receive upstream × the other factor."
            ),
            ga=describe(ga),
            gb=describe(gb),
        )
    if _same([g["twice"]], [1.0]):
        raise wrong(
            lazy(
                "For f = a + a you get ∂f/∂a = 1: the second contribution overwrote the first. "
                "A value used twice collects both: accumulate with `+=`."
            ),
        )
    if _same(g["tree"], [0.0, 0.0, 0.0]):
        raise wrong(
            lazy(
                "For f = a · b + c · 3 no gradient reached a, b or c. `topological_order(self)` "
                "lists the inputs first and f last: walk it backwards, "
                "`reversed(topological_order(self))`, so that each node already has its "
                "gradient when it passes it on."
            ),
        )
    tree_ok = _same(g["tree"], [-1.0, 2.0, 3.0])
    fan_ok = _same([g["twice"], g["fan"]], [2.0, 8.0]) and _same(g["f"], [-3.0, -8.0])
    if tree_ok and not fan_ok:
        raise wrong(
            lazy(
                "Your gradients are right on graphs where each value is used once, but not where "
                "a value feeds two operations (for a = 2x, b = 3a, c = a + b at x = 1 you get "
                "dc/dx = {fan}). A node may pass its gradient on only after all its users have "
                "reported: visit the nodes in reverse topological order, "
                "`reversed(topological_order(self))`."
            ),
            fan=describe(g["fan"]),
        )
    if not (tree_ok and fan_ok):
        a, b = g["f"]
        raise wrong(
            lazy(
                "For f = (a · b)(a + b) at a = −2, b = 3 you get ∂f/∂a = {ga} and ∂f/∂b = {gb}, "
                "which are not the partial derivatives. Check that each parent receives "
                "`node.grad * local` added to its grad."
            ),
            ga=describe(a),
            gb=describe(b),
        )
    return right(
        lazy(
            "Your engine differentiates products, values used twice and a mixed graph exactly: "
            "upstream × local, accumulated, in reverse topological order."
        ),
    )


q1 = Problem(
    "ch06",
    1,
    names=["mul", "backward", "Value"],
    checker=_check_engine,
    hints=[
        lazy(
            "Each parent pair is (input, ∂output/∂input). For a product the derivative with "
            "respect to one factor is the value of the other factor. In `backward`, each "
            "parent receives upstream × local, added to what it already has (a value used "
            "twice collects both contributions)."
        ),
        lazy(
            "`topological_order(self)` lists every node after its inputs, so f comes last. "
            "The backward pass starts at f: visit that list in the opposite order, so that "
            "each node has heard from all its users before it passes its gradient on."
        ),
    ],
    starter="""
def mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    return Value(self.data * other.data, ((self, ____), (other, ____)))

def backward(self):
    self.grad = 1.0
    for node in ____:
        for parent, local in node.parents:
            ____

Value.__mul__ = Value.__rmul__ = mul
Value.backward = backward
""",
    solution="""
def mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    return Value(self.data * other.data, ((self, other.data), (other, self.data)))

def backward(self):
    self.grad = 1.0
    for node in reversed(topological_order(self)):
        for parent, local in node.parents:
            parent.grad += node.grad * local

Value.__mul__ = Value.__rmul__ = mul
Value.backward = backward
""",
    explanation=lazy(
        "∂(ab)/∂a = b and ∂(ab)/∂b = a, recorded when the product is computed. The backward "
        "pass visits each node once, after everything that used it, and adds upstream × local "
        "to its inputs: for f = (a · b)(a + b) at (−2, 3) that gives (−3, −8)."
    ),
)


# -- q2: a straight-through rounding with tf.custom_gradient --------------------------------------
_POINTS = [0.3, 1.7, -2.6, 2.2]  # away from .5, where rounding conventions differ


_UPSTREAM = 3.0  # the probe differentiates 3 · round_st(x): upstream is 3 everywhere


def _probe(round_st):
    """Run ``round_st`` as the check needs it; what it raises in the backward pass and what
    its own gradient function returns are kept as data (``ShapeError`` text, an array)."""
    from .. import tf
    from ..engine.errors import ShapeError

    x = tf.constant(_POINTS)
    with tf.GradientTape() as tape:
        tape.watch(x)
        r = round_st(x)
        if isinstance(r, tuple):
            return r, None, None
        y = _UPSTREAM * r
    try:
        g = tape.gradient(y, x)
    except ShapeError as exc:
        return y, None, _gradient_function_output(round_st, x) or {"error": str(exc)}
    return y, g, None


def _gradient_function_output(round_st, x):
    """What the learner's ``grad(upstream)`` returns for an upstream of x's shape, read
    through the decorator (``@tf.custom_gradient`` keeps the function as ``__wrapped__``)."""
    from .. import tf

    inner = getattr(round_st, "__wrapped__", None)
    if inner is None:
        return None
    try:
        _, grad = inner(x)
        out = grad(_UPSTREAM * tf.ones_like(x))
        return {"found": describe(out), "shape": tuple(to_array(out).shape)}
    except Exception:  # the tape's own ShapeError says enough
        return None


def _check_round(ctx, round_st):
    if not callable(round_st):
        raise wrong(
            lazy("`round_st` should be a function, but it is {found}."),
            found=describe(round_st),
        )
    y, g, shape_error = ctx.call(_probe, round_st).value
    if isinstance(y, tuple):
        raise wrong(
            lazy(
                "`round_st(x)` returned a pair (value, gradient function) instead of a tensor: "
                "decorate the function with `@tf.custom_gradient`, which takes that pair apart."
            ),
        )
    values = to_array(y) / 3.0 if y is not None else None
    x = np.array(_POINTS, dtype=np.float64)
    if values is None or values.shape != x.shape:
        raise wrong(
            lazy(
                "`round_st(x)` for x of shape (4,) returned {found}; it should return the "
                "rounded values, of the same shape."
            ),
            found=describe(y),
        )
    if np.allclose(values, x, rtol=1e-6, atol=1e-6):
        raise wrong(
            lazy(
                "`round_st(x)` returns x unchanged: the forward pass must still round "
                "(`tf.round(x)`); only the gradient passes straight through."
            ),
        )
    if not np.allclose(values, np.round(x), atol=1e-6):
        raise wrong(
            lazy("`round_st(x)` gives {v} for x = {x}: those are not the rounded values."),
            v=describe(values),
            x=_POINTS,
        )
    if shape_error is not None and "shape" in shape_error:
        raise wrong(
            lazy(
                "Your gradient function returns {found}, of shape {s}, for an x of shape (4,). "
                "`grad(upstream)` must return one gradient per element of x: an array of "
                "x's shape. `upstream` has that shape; build the gradient from it (straight "
                "through: pass it on)."
            ),
            found=shape_error["found"],
            s=shape_error["shape"],
        )
    if shape_error is not None:
        raise wrong(
            lazy(
                "The gradient through `round_st` has the wrong shape ({error}). `grad(upstream)` "
                "must return one gradient per element of x: an array of x's shape, like "
                "`upstream`."
            ),
            error=shape_error["error"],
        )
    if g is None:
        raise wrong(
            lazy(
                "The gradient through `round_st` is `None`: `tf.round` alone has no gradient. "
                "Wrap it with `@tf.custom_gradient` and return `y, grad` where `grad(upstream)` "
                "says what flows back."
            ),
        )
    grads = ctx.array(g, lazy("the gradient"))
    if grads.shape == x.shape and np.allclose(grads, 3.0, rtol=1e-6):
        return right(
            lazy(
                "Values are rounded, and d(3 · round_st(x))/dx = 3 everywhere: the upstream "
                "gradient passes straight through."
            ),
        )
    if grads.shape == x.shape and np.allclose(grads, 1.0, rtol=1e-6):
        raise wrong(
            lazy(
                "d(3 · round_st(x))/dx is 1 instead of following the factor 3: your gradient "
                "function ignores `upstream`. Return `upstream` itself."
            ),
        )
    if grads.shape == x.shape and np.allclose(grads, 0.0):
        raise wrong(
            lazy(
                "The gradient through `round_st` is 0, the derivative of a staircase. The point "
                "of a straight-through estimator is to pass `upstream` on unchanged."
            ),
        )
    raise wrong(
        lazy(
            "d(3 · round_st(x))/dx is {g}; a straight-through gradient passes `upstream` on "
            "unchanged."
        ),
        g=describe(grads),
    )


q2 = Problem(
    "ch06",
    2,
    names=["round_st"],
    checker=_check_round,
    hints=[
        lazy(
            "The forward pass is ordinary rounding (TensorFlow has a function for it); "
            "`grad` receives the gradient arriving from above and returns what flows on "
            "to x."
        ),
        lazy(
            "Straight through means: on the way back, pretend the rounding was the identity. "
            "The identity's local derivative is 1; so what must `grad` return, given what "
            "it receives?"
        ),
    ],
    starter="""
@tf.custom_gradient
def round_st(x):
    y = ____
    def grad(upstream):
        return ____
    return y, grad
""",
    solution="""
@tf.custom_gradient
def round_st(x):
    y = tf.round(x)
    def grad(upstream):
        return upstream
    return y, grad
""",
    explanation=lazy(
        "The forward pass rounds; the backward pass pretends rounding was the identity, so "
        "the local derivative is 1 and the upstream gradient flows on unchanged. Quantised "
        "networks train this way."
    ),
)
