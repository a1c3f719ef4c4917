"""Plain-language diagnostics: why a gradient is ``None``, and a tape's text form.

Both read a tape through its read-only view (:meth:`GradientTape.view`). Every sentence
states only what the tape's records show: when a value was made (before, during or after
recording, or while recording was paused), what the tape tracked, which op cut a path.
"""

from __future__ import annotations

import numpy as np

from .tensor import TensorLike, Variable


def _label(obj) -> str:
    if isinstance(obj, Variable):
        return f"Variable '{obj.name}'"
    if isinstance(obj, TensorLike):
        return f"a tensor of shape {tuple(obj._value.shape)} and dtype {obj._value.dtype.name}"
    return f"a {type(obj).__name__}"


def _code(name: str) -> str:
    """The name as it can appear in a code hint (``c``, ``sources[0]``), or ``x``."""
    bare = name.strip("`")
    return bare if bare.split("[")[0].isidentifier() and " " not in bare else "x"


def _search(producers, tid: int, sid: int, dropped=frozenset()):
    """Is ``sid`` reachable from ``tid``? Returns (differentiable path?, cutting ops,
    dropping ops, leaves).

    A path is cut by an op declared non-differentiable, and dropped at an edge
    ``(op name, input serial)`` whose VJP returned None in the last gradient call. The
    cutting and dropping ops are those met first on the paths that reach ``sid``.
    """
    found_diff = False
    cuts: list = []
    drops: list = []
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
            else:
                kind, op = blocker
                found = cuts if kind == "cut" else drops
                if op not in found:
                    found.append(op)
            continue
        prod = producers.get(node)
        if prod is None:
            leaves.add(node)
            continue
        op, iids = prod
        b = blocker
        if b is None and not op.differentiable:
            b = ("cut", op)
        for k in iids:
            if k:
                stack.append((k, ("drop", op) if b is None and (op.name, k) in dropped else b))
    return found_diff, cuts, drops, leaves


def explain(view, target, source, name: str = "the source") -> str:
    """One sentence saying why ``gradient(target, source)`` is (or is not) None."""
    if not isinstance(source, TensorLike):
        return (
            f"{name} is {_label(source)}, not a tensor: gradients are taken with respect "
            "to tf.Variables or watched tensors."
        )
    what = f"{name} ({_label(source)})"
    x = _code(name)
    if source._value.dtype.kind not in "fc":
        return (
            f"{what} has the integer dtype {source._value.dtype.name}, and gradients exist "
            "only for float tensors: create it from a float (tf.Variable(3.0), not "
            f"tf.Variable(3)) or convert it with tf.cast({x}, tf.float32)."
        )
    if not isinstance(target, TensorLike):
        return (
            f"The target is {_label(target)}, not a tensor the tape recorded: the "
            "computation left the tape (plain Python or numpy math); use tf ops."
        )
    sid, tid = source._serial, target._serial
    if target is source or sid == tid:
        return f"The target is {name} itself, so the gradient is 1, not None."
    producers = {link[1]: (link[0], link[2]) for link in view.links}
    source_tracked = view.tracks(sid)
    target_tracked = view.tracks(tid)

    if not source_tracked:
        if (isinstance(source, Variable) and source.trainable
                and view.watches_accessed_variables and not target_tracked):
            # a variable the tape would have watched: the target came from elsewhere
            return _untracked_target(view, target, name, x)
        return _unwatched_source(view, source, what, x)
    if not target_tracked:
        return _untracked_target(view, target, name, x)
    found, cuts, drops, leaves = _search(producers, tid, sid, frozenset(view.dropped))
    if found:
        return f"The target depends on {name} through recorded ops, so its gradient is not None."
    if cuts or drops:
        reasons = [op.cut or (
            f"the op '{op.name}', which has no gradient "
            "(comparisons and other boolean results have none)") for op in cuts]
        reasons += [
            f"'{op.name}', whose gradient function returned None for it (return a gradient "
            "for that input from tf.custom_gradient's grad_fn; for a variable the function "
            "reads, in the second value grad_fn returns)" for op in drops]
        return f"Every path from the target back to {name} passes through {' or '.join(reasons)}."
    if any(view.assigned(k) for k in leaves):
        return (
            "The target depends on a variable whose value was set by assign / assign_add / "
            "assign_sub while recording; assignments are not differentiable, so no gradient "
            f"flows through them back to {name}."
        )
    return (
        f"The target does not depend on {name}: no recorded op connects them. Check that "
        f"{name} is used in the computation of the target."
    )


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _watch(view, x: str, where: str = "") -> str:
    """The fix "watch it", in the words of where the learner is: code or the magic's line."""
    if view.cell:
        return f"add --watch {x} to the %%tape line"
    return f"call tape.watch({x}){where}"


def _unwatched_source(view, source, what: str, x: str) -> str:
    """The tape never tracked the source: say why, from how it was made."""
    if isinstance(source, Variable):
        if not source.trainable:
            return (
                f"{what} was created with trainable=False, so the tape did not watch it: "
                f"{_watch(view, x, ' inside the `with` block')}, or create it with "
                "trainable=True."
            )
        if not view.watches_accessed_variables:
            return (
                f"{what} was never passed to tape.watch() and the tape was created with "
                f"watch_accessed_variables=False, so it was not watched: "
                f"{_watch(view, x, ' before using it')}."
            )
        where = "in the cell" if view.cell else "inside the `with` block"
        return (
            f"{what} was never used while the tape was recording, so the target cannot "
            f"depend on it through this tape: use it {where}."
        )
    when = view.when(source._serial)
    if when == "during":
        return (
            f"{what} was computed while recording, but only from values the tape does "
            f"not watch (constants or numpy arrays), so it was not watched: "
            f"{_watch(view, x, ' on it')}, or make the input a tf.Variable."
        )
    if when == "paused":
        return (
            f"{what} was computed inside tape.stop_recording(), so the tape did not track "
            f"it: compute it while the tape records, or {_watch(view, x)}."
        )
    if any(source._serial in link[2] for link in view.links):
        return (
            f"{what} is a constant tensor the tape never watched: the tape recorded the "
            f"ops that used it (they also used watched values), but gradients go only to "
            f"what it watches, and constants are not watched automatically (only "
            f"tf.Variables are). {_upper_first(_watch(view, x, ' before using it'))}, or "
            "make it a tf.Variable."
        )
    return (
        f"{what} is a constant tensor the tape never watched: "
        f"{_watch(view, x, ' inside the `with` block before using it')}, or make it a "
        f"tf.Variable (variables are watched automatically). If {x} was a Variable once, "
        f"`{x} = {x} + 1` replaced it by a tensor: use {x}.assign_add(1)."
    )


def _untracked_target(view, target, name: str, x: str) -> str:
    """The source is tracked but the target is not: say where the target came from."""
    when = view.when(target._serial)
    if view.gradient_output(target._serial):
        return (
            f"The target is a gradient computed by an inner tape, and it does not depend "
            f"on {name}: the function was linear in {name}, so its derivative is a "
            f"constant and the next derivative is zero. TensorFlow reports that as None; "
            f"pass unconnected_gradients='zero' to get 0."
        )
    if when == "before":
        return (
            "The target was created before the tape started recording, and no op inside "
            f"the block produced it, so it cannot depend on {name}. If the block assigns "
            "the target only on some paths (an if/else branch that did not run), the "
            "target still holds its old value: compute it inside the block on every path."
        )
    if when == "paused":
        return (
            "The target was computed inside tape.stop_recording(), so the tape saw none "
            f"of the ops linking it to {name}: compute it while the tape records."
        )
    if when == "after":
        return (
            "The target was computed after the tape stopped recording (outside the "
            f"`with` block), so nothing links it to {name}: compute it inside the block."
        )
    return (
        "The target was computed while recording, but only from values the tape does not "
        "track (constants, numpy arrays, values computed before the block or inside "
        f"tape.stop_recording()), so it does not depend on {name}: compute it from {x} "
        "inside the block, while the tape records."
    )


def _summary(value) -> str:
    v = np.asarray(value)
    if v.ndim == 0:
        return f"{v[()]:.6g}" if v.dtype.kind in "fc" else str(v[()])
    return f"<{v.dtype.name}{list(v.shape)}>"


def tape_text(view, header: str) -> str:
    """One line per recorded op, e.g. ``%1 = pow(x:0, 2) -> shape () float32``."""
    names: dict = {}
    for w in view.watched:
        names[w._serial] = w.name if isinstance(w, Variable) else f"w{len(names)}"
    lines = [header]
    for i, rec in enumerate(view.records):
        names[rec.out] = f"%{i}"
        ins = [names.get(k, _summary(v)) if k else _summary(v)
               for k, v in zip(rec.inputs, rec.values, strict=True)]
        extra = ""
        if rec.params:
            shown = {k: v for k, v in rec.params.items() if k != "key"}
            if shown:
                extra = ", " + ", ".join(f"{k}={v}" for k, v in shown.items())
        ov = rec.out_value
        lines.append(
            f"  %{i} = {rec.op.name}({', '.join(ins)}{extra})"
            f"  -> shape {tuple(ov.shape)} {ov.dtype.name}"
        )
    if view.state.name == "USED" and not view.records:
        lines.append("  (its one gradient has been taken: the records are released)")
    return "\n".join(lines)
