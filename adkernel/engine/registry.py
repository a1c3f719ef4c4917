"""The op registry and the code every op runs: convert operands, compute, record.

Each primitive is an :class:`OpDef`: a numpy ``forward`` function plus one named
``vjp`` (vector-Jacobian product) registered next to it with ``@op.defvjp``. A VJP
has the signature ``vjp(g, out, need, *inputs, **params)``:

* ``g`` is the upstream gradient (shaped like ``out``), ``out`` the forward result;
* ``need[i]`` is falsy when input ``i`` is a plain number or array, which never
  wants a gradient (skip that work: ``X @ W`` with an ndarray ``X`` needs only dW);
* it returns one gradient (or ``None``) per input.

VJPs are written with numpy functions and operators only, so the same code runs on
numpy arrays (the fast path) and on tensors (when an outer tape records the backward
pass, which is how higher derivatives work). The engine, not each VJP, sums a
gradient back to the shape of a broadcast input and checks every returned shape.

Non-differentiable ops (``argmax``, ``round``, comparisons, integer casts) are
registered with ``differentiable=False``: tapes still record them, so that
``tape.explain`` can say where a gradient path was cut, but no gradient flows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._state import serials, state
from .tensor import (
    EagerTensor,
    TensorLike,
    convert_to_tensor,
    dtype_mismatch,
    operand,
)

__all__ = ["REGISTRY", "OpDef", "apply", "defop", "make_binary", "make_unary", "record"]

REGISTRY: dict[str, OpDef] = {}


class OpDef:
    """A primitive: its name, numpy forward function and VJP.

    ``uses`` names what the VJP reads besides ``g``: input positions and/or ``"out"``.
    Tapes keep only those values alive (the others are replaced by their shape and
    dtype when large), so that a recorded forward pass holds no more memory than the
    backward pass needs. ``None`` means "everything".
    """

    __slots__ = ("differentiable", "doc", "drop", "forward", "keep_out", "name", "vjp")

    def __init__(self, name: str, forward: Callable, differentiable: bool = True, uses=None):
        self.name = name
        self.forward = forward
        self.vjp: Callable | None = None
        self.differentiable = differentiable
        self.doc = (forward.__doc__ or "").strip() if forward else ""
        if uses is None or not differentiable:
            self.drop = frozenset()
            self.keep_out = differentiable
        else:
            self.drop = frozenset(range(32)) - {u for u in uses if isinstance(u, int)}
            self.keep_out = "out" in uses

    def defvjp(self, vjp: Callable) -> Callable:
        """Register ``vjp`` as this op's gradient rule (use as a decorator)."""
        if not self.differentiable:
            raise ValueError(f"op {self.name!r} is declared non-differentiable")
        self.vjp = vjp
        return vjp

    def __repr__(self) -> str:
        kind = "" if self.differentiable else ", not differentiable"
        return f"<op {self.name}{kind}>"


def defop(name: str, differentiable: bool = True, uses=None) -> Callable[[Callable], OpDef]:
    """Register a primitive under ``name``; decorates its numpy forward function.

    ``uses`` lists what the VJP reads: input positions (``0``, ``1``, ...) and ``"out"``.
    """

    def register(forward: Callable) -> OpDef:
        if name in REGISTRY:
            raise ValueError(f"op {name!r} is registered twice")
        op = OpDef(name, forward, differentiable, uses)
        REGISTRY[name] = op
        return op

    return register


class Meta:
    """Stand-in for a saved value the VJP does not read: only its shape and dtype."""

    __slots__ = ("dtype", "ndim", "shape")

    def __init__(self, value):
        self.shape = value.shape
        self.dtype = value.dtype
        self.ndim = value.ndim

    def __repr__(self) -> str:
        return f"<not saved: shape={self.shape} dtype={self.dtype}>"


_ndarray = np.ndarray
_BIG = 1024  # values smaller than this are kept: replacing them costs more than it saves


def _slim(op: OpDef, vals: tuple) -> tuple:
    drop = op.drop
    for v in vals:
        if type(v) is _ndarray and v.size > _BIG:
            break
    else:
        return vals
    out = []
    for i, v in enumerate(vals):
        if i in drop and type(v) is _ndarray and v.size > _BIG:
            v = Meta(v)
        out.append(v)
    return tuple(out)


def _slim_out(v):
    return Meta(v) if type(v) is _ndarray and v.size > _BIG else v


def record(op: OpDef, args: tuple, iids: tuple, vals: tuple, params, out) -> None:
    """Append an executed op to every recording tape that tracks one of its inputs.

    ``args`` holds the input objects (``None`` for plain numbers and arrays), ``iids``
    their serial numbers (0 for non-tensors) and ``vals`` their numpy values at this
    moment: a later ``assign`` never changes what a tape saw. Tapes key everything by
    serial number, never by ``id()``, so they need not keep tensors alive.
    """
    entry = None
    for tape in state.recording:
        ids = tape._ids
        hit = False
        for k in iids:
            if k in ids:
                hit = True
                break
        if tape._auto:
            for a in args:
                if a is not None and a._is_variable and a.trainable and a._serial not in ids:
                    tape._watch_one(a)
                    hit = True
        if hit:
            if entry is None:
                entry = (
                    op,
                    out._serial,
                    iids,
                    _slim(op, vals) if op.drop else vals,
                    params,
                    out._value if op.keep_out else _slim_out(out._value),
                )
            tape._entries.append(entry)
            ids.add(out._serial)


def serials_of(args: tuple) -> tuple:
    return tuple([0 if a is None else a._serial for a in args])


def apply(op: OpDef, args: tuple, vals: tuple, params=None, out_type=None, out_init=None):
    """Run ``op`` on already converted ``vals`` and record it. Returns the output tensor."""
    value = op.forward(*vals) if params is None else op.forward(*vals, **params)
    out = object.__new__(EagerTensor if out_type is None else out_type)
    out._value = value
    out._serial = next(serials)
    if out_init is not None:
        out._var, out._key = out_init
    if state.recording:
        record(op, args, serials_of(args), vals, params, out)
    return out


def make_unary(op: OpDef, float_only: bool = True) -> Callable:
    """The user-facing function of a one-input op, e.g. ``tf.exp``."""
    fwd = op.forward
    opname = op.name
    new = object.__new__

    def unary(x, name=None):
        if not isinstance(x, TensorLike):
            x = convert_to_tensor(x)
        v = x._value
        if float_only and v.dtype.kind not in "fc":
            raise TypeError(
                f"{opname} needs a float tensor, got {v.dtype.name}. "
                f"Try tf.cast(x, tf.float32) first."
            )
        out = new(EagerTensor)
        out._value = fwd(v)
        out._serial = next(serials)
        if state.recording:
            record(op, (x,), (x._serial,), (v,), None, out)
        return out

    unary.__name__ = opname
    unary.__qualname__ = opname
    unary.__doc__ = f"Elementwise {opname} (``{op.doc}``), recorded on active tapes."
    return unary


def make_binary(op: OpDef) -> Callable:
    """The user-facing function of a two-input elementwise op, e.g. ``tf.multiply``.

    A Python number or numpy array adopts the dtype of the tensor it meets; two
    tensors must share a dtype.
    """
    fwd = op.forward
    opname = op.name
    new = object.__new__

    def binary(a, b, name=None):
        if isinstance(a, TensorLike):
            va = a._value
            if isinstance(b, TensorLike):
                vb = b._value
                if va.dtype is not vb.dtype and va.dtype != vb.dtype:
                    raise dtype_mismatch(opname, va.dtype, vb.dtype)
                iids = (a._serial, b._serial)
            else:
                vb = operand(b, va.dtype)
                b = None
                iids = (a._serial, 0)
        elif isinstance(b, TensorLike):
            vb = b._value
            va = operand(a, vb.dtype)
            a = None
            iids = (0, b._serial)
        else:
            return binary(convert_to_tensor(a), b)
        out = new(EagerTensor)
        out._value = fwd(va, vb)
        out._serial = next(serials)
        if state.recording:
            record(op, (a, b), iids, (va, vb), None, out)
        return out

    binary.__name__ = opname
    binary.__qualname__ = opname
    binary.__doc__ = f"Elementwise {opname} (``{op.doc}``), recorded on active tapes."
    return binary


def op_table() -> str:
    """A Markdown table of every primitive, its forward rule and its gradient convention.

    ``docs/ops.md`` is this table; a test keeps the two in step.
    """
    lines = [
        "| op | computes | gradient (VJP) |",
        "|---|---|---|",
    ]
    for name in sorted(REGISTRY):
        op = REGISTRY[name]
        grad = (op.vjp.__doc__ or "").strip() if op.vjp else "none: declared non-differentiable"
        lines.append(f"| `{name}` | {op.doc} | {grad} |")
    return "\n".join(lines) + "\n"
