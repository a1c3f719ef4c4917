"""``%load_ext adkernel`` and ``%%tape``, driven through a real IPython shell."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from html_output import img_svg
from IPython.utils.capture import capture_output

from adkernel.engine import tape as tape_module
from adkernel.engine._state import state


@pytest.fixture
def shell(ipshell):
    return ipshell


@pytest.fixture
def ip(shell):
    shell.run_cell("from adkernel import tf\nimport numpy as np")
    shell.run_cell("x = tf.Variable(3.0)")
    yield shell
    assert state.recording == [], "a %%tape cell left a tape recording"
    assert not tape_module.gradient_hooks, "a %%tape cell left its plot hook installed"


def run(ip, cell):
    with capture_output() as out:
        result = ip.run_cell(cell)
    return result, out


def plain(out) -> str:
    return "\n".join(o.data.get("text/plain", "") for o in out.outputs)


def test_grad_computes_binds_and_shows_the_gradient(ip):
    result, out = run(ip, "%%tape --grad y:x --no-graph\ny = x**2")
    assert result.success
    assert float(ip.user_ns["grads"]["x"]) == 6.0
    assert "dy/dx" in plain(out) and "6.0" in plain(out)
    assert "tape" in ip.user_ns


def test_default_sources_are_the_watched_variables(ip):
    ip.run_cell("w = tf.Variable(2.0)\nv = tf.Variable(3.0)")
    result, _ = run(ip, "%%tape -g z --no-graph\nz = w**2 + v**3")
    assert result.success
    grads = ip.user_ns["grads"]
    assert float(grads["w"]) == 4.0 and float(grads["v"]) == 27.0


def test_last_expression_is_shown(ip):
    result, out = run(ip, "%%tape\ny = x * 2\ny")
    assert result.success
    assert "numpy=6.0" in out.stdout + plain(out)


def test_name_and_persistent(ip):
    result, _ = run(ip, "%%tape -n t2 -p\ny = x**3")
    assert result.success
    t2 = ip.user_ns["t2"]
    assert t2.persistent
    y, x = ip.user_ns["y"], ip.user_ns["x"]
    assert float(t2.gradient(y, x)) == 27.0
    assert float(t2.gradient(y, x)) == 27.0  # persistent: a second call works


def test_watch_constants(ip):
    ip.run_cell("c = tf.constant(2.0)")
    result, _ = run(ip, "%%tape --watch c --grad y:c --no-graph\ny = c * c * c")
    assert result.success
    assert float(ip.user_ns["grads"]["c"]) == 12.0


def test_other_magics_allowed_in_the_body(ip):
    result, _ = run(ip, "%%tape\n%time y = x * x\ny")
    assert result.success


def test_printed_tape_has_one_line_per_op(ip):
    result, out = run(ip, "%%tape -p\ny = tf.sin(x) * x + 1.0\nprint(tape)")
    assert result.success
    lines = [ln for ln in out.stdout.splitlines() if ln.strip().startswith("%")]
    assert [ln.split("=")[1].split("(")[0].strip() for ln in lines] == ["sin", "mul", "add"]


# ----- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, words",
    [
        ("--bogus", ["unknown option", "--bogus", "Valid options"]),
        ("--watch 'a", ["cannot parse", "quotation", "Valid options"]),
        ("--watch nope", ["nope", "not defined"]),
        ("--grad 1y", ["not a valid Python name"]),
        ("--step", ["--step needs --grad"]),
        ("--plot 3x", ["not a valid Python name"]),
    ],
)
def test_usage_errors_are_one_line_and_name_the_problem(ip, line, words):
    result, out = run(ip, f"%%tape {line}\ny = x * 2")
    assert not result.success
    err = result.error_in_exec
    assert type(err).__name__ == "UsageError"
    for w in words:
        assert w in str(err)
    assert "Traceback" not in out.stdout + out.stderr


def test_watch_of_a_non_tensor_says_so(ip):
    ip.run_cell("k = 2.0")
    result, _ = run(ip, "%%tape --watch k\ny = k * 2")
    assert "float" in str(result.error_in_exec) and "tf.constant" in str(result.error_in_exec)


def test_grad_of_a_missing_name_says_which(ip):
    result, _ = run(ip, "%%tape --grad missing_target:x --no-graph\ny = x * 2")
    assert "missing_target" in str(result.error_in_exec)
    result, _ = run(ip, "%%tape --grad y:missing_source --no-graph\ny = x * 2")
    assert "missing_source" in str(result.error_in_exec)


def test_failing_body_marks_the_cell_failed_and_leaves_no_tape(ip):
    ip.run_cell("tape = 'previous'")
    result, out = run(ip, "%%tape --grad y:x\ny = x**2\n1/0")
    assert not result.success
    assert type(result.error_in_exec).__name__ == "TapeCellError"
    assert "ZeroDivisionError" in out.stdout
    assert out.stdout.count("Traceback") <= 1
    assert ip.user_ns["tape"] == "previous"  # nothing half-done was bound
    assert state.recording == []


def test_load_is_idempotent_and_unload_removes_the_magic(shell):
    shell.run_line_magic("load_ext", "adkernel")
    shell.run_line_magic("reload_ext", "adkernel")
    assert "tape" in shell.magics_manager.magics["cell"]
    shell.run_line_magic("unload_ext", "adkernel")
    assert "tape" not in shell.magics_manager.magics["cell"]
    shell.run_line_magic("load_ext", "adkernel")
    assert "tape" in shell.magics_manager.magics["cell"]


def test_help_documents_the_options(shell):
    doc = shell.magics_manager.magics["cell"]["tape"].__doc__
    for opt in ("--name", "--persistent", "--watch", "--grad", "--graph", "--no-graph", "--step",
                "--plot"):
        assert opt in doc


# ----- the extension is lazy; the kernelspec ----------------------------------------------


@pytest.mark.slow
def test_importing_adkernel_does_not_import_ipython():
    code = "import sys, adkernel, adkernel.tf; print('IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_install_kernel_writes_a_kernelspec_that_loads_the_extension(tmp_path):
    subprocess.run([sys.executable, "-m", "adkernel", "install-kernel", "--prefix",
                    str(tmp_path)], check=True, capture_output=True)
    spec = json.loads((tmp_path / "share/jupyter/kernels/adkernel/kernel.json").read_text())
    assert spec["display_name"] == "Python 3 (adkernel)"
    assert spec["argv"][-2:] == ["--ext", "adkernel"]
    assert spec["argv"][0] == os.path.abspath(sys.executable)


# ----- pictures ----------------------------------------------------------------------------


def test_grad_shows_the_graph_with_values_and_gradients(ip):
    result, out = run(ip, "%%tape --grad y:x\ny = x**2")
    assert result.success
    svgs = [img_svg(o.data["text/html"]) for o in out.outputs
            if o.data.get("text/html", "").startswith("<img")]
    assert len(svgs) == 1
    svg = svgs[0]
    assert "pow" in svg and "grad 6" in svg and ">9<" in svg.replace(" ", "")


def test_graph_without_grad_and_no_graph(ip):
    result, out = run(ip, "%%tape --graph\ny = x * 2")
    assert result.success and any(o.data.get("text/html", "").startswith("<img")
                                  for o in out.outputs)
    result, out = run(ip, "%%tape -g y --no-graph\ny = x * 2")
    assert result.success and not any(o.data.get("text/html", "").startswith("<img")
                                      for o in out.outputs)


def test_step_shows_the_backprop_stepper(ip):
    result, out = run(ip, "%%tape --grad y:x --step\ny = x**2")
    assert result.success
    texts = [o.data.get("text/plain", "") for o in out.outputs]
    assert any("backprop stepper" in t for t in texts)
    assert float(ip.user_ns["grads"]["x"]) == 6.0


def test_persistent_cell_with_gradient_inside_draws_only_the_forward_graph(ip):
    import numpy as np

    ip.user_ns["X"] = np.arange(5.0)
    result, out = run(ip, "%%tape -p --graph\n"
                          "loss = tf.reduce_sum(x * X) + x ** 2\n"
                          "g = tape.gradient(loss, x)\n")
    assert result.success
    (html,) = [o.data["text/html"] for o in out.outputs
               if o.data.get("text/html", "").startswith("<img")]
    svg = img_svg(html)
    ops = re.findall(r'class="adk-node adk-op"', svg)
    assert len(ops) == 4  # mul, reduce_sum, pow, add: no backward-pass boxes
    assert ">X<" in svg  # the learner's name for the numpy array
    assert "not drawn:" in svg and "backward pass" in svg
