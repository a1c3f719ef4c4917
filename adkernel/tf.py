"""A TensorFlow-flavoured namespace over adkernel's engine: ``from adkernel import tf``.

Code written for TensorFlow's eager ``tf.GradientTape`` runs after changing only its
import. Where adkernel deliberately differs (clearer error messages, a warning that
explains each ``None`` gradient, dense gradients for ``gather``), ``docs/tf-compat.md``
says so.
"""

from __future__ import annotations

import builtins
import sys

import numpy as np

from . import saving as _saving
from . import tf_debugging as _debugging
from . import tf_function as _tf_function
from ._namespace import Namespace as _Namespace
from ._namespace import OutOfScope as _OutOfScope
from ._namespace import missing_name as _missing_name
from .engine import dtypes as _dtypes
from .engine import errors as _errors
from .engine import i18n as _i18n
from .engine import ops as _ops
from .engine.custom import custom_gradient
from .engine.dtypes import DType, as_dtype
from .engine.forward import ForwardAccumulator as _ForwardAccumulator
from .engine.i18n import _
from .engine.registry import composite as _composite
from .engine.registry import exports as _exports
from .engine.registry import refuse as _refuse
from .engine.tape import GradientTape, UnconnectedGradients
from .engine.tensor import (
    Tensor,
    TensorLike,
    TensorShape,
    Variable,
    _wrap,
    constant,
    convert_to_tensor,
    is_tensor,
)
from .engine.trace import effect_only as _effect_only
from .engine.trace import replayed as _replayed
from .keras.losses import MSE_HINTS as _MSE_HINTS
from .tf_control import TensorArray, cond, map_fn, vectorized_map, while_loop  # noqa: F401
from .tf_data import data
from .tf_function import Module, TensorSpec, function, name_scope
from .tf_random import _shape_tuple, random  # also registers tf.nn.dropout

__version__ = "2.21.0-adkernel"

# ----- dtypes ----------------------------------------------------------------------------
float16 = half = _dtypes.float16
float32 = _dtypes.float32
float64 = double = _dtypes.float64
int8, int16, int32, int64 = _dtypes.int8, _dtypes.int16, _dtypes.int32, _dtypes.int64
uint8, uint16, uint32, uint64 = _dtypes.uint8, _dtypes.uint16, _dtypes.uint32, _dtypes.uint64
bool = _dtypes.bool_
complex64, complex128 = _dtypes.complex64, _dtypes.complex128

_export = _composite  # a public name in this namespace (no VJP: not a primitive)


@_export("executing_eagerly")
def executing_eagerly() -> builtins.bool:
    """Always True: adkernel runs eagerly."""
    return True


@_export("zeros")
def zeros(shape, dtype=float32, name=None) -> Tensor:
    """A tensor of zeros."""
    return _wrap(np.zeros(_shape_tuple(shape), dtype=as_dtype(dtype)._np))


@_export("ones")
def ones(shape, dtype=float32, name=None) -> Tensor:
    """A tensor of ones."""
    return _wrap(np.ones(_shape_tuple(shape), dtype=as_dtype(dtype)._np))


@_export("fill")
@_replayed  # (the value is read outside any op: a traced function fills again each call)
def fill(dims, value, name=None) -> Tensor:
    """A tensor of ``dims`` filled with ``value``."""
    v = convert_to_tensor(value)._value
    return _wrap(np.full(_shape_tuple(dims), v, dtype=v.dtype))


@_export("range")
def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:
    """Like Python's range, as a tensor (int32 for ints, float32 for floats)."""
    if limit is None:
        start, limit = 0, start
    vals = [v.numpy() if isinstance(v, TensorLike) else v for v in (start, limit, delta)]
    if dtype is None:
        is_float = builtins.any(isinstance(v, float | np.floating) for v in vals)
        dt = np.float32 if is_float else np.int32
    else:
        dt = as_dtype(dtype)._np
    return _wrap(np.arange(*vals).astype(dt))


@_export("linspace")
def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` along a new ``axis``.

    As in TensorFlow, ``start`` and ``stop`` may be tensors (one sequence per element,
    laid out along ``axis``), the last value is exactly ``stop``, and the result is
    differentiable with respect to both. ``stop`` is converted with ``start``'s dtype, and
    integers become float64 (so ``tf.linspace(0, 1, 3)`` is float64, ``tf.linspace(0.0, 1, 3)``
    float32, and ``tf.linspace(0, 1.0, 3)`` a TypeError, as in TensorFlow).
    """
    s = start if isinstance(start, TensorLike) else convert_to_tensor(start)
    e = stop if isinstance(stop, TensorLike) else convert_to_tensor(stop, s.dtype)
    if s._value.dtype.kind != "f":
        s = _ops.cast(s, float64)
    if e._value.dtype.kind != "f":
        e = _ops.cast(e, s.dtype)
    n = int(num.numpy() if isinstance(num, TensorLike) else num)
    if n < 0:
        raise _errors.InvalidArgumentError(
            _("linspace: num must be >= 0, got {n}").format(n=n), op="LinSpace")
    shape = np.broadcast_shapes(s._value.shape, e._value.shape)
    rank = len(shape) + 1
    ax = int(axis)
    if not -rank <= ax < rank:
        raise _errors.InvalidArgumentError(
            _("linspace: axis {axis} is out of range for a result of rank {rank}").format(
                axis=ax, rank=rank), op="LinSpace")
    ax %= rank
    if s._value.shape != shape:
        s = _ops.broadcast_to(s, shape)
    if e._value.shape != shape:
        e = _ops.broadcast_to(e, shape)
    first, last = _ops.expand_dims(s, ax), _ops.expand_dims(e, ax)
    delta = (last - first) / float(builtins.max(n - 1, 1))
    inner = builtins.max(n - 2, 0)
    steps = np.arange(1, inner + 1, dtype=s._value.dtype).reshape(
        [inner if i == ax else 1 for i in builtins.range(rank)])
    values = _ops.concat([first, first + delta * steps, last], axis=ax)
    return values[(slice(None),) * ax + (slice(0, n),)]


@_export("eye", "linalg.eye")
def eye(num_rows, num_columns=None, batch_shape=None, dtype=float32, name=None) -> Tensor:
    """An identity matrix (a batch of them with ``batch_shape``)."""
    m = np.eye(
        int(num_rows),
        None if num_columns is None else int(num_columns),
        dtype=as_dtype(dtype)._np,
    )
    if batch_shape is not None:
        m = np.broadcast_to(m, _shape_tuple(batch_shape) + m.shape).copy()
    return _wrap(m)


def _value_of(input):
    """``input``'s values as TensorFlow converts them (a list of tensors is packed: tensors of
    different shapes raise InvalidArgumentError); strings, which adkernel has no tensors for,
    as a numpy array (their shape is still TensorFlow's)."""
    if isinstance(input, TensorLike):
        return input._value
    try:
        return convert_to_tensor(input)._value
    except _errors.DTypeError:
        v = np.asarray(input)
        if v.dtype.kind in "US":
            return v
        raise


@_export("shape")
def shape(input, out_type=int32, name=None) -> Tensor:
    """The shape of ``input`` as an int32 tensor."""
    v = _value_of(input)
    return _wrap(np.asarray(v.shape, dtype=as_dtype(out_type)._np))


@_export("size")
def size(input, out_type=int32, name=None) -> Tensor:
    """The number of elements of ``input``."""
    v = _value_of(input)
    return _wrap(as_dtype(out_type)._np.type(np.size(v)))


@_export("rank")
def rank(input, name=None) -> Tensor:
    """The number of dimensions of ``input``."""
    v = _value_of(input)
    return _wrap(np.int32(np.ndim(v)))


@_export("print")
@_replayed  # (a traced function prints at every call, as TensorFlow's tf.print does)
@_effect_only
def print(*inputs, output_stream=None, summarize=None, sep=" ", end="\n", name=None,
          **kwargs) -> None:
    """Print tensors by value, like ``tf.print``.

    ``summarize=n`` shows the first and last ``n`` entries of each long dimension
    (``-1``: everything); left out, tensors are printed whole. ``output_stream`` is a
    stream (standard output by default), a ``"file://path"`` to append to, or a logging
    function such as ``logging.info``.
    """
    if kwargs:
        raise ValueError(_("Unrecognized keyword arguments for tf.print: {kwargs}").format(
            kwargs=kwargs))
    n = 3 if summarize is None else int(summarize)  # TensorFlow's default: 3 per edge
    parts = [_print_text(x._value, n) if isinstance(x, TensorLike) else str(x) for x in inputs]
    text = sep.join(parts) + end
    if output_stream is None:
        sys.stdout.write(text)
    elif hasattr(output_stream, "write"):
        output_stream.write(text)
    elif isinstance(output_stream, str) and output_stream.startswith("file://"):
        with open(output_stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
    elif callable(output_stream):
        output_stream(text[: -len(end)] if end and text.endswith(end) else text)
    else:
        _refuse("tf.print", output_stream=True)


def _print_number(v) -> str:
    """One element as TensorFlow's print writes it: floats in the fewest of 6 (float32) or
    15 (float64) significant digits that give the value back, else 9 or 17; bools as 1/0."""
    kind = v.dtype.kind
    if kind == "b":
        return "1" if v else "0"
    if kind in "iu":
        return str(int(v))
    if kind == "f":
        if not np.isfinite(v):
            return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
        short, long_ = (15, 17) if v.dtype.itemsize >= 8 else (6, 9)
        text = f"{float(v):.{short}g}"
        return text if v.dtype.type(float(text)) == v else f"{float(v):.{long_}g}"
    if kind == "U" or kind == "S" or kind == "O":
        return f'"{v.decode() if isinstance(v, bytes) else v}"'
    return "?"


def _print_text(value, summarize: int, depth: int = 0) -> str:
    """A tensor as TensorFlow's print writes it: ``[1 2 ... 8 9]``, rows on their own lines,
    at most ``summarize`` entries at each end of a dimension (-1: all)."""
    a = np.asarray(value)
    if a.ndim == 0:
        return _print_number(a[()])
    count = a.shape[0]
    cut = 0 <= summarize and count > 2 * summarize
    idx = [*range(summarize), None, *range(count - summarize, count)] if cut else range(count)
    items = ["..." if i is None else _print_text(a[i], summarize, depth + 1) for i in idx]
    if a.ndim == 1:
        return "[" + " ".join(items) + "]"
    return "[" + ("\n" * (a.ndim - 1) + " " * (depth + 1)).join(items) + "]"


# ----- namespaces ------------------------------------------------------------------------
errors = _Namespace(
    "tf.errors",
    InvalidArgumentError=_errors.InvalidArgumentError,
    NotFoundError=_errors.NotFoundError,
    OpError=_errors.OpError,
    OutOfRangeError=_errors.OutOfRangeError,
)

newaxis = None


dtypes = _Namespace(
    "tf.dtypes",
    DType=DType,
    as_dtype=as_dtype,
    float16=float16,
    float32=float32,
    float64=float64,
    int8=int8,
    int16=int16,
    int32=int32,
    int64=int64,
    uint8=uint8,
    bool=bool,
    complex64=complex64,
    complex128=complex128,
)



def _namespaces() -> dict:
    """Every public op and helper, by its ``tf`` name, from the op registry."""
    spaces: dict = {}
    for qualified, fn in _exports().items():
        *prefix, short = qualified.split(".")
        if prefix:
            spaces.setdefault(prefix[0], {})[short] = fn
        else:
            globals()[short] = fn
    hints = {"losses": _MSE_HINTS}
    return {k: _Namespace(f"tf.{k}", hints.get(k), **dict(sorted(v.items())))
            for k, v in spaces.items()}


_spaces = _namespaces()
debugging = _Namespace("tf.debugging", **{n: getattr(_debugging, n) for n in _debugging.__all__})
math, nn, linalg, losses, bitwise = (
    _spaces.pop(k) for k in ("math", "nn", "linalg", "losses", "bitwise"))
autodiff = _Namespace("tf.autodiff", ForwardAccumulator=_ForwardAccumulator,
                      GradientTape=GradientTape)
assert not _spaces, f"tf sub-namespaces without a home: {sorted(_spaces)}"
_TOP = sorted(n for n in _exports() if "." not in n)

# ----- what is out of scope (tf.keras: see __getattr__) ------------------------------------

# (_i18n.lazy, not lazy: a bare name here would become a public tf.lazy)
image = _OutOfScope("tf.image", _i18n.lazy(
    "Images are tensors: use tf ops (reshape, slicing, arithmetic) or numpy."))
saved_model = _OutOfScope("tf.saved_model", _i18n.lazy(
    "adkernel has tf.saved_model.save and tf.saved_model.load only (its own format: the "
    "variables' values and the object's structure, no graphs; see docs/saving.md)."))
saved_model.save = _saving.saved_model_save
saved_model.load = _saving.saved_model_load
saved_model.SaveOptions = _saving.SaveOptions
saved_model.LoadOptions = _saving.LoadOptions
train = _OutOfScope("tf.train", _i18n.lazy("Use tf.keras.optimizers (SGD, Adam)."))
summary = _OutOfScope("tf.summary", _i18n.lazy("Print or plot the numbers with matplotlib."))
distribute = _OutOfScope("tf.distribute")
strings = _OutOfScope("tf.strings", _i18n.lazy("adkernel's tensors hold numbers only."))
ragged = _OutOfScope("tf.ragged", _i18n.lazy(
    "Pad the rows to one length (tf.pad) and mask them."))
sparse = _OutOfScope("tf.sparse", _i18n.lazy(
    "Use dense tensors (tf.gather, tf.gather_nd, tf.where)."))


class _PhysicalDevice(tuple):
    """``tf.config.PhysicalDevice(name, device_type)``."""

    __slots__ = ()

    def __new__(cls, name, device_type):
        return tuple.__new__(cls, (name, device_type))

    name = property(lambda self: self[0])
    device_type = property(lambda self: self[1])

    def __repr__(self):
        return f"PhysicalDevice(name='{self[0]}', device_type='{self[1]}')"


def _list_devices(kind):
    def list_devices(device_type=None):
        """adkernel computes with numpy on the CPU: one CPU device, no GPU or TPU."""
        if device_type not in (None, "CPU"):
            return []
        return [_PhysicalDevice(f"/{kind}:CPU:0", "CPU")]

    return list_devices


class _Config(_OutOfScope):
    """``tf.config``: the device queries answer truthfully (one CPU); the rest is out of
    scope."""

    def __init__(self):
        super().__init__("tf.config", _i18n.lazy("adkernel runs on the CPU with numpy."))
        self.list_physical_devices = _list_devices("physical_device")
        self.list_logical_devices = _list_devices("device")
        self.run_functions_eagerly = _tf_function.run_functions_eagerly
        self.functions_run_eagerly = _tf_function.functions_run_eagerly


config = _Config()


class device:
    """``with tf.device("CPU:0"):`` - accepted; adkernel computes with numpy on the CPU
    whatever the device name (TensorFlow too places ops on the CPU when a GPU is missing)."""

    def __init__(self, device_name):
        self.device_name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def __getattr__(attr):
    """``tf.keras``, imported on first use (keras is built on the engine and ``tf_random``,
    not on this module); ``tf.foo`` for a name adkernel lacks: say so (as ``tf.math.foo``
    does)."""
    if attr == "keras":
        from . import keras

        globals()["keras"] = keras
        return keras
    if attr.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
    raise _missing_name("tf", attr)


def __dir__():
    return sorted({*globals(), "keras"})


__all__ = [
    "DType",
    "GradientTape",
    "Module",
    "Tensor",
    "TensorShape",
    "TensorSpec",
    "UnconnectedGradients",
    "Variable",
    "as_dtype",
    "autodiff",
    "bitwise",
    "bool",
    "complex64",
    "complex128",
    "constant",
    "convert_to_tensor",
    "custom_gradient",
    "data",
    "debugging",
    "double",
    "dtypes",
    "errors",
    "float16",
    "float32",
    "float64",
    "function",
    "half",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_tensor",
    "linalg",
    "losses",
    "math",
    "name_scope",
    "newaxis",
    "nn",
    "random",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
]
__all__ += _TOP  # every op and helper registered under a top-level name
