"""Security (issue 9): everything reaching HTML/SVG is escaped and well-formed, whatever the
learner's names and values hold; the package opens no network connection and evaluates no
string but the learner's own cell."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import adkernel
from adkernel import tf
from adkernel._escape import escape, printable

HOSTILE = [
    '<script>alert("x")</script>',
    "a\x00b\x07c\x1b[31m",
    "lone \ud800 and \udcff surrogates",
    "]]><!-- --> &amp; &#0; \ufffe\uffff",
    "名字 ｙ 𝔵 \u202e reversed",
    "quote ' \" ` done",
]


def _well_formed(fragment: str) -> None:
    fragment.encode("utf-8")  # lone surrogates would fail here (and in the kernel's JSON)
    ET.fromstring(f"<div>{fragment}</div>")


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_makes_any_text_well_formed_and_inert(text):
    out = escape(text)
    _well_formed(out)
    _well_formed(f'<p title="{out}">{out}</p>')
    assert "<script" not in out
    assert printable(text).encode("utf-8")


@pytest.mark.parametrize("text", HOSTILE)
def test_gradient_table_html_is_well_formed(text):
    from adkernel.magics import GradientTable

    x = tf.Variable(2.0)
    table = GradientTable(text, [(text, x), (text + "2", None)], {text + "2": text})
    html = table._repr_html_()
    _well_formed(html)
    assert "<script>" not in html


@pytest.mark.parametrize("text", HOSTILE)
def test_exercise_feedback_html_is_well_formed(text):
    from adkernel.exercises import Feedback

    fb = Feedback("incorrect", text, text, code=text, notes=[text])
    html = fb.to_html("en")
    _well_formed(html)
    assert "<script>" not in html


@pytest.mark.parametrize("text", HOSTILE)
def test_explorer_error_html_is_well_formed(text):
    from adkernel.widgets.explorer import explore_training

    def train(lr, epochs):
        raise ValueError(text)

    box = explore_training(train)
    _well_formed(box.message.value)
    assert "<script>" not in box.message.value


NETWORK_MODULES = {"socket", "ssl", "urllib", "http", "ftplib", "smtplib", "poplib",
                   "imaplib", "telnetlib", "xmlrpc", "requests", "httpx", "aiohttp",
                   "websockets"}
EVALUATING = {"eval", "exec", "compile", "__import__"}


def _modules():
    root = Path(adkernel.__file__).parent
    return sorted(root.rglob("*.py"))


# The one module allowed to compile source: the tracing tf.function turns a traced program
# into straight-line Python it writes itself (names it makes, adkernel's own op expressions;
# values are passed in a namespace, never as text). test_traced_source_holds_no_learner_text
# checks that a learner's strings never reach it.
EVALUATION_ALLOWED = {"trace.py": {"compile", "exec"}}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_no_network_and_no_evaluated_strings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name.split(".")[0] not in NETWORK_MODULES, f"{path}: imports {name}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            allowed = EVALUATION_ALLOWED.get(path.name, set())
            assert node.func.id not in EVALUATING - allowed, \
                f"{path}:{node.lineno} calls {node.func.id}"


def test_traced_source_holds_no_learner_text():
    from adkernel import tf

    hostile = "'); import os; os.system('echo pwned') #"
    v = tf.Variable([1.0, 2.0], name=hostile)
    say = []

    @tf.function
    def step(x, label=hostile):
        tf.print(hostile, x, output_stream=say.append)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(v * x, name=hostile)
        v.assign_sub(0.1 * tape.gradient(loss, v), name=hostile)
        return {hostile: loss}

    step(tf.constant([1.0, 1.0]))
    out = step(tf.constant([2.0, 3.0]))
    program = step.get_concrete_function(tf.constant([2.0, 3.0])).program
    source = program._fast.source
    assert "pwned" not in source and "os.system" not in source
    assert set(out) == {hostile} and len(say) == 2 and hostile in say[1]
