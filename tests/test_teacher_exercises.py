"""A teacher's own exercise (issue 17): written in a few lines, checked in the notebook in both
languages, and graded by ``python -m adkernel grade --exercises FILE`` like the course's.

The exercise is the one docs/teaching.md shows, ``docs/examples/week1.py``.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from IPython.utils.capture import capture_output

from adkernel.engine import i18n

ROOT = Path(__file__).resolve().parents[1]
WEEK1 = ROOT / "docs" / "examples" / "week1.py"

RIGHT = """
def slope_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        f = x**2 + x
    return tape.gradient(f, x)
"""
FORGOT_X = """
def slope_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        f = x**2
    return tape.gradient(f, x)
"""
RETURNS_F = """
def slope_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        f = x**2 + x
    return f
"""
RAISES = """
def slope_at(x0):
    return tape.gradient(f, x)
"""

SETUP = "from adkernel import tf\nfrom adkernel.exercises import ____\nimport week1 as ex"

pytestmark = pytest.mark.usefixtures("checker_sandbox")


@pytest.fixture
def week1(ipshell, monkeypatch):
    """The shell, with week1.py importable as a notebook next to it would have it."""
    monkeypatch.syspath_prepend(str(WEEK1.parent))
    sys.modules.pop("week1", None)
    before = set(ipshell.user_ns)
    yield ipshell
    for name in set(ipshell.user_ns) - before:
        ipshell.user_ns.pop(name, None)
    sys.modules.pop("week1", None)


def _run(shell, source: str):
    with capture_output() as captured:
        result = shell.run_cell(textwrap.dedent(source), store_history=True)
    return result, captured


def _check(shell, answer: str, lang: str) -> str:
    i18n.set_language(lang)
    try:
        assert _run(shell, SETUP)[0].success
        _run(shell, answer)
        result, captured = _run(shell, "ex.q1.check()")
        assert result.success
        shown = [o.data["text/plain"] for o in captured.outputs if "text/plain" in o.data]
        assert len(shown) == 1
        return shown[0]
    finally:
        i18n.set_language(None)


@pytest.mark.parametrize(("answer", "en", "zh"), [
    (RIGHT, "✔ Question 1 · Correct\nf'(x) = 2x + 1", "✔ 第 1 题 · 正确\n每个点上都是"),
    (FORGOT_X, "the derivative of the + x term is missing", "漏掉了 + x 这一项的导数"),
    (RETURNS_F, "You return f(x) itself", "你返回的是 f(x) 本身"),
    (RAISES, "NameError", "NameError"),
    ("slope_at = 3", "not callable", "不能被调用"),
    ("slope_at = ____", "still contains `____`", "`____`"),
])
def test_a_teachers_exercise_checks_in_both_languages(week1, answer, en, zh):
    assert en in _check(week1, answer, "en")
    said = _check(week1, answer, "zh")
    assert zh in said
    assert "Question" not in said and "Correct" not in said


def test_hints_and_solution_in_both_languages(week1):
    sys.path.insert(0, str(WEEK1.parent))
    import week1 as ex

    assert "梯度带" in ex.q1.hint_feedback(1).to_text("zh")
    assert "tf.Variable(x0)" in ex.q1.hint_feedback(1).to_text("en")
    assert "tape.gradient(f, x)" in ex.q1.solution_feedback().to_text("en")
    assert "和的求导法则" in ex.q1.solution_feedback().to_text("zh")


def test_the_two_halves_run_apart(week1):
    """The gather half's data is plain JSON; a fresh copy of the judge decides from it."""
    from adkernel.exercises import _plain
    from adkernel.grade import load_exercises

    assert _run(week1, SETUP)[0].success
    _run(week1, FORGOT_X)
    text = _plain.dumps(week1.user_ns["ex"].q1.gather(week1.user_ns))
    grader_copy = load_exercises(WEEK1).problems[0]  # another module object, same file
    assert grader_copy is not week1.user_ns["ex"].q1
    fb = grader_copy.judge(_plain.loads(text))
    assert fb.state == "incorrect" and "+ x" in fb.text


@pytest.mark.parametrize(("text", "why"), [
    ("x = 1\n", "defines no exercise"),
    ("from adkernel.exercises import Problem\nq1 = Problem('ch02', 1, names=['a'], "
     "gather=lambda c, a: {}, judge=lambda d: None, hints=[], starter='a = ____', "
     "solution='a = 1')\n", "course's own chapters"),
    ("from adkernel.exercises import Problem\nq1 = Problem('w', 1, names=['a'], "
     "gather=lambda c, a: {}, hints=[], starter='a = ____', solution='a = 1')\n",
     "needs both halves of its check: gather=... and judge=..."),
    ("raise RuntimeError('oops')\n", "RuntimeError: oops"),
])
def test_a_bad_exercise_file_is_refused_with_a_reason(tmp_path, text, why):
    from adkernel.grade import ExercisesError, load_exercises

    path = tmp_path / "mine.py"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExercisesError, match=None) as info:
        load_exercises(path)
    assert why in str(info.value)


def test_a_problem_without_its_two_halves_is_refused():
    from adkernel.exercises import Problem

    with pytest.raises(TypeError, match=r"gather=\.\.\. and judge="):
        Problem("w", 1, names=["a"], gather=lambda c, a: {}, hints=[], starter="",
                solution="", register=False)


def _notebook(path: Path, answer: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(SETUP),
        nbformat.v4.new_code_cell(answer.strip("\n"), metadata={"tags": ["exercise"]}),
        nbformat.v4.new_code_cell("ex.q1.check()"),
    ]
    nbformat.write(nb, path)


@pytest.mark.slow
def test_grade_with_the_teachers_exercises(tmp_path):
    pytest.importorskip("nbclient")
    subs = tmp_path / "subs"
    subs.mkdir()
    _notebook(subs / "ada.ipynb", RIGHT)
    _notebook(subs / "bo.ipynb", FORGOT_X)
    # a learner who edits the exercise file the notebook imports changes nothing: the
    # grader runs the gather half from the teacher's text and judges in its own process
    # (and in the sandbox the file is read-only: the write fails)
    _notebook(subs / "cy.ipynb", FORGOT_X + "\nimport week1\nweek1.judge = lambda d: None\n"
              "try:\n    open(week1.__file__, 'a').write('\\njudge = lambda d: None\\n')\n"
              "except OSError:\n    pass\n")
    out = tmp_path / "rows.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "adkernel", "grade", str(subs), "--exercises", str(WEEK1),
         "--csv", str(out), "--lang", "zh", "--quiet", "--cell-timeout", "180",
         "--check-timeout", "60"],  # generous: a loaded CI machine must not make it flaky
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    written = out.read_text(encoding="utf-8") if out.exists() else "(no CSV)"
    assert proc.returncode == 0, f"{proc.stderr}\n{written}"
    rows = {r["learner"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert {k: (r["chapter"], r["exercise"], r["state"]) for k, r in rows.items()} == {
        "ada": ("week1", "week1.q1", "correct"),
        "bo": ("week1", "week1.q1", "incorrect"),
        "cy": ("week1", "week1.q1", "incorrect"),
    }
    assert "漏掉了 + x 这一项的导数" in rows["bo"]["feedback"]
    assert WEEK1.read_text(encoding="utf-8").count("judge = lambda") == 0


@pytest.mark.slow
def test_grade_refuses_a_bad_exercises_file(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "a.ipynb").write_text("{}", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "adkernel", "grade", str(tmp_path), "--exercises", str(bad)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "defines no exercise" in proc.stderr


def test_the_short_example_in_the_docs_runs():
    import re

    from adkernel import tf

    text = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def judge" in b)
    ns: dict = {}
    exec(compile(block, "teaching.md", "exec"), ns)
    q1 = ns["q1"]
    answers = {RIGHT: ("correct", "每个点都对"), FORGOT_X: ("incorrect", "漏掉了 + x 这一项")}
    for answer, (state, zh) in answers.items():
        learner = {"tf": tf}
        exec(answer, learner)
        fb = q1.evaluate(learner, save=False)
        assert fb.state == state
        assert zh in fb.to_text("zh")
