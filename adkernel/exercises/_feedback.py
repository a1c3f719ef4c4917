"""The checker's messages and the small coloured boxes it shows.

Every message is English text marked with :func:`lazy` (the gettext message id; Chinese
is in ``adkernel/locale/zh_CN/LC_MESSAGES/exercises.po``). It is translated when shown,
in :attr:`settings.language`, or in an explicit language: ``render(msg, "zh")`` (the
grader renders in its ``--lang``). ``lazy("... {name} ...")(name=...)`` binds format
values now and renders later (:class:`Fmt`). A :class:`Feedback` displays as HTML (a
coloured box) with a ``text/plain`` fallback, so it reads the same in a terminal, in
nbconvert output and in a saved notebook viewed on GitHub.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._escape import escape
from ..engine import i18n
from ._settings import settings

__all__ = [
    "CORRECT",
    "HINT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "SOLUTION",
    "STALE",
    "Feedback",
    "Fmt",
    "Text",
    "lazy",
    "render",
    "show",
    "verbatim",
]

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"
HINT = "hint"
SOLUTION = "solution"
STALE = "stale"  # the answer cell raised last time it ran, or a cell above never ran:
# nothing was graded
NOTE = "note"


_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def _value(value, lang: str | None):
    """A format value: messages are rendered in ``lang``, anything else is kept as is."""
    if isinstance(value, (Fmt, i18n.LazyText)):
        return value.render(lang)
    return value


class Text(i18n.LazyText):
    """A message id (English) shown in the current language, or in ``render(lang)``'s.

    ``text(**values)`` binds format values now and renders later (:class:`Fmt`).
    """

    __slots__ = ()

    def _template(self, lang: str | None) -> str:
        return i18n.translate(str.__str__(self), lang)

    def render(self, lang: str | None = None, **values) -> str:
        text = self._template(lang)
        if values:
            text = text.format(**{k: _value(v, lang) for k, v in values.items()})
            # "是 {found}" spaces a Chinese word from a number; when the value is itself
            # Chinese ("一个列表…") that space is a stray one between two Chinese characters
            text = _CJK_GAP.sub("", text)
        return text

    def __str__(self) -> str:
        return self.render()

    def __call__(self, **values) -> Fmt:
        """Bind format values now, render later (in the language current at display time)."""
        return Fmt(self, values)

    def __repr__(self) -> str:
        return f"lazy({str.__str__(self)!r})"


class Verbatim(Text):
    """Text that is the same in every language (a layout such as ``"{q} · {h}"``)."""

    __slots__ = ()

    def _template(self, lang: str | None) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"verbatim({str.__str__(self)!r})"


def lazy(message: str) -> Text:
    """``message`` (English, the msgid) translated when shown; ``lazy(...)(name=...)`` binds
    format values."""
    return Text(message)


def verbatim(text: str) -> Verbatim:
    """``text`` left untranslated (no words in it), with :class:`Fmt` support."""
    return Verbatim(text)


@dataclass(frozen=True)
class Fmt:
    """A message (:class:`Text`) with its format values bound."""

    text: Text
    values: dict

    def render(self, lang: str | None = None) -> str:
        return self.text.render(lang, **self.values)

    def __str__(self) -> str:
        return self.render()


def render(msg, lang: str | None = None) -> str:
    """``msg`` (a message, a :class:`Fmt` or plain text) in ``lang`` (default: current)."""
    if isinstance(msg, (Fmt, i18n.LazyText)):
        return msg.render(lang)
    return str(msg)


_LABELS = {
    CORRECT: lazy("Correct"),
    INCORRECT: lazy("Not quite"),
    NOT_ATTEMPTED: lazy("Not attempted yet"),
    HINT: lazy("Hint"),
    SOLUTION: lazy("Solution"),
    STALE: lazy("Not checked"),
    NOTE: lazy("Note"),
}
_MARKS = {
    CORRECT: "✔",
    INCORRECT: "✘",
    NOT_ATTEMPTED: "…",
    HINT: "?",
    SOLUTION: "★",
    STALE: "↻",
    NOTE: "!",
}
# border colour, background colour
_COLOURS = {
    CORRECT: ("#16a34a", "#f0fdf4"),
    INCORRECT: ("#dc2626", "#fef2f2"),
    NOT_ATTEMPTED: ("#b45309", "#fffbeb"),
    HINT: ("#2563eb", "#eff6ff"),
    SOLUTION: ("#7c3aed", "#f5f3ff"),
    STALE: ("#c2410c", "#fff7ed"),
    NOTE: ("#6b7280", "#f9fafb"),
}

_CODE = re.compile(r"`([^`]+)`")


def _inline_html(text: str) -> str:
    """Escape ``text`` and turn `code` spans into <code>; newlines become <br>."""
    parts = []
    pos = 0
    for m in _CODE.finditer(text):
        parts.append(escape(text[pos : m.start()]))
        parts.append(f"<code>{escape(m.group(1))}</code>")
        pos = m.end()
    parts.append(escape(text[pos:]))
    return "".join(parts).replace("\n", "<br>")


@dataclass
class Feedback:
    """The outcome of a check, a hint or a solution: a state and a message.

    ``state`` is one of ``"correct"``, ``"incorrect"``, ``"not attempted"``, ``"stale"``
    (the answer cell raised the last time it ran, or the answer needs a name that a course
    cell above defines and that cell never ran: nothing was graded), ``"hint"``,
    ``"solution"``. ``title`` names the question; ``code`` is shown as a code block
    (solutions); ``notes`` are extra lines (learner output, progress-file problems).
    """

    state: str
    message: object = ""
    title: object = ""
    code: str = ""
    notes: list = field(default_factory=list)

    @property
    def text(self) -> str:
        """The message in the current language (what tests assert on)."""
        return render(self.message)

    @property
    def correct(self) -> bool:
        return self.state == CORRECT

    def _head(self, lang: str) -> str:
        label = _LABELS[self.state].render(lang)
        title = render(self.title, lang)
        if self.state == HINT and title:
            return title
        return f"{title} · {label}" if title else label

    def to_text(self, lang: str | None = None) -> str:
        lang = lang or settings.language
        lines = [f"{_MARKS[self.state]} {self._head(lang)}"]
        msg = render(self.message, lang)
        if msg:
            lines.append(msg)
        if self.code:
            lines.append("")
            lines.extend("    " + line for line in self.code.splitlines())
        lines.extend(render(n, lang) for n in self.notes)
        return "\n".join(lines)

    def to_html(self, lang: str | None = None) -> str:
        lang = lang or settings.language
        border, background = _COLOURS[self.state]
        parts = [
            f'<div class="adk-feedback adk-{self.state.replace(" ", "-")}" '
            f'style="border-left:5px solid {border};background:{background};'
            f'padding:6px 10px;margin:2px 0;color:#111827;font-size:14px;line-height:1.45">',
            f'<b style="color:{border}">{_MARKS[self.state]} {escape(self._head(lang))}</b>',
        ]
        msg = render(self.message, lang)
        if msg:
            parts.append(f"<div>{_inline_html(msg)}</div>")
        if self.code:
            parts.append(
                '<pre style="background:#ffffff;border:1px solid #e5e7eb;padding:6px;'
                f'margin:4px 0;white-space:pre-wrap">{escape(self.code)}</pre>'
            )
        for note in self.notes:
            parts.append(f'<div style="color:#4b5563">{_inline_html(render(note, lang))}</div>')
        parts.append("</div>")
        return "".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None):
        lang = settings.language
        return {"text/html": self.to_html(lang), "text/plain": self.to_text(lang)}

    def __repr__(self) -> str:
        return self.to_text()


def show(obj) -> None:
    """Display ``obj`` in IPython when a shell is running, else print its text."""
    try:
        from IPython import get_ipython

        if get_ipython() is not None:
            from IPython.display import display

            display(obj)
            return
    except Exception:  # pragma: no cover - IPython missing or broken: fall back to print
        pass
    print(obj.to_text() if isinstance(obj, Feedback) else obj)
