"""%%tape --plot: a training loop in one cell draws its loss curve, in flat memory."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from IPython.utils.capture import capture_output

from adkernel.engine import tape as tape_module
from adkernel.engine._state import state
from adkernel.engine.tape import TapeState

SETUP = """
import numpy as np
from adkernel import tf
np.random.seed(0)
X = np.random.rand(100, 1)
y = 3 * X + np.random.randn(100, 1) * 0.5
W = tf.Variable(np.random.randn(1), dtype=tf.float32)
b = tf.Variable(np.random.randn(1), dtype=tf.float32)
"""

LOOP = """%%tape --plot loss
for epoch in range({n}):
    with tf.GradientTape() as t:
        loss = tf.reduce_mean(tf.square(W * X + b - y))
    dW, db = t.gradient(loss, [W, b])
    W.assign_sub(0.1 * dW)
    b.assign_sub(0.1 * db)
"""


@pytest.fixture
def ip(ipshell):
    return ipshell


def test_plot_records_every_loss_and_leaves_a_final_image(ip):
    ip.run_cell(SETUP)
    with capture_output() as out:
        result = ip.run_cell(LOOP.format(n=100))
    assert result.success
    assert state.recording == [] and not tape_module.hooks.on_gradient
    images = [o for o in out.outputs if "image/png" in o.data]
    assert images, "the final frame of the loss curve must be a plain image output"
    assert all(o.data["text/plain"] == images[0].data["text/plain"] for o in images)
    cell_tape = ip.user_ns["tape"]
    assert cell_tape.view().state is TapeState.STOPPED and len(cell_tape) < 50, (
        "the cell's tape must stop recording once the loop opens its own")


def test_plot_also_finds_the_loss_inside_a_function(ip):
    ip.run_cell(SETUP)
    cell = LOOP.format(n=20).replace("for epoch", "def train():\n  for epoch").replace(
        "\n    ", "\n      ") + "\ntrain()\n"
    with capture_output() as out:
        result = ip.run_cell(cell)
    assert result.success, out.stdout
    assert any("image/png" in o.data for o in out.outputs)


def test_memory_stays_flat_over_a_10000_step_plot_cell(ip, monkeypatch):
    ip.run_cell(SETUP)
    # A front end keeps only the last frame of the plot (display updates replace it);
    # drop the published frames here so that they are not what the test measures.
    monkeypatch.setattr(ip.display_pub, "publish", lambda *a, **k: None)
    tracemalloc.start()
    try:
        ip.run_cell(LOOP.format(n=1_000))
        gc.collect()  # matplotlib figures are freed by the cycle collector
        small = tracemalloc.get_traced_memory()[0]
        ip.run_cell(LOOP.format(n=10_000))
        gc.collect()
        large = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # the plot keeps one float per step (~10,000 values); nothing else may grow
    assert large - small < 1_000_000, f"memory grew by {large - small} bytes"
    assert len(ip.user_ns["tape"]) < 50


def _count_records(ip, cell):
    from unittest import mock

    from adkernel.widgets.lossplot import LossPlot

    seen = []
    real = LossPlot.record

    def spy(self, value):
        seen.append(float(value))
        return real(self, value)

    with mock.patch.object(LossPlot, "record", spy), capture_output() as out:
        result = ip.run_cell(cell)
    assert result.success, out.stdout + out.stderr
    return seen


def test_plot_records_only_the_cells_own_thread(ip):
    ip.run_cell(SETUP)
    cell = """%%tape --plot loss
import threading
def other():
    for _ in range(30):
        with tf.GradientTape() as t2:
            loss = tf.reduce_sum(W * 0.0) + 1000.0
        t2.gradient(loss, W)
th = threading.Thread(target=other)
th.start(); th.join()
for epoch in range(10):
    with tf.GradientTape() as t:
        loss = tf.reduce_mean(tf.square(W * X + b - y))
    dW, db = t.gradient(loss, [W, b])
"""
    seen = _count_records(ip, cell)
    assert len(seen) == 10 and max(seen) < 1000.0


@pytest.mark.parametrize("target", ["[loss]", "(loss,)", "{'l': loss}", "[loss, loss * 0]"])
def test_plot_records_a_loss_passed_in_a_list_or_dict(ip, target):
    ip.run_cell(SETUP)
    cell = f"""%%tape --plot loss
for epoch in range(7):
    with tf.GradientTape() as t:
        loss = tf.reduce_mean(tf.square(W * X + b - y))
    dW, db = t.gradient({target}, [W, b])
    W.assign_sub(0.1 * dW)
"""
    seen = _count_records(ip, cell)
    assert len(seen) == 7
    assert seen[-1] < seen[0]


# -- what the x axis counts: --x-axis step|epoch, said by the learner, never guessed ------------
def test_x_axis_option_is_parsed_and_defaults_to_step():
    from adkernel.magics import parse_options

    assert parse_options("--plot loss").x_axis == "step"
    assert parse_options("--plot loss --x-axis epoch").x_axis == "epoch"
    assert parse_options("--x-axis step --plot loss").x_axis == "step"


@pytest.mark.parametrize("line, words", [
    ("--x-axis epoch", ["--x-axis epoch", "no --plot", "%%tape --plot loss --x-axis epoch"]),
    ("--plot loss --x-axis epochs", ["invalid choice", "'epochs'", "'epoch'"]),
    ("--plot loss --xaxis epoch", ["did you mean --x-axis"]),
])
def test_x_axis_mistakes_are_explained(line, words):
    from IPython.core.error import UsageError

    from adkernel.magics import parse_options

    with pytest.raises(UsageError) as info:
        parse_options(line)
    for w in words:
        assert w in str(info.value)


def _plot_texts(ip, monkeypatch, line: str) -> list[str]:
    """The texts of the last frame a %%tape LINE cell drew."""
    import matplotlib.text

    from adkernel.widgets import lossplot

    figures = []
    real = lossplot.render_png

    def keep(draw, figsize, **options):
        def drawn(fig):
            draw(fig)
            figures.append(fig)
        return real(drawn, figsize, **options)

    monkeypatch.setattr(lossplot, "render_png", keep)
    ip.run_cell(SETUP)
    with capture_output():
        result = ip.run_cell(LOOP.replace("%%tape --plot loss", line).format(n=20))
    assert result.success and figures
    return [t.get_text() for t in figures[-1].findobj(matplotlib.text.Text)]


def test_loss_plot_counts_epochs_when_told(ip, monkeypatch):
    texts = _plot_texts(ip, monkeypatch, "%%tape --plot loss --x-axis epoch")
    assert "epoch" in texts and "step" not in texts
    assert any(t.startswith("epoch 19: ") for t in texts)  # the note on the last value


def test_loss_plot_counts_steps_by_default(ip, monkeypatch):
    texts = _plot_texts(ip, monkeypatch, "%%tape --plot loss")
    assert "step" in texts and "epoch" not in texts
    assert any(t.startswith("step 19: ") for t in texts)


def test_loss_plot_x_axis_in_chinese(ip, monkeypatch):
    from adkernel.engine.i18n import language

    with language("zh"):
        texts = _plot_texts(ip, monkeypatch, "%%tape --plot loss --x-axis epoch")
    assert "迭代周期" in texts
    assert any(t.startswith("第 19 个迭代周期：") for t in texts)


def test_loss_plot_rejects_an_unknown_unit():
    from adkernel.widgets.lossplot import LossPlot

    with pytest.raises(ValueError, match="'step' or 'epoch', not 'batch'"):
        LossPlot(x="batch")
