"""Headless tests of the teaching widgets: stepper, loss plot, training explorer.

No browser: widget state is read from traits (ipywidgets' own test style), the IPython
display is replaced by a fake, and the clock by a counter where throttling is checked.
"""

from __future__ import annotations

import base64
import doctest
import re
import warnings

import numpy as np
import pytest
from html_output import img_alt, img_svg

from adkernel import tf
from adkernel.widgets import explorer, lossplot, stepper
from adkernel.widgets.explorer import explore_training
from adkernel.widgets.lossplot import LossPlot
from adkernel.widgets.stepper import BackpropStepper

PNG_MAGIC = b"\x89PNG"


@pytest.fixture(autouse=True)
def outside_ipython(monkeypatch):
    """Run as plain Python, even when another test module has started an IPython shell."""
    monkeypatch.setattr(lossplot, "_has_frontend", lambda: False)


@pytest.mark.parametrize("module", [stepper, lossplot, explorer], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------
# BackpropStepper
# ---------------------------------------------------------------------------------------------


def _square():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x**2
    return BackpropStepper(tape, y, names={"x": x, "y": y})


def _fan_out():
    x = tf.Variable(1.0)
    with tf.GradientTape(persistent=True) as tape:
        a = 2 * x
        b = 3 * a
        c = a + b
    return BackpropStepper(tape, c, names={"x": x, "a": a, "b": b, "c": c})


def test_stepper_square_steps_and_chain_rule_text():
    s = _square()
    assert s.n_steps == 2  # forward pass + one op
    assert s.step == 0
    assert "forward pass" in s.explanation
    assert "grad" not in s.frame_svg()  # values only
    assert "9" in s.frame_svg()
    s.step = 1
    text = s.explanation
    assert "upstream 1.0 × local 2·x (= 6.0) = 6.0 → x" in text
    assert "dy/dx = 6.0" in text
    assert "grad 6" in s.frame_svg()
    assert s.frame.value == s.live_svg()
    assert "2·x" in s.panel.value


def test_stepper_fan_out_accumulates():
    s = _fan_out()
    assert s.n_steps == 4
    assert repr(s) == "<backprop stepper: 4 steps>"
    s.step = 1  # through c = a + b: a has 1 so far, x nothing yet
    svg1 = s.frame_svg()
    assert "grad 1" in svg1 and "grad 4" not in svg1 and "grad ?" in svg1
    s.step = 2  # through b = 3a: a's gradient accumulates
    assert "a already had 1.0; now 1.0 + 3.0 = 4.0" in s.explanation
    assert "grad 4" in s.frame_svg()
    s.step = 3
    assert "upstream 4.0 × local 2.0 = 8.0 → x" in s.explanation
    assert "dc/dx = 8.0" in s.explanation
    assert "grad 8" in s.frame_svg()
    assert "grad ?" not in s.frame_svg()


def test_stepper_same_input_twice_in_one_op():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
    s = BackpropStepper(tape, y, names={"x": x, "y": y})
    s.step = 1
    assert "x already had 3.0; now 3.0 + 3.0 = 6.0" in s.explanation


def test_stepper_arrays_are_summarised():
    X = np.linspace(0, 1, 50, dtype=np.float32).reshape(-1, 1)
    W = tf.Variable(np.array([0.5], np.float32))
    with tf.GradientTape(persistent=True) as tape:
        loss = tf.reduce_mean(tf.square(W * X - 3 * X))
    s = BackpropStepper(tape, loss, names={"W": W, "loss": loss})
    s.step = 1
    assert "local 1/50 for every element" in s.explanation
    assert "(50, 1) array" in s.explanation
    s.step = s.n_steps - 1
    grad = float(tape.gradient(loss, W)[0])
    assert f"dloss/dW = [{grad:.4g}]" in s.explanation


def test_stepper_slider_bounds_and_widget_sync():
    s = _fan_out()
    assert (s.slider.min, s.slider.max) == (0, s.n_steps - 1)
    assert (s.play.min, s.play.max) == (0, s.n_steps - 1)
    with pytest.raises(ValueError, match="between 0 and 3"):
        s.step = 4
    with pytest.raises(ValueError, match="between 0 and 3"):
        s.step = -1
    with pytest.raises(ValueError):
        s.frame_svg(9)
    s.slider.value = 2  # what the browser does
    assert s.step == 2
    assert "Step 2 of 3" in s.panel.value
    assert s.frame.value == s.live_svg(2)


def test_stepper_escapes_html():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x**2
    s = BackpropStepper(tape, y, names={"<script>": x, "y": y})
    for k in range(s.n_steps):
        s.step = k
        assert "<script>" in s.explanation  # plain text keeps the name...
        assert "<script>" not in s.panel.value  # ...the HTML escapes it
        assert "<script>" not in s.frame.value
    assert "&lt;script&gt;" in s.panel.value


def test_stepper_mimebundle_has_final_svg_and_stable_text():
    s = _square()
    bundle = s._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "<backprop stepper: 2 steps>"
    assert "image/svg+xml" not in bundle  # untrusted JupyterLab would show its text
    svg = img_svg(bundle["text/html"])
    assert "grad 6" in svg  # the final state, whatever the step
    assert svg == s.frame_svg(s.n_steps - 1)


def test_stepper_needs_the_tapes_records():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        BackpropStepper(tape, y)


def test_stepper_does_not_swallow_errors(monkeypatch):
    s = _square()

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(stepper, "render_svg", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        s.step = 1


# ---------------------------------------------------------------------------------------------
# LossPlot
# ---------------------------------------------------------------------------------------------


class FakeDisplay:
    """Stands in for IPython.display.display: records calls, returns a fake handle."""

    def __init__(self):
        self.shown = []
        self.updates = []

    def __call__(self, obj, display_id=None):
        assert display_id is True
        self.shown.append(obj._repr_mimebundle_())
        return self

    def update(self, obj):
        self.updates.append(obj._repr_mimebundle_())


@pytest.fixture
def notebook(monkeypatch):
    """Pretend to run in a Jupyter kernel; returns the fake display."""
    fake = FakeDisplay()
    monkeypatch.setattr(lossplot, "_has_frontend", lambda: True)
    monkeypatch.setattr("IPython.display.display", fake)
    return fake


def test_lossplot_records_without_display():
    plot = LossPlot()
    for i in range(10_000):
        plot.record(1.0 / (i + 1))
    assert len(plot.values) == 10_000
    assert plot.values[:2] == [1.0, 0.5]
    assert plot.frames == 0  # outside IPython nothing is drawn while recording
    assert repr(plot) == "<loss plot: loss>"


def test_lossplot_accepts_tensors_and_arrays():
    plot = LossPlot()
    plot.record(tf.constant(0.5))
    plot.record(np.float32(0.25))
    plot.record(np.array(0.125))
    assert plot.values == [0.5, 0.25, 0.125]
    assert all(type(v) is float for v in plot.values)


def test_lossplot_finish_draws_one_png():
    plot = LossPlot("损失")
    for v in (3.0, 2.0, 1.0):
        plot.record(v)
    assert plot.finish() == 1
    assert plot.frames == 1
    assert plot.figure_png().startswith(PNG_MAGIC)
    assert plot.frames == 1  # figure_png is not a frame


def test_lossplot_throttles_with_a_fake_clock(notebook, monkeypatch):
    now = [0.0]

    def clock():  # every reading advances 1 ms
        now[0] += 0.001
        return now[0]

    monkeypatch.setattr(lossplot, "perf_counter", clock)
    plot = LossPlot(min_interval=0.25)
    for i in range(2000):
        plot.record(1.0 / (i + 1))
    # ~2 s of fake time: the first frame after 1 s, then one per 0.25 s
    assert 3 <= plot.frames <= 5
    assert len(notebook.shown) == 1
    assert len(notebook.updates) == plot.frames - 1
    assert plot.finish() == plot.frames
    assert len(notebook.updates) == plot.frames - 1


def test_lossplot_tight_loop_draws_few_frames(notebook):
    plot = LossPlot(min_interval=0.25)
    for i in range(1000):
        plot.record(1.0 / (i + 1))
    assert plot.frames <= 2  # far less than a second of recording
    frames = plot.finish()
    assert frames == plot.frames
    assert len(notebook.shown) == 1


def test_lossplot_a_loop_shorter_than_a_second_draws_once_at_the_end(notebook, monkeypatch):
    now = [0.0]

    def clock():  # every reading advances 1 ms: 450 records take about 0.45 s
        now[0] += 0.001
        return now[0]

    monkeypatch.setattr(lossplot, "perf_counter", clock)
    plot = LossPlot(min_interval=0.25)
    for i in range(450):
        plot.record(1.0 / (i + 1))
    assert plot.frames == 0 and notebook.shown == []
    assert plot.finish() == 1
    assert len(notebook.shown) == 1 and notebook.updates == []


def test_lossplot_display_handle_and_stable_bundle(notebook, monkeypatch):
    now = [0.0]
    monkeypatch.setattr(lossplot, "perf_counter", lambda: now[0])
    plot = LossPlot("loss", min_interval=0.25, first_frame_after=0.25)
    plot.record(1.0)  # starts the clock, draws nothing
    assert notebook.shown == []
    now[0] = 0.3
    plot.record(0.5)  # due: first frame, through display(..., display_id=True)
    now[0] = 0.4
    plot.record(0.4)  # not due
    now[0] = 0.6
    plot.record(0.3)  # due: update of the same output
    plot.finish()
    assert len(notebook.shown) == 1
    assert len(notebook.updates) == 2
    assert plot.frames == 3
    for bundle in notebook.shown + notebook.updates:
        assert bundle["text/plain"] == "<loss plot: loss>"
        assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)


def test_lossplot_context_manager_finishes_and_reraises(notebook):
    with pytest.raises(ZeroDivisionError), LossPlot() as plot:
        plot.record(1.0)
        plot.record(0.5)
        1 / 0
    assert plot.frames == 1
    assert len(notebook.shown) == 1


def test_lossplot_context_manager_without_ipython():
    with LossPlot() as plot:
        plot.record(2.0)
    assert plot.frames == 1


def test_lossplot_mimebundle():
    plot = LossPlot("loss")
    plot.record(1.0)
    bundle = plot._repr_mimebundle_()
    assert bundle["text/plain"] == "<loss plot: loss>"
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)


@pytest.mark.parametrize(("values", "scale"), [
    ([10.0, 1.0, 0.1, 0.001], "log"),
    ([1.0, 0.5, 0.2], "linear"),
    ([1.0, -1.0, 1e-4], "linear"),
    ([100.0, float("inf"), 5.0], "linear"),  # non-finite values are ignored
    ([1e3, float("nan"), 1e-3], "log"),
])
def test_plot_curve_chooses_log_scale(values, scale):
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    lossplot.plot_curve(ax, values, "loss", "title")
    assert ax.get_yscale() == scale
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    assert ax.get_title() == "title"


def test_font_families_fall_back_to_dejavu():
    families = lossplot.font_families()
    assert families[-1] == "DejaVu Sans"
    assert families.count("DejaVu Sans") == 1


def test_cjk_fallback_list_covers_windows_macos_and_linux():
    for name in ("Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB",
                 "Noto Sans CJK SC", "WenQuanYi Zen Hei"):
        assert name in lossplot.CJK_FONTS


def test_a_cjk_font_installed_after_matplotlib_listed_the_fonts_is_found(monkeypatch):
    """As in the first kernel after `apt-get install fonts-noto-cjk`: matplotlib's cached
    font list has no CJK font, but the file is on disk."""
    import os

    from matplotlib import font_manager

    on_disk = [p for p in lossplot.CJK_FONT_FILES if os.path.isfile(p)]
    if not on_disk:
        pytest.skip("no CJK font file on disk (apt-get install fonts-noto-cjk)")
    fm = font_manager.fontManager
    cjk = set(lossplot.CJK_FONT_FILES)
    without = [f for f in fm.ttflist if f.name not in lossplot.CJK_FONTS and f.fname not in cjk]
    monkeypatch.setattr(fm, "ttflist", without)
    lossplot.font_families.cache_clear()
    try:
        families = lossplot.font_families()
        assert len(families) > 1 and families[-1] == "DejaVu Sans"
        plot = LossPlot("损失", title="训练损失")
        plot.record(1.0)
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*missing from font.*")
            warnings.filterwarnings("error", message=".*Glyph.*")
            assert plot.figure_png().startswith(PNG_MAGIC)
    finally:
        lossplot.font_families.cache_clear()
    # a file that is not a font is skipped, not a crash
    assert lossplot._add_cjk_font_files(font_manager, files=(__file__,)) == []


def test_chinese_labels_have_glyphs():
    if len(lossplot.font_families()) == 1:
        pytest.skip("no CJK font installed (apt install fonts-noto-cjk)")
    plot = LossPlot("损失", title="训练损失")
    plot.record(1.0)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        assert plot.figure_png().startswith(PNG_MAGIC)


# ---------------------------------------------------------------------------------------------
# explore_training
# ---------------------------------------------------------------------------------------------


class Trainer:
    """A learner's train(lr, epochs): gradient descent on (w - 3)^2, calls recorded."""

    def __init__(self, fail_above=None):
        self.calls = []
        self.fail_above = fail_above

    def __call__(self, lr, epochs):
        self.calls.append((lr, epochs))
        if self.fail_above is not None and lr > self.fail_above:
            raise ValueError(f"lr {lr} <too big>")
        w, b = np.float64(0.0), np.float64(1.0)  # overflow gives inf, as with tensors
        history = {"loss": [], "w": [], "b": []}
        for _ in range(epochs):
            history["loss"].append((w - 3) ** 2 + b**2)
            w -= lr * 2 * (w - 3)
            b -= lr * 2 * b
            history["w"].append(w)
            history["b"].append(b)
        return history


def test_explorer_reruns_train_when_sliders_move():
    train = Trainer()
    box = explore_training(train)
    assert train.calls == [(0.1, 100)]
    assert not box.lr_slider.continuous_update and not box.epochs_slider.continuous_update
    box.lr_slider.value = 0.5
    assert train.calls[-1] == (0.5, 100)
    box.epochs_slider.value = 200
    assert train.calls[-1] == (0.5, 200)
    assert len(box.history["loss"]) == 200
    assert box.history["w"][-1] == pytest.approx(3.0)
    assert box.figure_png().startswith(PNG_MAGIC)
    assert box.picture.value == box.figure_png()
    assert "learning rate 0.5, 200 epochs" in box.message.value
    assert box.error is None


def test_explorer_slider_ranges():
    box = explore_training(Trainer(), lr=(0.01, 2.0, 0.01, 0.2), epochs=(5, 50, 5, 10))
    lr, ep = box.lr_slider, box.epochs_slider
    assert (lr.min, lr.max, lr.step, lr.value) == (0.01, 2.0, 0.01, 0.2)
    assert (ep.min, ep.max, ep.step, ep.value) == (5, 50, 5, 10)


def test_explorer_accepts_a_list_of_losses():
    box = explore_training(lambda lr, epochs: [1.0 / (i + 1) for i in range(epochs)])
    assert list(box.history) == ["loss"]
    assert box.figure_png().startswith(PNG_MAGIC)


def test_explorer_shows_errors_and_stays_alive():
    train = Trainer(fail_above=0.5)
    box = explore_training(train)
    first_png = box.figure_png()
    box.lr_slider.value = 0.8
    assert train.calls[-1] == (0.8, 100)
    assert isinstance(box.error, ValueError)
    assert box.history is None
    assert "ValueError" in box.message.value
    assert "lr 0.8 &lt;too big&gt;" in box.message.value  # escaped
    assert "traceback" in box.message.value
    assert box.figure_png() == first_png  # the last good picture stays
    box.lr_slider.value = 0.2  # the widget still works
    assert box.error is None
    assert len(box.history["loss"]) == 100


def test_explorer_reports_a_bad_history():
    box = explore_training(lambda lr, epochs: {"loss": [1.0, 0.5], "W": [1.0]})
    assert isinstance(box.error, ValueError)
    assert "different lengths" in box.message.value
    assert box.figure_png() is None
    box = explore_training(lambda lr, epochs: {"W": [1.0]})
    assert "without a `&#x27;loss&#x27;` entry" in box.message.value
    box = explore_training(Trainer(), params=["v"])
    assert isinstance(box.error, KeyError)


def test_explorer_mimebundle_reads_statically():
    box = explore_training(Trainer(), params=["w"])
    bundle = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "<training explorer: learning rate and epochs>"
    assert base64.b64decode(bundle["image/png"]) == box.figure_png()


def test_explorer_diverging_run_gets_a_hint():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in the learner's code
        box = explore_training(Trainer(), lr=(0.1, 5.0, 0.1, 3.0), epochs=(10, 500, 10, 500))
    assert "too large" in box.message.value
    assert box.figure_png().startswith(PNG_MAGIC)
    box.lr_slider.value = 1.2  # grows without overflowing
    assert "too large" in box.message.value
    box.lr_slider.value = 0.1
    assert "too large" not in box.message.value


# ---------------------------------------------------------------------------------------------
# benchmarks/plot_overhead.py runs (timings are never asserted)
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_plot_overhead_benchmark_runs():
    bench = pytest.importorskip("benchmarks.plot_overhead")
    res = bench.run(rounds=5)
    assert res["notebook_frames"] >= 1
    assert res["frames_outside_ipython"] == 1
    assert res["short_loop"]["after"]["frames"] == 1  # a sub-second loop: one frame, at the end
    assert "µs/epoch" in bench.format_table(res) and "fixed cost" in bench.format_table(res)


def test_stepper_memory_is_linear_in_the_tape_length():
    """Each step keeps what it changed, never a copy of every total (was quadratic)."""
    import tracemalloc

    def stepper_bytes(n_ops):
        x = tf.Variable(np.linspace(0.1, 1.0, 200))
        with tf.GradientTape(persistent=True) as tape:
            y = x
            for _ in range(n_ops):
                y = y * 1.0001
            loss = tf.reduce_sum(y)
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        s = BackpropStepper(tape, loss, names={})
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert s.n_steps == n_ops + 2
        return after - before

    small, large = stepper_bytes(150), stepper_bytes(600)
    assert large < 4 * small * 1.5, (small, large)  # 4x the ops: ~4x the memory, not ~16x


def test_stepper_pictures_have_their_own_ids_and_the_static_form_is_one_img():
    a, b = _square(), _square()
    a.step = b.step = 1
    ids_a = set(re.findall(r'\sid="([^"]+)"', a.frame.value))
    ids_b = set(re.findall(r'\sid="([^"]+)"', b.frame.value))
    assert ids_a and not ids_a & ids_b  # two steppers on one page: no shared marker id
    for k in range(a.n_steps):  # every marker a step's edges use is defined in that picture
        svg = a.live_svg(k)
        used = set(re.findall(r"url\(#([^)]+)\)", svg))
        assert used and used <= set(re.findall(r'\sid="([^"]+)"', svg))
    html = a._repr_mimebundle_()["text/html"]
    assert html.count("<img") == 1 and "<input" not in html and "<button" not in html
    assert "backprop stepper" in img_alt(html) and "x (variable)" in img_alt(html)
    assert a.play.tooltip and a.slider.tooltip


def test_stepper_local_derivatives_use_one_notation():
    y = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        a = y**3.0
        b = y**2
        c = a + b
    s = BackpropStepper(tape, c, names={"y": y, "a": a, "b": b, "c": c})
    text = "\n".join(s._explain(k) for k in range(1, s.n_steps))
    assert "local 3·y² (= 12.0)" in text
    assert "local 2·y (= 4.0)" in text
    assert "^2.0" not in text and "3.0·" not in text


def test_stepper_text_and_picture_escape_learner_names():
    x = tf.Variable(1.0, name="<b>x</b>")
    with tf.GradientTape(persistent=True) as tape:
        y = x * 2.0
    s = BackpropStepper(tape, y, names={})
    s.step = 1
    assert "<b>x" not in s.frame.value and "<b>x" not in s.panel.value
    assert "&lt;b&gt;x" in s.frame.value and "&lt;b&gt;x" in s.panel.value
    html = s._repr_mimebundle_()["text/html"]
    assert "<b>x" not in html  # the alt text is escaped too
    assert "<b>x</b>" in img_alt(html).replace("&lt;", "<").replace("&gt;", ">")


# -- the stepper draws the backward pass's flow: from the op back to its inputs ----------------
def _edge_flows(svg: str) -> set:
    return set(re.findall(r'class="adk-edge"[^>]*data-flow="(\w+)"', svg))


def test_stepper_arrows_point_forward_at_step_0_and_backward_after():
    s = _fan_out()
    assert _edge_flows(s.frame_svg(0)) == {"forward"}
    assert "gradient flows back" not in s.frame_svg(0)
    for k in range(1, s.n_steps):
        svg = s.live_svg(k)
        assert _edge_flows(svg) == {"backward"}, k
        assert "the gradient flows back from each op to its inputs" in svg
    # the static picture (the last step) shows the backward flow too
    assert _edge_flows(img_svg(s._repr_mimebundle_()["text/html"])) == {"backward"}


def test_stepper_backward_edges_of_the_step_end_on_its_inputs():
    from adkernel.widgets.graph import HIGHLIGHT

    s = _square()  # y = pow(x, 2): two edges into pow, both walked in step 1
    edges = re.findall(r'<path class="adk-edge"[^>]*/>', s.frame_svg(1))
    assert len(edges) == 2
    for edge in edges:
        d = re.search(r' d="([^"]+)"', edge).group(1)
        ys = [float(y) for y in re.findall(r",(-?[\d.]+)", d)]
        assert ys[0] > ys[-1]  # drawn upwards: from pow (below) to its input, arrowhead there
        assert f'stroke="{HIGHLIGHT}"' in edge
    forward = re.findall(r'<path class="adk-edge"[^>]*/>', s.frame_svg(0))
    for edge in forward:
        d = re.search(r' d="([^"]+)"', edge).group(1)
        ys = [float(y) for y in re.findall(r",(-?[\d.]+)", d)]
        assert ys[0] < ys[-1]  # step 0: downwards, from each input to pow


# -- the explorer's path starts at the initial parameters --------------------------------------
def _train_from(start: float, with_start: bool):
    def train(lr, epochs):
        w, ws, losses = start, [start] if with_start else [], []
        b, bs = -start, [-start] if with_start else []
        for _ in range(epochs):
            losses.append((w - 3) ** 2 + (b - 1) ** 2)
            w, b = w - lr * 2 * (w - 3), b - lr * 2 * (b - 1)
            ws.append(w)
            bs.append(b)
        return {"loss": losses, "w": ws, "b": bs}
    return train


@pytest.fixture
def explorer_figures(monkeypatch):
    found = []
    real = explorer.render_png

    def keep(draw, figsize):
        def drawn(fig):
            draw(fig)
            found.append(fig)
        return real(drawn, figsize)

    monkeypatch.setattr(explorer, "render_png", keep)
    return found


def _lines(fig, label):
    return [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_label() == label]


def test_explorer_path_starts_at_the_initial_parameters(explorer_figures):
    box = explore_training(_train_from(-0.354, with_start=True), epochs=(1, 50, 1, 1))
    assert box.error is None
    (dot,) = _lines(explorer_figures[-1], "start")
    assert (dot.get_xdata()[0], dot.get_ydata()[0]) == pytest.approx((-0.354, 0.354))
    (w_line,) = _lines(explorer_figures[-1], "w")
    assert list(w_line.get_xdata()) == [0, 1]  # epoch 0 is the start, epoch 1 after an update
    assert w_line.get_ydata()[0] == pytest.approx(-0.354)
    ax = w_line.axes
    assert ax.get_xlabel() == "epoch"
    assert explorer_figures[-1].axes[0].get_xlabel() == "epoch"  # the loss, one per epoch


def test_explorer_history_without_the_start_still_works_and_says_so(explorer_figures):
    box = explore_training(_train_from(-0.354, with_start=False), epochs=(1, 50, 1, 5))
    assert box.error is None and len(box.history["w"]) == 5
    fig = explorer_figures[-1]
    assert _lines(fig, "start") == []
    (dot,) = _lines(fig, "after epoch 1")  # not called the start: it is after an update
    assert dot.get_xdata()[0] != pytest.approx(-0.354)
    (w_line,) = _lines(fig, "w")
    assert list(w_line.get_xdata()) == [1, 2, 3, 4, 5]


def test_explorer_rejects_parameter_lists_two_longer_than_the_loss():
    box = explore_training(lambda lr, epochs: {"loss": [1.0], "W": [0.0, 1.0, 2.0]})
    assert isinstance(box.error, ValueError)
    assert "one more entry: the parameters before training" in box.message.value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_course_history_of_records_the_start(lang):
    """Chapter 05's history_of (both editions): entry 0 of W and b is chapter 04's start."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[1] / "course" / lang / "05-exercises.ipynb")
                    .read_text(encoding="utf-8"))
    source = {c.get("id"): "".join(c["source"]) for c in nb["cells"]}
    ns = {"np": np, "tf": tf}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        exec(source["05-03"], ns)  # the data and W_start, b_start (prints them)
        exec(source["05-05"], ns)
    h = ns["history_of"](0.1, 1)
    assert (h["W"][0], h["b"][0]) == pytest.approx((-0.354, -1.375), abs=1e-3)
    assert len(h["W"]) == len(h["b"]) == len(h["loss"]) + 1
    assert h["W"][1] != pytest.approx(h["W"][0])
