"""NumPy interoperability: numpy functions called on tensors stay on the tape.

``np.sin(x)``, ``X @ W`` or ``y - pred`` with a numpy array on one side call
:meth:`TensorLike.__array_ufunc__`, which runs the matching adkernel op, so the
result is a recorded tensor. ``np.sum``, ``np.reshape``, ``np.sort`` and friends
arrive through ``__array_function__`` and are mapped the same way.

Every numpy function adkernel knows is in exactly one of three groups:

* **recorded** (``_ufunc_table()`` and ``_array_function_table()``): it runs adkernel
  ops, so the result is on the tape and its gradient is right. A few of them give
  TensorFlow's ``None`` gradient on purpose (``np.round``, ``np.floor``, comparisons).
  Arguments adkernel cannot record (``np.percentile(..., method='nearest')``,
  ``np.sum(..., where=...)``) raise ``NotImplementedError`` naming the argument when
  a tape watches an input, and simply run in numpy otherwise.
* **value-only** (``_VALUE_ONLY`` and ``_VALUE_ONLY_UFUNCS``): their results carry no
  float value that depends on the input (indices, booleans, strings, shapes, files),
  so they run on the values, as numpy would, even on watched tensors.
* **refused** (``_REFUSED``, and every numpy function or ufunc adkernel does not
  know): on a tensor that a recording tape watches they raise
  :class:`NotDifferentiableError` saying what to use instead (the result would
  silently have no gradient); on anything else they run on the values.

**TensorFlow's rule, on request.** TensorFlow converts a tensor handed to a numpy function
to an array: ``np.mean(x)`` returns a numpy value and the tape never sees it (the guide
``autodiff.ipynb`` teaches that the gradient is then ``None``). :func:`set_numpy_leaves_tape`
(process-wide) and the :func:`numpy_leaves_tape` context manager (this thread) switch that
rule on: numpy functions and ufuncs called on tensors then compute on the plain arrays and
return what numpy returns, as in TensorFlow, while Python's operators (``X @ W``,
``array * x``, ``x > array``) still run adkernel ops, as TensorFlow's do, and so do numpy
calls made by adkernel's own code. ``run-tf`` turns it on. With the switch off (the
default: the course, ``%%tape``) the first recorded numpy call on a watched tensor prints a
one-line note, once per process, saying that TensorFlow would have dropped it.
"""

from __future__ import annotations

import dis
import itertools
import sys
import threading
from contextlib import contextmanager

import numpy as np

from . import ops, sorting
from ._state import state, trace_any
from .errors import InvalidArgumentError, NotDifferentiableError
from .i18n import _, lazy, ngettext
from .registry import _public_items, numpy_aliases
from .tape import tracked as _tracked
from .tensor import TensorLike, convert_to_tensor


def _any_tracked(items) -> bool:
    for x in items:
        if isinstance(x, TensorLike):
            if _tracked(x):
                return True
        elif isinstance(x, list | tuple):
            if _any_tracked(x):
                return True
    return False


def _read(x):
    """``_to_numpy`` for a value that leaves the tape (a numpy result): a traced function
    guards each tensor's value (the replay checks it is still the one seen)."""
    if trace_any and state.trace is not None:
        for t in _tensors_in(x):
            state.trace.guard(t, "array")
    return _to_numpy(x)


def _tensors_in(x):
    if isinstance(x, TensorLike):
        yield x
    elif isinstance(x, list | tuple):
        for i in x:
            yield from _tensors_in(i)
    elif isinstance(x, dict):
        for i in x.values():
            yield from _tensors_in(i)


def _to_numpy(x):
    if isinstance(x, TensorLike):
        return x._value
    if isinstance(x, list):
        return [_to_numpy(i) for i in x]
    if isinstance(x, tuple):
        return tuple(_to_numpy(i) for i in x)
    if isinstance(x, dict):
        return {k: _to_numpy(v) for k, v in x.items()}
    return x


def _values(a) -> np.ndarray:
    return np.asarray(a._value if isinstance(a, TensorLike) else a)


# ----- TensorFlow's rule: numpy calls leave the tape (opt-in) ---------------------------


class _Forced(threading.local):
    forced = None  # numpy_leaves_tape() context manager: this thread only


# "on": set_numpy_leaves_tape(), process-wide like a notebook's setting; "blocks": the
# numpy_leaves_tape() blocks open in all threads; "check": either may apply somewhere (the
# one lookup every numpy call on a tensor makes while the rule is off everywhere).
_LEAVE = {"on": False, "blocks": 0, "check": False}
_LEAVE_LOCK = threading.Lock()
_local = _Forced()
_NOTE = {"shown": False}  # the note about TensorFlow's rule: once per process


def set_numpy_leaves_tape(on: bool) -> None:
    """From now on, numpy functions called on tensors leave the tape (``True``), as in
    TensorFlow, or are recorded (``False``, adkernel's default). Process-wide; a
    :func:`numpy_leaves_tape` block overrides it in its own thread.

    With ``True``, ``np.mean(x)`` computes on the plain values and returns a numpy value
    (nothing is recorded, so a gradient through it is ``None``, as in TensorFlow);
    operators (``x * 2``, ``array @ w``) are still recorded, as they are in TensorFlow.

    >>> import adkernel
    >>> adkernel.set_numpy_leaves_tape(True)
    >>> adkernel.set_numpy_leaves_tape(False)
    """
    flag = _flag(on, "set_numpy_leaves_tape")
    with _LEAVE_LOCK:
        _LEAVE["on"] = flag
        _LEAVE["check"] = flag or _LEAVE["blocks"] > 0


def get_numpy_leaves_tape() -> bool:
    """Whether numpy functions on tensors leave the tape in this thread now (see
    :func:`set_numpy_leaves_tape`)."""
    forced = _local.forced
    return _LEAVE["on"] if forced is None else forced


@contextmanager
def numpy_leaves_tape(on: bool = True):
    """Inside the ``with`` block, in this thread only, numpy functions on tensors leave the
    tape (``on=True``, TensorFlow's rule) or are recorded (``on=False``).

    >>> import numpy as np
    >>> import adkernel
    >>> from adkernel import tf
    >>> x = tf.Variable([1.0, 2.0])
    >>> with adkernel.numpy_leaves_tape(), tf.GradientTape() as tape:
    ...     y = tf.reduce_sum(np.square(x))
    >>> print(tape.gradient(y, x))
    None
    """
    flag = _flag(on, "numpy_leaves_tape")
    previous = _local.forced
    with _LEAVE_LOCK:
        _LEAVE["blocks"] += 1
        _LEAVE["check"] = True
    _local.forced = flag
    try:
        yield flag
    finally:
        _local.forced = previous
        with _LEAVE_LOCK:
            _LEAVE["blocks"] -= 1
            _LEAVE["check"] = _LEAVE["on"] or _LEAVE["blocks"] > 0


def _flag(on, function: str) -> bool:
    if not isinstance(on, bool | np.bool_):
        raise TypeError(_("{function} takes True or False, not {value!r}.").format(
            function=function, value=on))
    return bool(on)


_SKIPPED = ("adkernel.engine.tensor", "adkernel.engine.numpy_interop")


def _caller():
    """The frame that called numpy: the first one outside numpy and this bridge."""
    f = sys._getframe(2)  # (the caller's caller: array_ufunc / array_function at least)
    while f is not None:
        module = f.f_globals.get("__name__") or ""
        if not (module in _SKIPPED or module.startswith("numpy")):
            return f
        f = f.f_back
    return None


def _internal(frame) -> bool:
    """adkernel's own code calling numpy on tensors: recorded whatever the switch says (in
    TensorFlow such calls are TensorFlow's own ops)."""
    module = (frame.f_globals.get("__name__") or "") if frame is not None else ""
    return module == "adkernel" or module.startswith("adkernel.")


_OPERATOR_AT: dict = {}  # (code, instruction offset) -> is it an operator? (bounded)


def _is_operator(frame) -> bool:
    """The ufunc runs for a Python operator (``array * x``, ``array > x``), not a call: the
    instruction the calling frame is at says which."""
    if frame is None:
        return False
    key = (frame.f_code, frame.f_lasti)
    known = _OPERATOR_AT.get(key)
    if known is None:
        try:
            name = dis.opname[frame.f_code.co_code[frame.f_lasti]]
        except (IndexError, ValueError):  # pragma: no cover - an interpreter we do not know
            name = ""
        known = name.startswith(("BINARY_", "INPLACE_")) or name == "COMPARE_OP"
        if len(_OPERATOR_AT) > 4096:
            _OPERATOR_AT.clear()
        _OPERATOR_AT[key] = known
    return known


def _leaves(ufunc: bool) -> bool:
    """Under TensorFlow's rule, does this numpy call leave the tape? Not for operators,
    and not for adkernel's own calls."""
    frame = _caller()
    return not (_internal(frame) or (ufunc and _is_operator(frame)))


def _plain(x):
    """``x`` with every tensor replaced by a read-only view of its values."""
    if isinstance(x, TensorLike):
        return x.__array__()
    if isinstance(x, list):
        return [_plain(i) for i in x]
    if isinstance(x, tuple):
        return tuple(_plain(i) for i in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


# numpy function -> the TensorFlow function that stays on the tape in both (the ufuncs'
# come from the op blocks' aliases; these are the rest).
_TF_EQUIVALENT = {
    "mean": "tf.reduce_mean", "sum": "tf.reduce_sum", "max": "tf.reduce_max",
    "amax": "tf.reduce_max", "min": "tf.reduce_min", "amin": "tf.reduce_min",
    "prod": "tf.reduce_prod", "var": "tf.math.reduce_variance", "std": "tf.math.reduce_std",
    "reshape": "tf.reshape", "transpose": "tf.transpose", "swapaxes": "tf.transpose",
    "moveaxis": "tf.transpose", "expand_dims": "tf.expand_dims", "squeeze": "tf.squeeze",
    "concatenate": "tf.concat", "stack": "tf.stack", "split": "tf.split",
    "broadcast_to": "tf.broadcast_to", "copy": "tf.identity", "where": "tf.where",
    "clip": "tf.clip_by_value", "take": "tf.gather", "dot": "tf.tensordot",
    "einsum": "tf.einsum", "linalg.solve": "tf.linalg.solve", "linalg.norm": "tf.norm",
    "round": "tf.round", "around": "tf.round", "sort": "tf.sort", "cumsum": "tf.cumsum",
    "tensordot": "tf.tensordot", "add.reduce": "tf.reduce_sum", "logical_and":
    "tf.logical_and", "logical_or": "tf.logical_or", "logical_xor": "tf.math.logical_xor",
    "logical_not": "tf.logical_not",
}


def _tf_equivalent(name: str) -> str | None:
    if name in _TF_EQUIVALENT:
        return _TF_EQUIVALENT[name]
    for _fn, tf_names, aliases, _dunders in _public_items():
        if tf_names and any(getattr(a, "__name__", None) == name for a in aliases):
            return "tf." + tf_names[0]
    return None


def _note_recorded(name: str, result) -> None:
    """Once per process: a learner's numpy call on a watched tensor was recorded, where
    TensorFlow would have left the tape (see :func:`set_numpy_leaves_tape`). The ufuncs
    come here only when their first operand is a tensor, so never for an operator (``X @
    W`` reaches numpy only with ``X`` an array or a numpy scalar)."""
    if not _any_tracked((result,)) or _internal(_caller()):
        return
    _NOTE["shown"] = True
    tf_name = _tf_equivalent(name)
    if tf_name:
        text = _("Note: np.{name} on a tensor is recorded by adkernel's tape. TensorFlow "
                 "would compute it in numpy and return a numpy array, so the gradient "
                 "through it would be None: use {tf_name} to stay on the tape in both. "
                 "(This note is shown once.)").format(name=name, tf_name=tf_name)
    else:
        text = _("Note: np.{name} on a tensor is recorded by adkernel's tape. TensorFlow "
                 "would compute it in numpy and return a numpy array, so the gradient "
                 "through it would be None: use the matching tf.* function to stay on the "
                 "tape in both. (This note is shown once.)").format(name=name)
    print(text, file=sys.stderr)


# ----- ufuncs ----------------------------------------------------------------------------


def _float_power(x, y):
    """np.float_power computes in float64."""
    return ops.pow(_cast(x, np.float64), _cast(y, np.float64))


def _reciprocal(x):
    """1 / x; numpy keeps integers integer (1 // x), which has no gradient anyway."""
    v = _values(x)
    if v.dtype.kind in "biu":
        return convert_to_tensor(np.reciprocal(v))
    return ops.reciprocal(x)


def _matmul(a, b):
    """np.matmul / ``@``: 1-d operands are promoted to a row / a column, then dropped."""
    sa, sb = np.shape(_values(a)), np.shape(_values(b))
    if not sa or not sb:  # (TensorFlow's error class for ``array @ tensor``; still a ValueError)
        raise InvalidArgumentError(
            _("matmul: Input operand does not have enough dimensions (a scalar); "
              "use * to multiply by a scalar."), op="MatMul")
    if len(sa) >= 2 and len(sb) >= 2:
        return ops.matmul(a, b)
    a2 = _reshape_any(a, (1, sa[0])) if len(sa) == 1 else a
    b2 = _reshape_any(b, (sb[0], 1)) if len(sb) == 1 else b
    r = ops.matmul(a2, b2)
    batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    shape = batch + (sa[-2:-1] if len(sa) >= 2 else ()) + (sb[-1:] if len(sb) >= 2 else ())
    return ops.reshape(r, shape)


def _multiply(x, y):
    """``array * tensor`` reaches numpy first: give it the tensor's ``*`` (which, unlike
    ``tf.multiply``, takes bool tensors)."""
    return x * y if isinstance(x, TensorLike) else y.__rmul__(x)


def _ufunc_table():
    """numpy ufunc -> adkernel function: the aliases each op's ``defop`` block declares,
    with numpy's own rules where they differ from TensorFlow's (float_power computes in
    float64, matmul promotes 1-d operands, reciprocal keeps integers integer, ``*`` on bool
    tensors is allowed)."""
    return {
        **{f: fn for f, fn in numpy_aliases().items() if isinstance(f, np.ufunc)},
        np.multiply: _multiply,
        np.float_power: _float_power,
        np.matmul: _matmul,
        np.reciprocal: _reciprocal,
    }


_UFUNCS: dict | None = None

# ufuncs whose results are booleans: they run on the values, even on watched tensors.
_VALUE_ONLY_UFUNCS = {np.isinf, np.signbit}

# What to use instead, for numpy functions and ufuncs adkernel does not record. An op
# block that declares one of them as its ``numpy=`` alias takes precedence (the hint is then
# never shown), so adding an op needs no edit here.
_SUGGEST = {
    "arctan": lazy("no arctan op yet: write it from supported ops or wrap it in "
                   "tf.custom_gradient"),
    "sinh": lazy("(exp(x) - exp(-x)) / 2 with tf.exp"),
    "log2": "tf.math.log(x) / np.log(2.0)",
    "log10": "tf.math.log(x) / np.log(10.0)",
    "exp2": "tf.pow(2.0, x)",
    "diff": lazy("x[1:] - x[:-1] (slicing and subtraction are recorded)"),
    "vdot": lazy("np.sum(a * b) or tf.reduce_sum(a * b)"),
    "inner": lazy("np.sum(a * b, axis=-1), or np.dot for 1-d vectors"),
    "outer": lazy("a[:, None] * b[None, :] (broadcasting is recorded)"),
    "tensordot": lazy("np.einsum with the same axes, or tf.matmul after tf.reshape"),
    "trace": "np.einsum('ii->', A)",
    "average": lazy("np.sum(w * x) / np.sum(w) (or np.mean without weights)"),
}

# numpy functions adkernel knows and refuses on watched tensors: why, and what to do.
_REFUSED = {
    "unique": lazy("np.unique has no gradient (tf.unique has none either). Call "
                   "np.unique(x.numpy()) for the values; np.sort(x) is differentiable if sorted "
                   "values are what you need."),
}
_WHY = {
    **_REFUSED,
    "histogram": lazy("np.histogram's counts have no gradient, and the bin edges it picks "
                      "depend on x. Call np.histogram(x.numpy(), ...) for the values, or give "
                      "the edges yourself (bins=an array of edges, or range=) and leave out "
                      "density and weights: the integer counts are then computed on the "
                      "values."),
}


def _refusal(name: str) -> str:
    if name in _WHY:
        return str(_WHY[name])
    hint = _SUGGEST.get(name)
    if hint:
        return _(
            "np.{name} is not recorded by adkernel's tape, so its result would have no "
            "gradient (TensorFlow would silently give None later). Try: {hint}. If you do not "
            "need a gradient through it, call np.{name} on x.numpy() instead.").format(
                name=name, hint=str(hint))
    return _(
        "np.{name} is not recorded by adkernel's tape, so its result would have no "
        "gradient (TensorFlow would silently give None later). Use the matching tf.* / "
        "tf.math.* function, or build it from operations the tape records (+, *, "
        "tf.reduce_sum, slicing, ...). If you do not need a gradient through it, call "
        "np.{name} on x.numpy() instead.").format(name=name)


def _out_refused(name: str) -> TypeError:
    return TypeError(
        _("np.{name}(..., out=...) cannot write into an adkernel tensor: tensors are "
          "immutable. Drop out= and use the returned tensor (or Variable.assign).").format(
            name=name)
    )


def array_ufunc(ufunc, method, inputs, kwargs):
    global _UFUNCS
    if _LEAVE["check"] and get_numpy_leaves_tape() and _leaves(ufunc=True):
        return getattr(ufunc, method)(*_plain(inputs), **_plain(kwargs))
    if _UFUNCS is None:
        _UFUNCS = _ufunc_table()
    if kwargs.get("out") is not None:
        raise _out_refused(ufunc.__name__)
    fn = _UFUNCS.get(ufunc)
    if method == "__call__" and fn is not None and not kwargs:
        r = fn(*inputs)
        if not _NOTE["shown"] and isinstance(inputs[0], TensorLike):
            _note_recorded(ufunc.__name__, r)
        return r
    if (method == "reduce" and ufunc is np.add and len(inputs) == 1
            and set(kwargs) <= {"axis", "keepdims", "out", "dtype", "where"}
            and kwargs.get("dtype") is None and kwargs.get("where", True) is True):
        axis = kwargs.get("axis", 0)
        r = ops.reduce_sum(inputs[0], axis=axis, keepdims=bool(kwargs.get("keepdims", False)))
        if not _NOTE["shown"]:
            _note_recorded("add.reduce", r)
        return r
    if method == "__call__" and ufunc in _VALUE_ONLY_UFUNCS:
        return ufunc(*_read(inputs), **_read(kwargs))
    if _any_tracked(inputs):
        if fn is not None and method == "__call__":
            raise NotImplementedError(ngettext(
                "np.{name}: the argument {args} cannot be recorded by adkernel's tape. "
                "Call np.{name} without it "
                "(use tf.cast for a dtype), or call it on x.numpy() if you need no gradient.",
                "np.{name}: the arguments {args} cannot be recorded by adkernel's tape. "
                "Call np.{name} without them "
                "(use tf.cast for a dtype), or call it on x.numpy() if you need no gradient.",
                len(kwargs)).format(name=ufunc.__name__,
                                    args=", ".join(repr(k) for k in kwargs)))
        if method != "__call__":
            raise NotDifferentiableError(
                _("np.{name}.{method} is not recorded by adkernel's tape, so its result "
                  "would have no gradient. Try: the matching tf.reduce_* function "
                  "(np.{name}.{method} on x.numpy() if you need no gradient).").format(
                    name=ufunc.__name__, method=method)
            )
        raise NotDifferentiableError(_refusal(ufunc.__name__))
    return getattr(ufunc, method)(*_read(inputs), **_read(kwargs))


# ----- functions: helpers ------------------------------------------------------------------


class _NumpyOnly(Exception):
    """An argument adkernel cannot record: numpy runs the call if no input is watched."""

    def __init__(self, arg: str):
        super().__init__(arg)
        self.arg = arg


_UNSET = object()


def _only(**given) -> None:
    """Raise :class:`_NumpyOnly` for the first argument whose flag is true."""
    for arg, bad in given.items():
        if bad:
            raise _NumpyOnly(arg)


def _axis(axis):
    if axis is None or isinstance(axis, int | np.integer):
        return None if axis is None else int(axis)
    return tuple(int(a) for a in axis)


def _cast(a, dtype):
    """``a`` as ``dtype`` (recorded when it is a tensor)."""
    dtype = np.dtype(dtype)
    if isinstance(a, TensorLike):
        return a if a._value.dtype == dtype else ops.cast(a, dtype)
    return np.asarray(a, dtype=dtype)


def _reshape_any(a, shape):
    """Reshape a tensor (recorded) or an array (plain numpy: it never needs a gradient)."""
    if isinstance(a, TensorLike):
        return ops.reshape(a, shape)
    return np.reshape(np.asarray(a), shape)


def _transpose_any(a, perm):
    if isinstance(a, TensorLike):
        return ops.transpose(a, perm)
    return np.transpose(np.asarray(a), perm)


def _count(shape, axis) -> int:
    if axis is None:
        return int(np.prod(shape))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([shape[a] for a in axes]))


def _numeric(a, dtype, to_float: bool):
    """``a`` ready to reduce: numpy's ``dtype=`` applied, bools (and for means ints) cast."""
    if dtype is not None:
        return _cast(a, dtype)
    kind = _values(a).dtype.kind
    if kind == "b" or (to_float and kind in "iu"):
        return _cast(a, np.float64 if to_float else np.int64)
    return a


# ----- functions: reductions ---------------------------------------------------------------


def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_UNSET, where=_UNSET):
    _only(where=where is not _UNSET and where is not True)
    r = ops.reduce_sum(_numeric(a, dtype, False), axis=_axis(axis), keepdims=bool(keepdims))
    return r if initial is _UNSET or initial is None else ops.add(r, initial)


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=_UNSET):
    _only(where=where is not _UNSET and where is not True)
    return ops.reduce_mean(_numeric(a, dtype, True), axis=_axis(axis), keepdims=bool(keepdims))


def _extreme(reduce, combine):
    def extreme(a, axis=None, out=None, keepdims=False, initial=_UNSET, where=_UNSET):
        _only(where=where is not _UNSET and where is not True)
        r = reduce(a, axis=_axis(axis), keepdims=bool(keepdims))
        return r if initial is _UNSET or initial is None else combine(r, initial)

    return extreme


def _prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_UNSET, where=_UNSET):
    _only(where=where is not _UNSET and where is not True)
    r = ops.reduce_prod(_numeric(a, dtype, False), axis=_axis(axis), keepdims=bool(keepdims))
    return r if initial is _UNSET or initial is None else ops.multiply(r, initial)


def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=_UNSET,
         mean=_UNSET, correction=_UNSET):
    _only(where=where is not _UNSET and where is not True, mean=mean is not _UNSET)
    if correction is not _UNSET and correction is not None:
        ddof = correction
    x = _numeric(a, dtype, True)
    axis = _axis(axis)
    centred = ops.subtract(x, ops.reduce_mean(x, axis=axis, keepdims=True))
    total = ops.reduce_sum(ops.square(centred), axis=axis, keepdims=bool(keepdims))
    return ops.divide(total, float(max(_count(_values(x).shape, axis) - ddof, 0)))


def _std(*args, **kwargs):
    return ops.sqrt(_var(*args, **kwargs))


# ----- functions: shapes -------------------------------------------------------------------


def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    _only(order=order != "C")
    return ops.reshape(a, newshape if shape is None else shape)


def _transpose(a, axes=None):
    return ops.transpose(a, axes)


def _swapaxes(a, axis1, axis2):
    perm = list(range(_values(a).ndim))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return ops.transpose(a, perm)


def _moveaxis(a, source, destination):
    nd = _values(a).ndim
    src = [int(s) % nd for s in np.atleast_1d(source)]
    dst = [int(d) % nd for d in np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError(_("`source` and `destination` arguments must have the same number of "
                           "elements"))
    perm = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        perm.insert(d, s)
    return ops.transpose(a, perm)


def _expand_dims(a, axis):
    if isinstance(axis, int | np.integer):
        return ops.expand_dims(a, int(axis))
    return ops.reshape(a, np.expand_dims(np.empty(_values(a).shape, np.bool_), axis).shape)


def _squeeze(a, axis=None):
    return ops.squeeze(a, _axis(axis))


def _atleast(fn):
    def atleast(*arys):
        outs = [
            ops.reshape(a, fn(np.empty(_values(a).shape, np.bool_)).shape)
            if isinstance(a, TensorLike) else fn(a)
            for a in arys
        ]
        return outs[0] if len(outs) == 1 else tuple(outs)

    return atleast


def _concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _only(dtype=dtype is not None)
    arrays = list(arrays)
    if axis is None:
        arrays = [_reshape_any(a, (-1,)) for a in arrays]
        axis = 0
    return ops.concat(arrays, axis)


def _stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _only(dtype=dtype is not None)
    return ops.stack(list(arrays), axis)


def _pieces(ary, bounds, axis):
    v = _values(ary)
    prefix = (slice(None),) * (axis % v.ndim)
    return [ops.getitem(ary, (*prefix, slice(lo, hi))) for lo, hi in itertools.pairwise(bounds)]


def _split(ary, indices_or_sections, axis=0):
    n = _values(ary).shape[axis]
    if isinstance(indices_or_sections, int | np.integer):
        k = int(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError(_("array split does not result in an equal division"))
        return _pieces(ary, range(0, n + 1, n // k), axis)
    return _pieces(ary, [0, *[int(i) for i in indices_or_sections], n], axis)


def _array_split(ary, indices_or_sections, axis=0):
    n = _values(ary).shape[axis]
    if isinstance(indices_or_sections, int | np.integer):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError(_("number sections must be larger than 0."))
        each, extra = divmod(n, k)
        sizes = [each + 1] * extra + [each] * (k - extra)
        return _pieces(ary, [0, *itertools.accumulate(sizes)], axis)
    return _pieces(ary, [0, *[int(i) for i in indices_or_sections], n], axis)


def _broadcast_to(array, shape, subok=False):
    return ops.broadcast_to(array, shape)


def _copy(a, order="K", subok=False):
    return ops.identity(a)


# ----- functions: selection ----------------------------------------------------------------


def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.where(_read(condition))
    c = _values(condition)
    if c.dtype != np.bool_:  # numpy tests truthiness; a condition has no gradient
        condition = ops.cast(condition, "bool") if isinstance(condition, TensorLike) else \
            c.astype(bool)
    return ops.where(condition, x, y)


def _clip(a, a_min=_UNSET, a_max=_UNSET, out=None, *, min=_UNSET, max=_UNSET, **kwargs):
    for k in kwargs:
        _only(**{k: True})
    lo = min if a_min is _UNSET else a_min
    hi = max if a_max is _UNSET else a_max
    lo = None if lo is _UNSET else lo
    hi = None if hi is _UNSET else hi
    if lo is None and hi is None:
        return ops.identity(a)
    if lo is None:
        return ops.minimum(a, hi)
    if hi is None:
        return ops.maximum(a, lo)
    return ops.clip_by_value(a, lo, hi)


def _take(a, indices, axis=None, out=None, mode="raise"):
    _only(mode=mode != "raise")
    v = _values(a)
    idx = np.asarray(_read(indices))
    if axis is None:
        a, axis = _reshape_any(a, (-1,)), 0
        n = v.size
    else:
        axis = int(axis)
        n = v.shape[axis]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].reshape(-1)[0]
        raise IndexError(_("index {index} is out of bounds for axis {axis} with size "
                           "{size}").format(index=bad, axis=axis, size=n))
    return ops.gather(a, np.where(idx < 0, idx + n, idx), axis=axis)


def _dot(a, b, out=None):
    """np.dot: scalars multiply, 1-d . 1-d is the inner product, otherwise the sum over
    the last axis of ``a`` and the second-to-last of ``b`` (the last if ``b`` is 1-d)."""
    sa, sb = np.shape(_values(a)), np.shape(_values(b))
    if not sa or not sb:
        return ops.multiply(a, b)
    k = sa[-1]
    kb = sb[-1] if len(sb) == 1 else sb[-2]
    if k != kb:
        raise ValueError(_("shapes {a} and {b} not aligned: {k} (dim {da}) != "
                           "{kb} (dim {db})").format(a=sa, b=sb, k=k, da=len(sa) - 1, kb=kb,
                                                     db=max(len(sb) - 2, 0)))
    if len(sa) == 2 and len(sb) == 2:
        return ops.matmul(a, b)
    a2 = _reshape_any(a, (-1, k))
    if len(sb) == 1:
        b2, tail = _reshape_any(b, (k, 1)), ()
    else:
        nb = len(sb)
        perm = (nb - 2, *range(nb - 2), nb - 1)
        b2 = _reshape_any(_transpose_any(b, perm), (k, -1))
        tail = sb[:-2] + sb[-1:]
    return ops.reshape(ops.matmul(a2, b2), sa[:-1] + tail)


def _einsum(*operands, out=None, optimize=False, **kwargs):
    for key in kwargs:
        _only(**{key: True})
    _only(subscripts=not isinstance(operands[0], str))
    return ops.einsum(operands[0], *operands[1:])


def _solve(a, b):
    if _values(b).ndim == 1:
        r = ops.solve(a, _reshape_any(b, (-1, 1)))
        return ops.reshape(r, np.shape(_values(r))[:-1])
    return ops.solve(a, b)


def _norm(x, ord=None, axis=None, keepdims=False):
    """np.linalg.norm: vector norms (any ord but 0) and the matrix norms with no SVD."""
    v = _values(x)
    x = _numeric(x, None, True)
    keep = bool(keepdims)
    if axis is None:
        if ord is None:
            r = ops.sqrt(ops.reduce_sum(ops.square(x)))
            return ops.reshape(r, (1,) * v.ndim) if keep else r
        if v.ndim not in (1, 2):
            raise ValueError(_("Improper number of dimensions to norm."))
        axis = tuple(range(v.ndim))
    axes = tuple(int(a) for a in axis) if isinstance(axis, tuple | list) else (int(axis),)
    if len(axes) == 1:
        ax = axes[0]
        if ord is None or ord == 2:
            return ops.sqrt(ops.reduce_sum(ops.square(x), axis=ax, keepdims=keep))
        if ord == np.inf:
            return ops.reduce_max(ops.abs(x), axis=ax, keepdims=keep)
        if ord == -np.inf:
            return ops.reduce_min(ops.abs(x), axis=ax, keepdims=keep)
        if ord == 1:
            return ops.reduce_sum(ops.abs(x), axis=ax, keepdims=keep)
        _only(ord=isinstance(ord, str) or ord == 0)
        p = float(ord)
        s = ops.reduce_sum(ops.pow(ops.abs(x), p), axis=ax, keepdims=keep)
        return ops.pow(s, 1.0 / p)
    if len(axes) != 2:
        raise ValueError(_("Improper number of dimensions to norm."))
    row, col = (a % v.ndim for a in axes)
    if ord is None or ord == "fro":
        return ops.sqrt(ops.reduce_sum(ops.square(x), axis=(row, col), keepdims=keep))
    _only(ord=ord not in (1, -1, np.inf, -np.inf))
    # 1 / -1: largest / smallest column sum; inf / -inf: largest / smallest row sum.
    inner, outer = (row, col) if ord in (1, -1) else (col, row)
    sums = ops.reduce_sum(ops.abs(x), axis=inner, keepdims=True)
    pick = ops.reduce_max if ord in (1, np.inf) else ops.reduce_min
    r = pick(sums, axis=outer, keepdims=True)
    if keep:
        return r
    return ops.reshape(r, tuple(s for d, s in enumerate(v.shape) if d not in (row, col)))


def _round(a, decimals=0, out=None):
    """Rounded half to even, like TensorFlow's tf.round: no gradient (TF gives None)."""
    decimals = int(decimals)
    if decimals == 0:
        return ops.round(a)
    if _values(a).dtype.kind not in "fc":
        return convert_to_tensor(np.round(_values(a), decimals))  # integers: no gradient
    if decimals > 0:  # numpy's own recipe, so that the values agree exactly
        scale = 10.0**decimals
        return ops.divide(ops.round(ops.multiply(a, scale)), scale)
    scale = 10.0**-decimals
    return ops.multiply(ops.round(ops.divide(a, scale)), scale)


# ----- functions: order statistics (see sorting.py) ----------------------------------------


def _sort(a, axis=-1, kind=None, order=None, *, stable=None):
    _only(order=order is not None)
    return sorting.sort(a, axis)


def _median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return sorting.median(a, axis, keepdims=bool(keepdims))


def _q_checked(fname, q):
    if isinstance(q, TensorLike) and _tracked(q):
        raise NotDifferentiableError(
            _("np.{name}: adkernel differentiates with respect to the data, not q. Pass q as "
              "numbers (or q.numpy()).").format(name=fname)
        )
    return q


def _quantile_args(method, weights, interpolation):
    _only(method=method != "linear", weights=weights is not None,
          interpolation=interpolation is not None)


def _percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
    _quantile_args(method, weights, interpolation)
    return sorting.percentile(a, _q_checked("percentile", q), axis, keepdims=bool(keepdims))


def _quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
              keepdims=False, *, weights=None, interpolation=None):
    _quantile_args(method, weights, interpolation)
    return sorting.quantile(a, _q_checked("quantile", q), axis, keepdims=bool(keepdims))


def _histogram(a, bins=10, range=None, density=None, weights=None):
    """Bin counts are integers (no gradient) when the edges do not come from ``a``."""
    fixed = not isinstance(bins, int | np.integer | str) or (
        range is not None and not isinstance(bins, str))
    if _any_tracked([weights, bins, range]) or (
            _any_tracked([a]) and (not fixed or density)):
        raise NotDifferentiableError(_refusal("histogram"))
    return np.histogram(*_read((a, bins, range)), density=density,
                        weights=_read(weights))


# ----- functions: new tensors shaped like an input ----------------------------------------


def _like(fill):
    """zeros_like / ones_like / empty_like: the values never depend on the input's."""

    def like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
        v = _values(a)
        return convert_to_tensor(np.full(v.shape if shape is None else shape, fill,
                                         dtype=dtype or v.dtype))

    return like


def _full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    v = _values(a)
    dt = np.dtype(dtype or v.dtype)
    shape = v.shape if shape is None else shape
    if isinstance(fill_value, TensorLike) and dt.kind in "fc" and _tracked(fill_value):
        return ops.broadcast_to(_cast(fill_value, dt), shape)  # differentiable in fill_value
    return convert_to_tensor(np.full(shape, _read(fill_value), dtype=dt))


def _array_function_table():
    """numpy function -> adkernel function: the non-ufunc aliases op blocks declare
    (``numpy=np.cumsum``), then numpy's other functions, mapped here."""
    o = ops
    return {
        **{f: fn for f, fn in numpy_aliases().items() if not isinstance(f, np.ufunc)},
        # reductions
        np.sum: _sum,
        np.mean: _mean,
        np.max: _extreme(o.reduce_max, o.maximum),
        np.amax: _extreme(o.reduce_max, o.maximum),
        np.min: _extreme(o.reduce_min, o.minimum),
        np.amin: _extreme(o.reduce_min, o.minimum),
        np.prod: _prod,
        np.var: _var,
        np.std: _std,
        # shapes
        np.reshape: _reshape,
        np.transpose: _transpose,
        np.swapaxes: _swapaxes,
        np.moveaxis: _moveaxis,
        np.expand_dims: _expand_dims,
        np.squeeze: _squeeze,
        np.atleast_1d: _atleast(np.atleast_1d),
        np.atleast_2d: _atleast(np.atleast_2d),
        np.atleast_3d: _atleast(np.atleast_3d),
        np.concatenate: _concatenate,
        np.stack: _stack,
        np.split: _split,
        np.array_split: _array_split,
        np.broadcast_to: _broadcast_to,
        np.copy: _copy,
        # selection and arithmetic
        np.where: _where,
        np.clip: _clip,
        np.take: _take,
        np.dot: _dot,
        np.einsum: _einsum,
        np.linalg.solve: _solve,
        np.linalg.norm: _norm,
        np.round: _round,
        np.around: _round,
        # order statistics
        np.sort: _sort,
        np.median: _median,
        np.percentile: _percentile,
        np.quantile: _quantile,
        # no gradient by nature: these decide for themselves (see each function)
        np.histogram: _histogram,
        np.zeros_like: _like(0),
        np.ones_like: _like(1),
        np.empty_like: _like(0),
        np.full_like: _full_like,
        np.shape: lambda a: np.shape(_to_numpy(a)),  # (shapes and dtypes: no values read)
        np.ndim: lambda a: np.ndim(_to_numpy(a)),
        np.size: lambda a, axis=None: np.size(_to_numpy(a), axis),
        np.result_type: lambda *a: np.result_type(*_to_numpy(a)),
    }


_FUNCS: dict | None = None

# numpy functions whose results carry no float value that depends on the input (indices,
# booleans, strings, files): they run on the values, even on watched tensors.
_VALUE_ONLY = {
    # booleans
    "allclose",
    "isclose",
    "array_equal",
    "array_equiv",
    "any",
    "all",
    "may_share_memory",
    "shares_memory",
    "iscomplexobj",
    "isrealobj",
    # integer indices and counts
    "argmax",
    "argmin",
    "argsort",
    "nonzero",
    "searchsorted",
    "count_nonzero",
    "ravel_multi_index",
    "unravel_index",
    # text and files
    "array2string",
    "array_repr",
    "array_str",
    "save",
    "savez",
    "savetxt",
}

def _name(func) -> str:
    name = getattr(func, "__name__", str(func))
    module = getattr(func, "__module__", "") or ""
    return f"linalg.{name}" if module.endswith("linalg") else name


def array_function(func, types, args, kwargs):
    global _FUNCS
    if _LEAVE["check"] and get_numpy_leaves_tape() and _leaves(ufunc=False):
        return func(*_plain(args), **_plain(kwargs))
    if _FUNCS is None:
        _FUNCS = _array_function_table()
    fn = _FUNCS.get(func)
    name = _name(func)
    if fn is not None:
        if kwargs.get("out") is not None:
            raise _out_refused(name)
        try:
            r = fn(*args, **kwargs)
            if not _NOTE["shown"]:
                _note_recorded(name, r)
            return r
        except _NumpyOnly as e:
            if _any_tracked(list(args) + list(kwargs.values())):
                raise NotImplementedError(
                    _("np.{name}(..., {arg}=...) is not supported on a tensor a tape is "
                      "watching: adkernel records np.{name} only with the default {arg!r}, "
                      "so this result would have no gradient. Leave {arg} out, or call "
                      "np.{name} on x.numpy() if you do not need a gradient.").format(
                        name=name, arg=e.arg)
                ) from None
    elif name in _VALUE_ONLY or not _any_tracked(list(args) + list(kwargs.values())):
        pass
    else:
        raise NotDifferentiableError(_refusal(name))
    return func(*_read(args), **_read(kwargs))
