"""The pictures and widgets in the learner's language (issue 16): graph, stepper, loss plot,
training explorer.

In zh mode every word they show (SVG text, ``<title>`` hover text, the ``<img>`` alt text,
the stepper's panel and tooltips, matplotlib texts, slider descriptions, messages) is
Chinese or an identifier; English is unchanged; switching the language between two
drawings changes the words. The pictures look right in Chinese: a CJK font stack in the
SVG, matplotlib's CJK fallback without "Glyph missing" warnings, boxes as wide as CJK text,
a white background of their own (dark notebook themes) and Okabe-Ito colours.
"""

from __future__ import annotations

import io
import re
import warnings

import matplotlib.image
import matplotlib.text
import numpy as np
import pytest
from html_output import img_alt, img_svg
from lang_scan import cjk_characters, english_words, texts_of_html

from adkernel import tf
from adkernel.engine.i18n import language, set_language
from adkernel.widgets import explorer, graph, lossplot, stepper
from adkernel.widgets.explorer import explore_training
from adkernel.widgets.graph import GraphPicture, render_svg, show_graph
from adkernel.widgets.lossplot import LossPlot, font_families
from adkernel.widgets.stepper import BackpropStepper

OKABE_ITO = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00",
             "#cc79a7"}
NEUTRAL = {"#ffffff", "#333333", "#999999", "#666666", "#f2f2f2"}  # greys


@pytest.fixture(autouse=True)
def outside_ipython(monkeypatch):
    monkeypatch.setattr(lossplot, "_has_frontend", lambda: False)


def _english(texts, allowed=()) -> list:
    return [w for t in texts for w in english_words(str(t), allowed)]


def _picture():
    """A graph with every row a box can have: scalar, vector (min/max/mean), gradients."""
    x = tf.Variable(3.0)
    w = tf.Variable([1.0, 2.0, 3.0, 4.0, 5.0])
    with tf.GradientTape(persistent=True) as tape:
        y = x**2
        z = tf.reduce_sum(w * y) + x
    return tape, z, {"x": x, "w": w, "y": y, "z": z}


def _square():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x**2
    return tape, y, {"x": x, "y": y}


def _html_texts(pic: GraphPicture) -> list:
    """What a person reads in the picture a notebook receives: alt text, SVG text, titles."""
    markup = pic._repr_html_()
    texts = texts_of_html(markup)
    svg = img_svg(markup)
    assert img_alt(markup) in texts
    assert re.search(r"<title>", svg)
    return texts


# -- the graph -------------------------------------------------------------------------------

def test_graph_in_chinese_has_no_english_word(zh_mode):
    tape, z, names = _picture()
    pic = show_graph(z, tape, names=names)
    texts = _html_texts(pic)
    assert _english(texts) == []
    joined = "\n".join(texts)
    for chinese in ("操作", "变量", "常量", "目标（粗边框）", "标量，float32", "梯度 91",
                    "形状 (5,)，float32", "最小 1 最大 5 均值 3", "目标对它的梯度",
                    "形状 ()，数据类型 float32", "每个框中：名称或操作"):
        assert chinese in joined, chinese
    assert pic.alt.startswith("计算图，7 个框：x（变量），2（常量），y = pow(x, 2)")
    assert pic.alt.endswith("；目标 z")
    assert repr(pic) == "<计算图：7 个节点，7 条边>"
    assert "<title>计算图：7 个节点，7 条边</title>" in pic.svg


def test_graph_in_chinese_grad_6_and_the_picture_title(zh_mode):
    tape, y, names = _square()
    svg = show_graph(y, tape, names=names, title="第 1 幅图").svg
    assert ">梯度 6<" in svg and ">标量，float32<" in svg and "grad" not in svg
    assert "<title>第 1 幅图</title>" in svg


def test_graph_leaves_without_names_summaries_and_backward_notes_in_chinese(zh_mode):
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x
        for _ in range(40):
            y = tf.sin(y) * 1.5 + 0.1
        g = tape.gradient(y, x)  # recorded while recording: the backward ops are a note
    del g
    pic = show_graph(y, tape, names={}, max_nodes=30)
    texts = _html_texts(pic)
    assert _english(texts) == []
    joined = "\n".join(texts)
    assert "被监视" in joined and "另外" in joined and "次同样的迭代" in joined
    assert "被监视的张量" in joined  # the legend and the hover text


def test_empty_tape_and_long_tapes_in_chinese(zh_mode):
    from adkernel.engine.inspect import Graph

    empty = render_svg(Graph([], [], None))
    assert _english(texts_of_html(empty)) == [] and "空梯度带" in empty
    x = tf.Variable(1.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x
        for i in range(60):  # no repeated body: cut to max_nodes
            y = [tf.sin, tf.cos, tf.exp, tf.tanh, tf.square][i % 5](y) if i % 7 else y + 1.0
    svg = show_graph(y, tape, names={}, max_nodes=10).svg
    assert _english(texts_of_html(svg)) == []
    assert "个操作" in svg


def test_graph_errors_in_chinese(zh_mode):
    tape, y, names = _square()
    with pytest.raises(ValueError, match="max_nodes 必须是不小于 3 的整数"):
        show_graph(y, tape, max_nodes=2)
    with pytest.raises(TypeError, match="未知的选项"):
        show_graph(y, tape, colour="red")
    with pytest.raises(TypeError, match=r"tape 必须是 tf\.GradientTape"):
        show_graph(y, "tape")
    tape.gradient(y, names["x"])
    x = tf.Variable(1.0)
    with tf.GradientTape() as once:
        v = x * 2
    once.gradient(v, x)
    with pytest.raises(RuntimeError) as info:
        show_graph(v, once)
    assert english_words(str(info.value)) == []


def test_graph_english_unchanged():
    tape, y, names = _square()
    pic = show_graph(y, tape, names=names)
    svg = pic.svg
    for english in (">grad 6<", ">scalar, float32<", ">target (thick outline)<", ">variable<",
                    "<title>computation graph: 3 nodes, 2 edges</title>",
                    "in each box: name or op, then shape, dtype; value; grad = gradient of the "
                    "target"):
        assert english in svg, english
    assert pic.alt == "computation graph, 3 boxes: x (variable), 2 (constant), y = pow(x, 2); " \
                      "target y"
    assert cjk_characters("\n".join(_html_texts(pic))) == []
    tape, z, names = _picture()
    assert "min 1 max 5 mean 3" in show_graph(z, tape, names=names).svg


def test_switching_language_between_two_drawings_changes_the_labels():
    tape, y, names = _square()
    pic = show_graph(y, tape, names=names)
    en = pic.svg
    set_language("zh")
    zh = pic.svg
    set_language("en")
    assert ">grad 6<" in en and ">梯度 6<" in zh and pic.svg == en
    with language("zh"):
        assert pic.alt.startswith("计算图") and repr(pic).startswith("<计算图")
    assert pic.alt.startswith("computation graph")


# -- how the Chinese pictures look ----------------------------------------------------------

def test_svg_font_stack_covers_chinese_after_the_latin_fonts(zh_mode):
    tape, y, names = _square()
    for svg in (show_graph(y, tape, names=names).svg,
                BackpropStepper(tape, y, names=names).frame_svg(1)):
        family = re.search(r'<svg [^>]*font-family="([^"]+)"', svg).group(1)
        fonts = [f.strip() for f in family.split(",")]
        assert fonts[0] == "DejaVu Sans" and fonts[-1] == "sans-serif"
        for cjk in ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
                    "PingFang SC"):
            assert fonts.index(cjk) > fonts.index("Arial")


def test_cjk_text_counts_double_and_fits_its_box(zh_mode):
    assert graph._text_width("梯度") == pytest.approx(2 * graph.FONT_SIZE)
    assert graph._text_width("梯度") > 1.9 * graph._text_width("gr")
    tape, z, names = _picture()
    g = graph.graph_of(tape, z, names=names)
    labels = {n.id: graph._label(n) for n in g.nodes}
    lay = graph.layout(g, {k: lab.size() for k, lab in labels.items()})
    for node_id, lab in labels.items():
        width = lay.boxes[node_id][2]
        for role, text in lab.rows:
            size = graph.SMALL_SIZE if role == "meta" else graph.FONT_SIZE
            assert graph._text_width(text, size) + 2 * graph.PAD_X <= width + 1e-9, text
    svg = show_graph(z, tape, names=names).svg
    svg_width = float(re.search(r'<svg [^>]*width="([\d.]+)"', svg).group(1))
    note = "每个框中：名称或操作，然后是形状和数据类型；值；梯度 = 目标对它的梯度"
    assert svg_width >= 2 * graph.MARGIN + graph._text_width(note, graph.SMALL_SIZE)


def test_pictures_have_their_own_background_and_colour_blind_safe_colours():
    tape, y, names = _square()
    svg = BackpropStepper(tape, y, names=names).frame_svg(1)
    # a white background of its own: readable in JupyterLab's dark theme
    assert re.search(r'<rect width="[\d.]+" height="[\d.]+" fill="#ffffff"/>', svg)
    for _fill, stroke, _dash in graph.STYLES.values():
        assert stroke in OKABE_ITO | NEUTRAL
    assert graph.HIGHLIGHT in OKABE_ITO and f'stroke="{graph.HIGHLIGHT}"' in svg
    assert set(explorer.LINE_COLORS) <= OKABE_ITO
    assert lossplot.CURVE_COLOUR in OKABE_ITO and lossplot.WARN_COLOUR in OKABE_ITO


# -- the stepper ----------------------------------------------------------------------------

def _stepper_texts(s: BackpropStepper) -> list:
    texts = [s.play.tooltip, s.slider.description, s.slider.tooltip, repr(s), s.alt]
    for k in range(s.n_steps):
        s.step = k
        texts += texts_of_html(s.panel.value) + texts_of_html(s.frame.value)
        texts.append(s.explanation)
    texts += texts_of_html(s._repr_mimebundle_()["text/html"])
    return texts


def test_stepper_in_chinese_has_no_english_word(zh_mode):
    x = tf.Variable(1.0)
    w = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        a = 2 * x
        b = a * a + x  # fan-out: x and a accumulate
        c = w * b
    s = BackpropStepper(tape, c, names={"x": x, "w": w, "a": a, "b": b, "c": c})
    texts = _stepper_texts(s)
    assert _english(texts) == []
    joined = "\n".join(texts)
    for chinese in ("播放：一步一步走完反向传播", "第 0 步：前向传播。", "上游梯度：",
                    "链式法则：每个输入得到 上游梯度 × 局部导数。", "之前已有", "当前步骤",
                    "完成：所有梯度都已算出。", "反向传播步进器"):
        assert chinese in joined, chinese
    assert s.slider.description == "步数"
    assert s.slider.tooltip == "选择步骤：0 是前向传播，到 4 时所有梯度都已算出"


def test_stepper_square_in_chinese_reads_well(zh_mode):
    tape, y, names = _square()
    s = BackpropStepper(tape, y, names=names)
    s.step = 1
    assert s.explanation == (
        "第 1 步（共 1 步）：反向经过 y = pow(x, 2)。\n"
        "上游梯度：dy/dy = 1.0（y 是目标，所以从 1 开始）。\n"
        "链式法则：每个输入得到 上游梯度 × 局部导数。\n"
        "  上游 1.0 × 局部 2·x (= 6.0) = 6.0 → x\n"
        "  （2 是常量：它不需要梯度。）\n"
        "完成：所有梯度都已算出。dy/dx = 6.0。")
    assert ">梯度 6<" in s.frame_svg(1)
    assert ">第 1 步（共 1 步）：反向经过 y<" in s.frame_svg(1)


def test_stepper_panel_error_and_raised_errors_in_chinese(zh_mode, monkeypatch):
    tape, y, names = _square()
    s = BackpropStepper(tape, y, names=names)
    with pytest.raises(ValueError, match="step 必须在 0 到 1 之间"):
        s.step = 5

    def broken(*args, **kwargs):
        raise RuntimeError("画不出来")

    monkeypatch.setattr(stepper, "render_svg", broken)
    with pytest.raises(RuntimeError, match="画不出来"):
        s.step = 1
    assert "步进器无法画出第 1 步" in s.panel.value
    assert _english(texts_of_html(s.panel.value)) == []


def test_stepper_english_unchanged_and_switching_language():
    tape, y, names = _square()
    s = BackpropStepper(tape, y, names=names)
    assert s.play.tooltip == ("Play: walk through the backward pass, one step every 1.5 s "
                              "(pause, stop, repeat)")
    assert s.slider.description == "step"
    s.step = 1
    en = s.explanation
    assert en.startswith("Step 1 of 1: backward through y = pow(x, 2).")
    assert "upstream 1.0 × local 2·x (= 6.0) = 6.0 → x" in en
    set_language("zh")
    s.step = 0
    s.step = 1  # the controls and the panel follow the language current when drawn
    assert s.explanation.startswith("第 1 步") and s.slider.description == "步数"
    assert s.play.tooltip.startswith("播放") and "梯度 6" in s.frame.value
    set_language("en")
    s.step = 0
    assert s.slider.description == "step" and s.explanation == (
        s._explain(0)) and s.explanation.startswith("Step 0: the forward pass.")
    assert ">grad 6<" in s.frame_svg(1)
    assert cjk_characters("\n".join(_stepper_texts(s))) == []


# -- matplotlib: the loss plot and the explorer ---------------------------------------------

def _cjk_font_or_skip():
    fonts = font_families()
    if len(fonts) == 1:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")


@pytest.fixture
def figures(monkeypatch):
    """Every matplotlib figure the widgets draw, kept to read its texts."""
    found = []
    real = lossplot.render_png

    def keep(draw, figsize, **kwargs):
        def drawn(fig):
            draw(fig)
            found.append(fig)
        return real(drawn, figsize, **kwargs)

    monkeypatch.setattr(lossplot, "render_png", keep)
    monkeypatch.setattr(explorer, "render_png", keep)
    return found


def _figure_texts(fig) -> list:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]


def _white_corner(png: bytes) -> bool:
    pixels = matplotlib.image.imread(io.BytesIO(png))
    return bool(np.allclose(pixels[0, 0, :3], 1.0) and np.allclose(pixels[-1, -1, :3], 1.0))


def _train(lr, epochs):
    w, b, history = 0.0, 0.0, {"loss": [], "W": [0.0], "b": [0.0]}  # from the start
    for _step in range(epochs):
        err = 2 * w + b - 5
        history["loss"].append(err**2)
        w, b = w - lr * 4 * err, b - lr * 2 * err
        history["W"].append(w)
        history["b"].append(b)
    return history


def test_loss_plot_in_chinese_without_missing_glyphs(zh_mode, figures):
    _cjk_font_or_skip()
    plot = LossPlot()
    for step in range(500):
        plot.record(1.0 / (step + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails the test
        png = plot.figure_png()
        bad = LossPlot()
        for v in (1.0, 0.5, float("nan")):
            bad.record(v)
        bad.figure_png()
        LossPlot().figure_png()
    assert png[:4] == b"\x89PNG" and _white_corner(png)
    texts = [t for fig in figures for t in _figure_texts(fig)]
    assert _english(texts) == []
    for chinese in ("损失", "步数", "第 499 步：0.002", "从第 2 步起未画出：损失 = nan",
                    "还没有数值"):
        assert chinese in texts, chinese
    assert repr(plot) == "<损失曲线：损失>"


def test_loss_plot_english_unchanged_and_switching(figures):
    plot = LossPlot()
    plot.values = [1.0] * 499 + [0.2481]
    plot.figure_png()
    en = _figure_texts(figures[-1])
    assert {"loss", "step", "step 499: 0.2481"} <= set(en)
    assert repr(plot) == "<loss plot: loss>"
    with language("zh"):
        plot.figure_png()
        assert repr(plot) == "<损失曲线：损失>"
    assert {"损失", "步数", "第 499 步：0.2481"} <= set(_figure_texts(figures[-1]))
    assert cjk_characters(" ".join(en)) == []


def test_explorer_in_chinese_without_missing_glyphs(zh_mode, figures):
    _cjk_font_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        box = explore_training(_train)
        box.lr_slider.value = 0.3  # diverges: the warning in the message
    texts = [box.lr_slider.description, box.epochs_slider.description, box.message.value,
             box._repr_mimebundle_()["text/plain"]]
    texts += [t for fig in figures for t in _figure_texts(fig)]
    assert _english(texts) == []
    assert box.lr_slider.description == "学习率"
    assert box.epochs_slider.description == "迭代周期"
    joined = "\n".join(texts)
    for chinese in ("(W, b) 的路径", "起点", "终点", "参数", "值", "学习率 0.1，100 个迭代周期",
                    "损失不降反升", "迭代周期"):
        assert chinese in joined, chinese
    assert _white_corner(box.figure_png())


def test_explorer_errors_in_a_panel_in_chinese(zh_mode):
    box = explore_training(lambda lr, epochs: (1.0, 2.0))
    assert "运行失败" in box.message.value and "回溯信息" in box.message.value
    shown = texts_of_html(box.message.value)
    # the traceback's frames are Python's, not adkernel's words: read the message line only;
    # train's argument names and the history's keys are identifiers
    assert _english(shown[:2], allowed={"lr", "epochs", "loss"}) == []
    box = explore_training(lambda lr, epochs: {"W": [1.0] * epochs})
    assert "没有 `&#x27;loss&#x27;` 项" in box.message.value  # escaped HTML


def test_explorer_english_unchanged_and_switching():
    box = explore_training(_train)
    assert box.lr_slider.description == "learning rate"
    assert box.epochs_slider.description == "epochs"
    assert box.message.value.startswith("learning rate 0.1, 100 epochs: loss 25 → ")
    set_language("zh")
    box.run()
    assert box.lr_slider.description == "学习率"
    assert box.message.value.startswith("学习率 0.1，100 个迭代周期：损失 25 → ")
    set_language("en")
    box.run()
    assert box.epochs_slider.description == "epochs"
    assert box._repr_mimebundle_()["text/plain"] == "<training explorer: learning rate and epochs>"
