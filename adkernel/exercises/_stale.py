"""Stale answers: a check grades nothing when the learner's answer cell raised last time.

After a correct run, breaking the answer cell (a ``SyntaxError``, or a line that raises)
leaves the old answer in the kernel. :func:`stale_facts` (the gather half) asks
:mod:`adkernel._cells` which cell last tried to bind each of the exercise's names; when that
run raised, :func:`stale_feedback_of` (the judge half) says so (state ``"stale"``: not
correct, not incorrect, not recorded in the progress file) instead of grading what the
kernel still holds. Outside IPython there is no record, and
checks behave as before.
"""

from __future__ import annotations

from .. import _cells
from ._feedback import STALE, Feedback, lazy, verbatim

__all__ = ["MSG_RAISED", "install", "stale_facts", "stale_feedback_of"]

MSG_RAISED = lazy(
    "Your answer cell{cell} (the last cell that sets `{name}`) raised an error the last time "
    "it ran: `{error}`. So `{name}` was not checked: it may still be an older answer. Fix "
    "the error, run the cell again, then check."
)
CELL = verbatim(" [{count}]")  # the execution count Jupyter shows next to the cell


def _code(text: str) -> str:
    """``text`` fit for a `code span` (no backticks in it)."""
    return str(text).replace("`", "'")


def install() -> None:
    """Record the cells the running IPython shell runs (nothing outside IPython)."""
    _cells.install()


def stale_facts(problem, namespace) -> dict | None:
    """``{"name", "cell", "error"}`` when the latest run of the cell that last (tried to)
    set one of ``problem.names`` raised (``cell``: its execution count or None); None
    when the answer can be graded.

    A name that is not defined at all is left to the usual "not defined yet" message.
    """
    try:
        for name in problem.names:
            if name not in namespace:
                continue
            attempt = _cells.last_attempt(name, namespace)
            if attempt is None or attempt.get("ok") is not False:
                continue
            count = attempt.get("count")
            return {
                "name": str(name),
                "cell": count if isinstance(count, int) and not isinstance(count, bool) else None,
                "error": str(attempt.get("error") or "?"),
            }
    except Exception:  # the record is bookkeeping: when it fails, grade as before
        return None
    return None


def stale_feedback_of(problem, facts) -> Feedback:
    """The "not checked" feedback for :func:`stale_facts` (plain data)."""
    count = facts.get("cell")
    cell = CELL(count=count) if isinstance(count, int) else ""
    message = MSG_RAISED(cell=cell, name=facts["name"], error=_code(facts.get("error") or "?"))
    return Feedback(STALE, message, problem.title)
