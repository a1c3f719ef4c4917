"""The op registry: the one place that says everything about every primitive.

A primitive is one ``defop`` block::

    @defop("mul", uses=(0, 1), call="binary", tf=("multiply", "math.multiply"),
           numpy=np.multiply, operators=("__mul__", "__rmul__"), local=("{1}", "{0}"))
    def mul(x, y):
        '''x * y'''
        return x * y

    @mul.defvjp
    def mul_vjp(g, out, need, x, y):
        '''d(x*y)/dx = y, d(x*y)/dy = x'''
        return (g * y if need[0] else None), (g * x if need[1] else None)

The block carries the numpy ``forward``, its named ``vjp``, what the VJP reads
(``uses``), the op's public names in the ``tf`` namespace, its numpy alias and Python
operators, the hint shown when its gradient turns NaN (``nan``), why it cuts a gradient
path when it has none (``cut``), and the stepper's local-derivative formula
(``local``, one per input; ``{0}``, ``{1}`` are the inputs' names, ``{n}`` the number of
elements a reduction combines). The public function is generated from ``call`` (a
standard calling convention; ``arg`` names a one-input op's operand, ``x`` unless
TensorFlow says ``features`` or ``input``) or written in the block with ``@op.api``. The ``tf``
namespaces, ``__all__``, the numpy alias tables, the operators and the explanation
tables are all derived from here.

A VJP has the signature ``vjp(g, out, need, *inputs, **params)``: ``g`` is the upstream
gradient (shaped like ``out``, the forward result); ``need[i]`` is false when input ``i``
cannot receive a gradient (a plain number or array, or a tensor the tape does not track:
skip that work); it returns one gradient (or ``None``) per input. VJPs use numpy
functions and operators only, so the same code runs on numpy arrays (the fast path) and
on tensors (when an outer tape records the backward pass: higher derivatives). The
engine, not each VJP, sums gradients back over broadcast axes and checks shapes.

Non-differentiable ops (``argmax``, ``round``, comparisons, integer casts) are
registered with ``differentiable=False``: tapes still record them, so that
``tape.explain`` can say where a gradient path was cut, but no gradient flows.
Functions built only from primitives (``log_sigmoid``, ``norm``, ...) are registered
with :func:`composite` and need no VJP.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._state import forward_any, serials, state, trace_any
from .errors import from_numpy_error, invalid_argument, invalid_dtype
from .forward import step as forward_step
from .i18n import _, ngettext
from .tape import record
from .tensor import (
    _F64,
    EagerTensor,
    TensorLike,
    Variable,
    _contains_tensor,
    convert_to_tensor,
    dtype_mismatch,
    operand,
)

__all__ = [
    "REGISTRY",
    "OpDef",
    "apply",
    "bool_error",
    "composite",
    "defop",
    "exports",
    "list_beside_variable",
    "make_binary",
    "make_reduction",
    "make_unary",
    "numpy_aliases",
    "op_table",
    "operators",
    "variable_conversion_error",
]

REGISTRY: dict[str, OpDef] = {}
_COMPOSITES: list[tuple[Callable, tuple, tuple, tuple]] = []


def _as_tuple(v) -> tuple:
    if v is None:
        return ()
    return tuple(v) if isinstance(v, list | tuple) else (v,)


def _arity(forward: Callable | None) -> int:
    """How many inputs ``forward`` takes (32 when it takes any number)."""
    code = getattr(forward, "__code__", None)
    if code is None or code.co_flags & 0x04:  # not plain Python, or *args
        return 32
    return code.co_argcount


class OpDef:
    """A primitive: its forward function, VJP and everything the rest of adkernel derives.

    ``uses`` names what the VJP reads besides ``g``: input positions and/or ``"out"``.
    Tapes keep only those values alive (the others are replaced by their shape and
    dtype when large), so that a recorded forward pass holds no more memory than the
    backward pass needs. ``None`` means "everything".
    """

    __slots__ = ("api_fn", "arg", "call", "cut", "differentiable", "doc", "drop", "forward",
                 "jvp", "keep_out", "local", "name", "nan", "numpy", "numpy_fn", "operators",
                 "tf", "vjp")

    def __init__(self, name: str, forward: Callable | None, differentiable: bool = True,
                 uses=None, *, tf=(), numpy=(), operators=(), call=None, arg="x", nan=None,
                 cut=None, local=None):
        self.name = name
        self.forward = forward
        self.vjp: Callable | None = None
        self.jvp: Callable | None = None  # optional: forward mode transposes the VJP without it
        self.differentiable = differentiable
        self.doc = (forward.__doc__ or "").strip() if forward else ""
        if uses is None or not differentiable:
            self.drop = frozenset()
            self.keep_out = differentiable
        else:
            self.drop = frozenset(range(_arity(forward))) - {u for u in uses if isinstance(u, int)}
            self.keep_out = "out" in uses
        self.tf = _as_tuple(tf)
        self.numpy = _as_tuple(numpy)
        self.operators = _as_tuple(operators)
        self.call = call
        self.arg = arg
        self.nan = nan
        self.cut = cut
        self.local = _as_tuple(local) or None
        self.api_fn: Callable | None = None
        self.numpy_fn: Callable | None = None

    def defvjp(self, vjp: Callable) -> Callable:
        """Register ``vjp`` as this op's gradient rule (use as a decorator)."""
        if not self.differentiable:
            raise ValueError(_("op {op!r} is declared non-differentiable").format(op=self.name))
        self.vjp = vjp
        return vjp

    def defjvp(self, jvp: Callable) -> Callable:
        """Register ``jvp(tangents, out, *inputs, **params)`` as this op's forward-mode rule
        (use as a decorator). Optional: without it, forward mode derives the JVP from the
        VJP (``adkernel/engine/forward.py``); write one only where that is too slow."""
        if not self.differentiable:
            raise ValueError(_("op {op!r} is declared non-differentiable").format(op=self.name))
        self.jvp = jvp
        return jvp

    def api(self, fn: Callable) -> Callable:
        """Register ``fn`` as this op's public function (use as a decorator)."""
        fn.op = self
        self.api_fn = fn
        return fn

    def numpy_api(self, fn: Callable) -> Callable:
        """Register ``fn`` as what this op's ``numpy=`` aliases call, when numpy's
        arguments differ from the public function's (use as a decorator; see ``cumsum``)."""
        self.numpy_fn = fn
        return fn

    @property
    def public(self) -> Callable | None:
        """The user-facing function: written with ``@op.api``, or made from ``call``."""
        if self.api_fn is None and self.call is not None:
            self.api_fn = _MAKERS[self.call](self)
            self.api_fn.op = self
        return self.api_fn

    def __call__(self, *args, **params):
        """Apply the primitive to tensors, numbers or arrays (recorded on active tapes).

        VJPs call ops this way when their upstream gradient is a tensor (higher order).
        """
        dtype = next((a._value.dtype for a in args if isinstance(a, TensorLike)), None)
        if dtype is None:
            args = (convert_to_tensor(args[0]), *args[1:])
            dtype = args[0]._value.dtype
        objs = tuple(a if isinstance(a, TensorLike) else None for a in args)
        vals = tuple(a._value if isinstance(a, TensorLike) else operand(a, dtype)
                     if isinstance(a, float | int) else a for a in args)
        return apply(self, objs, vals, params or None)

    def __repr__(self) -> str:
        kind = "" if self.differentiable else ", not differentiable"
        return f"<op {self.name}{kind}>"


def defop(name: str, differentiable: bool = True, uses=None, **meta) -> Callable:
    """Register a primitive under ``name``; decorates its numpy forward function.

    ``uses`` lists what the VJP reads: input positions (``0``, ``1``, ...) and ``"out"``.
    The other keywords (``tf``, ``numpy``, ``operators``, ``call``, ``nan``, ``cut``,
    ``local``) are described in this module's docstring.
    """

    def register(forward: Callable) -> OpDef:
        if name in REGISTRY:
            raise ValueError(_("op {op!r} is registered twice").format(op=name))
        op = OpDef(name, forward, differentiable, uses, **meta)
        REGISTRY[name] = op
        return op

    return register


def composite(*tf_names: str, numpy=(), operators=()) -> Callable:
    """Register a public function built from primitives (no VJP of its own)."""

    def register(fn: Callable) -> Callable:
        _COMPOSITES.append((fn, tf_names, _as_tuple(numpy), _as_tuple(operators)))
        return fn

    return register


def _public_items():
    for op in REGISTRY.values():
        if op.tf or op.operators:
            yield op.public, op.tf, () if op.numpy_fn else op.numpy, op.operators
        if op.numpy_fn is not None:
            yield op.numpy_fn, (), op.numpy, ()
        elif op.numpy and not (op.tf or op.operators):
            yield op.public, (), op.numpy, ()
    yield from _COMPOSITES


def exports() -> dict[str, Callable]:
    """``{"math.multiply": fn, "multiply": fn, ...}``: every public name in ``tf``."""
    return {n: fn for fn, names, _, _ in _public_items() for n in names}


def numpy_aliases() -> dict:
    """``{np.multiply: fn, np.cumsum: fn, ...}``: the numpy functions (ufuncs and others)
    that run an adkernel op on tensors."""
    return {alias: fn for fn, _, aliases, _ in _public_items() for alias in aliases}


def operators() -> dict[str, Callable]:
    """``{"__mul__": fn, "__rmul__": reflected fn, ...}``: Python's operators on tensors."""
    table = {}
    for fn, _names, _aliases, dunders in _public_items():
        for d in dunders:
            table[d] = _reflected(fn, d) if _is_reflected(d) else fn
    return table


def _is_reflected(dunder: str) -> bool:
    return dunder.startswith("__r") and dunder not in ("__round__",)


def _reflected(fn, dunder):
    def reflected(self, other):
        if isinstance(other, _SEQUENCES) and isinstance(self, Variable):
            # TensorFlow's reflected operator converts ``other`` with the variable's dtype
            # (a list of tensors, or top_k's named tuple, is packed and cast), never the
            # variable to the list's
            other = _packed(other if type(other) in _SEQUENCES else tuple(other), self)
        return fn(other, self)

    reflected.__name__ = reflected.__qualname__ = dunder
    return reflected


# ----- running an op ---------------------------------------------------------------------


def serials_of(args: tuple) -> tuple:
    return tuple([0 if a is None else a._serial for a in args])


def _emit(op: OpDef, args: tuple, iids: tuple, vals: tuple, params, value, cls=EagerTensor,
          floats=None):
    """The one step every op ends with: wrap ``value`` in a new tensor, record it on the
    tapes that track an input (``iids``: the inputs' serials, 0 for numbers and arrays;
    ``floats``: True when every input is known to be float or complex, see ``record``)."""
    out = _new(cls)
    out._value = value
    out._serial = serial = next(serials)
    tapes = state.recording
    if tapes:
        record(tapes, op, args, iids, vals, params, value, serial, floats)
    if forward_any:  # a ForwardAccumulator is active: give the output its tangent
        forward_step(op, args, vals, params, out)
    if trace_any and state.trace is not None:  # a tf.function is being traced: one more step
        state.trace.op(op, args, vals, params, value)
    return out


_new = object.__new__
_ndarray = np.ndarray


def apply(op: OpDef, args: tuple, vals: tuple, params=None, out_type=None, out_init=None):
    """Run ``op`` on already converted ``vals`` and record it. Returns the output tensor."""
    try:
        value = op.forward(*vals) if params is None else op.forward(*vals, **params)
    except (ValueError, IndexError) as e:
        raise from_numpy_error(op.name, e, [np.shape(v) for v in vals]) from None
    out = _emit(op, args, serials_of(args), vals, params, value, out_type or EagerTensor)
    if out_init is not None:  # a slice of a variable: where an assignment through it goes
        out._var, out._key = out_init
    return out


def _float_error(opname: str, dtype) -> TypeError:
    """TensorFlow's InvalidArgumentError for a float-only op given ``dtype`` (an integer or
    bool tensor); adkernel's is also a ``TypeError``."""
    return invalid_dtype(
        _("{op} needs a float tensor, got {dtype}. Try tf.cast(x, tf.float32) first.").format(
            op=opname, dtype=dtype.name), op=opname)


def bool_error(opname: str) -> TypeError:
    """TensorFlow's InvalidArgumentError for arithmetic on a bool tensor (its kernels take
    numbers only); adkernel's is also a ``TypeError``."""
    return invalid_dtype(
        _("{op} does not work on bool tensors (True/False are not numbers in TensorFlow). "
          "Convert first: tf.cast(x, tf.float32) or tf.cast(x, tf.int32).").format(op=opname),
        op=opname)


def make_unary(op: OpDef, float_only: bool = True, bools: bool = False) -> Callable:
    """The user-facing function of a one-input op, e.g. ``tf.exp``. Integer inputs are
    refused when ``float_only``, bool inputs unless ``bools``."""
    fwd = op.forward
    opname = op.name
    accepts = "fc" if float_only else "fciub" if bools else "fciu"

    def unary(x, name=None):
        if not isinstance(x, TensorLike):
            x = convert_to_tensor(x)
        v = x._value
        kind = v.dtype.kind
        if kind not in accepts:
            raise _float_error(opname, v.dtype) if float_only else bool_error(opname)
        try:
            value = fwd(v)
        except (ValueError, IndexError) as e:
            raise from_numpy_error(opname, e, [v.shape]) from None
        return _emit(op, (x,), (x._serial,), (v,), None, value, EagerTensor, kind in "fc")

    unary.__name__ = unary.__qualname__ = (op.tf[0] if op.tf else opname).rsplit(".")[-1]
    unary.__doc__ = f"Elementwise {opname} (``{op.doc}``), recorded on active tapes."
    if op.arg != "x":  # TensorFlow's name for the operand (``features``, ``input``)
        unary.__code__ = unary.__code__.replace(
            co_varnames=(op.arg, *unary.__code__.co_varnames[1:]))
    return unary


_SEQUENCES = (list, tuple)


def _packed(value, other):
    """A list or tuple holding tensors (``tf.split``'s or ``tf.nn.moments``' result) stacked
    on the tape, as TensorFlow packs it, so gradients flow back into its parts. Beside a
    tensor of another dtype than the list's first tensor, TensorFlow converts the list with
    that dtype and its packing casts every tensor in it (top_k's ``(values, indices)`` / an
    int32 tensor: the float values are cast to int32); with the same dtype it casts nothing,
    so a tensor of a third dtype in the list fails. A list that cannot be packed is left as it
    was (that path raises)."""
    if type(value) not in _SEQUENCES or not _contains_tensor(value):
        return value
    dtype = other._value.dtype if isinstance(other, TensorLike) else None
    if dtype is not None and dtype != _first_dtype(value):
        try:
            return convert_to_tensor(_cast_items(value, dtype))
        except (TypeError, ValueError):
            return value
    packed = convert_to_tensor(value)
    if dtype is not None and packed._value.dtype != dtype:
        return value
    return packed


def variable_conversion_error(var, dtype) -> ValueError:
    """TensorFlow's ValueError for a variable converted to another dtype: its slow conversion
    path (an op given a Python list, or a list axis) takes the dtype of the first tensor or
    list and converts the other inputs to it, which a variable refuses."""
    return ValueError(_(
        "Incompatible type conversion requested to type {dtype} for a tf.Variable of type "
        "{vdtype}: the other inputs here are {dtype}, and TensorFlow converts a variable to "
        "another dtype only with tf.cast. Cast it first, e.g. tf.cast(v, tf.{dtype}), or give "
        "inputs of one dtype.").format(dtype=np.dtype(dtype).name,
                                      vdtype=var._value.dtype.name))


def list_beside_variable(x, y) -> None:
    """TensorFlow's slow conversion path for ``op(list, variable)``: the list is packed in its
    own dtype, then the variable must be converted to it (a ValueError for another dtype;
    a tensor instead of the variable sets the dtype and the list is cast)."""
    if isinstance(x, _SEQUENCES) and isinstance(y, Variable) and _contains_tensor(x):
        dtype = convert_to_tensor(list(x))._value.dtype  # packing tensors of two dtypes raises
        if dtype != y._value.dtype:
            raise variable_conversion_error(y, dtype)


def _first_dtype(value):
    """The dtype of the first tensor in ``value`` (nested lists), as TensorFlow infers the
    dtype of a list it packs: it casts the list's tensors only to another dtype than that."""
    if isinstance(value, TensorLike):
        return value._value.dtype
    if type(value) in _SEQUENCES:
        for v in value:
            found = _first_dtype(v)
            if found is not None:
                return found
    return None


def _cast_items(value, dtype):
    """``value`` (a tensor or nested lists of them) with every tensor cast to ``dtype``."""
    if isinstance(value, TensorLike):
        if value._value.dtype == dtype:
            return value
        return REGISTRY["cast"].public(value, dtype.name)
    if type(value) in _SEQUENCES:
        return [_cast_items(v, dtype) for v in value]
    return value


def make_binary(op: OpDef, bools: bool = False, on_bool: Callable | None = None,
                other: Callable | None = None) -> Callable:
    """The user-facing function of a two-input elementwise op, e.g. ``tf.multiply``.

    A Python number or numpy array adopts the dtype of the tensor it meets; two
    tensors must share a dtype. Bool tensors are refused unless ``bools``; ``on_bool(x, y)``,
    when given, computes the result instead when a bool tensor ``x`` (or ``y``) meets an
    operand of another dtype (the ``*`` operator's cast through int32). ``other(x, y)``, when
    given, replaces the general path: everything but the fast cases below (``add``'s own
    conversion rules).
    """
    fwd = op.forward
    opname = op.name

    def binary(x, y, name=None):
        # The fast cases: nothing to convert or refuse. Two tensors of one dtype, or a tensor
        # beside an array of its dtype (or a Python float beside float64), no bools.
        if isinstance(x, TensorLike):
            vx = x._value
            dt = vx.dtype
            if isinstance(y, TensorLike):
                vy = y._value
                fast = vy.dtype is dt and dt.kind != "b"
                iids, args = (x._serial, y._serial), (x, y)
            else:
                vy = y
                fast = (type(y) is _ndarray and y.dtype is dt and dt.kind != "b") or (
                    type(y) is float and dt is _F64)
                iids, args = (x._serial, 0), (x, None)
        elif isinstance(y, TensorLike):
            vx, vy = x, y._value
            dt = vy.dtype
            fast = (type(x) is _ndarray and x.dtype is dt and dt.kind != "b") or (
                type(x) is float and dt is _F64)
            iids, args = (0, y._serial), (None, y)
        else:
            fast = False
        if fast:
            try:
                value = fwd(vx, vy)
            except (ValueError, IndexError) as e:
                raise from_numpy_error(opname, e, [np.shape(vx), np.shape(vy)]) from None
            return _emit(op, args, iids, (vx, vy), None, value, EagerTensor, dt.kind in "fc")
        return general(x, y) if other is None else other(x, y)

    def general(x, y):
        # lists (rare) are packed first
        if isinstance(x, TensorLike):
            if on_bool is not None and (x._value.dtype.kind == "b" or (
                    isinstance(y, TensorLike) and y._value.dtype.kind == "b")) and not (
                    isinstance(y, TensorLike) and y._value.dtype == x._value.dtype):
                return on_bool(x, y)
            if type(y) in _SEQUENCES:
                y = _packed(y, x)
        elif type(x) in _SEQUENCES or type(y) in _SEQUENCES:
            list_beside_variable(x, y)
            x, y = _packed(x, y), _packed(y, x)
        elif isinstance(x, tuple) and isinstance(y, Variable):  # a named tuple (top_k's)
            list_beside_variable(x, y)
        if isinstance(x, TensorLike):
            vx = x._value
            if isinstance(y, TensorLike):
                vy = y._value
                if vx.dtype is not vy.dtype and vx.dtype != vy.dtype:
                    raise dtype_mismatch(opname, vx.dtype, vy.dtype)
                iids = (x._serial, y._serial)
            else:  # an array of the tensor's dtype is taken as it is (the common case)
                vy = y if type(y) is _ndarray and y.dtype is vx.dtype else operand(y, vx.dtype)
                y = None
                iids = (x._serial, 0)
        elif isinstance(y, TensorLike):
            vy = y._value
            vx = x if type(x) is _ndarray and x.dtype is vy.dtype else operand(x, vy.dtype)
            x = None
            iids = (0, y._serial)
        else:
            return general(convert_to_tensor(x), y)
        if not bools and type(vx) is not float and vx.dtype.kind == "b":
            raise bool_error(opname)
        try:
            value = fwd(vx, vy)
        except (ValueError, IndexError) as e:
            raise from_numpy_error(opname, e, [np.shape(vx), np.shape(vy)]) from None
        return _emit(op, (x, y), iids, (vx, vy), None, value)

    binary.__name__ = binary.__qualname__ = (op.tf[0] if op.tf else opname).rsplit(".")[-1]
    binary.__doc__ = f"Elementwise {opname} (``{op.doc}``), recorded on active tapes."
    binary.general = general  # the path without the fast cases (tests compare the two)
    return binary


def _axis(axis):
    """Normalise an ``axis`` argument: None, an int, or a tuple of ints."""
    if axis is None:
        return None
    if isinstance(axis, TensorLike):
        axis = axis.numpy()
    if isinstance(axis, list | tuple | np.ndarray):
        return tuple(int(a) for a in np.asarray(axis).reshape(-1).tolist())
    return int(axis)


def check_scalar_axes(opname: str, tfop: str, axis, ndim: int) -> None:
    """TensorFlow's InvalidArgumentError for an axis given to a rank-0 tensor, which has no
    axis to reduce (numpy accepts ``axis=0`` and ``-1`` there; TensorFlow does not)."""
    if ndim or axis is None or axis == ():
        return
    raise invalid_argument(
        _("{op}: axis {axis} is out of range for a scalar (a rank-0 tensor has no axes). "
          "Leave the axis out, or give a tensor of rank 1 or more.").format(
            op=opname, axis=list(axis) if isinstance(axis, tuple) else axis),
        op=tfop, index=True)


def make_reduction(op: OpDef, float_only: bool = False) -> Callable:
    """The user-facing function of a reduction, e.g. ``tf.reduce_sum(x, axis, keepdims)``."""
    fwd = op.forward
    opname = op.name

    def reduce(input_tensor, axis=None, keepdims=False, name=None):
        x = input_tensor if isinstance(input_tensor, TensorLike) else convert_to_tensor(
            input_tensor)
        v = x._value
        if v.dtype.kind not in "fciu" or (float_only and v.dtype.kind not in "fc"):
            raise _float_error(opname, v.dtype) if float_only else bool_error(opname)
        if axis is None and not keepdims:  # (no axis: cannot fail on shapes)
            return _emit(op, (x,), (x._serial,), (v,), None, fwd(v))
        given = np.asarray(axis.numpy() if isinstance(axis, TensorLike) else axis)
        if given.size and given.dtype.kind == "f":
            raise TypeError(_("{op}: axis must be an integer or a list of integers, got "
                              "{axis!r}.").format(op=opname, axis=axis))
        axis = _axis(axis)
        check_scalar_axes(opname, op.tf[0] if op.tf else opname, axis, v.ndim)
        return apply(op, (x,), (v,), {"axis": axis, "keepdims": bool(keepdims)})

    reduce.__name__ = reduce.__qualname__ = (op.tf[0] if op.tf else opname).rsplit(".")[-1]
    reduce.__doc__ = f"{op.doc} (``{opname}``), recorded on active tapes."
    return reduce


_MAKERS = {
    "unary": make_unary,
    "unary_any": lambda op: make_unary(op, float_only=False),
    "unary_all": lambda op: make_unary(op, float_only=False, bools=True),
    "binary": make_binary,
    "binary_all": lambda op: make_binary(op, bools=True),
    "reduce": make_reduction,
    "reduce_float": lambda op: make_reduction(op, float_only=True),
}


def op_table() -> str:
    """A Markdown table of every primitive, its forward rule, its gradient convention and
    its forward-mode rule.

    ``docs/ops.md`` is this table (``python tools/ops_doc.py`` rewrites it); a test keeps the
    two in step.
    """
    lines = [
        "| op | tf names | computes | gradient (VJP) | forward mode (JVP) |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(REGISTRY):
        op = REGISTRY[name]
        grad = (op.vjp.__doc__ or "").strip() if op.vjp else "none: declared non-differentiable"
        jvp = ((op.jvp.__doc__ or "").strip() if op.jvp else "the VJP, transposed"
               ) if op.vjp else "no tangent"
        names = ", ".join(f"`tf.{n}`" for n in op.tf) or "(internal)"
        cells = [f"`{name}`", names, op.doc, grad, jvp]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# ----- argument helpers for the public functions ------------------------------------------


def one(x) -> tuple[TensorLike, object]:
    """``(tensor, value)`` for one input (numbers and arrays are converted)."""
    if not isinstance(x, TensorLike):
        x = convert_to_tensor(x)
    return x, x._value


def unify(op_name: str, xs) -> tuple[tuple, tuple]:
    """(args, values) for several inputs that must share one dtype.

    The first tensor sets the dtype; Python numbers and arrays adopt it. With no
    tensor at all, the first value is converted with TensorFlow's defaults.
    """
    if any(type(x) in _SEQUENCES for x in xs):  # tensors in a list: stacked on the tape
        first = next((x for x in xs if isinstance(x, TensorLike)), None)
        xs = tuple(_packed(x, first) for x in xs)
    dtype = None
    for i, x in enumerate(xs):
        if isinstance(x, TensorLike):
            d = x._value.dtype
            if dtype is None:
                dtype = d
            elif d != dtype:
                raise dtype_mismatch(op_name, dtype, d, i)
    if dtype is None:
        first = convert_to_tensor(xs[0])
        xs = (first, *xs[1:])
        dtype = first._value.dtype
    args = []
    vals = []
    for x in xs:
        if isinstance(x, TensorLike):
            args.append(x)
            vals.append(x._value)
        else:
            args.append(None)
            vals.append(operand(x, dtype))
    return tuple(args), tuple(vals)


def float_check(name: str, v) -> None:
    """Raise TensorFlow's InvalidArgumentError unless ``v`` is a float (or complex) array."""
    if v.dtype.kind not in "fc":
        raise _float_error(name, v.dtype)


def shape_arg(shape) -> tuple:
    """A shape argument (tuple, list, tensor, int) as a tuple of ints (None -> -1)."""
    if isinstance(shape, TensorLike):
        shape = shape.numpy()
    if isinstance(shape, np.ndarray):
        shape = shape.tolist()
    if isinstance(shape, int | np.integer):
        return (int(shape),)
    return tuple(-1 if s is None else int(s) for s in shape)


axis_arg = _axis


def scalar_axis(opname: str, tfop: str, axis, floats: bool = False, one_item: bool = False) -> int:
    """One integer axis, checked as TensorFlow checks it: None is a ValueError, a float a
    TypeError (unless ``floats``: the Python wrappers that compare the axis themselves take
    1.0), and a list an InvalidArgumentError (unless ``one_item``: a list of one is taken)."""
    if axis is None:
        raise ValueError(_("{op}: axis must be an integer, got None. Give the axis to work "
                           "along, e.g. axis=0 or axis=-1.").format(op=opname))
    if isinstance(axis, TensorLike):
        axis = axis.numpy()
    a = np.asarray(axis)
    if a.dtype.kind == "f" and not floats:
        raise TypeError(_("{op}: axis must be an integer, got {axis!r}.").format(
            op=opname, axis=axis))
    if (a.ndim and not (one_item and a.size == 1)) or a.dtype.kind not in "biuf":
        raise invalid_argument(_("{op}: axis must be one integer, got {axis!r}.").format(
            op=opname, axis=axis), op=tfop)
    return int(a.reshape(()))


def refuse(fn_name: str, **given) -> None:
    """Raise ``NotImplementedError`` naming each keyword argument given a value adkernel
    does not implement (``given`` maps the name to whether a non-default value came)."""
    bad = [k for k, v in given.items() if v]
    if bad:
        raise NotImplementedError(ngettext(
            "{fn}: the argument {names} is not "
            "supported by adkernel (accepted for compatibility only with the default "
            "value). Leave it out, or see docs/tf-compat.md.",
            "{fn}: the arguments {names} are not "
            "supported by adkernel (accepted for compatibility only with the default "
            "value). Leave it out, or see docs/tf-compat.md.", len(bad)).format(
                fn=fn_name, names=", ".join(repr(b) for b in bad)))
