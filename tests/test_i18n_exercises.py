"""The exercise checker in the learner's language (issue 16).

For every exercise: its check on wrong answers (the ones tests/test_exercises.py knows,
and junk values), on the untouched starter and before the answer cell ran, its hints and
its solution read in Chinese with no English word, and in English with no Chinese
character. Feedback renders in an explicit language whatever the current one is (the
grader renders in its ``--lang``), and the progress table follows the language too.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from lang_scan import cjk_characters, code_identifiers, english_words, texts_of_html
from test_exercises import ALL, SETUP, WRONG, run

from adkernel.engine import i18n
from adkernel.exercises import CHAPTERS, ch00, ch01, ch02, ch06, problems, progress, settings
from adkernel.exercises._core import MSG
from adkernel.exercises._feedback import Feedback, lazy, render

JUNK = [3.25, "6.5", None, float("nan"), [1.0, 2.0], {"a": 1}, True]


pytestmark = pytest.mark.usefixtures("checker_sandbox")


def _feedbacks(problem):
    """Everything one exercise can say: placeholder, not run, wrong answers, hints, solution."""
    out = [("starter", run(problem, problem.starter), problem.starter)]
    out.append(("not run", run(problem), ""))
    for i, (p, answer, _expected) in enumerate(WRONG):
        if p is problem:
            code = answer if isinstance(answer, str) else ""
            fb = run(problem, answer) if isinstance(answer, str) else run(problem, **answer)
            out.append((f"wrong {i}", fb, code + repr(answer)))
    for junk in JUNK:
        fb = run(problem, **{name: junk for name in problem.names})
        out.append((f"junk {junk!r}", fb, ""))
    for k in range(1, len(problem.hints) + 2):  # the last one: "there are only n hints"
        out.append((f"hint {k}", problem.hint_feedback(k), ""))
    out.append(("solution", problem.solution_feedback(), ""))
    return out


def _prose(fb: Feedback, lang: str | None = None) -> list[str]:
    """The words of a feedback box as a learner reads them: text and HTML, code left out.

    Code is code in every language: the solution's code block, and `code spans`.
    """
    plain = fb.to_text(lang)
    if fb.code:
        plain = plain.replace("\n".join("    " + ln for ln in fb.code.splitlines()), "")
    markup = re.sub(r"<pre\b.*?</pre>|<code>.*?</code>", " ", fb.to_html(lang), flags=re.S)
    html = "\n".join(texts_of_html(markup))
    return [re.sub(r"`[^`]*`", " ", plain), html]


def _allowed(problem, extra: str = "") -> set[str]:
    """The learner's names: what the exercise's code (and a wrong answer's code) defines."""
    code = SETUP.get(problem.chapter, "") + problem.starter + "\n" + problem.solution_code
    names = code_identifiers(code) | set(problem.names)
    names |= set(re.findall(r"[A-Za-z_]\w*", extra))  # a wrong answer's own code and values
    return names


# An exception the learner's code raised is quoted as it was raised, ``TypeError: ...``:
# Python's own messages are English in every language, adkernel's are the engine's words.
_QUOTED_ERROR = re.compile(r"\b[A-Z]\w*(?:Error|Exception): [^（）\n]*")
@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.key)
def test_every_exercise_speaks_chinese_without_english_words(problem, zh_mode):
    leaks = []
    said = 0
    for what, fb, extra in _feedbacks(problem):
        allowed = _allowed(problem, extra)
        for text in _prose(fb):
            text = _QUOTED_ERROR.sub(" ", text)
            words = english_words(text, allowed)
            if words:
                leaks.append(f"{what}: {words[:8]} in {text[:200]!r}")
            said += bool(cjk_characters(text))
    assert leaks == [], f"{problem.key}:\n" + "\n".join(leaks)
    assert said


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.key)
def test_every_exercise_speaks_english_without_chinese(problem):
    leaks = []
    for what, fb, _extra in _feedbacks(problem):
        for text in _prose(fb):
            found = cjk_characters(text)
            if found:
                leaks.append(f"{what}: {''.join(found[:20])} in {text[:200]!r}")
    assert leaks == [], f"{problem.key}:\n" + "\n".join(leaks)


def test_solution_code_is_code_and_its_prose_is_translated(zh_mode):
    sol = ch01.q1.solution_feedback()
    assert sol.code == ch01.q1.solution_code  # code stays code
    assert "参考答案" in sol.to_text() and "中心差分" in sol.to_text()
    assert "return (f(x + h) - f(x - h)) / (2 * h)" in sol.to_html()


def test_labels_hints_and_notes_in_chinese(zh_mode):
    wrong = run(ch00.q1, slope=3.25)
    assert wrong.to_text().startswith("✘ 第 1 题 · 还不对")
    assert "尚未作答" in run(ch00.q1).to_text()
    assert "正确" in run(ch00.q1, slope=6.5).to_text()
    h1 = ch02.q1.hint_feedback(1).to_text()
    assert "第 1 题 · 提示 1/2" in h1 and "（下一条：`hint(2)`）" in h1
    assert "本题只有 2 条提示" in ch02.q1.hint_feedback(3).text
    assert "一个列表（2 项）：[1.0, 2.0]" in run(ch00.q1, slope=[1.0, 2.0]).text


def test_switching_language_between_two_calls_changes_the_feedback():
    fb = run(ch00.q1, slope=3.25)
    english = fb.to_text()
    assert "Not quite" in english and not cjk_characters(english)
    i18n.set_language("zh")
    chinese = fb.to_text()
    assert "还不对" in chinese and chinese != english
    i18n.set_language("en")
    assert fb.to_text() == english


def test_render_in_an_explicit_language_whatever_the_current_one(zh_mode):
    fb = run(ch00.q1, slope=[1.0, 2.0])  # a message with a nested message (the description)
    zh = render(fb.message)
    en = render(fb.message, "en")
    assert "一个列表" in zh and not cjk_characters(en) and "a list of 2 items" in en
    assert fb.to_text("en").startswith("✘ Question 1 · Not quite")
    assert not cjk_characters(fb.to_html("en"))
    i18n.set_language("en")
    assert render(fb.message, "zh") == zh
    assert fb.to_text("zh").startswith("✘ 第 1 题 · 还不对")
    assert "Not quite" in fb.to_text()  # the current language is untouched
    with i18n.language("zh"):  # the grader's per-thread context renders the same
        assert render(fb.message) == zh


def test_a_timeout_renders_in_both_languages():
    fb = ch02.q1.evaluate({"derivative_at": _forever})
    assert fb.message.text is MSG.timeout  # what grade.py looks for
    assert "still running after 2 s" in render(fb.message, "en")
    assert "你的代码运行了 2 秒还没有结束" in render(fb.message, "zh")


def _forever(x0):
    while True:
        pass


def test_a_lazy_message_binds_values_and_renders_later():
    msg = lazy("Hint {k} of {n}")(k=1, n=2)
    assert str(msg) == "Hint 1 of 2"
    assert render(msg, "zh") == "提示 1/2"
    i18n.set_language("zh")
    assert str(msg) == "提示 1/2" and str(lazy("Correct")) == "正确"
    assert f"{lazy('Correct')}" == "正确"


def test_progress_table_and_its_tooltips_follow_the_language(zh_mode):
    run(ch00.q1, slope=6.5)
    run(ch01.q2, best_h=1.0)
    report = progress()
    text = report.to_text()
    total = sum(len(problems(key)) for key, _file, _title in CHAPTERS)
    assert text.startswith(f"进度：已完成 1/{total} 道练习")
    html = report.to_html()
    seen = texts_of_html(html)
    for tip in ("正确", "还不对", "尚未作答"):
        assert tip in seen
    assert "什么是自动微分？" in seen
    assert english_words(" ".join(seen)) == []
    english = report.to_html("en")
    assert "What is automatic differentiation?" in english and 'title="not attempted"' in english
    assert not cjk_characters(report.to_text("en") + english)


def test_progress_file_problems_are_reported_in_chinese(tmp_path, zh_mode):
    (tmp_path / "progress.json").write_text("{not json")
    fb = run(ch00.q1, slope=6.5)
    note = render(fb.notes[0])
    assert "进度文件已损坏" in note and "不是有效的 JSON" in note
    assert "moved to" in render(fb.notes[0], "en")


def test_settings_errors_speak_the_learners_language(zh_mode):
    with pytest.raises(TypeError, match="time_limit 是秒数"):
        settings.time_limit = "soon"
    with pytest.raises(ValueError, match="time_limit 必须是正的秒数"):
        settings.time_limit = -1


def test_a_named_value_is_translated_inside_its_message(zh_mode):
    ns = {"round_st": lambda x: np.round(x)}  # numpy: no tape, the gradient is None
    text = run(ch06.q2, **ns).text
    assert "梯度" in text and english_words(re.sub(r"`[^`]*`", " ", text), {"round_st"}) == []
