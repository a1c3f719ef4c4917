"""Bilingual text and the small coloured boxes the checker shows.

Every message is a :class:`T` holding an English and a Chinese version; it is rendered
in :attr:`settings.language` when shown. A :class:`Feedback` displays as HTML (a coloured
box) with a ``text/plain`` fallback, so it reads the same in a terminal, in nbconvert
output and in a saved notebook viewed on GitHub.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._escape import escape
from ._settings import settings

__all__ = ["CORRECT", "HINT", "INCORRECT", "NOT_ATTEMPTED", "SOLUTION", "Feedback", "T", "show"]

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"
HINT = "hint"
SOLUTION = "solution"
NOTE = "note"


class T:
    """A message in English and Chinese; ``str(T)`` is the current language."""

    __slots__ = ("en", "zh")

    def __init__(self, en: str, zh: str) -> None:
        self.en = en
        self.zh = zh

    def render(self, lang: str | None = None, **values) -> str:
        text = self.zh if (lang or settings.language) == "zh" else self.en
        if values:
            values = {k: (v.render(lang) if isinstance(v, T) else v) for k, v in values.items()}
            text = text.format(**values)
        return text

    def __call__(self, **values) -> Fmt:
        """Bind format values now, render later (in the language current at display time)."""
        return Fmt(self, values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"T(en={self.en!r}, zh={self.zh!r})"


@dataclass(frozen=True)
class Fmt:
    """A :class:`T` with its format values bound."""

    text: T
    values: dict

    def render(self, lang: str | None = None) -> str:
        return self.text.render(lang, **self.values)

    def __str__(self) -> str:
        return self.render()


def render(msg, lang: str | None = None) -> str:
    if isinstance(msg, (T, Fmt)):
        return msg.render(lang)
    return str(msg)


_LABELS = {
    CORRECT: T("Correct", "正确"),
    INCORRECT: T("Not quite", "还不对"),
    NOT_ATTEMPTED: T("Not attempted yet", "尚未作答"),
    HINT: T("Hint", "提示"),
    SOLUTION: T("Solution", "参考答案"),
    NOTE: T("Note", "注意"),
}
_MARKS = {CORRECT: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "…", HINT: "?", SOLUTION: "★", NOTE: "!"}
# border colour, background colour
_COLOURS = {
    CORRECT: ("#16a34a", "#f0fdf4"),
    INCORRECT: ("#dc2626", "#fef2f2"),
    NOT_ATTEMPTED: ("#b45309", "#fffbeb"),
    HINT: ("#2563eb", "#eff6ff"),
    SOLUTION: ("#7c3aed", "#f5f3ff"),
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

    ``state`` is one of ``"correct"``, ``"incorrect"``, ``"not attempted"``, ``"hint"``,
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
