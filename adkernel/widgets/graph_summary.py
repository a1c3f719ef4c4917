"""Long tapes, summarised before they are drawn: a repeated loop body is drawn twice (first
and last iteration) around one summary node, and whatever is still too big is cut to
``max_nodes`` nodes. Part of :mod:`adkernel.widgets.graph`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.i18n import _, ngettext
from ..engine.inspect import Graph, Node

MAX_PERIOD = 64  # longest loop body (in ops) looked for when summarising a tape
MIN_REPEATS = 4  # a loop is summarised when it hides 2+ iterations, 4+ ops
MAX_LOOPS = 8  # at most this many loops are summarised; the rest is cut to max_nodes


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
