"""Wrong-answer tables: plausible mistakes for every exercise and the diagnosis each must get.

Each chapter's table lives in ``tests/wrong_answers_chNN.py`` as ``TABLE = {"chNN.qK":
[Wrong(...), ...]}``; ``tests/test_wrong_answers.py`` runs every row as a learner would:
in an IPython shell, the chapter's set-up cell, then the answer cell (``Wrong.code``, which
may raise), then the check — gather in the kernel (in the learner's language), the data
through JSON, the judge on that data — once in English and once in Chinese.

A row says what the diagnosis must contain in each language, and what it must never say
(advice the answer already follows: telling a learner who called ``tape.watch(x)`` to call
``tape.watch(x)``). Two rows are added to every exercise by the runner itself: the starter
left as shipped (``____``: not attempted) and an answer cell that raised after a correct
run (not checked: the kernel still holds the old answer).
"""

from __future__ import annotations

import copy
import re
import textwrap
from dataclasses import dataclass

import numpy as np
from IPython.utils.capture import capture_output
from lang_scan import code_identifiers, english_words
from test_exercises import SETUP

from adkernel.engine import i18n
from adkernel.exercises import _plain, settings
from adkernel.exercises._feedback import render

__all__ = ["Wrong", "diagnose"]


@dataclass(frozen=True)
class Wrong:
    """One plausible wrong answer and the diagnosis it must get."""

    mistake: str  # what the learner did wrong, in a few words (the test id)
    code: str  # the answer cell as the learner wrote it (it may raise)
    en: tuple = ()  # fragments the English diagnosis must contain (case-sensitive)
    zh: tuple = ()  # fragments the Chinese diagnosis must contain
    state: str = "incorrect"  # or "not attempted", "stale", "correct"
    never: tuple = ()  # advice the answer already follows (either language): never said
    before: str = ""  # a cell run before the answer cell (an earlier attempt)


def _cell(shell, source: str):
    with capture_output():
        return shell.run_cell(textwrap.dedent(source), store_history=True)


def setup_source(problem) -> str:
    return (
        "import numpy as np\nfrom adkernel import tf\n"
        f"from adkernel.exercises import ____, {problem.chapter} as ex\n"
        + SETUP.get(problem.chapter, "")
    )


def diagnose(shell, problem, case: Wrong, lang: str):
    """Run ``case`` in ``shell`` as a learner in ``lang`` would; ``(feedback, envelope)``.

    The learner's names are removed afterwards, so rows do not see each other.
    """
    # the answer's names start undefined, whatever earlier tests left in the shared shell
    mine = (*problem.names, *problem.also)
    saved = {n: shell.user_ns.pop(n) for n in mine if n in shell.user_ns}
    before = set(shell.user_ns)
    i18n.set_language(lang)
    settings.time_limit = 2
    try:
        with np.errstate(all="ignore"):
            assert _cell(shell, setup_source(problem)).success
            if case.before:
                assert _cell(shell, case.before).success
            _cell(shell, case.code)  # it may raise: that is the point of some rows
            envelope = problem.gather(shell.user_ns)
        sent = _plain.loads(_plain.dumps(envelope))
        kept = copy.deepcopy(sent)
        fb = problem.judge(sent)
        again = problem.judge(sent)
        assert sent == kept, "the judge changed the data it was given"
        assert render(fb.message, "en") == render(again.message, "en"), "the judge is not pure"
        return fb, sent
    finally:
        i18n.set_language(None)
        _cell(shell, "pass")
        for name in set(shell.user_ns) - before:
            shell.user_ns.pop(name, None)
        shell.user_ns.update(saved)


_QUOTED_ERROR = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning): [^（）\n]*")


def english_in_chinese(problem, case: Wrong, text: str) -> list[str]:
    """English words in a Chinese diagnosis, other than the learner's and the course's names
    and code spans (errors the learner's code raised are quoted as Python raised them)."""
    code = setup_source(problem) + problem.starter + problem.solution_code + case.code
    allowed = code_identifiers(code) | set(problem.names)
    allowed |= set(re.findall(r"[A-Za-z_]\w*", case.code + case.before))
    text = re.sub(r"`[^`]*`", " ", _QUOTED_ERROR.sub(" ", text))
    return english_words(text, allowed)
