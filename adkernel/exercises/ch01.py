"""Exercises of chapter 01 (what is AD): ``from adkernel.exercises import ____, ch01 as ex``."""

from __future__ import annotations

import numpy as np

from . import progress
from ._core import Problem, describe, right, wrong
from ._core import ____ as ____
from ._feedback import T

__all__ = ["progress", "q1", "q2", "q3"]


def _cube(t):
    return t**3


# (function, x, h): hidden inputs, Python floats so they adopt the learner's arithmetic
_CASES = ((np.sin, 1.0, 1e-3), (np.exp, 0.5, 1e-2), (_cube, 2.0, 0.1))


def _central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def _check_central_diff(ctx, central_diff):
    if not callable(central_diff):
        raise wrong(
            "`central_diff` should be a function `def central_diff(f, x, h): ...`, "
            "but it is not callable.",
            "`central_diff` 应该是一个函数 `def central_diff(f, x, h): ...`，但它不可调用。",
        )
    found = []
    for f, x, h in _CASES:
        value = ctx.call(central_diff, f, x, h).value
        if value is None:
            raise wrong(
                "`central_diff(f, x, h)` returned `None`: did you forget `return`?",
                "`central_diff(f, x, h)` 返回了 `None`：是不是忘了写 `return`？",
            )
        found.append(ctx.number(value, "central_diff(f, x, h)"))
    expected = [_central(f, x, h) for f, x, h in _CASES]
    if all(ctx.close(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(found, expected, strict=False)):
        return right(
            "Your central difference matches the formula on three hidden functions and step sizes.",
            "你的中心差分在三个隐藏的函数和步长上都与公式一致。",
        )
    name = {np.sin: "sin", np.exp: "exp", _cube: "x**3"}
    for (f, x, h), a, b in zip(_CASES, found, expected, strict=False):
        if ctx.close(a, b, rtol=1e-9, atol=1e-12):
            continue
        if ctx.close(a, (f(x + h) - f(x)) / h, rtol=1e-9):
            raise wrong(
                "For f = {f}, x = {x}, h = {h} you return the forward difference "
                "(f(x + h) − f(x)) / h. The central difference steps to both sides "
                "of x.",
                "当 f = {f}、x = {x}、h = {h} 时，你返回的是前向差分 "
                "(f(x + h) − f(x)) / h。中心差分要在 x 的两侧各走一步。",
                f=name[f],
                x=x,
                h=h,
            )
        if ctx.close(a, (f(x) - f(x - h)) / h, rtol=1e-9):
            raise wrong(
                "For f = {f}, x = {x}, h = {h} you return the backward difference "
                "(f(x) − f(x − h)) / h. Use both x − h and x + h.",
                "当 f = {f}、x = {x}、h = {h} 时，你返回的是后向差分 "
                "(f(x) − f(x − h)) / h。请同时使用 x − h 和 x + h。",
                f=name[f],
                x=x,
                h=h,
            )
        if ctx.close(a, 2 * b, rtol=1e-9):
            raise wrong(
                "For f = {f}, x = {x}, h = {h} your result is twice too large: the "
                "run from x − h to x + h is 2h, so divide by 2h.",
                "当 f = {f}、x = {x}、h = {h} 时，你的结果大了一倍：从 x − h 到 x + h "
                "的跨度是 2h，所以要除以 2h。",
                f=name[f],
                x=x,
                h=h,
            )
        other = ctx.number(ctx.call(central_diff, f, x, h / 10).value, "central_diff(f, x, h)")
        if ctx.close(other, a, rtol=1e-12, atol=0):
            raise wrong(
                "`central_diff` returns the same number for h = {h} and h = {h10}: "
                "your function ignores h.",
                "`central_diff` 对 h = {h} 和 h = {h10} 返回同一个数：你的函数没有用到 h。",
                h=h,
                h10=h / 10,
            )
        raise wrong(
            "For f = {f}, x = {x}, h = {h} you return {a:.10g}, which is not "
            "(f(x + h) − f(x − h)) / (2h).",
            "当 f = {f}、x = {x}、h = {h} 时，你返回 {a:.10g}，它不等于 "
            "(f(x + h) − f(x − h)) / (2h)。",
            f=name[f],
            x=x,
            h=h,
            a=a,
        )
    raise AssertionError("unreachable")


q1 = Problem(
    "ch01",
    1,
    names=["central_diff"],
    checker=_check_central_diff,
    hints=[
        T(
            "Evaluate f on both sides of x: at x − h and at x + h.",
            "在 x 的两侧求 f 的值：x − h 和 x + h。",
        ),
        T(
            "The run between those two points is 2h: `(f(x + h) - f(x - h)) / (2 * h)`.",
            "这两点之间的跨度是 2h：`(f(x + h) - f(x - h)) / (2 * h)`。",
        ),
    ],
    starter="""
def central_diff(f, x, h):
    return ____
""",
    solution="""
def central_diff(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)
""",
    explanation=T(
        "The central difference is exact for quadratics; its error shrinks like h².",
        "中心差分对二次函数是精确的；它的截断误差随 h² 缩小。",
    ),
)


def _check_best_h(ctx, best_h):
    h = ctx.number(best_h, "best_h")
    if h <= 0:
        raise wrong(
            "`best_h` is {h:g}: a step size must be positive.",
            "`best_h` 是 {h:g}：步长必须是正数。",
            h=h,
        )
    if 0.9e-6 <= h <= 1.1e-5:
        return right(
            "Yes: near h = 1e-5 (1e-6 is as good) the falling truncation error h² meets the "
            "rising rounding error ε/h; ε^(1/3) ≈ 6e-6 for float64.",
            "没错：在 h = 1e-5 附近（1e-6 也一样好），下降的截断误差 h² 与上升的舍入误差 ε/h "
            "相遇；float64 的 ε^(1/3) ≈ 6e-6。",
        )
    if h < 0.9e-6:
        raise wrong(
            "h = {h:g} lies on the rounding side of the V: there the error grows like "
            "ε/h as h shrinks. Try a larger step.",
            "h = {h:g} 位于 V 形的舍入误差一侧：在这里 h 越小，误差按 ε/h 增大。试一个更大的步长。",
            h=h,
        )
    raise wrong(
        "h = {h:g} lies on the truncation side of the V: there the central "
        "difference's error is proportional to h². Try a smaller step.",
        "h = {h:g} 位于 V 形的截断误差一侧：在这里中心差分的误差与 h² 成正比。试一个更小的步长。",
        h=h,
    )


q2 = Problem(
    "ch01",
    2,
    names=["best_h"],
    checker=_check_best_h,
    hints=[
        T(
            "Look for the bottom of the V in the float64 central-difference curve of the plot.",
            "在图中 float64 中心差分曲线上找 V 形的最低点。",
        ),
        T(
            "The best h is where h² meets ε/h, i.e. h ≈ ε^(1/3) with ε ≈ 2.2e-16; pick the "
            "nearest power of ten.",
            "最佳的 h 在 h² 与 ε/h 相等处，即 h ≈ ε^(1/3)，其中 ε ≈ 2.2e-16；取最接近的 10 的幂。",
        ),
    ],
    starter="""
best_h = ____
""",
    solution="""
best_h = 1e-5
""",
    explanation=T(
        "ε^(1/3) = (2.2e-16)^(1/3) ≈ 6e-6, between 1e-6 and 1e-5; in the plot "
        "both give errors of 1e-11 or less.",
        "ε^(1/3) = (2.2e-16)^(1/3) ≈ 6e-6，介于 1e-6 与 1e-5 之间；图中二者的误差都不超过 1e-11。",
    ),
)


_MODES = {
    "reverse": "reverse",
    "reverse mode": "reverse",
    "反向": "reverse",
    "反向模式": "reverse",
    "forward": "forward",
    "forward mode": "forward",
    "前向": "forward",
    "前向模式": "forward",
}


def _check_modes(ctx, mode, forward_passes, reverse_passes):
    if not isinstance(mode, str):
        raise wrong(
            "`mode` should be the string 'forward' or 'reverse', but it is {m}.",
            "`mode` 应该是字符串 'forward' 或 'reverse'，但它是 {m}。",
            m=describe(mode),
        )
    m = _MODES.get(mode.strip().lower())
    if m is None:
        raise wrong(
            "`mode` is {m!r}; write 'forward' or 'reverse'.",
            "`mode` 是 {m!r}；请写 'forward' 或 'reverse'。",
            m=mode,
        )
    fp = ctx.number(forward_passes, "forward_passes")
    rp = ctx.number(reverse_passes, "reverse_passes")
    if fp != 1000:
        raise wrong(
            "`forward_passes` is {fp:g}. Each forward pass pushes one input direction "
            "through the function and fills one column of the 1 × 1000 Jacobian: "
            "count the inputs.",
            "`forward_passes` 是 {fp:g}。每次前向模式计算沿一个输入方向传播，"
            "填出 1 × 1000 雅可比矩阵的一列：数一数有几个输入。",
            fp=fp,
        )
    if rp != 1:
        raise wrong(
            "`reverse_passes` is {rp:g}. Each reverse pass starts from one output and "
            "fills one row of the Jacobian; how many outputs does a loss have?",
            "`reverse_passes` 是 {rp:g}。每次反向模式计算从一个输出出发，"
            "填出雅可比矩阵的一行；损失函数有几个输出？",
            rp=rp,
        )
    if m != "reverse":
        raise wrong(
            "You chose 'forward', which needs one pass per input direction — you "
            "counted them yourself. Which mode needs fewer passes?",
            "你选择了 'forward'，它每个输入方向需要一次计算——你自己已经数过了。"
            "哪种模式需要的计算次数更少？",
        )
    return right(
        "Right: one output and a thousand inputs, so one reverse pass gives the whole "
        "gradient. This is why deep learning uses reverse mode (backpropagation).",
        "正确：一个输出、一千个输入，所以一次反向计算就得到整个梯度。"
        "这就是深度学习使用反向模式（反向传播）的原因。",
    )


q3 = Problem(
    "ch01",
    3,
    names=["mode", "forward_passes", "reverse_passes"],
    checker=_check_modes,
    hints=[
        T(
            "A loss has one output and, here, 1000 inputs. Forward mode follows one input "
            "direction per pass; reverse mode follows one output per pass.",
            "损失函数只有一个输出，这里有 1000 个输入。前向模式每次跟踪一个输入方向；"
            "反向模式每次跟踪一个输出。",
        ),
        T(
            "Forward mode fills the Jacobian column by column (1000 columns); reverse mode row "
            "by row (1 row).",
            "前向模式逐列填写雅可比矩阵（1000 列）；反向模式逐行填写（1 行）。",
        ),
    ],
    starter="""
mode = ____
forward_passes = ____
reverse_passes = ____
""",
    solution="""
mode = "reverse"
forward_passes = 1000
reverse_passes = 1
""",
    explanation=T(
        "The Jacobian of a loss ℝ¹⁰⁰⁰ → ℝ is 1 × 1000: 1000 columns, 1 row.",
        "损失函数 ℝ¹⁰⁰⁰ → ℝ 的雅可比矩阵是 1 × 1000：1000 列、1 行。",
    ),
)
