"""What ``adkernel.engine.tune_malloc`` buys: one training step, with and without it.

The step is elementwise work on 1024×1024 float64 arrays (8 MiB each, above glibc's default
mmap threshold), forward and backward: y = tanh(x·a + b)·c, loss = mean(y²), gradients of
a, b and c (about 20 fresh 8 MiB arrays per step). Each round runs it in two fresh Python
processes, one that calls ``tune_malloc()`` and one that does not
(``ADKERNEL_TUNE_MALLOC=0``), alternating which goes first; a process reports the fastest
of its repeats (the least disturbed by other load). The figure is the median over rounds
of untuned / tuned time. Nothing is asserted.

    python -m benchmarks.malloc              # 5 rounds
    python -m benchmarks.malloc --rounds 9 --json /tmp/malloc.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

try:
    from ._common import write_json
except ImportError:  # run as a script
    from _common import write_json

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "malloc.json"
ROOT = Path(__file__).resolve().parents[1]

STEP = """\
import time
import numpy as np
from adkernel import tf
from adkernel.engine import tune_malloc

tuned = tune_malloc()
rng = np.random.default_rng(0)
x = tf.constant(rng.standard_normal((1024, 1024)))
a, b, c = (tf.Variable(rng.standard_normal((1024, 1024))) for _ in range(3))


def step():
    with tf.GradientTape() as tape:
        y = tf.tanh(x * a + b) * c
        loss = tf.reduce_mean(y * y)
    return tape.gradient(loss, [a, b, c])


step()
best = float("inf")
for _ in range({repeats}):
    t0 = time.perf_counter()
    step()
    best = min(best, time.perf_counter() - t0)
print(tuned, best)
"""


def _one(tune: bool, repeats: int) -> tuple[bool, float]:
    env = dict(os.environ)
    env["ADKERNEL_TUNE_MALLOC"] = "1" if tune else "0"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, "-c", STEP.format(repeats=repeats)], env=env,
                         capture_output=True, text=True, check=True, timeout=600)
    tuned, best = out.stdout.split()
    return tuned == "True", float(best)


def run(rounds: int = 5, repeats: int = 10) -> dict:
    """``rounds`` pairs of processes (tuned, untuned); times in seconds per step."""
    pairs = []
    for i in range(rounds):
        order = (True, False) if i % 2 == 0 else (False, True)
        got = {tune: _one(tune, repeats) for tune in order}
        pairs.append({"tuned_s": got[True][1], "untuned_s": got[False][1],
                      "took_effect": got[True][0]})
    ratios = [p["untuned_s"] / p["tuned_s"] for p in pairs]
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
                if line.startswith("model name")), None) if Path("/proc/cpuinfo").exists() \
        else None
    return {"cpu": cpu, "cpu_count": os.cpu_count(), "rounds": pairs,
            "tuned_s": statistics.median(p["tuned_s"] for p in pairs),
            "untuned_s": statistics.median(p["untuned_s"] for p in pairs),
            "untuned_over_tuned": statistics.median(ratios),
            "took_effect": all(p["took_effect"] for p in pairs)}


def format_table(res: dict) -> str:
    return "\n".join([
        "| malloc tuning | step (best of repeats, median over rounds) |",
        "|---|---|",
        f"| tune_malloc() | {res['tuned_s'] * 1e3:.1f} ms |",
        f"| glibc defaults | {res['untuned_s'] * 1e3:.1f} ms |",
        f"| untuned / tuned | {res['untuned_over_tuned']:.2f}× (per round: "
        + ", ".join(f"{p['untuned_s'] / p['tuned_s']:.2f}" for p in res["rounds"]) + ") |",
        f"{res['cpu']} x{res['cpu_count']}; tuning took effect: "
        f"{'yes' if res['took_effect'] else 'no (not glibc?)'}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.malloc", description=__doc__
                                     .split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=10, help="steps timed per process")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH")
    args = parser.parse_args(argv)
    res = run(rounds=args.rounds, repeats=args.repeats)
    print(format_table(res))
    write_json(res, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
