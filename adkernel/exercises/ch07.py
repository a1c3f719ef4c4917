"""Exercises of chapter 07 (summary).

``from adkernel.exercises import ____, ch07 as ex``
"""

from __future__ import annotations

import math

from . import progress
from ._core import Problem, numeric_derivative
from ._core import ____ as ____
from .judging import (
    close,
    describe,
    failed,
    is_kind,
    lazy,
    number,
    raised_is,
    returned,
    right,
    wrong,
)

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


class _Traced:
    """The function given to ``grad_of``, noting each call as plain data: was its input a
    tensor, was a tape recording, was the input watched, and the serial of its result (to
    compare with the target of ``tape.gradient``)."""

    def __init__(self, f) -> None:
        self.f = f
        self.calls: list[dict] = []

    def __call__(self, x):
        from ..engine import tape as _tape
        from ..engine.tensor import TensorLike

        tensor = isinstance(x, TensorLike)
        note = {
            "tensor_input": tensor,
            "recording": bool(_tape.state.recording),
            "watched": bool(tensor and _tape.tracked(x)),
            "out_serial": None,
        }
        out = self.f(x)
        serial = getattr(out, "_serial", None)
        note["out_serial"] = serial if type(serial) is int else None
        if len(self.calls) < 50:
            self.calls.append(note)
        return out


def _plain_number(x0):
    return wrong(
        lazy(
            "In `grad_of(f, {x0})`, f was called on the plain number x0, which no tape can "
            "follow. Call f on the tensor x."
        ),
        x0=x0,
    )


def _why_none(call, f_calls, x0, text):
    """Why ``grad_of(f, x0)`` returned ``None``: judged from what f saw when it ran
    (``f_calls``, noted by ``_Traced``) and what ``tape.gradient`` was asked
    (``call["gradients"]``)."""
    if call["gradient_calls"] == 0:
        return wrong(
            lazy(
                "`grad_of(f, {x0})` returned `None` without asking the tape for a gradient: "
                "its last line should return what `tape.gradient` gives."
            ),
            x0=x0,
        )
    facts = call["gradients"][-1] if call["gradients"] else {}
    engine_warned = any(category == "NoneGradientWarning" for category, _ in call["warnings"])
    if call["gradient_calls"] and facts.get("target_recorded") and not engine_warned:
        # the tape gave a gradient (a None gradient always comes with the engine's warning)
        return wrong(
            lazy(
                "`grad_of(f, {x0})` returned `None`, although `tape.gradient` did give a "
                "gradient: your function does not return it. End it with `return` and the "
                "gradient."
            ),
            x0=x0,
        )
    if facts.get("target_watched"):
        return wrong(
            lazy(
                "`grad_of(f, {x0})` returned `None` because the arguments of `tape.gradient` "
                "are swapped: its first argument is x, the tensor the tape watches. The first "
                "argument is the target, what you differentiate (y = f(x)); the second is the "
                "source, what you differentiate with respect to (x)."
            ),
            x0=x0,
        )
    made = {c["out_serial"] for c in f_calls}
    if not f_calls:
        return wrong(
            lazy(
                "`grad_of(f, {x0})` returned `None`: your function never calls f, so the y you "
                "differentiate was not computed inside the `with` block. It is another y, "
                "perhaps a global left by an earlier cell. Compute y from f and x inside the "
                "`with` block, then differentiate that y."
            ),
            x0=x0,
        )
    if facts.get("target_serial") is not None and facts["target_serial"] not in made:
        return wrong(
            lazy(
                "`grad_of(f, {x0})` returned `None`: the y you differentiate is not the result "
                "of the f(x) your function computed. It is another y, perhaps a global left by "
                "an earlier cell. Keep the result of f in a name inside the `with` block and "
                "differentiate that."
            ),
            x0=x0,
        )
    last = f_calls[-1]
    if not last["tensor_input"]:
        return _plain_number(x0)
    if not last["recording"]:
        return wrong(
            lazy(
                "`grad_of(f, {x0})` returned `None`: f(x) was computed after the `with` block "
                "had ended, when the tape no longer records. Compute it inside the block."
            ),
            x0=x0,
        )
    if not last["watched"]:
        return wrong(
            lazy(
                "`grad_of(f, {x0})` for f(x) = {f} returned `None`: when f ran, the tape was "
                "not watching x. A constant is watched only after `tape.watch(x)`, called "
                "before f(x)."
            ),
            x0=x0,
            f=text,
        )
    return wrong(
        lazy(
            "`grad_of(f, {x0})` for f(x) = {f} returned `None`: the tape found no path from "
            "the target to the source you gave. Differentiate y = f(x) with respect to x."
        ),
        x0=x0,
        f=text,
    )


def _gather_grad_of(ctx, grad_of):
    if not callable(grad_of):
        return {"callable": False, "found": ctx.value(grad_of)}
    cases = []
    for f, _, x0, _ in _CASES:
        traced = _Traced(f)
        call = ctx.call(grad_of, traced, x0)
        cases.append({"call": call, "f_calls": list(traced.calls)})
        if failed(call):
            break
    return {"callable": True, "cases": cases}


def _source_not_a_tensor(call) -> bool:
    """``tape.gradient(y, x0)``: the engine refused a source that is not a tensor (its
    message starts with the argument's name, the same in every language)."""
    message = str((call.get("raised") or {}).get("message", ""))
    return raised_is(call, "TypeError") and message.startswith(("`sources`", "`sources["))


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _agree(a, b, tol):
    return close(a, b, rtol=tol, atol=tol)


def _judge_grad_of(data):
    if not data["callable"]:
        raise wrong(
            lazy("`grad_of` should be a function `def grad_of(f, x0): ...`, but it is {found}."),
            found=describe(data["found"]),
        )
    found, tape_calls = [], 0
    for (_, _, x0, text), case in zip(_CASES, data["cases"], strict=False):
        call, f_calls = case["call"], case["f_calls"]
        if call.get("raised") and f_calls and not f_calls[-1]["tensor_input"]:
            raise _plain_number(x0)  # the tape refused f's plain result
        if _source_not_a_tensor(call):
            raise wrong(
                lazy(
                    "In `grad_of(f, {x0})` the source you gave `tape.gradient` is not a tensor "
                    "but a plain number. The second argument is what you differentiate with "
                    "respect to: the tensor x, not the number x0."
                ),
                x0=x0,
            )
        value = returned(call)
        if is_kind(value, "none"):
            raise _why_none(call, f_calls, x0, text)
        found.append(number(value, f"grad_of(f, {x0})"))
        tape_calls += call["gradient_calls"] or 0
    expected = [numeric_derivative(f64, x0) for _, f64, x0, _ in _CASES]
    ok = [_agree(a, b, 1e-5) for a, b in zip(found, expected, strict=True)]
    near = [_agree(a, b, 1e-2) for a, b in zip(found, expected, strict=True)]
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
    if all(_agree(a, f64(x0), 1e-5) for a, (_, f64, x0, _) in zip(found, _CASES, strict=True)):
        raise wrong(
            lazy(
                "`grad_of(f, {x0})` returns {a}: that is f(x0) itself, the value of f, not its "
                "derivative. Return the gradient the tape gives for y = f(x) with respect to x."
            ),
            x0=_CASES[0][2],
            a=_fmt(found[0]),
        )
    if all(_agree(-a, b, 1e-5) for a, b in zip(found, expected, strict=True)):
        raise wrong(
            lazy(
                "Every derivative has the wrong sign: `grad_of(f, {x0})` returns {a}, the "
                "slope is {b}. Return the gradient as the tape gives it, without a minus sign."
            ),
            x0=_CASES[0][2],
            a=_fmt(found[0]),
            b=_fmt(expected[0]),
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
        a=_fmt(found[i]),
    )


q1 = Problem(
    "ch07",
    1,
    names=["grad_of"],
    gather=_gather_grad_of,
    judge=_judge_grad_of,
    hints=[
        lazy(
            "The `____` in the `with` block stands for two lines. x is a constant, and a tape "
            "follows a constant only when asked to; then f is applied to x while the tape "
            "records."
        ),
        lazy(
            "First make the tape watch x, then compute y from f and x, keeping it in a name. "
            "After the block, ask the tape for the gradient of that y (the target comes "
            "first, then the source)."
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
