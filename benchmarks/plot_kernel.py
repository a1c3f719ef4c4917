"""What ``%%tape --plot loss`` costs a training loop in a real Jupyter kernel.

The seed tutorial's linear regression loop (float32 ``W``, ``b``; ``X`` of shape (100, 1))
runs ``--steps`` steps in a fresh IPython kernel (started with jupyter_client, as a
notebook would), written at the top level of a cell exactly as a learner writes it, once
plain and once under ``%%tape --plot loss``, alternating for ``--rounds`` rounds. The time
is measured inside the kernel around the loop; the figure is the ratio of the medians
(plotted / plain), with the number of frames the kernel sent. A second part runs 10,000-step
plotted loops back to back and reads the kernel's resident memory after each: it should
stay flat. Nothing is asserted.

Run from the repository root::

    python -m benchmarks.plot_kernel                  # 100,000 steps, 3 rounds
    python -m benchmarks.plot_kernel --steps 2000 --rounds 1 --loops 2   # smoke
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

try:
    from ._common import write_json
except ImportError:  # run as a script
    from _common import write_json

__all__ = ["format_table", "run"]

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "plot_kernel.json"

SETUP = """\
%load_ext adkernel
import time
import numpy as np
from adkernel import tf
rng = np.random.default_rng(1234)
X = rng.random((100, 1))
y = 3 * X + rng.standard_normal((100, 1)) * 0.5
W = tf.Variable(rng.standard_normal(1), dtype=tf.float32)
b = tf.Variable(rng.standard_normal(1), dtype=tf.float32)
def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
"""

LOOP = """\
W.assign([0.5]); b.assign([0.0])
_t0 = time.perf_counter()
for epoch in range({steps}):
    with tf.GradientTape() as t:
        loss = tf.reduce_mean(tf.square(W * X + b - y))
    dW, db = t.gradient(loss, [W, b])
    W.assign_sub(0.01 * dW)
    b.assign_sub(0.01 * db)
_elapsed = time.perf_counter() - _t0
"""


class _Kernel:
    def __init__(self):
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name="python3")
        self.frames = 0

    def _hook(self, msg) -> None:
        if msg["msg_type"] in ("display_data", "update_display_data") and \
                "image/png" in msg["content"].get("data", {}):
            self.frames += 1
        if msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))

    def run(self, code: str, expr: str | None = None, timeout: float = 3600):
        reply = self.kc.execute_interactive(
            code, user_expressions={"v": expr} if expr else {}, output_hook=self._hook,
            timeout=timeout)
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"cell failed: {content.get('ename')}: {content.get('evalue')}")
        if expr:
            value = content["user_expressions"]["v"]
            return float(value["data"]["text/plain"])
        return None

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def run(steps: int = 100_000, rounds: int = 3, loops: int = 3,
        memory_steps: int = 10_000) -> dict:
    """Measure plain vs plotted loops in one kernel; return the results dictionary."""
    from benchmarks.engine import machine_info

    k = _Kernel()
    try:
        k.run(SETUP)
        loop = LOOP.format(steps=steps)
        k.run(loop)  # warm-up: imports, allocator
        k.run("%%tape --plot loss\n" + loop)
        plain, plotted, frames, wall = [], [], [], {"plain": [], "plotted": []}
        for _ in range(rounds):
            t0 = time.perf_counter()
            plain.append(k.run(loop, "_elapsed"))
            wall["plain"].append(time.perf_counter() - t0)
            k.frames = 0
            t0 = time.perf_counter()
            plotted.append(k.run("%%tape --plot loss\n" + loop, "_elapsed"))
            wall["plotted"].append(time.perf_counter() - t0)
            frames.append(k.frames)
        mem_loop = "%%tape --plot loss\n" + LOOP.format(steps=memory_steps)
        k.run(mem_loop)
        rss = [k.run("pass", "rss_mb()")]
        for _ in range(loops):
            k.run(mem_loop)
            rss.append(k.run("pass", "rss_mb()"))
    finally:
        k.close()
    p, q = statistics.median(plain), statistics.median(plotted)
    return {
        "steps": steps,
        "rounds": rounds,
        "plain_s": p,
        "plotted_s": q,
        "ratio": q / p,
        "plain_us_per_step": p / steps * 1e6,
        "overhead_us_per_step": (q - p) / steps * 1e6,
        "frames": frames,
        # the whole cell as the notebook waits for it (pictures included), plotted - plain
        "cell_fixed_cost_s": statistics.median(wall["plotted"]) - statistics.median(wall["plain"]),
        "cell_wall_s": wall,
        "rounds_s": {"plain": plain, "plotted": plotted},
        "memory_steps": memory_steps,
        "rss_mb_after_each_loop": rss,
        "rss_growth_mb": rss[-1] - rss[0],
        "machine": machine_info(),
    }


def format_table(res: dict) -> str:
    rss = ", ".join(f"{v:.1f}" for v in res["rss_mb_after_each_loop"])
    rows = [
        (f"{res['steps']:,} steps, plain", f"{res['plain_s']:.2f} s "
         f"({res['plain_us_per_step']:.1f} µs/step)"),
        (f"{res['steps']:,} steps, %%tape --plot loss", f"{res['plotted_s']:.2f} s"),
        ("ratio plotted / plain (target ≤ 1.10)", f"{res['ratio']:.3f}"),
        ("overhead", f"{res['overhead_us_per_step']:+.2f} µs/step"),
        ("frames sent per plotted run", ", ".join(map(str, res["frames"]))),
        ("whole cell, plotted - plain (pictures' fixed cost)",
         f"{res['cell_fixed_cost_s']:+.3f} s"),
        (f"kernel RSS after {res['memory_steps']:,}-step plotted loops (MB)", rss),
        ("RSS growth first → last", f"{res['rss_growth_mb']:+.1f} MB"),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{'measure':<{width}} | value", f"{'-' * width}-|{'-' * 30}"]
    lines += [f"{a:<{width}} | {b}" for a, b in rows]
    lines.append(f"(median of {res['rounds']} alternating rounds, timed inside the kernel)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.plot_kernel",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loops", type=int, default=3,
                        help="10,000-step plotted loops for the memory figure")
    parser.add_argument("--memory-steps", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH")
    args = parser.parse_args(argv)
    res = run(args.steps, args.rounds, args.loops, args.memory_steps)
    print(format_table(res))
    write_json(res, args.json)
    return 0


if __name__ == "__main__":
    if not __package__:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
