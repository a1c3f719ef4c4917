"""How long drawing a tape's computation graph takes (see benchmarks/README.md).

A chain of scalar float64 ops (benchmark W2's loop body, ``x = sin(x) * 1.01 + x * x *
0.001``: 5 ops per iteration) is recorded once per size, on a persistent tape; each round
then times what ``adkernel.show_graph`` does to display it: ``graph_of`` (the graph and
every gradient) followed by ``render_svg`` (summarising, layout, SVG text). Medians over
rounds; nothing is asserted.

Run from the repository root::

    python -m benchmarks.render
    python -m benchmarks.render --rounds 9 --json /tmp/render.json
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np

try:
    from ._common import write_json
except ImportError:  # run as a script
    from _common import write_json

__all__ = ["SIZES", "format_table", "run"]

SIZES = (100, 1_000, 10_000, 100_000)  # ops on the tape
BODY_OPS = 5
MIN_ROUNDS = 5
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "render.json"


def _chain(tf, n_ops: int):
    """A persistent tape holding ``n_ops`` scalar ops, and the chain's last value."""
    x = tf.Variable(np.float64(0.5))
    with tf.GradientTape(persistent=True) as tape:
        x_ = x
        for _ in range(n_ops // BODY_OPS):
            x_ = tf.sin(x_) * 1.01 + x_ * x_ * 0.001
    return tape, x_


def _measure(tape, target, rounds: int) -> dict:
    from adkernel.engine.inspect import graph_of
    from adkernel.widgets.graph import render_svg

    graph_s, render_s, total_s = [], [], []
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        graph = graph_of(tape, target)
        t1 = time.perf_counter()
        svg = render_svg(graph)
        t2 = time.perf_counter()
        graph_s.append(t1 - t0)
        render_s.append(t2 - t1)
        total_s.append(t2 - t0)
    return {
        "nodes": len(graph.nodes),
        "edges": len(graph.edges),
        "boxes_drawn": svg.count('class="adk-node '),
        "svg_bytes": len(svg.encode("utf-8")),
        "median_s": statistics.median(total_s),
        "graph_of_median_s": statistics.median(graph_s),
        "render_svg_median_s": statistics.median(render_s),
        "rounds_s": total_s,
    }


def run(rounds: int = 7, sizes=SIZES) -> dict:
    """Time ``graph_of`` + ``render_svg`` for each size; returns what ``--json`` writes."""
    from adkernel import tf
    from benchmarks.engine import machine_info

    results = {}
    for n_ops in sizes:
        tape, target = _chain(tf, n_ops)
        results[str(n_ops)] = {"ops": n_ops, **_measure(tape, target, rounds)}
    return {"benchmark": "render", "rounds": rounds, "sizes": results, "machine": machine_info()}


def format_table(results: dict) -> str:
    """The results as a text table: one line per tape size."""
    lines = [
        f"{'ops':>7} | {'nodes':>6} | {'boxes':>5} | {'SVG kB':>6} | {'graph_of':>9} | "
        f"{'render_svg':>10} | {'total':>9}",
        "-" * 73,
    ]
    for r in results["sizes"].values():
        lines.append(
            f"{r['ops']:>7,} | {r['nodes']:>6,} | {r['boxes_drawn']:>5} | "
            f"{r['svg_bytes'] / 1000:>6.1f} | {r['graph_of_median_s'] * 1e3:>6.1f} ms | "
            f"{r['render_svg_median_s'] * 1e3:>7.1f} ms | {r['median_s'] * 1e3:>6.1f} ms")
    lines.append(f"(median of {results['rounds']} rounds each)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.render",
        description="Time drawing a computation graph (graph_of + render_svg) of long tapes.",
    )
    parser.add_argument("--rounds", type=int, default=7,
                        help=f"rounds per size, median reported (default 7, min {MIN_ROUNDS})")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                        help="where to write the results (default benchmarks/results/render.json)")
    args = parser.parse_args(argv)
    if args.rounds < MIN_ROUNDS:
        parser.error(f"--rounds must be at least {MIN_ROUNDS}")
    results = run(rounds=args.rounds)
    print(format_table(results))
    write_json(results, args.json)
    return 0


if __name__ == "__main__":
    if not __package__:  # run as a script: python benchmarks/render.py
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
