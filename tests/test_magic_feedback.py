"""What ``%%tape`` says when a cell does something it cannot show (outside tester's
findings 7, 8, 14 and 15), in English and Chinese, through a real IPython shell."""

from __future__ import annotations

import pytest
from IPython.utils.capture import capture_output

from adkernel.engine import i18n
from adkernel.engine._state import state


@pytest.fixture
def ip(ipshell):
    ipshell.run_cell("from adkernel import tf\nx = tf.Variable(3.0)")
    for name in ("grads", "t2", "t", "loss", "y"):
        ipshell.user_ns.pop(name, None)
    yield ipshell
    assert state.recording == [], "a %%tape cell left a tape recording"


def run(ip, cell: str):
    with capture_output() as out:
        result = ip.run_cell(cell)
    shown = "\n".join(o.data.get("text/plain", "") for o in out.outputs)
    return result, out.stdout + out.stderr + shown


OWN_TAPE = "%%tape --grad y:x\nwith tf.GradientTape() as t2:\n    y = x**2"
TRAINING_LOOP = """%%tape --plot loss --grad loss:x
for step in range(3):
    with tf.GradientTape() as t:
        loss = x**2
    x.assign_sub(0.1 * t.gradient(loss, x))
"""
YIELDED = {
    "en": ("The cell opened its own GradientTape (`with tf.GradientTape() as {t}:`)",
           "remove the inner `with`", "`{t}.gradient(...)`"),
    "zh": ("本单元自己打开了 GradientTape（`with tf.GradientTape() as {t}:`）",
           "去掉内层的 `with`", "`{t}.gradient(...)`"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("cell, inner", [(OWN_TAPE, "t2"), (TRAINING_LOOP, "t")])
def test_a_cell_that_opens_its_own_tape_is_told_so_not_stop_recording(ip, cell, inner, lang):
    with i18n.language(lang):
        result, text = run(ip, cell)
    assert result.success
    assert ip.user_ns["grads"]["x"] is None
    for words in YIELDED[lang]:
        assert words.format(t=inner) in text, text
    assert "stop_recording" not in text  # the learner never called it
    # the empty graph is explained too (a note, in the same words)
    assert text.count(f"`with tf.GradientTape() as {inner}:`") == 2, text


def test_stop_recording_of_the_learner_is_still_named(ip):
    result, text = run(ip, "%%tape --grad y:x\nwith tape.stop_recording():\n    y = x**2")
    assert result.success
    assert "tape.stop_recording()" in text and "opened its own" not in text


def test_a_plot_cell_with_its_own_tapes_stays_quiet(ip):
    """chapter 04's training cell: --plot draws from the loop's own tapes, no note."""
    result, text = run(ip, TRAINING_LOOP.replace(" --grad loss:x", ""))
    assert result.success
    assert "opened its own" not in text and "Note" not in text


# -- finding 8: a --plot name that never got a value ---------------------------------------
LOOP = """%%tape --plot {name}
for epoch in range(3):
    with tf.GradientTape() as t:
        loss = x**2
    g = t.gradient(loss, x)
"""
PLOT_TYPO = {
    "en": ("--plot los: 'los' is not defined", "so the plot stayed empty",
           "Did you mean --plot loss?"),
    "zh": ("--plot los：'los' 没有定义", "所以曲线图是空的", "你是不是想写 --plot loss？"),
}
PLOT_UNKNOWN = {"en": "--plot zz: 'zz' is not defined", "zh": "--plot zz：'zz' 没有定义"}
PLOT_NO_GRADIENT = {"en": "--plot y: the plot stayed empty", "zh": "--plot y：曲线图是空的"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_typo_in_the_plot_name_is_said_with_the_close_name(ip, lang):
    with i18n.language(lang):
        result, text = run(ip, LOOP.format(name="los"))
    assert result.success
    for words in PLOT_TYPO[lang]:
        assert words in text, text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_plot_name_never_defined_or_never_differentiated_is_said(ip, lang):
    with i18n.language(lang):
        _r, unknown = run(ip, "%%tape --plot zz\ny = x * 2")
        _r, undiff = run(ip, "%%tape --plot y\ny = x * 2")
    assert PLOT_UNKNOWN[lang] in unknown and "--plot y" not in unknown, unknown
    assert PLOT_NO_GRADIENT[lang] in undiff and "tape.gradient(y, ...)" in undiff, undiff


def test_a_plot_that_drew_says_nothing_more(ip):
    for cell in (LOOP.format(name="loss"),
                 # the loss a local of a function the cell calls: found, drawn, no note
                 "%%tape --plot loss\ndef fit():\n    for i in range(2):\n"
                 "        with tf.GradientTape() as t:\n            loss = x**2\n"
                 "        t.gradient(loss, x)\nfit()"):
        ip.user_ns.pop("loss", None)
        result, text = run(ip, cell)
        assert result.success and "Note" not in text, text


# -- finding 14: a %%tape cell with nothing below its line ----------------------------------
EMPTY_BODY = {"en": "%%tape records the code of its cell, and this cell has none",
              "zh": "%%tape 记录的是它所在单元的代码，而这个单元里没有代码"}
HELP = {"en": ("-h, --help", "Examples:\n"), "zh": ("显示这段帮助", "示例：\n")}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("cell", ["%%tape --help", "%%tape -h\n", "%%tape --grad y:x --help"])
def test_help_alone_in_a_cell_shows_the_help(ip, cell, lang):
    with i18n.language(lang):
        result, text = run(ip, cell)
    assert result.success, result.error_in_exec
    assert "cell body is empty" not in text
    for words in HELP[lang]:
        assert words in text, text


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("cell", ["%%tape", "%%tape\n", "%%tape -n t3", "%%tape --grad y:x\n  \n"])
def test_an_empty_tape_cell_says_what_to_do_in_the_learners_language(ip, cell, lang):
    with i18n.language(lang):
        result, _text = run(ip, cell)
    err = result.error_in_exec
    assert type(err).__name__ == "UsageError"
    assert str(err).startswith(EMPTY_BODY[lang]) and "%%tape --grad y:x\ny = x ** 2" in str(err)
    assert "t3" not in ip.user_ns


def test_other_cell_magics_and_the_terminal_are_left_alone(ip):
    result, _text = run(ip, "%%time")
    assert "cell body is empty" in str(result.error_in_exec)  # IPython's own, not ours
    # the terminal still waits for the body of a %%tape cell
    manager = ip.input_transformer_manager
    assert manager.check_complete("%%tape --grad y:x\n")[0] == "incomplete"
    assert manager.check_complete("%%tape\n")[0] == "incomplete"
    assert "%%tape?" not in manager.transform_cell("%%tape?")  # still IPython's help


def test_unload_removes_the_input_transformer(ip):
    from adkernel import magics

    def ours():
        return [t for t in ip.input_transformers_cleanup if t is magics._empty_tape_cell]

    assert len(ours()) == 1
    ip.run_line_magic("reload_ext", "adkernel")
    assert len(ours()) == 1
    ip.run_line_magic("unload_ext", "adkernel")
    try:
        assert ours() == []
    finally:
        ip.run_line_magic("load_ext", "adkernel")
    assert len(ours()) == 1


# -- finding 15: the help has no reStructuredText left in it --------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_help_has_no_rst_markup(lang):
    from adkernel import magics

    with i18n.language(lang):
        text = magics.usage()
    assert "::" not in text and "``" not in text, text
    assert HELP[lang][1] in text


# -- finding 15: a failing body shows its error once, with no "TapeCellError" line after it ---
def _shown_errors(ip, monkeypatch, cell: str) -> tuple:
    """Run ``cell``; the result and the exception types IPython was asked to show."""
    import sys

    shown = []
    real = ip.showtraceback

    def spy(exc_tuple=None, *args, **kwargs):
        shown.append((exc_tuple or sys.exc_info())[0].__name__)
        return real(exc_tuple, *args, **kwargs)

    monkeypatch.setattr(ip, "showtraceback", spy)
    result, text = run(ip, cell)
    return result, shown, text


def test_a_failing_body_is_shown_once_and_the_cell_still_fails(ip, monkeypatch):
    before = (ip.custom_exceptions, ip.CustomTB)
    result, shown, text = _shown_errors(ip, monkeypatch, "%%tape --grad y:x\ny = x**2\n1/0")
    assert not result.success  # Jupyter, nbclient and "Run All" stop here
    assert type(result.error_in_exec).__name__ == "TapeCellError"
    assert shown == ["ZeroDivisionError"], shown  # the body's error, and nothing after it
    assert "ZeroDivisionError" in text and "TapeCellError" not in text
    # the handler that was there is back for the next cell, which shows its errors as ever
    assert (ip.custom_exceptions, ip.CustomTB) == before
    result, shown, _text = _shown_errors(ip, monkeypatch, "1/0")
    assert not result.success and shown == ["ZeroDivisionError"]
    assert "y" in ip.user_ns and "grads" not in ip.user_ns


def test_a_usage_error_after_the_body_is_still_shown(ip):
    result, text = run(ip, "%%tape --grad nope:x\ny = x * 2")
    assert type(result.error_in_exec).__name__ == "UsageError" and "nope" in text


@pytest.mark.slow
def test_a_real_kernel_sends_one_error_for_a_failing_tape_cell():
    from test_faults import _Kernel

    kernel = _Kernel()
    try:
        reply, errors, _ = kernel.run("%load_ext adkernel\nfrom adkernel import tf\n"
                                      "x = tf.Variable(1.0)")
        assert reply["status"] == "ok", errors
        reply, errors, _ = kernel.run("%%tape --grad y:x\ny = x * 2\n1/0")
        assert reply["status"] == "error"  # the cell is failed, as before
        assert len(errors) == 1 and "ZeroDivisionError" in errors[0], errors
        reply, errors, _ = kernel.run("1/0")  # the next cell's error is shown as usual
        assert reply["status"] == "error" and len(errors) == 1, errors
    finally:
        kernel.close()
