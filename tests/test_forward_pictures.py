"""Forward mode drawn (issue 21, item 3): tangents in the graph boxes, the forward-mode
stepper, and forward against reverse mode side by side. Headless: widget state is read
from traits; the numbers are checked against the accumulator and central differences."""

from __future__ import annotations

import doctest
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from html_output import img_alt, img_svg
from lang_scan import english_words, texts_of_html

from adkernel import tf
from adkernel.engine.i18n import language
from adkernel.engine.inspect import forward_steps, graph_of, set_tangents
from adkernel.widgets import graph_layout, modes, stepper_forward
from adkernel.widgets.graph import GraphPicture, render_svg
from adkernel.widgets.modes import compare_modes
from adkernel.widgets.stepper_forward import ForwardStepper, PrimalTape, forward_stepper


@pytest.mark.parametrize("module", [stepper_forward, modes, graph_layout],
                         ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def _program(x, w):
    a = x * x  # fan-out: x twice into one op
    b = tf.sin(x) * w
    return a + b, {"a": a, "b": b}


def _recorded(tangents=(1.0, 0.5)):
    x, w = tf.constant(3.0), tf.Variable(2.0)
    tape = PrimalTape(persistent=True)
    with tape:
        tape.watch(x)
        with tf.autodiff.ForwardAccumulator([x, w], [tf.constant(tangents[0]),
                                                     tf.constant(tangents[1])]) as acc:
            y, inner = _program(x, w)
    names = {"x": x, "w": w, "y": y, **inner}
    return tape, acc, y, names


# -- the engine side: records without the tangent rules, and each op's tangent ---------------
def test_a_primal_tape_records_the_program_only_and_a_plain_tape_records_the_rules_too():
    tape, acc, _y, _names = _recorded()
    assert [r.op.name for r in tape.view().records] == ["mul", "sin", "mul", "add"]
    x, w = tf.constant(3.0), tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as plain:
        plain.watch(x)
        with tf.autodiff.ForwardAccumulator([x, w], [1.0, 0.5]):
            _program(x, w)
    assert len(plain.view().records) > 4  # reverse-over-forward: the rules' ops as well
    with pytest.raises(ValueError, match="forward_stepper"):
        ForwardStepper(plain, acc)


def test_every_step_has_the_accumulators_tangent_and_its_parts_add_up_to_it():
    tape, acc, y, names = _recorded()
    graph = graph_of(tape, y, names=names, gradients=False)
    steps = forward_steps(tape, acc, graph)
    assert [s.op for s in steps] == ["mul", "sin", "mul", "add"]
    by_serial = {n.id: n.serial for n in graph.nodes}
    for s in steps:
        assert s.tangent is not None
        total = sum(np.asarray(p.contribution, dtype=np.float64) for p in s.parts)
        np.testing.assert_allclose(total, s.tangent, rtol=1e-6)
        for p in s.parts:  # local derivative × incoming tangent = the part
            np.testing.assert_allclose(p.local * float(p.incoming), float(p.contribution),
                                       rtol=1e-6)
    for name in ("a", "b", "y"):  # the accumulator's own numbers
        node = next(n for n in graph.nodes if n.serial == names[name]._serial)
        assert float(node.tangent) == float(acc.jvp(names[name])), name
        assert by_serial[node.id] == names[name]._serial
    # and the tangent is right: central differences along the same direction
    def f(t):
        yt, _ = _program(tf.constant(3.0 + t, tf.float64), tf.constant(2.0 + 0.5 * t,
                                                                       tf.float64))
        return float(yt)
    h = 1e-6
    assert float(acc.jvp(y)) == pytest.approx((f(h) - f(-h)) / (2 * h), rel=1e-5)


def test_fan_out_parts_and_array_parts():
    tape, acc, y, names = _recorded()
    graph = graph_of(tape, y, names=names, gradients=False)
    first = forward_steps(tape, acc, graph)[0]  # a = x * x: two parts of 3 each
    assert [float(p.contribution) for p in first.parts] == [3.0, 3.0]
    assert float(first.tangent) == 6.0
    x = tf.constant([1.0, 2.0])
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    s = forward_stepper(lambda x, w: tf.reduce_sum(tf.tanh(tf.linalg.matvec(w, x)) * x), x, w)
    with tf.autodiff.ForwardAccumulator([x, w], [tf.ones_like(x), tf.ones_like(w)]) as acc2:
        out = tf.reduce_sum(tf.tanh(tf.linalg.matvec(w, x)) * x)
    assert float(s.steps[-1].tangent) == pytest.approx(float(acc2.jvp(out)), rel=1e-6)
    for step in s.steps:
        parts = [p.contribution for p in step.parts]
        np.testing.assert_allclose(np.sum(parts, axis=0), step.tangent, rtol=1e-5, atol=1e-7)


# -- the stepper ------------------------------------------------------------------------------
def test_forward_stepper_text_shows_local_times_incoming_and_the_sums():
    tape, acc, y, names = _recorded()
    s = ForwardStepper(tape, acc, y, names=names)
    assert s.n_steps == 5
    assert "ẋ = 1.0" in s._explain(0) and "ẇ = 0.5" in s._explain(0)
    one = s._explain(1)
    assert "from x: local x (= 3.0) × ẋ (= 1.0) = 3.0" in one
    assert "Tangents meet here and add: ȧ = 3.0 + 3.0 = 6.0" in one
    three = s._explain(3)
    assert "× ẇ (= 0.5)" in three and "ḃ = " in three
    last = s._explain(4)
    assert f"ẏ = {float(acc.jvp(y)):.4g}" in last
    assert "Done:" in last and "Done:" not in three
    for k in range(s.n_steps):  # every step draws, in the widget too
        s.step = k
        assert s.frame.value.startswith("<svg") and s.panel.value


def test_forward_stepper_pictures_move_values_and_tangents_op_by_op():
    tape, acc, y, names = _recorded()
    s = ForwardStepper(tape, acc, y, names=names)
    first, last = s.frame_svg(0), s.frame_svg(s.n_steps - 1)
    assert "tangent 1" in first and "tangent 0.5" in first  # the inputs
    assert "tangent 6" not in first and "9.28" not in first  # no op has run yet
    assert "tangent 6" in s.frame_svg(1) and "tangent 6" in last
    assert f"tangent {float(acc.jvp(y)):.6g}" in last
    assert "grad" not in last  # forward mode: no gradients
    assert "data-flow=\"backward\"" not in last
    for k in range(s.n_steps):
        ET.fromstring(s.frame_svg(k))  # well-formed


def test_forward_stepper_static_form_is_one_img_with_the_last_step():
    tape, acc, y, names = _recorded()
    s = ForwardStepper(tape, acc, y, names=names)
    bundle = s._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "image/svg+xml" not in bundle
    assert bundle["text/plain"] == "<forward-mode stepper: 5 steps>"
    html = bundle["text/html"]
    assert html.count("<img") == 1 and "<input" not in html and "<button" not in html
    assert img_svg(html) == s.frame_svg(s.n_steps - 1)
    assert "forward-mode stepper" in img_alt(html) and "ẋ = 1.0" in img_alt(html)
    assert "forward pass with its tangents" in s.play.tooltip


def test_forward_stepper_escapes_learner_names():
    x = tf.constant(2.0)
    s = forward_stepper(lambda x: x * x, x, names={"<script>": x})
    for k in range(s.n_steps):
        s.step = k
        assert "<script>" in s.explanation
        assert "<script>" not in s.panel.value and "<script>" not in s.frame.value
    assert "&lt;script&gt;" in s.panel.value
    html = s._repr_mimebundle_()["text/html"]
    assert "<script>" not in html
    assert "<script>" in img_alt(html).replace("&lt;", "<").replace("&gt;", ">")


def test_forward_stepper_in_chinese():
    tape, acc, y, names = _recorded()
    with language("zh"):
        s = ForwardStepper(tape, acc, y, names=names)
        texts = [s._explain(k) for k in range(s.n_steps)]
        svg = s.frame_svg(s.n_steps - 1)
        html = s._repr_mimebundle_()["text/html"]
        tooltip = s.play.tooltip
    assert "切向量" in "".join(texts) and "切向量" in svg and "切向量" in tooltip
    assert "局部 x (= 3.0) × ẋ (= 1.0) = 3.0" in texts[1]
    words = [w for t in texts + texts_of_html(html) for w in english_words(t, ("a", "b"))]
    assert words == []
    # and English is unchanged after
    assert "Tangent: each input" in ForwardStepper(tape, acc, y, names=names)._explain(1)


def test_forward_stepper_without_a_target_and_an_input_without_tangent():
    x, c = tf.constant(1.0), tf.constant(5.0)
    tape = PrimalTape(persistent=True)
    with tape:
        tape.watch([x, c])
        with tf.autodiff.ForwardAccumulator(x, 1.0) as acc:
            z = c * 2.0  # does not move
            y = x + z
    s = ForwardStepper(tape, acc, names={"x": x, "c": c, "z": z, "y": y})
    assert "No input of z carries a tangent" in s._explain(1)
    assert "ẏ = 1.0" in s._explain(2)
    assert "every tangent is known" in s._explain(2)


# -- the graph picture ------------------------------------------------------------------------
def test_graph_boxes_show_tangents_and_say_what_they_are():
    tape, acc, y, names = _recorded()
    graph = set_tangents(graph_of(tape, y, names=names, gradients=False), acc)
    pic = GraphPicture(graph)
    svg = pic.svg
    ET.fromstring(svg)
    assert "tangent 6" in svg and "tangent 1" in svg and "tangent 0.5" in svg
    assert "tangent = how fast the value moves" in svg
    assert "grad" not in svg
    assert "tangent 6" in pic.to_dot()
    html = pic._repr_html_()
    assert img_svg(html) == svg  # the static form notebooks keep
    with language("zh"):
        zh = render_svg(graph)
    assert "切向量 6" in zh and "tangent" not in zh


def test_graph_tangent_text_is_escaped():
    x = tf.constant(1.0)
    tape = PrimalTape(persistent=True)
    with tape:
        tape.watch(x)
        with tf.autodiff.ForwardAccumulator(x, 1.0) as acc:
            y = x * 3.0
    graph = set_tangents(graph_of(tape, y, names={"<i>x</i>": x, "y&": y}, gradients=False),
                         acc)
    svg = render_svg(graph)
    assert "<i>" not in svg and "&lt;i&gt;x&lt;/i&gt;" in svg and "y&amp;" in svg
    ET.fromstring(svg)


# -- forward and reverse mode side by side ----------------------------------------------------
def _f(x):
    return tf.stack([x[0] * x[1], tf.sin(x[0]), x[1] ** 2])


def test_compare_modes_builds_the_jacobian_both_ways():
    x = tf.constant([1.0, 2.0])
    c = compare_modes(_f, x)
    assert c.passes == {"forward": 2, "reverse": 3}
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = _f(x)
    np.testing.assert_allclose(c.jacobian, tape.jacobian(y, x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(c.forward, c.reverse, rtol=1e-6)
    h, x0 = 1e-6, np.array([1.0, 2.0])
    numeric = np.stack([(_f(tf.constant(x0 + h * e)).numpy() - _f(tf.constant(x0 - h * e))
                         .numpy()) / (2 * h) for e in np.eye(2, dtype=np.float64)], axis=1)
    np.testing.assert_allclose(c.jacobian, numeric, rtol=1e-4, atol=1e-4)
    assert c.agree and c.difference < 1e-6


def test_compare_modes_fills_a_column_per_forward_pass_and_a_row_per_reverse_pass():
    c = compare_modes(_f, tf.constant([1.0, 2.0]))
    assert c.n_steps == 4  # pass 0, then max(2, 3) passes
    for k in range(c.n_steps):
        svg = c.frame_svg(k)
        ET.fromstring(svg)
        filled_fwd = svg.count('fill="#d4e8f5"')
        filled_rev = svg.count('fill="#fbecc9"')
        assert filled_fwd == 3 * min(k, 2), k  # m = 3 entries per column
        assert filled_rev == 2 * min(k, 3), k  # n = 2 entries per row
    c.step = 2
    assert "column 1" in c.explanation and "row 1" in c.explanation
    c.step = 3
    text = c.explanation
    assert "Forward mode finished after 2 passes." in text and "row 2" in text
    assert "Both Jacobians agree" in text and "forward mode needed fewer passes" in text


def test_compare_modes_counts_one_reverse_pass_for_a_loss_and_has_a_static_form():
    c = compare_modes(lambda x: tf.reduce_sum(x ** 2), [1.0, 2.0, 3.0])
    assert c.passes == {"forward": 3, "reverse": 1}
    np.testing.assert_allclose(c.jacobian, [[2.0, 4.0, 6.0]])
    c.step = c.n_steps - 1
    assert "reverse mode needed fewer passes (1 against 3)" in c.explanation
    bundle = c._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    html = bundle["text/html"]
    assert html.count("<img") == 1
    svg = img_svg(html)
    assert svg == c.frame_svg(c.n_steps - 1) and "?" not in svg  # every entry filled
    assert "1 pass" in img_alt(html) and "3 passes" in img_alt(html)
    assert repr(c) == ("<forward and reverse mode: a 1×3 Jacobian; forward 3 passes, "
                       "reverse 1 pass>")


def test_compare_modes_in_chinese():
    with language("zh"):
        c = compare_modes(_f, tf.constant([1.0, 2.0]))
        texts = [c._explain(k) for k in range(c.n_steps)]
        html = c._repr_mimebundle_()["text/html"]
        svg = img_svg(html)
    assert "前向模式" in svg and "反向模式" in svg and "雅可比矩阵" in "".join(texts)
    words = [w for t in texts + texts_of_html(html) + texts_of_html(svg)
             for w in english_words(t)]
    assert words == []


def test_compare_modes_says_what_was_wrong():
    with pytest.raises(TypeError, match="must be a function"):
        compare_modes("sin", tf.constant([1.0]))
    with pytest.raises(TypeError, match="floats"):
        compare_modes(lambda x: x, tf.constant([1, 2]))
    with pytest.raises(TypeError, match="float tensor"):
        compare_modes(lambda x: 3, tf.constant([1.0]))
    with pytest.raises(ValueError, match="at most 12"):
        compare_modes(lambda x: x, tf.zeros([13]))


def test_compare_modes_reports_a_disagreement_instead_of_hiding_it():
    c = modes.ModeComparison(np.array([[1.0, 2.0]]), np.array([[1.0, 2.5]]))
    c.step = c.n_steps - 1
    assert not c.agree
    assert "The two Jacobians differ (largest difference 0.5)" in c.explanation


def test_mode_pictures_use_the_picture_colours():
    svg = compare_modes(_f, tf.constant([1.0, 2.0])).frame_svg(1)
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', svg))
    from adkernel.widgets.graph_svg import HIGHLIGHT, STYLES, TEXT

    allowed = {HIGHLIGHT, "#ffffff", "#999999", *TEXT.values(), *modes.FILLS.values(),
               *(s[0] for s in STYLES.values())}
    assert colours <= allowed


def test_a_plain_tape_inside_a_primal_tape_still_differentiates_the_tangent():
    x = tf.constant(3.0)
    outer = PrimalTape(persistent=True)
    with outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
                y = x ** 3
            dy = acc.jvp(y)  # 3x² = 27
        assert float(dy) == 27.0
        assert float(inner.gradient(dy, x)) == 18.0  # reverse-over-forward: 6x
    view = outer.view()
    assert [r.op.name for r in view.records if r.out not in view.backward_outputs] == ["pow"]
    assert all(r.out != dy._serial for r in outer.view().records)  # no tangent op kept
