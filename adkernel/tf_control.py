"""``tf.cond``, ``tf.while_loop``, ``tf.map_fn`` and ``tf.vectorized_map``, eagerly.

adkernel runs eagerly, as TensorFlow does outside ``tf.function``: ``cond`` reads the
predicate's value and calls one branch, ``while_loop`` is a Python ``while`` loop, and
``map_fn``/``vectorized_map`` call the function on each slice and stack the results. Every
op they run is recorded on the active tapes, so gradients flow through the branch that was
taken and through every iteration, to any order.
"""

from __future__ import annotations

import numpy as np

from .engine import errors as _errors
from .engine import ops as _ops
from .engine.dtypes import as_dtype
from .engine.i18n import _
from .engine.registry import composite as _export
from .engine.tensor import TensorLike, TensorShape, Variable, _wrap, convert_to_tensor


def _leaves(value) -> list:
    """The leaves of a nested structure (dicts by sorted key, lists and tuples in order)."""
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in _leaves(value[k])]
    if isinstance(value, list | tuple):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _pack(structure, leaves: list):
    """Rebuild ``structure`` with ``leaves`` (consumed from the front) in its leaves' places."""
    if isinstance(structure, dict):
        return {k: _pack(structure[k], leaves) for k in sorted(structure)}
    if isinstance(structure, list | tuple):
        items = [_pack(v, leaves) for v in structure]
        return type(structure)(items) if type(structure) in (list, tuple) else type(
            structure)(*items)
    return leaves.pop(0)


def _same_structure(a, b) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and sorted(a) == sorted(b)
                and all(_same_structure(a[k], b[k]) for k in a))
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return (isinstance(a, list | tuple) and isinstance(b, list | tuple)
                and len(a) == len(b)
                and all(_same_structure(x, y) for x, y in zip(a, b, strict=True)))
    return True


def _same_types(a, b) -> bool:
    """Nested lists stay lists and tuples stay tuples (TensorFlow checks the types)."""
    if isinstance(a, list | tuple | dict):
        if type(a) is not type(b):
            return False
        pairs = ((a[k], b[k]) for k in a) if isinstance(a, dict) else zip(a, b, strict=True)
        return all(_same_types(x, y) for x, y in pairs)
    return True


def _structure_error(first, second) -> ValueError:
    return ValueError(_(
        "The two structures don't have the same nested structure: the loop variables are "
        "{first} but the body returned {second}. The body must return as many values as "
        "there are loop variables, nested the same way (e.g. return (i + 1, total) for "
        "loop_vars (i, total)).").format(first=first, second=second))


@_export("cond")
def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if ``pred`` is true, else ``false_fn()``: only that branch runs (eagerly,
    as TensorFlow outside ``tf.function``), so the gradient flows through it alone. Its
    result is returned as the branch gave it."""
    if true_fn is None:
        raise TypeError(_("cond(): 'true_fn' argument required"))
    if false_fn is None:
        raise TypeError(_("cond(): 'false_fn' argument required"))
    if not callable(true_fn):
        raise TypeError(_("'true_fn' must be callable: pass a function, e.g. "
                          "lambda: x * 2."))
    if not callable(false_fn):
        raise TypeError(_("'false_fn' must be callable: pass a function, e.g. "
                          "lambda: x * 2."))
    p = pred if isinstance(pred, TensorLike) else convert_to_tensor(pred)
    return true_fn() if bool(p) else false_fn()


def _max_iterations(maximum_iterations):
    if maximum_iterations is None:
        return None
    m = maximum_iterations if isinstance(maximum_iterations, TensorLike) else \
        convert_to_tensor(maximum_iterations)
    if m.ndim != 0:
        raise ValueError(_("'maximum_iterations' must be a scalar. Received shape: "
                           "{shape}").format(shape=list(m.shape)))
    return int(m.numpy())


def _loop_condition(cond, loop_vars, count, limit):
    """``cond(*loop_vars)``, and (with ``maximum_iterations``) fewer than ``limit`` steps."""
    if limit is None:
        return bool(cond(*loop_vars))
    keep = cond(*loop_vars)
    if not isinstance(keep, TensorLike | bool | np.bool_):
        raise TypeError(_("Cannot convert {value!r} to EagerTensor of dtype bool").format(
            value=keep))
    return count < limit and bool(keep)


@_export("while_loop")
def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """``while cond(*loop_vars): loop_vars = body(*loop_vars)``, eagerly.

    ``loop_vars`` is a list or tuple (nested structures allowed); ``body`` returns the new
    values in the same structure. The result has that structure, its leaves as tensors.
    ``maximum_iterations`` stops the loop after that many steps. As in eager TensorFlow,
    ``shape_invariants``, ``parallel_iterations``, ``back_prop`` and ``swap_memory`` do
    not change the result: gradients flow through every iteration that ran.
    """
    if not callable(cond):
        raise TypeError(_("'cond' must be callable."))
    if not callable(body):
        raise TypeError(_("'body' must be callable."))
    if parallel_iterations < 1:
        raise TypeError(_("'parallel_iterations' must be a positive integer."))
    if isinstance(loop_vars, list | tuple):
        loop_vars = type(loop_vars)(v.read_value() if isinstance(v, Variable) else v
                                    for v in loop_vars)
    if isinstance(loop_vars, Variable):
        loop_vars = loop_vars.read_value()
    if not isinstance(loop_vars, TensorLike) and not loop_vars:
        raise ValueError(_("'loop_vars' must be provided."))
    limit = _max_iterations(maximum_iterations)
    structure, given, count = list(loop_vars), loop_vars, 0
    while _loop_condition(cond, loop_vars, count, limit):
        loop_vars = body(*loop_vars)
        count += 1
        if not isinstance(loop_vars, list | tuple):
            if limit is not None:
                raise _structure_error(structure, [loop_vars])
            raise TypeError(_("'{type}' object is not iterable: the body must return a list "
                              "or tuple of loop variables, e.g. return (i + 1,)").format(
                                  type=type(loop_vars).__name__))
        if not _same_structure(structure, list(loop_vars)):
            raise _structure_error(structure, list(loop_vars))
        if not _same_types(structure if limit is None else given, list(loop_vars) if limit
                           is None else loop_vars):
            raise TypeError(_(
                "The two structures don't have the same sequence type: the loop variables "
                "are {first} but the body returned {second}. Return lists where the loop "
                "variables are lists and tuples where they are tuples.").format(
                    first=structure, second=list(loop_vars)))
    leaves = [v if isinstance(v, TensorLike) or v is None else convert_to_tensor(v)
              for v in _leaves(loop_vars)]
    return _pack(loop_vars, leaves)


def _slices(elems, where):
    """The leaves of ``elems`` as tensors, and their common first dimension."""
    leaves = [e if isinstance(e, TensorLike) else convert_to_tensor(e) for e in _leaves(elems)]
    if not leaves or any(t.ndim == 0 for t in leaves):
        raise ValueError(_("Elements in elems must be 1+ dimensional Tensors, not scalars"))
    sizes = sorted({t.shape[0] for t in leaves})
    if len(sizes) > 1:
        raise (ValueError if where == "map_fn" else _errors.InvalidArgumentError)(_(
            "{where}: every tensor in elems must have the same first dimension, got "
            "{sizes}").format(where=where, sizes=sizes))
    return leaves, sizes[0]


def _run_each(fn, elems, where):
    if not callable(fn):
        raise TypeError(_("{where}: fn must be callable, got {type}").format(
            where=where, type=type(fn).__name__))
    leaves, n = _slices(elems, where)
    outputs = [fn(_pack(elems, [t[i] for t in leaves])) for i in range(n)]
    return leaves, n, outputs


def _stack_leaf(values, dtype, where):
    ts = [v if isinstance(v, TensorLike) else convert_to_tensor(v, dtype=dtype)
          for v in values]
    for t in ts:
        if dtype is not None and t.dtype != dtype:
            raise _errors.InvalidArgumentError(_(
                "{where}: fn returned a {got} tensor where {expected} was expected. Say what "
                "fn returns with fn_output_signature={got_name}.").format(
                    where=where, got=t.dtype.name, expected=dtype.name,
                    got_name=f"tf.{t.dtype.name}"), op="TensorListSetItem")
        if t.shape != ts[0].shape:
            raise ValueError(_("Incompatible shape for value ({got}), expected "
                               "({expected})").format(got=tuple(t.shape),
                                                      expected=tuple(ts[0].shape)))
    return _ops.stack(ts, axis=0)


def _signature_dtypes(signature):
    return [None if s is None else as_dtype(getattr(s, "dtype", s)) for s in _leaves(signature)]


@_export("map_fn")
def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """``fn`` on each slice of ``elems`` along its first axis, the results stacked.

    ``elems`` may be a nested structure of tensors with the same first dimension; ``fn``
    then gets that structure of slices. Without ``fn_output_signature`` (``dtype`` is its
    old name), ``fn`` must return the structure and dtypes of ``elems``.
    ``back_prop=False`` stops the gradient; ``parallel_iterations``, ``swap_memory`` and
    ``infer_shape`` do not change the result.
    """
    signature = fn_output_signature if fn_output_signature is not None else dtype
    leaves, n, outputs = _run_each(fn, elems, "map_fn")
    shape_of = elems if signature is None else signature
    dtypes = ([t.dtype for t in leaves] if signature is None
              else _signature_dtypes(signature))
    for out in outputs:
        if not _same_structure(shape_of, out):
            raise _structure_error(shape_of, out)
    if n == 0:
        empty = [_wrap(np.zeros((0,), (d or leaves[0].dtype)._np)) for d in dtypes]
        return _pack(shape_of, empty) if isinstance(shape_of, list | tuple | dict) else empty[0]
    columns = list(zip(*[_leaves(out) for out in outputs], strict=True))
    stacked = [_stack_leaf(col, d, "map_fn") for col, d in zip(columns, dtypes, strict=True)]
    if not back_prop:
        stacked = [_ops.stop_gradient(t) for t in stacked]
    return _pack(outputs[0], stacked)


@_export("vectorized_map")
def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``fn`` on each slice of ``elems`` along its first axis, the results stacked.

    TensorFlow vectorizes ``fn`` into batched ops; adkernel runs it once per slice, which
    gives the same numbers and gradients (``fallback_to_while_loop`` and ``warn`` do not
    change the result). ``fn`` may return any dtype.
    """
    _leaves_in, n, outputs = _run_each(fn, elems, "vectorized_map")
    if n == 0:
        raise ValueError(_("vectorized_map needs at least one slice in elems (the first "
                           "dimension is 0)."))
    for out in outputs:
        if not _same_structure(outputs[0], out):
            raise _structure_error(outputs[0], out)
    columns = list(zip(*[_leaves(out) for out in outputs], strict=True))
    return _pack(outputs[0], [_stack_leaf(col, None, "vectorized_map") for col in columns])


# ----- TensorArray ----------------------------------------------------------------------------


class TensorArray:
    """``tf.TensorArray``: a list of same-dtype tensors that ops can fill one by one and
    ``stack`` into one tensor (the way to collect values in a loop inside ``tf.function``
    instead of appending to a Python list). Eager, as in TensorFlow 2: ``write`` returns the
    array itself (so ``ta = ta.write(i, v)`` works), and ``stack``/``gather``/``concat`` are
    recorded ops, so gradients flow to every value written.
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if handle is not None or flow is not None:
            raise NotImplementedError(_(
                "TensorArray: the arguments {names} belong to TensorFlow's graphs and are not "
                "supported by adkernel; leave them out.").format(names="'handle', 'flow'"))
        self._dtype = as_dtype(dtype)
        n = 0 if size is None else int(size.numpy() if isinstance(size, TensorLike) else size)
        if n < 0:
            raise ValueError(_("TensorArray: size must be 0 or more, got {size}").format(size=n))
        self._dynamic = bool(dynamic_size)
        self._values: list = [None] * n
        self._element_shape = None if element_shape is None else tuple(element_shape)
        self._infer = bool(infer_shape)

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic

    @property
    def element_shape(self):
        return TensorShape(self._element_shape)

    def size(self, name=None):
        """The number of elements, as an int32 tensor."""
        return convert_to_tensor(np.int32(len(self._values)))

    def _index(self, index) -> int:
        i = int(index.numpy() if isinstance(index, TensorLike) else index)
        if i < 0:
            raise _errors.InvalidArgumentError(_(
                "TensorArray: index {index} is negative; indices start at 0.").format(index=i),
                op="TensorArrayWrite")
        return i

    def _value(self, value):
        t = value if isinstance(value, TensorLike) else convert_to_tensor(
            value, dtype=self._dtype)
        if t._value.dtype != self._dtype._np:
            raise _errors.InvalidArgumentError(_(
                "TensorArray of dtype {want} cannot hold a {got} value: cast it first, e.g. "
                "tf.cast(value, tf.{want}).").format(want=self._dtype.name, got=t.dtype.name),
                op="TensorArrayWrite")
        shape = tuple(t._value.shape)
        if self._element_shape is not None and self._infer and shape != self._element_shape:
            raise ValueError(_(
                "TensorArray: every element must have the shape {want}, got {got}.").format(
                    want=list(self._element_shape), got=list(shape)))
        if self._infer:
            self._element_shape = shape
        return t

    def write(self, index, value, name=None):
        """Put ``value`` at ``index`` (growing the array when ``dynamic_size``)."""
        i = self._index(index)
        t = self._value(value)
        if i >= len(self._values):
            if not self._dynamic:
                raise _errors.OutOfRangeError(_(
                    "Tried to write to index {index} but array is not resizeable and size "
                    "is: {size}. Create it with dynamic_size=True to let it grow.").format(
                        index=i, size=len(self._values)), op="TensorArrayWrite")
            self._values.extend([None] * (i + 1 - len(self._values)))
        self._values[i] = t
        return self

    def _element(self, i: int):
        v = self._values[i]
        if v is not None:
            return v
        if self._element_shape is None:
            raise ValueError(_(
                "TensorArray: element {index} was never written and the element shape is "
                "unknown, so it cannot be read as zeros; write it first or give "
                "element_shape=...").format(index=i))
        return convert_to_tensor(np.zeros(self._element_shape, self._dtype._np))

    def read(self, index, name=None):
        """The element at ``index`` (zeros if never written and the shape is known)."""
        i = self._index(index)
        if i >= len(self._values):
            raise _errors.InvalidArgumentError(_(
                "TensorArray: index {index} is out of range for an array of size {size}."
            ).format(index=i, size=len(self._values)), op="TensorArrayRead")
        return self._element(i)

    def stack(self, name=None):
        """All elements stacked along a new first axis (a recorded op)."""
        if not self._values:
            shape = (0, *(self._element_shape or ()))
            return convert_to_tensor(np.zeros(shape, self._dtype._np))
        return _ops.stack([self._element(i) for i in range(len(self._values))])

    def gather(self, indices, name=None):
        """The elements at ``indices``, stacked."""
        idx = [self._index(i) for i in np.asarray(
            indices.numpy() if isinstance(indices, TensorLike) else indices).reshape(-1)]
        return _ops.stack([self.read(i) for i in idx])

    def concat(self, name=None):
        """All elements joined along their first axis."""
        return _ops.concat([self._element(i) for i in range(len(self._values))], axis=0)

    def unstack(self, value, name=None):
        """Fill the array with the slices of ``value`` along its first axis."""
        t = value if isinstance(value, TensorLike) else convert_to_tensor(value,
                                                                         dtype=self._dtype)
        n = t._value.shape[0] if t._value.ndim else 0
        if n > len(self._values) and not self._dynamic and self._values:
            raise _errors.InvalidArgumentError(_(
                "TensorArray: cannot unstack {n} values into an array of size {size}."
            ).format(n=n, size=len(self._values)), op="TensorArrayScatter")
        if n > len(self._values):
            self._values.extend([None] * (n - len(self._values)))
        for i in range(n):
            self.write(i, t[i])
        return self

    def scatter(self, indices, value, name=None):
        """Write the slices of ``value`` at ``indices``."""
        t = value if isinstance(value, TensorLike) else convert_to_tensor(value,
                                                                         dtype=self._dtype)
        idx = np.asarray(indices.numpy() if isinstance(indices, TensorLike) else indices)
        for k, i in enumerate(idx.reshape(-1)):
            self.write(int(i), t[k])
        return self

    def identity(self):
        return self

    def mark_used(self):
        return None

    def close(self, name=None):
        self._values = []
        return None

    def __repr__(self) -> str:
        return _("<TensorArray dtype={dtype} size={size}>").format(
            dtype=self._dtype.name, size=len(self._values))
