"""Exercises of chapter 00 (start here): ``from adkernel.exercises import ____, ch00 as ex``."""

from __future__ import annotations

from . import progress
from ._core import Problem
from ._core import ____ as ____
from .judging import close, lazy, number, right, wrong

__all__ = ["progress", "q1"]


def _gather_slope(ctx, slope):
    return {"slope": ctx.value(slope)}


def _judge_slope(data):
    s = number(data["slope"], "slope")
    if close(s, 6.5):
        return right(
            lazy(
                "The secant from 3 to 3.5 rises 3.25 over a run of 0.5. Chapter 01 shrinks the "
                "run towards 0 and watches this slope approach the derivative."
            ),
        )
    if close(s, 3.25):
        raise wrong(
            lazy(
                "You found 3.25: that is the rise f(3.5) − f(3). A slope is rise ÷ run; "
                "divide by the run, 0.5."
            ),
        )
    if close(s, 12.25) or close(s, 9.0):
        raise wrong(
            lazy("You found {s:g}: that is a value of f, not a slope between two points."),
            s=s,
        )
    if close(s, 6.0):
        raise wrong(
            lazy(
                "You found 6.0: that is the derivative at x = 3 (the tangent). The secant to "
                "3.5 is a little steeper, because x² curves upwards."
            ),
        )
    raise wrong(
        lazy(
            "You found {s:g}. The slope of the secant of f(x) = x² between x = 3 and x = 3.5 "
            "is (f(3.5) − f(3)) ÷ (3.5 − 3); compute both values of f first."
        ),
        s=s,
    )


q1 = Problem(
    "ch00",
    1,
    names=["slope"],
    gather=_gather_slope,
    judge=_judge_slope,
    hints=[
        lazy("A slope is rise over run: how much f changes, divided by how much x changes."),
        lazy(
            "The rise is f(3.5) − f(3), the run is 3.5 − 3. In Python, x² is written `x**2`; "
            "put each difference in parentheses before dividing."
        ),
    ],
    starter="""
slope = ____
""",
    solution="""
slope = (3.5**2 - 3**2) / (3.5 - 3)
""",
    explanation=lazy("f(3.5) − f(3) = 12.25 − 9 = 3.25, and 3.25 ÷ 0.5 = 6.5."),
)
