"""The exercise checker: three outcomes, wrong answers, time limit, language, progress file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from adkernel import tf
from adkernel.exercises import ____, _progress, ch00, ch01, ch02, ch03, progress, settings
from adkernel.exercises._core import REGISTRY

ALL = [p for m in (ch00, ch01, ch02, ch03) for p in REGISTRY[m.__name__.rsplit(".", 1)[1]]]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("ADKERNEL_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("ADKERNEL_LANG", "en")
    settings.reset()
    settings.time_limit = 2
    yield
    settings.reset()


def run(problem, code=None, **names):
    ns = {"tf": tf, "np": np, "____": ____}
    if code is not None:
        exec(textwrap.dedent(code), ns)
    ns.update(names)
    return problem.evaluate(ns)


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.key)
def test_reference_solution_passes_and_starter_is_not_attempted(problem):
    assert run(problem, problem.solution_code).state == "correct"
    assert run(problem, problem.starter).state == "not attempted"
    assert run(problem).state == "not attempted"  # answer cell never ran


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.key)
@pytest.mark.parametrize("junk", [3.25, "6.5", None, float("nan"), [1.0, 2.0], {"a": 1}, True])
def test_junk_answers_give_feedback_and_never_raise(problem, junk):
    fb = run(problem, **{name: junk for name in problem.names})
    assert fb.state in ("incorrect", "not attempted")
    assert fb.text
    assert fb.to_html().startswith("<div") and fb.to_text()


def _raises(*args):
    raise ValueError("boom")


def _forever(*args):
    while True:
        pass


def _sleeps(*args):
    import time

    time.sleep(60)


@pytest.mark.parametrize("problem", [ch01.q1, ch02.q1, ch02.q2], ids=lambda p: p.key)
@pytest.mark.parametrize("fn", [_raises, _forever, _sleeps], ids=["raises", "loops", "sleeps"])
def test_functions_that_raise_or_never_return(problem, fn):
    import time

    start = time.monotonic()
    fb = run(problem, **{problem.names[0]: fn})
    assert time.monotonic() - start < 6
    assert fb.state == "incorrect"
    if fn is _raises:
        assert "ValueError: boom" in fb.text and 'raise ValueError("boom")' in fb.text
    else:
        assert "stopped it" in fb.text


def test_time_limit_comes_from_settings_and_environment(monkeypatch):
    settings.time_limit = None
    monkeypatch.setenv("ADKERNEL_EXERCISE_TIME_LIMIT", "1.5")
    assert settings.time_limit == 1.5
    settings.time_limit = 0.5
    assert settings.time_limit == 0.5


def test_huge_output_is_truncated():
    def loud(f, x, h):
        print("x" * 100_000)
        return (f(x + h) - f(x - h)) / (2 * h)

    fb = run(ch01.q1, central_diff=loud)
    assert fb.state == "correct"
    assert len(fb.to_text()) < 3000 and "more characters" in fb.to_text()


def test_checks_work_on_copies():
    answer = [[3.0, 2.0], [1.0, 1.0], [0.0, 6.0]]
    arr = np.array(answer, dtype=np.float32)
    assert run(ch03.q2, J=arr).state == "correct"
    assert arr.dtype == np.float32 and arr.tolist() == answer


def test_float32_answers_are_accepted():
    assert run(ch00.q1, slope=np.float32(6.5)).state == "correct"
    assert run(ch03.q3, d2z_dy2=tf.constant(18.0)).state == "correct"


# -- the wrong answers of course-design.md, each with its message ----------------------
WRONG = [
    (ch00.q1, dict(slope=3.25), "divide by the run"),
    (ch00.q1, dict(slope=12.25), "a value of f, not a slope"),
    (ch00.q1, dict(slope=6.0), "derivative at x = 3"),
    (ch01.q1, "def central_diff(f, x, h):\n    return (f(x + h) - f(x)) / h", "forward difference"),
    (ch01.q1, "def central_diff(f, x, h):\n    return (f(x + h) - f(x - h)) / h", "divide by 2h"),
    (
        ch01.q1,
        "def central_diff(f, x, h):\n    return (f(x + 1e-3) - f(x - 1e-3)) / 2e-3",
        "ignores h",
    ),
    (ch01.q1, "def central_diff(f, x, h):\n    (f(x + h) - f(x - h)) / (2 * h)", "forget `return`"),
    (ch01.q2, dict(best_h=1e-9), "rounding side"),
    (ch01.q2, dict(best_h=1e-2), "truncation side"),
    (ch01.q3, dict(mode="forward", forward_passes=1000, reverse_passes=1), "fewer passes"),
    (ch01.q3, dict(mode="reverse", forward_passes=1, reverse_passes=1), "count the inputs"),
    (
        ch02.q1,
        """
def derivative_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = x**3 - 2 * x
    return y""",
        "that is y itself",
    ),
    (
        ch02.q1,
        """
def derivative_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = x**3
    return tape.gradient(y, x)""",
        "−2x term",
    ),
    (ch02.q1, "def derivative_at(x0):\n    return 10.0", "for every x0"),
    (
        ch02.q1,
        """
def derivative_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        pass
    y = x**3 - 2 * x
    return tape.gradient(y, x)""",
        "The tape says: ",
    ),
    (ch02.q1, "def derivative_at(x0):\n    return 3 * x0**2 - 2", "no `tape.gradient` call"),
    (
        ch02.q2,
        """
def watched_gradient():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x ** 2
    return x, tape.gradient(y, x)""",
        "Keep `x = tf.constant(3.0)`",
    ),
    (
        ch02.q2,
        """
def watched_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x ** 2
    tape.watch(x)
    return x, tape.gradient(y, x)""",
        "watch x before y is computed",
    ),
    (ch03.q1, dict(grads=[12.0, 31.0]), "dict of sources"),
    (ch03.q1, dict(grads={"x": 31.0, "y": 12.0}), "swapped"),
    (ch03.q1, dict(grads={"x": 4.0, "y": 27.0}), "adds the term x²·y"),
    (ch03.q1, dict(grads={"x": 12.0, "y": None}), "did not watch y"),
    (ch03.q2, dict(J=[[3.0, 1.0, 0.0], [2.0, 1.0, 6.0]]), "rows should be outputs"),
    (ch03.q2, dict(J=[4.0, 9.0]), "Use `tape.jacobian"),
    (ch03.q3, dict(d2z_dy2=27.0), "first derivative"),
    (ch03.q3, dict(d2z_dy2=None), "inside the outer"),
]


@pytest.mark.parametrize(
    "problem, answer, expected", WRONG, ids=[f"{p.key}-{i}" for i, (p, _, _) in enumerate(WRONG)]
)
def test_wrong_answers_get_their_message(problem, answer, expected):
    fb = run(problem, answer) if isinstance(answer, str) else run(problem, **answer)
    assert fb.state == "incorrect"
    assert expected in fb.text
    assert "The tape says: —" not in fb.text  # the engine's explanation was quoted
    assert "6.5" not in fb.text or problem is not ch00.q1  # the answer stays in solution()


def test_hints_and_solution():
    h1, h2, h3 = (ch02.q1.hint_feedback(k) for k in (1, 2, 3))
    assert "tf.Variable" in h1.text and "hint(2)" in h1.to_text()
    assert "tape.gradient(y, x)" in h2.text
    assert "only 2 hints" in h3.text
    sol = ch02.q1.solution_feedback()
    assert sol.code == ch02.q1.solution_code and "tape.gradient(y, x)" in sol.to_html()


def test_feedback_escapes_html():
    fb = run(ch00.q1, slope="<script>")
    assert "<script>" not in fb.to_html() and "&lt;script&gt;" in fb.to_html()


def test_language_from_cwd_and_override(tmp_path, monkeypatch):
    monkeypatch.delenv("ADKERNEL_LANG")
    (tmp_path / "course" / "zh").mkdir(parents=True)
    (tmp_path / "course" / "en").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "course" / "zh")
    assert settings.language == "zh"
    assert "还不对" in run(ch00.q1, slope=3.25).to_text()
    monkeypatch.chdir(tmp_path / "course" / "en")
    assert settings.language == "en"
    monkeypatch.setenv("ADKERNEL_LANG", "zh_CN")
    assert settings.language == "zh"
    settings.language = "en"
    assert settings.language == "en"


def test_check_displays_and_never_raises(capsys):
    ch00.q1.check({"slope": 6.5})
    ch00.q1.check({"slope": object()})
    ch00.q1.hint()
    ch00.q1.solution()
    out = capsys.readouterr().out
    assert "Correct" in out and "Not quite" in out and "Hint 1 of 2" in out


# -- progress ------------------------------------------------------------------------------
def test_progress_is_recorded(tmp_path):
    run(ch00.q1, slope=1.0)
    run(ch00.q1, slope=6.5)
    run(ch00.q1, slope=1.0)
    run(ch01.q2, best_h=____)  # not attempted: not recorded
    data = json.loads((tmp_path / "progress.json").read_text())
    entry = data["exercises"]["ch00.q1"]
    assert entry["attempts"] == 3 and entry["solved"] and entry["state"] == "incorrect"
    assert "ch01.q2" not in data["exercises"]
    assert "q1 ✔" in progress().to_text()


def test_corrupt_progress_file_is_reported_and_replaced(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("{not json")
    fb = run(ch00.q1, slope=6.5)
    assert fb.state == "correct"
    assert any("damaged" in str(n) for n in fb.notes)
    assert json.loads(path.read_text())["exercises"]["ch00.q1"]["solved"]
    assert (tmp_path / "progress.json.corrupt").read_text() == "{not json"
    path.write_text('["a list"]')
    assert run(ch00.q1, slope=6.5).notes
    assert progress().to_text().startswith("Progress:")


def test_unwritable_progress_does_not_break_a_check(tmp_path):
    settings.progress_path = tmp_path / "a-file" / "progress.json"
    (tmp_path / "a-file").write_text("")
    fb = run(ch00.q1, slope=6.5)
    assert fb.state == "correct" and any("could not be saved" in str(n) for n in fb.notes)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "progress.json"
    script = textwrap.dedent(
        """
        import sys
        from adkernel.exercises import _progress
        who, n = sys.argv[1], int(sys.argv[2])
        for i in range(n):
            _progress.record(f"{who}.q{i}", i % 2 == 0)
            _progress.record("shared.q1", False)
        """
    )
    n = 60
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, who, str(n)],
            env={**__import__("os").environ, "ADKERNEL_PROGRESS": str(path)},
        )
        for who in ("a", "b")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    data = _progress.load(path)["exercises"]
    assert len(data) == 2 * n + 1
    assert data["shared.q1"]["attempts"] == 2 * n
    assert all(data[f"a.q{i}"]["solved"] == (i % 2 == 0) for i in range(n))
