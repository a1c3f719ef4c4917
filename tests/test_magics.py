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
    assert not tape_module.hooks.on_gradient, "a %%tape cell left its plot hook installed"


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


def _hooks(shell) -> dict:
    """Everything the extension may add to a shell, by identity where it is a function."""
    from adkernel import _tracebacks, magics

    return {
        "events": {name: [id(cb) for cb in cbs] for name, cbs in shell.events.callbacks.items()},
        "cell magics": sorted(shell.magics_manager.magics["cell"]),
        "line magics": sorted(shell.magics_manager.magics["line"]),
        "registry": sorted(shell.magics_manager.registry),
        "matchers": [getattr(m, "__qualname__", "") for m in shell.Completer.custom_matchers],
        "custom exceptions": shell.custom_exceptions,
        "gradient hooks": list(tape_module.hooks.on_gradient),
        "loaded": shell in magics._LOADED,
        "tracebacks": shell in _tracebacks._INSTALLED,
    }


def test_unload_removes_exactly_what_load_added(shell):
    shell.run_line_magic("unload_ext", "adkernel")
    try:
        unloaded = _hooks(shell)
        handler = shell.CustomTB
        assert "tape" not in unloaded["cell magics"] and not unloaded["loaded"]
        assert not unloaded["tracebacks"]
        shell.run_line_magic("load_ext", "adkernel")
        loaded = _hooks(shell)
        assert loaded != unloaded and "tape" in loaded["cell magics"]
        assert loaded["matchers"] == [*unloaded["matchers"], "TapeMagics.complete"]
        # the interrupt handler, then the short tracebacks chained after it
        assert loaded["custom exceptions"] == (KeyboardInterrupt, Exception)
        assert loaded["tracebacks"] and shell.CustomTB is not handler
        shell.run_line_magic("unload_ext", "adkernel")
        assert _hooks(shell) == unloaded
        assert shell.CustomTB is handler
    finally:
        shell.run_line_magic("load_ext", "adkernel")
    assert _hooks(shell) == loaded


def test_unload_leaves_hooks_it_did_not_add(shell):
    def theirs(target, tape):
        pass

    def their_handler(sh, etype, value, tb, tb_offset=None):
        pass

    shell.run_line_magic("unload_ext", "adkernel")
    saved = (shell.custom_exceptions, shell.CustomTB)
    tape_module.hooks.on_gradient.append(theirs)
    theirs.__name__ = "record_loss"  # a name alone must not make it ours
    try:
        shell.set_custom_exc((KeyboardInterrupt,), their_handler)
        their_tb = shell.CustomTB
        shell.run_line_magic("load_ext", "adkernel")
        shell.run_line_magic("unload_ext", "adkernel")
        assert tape_module.hooks.on_gradient == [theirs]
        assert shell.custom_exceptions == (KeyboardInterrupt,)
        assert shell.CustomTB is their_tb
    finally:
        tape_module.hooks.on_gradient.remove(theirs)
        shell.custom_exceptions, shell.CustomTB = saved
        shell.run_line_magic("load_ext", "adkernel")


@pytest.mark.parametrize("line, words", [
    ("%%tape --x", ["--x-axis"]),
    ("%%tape --no", ["--no-graph"]),
    ("%%tape --plot loss --x-axis e", ["epoch"]),
    ("%%tape --grad y:", ["y:x"]),
    ("%%tape -p --watch x", ["x"]),
])
def test_tab_completes_the_options_line(ip, line, words):
    from IPython.core.completer import provisionalcompleter

    with provisionalcompleter():  # IPython's documented way to use completions()
        matches = [c.text for c in ip.Completer.completions(line, len(line))]
    assert [m for m in matches if m in words] == words, matches


def test_completion_comes_from_the_same_table_as_the_parser():
    from adkernel import magics

    parser = magics._make_parser()
    flags = {f for action in parser._actions for f in action.option_strings}
    assert set(magics.complete_line("%%tape ")) == flags
    assert set(magics._OPTION_STRINGS) == flags
    listed = {f for part in magics.OPTIONS.split(", ") for f in part.split()[0].split("/")}
    assert listed == flags - {"-h", "--help"}


def test_the_docs_table_lists_exactly_the_declared_options():
    from pathlib import Path

    from adkernel import magics

    doc = (Path(__file__).resolve().parents[1] / "docs" / "magic.md").read_text("utf-8")
    table = doc.split("| option | meaning |")[1].split("\n\n")[0]
    documented = set(re.findall(r"`(--?[a-z][a-z-]*)", table))
    assert documented == set(magics._OPTION_STRINGS), (
        "docs/magic.md's option table and magics.TAPE_OPTIONS differ: "
        f"{sorted(documented ^ set(magics._OPTION_STRINGS))}")


def test_a_runtime_error_that_mentions_persistent_gets_no_hint(ip):
    result, out = run(ip, "%%tape --no-graph\nraise RuntimeError('persistent trouble')")
    assert not result.success and "persistent trouble" in out.stdout
    assert "Hint" not in out.stdout


def test_a_second_gradient_gets_the_hint_by_the_errors_type(ip):
    from adkernel.engine.errors import NotPersistentError

    result, out = run(ip, "%%tape --no-graph\ny = x * x\ntape.gradient(y, x)\n"
                          "tape.gradient(y, x)")
    assert not result.success and "Hint:" in out.stdout and "-p" in out.stdout
    ip.run_cell("from adkernel import tf\nwith tf.GradientTape() as t2:\n    y2 = x * x\n"
                "t2.gradient(y2, x)")
    with pytest.raises(NotPersistentError) as caught:
        ip.user_ns["t2"].gradient(ip.user_ns["y2"], ip.user_ns["x"])
    assert isinstance(caught.value, RuntimeError)  # TensorFlow's type still catches it


def _live_widgets() -> int:
    from ipywidgets.widgets.widget import _instances

    return len(_instances)


def test_rerunning_a_step_cell_without_a_cell_id_closes_its_widgets(ip):
    # a plain InteractiveShell sends no cell id: the cell is known by its text
    cell = "%%tape --grad y:x --no-graph --step\ny = x * x + x"
    run(ip, cell)
    after_one = _live_widgets()
    for _ in range(60):
        result, _out = run(ip, cell)
        assert result.success
    assert _live_widgets() <= after_one


def test_edited_step_cells_without_cell_ids_keep_a_bounded_number_of_widgets(ip):
    from adkernel import magics

    run(ip, "%%tape --grad y:x --no-graph --step\ny = x * x")
    per_cell = _live_widgets()
    for k in range(3 * magics.MAX_CELLS_WITHOUT_ID):
        result, _out = run(ip, f"%%tape --grad y:x --no-graph --step\ny = x * x + {k}")
        assert result.success
    assert _live_widgets() <= per_cell + (magics.MAX_CELLS_WITHOUT_ID + 1) * per_cell


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
