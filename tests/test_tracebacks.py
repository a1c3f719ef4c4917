"""With ``%load_ext adkernel``, adkernel's own frames are hidden from the tracebacks of the
errors it reports to the learner (adkernel/_tracebacks.py; outside tester, finding 6).

The learner sees their own line, one translated line saying how many frames were hidden
and how to see them (``%tb``), and the message. A learner's own error, an internal bug of
adkernel (an exception an operation raised, an ``assert``) and ``%xmode Verbose`` keep every
frame. Driven through a plain IPython shell; one slow test does the same in a real kernel.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from IPython.utils.capture import capture_output

import adkernel
from adkernel import _tracebacks

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ENGINE = os.path.join("adkernel", "engine")

# the outside tester's cells (finding 6): (cell, the message's start, in en and in zh)
CASES = [
    ("tape.gradient(y, x)\ntape.gradient(y, x)", "NotPersistentError",
     "A non-persistent GradientTape", "非持久"),
    ("tf.Variable(3) * 1.5", "DTypeError", "Cannot convert 1.5", "1.5"),
    ("x.assign('a')", "DTypeError", "Cannot convert 'a'", "'a'"),
    ("x^3", "InvalidArgumentError", "In Python `^` is bitwise XOR, not a power",
     "在 Python 里 `^` 是按位异或"),
]
IDS = ["gradient twice", "int variable times float", "assign a string", "x^3"]


@pytest.fixture
def ip(ipshell):
    ipshell.run_cell("from adkernel import tf\nx = tf.Variable(3.0)\n"
                     "with tf.GradientTape() as tape:\n    y = x**2")
    yield ipshell
    ipshell.run_line_magic("xmode", "Context")


def shown(ip, cell: str):
    with capture_output() as out:
        result = ip.run_cell(cell)
    return result, ANSI.sub("", out.stdout + out.stderr)


def last_line(cell: str) -> str:
    return cell.splitlines()[-1]


@pytest.mark.parametrize("cell, name, en, zh", CASES, ids=IDS)
def test_engine_frames_are_hidden_and_the_learners_line_and_message_remain(ip, cell, name,
                                                                          en, zh):
    result, text = shown(ip, cell)
    assert type(result.error_in_exec).__name__ == name
    assert f"----> {len(cell.splitlines())} {last_line(cell)}" in text  # the learner's line
    assert f"{name}: {en}" in text  # the message, once, last
    assert text.rstrip().splitlines()[-1].startswith(f"{name}: {en}")
    assert re.search(r"\[… \d frames? inside adkernel hidden: run %tb to see the full "
                     r"traceback\]", text)
    assert ENGINE not in text and "File " not in text
    # no engine source line
    assert '_("' not in text and not re.search(r"^\s*raise ", text, re.M)
    assert text.count("Traceback") == 1


@pytest.mark.parametrize("cell, name, en, zh", CASES, ids=IDS)
def test_in_chinese_the_note_is_chinese_and_no_english_source_shows(ip, zh_mode, cell, name,
                                                                    en, zh):
    result, text = shown(ip, cell)
    message = str(result.error_in_exec)
    assert zh in message and re.search(r"[\u4e00-\u9fff]", message)
    assert f"{name}: {message.splitlines()[0]}" in text
    assert f"----> {len(cell.splitlines())} {last_line(cell)}" in text
    assert re.search(r"\[… 已隐藏 adkernel 内部的 \d 层调用：运行 %tb 可查看完整的回溯信息\]", text)
    assert "inside adkernel hidden" not in text
    assert ENGINE not in text and en not in text and '_("' not in text


def test_a_learners_function_keeps_its_frame_above_the_note(ip):
    _, text = shown(ip, "def f(v):\n    return v.assign('a')\nf(x)")
    assert "----> 2     return v.assign('a')" in text and "----> 3 f(x)" in text
    assert text.index("v.assign('a')") < text.index("inside adkernel hidden")
    assert ENGINE not in text


def test_tb_and_verbose_show_every_frame(ip):
    _, text = shown(ip, "x^3")
    assert ENGINE not in text
    _, full = shown(ip, "%tb")  # the last error, nothing taken away
    assert "----> 1 x^3" in full and os.path.join(ENGINE, "ops", "math.py") in full
    assert "raise invalid_dtype(" in full and "hidden" not in full
    ip.run_line_magic("xmode", "Verbose")
    _, verbose = shown(ip, "x^3")
    assert os.path.join(ENGINE, "ops", "math.py") in verbose and "hidden" not in verbose


def test_plain_mode_is_shortened_too(ip):
    ip.run_line_magic("xmode", "Plain")
    _, text = shown(ip, "x^3")
    assert "x^3" in text and "InvalidArgumentError: In Python `^` is bitwise XOR" in text
    assert "inside adkernel hidden" in text and ENGINE not in text


@pytest.mark.parametrize("cell", [
    "1/0",
    "def mine():\n    raise ValueError('my own message')\nmine()",
    # the learner's function, called by adkernel, raises: the learner's error, left as is
    "@tf.custom_gradient\ndef g(v):\n    def grad(dy):\n        raise ValueError('my grad')\n"
    "    return v * 1.0, grad\nwith tf.GradientTape() as t2:\n    z = g(x)\nt2.gradient(z, x)",
])
def test_the_learners_own_errors_are_shown_as_ipython_shows_them(ip, cell):
    result, text = shown(ip, cell)
    assert result.error_in_exec is not None
    assert "hidden" not in text
    expected = ip.InteractiveTB.structured_traceback(
        type(result.error_in_exec), result.error_in_exec, result.error_in_exec.__traceback__,
        tb_offset=None)
    assert ANSI.sub("", ip.InteractiveTB.stb2text(expected)).strip() in text


# a module of adkernel's own (by its file name) with a bug, an assert and a message
FAKE = str(Path(adkernel.__file__).parent / "_not_a_module_for_tests.py")
FAKE_SOURCE = """
def bug(v):
    return v.no_such_attribute

def invariant(v):
    assert v is None, "an internal invariant"

def message(v):
    raise ValueError("a message adkernel wrote for the learner")
"""


@pytest.fixture
def fake(ip):
    ns = {}
    exec(compile(FAKE_SOURCE, FAKE, "exec"), ns)
    ip.user_ns.update(bug=ns["bug"], invariant=ns["invariant"], message=ns["message"])
    return ip


@pytest.mark.parametrize("cell, name", [("bug(x)", "AttributeError"),
                                        ("invariant(x)", "AssertionError")])
def test_an_internal_bug_keeps_every_frame(fake, cell, name):
    result, text = shown(fake, cell)
    assert type(result.error_in_exec).__name__ == name
    assert "_not_a_module_for_tests.py" in text and "hidden" not in text


def test_a_raise_statement_in_adkernel_is_a_message(fake):
    _, text = shown(fake, "message(x)")
    assert "_not_a_module_for_tests.py" not in text
    assert "[… 1 frame inside adkernel hidden" in text
    assert "ValueError: a message adkernel wrote for the learner" in text


def test_errors_that_render_themselves_are_left_to_ipython(ip):
    # %%tape shows the body's error its own short way, then a silent TapeCellError
    result, text = shown(ip, "%%tape\nz = x^3")
    assert type(result.error_in_exec).__name__ == "TapeCellError"
    assert "InvalidArgumentError" in text and "hidden" not in text
    assert text.count("Traceback") == 1 and ENGINE not in text
    result, text = shown(ip, "%%tape --bogus\nz = x")
    assert type(result.error_in_exec).__name__ == "UsageError"
    assert "Traceback" not in text


def test_keyboard_interrupt_still_goes_to_the_interrupt_handler(ip):
    result, text = shown(ip, "raise KeyboardInterrupt")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert "KeyboardInterrupt" in text and "hidden" not in text


def test_a_handler_replaced_after_load_is_left_alone(ipshell):
    def theirs(sh, etype, value, tb, tb_offset=None):
        pass

    # from IPython's own state (the shared shell has the extension loaded: unload it first)
    ipshell.run_line_magic("unload_ext", "adkernel")
    before = (ipshell.custom_exceptions, ipshell.CustomTB)
    try:
        _tracebacks.install(ipshell)
        ipshell.set_custom_exc((ValueError,), theirs)
        replaced = ipshell.CustomTB
        _tracebacks.uninstall(ipshell)
        assert ipshell.custom_exceptions == (ValueError,) and ipshell.CustomTB is replaced
    finally:
        ipshell.custom_exceptions, ipshell.CustomTB = before
        ipshell.run_line_magic("load_ext", "adkernel")
    # loaded again as the other tests find it: one handler, chained after IPython's own
    assert Exception in ipshell.custom_exceptions
    _, text = shown(ipshell, "raise ValueError('mine')")
    assert "ValueError: mine" in text and "unregistering" not in text


# ------------------------------------------------------------------ a real kernel


@pytest.mark.slow
def test_a_real_kernel_hides_the_engine_frames_in_both_languages():
    jupyter_client = pytest.importorskip("jupyter_client")
    root = str(Path(adkernel.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", env=env)

    def run(code: str):
        msg_id = kc.execute(code)
        errors, begin = [], time.monotonic()
        while time.monotonic() - begin < 60:
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except Exception:  # queue.Empty
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                errors.append(ANSI.sub("", "\n".join(msg["content"]["traceback"])))
            elif msg["msg_type"] == "stream":
                errors.append(msg["content"]["text"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "\n".join(errors)
        raise TimeoutError(code)

    try:
        setup = run("%load_ext adkernel\nimport adkernel\nfrom adkernel import tf\n"
                    "adkernel.set_language('en')\nprint(adkernel.__file__)\n"
                    "x = tf.Variable(3.0)")
        assert setup.strip() == adkernel.__file__
        text = run("x^3")
        assert "----> 1 x^3" in text and "InvalidArgumentError: In Python `^`" in text
        assert "inside adkernel hidden" in text and ENGINE not in text
        full = run("%tb")
        assert os.path.join(ENGINE, "ops", "math.py") in full
        run("adkernel.set_language('zh')")
        text = run("x.assign('a')")
        assert "----> 1 x.assign('a')" in text and "已隐藏 adkernel 内部的" in text
        assert ENGINE not in text and "Cannot convert" not in text
        assert "1/0" in run("1/0") and "hidden" not in run("1/0")
        run("%unload_ext adkernel")
        assert ENGINE in run("x^3")  # unloaded: IPython's own traceback again
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# cells whose errors are not adkernel's: shown exactly as without the extension
NOT_ADKERNELS = {
    "syntax error": "y = (1,",
    "indentation error": "def f():\nreturn 1",
    "syntax error at run time": "exec('y = (1,')",
    "the learner's own error": "def g():\n    raise ValueError('mine')\ng()",
    "division by zero": "1/0",
}


@pytest.mark.parametrize("cell", list(NOT_ADKERNELS.values()), ids=list(NOT_ADKERNELS))
def test_other_errors_look_as_without_the_extension(ipshell, cell):
    def text():
        _, out = shown(ipshell, cell)
        return re.sub(r"In\[\d+\]", "In[n]", out)

    with_it = text()
    ipshell.run_line_magic("unload_ext", "adkernel")
    try:
        without = text()
    finally:
        ipshell.run_line_magic("load_ext", "adkernel")
    assert with_it == without
    if "exec" not in cell:  # a cell that does not compile: no IPython frames around it
        assert "interactiveshell.py" not in with_it
