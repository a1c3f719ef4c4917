"""Plain-language diagnostics: why a gradient is ``None``, and a tape's text form."""

from __future__ import annotations

import numpy as np

from .tensor import TensorLike, Variable

# Why each non-differentiable op cuts the path, in the learner's terms.
_CUTS = {
    "cast_to_integer": "a cast to an integer or bool dtype (tf.cast(..., tf.int32)), which has "
    "no gradient: keep the computation in floats",
    "stop_gradient": "tf.stop_gradient, which blocks gradients on purpose",
    "round": "tf.round, a step function whose gradient TensorFlow leaves undefined (None)",
    "floor": "tf.floor, a step function whose gradient TensorFlow leaves undefined (None)",
    "ceil": "tf.math.ceil, a step function whose gradient TensorFlow leaves undefined (None)",
    "floordiv": "integer division (//), which has no gradient",
    "argmax": "tf.argmax, which returns integer positions and has no gradient",
    "argmin": "tf.argmin, which returns integer positions and has no gradient",
}


def _label(obj) -> str:
    if isinstance(obj, Variable):
        return f"Variable '{obj.name}'"
    if isinstance(obj, TensorLike):
        return f"a tensor of shape {tuple(obj._value.shape)} and dtype {obj._value.dtype.name}"
    return f"a {type(obj).__name__}"


def _graph(tape):
    """(producers {serial: (op, input serials)}, tracked serials)."""
    if tape._skeleton is not None:
        skel, ids = tape._skeleton
        return {oid: (op, iids) for op, oid, iids in skel}, ids
    return {e[1]: (e[0], e[2]) for e in tape._entries}, tape._ids


def _search(producers, tid: int, sid: int):
    """Is ``sid`` reachable from ``tid``? Returns (differentiable path?, cutting op, leaves)."""
    found_diff = False
    cut = None
    leaves: set = set()
    stack = [(tid, None)]
    seen: set = set()
    while stack:
        node, blocker = stack.pop()
        if (node, blocker) in seen:
            continue
        seen.add((node, blocker))
        if node == sid:
            if blocker is None:
                found_diff = True
            elif cut is None:
                cut = blocker
            continue
        prod = producers.get(node)
        if prod is None:
            leaves.add(node)
            continue
        op, iids = prod
        b = blocker
        if b is None and not op.differentiable:
            b = op.name
        for k in iids:
            if k:
                stack.append((k, b))
    return found_diff, cut, leaves


def _when(tape, serial: int) -> str | None:
    windows = tape._windows
    if not windows:
        return None
    if serial < windows[0][0]:
        return "before"
    for start, end in windows:
        if start <= serial and (end is None or serial <= end):
            return "during"
    return "after"


def explain(tape, target, source, name: str = "the source") -> str:
    if not isinstance(source, TensorLike):
        return (
            f"{name} is {_label(source)}, not a tensor: gradients are taken with respect "
            "to tf.Variables or watched tensors."
        )
    what = f"{name} ({_label(source)})"
    if source._value.dtype.kind not in "fc":
        return (
            f"{what} has the integer dtype {source._value.dtype.name}, and gradients exist "
            "only for float tensors: create it from a float (tf.Variable(3.0), not "
            "tf.Variable(3)) or convert it with tf.cast(x, tf.float32)."
        )
    if not isinstance(target, TensorLike):
        return (
            f"The target is {_label(target)}, not a tensor the tape recorded: the "
            "computation left the tape (plain Python or numpy math); use tf ops."
        )
    if target is source:
        return f"The target is {name} itself, so the gradient is 1, not None."
    producers, ids = _graph(tape)
    sid, tid = source._serial, target._serial
    if tid not in ids:
        when = _when(tape, target._serial)
        if when == "before":
            return (
                "The target was computed before the tape started recording, so the tape "
                f"saw none of the ops linking it to {name}: compute it inside the "
                "`with tf.GradientTape()` block."
            )
        if when == "after":
            return (
                "The target was computed after the tape stopped recording (outside the "
                f"`with` block, or inside tape.stop_recording()), so nothing links it to "
                f"{name}: compute it inside the block."
            )
        if isinstance(source, Variable) and source.trainable and tape._auto and sid not in ids:
            return (
                f"The target was computed inside the block, but from values computed before "
                f"the tape started recording: the ops that used {what} ran outside the "
                "`with` block, so the tape never saw them. Compute everything from the "
                "variables inside the block."
            )
    if sid not in ids:
        if isinstance(source, Variable):
            if not source.trainable:
                return (
                    f"{what} was created with trainable=False, so the tape did not watch it: "
                    "call tape.watch(v) inside the `with` block, or create it with "
                    "trainable=True."
                )
            if not tape._auto:
                return (
                    f"{what} was never passed to tape.watch() and the tape was created with "
                    "watch_accessed_variables=False, so it was not watched: call "
                    "tape.watch(v) before using it."
                )
            return (
                f"{what} was never used while the tape was recording, so the target cannot "
                "depend on it through this tape: use it inside the `with` block."
            )
        if _when(tape, source._serial) == "during":
            return (
                f"{what} was computed while recording, but only from values the tape does "
                "not watch (constants or numpy arrays), so it was not watched: call "
                "tape.watch(x) on it, or make the input a tf.Variable."
            )
        return (
            f"{what} is a constant tensor the tape never watched: call tape.watch(x) inside "
            "the `with` block before using it, or make it a tf.Variable (variables are "
            "watched automatically). If x was a Variable once, `x = x + 1` replaced it by a "
            "tensor: use x.assign_add(1)."
        )
    if tid not in ids:
        return (
            "The target was computed only from values the tape does not watch, so it does "
            f"not depend on {name}: watch the inputs (tape.watch) or use tf.Variables."
        )
    found, cut, leaves = _search(producers, tid, sid)
    if found:
        return f"The target depends on {name} through recorded ops, so its gradient is not None."
    if cut is not None:
        why = _CUTS.get(
            cut,
            f"the op '{cut}', which has no gradient "
            "(comparisons and other boolean results have none)",
        )
        return f"Every path from the target back to {name} passes through {why}."
    assigned = [k for k in leaves if k in tape._assigned]
    if assigned:
        return (
            "The target depends on a variable whose value was set by assign / assign_add / "
            "assign_sub while recording; assignments are not differentiable, so no gradient "
            f"flows through them back to {name}."
        )
    return (
        f"The target does not depend on {name}: no recorded op connects them. Check that "
        f"{name} is used in the computation of the target."
    )


def _summary(value) -> str:
    v = np.asarray(value)
    if v.ndim == 0:
        return f"{v[()]:.6g}" if v.dtype.kind in "fc" else str(v[()])
    return f"<{v.dtype.name}{list(v.shape)}>"


def tape_text(tape) -> str:
    """One line per recorded op, e.g. ``%1 = pow(x:0, 2) -> shape () float32``."""
    names: dict = {}
    for w in tape._watched:
        names[w._serial] = w.name if isinstance(w, Variable) else f"w{len(names)}"
    lines = [f"{tape!r}"]
    for i, e in enumerate(tape._entries):
        op, oid, iids, vals, params, outv = e
        names[oid] = f"%{i}"
        ins = []
        for k, v in zip(iids, vals, strict=True):
            ins.append(names.get(k, _summary(v)) if k else _summary(v))
        extra = ""
        if params:
            shown = {k: v for k, v in params.items() if k not in ("key",)}
            if shown:
                extra = ", " + ", ".join(f"{k}={v}" for k, v in shown.items())
        ov = outv
        lines.append(
            f"  %{i} = {op.name}({', '.join(ins)}{extra})"
            f"  -> shape {tuple(ov.shape)} {ov.dtype.name}"
        )
    return "\n".join(lines)
