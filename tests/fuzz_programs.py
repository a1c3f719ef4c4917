"""Tiny tape programs as plain data, run on any ``tf`` module (TensorFlow or ``adkernel.tf``).

The differential fuzzer (``tools/tf_fuzz.py``, ``docs/fuzzing.md``) writes programs in this
format and freezes TensorFlow's outcome of each finding in ``tests/tf_fuzz_regressions.py``;
``tests/test_tf_fuzz_regressions.py`` replays them on adkernel. No TensorFlow import here.

A program is a dict::

    {"inputs": [{"shape": [3], "dtype": "float32", "values": [-2.0, 0.0, 3.0],
                 "kind": "watched"}],           # const | watched | var | var_frozen
     "ops": [{"fn": "math.softplus", "args": [{"ref": 0}], "kwargs": {}}],
     "grad": {"mode": "second", "weights": "ones", "unconnected": None}}

Values are numbered: inputs first, then one per op. An argument is ``{"ref": i}`` (value
``i``; ``"item": k`` picks element ``k`` of a list result), ``{"array": flat, "dtype": d,
"shape": s}`` (a numpy array), ``{"dtype": d}`` (a dtype object), a list of arguments, or a
plain number, bool or string. ``fn`` is a dotted name in the ``tf`` namespace or a Python
operator (``"__add__"``; ``"__radd__"`` puts the second argument on the left).

``grad.mode``: ``none`` (forward only); ``grad`` (``tape.gradient`` of ``reduce_sum(out *
weights)``, ``unconnected_gradients`` from ``unconnected``); ``grad_og`` (``tape.gradient(out,
sources, output_gradients=weights)``); ``second`` (nested tapes: the gradient of the sum of the
first-order gradients); ``jacobian`` (``tape.jacobian(out, sources)``). Sources are the inputs
that are not ``const``, in order. ``weights``: ``ones``, ``ramp`` (1, 2, 3, 1, ...) or
``ramp0`` (0, 1, 2, 0, ...), in the output's dtype.
"""

from __future__ import annotations

import math
import operator

import numpy as np

__all__ = ["GRADIENT_ATOL_FACTOR", "TOLERANCES", "compare", "error_name", "outcome_text",
           "promoted", "run"]

# names a raised exception is shown as: its own class or the first of these in its MRO
_KNOWN_ERRORS = (
    "InvalidArgumentError", "NotFoundError", "UnimplementedError", "InternalError",
    "FailedPreconditionError", "OutOfRangeError", "UnknownError", "ResourceExhaustedError",
    "TypeError", "ValueError", "IndexError", "NotImplementedError", "AttributeError",
    "ZeroDivisionError", "KeyError", "LookupError", "RuntimeError", "FloatingPointError",
    "AssertionError", "OverflowError",
)

_OPERATORS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
    "pow": operator.pow, "matmul": operator.matmul, "and": operator.and_,
    "or": operator.or_, "xor": operator.xor, "lt": operator.lt, "le": operator.le,
    "gt": operator.gt, "ge": operator.ge, "neg": operator.neg, "abs": operator.abs,
    "invert": operator.invert, "pos": operator.pos, "eq": operator.eq, "ne": operator.ne,
}


def error_name(exc: BaseException) -> str:
    """The name an exception is compared by: TensorFlow's ``tf.errors`` class names and
    Python's builtins. adkernel's own classes (``DTypeError``, ``ShapeError``) count as the
    builtin they subclass, so a ``DTypeError`` where TensorFlow raises
    ``InvalidArgumentError`` shows as a difference."""
    for cls in type(exc).__mro__:
        if cls.__name__ in _KNOWN_ERRORS:
            return cls.__name__
    return type(exc).__name__


def operator_fn(name: str):
    """``"__add__"`` -> ``(operator.add, reflected=False)``; None for other names."""
    if not (name.startswith("__") and name.endswith("__")):
        return None
    core = name[2:-2]
    if core in _OPERATORS:
        return _OPERATORS[core], False
    if core.startswith("r") and core[1:] in _OPERATORS:
        return _OPERATORS[core[1:]], True
    return None


def resolve(tf, name: str):
    """The function ``tf.<name>`` (dotted), or a Python operator."""
    found = operator_fn(name)
    if found is not None:
        fn, reflected = found
        return (lambda a, b: fn(b, a)) if reflected else fn
    obj = tf
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _np_values(values, dtype, shape):
    flat = [float(v) if isinstance(v, str) else v for v in values]
    return np.array(flat, dtype=dtype).reshape(shape)


def _decode(arg, tf, vals):
    if isinstance(arg, dict):
        if "ref" in arg:
            v = vals[arg["ref"]]
            return v[arg["item"]] if "item" in arg else v
        if "array" in arg:
            return _np_values(arg["array"], arg["dtype"], arg["shape"])
        if "dtype" in arg:
            return getattr(tf, arg["dtype"])
        raise ValueError(f"unknown argument {arg!r}")
    if isinstance(arg, list):
        return [_decode(a, tf, vals) for a in arg]
    return arg


def _make_inputs(program, tf):
    vals, sources, watched = [], [], []
    for spec in program["inputs"]:
        arr = _np_values(spec["values"], spec["dtype"], spec["shape"])
        kind = spec.get("kind", "const")
        if kind in ("var", "var_frozen"):
            v = tf.Variable(arr, trainable=kind == "var")
        else:
            v = tf.constant(arr)
        vals.append(v)
        if kind != "const":
            sources.append(v)
            if kind == "watched":
                watched.append(v)
    return vals, sources, watched


def _forward(program, tf, vals):
    for op in program["ops"]:
        fn = resolve(tf, op["fn"])
        args = [_decode(a, tf, vals) for a in op.get("args", [])]
        kwargs = {k: _decode(a, tf, vals) for k, a in op.get("kwargs", {}).items()}
        vals.append(fn(*args, **kwargs))
    return vals[-1] if program["ops"] else vals[0]


def _outputs(result) -> list:
    """The tensors of a result, nested lists and tuples flattened (``clip_by_global_norm``
    returns ``([t, ...], norm)``)."""
    if isinstance(result, list | tuple):
        return [t for part in result for t in _outputs(part)]
    return [result]


def _weights(tf, out, pattern: str):
    shape = tuple(out.shape)
    n = int(np.prod(shape)) if shape else 1
    base = np.arange(n) % 3
    w = {"ones": np.ones(n), "ramp": base + 1.0, "ramp0": base * 1.0}[pattern]
    return tf.constant(w.reshape(shape).astype(out.dtype.name if hasattr(out.dtype, "name")
                                              else out.dtype))


def _target(tf, result, pattern):
    total = None
    for out in _outputs(result):
        term = tf.reduce_sum(out * _weights(tf, out, pattern))
        total = term if total is None else total + term
    return total


def _unconnected(tf, grad):
    if grad.get("unconnected") == "zero":
        return {"unconnected_gradients": tf.UnconnectedGradients.ZERO}
    return {}


def _watch(tape, watched):
    for v in watched:
        tape.watch(v)


def _first_order(program, tf, tape, result, sources):
    grad = program["grad"]
    mode = grad["mode"]
    extra = _unconnected(tf, grad)
    if mode == "grad_og":
        out = _outputs(result)[0]
        return tape.gradient(out, sources, output_gradients=_weights(tf, out, grad["weights"]),
                             **extra)
    if mode == "jacobian":
        return tape.jacobian(_outputs(result)[0], sources, **extra)
    return tape.gradient(_target(tf, result, grad["weights"]), sources, **extra)


def _sum_of(tf, grads):
    total = None
    for g in grads:
        if g is not None:
            term = tf.reduce_sum(g)
            total = term if total is None else total + term
    return total


def _differentiate(program, tf, record):
    """Run the program under the tapes its ``grad.mode`` asks for, filling ``record``."""
    mode = program["grad"]["mode"]
    vals, sources, watched = _make_inputs(program, tf)
    record["stage"] = "forward"
    if mode == "none":
        record["out"] = [_value(o) for o in _outputs(_forward(program, tf, vals))]
        return
    if mode != "second":
        with tf.GradientTape(persistent=False) as tape:
            _watch(tape, watched)
            result = _forward(program, tf, vals)
            record["out"] = [_value(o) for o in _outputs(result)]
            if mode == "grad":
                record["stage"] = "target"
                target = _target(tf, result, program["grad"]["weights"])
        record["stage"] = "gradient"
        if mode == "grad":
            grads = tape.gradient(target, sources, **_unconnected(tf, program["grad"]))
        else:
            grads = _first_order(program, tf, tape, result, sources)
        record["grad"] = [_value(g) for g in grads]
        return
    with tf.GradientTape() as outer:
        _watch(outer, watched)
        with tf.GradientTape() as inner:
            _watch(inner, watched)
            result = _forward(program, tf, vals)
            record["out"] = [_value(o) for o in _outputs(result)]
            record["stage"] = "target"
            target = _target(tf, result, program["grad"]["weights"])
        record["stage"] = "gradient"
        grads = inner.gradient(target, sources, **_unconnected(tf, program["grad"]))
        record["grad"] = [_value(g) for g in grads]
        record["stage"] = "second"
        total = _sum_of(tf, grads)
    if total is None:
        record["grad2"] = [None for _ in sources]
        return
    grads2 = outer.gradient(total, sources, **_unconnected(tf, program["grad"]))
    record["grad2"] = [_value(g) for g in grads2]


def run(program: dict, tf) -> dict:
    """Execute ``program`` on the module ``tf``; a plain dict of what happened.

    ``{"out": [value, ...], "grad": [value or None, ...], "grad2": [...]}`` as far as the
    program got, and ``"error": {"stage": ..., "type": ...}`` when something raised. A value
    is ``{"dtype": name, "shape": [...], "values": [flat, nan and inf as floats]}``.
    """
    record: dict = {}
    try:
        _differentiate(program, tf, record)
    except Exception as e:  # the error's class is the outcome
        record["error"] = {"stage": record["stage"], "type": error_name(e)}
    record.pop("stage", None)
    return record


def _value(t):
    if t is None:
        return None
    if type(t).__name__ == "IndexedSlices":  # TensorFlow's sparse gradient (gather): densified
        dense = np.zeros([int(d) for d in np.asarray(t.dense_shape)], t.values.dtype.as_numpy_dtype)
        np.add.at(dense, np.asarray(t.indices), np.asarray(t.values))
        return _value(dense)
    if hasattr(t, "numpy"):
        arr = np.asarray(t.numpy())
    else:
        arr = np.asarray(t)
    name = arr.dtype.name
    if name.startswith("bytes") or name.startswith("str"):
        name = "string"
    if arr.dtype.kind in "fc":
        flat = [float(v) for v in arr.real.ravel()]
    elif arr.dtype.kind == "b":
        flat = [bool(v) for v in arr.ravel()]
    elif arr.dtype.kind in "iu":
        flat = [int(v) for v in arr.ravel()]
    else:
        flat = [str(v) for v in arr.ravel()]
    return {"dtype": name, "shape": list(arr.shape), "values": flat}


# ----- comparing two outcomes --------------------------------------------------------------

# (rtol, atol): |a - b| <= atol * (1 + m) + rtol * max(|a|, |b|), where m is the largest finite
# |value| anywhere in TensorFlow's outcome (outputs and gradients: the size of the numbers the
# computation went through). A float64 result of a program that has float32 in it (an input, an
# array, a cast) is compared with float32's tolerances.
TOLERANCES = {"float16": (1e-2, 1e-3), "bfloat16": (2e-2, 2e-3), "float32": (2e-5, 2e-6),
              "float64": (1e-9, 1e-12)}
# gradients are sums of products of intermediate values larger than the result (x/x is 1,
# d/dx is 1/x - x/x**2): their absolute tolerance is this many times larger
GRADIENT_ATOL_FACTOR = 10


def _close(x, y, rtol, atol) -> bool:
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= atol + rtol * max(abs(x), abs(y))


def promoted(program: dict) -> dict:
    """``program`` with float32 replaced by float64 everywhere (inputs, arrays, dtype
    arguments); a float32 input keeps its float32 value exactly. TensorFlow's outcome of it is
    the *reference* ``compare`` may get for a float32 program."""
    def walk(obj, f32=False):
        if isinstance(obj, dict):
            f32 = obj.get("dtype") == "float32"
            return {k: ("float64" if k == "dtype" and v == "float32" else
                        walk(v, f32) if k in ("values", "array") else walk(v))
                    for k, v in obj.items()}
        if isinstance(obj, list):
            return [walk(v, f32) for v in obj]
        if f32 and isinstance(obj, float):
            return float(np.float32(obj))
        return obj
    return walk(program)


# how much larger adkernel's float32 error may be than TensorFlow's, both measured against
# TensorFlow's float64 answer, when the two agree in float64 (see ``_nearer_reference``)
ROUNDING_FACTOR = 4


def _nearer_reference(va, vb, vr, dtype, close) -> bool:
    """True when every element where TensorFlow's float32 answer ``va`` and adkernel's ``vb``
    are not ``close`` has adkernel's error against TensorFlow's own float64 answer ``vr`` at
    most ``ROUNDING_FACTOR`` times TensorFlow's error (for a result that is not a float:
    adkernel equal to ``vr``). ``compare`` asks this only when the float64 programs agree, so
    the formulas are the same and what is left is float32 rounding, amplified alike on both
    sides by an ill-conditioned step: 1 - tanh(x)**2 near tanh(x) = 1 (numpy's and Eigen's
    float32 tanh differ by an ulp, 1 - t**2 makes it 2 %), x % y just below a multiple of y.
    Two float32 kernels each err by an ulp or two; a formula that loses precision (log(1 + x)
    for log1p) errs by orders of magnitude more, and stays a difference."""
    if len(vr) != len(va):
        return False
    for x, y, r in zip(va, vb, vr, strict=True):
        if x == y or close(x, y):
            continue
        if dtype not in TOLERANCES:
            if y != r:
                return False
        elif not (math.isfinite(y) and math.isfinite(r) and math.isfinite(x)
                  and abs(y - r) <= ROUNDING_FACTOR * abs(x - r)):
            return False
    return True


def _compare_value(a, b, atol_factor=1, magnitude=0.0, loosest=None, reference=None):
    """None when equal, else ``(kind, detail)``."""
    if (a is None) != (b is None):
        shown = ["None" if v is None else "value" for v in (a, b)]
        return "none-ness", f"{shown[0]} vs {shown[1]}"
    if a is None:
        return None
    if a["dtype"] != b["dtype"]:
        return "dtype", f"{a['dtype']} vs {b['dtype']}"
    if list(a["shape"]) != list(b["shape"]):
        return "shape", f"{a['shape']} vs {b['shape']}"
    va, vb = a["values"], b["values"]
    if a["dtype"] not in TOLERANCES:
        if va == vb or (reference is not None and _nearer_reference(
                va, vb, reference["values"], a["dtype"], lambda x, y: False)):
            return None
        return "value", f"{_short(va)} vs {_short(vb)}"
    nan_a = [isinstance(x, float) and math.isnan(x) for x in va]
    nan_b = [isinstance(x, float) and math.isnan(x) for x in vb]
    if nan_a != nan_b:
        return "nan-position", f"{_short(va)} vs {_short(vb)}"
    rtol, atol = TOLERANCES[a["dtype"]]
    if loosest in TOLERANCES:
        rtol, atol = max(rtol, TOLERANCES[loosest][0]), max(atol, TOLERANCES[loosest][1])
    scale = atol * atol_factor * (1.0 + magnitude)
    if all(_close(x, y, rtol, scale) for x, y in zip(va, vb, strict=True)):
        return None
    if reference is not None and _nearer_reference(
            va, vb, reference["values"], a["dtype"], lambda x, y: _close(x, y, rtol, scale)):
        return None
    return "value", f"{_short(va)} vs {_short(vb)}"


def _short(values, n=6) -> str:
    shown = ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in values[:n])
    return "[" + shown + (", ..." if len(values) > n else "") + "]"


def _magnitude(outcome) -> float:
    found = [abs(x) for where in ("out", "grad", "grad2") for v in outcome.get(where) or []
             if v is not None and v["dtype"] in TOLERANCES for x in v["values"]
             if not (math.isnan(x) or math.isinf(x))]
    return max(found, default=0.0)


def loosest_float(program: dict) -> str | None:
    """``"float32"`` when float32 (or a less precise float) appears anywhere in ``program``."""
    text = repr(program)
    for name in ("bfloat16", "float16", "float32"):
        if f"'{name}'" in text:
            return name
    return None


def compare(a: dict, b: dict, program: dict | None = None, reference: dict | None = None,
            reference_b: dict | None = None) -> dict:
    """Compare outcome ``a`` (TensorFlow's) with ``b`` (adkernel's).

    ``{"equal": True}`` or ``{"equal": False, "where": "out|grad|grad2|error", "kind": ...,
    "detail": ...}``; ``kind`` is one of ``error-type`` (both raised, differently), ``raises``
    (one raised), ``none-ness``, ``dtype``, ``shape``, ``nan-position``, ``value``, ``length``.
    ``key`` is the short class: ``where/kind`` (with the error names for errors). With
    ``program``, a float64 value is compared with the tolerance of the least precise float
    dtype the program uses. ``reference`` and ``reference_b``, for a program with float32 in
    it, are TensorFlow's and adkernel's outcomes of ``promoted(program)`` (the same program in
    float64): when they agree, a float32 value that differs by more than the tolerance still
    counts as equal if adkernel's error against TensorFlow's float64 answer is of the order of
    TensorFlow's own (``_nearer_reference``): float32 rounding, not another formula.
    """
    if reference is not None:
        if reference_b is None or program is None or not compare(
                reference, reference_b, promoted(program))["equal"]:
            reference = None
    ea, eb = a.get("error"), b.get("error")
    if ea or eb:
        tf_side = f"{ea['stage']}:{ea['type']}" if ea else "ok"
        ak_side = f"{eb['stage']}:{eb['type']}" if eb else "ok"
        if tf_side != ak_side:
            kind = "error-type" if ea and eb else "raises"
            return _verdict("error", kind, f"{tf_side} vs {ak_side}", f"{tf_side} vs {ak_side}")
    for where in ("out", "grad", "grad2"):
        found = _compare_list(a.get(where), b.get(where),
                              1 if where == "out" else GRADIENT_ATOL_FACTOR, _magnitude(a),
                              loosest_float(program) if program else None,
                              (reference or {}).get(where))
        if found:
            return _verdict(where, found[0], found[1])
    return {"equal": True}


def _compare_list(xs, ys, atol_factor=1, magnitude=0.0, loosest=None, refs=None):
    if xs is None and ys is None:
        return None
    if xs is None or ys is None or len(xs) != len(ys):
        return "length", f"{xs and len(xs)} vs {ys and len(ys)}"
    refs = refs if refs is not None and len(refs) == len(xs) else [None] * len(xs)
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        found = _compare_value(x, y, atol_factor, magnitude, loosest, refs[i])
        if found:
            return found[0], f"[{i}] {found[1]}"
    return None


def _verdict(where, kind, detail, extra=""):
    key = f"{where}/{kind}" + (f" ({extra})" if extra else "")
    return {"equal": False, "where": where, "kind": kind, "detail": detail, "key": key}


def outcome_text(outcome: dict) -> str:
    """A one-line summary of an outcome for a report."""
    if "error" in outcome and not outcome.get("out"):
        return f"raises {outcome['error']['type']} ({outcome['error']['stage']})"
    parts = []
    for where in ("out", "grad", "grad2"):
        if where in outcome:
            shown = ["None" if v is None else f"{v['dtype']}{v['shape']}{_short(v['values'], 4)}"
                     for v in outcome[where]]
            parts.append(f"{where}=" + "; ".join(shown))
    if "error" in outcome:
        parts.append(f"then raises {outcome['error']['type']} ({outcome['error']['stage']})")
    return " ".join(parts)
