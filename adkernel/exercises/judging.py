"""The judge half of a check: pure functions of plain data (see :mod:`._plain`).

A judge receives what the gather half wrote down (a dict of plain data) and returns the
success message, or raises :class:`Incorrect` (``raise wrong(...)``) or
:class:`NotAttempted`. It never sees a learner object, never calls learner code and needs
no kernel: the grader runs it in its own process, on data that came back as JSON.

The helpers read encoded values (``{"t": "number", "v": 3.0}``, see :func:`._plain.encode`)
and *calls* (what :meth:`Context.call` wrote down)::

    def judge(data):
        y = number(returned(data["at_2"]), "f(2)")   # the call's value, as one float
        if close(y, 4.0):
            return right(lazy("..."))
        raise wrong(lazy("f(2) is {y:g}, ..."), y=y)

Messages are :func:`lazy` catalog entries (translated when shown) or, for exercises written
outside adkernel, :func:`message` with the text in each language.
"""

from __future__ import annotations

import math
import types

import numpy as np

from ..engine import i18n
from ._feedback import Fmt, Text, lazy, render, verbatim
from ._plain import _short

__all__ = [
    "MSG",
    "Incorrect",
    "NotAttempted",
    "array",
    "close",
    "describe",
    "failed",
    "is_kind",
    "lazy",
    "message",
    "number",
    "raised_is",
    "raised_type",
    "returned",
    "right",
    "text_of",
    "to_numpy",
    "verbatim",
    "wrong",
]


# -- outcomes -----------------------------------------------------------------------------
class Incorrect(Exception):
    """Raised by a judge: the answer is wrong; ``message`` says why."""

    def __init__(self, message) -> None:
        super().__init__(render(message, "en"))
        self.message = message


class NotAttempted(Exception):
    """Raised by a judge: the learner has not answered yet."""

    def __init__(self, message) -> None:
        super().__init__(render(message, "en"))
        self.message = message


def wrong(msg: Text, **values) -> Incorrect:
    """``raise wrong(lazy("..."), **format_values)`` in a judge: an incorrect answer."""
    return Incorrect(msg(**values) if values else msg)


def right(msg: Text, **values) -> Text | Fmt:
    """``return right(lazy("..."), ...)`` from a judge: the success message."""
    return msg(**values) if values else msg


class Message(Text):
    """A message given in each language by its author (no catalog): ``message(en=, zh=)``."""

    def __new__(cls, en: str, translations: dict):
        obj = super().__new__(cls, en)
        obj.translations = dict(translations)
        return obj

    def _template(self, lang: str | None) -> str:
        lang = i18n.normalise_language(lang) or i18n.get_language()
        return self.translations.get(lang, str.__str__(self))

    def __repr__(self) -> str:
        return f"message(en={str.__str__(self)!r}, ...)"

    def __reduce__(self):
        return (Message, (str.__str__(self), self.translations))


def message(en: str, **translations: str) -> Message:
    """A message for exercises written outside adkernel: ``message(en="...", zh="...")``.

    Like :func:`lazy`, ``message(...)(name=value)`` binds format values shown later, and
    the text is chosen when it is shown, in the learner's (or the grader's) language.
    A language left out shows the English text.
    """
    if not isinstance(en, str) or not en:
        raise TypeError("message() needs the English text: message(en='...', zh='...')")
    for lang, text in translations.items():
        if i18n.normalise_language(lang) is None or not isinstance(text, str):
            raise TypeError(
                f"message(): {lang}= is not a language adkernel knows (en, zh) "
                "or its text is not a string"
            )
    return Message(en, {i18n.normalise_language(k): v for k, v in translations.items()})


# -- messages shared by every judge ------------------------------------------------------
MSG = types.SimpleNamespace(
    raised=lazy("Your code raised {error} while the checker ran it{where}."),
    where=lazy(" (line: `{line}`)"),
    timeout=lazy(
        "Your code was still running after {seconds:g} s, so the checker stopped it. Is there "
        "a loop that never ends?"
    ),
    none=lazy(
        "`{name}` is `None`. Did a function forget `return`, or did `tape.gradient` give "
        "`None`?"
    ),
    not_number=lazy("`{name}` should be a number, but it is {found}."),
    not_finite=lazy("`{name}` is {found}: not a finite number."),
)


# -- reading encoded values ---------------------------------------------------------------
def _fmt_number(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.6g}"


def is_kind(ev, *kinds: str) -> bool:
    """True when the encoded value ``ev`` is one of ``kinds`` ("number", "array", "none",
    "list", "tuple", "dict", "str", "bool", "function", "blank", "other")."""
    return isinstance(ev, dict) and ev.get("t") in kinds


def text_of(ev) -> str | None:
    """The string an encoded value holds, or None when it is not a string."""
    return ev["v"] if is_kind(ev, "str") else None


def to_numpy(ev) -> np.ndarray | None:
    """A float64 array of an encoded number, array, or (nested) list/tuple of them; None
    for anything else (strings, None, functions, ragged lists)."""
    if is_kind(ev, "number"):
        return np.array(ev["v"], dtype=np.float64)
    if is_kind(ev, "array"):
        return np.array(ev["v"], dtype=np.float64).reshape(ev["shape"])
    if is_kind(ev, "list", "tuple"):
        if ev.get("n", len(ev["items"])) != len(ev["items"]):
            return None  # longer than encode() keeps
        if not ev["items"]:
            return np.zeros((0,))
        parts = [to_numpy(item) for item in ev["items"]]
        if any(p is None for p in parts) or len({p.shape for p in parts}) != 1:
            return None
        return np.stack(parts)
    return None


def _plain_repr(ev, limit: int = 80) -> str:
    """A short Python-like spelling of an encoded value."""
    kind = ev.get("t") if isinstance(ev, dict) else None
    if kind == "none":
        return "None"
    if kind == "blank":
        return "____"
    if kind == "bool":
        return repr(ev["v"])
    if kind == "number":
        return str(int(ev["v"])) if ev.get("int") and math.isfinite(ev["v"]) else repr(ev["v"])
    if kind == "str":
        return _short(repr(ev["v"]), limit)
    if kind in ("list", "tuple"):
        inner = ", ".join(_plain_repr(item, limit) for item in ev["items"])
        if ev.get("n", 0) > len(ev["items"]):
            inner += ", …"
        if kind == "list":
            body = f"[{inner}]"
        else:
            body = f"({inner}{',' if len(ev['items']) == 1 else ''})"
        return _short(body, limit)
    if kind == "dict":
        inner = ", ".join(f"{k!r}: {_plain_repr(v, limit)}" for k, v in ev["items"])
        return _short("{" + inner + "}", limit)
    if kind == "array":
        arr = to_numpy(ev)
        with np.printoptions(precision=5, suppress=True, threshold=20):
            return _short(np.array2string(arr, separator=", "), limit)
    if kind == "function":
        return _short(f"<function {ev.get('name', '?')}>", limit)
    if kind == "other":
        return _short(ev.get("repr") or f"<{ev.get('type', '?')}>", limit)
    return "?"


def describe(ev) -> Text | Fmt | str:
    """A short description of an encoded learner value, for "you gave ..." messages."""
    kind = ev.get("t") if isinstance(ev, dict) else None
    if kind in ("none", "blank", "bool"):
        return _plain_repr(ev)
    if kind == "str":
        return lazy("the string {s}")(s=_short(repr(ev["v"]), 60))
    if kind == "number":
        return _fmt_number(ev["v"])
    if kind in ("list", "tuple"):
        what = lazy("a list") if kind == "list" else lazy("a tuple")
        return lazy("{kind} of {n} items: {r}")(kind=what, n=ev.get("n", len(ev["items"])),
                                                r=_plain_repr(ev, 80))
    if kind == "dict":
        keys = "[" + ", ".join(repr(k) for k, _v in ev["items"]) + "]"
        return lazy("a dict with keys {k}")(k=_short(keys, 80))
    if kind == "function":
        return lazy("a function")
    if kind == "array":
        arr = to_numpy(ev)
        if arr.ndim == 0:
            return _fmt_number(float(arr))
        return lazy("an array of shape {shape}: {a}")(
            shape=tuple(arr.shape), a=_plain_repr(ev, 120)
        )
    return _plain_repr(ev, 200)


def number(ev, name) -> float:
    """The encoded value ``ev`` as one float, or :class:`Incorrect` saying what it is."""
    if is_kind(ev, "none"):
        raise Incorrect(MSG.none(name=name))
    arr = None if is_kind(ev, "bool", "str") else to_numpy(ev)
    if arr is None or arr.size != 1:
        raise Incorrect(MSG.not_number(name=name, found=describe(ev)))
    x = float(arr.reshape(()))
    if not math.isfinite(x):
        raise Incorrect(MSG.not_finite(name=name, found=_fmt_number(x)))
    return x


def array(ev, name) -> np.ndarray:
    """The encoded value ``ev`` as a float64 array, or :class:`Incorrect`."""
    if is_kind(ev, "none"):
        raise Incorrect(MSG.none(name=name))
    arr = None if is_kind(ev, "bool", "str") else to_numpy(ev)
    if arr is None:
        raise Incorrect(MSG.not_number(name=name, found=describe(ev)))
    if not np.all(np.isfinite(arr)):
        raise Incorrect(MSG.not_finite(name=name, found=describe(ev)))
    return arr


def close(found, expected, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """``found`` and ``expected`` (numbers or arrays) have one shape and agree."""
    found = np.asarray(found, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    return found.shape == expected.shape and bool(
        np.allclose(found, expected, rtol=rtol, atol=atol)
    )


# -- reading calls ------------------------------------------------------------------------
def failed(call) -> bool:
    """The learner's code raised, ran past the time limit, or was not run."""
    return bool(call.get("raised") or call.get("timed_out"))


def raised_type(call) -> str | None:
    """The name of the exception the call raised (``"TypeError"``), or None."""
    raised = call.get("raised")
    return raised.get("type") if isinstance(raised, dict) else None


def raised_is(call, name: str) -> bool:
    """The call raised ``name`` or a subclass of it (``raised_is(call, "TypeError")``)."""
    raised = call.get("raised")
    return isinstance(raised, dict) and name in raised.get("types", [raised.get("type")])


def returned(call):
    """The encoded value the call returned; when the learner's code raised or ran past
    the time limit, :class:`Incorrect` with the general message for that."""
    if call.get("timed_out"):
        raise Incorrect(MSG.timeout(seconds=float(call.get("limit") or 0)))
    raised = call.get("raised")
    if raised:
        error = _short(f"{raised.get('type', '?')}: {raised.get('message', '')}", 300)
        line = raised.get("line") or ""
        where = MSG.where(line=_short(line, 120)) if line else ""
        raise Incorrect(MSG.raised(error=error, where=where))
    return call.get("value", {"t": "none"})
