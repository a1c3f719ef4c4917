"""The computation graph picture: valid, readable, deterministic, escaped, summarised SVG."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from html_output import img_svg

import adkernel
from adkernel import tf
from adkernel.engine.inspect import Graph, Node, graph_of
from adkernel.widgets.graph import HIGHLIGHT, GraphPicture, layout, render_svg, show_graph

SVG = "{http://www.w3.org/2000/svg}"


# -- helpers ---------------------------------------------------------------------------------
def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def node_groups(root: ET.Element) -> list:
    return [g for g in root.iter(f"{SVG}g") if "adk-node" in g.get("class", "").split()]


def box_of(group: ET.Element) -> ET.Element:
    (rect,) = [r for r in group.iter(f"{SVG}rect") if r.get("class") == "adk-box"]
    return rect


def texts(root: ET.Element) -> list:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def group(root: ET.Element, node_id: str) -> ET.Element:
    (g,) = [g for g in node_groups(root) if g.get("data-id") == node_id]
    return g


def assert_no_overlap(svg: str) -> None:
    rects = []
    for g in node_groups(parse(svg)):
        r = box_of(g)
        rects.append(tuple(float(r.get(k)) for k in ("x", "y", "width", "height")))
    for (x1, y1, w1, h1), (x2, y2, w2, h2) in itertools.combinations(rects, 2):
        apart = x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
        assert apart, f"boxes overlap: {(x1, y1, w1, h1)} and {(x2, y2, w2, h2)}"


def square_graph():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x**2
    return graph_of(tape, y, names={"x": x, "y": y})


def seed_graph():
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        z = x**2 + y**3
    return graph_of(tape, z, names={"x": x, "y": y, "z": z})


def mlp_graph():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    params = {}
    sizes = [3, 8, 8, 4, 1]
    with tf.GradientTape(persistent=True) as tape:
        h = X
        for i, (m, n) in enumerate(itertools.pairwise(sizes)):
            W = params[f"W{i}"] = tf.Variable(rng.normal(size=(m, n)))
            b = params[f"b{i}"] = tf.Variable(np.zeros(n))
            h = tf.matmul(h, W) + b
            if i < len(sizes) - 2:
                h = tf.tanh(h)
        loss = tf.reduce_mean(tf.square(h - Y))
        for i in range(len(sizes) - 1):
            loss = loss + 0.01 * tf.reduce_sum(tf.square(params[f"W{i}"]))
    return graph_of(tape, loss, names={**params, "loss": loss})


def loop_tape(steps: int):
    """``steps`` iterations of a 5-op loop body on a scalar (benchmark W2's chain)."""
    x = tf.Variable(np.float64(0.5))
    with tf.GradientTape(persistent=True) as tape:
        x_ = x
        for _ in range(steps):
            x_ = tf.sin(x_) * 1.01 + x_ * x_ * 0.001
    return tape, x_


# -- content ---------------------------------------------------------------------------------
def test_square_shows_op_names_values_and_gradients():
    root = parse(render_svg(square_graph()))
    words = texts(root)
    assert "y = pow" in words and "x" in words
    assert "9" in words  # the value of y
    assert "grad 6" in words  # dy/dx at x = 3
    assert "scalar, float32" in words
    assert root.get("width") and root.get("height") and root.get("viewBox")
    assert root.find(f"{SVG}title") is not None


def test_seed_example_z_equals_x_squared_plus_y_cubed():
    graph = seed_graph()
    root = parse(render_svg(graph))
    words = texts(root)
    assert {"x", "y", "z = add", "grad 4", "grad 27", "31"} <= set(words)
    assert sum(w == "pow" for w in words) == 2
    assert len(node_groups(root)) == len(graph.nodes)
    # every box has a hover description, the op's one naming its inputs
    for g in node_groups(root):
        assert g.find(f"{SVG}title").text
    assert group(root, graph.target).find(f"{SVG}title").text.startswith("z = add(pow, pow)")


def test_arrays_are_summarised_and_missing_values_left_out():
    c = tf.constant(np.linspace(0.0, 1.0, 100).reshape(100, 1))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(c)
        s = tf.reduce_sum(c * c)
    words = texts(parse(render_svg(graph_of(tape, s))))
    assert "shape (100, 1), float64" in words
    assert "min 0 max 1 mean 0.5" in words
    assert not any("…" in w for w in words)  # nothing that reads like a range
    graph = Graph([Node("n0", "variable", "Variable", (2, 3), "float32", name="w")], [])
    assert texts(parse(render_svg(graph)))[-2:] == ["w", "shape (2, 3), float32"]


def test_same_computation_gives_the_same_bytes():
    first = render_svg(mlp_graph(), title="MLP")
    second = render_svg(mlp_graph(), title="MLP")
    assert first == second
    assert render_svg(seed_graph()) == render_svg(seed_graph())


def test_names_and_titles_are_escaped():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * 2.0
    graph = graph_of(tape, y, names={"<script>alert(1)</script>": x, 'a"b&c': y})
    svg = render_svg(graph, title="<b>title</b>")
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    words = texts(parse(svg))
    assert "<script>alert(1)</script>" in words and 'a"b&c = mul' in words


# -- layout ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [square_graph, seed_graph, mlp_graph], ids=lambda f: f.__name__)
def test_no_two_boxes_overlap(make):
    graph = make()
    assert_no_overlap(render_svg(graph))
    lay = layout(graph)
    assert set(lay.boxes) == {n.id for n in graph.nodes}
    for src, dst, _, points in lay.edges:  # data flows downwards
        assert lay.boxes[src][1] + lay.boxes[src][3] <= lay.boxes[dst][1]
        assert points[0][1] < points[-1][1]


def test_mlp_graph_is_big_enough_to_mean_something():
    assert len(mlp_graph().nodes) >= 40
    assert_no_overlap(render_svg(mlp_graph(), show_values=False))


def test_summarised_tape_has_no_overlaps():
    tape, y = loop_tape(300)
    assert_no_overlap(render_svg(graph_of(tape, y), max_nodes=30))


# -- styles, highlight, done ------------------------------------------------------------------
def test_variables_watched_tensors_and_constants_look_different():
    x = tf.Variable(2.0)
    c = tf.constant(5.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(c)
        y = x * c + 1.0
    graph = graph_of(tape, y)
    root = parse(render_svg(graph))
    kinds = {n.id: n.kind for n in graph.nodes}
    styles = {}
    for g in node_groups(root):
        r = box_of(g)
        styles[kinds[g.get("data-id")]] = (r.get("fill"), r.get("stroke"),
                                           r.get("stroke-dasharray"))
    assert set(styles) == {"variable", "watched", "constant", "op"}
    assert len(set(styles.values())) == 4
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "adk-legend"]
    assert legend and {"variable", "watched tensor", "constant", "op"} <= set(texts(legend[0]))
    # the target's outline is the thick one
    widths = {g.get("data-id"): float(box_of(g).get("stroke-width")) for g in node_groups(root)}
    assert widths[graph.target] == max(widths.values()) > min(widths.values())


def test_highlight_and_done_change_the_picture():
    graph = seed_graph()
    plain = render_svg(graph)
    op = graph.nodes[2].id  # x ** 2
    lit = render_svg(graph, highlight=op)
    assert lit != plain
    assert box_of(group(parse(lit), op)).get("stroke") == HIGHLIGHT
    red = [p for p in parse(lit).iter(f"{SVG}path") if p.get("stroke") == HIGHLIGHT]
    assert {p.get("data-dst") for p in red} == {op}

    stepped = render_svg(graph, done=[graph.target])
    words = texts(parse(stepped))
    assert "grad 1" in words and "grad ?" in words and "grad 4" not in words
    assert "grad ?" not in texts(parse(plain))
    # the boxes stay where they are from one frame to the next
    boxes = [[box_of(g).attrib for g in node_groups(parse(s))] for s in (plain, lit, stepped)]
    assert boxes[0] == boxes[2]
    assert [{k: b[k] for k in "xy"} for b in boxes[0]] == [
        {k: b[k] for k in "xy"} for b in boxes[1]]


def test_unknown_highlight_and_bad_options_are_refused():
    graph = square_graph()
    with pytest.raises(ValueError, match="n99"):
        render_svg(graph, highlight="n99")
    with pytest.raises(ValueError, match="max_nodes"):
        render_svg(graph, max_nodes=2)
    with pytest.raises(TypeError, match="colour"):
        GraphPicture(graph, colour="red")


# -- long tapes ------------------------------------------------------------------------------
def test_ten_thousand_op_tape_is_summarised():
    tape, y = loop_tape(2000)
    graph = graph_of(tape, y)
    assert sum(n.kind == "op" for n in graph.nodes) == 10_000
    svg = render_svg(graph)
    root = parse(svg)
    assert "… 1,998 more iterations of" in texts(root)
    assert "(sin, mul, mul, mul, add)" in texts(root)
    assert len(node_groups(root)) <= 120
    assert len(svg) < 50_000
    # a hidden node is highlighted through the summary standing for it
    summary = [g for g in node_groups(root) if "adk-summary" in g.get("class")]
    lit = parse(render_svg(graph, highlight="n5000"))
    assert box_of(group(lit, summary[0].get("data-id"))).get("stroke") == HIGHLIGHT

    small = parse(render_svg(graph, max_nodes=12))
    assert len(node_groups(small)) <= 12
    assert any(w.endswith("more ops") for w in texts(small))


def test_tape_without_a_loop_is_cut_to_max_nodes():
    rng = np.random.default_rng(1)
    ops = [tf.sin, tf.cos, tf.tanh, tf.exp, tf.square]
    x = tf.Variable(0.1)
    with tf.GradientTape(persistent=True) as tape:
        y = x
        for k in rng.integers(0, len(ops), size=400):
            y = ops[k](y) * 0.5
    root = parse(render_svg(graph_of(tape, y), max_nodes=40))
    assert len(node_groups(root)) <= 40
    assert any(w.endswith("more ops") for w in texts(root))


# -- show_graph and the notebook picture -----------------------------------------------------
def test_show_graph_uses_the_callers_names():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x**2
    pic = adkernel.show_graph(y, tape=tape)
    assert isinstance(pic, GraphPicture)
    words = texts(parse(pic.svg))
    assert "x" in words and "y = pow" in words and "grad 6" in words
    assert "x" not in texts(parse(show_graph(y, tape, names={}).svg))


def test_show_graph_refuses_a_used_tape():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match=r"persistent=True.*before tape.gradient"):
        adkernel.show_graph(y, tape=tape)
    with pytest.raises(RuntimeError, match="never recorded"):
        show_graph(y, tf.GradientTape())


def test_show_graph_before_gradient_on_a_plain_tape():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    assert "grad 6" in show_graph(y, tape).svg
    assert float(tape.gradient(y, x)) == 6.0  # drawing did not use the tape up


def test_graph_picture_mimebundle_repr_and_dot():
    pic = GraphPicture(square_graph(), title="y = x²")
    bundle = pic._repr_mimebundle_()
    assert sorted(bundle) == ["text/html", "text/plain"]
    assert bundle["text/plain"] == repr(pic) == "<computation graph: 3 nodes, 2 edges>"
    assert img_svg(bundle["text/html"]) == pic.svg
    parse(pic.svg)
    assert list(pic._repr_mimebundle_(include=["text/plain"])) == ["text/plain"]
    assert list(pic._repr_mimebundle_(exclude=["text/html"])) == ["text/plain"]
    dot = pic.to_dot()
    assert dot.startswith("digraph") and "n0 -> n2" in dot and "grad 6" in dot


def test_gradients_not_yet_done_stay_hidden_in_the_hover_text_too():
    graph = seed_graph()
    x_id = graph.nodes[0].id
    root = parse(render_svg(graph, done=[graph.target]))
    assert "not computed yet" in group(root, x_id).find(f"{SVG}title").text
    assert "4" not in group(root, x_id).find(f"{SVG}title").text.split("\n")[-1]
    hidden = parse(render_svg(graph, show_grads=False))
    assert "grad" not in " ".join(texts(hidden))
    assert "gradient" not in group(hidden, x_id).find(f"{SVG}title").text


# -- pictures that show everywhere (issue 8) ---------------------------------------------------
def test_marker_ids_are_unique_per_picture_and_stable():
    a = render_svg(square_graph())
    b = render_svg(seed_graph())
    ids = [set(re.findall(r'\sid="([^"]+)"', svg)) for svg in (a, b)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    for svg, defined in zip((a, b), ids, strict=True):
        assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= defined
    assert render_svg(square_graph()) == a  # still the same bytes for the same graph
    custom = render_svg(square_graph(), id_prefix='w"1')
    assert 'id="w&quot;1-arrow"' in custom and "url(#w&quot;1-arrow)" in custom


def test_empty_tape_picture_is_wide_enough_for_its_text():
    root = parse(render_svg(Graph([], [])))
    width = float(root.get("width"))
    assert "(empty tape: nothing was recorded)" in texts(root)
    assert width >= 200  # the text is ~190 px at 12 px


def test_wide_graph_scales_down_to_the_cell():
    xs = [tf.Variable(float(i), name=f"x{i}") for i in range(12)]
    with tf.GradientTape(persistent=True) as tape:
        s = tf.add_n([v * 2.0 for v in xs])
    svg = render_svg(graph_of(tape, s))
    root = parse(svg)
    width = float(root.get("width"))
    assert width > 800  # wide ...
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert "max-width:100%" in root.get("style")  # ... but drawn at most as wide as the cell
    html = GraphPicture(graph_of(tape, s))._repr_html_()
    assert "max-width:100%" in html and img_svg(html) == svg
    # every box lies inside the drawing
    for g in node_groups(root):
        r = box_of(g)
        assert float(r.get("x")) + float(r.get("width")) <= width


def test_numpy_inputs_get_the_learners_names_and_plain_words():
    X = np.linspace(0.0, 1.0, 50)
    y_data = 3.0 * X - 1.0
    w = tf.Variable(0.5)
    with tf.GradientTape(persistent=True) as tape:
        loss = tf.reduce_mean(tf.square(w * X - y_data))
    graph = graph_of(tape, loss, names={"X": X, "y_data": y_data, "w": w, "loss": loss})
    names = {n.name for n in graph.nodes if n.kind == "constant"}
    assert names == {"X", "y_data"}
    root = parse(render_svg(graph))
    words = texts(root)
    assert "X" in words and "y_data" in words and "const" not in words
    assert "shape (50,), float32" in words and "scalar, float32" in words
    assert "min 0 max 1 mean 0.5" in words
    assert any(w.startswith("in each box:") and "gradient of the target" in w for w in words)
    # a copy with the same values is still recognised; two names with equal arrays are not
    twin = X.copy()
    graph = graph_of(tape, loss, names={"X": X, "X2": twin})
    assert {n.name for n in graph.nodes if n.kind == "constant"} == {None}
    alt = GraphPicture(graph_of(tape, loss, names={"X": X, "loss": loss})).alt
    assert "X (constant)" in alt and "target loss" in alt


def test_gradient_inside_a_persistent_tape_is_left_out_of_the_picture():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x**2
        dy = tape.gradient(y, x)  # recorded: the backward pass's ops land on the tape
        z = dy * 2.0
    assert len(tape.view().records) > 2  # the tape did record the backward ops
    graph = graph_of(tape, y, names={"x": x, "y": y, "dy": dy, "z": z})
    assert graph.backward_ops > 0
    ops = [n for n in graph.nodes if n.kind == "op"]
    assert [n.label for n in ops] == ["pow", "mul"]  # y = x**2 and z = dy * 2
    assert ops[1].name == "z"
    gradient_leaf = graph.node(ops[1].inputs[0])
    assert gradient_leaf.kind == "constant" and gradient_leaf.name in ("dy", "gradient")
    words = texts(parse(render_svg(graph)))
    assert any(w.startswith("not drawn:") and "backward pass" in w for w in words)
    assert "grad 6" in words  # gradients of y still right
    # every drawn node is connected: no stray backward-pass boxes
    used = {s for s, _, _ in graph.edges} | {d for _, d, _ in graph.edges}
    assert used == {n.id for n in graph.nodes}


def test_escaping_of_names_titles_and_alt_text():
    graph = Graph([Node("n0", "variable", "Variable", (), "float32", name='<x&"y">')], [])
    pic = GraphPicture(graph, title="<script>alert(1)</script>")
    svg = pic.svg
    parse(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    html = pic._repr_html_()
    assert "<script>" not in html and '<x&"y">' not in html
    assert "&lt;x&amp;&quot;y&quot;&gt;" in html


# -- which way the arrows point: forward (values) or backward (gradients) ----------------------
def _boxes(root: ET.Element) -> dict:
    out = {}
    for g in node_groups(root):
        rect = next(r for r in g.iter(f"{SVG}rect") if "adk-box" in r.get("class", ""))
        out[g.get("data-id")] = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
    return out


def _ends(d: str) -> tuple:
    """The first and last points of an edge's path."""
    points = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", d)]
    return points[0], points[-1]


def _edges(root: ET.Element) -> list:
    return [p for p in root.iter(f"{SVG}path") if p.get("class") == "adk-edge"]


def _sum_of_squares():
    x = tf.Variable(3.0)
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        z = x * w + x ** 2
    return graph_of(tape, z, names={"x": x, "w": w, "z": z})


@pytest.mark.parametrize("flow", ["forward", "backward"])
def test_arrowheads_land_on_the_op_forward_and_on_the_input_backward(flow):
    g = _sum_of_squares()
    root = parse(render_svg(g, flow=flow))
    boxes, edges = _boxes(root), _edges(root)
    assert edges and {p.get("data-flow") for p in edges} == {flow}
    for p in edges:
        src, dst = boxes[p.get("data-src")], boxes[p.get("data-dst")]
        first, last = _ends(p.get("d"))
        src_bottom, dst_top = src[1] + src[3], dst[1]
        at_src, at_dst = (first, last) if flow == "forward" else (last, first)
        # every edge still runs between the input's bottom and the op's top ...
        assert at_src[1] == pytest.approx(src_bottom, abs=0.5)
        assert at_dst[1] == pytest.approx(dst_top, abs=0.5)
        assert src[0] <= at_src[0] <= src[0] + src[2]
        # ... and its marker (at the path's end) sits on the op forward, on the input backward
        assert p.get("marker-end", "").startswith("url(#")
        end_box = dst if flow == "forward" else src
        assert end_box[1] - 0.5 <= last[1] <= end_box[1] + end_box[3] + 0.5
    text = ET.tostring(root, encoding="unicode")
    assert ("gradient flows back" in text) == (flow == "backward")


def test_backward_highlighted_edges_point_from_the_op_to_its_inputs():
    g = _sum_of_squares()
    mul = next(n.id for n in g.nodes if n.label == "mul")
    root = parse(render_svg(g, highlight=mul, flow="backward"))
    boxes = _boxes(root)
    red = [p for p in _edges(root) if p.get("data-dst") == mul]
    assert len(red) == 2 and all(p.get("stroke") == HIGHLIGHT for p in red)
    for p in red:
        first, last = _ends(p.get("d"))
        assert first[1] < boxes[mul][1]  # starts just above the op, outside its halo
        assert last[1] == pytest.approx(sum(boxes[p.get("data-src")][1::2]), abs=0.5)


def test_flow_is_checked_and_reaches_dot_and_graph_picture():
    g = _sum_of_squares()
    with pytest.raises(ValueError, match=r"'forward'.*'backward'.*'sideways'"):
        render_svg(g, flow="sideways")
    with pytest.raises(ValueError, match="sideways"):
        GraphPicture(g, flow="sideways")
    back = GraphPicture(g, flow="backward")
    assert 'data-flow="backward"' in back.svg and 'data-flow="forward"' not in back.svg
    assert all("dir=back" in line for line in back.to_dot().splitlines() if "->" in line)
    assert "dir=back" not in GraphPicture(g).to_dot()


def test_backward_pictures_keep_unique_escaped_ids():
    g = _sum_of_squares()
    a, b = render_svg(g, flow="forward"), render_svg(g, flow="backward")
    ids_a = set(re.findall(r'\sid="([^"]+)"', a))
    ids_b = set(re.findall(r'\sid="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b  # two different pictures on one page
    custom = render_svg(g, flow="backward", id_prefix='w"<1')
    assert 'id="w&quot;&lt;1-arrow"' in custom and "url(#w&quot;&lt;1-arrow)" in custom
    parse(custom)
