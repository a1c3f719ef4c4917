"""Exercises of chapter 01 (what is AD): ``from adkernel.exercises import ____, ch01 as ex``."""

from __future__ import annotations

import numpy as np

from . import progress
from ._core import Problem, describe, right, wrong
from ._core import ____ as ____
from ._feedback import lazy

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
            lazy(
                "`central_diff` should be a function `def central_diff(f, x, h): ...`, "
                "but it is not callable."
            ),
        )
    found = []
    for f, x, h in _CASES:
        value = ctx.call(central_diff, f, x, h).value
        if value is None:
            raise wrong(
                lazy("`central_diff(f, x, h)` returned `None`: did you forget `return`?"),
            )
        found.append(ctx.number(value, "central_diff(f, x, h)"))
    expected = [_central(f, x, h) for f, x, h in _CASES]
    if all(ctx.close(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(found, expected, strict=False)):
        return right(
            lazy(
                "Your central difference matches the formula on three hidden functions and step "
                "sizes."
            ),
        )
    name = {np.sin: "sin", np.exp: "exp", _cube: "x**3"}
    for (f, x, h), a, b in zip(_CASES, found, expected, strict=False):
        if ctx.close(a, b, rtol=1e-9, atol=1e-12):
            continue
        if ctx.close(a, (f(x + h) - f(x)) / h, rtol=1e-9):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} you return the forward difference "
                    "(f(x + h) − f(x)) / h. The central difference steps to both sides "
                    "of x."
                ),
                f=name[f],
                x=x,
                h=h,
            )
        if ctx.close(a, (f(x) - f(x - h)) / h, rtol=1e-9):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} you return the backward difference "
                    "(f(x) − f(x − h)) / h. Use both x − h and x + h."
                ),
                f=name[f],
                x=x,
                h=h,
            )
        if ctx.close(a, 2 * b, rtol=1e-9):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} your result is twice too large: the "
                    "run from x − h to x + h is 2h, so divide by 2h."
                ),
                f=name[f],
                x=x,
                h=h,
            )
        other = ctx.number(ctx.call(central_diff, f, x, h / 10).value, "central_diff(f, x, h)")
        if ctx.close(other, a, rtol=1e-12, atol=0):
            raise wrong(
                lazy(
                    "`central_diff` returns the same number for h = {h} and h = {h10}: "
                    "your function ignores h."
                ),
                h=h,
                h10=h / 10,
            )
        raise wrong(
            lazy(
                "For f = {f}, x = {x}, h = {h} you return {a:.10g}, which is not "
                "(f(x + h) − f(x − h)) / (2h)."
            ),
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
        lazy("Evaluate f on both sides of x: at x − h and at x + h."),
        lazy(
            "Rise over run again: the rise is the difference of those two values of f; the "
            "run is the distance from x − h to x + h."
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
    explanation=lazy("The central difference is exact for quadratics; its error shrinks like h²."),
)


def _check_best_h(ctx, best_h):
    h = ctx.number(best_h, "best_h")
    if h <= 0:
        raise wrong(
            lazy("`best_h` is {h:g}: a step size must be positive."),
            h=h,
        )
    if 0.9e-6 <= h <= 1.1e-5:
        return right(
            lazy(
                "Yes: near h = 1e-5 (1e-6 is as good) the falling truncation error h² meets the "
                "rising rounding error ε/h; ε^(1/3) ≈ 6e-6 for float64."
            ),
        )
    if h < 0.9e-6:
        raise wrong(
            lazy(
                "h = {h:g} lies on the rounding side of the V: there the error grows like "
                "ε/h as h shrinks. Try a larger step."
            ),
            h=h,
        )
    raise wrong(
        lazy(
            "h = {h:g} lies on the truncation side of the V: there the central "
            "difference's error is proportional to h². Try a smaller step."
        ),
        h=h,
    )


q2 = Problem(
    "ch01",
    2,
    names=["best_h"],
    checker=_check_best_h,
    hints=[
        lazy("Look for the bottom of the V in the float64 central-difference curve of the plot."),
        lazy(
            "Two errors compete: truncation, which grows like h², and rounding, which grows "
            "like ε/h as h shrinks (ε ≈ 2.2e-16 for float64). The best h is near where they "
            "are equal; give a power of ten."
        ),
    ],
    starter="""
best_h = ____
""",
    solution="""
best_h = 1e-5
""",
    explanation=lazy(
        "ε^(1/3) = (2.2e-16)^(1/3) ≈ 6e-6, between 1e-6 and 1e-5; in the plot "
        "both give errors of 1e-11 or less."
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


# "{first} {second}": a count's diagnosis, then the note on the mode (if it is wrong too)
_BOTH = lazy("{first} {second}")
_MODE_ALSO = lazy(
    "And `mode` = {m!r} is the wrong mode too: once the counts are right, choose the mode "
    "that needs fewer passes."
)


def _check_modes(ctx, mode, forward_passes, reverse_passes):
    if not isinstance(mode, str):
        raise wrong(
            lazy("`mode` should be the string 'forward' or 'reverse', but it is {m}."),
            m=describe(mode),
        )
    m = _MODES.get(mode.strip().lower())
    if m is None:
        raise wrong(
            lazy("`mode` is {m!r}; write 'forward' or 'reverse'."),
            m=mode,
        )
    fp = ctx.number(forward_passes, "forward_passes")
    rp = ctx.number(reverse_passes, "reverse_passes")

    def _both(first):  # a count's diagnosis, and the mode's when it is wrong too
        return _BOTH(first=first, second=_MODE_ALSO(m=mode)) if m != "reverse" else first

    if fp == 1 and rp == 1000:
        raise wrong(
            _both(
                lazy(
                    "Your two counts are swapped. A forward pass follows one input direction "
                    "and fills one column of the 1 × 1000 Jacobian; a reverse pass follows one "
                    "output and fills one row."
                )
            )
        )
    if fp != 1000:
        raise wrong(
            _both(
                lazy(
                    "`forward_passes` is {fp:g}. Each forward pass pushes one input direction "
                    "through the function and fills one column of the 1 × 1000 Jacobian: "
                    "count the inputs."
                )(fp=fp)
            )
        )
    if rp != 1:
        raise wrong(
            _both(
                lazy(
                    "`reverse_passes` is {rp:g}. Each reverse pass starts from one output and "
                    "fills one row of the Jacobian; how many outputs does a loss have?"
                )(rp=rp)
            )
        )
    if m != "reverse":
        raise wrong(
            lazy(
                "`mode` = {m!r} is the wrong mode here: forward mode needs 1000 passes for "
                "this gradient, one per input (your own count), while the other mode needs "
                "{rp:g}. Choose the mode with fewer passes."
            ),
            m=mode,
            rp=rp,
        )
    return right(
        lazy(
            "Right: one output and a thousand inputs, so one reverse pass gives the whole "
            "gradient. This is why deep learning uses reverse mode (backpropagation)."
        ),
    )


q3 = Problem(
    "ch01",
    3,
    names=["mode", "forward_passes", "reverse_passes"],
    checker=_check_modes,
    hints=[
        lazy(
            "A loss has one output and, here, 1000 inputs. Forward mode follows one input "
            "direction per pass; reverse mode follows one output per pass."
        ),
        lazy(
            "Forward mode fills the Jacobian column by column; reverse mode fills it row by "
            "row. How many rows and columns has the Jacobian of a loss with 1000 inputs?"
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
    explanation=lazy("The Jacobian of a loss ℝ¹⁰⁰⁰ → ℝ is 1 × 1000: 1000 columns, 1 row."),
)
