"""Exercises of chapter 06 (under the hood).

``from adkernel.exercises import ____, ch06 as ex``
"""

from __future__ import annotations

import math

import numpy as np

from . import progress
from ._core import Problem, describe, right, to_array, wrong
from ._core import ____ as ____
from ._feedback import T

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
                "`{name}` should be a function, but it is {found}.",
                "`{name}` 应该是一个函数，但它是 {found}。",
                name=name,
                found=describe(fn),
            )
    if not isinstance(Value, type):
        raise wrong(
            "`Value` should be the class defined above, but it is {found}: run the cell "
            "that defines it again.",
            "`Value` 应该是上面定义的类，但它是 {found}：请重新运行定义它的单元格。",
            found=describe(Value),
        )
    g = ctx.call(_graphs, Value, mul, backward).value
    data, ga, gb = g["ab"]
    if not _same([data], [10.0]):
        raise wrong(
            "For a = 2, b = 5, `(a * b).data` is {d}: the forward value of a product is "
            "`self.data * other.data`.",
            "当 a = 2、b = 5 时，`(a * b).data` 是 {d}：乘积的前向值是 `self.data * other.data`。",
            d=describe(data),
        )
    if _same([ga, gb], [0.0, 0.0]):
        raise wrong(
            "For f = a · b no gradient reached a or b (both are 0). `backward` should walk "
            "the nodes from f back to the inputs, reversed(topological_order(self)), and add "
            "upstream × local to each parent's grad.",
            "对于 f = a · b，没有梯度到达 a 或 b（两者都是 0）。`backward` 应该从 f 往回走到"
            "输入，即 reversed(topological_order(self))，并把“上游 × 局部”加到"
            "每个父节点的 grad 上。",
        )
    if _same([ga, gb], [2.0, 5.0]):
        raise wrong(
            "For f = a · b at a = 2, b = 5 you get ∂f/∂a = 2 and ∂f/∂b = 5: the local "
            "derivatives are swapped. ∂(ab)/∂a is b, the *other* factor.",
            "对于 a = 2、b = 5 处的 f = a · b，你得到 ∂f/∂a = 2、∂f/∂b = 5：局部导数对调了。"
            "∂(ab)/∂a 是 b，即*另一个*因子。",
        )
    if not _same([ga, gb], [5.0, 2.0]):
        raise wrong(
            "For f = a · b at a = 2, b = 5 you get ∂f/∂a = {ga} and ∂f/∂b = {gb}. Each input "
            "of a product should receive upstream × the other factor.",
            "对于 a = 2、b = 5 处的 f = a · b，你得到 ∂f/∂a = {ga}、∂f/∂b = {gb}。"
            "乘积的每个输入应得到“上游 × 另一个因子”。",
            ga=describe(ga),
            gb=describe(gb),
        )
    if _same([g["twice"]], [1.0]):
        raise wrong(
            "For f = a + a you get ∂f/∂a = 1: the second contribution overwrote the first. "
            "A value used twice collects both: accumulate with `+=`.",
            "对于 f = a + a，你得到 ∂f/∂a = 1：第二份贡献覆盖了第一份。一个值被用了两次，"
            "就要收集两份贡献：用 `+=` 累加。",
        )
    if _same(g["tree"], [0.0, 0.0, 0.0]):
        raise wrong(
            "For f = a · b + c · 3 no gradient reached a, b or c. `topological_order(self)` "
            "lists the inputs first and f last: walk it backwards, "
            "`reversed(topological_order(self))`, so that each node already has its "
            "gradient when it passes it on.",
            "对于 f = a · b + c · 3，没有梯度到达 a、b 或 c。`topological_order(self)` 先列出输入、"
            "最后才是 f：请倒着遍历它，即 `reversed(topological_order(self))`，"
            "这样每个节点在往下传梯度时已经拿到了自己的梯度。",
        )
    tree_ok = _same(g["tree"], [-1.0, 2.0, 3.0])
    fan_ok = _same([g["twice"], g["fan"]], [2.0, 8.0]) and _same(g["f"], [-3.0, -8.0])
    if tree_ok and not fan_ok:
        raise wrong(
            "Your gradients are right on graphs where each value is used once, but not where "
            "a value feeds two operations (for a = 2x, b = 3a, c = a + b at x = 1 you get "
            "dc/dx = {fan}). A node may pass its gradient on only after all its users have "
            "reported: visit the nodes in reverse topological order, "
            "`reversed(topological_order(self))`.",
            "在每个值只用一次的图上你的梯度是对的，但一个值参与两个操作时就不对了"
            "（对于 x = 1 处的 a = 2x、b = 3a、c = a + b，你得到 dc/dx = {fan}）。"
            "一个节点必须等它的所有使用者都报告之后，才能把梯度往下传：请按逆拓扑序访问节点，"
            "即 `reversed(topological_order(self))`。",
            fan=describe(g["fan"]),
        )
    if not (tree_ok and fan_ok):
        a, b = g["f"]
        raise wrong(
            "For f = (a · b)(a + b) at a = −2, b = 3 you get ∂f/∂a = {ga} and ∂f/∂b = {gb}, "
            "which are not the partial derivatives. Check that each parent receives "
            "`node.grad * local` added to its grad.",
            "对于 a = −2、b = 3 处的 f = (a · b)(a + b)，你得到 ∂f/∂a = {ga}、∂f/∂b = {gb}，"
            "它们不是偏导数。检查每个父节点的 grad 是否加上了 `node.grad * local`。",
            ga=describe(a),
            gb=describe(b),
        )
    return right(
        "Your engine differentiates products, values used twice and a mixed graph exactly: "
        "upstream × local, accumulated, in reverse topological order.",
        "你的引擎能精确地对乘积、被使用两次的值以及混合的图求导：上游 × 局部，累加，按逆拓扑序。",
    )


q1 = Problem(
    "ch06",
    1,
    names=["mul", "backward", "Value"],
    checker=_check_engine,
    hints=[
        T(
            "Each parent pair is (input, ∂output/∂input). For a product the derivative with "
            "respect to one factor is the other factor. In `backward`, each parent gets "
            "upstream × local: `parent.grad += node.grad * local`.",
            "每个父节点对是（输入, ∂输出/∂输入）。乘积对一个因子的导数就是另一个因子。"
            "在 `backward` 中，每个父节点得到“上游 × 局部”：`parent.grad += node.grad * local`。",
        ),
        T(
            "`topological_order(self)` lists every node after its inputs; walk it backwards, "
            "`for node in reversed(topological_order(self)):`, so that each node has heard "
            "from all its users before it passes its gradient on.",
            "`topological_order(self)` 把每个节点排在它的输入之后；倒着遍历它，"
            "`for node in reversed(topological_order(self)):`，这样每个节点在往下传梯度之前，"
            "已经收到了所有使用者的贡献。",
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
    explanation=T(
        "∂(ab)/∂a = b and ∂(ab)/∂b = a, recorded when the product is computed. The backward "
        "pass visits each node once, after everything that used it, and adds upstream × local "
        "to its inputs: for f = (a · b)(a + b) at (−2, 3) that gives (−3, −8).",
        "∂(ab)/∂a = b，∂(ab)/∂b = a，在计算乘积时就记录下来。反向传播在每个节点的所有使用者"
        "之后访问它一次，把“上游 × 局部”加到它的输入上：对于 (−2, 3) 处的 "
        "f = (a · b)(a + b)，得到 (−3, −8)。",
    ),
)


# -- q2: a straight-through rounding with tf.custom_gradient --------------------------------------
_POINTS = [0.3, 1.7, -2.6, 2.2]  # away from .5, where rounding conventions differ


def _probe(round_st):
    from .. import tf

    x = tf.constant(_POINTS)
    with tf.GradientTape() as tape:
        tape.watch(x)
        r = round_st(x)
        if isinstance(r, tuple):
            return r, None
        y = 3.0 * r
    return y, tape.gradient(y, x)


def _check_round(ctx, round_st):
    if not callable(round_st):
        raise wrong(
            "`round_st` should be a function, but it is {found}.",
            "`round_st` 应该是一个函数，但它是 {found}。",
            found=describe(round_st),
        )
    y, g = ctx.call(_probe, round_st).value
    if isinstance(y, tuple):
        raise wrong(
            "`round_st(x)` returned a pair (value, gradient function) instead of a tensor: "
            "decorate the function with `@tf.custom_gradient`, which takes that pair apart.",
            "`round_st(x)` 返回了一对值（值, 梯度函数），而不是一个张量：请给函数加上装饰器 "
            "`@tf.custom_gradient`，它会把这一对值拆开。",
        )
    values = to_array(y) / 3.0 if y is not None else None
    x = np.array(_POINTS, dtype=np.float64)
    if values is None or values.shape != x.shape:
        raise wrong(
            "`round_st(x)` for x of shape (4,) returned {found}; it should return the "
            "rounded values, of the same shape.",
            "对形状为 (4,) 的 x，`round_st(x)` 返回了 {found}；它应该返回形状相同的取整结果。",
            found=describe(y),
        )
    if np.allclose(values, x, rtol=1e-6, atol=1e-6):
        raise wrong(
            "`round_st(x)` returns x unchanged: the forward pass must still round "
            "(`tf.round(x)`); only the gradient passes straight through.",
            "`round_st(x)` 原样返回了 x：前向计算仍然必须取整（`tf.round(x)`）；"
            "只有梯度是直接穿过的。",
        )
    if not np.allclose(values, np.round(x), atol=1e-6):
        raise wrong(
            "`round_st(x)` gives {v} for x = {x}: those are not the rounded values.",
            "对 x = {x}，`round_st(x)` 给出 {v}：这些不是取整后的值。",
            v=describe(values),
            x=_POINTS,
        )
    if g is None:
        raise wrong(
            "The gradient through `round_st` is `None`: `tf.round` alone has no gradient. "
            "Wrap it with `@tf.custom_gradient` and return `y, grad` where `grad(upstream)` "
            "says what flows back.",
            "穿过 `round_st` 的梯度是 `None`：单独的 `tf.round` 没有梯度。请用 "
            "`@tf.custom_gradient` 包装它，并返回 `y, grad`，由 `grad(upstream)` 决定往回传什么。",
        )
    grads = ctx.array(g, "the gradient")
    if grads.shape == x.shape and np.allclose(grads, 3.0, rtol=1e-6):
        return right(
            "Values are rounded, and d(3 · round_st(x))/dx = 3 everywhere: the upstream "
            "gradient passes straight through.",
            "数值被取整，而且处处 d(3 · round_st(x))/dx = 3：上游梯度直接穿了过去。",
        )
    if grads.shape == x.shape and np.allclose(grads, 1.0, rtol=1e-6):
        raise wrong(
            "d(3 · round_st(x))/dx is 1 instead of following the factor 3: your gradient "
            "function ignores `upstream`. Return `upstream` itself.",
            "d(3 · round_st(x))/dx 是 1，没有随因子 3 变化：你的梯度函数忽略了 `upstream`。"
            "请直接返回 `upstream`。",
        )
    if grads.shape == x.shape and np.allclose(grads, 0.0):
        raise wrong(
            "The gradient through `round_st` is 0, the derivative of a staircase. The point "
            "of a straight-through estimator is to pass `upstream` on unchanged.",
            "穿过 `round_st` 的梯度是 0，这是阶梯函数的导数。直通估计（straight-through）"
            "的意义就在于把 `upstream` 原样传下去。",
        )
    raise wrong(
        "d(3 · round_st(x))/dx is {g}; a straight-through gradient passes `upstream` on unchanged.",
        "d(3 · round_st(x))/dx 是 {g}；直通梯度应把 `upstream` 原样传下去。",
        g=describe(grads),
    )


q2 = Problem(
    "ch06",
    2,
    names=["round_st"],
    checker=_check_round,
    hints=[
        T(
            "Inside the decorated function compute `y = tf.round(x)`, define `grad(upstream)`, "
            "and return the pair `y, grad`.",
            "在被装饰的函数中计算 `y = tf.round(x)`，定义 `grad(upstream)`，并返回 `y, grad`。",
        ),
        T(
            "Straight through means the gradient function returns `upstream` unchanged.",
            "“直通”的意思是梯度函数原样返回 `upstream`。",
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
    explanation=T(
        "The forward pass rounds; the backward pass pretends rounding was the identity, so "
        "the local derivative is 1 and the upstream gradient flows on unchanged. Quantised "
        "networks train this way.",
        "前向计算取整；反向传播时假装取整是恒等函数，于是局部导数为 1，上游梯度原样往下传。"
        "量化神经网络就是这样训练的。",
    ),
)
