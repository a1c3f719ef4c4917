"""Forward mode: what a JVP costs compared with the forward pass alone (see README.md).

On W4's elementwise workload (``reduce_sum(exp(sin(x)) * x + x ** 2)`` on 10⁶ float64
values) and W2's chain of 1,000 scalar ops, three versions are timed in alternating rounds
in one process: the plain forward pass (no tape, no accumulator), the same code inside a
``tf.autodiff.ForwardAccumulator`` (the JVP along a tangent, read with ``acc.jvp``), and for
context the reverse pass (``GradientTape`` + ``gradient``). The figure is JVP time / forward
time (median over rounds of each). Before timing, the JVP must equal ⟨gradient, tangent⟩
from reverse mode (relative 1e-10). Nothing is asserted about the timings.

    python -m benchmarks.forward               # 7 rounds, under a minute
    python -m benchmarks.forward --quick       # smoke test
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

try:
    from . import engine
    from ._common import write_json
except ImportError:  # run as a script
    import engine
    from _common import write_json

__all__ = ["TARGETS", "format_table", "run"]

TARGETS = {"W4": 3.0, "W2": None}  # JVP time / forward time; W2 is reported only
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "forward.json"


def _w4(tf):
    rng = np.random.default_rng(engine.SEED)
    x = tf.constant(rng.uniform(-2, 2, 1_000_000))
    v = tf.constant(rng.standard_normal(1_000_000))

    def f(x):
        return tf.reduce_sum(tf.exp(tf.sin(x)) * x + x ** 2)

    return x, v, f


def _w2(tf):
    x, v = tf.constant(0.5, tf.float64), tf.constant(1.0, tf.float64)

    def f(x):
        for _ in range(engine.W2_STEPS):
            x = tf.sin(x) * 1.01 + x * x * 0.001
        return x

    return x, v, f


CASES = {"W4": ("elementwise on 1,000,000 float64 values", _w4),
         "W2": ("chain of 1,000 scalar float64 ops", _w2)}


def _units(tf, build):
    x, v, f = build(tf)

    def forward():
        return f(x)

    def jvp():
        with tf.autodiff.ForwardAccumulator(x, v) as acc:
            y = f(x)
        return acc.jvp(y)

    def reverse():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x)

    return {"forward": forward, "jvp": jvp, "reverse": reverse}, x, v


def _check(name, units, v) -> float:
    """The JVP equals ⟨gradient, tangent⟩ (reverse mode); returns the relative error."""
    got = float(units["jvp"]().numpy())
    want = float(np.sum(units["reverse"]().numpy() * v.numpy()))
    err = abs(got - want) / max(abs(want), 1e-300)
    if not err <= 1e-10:
        raise engine.BenchmarkError(f"{name}: JVP {got!r} but <gradient, tangent> {want!r}")
    return err


def run(rounds: int = 7, quick: bool = False) -> dict:
    from adkernel import tf

    rounds = max(rounds, engine.MIN_ROUNDS)
    min_time = engine.MIN_TIME_QUICK if quick else engine.MIN_TIME
    results: dict = {"machine": engine.machine_info(), "rounds": rounds, "workloads": {}}
    for name, (title, build) in CASES.items():
        units, _x, v = _units(tf, build)
        err = _check(name, units, v)
        reps = {k: engine._inner_reps(fn, min_time) for k, fn in units.items()}
        times: dict = {k: [] for k in units}
        for _ in range(rounds):
            for k, fn in units.items():
                times[k].append(engine._measure(fn, reps[k]))
        med = {k: statistics.median(ts) for k, ts in times.items()}
        results["workloads"][name] = {
            "title": title, "median_s": med, "times_s": times, "reps": reps,
            "jvp_over_forward": med["jvp"] / med["forward"],
            "reverse_over_forward": med["reverse"] / med["forward"],
            "target": TARGETS[name], "jvp_rel_err": err,
        }
    return results


def format_table(res: dict) -> str:
    lines = ["| workload | forward | JVP | JVP / forward | target | reverse / forward |",
             "|---|---|---|---|---|---|"]
    for name, w in res["workloads"].items():
        m = w["median_s"]
        target = f"≤ {w['target']:g}×" if w["target"] else "report"
        lines.append(f"| {name} {w['title']} | {m['forward'] * 1e3:.2f} ms | "
                     f"{m['jvp'] * 1e3:.2f} ms | **{w['jvp_over_forward']:.2f}×** | {target} | "
                     f"{w['reverse_over_forward']:.2f}× |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = p.parse_args(argv)
    try:
        from adkernel.engine import tune_malloc

        tune_malloc()
        res = run(rounds=args.rounds, quick=args.quick)
    except engine.BenchmarkError as e:
        print(f"benchmark aborted: {e}", file=sys.stderr)
        return 1
    print(format_table(res))
    write_json(res, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
