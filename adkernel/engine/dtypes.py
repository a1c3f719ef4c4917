"""TensorFlow-style dtypes over numpy dtypes.

``tf.float32`` is a :class:`DType`; it compares equal to the numpy dtype it wraps, to
other spellings of it (``np.float32``, ``"float32"``) and prints as TensorFlow does.
"""

from __future__ import annotations

import numpy as np

from .i18n import _

__all__ = ["DType", "as_dtype", "dtype_of_numpy", "is_differentiable_dtype", "is_floating"]


class DType:
    """A tensor element type, e.g. ``tf.float32``.

    Examples
    --------
    >>> from adkernel import tf
    >>> tf.float32 == "float32", tf.float32.is_floating
    (True, True)
    """

    __slots__ = ("_np", "name")

    def __init__(self, np_dtype: np.dtype, name: str):
        self._np = np_dtype
        self.name = name

    # -- TensorFlow's DType surface -------------------------------------------------
    @property
    def as_numpy_dtype(self) -> type:
        return self._np.type

    @property
    def is_floating(self) -> bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._np.kind in "iu"

    @property
    def is_complex(self) -> bool:
        return self._np.kind == "c"

    @property
    def is_bool(self) -> bool:
        return self._np.kind == "b"

    @property
    def size(self) -> int:
        return self._np.itemsize

    @property
    def min(self):
        return np.finfo(self._np).min if self.is_floating else np.iinfo(self._np).min

    @property
    def max(self):
        return np.finfo(self._np).max if self.is_floating else np.iinfo(self._np).max

    def __eq__(self, other) -> bool:
        if isinstance(other, DType):
            return self._np == other._np
        try:
            return self._np == as_dtype(other)._np
        except (TypeError, ValueError):
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._np)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return as_dtype, (self.name,)


_BY_NP: dict[np.dtype, DType] = {}
_BY_NAME: dict[str, DType] = {}


def _register(np_type, name: str, *aliases: str) -> DType:
    dt = DType(np.dtype(np_type), name)
    _BY_NP[dt._np] = dt
    for n in (name, *aliases):
        _BY_NAME[n] = dt
    return dt


float16 = _register(np.float16, "float16", "half")
float32 = _register(np.float32, "float32", "float")
float64 = _register(np.float64, "float64", "double")
int8 = _register(np.int8, "int8")
int16 = _register(np.int16, "int16")
int32 = _register(np.int32, "int32")
int64 = _register(np.int64, "int64")
uint8 = _register(np.uint8, "uint8")
uint16 = _register(np.uint16, "uint16")
uint32 = _register(np.uint32, "uint32")
uint64 = _register(np.uint64, "uint64")
bool_ = _register(np.bool_, "bool")
complex64 = _register(np.complex64, "complex64")
complex128 = _register(np.complex128, "complex128")


def dtype_of_numpy(np_dtype: np.dtype) -> DType:
    """The :class:`DType` for a numpy dtype (fast path used by ``Tensor.dtype``)."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        raise TypeError(_("adkernel has no tensor dtype for numpy dtype {dtype}").format(
            dtype=np_dtype)) from None


def as_dtype(type_value) -> DType:
    """Convert ``tf.float32``, ``np.float32``, ``np.dtype('float32')`` or ``"float32"``."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        try:
            return _BY_NAME[type_value]
        except KeyError:
            raise TypeError(
                _("Unknown dtype name {name!r}; try one of: {names}").format(
                    name=type_value, names=", ".join(sorted(_BY_NAME)))
            ) from None
    if type_value is float:
        return float32
    if type_value is int:
        return int32
    if type_value is bool:
        return bool_
    if type_value is complex:
        return complex128
    try:
        return dtype_of_numpy(np.dtype(type_value))
    except TypeError:
        raise TypeError(
            _("Cannot interpret {value!r} as a dtype; try tf.float32 or 'float64'").format(
                value=type_value)
        ) from None


def is_floating(np_dtype: np.dtype) -> bool:
    return np_dtype.kind == "f"


def is_differentiable_dtype(np_dtype: np.dtype) -> bool:
    """Gradients exist only for floating and complex tensors (as in TensorFlow)."""
    return np_dtype.kind in "fc"
