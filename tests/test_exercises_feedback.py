"""Feedback that never misleads, and hints that lead without giving the answer (issue 17).

Each wrong answer below is one a learner wrote (or plausibly writes). Its feedback must name
the actual mistake and the next step, in English and in Chinese, and must not show the text
the learner used to get for it, which recommended what the answer already did (e.g. "call
tape.watch(x)" to someone who had called it). The mistakes are told apart by what the
learner's code does when the check runs it, not by reading its source.
"""

from __future__ import annotations

import difflib
import math
import re
import warnings

import pytest
from lang_scan import cjk_characters, english_words
from test_exercises import ALL, run
from test_i18n_exercises import (
    _QUOTED_ERROR,
    _allowed,
    _prose,
)

from adkernel import tf
from adkernel.engine import i18n
from adkernel.exercises import ch00, ch01, ch02, ch03, ch06, ch07
from adkernel.exercises._core import gradient_facts
from adkernel.exercises._feedback import lazy, render

pytestmark = pytest.mark.usefixtures("checker_sandbox")


GRAD_OF_GLOBAL_Y = """
y = tf.constant(5.0) * 2   # an earlier cell left a y behind
def grad_of(f, x0):
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
    return tape.gradient(y, x)
"""
GRAD_OF_RESULT_DROPPED = """
y = tf.constant(5.0) * 2
def grad_of(f, x0):
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        f(x)
    return tape.gradient(y, x)
"""
Q3 = ch03.q3.solution_code
Q6 = ch06.q2.solution_code
Q7 = ch07.q1.solution_code
D1 = ch02.q1.solution_code

# (problem, the learner's answer: code or names, what the diagnosis must say in English,
#  the same in Chinese, the misleading text it used to get: English, Chinese)
OLD_07 = ("the tape did not watch x", "梯度带没有监视 x")
OLD_03Q3 = ("must run inside the outer", "必须在外层 `with` 块内执行")
OLD_03Q1 = ("these are not the partial derivatives", "它们不是 z = x²·y + y³")
OLD_02 = ("Either y was computed outside", "可能 y 是在 `with` 块之外计算的")
OLD_01 = ("You chose 'forward'", "你选择了前向模式")
RAW_SHAPE = ("ShapeError", "ShapeError")
FIXED = [
    # 07 q1: y silently picks up a global from an earlier cell
    (
        ch07.q1,
        GRAD_OF_GLOBAL_Y,
        ["never calls f", "not computed inside the `with` block", "global"],
        ["从没调用 f", "不是在 `with` 块之内算出来的", "全局变量"],
        OLD_07,
    ),
    (
        ch07.q1,
        GRAD_OF_RESULT_DROPPED,
        ["not the result of the f(x)", "another y", "global"],
        ["不是你的函数算出的 f(x) 的结果", "另一个 y", "全局变量"],
        OLD_07,
    ),
    # 07 q1: tape.gradient(x, y)
    (
        ch07.q1,
        Q7.replace("tape.gradient(y, x)", "tape.gradient(x, y)"),
        ["arguments of `tape.gradient` are swapped", "The first argument is the target"],
        ["两个参数写反了", "第一个参数是目标"],
        OLD_07,
    ),
    (
        ch07.q1,
        Q7.replace("y = f(x)", "y = f(x0)"),
        ["f was called on the plain number x0", "Call f on the tensor x"],
        ["f 是对普通数字 x0 调用的", "请对张量 x 调用 f"],
        OLD_07,
    ),
    (
        ch07.q1,
        Q7.replace("        y = f(x)\n", "    y = f(x)\n"),
        ["computed after the `with` block had ended"],
        ["在 `with` 块结束之后才计算的"],
        OLD_07,
    ),
    # the one case where "watch x" is the right next step: it is still said
    (
        ch07.q1,
        Q7.replace(
            "        tape.watch(x)\n        y = f(x)\n", "        y = f(x)\n        tape.watch(x)\n"
        ),
        ["the tape was not watching x", "`tape.watch(x)`, called before f(x)"],
        ["梯度带并没有监视 x", "要在 f(x) 之前"],
        ("never calls f", "从没调用 f"),
    ),
    # 03 q3: outer.gradient(dz_dy, x), the rest right
    (
        ch03.q3,
        Q3.replace("outer.gradient(dz_dy, y)", "outer.gradient(dz_dy, x)"),
        ["wrong variable", "with respect to y", "did record the inner gradient"],
        ["错误的变量", "对 y 求", "确实记录了内层梯度"],
        OLD_03Q3,
    ),
    (
        ch03.q3,
        Q3.replace("    dz_dy = inner", "dz_dy = inner"),
        ["ran after the outer `with` block had ended", "Indent the line"],
        ["在外层 `with` 块结束之后才执行", "缩进到外层 `with` 之下"],
        OLD_03Q3,
    ),
    (
        ch03.q3,
        Q3.replace("inner.gradient(z, y)", "inner.gradient(z, x)"),
        ["`dz_dy` is 4 = 2x", "with respect to x"],
        ["`dz_dy` 是 4 = 2x", "对 x 求的"],
        OLD_03Q3,
    ),
    (
        ch03.q3,
        Q3.replace("inner.gradient(z, y)", "inner.gradient(z, x)").replace(
            "outer.gradient(dz_dy, y)", "outer.gradient(dz_dy, x)"
        ),
        ["d²z/dx²", "with respect to y"],
        ["d²z/dx²", "都是对 y"],
        ("not the second derivative", "不是 z 在 y = 3 处对 y 的二阶导数"),
    ),
    # 06 q2: the gradient function returns 1.0 instead of upstream
    (
        ch06.q2,
        Q6.replace("return upstream", "return 1.0"),
        ["returns 1, of shape ()", "x of shape (4,)", "one gradient per element of x"],
        ["返回了 1，形状为 ()", "形状为 (4,) 的 x", "每个元素返回一个梯度"],
        RAW_SHAPE,
    ),
    (
        ch06.q2,
        Q6.replace("return upstream", "return tf.reduce_sum(upstream)"),
        ["of shape ()", "one gradient per element of x"],
        ["形状为 ()", "每个元素返回一个梯度"],
        RAW_SHAPE,
    ),
    # 02 q1: tape.gradient(x, y)
    (
        ch02.q1,
        D1.replace("tape.gradient(y, x)", "tape.gradient(x, y)"),
        ["arguments of `tape.gradient` are swapped", "the target, what you differentiate (y)"],
        ["两个参数写反了", "第一个参数是目标"],
        OLD_02,
    ),
    (
        ch02.q1,
        D1.replace("        y = x**3 - 2 * x\n", "        pass\n    y = x**3 - 2 * x\n"),
        ["the tape did not record the y you differentiate", "The tape says: "],
        ["梯度带没有记录你求导的那个 y", "梯度带的解释："],
        OLD_02,
    ),
    # 03 q1: only one of the two values is wrong
    (
        ch03.q1,
        dict(grads={"x": 12.0, "y": 30.0}),
        ["`grads['x']` is right, but `grads['y']` = 30", "∂z/∂y"],
        ["`grads['x']` 是对的，但 `grads['y']` = 30", "∂z/∂y"],
        OLD_03Q1,
    ),
    (
        ch03.q1,
        dict(grads={"x": 8.0, "y": 31.0}),
        ["`grads['y']` is right, but `grads['x']` = 8", "∂z/∂x"],
        ["`grads['y']` 是对的，但 `grads['x']` = 8", "∂z/∂x"],
        OLD_03Q1,
    ),
    (
        ch03.q1,
        dict(grads=[12.0, 31.0]),
        ["`grads` is a list of 2 items", "dict of sources"],
        ["`grads` 是一个列表（2 项）"],  # no stray space between 是 and 一个列表
        ("is a list of 2 items: [12.0, 31.0]. Use", "是 一个列表"),
    ),
    # 01 q3: the chosen mode is named as the wrong one
    (
        ch01.q3,
        dict(mode="forward", forward_passes=1000, reverse_passes=1),
        ["`mode` = 'forward' is the wrong mode", "Choose the mode with fewer passes"],
        ["`mode` = 'forward' 在这里是错误的模式", "请选遍数更少的模式"],
        OLD_01,
    ),
    (
        ch01.q3,
        dict(mode="forward", forward_passes=1, reverse_passes=1000),
        ["two counts are swapped", "`mode` = 'forward' is the wrong mode too"],
        ["两个遍数写反了", "也选错了模式"],
        OLD_01,
    ),
    (
        ch01.q3,
        dict(mode="forward", forward_passes=2, reverse_passes=1),
        ["`forward_passes` is 2", "`mode` = 'forward' is the wrong mode too"],
        ["`forward_passes` 是 2", "也选错了模式"],
        OLD_01,
    ),
    (
        ch01.q3,
        dict(mode="reverse", forward_passes=2, reverse_passes=1),
        ["`forward_passes` is 2"],
        ["`forward_passes` 是 2"],
        ("wrong mode", "错误的模式"),
    ),
]


@pytest.mark.parametrize(
    "problem, answer, en, zh, old",
    FIXED,
    ids=[f"{p.key}-{i}" for i, (p, *_rest) in enumerate(FIXED)],
)
def test_the_diagnosis_names_the_mistake_in_both_languages(problem, answer, en, zh, old):
    fb = run(problem, answer) if isinstance(answer, str) else run(problem, **answer)
    assert fb.state == "incorrect"
    english, chinese = render(fb.message, "en"), render(fb.message, "zh")
    for words in en:
        assert words in english, english
    for words in zh:
        assert words in chinese, chinese
    assert old[0] not in english, english
    assert old[1] not in chinese, chinese
    assert "Your code raised" not in english  # a diagnosis, not a raw exception
    assert not cjk_characters(english)


@pytest.mark.parametrize(
    "problem, answer",
    [(p, a) for p, a, *_rest in FIXED],
    ids=[f"{p.key}-{i}" for i, (p, *_r) in enumerate(FIXED)],
)
def test_the_diagnoses_speak_chinese_without_english_words(problem, answer, zh_mode):
    """The same scan as tests/test_i18n_exercises.py, on the wrong answers of this file."""
    fb = run(problem, answer) if isinstance(answer, str) else run(problem, **answer)
    code = answer if isinstance(answer, str) else ""
    allowed = _allowed(problem, code + repr(answer))
    for text in _prose(fb):
        text = _QUOTED_ERROR.sub(" ", text)
        assert english_words(text, allowed) == [], text
        assert cjk_characters(text)


def test_the_fixed_answers_pass():
    """The right answers next to the wrong ones above are still right."""
    for problem in (ch01.q3, ch02.q1, ch03.q1, ch03.q3, ch06.q2, ch07.q1):
        assert run(problem, problem.solution_code).state == "correct", problem.key


def test_gradient_facts_tell_a_swapped_call_and_a_stray_target_apart():
    """What a ``tape.gradient`` call was asked, as plain data (what the diagnoses use)."""
    from adkernel.engine import tape as engine_tape

    seen = []
    x = tf.constant(2.0)
    stray = tf.constant(1.0) * 3  # made before the tape: not on it
    engine_tape.hooks.on_gradient.append(lambda t, tp: seen.append(gradient_facts(t, tp)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the engine explains each None: not the point
            for target_of in (lambda y: y, lambda y: x, lambda y: stray):
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    y = x * x
                tape.gradient(target_of(y), x)
    finally:
        engine_tape.hooks.on_gradient.pop()
    right, swapped, other = seen
    assert right["target_recorded"] and not right["target_watched"]
    assert swapped["target_watched"] and not swapped["target_recorded"]
    assert not other["target_watched"] and not other["target_recorded"]
    assert right["ops_recorded"] == 1
    assert right["target_value"] == 4.0  # the value differentiated (a loss, in ch04)
    assert other["target_value"] == 3.0


def test_course_names_are_what_the_solution_reads_from_cells_above():
    """The names an answer takes from the course's earlier cells, read off the solution:
    globals it reads and does not define (no builtins, no attributes, no locals)."""
    from adkernel.exercises import ch04
    from adkernel.exercises._core import course_names

    assert ch04.q1.course_names == {"W_start", "b_start", "X", "y", "tf"}
    assert ch06.q1.course_names == {"Value", "topological_order"}
    assert course_names("def f(a):\n    b = g(a)\n    return len(b)\nh = f(k)\nprint(h)\n") == {
        "g", "k"}
    assert course_names("def f(:") == frozenset()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_cell_above_never_run_is_not_checked_but_a_typo_is_wrong(lang):
    """Outside IPython too (the names read by the learner's function, when the checker calls
    it): a NameError of a name an earlier course cell defines is "not checked, run the cells
    above"; a NameError of the learner's own typo stays a wrong answer."""
    from adkernel.exercises import ch04

    i18n.set_language(lang)
    try:
        ns = {"tf": tf, "____": None}  # the set-up cell ran, the data cell did not
        exec(ch04.q1.solution_code, ns)
        fb = ch04.q1.evaluate(ns)
        assert fb.state == "stale", fb.text
        assert "`W_start`" in fb.text
        assert ("earlier cell" if lang == "en" else "前面的一个单元格") in fb.text
        assert "NameError" not in fb.text
        typo = run(ch04.q1, ch04.q1.solution_code.replace("W * X", "Ww * X"))
        assert typo.state == "incorrect", typo.text
        assert "NameError" in typo.text and "Ww" in typo.text
    finally:
        i18n.set_language(None)
    judged = ch04.q1.judge({"format": 1, "key": "ch04.q1", "status": "setup",
                            "name": "X", "outputs": []})
    assert judged.state == "stale"
    assert "`X`" in render(judged.message, "en") and "`X`" in render(judged.message, "zh")
    assert render(judged.message, "en") != render(judged.message, "zh")


# -- hints lead, solutions give ---------------------------------------------------------
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:e-?\d+)?|\w+|\*\*|\S")


def _tokens(text: str) -> list[str]:
    text = text.replace("−", "-").replace("'", '"')  # the same code, typeset or not
    return _TOKEN.findall(text)


def _fills(problem) -> list[str]:
    """What the solution writes in place of each ``____`` of the starter.

    Lines of the starter and the solution are aligned; a starter line with blanks and its
    solution line give the text that replaced each blank; a blank standing for several
    lines (a loop body) gives each of those lines.
    """
    starter = problem.starter.splitlines()
    solution = problem.solution_code.splitlines()
    out = []
    matcher = difflib.SequenceMatcher(a=starter, b=solution, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = starter[i1:i2], solution[j1:j2]
        if len(old) == len(new):
            for a, b in zip(old, new, strict=True):
                pattern = "^" + "(.+?)".join(map(re.escape, a.split("____"))) + "$"
                m = re.match(pattern, b)
                out.extend(m.groups() if m else [b.strip()])
        else:
            out.extend(line.strip() for line in new)
    return [f.strip() for f in out if f.strip()]


def _runs(a: list[str], b: list[str]):
    """Every common contiguous run of tokens of ``a`` and ``b`` that cannot grow (as lists)."""
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a)):
        for j in range(len(b)):
            if a[i] == b[j]:
                lengths[i + 1][j + 1] = lengths[i][j] + 1
    for i in range(len(a)):
        for j in range(len(b)):
            n = lengths[i + 1][j + 1]
            if n and (i + 1 == len(a) or j + 1 == len(b) or a[i + 1] != b[j + 1]):
                yield a[i + 1 - n : i + 1]


def _contains(seq: list[str], run: list[str]) -> bool:
    return any(seq[k : k + len(run)] == run for k in range(len(seq) - len(run) + 1))


def gives_away(hint: str, fill: str, starter: str) -> bool:
    """Does ``hint`` hand over ``fill``, the code the solution writes for one blank?

    A fill of three tokens or more (``tape.watch(x)`` is six: tape . watch ( x )) is given
    away when the hint repeats most of it in order: a run of at least max(3, 60 %) of its
    tokens, not counting runs the starter already shows. So the hint may name the method
    (`watch`, `tape.gradient`) or the maths (∂z/∂y = x² + 3y²), but not write the call
    with its arguments, nor most of an expression (``(3.5**2 - 3**2) / 0.5`` is 10 of the
    15 tokens of ``(3.5**2 - 3**2) / (3.5 - 3)``). A shorter fill (a number such as
    ``1e-5``, a name such as ``upstream``) is given away when a `code span` of the hint is
    exactly that fill; a word in the prose ("reverse mode", "the upstream gradient") is
    the concept the exercise teaches, not its code.
    """
    fill_tokens = _tokens(fill)
    if len(fill_tokens) < 3:
        spans = re.findall(r"`([^`]+)`", hint)
        return any(_tokens(s) == fill_tokens for s in spans)
    need = max(3, math.ceil(0.6 * len(fill_tokens)))
    starter_tokens = _tokens(starter)
    return any(
        len(run) >= need and not _contains(starter_tokens, run)
        for run in _runs(_tokens(hint), fill_tokens)
    )


def test_the_give_away_check_has_teeth():
    """The hints that used to be the answer are recognised as such; fair hints are not."""
    old = [
        (ch00.q1, "In Python: `(3.5**2 - 3**2) / 0.5`."),
        (ch01.q1, "The run between those two points is 2h: `(f(x + h) - f(x - h)) / (2 * h)`."),
        (ch02.q1, "After the `with` block, return `tape.gradient(y, x)`."),
        (ch02.q2, "Replace `____` by `tape.watch(x)`: it must come before `y = x ** 2`."),
        (ch03.q1, "`tape.gradient(z, {'x': x, 'y': y})`. By hand: ∂z/∂x = 2xy."),
        (ch03.q2, "`tape.jacobian(F, v)`."),
        (ch03.q3, "Then `outer.gradient(dz_dy, y)`."),
        (ch06.q2, "Straight through means the gradient function returns `upstream` unchanged."),
        (ch07.q1, "Write `tape.watch(x)` and `y = f(x)`."),
    ]
    for problem, hint in old:
        assert any(gives_away(hint, f, problem.starter) for f in _fills(problem)), hint
    fair = [
        (ch02.q1, "After the `with` block, ask the tape for the gradient: `tape.gradient`."),
        (ch06.q2, "`grad` receives the upstream gradient and returns what flows on to x."),
        (ch01.q3, "Forward mode fills the Jacobian column by column; reverse mode row by row."),
    ]
    for problem, hint in fair:
        assert not any(gives_away(hint, f, problem.starter) for f in _fills(problem)), hint


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.key)
def test_no_hint_gives_the_solution_away(problem):
    """``hint()`` and ``hint(2)`` narrow the way; only ``solution()`` shows the code."""
    fills = _fills(problem)
    assert fills, problem.key  # the solution does fill the blanks
    for k, message in enumerate(problem.hints, 1):
        for lang in ("en", "zh"):
            text = render(message, lang)
            given = [f for f in fills if gives_away(text, f, problem.starter)]
            assert not given, f"{problem.key} hint({k}) [{lang}] gives away {given}: {text}"


def test_hint_two_still_narrows_the_way():
    """A hint that says nothing would pass the test above: the second hint of each exercise
    says more than the first (it is longer, and it is not the first one again)."""
    for problem in ALL:
        assert len(problem.hints) >= 2, problem.key
        first, second = (render(h, "en") for h in problem.hints[:2])
        assert second != first and len(second) > 40, problem.key


def test_a_value_that_is_chinese_text_gets_no_stray_space():
    """``是 {found}`` keeps its space before a number, not before a Chinese description."""
    msg = lazy(
        "`grads` is {found}. Pass a dict of sources, `{{'x': x, 'y': y}}`, and the tape "
        "returns a dict with the same keys."
    )
    assert "是 3.25" in render(msg(found="3.25"), "zh")
    assert "是一个列表" in render(msg(found=lazy("a list")), "zh")


def test_chinese_wording_of_the_nested_tapes_hint():
    """Issue 17's wording: the inner gradient is computed 在外层 with 块之内."""
    assert "在外层 `with` 块之内计算" in render(ch03.q3.hints[1], "zh")
    assert "在仍处于外层" not in render(ch03.q3.hints[1], "zh")
