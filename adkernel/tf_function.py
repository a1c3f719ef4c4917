"""``tf.function``, ``tf.TensorSpec``, ``tf.Module`` and ``tf.name_scope`` for adkernel.

adkernel runs eagerly and never builds a graph: ``tf.function`` calls the Python function
as it is (after checking the arguments against an ``input_signature``), so ``print``
and Python control flow run on every call and gradients come from the same tape as
without it. ``tf.Module`` collects variables from its attributes in TensorFlow's order.
"""

from __future__ import annotations

import functools
import re

from .engine.dtypes import as_dtype
from .engine.i18n import _
from .engine.tensor import TensorLike, TensorShape, Variable, convert_to_tensor

__all__ = ["Module", "TensorSpec", "function", "name_scope"]


# ----- TensorSpec ---------------------------------------------------------------------------


class TensorSpec:
    """The shape and dtype a tensor argument must have (``None`` dimensions: any size).

    ``TensorSpec(None)`` accepts any shape; the default dtype is float32, as in TensorFlow.
    """

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = TensorShape(None if shape is None else
                                 (shape,) if isinstance(shape, int) else shape)
        self.dtype = as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        t = tensor if isinstance(tensor, TensorLike) else convert_to_tensor(tensor)
        return cls(t.shape, t.dtype, name)

    def _shape_ok(self, shape) -> bool:
        if type(self.shape) is not TensorShape:  # the unknown shape
            return True
        return len(shape) == len(self.shape) and all(
            a is None or a == b for a, b in zip(self.shape, shape, strict=True))

    def is_compatible_with(self, spec_or_value) -> bool:
        """True when a tensor (or spec) has this dtype and a shape that fits."""
        if isinstance(spec_or_value, TensorSpec):
            other = spec_or_value
            if type(other.shape) is not TensorShape:
                return type(self.shape) is not TensorShape and other.dtype == self.dtype
            return other.dtype == self.dtype and self._shape_ok(tuple(other.shape))
        t = spec_or_value if isinstance(spec_or_value, TensorLike) else convert_to_tensor(
            spec_or_value, dtype_hint=self.dtype)
        return t.dtype == self.dtype and self._shape_ok(tuple(t.shape))

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and tuple(self.shape) == tuple(other.shape)
                and type(self.shape) is type(other.shape) and self.dtype == other.dtype
                and self.name == other.name)

    def __hash__(self):
        return hash((tuple(self.shape), self.dtype.name, self.name))

    def __repr__(self):
        shape = "<unknown>" if type(self.shape) is not TensorShape else str(
            tuple(self.shape)).replace(",)", ")")
        if type(self.shape) is TensorShape and len(self.shape) == 1:
            shape = f"({self.shape[0]},)"
        return f"TensorSpec(shape={shape}, dtype=tf.{self.dtype.name}, name={self.name!r})"


# ----- tf.function ----------------------------------------------------------------------------

_HONEST_NO_OPS = ("autograph", "jit_compile", "reduce_retracing", "experimental_implements",
                  "experimental_autograph_options", "experimental_attributes",
                  "experimental_relax_shapes", "experimental_compile",
                  "experimental_follow_type_hints")


class Function:
    """What ``tf.function`` returns: the Python function, called eagerly.

    No graph is built and nothing is traced: every call runs the Python body (so ``print``
    prints each time and Python ``if``/``for`` see the tensors' values). With an
    ``input_signature``, each call's arguments are checked against it, as TensorFlow does.
    """

    def __init__(self, python_function, input_signature=None, options=None, instance=None):
        self.python_function = python_function
        self.input_signature = None if input_signature is None else tuple(input_signature)
        self._options = dict(options or {})
        self._instance = instance
        functools.update_wrapper(self, python_function)
        if self.input_signature is not None:
            for spec in self.input_signature:
                if not isinstance(spec, TensorSpec):
                    raise TypeError(_(
                        "tf.function: input_signature must be a list of tf.TensorSpec, got "
                        "{spec!r}").format(spec=spec))

    def __get__(self, instance, owner=None):
        """As a method: bind ``self`` (each instance gets its own bound Function)."""
        if instance is None:
            return self
        return Function(self.python_function, self.input_signature, self._options, instance)

    def _check_signature(self, args, kwargs):
        if kwargs:
            names = list(kwargs)
            raise TypeError(_(
                "{name}: with an input_signature, pass the arguments by position "
                "(got keyword arguments {names}); adkernel checks them in order.").format(
                    name=self.__name__, names=names))
        if len(args) != len(self.input_signature):
            raise TypeError(_(
                "{name} has an input_signature of {expected} tensor(s) but was called with "
                "{got} argument(s).").format(name=self.__name__,
                                             expected=len(self.input_signature), got=len(args)))
        checked = []
        for i, (arg, spec) in enumerate(zip(args, self.input_signature, strict=True)):
            t = arg if isinstance(arg, TensorLike) else convert_to_tensor(
                arg, dtype_hint=spec.dtype)
            if not spec.is_compatible_with(t):
                raise TypeError(_(
                    "{name}: argument {index} (shape {shape}, dtype {dtype}) does not match "
                    "the input_signature's {spec!r}.").format(
                        name=self.__name__, index=i, shape=list(t.shape), dtype=t.dtype.name,
                        spec=spec))
            checked.append(arg if isinstance(arg, Variable) else t)
        return checked

    def __call__(self, *args, **kwargs):
        if self.input_signature is not None:
            args = self._check_signature(args, kwargs)
        if self._instance is not None:
            return self.python_function(self._instance, *args, **kwargs)
        return self.python_function(*args, **kwargs)

    def get_concrete_function(self, *args, **kwargs):
        raise NotImplementedError(_(
            "tf.function(...).get_concrete_function: adkernel builds no graph, so there are "
            "no concrete functions; call the function itself (it runs eagerly)."))

    def experimental_get_tracing_count(self) -> int:
        """0: adkernel never traces (every call runs the Python function)."""
        return 0

    def __repr__(self):
        return _("<adkernel tf.function (eager, no graph) wrapping {function!r}>").format(
            function=self.python_function)


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """``@tf.function``: accepted so TensorFlow code runs; **no graph is built**.

    The decorated function runs eagerly on every call, exactly as without the decorator
    (``print`` runs each time, Python control flow sees values, the tape records as
    usual); results and gradients are the same as TensorFlow's. ``input_signature``
    (a list of :class:`TensorSpec`) is honoured: calls whose arguments do not fit raise
    ``TypeError``. ``autograph``, ``jit_compile``, ``reduce_retracing`` and the
    ``experimental_*`` options only change how TensorFlow builds and compiles its graph,
    not what the function computes, so they are accepted and have no effect here.
    Works as ``@tf.function``, ``@tf.function(...)``, ``tf.function(f)`` and on methods.
    """
    options = {k: v for k, v in (("autograph", autograph), ("jit_compile", jit_compile),
                                 ("reduce_retracing", reduce_retracing)) if v}

    def decorate(f):
        if isinstance(f, Function):
            return Function(f.python_function, input_signature or f.input_signature, options)
        if not callable(f):
            raise TypeError(_("tf.function needs a function, got {type}").format(
                type=type(f).__name__))
        return Function(f, input_signature, options)

    return decorate if func is None else decorate(func)


# ----- name_scope ---------------------------------------------------------------------------


class name_scope:
    """``with tf.name_scope("block"):`` - accepted; adkernel keeps no graph, so names are
    only labels (variables keep the name they were given)."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise TypeError(_("tf.name_scope needs a string name, got {type}").format(
                type=type(name).__name__))
        self._name = name

    @property
    def name(self) -> str:
        return self._name if not self._name or self._name.endswith("/") else self._name + "/"

    def __enter__(self):
        return self.name

    def __exit__(self, *exc):
        return False


# ----- tf.Module ----------------------------------------------------------------------------


def _camel_to_snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def _leaves(value):
    """nest.flatten: dicts by sorted key, lists and tuples in order, anything else a leaf."""
    if isinstance(value, dict):
        try:
            keys = sorted(value)
        except TypeError:
            keys = list(value)
        for k in keys:
            yield from _leaves(value[k])
    elif isinstance(value, list | tuple) and not isinstance(value, TensorShape):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


class Module:
    """A container of variables and sub-modules, like ``tf.Module``.

    :attr:`variables`, :attr:`trainable_variables` and :attr:`submodules` walk the
    attributes in TensorFlow's order: this module's attributes sorted by name (inside
    dicts by key, lists and tuples in order), then each sub-module's in turn; each object
    counts once. ``name`` defaults to the class name in snake_case.
    """

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
            raise ValueError(_("{name!r} is not a valid module name: use letters, digits, "
                               "'_', '.' or '-', starting with a letter or '_'.").format(
                                   name=name))
        self._name = name
        self._scope_name = name + "/"

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self) -> name_scope:
        return name_scope(self._scope_name)

    def _flatten(self, predicate, seen=None, stack=None):
        seen = set() if seen is None else seen
        stack = [] if stack is None else stack
        stack.append(id(self))
        subs = []
        for key in sorted(vars(self)):
            for leaf in _leaves(vars(self)[key]):
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
                if predicate(leaf):
                    yield leaf
                if isinstance(leaf, Module) and id(leaf) not in stack:
                    subs.append(leaf)
        for sub in subs:
            yield from sub._flatten(predicate, seen, stack)
        stack.pop()

    @property
    def variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Variable) and v.trainable))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Variable) and not v.trainable))

    @property
    def submodules(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Module)))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator kept for compatibility: runs ``method`` (names are only labels here)."""

        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        return wrapped

    def __repr__(self):
        return _("<{module}.{cls} object named {name!r}>").format(
            module=type(self).__module__, cls=type(self).__name__, name=self._name)
