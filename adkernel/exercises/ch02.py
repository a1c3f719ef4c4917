"""Exercises of chapter 02 (the gradient tape).

``from adkernel.exercises import ____, ch02 as ex``
"""

from __future__ import annotations

from . import progress
from ._core import Problem, _short, numeric_derivative, right, wrong
from ._core import ____ as ____
from ._feedback import T

__all__ = ["progress", "q1", "q2"]


def _f(x):
    return x**3 - 2 * x


_POINTS = (2.0, -1.0, 0.5)  # hidden inputs, as Python floats


def _engine_says(call) -> str:
    """The engine's own explanation of a None gradient, captured from its warning."""
    for category, text in call.warnings:
        if category == "NoneGradientWarning":
            return _short(text, 400)
    return ""


def _check_derivative_at(ctx, derivative_at):
    if not callable(derivative_at):
        raise wrong(
            "`derivative_at` should be a function of x0, but it is not callable.",
            "`derivative_at` 应该是 x0 的函数，但它不可调用。",
        )
    found = []
    calls = 0
    for x0 in _POINTS:
        call = ctx.call(derivative_at, x0)
        if call.value is None:
            why = _engine_says(call)
            raise wrong(
                "`derivative_at({x0})` returned `None`. Either y was computed outside "
                "the `with` block or x is not watched (is it a `tf.Variable`?). "
                "The tape says: {why}",
                "`derivative_at({x0})` 返回了 `None`。可能 y 是在 `with` 块之外计算的，"
                "或者 x 没有被监视（它是 `tf.Variable` 吗？）。梯度带的解释：{why}",
                x0=x0,
                why=why or "—",
            )
        found.append(ctx.number(call.value, f"derivative_at({x0})"))
        calls += call.gradient_calls or 0
    expected = [numeric_derivative(_f, x0) for x0 in _POINTS]
    ok = [ctx.close(a, b, rtol=1e-4, atol=1e-5) for a, b in zip(found, expected, strict=False)]
    if all(ok):
        if calls == 0 and ctx.call(lambda: None).gradient_calls is not None:
            raise wrong(
                "Your numbers are right, but no `tape.gradient` call produced them. "
                "The point of this exercise is to let the tape differentiate: record "
                "y inside `with tf.GradientTape() as tape:` and return "
                "`tape.gradient(y, x)`.",
                "数值是对的，但它们不是由 `tape.gradient` 算出来的。这道题的目的是让梯度带"
                "求导：在 `with tf.GradientTape() as tape:` 中计算 y，"
                "然后返回 `tape.gradient(y, x)`。",
            )
        return right(
            "dy/dx = 3x² − 2 at all three hidden points, computed by the tape.",
            "在三个隐藏的点上都得到 dy/dx = 3x² − 2，而且是由梯度带算出的。",
        )
    if all(
        ctx.close(a, _f(x0), rtol=1e-4, atol=1e-5) for a, x0 in zip(found, _POINTS, strict=False)
    ):
        raise wrong(
            "At x0 = 2.0 you return {a:.6g}: that is y itself. Ask the tape for the "
            "gradient of y with respect to x instead.",
            "在 x0 = 2.0 处你返回 {a:.6g}：这是 y 本身。请改为向梯度带要 y 对 x 的梯度。",
            a=found[0],
        )
    if all(
        ctx.close(a, 3 * x0**2, rtol=1e-4, atol=1e-5) for a, x0 in zip(found, _POINTS, strict=False)
    ):
        raise wrong(
            "You return 3x² at every point: the −2x term of y is missing.",
            "你在每个点都返回 3x²：y 中的 −2x 项漏掉了。",
        )
    if len({round(a, 6) for a in found}) == 1:
        raise wrong(
            "`derivative_at` returns {a:.6g} for every x0 (tried 2.0, −1.0, 0.5). "
            "Does your function use its argument x0?",
            "`derivative_at` 对每个 x0 都返回 {a:.6g}（试了 2.0、−1.0、0.5）。"
            "你的函数用到参数 x0 了吗？",
            a=found[0],
        )
    i = ok.index(False)
    raise wrong(
        "At x0 = {x0} you return {a:.6g}, which is not the slope dy/dx of "
        "y = x³ − 2x at that point.",
        "在 x0 = {x0} 处你返回 {a:.6g}，这不是 y = x³ − 2x 在该点的斜率 dy/dx。",
        x0=_POINTS[i],
        a=found[i],
    )


q1 = Problem(
    "ch02",
    1,
    names=["derivative_at"],
    checker=_check_derivative_at,
    hints=[
        T(
            "Make x a `tf.Variable(x0)` so the tape watches it, and compute y = x³ − 2x inside "
            "`with tf.GradientTape() as tape:`.",
            "把 x 设为 `tf.Variable(x0)`，梯度带就会监视它；在 `with tf.GradientTape() as tape:` "
            "中计算 y = x³ − 2x。",
        ),
        T(
            "After the `with` block, return `tape.gradient(y, x)`.",
            "在 `with` 块之后，返回 `tape.gradient(y, x)`。",
        ),
    ],
    starter="""
def derivative_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = ____
    return ____
""",
    solution="""
def derivative_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = x**3 - 2 * x
    return tape.gradient(y, x)
""",
    explanation=T(
        "dy/dx = 3x² − 2: 10 at x = 2, 1 at x = −1, −1.25 at x = 0.5.",
        "dy/dx = 3x² − 2：x = 2 时为 10，x = −1 时为 1，x = 0.5 时为 −1.25。",
    ),
)


def _check_watched(ctx, watched_gradient):
    from .. import tf

    if not callable(watched_gradient):
        raise wrong(
            "`watched_gradient` should be a function, but it is not callable.",
            "`watched_gradient` 应该是一个函数，但它不可调用。",
        )
    call = ctx.call(watched_gradient)
    value = call.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise wrong(
            "`watched_gradient()` should return the pair `x, g`; keep its last line "
            "`return x, tape.gradient(y, x)`.",
            "`watched_gradient()` 应该返回 `x, g` 两个值；请保留最后一行 "
            "`return x, tape.gradient(y, x)`。",
        )
    x, g = value
    if isinstance(x, tf.Variable):
        raise wrong(
            "That works, but only because x became a `tf.Variable`. Keep "
            "`x = tf.constant(3.0)` and make the tape watch the constant.",
            "这样可以得到结果，但那只是因为 x 变成了 `tf.Variable`。请保留 "
            "`x = tf.constant(3.0)`，让梯度带监视这个常量。",
        )
    if g is None:
        why = _engine_says(call)
        raise wrong(
            "The gradient is still `None`: the tape must watch x before y is "
            "computed. The tape says: {why}",
            "梯度仍然是 `None`：必须在计算 y 之前让梯度带监视 x。梯度带的解释：{why}",
            why=why or "—",
        )
    gv = ctx.number(g, "g")
    if not ctx.close(gv, 6.0, rtol=1e-5, atol=1e-6):
        raise wrong(
            "The gradient is {g:.6g}, not dy/dx = 2x at x = 3. Did you change y?",
            "梯度是 {g:.6g}，不是 x = 3 处的 dy/dx = 2x。你修改了 y 吗？",
            g=gv,
        )
    return right(
        "The constant is watched, so the tape records x**2 and gives dy/dx = 2x at x = 3.",
        "常量被监视后，梯度带记录了 x**2，并给出 x = 3 处的 dy/dx = 2x。",
    )


q2 = Problem(
    "ch02",
    2,
    names=["watched_gradient"],
    checker=_check_watched,
    hints=[
        T(
            "Variables are watched automatically. Is x a variable here?",
            "变量会被自动监视。这里的 x 是变量吗？",
        ),
        T(
            "Replace `____` by `tape.watch(x)`: it must come before `y = x ** 2`.",
            "把 `____` 换成 `tape.watch(x)`：它必须写在 `y = x ** 2` 之前。",
        ),
    ],
    starter="""
def watched_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        ____
        y = x ** 2
    return x, tape.gradient(y, x)
""",
    solution="""
def watched_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x ** 2
    return x, tape.gradient(y, x)
""",
    explanation=T(
        "A tape records operations on what it watches: variables automatically, "
        "constants only after `tape.watch`.",
        "梯度带只记录它所监视的张量上的操作：变量自动被监视，常量要先调用 `tape.watch`。",
    ),
)
