"""Plain data: what a check's *gather* half hands to its *judge* half.

A check runs in two halves. The gather half runs in the learner's kernel: it reads the
answer, calls the learner's functions on inputs the check chooses, and writes down what it
saw as *plain data* — ``None``, booleans, numbers, strings, lists and dicts with string
keys, nothing else. The judge half is a pure function of that data. Between the two the
data travels as JSON (:func:`dumps` / :func:`loads`), in the notebook as in the grader, so
both read exactly the same thing and nothing the learner built (an object with a rigged
``__eq__``, a subclass of ``float``) can reach the judge.

:func:`encode` turns a learner value into plain data that still says what it was::

    encode(3.0)                  {"t": "number", "v": 3.0}
    encode(tf.Variable([1, 2]))  {"t": "array", "kind": "Variable", "dtype": "int32",
                                  "shape": [2], "v": [1.0, 2.0]}
    encode(None)                 {"t": "none"}
    encode("forward")            {"t": "str", "v": "forward"}
    encode([1, "a"])             {"t": "list", "items": [{"t": "number", ...}, ...]}
    encode(print)                {"t": "function", "name": "print"}

Only the standard library and numpy are used.
"""

from __future__ import annotations

import json
import math

import numpy as np

__all__ = [
    "MAX_ITEMS",
    "NotPlain",
    "check",
    "dumps",
    "encode",
    "loads",
]

MAX_ITEMS = 100_000  # numbers in one encoded array (the course's largest is 2,000)
MAX_LIST = 200  # items of a list, tuple or dict kept by encode()
MAX_TEXT = 2_000  # characters of a string kept by encode()
MAX_DEPTH = 24  # nesting of plain data accepted by check()
MAX_BYTES = 8_000_000  # JSON text accepted by loads()


class NotPlain(ValueError):
    """The data is not plain (or too big, or too deep): it cannot be judged."""


def _blank(value) -> bool:
    return type(value).__name__ == "_Blank"


def _short(text: str, limit: int = MAX_TEXT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_repr(value, limit: int = 200) -> str:
    try:
        return _short(repr(value), limit)
    except BaseException:
        return f"<{type(value).__name__}>"


def _array_of(value):
    """``(kind, dtype name, float64 copy)`` of a tensor, variable or numpy array; or None."""
    kind = None
    if isinstance(value, np.ndarray):
        kind, data = "ndarray", value
    elif isinstance(value, np.generic):
        kind, data = "numpy scalar", np.asarray(value)
    else:
        numpy_method = getattr(type(value), "numpy", None)
        if not callable(numpy_method):
            return None
        names = {c.__name__ for c in type(value).__mro__}
        kind = "Variable" if "Variable" in names else "Tensor" if "Tensor" in names else None
        if kind is None:
            return None
        data = numpy_method(value)
        if not isinstance(data, (np.ndarray, np.generic)):
            return None
        data = np.asarray(data)
    dtype = str(data.dtype)
    if data.size > MAX_ITEMS:
        raise NotPlain(f"an array of {data.size} numbers (at most {MAX_ITEMS})")
    if data.dtype.kind not in "biuf":
        return kind, dtype, None
    return kind, dtype, np.array(data, dtype=np.float64, copy=True)


def encode(value, _depth: int = 0) -> dict:
    """``value`` (anything the learner made) as plain data; never raises, never calls
    learner code except a tensor's own ``numpy()``."""
    try:
        return _encode(value, _depth)
    except NotPlain as exc:
        return {"t": "other", "type": type(value).__name__, "repr": _short(str(exc), 200)}
    except BaseException as exc:  # a learner object whose methods raise
        return {"t": "other", "type": type(value).__name__, "repr": _safe_repr(exc)}


def _encode(value, depth: int) -> dict:
    if value is None:
        return {"t": "none"}
    if _blank(value):
        return {"t": "blank"}
    if type(value) is bool or isinstance(value, np.bool_):
        return {"t": "bool", "v": bool(value)}
    if type(value) in (int, float) or isinstance(value, (np.integer, np.floating)):
        return {"t": "number", "v": float(value), "int": isinstance(value, (int, np.integer))}
    if isinstance(value, (int, float)):  # a subclass: read its number, say what it was
        return {"t": "number", "v": float(value), "int": isinstance(value, int),
                "type": type(value).__name__}
    if isinstance(value, str):
        return {"t": "str", "v": _short(str.__str__(value))}
    if depth >= 8:
        return {"t": "other", "type": type(value).__name__, "repr": "…"}
    if isinstance(value, (list, tuple)):
        items = [encode(v, depth + 1) for v in list(value)[:MAX_LIST]]
        return {"t": "list" if isinstance(value, list) else "tuple", "n": len(value),
                "items": items}
    if isinstance(value, dict):
        items = [[_key(k), encode(v, depth + 1)] for k, v in list(value.items())[:MAX_LIST]]
        return {"t": "dict", "n": len(value), "items": items}
    arr = _array_of(value)
    if arr is not None:
        kind, dtype, data = arr
        if data is None:
            return {"t": "other", "type": type(value).__name__, "repr": _safe_repr(value)}
        return {"t": "array", "kind": kind, "dtype": dtype, "shape": list(data.shape),
                "v": data.tolist()}
    if callable(value):
        return {"t": "function", "name": _short(getattr(value, "__name__", "?"), 80),
                "type": type(value).__name__}
    return {"t": "other", "type": type(value).__name__, "repr": _safe_repr(value)}


def _key(key) -> str:
    """A dict key as text: strings stay, anything else is its short repr."""
    if isinstance(key, str):
        return _short(str.__str__(key), 200)
    return _safe_repr(key, 200)


# -- checking and carrying plain data -----------------------------------------------------
def check(data, _depth: int = 0):
    """``data`` as plain data: numpy scalars become Python numbers and tuples lists;
    anything else that is not plain (see the module docs) raises :class:`NotPlain`."""
    if _depth > MAX_DEPTH:
        raise NotPlain("nested too deeply")
    kind = type(data)
    if data is None or kind in (bool, int, float, str):
        return data
    if kind in (np.float64, np.float32, np.int64, np.int32):
        return data.item()
    if kind is np.bool_:
        return bool(data)
    if kind in (list, tuple):
        if all(type(item) is float for item in data):  # an array's numbers: no walk needed
            return list(data)
        return [check(item, _depth + 1) for item in data]
    if kind is dict:
        out = {}
        for key, item in data.items():
            if type(key) is not str:
                raise NotPlain(f"a dict key of type {type(key).__name__}")
            out[key] = check(item, _depth + 1)
        return out
    raise NotPlain(f"a value of type {kind.__name__}")


def _constant(name: str):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def dumps(data) -> str:
    """Plain ``data`` as JSON text (NaN and infinities kept)."""
    return json.dumps(check(data), allow_nan=True, ensure_ascii=True, separators=(",", ":"))


def loads(text) -> object:
    """JSON text from :func:`dumps` back as plain data; :class:`NotPlain` for anything else."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "strict")
    if not isinstance(text, str):
        raise NotPlain(f"a message of type {type(text).__name__}, not JSON text")
    if len(text) > MAX_BYTES:
        raise NotPlain(f"a message of {len(text)} characters (at most {MAX_BYTES})")
    try:
        data = json.loads(text, parse_constant=_constant)
    except (ValueError, RecursionError) as exc:
        raise NotPlain(f"not JSON ({exc})") from None
    return check(data)
