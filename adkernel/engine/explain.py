"""Plain-language diagnostics: why a gradient is ``None``, and a tape's text form.

Both read a tape through its read-only view (:meth:`GradientTape.view`). Every sentence
states only what the tape's records show: when a value was made (before, during or after
recording, or while recording was paused), what the tape tracked, which op cut a path.
"""

from __future__ import annotations

import numpy as np

from .i18n import _
from .tensor import TensorLike, Variable


def _label(obj) -> str:
    if isinstance(obj, Variable):
        return _("Variable '{name}'").format(name=obj.name)
    if isinstance(obj, TensorLike):
        return _("a tensor of shape {shape} and dtype {dtype}").format(
            shape=tuple(obj._value.shape), dtype=obj._value.dtype.name)
    return _("a {type}").format(type=type(obj).__name__)


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


def explain(view, target, source, name: str | None = None) -> str:
    """One sentence saying why ``gradient(target, source)`` is (or is not) None.

    ``name`` is the learner's name for the source (``c``, ```sources[0]```); without one
    the sentence says "the source" and code hints use ``x``.
    """
    if name is None:
        name, x = _("the source"), "x"
    else:
        x = _code(name)
    if not isinstance(source, TensorLike):
        return _(
            "{name} is {label}, not a tensor: gradients are taken with respect "
            "to tf.Variables or watched tensors.").format(name=name, label=_label(source))
    what = _("{name} ({label})").format(name=name, label=_label(source))
    if source._value.dtype.kind not in "fc":
        return _(
            "{what} has the integer dtype {dtype}, and gradients exist "
            "only for float tensors: create it from a float (tf.Variable(3.0), not "
            "tf.Variable(3)) or convert it with tf.cast({x}, tf.float32).").format(
                what=what, dtype=source._value.dtype.name, x=x)
    if not isinstance(target, TensorLike):
        return _(
            "The target is {label}, not a tensor the tape recorded: the "
            "computation left the tape (plain Python or numpy math); use tf ops.").format(
                label=_label(target))
    sid, tid = source._serial, target._serial
    if target is source or sid == tid:
        return _("The target is {name} itself, so the gradient is 1, not None.").format(
            name=name)
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
        return _("The target depends on {name} through recorded ops, so its gradient is not "
                 "None.").format(name=name)
    if cuts or drops:
        reasons = [str(op.cut) if op.cut else _(
            "the op '{op}', which has no gradient "
            "(comparisons and other boolean results have none)").format(op=op.name)
            for op in cuts]
        reasons += [_(
            "'{op}', whose gradient function returned None for it (return a gradient "
            "for that input from tf.custom_gradient's grad_fn; for a variable the function "
            "reads, in the second value grad_fn returns)").format(op=op.name) for op in drops]
        joined = reasons[0]
        for more in reasons[1:]:
            joined = _("{first} or {second}").format(first=joined, second=more)
        return _("Every path from the target back to {name} passes through {reasons}.").format(
            name=name, reasons=joined)
    if any(view.assigned(k) for k in leaves):
        return _(
            "The target depends on a variable whose value was set by assign / assign_add / "
            "assign_sub while recording; assignments are not differentiable, so no gradient "
            "flows through them back to {name}.").format(name=name)
    return _(
        "The target does not depend on {name}: no recorded op connects them. Check that "
        "{name} is used in the computation of the target.").format(name=name)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _watch(view, x: str, where: str = "") -> str:
    """The fix "watch it", in the words of where the learner is: code or the magic's line.

    ``where``: ``""``, ``"block"`` (inside the ``with`` block), ``"before"`` (before using
    it), ``"on"`` (on it) or ``"block-before"`` (inside the block before using it).
    """
    if view.cell:
        return _("add --watch {x} to the %%tape line").format(x=x)
    if where == "block":
        return _("call tape.watch({x}) inside the `with` block").format(x=x)
    if where == "before":
        return _("call tape.watch({x}) before using it").format(x=x)
    if where == "on":
        return _("call tape.watch({x}) on it").format(x=x)
    if where == "block-before":
        return _("call tape.watch({x}) inside the `with` block before using it").format(x=x)
    return _("call tape.watch({x})").format(x=x)


def _unwatched_source(view, source, what: str, x: str) -> str:
    """The tape never tracked the source: say why, from how it was made."""
    if view.assigned_from(source._serial):
        return _(
            "{what} was used while the tape was recording only as the value of an "
            "assignment (assign / assign_add / assign_sub), and assignments are not "
            "differentiable: the gradient stops at the assigned variable's new value, as in "
            "TensorFlow. To differentiate through it, compute with ops instead (`y = v + {x}` "
            "rather than `v.assign_add({x})`).").format(what=what, x=x)
    if isinstance(source, Variable):
        if not source.trainable:
            return _(
                "{what} was created with trainable=False, so the tape did not watch it: "
                "{fix}, or create it with trainable=True.").format(
                    what=what, fix=_watch(view, x, "block"))
        if not view.watches_accessed_variables:
            return _(
                "{what} was never passed to tape.watch() and the tape was created with "
                "watch_accessed_variables=False, so it was not watched: {fix}.").format(
                    what=what, fix=_watch(view, x, "before"))
        if view.cell:
            return _(
                "{what} was never used while the tape was recording, so the target cannot "
                "depend on it through this tape: use it in the cell.").format(what=what)
        return _(
            "{what} was never used while the tape was recording, so the target cannot "
            "depend on it through this tape: use it inside the `with` block.").format(what=what)
    when = view.when(source._serial)
    if when == "during":
        return _(
            "{what} was computed while recording, but only from values the tape does "
            "not watch (constants or numpy arrays), so it was not watched: "
            "{fix}, or make the input a tf.Variable.").format(
                what=what, fix=_watch(view, x, "on"))
    if when == "paused" and view.yielded(source._serial):
        return _(
            "{what} was computed after the cell opened its own GradientTape (`with "
            "tf.GradientTape() as {inner}:`), and %%tape's tape stops recording there, so it "
            "did not track it: remove the inner `with` (the cell is already recorded), or "
            "take the gradient from your own tape, `{inner}.gradient(...)`.").format(
                what=what, inner=view.yielded(source._serial))
    if when == "paused":
        return _(
            "{what} was computed inside tape.stop_recording(), so the tape did not track "
            "it: compute it while the tape records, or {fix}.").format(
                what=what, fix=_watch(view, x))
    if any(source._serial in link[2] for link in view.links):
        return _(
            "{what} is a constant tensor the tape never watched: the tape recorded the "
            "ops that used it (they also used watched values), but gradients go only to "
            "what it watches, and constants are not watched automatically (only "
            "tf.Variables are). {Fix}, or make it a tf.Variable.").format(
                what=what, Fix=_upper_first(_watch(view, x, "before")))
    return _(
        "{what} is a constant tensor the tape never watched: "
        "{fix}, or make it a "
        "tf.Variable (variables are watched automatically). If {x} was a Variable once, "
        "`{x} = {x} + 1` replaced it by a tensor: use {x}.assign_add(1).").format(
            what=what, fix=_watch(view, x, "block-before"), x=x)


def _untracked_target(view, target, name: str, x: str) -> str:
    """The source is tracked but the target is not: say where the target came from."""
    when = view.when(target._serial)
    if view.gradient_output(target._serial):
        return _(
            "The target is a gradient computed by an inner tape, and it does not depend "
            "on {name}: the function was linear in {name}, so its derivative is a "
            "constant and the next derivative is zero. TensorFlow reports that as None; "
            "pass unconnected_gradients='zero' to get 0.").format(name=name)
    if when == "before":
        return _(
            "The target was created before the tape started recording, and no op inside "
            "the block produced it, so it cannot depend on {name}. If the block assigns "
            "the target only on some paths (an if/else branch that did not run), the "
            "target still holds its old value: compute it inside the block on every path."
            ).format(name=name)
    if when == "paused" and view.yielded(target._serial):
        return _(
            "The cell opened its own GradientTape (`with tf.GradientTape() as {inner}:`), "
            "and %%tape's tape stops recording there, so it saw none of the ops linking the "
            "target to {name}: remove the inner `with` (the cell is already recorded), or "
            "take the gradient from your own tape, `{inner}.gradient(...)`.").format(
                name=name, inner=view.yielded(target._serial))
    if when == "paused":
        return _(
            "The target was computed inside tape.stop_recording(), so the tape saw none "
            "of the ops linking it to {name}: compute it while the tape records.").format(
                name=name)
    if when == "after":
        return _(
            "The target was computed after the tape stopped recording (outside the "
            "`with` block), so nothing links it to {name}: compute it inside the block."
            ).format(name=name)
    if view.reset_after(target._serial):
        return _(
            "The target was computed before tape.reset(), which made the tape forget "
            "every op it had recorded, so nothing links it to {name} any more: take the "
            "gradient before calling tape.reset(), or compute the target again after it."
            ).format(
                name=name)
    return _(
        "The target was computed while recording, but only from values the tape does not "
        "track (constants, numpy arrays, values computed before the block or inside "
        "tape.stop_recording()), so it does not depend on {name}: compute it from {x} "
        "inside the block, while the tape records.").format(name=name, x=x)


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
            _("  %{i} = {op}({args}{extra})  -> shape {shape} {dtype}").format(
                i=i, op=rec.op.name, args=", ".join(ins), extra=extra,
                shape=tuple(ov.shape), dtype=ov.dtype.name)
        )
    if view.state.name == "USED" and not view.records:
        lines.append(_("  (its one gradient has been taken: the records are released)"))
    return "\n".join(lines)
