"""A tape's computation graph as an SVG picture: pure Python, no Graphviz.

:func:`graph_of` (in :mod:`adkernel.engine.inspect`) says what was computed; this module
says where to draw it. :func:`layout` is a small layered (Sugiyama-style) layout: values
flow from top to bottom, each op one row below its deepest input, and a few barycenter
sweeps order each row to keep edges from crossing. :func:`render_svg` turns the result
into a self-contained SVG document (no CSS, no scripts), the same bytes for the same
computation. Long tapes are summarised first: a repeated loop body is drawn twice (first
and last iteration) around one summary node, and whatever is still too big is cut to
``max_nodes`` nodes.

:class:`GraphPicture` is what a notebook displays, and :func:`show_graph` makes one from
a tape: ``adkernel.show_graph(y, tape=tape)``.
"""

from __future__ import annotations

import base64
import hashlib
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .._escape import escape
from ..engine.i18n import _, lazy, ngettext
from ..engine.inspect import Graph, Node, graph_of
from ..engine.tape import GradientTape, TapeState

__all__ = ["GraphPicture", "Layout", "describe", "layout", "render_svg", "show_graph",
           "svg_img_html"]

# -- drawing constants (pixels) ------------------------------------------------------------
# Latin fonts first, then fonts that cover Chinese (Linux, Windows, macOS): browsers take
# each character from the first font in the list that has it.
FONT_FAMILY = ("DejaVu Sans, Verdana, Arial, Noto Sans CJK SC, Source Han Sans SC, "
               "Microsoft YaHei, PingFang SC, Hiragino Sans GB, WenQuanYi Micro Hei, sans-serif")
FONT_SIZE = 12
SMALL_SIZE = 11
LINE = 15  # distance between text baselines in a box
PAD_X, PAD_Y = 10, 7  # space between a box's border and its text
MIN_BOX_WIDTH = 44
GAP_X = 26  # horizontal space between neighbouring boxes of a row
GAP_Y = 46  # vertical space between rows (room for the arrows)
DUMMY_WIDTH = 10  # the room an edge passing through a row takes in it
MARGIN = 16
ORDER_SWEEPS = 8  # barycenter sweeps that order the rows (down, up, down, ...)
PLACE_SWEEPS = 4  # rounds of down+up passes that place boxes under their neighbours
MAX_PERIOD = 64  # longest loop body (in ops) looked for when summarising a tape
MIN_REPEATS = 4  # a loop is summarised when it hides 2+ iterations, 4+ ops
MAX_LOOPS = 8  # at most this many loops are summarised; the rest is cut to max_nodes

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
# the engine's labels for leaves without a name (``Variable``: tf.Variable's default name)
LEAF_WORDS = {"watched": lazy("watched"), "const": lazy("const"), "gradient": lazy("gradient"),
              "Variable": lazy("Variable")}
EDGE_COLOUR = "#666666"
HIGHLIGHT = "#d55e00"
HALO = "#f6c9a6"
# text: dark enough for at least 4.5:1 contrast on the boxes' light fills
TEXT = {"head": "#111111", "meta": "#4d4d4d", "value": "#111111", "grad": "#a34700",
        "pending": "#6b6b6b", "summary": "#7a2e5c", "constant": "#333333"}

# Advance widths of DejaVu Sans, the widest common sans-serif (so text fits its box on
# every platform), in hundredths of an em, for the ASCII characters 32..126.
_ASCII_WIDTH = (
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66,
    56, 86, 75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61,
    63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82,
    59, 59, 52, 64, 34, 64, 84,
)
ID_PLACEHOLDER = "adk-\ue000"  # replaced by a hash of the picture (see render_svg)
EMPTY_TEXT = lazy("(empty tape: nothing was recorded)")
# between the items of a list in words (the alt text): a full-width comma in Chinese
LIST_SEPARATOR = lazy(", ")
_OPTIONS = ("highlight", "done", "show_values", "show_grads", "title", "max_nodes", "flow")
FLOWS = ("forward", "backward")  # which way the arrows point: with the data, or the gradient


def _text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """An upper estimate of the width of ``text`` in pixels (no font metrics needed)."""
    em = 0
    for ch in text:
        o = ord(ch)
        if 32 <= o < 127:
            em += _ASCII_WIDTH[o - 32]
        else:
            em += 100 if unicodedata.east_asian_width(ch) in "WF" or ch == "…" else 84
    return em / 100 * size * (1.1 if bold else 1.0)


def _px(v: float) -> str:
    """A coordinate as short, stable text: one decimal at most."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _attr(v) -> str:
    return escape(str(v), quote=True)


# -- numbers and labels ----------------------------------------------------------------------
def _num(x, digits: int) -> str:
    x = x.item() if isinstance(x, np.generic) else x
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) and abs(x) < 10**digits:
        return str(x)
    return f"{x + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0


def _value_text(v) -> str | None:
    """Scalars to 6 significant digits; up to 4 numbers written out (``[1 2 3]``); larger
    arrays as ``min a max b mean m`` (never ``[a … b]``, which reads like a range)."""
    if v is None:
        return None
    a = np.asarray(v)
    if a.dtype.kind not in "biufc":
        return None
    if a.ndim == 0:
        return _num(a[()], 6)
    if a.size == 0:
        return _("empty")
    flat = a.ravel()
    if a.ndim == 1 and a.size <= 4:
        return "[" + " ".join(_num(e, 3) for e in flat) + "]"
    if a.dtype.kind == "c":
        with np.errstate(all="ignore"):
            return _("mean {mean}").format(mean=_num(flat.mean(), 3))
    with np.errstate(all="ignore"):
        lo, hi, mean = flat.min(), flat.max(), flat.mean()
    return _("min {min} max {max} mean {mean}").format(
        min=_num(lo, 3), max=_num(hi, 3), mean=_num(mean, 3))


def _full_value(v) -> str:
    return np.array2string(np.asarray(v), precision=6, threshold=24, edgeitems=3,
                           max_line_width=72)


def _meta_text(node: Node) -> str:
    """Shape and dtype in plain words: ``scalar, float32`` or ``shape (50,), float32``."""
    shape = tuple(int(d) for d in node.shape)
    if not shape:
        return _("scalar, {dtype}").format(dtype=node.dtype)
    return _("shape {shape}, {dtype}").format(shape=shape, dtype=node.dtype)


def _display_name(node: Node) -> str:
    """How a value is called: the learner's name, else its label (the engine's words for
    unnamed leaves, ``watched``/``const``/``gradient``, in the learner's language)."""
    if node.kind != "op" and node.label in LEAF_WORDS and node.name in (None, "", node.label):
        return str(LEAF_WORDS[node.label])
    return node.name or node.label


@dataclass
class _Label:
    """The text of one box: a head line (``prefix`` + ``main``) and more rows."""

    prefix: str
    main: str
    bold: bool
    rows: list  # (role, text); role is a key of TEXT

    def size(self) -> tuple[float, float]:
        widths = [_text_width(self.prefix) + _text_width(self.main, bold=self.bold)]
        widths += [_text_width(t, SMALL_SIZE if r == "meta" else FONT_SIZE) for r, t in self.rows]
        width = max(MIN_BOX_WIDTH, max(widths) + 2 * PAD_X)
        return float(np.ceil(width)), float(2 * PAD_Y + LINE * (1 + len(self.rows)) - 3)


def _label(node: Node, show_values: bool = True, show_grads: bool = True) -> _Label:
    if node.kind == "summary":
        first, *rest = node.label.split("\n")
        return _Label("", first, False, [("summary", t) for t in rest])
    value = _value_text(node.value) if show_values else None
    if node.kind == "op":
        lab = _Label(f"{node.name} = " if node.name else "", node.label, True, [])
    elif node.kind == "constant" and not node.name:
        lab = _Label("", node.label, False, [])
        if value == node.label:  # a plain number: its label already is its value
            value = None
    else:
        lab = _Label("", _display_name(node), True, [])
    lab.rows.append(("meta", _meta_text(node)))
    if value is not None:
        lab.rows.append(("value", value))
    grad = _value_text(node.grad) if show_grads else None
    if grad is not None:
        lab.rows.append(("grad", _("grad {value}").format(value=grad)))
    return lab


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
    if not node.differentiable:
        lines.append(_("not differentiable: no gradient flows through this op"))
    return "\n".join(lines)


# -- summarising long tapes -------------------------------------------------------------------
@dataclass
class _Drawn:
    """The graph actually drawn: some nodes of the tape and the summary nodes in between."""

    graph: Graph
    notes: dict  # summary id -> hover text
    owner: dict  # hidden node id -> id of the summary node that stands for it
    ops_in: dict  # summary id -> how many ops of the tape it stands for

    def count_ops(self, nodes: list) -> int:
        return sum(self.ops_in[n.id] if n.kind == "summary" else n.kind == "op" for n in nodes)


def _find_period(codes: np.ndarray, max_period: int):
    """The loop body repeated most: ``(p, start, repeats)`` saving the most ops, or None."""
    best, best_saved = None, 0
    for p in range(1, min(max_period, len(codes) // MIN_REPEATS) + 1):
        same = np.concatenate(([0], (codes[p:] == codes[:-p]).view(np.int8), [0]))
        step = np.diff(same)
        starts, ends = np.flatnonzero(step == 1), np.flatnonzero(step == -1)
        if not len(starts):
            continue
        k = int(np.argmax(ends - starts))  # the first of the longest runs
        repeats = (int(ends[k] - starts[k]) + p) // p
        saved = (repeats - 2) * p
        if repeats >= MIN_REPEATS and saved > max(best_saved, MIN_REPEATS - 1):
            best, best_saved = (p, int(starts[k]), repeats), saved
    return best


def _collapse(drawn: _Drawn, start: int, stop: int, text: str, note: str) -> None:
    """Replace ``nodes[start:stop]`` by one summary node; reroute the edges that cross."""
    g = drawn.graph
    sid = f"s{len(drawn.notes)}"
    hidden = {n.id for n in g.nodes[start:stop]}
    edges, seen, inputs = [], set(), []
    for src, dst, pos in g.edges:
        s = sid if src in hidden else src
        d = sid if dst in hidden else dst
        if s == sid and d == sid:
            continue
        if d == sid:
            if s in seen:
                continue
            seen.add(s)
            pos = len(inputs)
            inputs.append(s)
        elif s == sid:
            if (d, pos) in seen:
                continue
            seen.add((d, pos))
        edges.append((s, d, pos))
    for h in hidden:
        drawn.owner[h] = sid
    drawn.notes[sid] = note
    drawn.ops_in[sid] = drawn.count_ops(g.nodes[start:stop])
    g.nodes = [*g.nodes[:start], Node(sid, "summary", text, (), "", inputs=inputs),
               *g.nodes[stop:]]
    g.edges = edges


def _summarise(graph: Graph, max_nodes: int) -> _Drawn:
    drawn = _Drawn(Graph(list(graph.nodes), list(graph.edges), graph.target), {}, {}, {})
    # (a) collapse repeated loop bodies while the picture is too big
    for _loop in range(MAX_LOOPS):
        if len(drawn.graph.nodes) <= max_nodes:
            break
        nodes = drawn.graph.nodes
        op_at = [i for i, n in enumerate(nodes) if n.kind in ("op", "summary")]
        names: dict = {}
        # summaries get codes of their own, so no loop body runs across one
        codes = np.array([names.setdefault(nodes[i].label, len(names))
                          if nodes[i].kind == "op" else -1 - i for i in op_at], dtype=np.int64)
        found = _find_period(codes, MAX_PERIOD)
        if found is None:
            break
        p, first, repeats = found
        body = [nodes[i].label for i in op_at[first:first + p]]
        shown = ", ".join(body) if p <= 6 else _("{ops}, … ({p} ops)").format(
            ops=", ".join(body[:5]), p=p)
        more = repeats - 2
        start = op_at[first + p - 1] + 1
        stop = op_at[first + (repeats - 1) * p - 1] + 1
        note = ngettext(
            "{more:,} more iteration of the same {p} ops, {total:,} ops in all "
            "(the tape repeats this body {repeats:,} times):\n{body}",
            "{more:,} more iterations of the same {p} ops, {total:,} ops in all "
            "(the tape repeats this body {repeats:,} times):\n{body}",
            more).format(more=more, p=p, total=more * p, repeats=repeats, body=", ".join(body))
        text = ngettext("… {more:,} more iteration of\n({ops})",
                        "… {more:,} more iterations of\n({ops})", more).format(more=more, ops=shown)
        _collapse(drawn, start, stop, text, note)
    # (b) whatever the loops left: keep the first and last nodes, summarise the middle
    nodes = drawn.graph.nodes
    if len(nodes) > max_nodes:
        head = (max_nodes - 1) // 2
        stop = len(nodes) - (max_nodes - 1 - head)
        n_ops = drawn.count_ops(nodes[head:stop])
        note = _("{ops:,} ops ({boxes:,} boxes) are not drawn, to keep the picture "
                 "at {max_nodes} boxes (render_svg's max_nodes).").format(
            ops=n_ops, boxes=stop - head, max_nodes=max_nodes)
        _collapse(drawn, head, stop, _("… {ops:,} more ops").format(ops=n_ops), note)
    return drawn


# -- layout ---------------------------------------------------------------------------------
@dataclass
class Layout:
    """Where :func:`layout` puts each box, and the path of each edge.

    Attributes
    ----------
    boxes : dict
        ``{node id: (x, y, width, height)}``, the top-left corner and size of each box.
    edges : list
        ``(source id, destination id, input position, points)`` per edge, in the graph's
        edge order; ``points`` runs from the bottom of the source box to the top of the
        destination box, through the rows in between.
    width, height : float
        The size of the drawing, margins included.

    Examples
    --------
    >>> from adkernel import tf
    >>> from adkernel.engine.inspect import graph_of
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape() as tape:
    ...     y = x ** 2
    >>> lay = layout(graph_of(tape, y))
    >>> sorted(lay.boxes)
    ['n0', 'n1', 'n2']
    >>> lay.boxes["n0"][1] < lay.boxes["n2"][1]   # x is drawn above pow
    True
    """

    boxes: dict
    edges: list
    width: float
    height: float

    def center(self, node_id: str) -> tuple[float, float]:
        """The centre of a node's box.

        Examples
        --------
        >>> Layout({"n0": (10.0, 20.0, 40.0, 30.0)}, [], 60.0, 70.0).center("n0")
        (30.0, 35.0)
        """
        x, y, w, h = self.boxes[node_id]
        return x + w / 2, y + h / 2


def _ranks(ids: list, preds: dict, succs: dict) -> dict:
    """Longest path from the leaves; then each leaf moves down next to its first use."""
    rank: dict = {}
    for v in ids:
        try:
            rank[v] = 1 + max((rank[u] for u in preds[v]), default=-1)
        except KeyError as exc:
            raise ValueError(_("graph nodes must be in tape order: {node!r} comes before its "
                               "input {input!r}").format(node=v, input=exc.args[0])) from None
    for v in ids:
        if not preds[v] and succs[v]:
            rank[v] = min(rank[w] for w in succs[v]) - 1
    return rank


def _crossings(rows: list, up: dict) -> int:
    pos = {v: i for row in rows for i, v in enumerate(row)}
    total = 0
    for row in rows[1:]:
        pairs = [(pos[u], pos[v] + off) for v in row for u, off in up[v]]
        if len(pairs) > 1:
            a, b = np.array(pairs).T
            signs = np.sign(a[:, None] - a[None, :]) * np.sign(b[:, None] - b[None, :])
            total += int((signs < 0).sum()) // 2
    return total


def _order(rows: list, up: dict, down: dict, key: dict) -> list:
    """Barycenter sweeps (ties broken by tape order); the order with fewest crossings.

    ``up[v]`` / ``down[v]`` list ``(neighbour, port)``: where the edge meets the lower
    box, as a fraction of its width from its centre (-0.5 .. 0.5), so that an op's
    first input is pulled to the left and its last to the right.
    """
    best, best_cross = [list(r) for r in rows], _crossings(rows, up)
    for sweep in range(ORDER_SWEEPS):
        if best_cross == 0:
            break
        downward = sweep % 2 == 0
        span = range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1)
        for r in span:
            pos = {v: i for i, v in enumerate(rows[r - 1] if downward else rows[r + 1])}
            bary = {}
            for i, v in enumerate(rows[r]):
                ps = ([pos[u] - off for u, off in up[v]] if downward
                      else [pos[w] + off for w, off in down[v]])
                bary[v] = (sum(ps) / len(ps) if ps else i, key[v])
            rows[r].sort(key=bary.__getitem__)
        cross = _crossings(rows, up)
        if cross < best_cross:
            best, best_cross = [list(r) for r in rows], cross
    return best


def _place(rows: list, up: dict, down: dict, width: dict) -> dict:
    """x centres: each box under the mean of its neighbours, boxes kept apart in order."""

    def sep(a, b):
        gap = GAP_X if a in width and b in width else DUMMY_WIDTH
        return (width.get(a, DUMMY_WIDTH) + width.get(b, DUMMY_WIDTH)) / 2 + gap

    x: dict = {}
    for row in rows:
        at = 0.0
        for i, v in enumerate(row):
            at += sep(row[i - 1], v) if i else 0.0
            x[v] = at
        for v in row:
            x[v] -= at / 2

    def settle(row, downward):
        want = []
        for v in row:
            ps = ([x[u] - off * width.get(v, 0.0) for u, off in up[v]] if downward
                  else [x[w] + off * width.get(w, 0.0) for w, off in down[v]])
            want.append(sum(ps) / len(ps) if ps else x[v])
        left, right = list(want), list(want)
        for i in range(1, len(row)):
            left[i] = max(want[i], left[i - 1] + sep(row[i - 1], row[i]))
        for i in range(len(row) - 2, -1, -1):
            right[i] = min(want[i], right[i + 1] - sep(row[i], row[i + 1]))
        for v, a, b in zip(row, left, right, strict=True):
            x[v] = (a + b) / 2  # both keep the boxes apart, so their mean does too

    for _sweep in range(PLACE_SWEEPS):
        for row in rows[1:]:
            settle(row, True)
        for row in reversed(rows[:-1]):
            settle(row, False)
    return x


def layout(graph: Graph, sizes: dict | None = None) -> Layout:
    """Place a graph's boxes in rows, data flowing from top to bottom.

    A layered (Sugiyama-style) layout: an op sits one row below its deepest input and a
    leaf one row above its first use; edges that skip rows pass through them as thin
    placeholders, so they never cut through a box; barycenter sweeps order each row (ties
    broken by tape order) and the boxes are then moved under their neighbours, never
    closer than a fixed gap. No randomness: the same graph always gives the same layout.

    Parameters
    ----------
    graph : Graph
        Nodes in tape order (as :func:`~adkernel.engine.inspect.graph_of` returns them).
    sizes : dict, optional
        ``{node id: (width, height)}`` of each box; by default the size of the text
        :func:`render_svg` writes in it.

    Returns
    -------
    Layout

    Examples
    --------
    >>> from adkernel import tf
    >>> from adkernel.engine.inspect import graph_of
    >>> x = tf.Variable(2.0)
    >>> with tf.GradientTape() as tape:
    ...     z = x * x + 1.0
    >>> lay = layout(graph_of(tape, z))
    >>> [e[:3] for e in lay.edges]
    [('n0', 'n1', 0), ('n0', 'n1', 1), ('n1', 'n3', 0), ('n2', 'n3', 1)]
    """
    ids = [n.id for n in graph.nodes]
    if sizes is None:
        sizes = {n.id: _label(n).size() for n in graph.nodes}
    preds: dict = {v: [] for v in ids}
    succs: dict = {v: [] for v in ids}
    for src, dst, _pos in graph.edges:
        preds[dst].append(src)
        succs[src].append(dst)
    rank = _ranks(ids, preds, succs)
    n_rows = max(rank.values(), default=-1) + 1
    rows: list = [[] for _row in range(n_rows)]
    key = {v: (i, 0, 0) for i, v in enumerate(ids)}
    for v in ids:
        rows[rank[v]].append(v)
    # each destination's inputs arrive side by side, in input order: where along the top
    # of its box (a fraction of its width) each edge ends
    slots: dict = {}
    for _src, dst, pos in graph.edges:
        slots.setdefault(dst, []).append(pos)
    port = {(dst, pos): (i + 1) / (len(ps) + 1)
            for dst, ps in slots.items() for i, pos in enumerate(sorted(ps))}
    # edges that skip rows: a chain of placeholders, one per row crossed
    up: dict = {v: [] for v in ids}
    down: dict = {v: [] for v in ids}
    chains = []
    index = {v: i for i, v in enumerate(ids)}
    for e, (src, dst, pos) in enumerate(graph.edges):
        chain = [src]
        for r in range(rank[src] + 1, rank[dst]):
            d = f"~{e}.{r}"
            rows[r].append(d)
            key[d] = (index[src], index[dst] + 1, pos)
            up[d], down[d] = [], []
            chain.append(d)
        chain.append(dst)
        for a, b in pairwise(chain):
            off = port[dst, pos] - 0.5 if b == dst else 0.0
            down[a].append((b, off))
            up[b].append((a, off))
        chains.append(chain)
    for row in rows:
        row.sort(key=key.__getitem__)
    rows = _order(rows, up, down, key)
    width = {v: sizes[v][0] for v in ids}
    x = _place(rows, up, down, width)

    # rows from the top; every box centred vertically in its row
    row_top, y = [], float(MARGIN)
    row_height = []
    for row in rows:
        h = max((sizes[v][1] for v in row if v in width), default=0.0)
        row_top.append(y)
        row_height.append(h)
        y += h + GAP_Y
    left = min((x[v] - width.get(v, DUMMY_WIDTH) / 2 for row in rows for v in row), default=0)
    shift = MARGIN - left
    boxes = {}
    for r, row in enumerate(rows):
        for v in row:
            if v in width:
                w, h = sizes[v]
                boxes[v] = (x[v] + shift - w / 2, row_top[r] + (row_height[r] - h) / 2, w, h)
    right = max((x[v] + shift + width.get(v, DUMMY_WIDTH) / 2 for row in rows for v in row),
                default=0)

    edges = []
    for (src, dst, pos), chain in zip(graph.edges, chains, strict=True):
        sx, sy, sw, sh = boxes[src]
        points = [(sx + sw / 2, sy + sh)]
        for d in chain[1:-1]:
            r = int(d.rsplit(".", 1)[1])
            points += [(x[d] + shift, row_top[r]), (x[d] + shift, row_top[r] + row_height[r])]
        dx, dy, dw, _dh = boxes[dst]
        points.append((dx + dw * port[dst, pos], dy))
        edges.append((src, dst, pos, points))
    return Layout(boxes, edges, right + MARGIN, max(y - GAP_Y + MARGIN, 2 * MARGIN))


# -- SVG --------------------------------------------------------------------------------------
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

    # header: optional caption, then the legend
    head = [] if title is None else [
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="15" font-weight="bold" '
        f'fill="{TEXT["head"]}">{escape(title)}</text>']
    top = MARGIN + (24 if title is not None else 0)
    legend, legend_width = _legend({n.kind for n in g.nodes}, target is not None,
                                   hl is not None, top)
    top += 12 + 6
    notes = []
    if g.nodes:
        notes.append(_("in each box: name or op, then shape, dtype; value; "
                       "grad = gradient of the target")
                     if show_grads and target is not None
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


# -- notebook display -----------------------------------------------------------------------
def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class GraphPicture:
    """A computation graph that displays itself as SVG in Jupyter.

    Parameters
    ----------
    graph : Graph
        From :func:`~adkernel.engine.inspect.graph_of`.
    **options
        Passed to :func:`render_svg`: ``highlight``, ``done``, ``show_values``,
        ``show_grads``, ``title``, ``max_nodes``, ``flow``.

    Examples
    --------
    >>> from adkernel import tf
    >>> from adkernel.engine.inspect import graph_of
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape() as tape:
    ...     y = x ** 2
    >>> pic = GraphPicture(graph_of(tape, y))
    >>> pic
    <computation graph: 3 nodes, 2 edges>
    >>> sorted(pic._repr_mimebundle_())
    ['text/html', 'text/plain']

    The picture travels as an ``<img>`` inside ``text/html`` (see :func:`svg_img_html`),
    which JupyterLab shows even in a saved notebook nobody has trusted or run, and
    nbconvert's HTML keeps.
    """

    def __init__(self, graph: Graph, **options):
        _check_options(options)
        self.graph = graph
        self.options = options

    @property
    def svg(self) -> str:
        """The picture as SVG text (see :func:`render_svg`)."""
        return render_svg(self.graph, **self.options)

    @property
    def alt(self) -> str:
        """The picture in words (the image's alt text)."""
        return describe(self.graph, self.options.get("title"))

    def _repr_html_(self) -> str:
        return svg_img_html(self.svg, self.alt)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {}
        for mime, make in (("text/html", self._repr_html_), ("text/plain", self.__repr__)):
            if (include is None or mime in include) and not (exclude and mime in exclude):
                bundle[mime] = make()
        return bundle

    def to_dot(self) -> str:
        """The same (summarised) graph as Graphviz DOT text, for ``dot -Tsvg``.

        Examples
        --------
        >>> from adkernel import tf
        >>> from adkernel.engine.inspect import graph_of
        >>> x = tf.Variable(3.0)
        >>> with tf.GradientTape() as tape:
        ...     y = x ** 2
        >>> print(GraphPicture(graph_of(tape, y)).to_dot().splitlines()[-2])
          n1 -> n2 [headlabel="1"];
        """
        drawn = _summarise(self.graph, int(self.options.get("max_nodes", 120)))
        show = {k: self.options.get(k, True) for k in ("show_values", "show_grads")}
        lines = ["digraph computation {", "  rankdir=TB;",
                 '  node [shape=box, style="rounded,filled", fontname="sans-serif", fontsize=11];']
        for n in drawn.graph.nodes:
            lab = _label(n, **show)
            text = "\n".join([lab.prefix + lab.main, *(t for _role, t in lab.rows)])
            fill, stroke, dash = STYLES.get(n.kind, STYLES["op"])
            style = ', style="rounded,filled,dashed"' if dash else ""
            width = ", penwidth=3" if n.id == drawn.graph.target else ""
            lines.append(f'  {n.id} [label={_dot_quote(text)}, fillcolor="{fill}", '
                         f'color="{stroke}"{style}{width}];')
        fan_in = Counter(d for _s, d, _p in drawn.graph.edges)
        back = self.options.get("flow", "forward") == "backward"
        for src, dst, pos in drawn.graph.edges:
            attrs = ([f'headlabel="{pos}"'] if fan_in[dst] > 1 else []) + (
                ["dir=back"] if back else [])  # the arrowhead on the input: gradient flow
            port = f" [{', '.join(attrs)}]" if attrs else ""
            lines.append(f"  {src} -> {dst}{port};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return _("<computation graph: {nodes} nodes, {edges} edges>").format(
            nodes=len(self.graph.nodes), edges=len(self.graph.edges))


def _caller_names() -> dict:
    """The namespace of the first caller outside adkernel (a notebook's, usually)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "adkernel":
        frame = frame.f_back
    if frame is None:
        return {}
    names = dict(frame.f_locals)
    for k, v in frame.f_globals.items():
        names.setdefault(k, v)
    return names


def show_graph(target, tape, names: dict | None = None, **options) -> GraphPicture:
    """Draw the computation graph a tape recorded for ``target``, with gradients.

    The plain-Python twin of the notebook magic: ``adkernel.show_graph(y, tape=tape)``
    displays as a picture in Jupyter. The tape must still hold its records: make it
    ``tf.GradientTape(persistent=True)``, or call ``show_graph`` before ``tape.gradient``.

    Parameters
    ----------
    target : Tensor or None
        The value to differentiate (boxes show the gradient of it); None draws the tape
        without gradients.
    tape : GradientTape
        The tape that recorded the computation.
    names : dict, optional
        ``{name: tensor}`` for the labels (``y = pow``). By default the names of the
        calling code (a notebook's variables); pass ``{}`` for none.
    **options
        :func:`render_svg`'s options: ``highlight``, ``done``, ``show_values``,
        ``show_grads``, ``title``, ``max_nodes``, ``flow``.

    Returns
    -------
    GraphPicture

    Raises
    ------
    RuntimeError
        The tape recorded nothing, or was a non-persistent tape whose one gradient has
        already been taken (its records are gone).

    Examples
    --------
    >>> from adkernel import tf
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape(persistent=True) as tape:
    ...     y = x ** 2
    >>> pic = show_graph(y, tape)
    >>> "grad 6" in pic.svg
    True
    """
    if not isinstance(tape, GradientTape):
        raise TypeError(_("tape must be a tf.GradientTape, got {type}: call "
                          "show_graph(y, tape=tape) with the tape that computed y").format(
            type=type(tape).__name__))
    if tape.view().state is TapeState.USED:
        raise RuntimeError(_(
            "This GradientTape has already computed its gradient and let go of its records, "
            "so there is no graph left to draw. Create it with "
            "tf.GradientTape(persistent=True), or call show_graph before tape.gradient."))
    if tape.view().state is TapeState.NEW:
        raise RuntimeError(_(
            "This GradientTape never recorded anything: compute the target inside "
            "`with tf.GradientTape() as tape:` first, then call show_graph(y, tape=tape)."))
    _check_options(options)  # before any work
    graph = graph_of(tape, target, names=_caller_names() if names is None else names)
    return GraphPicture(graph, **options)
