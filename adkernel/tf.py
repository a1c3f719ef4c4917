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

from . import tf_debugging as _debugging
from ._namespace import Namespace as _Namespace
from ._namespace import missing_name as _missing_name
from .engine import dtypes as _dtypes
from .engine import errors as _errors
from .engine import i18n as _i18n
from .engine import ops as _ops
from .engine.custom import custom_gradient
from .engine.dtypes import DType, as_dtype
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
from .tf_function import Module, TensorSpec, function, name_scope

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


def _shape_tuple(shape) -> tuple:
    if isinstance(shape, TensorLike):
        shape = shape.numpy().tolist()
    if isinstance(shape, int | np.integer):
        return (int(shape),)
    return tuple(int(s) for s in shape)


@_export("zeros")
def zeros(shape, dtype=float32, name=None) -> Tensor:
    """A tensor of zeros."""
    return _wrap(np.zeros(_shape_tuple(shape), dtype=as_dtype(dtype)._np))


@_export("ones")
def ones(shape, dtype=float32, name=None) -> Tensor:
    """A tensor of ones."""
    return _wrap(np.ones(_shape_tuple(shape), dtype=as_dtype(dtype)._np))


@_export("fill")
def fill(dims, value, name=None) -> Tensor:
    """A tensor of ``dims`` filled with ``value``."""
    v = convert_to_tensor(value)._value
    return _wrap(np.full(_shape_tuple(dims), v, dtype=v.dtype))


@_export("zeros_like")
def zeros_like(input, dtype=None, name=None) -> Tensor:
    """Zeros with the shape (and dtype) of ``input``."""
    v = convert_to_tensor(input)._value if not isinstance(input, TensorLike) else input._value
    return _wrap(np.zeros(v.shape, dtype=as_dtype(dtype)._np if dtype else v.dtype))


@_export("ones_like")
def ones_like(input, dtype=None, name=None) -> Tensor:
    """Ones with the shape (and dtype) of ``input``."""
    v = convert_to_tensor(input)._value if not isinstance(input, TensorLike) else input._value
    return _wrap(np.ones(v.shape, dtype=as_dtype(dtype)._np if dtype else v.dtype))


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
    differentiable with respect to both (float32 for Python numbers).
    """
    s = start if isinstance(start, TensorLike) else convert_to_tensor(start)
    if s._value.dtype.kind != "f":
        s = _ops.cast(s, float32)
    e = stop if isinstance(stop, TensorLike) else convert_to_tensor(stop, dtype_hint=s.dtype)
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


@_export("shape")
def shape(input, out_type=int32, name=None) -> Tensor:
    """The shape of ``input`` as an int32 tensor."""
    v = input._value if isinstance(input, TensorLike) else np.asarray(input)
    return _wrap(np.asarray(v.shape, dtype=as_dtype(out_type)._np))


@_export("size")
def size(input, out_type=int32, name=None) -> Tensor:
    """The number of elements of ``input``."""
    v = input._value if isinstance(input, TensorLike) else np.asarray(input)
    return _wrap(as_dtype(out_type)._np.type(np.size(v)))


@_export("rank")
def rank(input, name=None) -> Tensor:
    """The number of dimensions of ``input``."""
    v = input._value if isinstance(input, TensorLike) else np.asarray(input)
    return _wrap(np.int32(np.ndim(v)))


@_export("print")
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
    options: dict = {}
    if summarize is not None:
        n = int(summarize)
        options = ({"threshold": sys.maxsize} if n < 0
                   else {"threshold": 2 * n, "edgeitems": n})
    parts = []
    with np.printoptions(**options):
        for x in inputs:
            if isinstance(x, TensorLike):
                v = x._value
                parts.append(str(v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v))
            else:
                parts.append(str(x))
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


# ----- random ----------------------------------------------------------------------------
_DEFAULT_GLOBAL_SEED = 87654321  # used when only an op seed is given (TensorFlow has one too)


class _Random:
    """``tf.random`` with TensorFlow's seeding rules (numpy Generators underneath).

    * no seeds: fresh values every run;
    * ``tf.random.set_seed(s)``: the sequence of random calls is reproducible; calling
      ``set_seed(s)`` again replays it from the start;
    * an op ``seed=k`` (with or without a global seed): that op has its own stream, so
      repeated calls give new values, and ``set_seed`` replays them too.

    The numbers differ from TensorFlow's (another generator); the rules are the same.
    """

    def __init__(self) -> None:
        self._global = None
        self._rng = np.random.default_rng()
        self._streams: dict = {}

    def set_seed(self, seed) -> None:
        """Set the global seed: every random sequence restarts from it."""
        self._global = int(seed)
        self._rng = np.random.default_rng(self._global)
        self._streams = {}

    def _gen(self, seed):
        if seed is None:
            return self._rng
        key = int(seed)
        if key not in self._streams:
            base = _DEFAULT_GLOBAL_SEED if self._global is None else self._global
            self._streams[key] = np.random.default_rng([base & 0xFFFFFFFF, key & 0xFFFFFFFF])
        return self._streams[key]

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
        dt = as_dtype(dtype)._np
        x = self._gen(seed).normal(float(mean), float(stddev), _shape_tuple(shape))
        return _wrap(x.astype(dt))

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
        dt = as_dtype(dtype)._np
        rng = self._gen(seed)
        x = rng.normal(0.0, 1.0, _shape_tuple(shape))
        bad = np.abs(x) > 2
        while bad.any():
            x[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
            bad = np.abs(x) > 2
        return _wrap((x * float(stddev) + float(mean)).astype(dt))

    def uniform(self, shape, minval=0, maxval=None, dtype=float32, seed=None, name=None):
        dt = as_dtype(dtype)._np
        rng = self._gen(seed)
        if dt.kind in "iu":
            if maxval is None:
                raise ValueError(_("tf.random.uniform with an integer dtype needs maxval"))
            return _wrap(rng.integers(int(minval), int(maxval), _shape_tuple(shape)).astype(dt))
        hi = 1.0 if maxval is None else float(maxval)
        return _wrap(rng.uniform(float(minval), hi, _shape_tuple(shape)).astype(dt))

    def shuffle(self, value, seed=None, name=None):
        v = convert_to_tensor(value)._value
        return _wrap(self._gen(seed).permutation(v))


    def categorical(self, logits, num_samples, dtype=None, seed=None, name=None):
        """``num_samples`` class indices per row of ``logits`` (unnormalised log-probabilities),
        drawn from ``softmax(logits)``; int64 by default. No gradient, as in TensorFlow."""
        lg = logits if isinstance(logits, TensorLike) else convert_to_tensor(logits)
        v = lg._value
        if v.ndim != 2:
            raise _errors.InvalidArgumentError(
                _("random.categorical: logits should be a matrix [batch, classes], got shape "
                  "{shape}.").format(shape=list(v.shape)), op="Multinomial")
        dt = np.int64 if dtype is None else as_dtype(dtype)._np
        if dt not in (np.int32, np.int64):
            raise TypeError(_("random.categorical: dtype must be int32 or int64, got "
                              "{dtype}").format(dtype=dt))
        n = int(num_samples.numpy() if isinstance(num_samples, TensorLike) else num_samples)
        z = v.astype(np.float64)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
        u = self._gen(seed).uniform(0.0, 1.0, (v.shape[0], n))
        idx = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(-1), v.shape[1] - 1)
        return _wrap(idx.astype(dt))


random = _Random()


@_export("nn.dropout")
def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zero each entry with probability ``rate`` and scale the rest by ``1 / (1 - rate)``.

    ``noise_shape`` (broadcastable to ``x``'s shape) shares one keep/drop decision along
    its size-1 axes; ``seed`` follows ``tf.random``'s rules. The gradient is the same mask.
    """
    t = x if isinstance(x, TensorLike) else convert_to_tensor(x)
    if t._value.dtype.kind != "f":
        raise TypeError(_("nn.dropout needs a float tensor, got {dtype}").format(
            dtype=t.dtype.name))
    r = float(rate.numpy() if isinstance(rate, TensorLike) else rate)
    if not 0 <= r < 1:
        raise ValueError(_("nn.dropout: rate must be a number in [0, 1), got {rate}").format(
            rate=r))
    shape = t._value.shape if noise_shape is None else _shape_tuple(noise_shape)
    try:
        np.broadcast_shapes(shape, t._value.shape)
    except ValueError:
        raise _errors.InvalidArgumentError(
            _("nn.dropout: noise_shape {noise_shape} does not broadcast to the tensor's shape "
              "{shape}.").format(noise_shape=list(shape), shape=list(t._value.shape)),
            op="Dropout") from None
    keep = random._gen(seed).uniform(0.0, 1.0, shape) >= r
    scale = np.where(keep, 1.0 / (1.0 - r), 0.0).astype(t._value.dtype)
    return _ops.multiply(t, scale)


# ----- namespaces ------------------------------------------------------------------------
errors = _Namespace(
    "tf.errors",
    InvalidArgumentError=_errors.InvalidArgumentError,
    OpError=_errors.OpError,
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
    return {k: _Namespace(f"tf.{k}", **dict(sorted(v.items()))) for k, v in spaces.items()}


_spaces = _namespaces()
debugging = _Namespace("tf.debugging", **{n: getattr(_debugging, n) for n in _debugging.__all__})
math, nn, linalg, losses = (_spaces.pop(k) for k in ("math", "nn", "linalg", "losses"))
assert not _spaces, f"tf sub-namespaces without a home: {sorted(_spaces)}"
_TOP = sorted(n for n in _exports() if "." not in n)

# ----- tf.keras and what is out of scope ---------------------------------------------------
from . import keras  # noqa: E402, F401  (tf.keras; it uses tf.random and tf.nn above)
from .keras._common import OutOfScope as _OutOfScope  # noqa: E402

# (_i18n.lazy, not lazy: a bare name here would become a public tf.lazy)
data = _OutOfScope("tf.data", _i18n.lazy(
    "Keep your data in numpy arrays or tensors and slice batches yourself, e.g. "
    "x_train[i:i + 32]."))
image = _OutOfScope("tf.image", _i18n.lazy(
    "Images are tensors: use tf ops (reshape, slicing, arithmetic) or numpy."))
saved_model = _OutOfScope("tf.saved_model", _i18n.lazy(
    "Save the variables' values instead, e.g. "
    "np.savez(path, *[v.numpy() for v in model.trainable_variables])."))
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


def _run_functions_eagerly(run_eagerly) -> None:
    """Accepted: adkernel's tf.function always runs eagerly (there is no graph to build)."""


class _Config(_OutOfScope):
    """``tf.config``: the device queries answer truthfully (one CPU); the rest is out of
    scope."""

    def __init__(self):
        super().__init__("tf.config", _i18n.lazy("adkernel runs on the CPU with numpy."))
        self.list_physical_devices = _list_devices("physical_device")
        self.list_logical_devices = _list_devices("device")
        self.run_functions_eagerly = _run_functions_eagerly
        self.functions_run_eagerly = lambda: True


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
    """``tf.foo`` for a name adkernel lacks: say so (as ``tf.math.foo`` does)."""
    if attr.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
    raise _missing_name("tf", attr)


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
    "bool",
    "complex64",
    "complex128",
    "constant",
    "convert_to_tensor",
    "custom_gradient",
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
