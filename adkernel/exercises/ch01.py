"""Exercises of chapter 01 (what is AD): ``from adkernel.exercises import ____, ch01 as ex``."""

from __future__ import annotations

import inspect

import numpy as np

from . import progress
from ._core import Problem
from ._core import ____ as ____
from .judging import (
    array,
    close,
    describe,
    failed,
    is_kind,
    lazy,
    number,
    returned,
    right,
    text_of,
    wrong,
)

__all__ = ["progress", "q1", "q2", "q3", "q4"]


def _cube(t):
    return t**3


def _square(t):
    return t**2


# (function, x, h): hidden inputs, Python floats so they adopt the learner's arithmetic
_CASES = ((np.sin, 1.0, 1e-3), (np.exp, 0.5, 1e-2), (_cube, 2.0, 0.1))
_NAMES = {np.sin: "sin", np.exp: "exp", _cube: "x**3", _square: "x**2"}
_DX = 0.25  # the probe at another x: x + _DX


def _central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def _as_number_text(ev):
    """The number a string answer spells (``"1e-5"``), or None."""
    text = text_of(ev)
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _quoted_number(ev, name):
    """``number(ev, name)``, with a diagnosis of its own for a number written in quotes."""
    if _as_number_text(ev) is not None:
        raise wrong(
            lazy(
                "`{name}` is the string {s}, not a number: remove the quotes around the "
                "number."
            ),
            name=name,
            s=repr(text_of(ev)),
        )
    return number(ev, name)


def _parameters(fn):
    """The names of ``fn``'s parameters (plain data), or None when they cannot be read."""
    try:
        return [str(p) for p in inspect.signature(fn).parameters][:10]
    except (TypeError, ValueError):
        return None


def _dtype_name(value) -> str | None:
    """The dtype of a returned tensor or numpy number (``"float32"``), or None."""
    name = getattr(getattr(value, "dtype", None), "name", None)
    return name if isinstance(name, str) else None


def _gather_central_diff(ctx, central_diff):
    if not callable(central_diff):
        return {"callable": False}
    calls = []
    dtypes = []  # a float32 result rounds a right formula (a plain number hides its dtype)
    for f, x, h in _CASES:
        call, value = ctx.run(central_diff, f, x, h)
        calls.append(call)
        dtypes.append(_dtype_name(value))
        if failed(calls[-1]):
            break
    probes = []  # the same case with one input changed: is that input used at all?
    if len(calls) == len(_CASES) and not failed(calls[-1]):
        for f, x, h in _CASES:
            probes.append(
                {
                    "h10": ctx.call(central_diff, f, x, h / 10),
                    "x2": ctx.call(central_diff, f, x + _DX, h),
                    "f2": ctx.call(central_diff, _square, x, h),
                }
            )
    return {
        "callable": True,
        "params": _parameters(central_diff),
        "calls": calls,
        "dtypes": dtypes,
        "probes": probes,
    }


def _probe(data, i, which):
    """The number central_diff gave in probe ``which`` of case ``i`` (None: no number)."""
    try:
        call = data["probes"][i][which]
    except (IndexError, KeyError):
        return None
    if failed(call):
        return None
    value = call.get("value")
    if is_kind(value, "number", "array"):
        try:
            return number(value, "central_diff(f, x, h)")
        except Exception:
            return None
    return None


def _low_precision(dtypes) -> str | None:
    """The first floating dtype less precise than float64 among the results, or None."""
    for name in dtypes:
        if name in ("float16", "float32"):
            return name
    return None


def _rounding_bound(f, x, h, b, dtype) -> float:
    """How far a central difference computed or stored in ``dtype`` may be from the float64
    one ``b``: rounding of x ± h, of the two values of f and of the result (twice each)."""
    eps = float(np.finfo(dtype).eps)
    values = abs(f(x + h)) + abs(f(x - h))
    return 2 * eps * (values / (2 * h) + abs(b) * (abs(x) + h) / h + abs(b))


def _judge_central_diff(data):
    if not data["callable"]:
        raise wrong(
            lazy(
                "`central_diff` should be a function `def central_diff(f, x, h): ...`, "
                "but it is not callable."
            ),
        )
    params = data["params"]
    reordered = (
        isinstance(params, list)
        and len(params) == 3
        and sorted(params) == ["f", "h", "x"]
        and params != ["f", "x", "h"]
    )
    order = lazy(
        "Your function's parameters are ({p}), but it is called as `central_diff(f, x, h)`: "
        "the function first, then the point, then the step. Put the parameters in that "
        "order."
    )(p=", ".join(params or []))
    found = []
    for call in data["calls"]:
        if reordered and call.get("raised"):
            raise wrong(order)
        value = returned(call)
        if is_kind(value, "none"):
            raise wrong(
                lazy("`central_diff(f, x, h)` returned `None`: did you forget `return`?"),
            )
        found.append(number(value, "central_diff(f, x, h)"))
    expected = [_central(f, x, h) for f, x, h in _CASES]
    if all(close(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(found, expected, strict=True)):
        return right(
            lazy(
                "Your central difference matches the formula on three hidden functions and step "
                "sizes."
            ),
        )
    if reordered:
        raise wrong(order)
    low = _low_precision(data.get("dtypes") or [])
    if low is not None and all(
        abs(a - b) <= _rounding_bound(f, x, h, b, low)
        for (f, x, h), a, b in zip(_CASES, found, expected, strict=True)
    ):
        k = next(k for k, (a, b) in enumerate(zip(found, expected, strict=True))
                 if not close(a, b, rtol=1e-9, atol=1e-12))
        f, x, h = _CASES[k]
        raise wrong(
            lazy(
                "Your formula is right, but your result is a {dtype} number, which keeps only "
                "about {digits} significant digits: for f = {f}, x = {x}, h = {h} you return "
                "{a:.10g}, and the formula in float64 gives {b:.10g}. Here the digits count "
                "(the next question is about rounding error): compute with Python floats and "
                "return the float64 result as it is, without `tf.constant` or `np.{dtype}`."
            ),
            dtype=low,
            digits=int(np.finfo(low).precision),
            a=found[k],
            b=expected[k],
            f=_NAMES[f],
            x=x,
            h=h,
        )
    for i, ((f, x, h), a, b) in enumerate(zip(_CASES, found, expected, strict=True)):
        if close(a, b, rtol=1e-9, atol=1e-12):
            continue
        where = {"f": _NAMES[f], "x": x, "h": h}
        if close(a, (f(x + h) - f(x)) / h, rtol=1e-9):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} you return the forward difference "
                    "(f(x + h) − f(x)) / h. The central difference steps to both sides "
                    "of x."
                ),
                **where,
            )
        if close(a, (f(x) - f(x - h)) / h, rtol=1e-9):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} you return the backward difference "
                    "(f(x) − f(x − h)) / h. Use both x − h and x + h."
                ),
                **where,
            )
        if close(a, 2 * b, rtol=1e-9):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} your result is twice too large: the "
                    "run from x − h to x + h is 2h, so divide by 2h."
                ),
                **where,
            )
        if close(a, -b, rtol=1e-9):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} your result has the wrong sign: you "
                    "subtract the other way round. The rise is f(x + h) − f(x − h), the "
                    "value on the right minus the value on the left."
                ),
                **where,
            )
        if close(a, (f(x + h) - f(x - h)) / 2 * h, rtol=1e-9, atol=1e-12):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} you divide by 2 and then multiply by h: "
                    "Python reads `/ 2 * h` as `(… / 2) * h`. Put the run in parentheses: "
                    "divide by `(2 * h)`."
                ),
                **where,
            )
        if close(a, f(x + h) - f(x - h) / (2 * h), rtol=1e-9, atol=1e-12):
            raise wrong(
                lazy(
                    "For f = {f}, x = {x}, h = {h} only f(x − h) is divided by 2h: division "
                    "binds tighter than subtraction. Put the rise f(x + h) − f(x − h) in "
                    "parentheses before dividing."
                ),
                **where,
            )
        same = [_probe(data, i, k) for k in ("h10", "x2", "f2")]
        if all(v is not None and close(v, a, rtol=1e-12, atol=0) for v in same):
            raise wrong(
                lazy(
                    "`central_diff` returns {a:.10g} whatever f, x and h are: it should "
                    "compute (f(x + h) − f(x − h)) / (2h) from its three arguments."
                ),
                a=a,
            )
        other = _probe(data, i, "h10")
        if other is not None and close(other, a, rtol=1e-12, atol=0):
            raise wrong(
                lazy(
                    "`central_diff` returns the same number for h = {h} and h = {h10}: your "
                    "function ignores h. Does it use a fixed step, or a global h "
                    "from an earlier cell, instead?"
                ),
                h=h,
                h10=h / 10,
            )
        other = _probe(data, i, "x2")
        if other is not None and close(other, a, rtol=1e-12, atol=0):
            raise wrong(
                lazy(
                    "`central_diff` returns the same number at x = {x} and at x = {x2}: "
                    "your function ignores x. Does it use a global such as x0 "
                    "from an earlier cell instead?"
                ),
                x=x,
                x2=x + _DX,
            )
        other = _probe(data, i, "f2")
        if other is not None and close(other, a, rtol=1e-12, atol=0):
            raise wrong(
                lazy(
                    "`central_diff` returns the same number for f = {f} and for f = x**2: "
                    "your function ignores f. Call the f it is given, not "
                    "`np.sin` or a global f from an earlier cell."
                ),
                f=_NAMES[f],
            )
        raise wrong(
            lazy(
                "For f = {f}, x = {x}, h = {h} you return {a:.10g}, which is not "
                "(f(x + h) − f(x − h)) / (2h)."
            ),
            a=a,
            **where,
        )
    raise AssertionError("unreachable")


q1 = Problem(
    "ch01",
    1,
    names=["central_diff"],
    gather=_gather_central_diff,
    judge=_judge_central_diff,
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


_EPS = float(np.finfo(np.float64).eps)


def _gather_best_h(ctx, best_h):
    return {"best_h": ctx.value(best_h)}


def _judge_best_h(data):
    h = _quoted_number(data["best_h"], "best_h")
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
    if _EPS / 2 <= h <= 2 * _EPS:
        raise wrong(
            lazy(
                "h = {h:g} is ε itself, the spacing of float64 numbers near 1: a step that "
                "small is lost to rounding. The best h is where the two errors, h² and ε/h, "
                "are equal; read it off the bottom of the V."
            ),
            h=h,
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
    gather=_gather_best_h,
    judge=_judge_best_h,
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

# other names of reverse mode: right idea, but the answer is one of two words
_REVERSE_NAMES = frozenset(
    {"backward", "backwards", "backward mode", "backprop", "backpropagation",
     "反向传播", "后向", "后向模式"}
)


# "{first} {second}": a count's diagnosis, then the note on the mode (if it is wrong too)
_BOTH = lazy("{first} {second}")
_MODE_ALSO = lazy(
    "And `mode` = {m!r} is the wrong mode too: once the counts are right, choose the mode "
    "that needs fewer passes."
)


def _gather_modes(ctx, mode, forward_passes, reverse_passes):
    return {
        "mode": ctx.value(mode),
        "forward_passes": ctx.value(forward_passes),
        "reverse_passes": ctx.value(reverse_passes),
    }


def _judge_modes(data):
    mode = text_of(data["mode"])
    if mode is None:
        raise wrong(
            lazy("`mode` should be the string 'forward' or 'reverse', but it is {m}."),
            m=describe(data["mode"]),
        )
    key = mode.strip().lower()
    m = _MODES.get(key)
    if m is None and key in _REVERSE_NAMES:
        raise wrong(
            lazy(
                "`mode` is {m!r}: backpropagation is reverse mode, but this question names the "
                "two modes 'forward' and 'reverse'. Write one of those two words."
            ),
            m=mode,
        )
    if m is None:
        raise wrong(
            lazy("`mode` is {m!r}; write 'forward' or 'reverse'."),
            m=mode,
        )
    fp = _quoted_number(data["forward_passes"], "forward_passes")
    rp = _quoted_number(data["reverse_passes"], "reverse_passes")

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
    gather=_gather_modes,
    judge=_judge_modes,
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


# -- q4: a Jacobian-vector product in one forward pass -----------------------------------
# (name, x, v, f(x), J(x)): hidden cases; f is built from tf ops in _hidden_f, and its value
# and Jacobian are written out here in numpy for the judge (which never runs tf)
def _jvp_cases():
    e = float(np.exp(0.5))
    return (
        ("[x₀·x₁, sin x₀, x₁²]", [1.0, 2.0], [0.5, -2.0],
         [2.0, float(np.sin(1.0)), 4.0],
         [[2.0, 1.0], [float(np.cos(1.0)), 0.0], [0.0, 4.0]]),
        ("[x₀·x₂, x₁ + x₂, exp x₀]", [0.5, -1.0, 2.0], [1.0, 2.0, -0.5],
         [1.0, 1.0, e],
         [[2.0, 0.0, 0.5], [0.0, 1.0, 1.0], [e, 0.0, 0.0]]),
        ("x³", 2.0, 0.5, 8.0, [[12.0]]),
    )


def _hidden_f(i):
    from .. import tf

    if i == 0:
        return lambda x: tf.stack([x[0] * x[1], tf.sin(x[0]), x[1] ** 2])
    if i == 1:
        return lambda x: tf.stack([x[0] * x[2], x[1] + x[2], tf.exp(x[0])])
    return lambda x: x**3


def _watched_f(fn, facts):
    """``fn``, writing down how the learner's ``jvp`` calls it: how often, how many times
    under a forward accumulator or a recording tape, and whether its result got a tangent."""
    from ..engine._state import state

    def f(x):
        facts["calls"] += 1
        accs = list(state.forward)
        if state.recording:
            facts["in_tape"] += 1
        y = fn(x)
        if accs:
            facts["in_acc"] += 1
            try:
                if any(acc.jvp(y) is not None for acc in accs):
                    facts["reached"] += 1
            except Exception:  # a result that is not a tensor: no tangent
                pass
        return y

    return f


def _gather_jvp(ctx, jvp):
    if not callable(jvp):
        return {"callable": False}
    from .. import tf

    calls = []
    for i, (_name, x, v, _y, _J) in enumerate(_jvp_cases()):
        facts = {"calls": 0, "in_acc": 0, "in_tape": 0, "reached": 0}
        f = _watched_f(_hidden_f(i), facts)
        call = ctx.call(jvp, f, tf.constant(x), tf.constant(v))
        call["f"] = facts
        calls.append(call)
        if failed(call):
            break
    return {"callable": True, "calls": calls}


_NO_JVP_TAPE = lazy(
    "For f(x) = {f} at x = {x}, v = {v} your `jvp` used a `GradientTape`: that is reverse "
    "mode, which gives products vᵀJ, a row at a time. Forward mode pushes v through f "
    "with `tf.autodiff.ForwardAccumulator(primals=x, tangents=v)`; then `acc.jvp(y)` is J·v."
)


def _jvp_none(facts, where):
    """Why ``jvp`` returned ``None``, from what the watched f saw."""
    if facts["calls"] == 0:
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} your `jvp` returned `None` without "
                 "calling f: compute y = f(x) inside the accumulator's `with` block."),
            **where,
        )
    if facts["in_acc"] == 0:
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} your `jvp` returned `None`: f ran while "
                 "no `ForwardAccumulator` was active, so y carries no tangent. Compute "
                 "y = f(x) inside `with tf.autodiff.ForwardAccumulator(...) as acc:`."),
            **where,
        )
    if facts["reached"] == 0:
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} your `jvp` returned `None`: y = f(x) got "
                 "no tangent, because the accumulator's primals are not the x that f "
                 "received. Pass that same tensor, `primals=x`, and call f(x)."),
            **where,
        )
    return wrong(
        lazy("For f(x) = {f} at x = {x}, v = {v} your `jvp` returned `None`: y got its "
             "tangent, but it is not returned. Did you forget `return acc.jvp(y)`?"),
        **where,
    )


def _jvp_value_wrong(value, a, f_x, J, v, facts, where):
    """The diagnosis of a result ``a`` that is not J·v."""
    same = a.size == f_x.size
    if same and close(a.ravel(), f_x.ravel(), rtol=1e-4, atol=1e-5):
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} you return f(x), the value. The tangent "
                 "of y is `acc.jvp(y)`."),
            **where,
        )
    ones = J @ np.ones(J.shape[1])
    if same and close(a.ravel(), ones, rtol=1e-4, atol=1e-5) and not np.allclose(v, 1):
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} you return J·(1, …, 1): x moved along "
                 "ones, not along v. Give the accumulator `tangents=v`."),
            **where,
        )
    if a.shape == J.shape and close(a, J, rtol=1e-4, atol=1e-5) and J.size > 1:
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} you return the whole Jacobian J, shape "
                 "{s}. Asked is J·v, one number per output of f: one forward pass along v "
                 "gives it directly."),
            s=J.shape,
            **where,
        )
    if J.shape[0] == J.shape[1] and a.size == J.shape[0] and close(
            a.ravel(), J.T @ v, rtol=1e-4, atol=1e-5):
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} you return vᵀJ, the product reverse "
                 "mode gives (a VJP). Forward mode gives J·v: push v forward through f."),
            **where,
        )
    if a.size == v.size and close(a.ravel(), v, rtol=1e-6, atol=1e-7):
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} you return v itself, the tangent of x. "
                 "Return the tangent of the output: `acc.jvp(y)` with y = f(x)."),
            **where,
        )
    if facts["in_tape"] and not facts["in_acc"]:
        return wrong(_NO_JVP_TAPE, **where)
    if a.size != J.shape[0]:
        return wrong(
            lazy("For f(x) = {f} at x = {x}, v = {v} `jvp` returned {found}; J·v has one "
                 "number per output of f, {m} here."),
            found=describe(value),
            m=int(J.shape[0]),
            **where,
        )
    return wrong(
        lazy("For f(x) = {f} at x = {x}, v = {v} you return {a}, which is not J·v, the "
             "tangent of f(x) when x moves along v."),
        a=np.round(a, 6).tolist(),
        **where,
    )


def _judge_jvp(data):
    if not data["callable"]:
        raise wrong(lazy("`jvp` should be a function `def jvp(f, x, v): ...`, but it is not "
                         "callable."))
    for call, (name, x, v, f_x, J) in zip(data["calls"], _jvp_cases(), strict=False):
        where = {"f": name, "x": x, "v": v}
        facts = call["f"]
        if failed(call) and facts["in_tape"] and not facts["in_acc"]:
            raise wrong(_NO_JVP_TAPE, **where)
        value = returned(call)
        if is_kind(value, "none"):
            raise _jvp_none(facts, where)
        if is_kind(value, "str", "bool", "dict", "function", "other", "blank"):
            raise wrong(
                lazy("For f(x) = {f} at x = {x}, v = {v} `jvp` returned {found}; it should "
                     "return a tensor, the tangent `acc.jvp(y)`."),
                found=describe(value),
                **where,
            )
        a = array(value, "jvp(f, x, v)")
        J = np.array(J, dtype=np.float64)
        v = np.atleast_1d(np.array(v, dtype=np.float64))
        f_x = np.atleast_1d(np.array(f_x, dtype=np.float64))
        if not (a.size == J.shape[0] and close(a.ravel(), J @ v, rtol=1e-4, atol=1e-5)):
            raise _jvp_value_wrong(value, a, f_x, J, v, facts, where)
        if facts["in_acc"] == 0 or facts["reached"] == 0:
            if facts["in_tape"]:
                raise wrong(_NO_JVP_TAPE, **where)
            raise wrong(
                lazy("For f(x) = {f} at x = {x}, v = {v} your numbers are right, but they do "
                     "not come from a `ForwardAccumulator`. Compute y = f(x) inside "
                     "`with tf.autodiff.ForwardAccumulator(primals=x, tangents=v) as acc:` "
                     "and return `acc.jvp(y)`."),
                **where,
            )
        if facts["in_acc"] > 1:
            raise wrong(
                lazy("For f(x) = {f} at x = {x}, v = {v} your numbers are right, but f ran "
                     "{k} times under an accumulator. One forward pass with `tangents=v` "
                     "gives J·v directly, without building the Jacobian column by column."),
                k=facts["in_acc"],
                **where,
            )
    if len(data["calls"]) < len(_jvp_cases()):
        raise AssertionError("a call failed but was judged right")
    return right(
        lazy("Right: one forward pass per direction v, on three hidden functions. With v = "
             "(0, …, 1, …, 0) the same pass gives one column of the Jacobian."),
    )


q4 = Problem(
    "ch01",
    4,
    names=["jvp"],
    gather=_gather_jvp,
    judge=_judge_jvp,
    hints=[
        lazy(
            "An accumulator must know which tensor moves and in which direction: here x "
            "moves along v. Run f while the accumulator is active, inside its `with` block, "
            "so that the result carries a tangent."
        ),
        lazy(
            "`tf.autodiff.ForwardAccumulator` takes `primals=` (what moves) and `tangents=` "
            "(the direction). After the block, the accumulator's `jvp` method gives the "
            "tangent of a tensor computed inside it; the tangent of f's result is J·v."
        ),
    ],
    starter="""
def jvp(f, x, v):
    with ____ as acc:
        y = ____
    return ____
""",
    solution="""
def jvp(f, x, v):
    with tf.autodiff.ForwardAccumulator(primals=x, tangents=v) as acc:
        y = f(x)
    return acc.jvp(y)
""",
    explanation=lazy(
        "One forward pass costs a small multiple of evaluating f and gives J·v for one v; "
        "n passes (one per input) give the whole Jacobian."
    ),
)
