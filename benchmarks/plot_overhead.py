"""What a live loss plot costs a training loop (see benchmarks/README.md).

The seed tutorial's linear regression (float32 parameters, ``X`` of shape (100, 1)) runs
1,000 epochs twice per round: bare, and with ``LossPlot.record(loss)`` every epoch. Outside
IPython, as here, ``record`` stores the value and checks the clock; that is the cost a
notebook run pays between frames. The number of frames a notebook would draw is found by
running the loop once more with the display replaced by a stub that discards frames.
Last, the fixed cost of the pictures on a short loop (about 0.37 s, as in issue 19): the
plotted loop (``finish`` included) minus the plain one, drawn as before issue 19 (first
frame after ``min_interval``, constrained layout) and as now (first frame after
``FIRST_FRAME_AFTER``, fixed margins), in the same run; matplotlib is imported already.
Medians over alternating rounds; nothing is asserted.

Run from the repository root::

    python -m benchmarks.plot_overhead
    python -m benchmarks.plot_overhead --rounds 9 --json /tmp/plot_overhead.json
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

try:
    from ._common import write_json
except ImportError:  # run as a script
    from _common import write_json

__all__ = ["format_table", "run"]

SEED = 1234
EPOCHS = 1000
LEARNING_RATE = 0.1
MIN_ROUNDS = 5
RECORD_CALLS = 100_000  # calls in the record() micro-benchmark
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "plot_overhead.json"


def _seed_regression(tf):
    """The seed's training loop as ``train(plot, epochs)``; ``plot`` None: no recording."""
    rng = np.random.default_rng(SEED)
    X = rng.random((100, 1))
    y = 3 * X + rng.standard_normal((100, 1)) * 0.5
    W0 = rng.standard_normal(1)
    b0 = rng.standard_normal(1)
    W = tf.Variable(W0, dtype=tf.float32)
    b = tf.Variable(b0, dtype=tf.float32)

    def train(plot, epochs=EPOCHS):
        W.assign(W0.astype(np.float32))
        b.assign(b0.astype(np.float32))
        for _ in range(epochs):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(W * X + b - y))
            dW, db = tape.gradient(loss, [W, b])
            W.assign_sub(LEARNING_RATE * dW)
            b.assign_sub(LEARNING_RATE * db)
            if plot is not None:
                plot.record(loss)

    return train


def _timed(fn) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _record_many(plot, value) -> None:
    for _ in range(RECORD_CALLS):
        plot.record(value)


def _notebook_run(train, LossPlot) -> tuple[int, float]:
    """Frames drawn by one 1,000-epoch run as if in a notebook, and its wall time."""
    from adkernel.widgets import lossplot

    handle = mock.Mock()
    with mock.patch.object(lossplot, "_has_frontend", return_value=True), \
            mock.patch("IPython.display.display", return_value=handle):
        plot = LossPlot()
        t0 = time.perf_counter()
        train(plot)
        frames = plot.finish()
        return frames, time.perf_counter() - t0


SHORT_LOOP_S = 0.37  # the short loop of issue 19: shorter than the first live frame


def _short_loop(tf, LossPlot, rounds: int, old: bool, epochs: int) -> tuple[float, float, int]:
    """Fixed cost of the pictures on a loop of about SHORT_LOOP_S seconds, as in a notebook.

    Returns the median plain and plotted times (seconds, ``finish`` included) and the
    frames drawn. ``old`` draws as before issue 19: the first frame after ``min_interval``,
    matplotlib's constrained layout for every frame, a full garbage collection in
    ``finish``.
    """
    from adkernel.widgets import lossplot

    train = _seed_regression(tf)

    def short(plot):
        train(plot, epochs)

    def plotted_run(plot):
        short(plot)
        plot.finish()
        if old and plot.frames == 1:
            gc.collect()  # finish() always collected before issue 19

    margins = None if old else lossplot.CURVE_MARGINS
    first = 0.25 if old else lossplot.FIRST_FRAME_AFTER
    plain, plotted, frames = [], [], 0
    handle = mock.Mock()
    with mock.patch.object(lossplot, "_has_frontend", return_value=True), \
            mock.patch.object(lossplot, "CURVE_MARGINS", margins), \
            mock.patch("IPython.display.display", return_value=handle):
        for _ in range(max(rounds, MIN_ROUNDS)):
            plain.append(_timed(lambda: short(None)))
            plot = LossPlot(first_frame_after=first)
            plotted.append(_timed(lambda plot=plot: plotted_run(plot)))
            frames = plot.frames
    return statistics.median(plain), statistics.median(plotted), frames


def run(rounds: int = 7) -> dict:
    """Time the seed loop with and without recording; return the results dictionary.

    Parameters
    ----------
    rounds : int
        Alternating rounds (at least 5); medians are reported.

    Returns
    -------
    dict
        Per-epoch times, the per-record overhead, frame counts and every round's timings.

    Examples
    --------
    >>> res = run(rounds=5)  # doctest: +SKIP
    >>> print(format_table(res))  # doctest: +SKIP
    """
    from adkernel import tf
    from adkernel.widgets.lossplot import LossPlot
    from benchmarks.engine import machine_info

    train = _seed_regression(tf)
    train(None)  # warm up both paths (imports, allocator, caches)
    train(LossPlot())
    LossPlot().figure_png()  # matplotlib's import and font loading are not a frame's cost
    bare, recorded = [], []
    for _ in range(max(rounds, MIN_ROUNDS)):
        bare.append(_timed(lambda: train(None)))
        recorded.append(_timed(lambda: train(LossPlot())))
    bare_us = statistics.median(bare) / EPOCHS * 1e6
    recorded_us = statistics.median(recorded) / EPOCHS * 1e6

    # record() alone, on the scalar float32 tensor the loop records
    loss = tf.reduce_mean(tf.square(tf.constant(np.ones(3, np.float32))))
    micro = []
    for _ in range(max(rounds, MIN_ROUNDS)):
        plot = LossPlot()
        micro.append(_timed(lambda plot=plot: _record_many(plot, loss)) / RECORD_CALLS * 1e6)

    finish_plot = LossPlot()
    train(finish_plot)
    render_s = _timed(finish_plot.finish)
    frames, notebook_s = _notebook_run(train, LossPlot)
    short = {}
    for label, old in (("before", True), ("after", False)):
        epochs = max(10, round(SHORT_LOOP_S / (bare_us * 1e-6)))  # same loop for both
        plain_s, plotted_s, short_frames = _short_loop(tf, LossPlot, rounds, old, epochs)
        short[label] = {"plain_s": plain_s, "plotted_s": plotted_s,
                        "fixed_cost_s": plotted_s - plain_s, "frames": short_frames}
    return {
        "short_loop": short,
        "epochs": EPOCHS,
        "rounds": len(bare),
        "bare_us_per_epoch": bare_us,
        "recorded_us_per_epoch": recorded_us,
        "overhead_us_per_epoch": recorded_us - bare_us,
        "record_us_micro": statistics.median(micro),
        "frames_outside_ipython": finish_plot.frames,
        "final_frame_ms": render_s * 1e3,
        "notebook_frames": frames,
        "notebook_run_ms": notebook_s * 1e3,
        "min_interval_s": LossPlot().min_interval,
        "rounds_s": {"bare": bare, "recorded": recorded},
        "record_us_micro_rounds": micro,
        "machine": machine_info(),
    }


def format_table(res: dict) -> str:
    """The results as a small text table."""
    rows = [
        ("seed loop, no plot", f"{res['bare_us_per_epoch']:.1f} µs/epoch"),
        ("seed loop + LossPlot.record", f"{res['recorded_us_per_epoch']:.1f} µs/epoch"),
        ("difference (noisy)", f"{res['overhead_us_per_epoch']:+.2f} µs/epoch"),
        ("record() alone", f"{res['record_us_micro']:.2f} µs/call"),
        ("final frame (finish)", f"{res['final_frame_ms']:.0f} ms"),
        (f"frames, {res['epochs']:,}-epoch run in a notebook",
         f"{res['notebook_frames']} (run took {res['notebook_run_ms']:.0f} ms, "
         f"min_interval {res['min_interval_s']} s)"),
    ]
    for label in ("before", "after"):
        sl = res["short_loop"][label]
        rows.append((f"short loop, pictures' fixed cost ({label} issue 19)",
                     f"{sl['fixed_cost_s']:.3f} s, {sl['frames']} frame(s) on a "
                     f"{sl['plain_s']:.2f} s loop"))
    width = max(len(r[0]) for r in rows)
    lines = [f"{'measure':<{width}} | value", f"{'-' * width}-|{'-' * 40}"]
    lines += [f"{name:<{width}} | {value}" for name, value in rows]
    lines.append(f"(median of {res['rounds']} alternating rounds of {res['epochs']:,} epochs)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.plot_overhead",
        description="Cost of LossPlot.record in the seed's 1,000-epoch training loop.")
    parser.add_argument("--rounds", type=int, default=7,
                        help=f"alternating rounds, median reported (min {MIN_ROUNDS})")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                        help="where to write the results "
                             "(default benchmarks/results/plot_overhead.json)")
    args = parser.parse_args(argv)
    if args.rounds < MIN_ROUNDS:
        parser.error(f"--rounds must be at least {MIN_ROUNDS}")
    res = run(rounds=args.rounds)
    print(format_table(res))
    write_json(res, args.json)
    return 0


if __name__ == "__main__":
    if not __package__:  # run as a script: python benchmarks/plot_overhead.py
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
