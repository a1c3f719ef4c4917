"""Exercises of chapter 07 (summary).

``from adkernel.exercises import ____, ch07 as ex``
"""

from __future__ import annotations

import math

from . import progress
from ._core import Problem, describe, numeric_derivative, right, wrong
from ._core import ____ as ____
from ._feedback import lazy

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


_BRANCHY = lazy("x² if x > 1 else −x³")

# (function given to the learner, float64 twin, point, description); the last two branch
_CASES = (
    (_cubic, _cubic64, 1.5, "x³ − 2x"),
    (_wave, _wave64, 0.7, "x · sin x"),
    (_branchy, _branchy64, 2.0, _BRANCHY),
    (_branchy, _branchy64, -1.0, _BRANCHY),
)


def _check_grad_of(ctx, grad_of):
    if not callable(grad_of):
        raise wrong(
            lazy("`grad_of` should be a function `def grad_of(f, x0): ...`, but it is {found}."),
            found=describe(grad_of),
        )
    found, tape_calls = [], 0
    for f, _, x0, text in _CASES:
        call = ctx.call(grad_of, f, x0)
        if call.value is None:
            raise wrong(
                lazy(
                    "`grad_of(f, {x0})` for f(x) = {f} returned `None`: the tape did not watch "
                    "x. A constant is watched only after `tape.watch(x)`, called before f(x)."
                ),
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
            lazy(
                "Your numbers are close, but no `tape.gradient` call produced them: that is "
                "numerical differentiation. Record f(x) on a tape and ask it for the gradient."
            ),
        )
    if all(ok):
        return right(
            lazy(
                "Exact derivatives for all four hidden functions and points, including both "
                "branches of an `if`: the tape records whichever branch runs."
            ),
        )
    if all(ok[:2]) and not all(ok[2:]):
        raise wrong(
            lazy(
                "Right for smooth functions, but not for f(x) = {f} at x0 = {x0}. Evaluate "
                "f(x) inside the tape at x0 itself, so that the branch that runs is the one "
                "recorded."
            ),
            f=_CASES[2 + ok[2:].index(False)][3],
            x0=_CASES[2 + ok[2:].index(False)][2],
        )
    i = ok.index(False)
    raise wrong(
        lazy("For f(x) = {f} at x0 = {x0} you return {a}, which is not df/dx there."),
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
        lazy(
            "Make x0 a constant with `x = tf.constant(x0)`, and watch it on the tape before "
            "calling f."
        ),
        lazy(
            "Inside `with tf.GradientTape() as tape:` write `tape.watch(x)` and `y = f(x)`; "
            "after the block return `tape.gradient(y, x)`."
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
    explanation=lazy(
        "This is JAX's `grad(f)(x0)` written with a tape: whatever Python f runs (loops, "
        "`if`s, calls), the tape records the operations that actually ran at x0."
    ),
)
