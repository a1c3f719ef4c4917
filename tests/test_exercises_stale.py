"""Stale answers (issue 17): a check does not grade what an answer cell that raised left behind.

Run as a learner runs the course, in a real IPython shell: the setup cell, the answer cell,
then ``ex.qN.check()`` in a cell of its own. After a correct run, breaking the answer cell
(a ``SyntaxError``, or a line that raises) used to keep "✔ Correct", because the old
function or value was still in the kernel. Now the check says the cell raised, names the
error, grades nothing and records nothing in the progress file; once the cell runs again
without an error, the check grades it as usual.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from IPython.utils.capture import capture_output
from lang_scan import english_words

from adkernel import _cells
from adkernel.exercises import ch00, ch01, settings

SETUP = "from adkernel import tf\nfrom adkernel.exercises import ____, {chapter} as ex"

CENTRAL = "def central_diff(f, x, h):\n    return (f(x + h) - f(x - h)) / (2 * h)"
CENTRAL_SYNTAX = "def central_diff(f, x, h):\n    return (f(x + h) - f(x - h) / (2 * h)"
CENTRAL_RAISES_AFTER = CENTRAL + "\n\nprint(central_diff(lambda x: x**2, 3.0, 1e-4) / 0)"
CENTRAL_WRONG = "def central_diff(f, x, h):\n    return (f(x + h) - f(x)) / h"

SLOPE = "slope = (3.5**2 - 3**2) / (3.5 - 3)"
SLOPE_SYNTAX = "slope = (3.5**2 - 3**2) / (3.5 - 3"
SLOPE_RAISES = "slope = (3.5**2 - 3**2) / (3.5 - 3.5)"


@pytest.fixture
def shell(ipshell, tmp_path, monkeypatch):
    """The test session's IPython shell, recording cells, with a private progress file."""
    monkeypatch.setenv("ADKERNEL_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("ADKERNEL_LANG", "en")
    settings.reset()
    settings.time_limit = 2
    assert _cells.install(ipshell) is not None  # %load_ext adkernel did it already
    names = ("slope", "central_diff", "ex", "tf", "____")
    saved = {n: ipshell.user_ns[n] for n in names if n in ipshell.user_ns}
    yield ipshell
    # IPython's display hook re-reads the last cell kept in history (to honour a trailing
    # `;`); leave a cell that parses there for the shell's next users
    ipshell.run_cell("pass", store_history=True)
    for n in names:
        ipshell.user_ns.pop(n, None)
    ipshell.user_ns.update(saved)
    settings.reset()


def cell(shell, source: str):
    """Run one notebook cell; its result (the error, if any, is in the result)."""
    with capture_output():
        return shell.run_cell(textwrap.dedent(source), store_history=True)


def check(shell, n: int = 1):
    """Run ``ex.qN.check()`` as its own cell: the feedback box it displayed (text, HTML)."""
    with capture_output() as captured:
        result = shell.run_cell(f"ex.q{n}.check()", store_history=True)
    assert result.success, result
    shown = [o.data for o in captured.outputs if "text/plain" in o.data]
    assert len(shown) == 1, captured.outputs
    return shown[0]["text/plain"], shown[0].get("text/html", "")


def progress_of(tmp_path, key: str) -> dict:
    path = tmp_path / "progress.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("exercises", {}).get(key, {})


def assert_not_checked(text: str, html: str, name: str, error: str) -> None:
    assert text.startswith("↻ Question 1 · Not checked"), text
    assert "raised an error the last time it ran" in text and f"`{name}`" in text
    assert error in text
    assert "Fix the error, run the cell again, then check." in text
    assert "Correct" not in text and "Not quite" not in text
    assert 'class="adk-feedback adk-stale"' in html


# -- the learner's path ----------------------------------------------------------------------
def test_a_function_answer_broken_after_a_correct_run_is_not_graded(shell, tmp_path):
    cell(shell, SETUP.format(chapter="ch01"))
    assert cell(shell, CENTRAL).success
    text, _ = check(shell)
    assert text.startswith("✔ Question 1 · Correct")
    assert progress_of(tmp_path, "ch01.q1")["state"] == "correct"

    # a SyntaxError: IPython never runs the cell, the old central_diff stays in the kernel
    broken = cell(shell, CENTRAL_SYNTAX)
    assert isinstance(broken.error_before_exec, SyntaxError)
    text, html = check(shell)
    assert_not_checked(text, html, "central_diff", "SyntaxError")
    assert "[" in text.split("(")[0]  # the answer cell's execution count: [n]
    before = progress_of(tmp_path, "ch01.q1")
    assert before["state"] == "correct" and before["attempts"] == 1  # nothing recorded

    # the def is fine, a later line of the same cell raises
    assert isinstance(cell(shell, CENTRAL_RAISES_AFTER).error_in_exec, ZeroDivisionError)
    text, html = check(shell)
    assert_not_checked(text, html, "central_diff", "ZeroDivisionError: float division by zero")
    assert progress_of(tmp_path, "ch01.q1") == before

    # fixed and run again: graded again, both ways
    assert cell(shell, CENTRAL_WRONG).success
    text, _ = check(shell)
    assert text.startswith("✘ Question 1 · Not quite") and "forward difference" in text
    assert cell(shell, CENTRAL).success
    text, _ = check(shell)
    assert text.startswith("✔ Question 1 · Correct")
    assert progress_of(tmp_path, "ch01.q1")["attempts"] == 3


def test_a_value_answer_whose_cell_raised_is_not_graded(shell, tmp_path):
    cell(shell, SETUP.format(chapter="ch00"))
    cell(shell, SLOPE)
    assert check(shell)[0].startswith("✔ Question 1 · Correct")

    cell(shell, SLOPE_SYNTAX)
    text, html = check(shell)
    assert_not_checked(text, html, "slope", "SyntaxError")
    assert shell.user_ns["slope"] == 6.5  # the old value is still there, and was not graded

    # the assignment itself raises: slope keeps its old value
    assert isinstance(cell(shell, SLOPE_RAISES).error_in_exec, ZeroDivisionError)
    text, html = check(shell)
    assert_not_checked(text, html, "slope", "ZeroDivisionError")
    assert progress_of(tmp_path, "ch00.q1")["attempts"] == 1

    cell(shell, SLOPE)
    assert check(shell)[0].startswith("✔ Question 1 · Correct")


def test_the_message_in_chinese(shell, zh_mode):
    cell(shell, SETUP.format(chapter="ch01"))
    cell(shell, CENTRAL)
    cell(shell, CENTRAL_SYNTAX)
    text, html = check(shell)
    assert text.startswith("↻ 第 1 题 · 未检查"), text
    assert "上次运行时报错了" in text and "`central_diff`" in text and "SyntaxError" in text
    prose = text.replace("↻", " ")
    assert english_words(prose, {"central_diff"}) == [], prose
    assert "未检查" in html


def test_running_the_check_cell_twice_and_an_unrelated_failing_cell(shell):
    cell(shell, SETUP.format(chapter="ch00"))
    cell(shell, SLOPE)
    assert check(shell)[0].startswith("✔ Question 1 · Correct")
    assert check(shell)[0].startswith("✔ Question 1 · Correct")
    # a cell that raises but does not set slope is not the answer cell
    assert not cell(shell, "undefined_name + 1").success
    assert not cell(shell, "print(slope / 0)").success
    assert not cell(shell, "def other(:\n    pass").success
    assert check(shell)[0].startswith("✔ Question 1 · Correct")


def test_answer_and_check_in_one_cell(shell):
    cell(shell, SETUP.format(chapter="ch00"))
    cell(shell, SLOPE_SYNTAX)
    with capture_output() as captured:
        shell.run_cell(SLOPE + "\nex.q1.check()", store_history=True)
    assert captured.outputs[0].data["text/plain"].startswith("✔ Question 1 · Correct")


def test_a_name_the_broken_cell_never_defined_is_not_defined_yet(shell):
    cell(shell, SETUP.format(chapter="ch00"))
    shell.user_ns.pop("slope", None)
    cell(shell, SLOPE_SYNTAX)
    text, _ = check(shell)
    assert text.startswith("… Question 1 · Not attempted yet")
    assert "`slope` is not defined yet" in text


def test_checks_on_another_namespace_ignore_the_shells_cells(shell):
    """Tests and tools call ``evaluate`` on their own dicts: the shell's record is not theirs."""
    cell(shell, SETUP.format(chapter="ch00"))
    cell(shell, SLOPE)
    cell(shell, SLOPE_SYNTAX)
    assert ch00.q1.evaluate({"slope": 6.5}, save=False).state == "correct"
    assert ch00.q1.evaluate(shell.user_ns, save=False).state == "stale"


# -- how the answer cell is found ------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("slope = 1\nJ, K = 2, 3\nx += 1\ny: float = 2", {"slope", "J", "K", "x", "y"}),
        ("def f(a):\n    inner = 1\n    return a\n\nclass C:\n    attr = 1", {"f", "C"}),
        ("@tf.custom_gradient\ndef round_st(x):\n    def grad(u):\n        return u\n"
         "    return x, grad", {"round_st"}),
        ("import numpy as np\nfrom math import pi, tau as t\nimport os.path", {"np", "pi", "t",
                                                                              "os"}),
        ("for i in range(3):\n    total = i\nwith open('f') as fh:\n    pass",
         {"i", "total", "fh"}),
        ("squares = [k * k for k in range(3)]\nf = lambda q: q", {"squares", "f"}),
        ("Value.__mul__ = mul\nparams[0] = 1\nprint(slope)", set()),
        # cells that do not parse: def/class/assignments at line starts
        ("def central_diff(f, x, h):\n    return (f(x + h) - f(x - h) / (2 * h)",
         {"central_diff"}),
        ("slope = (3.5**2 - 3**2\nmode, passes = 1, 2\nif slope == 3:", {"slope", "mode",
                                                                          "passes"}),
        ("async def run(:\nclass Net(\n    lr = 1", {"run", "Net"}),
        # a cell magic's body is Python too
        ("%%tape\ny = x ** 2", {"y"}),
        ("%timeit z = 1", set()),
    ],
)
def test_the_names_a_cell_binds(source, expected):
    from IPython.core.inputtransformer2 import TransformerManager

    assert _cells.bound_names(source, TransformerManager().transform_cell(source)) == expected


def test_errors_are_described_without_file_names():
    try:
        compile("x = (1", "<ipython-input-3-abc>", "exec")
    except SyntaxError as exc:
        text = _cells.describe_error(exc)
    assert text.startswith("SyntaxError: ") and "(line 1)" in text and "ipython" not in text
    assert _cells.describe_error(ValueError()) == "ValueError"
    assert len(_cells.describe_error(ValueError("x" * 1000))) <= _cells.MAX_ERROR


# -- outside IPython -------------------------------------------------------------------------
@pytest.mark.slow
def test_plain_python_without_ipython_behaves_as_before(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        from adkernel.exercises import ch00, ____
        from adkernel import _cells
        assert "IPython" not in sys.modules, "importing the exercises imported IPython"
        assert _cells.install() is None and _cells.log() is None
        ns = {"slope": 6.5}
        print(ch00.q1.evaluate(ns).state)
        assert "IPython" not in sys.modules
        ch00.q1.check(ns)  # shows its box with print() when no IPython shell runs
        """
    )
    env = {"ADKERNEL_PROGRESS": str(tmp_path / "p.json"), "ADKERNEL_LANG": "en",
           "PATH": "/usr/bin:/bin"}
    import os

    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "correct"
    assert "✔ Question 1 · Correct" in done.stdout


@pytest.mark.slow
def test_a_fresh_ipython_records_cells_once_the_exercises_are_imported(tmp_path):
    """Without ``%load_ext adkernel``: importing the exercises in the shell is enough, and a
    second import of the package (the grader's probe re-imports it) registers nothing twice."""
    code = textwrap.dedent(
        """
        import importlib, sys
        from IPython.testing.globalipapp import start_ipython
        shell = start_ipython()
        shell.run_cell("from adkernel.exercises import ____, ch00 as ex", store_history=True)
        shell.run_cell("slope = 6.5", store_history=True)
        shell.run_cell("slope = (6.5", store_history=True)
        print(shell.user_ns["ex"].q1.evaluate(shell.user_ns, save=False).state)
        n = len(shell.events.callbacks["post_run_cell"])
        for k in [k for k in sys.modules if k.startswith("adkernel.exercises")]:
            del sys.modules[k]
        fresh = importlib.import_module("adkernel.exercises.ch00")
        assert len(shell.events.callbacks["post_run_cell"]) == n
        print(fresh.q1.evaluate(shell.user_ns, save=False).state)
        shell.run_cell("slope = 6.5", store_history=True)
        print(fresh.q1.evaluate(shell.user_ns, save=False).state)
        """
    )
    import os

    env = dict(os.environ, ADKERNEL_PROGRESS=str(tmp_path / "p.json"), ADKERNEL_LANG="en",
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-3:] == ["stale", "stale", "correct"], done.stdout


def test_progress_is_not_touched_by_a_stale_check(shell, tmp_path):
    cell(shell, SETUP.format(chapter="ch01"))
    cell(shell, CENTRAL)
    cell(shell, CENTRAL_SYNTAX)
    assert ch01.q1.evaluate(shell.user_ns).state == "stale"
    assert not (tmp_path / "progress.json").exists()


def test_an_answer_in_a_tape_cell(shell):
    """``%%tape`` runs its body as a nested cell: both runs are recorded, the outer last."""
    cell(shell, SETUP.format(chapter="ch00"))
    assert cell(shell, "%%tape --no-graph\nslope = (3.5**2 - 3**2) / (3.5 - 3)").success
    assert check(shell)[0].startswith("✔ Question 1 · Correct")
    assert not cell(shell, "%%tape --no-graph\nslope = 6.5\nslope / 0").success
    text, html = check(shell)
    assert_not_checked(text, html, "slope", "ZeroDivisionError")  # the body's own error
    assert _cells.log(shell)["running"] == []
