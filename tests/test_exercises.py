"""The exercise checker: three outcomes, wrong answers, time limit, language, progress file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from adkernel import tf
from adkernel.exercises import (
    CHAPTERS,
    ____,
    _progress,
    ch00,
    ch01,
    ch02,
    ch03,
    ch04,
    ch05,
    ch06,
    ch07,
    problems,
    progress,
    settings,
)
from adkernel.exercises._core import REGISTRY

MODULES = (ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch07)
ALL = [p for m in MODULES for p in REGISTRY[m.__name__.rsplit(".", 1)[1]]]

# What the notebook defines before an exercise cell (the chapter's given code, abridged).
REGRESSION_DATA = """
rng = np.random.RandomState(0)  # the stream of the notebook's np.random.seed(0)
X = rng.rand(100, 1)
y = 3 * X + rng.randn(100, 1) * 0.5
W_start = rng.randn(1).astype(np.float32)
b_start = rng.randn(1).astype(np.float32)
"""
SETUP = {
    "ch04": REGRESSION_DATA,
    "ch05": REGRESSION_DATA
    + """
from adkernel.exercises.ch05 import make_moons
X_train, y_train = make_moons(200, noise=0.2, seed=0)
Y_train = y_train.reshape(-1, 1).astype(np.float32)
""",
    "ch06": REGRESSION_DATA
    + """
import math

class Value:
    def __init__(self, data, parents=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, ((self, 1.0), (other, 1.0)))

    __radd__ = __add__

def topological_order(root):
    order, seen = [], set()
    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent, _ in node.parents:
                visit(parent)
            order.append(node)
    visit(root)
    return order
""",
}


pytestmark = pytest.mark.usefixtures("checker_sandbox")


def run(problem, code=None, **names):
    ns = {"tf": tf, "np": np, "____": ____}
    exec(SETUP.get(problem.chapter, ""), ns)
    if code is not None:
        with np.errstate(all="ignore"):  # a diverging answer's overflow is the learner's
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
    if problem is ch05.q1 and junk == 3.25:  # a learning rate that does diverge
        assert fb.state == "correct"
        return
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


@pytest.mark.parametrize(
    "problem", [ch01.q1, ch01.q4, ch02.q1, ch02.q2, ch04.q1, ch06.q2, ch07.q1],
    ids=lambda p: p.key,
)
@pytest.mark.parametrize("fn", [_raises, _forever, _sleeps], ids=["raises", "loops", "sleeps"])
def test_functions_that_raise_or_never_return(problem, fn):
    import time

    settings.time_limit = 0.5  # a learner's function that never returns is stopped at the limit
    start = time.monotonic()
    fb = run(problem, **{problem.names[0]: fn})
    assert time.monotonic() - start < 4.5  # the limit, and at most 4 s more
    assert fb.state == "incorrect"
    if fn is _raises:
        assert "ValueError: boom" in fb.text and 'raise ValueError("boom")' in fb.text
    else:
        assert "stopped it" in fb.text


@pytest.mark.parametrize("fn", [_raises, _forever], ids=["raises", "loops"])
@pytest.mark.parametrize("name", ["predict", "train_step"])
def test_network_functions_that_raise_or_never_return(name, fn):
    settings.time_limit = 1  # the reference training loop around the learner's function fits
    fb = run(ch05.q3, ch05.q3.solution_code, **{name: fn})
    assert fb.state == "incorrect"
    assert ("ValueError: boom" in fb.text) if fn is _raises else ("stopped it" in fb.text)


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
    (ch04.q1, ch04.q1.solution_code.replace("assign_sub", "assign_add"), "moved uphill"),
    (
        ch04.q1,
        ch04.q1.solution_code.replace("W.assign_sub(lr * dW)", "W = W - lr * dW"),
        "`W.assign_sub(lr * dW)`",
    ),
    (ch04.q1, ch04.q1.solution_code.replace("reduce_mean", "reduce_sum"), "loss is a mean"),
    (ch04.q1, ch04.q1.solution_code.replace("return W, b", "return b, W"), "swapped"),
    (
        ch04.q1,
        ch04.q1.solution_code.replace("range(epochs)", "range(epochs + 1)"),
        "101 updates instead of 100",
    ),
    (ch04.q1, ch04.q1.solution_code.replace("range(epochs)", "range(100)"), "use its arguments"),
    (
        ch04.q1,
        """
def train(lr, epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    with tf.GradientTape() as tape:
        for epoch in range(epochs):
            loss = tf.reduce_mean(tf.square(W * X + b - y))
            dW, db = tape.gradient(loss, [W, b])
            W.assign_sub(lr * dW)
            b.assign_sub(lr * db)
    return W, b""",
        "inside the loop",
    ),
    (
        ch04.q1,
        """
def train(lr, epochs):
    W, b = float(W_start[0]), float(b_start[0])
    for epoch in range(epochs):
        r = W * X[:, 0] + b - y[:, 0]
        W, b = W - lr * 2 * np.mean(r * X[:, 0]), b - lr * 2 * np.mean(r)
    return W, b""",
        "no `tape.gradient` call",
    ),
    (ch05.q1, dict(diverging_lr=0.8), "Go a little higher"),
    (ch05.q1, dict(diverging_lr=-1.0), "climbs uphill"),
    (ch05.q1, dict(diverging_lr=0.2), "double the rate"),
    (ch05.q2, dict(fast_config=(0.3, 50)), "not below 0.25 yet"),
    (ch05.q2, dict(fast_config=(0.5, 60)), "over the budget of 50"),
    (ch05.q2, dict(fast_config=(0.9, 50)), "diverges"),
    (ch05.q2, dict(fast_config=0.5), "a pair `(lr, epochs)`"),
    (
        ch05.q3,
        ch05.q3.solution_code.replace("rng.randn(2, 16) * 0.5", "np.zeros((2, 16))").replace(
            "rng.randn(16, 1) * 0.5", "np.zeros((16, 1))"
        ),
        "Initialise the weights randomly",
    ),
    (ch05.q3, ch05.q3.solution_code.replace("range(500)", "range(30)"), "more steps"),
    (ch05.q3, ch05.q3.solution_code.replace("range(500)", "range(0)"), "guessing"),
    (
        ch05.q3,
        ch05.q3.solution_code.replace(
            "tf.nn.sigmoid_cross_entropy_with_logits(\n"
            "            labels=Y_train, logits=forward(X_train))",
            "-Y_train * tf.math.log(tf.sigmoid(forward(X_train)))"
            " - (1 - Y_train) * tf.math.log(1 - tf.sigmoid(forward(X_train)))",
        ).replace("0.5 * g", "20.0 * g"),
        "Lower the learning rate",
    ),
    (
        ch05.q3,
        ch05.q3.solution_code.replace(
            "(forward(X).numpy()[:, 0] > 0).astype(int)", "forward(X).numpy()"
        ),
        "compare them with 0",
    ),
    (
        ch05.q3,
        ch05.q3.solution_code.replace(
            "tape.gradient(loss, params)", "tape.gradient(loss, params[:3]) + [0.0]"
        ),
        "`params[3]` (shape (1,)) unchanged",
    ),
    (
        ch05.q3,
        ch05.q3.solution_code
        + """
def train_step():
    for p in params:
        p.assign_add(0.01 * tf.ones_like(p))
""",
        "made no `tape.gradient` call",
    ),
    (
        ch05.q3,
        """
w = tf.Variable(np.zeros((2, 1)), dtype=tf.float32)
c = tf.Variable(np.zeros(1), dtype=tf.float32)
params = [w, c]
def train_step():
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
            labels=Y_train, logits=tf.matmul(X_train, w) + c))
    for p, g in zip(params, tape.gradient(loss, params)):
        p.assign_sub(1.0 * g)
def predict(X):
    return (tf.matmul(X, w) + c).numpy()[:, 0] > 0
for step in range(500):
    train_step()
""",
        "a line cannot split the moons",
    ),
    (
        ch06.q1,
        ch06.q1.solution_code.replace("parent.grad += node.grad", "parent.grad = node.grad"),
        "accumulate with `+=`",
    ),
    (
        ch06.q1,
        ch06.q1.solution_code.replace(
            "((self, other.data), (other, self.data))", "((self, self.data), (other, other.data))"
        ),
        "∂(ab)/∂a is b",
    ),
    (
        ch06.q1,
        ch06.q1.solution_code.replace(
            "reversed(topological_order(self))", "topological_order(self)"
        ),
        "walk it backwards",
    ),
    (
        ch06.q1,
        """
def mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    return Value(self.data * other.data, ((self, other.data), (other, self.data)))

def backward(self):
    self.grad = 1.0
    todo = [self]
    while todo:
        node = todo.pop(0)
        for parent, local in node.parents:
            parent.grad += node.grad * local
            todo.append(parent)
""",
        "reverse topological order",
    ),
    (ch06.q2, ch06.q2.solution_code.replace("@tf.custom_gradient\n", ""), "decorate the function"),
    (ch06.q2, "def round_st(x):\n    return tf.round(x)", "`tf.round` alone has no gradient"),
    (
        ch06.q2,
        ch06.q2.solution_code.replace("return upstream", "return tf.ones_like(upstream)"),
        "ignores `upstream`",
    ),
    (ch06.q2, ch06.q2.solution_code.replace("tf.round(x)", "tf.identity(x)"), "must still round"),
    (
        ch06.q2,
        ch06.q2.solution_code.replace("return upstream", "return 0.0 * upstream"),
        "derivative of a staircase",
    ),
    (ch06.q3, ch06.q3.solution_code.replace("@tf.function\n", ""), "plain Python function"),
    (
        ch06.q3,
        ch06.q3.solution_code.replace("@tf.function\n", "").replace(
            "def train(", "@tf.function\ndef train("
        ),
        "traced `train`, the loop",
    ),
    (
        ch06.q3,
        ch06.q3.solution_code.replace("    return loss", "    print(float(loss))\n    return loss"),
        "behind the scenes",
    ),
    (ch07.q1, ch07.q1.solution_code.replace("        tape.watch(x)\n", ""), "tape.watch(x)"),
    (
        ch07.q1,
        "def grad_of(f, x0):\n    return (f(x0 + 1e-4) - f(x0 - 1e-4)) / 2e-4",
        "numerical differentiation",
    ),
    (
        ch07.q1,
        """
def grad_of(f, x0):
    x = tf.Variable(1.5)
    with tf.GradientTape() as tape:
        y = f(x)
    return tape.gradient(y, x)""",
        "not df/dx",
    ),
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


@pytest.mark.parametrize("fn", [_raises, _forever], ids=["raises", "loops"])
def test_a_traced_step_that_raises_or_never_returns(fn):
    settings.time_limit = 0.5
    fb = run(ch06.q3, ch06.q3.solution_code, train_step=fn)
    assert fb.state == "incorrect"
    assert ("ValueError: boom" in fb.text) if fn is _raises else ("stopped it" in fb.text)


def test_a_traced_step_checked_after_the_learner_trained_with_it():
    """Traced in the notebook before the check: the check only replays, still correct."""
    code = ch06.q3.solution_code + "\nW_end, b_end = train(100)\ntrain(30)"
    fb = run(ch06.q3, code)
    assert fb.state == "correct", fb.text


def test_every_chapter_has_exercises_and_progress_covers_them():
    assert [key for key, _, _ in CHAPTERS] == [m.__name__.rsplit(".", 1)[1] for m in MODULES]
    assert all(problems(key) for key, _, _ in CHAPTERS)
    text = progress().to_text()
    assert "(coming)" not in text and f"0 of {len(ALL)} exercises" in text


def test_starters_run_untouched():
    for problem in ALL:
        ns = {"tf": tf, "np": np, "____": ____}
        exec(SETUP.get(problem.chapter, ""), ns)
        exec(problem.starter, ns)  # raises if a blank breaks the cell


def test_network_check_puts_parameters_back_and_accepts_other_containers():
    ns = {"tf": tf, "np": np, "____": ____}
    exec(SETUP["ch05"], ns)
    exec(ch05.q3.solution_code, ns)
    before = [p.numpy().copy() for p in ns["params"]]
    assert ch05.q3.evaluate(ns).state == "correct"
    assert all(np.array_equal(a, p.numpy()) for a, p in zip(before, ns["params"], strict=True))
    for container in (tuple(ns["params"]), dict(enumerate(ns["params"]))):
        assert ch05.q3.evaluate({**ns, "params": container}).state == "correct"


def test_hints_and_solution():
    h1, h2, h3 = (ch02.q1.hint_feedback(k) for k in (1, 2, 3))
    assert "tf.Variable" in h1.text and "hint(2)" in h1.to_text()
    assert "`tape.gradient` takes first what you differentiate" in h2.text
    assert "tape.gradient(y, x)" not in h2.text  # hints lead, solution() gives
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


@pytest.mark.slow
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
