"""Exercises of chapter 03 (several variables).

``from adkernel.exercises import ____, ch03 as ex``
"""

from __future__ import annotations

import numpy as np

from . import progress
from ._core import Problem, describe, numeric_derivative, numeric_jacobian, right, wrong
from ._core import ____ as ____
from ._feedback import T

__all__ = ["progress", "q1", "q2", "q3"]


def _z(x, y):
    return x**2 * y + y**3


def _check_grads(ctx, grads):
    expected = {
        "x": numeric_derivative(lambda t: _z(t, 3.0), 2.0),
        "y": numeric_derivative(lambda t: _z(2.0, t), 3.0),
    }
    if isinstance(grads, (list, tuple)):
        raise wrong(
            "`grads` is {found}. Pass a dict of sources, `{{'x': x, 'y': y}}`, and "
            "the tape returns a dict with the same keys.",
            "`grads` 是 {found}。请把源写成字典 `{{'x': x, 'y': y}}`，梯度带就会返回键相同的字典。",
            found=describe(grads),
        )
    if not isinstance(grads, dict):
        raise wrong(
            "`grads` should be a dict like `{{'x': ..., 'y': ...}}`, but it is {found}.",
            "`grads` 应该是形如 `{{'x': ..., 'y': ...}}` 的字典，但它是 {found}。",
            found=describe(grads),
        )
    if set(grads) != {"x", "y"}:
        raise wrong(
            "The keys of `grads` are {keys}; use the keys 'x' and 'y'.",
            "`grads` 的键是 {keys}；请使用键 'x' 和 'y'。",
            keys=sorted(map(str, grads)),
        )
    for key in ("x", "y"):
        if grads[key] is None:
            raise wrong(
                "`grads['{k}']` is `None`: the tape did not watch {k}. Is it a "
                "`tf.Variable`, and was z computed inside the `with` block?",
                "`grads['{k}']` 是 `None`：梯度带没有监视 {k}。它是 `tf.Variable` 吗？"
                "z 是在 `with` 块中计算的吗？",
                k=key,
            )
    gx = ctx.number(grads["x"], "grads['x']")
    gy = ctx.number(grads["y"], "grads['y']")
    if ctx.close(gx, expected["x"], rtol=1e-5) and ctx.close(gy, expected["y"], rtol=1e-5):
        return right(
            "∂z/∂x = 2xy and ∂z/∂y = x² + 3y², returned under the keys you chose.",
            "∂z/∂x = 2xy、∂z/∂y = x² + 3y²，按你给的键返回。",
        )
    if ctx.close(gx, expected["y"], rtol=1e-5) and ctx.close(gy, expected["x"], rtol=1e-5):
        raise wrong(
            "The two values are swapped: check which key holds which variable.",
            "两个值对调了：检查一下每个键对应哪个变量。",
        )
    if ctx.close(gx, 4.0) and ctx.close(gy, 27.0):
        raise wrong(
            "You found 4 and 27: those are the gradients of the seed's z = x² + y³. "
            "This z adds the term x²·y.",
            "你得到 4 和 27：这是种子教程中 z = x² + y³ 的梯度。本题的 z 多了一项 x²·y。",
        )
    raise wrong(
        "You found ∂z/∂x = {gx:.6g} and ∂z/∂y = {gy:.6g}; these are not the partial "
        "derivatives of z = x²·y + y³ at (2, 3).",
        "你得到 ∂z/∂x = {gx:.6g}、∂z/∂y = {gy:.6g}；它们不是 z = x²·y + y³ 在 (2, 3) 处的偏导数。",
        gx=gx,
        gy=gy,
    )


q1 = Problem(
    "ch03",
    1,
    names=["grads"],
    checker=_check_grads,
    hints=[
        T(
            "`tape.gradient` returns the same structure as its sources: give it a dict.",
            "`tape.gradient` 返回的结构与源相同：把源写成字典。",
        ),
        T(
            "`tape.gradient(z, {'x': x, 'y': y})`. By hand: ∂z/∂x = 2xy, ∂z/∂y = x² + 3y².",
            "`tape.gradient(z, {'x': x, 'y': y})`。手算：∂z/∂x = 2xy，∂z/∂y = x² + 3y²。",
        ),
    ],
    starter="""
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as tape:
    z = x**2 * y + y**3
grads = ____
""",
    solution="""
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as tape:
    z = x**2 * y + y**3
grads = tape.gradient(z, {"x": x, "y": y})
""",
    explanation=T(
        "2xy = 12 and x² + 3y² = 31 at (2, 3).", "在 (2, 3) 处 2xy = 12，x² + 3y² = 31。"
    ),
)


def _F(v):
    return np.array([v[0] * v[1], v[0] + v[1], v[1] ** 2])


def _check_jacobian(ctx, J):
    expected = numeric_jacobian(_F, [2.0, 3.0])
    arr = ctx.array(J, "J")
    if arr.shape == (2, 3):
        raise wrong(
            "`J` has shape (2, 3): rows should be outputs (3 of them) and columns "
            "inputs (2), so the shape is (3, 2).",
            "`J` 的形状是 (2, 3)：行应对应输出（3 个），列对应输入（2 个），所以形状应为 (3, 2)。",
        )
    if arr.shape == (2,) and ctx.close(arr, expected.sum(axis=0)):
        raise wrong(
            "You found {a}: that is `gradient`, the gradient of the sum of the three "
            "outputs. Use `tape.jacobian(F, v)` for one row per output.",
            "你得到 {a}：这是 `gradient` 的结果，即三个输出之和的梯度。"
            "请用 `tape.jacobian(F, v)` 得到每个输出一行。",
            a=arr.tolist(),
        )
    if arr.shape != (3, 2):
        raise wrong(
            "`J` has shape {s}; a Jacobian of 3 outputs with respect to 2 inputs has shape (3, 2).",
            "`J` 的形状是 {s}；3 个输出对 2 个输入的雅可比矩阵形状为 (3, 2)。",
            s=arr.shape,
        )
    if ctx.close(arr, expected, rtol=1e-5, atol=1e-5):
        return right(
            "Row i holds the partial derivatives of output i: a 3 × 2 grid, and its "
            "column sums are what `gradient` returns.",
            "第 i 行是第 i 个输出的偏导数：一个 3 × 2 的网格，它的列和就是 `gradient` 返回的结果。",
        )
    bad = np.argwhere(~np.isclose(arr, expected, rtol=1e-5, atol=1e-5))[0]
    raise wrong(
        "Entry J[{i}, {j}] is {v:.6g}, which is not ∂F{i}/∂v{j} at v = (2, 3).",
        "J[{i}, {j}] 是 {v:.6g}，不是 v = (2, 3) 处的 ∂F{i}/∂v{j}。",
        i=int(bad[0]),
        j=int(bad[1]),
        v=float(arr[tuple(bad)]),
    )


q2 = Problem(
    "ch03",
    2,
    names=["J"],
    checker=_check_jacobian,
    hints=[
        T(
            "A Jacobian has one row per output and one column per input.",
            "雅可比矩阵每个输出一行、每个输入一列。",
        ),
        T("`tape.jacobian(F, v)`.", "`tape.jacobian(F, v)`。"),
    ],
    starter="""
v = tf.Variable([2.0, 3.0])
with tf.GradientTape() as tape:
    F = tf.stack([v[0] * v[1], v[0] + v[1], v[1] ** 2])
J = ____
""",
    solution="""
v = tf.Variable([2.0, 3.0])
with tf.GradientTape() as tape:
    F = tf.stack([v[0] * v[1], v[0] + v[1], v[1] ** 2])
J = tape.jacobian(F, v)
""",
    explanation=T(
        "Rows: ∂(v₀v₁) = (v₁, v₀) = (3, 2); ∂(v₀ + v₁) = (1, 1); ∂(v₁²) = (0, 2v₁) = (0, 6).",
        "各行：∂(v₀v₁) = (v₁, v₀) = (3, 2)；∂(v₀ + v₁) = (1, 1)；∂(v₁²) = (0, 2v₁) = (0, 6)。",
    ),
)


def _check_second(ctx, d2z_dy2):
    if d2z_dy2 is None:
        raise wrong(
            "`d2z_dy2` is `None`: the inner `gradient` must run inside the outer "
            "`with` block, so that the outer tape records it.",
            "`d2z_dy2` 是 `None`：内层的 `gradient` 必须在外层 `with` 块内执行，"
            "外层梯度带才能记录它。",
        )
    value = ctx.number(d2z_dy2, "d2z_dy2")
    expected = numeric_derivative(lambda t: numeric_derivative(lambda s: s**3, t, 1e-4), 3.0, 1e-4)
    if ctx.close(value, expected, rtol=1e-4, atol=1e-4):
        return right(
            "d²z/dy² = 6y: the outer tape differentiated the inner tape's result.",
            "d²z/dy² = 6y：外层梯度带对内层梯度带的结果再次求导。",
        )
    if ctx.close(value, 27.0):
        raise wrong(
            "You found 27: that is the first derivative dz/dy = 3y². Differentiate "
            "it again with the outer tape.",
            "你得到 27：这是一阶导数 dz/dy = 3y²。请用外层梯度带再求一次导。",
        )
    raise wrong(
        "You found {v:.6g}, which is not the second derivative of z with respect to y at y = 3.",
        "你得到 {v:.6g}，它不是 z 在 y = 3 处对 y 的二阶导数。",
        v=value,
    )


q3 = Problem(
    "ch03",
    3,
    names=["d2z_dy2"],
    checker=_check_second,
    hints=[
        T(
            "Nest two tapes: the inner one gives dz/dy, the outer one differentiates that.",
            "嵌套两个梯度带：内层给出 dz/dy，外层再对它求导。",
        ),
        T(
            "Compute `dz_dy = inner.gradient(z, y)` while still inside the outer `with`; after "
            "it, `outer.gradient(dz_dy, y)`.",
            "在仍处于外层 `with` 中时计算 `dz_dy = inner.gradient(z, y)`；之后调用 "
            "`outer.gradient(dz_dy, y)`。",
        ),
    ],
    starter="""
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        z = x**2 + y**3
    dz_dy = ____
d2z_dy2 = ____
""",
    solution="""
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        z = x**2 + y**3
    dz_dy = inner.gradient(z, y)
d2z_dy2 = outer.gradient(dz_dy, y)
""",
    explanation=T(
        "dz/dy = 3y², and its derivative 6y is 18 at y = 3.",
        "dz/dy = 3y²，它的导数 6y 在 y = 3 处等于 18。",
    ),
)
