"""Exercises of chapter 06 (under the hood).

``from adkernel.exercises import ____, ch06 as ex``
"""

from __future__ import annotations

import math
import sys

import numpy as np

from . import progress
from ._core import Problem
from ._core import ____ as ____
from ._plain import _short
from ._regression import descend, loss_at, seed_data
from .judging import (
    array,
    close,
    describe,
    failed,
    is_kind,
    lazy,
    raised_is,
    returned,
    right,
    to_numpy,
    wrong,
)

__all__ = ["progress", "q1", "q2", "q3"]


# -- q1: the multiplication rule and the backward pass of a tiny engine ------------------------
# Each graph is built with the learner's Value class in the kernel; only numbers come back.
def _graph_ab(Value):
    a, b = Value(2.0), Value(5.0)
    f = a * b
    f.backward()
    return [f.data, a.grad, b.grad, f.grad]


def _graph_tree(Value):
    a, b, c = Value(2.0), Value(-1.0), Value(4.0)
    f = a * b + c * 3.0  # a tree: no value is used twice
    f.backward()
    return [a.grad, b.grad, c.grad]


def _graph_twice(Value):
    a = Value(1.5)
    f = a + a
    f.backward()
    return [a.grad]


def _graph_fan(Value):
    x = Value(1.0)
    a = x * 2.0
    b = a * 3.0
    c = a + b
    c.backward()
    return [x.grad]


def _graph_f(Value):
    a, b = Value(-2.0), Value(3.0)
    f = (a * b) * (a + b)
    f.backward()
    return [a.grad, b.grad]


_GRAPHS = (
    ("ab", _graph_ab),
    ("twice", _graph_twice),
    ("tree", _graph_tree),
    ("fan", _graph_fan),
    ("f", _graph_f),
)


def _gather_engine(ctx, mul, backward, Value):
    data = {
        "mul": ctx.value(mul),
        "backward": ctx.value(backward),
        "Value": ctx.value(Value),
        "callable": {"mul": callable(mul), "backward": callable(backward)},
        "is_class": isinstance(Value, type),
    }
    if not (callable(mul) and callable(backward) and data["is_class"]):
        return data

    def install():
        Value.__mul__ = mul
        Value.__rmul__ = mul
        Value.backward = backward

    install()
    # what a product is: a Value (with parents) or something else (a float, None)
    product, p = ctx.run(lambda: Value(2.0) * Value(5.0))
    data["product"] = product
    data["product_is_value"] = isinstance(p, Value)
    data["graphs"] = {}
    if failed(product):
        return data
    for name, build in _GRAPHS:
        call = ctx.call(build, Value)
        data["graphs"][name] = call
        if failed(call):
            break
    return data


def _num(ev) -> float:
    """One encoded number as a float; NaN for anything else (a Value, None, a string)."""
    if is_kind(ev, "bool"):
        return math.nan
    arr = to_numpy(ev)
    if arr is None or arr.size != 1:
        return math.nan
    return float(arr.reshape(()))


def _same(found, expected) -> bool:
    return all(
        math.isclose(_num(a), b, rel_tol=1e-12, abs_tol=1e-12)
        for a, b in zip(found, expected, strict=True)
    )


def _items(call) -> list:
    """The encoded numbers a graph builder returned (its call did not fail)."""
    value = returned(call)
    return value["items"] if is_kind(value, "list") else []


def _judge_engine(data):
    for name in ("mul", "backward"):
        if not data["callable"][name]:
            raise wrong(
                lazy("`{name}` should be a function, but it is {found}."),
                name=name,
                found=describe(data[name]),
            )
    if not data["is_class"]:
        raise wrong(
            lazy(
                "`Value` should be the class defined above, but it is {found}: run the cell "
                "that defines it again."
            ),
            found=describe(data["Value"]),
        )
    product = returned(data["product"])
    if not data["product_is_value"]:
        raise wrong(
            lazy(
                "`Value(2) * Value(5)` gives {found}, not a `Value`: `mul` must return a new "
                "`Value(self.data * other.data, ((self, …), (other, …)))`, which remembers its "
                "parents for the backward pass."
            ),
            found=describe(product),
        )
    graphs = data["graphs"]
    g = {name: _items(graphs[name]) for name, _build in _GRAPHS if name in graphs}
    if [len(v) for v in g.values()] != [4, 1, 3, 1, 2]:  # not what the builders return
        raise ValueError(f"graphs of unexpected sizes: {[len(v) for v in g.values()]}")
    data_ab, ga, gb, gf = g["ab"]
    if not _same([data_ab], [10.0]):
        raise wrong(
            lazy(
                "For a = 2, b = 5, `(a * b).data` is {d}: the forward value of a product is "
                "`self.data * other.data`."
            ),
            d=describe(data_ab),
        )
    if not _same([gf], [1.0]):
        raise wrong(
            lazy(
                "After `f.backward()`, f.grad is {g}: the backward pass starts from df/df = 1, "
                "so `backward` must set `self.grad = 1.0` before it walks the graph."
            ),
            g=describe(gf),
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
    if _same([ga, gb], [-5.0, -2.0]):
        raise wrong(
            lazy(
                "For f = a · b at a = 2, b = 5 you get ∂f/∂a = −5 and ∂f/∂b = −2: the right "
                "size, the wrong sign. Each parent's grad must grow by upstream × local "
                "(`+=`), not shrink."
            ),
        )
    if _same([ga, gb], [1.0, 1.0]):
        raise wrong(
            lazy(
                "For f = a · b at a = 2, b = 5 you get ∂f/∂a = 1 and ∂f/∂b = 1: the local "
                "derivatives of the product are lost. `mul` must record each factor's local "
                "derivative (the other factor's data), and `backward` must multiply the "
                "upstream gradient by it."
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
    if _same(g["twice"], [1.0]):
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
    fan_ok = _same(g["twice"] + g["fan"], [2.0, 8.0]) and _same(g["f"], [-3.0, -8.0])
    # each parent received only `local`, not `node.grad * local`: right wherever the
    # upstream gradient is 1, wrong further down (the chain rule forgotten)
    if _same(g["fan"], [2.0]) and _same(g["f"], [4.0, -1.0]):
        raise wrong(
            lazy(
                "Your gradients are right one step below f, where the upstream gradient is 1, "
                "but not further down: for a = 2x, b = 3a, c = a + b at x = 1 you get dc/dx = "
                "{fan} instead of 8. Each parent must receive `node.grad * local`, the gradient "
                "that reached the node times the local derivative (the chain rule), not "
                "`local` alone."
            ),
            fan=describe(g["fan"][0]),
        )
    if tree_ok and not fan_ok:
        raise wrong(
            lazy(
                "Your gradients are right on graphs where each value is used once, but not where "
                "a value feeds two operations (for a = 2x, b = 3a, c = a + b at x = 1 you get "
                "dc/dx = {fan}). A node may pass its gradient on only after all its users have "
                "reported: visit the nodes in reverse topological order, "
                "`reversed(topological_order(self))`."
            ),
            fan=describe(g["fan"][0]),
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
    gather=_gather_engine,
    judge=_judge_engine,
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


def _gather_round(ctx, round_st):
    """Run ``round_st`` as the check needs it: its value for x, the gradient the tape gives
    for 3 · round_st(x), and what the learner's own ``grad(upstream)`` returns (read
    through the decorator, which keeps the function as ``__wrapped__``)."""
    from .. import tf

    data = {"callable": callable(round_st), "found": ctx.value(round_st)}
    if not callable(round_st):
        return data
    x = tf.constant(_POINTS)
    kept = {}

    def forward():
        with tf.GradientTape() as tape:
            tape.watch(x)
            r = round_st(x)
            kept["tape"] = tape
            if r is not None and not isinstance(r, tuple):
                try:  # recorded by the tape, as the learner would differentiate it
                    kept["y"] = _UPSTREAM * r
                except Exception:  # a string, a list: its value is diagnosed, not this
                    pass
        return r

    call, r = ctx.run(forward)
    data["forward"] = call
    data["pair"] = isinstance(r, tuple)
    if failed(call):
        return data
    data["gradient"] = None
    if "y" in kept:
        data["gradient"] = ctx.call(kept["tape"].gradient, kept["y"], x)
    data["own_grad"] = None
    inner = getattr(round_st, "__wrapped__", None)
    if callable(inner):

        def own_grad():
            _y, grad = inner(x)
            return grad(_UPSTREAM * tf.ones_like(x))

        data["own_grad"] = ctx.call(own_grad)
    return data


def _judge_round(data):
    if not data["callable"]:
        raise wrong(
            lazy("`round_st` should be a function, but it is {found}."),
            found=describe(data["found"]),
        )
    r = returned(data["forward"])
    if data["pair"]:
        raise wrong(
            lazy(
                "`round_st(x)` returned a pair (value, gradient function) instead of a tensor: "
                "decorate the function with `@tf.custom_gradient`, which takes that pair apart."
            ),
        )
    values = None if is_kind(r, "bool", "str") else to_numpy(r)
    x = np.array(_POINTS, dtype=np.float64)
    if values is None or values.shape != x.shape:
        raise wrong(
            lazy(
                "`round_st(x)` for x of shape (4,) returned {found}; it should return the "
                "rounded values, of the same shape."
            ),
            found=describe(r),
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
            v=describe(r),
            x=_POINTS,
        )
    gcall = data["gradient"]
    own = data["own_grad"]
    if gcall is not None and raised_is(gcall, "ShapeError"):
        found = None if own is None or failed(own) else returned(own)
        arr = None if found is None or is_kind(found, "bool", "str") else to_numpy(found)
        if arr is not None:
            raise wrong(
                lazy(
                    "Your gradient function returns {found}, of shape {s}, for an x of shape "
                    "(4,). `grad(upstream)` must return one gradient per element of x: an array "
                    "of x's shape. `upstream` has that shape; build the gradient from it "
                    "(straight through: pass it on)."
                ),
                found=describe(found),
                s=tuple(arr.shape),
            )
        raise wrong(
            lazy(
                "The gradient through `round_st` has the wrong shape ({error}). `grad(upstream)` "
                "must return one gradient per element of x: an array of x's shape, like "
                "`upstream`."
            ),
            error=gcall["raised"]["message"],
        )
    g = returned(gcall) if gcall is not None else {"t": "none"}
    if is_kind(g, "none"):
        raise wrong(
            lazy(
                "The gradient through `round_st` is `None`: `tf.round` alone has no gradient. "
                "Wrap it with `@tf.custom_gradient` and return `y, grad` where `grad(upstream)` "
                "says what flows back."
            ),
        )
    grads = array(g, lazy("the gradient"))
    same_shape = grads.shape == x.shape
    if same_shape and np.allclose(grads, _UPSTREAM, rtol=1e-6):
        return right(
            lazy(
                "Values are rounded, and d(3 · round_st(x))/dx = 3 everywhere: the upstream "
                "gradient passes straight through."
            ),
        )
    if same_shape and np.allclose(grads, 1.0, rtol=1e-6):
        raise wrong(
            lazy(
                "d(3 · round_st(x))/dx is 1 instead of following the factor 3: your gradient "
                "function ignores `upstream`. Return `upstream` itself."
            ),
        )
    if same_shape and np.allclose(grads, 0.0):
        raise wrong(
            lazy(
                "The gradient through `round_st` is 0, the derivative of a staircase. The point "
                "of a straight-through estimator is to pass `upstream` on unchanged."
            ),
        )
    if same_shape and np.allclose(grads, -_UPSTREAM, rtol=1e-6):
        raise wrong(
            lazy(
                "d(3 · round_st(x))/dx is −3 instead of 3: your gradient function flips the "
                "sign of `upstream`. Straight through means passing it on as it is."
            ),
        )
    if same_shape and close(grads, x):
        raise wrong(
            lazy(
                "d(3 · round_st(x))/dx comes out as x itself ({g}): your gradient function "
                "returns x, the input of the forward pass. `grad` must return the gradient it "
                "receives, `upstream`, passed on unchanged."
            ),
            g=describe(g),
        )
    if same_shape and close(grads, np.round(x)):
        raise wrong(
            lazy(
                "d(3 · round_st(x))/dx comes out as the rounded values ({g}): your gradient "
                "function returns y, the output of the forward pass. `grad` must return the "
                "gradient it receives, `upstream`, passed on unchanged."
            ),
            g=describe(g),
        )
    raise wrong(
        lazy(
            "d(3 · round_st(x))/dx is {g}; a straight-through gradient passes `upstream` on "
            "unchanged."
        ),
        g=describe(g),
    )


q2 = Problem(
    "ch06",
    2,
    names=["round_st"],
    gather=_gather_round,
    judge=_judge_round,
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


# -- q3: trace the training step, not the loop ---------------------------------------------------
_EPOCHS = 100  # the tutorial's run: lr 0.1 from W_start, b_start


def _traced(fn) -> bool:
    """``fn`` is a ``tf.function`` (it has a trace count and a Python body)."""
    return callable(getattr(fn, "experimental_get_tracing_count", None)) and callable(
        getattr(fn, "python_function", None))


def _body_of(fn):
    """The code object of the Python body a call of ``fn`` runs (None: not Python code)."""
    inner = getattr(fn, "python_function", fn) if _traced(fn) else fn
    return getattr(inner, "__code__", None)


def _counting(code, runs: list, fn, *args):
    """Call ``fn``, counting in ``runs[0]`` how often the Python body ``code`` starts.

    A profile hook sees every Python call: the count is exact for a plain function (once
    per call) and for a ``tf.function`` (once per trace, visible or behind the scenes), and
    nothing of the learner's is wrapped or changed.
    """
    def hook(frame, event, arg):
        if event == "call" and frame.f_code is code:
            runs[0] += 1

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        return fn(*args)
    finally:
        sys.setprofile(previous)


def _eagerly(train, epochs):
    """``train(epochs)`` with every ``tf.function`` running its Python body at each call."""
    from .. import tf

    was = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        return train(epochs)
    finally:
        tf.config.run_functions_eagerly(was)


def _one_step(train_step):
    """What one call of the step returns, on fresh variables at the tutorial's start."""
    from .. import tf

    _X, _y, W0, b0 = seed_data()
    W = tf.Variable(np.array([W0], dtype=np.float32))
    b = tf.Variable(np.array([b0], dtype=np.float32))
    return train_step(W, b)


def _gather_traced(ctx, train_step, train):
    data = {
        "callable": {"train_step": callable(train_step), "train": callable(train)},
        "found": {"train_step": ctx.value(train_step), "train": ctx.value(train)},
    }
    if not all(data["callable"].values()):
        return data
    data["step_traced"] = _traced(train_step)
    data["loop_traced"] = _traced(train)
    code = _body_of(train_step)

    def traces():
        return train_step.experimental_get_tracing_count() if data["step_traced"] else 0

    start = traces()
    data["runs"] = []
    # train(100) twice: the first call may trace the step (once), the second only replays
    for _k in range(2):
        runs = [0]
        call = ctx.call(_counting, code, runs, train, _EPOCHS)
        data["runs"].append({"call": call, "body": runs[0], "traces": traces() - start})
        if failed(call):
            break
    data["traces_total"] = traces()
    data["eager"] = None
    data["step_returns"] = None
    if not failed(data["runs"][-1]):
        data["eager"] = ctx.call(_eagerly, train, _EPOCHS)
        data["step_returns"] = ctx.call(_one_step, train_step)
    return data


def _training_error(call):
    """The usual mistakes inside a traced step, told from what ``train(100)`` raised; None
    for anything else (then the general "your code raised" message)."""
    raised = call.get("raised")
    if not raised:
        return None
    error = _short(f"{raised.get('type', '?')}: {raised.get('message', '')}", 240)
    if raised_is(call, "TracingError"):
        return wrong(
            lazy(
                "`train(100)` raised `{error}`. `train_step` makes a `tf.Variable` every time "
                "it is traced, and a tf.function may create variables on its first trace "
                "only. W and b are made once, in `train`, and handed to the step: inside "
                "`train_step`, work with the `W` and `b` it receives."
            ),
            error=error,
        )
    text = str(raised.get("message", ""))
    if raised_is(call, "TypeError") and "NoneType" in text:
        return wrong(
            lazy(
                "A gradient was `None` inside `train_step` (`{error}`): the loss does not "
                "depend on the W and b you differentiate. Record the loss inside the tape "
                "from the step's own `W` and `b`, then ask `tape.gradient(loss, [W, b])`."
            ),
            error=error,
        )
    if raised_is(call, "AttributeError") and "assign" in text:
        return wrong(
            lazy(
                "`{error}`: W or b is no longer a Variable inside `train_step`. `W = W - …` "
                "makes a new tensor; update the Variable itself with `W.assign_sub(0.1 * dW)`."
            ),
            error=error,
        )
    return None


def _pair_of(call):
    """``(W, b)`` as two floats from what ``train(100)`` returned, or Incorrect."""
    better = _training_error(call)
    if better is not None:
        raise better
    value = returned(call)
    if is_kind(value, "none"):
        raise wrong(lazy("`train(100)` returned `None`: keep its last line, `return W, b`."))
    items = value["items"] if is_kind(value, "tuple", "list") else None
    if items is None or value.get("n", len(items)) != 2:
        raise wrong(
            lazy("`train(100)` should return the pair `W, b`, but it returned {found}."),
            found=describe(value),
        )
    out = []
    for name, v in zip(("W", "b"), items, strict=True):
        arr = None if is_kind(v, "str", "bool") else to_numpy(v)
        if arr is None or arr.size != 1:
            raise wrong(
                lazy(
                    "`train(100)` returned a pair whose {name} is {found}; each should be one "
                    "number (a variable of shape (1,))."
                ),
                name=name,
                found=describe(v),
            )
        out.append(float(arr.reshape(())))
    return out


def _judge_values(W, b):
    """Incorrect unless ``(W, b)`` is where the tutorial's 100 epochs end."""
    rW, rb, _ = descend(0.1, _EPOCHS)
    if math.isclose(W, rW, rel_tol=1e-4, abs_tol=1e-4) and math.isclose(
            b, rb, rel_tol=1e-4, abs_tol=1e-4):
        return
    _X, _y, W0, b0 = seed_data()
    for name, found, start in (("W", W, W0), ("b", b, b0)):
        if math.isclose(found, start, rel_tol=1e-6, abs_tol=1e-6):
            raise wrong(
                lazy(
                    "After `train(100)` {name} is still at its start value: the step never "
                    "changed the Variable it was given. Inside `train_step`, `{name} = …` "
                    "(`{name} - 0.1 * d{name}`, or a new `tf.Variable`) only gives the local "
                    "name a new object; update the Variable the step receives in place, "
                    "`{name}.assign_sub(0.1 * d{name})`."
                ),
                name=name,
            )
    if not (math.isfinite(W) and math.isfinite(b)):
        raise wrong(
            lazy(
                "After `train(100)` W and b are not finite numbers (W = {W}, b = {b}): training "
                "diverged. The tutorial's loss is a mean, `tf.reduce_mean`, and its learning "
                "rate 0.1."
            ),
            W=W,
            b=b,
        )
    if loss_at(W, b) > loss_at(W0, b0):
        raise wrong(
            lazy(
                "With W = {W:.4g} and b = {b:.4g} the loss is larger than at the start: the "
                "steps moved uphill. Subtract the gradient: `W.assign_sub(0.1 * dW)`."
            ),
            W=W,
            b=b,
        )
    raise wrong(
        lazy(
            "`train(100)` returns W = {W:.4g}, b = {b:.4g}, which is not where the tutorial's "
            "100 epochs end. One step is one epoch of the tutorial: the mean squared error "
            "inside a tape, the gradients of W and b, and 0.1 × gradient subtracted from both."
        ),
        W=W,
        b=b,
    )


def _judge_decorators(data):
    """Incorrect when a name is not a function, or the loop is the tf.function."""
    for name in ("train_step", "train"):
        if not data["callable"][name]:
            raise wrong(
                lazy("`{name}` should be a function, but it is {found}."),
                name=name,
                found=describe(data["found"][name]),
            )
    if data["loop_traced"] and data["step_traced"]:
        raise wrong(
            lazy(
                "`train` is a tf.function too. `train_step` is the one to trace; `train` "
                "should stay plain Python: it creates W and b, which a tf.function may do on "
                "its first trace only, and tracing it would unroll its whole loop into one "
                "program. Remove `@tf.function` above `def train`."
            ),
        )
    if data["loop_traced"]:
        raise wrong(
            lazy(
                "You traced `train`, the loop, instead of the step. Tracing the loop unrolls "
                "its 100 epochs into one program (traced again for every new `epochs`), and "
                "`train` creates W and b, which a tf.function may do on its first trace only. "
                "Put `@tf.function` above `def train_step`, the function each epoch calls, "
                "and leave `train` plain Python."
            ),
        )


def _judge_traced(data):
    _judge_decorators(data)
    first = data["runs"][0]
    W, b = _pair_of(first["call"])
    body = [run["body"] for run in data["runs"]]
    if body[0] == 0 and data["traces_total"] == 0:
        raise wrong(
            lazy(
                "`train(100)` never called `train_step`: the loop must call the step once per "
                "epoch, `train_step(W, b)`."
            ),
        )
    _judge_values(W, b)
    if len(data["runs"]) > 1:
        _pair_of(data["runs"][1]["call"])  # the second run raised or ran too long
    eager = data["eager"]
    if eager is not None and eager.get("gradient_calls") == 0:
        raise wrong(
            lazy(
                "`train(100)` ends at the right W and b, but no `tape.gradient` call produced "
                "them. Let the tape compute dW and db: record the loss inside "
                "`with tf.GradientTape() as tape:` in the step."
            ),
        )
    _judge_body_runs(data, first["traces"], body)
    if eager is not None:
        eW, eb = _pair_of(eager)
        if not (math.isclose(W, eW, rel_tol=1e-6, abs_tol=1e-6)
                and math.isclose(b, eb, rel_tol=1e-6, abs_tol=1e-6)):
            raise wrong(
                lazy(
                    "Traced, `train(100)` ends at W = {W:.6g}, b = {b:.6g}; run eagerly, at "
                    "W = {eW:.6g}, b = {eb:.6g}. Something in `train_step`'s Python code "
                    "changes from call to call (a counter, a list, a global number): a trace "
                    "keeps the value it saw. Keep what changes in tensors or Variables."
                ),
                W=W,
                b=b,
                eW=eW,
                eb=eb,
            )
    _judge_step_returns(data["step_returns"])
    return right(
        lazy(
            "`train(100)` ends at the tutorial's W and b, as eagerly to 1e-6, and the body of "
            "`train_step` ran once: the first call traced it, the other epochs replayed the "
            "trace."
        ),
    )


def _judge_body_runs(data, traces, body):
    """Incorrect unless the step is a tf.function whose body ran at most once: not every
    epoch (undecorated), not retraced per call (a Python argument), not behind the scenes
    (a tensor's value read in Python)."""
    if not data["step_traced"]:
        raise wrong(
            lazy(
                "`train_step` is a plain Python function: its body ran {n} times in "
                "`train(100)`, once per epoch, with all the per-operation bookkeeping. Put "
                "`@tf.function` on the line above `def train_step`, so that its first call "
                "traces it and the other epochs replay the trace."
            ),
            n=body[0],
        )
    if traces > 1:
        raise wrong(
            lazy(
                "`train_step` was traced {n} times during `train(100)`: every call had a new "
                "signature. A Python number among the arguments (such as `epoch`) is part of "
                "the signature by its value, so each epoch traces again. Pass only W and b, "
                "`train_step(W, b)`: Variables and tensors are keyed by shape and dtype."
            ),
            n=traces,
        )
    if sum(body) > 1:
        raise wrong(
            lazy(
                "TensorFlow would count {traces} trace, but the body of `train_step` ran {n} "
                "times in two calls of `train(100)`: Python code in it reads a tensor's value "
                "(`float(loss)`, `.numpy()`, an `if` on a tensor), a value that changes every "
                "epoch, so adkernel had to trace again behind the scenes (TensorFlow refuses "
                "such code). Inside the step keep the loss a tensor: return it, and turn it "
                "into a number outside, in the loop."
            ),
            traces=max(data["traces_total"], 1),
            n=sum(body),
        )


def _judge_step_returns(step):
    """Incorrect unless one call of the step returned one number (the loss)."""
    if step is not None:
        value = returned(step)
        if is_kind(value, "none"):
            raise wrong(
                lazy(
                    "`train_step(W, b)` returns `None`: end it with `return loss`, so that "
                    "the loop can show the loss (a traced function hands it back as a "
                    "tensor)."
                ),
            )
        arr = None if is_kind(value, "str", "bool") else to_numpy(value)
        if arr is None or arr.size != 1:
            raise wrong(
                lazy(
                    "`train_step(W, b)` returns {found}; it should return the loss of the "
                    "epoch, one number."
                ),
                found=describe(value),
            )


q3 = Problem(
    "ch06",
    3,
    names=["train_step", "train"],
    gather=_gather_traced,
    judge=_judge_traced,
    hints=[
        lazy(
            "Trace the function that runs at every epoch: its first call records the program "
            "and the later calls replay it. The body of the step is one epoch of the "
            "tutorial's loop, written with the `W` and `b` it receives, and it returns the "
            "loss."
        ),
        lazy(
            "The decorator goes on the line just above `def train_step(W, b):`; `train` "
            "stays plain Python. Inside the step keep everything a tensor: no `float(...)` or "
            "`.numpy()`, no new `tf.Variable`; update the Variables it receives in place, as "
            "in chapter 04, and hand the loss back to the caller."
        ),
    ],
    starter="""
def train_step(W, b):
    ____

def train(epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    for epoch in range(epochs):
        train_step(W, b)
    return W, b
""",
    solution="""
@tf.function
def train_step(W, b):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(W * X + b - y))
    dW, db = tape.gradient(loss, [W, b])
    W.assign_sub(0.1 * dW)
    b.assign_sub(0.1 * db)
    return loss

def train(epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    for epoch in range(epochs):
        train_step(W, b)
    return W, b
""",
    explanation=lazy(
        "The step runs 100 times, so it is the function to trace: its first call runs the "
        "Python body once and records the forward ops, the gradient and the two writes; "
        "every later call replays that program on the W and b it is given (Variables as "
        "arguments are keyed by shape and dtype, so new ones do not retrace). `train` stays "
        "Python: it creates the Variables, which a tf.function may do on its first trace "
        "only, and its loop just calls the step."
    ),
)
