"""Forward mode: ``ForwardAccumulator`` carries a tangent along with every value (JVPs).

Reverse mode (the tape) runs the program first and then walks it backwards, one pass per
*output*: a row of the Jacobian. Forward mode moves a tangent ``ẋ`` (a direction to nudge
the inputs in) through the program *as it runs*, one pass per input direction: a column of
the Jacobian, ``J @ ẋ``, the Jacobian-vector product (JVP).

Every op that runs while an accumulator is active (``with acc:``) asks it, through one
check in :func:`registry._emit <adkernel.engine.registry._emit>`, for the tangents of its
inputs; the accumulator keeps the output's tangent by the output's serial number. The JVP
rule of an op comes from the registry, the one place an op is described:

- an explicit ``@op.defjvp`` rule ``jvp(tangents, out, *inputs, **params)`` for the hot
  elementwise ops (``tangents[i]`` is ``None`` for an input without a tangent), or
- for every other op, its VJP *transposed*: the VJP is linear in its upstream gradient
  ``g``, ``vjp(g) = Jᵀg``, so ``⟨vjp(g), ẋ⟩ = ⟨g, Jẋ⟩`` and differentiating that with
  respect to ``g`` gives ``Jẋ``. One more reverse pass over the VJP's own ops does it (the
  "double-VJP" trick TensorFlow uses too). A VJP that does not depend on ``g`` at all (a
  step function's zeros) gives no tangent, as in TensorFlow.

When a tape records (reverse-over-forward) or another accumulator is active
(forward-over-forward), the rules run on tensors, so that the tangents are themselves
differentiable; otherwise they run on numpy arrays. A tape's gradient call made while an
accumulator is active runs its VJPs on tensors (forward-over-reverse: Hessian-vector
products).
"""

from __future__ import annotations

import numpy as np

from ._state import forward_any, state
from .i18n import _
from .tape import (
    GradientTape,
    UnconnectedGradients,
    _flatten,
    _rebuild,
    _remove,
    _unconnected_mode,
    backward,
)
from .tensor import TensorLike, _wrap, convert_to_tensor

__all__ = ["ForwardAccumulator", "carry", "step"]

_ndarray = np.ndarray


def _tensor_tangent(primal, tangent, i: int):
    """``tangent`` as a tensor of ``primal``'s dtype and shape (or a learner-worded error)."""
    want = primal._value.dtype
    if isinstance(tangent, TensorLike):
        got = tangent._value.dtype
        if got != want:
            raise ValueError(_(
                "Tensor conversion requested dtype {want} for Tensor with dtype {got}: the "
                "tangent for primal #{i} must have the primal's dtype. Try "
                "tf.cast(tangent, tf.{want}).").format(want=want.name, got=got.name, i=i))
    else:
        try:
            tangent = convert_to_tensor(tangent, dtype=want)
        except (TypeError, ValueError) as e:
            raise ValueError(_(
                "the tangent for primal #{i} cannot be made a {want} tensor ({why}); pass "
                "a tensor of the primal's dtype and shape, e.g. tf.ones_like(x).").format(
                    i=i, want=want.name, why=e)) from None
    if tangent._value.shape != primal._value.shape:
        raise ValueError(_(
            "Dimensions must be equal: the tangent for primal #{i} has shape {got} but the "
            "primal has shape {want}. A tangent is a direction to move the primal in, so it "
            "has exactly the primal's shape (e.g. tf.ones_like(x), or a one-hot tensor to "
            "pick one input).").format(i=i, got=list(tangent._value.shape),
                                      want=list(primal._value.shape)))
    return tangent


class ForwardAccumulator:
    """Compute Jacobian-vector products while the program runs (``tf.autodiff``).

    ``primals`` are the tensors (or variables, or a nested structure of them) whose
    tangents are given in ``tangents`` (the same structure, each tangent shaped like its
    primal). Inside ``with acc:``, every op also computes its output's tangent;
    ``acc.jvp(y)`` is then ``J_y(primals) @ tangents``.

    Examples
    --------
    >>> from adkernel import tf
    >>> x = tf.constant(2.0)
    >>> with tf.autodiff.ForwardAccumulator(primals=x, tangents=tf.constant(1.0)) as acc:
    ...     y = x ** 3
    >>> acc.jvp(y).numpy()
    np.float32(12.0)
    """

    def __init__(self, primals, tangents):
        self._tangents: dict = {}  # serial -> tangent (an array, or a tensor when recorded)
        self._recording = False
        self._watch(primals, tangents)

    def _watch(self, primals, tangents) -> None:
        """Give ``primals`` these ``tangents`` (TensorFlow's private ``_watch``, usable
        inside the block; a primal watched twice gets the sum of its tangents)."""
        flat_p: list = []
        flat_t: list = []
        template_p = _flatten(primals, flat_p)
        template_t = _flatten(tangents, flat_t)
        if _shape_of(template_p) != _shape_of(template_t):
            raise ValueError(_(
                "The two structures don't have the same nested structure: `primals` is "
                "{p!r} and `tangents` is {t!r}. Give one tangent per primal, in the same "
                "list, tuple or dict.").format(p=_shape_of(template_p), t=_shape_of(template_t)))
        for i, (p, t) in enumerate(zip(flat_p, flat_t, strict=True)):
            if not isinstance(p, TensorLike):
                raise AttributeError(_(
                    "'{type}' object has no attribute 'dtype': primal #{i} is {value!r}, not "
                    "a tensor. Make it one first, e.g. x = tf.constant({value!r}), and use x "
                    "in the computation.").format(type=type(p).__name__, i=i, value=p))
            t = _tensor_tangent(p, t, i)
            k = p._serial
            prev = self._tangents.get(k)
            self._tangents[k] = t if prev is None else _as_tensor(prev) + t

    def __enter__(self) -> ForwardAccumulator:
        if self._recording:
            raise ValueError(_("Accumulator is already recording: use a new "
                               "tf.autodiff.ForwardAccumulator for the inner block."))
        self._recording = True
        # numpy's floating-point warnings are off in the block (one errstate for the whole
        # block is much cheaper than one per op): a tangent that turns inf or NaN is a value,
        # as in TensorFlow, not a warning
        self._quiet = np.errstate(all="ignore")
        self._quiet.__enter__()
        state.forward.append(self)
        forward_any.append(self)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._recording = False
        _remove(state.forward, self)
        _remove(forward_any, self)
        self._quiet.__exit__(exc_type, exc, tb)

    def __getattr__(self, attr):
        if attr == "watch":
            raise AttributeError(_(
                "'ForwardAccumulator' object has no attribute 'watch': in TensorFlow a "
                "ForwardAccumulator gets its primals and tangents when it is created. Pass "
                "every input you want a tangent for there (a list or dict of primals with "
                "the same structure of tangents)."), name=attr, obj=self)
        raise AttributeError(attr)

    def jvp(self, primals, unconnected_gradients=UnconnectedGradients.NONE):
        """The tangent of each tensor in ``primals`` (a tensor or a nested structure).

        A tensor the watched primals do not reach (or an integer result) has ``None``, or
        zeros of its shape and dtype with ``unconnected_gradients="zero"``.
        """
        mode = _unconnected_mode(unconnected_gradients)
        flat: list = []
        template = _flatten(primals, flat)
        out = []
        for p in flat:
            if not isinstance(p, TensorLike):
                raise AttributeError(_(
                    "'{type}' object has no attribute '_id': acc.jvp takes tensors computed "
                    "inside the accumulator's block, got {value!r}.").format(
                        type=type(p).__name__, value=p))
            t = self._tangents.get(p._serial)
            if t is None and mode is UnconnectedGradients.ZERO:
                t = np.zeros(p._value.shape, dtype=p._value.dtype)
            out.append(None if t is None else _as_tensor(t))
        return _rebuild(template, out)

    def __repr__(self) -> str:
        kind = "recording" if self._recording else "not recording"
        return f"<ForwardAccumulator: {kind}, {len(self._tangents)} tangents>"


def _shape_of(template):
    """A structure template with its leaves blanked (to compare two structures)."""
    if isinstance(template, dict):
        return {k: _shape_of(v) for k, v in template.items()}
    if isinstance(template, list | tuple):
        return type(template)(_shape_of(v) for v in template)
    return "*"


def _as_tensor(t):
    return t if isinstance(t, TensorLike) else _wrap(t)


def _as_array(t):
    return t._value if isinstance(t, TensorLike) else t


# ----- one op: the engine's hook -----------------------------------------------------------


def step(op, args: tuple, vals: tuple, params, out) -> None:
    """Give ``out`` its tangent in every active accumulator (called by ``registry._emit``)."""
    active = state.forward
    if not active or not op.differentiable or out._value.dtype.kind not in "fc":
        return  # (another thread's accumulator; integer and boolean results and cut paths
        # carry no tangent, as in TensorFlow)
    recording = state.recording
    if recording and any(t._primal_only for t in recording):
        # a tape that keeps the program's own ops only does not see the tangent rules' ops
        state.recording = [t for t in recording if not t._primal_only]
        try:
            _step(op, args, vals, params, out, active)
        finally:
            state.recording = recording
        return
    _step(op, args, vals, params, out, active)


def _step(op, args: tuple, vals: tuple, params, out, active: list) -> None:
    if len(active) == 1 and op.jvp is not None and not state.recording:
        # the common case: one accumulator, an explicit rule, on arrays (no op is emitted)
        acc = active[0]
        known = acc._tangents
        tans = [None if a is None else known.get(a._serial) for a in args]
        for t in tans:
            if t is not None:
                break
        else:
            return
        t = op.jvp([_as_array(t) for t in tans], out._value, *vals, **(params or _NONE))
        if t is not None:
            known[out._serial] = _fit(t, out._value)
        return
    for i, acc in enumerate(tuple(active)):
        known = acc._tangents
        tans = [None if a is None or v.dtype.kind not in "fc" else known.get(a._serial)
                for a, v in zip(args, vals, strict=False)]
        if all(t is None for t in tans):
            continue
        # the rule's own ops are seen by the accumulators outside this one only
        state.forward = active[:i]
        try:
            t = _tangent(op, args, vals, params, out, tans, bool(i or state.recording))
        finally:
            state.forward = active
        if t is not None:
            known[out._serial] = t


_NONE: dict = {}


def _fit(t, out):
    """A tangent as an array of the output's shape and dtype."""
    if type(t) is not _ndarray or t.shape != out.shape:
        t = np.asarray(t)
        if t.shape != out.shape:
            t = np.array(np.broadcast_to(t, out.shape))
    return t if t.dtype == out.dtype else t.astype(out.dtype)


def _tangent(op, args, vals, params, out, tans, higher: bool):
    """The output tangent of one op (an array, or a tensor when ``higher``), or None."""
    params = params or _NONE
    if higher:  # tensors, so that tapes and outer accumulators see the rule's ops
        ins = [v if a is None else a for a, v in zip(args, vals, strict=False)]
        tans = [None if t is None else _as_tensor(t) for t in tans]
        o = out
    else:
        ins, o = vals, out._value
        tans = [None if t is None else _as_array(t) for t in tans]
    with np.errstate(all="ignore"):
        if op.jvp is not None:
            t = op.jvp(tans, o, *ins, **params)
        else:
            t = _transposed_vjp(op, tans, o, ins, params, higher)
    if t is None:
        return None
    if not higher:
        return _fit(t, out._value)
    return _broadcast(_as_tensor(t), out._value.shape)


def _broadcast(t, shape):
    """Tensor ``t`` broadcast to ``shape`` by an add the tapes record (this module sits
    below the ops)."""
    v = t._value
    return t if v.shape == shape else t + np.zeros(shape, dtype=v.dtype)


def _transposed_vjp(op, tans, o, ins, params, higher: bool):
    """``J @ tangents`` from the op's VJP: d/dg ⟨vjp(g), tangents⟩ (the double-VJP trick)."""
    if not higher:  # VJPs mix arrays and tensors only as the tape's higher mode does
        ins = [_wrap(v) if isinstance(v, _ndarray | np.generic) else v for v in ins]
        o = _wrap(o)
    ov = o._value
    aid = _wrap(np.ones(ov.shape, dtype=ov.dtype))  # any g works: the VJP is linear in g
    inner = GradientTape(watch_accessed_variables=False)
    inner.watch(aid)
    seen = inner.view()
    need = tuple(t is not None for t in tans)
    state.recording.append(inner)
    try:
        res = op.vjp(aid, o, need, *ins, **params)
    finally:
        _remove(state.recording, inner)
    targets, seeds = [], []
    for gi, t in zip(res, tans, strict=False):
        if t is None or not isinstance(gi, TensorLike) or not seen.tracks(gi._serial):
            continue  # no tangent in, or a gradient that does not depend on g
        gshape = gi._value.shape
        if higher:
            t = _broadcast(t, gshape)
        elif t.shape != gshape:
            t = np.broadcast_to(t, gshape)
        targets.append(gi)
        seeds.append(t)
    if not targets:
        return None
    return backward(list(seen.records), targets, seeds, higher=higher).get(aid._serial)


def carry(src, dst) -> None:
    """Give ``dst`` the tangents of ``src`` (a ``custom_gradient`` result: TensorFlow's
    forward mode differentiates the function's own ops, not its gradient function)."""
    for acc in state.forward:
        t = acc._tangents.get(src._serial)
        if t is not None:
            acc._tangents[dst._serial] = t
