"""``GradientTape``: record ops, then run them backwards to get gradients.

The tape is a list of entries in execution order (already a topological order).
``gradient`` walks it in reverse, calling each op's VJP and adding up the
gradients that meet at a value used more than once (fan-out). When another tape
is recording at that moment (nested tapes, or a persistent tape used inside its
own block), the VJPs run on tensors instead of raw arrays, so the backward pass is
itself recorded: that is how second and higher derivatives work.

Beyond TensorFlow, a tape can say why a gradient is ``None``
(:meth:`GradientTape.explain`, also sent as a :class:`NoneGradientWarning`) and,
with ``check_numerics=True``, name the first backward op that produced NaN or inf.
"""

from __future__ import annotations

import contextlib
import enum
import warnings
from sys import getrefcount

import numpy as np

from ._state import serials, state
from .errors import (
    InvalidArgumentError,
    NoneGradientWarning,
    NonFiniteGradientError,
    ShapeError,
)
from .registry import Meta
from .tensor import EagerTensor, TensorLike, Variable, _wrap

__all__ = ["GradientTape", "UnconnectedGradients", "explain_none"]

_ndarray = np.ndarray
_new = object.__new__
_PROBE: list = []  # non-empty only while _calibrate_fresh_refs runs


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


_EXPLAIN = {"on": True}

# Callables ``hook(target, tape)`` run at every ``gradient`` call; the notebook
# extension uses one to plot a loss while a training loop runs. Empty by default.
gradient_hooks: list = []


def explain_none(enabled: bool = True) -> None:
    """Switch the :class:`NoneGradientWarning` sent when a gradient is ``None`` on or off."""
    _EXPLAIN["on"] = bool(enabled)


def _unconnected_mode(value) -> UnconnectedGradients:
    if isinstance(value, UnconnectedGradients):
        return value
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(
            f"Unknown value for unconnected_gradients: {value!r}. "
            "Use 'none' (the default) or 'zero'."
        ) from None


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
    if template is list:
        return list(flat)
    if template is tuple:
        return tuple(flat)
    if isinstance(template, dict):
        return {k: _rebuild(v, flat) for k, v in template.items()}
    if isinstance(template, list):
        return [_rebuild(v, flat) for v in template]
    if isinstance(template, tuple):
        return tuple(_rebuild(v, flat) for v in template)
    return flat[template]


def _describe(obj) -> str:
    if isinstance(obj, np.ndarray):
        return f"a numpy array of shape {obj.shape}"
    return f"{obj!r} of type {type(obj).__name__!r}"


def _check_targets(target) -> list:
    if target is None:
        raise TypeError(
            "Argument `target` should be a list or nested structure of Tensors, Variables or "
            "CompositeTensors to be differentiated, but received None."
        )
    flat: list = []
    _flatten(target, flat)
    for i, t in enumerate(flat):
        if not isinstance(t, TensorLike):
            where = "`target`" if len(flat) == 1 else f"`target` (item {i})"
            raise TypeError(
                f"{where} must be a tensor computed while the tape recorded, but got "
                f"{_describe(t)}. Compute it with tf ops inside the `with tf.GradientTape()` "
                "block (plain Python or numpy math is not recorded)."
            )
    return flat


def _sources_fast(sources) -> tuple[object, list]:
    """(template, flat sources); a flat list or tuple of tensors skips the general walk."""
    st = type(sources)
    if st is list or st is tuple:
        for s in sources:
            if not isinstance(s, TensorLike):
                break
        else:
            return st, list(sources)
    elif isinstance(sources, TensorLike):
        return 0, [sources]
    return _check_sources(sources)


def _check_sources(sources) -> tuple[object, list]:
    if sources is None:
        raise TypeError("Argument `sources` is None; pass the variable(s) to differentiate by.")
    flat: list = []
    template = _flatten(sources, flat)
    for i, s in enumerate(flat):
        if not isinstance(s, TensorLike):
            where = "`sources`" if template == 0 else f"`sources[{i}]`"
            raise TypeError(
                f"{where} is {_describe(s)}; pass a tf.Variable or a tensor the tape watched "
                "(tape.watch(x))."
            )
    return template, flat


# ----- the backward pass -----------------------------------------------------------------


def _unbroadcast(g, shape, op):
    """Sum ``g`` over the axes broadcasting added, so it has the input's ``shape``."""
    gshape = tuple(g.shape)
    k = len(shape)
    lead = len(gshape) - k
    if lead < 0:
        raise ShapeError(f"gradient of op {op.name!r} has shape {gshape}, input has {shape}")
    axes = tuple(range(lead))
    for i in range(k):
        if shape[i] == 1 and gshape[lead + i] != 1:
            axes += (lead + i,)
    if type(g) is _ndarray:
        if axes:
            g = np.add.reduce(g, axis=axes)
        if g.shape != shape:
            g = _reshape_to(g, shape, gshape, op)
        return g
    if axes:
        g = np.sum(g, axis=axes)
    if tuple(g.shape) != shape:
        g = _reshape_to(g, shape, gshape, op)
    return g


def _reshape_to(g, shape, gshape, op):
    try:
        return g.reshape(shape) if type(g) is _ndarray else np.reshape(g, shape)
    except ValueError:
        raise ShapeError(
            f"the gradient rule of op {op.name!r} returned shape {gshape} for an input of "
            f"shape {shape}"
        ) from None


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


def _lift(iids, vals) -> tuple:
    """The inputs of an entry as tensors that outer tapes can track (higher order)."""
    return tuple(
        _alias(v, k) if k and not isinstance(v, Meta) else v
        for k, v in zip(iids, vals, strict=True)
    )


_NAN_HINTS = {
    "log": "log has derivative 1/x, infinite at x = 0",
    "truediv": "division has derivative 1/y and -x/y**2, infinite where y = 0",
    "pow": "x**p has derivative p*x**(p-1), infinite at x = 0 for p < 1",
    "sqrt": "sqrt has derivative 1/(2 sqrt(x)), infinite at x = 0",
    "log1p": "log1p has derivative 1/(1+x), infinite at x = -1",
}


def _numerics_error(op, idx, g, gi, value):
    bad = "NaN" if np.any(np.isnan(gi)) else "inf"
    why = _NAN_HINTS.get(op.name, f"the derivative of {op.name} is not finite at its input")
    return NonFiniteGradientError(
        f"The backward pass of op {op.name!r} (entry #{idx} on the tape) turned a finite "
        f"upstream gradient into {bad} for an input of shape {tuple(np.shape(value))}: {why}. "
        f"If the op sits in the unselected branch of tf.where, the chain rule still multiplies "
        f"0 x inf = NaN there. Fix it with the 'double where' trick: feed the op a safe input, "
        f"e.g. safe = tf.where(x > 0, x, 1.0); y = tf.where(x > 0, tf.math.{op.name}(safe), 0.0)."
    )


def _backward(entries, n, targets, seeds, higher: bool, check: bool, keep=None) -> dict:
    """Reverse-mode pass over ``entries[:n]``; returns {serial: gradient}.

    With ``keep`` (the serials of the sources), the pass consumes the tape: each entry
    and each intermediate gradient is dropped as soon as it has been used, so memory
    is handed back while the pass runs (a non-persistent tape's last act).
    """
    grads: dict = {}
    owned: set = set()
    for t, s in zip(targets, seeds, strict=True):
        if s is not None:
            k = t._serial
            prev = grads.get(k)
            grads[k] = s if prev is None else prev + s
    if not grads:
        return grads
    get = grads.get
    walk = reversed(entries) if n == len(entries) else reversed(entries[:n])
    idx = n
    with np.errstate(all="ignore"):
        for op, oid, iids, vals, params, outv in walk:
            idx -= 1
            if keep is None:
                g = get(oid)
            else:
                entries[idx] = None
                g = get(oid) if oid in keep else grads.pop(oid, None)
            if g is None:
                continue
            vjp = op.vjp
            if vjp is None:
                continue
            if higher:
                ins = _lift(iids, vals)
                if not isinstance(outv, Meta):
                    outv = _alias(outv, oid)
            else:
                ins = vals
            res = vjp(g, outv, iids, *ins) if params is None else vjp(g, outv, iids, *ins, **params)
            for k, gi, v in zip(iids, res, vals, strict=False):
                if gi is None or not k:
                    continue
                shape = v.shape
                if higher:
                    if not isinstance(gi, TensorLike):
                        gi = _wrap(np.asarray(gi, dtype=v.dtype))
                    if gi._value.shape != shape:
                        gi = _unbroadcast(gi, shape, op)
                    if check and not np.all(np.isfinite(gi._value)) and np.all(
                        np.isfinite(g._value if isinstance(g, TensorLike) else g)
                    ):
                        raise _numerics_error(op, idx, g, gi._value, v)
                else:
                    if gi.shape != shape:
                        gi = _unbroadcast(gi, shape, op)
                    if gi.dtype is not v.dtype and gi.dtype != v.dtype:
                        raise TypeError(
                            f"internal error: the gradient rule of {op.name!r} returned "
                            f"{gi.dtype} for a {v.dtype} input"
                        )
                    if check and not np.all(np.isfinite(gi)) and np.all(np.isfinite(g)):
                        raise _numerics_error(op, idx, g, gi, v)
                prev = get(k)
                if prev is None:
                    grads[k] = gi
                elif k in owned:
                    np.add(prev, gi, out=prev)
                elif higher:
                    grads[k] = prev + gi
                elif _PROBE:
                    _PROBE.append((getrefcount(gi), getrefcount(prev)))
                    grads[k] = prev + gi
                elif (
                    type(prev) is _ndarray
                    and prev.base is None
                    and getrefcount(prev) <= _FRESH_REFS[1]
                    and prev.shape == gi.shape
                ):
                    # the first gradient was allocated by its VJP and is held only here
                    np.add(prev, gi, out=prev)
                    owned.add(k)
                elif (
                    type(gi) is _ndarray
                    and gi.base is None
                    and getrefcount(gi) <= _FRESH_REFS[0]
                    and gi.shape == prev.shape
                ):
                    # gi was just allocated by the VJP and nothing else holds it: add into it
                    np.add(gi, prev, out=gi)
                    grads[k] = gi
                    owned.add(k)
                else:
                    total = prev + gi
                    grads[k] = total
                    if type(total) is _ndarray:
                        owned.add(k)
    return grads


def _calibrate_fresh_refs() -> tuple[int, int]:
    """How many references a just-allocated gradient has where ``_backward`` adds it up.

    Measured on a two-entry tape rather than assumed, so that the in-place addition
    (which must never touch an array someone else holds) stays right on any CPython.
    """
    from .registry import OpDef

    op = OpDef("_probe", None)
    op.vjp = lambda g, out, need, x: (np.zeros(2),)
    x = np.zeros(2)
    entries = [(op, 2, (1,), (x,), None, x), (op, 3, (1,), (x,), None, x)]

    class _T:
        _serial = 0

    a, b = _T(), _T()
    a._serial, b._serial = 2, 3
    _PROBE.append(0)
    try:
        _backward(entries, 2, [a, b], [np.ones(2), np.ones(2)], False, False)
        (gi_refs, prev_refs), = _PROBE[1:]
        return gi_refs, prev_refs
    finally:
        _PROBE.clear()


_FRESH_REFS = _calibrate_fresh_refs()


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

    def __init__(
        self,
        persistent: bool = False,
        watch_accessed_variables: bool = True,
        check_numerics: bool = False,
    ):
        self._persistent = bool(persistent)
        self._auto = bool(watch_accessed_variables)
        self._check_numerics = bool(check_numerics)
        self._entries: list = []
        self._ids: set = set()
        self._watched: list = []
        self._assigned: set = set()
        self._entered = False
        self._recording = False
        self._used = False
        self._skeleton = None
        self._windows: list = []
        self._in_block = False
        # A cell-level tape (the %%tape magic) stops recording for good as soon as the
        # code it watches opens a tape of its own: a training loop's ops belong to the
        # loop's tapes, and keeping them too would grow memory with every step.
        self._yields = False
        self._yielded = False

    # -- context manager --------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        if self._in_block:
            raise ValueError(
                "Tape is still recording, This can happen if you try to re-enter an "
                "already-active tape. Use a new tf.GradientTape() for the inner block."
            )
        if self._used:
            self._clear()
            self._used = False
        if state.recording:
            for outer in list(state.recording):
                if outer._yields:
                    outer._stop()
                    outer._yielded = True
        state.recording.append(self)
        self._in_block = True
        self._entered = True
        self._recording = True
        self._windows.append([next(serials), None])
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._stop()
        self._in_block = False
        self._windows[-1][1] = next(serials)

    def _stop(self) -> None:
        if self._recording:
            _remove(state.recording, self)
            self._recording = False

    # -- watching ---------------------------------------------------------------------
    def _watch_one(self, obj) -> None:
        k = obj._serial
        if k not in self._ids:
            self._ids.add(k)
            self._watched.append(obj)

    def watch(self, tensor) -> None:
        """Watch a tensor (or a nested structure of tensors) so it can be a source."""
        flat: list = []
        _flatten(tensor, flat)
        for obj in flat:
            if not isinstance(obj, TensorLike):
                raise ValueError(
                    f"Passed in object {obj!r} of type '{type(obj).__name__}', not tf.Tensor or "
                    "tf.Variable or ExtensionType. Try tape.watch(tf.constant(value)) and use that "
                    "tensor in your computation."
                )
            self._watch_one(obj)

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
        return self._recording

    @contextlib.contextmanager
    def stop_recording(self):
        """Temporarily stop recording on this tape (other tapes keep recording)."""
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        pos = next(i for i, t in enumerate(state.recording) if t is self)
        state.recording.pop(pos)
        self._recording = False
        try:
            yield
        finally:
            state.recording.insert(min(pos, len(state.recording)), self)
            self._recording = True

    def reset(self) -> None:
        """Forget everything recorded so far (as if a new tape had been entered)."""
        self._clear()

    def _clear(self) -> None:
        self._entries = []
        self._ids = set()
        self._watched = []
        self._assigned = set()
        self._skeleton = None

    # -- lifecycle checks -------------------------------------------------------------
    def _check_usable(self, what: str) -> None:
        if not self._entered:
            raise RuntimeError(
                f"This GradientTape never recorded anything, so it has no {what} to give: "
                "use it as a context manager, `with tf.GradientTape() as tape:`, and compute "
                "the target inside the block."
            )
        if self._used:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians). Create it with tf.GradientTape(persistent=True) to "
                "call gradient/jacobian several times, or record again in a new tape."
            )

    def _release(self) -> None:
        """After the one call of a non-persistent tape: keep provenance, drop the arrays."""
        if self._skeleton is None:
            self._skeleton = ([(e[0], e[1], e[2]) for e in self._entries], self._ids)
        self._entries = []
        self._ids = set()
        self._watched = [w for w in self._watched if isinstance(w, Variable)]
        self._used = True

    def _begin_call(self) -> None:
        if not self._persistent and self._recording:
            # As in TensorFlow: the tape stops recording once its one gradient is taken.
            self._stop()

    # -- gradients --------------------------------------------------------------------
    def _seeds(self, targets: list, output_gradients, higher: bool) -> list:
        if output_gradients is None:
            ogs = [None] * len(targets)
        else:
            flat: list = []
            _flatten(output_gradients, flat)
            if len(flat) != len(targets):
                raise ValueError(
                    f"`output_gradients` has {len(flat)} entries but `target` has {len(targets)};"
                    " pass one output gradient per target (or None for all)."
                )
            ogs = flat
        seeds = []
        for t, og in zip(targets, ogs, strict=True):
            v = t._value
            if v.dtype.kind not in "fc":
                seeds.append(None)
                continue
            if og is None and output_gradients is None:
                s = np.ones(v.shape, dtype=v.dtype) if v.ndim else v.dtype.type(1)
                seeds.append(_wrap(s) if higher else s)
                continue
            if og is None:
                raise ValueError(
                    "Attempt to convert a value (None) with an unsupported type "
                    "(<class 'NoneType'>) to a Tensor: every entry of `output_gradients` must "
                    "be a tensor or array shaped like its target."
                )
            if isinstance(og, TensorLike):
                if og._value.dtype != v.dtype:
                    raise InvalidArgumentError(
                        f"`output_gradients` entry has dtype {og._value.dtype.name} but its target "
                        f"is {v.dtype.name}; try tf.cast(og, tf.{v.dtype.name}).",
                        op="Mul",
                    )
                sv = og._value
            else:
                sv = np.asarray(og, dtype=v.dtype)
            if np.shape(sv) != v.shape:
                raise InvalidArgumentError(
                    f"Incompatible shapes: {list(np.shape(sv))} vs. {list(v.shape)}: each "
                    "entry of `output_gradients` must have the shape of its target.",
                    op="Mul",
                )
            if higher:
                seeds.append(og if isinstance(og, TensorLike) else _wrap(sv))
            else:
                seeds.append(sv)
        return seeds

    def _run(self, targets, seeds, higher):
        entries = self._entries
        return _backward(entries, len(entries), targets, seeds, higher, self._check_numerics)

    def gradient(
        self,
        target,
        sources,
        output_gradients=None,
        unconnected_gradients=UnconnectedGradients.NONE,
    ):
        """Gradients of ``target`` (summed if several or not scalar) w.r.t. ``sources``.

        Returns the structure of ``sources``, with ``None`` (or zeros, with
        ``unconnected_gradients='zero'``) where the target does not depend on a source.
        """
        if self._used or not self._entered:
            self._check_usable("gradient")
        if unconnected_gradients is UnconnectedGradients.NONE:
            mode = unconnected_gradients
        else:
            mode = _unconnected_mode(unconnected_gradients)
        targets = [target] if isinstance(target, TensorLike) else _check_targets(target)
        template, flat_sources = _sources_fast(sources)
        if gradient_hooks:
            for hook in gradient_hooks:
                hook(target, self)
        self._begin_call()
        higher = bool(state.recording)
        if output_gradients is None and len(targets) == 1 and not higher:
            v = target._value
            kind = v.dtype.kind
            if kind == "f":
                seeds = [np.ones(v.shape, dtype=v.dtype) if v.ndim else v.dtype.type(1)]
            else:
                _reject_complex(targets, ())
                seeds = [None]
        else:
            _reject_complex(targets, ())
            seeds = self._seeds(targets, output_gradients, higher)
        entries = self._entries
        if self._persistent or higher:
            keep = None
        else:
            # the tape's one call: let the pass consume it (but keep provenance for explain)
            self._skeleton = ([(e[0], e[1], e[2]) for e in entries], self._ids)
            keep = {s._serial for s in flat_sources}
        grads = _backward(entries, len(entries), targets, seeds, higher, self._check_numerics, keep)
        results = []
        missing = None
        get = grads.get
        for i, s in enumerate(flat_sources):
            v = s._value
            kind = v.dtype.kind
            g = get(s._serial) if kind == "f" else None
            if g is None:
                if kind == "c":
                    _reject_complex((), (s,))
                if mode is UnconnectedGradients.ZERO:
                    g = _wrap(np.zeros(v.shape, dtype=v.dtype))
                elif missing is None:
                    missing = [i]
                else:
                    missing.append(i)
                results.append(g)
            elif higher:
                results.append(g if isinstance(g, TensorLike) else _wrap(g))
            else:
                t = _new(EagerTensor)
                t._value = g
                t._serial = next(serials)
                results.append(t)
        if missing and _EXPLAIN["on"]:
            for i in missing:
                name = "`sources`" if template == 0 else f"`sources[{i}]`"
                msg = self.explain(target, flat_sources[i], _name=name)
                warnings.warn(NoneGradientWarning(msg), stacklevel=2)
        if not self._persistent:
            self._release()
        if template is list:
            return results
        if template is tuple:
            return tuple(results)
        return _rebuild(template, results)

    def jacobian(
        self,
        target,
        sources,
        unconnected_gradients=UnconnectedGradients.NONE,
        parallel_iterations=None,
        experimental_use_pfor=True,
    ):
        """Full Jacobian: shape ``target.shape + source.shape`` for each source."""
        self._check_usable("jacobian")
        if not self._persistent and not experimental_use_pfor:
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the jacobian "
                "with eager execution enabled and with experimental_use_pfor set to False."
            )
        mode = _unconnected_mode(unconnected_gradients)
        (t,) = _check_targets(target) if isinstance(target, TensorLike) else (None,)
        if t is None:
            raise TypeError("`target` of jacobian must be a single tensor.")
        template, flat_sources = _check_sources(sources)
        self._begin_call()
        higher = bool(state.recording)
        tv = t._value
        rows: list[list] = [[] for _ in flat_sources]
        size = int(np.size(tv))
        for j in range(size):
            seed = np.zeros(size, dtype=tv.dtype)
            seed[j] = 1
            seed = seed.reshape(tv.shape) if tv.ndim else tv.dtype.type(1)
            grads = self._run([t], [_wrap(seed) if higher else seed], higher)
            for i, s in enumerate(flat_sources):
                rows[i].append(grads.get(s._serial))
        results = []
        for i, s in enumerate(flat_sources):
            sv = s._value
            if all(r is None for r in rows[i]) or sv.dtype.kind not in "fc":
                if mode is UnconnectedGradients.ZERO:
                    results.append(_wrap(np.zeros(tv.shape + sv.shape, dtype=sv.dtype)))
                else:
                    results.append(None)
                continue
            results.append(self._stack_rows(rows[i], tv.shape + sv.shape, sv, higher))
        if not self._persistent:
            self._release()
        return _rebuild(template, results)

    @staticmethod
    def _stack_rows(rows, shape, sv, higher, axis=0):
        """Stack per-seed gradients (``None`` = zeros) along ``axis`` into ``shape``."""
        zeros = np.zeros(sv.shape, dtype=sv.dtype)
        if higher:
            from . import ops

            parts = [
                r if isinstance(r, TensorLike) else _wrap(zeros if r is None else r) for r in rows
            ]
            return ops.reshape(ops.stack(parts, axis=axis), shape) if parts else _wrap(
                np.zeros(shape, dtype=sv.dtype))
        parts = [zeros if r is None else np.asarray(r) for r in rows]
        stacked = np.stack(parts, axis=axis) if parts else np.zeros(shape, sv.dtype)
        return _wrap(stacked.reshape(shape))

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
        self._check_usable("batch_jacobian")
        if not self._persistent and not experimental_use_pfor:
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the "
                "batch_jacobian with eager execution enabled and with experimental_use_pfor "
                "set to False."
            )
        if not isinstance(target, TensorLike) or not isinstance(source, TensorLike):
            raise TypeError(
                "batch_jacobian takes one target tensor and one source tensor "
                f"(got {type(target).__name__} and {type(source).__name__})."
            )
        tv, sv = target._value, source._value
        for v in (tv, sv):
            if v.ndim < 2:
                raise ValueError(f"Shape {tuple(v.shape)} must have rank at least 2")
        if tv.shape[0] != sv.shape[0]:
            raise ValueError(
                f"Need first dimension of target shape ({tuple(tv.shape)}) and source shape "
                f"({tuple(sv.shape)}) to match."
            )
        _unconnected_mode(unconnected_gradients)
        self._begin_call()
        higher = bool(state.recording)
        batch = tv.shape[0]
        row = int(np.prod(tv.shape[1:], dtype=np.int64))
        parts = []
        for j in range(row):
            seed = np.zeros((batch, row), dtype=tv.dtype)
            seed[:, j] = 1
            seed = seed.reshape(tv.shape)
            grads = self._run([target], [_wrap(seed) if higher else seed], higher)
            parts.append(grads.get(source._serial))
        shape = (batch, *tv.shape[1:], *sv.shape[1:])
        if not self._persistent:
            self._release()
        if all(p is None for p in parts) or sv.dtype.kind not in "fc":
            return _wrap(np.zeros(shape, dtype=sv.dtype))
        return self._stack_rows(parts, shape, sv, higher, axis=1)

    # -- explanations -----------------------------------------------------------------
    def explain(self, target, source, _name: str = "the source") -> str:
        """One plain sentence saying why ``gradient(target, source)`` is (or is not) None."""
        from .explain import explain

        return explain(self, target, source, _name)

    # -- text form --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        state_word = (
            "recording"
            if self._recording
            else "used"
            if self._used
            else "stopped"
            if self._entered
            else "not entered"
        )
        kind = "persistent " if self._persistent else ""
        return (
            f"<{kind}GradientTape: {state_word}, {len(self._entries)} ops, "
            f"{len(self._watched)} watched>"
        )

    def __str__(self) -> str:
        from .explain import tape_text

        return tape_text(self)


def _reject_complex(targets, sources) -> None:
    for t in (*targets, *sources):
        if t._value.dtype.kind == "c":
            raise NotImplementedError(
                "adkernel does not differentiate complex tensors (TensorFlow's conjugate "
                "convention is not implemented). Split the value into real and imaginary "
                "float parts and differentiate with respect to those."
            )


def _remove(stack: list, tape) -> None:
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is tape:
            del stack[i]
            return
