"""``python -m adkernel grade``: submissions built from the real chapter 02 notebook.

One class of submissions is graded once (``--jobs 2``, ``--csv``) by a module fixture; the
tests read its rows. Each variant is the course notebook with its exercise cells edited
programmatically: a correct one (the checker's reference solutions), a wrong one, one that
tries to weaken the checks, one that never ends, one that deletes its variables, one that
floods its output, one that is not JSON and one from another chapter.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")

from adkernel import grade  # noqa: E402
from adkernel.exercises import problems  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CH02 = ROOT / "course" / "en" / "02-gradient-tape.ipynb"
CH03 = ROOT / "course" / "en" / "03-multivariable.ipynb"
SOLUTION = {p.number: p.solution_code for p in problems("ch02")}
WRONG_Q1 = """
def derivative_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = x**3 - 2 * x
    return y
"""


def _exercise_cells(nb):
    """{question number: index of its answer cell} (the cells tagged ``exercise``)."""
    cells = [i for i, c in enumerate(nb.cells) if "exercise" in c.metadata.get("tags", [])]
    assert len(cells) == len(SOLUTION) == 2
    return dict(zip(sorted(SOLUTION), cells, strict=True))


def variant(answers: dict, *, before: dict | None = None, before_check: dict | None = None,
            after_check: dict | None = None, extra_end: str = "", fake_outputs: bool = False):
    """The chapter 02 notebook with answer cells replaced (``answers``), code cells inserted
    before an answer cell (``before``), between it and its check cell (``before_check``) or
    after its check cell (``after_check``)."""
    nb = nbformat.read(CH02, as_version=4)
    where = _exercise_cells(nb)
    for n, src in answers.items():
        nb.cells[where[n]].source = src.strip("\n")
    inserts = []
    for n, src in (before or {}).items():
        inserts.append((where[n], src))
    for n, src in (before_check or {}).items():
        inserts.append((where[n] + 1, src))
    for n, src in (after_check or {}).items():
        inserts.append((where[n] + 2, src))
    for index, src in sorted(inserts, reverse=True):
        nb.cells.insert(index, nbformat.v4.new_code_cell(src))
    if extra_end:
        nb.cells.append(nbformat.v4.new_code_cell(extra_end))
    if fake_outputs:
        for cell in nb.cells:
            if cell.cell_type == "code" and ".check()" in cell.source:
                cell.outputs = [nbformat.v4.new_output(
                    "display_data", data={"text/plain": "✔ Question · Correct"})]
    return nb


BROKEN_Q1 = SOLUTION[1].replace("tape.gradient(y, x)", "tape.gradient(y, x")
assert BROKEN_Q1 != SOLUTION[1]
TAMPER = """
import adkernel.exercises as _e
import adkernel.exercises._core as _c
from adkernel.exercises._feedback import Feedback
ex.q1.check = lambda *a, **k: print("✔ Correct")
ex.q1._judge = lambda data: "fine"
ex.q1._gather = lambda ctx, *values: {}
_c.Problem.evaluate = lambda self, ns, save=True: Feedback("correct", "fine")
_c.Problem.judge = lambda self, envelope: Feedback("correct", "fine")
_c.REGISTRY["ch02"] = []
_e.problems = lambda chapter: []
"""
ENDLESS_FUNCTION = """
def watched_gradient():
    while True:
        pass
"""
PATCH_CARRIERS = """
import importlib
import IPython.display as _d
_real = _d.display
def _forge(*objs, **kw):  # would rewrite what the grader's probe sends back
    return _real(*objs, **kw)
_d.display = _forge
importlib.import_module = importlib.import_module.__call__
"""
PATCH_NUMPY = """
import numpy as np
np.allclose = lambda *a, **k: True
"""
UNSTOPPABLE = """
import time
def watched_gradient():
    return None
while True:
    try:
        time.sleep(0.05)
    except BaseException:
        pass
"""
FLOOD = """
for i in range(100_000):
    print("flood", i)
print("x" * 20_000_000)
from IPython.display import HTML, display
display(HTML("<b>big</b>" * 500_000))
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    subs = {
        "ada": variant(SOLUTION),
        "bo": variant({1: WRONG_Q1}),
        "cy": variant({1: WRONG_Q1}, before={1: TAMPER}, fake_outputs=True),
        "dee": variant({1: "while True:\n    pass", 2: UNSTOPPABLE}),
        "eve": variant(SOLUTION, after_check={1: "del derivative_at"},
                       extra_end="%reset -f\ndel watched_gradient"),
        "fay": variant(SOLUTION, before={1: FLOOD}),
        "jo": variant(SOLUTION, before_check={2: "import os\nos._exit(3)"}),
        "lu": variant({1: SOLUTION[1], 2: ENDLESS_FUNCTION}),
        "kai": variant({1: WRONG_Q1}, before={1: PATCH_NUMPY}),
        "nia": variant({1: WRONG_Q1}, before={1: PATCH_CARRIERS}),
        "gus": variant(SOLUTION, before_check={1: "del derivative_at"},
                       after_check={1: "derivative_at = ____"}),
        # an earlier cell defined the answer; the answer cell itself raises (issue 17)
        "max": variant({1: BROKEN_Q1, 2: SOLUTION[2] + "\nwatched_gradient()[5]"},
                       before={1: SOLUTION[1]}),
    }
    for name, nb in subs.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "hal.ipynb").write_text('{"cells": [ not json', encoding="utf-8")
    (folder / "ivy.ipynb").write_bytes(CH03.read_bytes())
    out = folder.parent / "results.csv"
    err = io.StringIO()
    from contextlib import redirect_stderr, redirect_stdout

    stdout = io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(err):
        code = grade.main([str(folder), "--jobs", "2", "--csv", str(out),
                           "--cell-timeout", "4", "--check-timeout", "3"])
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {"code": code, "rows": rows, "table": stdout.getvalue(), "stderr": err.getvalue()}


def rows_of(graded, learner):
    found = {r["exercise"]: r for r in graded["rows"] if r["learner"] == learner}
    assert found, f"no rows for {learner}"
    return found


@pytest.mark.slow
def test_one_row_per_learner_and_exercise_and_the_exit_code(graded):
    learners = {r["learner"] for r in graded["rows"]}
    assert learners == {"ada", "bo", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kai",
                        "nia", "lu", "max"}
    for learner in learners:
        assert sorted(rows_of(graded, learner)) == ["ch02.q1", "ch02.q2"]
    assert all(r["state"] in grade.STATES for r in graded["rows"])
    # the invalid file, the other chapter and the endless loops are not gradable
    assert graded["code"] == 1
    assert "ada" in graded["table"] and "learner" in graded["table"].splitlines()[0]


@pytest.mark.slow
def test_a_correct_submission(graded):
    rows = rows_of(graded, "ada")
    assert {r["state"] for r in rows.values()} == {"correct"}
    assert rows["ch02.q1"]["chapter"] == "ch02"


@pytest.mark.slow
def test_a_wrong_submission_gets_the_checkers_feedback(graded):
    rows = rows_of(graded, "bo")
    assert rows["ch02.q1"]["state"] == "incorrect"
    assert "that is y itself" in rows["ch02.q1"]["feedback"]
    assert rows["ch02.q2"]["state"] == "not attempted"
    assert "____" in rows["ch02.q2"]["feedback"]


@pytest.mark.slow
def test_redefining_the_checks_or_faking_outputs_does_not_change_the_grade(graded):
    rows = rows_of(graded, "cy")
    assert rows["ch02.q1"]["state"] == "incorrect"
    assert "that is y itself" in rows["ch02.q1"]["feedback"]
    assert rows["ch02.q2"]["state"] == "not attempted"


@pytest.mark.slow
def test_patching_numpy_makes_the_row_an_error_not_a_grade(graded):
    rows = rows_of(graded, "kai")
    assert {r["state"] for r in rows.values()} == {"error"}
    assert "numpy.allclose" in rows["ch02.q1"]["feedback"]
    assert "look at it by hand" in rows["ch02.q1"]["feedback"]


@pytest.mark.slow
def test_rebinding_what_carries_the_result_back_is_flagged(graded):
    """display and importlib carry the probe's data back to the grader: a notebook that
    rebinds them could rewrite that data, so its rows are errors, never grades."""
    rows = rows_of(graded, "nia")
    assert {r["state"] for r in rows.values()} == {"error"}
    feedback = rows["ch02.q1"]["feedback"]
    assert "IPython.display.display" in feedback
    assert "importlib.import_module" in feedback


@pytest.mark.slow
def test_a_submission_that_never_ends(graded):
    rows = rows_of(graded, "dee")
    assert rows["ch02.q1"]["state"] == "timed out"
    assert "still running after 4 s" in rows["ch02.q1"]["feedback"]
    assert "`derivative_at` is not defined" in rows["ch02.q1"]["feedback"]  # probed after it
    # q2's loop swallows every interrupt: grading stops there, and says so
    assert rows["ch02.q2"]["state"] == "timed out"
    assert "could not be interrupted" in rows["ch02.q2"]["feedback"]


@pytest.mark.slow
def test_a_function_that_never_returns_when_the_check_calls_it(graded):
    rows = rows_of(graded, "lu")
    assert rows["ch02.q1"]["state"] == "correct"
    assert rows["ch02.q2"]["state"] == "timed out"
    assert "still running after 3 s" in rows["ch02.q2"]["feedback"]  # --check-timeout 3


@pytest.mark.slow
def test_a_kernel_that_dies(graded):
    rows = rows_of(graded, "jo")
    assert rows["ch02.q1"]["state"] == "correct"  # checked before the crash
    assert rows["ch02.q2"]["state"] == "error"
    assert "kernel died" in rows["ch02.q2"]["feedback"]


@pytest.mark.slow
def test_variables_deleted_after_their_check_keep_the_grade_at_the_check(graded):
    rows = rows_of(graded, "eve")
    assert rows["ch02.q1"]["state"] == "correct"  # del after its check cell
    assert rows["ch02.q2"]["state"] == "correct"  # %reset -f at the end


@pytest.mark.slow
def test_a_variable_deleted_before_its_check_is_not_attempted(graded):
    rows = rows_of(graded, "gus")
    assert rows["ch02.q1"]["state"] == "not attempted"
    # not defined at its check, and still a blank at the end of the notebook
    assert "`derivative_at`" in rows["ch02.q1"]["feedback"]
    assert rows["ch02.q2"]["state"] == "correct"


@pytest.mark.slow
def test_an_answer_cell_that_raised_is_not_graded_from_an_older_definition(graded):
    """The kernel still holds an earlier, correct definition; the answer cell raised."""
    rows = rows_of(graded, "max")
    q1, q2 = rows["ch02.q1"], rows["ch02.q2"]
    assert q1["state"] == "error" and q2["state"] == "error"
    assert "was not checked" in q1["feedback"] and "SyntaxError" in q1["feedback"]
    assert "`derivative_at`" in q1["feedback"]
    assert "was not checked" in q2["feedback"] and "IndexError" in q2["feedback"]


@pytest.mark.slow
def test_a_flood_of_output_is_survived(graded):
    rows = rows_of(graded, "fay")
    assert {r["state"] for r in rows.values()} == {"correct"}


@pytest.mark.slow
def test_a_file_that_is_not_json(graded):
    rows = rows_of(graded, "hal")
    assert {r["state"] for r in rows.values()} == {"error"}
    assert "not valid JSON" in rows["ch02.q1"]["feedback"]


@pytest.mark.slow
def test_a_notebook_of_another_chapter(graded):
    rows = rows_of(graded, "ivy")
    assert {r["state"] for r in rows.values()} == {"error"}
    assert "chapter ch03" in rows["ch02.q1"]["feedback"]


@pytest.mark.slow
def test_the_time_limit_per_notebook(tmp_path):
    path = tmp_path / "kim.ipynb"
    nbformat.write(variant(SOLUTION, after_check={1: "import time\ntime.sleep(60)"}), path)
    options = grade.Options(notebook_timeout=3, cell_timeout=30)
    rows = {r.exercise: r for r in grade.grade([path], options=options, progress=False)}
    assert rows["ch02.q1"].state == "correct"  # checked before the time ran out
    assert rows["ch02.q2"].state == "timed out"
    assert "3 s limit" in rows["ch02.q2"].feedback
    assert rows["ch02.q2"].seconds < 25


@pytest.mark.slow
def test_feedback_in_chinese_and_the_python_api(tmp_path):
    path = tmp_path / "lin.ipynb"
    nbformat.write(variant({1: WRONG_Q1, 2: SOLUTION[2]}), path)
    rows = grade.grade([path], options=grade.Options(lang="zh"), progress=False)
    by = {r.exercise: r for r in rows}
    assert by["ch02.q1"].state == "incorrect"
    assert "这是 y 本身" in by["ch02.q1"].feedback
    assert by["ch02.q2"].state == "correct"
    assert grade.exit_code(rows) == 0


@pytest.mark.slow
def test_every_chapter_solved_with_its_reference_solutions_is_correct(tmp_path):
    """The grader on every real course notebook (English), answers filled in."""
    from adkernel.exercises import CHAPTERS

    for key, file, _ in CHAPTERS:
        nb = nbformat.read(ROOT / "course" / "en" / f"{file}.ipynb", as_version=4)
        by_starter = {p.starter.strip(): p for p in problems(key)}
        filled = 0
        for cell in nb.cells:
            if "exercise" in cell.metadata.get("tags", []):
                cell.source = by_starter[cell.source.strip()].solution_code
                filled += 1
        assert filled == len(by_starter) > 0
        nbformat.write(nb, tmp_path / f"{file}.ipynb")
    rows = grade.grade([tmp_path], options=grade.Options(chapter="each", jobs=2),
                       progress=False)
    assert len(rows) == sum(len(problems(key)) for key, _, _ in CHAPTERS)
    assert [(r.exercise, r.state) for r in rows if r.state != "correct"] == []
    assert {r.chapter for r in rows} == {key for key, _, _ in CHAPTERS}


def test_chapter_detection_from_metadata_imports_and_file_names():
    nb = nbformat.read(CH02, as_version=4)
    assert grade.detect_chapter(nb) == "ch02"
    nb.metadata["adkernel"] = {"chapter": "ch05"}
    assert grade.detect_chapter(nb) == "ch05"
    empty = nbformat.v4.new_notebook()
    assert grade.detect_chapter(empty, "03-multivariable-copy.ipynb") == "ch03"
    assert grade.detect_chapter(empty, "alice.ipynb") is None


def test_who_handed_it_in():
    path = Path("submitted/s123/02-gradient-tape/02-gradient-tape.ipynb")
    assert grade.learner_name(path) == "02-gradient-tape"
    assert grade.learner_name(path, "folder") == "02-gradient-tape"
    assert grade.learner_name(path, "nbgrader") == "s123"
    assert grade.learner_name(Path("in/alice.ipynb"), "stem") == "alice"
    assert grade.learner_name(Path("bob/ch02.ipynb"), "folder") == "bob"
    with pytest.raises(ValueError, match="learner_from"):
        grade.learner_name(path, "email")


def test_quiet_prints_nothing_and_a_lone_broken_file_is_one_error_row(tmp_path, capsys):
    (tmp_path / "zed.ipynb").write_bytes(b"\xff\xfe not text")
    out = tmp_path / "r.csv"
    assert grade.main([str(tmp_path), "--quiet", "--csv", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    with open(out, encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["learner"], row["chapter"], row["exercise"], row["state"]) == (
        "zed", "?", "-", "error")
    assert "not valid JSON" in row["feedback"]


def test_usage_errors_exit_2(tmp_path, capsys):
    assert grade.main([str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert grade.main([str(tmp_path)]) == 2  # an empty folder
    assert grade.main([str(CH02), "--chapter", "ch99"]) == 2


def test_progress_bar_draws_on_a_terminal_only():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = grade.ProgressBar(4, stream=tty)
    bar.update("ada")
    bar.update("bo")
    bar.close()
    assert "2/4" in tty.getvalue() and "#" in tty.getvalue()
    plain = io.StringIO()
    bar = grade.ProgressBar(4, stream=plain)
    bar.update("ada")
    bar.close()
    assert plain.getvalue() == ""
    quiet = Tty()
    bar = grade.ProgressBar(4, stream=quiet, enabled=False)
    bar.update("ada")
    assert quiet.getvalue() == ""


def test_the_probe_source_is_python_and_hides_its_nonce_from_the_environment():
    src = grade._probe_cell_source("abc123", "ch02", [2, 1], "en", "_k")
    compile(src, "<probe>", "exec")
    compile(grade._preamble_cell_source("_k"), "<preamble>", "exec")
    assert "abc123" in src and "[1, 2]" in src
    env = grade._kernel_env(grade.Options(sandbox=False), "/tmp/x")
    assert not any("abc123" in v for v in env.values())
    assert env["ADKERNEL_PROGRESS"].startswith("/tmp/x")
    assert os.environ.get("ADKERNEL_PROGRESS") != env["ADKERNEL_PROGRESS"]
    boxed = grade._kernel_env(grade.Options(), "/tmp/x")  # the sandbox's private home
    assert boxed["ADKERNEL_PROGRESS"] == "/home/learner/progress.json"


def test_secrets_in_the_graders_environment_do_not_reach_learner_code(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "s3cret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cret")
    monkeypatch.setenv("MY_SERVICE_PASSWORD", "s3cret")
    monkeypatch.setenv("DEPLOY_KEY", "s3cret")
    monkeypatch.setenv("GH_TOKEN", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:s3cret@db/x")
    monkeypatch.setenv("MYSQL_PWD", "s3cret")
    monkeypatch.setenv("HTTP_PROXY", "http://u:s3cret@proxy:3128")
    env = grade._kernel_env(grade.Options(sandbox=False), "/tmp/x")
    assert not any("s3cret" in v for v in env.values())
    for kept in ("PATH", "HOME"):
        if kept in os.environ:
            assert env[kept] == os.environ[kept]
    boxed = grade._kernel_env(grade.Options(), "/tmp/x")  # an allow-list
    assert not any("s3cret" in v for v in boxed.values())
    assert boxed["HOME"] == "/home/learner" and boxed["PATH"] == os.environ["PATH"]


def test_cli_is_reachable_through_python_m_adkernel(capsys):
    from adkernel.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["grade", "--help"])
    assert exc.value.code == 0
    assert "--csv" in capsys.readouterr().out


def test_rows_round_trip_through_json_for_tools():
    row = grade.Row("ada", "ch02", "ch02.q1", "correct", "", "ada.ipynb")
    assert json.loads(json.dumps(row.as_dict()))["learner"] == "ada"
