"""Where each box of a computation graph goes: what a box says and how wide it is (text
measured without font metrics), then a small layered (Sugiyama-style) layout. Values flow
from top to bottom, each op one row below its deepest input, and a few barycenter sweeps
order each row to keep edges from crossing. Part of :mod:`adkernel.widgets.graph`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ..engine.i18n import _, lazy
from ..engine.inspect import Graph, Node

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
# the engine's labels for leaves without a name (``Variable``: tf.Variable's default name)
LEAF_WORDS = {"watched": lazy("watched"), "const": lazy("const"), "gradient": lazy("gradient"),
              "Variable": lazy("Variable")}
# Advance widths of DejaVu Sans, the widest common sans-serif (so text fits its box on
# every platform), in hundredths of an em, for the ASCII characters 32..126.
_ASCII_WIDTH = (
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66,
    56, 86, 75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61,
    63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82,
    59, 59, 52, 64, 34, 64, 84,
)


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


def dotted(name: str) -> str:
    """The tangent of ``name`` in words: ``ẋ`` for a one-letter name, else ``tangent of
    loss``.

    Examples
    --------
    >>> dotted("x")
    'ẋ'
    """
    if len(name) == 1 and name.isalpha():
        return unicodedata.normalize("NFC", name + "\u0307")
    return _("tangent of {name}").format(name=name)


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
    tangent = _value_text(node.tangent) if show_values else None
    if tangent is not None:  # forward mode: how fast this value moves along the tangent
        lab.rows.append(("tangent", _("tangent {value}").format(value=tangent)))
    return lab


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
    return _geometry(graph, rows, chains, x, sizes, width, port)


def _geometry(graph: Graph, rows: list, chains: list, x: dict, sizes: dict, width: dict,
              port: dict) -> Layout:
    """Boxes and edge paths in pixels, from the ordered rows and the boxes' x centres."""
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
