"""``%%tape --jvp``: forward mode in a notebook cell, driven through a real IPython shell."""

from __future__ import annotations

import re

import numpy as np
import pytest
from html_output import img_alt, img_svg
from IPython.utils.capture import capture_output

from adkernel.engine._state import state
from adkernel.engine.i18n import language


@pytest.fixture
def ip(ipshell):
    ipshell.run_cell("from adkernel import tf\nimport numpy as np")
    ipshell.run_cell("x = tf.constant(3.0)\nv = tf.constant(2.0)\nw = tf.Variable(1.5)")
    yield ipshell
    assert state.recording == [] and state.forward == [], "a cell left a tape or accumulator"


def run(ip, cell):
    with capture_output() as out:
        result = ip.run_cell(cell)
    return result, out


def pictures(out) -> list:
    return [img_svg(o.data["text/html"]) for o in out.outputs
            if o.data.get("text/html", "").startswith("<img")]


def plain(out) -> str:
    return "\n".join(o.data.get("text/plain", "") for o in out.outputs)


BODY = "y = x * x + tf.sin(x) * w"


def test_jvp_shows_the_tangent_and_the_graph_with_tangents(ip):
    result, out = run(ip, f"%%tape --jvp y:x=v\n{BODY}")
    assert result.success
    expected = 2 * 3.0 * 2.0 + np.cos(3.0) * 2.0 * 1.5  # ẏ = (2x + cos(x)·w)·v
    table = plain(out)
    assert "ẏ (ẋ = v)" in table
    value = float(re.search(r"ẏ \(ẋ = v\)\s+(\S+)", table).group(1))
    assert value == pytest.approx(expected, rel=1e-6)
    (svg,) = pictures(out)
    assert "tangent 2" in svg and "tangent 12" in svg  # x moves along v; x*x along 2·x·v
    assert f"tangent {value:.6g}" in svg
    assert "grad" not in svg
    assert len(re.findall(r'class="adk-node adk-op"', svg)) == 4  # the program's ops only
    assert len(ip.user_ns["tape"].view().records) == 4


def test_jvp_default_tangent_is_ones_and_several_sources(ip):
    result, out = run(ip, f"%%tape --jvp y:x,w --no-graph\n{BODY}")
    assert result.success and not pictures(out)
    value = float(re.search(r"ẇ = ones\)\s+(\S+)", plain(out)).group(1))
    assert value == pytest.approx(6.0 + np.cos(3.0) * 1.5 + np.sin(3.0), rel=1e-6)


def test_jvp_step_numbers_are_the_accumulators(ip):
    result, out = run(ip, f"%%tape --jvp y:x=v --step\n{BODY}")
    assert result.success
    texts = plain(out)
    assert "<forward-mode stepper: 5 steps>" in texts
    from adkernel.widgets.stepper_forward import ForwardStepper

    (stepper,) = [w for widgets in ip.magics_manager.registry["TapeMagics"]._shown.values()
                  for w in widgets if isinstance(w, ForwardStepper)]
    table = float(re.search(r"ẏ \(ẋ = v\)\s+(\S+)", texts).group(1))
    assert float(stepper.steps[-1].tangent) == pytest.approx(table, rel=1e-6)
    for step in stepper.steps:
        parts = sum(float(p.contribution) for p in step.parts)
        assert parts == pytest.approx(float(step.tangent), rel=1e-6)
    html = next(o.data["text/html"] for o in out.outputs
                if "forward-mode stepper" in o.data.get("text/plain", ""))
    assert "forward-mode stepper" in img_alt(html)


def test_jvp_of_a_target_that_does_not_move(ip):
    result, out = run(ip, "%%tape --jvp z:x --no-graph\ny = x * 2\nz = tf.constant(1.0)")
    assert result.success
    assert "None  (z does not depend on x: no tangent reaches it)" in plain(out)


def test_jvp_says_why_integers_have_no_tangent(ip):
    ip.run_cell("n = tf.constant(2)")
    result, out = run(ip, "%%tape --jvp y:n --no-graph\ny = tf.cast(n, tf.float32) * 2.0")
    assert result.success
    assert "n holds integers, which carry no tangent" in plain(out)
    assert "tf.cast(n, tf.float32)" in plain(out)
    result, out = run(ip, "%%tape --jvp k:x --no-graph\nk = tf.cast(x, tf.int32)")
    assert result.success
    assert "None  (k holds int32 numbers, and only floats carry a tangent" in plain(out)


def test_a_failing_jvp_cell_leaves_no_accumulator_and_binds_nothing(ip):
    ip.run_cell("tape = None")
    result, _ = run(ip, "%%tape --jvp y:x\ny = x * 2\nraise ValueError('boom')")
    assert not result.success
    assert ip.user_ns["tape"] is None  # (the fixture checks no accumulator is left active)


@pytest.mark.parametrize("line, words", [
    ("--jvp y", ["--jvp y:", "name the input"]),
    ("--jvp y:", ["--jvp y:", "name the input"]),
    ("--jvp 1y:x", ["not a valid Python name"]),
    ("--jvp y:x=", ["--jvp needs a name"]),
    ("--jvp y:x=nope", ["nope", "not defined"]),
    ("--jvp y:nope", ["nope", "not defined"]),
    ("--jvp y:x --grad y:x", ["--grad and --jvp"]),
    ("--jvp y:x, w", ["a space splits the list", "--jvp y:x,w"]),
    ("--jvp y:x=bad", ["--jvp x=bad", "shape"]),
    ("--jvp missing:x", ["--jvp: target 'missing' is not defined"]),
])
def test_jvp_usage_errors_name_the_problem(ip, line, words):
    ip.run_cell("bad = tf.constant([1.0, 2.0])")
    result, out = run(ip, f"%%tape {line}\ny = x * 2")
    assert not result.success
    err = result.error_in_exec or result.error_before_exec
    assert type(err).__name__ == "UsageError", err
    for w in words:
        assert w in str(err), str(err)
    assert "Traceback" not in out.stdout + out.stderr


def test_jvp_escapes_what_it_writes_into_html(ip):
    ip.run_cell("Σ = tf.constant(1.0)")
    result, out = run(ip, "%%tape --jvp y:Σ --step\ny = Σ * tf.Variable(2.0, name='<b>c</b>')")
    assert result.success
    htmls = [o.data["text/html"] for o in out.outputs if "text/html" in o.data]
    assert len(htmls) == 2  # the graph and the stepper's static form
    for html in htmls:
        assert "<b>" not in html
        assert "<b>c</b>" in img_alt(html).replace("&lt;", "<").replace("&gt;", ">")
        svg = img_svg(html)
        assert "&lt;b&gt;c&lt;/b&gt;" in svg and "<b>" not in svg


def test_jvp_in_chinese(ip):
    with language("zh"):
        result, out = run(ip, f"%%tape --jvp y:x=v\n{BODY}")
        (svg,) = pictures(out)
        table = plain(out)
        usage_error = run(ip, "%%tape --jvp y\ny = x")[0].error_in_exec
    assert result.success
    assert "切向量" in table and "切向量 2" in svg and "tangent" not in svg
    assert "前向模式" in str(usage_error)


def test_jvp_is_in_the_help_and_completes_names_after_the_equals_sign(ip):
    from adkernel import magics

    assert "--jvp TARGET:SRC[=TANGENT],..." in magics.usage()
    assert "--jvp" in magics.OPTIONS
    assert magics.complete_line("%%tape --jvp y:x=", ["v", "w"]) == ["y:x=v", "y:x=w"]
    assert magics.complete_line("%%tape --jv") == ["--jvp"]
    with language("zh"):
        assert "前向模式" in magics.usage()
