"""The ``%%tape`` magic and ``python -m adkernel`` in the learner's language (issue 16).

In Chinese mode the magic's errors, notes, gradient table and help are Chinese with every
identifier kept (option names, the learner's names, ``tape.gradient``); English is as before;
``run-tf`` and ``grade`` take ``--lang``. No kernel is started here.
"""

from __future__ import annotations

import re

import pytest
from IPython.utils.capture import capture_output
from lang_scan import english_words

from adkernel.engine import i18n

# Names every Chinese sentence here may carry: Python's own, the code's and the API's.
ALLOWED = ("None", "tape", "grads", "nope", "yes", "sum")  # the learner's names in the cells
# the command line's own names: commands, option values, metavars, a file extension
CLI = (*ALLOWED, "python", "run", "tf", "install", "kernel", "grade", "notebooks", "en", "zh",
       "auto", "each", "stem", "folder", "nbgrader", "S", "ipynb")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def ip(ipshell):
    ipshell.run_cell("from adkernel import tf\nx = tf.Variable(3.0)\nc = tf.constant(2.0)")
    ipshell.user_ns.pop("grads", None)
    return ipshell


def usage_error(ip, cell: str) -> str:
    with capture_output():
        result = ip.run_cell(cell)
    err = result.error_in_exec
    assert type(err).__name__ == "UsageError", err
    return str(err)


def chinese(text: str, allowed=ALLOWED) -> str:
    assert CJK.search(text), text
    assert english_words(text, allowed=allowed) == [], (english_words(text, allowed), text)
    return text


# ----- %%tape ------------------------------------------------------------------------------


def test_a_bad_option_is_chinese_and_names_the_option(ip, zh_mode):
    text = chinese(usage_error(ip, "%%tape --bogus\ny = x * 2"))
    assert "未知选项 '--bogus'" in text and "可用的选项" in text
    assert "-n/--name NAME" in text and "--grad" in text  # option names stay


def test_a_misspelt_option_suggests_the_right_one_in_chinese(ip, zh_mode):
    text = chinese(usage_error(ip, "%%tape --gard y:x\ny = x * 2"))
    assert "你是不是想写 --grad？" in text


def test_argparse_own_errors_are_chinese_too(ip, zh_mode):
    text = chinese(usage_error(ip, "%%tape -n\ny = x * 2"))
    assert "参数 -n/--name：需要一个值" in text
    text = chinese(usage_error(ip, "%%tape --graph=yes\ny = x * 2"))
    assert "--graph" in text and "'yes'" in text


@pytest.mark.parametrize("line, words", [
    ("--watch nope", ["'nope'", "没有定义", "tf.constant(2.0)"]),
    ("--grad 1y", ["'1y'", "不是合法的 Python 名字"]),
    ("--step", ["--step 需要 --grad TARGET"]),
    ("--watch 'a", ["引号没有闭合"]),
    ("-n sum", ["'sum'", "Python 自带的"]),
])
def test_more_usage_errors_are_chinese(ip, zh_mode, line, words):
    text = chinese(usage_error(ip, f"%%tape {line}\ny = x * 2"))
    for w in words:
        assert w in text


def test_a_second_gradient_on_a_tape_that_is_not_persistent(ip, zh_mode):
    text = chinese(usage_error(
        ip, "%%tape --grad y:x --no-graph\ny = x * x\ntape.gradient(y, x)"))
    assert "tape.gradient" in text and "-p" in text and "%%tape -p --grad" in text
    assert "非持久梯度带只能给出一次梯度" in text


def _help_prose(text: str) -> str:
    """The help without IPython's own headers and without the example code block."""
    prose = text.split("示例：")[0] if "示例：" in text else text
    return "\n".join(line for line in prose.splitlines()
                     if not line.startswith(("Docstring:", "File:", "Type:")))


def test_tape_help_is_chinese_with_the_option_names(ip, zh_mode):
    with capture_output() as out:
        ip.run_cell("%%tape?\npass")
    shown = out.stdout
    assert "用法：%%tape" in shown and "选项：" in shown
    assert "-o NAME, --out NAME" in shown and "--no-graph" in shown
    assert "显示这段帮助" in shown and "%%tape --grad y:x" in shown  # the examples stay code
    chinese(_help_prose(shown))
    with capture_output() as out:
        ip.run_cell("%%tape --help\npass")
    assert out.stdout.count("用法：%%tape") == 1
    chinese(_help_prose(out.stdout))


def test_the_gradient_table_and_its_none_row(ip, zh_mode):
    with capture_output() as out:
        result = ip.run_cell("%%tape --grad y:c --no-graph\ny = c * x")
    assert result.success
    table = "".join(o.data.get("text/plain", "") for o in out.outputs)
    assert table.startswith("梯度") and "值" in table.splitlines()[0]
    assert "dy/dc" in table and "None" in table and "--watch c" in table
    from adkernel.magics import GradientTable

    assert "<th>梯度</th><th>值</th>" in GradientTable("y", [("x", None)])._repr_html_()
    reason = table.split("None", 1)[1]
    if english_words(reason, allowed=ALLOWED):  # tape.explain's words are engine.po's
        pytest.xfail("tape.explain is not in Chinese on this branch yet (engine.po)")
    chinese(table)


def test_overwriting_the_learners_grads_is_announced_in_chinese(ip, zh_mode):
    ip.run_cell("grads = [1, 2, 3]")
    with capture_output() as out:
        result = ip.run_cell("%%tape --grad y:x --no-graph\ny = x * 2")
    assert result.success
    note = chinese(out.stderr.strip())
    assert note.startswith("注意：'grads' 原来存着你自己的 list") and "-o dy" in note


def test_switching_language_between_two_cells(ip):
    i18n.set_language("zh")
    zh = usage_error(ip, "%%tape --gard y:x\ny = x")
    i18n.set_language("en")
    en = usage_error(ip, "%%tape --gard y:x\ny = x")
    assert "你是不是想写" in zh
    assert en.startswith("%%tape: unknown option '--gard'; did you mean --grad? Valid options:")
    assert not CJK.search(en)


def test_english_is_unchanged(ip):
    from adkernel import magics

    text = magics.usage()
    assert text.startswith("usage: %%tape [-n NAME]") and "\noptions:\n" in text
    assert "show this help" in text and "\nExamples:\n" in text and not CJK.search(text)
    assert usage_error(ip, "%%tape -n\ny = x") == (
        "%%tape: argument -n/--name: expected one argument. Valid options: "
        + magics.OPTIONS)
    with capture_output() as out:
        ip.run_cell("%%tape --grad y:c --no-graph\ny = c * x")
    table = "".join(o.data.get("text/plain", "") for o in out.outputs)
    assert table.startswith("gradient  value\ndy/dc     None")


def test_argparse_messages_round_trip_in_english():
    from adkernel._argparse import translate_argparse_message

    for message in ["argument -n/--name: expected one argument",
                    "argument --graph: ignored explicit argument 'x'",
                    "the following arguments are required: SUBMISSION",
                    "argument --lang: invalid choice: 'fr' (choose from 'en', 'zh')",
                    "argument --jobs/-j: invalid int value: 'x'",
                    "unrecognized arguments: --what",
                    "something argparse says that we do not know"]:
        assert translate_argparse_message(message) == message
    with i18n.language("zh"):
        assert translate_argparse_message(
            "argument --lang: invalid choice: 'fr' (choose from 'en', 'zh')") == (
            "参数 --lang：无效的选择：'fr'（可选：'en', 'zh'）")


# ----- python -m adkernel ------------------------------------------------------------------


def _help(capsys, argv) -> str:
    from adkernel.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", [["grade", "--lang", "zh", "--help"],
                                  ["run-tf", "--lang=zh", "--help"],
                                  ["install-kernel", "--help"]])
def test_cli_help_in_chinese(capsys, argv):
    if "--lang" not in " ".join(argv):
        i18n.set_language("zh")
    text = _help(capsys, argv)
    assert text.startswith("用法：python -m adkernel") and "选项：" in text
    assert "显示这段帮助并退出" in text
    chinese(text, CLI)


def test_cli_help_in_english_is_unchanged(capsys):
    text = _help(capsys, ["grade", "--help"])
    assert text.startswith("usage: python -m adkernel grade") and "\noptions:\n" in text
    assert "seconds per cell (default: 60)" in text and "--lang {en,zh}" in text
    assert not CJK.search(text)
    text = _help(capsys, ["run-tf", "--help"])
    assert "--lang {en,zh}" in text and not CJK.search(text)


def test_grade_lang_sets_the_language_of_what_it_prints(tmp_path, capsys):
    from adkernel import grade

    assert grade.main([str(tmp_path / "missing"), "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "没有这个文件或文件夹" in err
    assert grade.main([str(tmp_path / "missing"), "--lang", "en"]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--lang", "fr"])
    assert "无效的选择" not in capsys.readouterr().err  # no --lang zh: adkernel's setting (en)
    assert i18n.get_language() == "en"  # --lang does not outlive the command


def test_grade_table_and_states_in_chinese():
    from adkernel import grade

    rows = [grade.Row("ada", "ch02", "ch02.q1", grade.CORRECT, "", "a.ipynb"),
            grade.Row("bo", "ch02", "ch02.q2", grade.NOT_ATTEMPTED, "还没有作答", "b.ipynb")]
    with i18n.language("zh"):
        table = grade.format_table(rows)
    assert table.splitlines()[0].split() == ["学习者", "章", "练习", "状态", "反馈"]
    assert "尚未作答" in table and "2 份提交，2 行：正确 1，还不对 0，尚未作答 1" in table
    assert rows[1].state == "not attempted"  # the data (CSV, Row.state) stays as it is
    assert grade.format_table(rows).splitlines()[0].split() == [
        "learner", "chapter", "exercise", "state", "feedback"]


def test_run_tf_report_in_chinese():
    from adkernel import run_tf

    report = run_tf.NotebookReport("nb.ipynb", imports_replaced=1, shell_lines=1)
    report.cells = [run_tf.CellResult(0, "ok", "import tensorflow as tf"),
                    run_tf.CellResult(1, "failed", "tf.data.Dataset", "OutOfScopeError: ...",
                                      run_tf._hint("OutOfScopeError", "tf.data ..."))]
    english = report.text()
    assert english.startswith("nb.ipynb: 1 of 2 code cells ran on adkernel (1 TensorFlow "
                              "import(s) replaced, 1 shell line(s) not run)")
    assert "ok     import tensorflow as tf" in english
    with i18n.language("zh"):
        report.cells[1].hint = run_tf._hint("OutOfScopeError", "tf.data ...")
        text = report.text()
    assert text.startswith("nb.ipynb：2 个代码单元中有 1 个在 adkernel 上运行成功")
    assert "通过   import tensorflow as tf" in text and "失败" in text
    assert "按设计不在 adkernel 的范围内（docs/tf-compat.md）" in text


def test_run_tf_accepts_lang():
    from adkernel import run_tf

    args = run_tf.make_parser().parse_args(["--lang", "zh", "a.ipynb"])
    assert args.lang == "zh" and args.notebooks == ["a.ipynb"]
    assert run_tf.make_parser().parse_args(["a.ipynb"]).lang is None
