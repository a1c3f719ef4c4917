"""The catalogue of bad inputs (issue 9): every mistake a learner makes gets a clear error.

Each row: what the learner did, the exception type expected, and words the message must
contain (what was wrong, with the learner's own names and shapes, and what to try). Rows
cover the engine and ``adkernel.tf``, the ``%%tape`` magic, the widgets, the kernel
installer and the exercise checker. A magic row also checks that the error is one line
(no traceback) and that the cell leaves no tape recording and binds nothing.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from IPython.utils.capture import capture_output

import adkernel
from adkernel import tf
from adkernel.engine._state import state

# ---------------------------------------------------------------- engine and adkernel.tf


def _x():
    return tf.Variable([1.0, 2.0, 3.0], name="x")


def _used_twice():
    s = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = s * s
    tape.gradient(y, s)
    return tape.gradient(y, s)


def _output_gradients_of_wrong_shape():
    x = _x()
    with tf.GradientTape() as tape:
        y = x * 2.0
    return tape.gradient(y, x, output_gradients=tf.ones((2,)))


def _write_into_variable_view():
    np.asarray(_x())[:] = 0.0


ENGINE = [
    ("reshape-size", lambda: tf.reshape(_x(), (2, 2)), ValueError, ["reshape", "3", "[2, 2]"]),
    ("matmul-inner", lambda: tf.matmul(tf.ones((2, 3)), tf.ones((2, 3))), ValueError,
     ["[2, 3]", "inner dimensions"]),
    ("matmul-vector", lambda: tf.matmul(_x(), _x()), ValueError, ["rank", "(3,)", "reshape"]),
    ("gradient-twice", _used_twice, RuntimeError, ["non-persistent", "persistent=True"]),
    ("variable-of-str", lambda: tf.Variable("abc"), TypeError, ["str", "number"]),
    ("variable-of-none", lambda: tf.Variable(None), ValueError, ["initial_value", "0.0"]),
    ("assign-shape", lambda: _x().assign([1.0, 2.0]), ValueError, ["(3,)", "(2,)"]),
    ("assign-strings", lambda: _x().assign(["a", "b", "c"]), TypeError, ["float32"]),
    ("watch-a-float", lambda: tf.GradientTape().watch(3.0), ValueError,
     ["float", "tf.constant"]),
    ("gradient-without-with", lambda: tf.GradientTape().gradient(tf.constant(1.0), _x()),
     RuntimeError, ["never recorded", "with tf.GradientTape() as tape"]),
    ("cast-unknown-dtype", lambda: tf.cast(_x(), "floaty"), TypeError,
     ["floaty", "float32"]),
    ("concat-mismatch", lambda: tf.concat([tf.ones((2, 2)), tf.ones((3, 3))], axis=0),
     ValueError, ["concat", "dimension 1"]),
    ("gather-out-of-range", lambda: tf.gather(_x(), [5]), ValueError, ["5", "[0, 3)"]),
    ("gather-negative", lambda: tf.gather(_x(), [-1]), ValueError,
     ["-1", "do not wrap around"]),
    ("mean-of-empty-ints", lambda: tf.reduce_mean(tf.zeros((0,), dtype=tf.int32)),
     ValueError, ["empty", "tf.cast"]),
    ("write-into-numpy-view", _write_into_variable_view, ValueError, ["read-only"]),
    ("ragged-list", lambda: tf.constant([[1, 2], [3]]), ValueError,
     ["non-rectangular", "same length"]),
    ("int-plus-float", lambda: tf.constant(1) + tf.constant(1.0), ValueError,
     ["int32", "float32", "tf.cast"]),
    ("float32-plus-float64", lambda: tf.Variable(1.0) + tf.Variable(1.0, dtype=tf.float64),
     ValueError, ["float32", "float64"]),
    ("float-of-vector", lambda: float(_x()), TypeError, ["one element", "(3,)",
                                                          "reduce_sum"]),
    ("int-of-vector", lambda: int(tf.constant([1, 2])), TypeError, ["one element", "(2,)"]),
    ("if-on-vector", lambda: bool(_x()), ValueError, ["ambiguous", "reduce_any",
                                                      "reduce_all"]),
    ("index-out-of-range", lambda: _x()[5], IndexError, ["5", "(3,)"]),
    ("exp-of-str", lambda: tf.exp("a"), TypeError, ["str", "number"]),
    ("stop-recording-unused-tape", lambda: tf.GradientTape().stop_recording().__enter__(),
     RuntimeError, ["not recording"]),
    ("output-gradients-shape", _output_gradients_of_wrong_shape, ValueError,
     ["[2]", "[3]", "output_gradients"]),
    ("jacobian-of-int", lambda: tf.GradientTape().jacobian(1, _x()), TypeError,
     ["target", "single tensor"]),
    ("check-gradients-not-a-function", lambda: adkernel.check_gradients(3, [1.0]),
     TypeError, ["function", "int", "lambda"]),
    ("check-gradients-no-point", lambda: adkernel.check_gradients(lambda x: x), TypeError,
     ["input point"]),
    ("check-gradients-order-3", lambda: adkernel.check_gradients(lambda x: x, [1.0],
                                                                  order=3),
     ValueError, ["order", "1 or 2"]),
    ("broadcast-mismatch", lambda: tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0]),
     tf.errors.InvalidArgumentError, ["add", "[2]", "[3]"]),
    ("reduce-bad-axis", lambda: tf.reduce_sum(tf.constant([1.0, 2.0]), axis=3),
     tf.errors.InvalidArgumentError, ["reduce_sum", "axis 3"]),
    ("keras-fit-before-compile",
     lambda: tf.keras.Sequential([tf.keras.layers.Dense(1)]).fit([[1.0]], [[1.0]]),
     ValueError, ["compile(optimizer=..., loss=...)", "before fit"]),
    ("missing-tf-name", lambda: tf.linalg.svd, AttributeError,
     ["tf.linalg.svd", "docs/tf-compat.md"]),
    ("explain-none-not-bool", lambda: adkernel.explain_none("no"), TypeError,
     ["True or False", "'no'"]),
]


@pytest.mark.parametrize("make, exc, words", [c[1:] for c in ENGINE],
                         ids=[c[0] for c in ENGINE])
def test_engine_mistakes_are_explained(make, exc, words):
    with pytest.raises(exc) as info:
        make()
    for w in words:
        assert w in str(info.value), f"{w!r} missing from: {info.value}"
    assert state.recording == []


# ---------------------------------------------------------------- the %%tape magic

# (options line, body, exception type name, words)
MAGIC = [
    ("unbalanced-quote", "--watch 'c", "y = x", "UsageError", ["cannot parse", "quote"]),
    ("unknown-option", "--bogus", "y = x", "UsageError", ["unknown option", "'--bogus'",
                                                           "Valid options"]),
    ("typo-grad", "--grd y:x", "y = x", "UsageError", ["did you mean --grad"]),
    ("typo-persistent", "--persitent", "y = x", "UsageError",
     ["did you mean --persistent"]),
    ("typo-watch", "--wach c", "y = x", "UsageError", ["did you mean --watch"]),
    ("typo-no-graph", "--nograph", "y = x", "UsageError", ["did you mean --no-graph"]),
    ("space-in-grad-list", "--grad z:x, c", "z = x * c", "UsageError",
     ["a space", "--grad z:x,c"]),
    ("space-in-watch-list", "--watch c, k2", "y = c", "UsageError",
     ["a space", "--watch c,k2"]),
    ("stray-word", "--grad y:x extra", "y = x", "UsageError", ["unexpected 'extra'"]),
    ("grad-without-value", "--grad", "y = x", "UsageError", ["--grad", "expected one"]),
    ("grad-bad-target", "--grad 1y", "y = x", "UsageError", ["'1y'", "valid Python name"]),
    ("grad-colon-nothing", "--grad y:", "y = x", "UsageError", ["no source after ':'"]),
    ("grad-bad-source", "--grad y:x,2b", "y = x", "UsageError", ["'2b'",
                                                                 "valid Python name"]),
    ("grad-keyword-source", "--grad y:lambda", "y = x", "UsageError", ["keyword"]),
    ("name-empty", "-n ''", "y = x", "UsageError", ["-n/--name needs a name"]),
    ("name-with-space", "-n '1 2'", "y = x", "UsageError", ["'1 2'", "valid Python name"]),
    ("name-builtins", "-n __builtins__", "y = x", "UsageError",
     ["__builtins__", "hide", "-n my_builtins"]),
    ("name-print", "-n print", "y = x", "UsageError", ["'print'", "hide"]),
    ("name-keyword", "-n class", "y = x", "UsageError", ["keyword"]),
    ("name-dunder", "-n __tape__", "y = x", "UsageError", ["hide"]),
    ("out-builtin", "--grad y:x -o len", "y = x * 2", "UsageError", ["'len'", "hide"]),
    ("same-name-twice", "-n g -o g", "y = x", "UsageError", ["both bind", "'g'"]),
    ("name-expression-not-evaluated", "-n {print(1)}", "y = x", "UsageError",
     ["'{print(1)}'", "valid Python name"]),
    ("name-dollar-not-expanded", "-n $x", "y = x", "UsageError", ["'$x'"]),
    ("name-control-char", "-n 'a\x07b'", "y = x", "UsageError", ["valid Python name"]),
    ("name-lone-surrogate", "-n '\ud800'", "y = x", "UsageError", ["valid Python name"]),
    ("plot-bad-name", "--plot 3x", "y = x", "UsageError", ["'3x'", "valid Python name"]),
    ("step-without-grad", "--step", "y = x", "UsageError", ["--step needs --grad"]),
    ("watch-undefined", "--watch nope", "y = x", "UsageError", ["'nope'", "not defined"]),
    ("watch-a-float", "--watch k", "y = x", "UsageError", ["'k'", "float",
                                                             "tf.constant(k)"]),
    ("grad-target-missing", "--grad missing_y:x", "y = x", "UsageError",
     ["'missing_y'", "not defined after the cell ran"]),
    ("grad-source-missing", "--grad y:missing_x", "y = x", "UsageError",
     ["'missing_x'", "not defined"]),
    ("grad-target-a-string", "--grad s:x", "s = 'text'", "UsageError",
     ["'s'", "str", "not a tensor"]),
    ("huge-line", "--grad " + "y" * 50_000, "y = x", "UsageError",
     ["50,007 characters", "cell body"]),
    ("top-level-await", "", "import asyncio\nawait asyncio.sleep(0)", "UsageError",
     ["await"]),
    ("gradient-used-in-body", "--grad y:x", "y = x * x\ng = tape.gradient(y, x)",
     "UsageError", ["already called tape.gradient", "-p"]),
    ("tape-over-a-tensor", "-n x", "y = x", "UsageError", ["'x' holds one of your tensors",
                                                           "-n my_x"]),
    ("grads-over-a-tensor", "--grad y:x -o c", "y = x", "UsageError",
     ["'c' holds one of your tensors", "-o my_c"]),
    ("step-through-a-huge-tape", "--grad y:x --step",
     "y = x\nfor _ in range(20_001):\n    y = y + 0.0", "UsageError",
     ["20,001 ops", "at most 20,000", "leave --step out"]),
    ("help-and-junk", "--help --bogus", "y = x", "UsageError", ["unknown option"]),
]


@pytest.fixture
def ip(ipshell):
    ipshell.run_cell("from adkernel import tf\nx = tf.Variable(3.0)\nc = tf.constant(2.0)\n"
                     "k = 2.0\nk2 = tf.constant(1.0)")
    yield ipshell
    assert state.recording == [], "a %%tape cell left a tape recording"


@pytest.mark.parametrize("line, body, exc, words", [c[1:] for c in MAGIC],
                         ids=[c[0] for c in MAGIC])
def test_magic_mistakes_are_one_line_usage_errors(ip, line, body, exc, words):
    ip.user_ns["tape"] = "before"
    with capture_output() as out:
        result = ip.run_cell(f"%%tape {line}\n{body}")
    err = result.error_in_exec
    assert type(err).__name__ == exc, f"{type(err).__name__}: {err}"
    for w in words:
        assert w in str(err), f"{w!r} missing from: {err}"
    assert "\n" not in str(err)
    assert "Traceback" not in out.stdout + out.stderr
    assert "1\n" not in out.stdout  # nothing on the options line was evaluated
    assert ip.user_ns["tape"] == "before"  # the magic bound nothing


# ---------------------------------------------------------------- widgets


def _history_error(result, epochs=5):
    from adkernel.widgets.explorer import _history

    return _history(result, None, epochs)


def _graph_option():
    from adkernel.engine.inspect import graph_of
    from adkernel.widgets.graph import render_svg

    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    return render_svg(graph_of(tape, y), colour="red")


WIDGETS = [
    ("explorer-returns-W-and-b", lambda: _history_error((1.0, 2.0)), ValueError,
     ["tuple of 2 items", "one loss per epoch", "(W, b)"]),
    ("explorer-returns-none", lambda: _history_error(None), TypeError,
     ["one loss per epoch", "NoneType"]),
    ("explorer-dict-without-loss", lambda: _history_error({"W": [1.0] * 5}), ValueError,
     ["'loss'"]),
    ("explorer-lists-of-different-lengths",
     lambda: _history_error({"loss": [1.0] * 5, "W": [1.0] * 3}), ValueError,
     ["different lengths"]),
    ("explorer-loss-not-a-number", lambda: _history_error([[1.0, 2.0]] * 5), ValueError,
     ["one number", "float(loss)"]),
    ("graph-unknown-option", _graph_option, TypeError, ["colour"]),
]


@pytest.mark.parametrize("make, exc, words", [c[1:] for c in WIDGETS],
                         ids=[c[0] for c in WIDGETS])
def test_widget_mistakes_are_explained(make, exc, words):
    with pytest.raises(exc) as info:
        make()
    for w in words:
        assert w in str(info.value), f"{w!r} missing from: {info.value}"


# ---------------------------------------------------------------- the kernel installer

INSTALLER = [
    ("escape-with-dots", ["--name", "../../../escape"], ["not a kernel name"]),
    ("absolute-name", ["--name", "/abs"], ["not a kernel name"]),
    ("empty-name", ["--name", ""], ["not a kernel name"]),
    ("name-with-space", ["--name", "Bad Name!"], ["not a kernel name", "letters, digits"]),
    ("dot-name", ["--name", "."], ["not a kernel name"]),
    ("dotdot-name", ["--name", ".."], ["not a kernel name"]),
    ("empty-prefix", ["--prefix", ""], ["--prefix is empty", "--user"]),
]


@pytest.mark.parametrize("args, words", [c[1:] for c in INSTALLER],
                         ids=[c[0] for c in INSTALLER])
def test_installer_refuses_bad_arguments_in_one_line(tmp_path, capsys, monkeypatch, args,
                                                     words):
    from adkernel.__main__ import main

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    if "--prefix" not in args:
        args = [*args, "--prefix", str(tmp_path)]
    assert main(["install-kernel", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    for w in words:
        assert w in err
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == []


@pytest.mark.skipif(sys.platform == "win32" or getattr(__import__("os"), "geteuid",
                                                         lambda: 1)() == 0,
                    reason="root can write anywhere")
def test_installer_unwritable_prefix_is_one_line(tmp_path, capsys):
    from adkernel.__main__ import main

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["install-kernel", "--prefix", str(locked)]) == 2
    finally:
        locked.chmod(0o700)
    err = capsys.readouterr().err.strip()
    assert "cannot write" in err and "--user" in err and "\n" not in err


def test_installer_into_missing_system_folder_is_one_line(capsys):
    from adkernel.__main__ import main

    assert main(["install-kernel", "--prefix", "/proc/adkernel-nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot write" in err and "\n" not in err


def test_installer_never_writes_outside_its_kernels_folder(tmp_path):
    from adkernel.__main__ import install_kernel

    folder = install_kernel(prefix=str(tmp_path), name="ok.name-1_2")
    assert folder.parent == (tmp_path / "share/jupyter/kernels").resolve()
    assert (folder / "kernel.json").is_file()


# ---------------------------------------------------------------- the exercise checker

CHECKER = [
    ("time-limit-text", lambda s: setattr(s, "time_limit", "ten"), TypeError,
     ["seconds", "'ten'"]),
    ("time-limit-negative", lambda s: setattr(s, "time_limit", -1), ValueError,
     ["positive", "-1"]),
    ("time-limit-infinite", lambda s: setattr(s, "time_limit", float("inf")), ValueError,
     ["positive"]),
    ("language-french", lambda s: setattr(s, "language", "fr"), ValueError,
     ["language", "'fr'"]),
]


@pytest.mark.parametrize("change, exc, words", [c[1:] for c in CHECKER],
                         ids=[c[0] for c in CHECKER])
def test_checker_settings_refuse_bad_values(change, exc, words):
    from adkernel.exercises import settings

    try:
        with pytest.raises(exc) as info:
            change(settings)
    finally:
        settings.reset()
    for w in words:
        assert w in str(info.value)


@pytest.mark.parametrize("answer", [None, "six", float("nan"), [6.0, 6.0], object(),
                                    ("a", "b"), np.array([np.inf])],
                         ids=["none", "str", "nan", "list", "object", "tuple", "inf"])
def test_checker_turns_bad_answers_into_feedback_not_exceptions(answer):
    from adkernel.exercises import ch02

    q = ch02.q1
    fb = q.evaluate(dict.fromkeys(q.names, answer), save=False)
    assert fb.state == "incorrect", fb.text
    assert fb.text


def test_catalogue_is_at_least_eighty_cases():
    total = (len(ENGINE) + len(MAGIC) + len(WIDGETS) + len(INSTALLER) + len(CHECKER) + 3 + 7)
    assert total >= 80, total


# ---------------------------------------------------------------- what used to be refused


@pytest.mark.parametrize("line, bound", [
    ("-n 'mytape' --grad y:x", "mytape"),
    ('--grad "y:x" -o "dy"', "dy"),
    ("--grad ｙ：x", "grads"),  # full-width, as a Chinese input method types it
    ("-n ｔ --grad y:x", "t"),
])
def test_quoted_and_full_width_options_work(ip, line, bound):
    ip.user_ns.pop(bound, None)
    with capture_output():
        result = ip.run_cell(f"%%tape {line}\ny = x * 4.0")
    assert result.success, result.error_in_exec
    assert bound in ip.user_ns


def test_help_is_printed_once_as_cell_magic(ip):
    with capture_output() as out:
        ip.run_cell("%%tape --help\npass")
    assert out.stdout.count("usage: %%tape") == 1
    assert "%tape " not in out.stdout.replace("%%tape", "")
    doc = ip.find_cell_magic("tape").__doc__
    assert doc.count("usage: %%tape") == 1 and "-o NAME, --out NAME" in doc
    assert "grads" in doc and "builtin" in doc


def test_none_gradient_in_the_table_advises_the_magic_option(ip):
    with capture_output() as out:
        result = ip.run_cell("%%tape --grad y:c --no-graph\ny = c * x")
    assert result.success
    table = "".join(o.data.get("text/plain", "") for o in out.outputs)
    assert "dy/dc" in table and "None" in table and "--watch c" in table
    assert "tape.watch" not in table
    assert "NoneGradientWarning" not in out.stderr  # explained in the table, not twice


def test_overwriting_the_learners_own_grads_is_announced(ip):
    ip.run_cell("grads = [1, 2, 3]")
    with capture_output() as out:
        result = ip.run_cell("%%tape --grad y:x --no-graph\ny = x * 2")
    assert result.success
    assert "'grads' held your own list" in out.stderr and "-o" in out.stderr
    with capture_output() as out:
        ip.run_cell("%%tape --grad y:x --no-graph\ny = x * 3")
    assert "held your own" not in out.stderr  # our own gradients are replaced silently
