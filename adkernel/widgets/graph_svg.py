"""A laid-out computation graph as a self-contained SVG document (no CSS, no scripts), the
same bytes for the same computation; its hover texts, legend and alt text. Part of
:mod:`adkernel.widgets.graph`.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata

import numpy as np

from .._escape import escape
from ..engine.i18n import _, lazy, ngettext
from ..engine.inspect import Graph, Node
from .graph_layout import (
    FONT_SIZE,
    LINE,
    MARGIN,
    PAD_Y,
    SMALL_SIZE,
    Layout,
    _display_name,
    _Label,
    _label,
    _text_width,
    layout,
)
from .graph_summary import _Drawn, _summarise

# Latin fonts first, then fonts that cover Chinese (Linux, Windows, macOS): browsers take
# each character from the first font in the list that has it.
FONT_FAMILY = ("DejaVu Sans, Verdana, Arial, Noto Sans CJK SC, Source Han Sans SC, "
               "Microsoft YaHei, PingFang SC, Hiragino Sans GB, WenQuanYi Micro Hei, sans-serif")
# Colours from the Okabe-Ito palette (told apart with every common colour-vision
# deficiency), on the picture's own white background (readable in a dark notebook theme
# too). name -> (fill, stroke, dash): variables blue, watched tensors orange, constants grey
# and dashed, ops white, summaries reddish purple and dotted; the current step vermillion.
STYLES = {
    "op": ("#ffffff", "#333333", None),
    "variable": ("#d4e8f5", "#0072b2", None),
    "watched": ("#fbecc9", "#e69f00", None),
    "constant": ("#f2f2f2", "#999999", "4 3"),
    "summary": ("#f6e6ef", "#cc79a7", "2 3"),
}
LEGEND_NAMES = {"op": lazy("op"), "variable": lazy("variable"),
                "watched": lazy("watched tensor"), "constant": lazy("constant"),
                "summary": lazy("summary")}
KIND_NAMES = LEGEND_NAMES  # what a box is, in the hover text and the alt text
EDGE_COLOUR = "#666666"
HIGHLIGHT = "#d55e00"
HALO = "#f6c9a6"
# text: dark enough for at least 4.5:1 contrast on the boxes' light fills
TEXT = {"head": "#111111", "meta": "#4d4d4d", "value": "#111111", "grad": "#a34700",
        "tangent": "#00664a",
        "pending": "#6b6b6b", "summary": "#7a2e5c", "constant": "#333333"}
ID_PLACEHOLDER = "adk-\ue000"  # replaced by a hash of the picture (see render_svg)
EMPTY_TEXT = lazy("(empty tape: nothing was recorded)")
# between the items of a list in words (the alt text): a full-width comma in Chinese
LIST_SEPARATOR = lazy(", ")
_OPTIONS = ("highlight", "done", "show_values", "show_grads", "title", "max_nodes", "flow")
FLOWS = ("forward", "backward")  # which way the arrows point: with the data, or the gradient


def _px(v: float) -> str:
    """A coordinate as short, stable text: one decimal at most."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _attr(v) -> str:
    return escape(str(v), quote=True)


def _full_value(v) -> str:
    return np.array2string(np.asarray(v), precision=6, threshold=24, edgeitems=3,
                           max_line_width=72)


def _hover(node: Node, by_id: dict, note: str | None, grad: bool | None) -> str:
    """The full description shown when the mouse rests on a box.

    ``grad``: True shows the gradient, False says it is not known yet, None leaves it out.
    """
    if node.kind == "summary":
        return note or node.label
    if node.kind == "op":
        args = ", ".join(_display_name(by_id[i]) for i in node.inputs)
        head = f"{node.name} = " if node.name else ""
        lines = [f"{head}{node.label}({args})"]
    else:
        kind = str(KIND_NAMES.get(node.kind, node.kind))
        desc = node.name or node.label
        lines = [kind if desc in ("Variable", "watched", "const") else
                 _("{kind} {name}").format(kind=kind, name=_display_name(node))]
    lines.append(_("shape {shape}, dtype {dtype}").format(
        shape=tuple(int(d) for d in node.shape), dtype=node.dtype))
    if node.value is not None:
        lines.append(_("value {value}").format(value=_full_value(node.value)))
    if node.grad is not None and grad is not None:
        lines.append(_("gradient of the target {value}").format(value=_full_value(node.grad))
                     if grad else _("gradient of the target: not computed yet"))
    if node.tangent is not None:
        lines.append(_("tangent {value}").format(value=_full_value(node.tangent)))
    if not node.differentiable:
        lines.append(_("not differentiable: no gradient flows through this op"))
    return "\n".join(lines)


def _path(points: list) -> str:
    """Curves between rows, straight lines through the rows an edge passes."""
    (x0, y0), *rest = points
    d = [f"M{_px(x0)},{_px(y0)}"]
    for k, (x1, y1) in enumerate(rest):
        if k % 2:  # inside a row it crosses
            d.append(f"L{_px(x1)},{_px(y1)}")
        else:
            ym = (y0 + y1) / 2
            d.append(f"C{_px(x0)},{_px(ym)} {_px(x1)},{_px(ym)} {_px(x1)},{_px(y1)}")
        x0, y0 = x1, y1
    return " ".join(d)


def _rect(x, y, w, h, fill, stroke, width, dash=None, extra="") -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<rect{extra} x="{_px(x)}" y="{_px(y)}" width="{_px(w)}" height="{_px(h)}" '
            f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash_attr}/>')


def _legend(kinds: set, target: bool, highlight: bool, y: float) -> tuple[list, float]:
    items = [(k, str(LEGEND_NAMES[k]))
             for k in ("op", "variable", "watched", "constant", "summary") if k in kinds]
    if target:
        items.append(("target", _("target (thick outline)")))
    if highlight:
        items.append(("highlight", _("current step")))
    out, x = ['<g class="adk-legend" font-size="11">'], float(MARGIN)
    for kind, text in items:
        if kind == "target":
            out.append(_rect(x, y, 18, 12, "#ffffff", STYLES["op"][1], 3))
        elif kind == "highlight":
            out.append(_rect(x, y, 18, 12, "#ffffff", HIGHLIGHT, 3))
        else:
            fill, stroke, dash = STYLES[kind]
            out.append(_rect(x, y, 18, 12, fill, stroke, 1.3, dash))
        out.append(f'<text x="{_px(x + 24)}" y="{_px(y + 10)}" fill="{TEXT["constant"]}">'
                   f"{escape(text)}</text>")
        x += 24 + _text_width(text, SMALL_SIZE) + 18
    out.append("</g>")
    return out, x - 18 + MARGIN


def _check_max_nodes(max_nodes) -> None:
    if not isinstance(max_nodes, (int, np.integer)) or isinstance(max_nodes, bool) \
            or max_nodes < 3:
        raise ValueError(_("max_nodes must be an integer of at least 3, got {value!r}").format(
            value=max_nodes))


def _check_options(options: dict) -> None:
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(_("unknown option(s) {unknown}; the options are {options}").format(
            unknown=", ".join(unknown), options=", ".join(_OPTIONS)))
    _check_max_nodes(options.get("max_nodes", 120))
    _check_flow(options.get("flow", "forward"))


def _check_flow(flow) -> None:
    if flow not in FLOWS:
        raise ValueError(_("flow must be 'forward' (arrows from each input to its op) or "
                           "'backward' (from each op back to its inputs), got {value!r}").format(
            value=flow))


def _find(node_id, drawn: _Drawn, by_id: dict, what: str):
    """The drawn node that shows ``node_id`` (itself, or the summary hiding it)."""
    if node_id is None:
        return None
    if node_id not in by_id and node_id not in drawn.notes:
        raise ValueError(_("{what}={node_id!r} is not a node of this graph (ids are "
                           "'n0', 'n1', ... in tape order)").format(what=what, node_id=node_id))
    while node_id in drawn.owner:
        node_id = drawn.owner[node_id]
    return node_id


def _header(graph: Graph, g: Graph, title, target: bool, highlight: bool, show_grads: bool,
            backward: bool, tangents: bool = False) -> tuple[list, list, float, float]:
    """The caption, legend and notes above the drawing: ``(head, legend, top, width)``, where
    ``top`` is where the drawing starts and ``width`` what the header needs."""
    head = [] if title is None else [
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="15" font-weight="bold" '
        f'fill="{TEXT["head"]}">{escape(title)}</text>']
    top = MARGIN + (24 if title is not None else 0)
    legend, legend_width = _legend({n.kind for n in g.nodes}, target, highlight, top)
    top += 12 + 6
    notes = []
    if g.nodes and tangents:
        notes.append(_("in each box: name or op, then shape, dtype; value; tangent = how "
                       "fast the value moves when the inputs move along their tangents (ẋ)"))
    elif g.nodes:
        notes.append(_("in each box: name or op, then shape, dtype; value; "
                       "grad = gradient of the target")
                     if show_grads and target
                     else _("in each box: name or op, then shape, dtype; value"))
        if backward and g.edges:
            notes.append(_("arrows: the gradient flows back from each op to its inputs"))
    if graph.backward_ops:
        n = graph.backward_ops
        notes.append(ngettext("not drawn: {n} op of the backward pass "
                              "(tape.gradient ran on this tape while it recorded)",
                              "not drawn: {n} ops of the backward pass "
                              "(tape.gradient ran on this tape while it recorded)", n).format(n=n))
    for text in notes:
        head.append(f'<text class="adk-note" x="{MARGIN}" y="{_px(top + 11)}" font-size="11" '
                    f'fill="{TEXT["meta"]}">{escape(text)}</text>')
        legend_width = max(legend_width, MARGIN * 2 + _text_width(text, SMALL_SIZE))
        top += 16
    top += 4
    return head, legend, top, legend_width


def _edges_svg(lay: Layout, hl, flow: str, pid: str) -> list:
    """The arrows, in ``lay.edges`` order; those into the highlighted op in red."""
    backward = flow == "backward"
    out = []
    for src, dst, pos, points in lay.edges:
        colour, w, marker = (EDGE_COLOUR, 1.3, "")
        if dst == hl:  # the step's inputs: red, and stopping at the halo
            colour, w, marker = (HIGHLIGHT, 2.2, "-hl")
            (px, py) = points[-1]
            points = [*points[:-1], (px, py - 6)]
        if backward:  # drawn from the op to the input: the arrowhead lands on the input
            points = points[::-1]
        out.append(f'<path class="adk-edge" data-src="{_attr(src)}" data-dst="{_attr(dst)}" '
                   f'data-pos="{pos}" data-flow="{flow}" d="{_path(points)}" '
                   f'stroke="{colour}" stroke-width="{w}" '
                   f'marker-end="url(#{pid}-arrow{marker})"/>')
    return out


def render_svg(graph: Graph, highlight: str | None = None, done=(), show_values: bool = True,
               show_grads: bool = True, title: str | None = None, max_nodes: int = 120,
               id_prefix: str | None = None, flow: str = "forward") -> str:
    """Draw a computation graph as a self-contained SVG document.

    Each box shows the op (``y = pow``) or the leaf (``x``), its shape and dtype in
    words (``scalar, float32``; ``shape (50,), float32``), its value (arrays of more than
    four numbers as ``min … max … mean …``) and, when one was computed, its gradient
    (``grad 6``). A line under the legend says what the rows are.
    Variables are blue, watched tensors orange, constants grey and dashed, ops white with
    the op name in bold; the target has a thick outline. Arrows follow the data, from each
    input to the op that uses it (``flow="backward"`` turns them round: the gradient
    flows from each op back to its inputs); an op's inputs arrive left to right in
    argument order. Hovering a box shows its full description.

    Parameters
    ----------
    graph : Graph
        From :func:`~adkernel.engine.inspect.graph_of`.
    highlight : str, optional
        A node id to emphasise (the backward stepper's current node): red outline, and
        its input edges drawn in red.
    done : iterable of str, optional
        Node ids whose gradient is known so far (the stepper's finished steps): only those
        show their gradient, the others show ``grad ?``. Empty (default) shows them all.
    show_values, show_grads : bool
        Write values and gradients in the boxes.
    title : str, optional
        A caption drawn above the graph (also the document's ``<title>``).
    max_nodes : int
        Largest number of boxes drawn. Longer tapes are summarised: a repeated loop
        body is drawn for its first and last iteration around one summary node, and
        the middle of what remains becomes one ``N more ops`` node.
    flow : {"forward", "backward"}
        Which way the arrows point: ``"forward"`` (default) from each input to the op
        that uses it, as the values flow; ``"backward"`` from each op to its inputs, as
        the gradients flow in the backward pass (the stepper's backward steps). A line
        under the legend says so. Each edge's ``data-src`` is its input either way.

    Returns
    -------
    str
        The SVG text (``<svg ...>...</svg>``); the same graph gives the same bytes. Its
        ids (the arrowhead markers) carry a hash of the picture, so two different pictures
        on one page never share an id; ``id_prefix`` sets them instead (a live widget
        uses a fresh one per widget).

    Examples
    --------
    >>> from adkernel import tf
    >>> from adkernel.engine.inspect import graph_of
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape() as tape:
    ...     y = x ** 2
    >>> svg = render_svg(graph_of(tape, y, names={"x": x, "y": y}))
    >>> svg.startswith("<svg") and "y = " in svg and "grad 6" in svg
    True
    """
    _check_max_nodes(max_nodes)
    _check_flow(flow)
    backward = flow == "backward"
    by_id = {n.id: n for n in graph.nodes}
    drawn = _summarise(graph, int(max_nodes))
    g = drawn.graph
    hl = _find(highlight, drawn, by_id, "highlight")
    target = _find(graph.target, drawn, by_id, "target")
    done = set(done or ())
    labels = {n.id: _label(n, show_values, show_grads) for n in g.nodes}
    lay = layout(g, {v: lab.size() for v, lab in labels.items()})

    tangents = show_values and any(n.tangent is not None for n in graph.nodes)
    head, legend, top, legend_width = _header(graph, g, title, target is not None, hl is not None,
                                              show_grads, backward, tangents)
    empty_text = str(EMPTY_TEXT)
    if not g.nodes:
        legend_width = max(legend_width, MARGIN * 2 + _text_width(empty_text))
    width = max(lay.width, legend_width, MARGIN * 2 + (
        _text_width(title, 15, True) if title is not None else 0))
    height = top + lay.height + (12 if not g.nodes else 0)
    doc_title = title if title is not None else _(
        "computation graph: {nodes} nodes, {edges} edges").format(
        nodes=len(graph.nodes), edges=len(graph.edges))

    pid = ID_PLACEHOLDER if id_prefix is None else _attr(id_prefix)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_px(width)}" height="{_px(height)}" '
        f'viewBox="0 0 {_px(width)} {_px(height)}" font-family="{_attr(FONT_FAMILY)}" '
        f'font-size="{FONT_SIZE}" role="img" style="max-width:100%;height:auto">',
        f"<title>{escape(doc_title)}</title>",
        "<defs>",
        *(f'<marker id="{pid}-arrow{suffix}" viewBox="0 0 10 10" refX="10" refY="5" '
          f'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
          f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
          for suffix, colour in (("", EDGE_COLOUR), ("-hl", HIGHLIGHT))),
        "</defs>",
        f'<rect width="{_px(width)}" height="{_px(height)}" fill="#ffffff"/>',
        *head,
        *legend,
        f'<g transform="translate(0,{_px(top)})">',
        '<g class="adk-edges" fill="none">',
    ]
    if not g.nodes:
        out.append(f'<text x="{MARGIN}" y="{MARGIN + 12}" fill="{TEXT["meta"]}">'
                   f"{escape(empty_text)}</text>")
    out.extend(_edges_svg(lay, hl, flow, pid))
    out.append("</g>")
    out.append('<g class="adk-nodes">')
    for n in g.nodes:
        known = (not done or n.id in done) if show_grads else None
        hover = _hover(n, by_id, drawn.notes.get(n.id), known)
        out.extend(_node_svg(n, labels[n.id], lay.boxes[n.id], n.id == target, n.id == hl,
                             done, hover))
    out += ["</g>", "</g>", "</svg>"]
    text = "\n".join(out) + "\n"
    if id_prefix is None:  # ids from the picture itself: stable, and unique per picture
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        text = text.replace(ID_PLACEHOLDER, f"adk{digest}")
    return text


def svg_img_html(svg: str, alt: str) -> str:
    """An SVG as an ``<img>`` with a ``data:`` URI: the form every notebook front end shows.

    JupyterLab shows neither ``image/svg+xml`` nor inline ``<svg>`` from an untrusted
    (saved, not yet run) notebook, but it does show an image inside ``text/html``; the
    picture is its own document there, so its ids cannot clash with another picture's.
    The image scales down to the cell's width.

    Examples
    --------
    >>> svg_img_html('<svg xmlns="http://www.w3.org/2000/svg"/>', 'a "box" & more')[:60]
    '<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDov'
    >>> 'alt="a &quot;box&quot; &amp; more"' in svg_img_html("<svg/>", 'a "box" & more')
    True
    """
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img src="data:image/svg+xml;base64,{data}" alt="{_attr(alt)}" '
            f'style="max-width:100%;height:auto">')


def describe(graph: Graph, title: str | None = None, limit: int = 12) -> str:
    """A short description of a graph in words, for an image's alt text.

    Examples
    --------
    >>> from adkernel import tf
    >>> from adkernel.engine.inspect import graph_of
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape() as tape:
    ...     y = x ** 2
    >>> describe(graph_of(tape, y, names={"x": x, "y": y}))
    'computation graph, 3 boxes: x (variable), 2 (constant), y = pow(x, 2); target y'
    """
    by_id = {n.id: n for n in graph.nodes}
    if not graph.nodes:
        if title:
            return _("{title}: {text}").format(title=title, text=EMPTY_TEXT)
        return str(EMPTY_TEXT)
    parts = []
    for n in graph.nodes[:limit]:
        if n.kind == "op":
            args = ", ".join(_display_name(by_id[i]) for i in n.inputs)
            parts.append(f"{n.name + ' = ' if n.name else ''}{n.label}({args})")
        else:
            parts.append(_("{name} ({kind})").format(name=_display_name(n),
                                                     kind=KIND_NAMES.get(n.kind, n.kind)))
    if len(graph.nodes) > limit:
        parts.append(_("… {n} more").format(n=len(graph.nodes) - limit))
    text = _("{title}, {n} boxes: {parts}").format(
        title=title or _("computation graph"), n=len(graph.nodes),
        parts=str(LIST_SEPARATOR).join(parts))
    if graph.target is not None:
        text = _("{description}; target {name}").format(
            description=text, name=_display_name(by_id[graph.target]))
    return text


def _node_svg(node: Node, lab: _Label, box: tuple, is_target: bool, is_hl: bool, done: set,
              hover: str) -> list:
    x, y, w, h = box
    fill, stroke, dash = STYLES.get(node.kind, STYLES["op"])
    out = [f'<g class="adk-node adk-{_attr(node.kind)}" data-id="{_attr(node.id)}">',
           f"<title>{escape(hover)}</title>"]
    if is_hl:
        out.append(_rect(x - 4, y - 4, w + 8, h + 8, "none", HALO, 5))
    if node.kind == "summary":  # a stack of cards: many nodes behind this one
        out.append(_rect(x + 4, y + 4, w, h, fill, stroke, 1, dash))
    width = 3.5 if is_target else 1.3
    out.append(_rect(x, y, w, h, fill, HIGHLIGHT if is_hl else stroke,
                     3.5 if is_hl else width, dash, ' class="adk-box"'))
    cx = x + w / 2
    base = y + PAD_Y + LINE - 3
    head_fill = TEXT["constant"] if node.kind == "constant" else TEXT["head"]
    weight = ' font-weight="bold"' if lab.bold else ""
    if lab.prefix:
        out.append(f'<text x="{_px(cx)}" y="{_px(base)}" text-anchor="middle" '
                   f'fill="{head_fill}">{escape(lab.prefix)}<tspan{weight}>'
                   f"{escape(lab.main)}</tspan></text>")
    else:
        # italics for a summary, except in Chinese (which has none: slanted glyphs only)
        italic = node.kind == "summary" and not any(
            unicodedata.east_asian_width(ch) in "WF" for ch in lab.main)
        style = ' font-style="italic"' if italic else weight
        out.append(f'<text x="{_px(cx)}" y="{_px(base)}" text-anchor="middle" '
                   f'fill="{TEXT["summary"] if node.kind == "summary" else head_fill}"'
                   f"{style}>{escape(lab.main)}</text>")
    for i, (role, text) in enumerate(lab.rows, start=1):
        if role == "grad" and done and node.id not in done:
            role, text = "pending", _("grad ?")
        size = f' font-size="{SMALL_SIZE}"' if role == "meta" else ""
        out.append(f'<text x="{_px(cx)}" y="{_px(base + i * LINE)}" text-anchor="middle" '
                   f'fill="{TEXT[role]}"{size}>{escape(text)}</text>')
    out.append("</g>")
    return out
