"""Exercises of chapter 00 (start here): ``from adkernel.exercises import ____, ch00 as ex``."""

from __future__ import annotations

from . import progress
from ._core import Problem, right, wrong
from ._core import ____ as ____
from ._feedback import T

__all__ = ["progress", "q1"]


def _check_slope(ctx, slope):
    s = ctx.number(slope, "slope")
    if ctx.close(s, 6.5):
        return right(
            "The secant from 3 to 3.5 rises 3.25 over a run of 0.5. Chapter 01 shrinks the "
            "run towards 0 and watches this slope approach the derivative.",
            "从 3 到 3.5 的割线升高 3.25，跨度 0.5。第 01 章会让跨度趋于 0，"
            "观察这个斜率如何逼近导数。",
        )
    if ctx.close(s, 3.25):
        raise wrong(
            "You found 3.25: that is the rise f(3.5) − f(3). A slope is rise ÷ run; "
            "divide by the run, 0.5.",
            "你得到 3.25：这是升高量 f(3.5) − f(3)。斜率是升高量 ÷ 跨度，请再除以跨度 0.5。",
        )
    if ctx.close(s, 12.25) or ctx.close(s, 9.0):
        raise wrong(
            "You found {s:g}: that is a value of f, not a slope between two points.",
            "你得到 {s:g}：这是 f 的一个函数值，而不是两点之间的斜率。",
            s=s,
        )
    if ctx.close(s, 6.0):
        raise wrong(
            "You found 6.0: that is the derivative at x = 3 (the tangent). The secant to "
            "3.5 is a little steeper, because x² curves upwards.",
            "你得到 6.0：这是 x = 3 处的导数（切线斜率）。由于 x² 向上弯曲，"
            "到 3.5 的割线要更陡一些。",
        )
    raise wrong(
        "You found {s:g}. The slope of the secant of f(x) = x² between x = 3 and x = 3.5 "
        "is (f(3.5) − f(3)) ÷ (3.5 − 3); compute both values of f first.",
        "你得到 {s:g}。f(x) = x² 在 x = 3 与 x = 3.5 之间的割线斜率是 "
        "(f(3.5) − f(3)) ÷ (3.5 − 3)；先算出这两个函数值。",
        s=s,
    )


q1 = Problem(
    "ch00",
    1,
    names=["slope"],
    checker=_check_slope,
    hints=[
        T(
            "A slope is rise over run: how much f changes, divided by how much x changes.",
            "斜率 = 升高量 ÷ 跨度：f 的变化量除以 x 的变化量。",
        ),
        T("In Python: `(3.5**2 - 3**2) / 0.5`.", "用 Python 写：`(3.5**2 - 3**2) / 0.5`。"),
    ],
    starter="""
slope = ____
""",
    solution="""
slope = (3.5**2 - 3**2) / (3.5 - 3)
""",
    explanation=T(
        "f(3.5) − f(3) = 12.25 − 9 = 3.25, and 3.25 ÷ 0.5 = 6.5.",
        "f(3.5) − f(3) = 12.25 − 9 = 3.25，而 3.25 ÷ 0.5 = 6.5。",
    ),
)
