"""How much memory the backprop stepper keeps, against the tape it steps through.

A chain of ``n`` elementwise ops on a 200-element float64 variable (``y = y * 1.0001``) is
recorded on a persistent tape; the figure is what ``BackpropStepper(tape, loss)`` allocates
(tracemalloc, the stepper alone), in bytes per op, and as a ratio to the bytes the tape's
own saved arrays take (``n`` × 200 × 8). Linear means the bytes per op stay flat as ``n``
grows (before issue 9 each step copied every running total: quadratic). Nothing is asserted.

    python -m benchmarks.stepper_memory
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from pathlib import Path

import numpy as np

try:
    from ._common import write_json
except ImportError:  # run as a script
    from _common import write_json

SIZES = (1_000, 2_000, 4_000, 8_000)
WIDTH = 200
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "stepper_memory.json"


def measure(n_ops: int) -> dict:
    from adkernel import tf
    from adkernel.widgets.stepper import BackpropStepper

    x = tf.Variable(np.linspace(0.1, 1.0, WIDTH))
    with tf.GradientTape(persistent=True) as tape:
        y = x
        for _ in range(n_ops):
            y = y * 1.0001
        loss = tf.reduce_sum(y)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    stepper = BackpropStepper(tape, loss, names={})
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    kept = after - before
    tape_bytes = n_ops * WIDTH * 8
    stepper.close()
    return {"ops": n_ops, "kept_bytes": kept, "peak_bytes": peak - before,
            "bytes_per_op": kept / n_ops, "ratio_to_tape_values": kept / tape_bytes}


def run(sizes=SIZES) -> dict:
    from benchmarks.engine import machine_info

    return {"rows": [measure(n) for n in sizes], "width": WIDTH, "machine": machine_info()}


def format_table(res: dict) -> str:
    lines = ["    ops | stepper keeps | peak while building | per op   | × tape's values",
             "-" * 76]
    for r in res["rows"]:
        lines.append(f"{r['ops']:>7,} | {r['kept_bytes'] / 2**20:9.1f} MiB | "
                     f"{r['peak_bytes'] / 2**20:15.1f} MiB | {r['bytes_per_op'] / 1024:5.1f} KiB"
                     f" | {r['ratio_to_tape_values']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stepper_memory")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH")
    args = parser.parse_args(argv)
    res = run(tuple(int(s) for s in args.sizes.split(",")))
    print(format_table(res))
    write_json(res, args.json)
    return 0


if __name__ == "__main__":
    if not __package__:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
