"""Auto-checked exercises for the adkernel course.

In a chapter notebook::

    from adkernel.exercises import ____, ch02 as ex

binds ``ex.q1``, ``ex.q2``, ... An answer cell (cell tag ``exercise``) holds assignments
with ``____`` where the learner writes; the next cell holds ``ex.q1.check()`` alone. Each
question also offers ``ex.q1.hint()``, ``ex.q1.hint(2)`` and ``ex.q1.solution()``.

A check shows one of three results as a small coloured box (HTML, with a plain-text
fallback): *correct*, *not quite* (what was found and which property was expected), or
*not attempted yet* (a ``____`` is still there, or the answer cell has not run). In
IPython there is a fourth, *not checked*: the answer cell raised the last time it ran, so
the kernel may still hold an older answer and nothing is graded. Checks never raise:
learner code that fails, prints a flood or never returns becomes feedback
(see :data:`settings` for the time limit, the language and the progress file).

:func:`progress` shows which exercises pass, from ``~/.adkernel/progress.json``.
"""

from __future__ import annotations

import importlib
from typing import ClassVar

from .._escape import escape
from . import _progress, _stale, judging
from ._core import REGISTRY, Context, Problem, ____, is_blank
from ._feedback import Feedback, lazy, render
from ._settings import settings
from .judging import message

__all__ = [
    "CHAPTERS",
    "Context",
    "Feedback",
    "Problem",
    "____",
    "is_blank",
    "judging",
    "message",
    "progress",
    "settings",
]

# Inside IPython, record which cell last set each name and whether it raised: a check does
# not grade an answer whose cell failed the last time it ran (see _stale.py).
_stale.install()

# Every chapter of the course, in order; those with exercises have a module chNN.
CHAPTERS = (
    ("ch00", "00-index", lazy("Start here")),
    ("ch01", "01-what-is-ad", lazy("What is automatic differentiation?")),
    ("ch02", "02-gradient-tape", lazy("The gradient tape")),
    ("ch03", "03-multivariable", lazy("Several variables")),
    ("ch04", "04-linear-regression", lazy("Linear regression")),
    ("ch05", "05-exercises", lazy("The tutorial's exercises")),
    ("ch06", "06-under-the-hood", lazy("Under the hood")),
    ("ch07", "07-summary", lazy("Summary")),
)


def problems(chapter: str) -> list[Problem]:
    """The problems of ``chapter`` (``"ch02"``), importing its module; [] if it has none."""
    if chapter not in REGISTRY:
        try:
            importlib.import_module(f"{__name__}.{chapter}")
        except ModuleNotFoundError:
            return []
    return list(REGISTRY.get(chapter, []))


class ProgressReport:
    """Which exercises pass: an HTML table with a text fallback."""

    def __init__(self, data: dict) -> None:
        self.rows = []
        for key, file, title in CHAPTERS:
            states = []
            for p in problems(key):
                entry = data.get("exercises", {}).get(p.key, {})
                if entry.get("state") == "correct":
                    states.append((f"q{p.number}", "correct"))
                elif entry.get("solved"):
                    states.append((f"q{p.number}", "solved before"))
                elif entry.get("attempts"):
                    states.append((f"q{p.number}", "incorrect"))
                else:
                    states.append((f"q{p.number}", "not attempted"))
            self.rows.append((file, title, states))

    _MARK: ClassVar[dict] = {
        "correct": "✔",
        "solved before": "✔",
        "incorrect": "✘",
        "not attempted": "·",
    }
    _TIP: ClassVar[dict] = {  # the tooltip of each mark in the HTML table
        "correct": lazy("correct"),
        "solved before": lazy("solved before"),
        "incorrect": lazy("incorrect"),
        "not attempted": lazy("not attempted"),
    }
    _COLOUR: ClassVar[dict] = {
        "correct": "#16a34a",
        "solved before": "#16a34a",
        "incorrect": "#dc2626",
        "not attempted": "#9ca3af",
    }

    def _totals(self):
        states = [s for _, _, row in self.rows for _, s in row]
        return sum(s in ("correct", "solved before") for s in states), len(states)

    def to_text(self, lang: str | None = None) -> str:
        done, total = self._totals()
        head = lazy("Progress: {d} of {n} exercises solved")
        lines = [head.render(lang, d=done, n=total)]
        for file, _title, states in self.rows:
            marks = " ".join(f"{q} {self._MARK[s]}" for q, s in states)
            marks = marks or lazy("(coming)").render(lang)
            lines.append(f"  {file:<22} {marks}")
        return "\n".join(lines)

    def to_html(self, lang: str | None = None) -> str:
        done, total = self._totals()
        head = lazy("Progress: {d} of {n} exercises solved")
        rows = []
        for file, title, states in self.rows:
            cells = " ".join(
                f'<span style="color:{self._COLOUR[s]}" '
                f'title="{escape(self._TIP[s].render(lang))}">{q}&nbsp;{self._MARK[s]}</span>'
                for q, s in states
            ) or escape(lazy("(coming)").render(lang))
            rows.append(
                f"<tr><td><code>{escape(file)}</code></td><td>{escape(render(title, lang))}"
                f"</td><td>{cells}</td></tr>"
            )
        return (
            f'<div class="adk-progress"><b>{escape(head.render(lang, d=done, n=total))}</b>'
            f"<table>{''.join(rows)}</table></div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        lang = settings.language
        return {"text/html": self.to_html(lang), "text/plain": self.to_text(lang)}

    def __repr__(self) -> str:
        return self.to_text()


def progress() -> ProgressReport:
    """The learner's progress over every chapter (displays as a table)."""
    return ProgressReport(_progress.load())
