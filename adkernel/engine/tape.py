"""``GradientTape``: record ops, then run them backwards to get gradients.

A tape is a list of records in execution order (already a topological order), each in the
field order of :class:`Record` (kept as plain tuples, which are cheaper to make per op; the
walks unpack them by name and ``tape.view().records`` gives ``Record`` objects): the op,
the serial numbers of its output and inputs, which inputs this tape tracks (only those can
ever receive a gradient: TensorFlow's rule), the input values the VJP reads, the op's
parameters and its output value. :func:`backward` walks the records in reverse,
calling each op's VJP and adding up the gradients that meet at a value used more than once
(fan-out); :func:`reference_backward` is the same walk in a dozen lines, to read first.

The walk's options: ``keep`` (the serials whose gradients are wanted) makes it a one-shot
walk that lets go of each record and each other gradient once used (a non-persistent tape's
one call); ``on_step(index, upstream, changes)`` hears what each step added (the stepper);
``dropped`` collects ``(op name, input serial)`` where a VJP gave no gradient (``explain``);
``check`` raises where a step turns finite gradients into NaN or inf; ``higher`` records it.

Adding up in place: a gradient a VJP returns may be an array someone else holds (``add``
hands its upstream gradient on unchanged), so the walk never writes into it. The first
time two contributions meet, the walk allocates their sum; that array is *owned* (an
explicit flag, as in HIPS autograd), and later contributions are added into it in place.

When another tape is recording during the walk (nested tapes, or a persistent tape used
inside its own block), the VJPs run on tensors instead of raw arrays, so the backward pass
is itself recorded: that is how second and higher derivatives work.

Other modules read a tape only through :meth:`GradientTape.view` (a read-only
:class:`TapeView`); the one writer is :func:`record`, called by every op.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import operator
import sys
import warnings
from typing import NamedTuple

import numpy as np

from . import explain as _explain
from ._state import forward_any, serials, state, trace_any
from .errors import (
    InvalidArgumentError,
    NoneGradientWarning,
    NonFiniteGradientError,
    NotDifferentiableError,
    NotPersistentError,
    ShapeError,
)
from .i18n import _, lazy
from .tensor import EagerTensor, TensorLike, Variable, _wrap, convert_to_tensor

__all__ = [
    "GradientTape",
    "Meta",
    "Record",
    "TapeState",
    "TapeView",
    "UnconnectedGradients",
    "backward",
    "explain_none",
    "hooks",
    "record",
    "reference_backward",
    "tracked",
]

_ndarray = np.ndarray
_new = object.__new__
_tuple_new = tuple.__new__


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


_NONE, _ZERO = UnconnectedGradients.NONE, UnconnectedGradients.ZERO


class TapeState(enum.Enum):
    """Where a tape is in its life. One value replaces a handful of flags."""

    NEW = "not entered"  # never entered: nothing recorded
    RECORDING = "recording"  # inside ``with``, recording
    PAUSED = "paused"  # inside ``with``, but stop_recording() (or a cell tape that yielded)
    STOPPED = "stopped"  # the block has ended; the records are there
    USED = "used"  # a non-persistent tape after its one gradient: the arrays are gone


# The states the per-call paths test, as plain names (an Enum attribute is a slower lookup).
_NEW, _RECORDING, _PAUSED = TapeState.NEW, TapeState.RECORDING, TapeState.PAUSED
_STOPPED, _USED = TapeState.STOPPED, TapeState.USED

_EXPLAIN = {"on": True}
_NOTHING: frozenset = frozenset()

# A tape's state as its text form shows it (the values of TapeState, translated).
_STATE_SHOWN = {TapeState.NEW: lazy("not entered"), TapeState.RECORDING: lazy("recording"),
                TapeState.PAUSED: lazy("paused"), TapeState.STOPPED: lazy("stopped"),
                TapeState.USED: lazy("used")}

# What a call computes, as shown in messages (the method names stay as they are).
_WHAT = {"gradient": lazy("gradient"), "jacobian": lazy("jacobian"),
         "batch_jacobian": lazy("batch jacobian")}

class Hooks:
    """Callables the engine runs for tools that watch a learner's code from outside.

    ``on_enter``: ``hook(tape)`` when any tape starts recording (the ``%%tape`` cell's
    tape stops for good then: a training loop's ops belong to the loop's own tapes).
    ``on_gradient``: ``hook(target, tape)`` at every ``gradient`` call (the cell's
    ``--plot``, the exercise checker). Both empty by default; one process-wide instance,
    :data:`hooks`.
    """

    __slots__ = ("on_enter", "on_gradient")

    def __init__(self) -> None:
        self.on_enter: list = []
        self.on_gradient: list = []

    def add(self, on_enter=None, on_gradient=None):
        """Install the given hooks; returns a function that removes exactly those."""
        added = [(lst, h) for lst, h in ((self.on_enter, on_enter),
                                          (self.on_gradient, on_gradient)) if h is not None]
        for lst, h in added:
            lst.append(h)

        def remove() -> None:
            for lst, h in added:
                with contextlib.suppress(ValueError):
                    lst.remove(h)

        return remove


hooks = Hooks()


def explain_none(enabled: bool = True) -> None:
    """Switch the :class:`NoneGradientWarning` sent when a gradient is ``None`` on or off."""
    if not isinstance(enabled, (bool, np.bool_)):
        raise TypeError(_("explain_none(enabled) takes True or False, not {value!r}").format(
            value=enabled))
    _EXPLAIN["on"] = bool(enabled)


# ----- what a tape saves -----------------------------------------------------------------


class Meta:
    """Stand-in for a saved value the VJP does not read: only its shape and dtype."""

    __slots__ = ("dtype", "ndim", "shape")

    def __init__(self, value):
        self.shape = value.shape
        self.dtype = value.dtype
        self.ndim = value.ndim

    def __repr__(self) -> str:
        return f"<not saved: shape={self.shape} dtype={self.dtype}>"


_BIG = 1024  # values smaller than this are kept: replacing them costs more than it saves


def _slim(drop, vals: tuple) -> tuple:
    """``vals`` with the large arrays the VJP does not read replaced by :class:`Meta`."""
    for v in vals:
        if type(v) is _ndarray and v.size > _BIG:
            break
    else:
        return vals
    return tuple(
        Meta(v) if i in drop and type(v) is _ndarray and v.size > _BIG else v
        for i, v in enumerate(vals)
    )


class Record(NamedTuple):
    """One op as a tape saw it (what :meth:`TapeView.records` returns)."""

    op: object  # the OpDef
    out: int  # serial number of the output tensor
    inputs: tuple  # serial numbers of the inputs (0: a plain number or array)
    need: tuple  # per input: does this tape track it (can it receive a gradient)?
    values: tuple  # the input values (a Meta where the VJP does not need a large one)
    params: dict | None
    out_value: object


# ``_link(entry)``: ``(op, out, inputs, need)`` of a record (or of a link already), what
# connects the graph without the values; picked by field name, in C (one per record).
_link = operator.itemgetter(*(Record._fields.index(f) for f in ("op", "out", "inputs", "need")))


def record(tapes: list, op, args: tuple, iids: tuple, vals: tuple, params, value,
           serial: int, floats=None) -> None:
    """Append an executed op to every tape in ``tapes`` (the recording ones) that tracks
    one of its inputs.

    ``args`` holds the input objects (``None`` for plain numbers and arrays), ``iids``
    their serial numbers (0 for non-tensors) and ``vals`` their numpy values at this
    moment: a later ``assign`` never changes what a tape saw; ``value`` and ``serial`` are
    the output's. Tapes key everything by serial number, never by ``id()``, so they need
    not keep tensors alive. ``floats``: True when the caller knows every input is a float
    or complex value (it saves a dtype lookup per input, costly on a numpy scalar).
    """
    entry = None
    for tape in tapes:
        ids = tape._ids
        # An input is tracked when the tape knows its serial, or it is a trainable variable
        # the tape watches now, as it is first read. An integer input is tracked (so
        # explain can follow the path) but never needs a gradient: as in TensorFlow,
        # gradients flow only through float and complex values.
        if len(iids) == 2:
            i, j = iids
            a = i in ids or (i > 0 and tape._auto and _watches(tape, args[0]))
            b = j in ids or (j > 0 and tape._auto and _watches(tape, args[1]))
            if not (a or b):
                continue
            need = (a, b) if floats else (a and vals[0].dtype.kind in "fc",
                                          b and vals[1].dtype.kind in "fc")
        elif len(iids) == 1:
            i = iids[0]
            if not (i in ids or (i > 0 and tape._auto and _watches(tape, args[0]))):
                continue
            need = _ONLY if floats or vals[0].dtype.kind in "fc" else _NOT_ONE
        else:
            tracked_in = [k in ids or (k > 0 and tape._auto and _watches(tape, a))
                          for k, a in zip(iids, args, strict=True)]
            if True not in tracked_in:
                continue
            need = tuple([t and v.dtype.kind in "fc"
                          for t, v in zip(tracked_in, vals, strict=True)])
        if tape._dead:  # an input computed from integers alone carries no gradient either
            need = tuple([n and k not in tape._dead for n, k in zip(need, iids, strict=True)])
        if True not in need:
            # TensorFlow records no op without a watched float input (nor, so, anything
            # computed from it); the record stays for explain, its output marked dead
            if tape._dead is _NOTHING:
                tape._dead = set()
            tape._dead.add(serial)
        if entry is None or entry[3] != need:  # tapes tracking other inputs: own record
            entry = (  # a Record's fields; a plain tuple is cheaper to make per op
                op,
                serial,
                iids,
                need,
                _slim(op.drop, vals) if op.drop else vals,
                params,
                value if type(value) is not _ndarray or value.size <= _BIG or op.keep_out
                else Meta(value),
            )
        tape._entries.append(entry)
        ids.add(serial)


def _watches(tape, obj) -> bool:
    """Watch ``obj`` if it is a trainable variable (a tape with ``watch_accessed_variables``
    watches each one as an op first reads it); True when it does."""
    if obj._is_variable and obj.trainable:
        tape._ids.add(obj._serial)
        tape._watched.append(obj)
        return True
    return False


_ONLY = (True,)
_NOT_ONE = (False,)


def tracked(obj) -> bool:
    """True when a recording tape tracks ``obj`` (or would watch it when an op reads it)."""
    k = obj._serial
    for tape in state.recording:
        if k in tape._ids or (tape._auto and obj._is_variable and obj.trainable):
            return True
    return False


def note_assignment(variable, value=None) -> None:
    """Tell the recording tapes that ``variable`` was assigned, from ``value`` when that is
    a tensor or variable (for ``explain``: an assignment is not differentiable)."""
    for tape in state.recording:
        if tape._assigned is _NOTHING:
            tape._assigned = set()
        tape._assigned.add(variable._serial)
        if isinstance(value, TensorLike):
            if tape._assigned_from is _NOTHING:
                tape._assigned_from = set()
            tape._assigned_from.add(value._serial)


# ----- the backward pass -----------------------------------------------------------------


# (gradient shape, input shape) -> (the axes broadcasting added, whether summing over them
# alone gives the input's shape)
_AXES: dict = {}


def _reduction(gshape: tuple, shape: tuple, op) -> tuple:
    """The axes to sum a gradient of shape ``gshape`` over for an input of ``shape``, and
    whether the sum then has that shape (else a reshape follows, e.g. (3,) -> (3, 1))."""
    lead = len(gshape) - len(shape)
    if lead < 0:
        raise ShapeError(_("gradient of op {op!r} has shape {gshape}, input has {shape}"
                           ).format(op=op.name, gshape=gshape, shape=shape))
    # axes of length 1 are not summed but reshaped away, as TensorFlow's reduce_sum does
    # (summing starts from +0.0 and would turn a -0.0 gradient into +0.0)
    axes = tuple(i for i in range(lead) if gshape[i] != 1) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and gshape[lead + i] != 1)
    if len(_AXES) > 4096:
        _AXES.clear()
    fits = tuple(d for i, d in enumerate(gshape) if i not in axes) == shape
    # one axis as an int: numpy reduces over an int axis faster than over a 1-tuple
    return (axes[0] if len(axes) == 1 else axes or None), fits


def _unbroadcast(g, shape, op):
    """Sum ``g`` over the axes broadcasting added, so it has the input's ``shape``."""
    gshape = tuple(g.shape)
    plan = _AXES.get((gshape, shape))
    if plan is None:
        plan = _AXES[gshape, shape] = _reduction(gshape, shape, op)
    axes, fits = plan
    if axes is not None:
        g = np.add.reduce(g, axis=axes) if type(g) is _ndarray else np.sum(g, axis=axes)
    if not fits:
        try:
            g = np.reshape(g, shape)
        except ValueError:
            raise ShapeError(
                _("the gradient rule of op {op!r} returned shape {gshape} for an input "
                  "of shape {shape}").format(op=op.name, gshape=gshape, shape=shape)
            ) from None
    return g


def _alias(value, serial: int):
    """A tensor for a value the tape saved, carrying the serial of the original tensor.

    Outer tapes know tensors (and variables) by serial number, so an alias connects
    the recorded backward pass to what they recorded: that is what makes higher
    derivatives work without keeping the original objects alive.
    """
    t = _new(EagerTensor)
    t._value = value
    t._serial = serial
    return t


def _numerics_error(op, idx, gi, value):
    bad = "NaN" if np.any(np.isnan(gi)) else "inf"
    why = str(op.nan) if op.nan else _(
        "the derivative of {op} is not finite at its input").format(op=op.name)
    return NonFiniteGradientError(
        _("The backward pass of op {op!r} (entry #{idx} on the tape) turned a finite "
          "upstream gradient into {bad} for an input of shape {shape}: {why}. "
          "If the op sits in the unselected branch of tf.where, the chain rule still multiplies "
          "0 x inf = NaN there. Fix it with the 'double where' trick: feed the op a safe input, "
          "e.g. safe = tf.where(x > 0, x, 1.0); y = tf.where(x > 0, tf.math.{op}(safe), 0.0)."
          ).format(op=op.name, idx=idx, bad=bad, shape=tuple(np.shape(value)), why=why)
    )


def _conform(gi, v, g, op, idx, higher: bool, check: bool):
    """A VJP's contribution ``gi`` made to fit input value ``v``: a tensor when higher,
    summed over the axes broadcasting added, its dtype checked; and checked for NaN or
    inf (where the upstream ``g`` was finite) when ``check`` asks."""
    if higher:
        if not isinstance(gi, TensorLike):
            gi = _wrap(np.asarray(gi, dtype=v.dtype))
        if gi._value.shape != v.shape:
            gi = _unbroadcast(gi, v.shape, op)
    else:
        if gi.shape != v.shape:
            gi = _unbroadcast(gi, v.shape, op)
        if gi.dtype is not v.dtype and gi.dtype != v.dtype:
            raise TypeError(
                _("internal error: the gradient rule of {op!r} returned {got} for a "
                  "{want} input").format(op=op.name, got=gi.dtype, want=v.dtype)
            )
    if check and not _finite(gi) and _finite(g):
        raise _numerics_error(op, idx, gi._value if higher else gi, v)
    return gi


def _finite(a) -> bool:
    return bool(np.all(np.isfinite(a._value if isinstance(a, TensorLike) else a)))


def _seeded(targets, seeds) -> dict:
    """``{serial: seed}`` for the targets that have one (seeds of a repeated target add)."""
    if len(targets) == 1:  # the common case, without the loop
        return {} if seeds[0] is None else {targets[0]._serial: seeds[0]}
    grads: dict = {}
    for t, s in zip(targets, seeds, strict=True):
        if s is not None:
            k = t._serial
            grads[k] = s if k not in grads else grads[k] + s
    return grads


def _vjp(r: Record, g, higher: bool):
    """Run the VJP of record ``r`` on upstream gradient ``g``: one gradient per input.

    ``higher``: the inputs and output become tensors (aliases) an outer tape can track.
    """
    op, serial, inputs, need, values, params, out_value = r  # a Record, field by field
    if higher:
        ins = [v if not k or isinstance(v, Meta) else _alias(v, k)
               for k, v in zip(inputs, values, strict=True)]
        out = out_value if isinstance(out_value, Meta) else _alias(out_value, serial)
        return op.vjp(g, out, need, *ins, **(params or {}))
    if params is None:
        return op.vjp(g, out_value, need, *values)
    return op.vjp(g, out_value, need, *values, **params)


try:  # numpy's own switch for floating-point warnings (what np.errstate sets), when it has one
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _IGNORE_ALL = _make_extobj(all="ignore")
except (ImportError, AttributeError, TypeError):  # another numpy: np.errstate itself
    _extobj_contextvar = None


def _quiet_on():
    """Turn numpy's floating-point warnings off in this thread; returns what _quiet_off takes.

    ``np.errstate(all="ignore")`` does the same, but it builds its state object anew at every
    use, about 1 µs per gradient call; setting numpy's context variable directly does not.
    """
    if _extobj_contextvar is not None:
        return _extobj_contextvar.set(_IGNORE_ALL)
    state = np.errstate(all="ignore")
    state.__enter__()
    return state


def _quiet_off(token) -> None:
    if _extobj_contextvar is not None:
        _extobj_contextvar.reset(token)
    else:
        token.__exit__(None, None, None)


def backward(records, targets, seeds, *, keep=None, higher=False, check=False, on_step=None,
             dropped=None):
    """The fast reverse-mode walk: ``{serial: gradient}`` (its options: module docstring).
    numpy's floating-point warnings are off while it runs: TensorFlow's kernels give inf and
    NaN without a word, and ``check`` is how a learner asks to hear of them."""
    token = _quiet_on()
    try:
        return _walk(records, targets, seeds, keep, higher, check, on_step, dropped)
    finally:
        _quiet_off(token)


def _walk(records, targets, seeds, keep, higher, check, on_step, dropped) -> dict:
    """:func:`backward`'s walk, with the warnings already off."""
    grads = _seeded(targets, seeds)
    owned = set() if _IN_PLACE else _Never()  # the totals this walk allocated
    plain = not (higher or check)  # plain arrays in, plain arrays out, nothing checked
    for idx in range(len(records) - 1, -1, -1):
        # a Record (one shot: let go of each record, and of each gradient nobody asked for)
        op, out, inputs, need, vals, params, out_value = r = records[idx] if keep is None \
            else records.pop()
        g = grads.get(out) if keep is None or out in keep else grads.pop(out, None)
        if g is None or op.vjp is None or True not in need:
            continue
        res = op.vjp(g, out_value, need, *vals) if plain and params is None else _vjp(
            r, g, higher)
        changes = [] if on_step else None
        for pos, gi in enumerate(res):
            if gi is None or not need[pos]:
                if gi is None and need[pos] and dropped is not None:
                    dropped.append((op.name, inputs[pos]))
                continue
            k, v = inputs[pos], vals[pos]
            if not plain or (type(gi) is not type(v) if type(gi) is not _ndarray else
                             gi.shape != v.shape or gi.dtype is not v.dtype):
                gi = _conform(gi, v, g, op, idx, higher, check)
            if changes is not None:
                changes.append((pos, k, gi))
            prev = grads.get(k)
            if prev is None:
                grads[k] = gi  # maybe the upstream array itself: never written into
            elif k in owned:
                np.add(prev, gi, out=prev)
            else:
                grads[k] = total = prev + gi
                if type(total) is _ndarray:
                    owned.add(k)
        if on_step is not None:
            on_step(idx, g, changes)
    return grads


_IN_PLACE = True  # False: never add into a gradient in place (the benchmarks' ablation)


class _Never(set):
    """An ownership set that never owns anything (for ``_IN_PLACE = False``)."""

    def add(self, _item) -> None:
        pass


def reference_backward(records, target, seed) -> dict:
    """The backward walk written to be read; the fast :func:`backward` must agree with it.

    Go through the records from last to first. Each op turns the gradient of its output
    into one contribution per input (its VJP: upstream gradient times local derivative).
    Contributions that meet at a value used more than once are added (the chain rule).
    """
    grads = {target._serial: seed}
    for r in reversed(records):
        g = grads.get(r.out)
        if g is None or r.op.vjp is None:
            continue  # the target does not depend on this op (or it has no gradient)
        vjps = r.op.vjp(g, r.out_value, r.need, *r.values, **(r.params or {}))
        for serial, needed, value, gi in zip(r.inputs, r.need, r.values, vjps, strict=True):
            if needed and gi is not None:
                gi = _unbroadcast(gi, value.shape, r.op)  # sum over broadcast axes
                grads[serial] = grads[serial] + gi if serial in grads else gi
    return grads


# ----- structures ------------------------------------------------------------------------


def _flatten(structure, out: list) -> object:
    """Flatten nested lists/tuples/dicts into ``out``; return a template to rebuild them."""
    if isinstance(structure, dict):
        return {k: _flatten(structure[k], out) for k in structure}
    if isinstance(structure, list):
        return [_flatten(s, out) for s in structure]
    if isinstance(structure, tuple) and not hasattr(structure, "_fields"):
        return tuple(_flatten(s, out) for s in structure)
    out.append(structure)
    return len(out) - 1


def _rebuild(template, flat: list):
    if isinstance(template, dict):
        return {k: _rebuild(v, flat) for k, v in template.items()}
    if isinstance(template, list):
        return [_rebuild(v, flat) for v in template]
    if isinstance(template, tuple):
        return tuple(_rebuild(v, flat) for v in template)
    return flat[template]


def _describe(obj) -> str:
    if isinstance(obj, np.ndarray):
        return _("a numpy array of shape {shape}").format(shape=obj.shape)
    return _("{value!r} of type {type!r}").format(value=obj, type=type(obj).__name__)


def _flat_targets(target) -> list:
    if isinstance(target, TensorLike):
        return [target]
    if target is None:
        raise TypeError(_(
            "Argument `target` should be a list or nested structure of Tensors, Variables or "
            "CompositeTensors to be differentiated, but received None."
        ))
    flat: list = []
    _flatten(target, flat)
    for i, t in enumerate(flat):
        if not isinstance(t, TensorLike):
            where = "`target`" if len(flat) == 1 else f"`target` (item {i})"
            raise TypeError(
                _("{where} must be a tensor computed while the tape recorded, but got "
                  "{value}. Compute it with tf ops inside the `with tf.GradientTape()` "
                  "block (plain Python or numpy math is not recorded).").format(
                    where=where, value=_describe(t))
            )
    return flat


_FLAT_LIST = "flat list"


def _flat_sources(sources) -> tuple[object, list]:
    """(template, flat sources); a flat list of tensors skips the general walk."""
    if isinstance(sources, TensorLike):
        return 0, [sources]
    if type(sources) is list:
        for s in sources:
            if not isinstance(s, TensorLike):
                break
        else:
            return _FLAT_LIST, list(sources)
    if sources is None:
        raise TypeError(_(
            "Argument `sources` is None; pass the variable(s) to differentiate by."))
    flat: list = []
    template = _flatten(sources, flat)
    for i, s in enumerate(flat):
        if not isinstance(s, TensorLike):
            where = "`sources`" if template == 0 else f"`sources[{i}]`"
            raise TypeError(
                _("{where} is {value}; pass a tf.Variable or a tensor the tape watched "
                  "(tape.watch(x)).").format(where=where, value=_describe(s))
            )
    return template, flat


def _unconnected_mode(value) -> UnconnectedGradients:
    if value is _NONE or value is _ZERO or isinstance(value, UnconnectedGradients):
        return value
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(
            _("Unknown value for unconnected_gradients: {value!r}. "
              "Use 'none' (the default) or 'zero'.").format(value=value)
        ) from None


def _reject_complex(tensors) -> None:
    for t in tensors:
        if t._value.dtype.kind == "c":
            raise NotImplementedError(_(
                "adkernel does not differentiate complex tensors (TensorFlow's conjugate "
                "convention is not implemented). Split the value into real and imaginary "
                "float parts and differentiate with respect to those."
            ))


_NO_GRADIENT_ENTRY = {"is_nan": "IsNan", "is_finite": "IsFinite"}

# C-level helpers for the per-call set-up of ``gradient`` (no Python frame per item)
_serial_of = operator.attrgetter("_serial")
_is_none = functools.partial(operator.is_, None)
_is_variable = Variable.__instancecheck__


def _ones_like(v):
    return np.ones(v.shape, dtype=v.dtype) if v.ndim else v.dtype.type(1)


def _caller_name(obj, frame) -> str | None:
    """The caller's own name for ``obj`` (a local or global that *is* it), if any."""
    for scope in (frame.f_locals, frame.f_globals):
        for name, value in scope.items():
            if value is obj and not name.startswith("_"):
                return name
    return None


# ----- the read-only view ----------------------------------------------------------------


class TapeView:
    """What a tape recorded, for :mod:`explain`, :mod:`inspect`, the widgets and the magic.

    ``records`` are :class:`Record` tuples in execution order (empty once a
    non-persistent tape has given its gradient); ``links`` are ``(op, out, inputs,
    need)`` for every op ever recorded, kept after the values are released.
    """

    __slots__ = ("_tape",)

    def __init__(self, tape: GradientTape):
        self._tape = tape

    @property
    def state(self) -> TapeState:
        return self._tape._state

    @property
    def persistent(self) -> bool:
        return self._tape._persistent

    @property
    def watches_accessed_variables(self) -> bool:
        return self._tape._auto

    @property
    def primal_only(self) -> bool:
        """Does the tape leave out the ops of forward-mode tangent rules (the learner's
        program only)?"""
        return self._tape._primal_only

    @property
    def cell(self) -> bool:
        """Is this the tape of a ``%%tape`` cell (whose fixes are options, not code)?"""
        return self._tape._cell

    @property
    def records(self) -> tuple:
        return tuple(_tuple_new(Record, e) for e in self._tape._entries if e is not None)

    @property
    def links(self) -> tuple:
        t = self._tape
        return tuple(_link(e) for e in (t._entries if t._links is None else t._links))

    @property
    def watched(self) -> tuple:
        """Watched tensors and variables, in the order they were first watched."""
        return tuple(self._tape._watched)

    def tracks(self, serial: int) -> bool:
        """Does the tape track this serial (watched, or computed from watched values)?"""
        t = self._tape
        return serial in (t._ids if t._links is None else t._tracked_then)

    def when(self, serial: int) -> str | None:
        """Was ``serial`` made 'before', 'during' or 'after' recording, or 'paused' (None:
        the tape never recorded)."""
        spans = self._tape._spans
        if not spans:
            return None
        if serial < spans[0][0]:
            return "before"
        for start, end in self._tape._pauses:
            if start <= serial and (end is None or serial <= end):
                return "paused"
        for start, end in spans:
            if start <= serial and (end is None or serial <= end):
                return "during"
        return "after"

    def yielded(self, serial: int) -> str | None:
        """If ``serial`` was made after this ``%%tape`` cell's tape yielded to a tape the
        cell opened itself: that tape's name in the cell (``"tape"`` if not known); else
        None."""
        pause = self._tape._yielded
        if pause is None or serial < pause[0] or (pause[1] is not None and serial > pause[1]):
            return None
        return self._tape._yield_name or "tape"

    def assigned(self, serial: int) -> bool:
        return serial in self._tape._assigned

    def assigned_from(self, serial: int) -> bool:
        """Was ``serial`` the value of an assignment (``v.assign_add(x)``) while recording?"""
        return serial in self._tape._assigned_from

    def reset_after(self, serial: int) -> bool:
        """Was ``tape.reset()`` called after ``serial`` was made?"""
        return any(mark > serial for mark in self._tape._resets)

    @property
    def backward_outputs(self) -> frozenset:
        """Serials of the outputs of ops recorded while a gradient call was running (a
        higher-order pass: ``tape.gradient`` inside ``with tape:``), not by the learner's
        forward code."""
        return frozenset(self._tape._backward_outs)

    def gradient_output(self, serial: int) -> bool:
        """Was ``serial`` returned by another tape's ``gradient`` while this one recorded?"""
        return serial in self._tape._grad_outputs

    @property
    def dropped(self) -> tuple:
        """(op name, input serial) pairs whose VJP returned None in the last gradient call."""
        return tuple(self._tape._dropped)


# ----- the tape --------------------------------------------------------------------------


class GradientTape:
    """Record operations to differentiate them later (TensorFlow's ``tf.GradientTape``).

    Parameters
    ----------
    persistent : bool
        Allow several ``gradient``/``jacobian`` calls (a plain tape allows one).
    watch_accessed_variables : bool
        Watch every trainable variable an op reads while recording (default).
    check_numerics : bool
        Raise :class:`NonFiniteGradientError` naming the first op whose backward step
        turned finite gradients into NaN or inf (an adkernel extra).

    Examples
    --------
    >>> from adkernel import tf
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape() as tape:
    ...     y = x ** 2
    >>> tape.gradient(y, x).numpy()
    np.float32(6.0)
    """

    _cell = False  # the %%tape magic's tape (explanations then name options, not code)
    # True: record the program's own ops only, never the ops of forward-mode tangent rules
    # (the tape of a ``%%tape --jvp`` cell, whose graph is the learner's computation)
    _primal_only = False
    # a cell tape that yielded to a tape the cell opened: the [start, end] of that pause,
    # and the name the cell gave the tape it opened (set by the magic, for explanations)
    _yielded = None
    _yield_name = None

    def __init__(
        self,
        persistent: bool = False,
        watch_accessed_variables: bool = True,
        check_numerics: bool = False,
    ):
        self._persistent = bool(persistent)
        self._auto = bool(watch_accessed_variables)
        self._check_numerics = bool(check_numerics)
        self._state = _NEW
        self._spans: list = []  # [start serial, end serial] of each with-block
        self._pauses: list = []  # the same for stop_recording() inside a block
        self._resets: list = []  # a serial number taken at each reset()
        self._clear()

    def _clear(self) -> None:
        self._entries: list = []
        self._ids: set = set()  # serials the tape tracks
        self._watched: list = []
        # Serials noted while recording; most tapes never note any, so these start as one
        # shared empty frozenset and become a set of their own on the first note.
        self._assigned: set | frozenset = _NOTHING  # variables assigned
        self._assigned_from: set | frozenset = _NOTHING  # tensors and variables they took
        self._grad_outputs: set | frozenset = _NOTHING  # returned by another tape's gradient
        self._backward_outs: set | frozenset = _NOTHING  # outputs of a recorded gradient call
        self._links = None  # (op, out, inputs, need) per record, once the values are gone
        self._tracked_then: set | frozenset = _NOTHING
        # outputs of records no input of which needs a gradient (integers only)
        self._dead: set | frozenset = _NOTHING
        self._dropped: list | tuple = ()

    # -- context manager --------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        if self._state is _RECORDING or self._state is _PAUSED:
            raise ValueError(_(
                "Tape is still recording, This can happen if you try to re-enter an "
                "already-active tape. Use a new tf.GradientTape() for the inner block."
            ))
        if self._state is _USED:
            self._clear()
        for hook in hooks.on_enter:
            hook(self)
        state.recording.append(self)
        self._state = _RECORDING
        self._spans.append([next(serials), None])
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        _remove(state.recording, self)
        span = self._spans[-1] if self._spans else None
        if span is not None and span[1] is None:
            span[1] = next(serials)
        if self._pauses and self._pauses[-1][1] is None:
            self._pauses[-1][1] = self._spans[-1][1]
        if self._state is not _USED:
            self._state = _STOPPED

    def _pause_for_good(self) -> None:
        """Stop recording until the block ends (a ``%%tape`` cell's tape yields this way)."""
        _remove(state.recording, self)
        self._state = TapeState.PAUSED
        self._pauses.append([next(serials), None])
        self._yielded = self._pauses[-1]

    # -- watching ---------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Watch a tensor (or a nested structure of tensors) so it can be a source."""
        flat: list = []
        _flatten(tensor, flat)
        for obj in flat:
            if not isinstance(obj, TensorLike):
                raise ValueError(
                    _("Passed in object {value!r} of type '{type}', not tf.Tensor or "
                      "tf.Variable or ExtensionType. Try tape.watch(tf.constant(value)) and use "
                      "that tensor in your computation.").format(
                        value=obj, type=type(obj).__name__)
                )
            if obj._serial not in self._ids:
                self._ids.add(obj._serial)
                self._watched.append(obj)
            elif obj._serial in self._dead:  # computed from integers, now watched itself
                self._dead.discard(obj._serial)

    def watched_variables(self) -> tuple:
        """The variables this tape watches, in the order they were created."""
        vs = [w for w in self._watched if isinstance(w, Variable)]
        return tuple(sorted(vs, key=lambda v: v._serial))

    @property
    def persistent(self) -> bool:
        return self._persistent

    @property
    def recording(self) -> bool:
        """True while ops are being recorded (inside ``with`` and not stopped)."""
        return self._state is TapeState.RECORDING

    def view(self) -> TapeView:
        """A read-only view of what this tape recorded (for pictures and explanations)."""
        return TapeView(self)

    @contextlib.contextmanager
    def stop_recording(self):
        """Temporarily stop recording on this tape (other tapes keep recording)."""
        if self._state is not TapeState.RECORDING:
            raise RuntimeError(_("Trying to stop recording a tape which is not recording."))
        pos = next(i for i, t in enumerate(state.recording) if t is self)
        state.recording.pop(pos)
        self._state = TapeState.PAUSED
        self._pauses.append([next(serials), None])
        try:
            yield
        finally:
            self._pauses[-1][1] = next(serials)
            if self._state is TapeState.PAUSED:
                state.recording.insert(min(pos, len(state.recording)), self)
                self._state = TapeState.RECORDING

    def reset(self) -> None:
        """Forget everything recorded so far (as if a new tape had been entered)."""
        self._clear()
        self._resets.append(next(serials))  # for explain: what was made before it is gone

    # -- the one-call rule ------------------------------------------------------------
    def _check_usable(self, what: str) -> None:
        if self._state is _NEW:
            raise RuntimeError(
                _("This GradientTape never recorded anything, so it has no {what} to give: "
                  "use it as a context manager, `with tf.GradientTape() as tape:`, and compute "
                  "the target inside the block.").format(what=_WHAT.get(what, what))
            )
        if self._state is _USED:
            raise NotPersistentError(_(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians). Create it with tf.GradientTape(persistent=True) to "
                "call gradient/jacobian several times, or record again in a new tape."
            ))

    def _begin_call(self) -> bool:
        """Start a gradient/jacobian call; returns whether it is recorded (higher order)."""
        if not self._persistent:
            # As in TensorFlow, the tape stops recording once its one gradient is taken,
            # and whatever happens next (even an exception) it is used up.
            if self._state is _RECORDING or self._state is _PAUSED:
                _remove(state.recording, self)
            self._links = list(map(_link, self._entries))
            self._tracked_then = self._ids
            self._state = _USED
        # recorded, seen by an accumulator, or traced (the program keeps the backward ops)
        return bool(state.recording or (forward_any and state.forward)
                    or (trace_any and state.trace is not None))

    def _release(self) -> None:
        """After the one call of a non-persistent tape: keep provenance, drop the arrays."""
        self._entries = []
        self._ids = set()
        # (a C-level filter: a comprehension costs a function frame per call in Python 3.11)
        self._watched = list(filter(_is_variable, self._watched))

    # -- gradients --------------------------------------------------------------------
    def _seeds(self, targets: list, output_gradients, higher: bool) -> list:
        if output_gradients is None:
            seeds = []
            for t in targets:
                v = t._value
                s = _ones_like(v) if v.dtype.kind == "f" else None
                seeds.append(_wrap(s) if higher and s is not None else s)
            return seeds
        flat: list = []
        _flatten(output_gradients, flat)
        if len(flat) != len(targets):
            raise ValueError(
                _("`output_gradients` has {n} entries but `target` has {m};"
                  " pass one output gradient per target (or None for all).").format(
                    n=len(flat), m=len(targets))
            )
        seeds = []
        for t, og in zip(targets, flat, strict=True):
            v = t._value
            if v.dtype.kind not in "fc":
                seeds.append(None)
                continue
            if og is None:
                raise ValueError(_(
                    "Attempt to convert a value (None) with an unsupported type "
                    "(<class 'NoneType'>) to a Tensor: every entry of `output_gradients` must "
                    "be a tensor or array shaped like its target."
                ))
            if isinstance(og, TensorLike):
                if og._value.dtype != v.dtype:
                    raise InvalidArgumentError(
                        _("`output_gradients` entry has dtype {got} but its "
                          "target is {want}; try tf.cast(og, tf.{want}).").format(
                            got=og._value.dtype.name, want=v.dtype.name),
                        op="Mul",
                    )
                sv = og._value
            else:
                sv = np.asarray(og, dtype=v.dtype)
            if np.shape(sv) != v.shape:
                raise InvalidArgumentError(
                    _("Incompatible shapes: {got} vs. {want}: each "
                      "entry of `output_gradients` must have the shape of its target.").format(
                        got=list(np.shape(sv)), want=list(v.shape)),
                    op="Mul",
                )
            if higher:
                seeds.append(og if isinstance(og, TensorLike) else _wrap(sv))
            else:
                seeds.append(sv)
        return seeds

    def _refuse_gradientless(self, targets) -> None:
        """TensorFlow registers no gradient at all for ``is_nan`` and ``is_finite`` (not even
        "none"): a target that one of them computed on this tape raises LookupError there
        (``jacobian`` gives None). Only bool targets can be such an output."""
        for t in targets:
            if t._value.dtype.kind != "b" or t._serial not in self._ids:
                continue
            for e in reversed(self._entries):
                if e is not None and e[1] == t._serial:
                    if e[0].name in _NO_GRADIENT_ENTRY:
                        raise NotDifferentiableError(_(
                            "tape.gradient: the target is the output of tf.math.{op}, which "
                            "has no gradient in TensorFlow (LookupError: gradient registry "
                            "has no entry for {tf_name}). Its bool result cannot be "
                            "differentiated: take the gradient of a float value instead."
                        ).format(op=e[0].name, tf_name=_NO_GRADIENT_ENTRY[e[0].name]))
                    break

    def _pass(self, targets, seeds, higher, keep=None) -> dict:
        """One backward pass; notes which ops dropped a gradient (for ``explain``)."""
        self._dropped = []
        if not higher:
            return backward(self._entries, targets, seeds, higher=higher,
                            check=self._check_numerics, keep=keep,
                            dropped=self._dropped)
        # A recorded (higher-order) pass: every recording tape, this one included, appends
        # the backward pass's ops. Mark them, so pictures can show the forward graph the
        # learner wrote apart from the ops a gradient call ran (TapeView.backward_outputs).
        starts = [(t, len(t._entries)) for t in state.recording]
        try:
            return backward(self._entries, targets, seeds, higher=higher,
                            check=self._check_numerics, keep=keep,
                            dropped=self._dropped)
        finally:
            for t, start in starts:
                t._backward_outs = t._backward_outs.union(
                    out for _op, out, *_rest in (e for e in t._entries[start:] if e is not None))

    @staticmethod
    def _result(grads, s, mode, tracked_ids, targets=()):
        """The gradient for source ``s`` from a pass's ``grads`` (None if it has none).

        Only what the tape tracked has a gradient (a source that is itself a target has
        its seed, as in TensorFlow), so an unwatched operand never gets one.
        """
        v = s._value
        k = s._serial
        kind = v.dtype.kind
        g = grads.get(k) if kind == "f" and (
            k in tracked_ids or any(t._serial == k for t in targets)) else None
        if g is None:
            if kind in "iu" and any(t._serial == k for t in targets):
                g = np.ones(v.shape, v.dtype)  # TensorFlow's seed, even for an integer target
            elif mode is UnconnectedGradients.ZERO:
                return _wrap(np.zeros(v.shape, dtype=v.dtype))
            else:
                return None
        elif isinstance(g, TensorLike):
            return g
        t = _new(EagerTensor)
        t._value = g
        t._serial = next(serials)
        return t

    def gradient(
        self,
        target,
        sources,
        output_gradients=None,
        unconnected_gradients=UnconnectedGradients.NONE,
    ):
        """Gradients of ``target`` (summed if several or not scalar) w.r.t. ``sources``.

        Returns the structure of ``sources``, with ``None`` (or zeros, with
        ``unconnected_gradients='zero'``) where the target does not depend on a source, or
        the tape never watched it.
        """
        self._check_usable("gradient")
        mode = _unconnected_mode(unconnected_gradients)
        targets = _flat_targets(target)
        template, flat_sources = _flat_sources(sources)
        _reject_complex(targets + flat_sources)
        self._refuse_gradientless(targets)
        tracked_ids = self._ids
        higher = self._begin_call()
        try:
            for hook in hooks.on_gradient:
                hook(target, self)
            seeds = self._seeds(targets, output_gradients, higher)
            keep = None
            if not (self._persistent or higher):
                keep = set(map(_serial_of, flat_sources))
            grads = self._pass(targets, seeds, higher, keep)
            results = [self._result(grads, s, mode, tracked_ids, targets) for s in flat_sources]
        finally:
            if not self._persistent:
                self._release()
        if higher:
            for outer in state.recording:
                outer._grad_outputs = outer._grad_outputs.union(
                    r._serial for r in results if r is not None)
        if _EXPLAIN["on"] and any(map(_is_none, results)):
            frame = sys._getframe(1)
            for i, r in enumerate(results):
                if r is None:
                    s = flat_sources[i]
                    name = _caller_name(s, frame) or (
                        "`sources`" if template == 0 else f"`sources[{i}]`")
                    msg = self.explain(target, s, _name=name)
                    warnings.warn(NoneGradientWarning(msg), stacklevel=2)
        if template == 0:
            return results[0]
        if template is _FLAT_LIST:
            return results
        return _rebuild(template, results)

    def _rows(self, what, target, sources, seeds, use_pfor) -> list[list]:
        """One backward pass per seed (the rows of a Jacobian): each source's gradients."""
        self._check_usable(what)
        if not self._persistent and not use_pfor:
            raise NotPersistentError(
                _("GradientTape must be created with persistent=True to compute the {what} "
                  "with eager execution enabled and with experimental_use_pfor set to False."
                  ).format(what=_WHAT.get(what, what))
            )
        tracked_ids = self._ids
        higher = self._begin_call()
        try:
            rows: list[list] = [[] for _ in sources]
            for seed in seeds:
                grads = self._pass([target], [_wrap(seed) if higher else seed], higher)
                for row, s in zip(rows, sources, strict=True):
                    row.append(self._result(grads, s, UnconnectedGradients.NONE, tracked_ids,
                                            (target,)))
        finally:
            if not self._persistent:
                self._release()
        return rows

    def jacobian(
        self,
        target,
        sources,
        unconnected_gradients=UnconnectedGradients.NONE,
        parallel_iterations=None,
        experimental_use_pfor=True,
    ):
        """Full Jacobian: shape ``target.shape + source.shape`` for each source."""
        mode = _unconnected_mode(unconnected_gradients)
        if isinstance(target, np.ndarray | np.generic):
            # TensorFlow takes a numpy array as a constant: nothing depends on the sources
            target = convert_to_tensor(target)
        if not isinstance(target, TensorLike):
            raise TypeError(_("`target` of jacobian must be a single tensor."))
        template, flat_sources = _flat_sources(sources)
        if template is _FLAT_LIST:
            template = list(range(len(flat_sources)))
        tv = target._value
        size = int(np.size(tv))

        def seeds():
            if tv.dtype.kind not in "fc":  # an integer target has no gradient
                return
            if size == 0:  # one empty pass, only to learn which sources are connected
                yield np.zeros(tv.shape, dtype=tv.dtype)
            for j in range(size):
                seed = np.zeros(size, dtype=tv.dtype)
                seed[j] = 1
                yield seed.reshape(tv.shape) if tv.ndim else tv.dtype.type(1)

        # TensorFlow slices the target (a reshape and a gather per row); when the target is a
        # source this tape does not watch (a trainable=False variable, or tf.cast of one to its
        # own dtype), the slices are not recorded and the source is unconnected (asked before
        # the pass: a non-persistent tape forgets what it watched)
        # (a trainable variable is read by the slicing, so a tape that watches what it reads
        # watches it then: its Jacobian is the identity)
        unwatched_target = not any(w is target for w in self._watched) and not (
            self._auto and getattr(target, "_is_variable", False) and target.trainable)
        rows = self._rows("jacobian", target, flat_sources, seeds(), experimental_use_pfor)
        results = []
        for row, s in zip(rows, flat_sources, strict=True):
            sv = s._value
            if (all(r is None for r in row) or sv.dtype.kind not in "fc"
                    or (s is target and unwatched_target)):
                results.append(_wrap(np.zeros(tv.shape + sv.shape, dtype=sv.dtype))
                               if mode is UnconnectedGradients.ZERO else None)
            elif size == 0:  # an empty target, connected: an empty Jacobian
                results.append(_wrap(np.zeros(tv.shape + sv.shape, dtype=sv.dtype)))
            else:
                results.append(_stack_rows(row, tv.shape + sv.shape, sv, 0))
        return _rebuild(template, results)

    def batch_jacobian(
        self,
        target,
        source,
        unconnected_gradients=UnconnectedGradients.NONE,
        parallel_iterations=None,
        experimental_use_pfor=True,
    ):
        """Per-example Jacobians: shape ``(batch, *target_row, *source_row)``.

        Like TensorFlow, an unconnected source gives zeros, not ``None``.
        """
        _unconnected_mode(unconnected_gradients)
        if not isinstance(target, TensorLike) or not isinstance(source, TensorLike):
            raise TypeError(
                _("batch_jacobian takes one target tensor and one source tensor "
                  "(got {target} and {source}).").format(
                    target=type(target).__name__, source=type(source).__name__)
            )
        tv, sv = target._value, source._value
        for v in (tv, sv):
            if v.ndim < 2:
                raise ValueError(_("Shape {shape} must have rank at least 2").format(
                    shape=tuple(v.shape)))
        if tv.shape[0] != sv.shape[0]:
            raise ValueError(
                _("Need first dimension of target shape ({target}) and source shape "
                  "({source}) to match.").format(target=tuple(tv.shape), source=tuple(sv.shape))
            )
        batch = tv.shape[0]
        row = int(np.prod(tv.shape[1:], dtype=np.int64))

        def seeds():  # seed j: entry j of every example's target row
            for j in range(row):
                seed = np.zeros((batch, row), dtype=tv.dtype)
                seed[:, j] = 1
                yield seed.reshape(tv.shape)

        (parts,) = self._rows("batch_jacobian", target, [source], seeds(),
                              experimental_use_pfor)
        shape = (batch, *tv.shape[1:], *sv.shape[1:])
        if all(p is None for p in parts) or sv.dtype.kind not in "fc":
            return _wrap(np.zeros(shape, dtype=sv.dtype))
        return _stack_rows(parts, shape, sv, 1)

    # -- explanations -----------------------------------------------------------------
    def explain(self, target, source, _name: str | None = None) -> str:
        """One plain sentence saying why ``gradient(target, source)`` is (or is not) None."""
        if _name is None:
            _name = _caller_name(source, sys._getframe(1))
        return _explain.explain(self.view(), target, source, _name)

    # -- text form --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        kind = "persistent " if self._persistent else ""
        return (
            f"<{kind}GradientTape: {self._state.value}, {len(self._entries)} ops, "
            f"{len(self._watched)} watched>"
        )

    def __str__(self) -> str:
        header = (_("<persistent GradientTape: {state}, {n} ops, {watched} watched>")
                  if self._persistent else
                  _("<GradientTape: {state}, {n} ops, {watched} watched>")).format(
            state=_STATE_SHOWN[self._state], n=len(self._entries), watched=len(self._watched))
        return _explain.tape_text(self.view(), header)


def _stack_rows(rows, shape, sv, axis):
    """Stack per-seed gradients (``None`` = zeros) along ``axis`` into ``shape``.

    Rows that are tensors (a recorded, higher-order pass) are stacked with numpy
    functions, which tensors hand to the recorded ops.
    """
    zeros = np.zeros(sv.shape, dtype=sv.dtype)
    parts = [zeros if r is None else r for r in rows]
    if not parts:
        return _wrap(np.zeros(shape, sv.dtype))
    if state.recording:
        return np.reshape(np.stack(parts, axis=axis), shape)
    stacked = np.stack([p._value if isinstance(p, TensorLike) else p for p in parts], axis=axis)
    return _wrap(stacked.reshape(shape))


def _remove(stack: list, tape) -> None:
    if stack and stack[-1] is tape:  # the innermost tape, as a with-block ends
        stack.pop()
        return
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is tape:
            del stack[i]
            return
