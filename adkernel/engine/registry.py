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

from ._state import serials, state
from .tensor import (
    EagerTensor,
    TensorLike,
    _wrap,
    convert_to_tensor,
    dtype_mismatch,
    operand,
)

__all__ = ["REGISTRY", "OpDef", "apply", "defop", "make_binary", "make_unary", "record"]

REGISTRY: dict[str, OpDef] = {}


class OpDef:
    """A primitive: its name, numpy forward function and VJP."""

    __slots__ = ("differentiable", "doc", "forward", "name", "vjp")

    def __init__(self, name: str, forward: Callable, differentiable: bool = True):
        self.name = name
        self.forward = forward
        self.vjp: Callable | None = None
        self.differentiable = differentiable
        self.doc = (forward.__doc__ or "").strip()

    def defvjp(self, vjp: Callable) -> Callable:
        """Register ``vjp`` as this op's gradient rule (use as a decorator)."""
        if not self.differentiable:
            raise ValueError(f"op {self.name!r} is declared non-differentiable")
        self.vjp = vjp
        return vjp

    def __repr__(self) -> str:
        kind = "" if self.differentiable else ", not differentiable"
        return f"<op {self.name}{kind}>"


def defop(name: str, differentiable: bool = True) -> Callable[[Callable], OpDef]:
    """Register a primitive under ``name``; decorates its numpy forward function."""

    def register(forward: Callable) -> OpDef:
        if name in REGISTRY:
            raise ValueError(f"op {name!r} is registered twice")
        op = OpDef(name, forward, differentiable)
        REGISTRY[name] = op
        return op

    return register


def record(op: OpDef, args: tuple, vals: tuple, params, out) -> None:
    """Append an executed op to every recording tape that tracks one of its inputs.

    ``args`` holds the input objects (``None`` for plain numbers and arrays), ``vals``
    their numpy values at this moment: a later ``assign`` never changes what a tape saw.
    """
    entry = None
    for tape in state.recording:
        ids = tape._ids
        hit = False
        for a in args:
            if a is not None:
                if id(a) in ids:
                    hit = True
                elif tape._auto and a._is_variable and a.trainable:
                    tape._watch_one(a)
                    hit = True
        if hit:
            if entry is None:
                entry = (
                    op,
                    id(out),
                    tuple([0 if a is None else id(a) for a in args]),
                    vals,
                    params,
                    out,
                    args,
                )
            tape._entries.append(entry)
            ids.add(id(out))


def apply(op: OpDef, args: tuple, vals: tuple, params=None, out_type=None, out_init=None):
    """Run ``op`` on already converted ``vals`` and record it. Returns the output tensor."""
    value = op.forward(*vals) if params is None else op.forward(*vals, **params)
    if out_type is None:
        out = _wrap(value)
    else:
        out = out_type.__new__(out_type)
        out._value = value
        out._serial = next(serials)
        if out_init is not None:
            out._var, out._key = out_init
    if state.recording:
        record(op, args, vals, params, out)
    return out


def _record_fast(op, args: tuple, iids: tuple, vals: tuple, out) -> None:
    """``record`` for one- and two-input ops whose input ids are already known."""
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
                if a is not None and a._is_variable and a.trainable and id(a) not in ids:
                    tape._watch_one(a)
                    hit = True
        if hit:
            if entry is None:
                entry = (op, id(out), iids, vals, None, out, args)
            tape._entries.append(entry)
            ids.add(id(out))


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
            _record_fast(op, (x,), (id(x),), (v,), out)
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
                iids = (id(a), id(b))
            else:
                vb = operand(b, va.dtype)
                b = None
                iids = (id(a), 0)
        elif isinstance(b, TensorLike):
            vb = b._value
            va = operand(a, vb.dtype)
            a = None
            iids = (0, id(b))
        else:
            return binary(convert_to_tensor(a), b)
        out = new(EagerTensor)
        out._value = fwd(va, vb)
        out._serial = next(serials)
        if state.recording:
            _record_fast(op, (a, b), iids, (va, vb), out)
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
