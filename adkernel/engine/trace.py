"""Tracing: record what a Python function computes as a flat program of numpy calls, then
replay that program without running the Python function again (what ``tf.function`` does).

While a :class:`Tracer` is active (``state.trace``), the function runs eagerly, as usual, on
its real arguments, and every op it runs is also written into a :class:`Program`:

- an **op** step calls the op's numpy ``forward`` on earlier steps' values;
- a **read** step reads a variable (a variable's value is read when the program runs, not
  frozen at tracing time), a **write** step assigns it;
- a **call** step re-runs a function that must run at every call: ``tf.print``, random
  numbers, an optimizer's update (:func:`replayed` marks them);
- a **guard** step checks a value that Python code looked at while tracing (``if x > 0``,
  ``float(x)``, ``x.numpy()``): if the value now differs, the program stops before it
  changes anything and the caller traces again for the new case (:class:`GuardFailed`).

A gradient taken inside the traced function is recorded too: while tracing, the backward
walk runs its VJPs on tensors (as it does for second derivatives), so the program holds the
backward ops as well, and replaying it gives the gradient with no tape at all.

Arrays are known by identity while tracing (the tracer holds each one, so none is reused or
written in place): an array the program did not compute is a constant captured by value.
Values a program passes on are found by ``id`` of the array, which is why the tracer keeps
every array it has seen alive until tracing ends.

:meth:`Program.compile` turns the steps into straight-line Python source (one line per
step, simple forwards inlined as numpy expressions, dead steps dropped, constants folded)
and :meth:`Program.run` calls it: no tensors, tapes or records per op.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import sys
import textwrap
import threading

import numpy as np

from . import _state
from ._state import state
from .errors import AdkernelError
from .i18n import _
from .tensor import TensorLike, _wrap

__all__ = ["GuardFailed", "Program", "Tracer", "TracingError", "effect_only", "replayed"]

_ndarray = np.ndarray


class GuardFailed(Exception):
    """A replay met a value that differs from the one Python code saw while tracing."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


class TracingError(AdkernelError, ValueError):
    """Something a traced function does cannot be recorded faithfully."""


# ----- steps --------------------------------------------------------------------------------
# A step is a tuple whose first item is its kind:
#   ("op", op, ins, params, out)          ins: slot numbers, or Const
#   ("read", var_ref, out)                var_ref: a Variable, or ("arg", i)
#   ("write", var_ref, method, value_in)  method: "assign", "assign_add", "assign_sub"
#   ("call", fn, arg_template, ins, outs) a function re-run at every call (replayed)
#   ("guard", slot, kind, expected)


class Const:
    """A value captured by the program at tracing time (an array, a number, ...)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self) -> str:
        v = self.value
        if isinstance(v, np.ndarray | np.generic) and np.size(v) <= 4:
            # numpy's shortest digits for the dtype (float32 0.1 is 0.1, not 0.100000001)
            return "const " + np.array2string(np.asarray(v), separator=", ", floatmode="unique")
        if isinstance(v, np.ndarray):
            return f"const <{v.dtype} {v.shape}>"
        return f"const {v!r}"


class Raw:
    """A Python object a traced function returns as it is (not a tensor)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class Tracer:
    """Builds a :class:`Program` while the traced function runs (``state.trace``)."""

    def __init__(self, allow_variables: bool = True):
        self.steps: list = []
        self.slot_of: dict[int, int] = {}  # id(array) -> slot
        self.n_slots = 0
        self.keep: list = []  # every array seen, alive until tracing ends (ids stay unique)
        self.shapes: dict[int, tuple] = {}  # slot -> (shape, dtype) at tracing time
        self.allow_variables = allow_variables
        self.created_variables: list = []
        self.values: dict[int, object] = {}  # slot -> value at tracing time (for pictures)
        self.calls_made: list = []  # (function, result) of each replayed call, in order
        self.earlier_calls: list | None = None  # a first trace's, when this one repeats it

    # -- slots ---------------------------------------------------------------------------
    def _new_slot(self, value) -> int:
        s = self.n_slots
        self.n_slots += 1
        self.keep.append(value)
        self.slot_of[id(value)] = s
        self.values[s] = value
        return s

    def input(self, value) -> int:
        """A slot for an argument's array (the program's inputs come first)."""
        return self._new_slot(value)

    def ref(self, obj, value):
        """The slot of ``value`` (an op's input), or a :class:`Const` for an array the
        program did not compute. ``obj`` is the tensor it came from (or None)."""
        s = self.slot_of.get(id(value))
        if s is not None:
            return s
        if obj is not None and getattr(obj, "_is_variable", False):
            return self.read(obj)
        self.keep.append(value)
        return Const(value)

    def read(self, var) -> int:
        s = self._new_slot(var._value)
        self.steps.append(("read", var, s))
        return s

    # -- what the engine reports ------------------------------------------------------------
    def op(self, op, args: tuple, vals: tuple, params, value) -> None:
        """An op ran (registry._emit): record it."""
        if op.forward is None:  # custom_gradient: its value came from ops already recorded
            if id(value) not in self.slot_of:
                self.keep.append(value)
            return
        ins = tuple([self.ref(a, v) for a, v in zip(args, vals, strict=True)])
        out = self._new_slot(value)
        self.steps.append(("op", op, ins, params, out))

    def write(self, var, method: str, delta, delta_obj=None) -> None:
        """``var.assign*`` ran (after it ran): record it, then the new value is the
        variable's (read again by the next op that uses it)."""
        ref = self.ref(delta_obj, delta) if isinstance(delta, _ndarray | np.generic) else \
            Const(delta)
        self.steps.append(("write", var, method, ref))

    def reused_call(self, fn):
        """``(result,)`` when this trace repeats an earlier one (TensorFlow's second trace
        after variables were created), its next call is ``fn`` again, and that call wrote
        no variable: its effects (``tf.print``'s line) already happened once. A call that
        wrote variables (an optimizer step, a metric update) runs again (None): its writes
        were put back with the first trace's."""
        if self.earlier_calls is None or not self.earlier_calls:
            return None
        earlier_fn, result, wrote = self.earlier_calls[0]
        if earlier_fn is not fn:
            self.earlier_calls = None
            return None
        self.earlier_calls.pop(0)
        return None if wrote else (result,)

    def call(self, fn, args: tuple, kwargs: dict, result, wrote: bool = False) -> None:
        """A :func:`replayed` function ran (``wrote``: it assigned a variable while the
        journal was on): record it with its tensor arguments as slots."""
        self.calls_made.append((fn, result, wrote))

        ins = []

        def template(x):
            if isinstance(x, TensorLike) and not getattr(x, "_is_variable", False):
                ins.append(self.ref(x, x._value))
                return _ArgSlot(len(ins) - 1)
            if isinstance(x, list | tuple):
                items = [template(v) for v in x]
                return type(x)(items) if type(x) in (list, tuple) else x
            if isinstance(x, dict):
                return {k: template(v) for k, v in x.items()}
            return x

        targs = template(list(args))
        tkwargs = template(dict(kwargs))
        outs = []

        def out_template(x):
            if isinstance(x, TensorLike) and not getattr(x, "_is_variable", False):
                outs.append(self._new_slot(x._value))
                return _ArgSlot(len(outs) - 1)
            if isinstance(x, list | tuple) and type(x) in (list, tuple):
                return type(x)(out_template(v) for v in x)
            return None

        self.steps.append(("call", fn, (targs, tkwargs, out_template(result)), tuple(ins),
                           tuple(outs)))

    def guard(self, tensor, kind: str) -> None:
        """Python code looks at ``tensor``'s value: the program checks it stays the same."""
        value = tensor._value
        s = self.slot_of.get(id(value))
        if s is None:
            if getattr(tensor, "_is_variable", False):
                s = self.read(tensor)
            else:
                return  # a constant: it cannot change
        self.steps.append(("guard", s, kind, np.array(value, copy=True)))

    def variable_created(self, var) -> None:
        if not self.allow_variables:
            raise TracingError(_(
                "tf.function only supports creating tf.Variable objects on the first trace, "
                "but this function creates one each time it is traced (TensorFlow traces a "
                "function that creates variables twice, and again for new argument shapes "
                "or values). Create the variables once, outside the function, or only when "
                "they do not exist yet (e.g. `if self.v is None:`)."))
        self.created_variables.append(var)

    def program(self, inputs: list, outputs) -> Program:
        return Program(self.steps, self.n_slots, inputs, outputs, self.values)


class _ArgSlot:
    """Where a slot's value goes in a replayed call's arguments (or comes out of its result)."""

    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i

    def __repr__(self) -> str:
        return f"<in {self.i}>"


def effect_only(fn):
    """Mark a :func:`replayed` function that returns nothing and only acts (prints, checks):
    ``get_concrete_function`` records it without running it, as TensorFlow only builds a
    graph there."""
    fn.effect_only = True
    return fn


def replayed(fn):
    """Mark ``fn`` as a function a traced program must call again at every run (random
    numbers, ``tf.print``, an optimizer's update): while tracing, it runs as usual and is
    recorded as one step, its own ops unrecorded."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tr = state.trace
        if tr is None:
            return fn(*args, **kwargs)
        # an iterator (zip(grads, variables)) is read once: keep what it gave, to replay
        args = tuple(list(a) if _is_iterator(a) else a for a in args)
        reused = tr.reused_call(fn)
        journaled = len(_state.journal) if _state.journal is not None else None
        if reused is not None:  # a second trace of the same call: its effects happened once
            result = reused[0]
        elif _state.dry_journal is not None and getattr(fn, "effect_only", False):
            result = None  # get_concrete_function: recorded, not run (tf.print, a check)
        else:
            state.trace = None
            state.calling += 1  # its assignments are journaled too (_state.note_old_value)
            mark = len(state.made_in_call)
            try:
                result = fn(*args, **kwargs)
            finally:
                state.calling -= 1
                state.trace = tr
                made = state.made_in_call[mark:]
                del state.made_in_call[mark:]
            if tr.allow_variables:  # variables it made count as the trace's (TensorFlow
                for var in made:  # traces again: Adam's first step traces twice)
                    tr.variable_created(var)
        wrote = journaled is not None and len(_state.journal) > journaled
        tr.call(fn, args, kwargs, result, wrote)
        return result

    wrapper.__wrapped_replayed__ = fn
    return wrapper


def _is_iterator(x) -> bool:
    return hasattr(x, "__next__") and hasattr(x, "__iter__") and not isinstance(
        x, list | tuple | dict | str | bytes | np.ndarray)


# ----- the program --------------------------------------------------------------------------


class Program:
    """A traced function as steps (see the module docstring); :meth:`run` replays it."""

    def __init__(self, steps, n_slots, inputs, outputs, values=None):
        self.steps = list(steps)
        self.n_slots = n_slots
        self.inputs = list(inputs)  # slot numbers of the argument arrays, in order
        self.outputs = outputs  # a structure of slot numbers, Consts and None
        self.values = values or {}
        self._fast = None
        self.has_guards = any(s[0] == "guard" for s in self.steps)

    def argument_variables(self, variables: list) -> None:
        """Make the steps that read or write a variable passed as an argument refer to
        the argument (``("arg", i)``), so the program serves any variable in its place."""
        if not variables:
            return
        where = {id(v): i for i, v in enumerate(variables)}
        out = []
        for step in self.steps:
            if step[0] in ("read", "write") and id(step[1]) in where:
                step = (step[0], ("arg", where[id(step[1])]), *step[2:])
            out.append(step)
        self.steps = out
        self._fast = None

    def written_variables(self) -> list:
        seen, out = set(), []
        for step in self.steps:
            if step[0] == "write":
                k = step[1] if isinstance(step[1], tuple) else id(step[1])
                if k not in seen:
                    seen.add(k)
                    out.append(step[1])
        return out

    @property
    def guard_after_write(self) -> bool:
        """A guard follows a variable write (a failed replay must put the value back)."""
        if self._fast is None:
            self._fast = _compile(self)
        return self._fast.guard_after_write

    @property
    def guard_after_call(self) -> bool:
        """A guard follows a replayed call, whose effects could not be taken back if the
        guard failed: such a program is never replayed (the function runs eagerly)."""
        if self._fast is None:
            self._fast = _compile(self)
        return self._fast.guard_after_call

    # -- what a picture shows --------------------------------------------------------------
    def live_steps(self) -> list:
        """The steps that matter (those feeding an output, a write, a call or a guard)."""
        need = set(_slots_in(self.outputs))
        keep = []
        for step in reversed(self.steps):
            kind = step[0]
            if kind == "op":
                if step[4] not in need:
                    continue
                need.update(i for i in step[2] if isinstance(i, int))
            elif kind == "read":
                if step[2] not in need:
                    continue
            elif kind == "write":
                if isinstance(step[3], int):
                    need.add(step[3])
            elif kind == "call":
                need.update(i for i in step[3] if isinstance(i, int))
            elif kind == "guard":
                need.add(step[1])
            keep.append(step)
        keep.reverse()
        return keep

    def text(self) -> str:
        """The program as text, one step per line (like a jaxpr); its few words (inputs,
        read, const, call, guard, return) in the learner's language."""
        const, read, call, guard, ret = _("const"), _("read"), _("call"), _("guard"), _("return")

        def name(i):
            if not isinstance(i, Const):
                return f"v{i}"
            text = repr(i)
            return const + text[len("const"):] if text.startswith("const") else text

        inputs = _("inputs")
        lines = [f"{inputs}: {', '.join(f'v{i}' for i in self.inputs) or '-'}"]
        for step in self.live_steps():
            kind = step[0]
            if kind == "op":
                _k, op, ins, params, out = step
                extra = "" if not params else ", " + ", ".join(
                    f"{k}={v!r}" for k, v in params.items())
                lines.append(f"v{out} = {op.name}({', '.join(map(name, ins))}{extra})")
            elif kind == "read":
                lines.append(f"v{step[2]} = {read} {_var_name(step[1])}")
            elif kind == "write":
                lines.append(f"{step[2]} {_var_name(step[1])} <- {name(step[3])}")
            elif kind == "call":
                fn = step[1]
                outs = ", ".join(f"v{o}" for o in step[4])
                lines.append(f"{outs + ' = ' if outs else ''}{call} "
                             f"{getattr(fn, '__qualname__', fn)}"
                             f"({', '.join(map(name, step[3]))})")
            elif kind == "guard":
                lines.append(f"{guard} {step[2]}(v{step[1]}) == "
                             f"{np.asarray(step[3]).tolist()!r}")
        lines.append(f"{ret} {_structure_text(self.outputs)}")
        return "\n".join(lines)

    # -- running it ----------------------------------------------------------------------
    def run(self, arrays: list, variables: list):
        """Replay on ``arrays`` (the argument arrays, in order) and ``variables`` (the
        variables passed as arguments): the output structure, with arrays for tensors.
        Raises :class:`GuardFailed` (before any write) when a guard does not hold."""
        fast = self._fast
        if fast is None:
            fast = self._fast = _compile(self)
        return fast(arrays, variables)

    def run_recorded(self, tensors: list, variables: list, apply):
        """Replay op by op through the engine (``apply``), so that tapes and forward
        accumulators active now record every op, as if the function ran eagerly."""
        env: dict[int, object] = dict(zip(self.inputs, tensors, strict=True))
        pending = []
        for step in self.steps:
            kind = step[0]
            if kind == "op":
                _k, op, ins, params, out = step
                objs = tuple(None if isinstance(i, Const) else env[i] for i in ins)
                vals = tuple(i.value if isinstance(i, Const) else env[i]._value for i in ins)
                env[out] = apply(op, objs, vals, params)
            elif kind == "read":
                env[step[2]] = _resolve(step[1], variables)
            elif kind == "write":
                _k, var, method, ref = step
                value = ref.value if isinstance(ref, Const) else env[ref]
                pending.append((_resolve(var, variables), method, value))
            elif kind == "call":
                _k, fn, template, ins, outs = step
                # (through replayed(): a trace recording this replay records the call)
                result = _call(replayed(fn), template, [env[i] if not isinstance(i, Const)
                                                        else _wrap(i.value) for i in ins])
                for slot, t in zip(outs, _out_leaves(template[2], result), strict=True):
                    env[slot] = t
            elif kind == "guard":
                _k, slot, how, expected = step
                t = env[slot]
                if state.trace is not None:  # a trace recording this replay guards it too
                    state.trace.guard(t, how)
                if not _same(t._value, expected):
                    raise GuardFailed(step)
            if pending and kind != "write":
                _flush_writes(pending)
        _flush_writes(pending)
        return _build(self.outputs, lambda s: env[s], lambda c: _wrap(c.value))


def _flush_writes(pending: list) -> None:
    while pending:
        var, method, value = pending.pop(0)
        getattr(var, method)(value)


def _resolve(var_ref, variables):
    return variables[var_ref[1]] if isinstance(var_ref, tuple) else var_ref


def _var_name(var_ref) -> str:
    if isinstance(var_ref, tuple):
        return f"arg{var_ref[1]}"
    return getattr(var_ref, "name", "var")


def _same(a, b) -> bool:
    a = np.asarray(a)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _slots_in(structure):
    if isinstance(structure, int) and not isinstance(structure, bool):
        yield structure
    elif isinstance(structure, list | tuple):
        for s in structure:
            yield from _slots_in(s)
    elif isinstance(structure, dict):
        for s in structure.values():
            yield from _slots_in(s)


def _structure_text(structure) -> str:
    if isinstance(structure, int) and not isinstance(structure, bool):
        return f"v{structure}"
    if isinstance(structure, Const):
        return repr(structure)
    if isinstance(structure, list | tuple):
        inner = ", ".join(_structure_text(s) for s in structure)
        return f"[{inner}]" if isinstance(structure, list) else f"({inner})"
    if isinstance(structure, dict):
        return "{" + ", ".join(f"{k!r}: {_structure_text(v)}" for k, v in structure.items()) + "}"
    return repr(structure)


def _build(structure, slot, const):
    """An output structure with each slot and constant replaced by ``slot(s)`` /
    ``const(c)`` (in order: lists and tuples in order, dicts in insertion order) and each
    :class:`Raw` object by its value."""
    if isinstance(structure, int) and not isinstance(structure, bool):
        return slot(structure)
    if isinstance(structure, Const):
        return const(structure)
    if isinstance(structure, Raw):
        return structure.value
    if isinstance(structure, list | tuple):
        items = [_build(s, slot, const) for s in structure]
        return type(structure)(items) if type(structure) in (list, tuple) else \
            type(structure)(*items)
    if isinstance(structure, dict):
        return {k: _build(v, slot, const) for k, v in structure.items()}
    return structure


def _fill(template, args):
    if isinstance(template, _ArgSlot):
        return args[template.i]
    if isinstance(template, list | tuple):
        return type(template)(_fill(t, args) for t in template)
    if isinstance(template, dict):
        return {k: _fill(v, args) for k, v in template.items()}
    return template


def _call(fn, template, tensors):
    targs, tkwargs, _out = template
    return fn(*_fill(targs, tensors), **_fill(tkwargs, tensors))


def _out_leaves(template, result) -> list:
    if isinstance(template, _ArgSlot):
        return [result]
    if isinstance(template, list | tuple):
        return [leaf for t, r in zip(template, result, strict=True)
                for leaf in _out_leaves(t, r)]
    return []


# ----- compiling a program to straight-line Python ------------------------------------------


@functools.cache
def _inline_template(forward):
    """``("np.sin(_P0_)", ("x",), {})`` for a forward ``def f(x): return np.sin(x)``: its one
    ``return`` expression over its parameters (``_Pi_`` for parameter i), with the
    parameters' names and defaults; None when the forward is not that simple."""
    try:
        src = textwrap.dedent(inspect.getsource(forward))
        fn = ast.parse(src).body[0]
        signature = inspect.signature(forward)
    except (OSError, TypeError, SyntaxError, IndexError, ValueError):
        return None
    if not isinstance(fn, ast.FunctionDef) or fn.args.vararg or fn.args.kwarg or \
            fn.args.kwonlyargs or (fn.decorator_list and len(fn.decorator_list) > 1):
        return None
    body = [n for n in fn.body if not (isinstance(n, ast.Expr) and
                                       isinstance(n.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return None
    params = [a.arg for a in fn.args.args]
    expr = body[0].value
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and node.id not in params and node.id != "np":
            return None
        if isinstance(node, ast.Lambda | ast.NamedExpr | ast.comprehension | ast.Await):
            return None
    if forward.__globals__.get("np") is not np:
        return None

    class Sub(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in params:
                return ast.Name(id=f"_P{params.index(node.id)}_", ctx=ast.Load())
            return node

    expr = Sub().visit(expr)
    defaults = {k: v.default for k, v in signature.parameters.items()
                if v.default is not inspect.Parameter.empty}
    return ast.unparse(expr), tuple(params), defaults, _out_form(expr)


_BINOPS = {ast.Add: "np.add", ast.Sub: "np.subtract", ast.Mult: "np.multiply",
           ast.Div: "np.true_divide"}


def _out_form(expr):
    """The expression rewritten to write into a buffer (``out=_OUT_``), or None."""
    if isinstance(expr, ast.BinOp) and type(expr.op) in _BINOPS:
        return f"{_BINOPS[type(expr.op)]}({ast.unparse(expr.left)}, " \
               f"{ast.unparse(expr.right)}, out=_OUT_)"
    if isinstance(expr, ast.Call) and not any(k.arg == "out" for k in expr.keywords):
        f = expr.func
        target = None
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                f.value.id == "np":
            target = getattr(np, f.attr, None)
        elif isinstance(f, ast.Attribute) and f.attr == "reduce" and \
                isinstance(f.value, ast.Attribute) and isinstance(f.value.value, ast.Name) \
                and f.value.value.id == "np":
            target = getattr(getattr(np, f.value.attr, None), "reduce", None)
        if isinstance(target, np.ufunc) or (target is not None and f.attr == "reduce"):
            call = ast.unparse(expr)
            return call[:-1] + ", out=_OUT_)"
    return None


def _optimized(program: Program) -> list:
    """The live steps with constants folded (an op whose inputs are all constants is
    computed once) and repeated ops shared (the same op on the same inputs)."""
    alias: dict[int, object] = {}
    seen: dict = {}
    out = []
    for step in program.live_steps():
        kind = step[0]
        if kind == "op":
            _k, op, ins, params, slot = step
            ins = tuple(alias.get(i, i) if isinstance(i, int) else i for i in ins)
            if all(isinstance(i, Const) for i in ins) and ins:
                with np.errstate(all="ignore"):
                    value = op.forward(*[i.value for i in ins], **(params or {}))
                alias[slot] = Const(value)
                continue
            try:
                key = (op.name, tuple(i if isinstance(i, int) else ("c", id(i.value))
                                      for i in ins),
                       None if not params else tuple(sorted(params.items())))
                hash(key)
            except TypeError:
                key = None
            if key is not None and key in seen:
                alias[slot] = seen[key]
                continue
            if key is not None:
                seen[key] = slot
            out.append(("op", op, ins, params, slot))
        elif kind == "write":
            ref = step[3]
            out.append((*step[:3], alias.get(ref, ref) if isinstance(ref, int) else ref))
        elif kind == "call":
            ins = tuple(alias.get(i, i) if isinstance(i, int) else i for i in step[3])
            out.append((*step[:3], ins, step[4]))
        elif kind == "guard":
            ref = alias.get(step[1], step[1])
            if isinstance(ref, Const):
                if _same(ref.value, step[3]):
                    continue
                raise TracingError(_("internal error: a folded guard does not hold"))
            out.append(("guard", ref, *step[2:]))
        else:
            out.append(step)
    outputs = _substitute(program.outputs, alias)
    return out, outputs


def _substitute(structure, alias):
    if isinstance(structure, int) and not isinstance(structure, bool):
        return alias.get(structure, structure)
    if isinstance(structure, list | tuple) and type(structure) in (list, tuple):
        return type(structure)(_substitute(s, alias) for s in structure)
    if isinstance(structure, dict):
        return {k: _substitute(v, alias) for k, v in structure.items()}
    return structure


def _escaping(steps, outputs, values) -> set:
    """Slots whose arrays leave the program (returned, handed to a call) or may share
    memory with one that does (an op that returned a view or its input): these never
    get a reused buffer."""
    esc = set(_slots_in(outputs))
    for st in steps:
        if st[0] == "call":
            esc.update(i for i in st[3] if isinstance(i, int))
    for st in reversed(steps):
        if st[0] == "op" and st[4] in esc:
            v = values.get(st[4])
            ins = [i for i in st[2] if isinstance(i, int)]
            if not isinstance(v, _ndarray) or v.base is not None or any(
                    values.get(i) is v for i in ins):
                esc.update(ins)
    return esc


_ids = itertools.count()


def _compile(program: Program):
    """``run(I, V)`` for ``program``: straight-line Python, one line per step that
    matters, simple forwards inlined, outputs written into buffers allocated once (when
    no other thread runs the program at the same moment)."""
    steps, outputs = _optimized(program)
    plain = _source(program, steps, outputs, buffers=False)
    buffered = _source(program, steps, outputs, buffers=True)
    if not buffered.uses_buffers:
        return plain
    lock = threading.Lock()

    def run(arrays, variables):
        if lock.acquire(False):
            try:
                return buffered(arrays, variables)
            finally:
                lock.release()
        return plain(arrays, variables)

    run.source = buffered.source
    run.guard_after_write = plain.guard_after_write
    run.guard_after_call = plain.guard_after_call
    return run


def _source(program: Program, steps: list, outputs, buffers: bool):
    """The replay function of ``program`` (its optimized ``steps`` and ``outputs``)."""
    em = _Emitter(program, steps, outputs, buffers)
    release = _releases(steps, outputs)
    for n_step, step in enumerate(steps):
        if n_step - 1 in release:
            em.lines.append("    del " + ", ".join(f"v{s}" for s in release[n_step - 1]))
        getattr(em, step[0])(*step[1:])
    return em.finish()


def _releases(steps, outputs) -> dict:
    """``{step index: [slots]}``: a variable's array read by the program is let go after
    its last use, so that a later write can update the variable in place."""
    read_slots = {st[2] for st in steps if st[0] == "read"}
    last_use: dict[int, int] = {}
    for n, st in enumerate(steps):
        for s in _step_inputs(st):
            if s in read_slots:
                last_use[s] = n
    out_slots = set(_slots_in(outputs))
    release: dict[int, list] = {}
    for s, n in last_use.items():
        if s not in out_slots:
            release.setdefault(n, []).append(s)
    return release


_WRITE_METHODS = ("assign", "assign_add", "assign_sub")


class _Emitter:
    """Writes the replay function's source, one method per kind of step. The source holds
    only names made here (``v3``, ``c0``, ...) and adkernel's own op expressions; every
    value (constants, variables, functions) is passed in ``env``, never as text."""

    def __init__(self, program, steps, outputs, buffers):
        self.program = program
        self.values = program.values
        self.outputs = outputs
        # __name__: the program is adkernel's own code, so numpy's overflow warnings in it
        # are filtered as in the ops it replays (_quiet.py)
        self.env: dict = {"__name__": __name__ + ".program",
                          "np": np, "GuardFailed": GuardFailed, "_same": _same,
                          "_call": _call, "_out_leaves": _out_leaves, "_wrap": _wrap,
                          "_write": _write, "_nd": _ndarray, "_refs": sys.getrefcount}
        self.lines = ["def _replay(I, V):"]
        self.lines += [f"    v{slot} = I[{k}]" for k, slot in enumerate(program.inputs)]
        self.consts: dict[int, str] = {}
        # float64 scalars held as Python floats (+, - and * on them give the same bits as
        # on numpy float64 scalars, several times faster)
        self.pyf: set = set()
        self.esc = _escaping(steps, outputs, self.values) if buffers else set()
        self.buffers = buffers
        self.uses_buffers = self.guard_after_write = self.guard_after_call = False
        self.n_writes = self.n_calls = 0

    def const(self, c: Const) -> str:
        key = id(c.value)
        if key not in self.consts:
            self.consts[key] = f"c{len(self.consts)}"
            self.env[self.consts[key]] = c.value
        return self.consts[key]

    def name(self, i) -> str:
        """A slot or constant as a numpy value."""
        if isinstance(i, Const):
            return self.const(i)
        return f"np.float64(v{i})" if i in self.pyf else f"v{i}"

    def loose(self, i) -> str:
        """A slot or constant where a float64 scalar may be a Python float (ufuncs)."""
        if isinstance(i, Const):
            v = i.value
            return self.const(Const(float(v)) if type(v) is np.float64 else i)
        return f"v{i}"

    def op(self, op, ins, params, out):
        scalar = _float_arithmetic(op, ins, params, out, self.values, self.pyf, self.loose)
        if scalar is not None:
            self.pyf.add(out)
            self.lines.append(f"    v{out} = {scalar}")
            return
        all64 = all(isinstance(i, Const) or getattr(self.values.get(i), "dtype", None)
                    == np.float64 for i in ins)
        text = _inlined(op, ins, params, self.loose if all64 else self.name, self.const)
        if text is not None and all64 and text[1] is None and any(
                i in self.pyf for i in ins if not isinstance(i, Const)):
            text = _inlined(op, ins, params, self.name, self.const)  # (numpy values)
        if text is None:
            self.env[f"f{out}"] = op.forward
            args = ", ".join(map(self.name, ins))
            if params:
                self.env[f"p{out}"] = params
                args += f", **p{out}"
            self.lines.append(f"    v{out} = f{out}({args})")
            return
        expr, outform = text
        value = self.values.get(out)
        if self.buffers and outform is not None and out not in self.esc and \
                type(value) is _ndarray and value.ndim >= 1 and value.size:
            self.env[f"b{out}"] = np.empty_like(value)
            expr = outform.replace("_OUT_", f"b{out}")
            self.uses_buffers = True
        self.lines.append(f"    v{out} = {expr}")

    def read(self, var, out):
        if isinstance(var, tuple):
            self.lines.append(f"    v{out} = V[{int(var[1])}]._value")
        else:
            self.env[f"var{out}"] = var
            self.lines.append(f"    v{out} = var{out}._value")

    def write(self, var, method, ref):
        if method not in _WRITE_METHODS:
            raise TracingError(_("internal error: unknown write {method}").format(
                method=method))
        vname = f"w{self.n_writes}"
        self.n_writes += 1
        if isinstance(var, tuple):
            self.lines.append(f"    {vname} = V[{int(var[1])}]")
        else:
            self.env[vname] = var
        value = self.name(ref)
        if method == "assign":
            self.lines.append(f"    _write({vname}, {method!r}, {value})")
            return
        # _write's in-place case written out (the same test, without a call per write)
        ufunc = "np.subtract" if method == "assign_sub" else "np.add"
        self.lines += [
            f"    _c, _d = {vname}._value, {value}",
            "    if type(_c) is _nd and type(_d) is _nd and _d.shape == _c.shape and "
            f"_c.base is None and _refs(_c) <= {_UNSHARED}: {ufunc}(_c, _d, out=_c)",
            f"    else: _write({vname}, {method!r}, _d)",
            "    del _c, _d"]

    def call(self, fn, template, ins, outs):
        cid = next(_ids)
        self.env[f"k{cid}"] = fn
        self.env[f"t{cid}"] = template
        args = ", ".join(f"_wrap({self.name(i)})" for i in ins)
        self.lines.append(f"    r{cid} = _call(k{cid}, t{cid}, [{args}])")
        if outs:
            self.lines.append(f"    {', '.join(f'v{o}' for o in outs)}, = "
                              f"[t._value for t in _out_leaves(t{cid}[2], r{cid})]")
        self.n_calls += 1

    def guard(self, slot, how, expected):
        ename = f"e{slot}_{next(_ids)}"
        self.env[ename] = expected
        self.env[f"s{ename}"] = ("guard", slot, how, expected)
        self.guard_after_write |= bool(self.n_writes)
        self.guard_after_call |= bool(self.n_calls)
        self.lines.append(f"    if not _same(v{slot}, {ename}): raise GuardFailed(s{ename})")

    def finish(self):
        outs = [self.name(leaf) for leaf in _leaves(self.outputs)]
        self.lines.append(f"    return ({', '.join(outs)}{',' if len(outs) == 1 else ''})")
        src = "\n".join(self.lines) + "\n"
        # our own generated source (see the class docstring): no learner text reaches it
        code = compile(src, f"<adkernel traced program {next(_ids)}>", "exec")
        exec(code, self.env)
        fn = self.env["_replay"]
        fn.source = src
        fn.guard_after_write = self.guard_after_write
        fn.guard_after_call = self.guard_after_call
        fn.uses_buffers = self.uses_buffers
        return fn


def _float_arithmetic(op, ins, params, out, values, pyf, loose):
    """``"v1 * c0"`` for a float64 scalar ``+``, ``-`` or ``*`` (Python floats give the
    same bits), else None."""
    if params or len(ins) != 2 or type(values.get(out)) is not np.float64:
        return None
    tmpl = _inline_template(op.forward)
    if tmpl is None or tmpl[3] is None or tmpl[0] not in (
            "_P0_ + _P1_", "_P0_ - _P1_", "_P0_ * _P1_"):
        return None
    parts = []
    for i in ins:
        if isinstance(i, Const):
            if type(i.value) not in (float, np.float64):
                return None
            parts.append(loose(i))
        elif i in pyf:
            parts.append(f"v{i}")
        elif type(values.get(i)) is np.float64:
            parts.append(f"float(v{i})")
        else:
            return None
    return tmpl[0].replace("_P0_", parts[0]).replace("_P1_", parts[1])


def _inlined(op, ins, params, name, const):
    """``(expression, expression writing into _OUT_ or None)`` for an op step whose
    forward is simple enough to inline, else None."""
    tmpl = _inline_template(op.forward)
    if tmpl is None:
        return None
    text, pnames, defaults, outform = tmpl
    if params and any(k not in pnames for k in params):
        return None
    subs = {}
    for idx, pn in enumerate(pnames):
        if idx < len(ins):
            subs[f"_P{idx}_"] = name(ins[idx])
        elif params and pn in params:
            subs[f"_P{idx}_"] = const(Const(params[pn]))
        elif pn in defaults:
            subs[f"_P{idx}_"] = const(Const(defaults[pn]))
        else:
            return None
    if len(ins) > len(pnames):
        return None
    for k in sorted(subs, key=len, reverse=True):
        text = text.replace(k, subs[k])
        if outform is not None:
            outform = outform.replace(k, subs[k])
    return text, outform


def _step_inputs(step) -> list:
    kind = step[0]
    if kind == "op":
        return [i for i in step[2] if isinstance(i, int)]
    if kind == "write":
        return [step[3]] if isinstance(step[3], int) else []
    if kind == "call":
        return [i for i in step[3] if isinstance(i, int)]
    if kind == "guard":
        return [step[1]]
    return []


def _write(var, method: str, value) -> None:
    """A traced assignment, replayed: in place when nobody else holds the old array.
    (``_Emitter.write`` writes this in-place test into the replay itself; keep the two alike.)"""
    cur = var._value
    if type(cur) is _ndarray and type(value) is _ndarray and value.shape == cur.shape and \
            cur.base is None and sys.getrefcount(cur) <= _UNSHARED:
        if method == "assign_sub":
            np.subtract(cur, value, out=cur)
        elif method == "assign_add":
            np.add(cur, value, out=cur)
        else:
            cur[...] = value
    elif method == "assign":
        var._value = np.array(value, dtype=cur.dtype, copy=True)
    else:
        new = cur - value if method == "assign_sub" else cur + value
        var._value = np.asarray(new).astype(cur.dtype, copy=False)


def _leaves(structure) -> list:
    """The slots and constants of an output structure, in the order its tensors are
    rebuilt (lists and tuples in order, dicts in insertion order)."""
    if isinstance(structure, Const) or (isinstance(structure, int) and
                                        not isinstance(structure, bool)):
        return [structure]
    if isinstance(structure, list | tuple):
        return [leaf for s in structure for leaf in _leaves(s)]
    if isinstance(structure, dict):
        return [leaf for s in structure.values() for leaf in _leaves(s)]
    return []


def _calibrate() -> int:
    """The reference count :func:`_write` sees for an array only its variable holds."""

    class _Holder:
        __slots__ = ("_value",)

    h = _Holder()
    h._value = np.empty(1)

    def probe(var):
        cur = var._value
        return sys.getrefcount(cur)

    return probe(h)


_UNSHARED = _calibrate()
