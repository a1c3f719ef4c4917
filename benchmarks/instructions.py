"""Instructions per timed unit of an engine workload, counted by valgrind's callgrind.

On a shared or virtual machine the wall clock, and even a thread's CPU time, move by 10-20 %
between runs, which hides a change of a few percent. The number of machine instructions a
unit executes hardly moves, so it compares two versions of the engine well:
run this in each checkout and compare. It is a diagnostic, not a target: instructions are not
time (numpy's run faster than the interpreter's), and the targets stay the time ratios of
``benchmarks.engine``.

    python -m benchmarks.instructions W2            # adkernel's unit of W2
    python -m benchmarks.instructions W1 --numpy    # the hand-written numpy unit
    python -m benchmarks.instructions W2 --runs 2,12

Each count runs the workload's unit ``a`` and ``b`` times (after three warm-up runs, with the
cyclic garbage collector off, ``PYTHONHASHSEED=0`` and one BLAS thread: without them the count
moved by up to 10 %) in two processes under ``valgrind --tool=callgrind``, and divides the
difference of the two totals by ``b - a``, so that start-up and set-up cancel out; the same
command gives the same count to within a few thousand instructions. Needs valgrind (Debian:
``apt-get install valgrind``); about 40 s for W2.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _child(name: str, runs: int, numpy_side: bool) -> None:
    """Inside valgrind: build the workload and run its unit ``runs`` times."""
    from adkernel import tf
    from benchmarks import engine

    case = engine.WORKLOADS[name].build(tf)
    unit = case.np_unit if numpy_side else case.ad_unit
    for _ in range(3):
        unit()
    gc.collect()
    gc.disable()
    for _ in range(runs):
        unit()


def _total(name: str, runs: int, numpy_side: bool, valgrind: str) -> int:
    """The instructions of one process that runs the unit ``runs`` times."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [valgrind, "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
                sys.executable, "-m", "benchmarks.instructions", name, "--child", str(runs)]
        if numpy_side:
            argv.append("--numpy")
        # one BLAS thread: valgrind runs threads one at a time, and their interleaving moved
        # the count by 1 %; a fixed hash seed: set and dict layouts differ with it
        env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1",
                   OMP_NUM_THREADS="1")
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                              check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind run failed (exit {done.returncode}):\n"
                           f"{done.stderr[-2000:]}")
    return int(found.group(1))


def count(name: str, runs: tuple[int, int] = (2, 12), numpy_side: bool = False) -> float:
    """Instructions per unit of workload ``name`` (adkernel's side, or numpy's)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise RuntimeError("valgrind is not installed (Debian: apt-get install valgrind)")
    a, b = runs
    if not 0 <= a < b:
        raise ValueError(f"--runs needs two counts a < b, got {a},{b}")
    return (_total(name, b, numpy_side, valgrind) - _total(name, a, numpy_side, valgrind)) / (
        b - a)


def main(argv: list[str] | None = None) -> int:
    from benchmarks import engine

    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=sorted(engine.WORKLOADS))
    parser.add_argument("--numpy", action="store_true",
                        help="count the hand-written numpy unit instead of adkernel's")
    parser.add_argument("--runs", default="2,12",
                        help="the two numbers of units, a,b (default 2,12)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        _child(args.workload, args.child, args.numpy)
        return 0
    a, b = (int(v) for v in args.runs.split(","))
    per_unit = count(args.workload, (a, b), args.numpy)
    side = "numpy" if args.numpy else "adkernel"
    print(f"{args.workload} ({side}): {per_unit / 1e6:.3f} million instructions per unit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
