"""``tf.function``, ``tf.TensorSpec``, ``tf.Module`` and ``tf.name_scope`` for adkernel.

adkernel runs eagerly and never builds a graph: ``tf.function`` calls the Python function
as it is (after checking the arguments against an ``input_signature``), so ``print``
and Python control flow run on every call and gradients come from the same tape as
without it. ``tf.Module`` collects variables from its attributes in TensorFlow's order.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import re
import sys
import warnings
import weakref

import numpy as np

from .engine import _state
from .engine._state import forward_any, state, trace_any
from .engine.dtypes import as_dtype
from .engine.errors import InvalidArgumentError
from .engine.i18n import _
from .engine.tensor import (
    EagerTensor,
    TensorLike,
    TensorShape,
    Variable,
    _wrap,
    convert_to_tensor,
)
from .engine.trace import Const, GuardFailed, Raw, Tracer, _build

__all__ = ["ConcreteFunction", "Function", "Module", "TensorSpec", "function", "name_scope",
           "run_functions_eagerly"]


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

# Options that change only how TensorFlow compiles a graph, not what a function computes.
_ACCEPTED = ("autograph", "jit_compile", "experimental_implements",
             "experimental_autograph_options", "experimental_attributes",
             "experimental_relax_shapes", "experimental_compile",
             "experimental_follow_type_hints")

_MAX_VARIANTS = 8  # guarded variants of one trace before a function is run eagerly
_EAGER = {"on": False}  # tf.config.run_functions_eagerly


def _canon(value, arrays: list, variables: list, holds: list):
    """``(key, value)`` for one argument: its part of the trace key (TensorFlow's rules:
    tensors by shape and dtype, Python values by value, other objects by identity) and the
    value the body sees (a numpy array becomes a tensor, as in TensorFlow)."""
    if isinstance(value, TensorLike):
        v = value._value
        if getattr(value, "_is_variable", False):
            variables.append(value)
            return ("V", v.shape, v.dtype, len(variables) - 1), value
        arrays.append(value)
        return ("T", v.shape, v.dtype), value
    if isinstance(value, np.ndarray):
        t = convert_to_tensor(value)
        arrays.append(t)
        return ("T", t._value.shape, t._value.dtype), t
    if isinstance(value, bool | int | float | complex):
        # by value, as TensorFlow: 2, 2.0 and 2+0j share a trace, True and 1 too (equal
        # numbers hash alike); the body sees the first call's value
        return ("P", "number", value), value
    if value is None or isinstance(value, str | bytes):
        return ("P", type(value).__name__, value), value
    if isinstance(value, np.generic):
        return ("P", value.dtype.str, value.item()), value
    if type(value) in (list, tuple):
        parts = [_canon(v, arrays, variables, holds) for v in value]
        return ((type(value).__name__, tuple(k for k, _v in parts)),
                type(value)(v for _k, v in parts))
    if type(value) is dict:
        try:
            keys = sorted(value)
        except TypeError:
            keys = list(value)
        parts = {k: _canon(value[k], arrays, variables, holds) for k in keys}
        return (("dict", tuple((k, parts[k][0]) for k in keys)),
                {k: parts[k][1] for k in value})
    if isinstance(value, TensorSpec):
        raise TypeError(_(
            "A tf.TensorSpec was passed to a tf.function call: pass tensors to call it, or "
            "give specs to f.get_concrete_function(...) to trace it without calling."))
    holds.append(value)
    return ("O", id(value)), value


_PYTHON_SCALARS = (float, int, bool)  # keyed by value alone (see _canon)
_NO_ARGUMENTS = (("tuple", ()), ())


def _quick_key(args):
    """The trace key of positional arguments that are all tensors or Python numbers (the
    same key :func:`_canon` gives them), or None for anything else."""
    parts = []
    n_tensors = 0
    for a in args:
        t = type(a)
        if t is EagerTensor:
            v = a._value
            parts.append(("T", v.shape, v.dtype))
            n_tensors += 1
        elif t in _PYTHON_SCALARS:
            parts.append(("P", "number", a))
        else:
            return None
    if n_tensors > 1 and len({id(a._value) for a in args if type(a) is EagerTensor}) < \
            n_tensors:
        return None
    return (("tuple", tuple(parts)), ())


def _covers(general, key) -> bool:
    """True when trace key ``general`` accepts ``key`` (``None`` dimensions accept any
    size, an unknown shape any shape)."""
    if general == key:
        return True
    if isinstance(general, tuple) and isinstance(key, tuple) and general and key and \
            general[0] in ("T", "V") and key[0] == general[0]:
        gshape, shape = general[1], key[1]
        if general[2] != key[2]:
            return False
        if gshape is None:
            return True
        return len(gshape) == len(shape) and all(
            g is None or g == s for g, s in zip(gshape, shape, strict=True)) and \
            general[3:] == key[3:]
    if isinstance(general, tuple) and isinstance(key, tuple) and len(general) == len(key):
        return all(_covers(g, k) for g, k in zip(general, key, strict=True))
    return False


def _relaxed(a, b):
    """The key accepting both ``a`` and ``b`` when they differ only in tensor shapes of
    the same rank (``reduce_retracing``), else None."""
    if a == b:
        return a
    if isinstance(a, tuple) and isinstance(b, tuple) and a and b and a[0] in ("T", "V") \
            and b[0] == a[0]:
        if a[2] != b[2] or a[3:] != b[3:]:
            return None
        if a[1] is None or b[1] is None or len(a[1]) != len(b[1]):
            return (a[0], None, *a[2:])
        return (a[0], tuple(x if x == y else None for x, y in zip(a[1], b[1], strict=True)),
                *a[2:])
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        parts = [_relaxed(x, y) for x, y in zip(a, b, strict=True)]
        return None if any(p is None for p in parts) and not all(
            x == y for x, y in zip(a, b, strict=True) if x is None) else tuple(parts)
    return None


def _spec_key(spec: TensorSpec):
    shape = None if type(spec.shape) is not TensorShape else tuple(spec.shape)
    return ("T", shape, np.dtype(spec.dtype._np))


def _example(spec: TensorSpec):
    """A tensor fitting ``spec`` to trace with (ones; ``None`` dimensions of size 1)."""
    shape = () if type(spec.shape) is not TensorShape else tuple(
        1 if d is None else d for d in spec.shape)
    return convert_to_tensor(np.ones(shape, dtype=spec.dtype._np))


class _Quiet:
    """Standard output dropped while a function is traced again behind the scenes (for a
    case TensorFlow would have covered by its first trace, so its prints ran then)."""

    def __enter__(self):
        self._saved = sys.stdout
        sys.stdout = io.StringIO()

    def __exit__(self, *exc):
        sys.stdout = self._saved
        return False


class Function:
    """What ``tf.function`` returns: the Python function, traced into a program.

    The first call with a new *signature* (tensor shapes and dtypes, Python values,
    other objects by identity) runs the Python body once, eagerly, while adkernel
    records every op it runs (forward, the gradients taken inside, variable updates)
    as a flat program of numpy calls; later calls with the same signature replay that
    program and never run the Python body: ``print`` and ``list.append`` in the body
    happen once per trace, ``tf.print`` at every call. Where Python code looked at a
    tensor's value while tracing (``if x > 0:``, ``float(x)``), the program checks the
    value at every call and traces again, behind the scenes, when it differs, so a
    replay never takes a branch the values would not take.
    """

    def __init__(self, python_function, input_signature=None, reduce_retracing=False,
                 options=None, instance=None):
        self.python_function = python_function
        self.input_signature = None if input_signature is None else tuple(input_signature)
        self._reduce_retracing = bool(reduce_retracing)
        self._options = dict(options or {})
        self._instance = instance
        self._bound: weakref.WeakKeyDictionary | None = None
        self._public: list = []  # the signatures traced, as TensorFlow counts them
        self._cache: dict = {}  # concrete key -> [variant programs]
        self._eager_keys: set = set()
        self._traced_any = False
        self._concrete: dict = {}
        functools.update_wrapper(self, python_function)
        try:
            self._signature = inspect.signature(python_function)
        except (TypeError, ValueError):
            self._signature = None
        self._fixed_arity = self._signature is not None and all(
            p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty
            for p in self._signature.parameters.values())
        self._n_params = len(self._signature.parameters) if self._signature else -1
        self._quick = self._fixed_arity and self.input_signature is None
        if self.input_signature is not None:
            for spec in self.input_signature:
                if not isinstance(spec, TensorSpec):
                    raise TypeError(_(
                        "tf.function: input_signature must be a list of tf.TensorSpec, got "
                        "{spec!r}").format(spec=spec))

    def __get__(self, instance, owner=None):
        """As a method: one Function (and one set of traces) per instance."""
        if instance is None:
            return self
        if self._bound is None:
            self._bound = weakref.WeakKeyDictionary()
        try:
            bound = self._bound.get(instance)
        except TypeError:  # an unhashable instance: traces are not kept between calls
            return Function(self.python_function, self.input_signature,
                            self._reduce_retracing, self._options, instance)
        if bound is None:
            bound = Function(self.python_function, self.input_signature,
                             self._reduce_retracing, self._options, instance)
            self._bound[instance] = bound
        return bound

    # -- arguments ---------------------------------------------------------------------
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

    def _canonical(self, args, kwargs):
        """The arguments in parameter order with defaults filled in (TensorFlow keys a
        trace by these), as ``(args, kwargs)`` to call the body with."""
        if not kwargs and self._fixed_arity and len(args) == self._n_params - (
                self._instance is not None):
            return args, {}
        if self._signature is None:
            return args, kwargs
        params = self._signature
        if self._instance is not None:
            bound = params.bind(self._instance, *args, **kwargs)
        else:
            bound = params.bind(*args, **kwargs)
        bound.apply_defaults()
        out_args = list(bound.args)
        if self._instance is not None:
            out_args = out_args[1:]
        return tuple(out_args), dict(bound.kwargs)

    def _key(self, args, kwargs):
        arrays: list = []
        variables: list = []
        holds: list = []
        if self.input_signature is not None:
            args = self._check_signature(args, kwargs)
        args, kwargs = self._canonical(args, kwargs)
        akey, args = _canon(tuple(args), arrays, variables, holds)
        kkey, kwargs = _canon(dict(kwargs), arrays, variables, holds) if kwargs else ((), {})
        key = (akey, kkey)
        if len(arrays) > 1 and len({id(a._value) for a in arrays}) < len(arrays):
            key = (*key, ("same", tuple(id(a._value) for a in arrays)))
        return key, args, kwargs, arrays, variables, holds

    # -- calling -------------------------------------------------------------------------
    def _python_call(self, args, kwargs):
        if self._instance is not None:
            return self.python_function(self._instance, *args, **kwargs)
        return self.python_function(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        if not kwargs and self._quick:  # the common case, kept lean: a replay, no tapes
            if not trace_any and not forward_any and not _EAGER["on"] and not state.recording:
                key = _quick_key(args) if args else _NO_ARGUMENTS
                variants = self._cache.get(key) if key is not None else None
                if variants is not None:
                    program = variants[0]
                    run = program._fast
                    if run is not None and not (run.guard_after_write or run.guard_after_call):
                        try:
                            flat = run([a._value for a in args if type(a) is EagerTensor]
                                       if args else args, ())
                        except GuardFailed:
                            pass
                        else:
                            return program.build(flat)
        key, args, kwargs, arrays, variables, holds = self._key(args, kwargs)
        if _EAGER["on"]:
            return self._python_call(args, kwargs)
        if state.trace is not None:  # called while another function is traced
            return self._inline(key, args, kwargs, arrays, variables, holds)
        return self._call(key, args, kwargs, arrays, variables, holds)

    def _call(self, key, args, kwargs, arrays, variables, holds):
        variants = self._cache.get(key)
        if variants is not None and variants[0].guard_after_call:
            return self._run_eagerly(key, args, kwargs, unsafe=True)
        if variants is not None:
            recorded = bool(state.recording or state.forward)
            for i, program in enumerate(variants):
                try:
                    result = self._replay(program, arrays, variables, recorded)
                except GuardFailed:
                    continue
                if i:
                    variants.insert(0, variants.pop(i))
                return result
            if len(variants) >= _MAX_VARIANTS:
                return self._run_eagerly(key, args, kwargs)
            return self._trace(key, args, kwargs, arrays, variables, holds, hidden=True)
        if key in self._eager_keys:
            return self._python_call(args, kwargs)
        hidden = self._public_signature(key, count=False) is not None
        return self._trace(key, args, kwargs, arrays, variables, holds, hidden=hidden)

    def _replay(self, program, arrays, variables, recorded):
        if recorded:
            return program.run_recorded(arrays, variables, _apply)
        if program.guard_after_write:
            return self._replay_undoable(program, arrays, variables)
        flat = program.run([a._value for a in arrays], variables)
        return program.build(flat)

    def _replay_undoable(self, program, arrays, variables):
        """A replay whose guard may fail after a write: variables and prints are put back."""
        written = [v if not isinstance(v, tuple) else variables[v[1]]
                   for v in program.written_variables()]
        saved = [(v, v._value.copy()) for v in written]
        out = sys.stdout
        sys.stdout = buffer = io.StringIO()
        try:
            flat = program.run([a._value for a in arrays], variables)
        except GuardFailed:
            for v, value in saved:
                v._value = value
            raise
        finally:
            sys.stdout = out
        out.write(buffer.getvalue())
        return program.build(flat)

    def _run_eagerly(self, key, args, kwargs, unsafe=False):
        self._eager_keys.add(key)
        self._cache.pop(key, None)
        if unsafe:
            warnings.warn(_(
                "tf.function {name}: Python code in it reads a value (float(), .numpy(), "
                "if on a tensor) after a step that must run at every call (tf.print, random "
                "numbers, an optimizer update), so a replay could not check that value "
                "first; adkernel runs this function eagerly from now on. Keep values as "
                "tensors inside the function (TensorFlow would not allow reading them).").format(
                    name=self.__name__), stacklevel=3)
        else:
            warnings.warn(_(
                "tf.function {name}: its Python control flow depends on tensor values that "
                "keep changing ({n} variants traced), so adkernel runs it eagerly from now "
                "on. TensorFlow's AutoGraph would turn `if`/`while` on tensors into tf.cond / "
                "tf.while_loop; write those to keep one trace.").format(
                    name=self.__name__, n=_MAX_VARIANTS), stacklevel=3)
        return self._python_call(args, kwargs)

    # -- tracing -------------------------------------------------------------------------
    def _signature_key(self):
        """The trace key an ``input_signature`` accepts (None without one)."""
        if self.input_signature is None:
            return None
        return (("tuple", tuple(_spec_key(s) for s in self.input_signature)), ())

    def _public_signature(self, key, count: bool = True):
        """The signature TensorFlow would have traced this call under (adding one, and
        counting a trace, when there is none and ``count``)."""
        general = self._signature_key()
        for pk in self._public:
            if _covers(pk, key):
                return pk
        if not count:
            return None
        if general is not None and _covers(general, key):
            self._public.append(general)
            return general
        if self._reduce_retracing:
            for i, pk in enumerate(self._public):
                relaxed = _relaxed(pk, key)
                if relaxed is not None:
                    self._public[i] = relaxed
                    self._public.append(None)  # counts as a new trace (as TensorFlow does)
                    return relaxed
        self._public.append(key)
        return key

    def _trace(self, key, args, kwargs, arrays, variables, holds, hidden: bool):
        if not hidden:
            self._public_signature(key)
        if self._traced_any:
            program, result = self._trace_once(args, kwargs, arrays, variables, hidden, False)
        else:
            # The first trace may create variables. TensorFlow then traces a second time
            # (with variable creation forbidden), so the body runs twice and counts two
            # traces; the state the first run changed is put back before the second.
            self._traced_any = True
            _state.journal = journal = []
            try:
                program, result = self._trace_once(args, kwargs, arrays, variables, hidden,
                                                   True)
            finally:
                _state.journal = None
            if program.created_variables:
                for var, value in reversed(journal):
                    var._value = value
                if not hidden:
                    self._public.append(self._public[-1] if self._public else key)
                program, result = self._trace_once(args, kwargs, arrays, variables, hidden,
                                                   False, earlier=program.calls_made)
        program.holds = holds
        self._cache.setdefault(key, []).insert(0, program)
        return result

    def _trace_once(self, args, kwargs, arrays, variables, hidden, allow_variables,
                    earlier=None):
        tracer = Tracer(allow_variables=allow_variables)
        tracer.earlier_calls = None if earlier is None else list(earlier)
        inputs = [tracer.input(a._value) for a in arrays]
        for v in variables:  # an argument variable is read where an op first uses it
            tracer.keep.append(v)
        saved = state.trace
        state.trace = tracer
        trace_any.append(tracer)
        try:
            with _Quiet() if hidden else contextlib.nullcontext():
                result = self._python_call(args, kwargs)
        finally:
            state.trace = saved
            trace_any.remove(tracer)
        outputs, result = _outputs(tracer, result)
        program = tracer.program(inputs, outputs)
        program.build = _builder(outputs)
        program.argument_variables(variables)
        program.created_variables = list(tracer.created_variables)
        program.calls_made = tracer.calls_made
        return program, result

    def _inline(self, key, args, kwargs, arrays, variables, holds):
        """Called while another function is traced: this function's own program (traced
        now if need be, its body running once) replayed op by op into the outer trace."""
        for _attempt in range(_MAX_VARIANTS + 1):
            variants = self._cache.get(key)
            if variants is None or _attempt:
                paused = list(state.recording)
                state.recording[:] = []
                try:
                    hidden = self._public_signature(key, count=False) is not None
                    self._trace(key, args, kwargs, arrays, variables, holds, hidden=hidden)
                finally:
                    state.recording[:] = paused
                variants = self._cache[key]
            for program in variants:
                try:
                    return program.run_recorded(arrays, variables, _apply)
                except GuardFailed:
                    continue
        return self._python_call(args, kwargs)

    # -- TensorFlow's introspection ---------------------------------------------------------
    def experimental_get_tracing_count(self) -> int:
        """How many times TensorFlow would have traced the Python function so far."""
        return len(self._public)

    def get_concrete_function(self, *args, **kwargs):
        """The trace for these arguments (tensors, or ``tf.TensorSpec`` s to trace without
        real values; with an ``input_signature``, no arguments): a callable
        :class:`ConcreteFunction` whose :attr:`program` shows what tracing captured."""
        if self.input_signature is not None and not args and not kwargs:
            args = self.input_signature
        specs = tuple(a if isinstance(a, TensorSpec) else None for a in args)
        examples = tuple(_example(a) if isinstance(a, TensorSpec) else a for a in args)
        kexamples = {k: _example(v) if isinstance(v, TensorSpec) else v
                     for k, v in kwargs.items()}
        key, cargs, ckwargs, arrays, variables, holds = self._key(examples, kexamples)
        general = key
        if any(s is not None for s in specs):
            parts = list(key[0][1])
            for i, s in enumerate(specs):
                if s is not None and i < len(parts):
                    parts[i] = _spec_key(s)
            general = (("tuple", tuple(parts)), *key[1:])
        if self.input_signature is not None:
            general = self._signature_key()
        public = self._public_signature(general, count=False)
        if public is None:
            self._public.append(general)
            public = general
        if key not in self._cache:
            if _EAGER["on"]:
                raise NotImplementedError(_(
                    "get_concrete_function: functions run eagerly "
                    "(tf.config.run_functions_eagerly(True)), so nothing is traced."))
            # TensorFlow only builds a graph here: the trace's assignments are put back
            # and tf.print / checks are recorded without running
            _state.dry_journal = dry = []
            try:
                self._trace(key, cargs, ckwargs, arrays, variables, holds,
                            hidden=general != public or public in self._concrete)
            finally:
                _state.dry_journal = None
                for var, value in reversed(dry):
                    var._value = value
        concrete = self._concrete.get(public)
        if concrete is None:
            concrete = self._concrete[public] = ConcreteFunction(self, public,
                                                                 self._cache[key][0])
        return concrete

    def __repr__(self):
        return _("<adkernel tf.function wrapping {function!r}, {n} trace(s)>").format(
            function=self.python_function, n=self.experimental_get_tracing_count())


def _apply(op, objs, vals, params):
    from .engine.registry import apply

    return apply(op, objs, vals, params)


def _outputs(tracer, result):
    """The program's output structure (slots, constants, Raw objects) and the result the
    trace-time call returns (Python numbers as tensors, as TensorFlow returns them)."""

    def walk(x):
        if isinstance(x, TensorLike):
            if getattr(x, "_is_variable", False):
                return tracer.read(x), _wrap(np.array(x._value, copy=True))
            s = tracer.slot_of.get(id(x._value))
            return (s if s is not None else Const(x._value)), x
        if isinstance(x, bool | int | float | np.generic) or (
                isinstance(x, np.ndarray) and x.dtype.kind in "biufc"):
            t = convert_to_tensor(x)
            return Const(t._value), t
        if x is None:
            return None, None
        if type(x) in (list, tuple):
            parts = [walk(v) for v in x]
            return type(x)(p[0] for p in parts), type(x)(p[1] for p in parts)
        if type(x) is dict:
            parts = {k: walk(v) for k, v in x.items()}
            return {k: p[0] for k, p in parts.items()}, {k: p[1] for k, p in parts.items()}
        return Raw(x), x

    return walk(result)


def _builder(template):
    """``build(flat)`` for an output template: the common shapes without a walk."""
    if template is None:
        return lambda flat: None
    if isinstance(template, Const) or (isinstance(template, int) and
                                       not isinstance(template, bool)):
        return lambda flat: _wrap(flat[0])
    if type(template) in (list, tuple) and all(
            isinstance(t, int) and not isinstance(t, bool) for t in template):
        kind = type(template)
        return lambda flat: kind([_wrap(a) for a in flat])
    return functools.partial(_result, template)


def _result(template, flat):
    """The call's result: ``flat`` (the program's output arrays, in order) as tensors in
    the structure of ``template``."""
    it = iter(flat)
    return _build(template, lambda _slot: _wrap(next(it)), lambda _const: _wrap(next(it)))


class ConcreteFunction:
    """One trace of a :class:`Function`: call it with tensors that fit its signature.

    :attr:`program` is what tracing captured (``print(cf.program.text())`` lists its
    steps; ``show_graph(cf)`` draws them); :attr:`structured_input_signature` and
    :attr:`structured_outputs` describe its inputs and outputs as TensorFlow does.
    """

    def __init__(self, function: Function, key, program):
        self._function = function
        self._key = key
        self.program = program
        self.name = function.__name__

    @property
    def structured_input_signature(self):
        args = self._key[0][1] if self._key and self._key[0] else ()
        return tuple(_spec_of(k) for k in args), {}

    @property
    def structured_outputs(self):
        def spec(x):
            if isinstance(x, int) and not isinstance(x, bool):
                v = self.program.values.get(x)
                return TensorSpec(np.shape(v), np.asarray(v).dtype.name)
            if isinstance(x, Const):
                v = np.asarray(x.value)
                return TensorSpec(v.shape, v.dtype.name)
            if isinstance(x, Raw):
                return x.value
            if isinstance(x, list | tuple):
                return type(x)(spec(v) for v in x)
            if isinstance(x, dict):
                return {k: spec(v) for k, v in x.items()}
            return x

        return spec(self.program.outputs)

    def __call__(self, *args, **kwargs):
        f = self._function
        key, cargs, ckwargs, arrays, variables, holds = f._key(self._bound(args), kwargs)
        if not _covers(self._key, key):
            message = _(
                "This concrete function of {name} was traced for {want}; it cannot be called "
                "with {got}. Call the tf.function itself to trace for new arguments.").format(
                    name=self.name, want=_key_text(self._key), got=_key_text(key))
            if _covers(self._key, _with_dtypes_of(self._key, key)):
                # only a dtype differs: TensorFlow's kernel refuses the input
                raise InvalidArgumentError(message, op=self.name)
            raise TypeError(message)
        return f._call(key, cargs, ckwargs, arrays, variables, holds)

    def _bound(self, args) -> tuple:
        """A list, tuple or numpy array given where a tensor was traced becomes a tensor of
        that dtype, as TensorFlow binds it (what cannot be converted is left to be refused)."""
        want = self._key[0][1] if self._key and self._key[0] and \
            self._key[0][0] == "tuple" else ()
        out = list(args)
        for i, (a, k) in enumerate(zip(args, want, strict=False)):
            if isinstance(k, tuple) and k and k[0] == "T" and isinstance(
                    a, list | tuple | np.ndarray):
                try:
                    out[i] = convert_to_tensor(a, as_dtype(np.dtype(k[2]).name))
                except (TypeError, ValueError):
                    pass
        return tuple(out)

    def __repr__(self):
        return _("<ConcreteFunction {name}{signature}, {n} steps>").format(
            name=self.name, signature=_key_text(self._key),
            n=len(self.program.live_steps()))


def _with_dtypes_of(want, key):
    """``key`` with the dtypes of ``want``'s tensors where both have a tensor (to tell a
    call that differs only in dtype)."""
    if isinstance(want, tuple) and isinstance(key, tuple) and len(want) == len(key):
        if want and key and want[0] in ("T", "V") and key[0] == want[0]:
            return (key[0], key[1], want[2], *key[3:])
        return tuple(_with_dtypes_of(w, k) for w, k in zip(want, key, strict=True))
    return key


def _spec_of(k):
    if isinstance(k, tuple) and k and k[0] in ("T", "V"):
        return TensorSpec(None if k[1] is None else list(k[1]), np.dtype(k[2]).name)
    if isinstance(k, tuple) and k and k[0] == "P":
        return k[2]
    if isinstance(k, tuple) and len(k) == 2 and k[0] in ("tuple", "list"):
        return tuple(_spec_of(x) for x in k[1])
    return k


def _key_text(key) -> str:
    try:
        return repr(_spec_of(key[0]))
    except (TypeError, IndexError):
        return repr(key)


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """``@tf.function``: trace the Python function into a program and replay it.

    The body runs once per new signature (TensorFlow's rules: tensors by shape and dtype,
    Python values by value, ``input_signature`` / ``reduce_retracing`` for general
    shapes); later calls replay the recorded numpy calls (no tensors or tapes per op),
    so ``print`` runs once per trace and ``tf.print`` every call. Python control flow on
    tensor values is guarded: a replay checks the values the body looked at and traces
    again when they differ. ``autograph``, ``jit_compile`` and the ``experimental_*``
    options change how TensorFlow builds and compiles its graph, not the results, so
    they are accepted and have no effect. Works as ``@tf.function``,
    ``@tf.function(...)``, ``tf.function(f)`` and on methods.
    """
    options = {k: v for k, v in (("autograph", autograph), ("jit_compile", jit_compile))
               if v}
    relax = bool(reduce_retracing or experimental_relax_shapes)

    def decorate(f):
        if isinstance(f, Function):
            return Function(f.python_function, input_signature or f.input_signature,
                            relax or f._reduce_retracing, options)
        if not callable(f):
            raise TypeError(_("tf.function needs a function, got {type}").format(
                type=type(f).__name__))
        return Function(f, input_signature, relax, options)

    return decorate if func is None else decorate(func)


def run_functions_eagerly(run_eagerly: bool) -> None:
    """``tf.config.run_functions_eagerly(True)``: run ``tf.function`` bodies as plain
    Python at every call (to debug them with print and breakpoints)."""
    _EAGER["on"] = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _EAGER["on"]


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
