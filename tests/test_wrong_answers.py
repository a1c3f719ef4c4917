"""Every exercise's wrong-answer table (issue 17): each mistake gets a diagnosis that names it
and the next step, in English and in Chinese, and never recommends what the answer does.

The rows are in ``tests/wrong_answers_chNN.py``; the runner is ``tests/wrong_answers.py``.
Three rows are added to every exercise here: the starter as shipped, an answer cell broken
after a correct run, and (when the solution reads names an earlier course cell defines) those
cells never run.
"""

from __future__ import annotations

import importlib

import pytest
from test_exercises import ALL
from wrong_answers import Wrong, diagnose, english_in_chinese

from adkernel.exercises._feedback import render

pytestmark = pytest.mark.usefixtures("checker_sandbox")

CHAPTERS = sorted({p.chapter for p in ALL})
TABLE: dict[str, list[Wrong]] = {}
for _chapter in CHAPTERS:
    try:
        _module = importlib.import_module(f"wrong_answers_{_chapter}")
    except ModuleNotFoundError:
        continue
    TABLE.update(_module.TABLE)

PROBLEMS = {p.key: p for p in ALL}
MIN_ROWS = 4  # mistakes of its own per exercise, besides the two every exercise gets


def _rows():
    for p in ALL:
        yield p, Wrong("placeholder left", p.starter, ("`____`",), ("`____`",),
                       state="not attempted")
        # a correct answer, then the answer cell broken: the old answer must not be graded
        broken = p.solution_code + "\nraise ValueError('the cell broke here')"
        yield p, Wrong("cell raised after a correct run", broken,
                       ("raised an error", "ValueError"), ("报错", "ValueError"),
                       state="stale", before=p.solution_code)
        # a cell above that defines what the answer reads (W_start, tf) never ran: not
        # graded, and the learner is sent to run it (not told their answer is wrong)
        if p.course_names:
            yield p, Wrong("a course cell above never ran", p.solution_code,
                           ("an earlier cell", "Run the cells above"),
                           ("前面的一个单元格", "请先运行上面的单元格"), state="stale",
                           before="del " + ", ".join(sorted(p.course_names)))
        for row in TABLE.get(p.key, []):
            yield p, row


ROWS = list(_rows())


def test_every_exercise_has_its_table():
    short = {p.key: len(TABLE.get(p.key, [])) for p in ALL if len(TABLE.get(p.key, [])) < MIN_ROWS}
    assert short == {}, f"exercises with fewer than {MIN_ROWS} wrong answers in their table"
    assert set(TABLE) <= set(PROBLEMS), set(TABLE) - set(PROBLEMS)
    for key, rows in TABLE.items():
        names = [r.mistake for r in rows]
        assert len(names) == len(set(names)), f"{key}: two rows with one name"


@pytest.mark.parametrize(("problem", "case"), ROWS,
                         ids=[f"{p.key}-{c.mistake.replace(' ', '_')}" for p, c in ROWS])
def test_the_diagnosis(ipshell, problem, case):
    texts = {}
    for lang in ("en", "zh"):
        fb, _data = diagnose(ipshell, problem, case, lang)
        text = render(fb.message, lang)
        texts[lang] = text
        assert fb.state == case.state, f"{lang}: {fb.state}: {text}"
        for fragment in case.en if lang == "en" else case.zh:
            assert fragment in text, f"{lang}: {fragment!r} not in {text!r}"
        for fragment in case.never:
            assert fragment not in text, f"{lang}: says {fragment!r}, which the answer does"
    assert texts["en"] != texts["zh"]
    assert english_in_chinese(problem, case, texts["zh"]) == [], texts["zh"]
    if case.state == "incorrect":
        # a diagnosis names a mistake: it is never the success message nor empty
        assert texts["en"].strip() and "Correct" not in texts["en"]
