"""Faults in the middle of a cell or a widget callback (issue 9): nothing is left half-done.

An exception or a ``KeyboardInterrupt`` inside a ``%%tape`` cell, a plain cell recording on a
tape, or a widget callback leaves no tape recording, no half-updated widget and a readable
traceback, and the next cell works. The interrupts here are real: SIGINT sent to a real
kernel by jupyter_client while the cell is busy recording.
"""

from __future__ import annotations

import re
import time

import pytest
from IPython.utils.capture import capture_output

from adkernel import tf
from adkernel.engine._state import state

ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ------------------------------------------------------------------ in-process faults


@pytest.fixture
def ip(ipshell):
    ipshell.run_cell("from adkernel import tf\nx = tf.Variable(3.0)")
    yield ipshell
    assert state.recording == []


def test_exception_in_the_body_shows_the_learners_line_without_library_frames(ip):
    with capture_output() as out:
        result = ip.run_cell("%%tape --grad y:x\ny = tf.reshape(x, (2, 2))")
    assert not result.success
    text = ANSI.sub("", out.stdout + out.stderr)
    assert "y = tf.reshape(x, (2, 2))" in text
    assert "Cannot reshape a tensor with 1 elements" in text
    assert "adkernel/engine" not in text and "site-packages/numpy" not in text
    assert ip.run_cell("%%tape --grad y:x --no-graph\ny = x * 2").success


def test_second_gradient_in_the_body_hints_at_minus_p(ip):
    with capture_output() as out:
        result = ip.run_cell("%%tape\ny = x * x\na = tape.gradient(y, x)\n"
                             "b = tape.gradient(y, x)")
    assert not result.success
    text = ANSI.sub("", out.stdout + out.stderr)
    assert "b = tape.gradient(y, x)" in text
    assert "Add -p to the %%tape line" in text
    assert ip.run_cell("%%tape -p\ny = x * x\na = tape.gradient(y, x)\n"
                       "b = tape.gradient(y, x)").success
    assert float(ip.user_ns["b"]) == 6.0


def test_keyboard_interrupt_in_the_body_leaves_nothing_behind(ip):
    ip.run_cell("tape = 'mine'")
    with capture_output() as out:
        result = ip.run_cell("%%tape --grad y:x\ny = x * 2\nraise KeyboardInterrupt")
    assert not result.success
    text = ANSI.sub("", out.stdout + out.stderr)
    assert "KeyboardInterrupt" in text and "Nothing was bound" in text
    assert "Unexpected exception formatting" not in text
    assert ip.user_ns["tape"] == "mine"
    assert state.recording == []


def test_exception_in_a_gradient_hook_of_a_plot_cell_restores_the_hooks(ip):
    from adkernel.engine import tape as tape_module

    hooks = list(tape_module.hooks.on_gradient)
    ip.run_cell("W = tf.Variable(1.0)")
    result = ip.run_cell("%%tape --plot loss\nfor i in range(3):\n"
                         "    with tf.GradientTape() as t:\n        loss = W * W\n"
                         "    g = t.gradient(loss, W)\n    if i == 1:\n"
                         "        raise ValueError('boom')")
    assert not result.success
    assert tape_module.hooks.on_gradient == hooks


def test_explorer_shows_an_exception_and_keeps_the_last_good_picture():
    from adkernel.widgets.explorer import explore_training

    def train(lr, epochs):
        if lr > 0.5:
            raise ZeroDivisionError("learner bug")
        return [1.0 / (1 + i) for i in range(epochs)]

    box = explore_training(train, lr=(0.01, 1.0, 0.01, 0.1), epochs=(1, 50, 1, 10))
    good = box.figure_png()
    box.lr_slider.value = 0.9
    assert isinstance(box.error, ZeroDivisionError)
    assert "learner bug" in box.message.value and "last run that worked" in box.message.value
    assert box.figure_png() == good and box.history is None
    box.lr_slider.value = 0.2
    assert box.error is None and box.history is not None


def test_explorer_survives_an_interrupted_train():
    from adkernel.widgets.explorer import explore_training

    calls = []

    def train(lr, epochs):
        calls.append(lr)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return [1.0] * epochs

    box = explore_training(train, lr=(0.01, 1.0, 0.01, 0.1), epochs=(1, 50, 1, 10))
    box.lr_slider.value = 0.3
    assert isinstance(box.error, KeyboardInterrupt)
    assert "interrupted" in box.message.value
    box.lr_slider.value = 0.4
    assert box.error is None


def test_plain_tape_interrupted_mid_record_is_left_cleanly():
    x = tf.Variable(2.0)
    with pytest.raises(KeyboardInterrupt), tf.GradientTape() as tape:
        y = x * x
        raise KeyboardInterrupt
    assert state.recording == []
    assert float(tape.gradient(y, x)) == 4.0


# ------------------------------------------------------------------ a real kernel, real SIGINT


class _Kernel:
    def __init__(self):
        jupyter_client = pytest.importorskip("jupyter_client")
        self.km, self.kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")

    def run(self, code: str, interrupt_after: float | None = None, timeout: float = 60):
        """Run ``code``; return (reply content, error tracebacks, stdout+stderr text).

        With ``interrupt_after``, SIGINT is sent that many seconds after the cell printed
        "started" (so the interrupt lands inside the busy loop, even on a loaded machine),
        and again every second until the kernel is idle.
        """
        msg_id = self.kc.execute(code)
        errors, streams = [], []
        started = next_interrupt = None
        begin = time.monotonic()
        while True:
            now = time.monotonic()
            if next_interrupt is not None and now >= next_interrupt:
                self.km.interrupt_kernel()
                next_interrupt = now + 1.0
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except Exception:  # queue.Empty: nothing yet
                if now - begin > timeout:
                    raise TimeoutError(code) from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "error":
                errors.append(ANSI.sub("", "\n".join(content["traceback"])))
            elif kind == "stream":
                streams.append(content["text"])
                if interrupt_after is not None and started is None and \
                        "started" in content["text"]:
                    started = time.monotonic()
                    next_interrupt = started + interrupt_after
            elif kind == "status" and content["execution_state"] == "idle":
                break
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"], errors, "".join(streams)

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel():
    k = _Kernel()
    reply, errors, _ = k.run("%load_ext adkernel\nfrom adkernel import tf\n"
                             "from adkernel.engine._state import state\n"
                             "x = tf.Variable(1.0)\ntape = 'mine'")
    assert reply["status"] == "ok", errors
    yield k
    k.close()


BUSY_MAGIC = ("%%tape --grad y:x\ny = x\nprint('started', flush=True)\nwhile True:\n"
              "    y = y * 1.0000001\n    y = y - 0.0\n")
BUSY_PLAIN = ("with tf.GradientTape() as t:\n    z = x\n    print('started', flush=True)\n"
              "    while True:\n        z = tf.sin(z) * 1.0000001\n")


@pytest.mark.slow
@pytest.mark.parametrize("cell", [BUSY_MAGIC, BUSY_PLAIN], ids=["%%tape cell", "plain cell"])
@pytest.mark.parametrize("attempt", range(3))
def test_real_sigint_leaves_no_tape_and_a_readable_traceback(kernel, cell, attempt):
    reply, errors, streams = kernel.run(cell, interrupt_after=0.2 + 0.15 * attempt)
    assert reply["status"] == "error"
    text = "\n".join(errors) + streams
    assert "KeyboardInterrupt" in text
    assert "Unexpected exception formatting" not in text
    assert "adkernel/engine" not in text
    reply, errors, out = kernel.run("print(len(state.recording), tape)")
    assert reply["status"] == "ok", errors
    assert out.strip() == "0 mine"
    reply, errors, out = kernel.run("%%tape --grad w:x --no-graph\nw = x * 3.0\nprint(float(w))")
    assert reply["status"] == "ok", errors
    assert "3.0" in out
    kernel.run("tape = 'mine'")


def _execute_in_cell(kernel, code: str, cell_id: str):
    """Send an execute_request carrying a notebook cell id, as JupyterLab and nbclient do."""
    kc = kernel.kc
    msg = kc.session.msg("execute_request", {
        "code": code, "silent": False, "store_history": True, "user_expressions": {},
        "allow_stdin": False, "stop_on_error": True}, metadata={"cellId": cell_id})
    kc.shell_channel.send(msg)
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            return reply["content"]


@pytest.mark.slow
def test_rerunning_a_step_cell_closes_its_previous_widgets(kernel):
    kernel.run("from ipywidgets.widgets import widget as _w")
    cell = "%%tape --grad q:x --step\nq = x * x * x"
    for _ in range(3):
        assert _execute_in_cell(kernel, cell, "cell-A")["status"] == "ok"
    _, _, first = kernel.run("print(len(_w._instances))")
    for _ in range(5):
        assert _execute_in_cell(kernel, cell, "cell-A")["status"] == "ok"
    _, _, later = kernel.run("print(len(_w._instances))")
    assert int(later) == int(first)
    # another cell's widgets stay open
    assert _execute_in_cell(kernel, cell, "cell-B")["status"] == "ok"
    _, _, more = kernel.run("print(len(_w._instances))")
    assert int(more) > int(later)


def test_stepper_callback_fault_is_shown_and_leaves_a_consistent_widget(monkeypatch):
    from adkernel.widgets.stepper import BackpropStepper

    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x * x
    s = BackpropStepper(tape, y, names={"x": x, "y": y})
    s.slider.value = 1
    frame, panel = s.frame.value, s.panel.value

    def broken(k):
        raise KeyboardInterrupt if k == 0 else RuntimeError("cannot explain")

    monkeypatch.setattr(s, "_explain", broken)
    s.slider.value = 2
    assert isinstance(s.error, RuntimeError)
    assert s.frame.value == frame  # the picture still matches the last explained step
    assert "cannot explain" in s.panel.value and "step 2" in s.panel.value
    s.slider.value = 0
    assert isinstance(s.error, KeyboardInterrupt)
    monkeypatch.undo()
    s.slider.value = 1
    assert s.error is None and s.frame.value == frame and s.panel.value == panel


@pytest.mark.parametrize("name", ["<script>x</script>", "a\x00b", "lone\ud800", "q&\x7f"])
def test_graph_and_stepper_svg_stay_well_formed_with_hostile_names(name):
    import xml.etree.ElementTree as ET

    from adkernel.engine.inspect import graph_of
    from adkernel.widgets.graph import render_svg
    from adkernel.widgets.stepper import BackpropStepper

    v = tf.Variable(2.0, name=name.replace("\ud800", "?"))
    with tf.GradientTape(persistent=True) as tape:
        out = v * v
    names = {name: v, "out": out}
    svg = render_svg(graph_of(tape, out, names=names), title=name)
    svg.encode("utf-8")
    ET.fromstring(svg)
    assert "<script>" not in svg
    s = BackpropStepper(tape, out, names=names)
    for k in range(s.n_steps):
        s.slider.value = k
        for html in (s.frame.value, s.panel.value):
            html.encode("utf-8")
            assert "<script>" not in html
    bundle = s._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    for value in bundle.values():
        if isinstance(value, str):
            value.encode("utf-8")
