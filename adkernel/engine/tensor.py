"""Tensors, variables and the conversion rules between them and Python/numpy values.

A :class:`Tensor` is an immutable wrapper around a numpy array (or numpy scalar).
A :class:`Variable` holds a value that ``assign`` replaces. Both share the operator
overloads of :class:`TensorLike`, which are bound to the registered ops in
:mod:`adkernel.engine.ops` (one table, in one place).

dtypes follow TensorFlow: a plain Python ``float`` becomes float32 and an ``int``
int32, while numpy arrays and numpy scalars keep their dtype. When a tensor meets a
Python number or a numpy array in an op, the other operand adopts the tensor's dtype;
two tensors of different dtypes raise :class:`InvalidArgumentError`.
"""

from __future__ import annotations

import sys

import numpy as np

from . import _state
from ._state import serials, state, trace_any
from .dtypes import DType, as_dtype, dtype_of_numpy
from .errors import DTypeError, InvalidArgumentError, ShapeError
from .i18n import _, ngettext

__all__ = [
    "Tensor",
    "TensorLike",
    "TensorShape",
    "Variable",
    "constant",
    "convert_to_tensor",
    "is_tensor",
]

_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_I32 = np.dtype(np.int32)
_I64 = np.dtype(np.int64)
_ndarray = np.ndarray
_generic = np.generic


class TensorShape(tuple):
    """A tuple of dimensions with TensorFlow's helpers (``as_list``, ``rank``).

    ``TensorShape(None)`` is the unknown shape (a Variable created with it accepts
    values of any shape); ``None`` inside a shape is an unknown dimension.
    """

    __slots__ = ()

    def __new__(cls, dims=()):
        if dims is None:
            return tuple.__new__(_UnknownShape)
        return tuple.__new__(cls, (None if d is None else int(d) for d in dims))

    @property
    def is_fully_defined(self) -> bool:
        return None not in self

    def as_list(self) -> list[int]:
        return list(self)

    @property
    def rank(self) -> int:
        return len(self)

    @property
    def ndims(self) -> int:
        return len(self)

    def num_elements(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    def __repr__(self) -> str:
        return f"TensorShape({list(self)})"

    def __str__(self) -> str:
        return tuple.__repr__(tuple(self))


class _UnknownShape(TensorShape):
    __slots__ = ()

    @property
    def rank(self):
        return None

    ndims = rank

    @property
    def is_fully_defined(self) -> bool:
        return False

    def as_list(self):
        raise ValueError(_("as_list() is not defined on an unknown TensorShape."))

    def __repr__(self) -> str:
        return "TensorShape(None)"

    def __str__(self) -> str:
        return "<unknown>"


def _numpy_text(value, for_repr: bool) -> str:
    """TensorFlow's ``numpy_text``: in a repr a number is its Python value's repr (float32
    0.1 reads 0.10000000149011612) and an array on several lines starts on a new line."""
    if np.ndim(value) == 0:
        v = value[()] if isinstance(value, _ndarray) else value
        return repr(v.item()) if for_repr and isinstance(v, np.generic) else str(v)
    text = repr(value) if for_repr else str(value)
    return "\n" + text if for_repr and "\n" in text else text


class _Ref:
    """Hashable reference to a tensor or variable (``t.ref()``), compared by identity."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __hash__(self) -> int:
        return id(self._obj)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Ref) and other._obj is self._obj

    def __repr__(self) -> str:
        return f"<Reference wrapping {self._obj!r}>"


class TensorLike:
    """What tensors and variables share: value access, Python protocols, operators.

    The arithmetic dunders are attached by :func:`adkernel.engine.ops.bind_operators`.
    """

    __slots__ = ()
    _is_variable = False

    # -- value ----------------------------------------------------------------------
    @property
    def dtype(self) -> DType:
        return dtype_of_numpy(self._value.dtype)

    @property
    def shape(self) -> TensorShape:
        return tuple.__new__(TensorShape, self._value.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self) -> int:
        return self._value.ndim

    def numpy(self):
        """The value as numpy: a numpy scalar for 0-d tensors, else a copy of the array."""
        if trace_any and state.trace is not None:
            state.trace.guard(self, "numpy")
        v = self._value
        if isinstance(v, _ndarray):
            return v[()] if v.ndim == 0 else v.copy()
        return v

    def __array__(self, dtype=None, copy=None):
        """A read-only view (or a writable copy with ``copy=True``): writing into an array
        handed out must never change a variable or a value a tape saved."""
        if trace_any and state.trace is not None:
            state.trace.guard(self, "array")
        a = np.asarray(self._value)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        view = a.view()
        view.flags.writeable = False
        return view

    def __float__(self) -> float:
        self._need_one_element("float")
        if trace_any and state.trace is not None:
            state.trace.guard(self, "float")
        return float(self._value)

    def __int__(self) -> int:
        self._need_one_element("int")
        if trace_any and state.trace is not None:
            state.trace.guard(self, "int")
        return int(self._value)

    def _need_one_element(self, what: str) -> None:
        if self._value.size != 1:
            raise TypeError(
                _("{what}() needs a tensor with exactly one element, but this one has shape "
                  "{shape}; reduce it first (e.g. tf.reduce_sum(t), "
                  "tf.reduce_mean(t)) or pick one element (t[0])").format(
                    what=what, shape=tuple(self._value.shape)))

    def __index__(self) -> int:
        if self._value.dtype.kind not in "iu":
            raise TypeError(_("Only integer tensors can be used as an index, not {dtype}").format(
                dtype=self.dtype.name))
        if trace_any and state.trace is not None:
            state.trace.guard(self, "index")
        return int(self._value)

    def __complex__(self) -> complex:
        if trace_any and state.trace is not None:
            state.trace.guard(self, "complex")
        return complex(self._value)

    def __bool__(self) -> bool:
        if self._value.size > 1:
            raise ValueError(
                _("The truth value of a tensor with more than one element (shape "
                  "{shape}) is ambiguous: use tf.reduce_any(t) (is any "
                  "element true?) or tf.reduce_all(t) (are all true?)").format(
                    shape=tuple(self._value.shape)))
        if trace_any and state.trace is not None:
            state.trace.guard(self, "bool")
        return bool(self._value)

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0:
            return format(
                self._value[()] if isinstance(self._value, _ndarray) else self._value, spec
            )
        return format(str(self), spec)

    def __hash__(self):
        raise TypeError(
            _("{type} is unhashable. Instead, use tensor.ref() as the key.").format(
                type=type(self).__name__)
        )

    def ref(self) -> _Ref:
        """A hashable reference, to use tensors or variables as dict keys or set members."""
        return _Ref(self)

    experimental_ref = ref

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError(_("Cannot iterate over a scalar tensor."))
        for i in range(self._value.shape[0]):
            yield self[i]

    # numpy must hand ufuncs (np.sin(t), X @ t, X * t) and functions (np.sum(t)) to us
    # instead of converting the tensor to an array and leaving the tape.
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _hooks.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _hooks.array_function(func, types, args, kwargs)


class _Hooks:
    """What tensors need from the layers above them, filled in when those are imported.

    Tensors sit below the ops, the tapes and the numpy bridge, yet reading a variable,
    packing a list of tensors, ``v[i]``, ``v.assign`` and numpy calls on tensors all need
    them: :func:`connect` plugs them in (``adkernel.engine`` imports every layer).
    """

    identity = stack = getitem = on_assign = array_ufunc = array_function = replayed = None


_hooks = _Hooks()


def connect(**hooks) -> None:
    """Plug in the upper layers' functions (see :class:`_Hooks`)."""
    for name, fn in hooks.items():
        if not hasattr(_Hooks, name):
            raise AttributeError(name)
        setattr(_hooks, name, fn)


def _wrap(value) -> Tensor:
    t = _new_tensor(EagerTensor)
    t._value = value
    t._serial = next(serials)
    return t


_new_tensor = object.__new__


class Tensor(TensorLike):
    """An immutable n-dimensional array that ops can record on a :class:`GradientTape`.

    Create one with :func:`constant` or :func:`convert_to_tensor`; ops return them.

    Examples
    --------
    >>> from adkernel import tf
    >>> tf.constant([1.0, 2.0]) * 3
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 6.], dtype=float32)>
    """

    __slots__ = ("__weakref__", "_serial", "_value")

    def __init__(self, value, dtype=None):
        t = convert_to_tensor(value, dtype)
        self._value = t._value
        self._serial = next(serials)

    def __repr__(self) -> str:
        return (
            f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, "
            f"numpy={_numpy_text(self._value, True)}>"
        )

    def __str__(self) -> str:
        text = _numpy_text(self._value, False)
        sep = "\n" if "\n" in text else ""
        return f"tf.Tensor({sep}{text}, shape={self.shape}, dtype={self.dtype.name})"

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError(_("Scalar tensor has no `len()`"))
        return self._value.shape[0]

    def __setitem__(self, key, value):
        raise TypeError(
            _("'{type}' object does not support item assignment: tensors are immutable. "
              "Try a tf.Variable and `v[i].assign(value)`, or build a new tensor with "
              "tf.where.").format(type=type(self).__name__)
        )

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return _wrap(np.array(self._value, copy=True))

    def __reduce__(self):
        return constant, (self.numpy(),)


class EagerTensor(Tensor):
    """The concrete type of the tensors ops return (TensorFlow's name for it)."""

    __slots__ = ()


def is_tensor(x) -> bool:
    """True for adkernel tensors and variables."""
    return isinstance(x, TensorLike)


# ---------------------------------------------------------------------------------------
# Conversion
# ---------------------------------------------------------------------------------------


def _default_array(value) -> np.ndarray | np.generic:
    """A Python or numpy value as numpy, with TensorFlow's default dtypes."""
    t = type(value)
    if t is float:
        return np.float32(value)
    if t is int:
        return np.int32(value) if -(2**31) <= value < 2**31 else np.int64(value)
    if t is bool:
        return np.bool_(value)
    if t is complex:
        return np.complex128(value)
    if isinstance(value, (_ndarray, _generic)):
        return value
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except ValueError:
            raise ValueError(
                _("Can't convert non-rectangular Python sequence to Tensor: {value} has "
                  "rows of different lengths; give every row the same length (a tensor is a "
                  "rectangular grid of numbers)").format(value=_short(value))) from None
        if arr.dtype == _F64 and not _contains_numpy(value):
            return arr.astype(_F32)
        if arr.dtype == _I64 and not _contains_numpy(value):
            if arr.size == 0 or (arr.min() >= -(2**31) and arr.max() < 2**31):
                return arr.astype(_I32)
        if arr.dtype.kind in "OUS":
            raise DTypeError(
                _("Cannot convert {value!r} to a tensor: it is not a list of numbers.").format(
                    value=value))
        return arr
    if value is None:
        raise DTypeError(_(
            "Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) "
            "to a Tensor."
        ))
    arr = np.asarray(value)
    if arr.dtype.kind in "OUS":
        raise DTypeError(
            _("Cannot convert a value of type {type!r} to a Tensor; "
              "pass a number, a list of numbers or a numpy array.").format(
                type=type(value).__name__)
        )
    return arr


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _contains_numpy(seq) -> bool:
    for item in seq:
        if isinstance(item, (_ndarray, _generic)):
            return True
        if isinstance(item, (list, tuple)) and _contains_numpy(item):
            return True
    return False


def _contains_tensor(seq) -> bool:
    for item in seq:
        if isinstance(item, TensorLike):
            return True
        if isinstance(item, (list, tuple)) and _contains_tensor(item):
            return True
    return False


def _first_tensor(items):
    for v in items:
        if isinstance(v, TensorLike):
            return v
        if isinstance(v, (list, tuple)):
            found = _first_tensor(v)
            if found is not None:
                return found
    return None


def _values_as(items: list, np_dtype: np.dtype) -> list:
    """``items`` with each tensor of another dtype replaced by its values cast to
    ``np_dtype`` (nested lists too); other items unchanged."""
    out = []
    for v in items:
        if isinstance(v, TensorLike) and v._value.dtype != np_dtype:
            with np.errstate(invalid="ignore", over="ignore"):
                v = np.asarray(v._value).astype(np_dtype)
        elif isinstance(v, (list, tuple)):
            v = _values_as(list(v), np_dtype)
        out.append(v)
    return out


def _cast_value(value, np_dtype: np.dtype, what=None):
    """Convert a non-tensor value to ``np_dtype`` the way TensorFlow would, or raise."""
    t = type(value)
    if t is float and np_dtype.kind in "iub":
        raise DTypeError(_("Cannot convert {value!r} to EagerTensor of dtype {dtype}").format(
            value=value, dtype=np_dtype.name))
    if t is complex and np_dtype.kind != "c":
        raise DTypeError(_("Cannot convert {value!r} to EagerTensor of dtype {dtype}").format(
            value=value, dtype=np_dtype.name))
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        # TensorFlow packs the list with the requested dtype, casting the tensors in it when
        # that dtype is not the dtype of its first tensor
        items = list(value)
        first = _first_tensor(items)
        if first is not None and first._value.dtype != np_dtype:
            items = _values_as(items, np_dtype)
        packed = _hooks.stack(items)
        return packed._value if packed._value.dtype == np_dtype else packed._value.astype(np_dtype)
    is_numpy = isinstance(value, (_ndarray, _generic))
    arr = value if is_numpy else np.asarray(value)
    if arr.dtype == np_dtype:
        return arr
    if arr.dtype.kind in "OUS":
        raise DTypeError(_("Cannot convert {value!r} to a tensor of dtype {dtype}").format(
            value=value, dtype=np_dtype.name))
    if np_dtype.kind in "iub" and arr.dtype.kind in "fc" and not is_numpy and arr.size:
        # Python floats never become integers (TensorFlow refuses [1.0, 2.0] as int32 too;
        # an empty list holds no float: tf.constant([], tf.int32) works)
        raise DTypeError(_("Cannot convert {value!r} to EagerTensor of dtype {dtype}").format(
            value=value, dtype=np_dtype.name))
    if np_dtype.kind in "iu" and arr.dtype.kind == "f":
        # numpy floats are truncated toward 0, as TensorFlow converts them (NaN and inf
        # become the smallest integer, as numpy's and TensorFlow's casts give)
        with np.errstate(invalid="ignore"):
            return arr.astype(np_dtype)
    return arr.astype(np_dtype)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Turn a Python number, list, numpy array or tensor into a :class:`Tensor`.

    A tensor is returned unchanged (a variable is read); ``dtype`` must then match.
    """
    if isinstance(value, TensorLike):
        if dtype is not None:
            want = as_dtype(dtype)._np
            if value._value.dtype != want:
                raise ValueError(
                    _("Tensor conversion requested dtype {want} for Tensor with dtype "
                      "{got}: {value!r}. Try tf.cast(x, tf.{want}).").format(
                        want=want.name, got=value._value.dtype.name, value=value)
                )
        if isinstance(value, Tensor):
            return value
        return _hooks.identity(value)
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        packed = _hooks.stack(list(value))
        if dtype is not None and packed._value.dtype != as_dtype(dtype)._np:
            raise ValueError(
                _("Tensor conversion requested dtype {want} for a list of "
                  "{got} tensors; try tf.cast(x, {want}).").format(
                    want=as_dtype(dtype).name, got=packed._value.dtype.name))
        return packed
    if dtype is None and dtype_hint is not None:
        try:
            return _wrap(_cast_value(value, as_dtype(dtype_hint)._np))
        except (TypeError, ValueError):
            pass
    v = _default_array(value) if dtype is None else _cast_value(value, as_dtype(dtype)._np)
    if v is value and isinstance(v, _ndarray):
        v = v.copy()  # tensors own their data: later writes to the array must not leak in
    return _wrap(v)


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """A constant tensor (``tf.constant``). ``shape`` broadcasts or reshapes the value."""
    if isinstance(value, TensorLike):
        if trace_any and state.trace is not None:  # its value becomes a constant: guard it
            state.trace.guard(value, "constant")
        t = value if dtype is None else convert_to_tensor(value.numpy(), dtype)
        v = np.array(t._value, copy=True)
    else:
        v = convert_to_tensor(value, dtype)._value
    if shape is not None:
        shape = tuple(shape)
        if np.size(v) == int(np.prod(shape)):
            v = np.reshape(v, shape)
        elif np.size(v) == 1:
            v = np.broadcast_to(np.reshape(v, ()), shape).copy()
        else:
            raise TypeError(
                _("Eager execution of tf.constant with unsupported shape. Tensor {value} has "
                  "{n} elements, but got `shape` {shape} with {m} "
                  "elements: give a single value (it is repeated) or exactly that many.").format(
                    value=v, n=np.size(v), shape=shape, m=int(np.prod(shape))))
    return _wrap(v)


def operand(value, np_dtype: np.dtype):
    """A non-tensor operand of an op, converted to the dtype of the tensor it meets."""
    t = type(value)
    if t is float:
        if np_dtype is _F64:
            return value
        if np_dtype.kind in "fc":
            return np_dtype.type(value)
        raise DTypeError(_("Cannot convert {value!r} to EagerTensor of dtype {dtype}").format(
            value=value, dtype=np_dtype.name))
    if t is int:
        if np_dtype.kind == "b":
            raise DTypeError(_("Cannot convert {value!r} to EagerTensor of dtype bool").format(
                value=value))
        return np_dtype.type(value)
    if t is _ndarray:
        return value if value.dtype is np_dtype else _cast_value(value, np_dtype)
    return _cast_value(value, np_dtype)


def dtype_mismatch(op_name: str, a_dtype: np.dtype, b_dtype: np.dtype, index: int = 1):
    return InvalidArgumentError(
        _("cannot compute {op} as input #{index}(zero-based) was expected to be a "
          "{want} tensor but is a {got} tensor. Tensors in one op must share "
          "a dtype: convert one of them, e.g. tf.cast(y, tf.{want}), or create both "
          "with the same dtype (a Python float gives float32, a numpy array keeps float64)."
          ).format(op=op_name, index=index, want=a_dtype.name, got=b_dtype.name),
        op=op_name,
    )


# ---------------------------------------------------------------------------------------
# Variables
# ---------------------------------------------------------------------------------------


class Variable(TensorLike):
    """A named, mutable tensor: the parameters a model learns.

    ``GradientTape`` watches trainable variables automatically when an op reads them.
    Change the value with :meth:`assign`, :meth:`assign_add` or :meth:`assign_sub`;
    ``v = v + 1`` would replace the variable by a plain tensor.

    Examples
    --------
    >>> from adkernel import tf
    >>> v = tf.Variable(3.0, name="x")
    >>> v.assign_sub(0.5).numpy(), v.name
    (np.float32(2.5), 'x:0')
    """

    __slots__ = ("__weakref__", "_name", "_serial", "_shape_fixed", "_value", "constraint",
                 "trainable")
    _is_variable = True

    def __new__(cls, *args, **kwargs):
        # Like TensorFlow, tf.Variable(...) makes a ResourceVariable.
        return object.__new__(ResourceVariable if cls is Variable else cls)

    def __init__(
        self,
        initial_value=None,
        trainable=None,
        validate_shape=True,
        caching_device=None,
        name=None,
        variable_def=None,
        dtype=None,
        import_scope=None,
        constraint=None,
        synchronization=None,
        aggregation=None,
        shape=None,
        experimental_enable_variable_lifting=True,
    ):
        """TensorFlow's signature. ``validate_shape=False`` lets ``assign`` change the shape;
        ``constraint`` is kept as :attr:`constraint` (optimizers apply it, as in TensorFlow);
        ``experimental_enable_variable_lifting`` only matters inside ``tf.function`` graphs.
        The device, graph and distribution arguments are refused."""
        bad = [k for k, v in (("caching_device", caching_device), ("variable_def", variable_def),
                              ("import_scope", import_scope),
                              ("synchronization", synchronization),
                              ("aggregation", aggregation)) if v is not None]
        if bad:
            raise NotImplementedError(ngettext(
                "tf.Variable: the argument {names} (devices, graphs, distribution) "
                "is not supported by adkernel; leave it out.",
                "tf.Variable: the arguments {names} (devices, graphs, distribution) "
                "are not supported by adkernel; leave them out.", len(bad)).format(
                    names=", ".join(repr(b) for b in bad)))
        if constraint is not None and not callable(constraint):
            raise ValueError(_("The `constraint` argument must be a callable."))
        self.constraint = constraint
        if trainable is None:
            trainable = True
        if not validate_shape and shape is None:
            shape = TensorShape(None)
        if initial_value is None:
            raise ValueError(_("tf.Variable needs an initial_value, e.g. tf.Variable(0.0)"))
        if callable(initial_value) and not isinstance(initial_value, TensorLike):
            initial_value = initial_value()
        if isinstance(initial_value, TensorLike):
            value = initial_value._value
            if dtype is not None and value.dtype != as_dtype(dtype)._np:
                value = _cast_value(np.asarray(value), as_dtype(dtype)._np)
        elif dtype is None and type(initial_value) in (list, tuple) and _contains_tensor(
                initial_value):
            # tensors in a list are packed as by tf.convert_to_tensor: two shapes or two
            # dtypes raise InvalidArgumentError, as TensorFlow's Pack (with a dtype, cast)
            value = convert_to_tensor(initial_value)._value
        elif dtype is None:
            value = _default_array(initial_value)
        else:
            value = _cast_value(initial_value, as_dtype(dtype)._np)
        self._value = np.array(value, copy=True)
        self._serial = next(serials)
        self._name = "Variable" if name is None else str(name)
        self.trainable = bool(trainable)
        self._shape_fixed = shape is None or (
            not isinstance(shape, _UnknownShape) and None not in tuple(shape)
        )
        if shape is not None and self._shape_fixed and tuple(shape) != self._value.shape:
            raise ShapeError(
                _("The initial value's shape {shape} is not compatible with "
                  "the explicitly supplied `shape` argument {given}.").format(
                    shape=self._value.shape, given=tuple(shape))
            )
        if trace_any and state.trace is not None:
            state.trace.variable_created(self)
        elif trace_any and state.calling:  # made by a replayed call (an optimizer's slots)
            state.made_in_call.append(self)

    @property
    def name(self) -> str:
        return f"{self._name}:0"

    def __repr__(self) -> str:
        return (
            f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, "
            f"numpy={_numpy_text(self._value, True)}>"
        )

    __str__ = __repr__

    def read_value(self) -> Tensor:
        return _hooks.identity(self)

    value = read_value

    def __len__(self):
        raise TypeError(_("object of type '{type}' has no len()").format(
            type=type(self).__name__))

    def __getitem__(self, key):
        return _hooks.getitem(self, key, _out_type=_VariableSlice, _out_init=(self, key))

    def __setitem__(self, key, value):
        raise TypeError(
            _("'{type}' object does not support item assignment. "
              "Try `v[i].assign(value)` or `v.assign(new_value)`.").format(
                type=type(self).__name__)
        )

    def __iadd__(self, other):
        raise RuntimeError(_(
            "`variable += value` with `tf.Variable`s is not supported. Use "
            "`variable.assign_add(value)` to modify the variable, or `out = variable + value` "
            "if you need to get a new output Tensor."
        ))

    def __isub__(self, other):
        raise RuntimeError(_(
            "`variable -= value` with `tf.Variable`s is not supported. Use "
            "`variable.assign_sub(value)` to modify the variable, or `out = variable - value` "
            "if you need to get a new output Tensor."
        ))

    def __imul__(self, other):
        raise RuntimeError(_(
            "`variable *= value` with `tf.Variable`s is not supported. Use "
            "`variable.assign(variable * value)`, or `out = variable * value` for a new Tensor."
        ))

    def __itruediv__(self, other):
        raise RuntimeError(_(
            "`variable /= value` with `tf.Variable`s is not supported. Use "
            "`variable.assign(variable / value)`, or `out = variable / value` for a new Tensor."
        ))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return Variable(self._value, trainable=self.trainable, name=self._name)

    # -- assignment -------------------------------------------------------------------
    def _coerce_new(self, value, verb: str):
        cur = self._value
        if isinstance(value, TensorLike):
            new = value._value
            if new.dtype is not cur.dtype and new.dtype != cur.dtype:
                raise ValueError(
                    _("Tensor conversion requested dtype {want} for Tensor with dtype "
                      "{got}: cannot {verb} it to variable '{name}'. "
                      "Try tf.cast(value, tf.{want}).").format(
                        want=cur.dtype.name, got=new.dtype.name, verb=verb, name=self.name)
                )
        else:
            new = operand(value, cur.dtype)
        try:
            shape = new.shape
        except AttributeError:
            shape = np.shape(new)
        if shape != cur.shape and self._shape_fixed:
            if verb != "assign" and _broadcasts(shape, cur.shape):
                return new
            raise ShapeError(
                _("Cannot {verb} value to variable '{name}': Shape mismatch. The variable "
                  "shape {shape}, and the assigned value shape {value_shape} are incompatible."
                  ).format(verb=verb, name=self.name, shape=cur.shape, value_shape=shape)
            )
        return new

    def _owns_value(self) -> bool:
        # In-place updates are only safe when nobody else (a live tape, a tensor
        # sharing the array, a view) still holds the current array.
        return _refs_of_value(self) <= _UNSHARED

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replace the value (not differentiable: a tape sees only the new value)."""
        if trace_any:
            _state.note_old_value(self)
        new = self._coerce_new(value, "assign")
        if self._owns_value() and np.shape(new) == self._value.shape:
            self._value[...] = new
        else:
            self._value = np.array(new, dtype=self._value.dtype, copy=True)
        if state.recording:
            self._note_assign(value)
        if trace_any and state.trace is not None:
            state.trace.write(self, "assign", new, value)
        return self if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Add ``delta`` to the value in place (``v.assign(v + delta)``, not differentiable)."""
        if trace_any:
            _state.note_old_value(self)
        d = self._coerce_new(delta, "assign_add")
        if self._owns_value():
            self._value += d
        else:
            self._value = self._value + d
        if state.recording:
            self._note_assign(delta)
        if trace_any and state.trace is not None:
            state.trace.write(self, "assign_add", d, delta)
        return self if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtract ``delta`` from the value in place (the gradient-descent step)."""
        if trace_any:
            _state.note_old_value(self)
        if type(delta) is EagerTensor:
            d = delta._value
            # the training-loop case: a gradient step of the variable's own shape and dtype
            # (no local name for the current array: it would count as one more holder)
            if d.dtype is self._value.dtype and d.shape == self._value.shape:
                if _refs_of_value(self) <= _UNSHARED:
                    self._value -= d
                else:
                    self._value = self._value - d
                if state.recording:
                    self._note_assign(delta)
                if trace_any and state.trace is not None:
                    state.trace.write(self, "assign_sub", d, delta)
                return self if read_value else None
        d = self._coerce_new(delta, "assign_sub")
        if self._owns_value():
            self._value -= d
        else:
            self._value = self._value - d
        if state.recording:
            self._note_assign(delta)
        if trace_any and state.trace is not None:
            state.trace.write(self, "assign_sub", d, delta)
        return self if read_value else None

    def _note_assign(self, value=None):
        # Tapes remember that this variable was assigned while they recorded (and from
        # what), so that `explain` can say a gradient path was cut by an assignment.
        _hooks.on_assign(self, value)


def _broadcasts(small: tuple, big: tuple) -> bool:
    """True when an update of shape ``small`` broadcasts onto ``big`` without growing it."""
    if len(small) > len(big):
        return False
    return all(s in (1, b) for s, b in zip(small[::-1], big[::-1], strict=False))


def _refs_of_value(holder) -> int:
    """References to ``holder._value`` (a huge number for views and scalars)."""
    v = holder._value
    if type(v) is not _ndarray or v.base is not None:
        return 1 << 30
    return sys.getrefcount(v)


def _calibrate_refs() -> int:
    """The reference count of an array held only by its owner, as _refs_of_value sees it.

    Measured rather than assumed, so the in-place test stays right on any CPython.
    """

    class _Holder:
        __slots__ = ("_value",)

    h = _Holder()
    h._value = np.empty(1)
    return _refs_of_value(h)


_UNSHARED = _calibrate_refs()


class ResourceVariable(Variable):
    """The concrete type of ``tf.Variable(...)`` (TensorFlow's name for it)."""

    __slots__ = ()


class _VariableSlice(Tensor):
    """``v[i]``: a tensor that also supports ``.assign`` to write into the variable."""

    __slots__ = ("_key", "_var")

    def assign(self, value, use_locking=None, name=None, read_value=True):
        var = self._var
        if trace_any and state.trace is not None:  # one replayed step (made outside ops)
            _hooks.replayed(_assign_slice)(var, self._key, value)
        else:
            _assign_slice(var, self._key, value)
        return var if read_value else None


def _assign_slice(var, key, value) -> None:
    """``v[key].assign(value)``: the variable gets a copy with ``key`` replaced."""
    new = np.array(var._value, copy=True)
    new[key] = value._value if isinstance(value, TensorLike) else value
    var.assign(new)
