"""Exercises of chapter 07 (summary).

``from adkernel.exercises import ____, ch07 as ex``
"""

from __future__ import annotations

import math

from . import progress
from ._core import Problem, describe, numeric_derivative, right, wrong
from ._core import ____ as ____
from ._feedback import T

__all__ = ["progress", "q1"]


def _cubic(x):
    return x**3 - 2 * x


def _wave(x):
    from .. import tf

    return tf.sin(x) * x


def _branchy(x):
    if x > 1:
        return x**2
    return -(x**3)


def _cubic64(t):
    return t**3 - 2 * t


def _wave64(t):
    return math.sin(t) * t


def _branchy64(t):
    return t**2 if t > 1 else -(t**3)


# (function given to the learner, float64 twin, point, description); the last two branch
_CASES = (
    (_cubic, _cubic64, 1.5, "x³ − 2x"),
    (_wave, _wave64, 0.7, "x · sin x"),
    (_branchy, _branchy64, 2.0, "x² if x > 1 else −x³"),
    (_branchy, _branchy64, -1.0, "x² if x > 1 else −x³"),
)


def _check_grad_of(ctx, grad_of):
    if not callable(grad_of):
        raise wrong(
            "`grad_of` should be a function `def grad_of(f, x0): ...`, but it is {found}.",
            "`grad_of` 应该是一个函数 `def grad_of(f, x0): ...`，但它是 {found}。",
            found=describe(grad_of),
        )
    found, tape_calls = [], 0
    for f, _, x0, text in _CASES:
        call = ctx.call(grad_of, f, x0)
        if call.value is None:
            raise wrong(
                "`grad_of(f, {x0})` for f(x) = {f} returned `None`: the tape did not watch "
                "x. A constant is watched only after `tape.watch(x)`, called before f(x).",
                "对 f(x) = {f}，`grad_of(f, {x0})` 返回了 `None`：梯度带没有监视 x。"
                "常量只有在调用 `tape.watch(x)` 之后才会被监视，而且要在计算 f(x) 之前调用。",
                x0=x0,
                f=text,
            )
        found.append(ctx.number(call.value, f"grad_of(f, {x0})"))
        tape_calls += call.gradient_calls or 0
    expected = [numeric_derivative(f64, x0) for _, f64, x0, _ in _CASES]
    ok = [
        math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-5) for a, b in zip(found, expected, strict=True)
    ]
    near = [
        math.isclose(a, b, rel_tol=1e-2, abs_tol=1e-2) for a, b in zip(found, expected, strict=True)
    ]
    if all(near) and tape_calls == 0:
        raise wrong(
            "Your numbers are close, but no `tape.gradient` call produced them: that is "
            "numerical differentiation. Record f(x) on a tape and ask it for the gradient.",
            "你的数值很接近，但它们不是由 `tape.gradient` 算出来的：这是数值微分。"
            "请在梯度带上记录 f(x)，再向它要梯度。",
        )
    if all(ok):
        return right(
            "Exact derivatives for all four hidden functions and points, including both "
            "branches of an `if`: the tape records whichever branch runs.",
            "四个隐藏的函数和点都得到了精确的导数，包括 `if` 的两个分支："
            "梯度带记录的是实际执行的分支。",
        )
    if all(ok[:2]) and not all(ok[2:]):
        raise wrong(
            "Right for smooth functions, but not for f(x) = {f} at x0 = {x0}. Evaluate "
            "f(x) inside the tape at x0 itself, so that the branch that runs is the one "
            "recorded.",
            "对光滑函数是对的，但对 x0 = {x0} 处的 f(x) = {f} 不对。请在梯度带中、就在 x0 处"
            "计算 f(x)，这样被记录的就是实际执行的那个分支。",
            f=_CASES[2 + ok[2:].index(False)][3],
            x0=_CASES[2 + ok[2:].index(False)][2],
        )
    i = ok.index(False)
    raise wrong(
        "For f(x) = {f} at x0 = {x0} you return {a}, which is not df/dx there.",
        "对 x0 = {x0} 处的 f(x) = {f}，你返回 {a}，这不是该点的 df/dx。",
        f=_CASES[i][3],
        x0=_CASES[i][2],
        a=describe(found[i]),
    )


q1 = Problem(
    "ch07",
    1,
    names=["grad_of"],
    checker=_check_grad_of,
    hints=[
        T(
            "Make x0 a constant with `x = tf.constant(x0)`, and watch it on the tape before "
            "calling f.",
            "用 `x = tf.constant(x0)` 把 x0 变成常量，并在调用 f 之前让梯度带监视它。",
        ),
        T(
            "Inside `with tf.GradientTape() as tape:` write `tape.watch(x)` and `y = f(x)`; "
            "after the block return `tape.gradient(y, x)`.",
            "在 `with tf.GradientTape() as tape:` 中写 `tape.watch(x)` 和 `y = f(x)`；"
            "块结束后返回 `tape.gradient(y, x)`。",
        ),
    ],
    starter="""
def grad_of(f, x0):
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        ____
    return ____
""",
    solution="""
def grad_of(f, x0):
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)
""",
    explanation=T(
        "This is JAX's `grad(f)(x0)` written with a tape: whatever Python f runs (loops, "
        "`if`s, calls), the tape records the operations that actually ran at x0.",
        "这就是用梯度带写出的 JAX `grad(f)(x0)`：无论 f 执行了什么 Python 代码（循环、`if`、"
        "函数调用），梯度带记录的都是在 x0 处实际执行的操作。",
    ),
)
