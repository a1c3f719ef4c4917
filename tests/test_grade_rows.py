"""``python -m adkernel grade``: no row lost, ids, safe output, older notebooks, solutions seen.

Issue 18, items 3 (the ``solution_viewed`` column), 4 and 5. The kill and Ctrl-C tests run
the grader as a child process, as a teacher would; the others call :func:`grade.main`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")

from test_grade import SOLUTION, WRONG_Q1, variant  # noqa: E402

from adkernel import grade  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ESCAPES = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e", "\u2066", "\x00", "\r")


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def run_main(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = grade.main(argv)
    return code, out.getvalue(), err.getvalue()


def grader(argv) -> subprocess.Popen:
    """``python -m adkernel grade ARGV`` in a child process (its own process group)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), ADKERNEL_LANG="en")
    return subprocess.Popen([sys.executable, "-m", "adkernel", "grade", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def stop_group(proc: subprocess.Popen) -> None:
    """End what is left of the grader's process group (the grader and its kernels)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait()


# -- nothing lost -----------------------------------------------------------------------------
@pytest.mark.slow
def test_a_notebook_that_kills_the_grader_loses_no_finished_row_and_resume_completes(tmp_path):
    """Unsandboxed (where a hub cannot run bubblewrap), a notebook can kill the grader; in the
    sandbox it cannot (next test). Either way a killed grader loses no finished row."""
    folder = tmp_path / "class"
    folder.mkdir()
    log = tmp_path / "ran.log"
    parent = tmp_path / "parent.pid"
    once = tmp_path / "killed-once"
    nbformat.write(variant(SOLUTION), folder / "ada.ipynb")
    # bo notes each time it is run: --resume must not run it again
    nbformat.write(variant({1: WRONG_Q1}, before={1: f"open({str(log)!r}, 'a').write('bo\\n')"}),
                   folder / "bo.ipynb")
    killer = (f"import os\nopen({str(parent)!r}, 'w').write(str(os.getppid()))\n"
              f"if not os.path.exists({str(once)!r}):\n"
              f"    open({str(once)!r}, 'w').close()\n"
              "    os.kill(os.getppid(), 9)\n")
    nbformat.write(variant(SOLUTION, extra_end=killer), folder / "cy.ipynb")
    nbformat.write(variant(SOLUTION), folder / "zed.ipynb")
    out = tmp_path / "results.csv"
    args = [str(folder), "--csv", str(out), "--jobs", "1", "--quiet", "--cell-timeout", "60",
            "--no-sandbox"]

    proc = grader(args)
    try:
        proc.communicate(timeout=600)
    finally:
        stop_group(proc)  # the killed grader's kernel, if it outlived it
    # the kernel's parent is the grader itself, and the notebook killed it
    assert int(parent.read_text()) == proc.pid
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    partial = grade.partial_path(out)
    rows = read_csv(partial)
    assert {(r["learner"], r["exercise"]): r["state"] for r in rows} == {
        ("ada", "ch02.q1"): "correct", ("ada", "ch02.q2"): "correct",
        ("bo", "ch02.q1"): "incorrect", ("bo", "ch02.q2"): "not attempted"}
    assert all(len(r["sha256"]) == 64 for r in rows)
    assert log.read_text() == "bo\n"

    # a plain run would overwrite the partial file: it refuses and says what to do
    code, _out, err = run_main(args)
    assert code == 2 and "--resume" in err and partial.exists()

    # ada handed in again (changed): graded again; bo unchanged: kept, not run again
    nbformat.write(variant({1: WRONG_Q1}), folder / "ada.ipynb")
    proc = grader([*args, "--resume"])
    try:
        _stdout, stderr = proc.communicate(timeout=600)
    finally:
        stop_group(proc)
    assert proc.returncode == 0, stderr
    assert "1 submission(s) already graded" in stderr
    assert not partial.exists()
    rows = read_csv(out)
    states = {(r["learner"], r["exercise"]): r["state"] for r in rows}
    assert len(rows) == len(states) == 8
    assert states[("ada", "ch02.q1")] == "incorrect"
    assert states[("bo", "ch02.q1")] == "incorrect"
    assert states[("cy", "ch02.q1")] == states[("zed", "ch02.q2")] == "correct"
    assert [r["learner"] for r in rows] == ["ada"] * 2 + ["bo"] * 2 + ["cy"] * 2 + ["zed"] * 2
    assert log.read_text() == "bo\n"  # bo ran once in all


@pytest.mark.slow
def test_in_the_sandbox_a_notebook_cannot_kill_the_grader(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    killer = ("import os, signal\n"
              "for pid in (os.getppid(), 1):\n"
              "    try:\n"
              "        os.kill(pid, signal.SIGKILL)\n"
              "    except OSError:\n"
              "        pass\n")
    nbformat.write(variant(SOLUTION, extra_end=killer), folder / "cy.ipynb")
    nbformat.write(variant(SOLUTION), folder / "zed.ipynb")
    out = tmp_path / "results.csv"
    proc = grader([str(folder), "--csv", str(out), "--jobs", "1", "--quiet"])
    try:
        _stdout, stderr = proc.communicate(timeout=600)
    finally:
        stop_group(proc)
    assert proc.returncode in (0, 1), stderr  # it finished: rows for everyone
    rows = read_csv(out)
    states = {(r["learner"], r["exercise"]): r["state"] for r in rows}
    # cy's answers were checked before its last cell killed only its own sandbox
    assert states == {("cy", "ch02.q1"): "correct", ("cy", "ch02.q2"): "correct",
                      ("zed", "ch02.q1"): "correct", ("zed", "ch02.q2"): "correct"}


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_leaves_every_finished_row_and_says_how_to_resume(tmp_path, sig):
    """Ctrl-C (SIGINT) or a plain ``kill`` (SIGTERM) while a kernel runs: the grader stops
    (nbclient alone would shut that kernel down, write an error row and go on)."""
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(variant(SOLUTION), folder / "ada.ipynb")
    nbformat.write(variant(SOLUTION, before={1: "import time\ntime.sleep(300)"}),
                   folder / "bo.ipynb")
    out = tmp_path / "results.csv"
    partial = grade.partial_path(out)
    proc = grader([str(folder), "--csv", str(out), "--jobs", "1", "--cell-timeout", "600"])
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if partial.exists() and "ada" in partial.read_text(encoding="utf-8"):
                break
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        time.sleep(1)  # bo's kernel starts
        os.kill(proc.pid, sig)  # Ctrl-C sends SIGINT to the grader
        _stdout, stderr = proc.communicate(timeout=120)
    finally:
        stop_group(proc)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "--resume" in stderr and str(partial) in stderr
    assert "Traceback" not in stderr
    rows = read_csv(partial)
    assert [(r["learner"], r["state"]) for r in rows] == [("ada", "correct")] * 2
    assert not out.exists()


def test_the_partial_file_is_written_as_each_submission_is_graded(tmp_path):
    """Rows reach the disk one submission at a time (not at the end); the finished CSV
    replaces the partial file, rows in submission order."""
    seen = []
    out = tmp_path / "r.csv"
    journal = grade.CsvJournal(out)

    def add(rows):
        journal.add(rows)
        seen.append(len(read_csv(journal.partial)))

    (tmp_path / "a.ipynb").write_text("not json", encoding="utf-8")
    (tmp_path / "b.ipynb").write_text("{}", encoding="utf-8")
    rows = grade.grade([tmp_path / "a.ipynb", tmp_path / "b.ipynb"], progress=False, on_rows=add)
    assert seen == [1, 2]
    journal.finish(rows)
    assert not journal.partial.exists()
    assert [r["learner"] for r in read_csv(out)] == ["a", "b"]


def test_resume_reads_a_partial_file_cut_in_the_middle_of_a_write(tmp_path):
    out = tmp_path / "r.csv"
    a = grade.Row("ada", "ch02", "ch02.q1", "correct", "", str(tmp_path / "ada.ipynb"), 1.0,
                  "ada", "", "a" * 64)
    b = grade.Row("bo", "ch02", "ch02.q1", "incorrect", "no", str(tmp_path / "bo.ipynb"), 1.0,
                  "bo", "", "b" * 64)
    text = grade._csv_text([a], header=True) + grade._csv_text([b])
    grade.partial_path(out).write_text(text[:-7], encoding="utf-8")  # killed mid-write
    graded = grade.read_graded(out)
    assert list(graded) == [grade._file_key(a.file)]
    assert graded[grade._file_key(a.file)][1][0].state == "correct"
    grade.partial_path(out).write_text(text, encoding="utf-8")
    assert len(grade.read_graded(out)) == 2
    # an older CSV without hashes: nothing is skipped
    out.write_text("learner,chapter,exercise,state,feedback,file,seconds\n"
                   f"ada,ch02,ch02.q1,correct,,{a.file},1.00\n", encoding="utf-8")
    grade.partial_path(out).unlink()
    assert grade.read_graded(out) == {}


def test_resume_needs_csv(tmp_path, capsys):
    nbformat.write(variant(SOLUTION), tmp_path / "ada.ipynb")
    assert grade.main([str(tmp_path), "--resume"]) == 2
    assert "--csv" in capsys.readouterr().err


# -- ids --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_two_files_with_the_same_learner_name_get_distinct_ids(tmp_path):
    for folder, nb in (("a", variant(SOLUTION)), ("b", variant({1: WRONG_Q1}))):
        (tmp_path / folder).mkdir()
        nbformat.write(nb, tmp_path / folder / "alice.ipynb")
    nbformat.write(variant(SOLUTION), tmp_path / "bob.ipynb")
    out = tmp_path / "r.csv"
    code, table, err = run_main([str(tmp_path), "--csv", str(out), "--jobs", "2"])
    assert code == 0
    rows = read_csv(out)
    by = {(r["id"], r["exercise"]): r for r in rows}
    assert by[("a/alice.ipynb", "ch02.q1")]["state"] == "correct"
    assert by[("b/alice.ipynb", "ch02.q1")]["state"] == "incorrect"
    assert by[("bob", "ch02.q1")]["learner"] == "bob"  # a name of its own is its id
    assert {r["learner"] for r in rows} == {"alice", "bob"}
    assert "alice (a/alice.ipynb)" in table and "alice (b/alice.ipynb)" in table
    assert "3 submission(s)" in table
    assert "share the learner name alice" in err and "id" in err


def test_learner_ids_from_folders():
    paths = [Path("s/alice/01.ipynb"), Path("s/alice/02.ipynb"), Path("s/bob/01.ipynb")]
    assert grade.learner_ids(paths, "folder") == {
        paths[0]: "alice/01.ipynb", paths[1]: "alice/02.ipynb", paths[2]: "bob"}
    assert grade.learner_ids(paths, "stem") == {
        paths[0]: "alice/01.ipynb", paths[1]: "02", paths[2]: "bob/01.ipynb"}


# -- safe output ------------------------------------------------------------------------------
EVIL_ERROR = ('raise ValueError("\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\x1b[1Aada correct'
              '\\u202eFAKE\\x9b31m\\x1b]8;;http://evil.example\\x1b\\\\link\\x1b]8;;\\x1b\\\\")')
FORMULA = '=HYPERLINK("evil.example","click")'


@pytest.mark.slow
def test_escape_codes_and_formulas_never_reach_the_terminal_or_the_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nbformat.write(variant({}, before_check={1: EVIL_ERROR}), tmp_path / f"{FORMULA}.ipynb")
    (tmp_path / "\x1b[31mred\x1b]0;title\x07\u202eeve.ipynb").write_text("{", encoding="utf-8")
    (tmp_path / "+cmd.ipynb").write_text("{}", encoding="utf-8")
    code, table, err = run_main([".", "--csv", "r.csv"])
    assert code == 1
    raw = Path("r.csv").read_text(encoding="utf-8")
    for text in (table, err, raw):
        assert not any(ch in text for ch in ESCAPES), repr(text)
    # the learner's message stays readable, without its escape codes
    assert "ValueError: ada correctFAKElink" in raw.replace("\n", " ")
    assert "ValueError: ada correctFAKE" in table
    assert "redeve" in table and "redeve" in raw
    rows = read_csv("r.csv")
    by = {(r["learner"], r["exercise"]): r for r in rows}
    assert {learner for learner, _q in by} == {"'" + FORMULA, "redeve", "'+cmd"}
    q1 = by[("'" + FORMULA, "ch02.q1")]
    assert q1["file"] == f"'{FORMULA}.ipynb" and q1["id"] == "'" + FORMULA
    assert q1["state"] == "error" and "ValueError" in q1["feedback"]
    for row in rows:  # no cell a spreadsheet would take for a formula
        for value in row.values():
            assert value == "-" or not value.lstrip().startswith(("=", "+", "-", "@")), row
    # every text cell is quoted; seconds is a plain number
    with open("r.csv", encoding="utf-8", newline="") as f:
        records = list(csv.reader(f, quoting=csv.QUOTE_NONNUMERIC))
    seconds = records[0].index("seconds")
    for record in records[1:]:
        assert isinstance(record[seconds], float) and record[seconds] >= 0
        assert all(isinstance(v, str) for i, v in enumerate(record) if i != seconds)


def test_clean_text_strips_escape_sequences_controls_and_bidi():
    assert grade.clean_text("a\x1b[31mred\x1b[0m") == "ared"
    assert grade.clean_text("\x1b]0;title\x07x\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\") == "xlink"
    assert grade.clean_text("\x9b2Jx\x9d0;t\x9cy") == "xy"  # C1 forms
    assert grade.clean_text("\x1bPdcs\x1b\\z\x1b7\x1b(0w") == "zw"
    assert grade.clean_text("abc\u202edef\u2066g\u2069") == "abcdefg"
    assert grade.clean_text("a\x00b\x08c\x7fd\re\r\nf\tg") == "abcd\ne\nf g"
    assert grade.clean_text("unfinished \x1b[") == "unfinished "
    assert grade.clean_text("第 1 题 · ✔") == "第 1 题 · ✔"


def test_csv_cells_that_start_like_a_formula_are_neutralised():
    for text in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", " =1", "\n=1"):
        assert grade.csv_cell(text).startswith("'"), repr(text)
    for text in ("ada", "-", "ch02.q1", "correct", "1.5 is wrong", ""):
        assert grade.csv_cell(text) == text
    assert grade._uncell(grade.csv_cell("=x")) == "=x"


# -- nbformat 3 -------------------------------------------------------------------------------
@pytest.mark.slow
def test_an_nbformat_3_notebook_is_converted_and_graded(tmp_path):
    nb3 = nbformat.convert(variant(SOLUTION), 3)
    path = tmp_path / "old.ipynb"
    nbformat.write(nb3, path, version=3)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["nbformat"] == 3 and "worksheets" in data and "cells" not in data
    rows = grade.grade([path], options=grade.Options(), progress=False)
    assert [(r.exercise, r.state) for r in rows] == [("ch02.q1", "correct"),
                                                    ("ch02.q2", "correct")]


def test_a_json_file_with_neither_cells_nor_worksheets_is_still_not_a_notebook(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text('{"nbformat": 3, "metadata": {}}', encoding="utf-8")
    (row,) = grade.grade([path], progress=False)
    assert row.state == "error" and "no list of cells" in row.feedback


# -- solution_viewed --------------------------------------------------------------------------
def _with_solution_box(nb, number: int, lang: str):
    from adkernel.exercises import problems

    fb = {p.number: p for p in problems("ch02")}[number].solution_feedback()
    cell = nbformat.v4.new_code_cell("# the call was deleted, its output kept", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": fb.to_html(lang),
                                                     "text/plain": fb.to_text(lang)})])
    nb.cells.append(cell)
    return nb


def test_solution_viewed_from_calls_and_saved_solution_boxes():
    nb = variant(SOLUTION)
    assert grade.solutions_viewed(nb) == ""  # the course's "# ex.q1.solution()" is a comment
    nb.cells.append(nbformat.v4.new_code_cell(
        'print("ex.q1.solution()")  # ex.q1.solution()\n'))
    assert grade.solutions_viewed(nb) == ""  # a string and a comment are not calls
    nb.cells.append(nbformat.v4.new_code_cell("exec(ex.q2.solution_code)"))
    assert grade.solutions_viewed(nb) == "q2"
    assert grade.solutions_viewed(_with_solution_box(variant(SOLUTION), 1, "zh")) == "q1"
    nb = _with_solution_box(nb, 1, "en")
    assert grade.solutions_viewed(nb) == "q1, q2"
    nb.cells.append(nbformat.v4.new_code_cell("%time ex.q2.solution(\n"))  # not Python
    assert grade.solutions_viewed(nb) == "q1, q2"
    nb.cells.append(nbformat.v4.new_markdown_cell("ex.q3.solution()"))  # not code
    nb.cells.append(nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": '<div class="adk-feedback adk-solution">…</div>'})]))
    assert grade.solutions_viewed(nb) == "q1, q2, ?"  # a box whose question is not named
    printed = nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "stream", name="stdout", text="★ Question 3 · Solution\n    x = 1\n")])
    nb.cells.append(printed)
    assert grade.solutions_viewed(nb) == "q1, q2, q3, ?"


@pytest.mark.slow
def test_solution_viewed_is_a_column_of_the_graded_rows(tmp_path):
    nb = _with_solution_box(variant(SOLUTION, after_check={2: "ex.q2.solution()"}), 1, "en")
    nbformat.write(nb, tmp_path / "ada.ipynb")
    nbformat.write(variant(SOLUTION), tmp_path / "bo.ipynb")
    out = tmp_path / "r.csv"
    code, _table, _err = run_main([str(tmp_path), "--csv", str(out), "--quiet"])
    assert code == 0
    viewed = {(r["learner"], r["exercise"]): r["solution_viewed"] for r in read_csv(out)}
    assert viewed == {("ada", "ch02.q1"): "q1, q2", ("ada", "ch02.q2"): "q1, q2",
                      ("bo", "ch02.q1"): "", ("bo", "ch02.q2"): ""}
