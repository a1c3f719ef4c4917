"""Exercises of chapter 03 (several variables).

``from adkernel.exercises import ____, ch03 as ex``
"""

from __future__ import annotations

import numpy as np

from . import _plain, progress
from ._core import Problem, numeric_derivative, numeric_jacobian
from ._core import ____ as ____
from .judging import (
    array,
    close,
    describe,
    is_kind,
    lazy,
    number,
    right,
    to_numpy,
    wrong,
)

__all__ = ["progress", "q1", "q2", "q3"]


def _z(x, y):
    return x**2 * y + y**3


def _tape_facts(also, tape_name, target_name, sources) -> dict:
    """Plain facts about a tape of the answer cell and the target it differentiates, from
    the optional names ``also`` (``Problem(also=...)``), read in the kernel:

    - ``when``: was the target made "before", "during" or "after" the tape recorded (or
      "paused"; None: no tape, or the target is not a tensor);
    - ``tracked``: did the tape record the target (computed from what it watches)?
    - ``watched``: for each name in ``sources`` that holds a tensor, does the tape watch it?
    - ``asked``: was the tape asked for its gradient (see :func:`_asked`)?
    """
    from ..engine.tape import GradientTape

    facts = {"when": None, "tracked": None, "watched": {}, "asked": None}
    tape, target = also.get(tape_name), also.get(target_name)
    if not isinstance(tape, GradientTape):
        return facts
    try:
        view = tape.view()
        serial = getattr(target, "_serial", None)
        if isinstance(serial, int):
            facts["when"] = view.when(serial)
            facts["tracked"] = bool(view.tracks(serial))
            if facts["tracked"]:
                facts["asked"] = _asked(view)
        for name in sources:
            serial = getattr(also.get(name), "_serial", None)
            if isinstance(serial, int):
                facts["watched"][name] = bool(view.tracks(serial))
    except Exception:  # an engine without views: no facts
        pass
    return facts


def _asked(view) -> bool | None:
    """Was this tape asked for a gradient or a Jacobian? A non-persistent tape answers once,
    then it is used up (False: it recorded and was never asked); a persistent one does not
    tell (None). Like chapter 02's count of ``tape.gradient`` calls: right numbers that no
    tape produced are not the point of these exercises."""
    from ..engine.tape import TapeState

    if view.persistent:
        return None
    if view.state is TapeState.USED:
        return True
    return False if view.state is TapeState.STOPPED else None


def _gather_grads(ctx, grads):
    return {"grads": ctx.value(grads), "tape": _tape_facts(ctx.also, "tape", "z", ("x", "y"))}


def _judge_grads(data):
    expected = {
        "x": numeric_derivative(lambda t: _z(t, 3.0), 2.0),
        "y": numeric_derivative(lambda t: _z(2.0, t), 3.0),
    }
    grads = data["grads"]
    if is_kind(grads, "list", "tuple"):
        raise wrong(
            lazy(
                "`grads` is {found}. Pass a dict of sources, `{{'x': x, 'y': y}}`, and "
                "the tape returns a dict with the same keys."
            ),
            found=describe(grads),
        )
    if not is_kind(grads, "dict"):
        raise wrong(
            lazy("`grads` should be a dict like `{{'x': ..., 'y': ...}}`, but it is {found}."),
            found=describe(grads),
        )
    entries = {key: value for key, value in grads["items"]}
    if set(entries) != {"x", "y"} or grads.get("n", len(entries)) != len(entries):
        raise wrong(
            lazy("The keys of `grads` are {keys}; use the keys 'x' and 'y'."),
            keys=sorted(entries),
        )
    tape = data["tape"]
    for key in ("x", "y"):
        if not is_kind(entries[key], "none"):
            continue
        if tape["when"] == "after":
            raise wrong(
                lazy(
                    "`grads['{k}']` is `None`: z was computed after the `with` block had "
                    "ended, so the tape recorded nothing of it. Indent the line that computes z "
                    "under `with tf.GradientTape() as tape:`."
                ),
                k=key,
            )
        if tape["tracked"] and tape["watched"].get(key):
            raise wrong(
                lazy(
                    "`grads['{k}']` is `None`, although the tape watched {k} and recorded z: "
                    "the source under the key '{k}' is not the variable {k} that z was computed "
                    "from (a new tensor with the same value has no path to z). Give the "
                    "variable {k} itself under that key."
                ),
                k=key,
            )
        raise wrong(
            lazy(
                "`grads['{k}']` is `None`: the tape did not watch {k}. Is it a "
                "`tf.Variable`, and was z computed inside the `with` block?"
            ),
            k=key,
        )
    gx = number(entries["x"], "grads['x']")
    gy = number(entries["y"], "grads['y']")
    if close(gx, expected["x"], rtol=1e-5) and close(gy, expected["y"], rtol=1e-5):
        if tape.get("asked") is False:
            raise wrong(
                lazy(
                    "Your numbers are right, but no `tape.gradient` call produced them: the "
                    "tape recorded z and was never asked for its gradient. The point of this "
                    "exercise is to let the tape differentiate: ask it, with a dict of "
                    "sources, `{call}`."
                ),
                call="tape.gradient(z, {'x': x, 'y': y})",
            )
        return right(
            lazy("∂z/∂x = 2xy and ∂z/∂y = x² + 3y², returned under the keys you chose."),
        )
    if close(gx, expected["y"], rtol=1e-5) and close(gy, expected["x"], rtol=1e-5):
        raise wrong(
            lazy("The two values are swapped: check which key holds which variable."),
        )
    if close(gx, -expected["x"], rtol=1e-5) and close(gy, -expected["y"], rtol=1e-5):
        raise wrong(
            lazy(
                "Both values have the right size but the wrong sign. Keep the gradients as "
                "the tape returns them, without a minus sign."
            ),
        )
    if close(gx, 4.0) and close(gy, 27.0):
        raise wrong(
            lazy(
                "You found 4 and 27: those are the gradients of the seed's z = x² + y³. "
                "This z adds the term x²·y."
            ),
        )
    x_ok = close(gx, expected["x"], rtol=1e-5)
    y_ok = close(gy, expected["y"], rtol=1e-5)
    if x_ok:
        raise wrong(
            lazy(
                "`grads['x']` is right, but `grads['y']` = {gy:.6g} is not ∂z/∂y of "
                "z = x²·y + y³ at (2, 3). Both terms of z contain y: differentiate each with "
                "respect to y (or let the tape do it, with y among the sources)."
            ),
            gy=gy,
        )
    if y_ok:
        raise wrong(
            lazy(
                "`grads['y']` is right, but `grads['x']` = {gx:.6g} is not ∂z/∂x of "
                "z = x²·y + y³ at (2, 3). Only the term x²·y contains x, and y is a constant "
                "there: differentiate it with respect to x (or let the tape do it)."
            ),
            gx=gx,
        )
    raise wrong(
        lazy(
            "You found ∂z/∂x = {gx:.6g} and ∂z/∂y = {gy:.6g}; neither is the partial "
            "derivative of z = x²·y + y³ at (2, 3). Was z computed from these x and y inside "
            "the `with` block?"
        ),
        gx=gx,
        gy=gy,
    )


q1 = Problem(
    "ch03",
    1,
    names=["grads"],
    gather=_gather_grads,
    judge=_judge_grads,
    also=("tape", "z", "x", "y"),
    hints=[
        lazy("`tape.gradient` returns the same structure as its sources: give it a dict."),
        lazy(
            "Give each variable a key in a dict of sources; the gradients come back under the "
            "same keys. To compare by hand: ∂z/∂x = 2xy, ∂z/∂y = x² + 3y²."
        ),
    ],
    starter="""
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as tape:
    z = x**2 * y + y**3
grads = ____
""",
    solution="""
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as tape:
    z = x**2 * y + y**3
grads = tape.gradient(z, {"x": x, "y": y})
""",
    explanation=lazy("2xy = 12 and x² + 3y² = 31 at (2, 3)."),
)


def _F(v):
    return np.array([v[0] * v[1], v[0] + v[1], v[1] ** 2])


def _gather_jacobian(ctx, J):
    return {"J": ctx.value(J), "tape": _tape_facts(ctx.also, "tape", "F", ("v",))}


def _why_no_jacobian(data):
    """The diagnosis of a ``None`` Jacobian, from the tape's facts."""
    tape = data["tape"]
    if tape["when"] == "after":
        return wrong(
            lazy(
                "`J` is `None`: F was computed after the `with` block had ended, so the tape "
                "recorded nothing of it. Indent the line that computes F under the `with`."
            ),
        )
    if tape["tracked"]:
        return wrong(
            lazy(
                "`J` is `None`, although the tape recorded F: `tape.jacobian` found no path "
                "from its first argument to its second. Are they swapped? The first is the "
                "target, what you differentiate (F); the second is the source (v)."
            ),
        )
    return wrong(
        lazy(
            "`J` is `None`: the tape found no path from the target to the source. "
            "`tape.jacobian` takes the target first (F, computed inside the `with` block), "
            "then the source (v)."
        ),
    )


def _judge_jacobian(data):
    expected = numeric_jacobian(_F, [2.0, 3.0])
    J = data["J"]
    if is_kind(J, "none"):
        raise _why_no_jacobian(data)
    if is_kind(J, "list", "tuple") and any(is_kind(item, "none") for item in J["items"]):
        raise wrong(
            lazy(
                "`J` is {found}, with `None` in it: the tape found no path from F to those "
                "sources. Slicing v "
                "(`v[0]`, `v[1]`) makes new tensors that F was not computed from: give the "
                "variable v itself as the source, and one array of shape (3, 2) comes back."
            ),
            found=describe(J),
        )
    if is_kind(J, "str", "bool", "dict", "function", "other", "blank"):
        raise wrong(
            lazy("`J` should be an array of shape (3, 2), but it is {found}."),
            found=describe(J),
        )
    arr = array(J, "J")
    if arr.shape == (2, 3):
        raise wrong(
            lazy(
                "`J` has shape (2, 3): rows should be outputs (3 of them) and columns "
                "inputs (2), so the shape is (3, 2)."
            ),
        )
    if arr.shape == (2,) and close(arr, expected.sum(axis=0)):
        raise wrong(
            lazy(
                "You found {a}: that is `gradient`, the gradient of the sum of the three "
                "outputs. Use `tape.jacobian(F, v)` for one row per output."
            ),
            a=arr.tolist(),
        )
    if arr.shape != (3, 2):
        raise wrong(
            lazy(
                "`J` has shape {s}; a Jacobian of 3 outputs with respect to 2 inputs has shape "
                "(3, 2)."
            ),
            s=arr.shape,
        )
    if close(arr, expected, rtol=1e-5, atol=1e-5):
        if data["tape"].get("asked") is False:
            raise wrong(
                lazy(
                    "Your numbers are right, but the tape did not produce them: it recorded F "
                    "and was never asked for its Jacobian. The point of this exercise is to "
                    "let the tape differentiate: `J = tape.jacobian(F, v)`."
                ),
            )
        return right(
            lazy(
                "Row i holds the partial derivatives of output i: a 3 × 2 grid, and its "
                "column sums are what `gradient` returns."
            ),
        )
    if close(arr, -expected, rtol=1e-5, atol=1e-5):
        raise wrong(
            lazy(
                "Every entry of `J` has the right size but the wrong sign. Keep the Jacobian "
                "as the tape returns it, without a minus sign."
            ),
        )
    bad = np.argwhere(~np.isclose(arr, expected, rtol=1e-5, atol=1e-5))[0]
    raise wrong(
        lazy("Entry J[{i}, {j}] is {v:.6g}, which is not ∂F{i}/∂v{j} at v = (2, 3)."),
        i=int(bad[0]),
        j=int(bad[1]),
        v=float(arr[tuple(bad)]),
    )


q2 = Problem(
    "ch03",
    2,
    names=["J"],
    gather=_gather_jacobian,
    judge=_judge_jacobian,
    also=("tape", "F", "v"),
    hints=[
        lazy("A Jacobian has one row per output and one column per input."),
        lazy(
            "`tape.gradient` sums over the outputs. The tape has another method that keeps "
            "one row per output; it takes the same two arguments, target first."
        ),
    ],
    starter="""
v = tf.Variable([2.0, 3.0])
with tf.GradientTape() as tape:
    F = tf.stack([v[0] * v[1], v[0] + v[1], v[1] ** 2])
J = ____
""",
    solution="""
v = tf.Variable([2.0, 3.0])
with tf.GradientTape() as tape:
    F = tf.stack([v[0] * v[1], v[0] + v[1], v[1] ** 2])
J = tape.jacobian(F, v)
""",
    explanation=lazy(
        "Rows: ∂(v₀v₁) = (v₁, v₀) = (3, 2); ∂(v₀ + v₁) = (1, 1); ∂(v₁²) = (0, 2v₁) = (0, 6)."
    ),
)


def _nested_facts(also) -> dict:
    """Plain facts about the answer cell's tapes, from the optional names ``outer`` and
    ``dz_dy`` (``Problem(also=...)``), read in the kernel:

    - ``dz_dy``: the value of ``dz_dy``, encoded (None: not defined);
    - ``recorded``: did the outer tape record the inner gradient, i.e. was ``dz_dy``
      returned by a ``gradient`` call while it recorded, or computed from what it watches
      (None: ``outer`` is not a tape or ``dz_dy`` not a tensor)?
    - ``asked``: when it recorded it, was the outer tape asked for a gradient (:func:`_asked`)?
    """
    from ..engine.tape import GradientTape

    outer, dz_dy = also.get("outer"), also.get("dz_dy")
    facts = {"dz_dy": None, "recorded": None, "asked": None}
    if "dz_dy" in also:
        facts["dz_dy"] = _plain.encode(dz_dy)
    serial = getattr(dz_dy, "_serial", None)
    if isinstance(outer, GradientTape) and isinstance(serial, int):
        try:
            view = outer.view()
            facts["recorded"] = bool(view.gradient_output(serial) or view.tracks(serial))
            if facts["recorded"]:
                facts["asked"] = _asked(view)
        except Exception:  # an engine without views: no fact
            facts["recorded"] = None
    return facts


def _gather_second(ctx, d2z_dy2):
    return {"d2z_dy2": ctx.value(d2z_dy2), "tapes": _nested_facts(ctx.also)}


def _judge_second(data):
    if is_kind(data["d2z_dy2"], "none"):
        facts = data["tapes"]
        inner = to_numpy(facts["dz_dy"]) if facts["dz_dy"] is not None else None
        if inner is not None and inner.size == 1 and close(inner.reshape(()), 4.0):
            raise wrong(
                lazy(
                    "`d2z_dy2` is `None`, and `dz_dy` is 4 = 2x: the inner gradient was taken "
                    "with respect to x. Both gradients of d²z/dy² are with respect to y."
                ),
            )
        if facts["recorded"]:
            raise wrong(
                lazy(
                    "`d2z_dy2` is `None`, although the outer tape did record the inner "
                    "gradient: the outer gradient is taken with respect to the wrong variable. "
                    "dz/dy = 3y² contains only y (no x): differentiate `dz_dy` with respect "
                    "to y."
                ),
            )
        if facts["recorded"] is False:
            raise wrong(
                lazy(
                    "`d2z_dy2` is `None`: the inner `gradient` ran after the outer `with` block "
                    "had ended, so the outer tape did not record it. Indent the line that "
                    "computes `dz_dy` under the outer `with`."
                ),
            )
        raise wrong(
            lazy(
                "`d2z_dy2` is `None`: the outer tape found no path from `dz_dy` to the source "
                "you gave. Either the inner `gradient` did not run inside the outer `with` "
                "block, so the outer tape did not record it, or the outer gradient is taken "
                "with respect to a variable dz/dy = 3y² does not contain: it contains only y."
            ),
        )
    value = number(data["d2z_dy2"], "d2z_dy2")
    expected = numeric_derivative(lambda t: numeric_derivative(lambda s: s**3, t, 1e-4), 3.0, 1e-4)
    if close(value, expected, rtol=1e-4, atol=1e-4):
        if data["tapes"].get("asked") is False:
            raise wrong(
                lazy(
                    "Your number is right, but the outer tape did not produce it: `outer` "
                    "recorded the inner gradient and was never asked for its own. The point "
                    "of this exercise is to let the tapes differentiate twice: "
                    "`d2z_dy2 = outer.gradient(dz_dy, y)`."
                ),
            )
        return right(
            lazy("d²z/dy² = 6y: the outer tape differentiated the inner tape's result."),
        )
    if close(value, -expected, rtol=1e-4, atol=1e-4):
        raise wrong(
            lazy(
                "You found {v:.6g}: the right size with the wrong sign. Keep the second "
                "derivative as the outer tape returns it, without a minus sign."
            ),
            v=value,
        )
    if close(value, 27.0):
        raise wrong(
            lazy(
                "You found 27: that is the first derivative dz/dy = 3y². Differentiate "
                "it again with the outer tape."
            ),
        )
    if close(value, 2.0):
        raise wrong(
            lazy(
                "You found 2: that is d²z/dx², the second derivative with respect to x. Both "
                "gradients of d²z/dy² are taken with respect to y."
            ),
        )
    raise wrong(
        lazy(
            "You found {v:.6g}, which is not the second derivative of z with respect to y at y = 3."
        ),
        v=value,
    )


q3 = Problem(
    "ch03",
    3,
    names=["d2z_dy2"],
    gather=_gather_second,
    judge=_judge_second,
    hints=[
        lazy("Nest two tapes: the inner one gives dz/dy, the outer one differentiates that."),
        lazy(
            "Ask the inner tape for dz/dy inside the outer `with` block (indented under it), "
            "so that the outer tape records that computation; after the block, ask the outer "
            "tape for the derivative of `dz_dy` with respect to y."
        ),
    ],
    starter="""
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        z = x**2 + y**3
    dz_dy = ____
d2z_dy2 = ____
""",
    solution="""
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        z = x**2 + y**3
    dz_dy = inner.gradient(z, y)
d2z_dy2 = outer.gradient(dz_dy, y)
""",
    explanation=lazy("dz/dy = 3y², and its derivative 6y is 18 at y = 3."),
    also=("outer", "dz_dy"),
)
