"""Exercises of chapter 02 (the gradient tape).

``from adkernel.exercises import ____, ch02 as ex``
"""

from __future__ import annotations

from . import progress
from ._core import Problem, numeric_derivative
from ._core import ____ as ____
from .judging import close, failed, is_kind, lazy, number, returned, right, wrong

__all__ = ["progress", "q1", "q2"]


def _f(x):
    return x**3 - 2 * x


_POINTS = (2.0, -1.0, 0.5)  # hidden inputs, as Python floats


def _engine_says(call) -> str:
    """The engine's own explanation of a None gradient, captured from its warning."""
    for category, text in call["warnings"]:
        if category == "NoneGradientWarning":
            return text if len(text) <= 400 else text[:399] + "…"
    return ""


def _why_none(call, x0):
    """The diagnosis of a ``None`` from ``derivative_at(x0)``, from what its last
    ``tape.gradient`` call was asked (``Call.gradients``: plain facts, no source text)."""
    why = _engine_says(call) or "—"
    if call["gradient_calls"] == 0:
        return wrong(
            lazy(
                "`derivative_at({x0})` returned `None` without asking the tape for a gradient: "
                "its last line should return what `tape.gradient` gives."
            ),
            x0=x0,
        )
    facts = call["gradients"][-1] if call["gradients"] else {}
    if facts.get("target_watched"):
        return wrong(
            lazy(
                "`derivative_at({x0})` returned `None` because the arguments of `tape.gradient` "
                "are swapped: its first argument is x, the variable the tape watches. The first "
                "argument is the target, what you differentiate (y); the second is the source, "
                "what you differentiate with respect to (x)."
            ),
            x0=x0,
        )
    if facts.get("target_recorded") and not _engine_says(call):
        return wrong(
            lazy(
                "`derivative_at({x0})` returned `None`, although the tape recorded y and "
                "`tape.gradient` gave a gradient: your function does not return it. Did you "
                "forget `return`?"
            ),
            x0=x0,
        )
    if facts and not facts.get("target_recorded") and facts.get("target_when") == "before":
        return wrong(
            lazy(
                "`derivative_at({x0})` returned `None`: the target you differentiate was made "
                "before the tape started recording, so it is not the y your `with` block "
                "computes (a global y from an earlier cell?). Differentiate the value computed "
                "from x inside the block. The tape says: {why}"
            ),
            x0=x0,
            why=why,
        )
    if facts and not facts.get("target_recorded") and facts.get("target_when") == "during":
        return wrong(
            lazy(
                "`derivative_at({x0})` returned `None`: y was computed inside the `with` block, "
                "but from nothing the tape watches, so no operation was recorded. Is x a "
                "`tf.Variable`? A `tf.constant` is watched only after `tape.watch(x)`. The "
                "tape says: {why}"
            ),
            x0=x0,
            why=why,
        )
    if facts and not facts.get("target_recorded"):
        return wrong(
            lazy(
                "`derivative_at({x0})` returned `None`: the tape did not record the y you "
                "differentiate. Compute y from x inside the `with tf.GradientTape() as tape:` "
                "block: once the block ends, nothing is recorded. The tape says: {why}"
            ),
            x0=x0,
            why=why,
        )
    return wrong(
        lazy(
            "`derivative_at({x0})` returned `None`. Either y was computed outside "
            "the `with` block or x is not watched (is it a `tf.Variable`?). "
            "The tape says: {why}"
        ),
        x0=x0,
        why=why,
    )


def _gather_derivative_at(ctx, derivative_at):
    if not callable(derivative_at):
        return {"callable": False}
    calls = []
    for x0 in _POINTS:
        calls.append(ctx.call(derivative_at, x0))
        if failed(calls[-1]):
            break
    # can the engine count tape.gradient calls at all? (a plain-Python answer makes none)
    counts = ctx.call(lambda: None)["gradient_calls"] is not None
    return {"callable": True, "calls": calls, "engine_counts": counts}


def _judge_derivative_at(data):
    if not data["callable"]:
        raise wrong(
            lazy("`derivative_at` should be a function of x0, but it is not callable."),
        )
    found = []
    calls = 0
    for x0, call in zip(_POINTS, data["calls"], strict=False):
        value = returned(call)
        if is_kind(value, "none"):
            raise _why_none(call, x0)
        found.append(number(value, f"derivative_at({x0})"))
        calls += call["gradient_calls"] or 0
    expected = [numeric_derivative(_f, x0) for x0 in _POINTS]
    ok = [close(a, b, rtol=1e-4, atol=1e-5) for a, b in zip(found, expected, strict=False)]
    if all(ok):
        if calls == 0 and data["engine_counts"]:
            raise wrong(
                lazy(
                    "Your numbers are right, but no `tape.gradient` call produced them. "
                    "The point of this exercise is to let the tape differentiate: record "
                    "y inside `with tf.GradientTape() as tape:` and return "
                    "`tape.gradient(y, x)`."
                ),
            )
        return right(
            lazy("dy/dx = 3x² − 2 at all three hidden points, computed by the tape."),
        )
    if all(
        close(a, _f(x0), rtol=1e-4, atol=1e-5) for a, x0 in zip(found, _POINTS, strict=False)
    ):
        raise wrong(
            lazy(
                "At x0 = 2.0 you return {a:.6g}: that is y itself. Ask the tape for the "
                "gradient of y with respect to x instead."
            ),
            a=found[0],
        )
    if all(
        close(a, 3 * x0**2, rtol=1e-4, atol=1e-5) for a, x0 in zip(found, _POINTS, strict=False)
    ):
        raise wrong(
            lazy("You return 3x² at every point: the −2x term of y is missing."),
        )
    if all(
        close(a, 3 * x0**2 + 2, rtol=1e-4, atol=1e-5)
        for a, x0 in zip(found, _POINTS, strict=False)
    ):
        raise wrong(
            lazy(
                "You return 3x² + 2 at every point: the sign of the 2x term is wrong. The "
                "function is y = x³ − 2x."
            ),
        )
    if len({round(a, 6) for a in found}) == 1:
        raise wrong(
            lazy(
                "`derivative_at` returns {a:.6g} for every x0 (tried 2.0, −1.0, 0.5). "
                "Does your function use its argument x0?"
            ),
            a=found[0],
        )
    i = ok.index(False)
    raise wrong(
        lazy(
            "At x0 = {x0} you return {a:.6g}, which is not the slope dy/dx of "
            "y = x³ − 2x at that point."
        ),
        x0=_POINTS[i],
        a=found[i],
    )


q1 = Problem(
    "ch02",
    1,
    names=["derivative_at"],
    gather=_gather_derivative_at,
    judge=_judge_derivative_at,
    hints=[
        lazy(
            "Make x a `tf.Variable(x0)` so the tape watches it, and compute y = x³ − 2x inside "
            "`with tf.GradientTape() as tape:`."
        ),
        lazy(
            "After the `with` block, ask the tape for the gradient: `tape.gradient` takes "
            "first what you differentiate (the target), then what you differentiate with "
            "respect to (the source)."
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
    explanation=lazy("dy/dx = 3x² − 2: 10 at x = 2, 1 at x = −1, −1.25 at x = 0.5."),
)


def _gather_watched(ctx, watched_gradient):
    from .. import tf

    if not callable(watched_gradient):
        return {"callable": False}
    call, value = ctx.run(watched_gradient)
    pair = isinstance(value, (tuple, list)) and len(value) == 2
    return {
        "callable": True,
        "call": call,
        "pair": pair,
        "x_is_variable": pair and isinstance(value[0], tf.Variable),
        "g": ctx.value(value[1]) if pair else None,
    }


def _judge_watched(data):
    if not data["callable"]:
        raise wrong(
            lazy("`watched_gradient` should be a function, but it is not callable."),
        )
    call = data["call"]
    returned(call)
    if not data["pair"]:
        raise wrong(
            lazy(
                "`watched_gradient()` should return the pair `x, g`; keep its last line "
                "`return x, tape.gradient(y, x)`."
            ),
        )
    if data["x_is_variable"]:
        raise wrong(
            lazy(
                "That works, but only because x became a `tf.Variable`. Keep "
                "`x = tf.constant(3.0)` and make the tape watch the constant."
            ),
        )
    g = data["g"]
    facts = call["gradients"][-1] if call["gradients"] else {}
    if is_kind(g, "none") and facts.get("target_watched"):
        raise wrong(
            lazy(
                "The gradient is `None` because the arguments of `tape.gradient` are swapped: "
                "its first argument is x, the tensor the tape watches. The first argument is "
                "the target, what you differentiate (y); the second is the source (x)."
            ),
        )
    if is_kind(g, "none"):
        why = _engine_says(call)
        raise wrong(
            lazy(
                "The gradient is still `None`: the tape must watch x before y is "
                "computed. The tape says: {why}"
            ),
            why=why or "—",
        )
    gv = number(g, "g")
    if not close(gv, 6.0, rtol=1e-5, atol=1e-6):
        raise wrong(
            lazy("The gradient is {g:.6g}, not dy/dx = 2x at x = 3. Did you change y?"),
            g=gv,
        )
    if call["gradient_calls"] == 0:
        raise wrong(
            lazy(
                "The number is right, but no `tape.gradient` call produced it. Keep the last "
                "line as the starter has it, returning what `tape.gradient` gives, and make the "
                "tape watch the constant."
            ),
        )
    return right(
        lazy("The constant is watched, so the tape records x**2 and gives dy/dx = 2x at x = 3."),
    )


q2 = Problem(
    "ch02",
    2,
    names=["watched_gradient"],
    gather=_gather_watched,
    judge=_judge_watched,
    hints=[
        lazy("Variables are watched automatically. Is x a variable here?"),
        lazy(
            "A tape follows a constant only after its `watch` method was called with it. "
            "Where must that call be, relative to the line that computes y?"
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
    explanation=lazy(
        "A tape records operations on what it watches: variables automatically, "
        "constants only after `tape.watch`."
    ),
)
