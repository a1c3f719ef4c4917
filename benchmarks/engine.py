"""The four engine benchmarks W1..W4 (see benchmarks/README.md).

Each workload is written twice: against ``adkernel.tf`` exactly as a user would write it
(``GradientTape``, ``tape.gradient``, ``Variable.assign_sub``) and as hand-written numpy forward +
backward, the physical limit of a numpy engine. Both versions are checked to give the same
gradients before anything is timed; the figure is the ratio of the medians over rounds that
alternate the two versions, measured in one process run. Nothing here asserts a timing.

Run from the repository root::

    python -m benchmarks.engine                # full run, about half a minute
    python -m benchmarks.engine --quick        # smoke test
    python -m benchmarks.engine --only W1,W3 --rounds 9 --json /tmp/engine.json
"""

from __future__ import annotations

import argparse
import datetime
import gc
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

try:
    from ._common import write_json
except ImportError:  # run as a script
    from _common import write_json

__all__ = ["WORKLOADS", "BenchmarkError", "format_table", "machine_info", "run"]

SEED = 1234
MIN_ROUNDS = 5
MIN_TIME = 0.1  # seconds one measurement lasts at least (the spec asks for >= 50 ms)
MIN_TIME_QUICK = 0.005
MEMORY_REPEATS = 3
NOISY_SPREAD = 0.2  # interquartile range of per-round ratios above this fraction of the ratio
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "engine.json"

RTOL = {np.dtype(np.float64): 1e-8, np.dtype(np.float32): 1e-3}

TARGETS = {"W1": 3.5, "W2": 25.0, "W3": 1.2, "W4": 1.1, "W3 memory": 1.3,
           "W1-traced": 0.7, "W2-traced": 1.3}

# Ratios to hand-written numpy measured for peers on the same workloads (2-core machine,
# medians of 6 rounds), from the benchmark definition.
PEERS = {
    "W1": {"TF 2.21 eager": "99×", "PyTorch eager": "6.6×", "HIPS autograd": "10×",
           "JAX eager": "120×"},
    "W2": {"TF 2.21 eager": "814× (95 µs/op)", "PyTorch eager": "49× (5.8 µs/op)",
           "HIPS autograd": "132× (15.6 µs/op)", "JAX eager": "1800×"},
    "W3": {"TF 2.21 eager": "4.4×", "PyTorch eager": "1.28×", "HIPS autograd": "2.7×",
           "JAX eager": "5.6×"},
    "W4": {"TF 2.21 eager": "2.2×", "PyTorch eager": "0.44× (fused, 2 threads)",
           "HIPS autograd": "1.08×", "JAX eager": "1.7×"},
    # traced: TensorFlow's tf.function and jax.jit on the same workloads (tracing.md)
    "W1-traced": {"TF 2.21 eager": "17.6× (tf.function)", "PyTorch eager": "-",
                  "HIPS autograd": "- (jax.jit: 1.54×)", "JAX eager": "1.54× (jax.jit)"},
    "W2-traced": {"TF 2.21 eager": "13.5× (tf.function)", "PyTorch eager": "-",
                  "HIPS autograd": "- (jax.jit: 0.26×)", "JAX eager": "0.26× (jax.jit)"},
}
TABLE_PEERS = ("TF 2.21 eager", "PyTorch eager", "HIPS autograd")


class BenchmarkError(RuntimeError):
    """The two versions of a workload disagree, or the engine raised: no timing counts."""


@dataclass
class Case:
    """One workload, set up: the two timed units and what the agreement check compares."""

    dtype: np.dtype
    ad_unit: Callable[[], object]
    np_unit: Callable[[], object]
    # gradients at the initial point, adkernel (tensors) and numpy (ndarrays), same order
    ad_grads: Callable[[], list]
    np_grads: Callable[[], list]
    # parameter values, read after one timed unit of each version (workloads that update)
    ad_state: Callable[[], list] | None = None
    np_state: Callable[[], list] | None = None
    # arrays handed to the engine, with pristine copies: the engine must not write into them
    inputs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # a second, faster numpy version (W1: the epoch fused with np.vdot), timed alongside
    np_fused: Callable[[], object] | None = None


def _inputs(**arrays: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {k: (a, np.array(a, copy=True)) for k, a in arrays.items()}


# ---------------------------------------------------------------------------------------------
# W1 - the seed's linear regression (tiny arrays: per-op overhead)
# ---------------------------------------------------------------------------------------------
W1_EPOCHS = 100


def build_w1_traced(tf) -> Case:
    """W1 with the epoch body in a ``@tf.function`` train step, called once per epoch."""
    return build_w1(tf, traced=True)


def build_w1(tf, traced: bool = False) -> Case:
    rng = np.random.default_rng(SEED)
    X = rng.random((100, 1))
    noise = rng.standard_normal((100, 1))
    y = 3 * X + 0.5 * noise
    W0 = rng.standard_normal((1,))
    b0 = np.zeros((1,))

    # (a) adkernel, as the user writes it
    W = tf.Variable(W0)
    b = tf.Variable(b0)

    def epoch():
        with tf.GradientTape() as t:
            loss = tf.reduce_mean(tf.square(W * X + b - y))
        dW, db = t.gradient(loss, [W, b])
        W.assign_sub(0.1 * dW)
        b.assign_sub(0.1 * db)

    step = tf.function(epoch) if traced else epoch

    def ad_unit():
        W.assign(W0)
        b.assign(b0)
        for _ in range(W1_EPOCHS):
            step()

    def ad_grads():
        W.assign(W0)
        b.assign(b0)
        with tf.GradientTape() as t:
            loss = tf.reduce_mean(tf.square(W * X + b - y))
        return t.gradient(loss, [W, b])

    # (b) hand-written numpy, the plain transcription of one epoch: one numpy call per op
    # (benchmarks.md). r = W*X + b - y, loss = mean(r^2), dloss/dW = 2/n sum(r*X), ...
    Wn = W0.copy()
    bn = b0.copy()
    n = X.shape[0]

    def np_unit():
        nonlocal Wn, bn  # `Wn -= ...` is in place; nonlocal only allows the augmented assignment
        Wn[...] = W0
        bn[...] = b0
        for _ in range(W1_EPOCHS):
            r = Wn * X + bn - y
            loss = np.mean(np.square(r))  # noqa: F841 - the forward value, as the tape computes it
            gr = r * (2 / n)
            dW = np.sum(gr * X, axis=0)
            db = np.sum(gr, axis=0)
            Wn -= 0.1 * dW
            bn -= 0.1 * db

    # (c) a faster numpy epoch fused with np.vdot (8 calls): reported beside the target
    Wf = W0.copy()
    bf = b0.copy()
    scale = 2.0 / n
    inv_n = 1.0 / n

    def np_fused_unit():
        nonlocal Wf, bf
        Wf[...] = W0
        bf[...] = b0
        for _ in range(W1_EPOCHS):
            r = X * Wf
            r += bf
            r -= y
            loss = np.vdot(r, r) * inv_n  # noqa: F841
            dW = np.vdot(r, X) * scale
            db = r.sum() * scale
            Wf -= 0.1 * dW
            bf -= 0.1 * db

    def np_grads():
        r = X * W0 + b0 - y
        return [np.sum(r * X * (2 / n), axis=0), np.sum(r * (2 / n), axis=0)]

    return Case(
        dtype=np.dtype(np.float64),
        ad_unit=ad_unit,
        np_unit=np_unit,
        ad_grads=ad_grads,
        np_grads=np_grads,
        ad_state=lambda: [W.numpy(), b.numpy()],
        np_state=lambda: [Wn.copy(), bn.copy()],
        inputs=_inputs(X=X, y=y, W0=W0, b0=b0),
        np_fused=np_fused_unit,
    )


# ---------------------------------------------------------------------------------------------
# W2 - a chain of 1,000 scalar ops (the cost of one recorded op)
# ---------------------------------------------------------------------------------------------
W2_STEPS = 200
W2_OPS = 5 * W2_STEPS


def build_w2_traced(tf) -> Case:
    """W2 as a ``@tf.function`` returning the gradient of the 1,000-op chain."""
    return build_w2(tf, traced=True)


def build_w2(tf, traced: bool = False) -> Case:
    x0 = np.float64(0.5)

    # (a) adkernel
    x = tf.Variable(x0)

    def chain_gradient():
        with tf.GradientTape() as t:
            x_ = x
            for _ in range(W2_STEPS):
                x_ = tf.sin(x_) * 1.01 + x_ * x_ * 0.001
        return t.gradient(x_, [x])

    ad_unit = tf.function(chain_gradient) if traced else chain_gradient

    # (b) numpy: the same scalar forward, then a reverse sweep op by op
    # (d/dv [sin(v)*1.01 + v*v*0.001] = cos(v)*1.01 + v*0.002)
    def np_unit():
        xs = []
        v = x0
        for _ in range(W2_STEPS):
            xs.append(v)
            v = np.sin(v) * 1.01 + v * v * 0.001
        g = np.float64(1.0)
        for v in reversed(xs):
            g *= np.cos(v) * 1.01 + v * 0.002
        return [g]

    return Case(
        dtype=np.dtype(np.float64),
        ad_unit=ad_unit,
        np_unit=np_unit,
        ad_grads=ad_unit,
        np_grads=np_unit,
    )


# ---------------------------------------------------------------------------------------------
# W3 - one SGD step of a 784-256-256-10 MLP, batch 256, float32 (efficiency around BLAS)
# ---------------------------------------------------------------------------------------------


def _w3_data():
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((256, 784))
    labels = rng.integers(0, 10, 256)
    Y = np.eye(10)[labels]
    params = []
    for i, o in ((784, 256), (256, 256), (256, 10)):
        params.append((rng.standard_normal((i, o)) / np.sqrt(i)).astype(np.float32))
        params.append(np.zeros((o,), dtype=np.float32))
    return X.astype(np.float32), Y.astype(np.float32), params


def _w3_numpy_grads(X, Y, P):
    """Hand-written forward + backward of the W3 loss; returns (loss, [gW1, gb1, ...])."""
    W1, b1, W2, b2, W3, b3 = P
    h1 = X @ W1
    h1 += b1
    np.tanh(h1, out=h1)
    h2 = h1 @ W2
    h2 += b2
    np.tanh(h2, out=h2)
    z = h2 @ W3
    z += b3
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1)
    loss = (np.log(s) - (z * Y).sum(axis=1)).mean()
    # dloss/dz = (softmax(z) - Y) / n; the reduce_max path adds -rowsum(dz) = 0 at the argmax
    d = e
    d /= s[:, None]
    d -= Y
    d *= np.float32(1.0 / X.shape[0])
    gW3 = h2.T @ d
    gb3 = d.sum(axis=0)
    dh = d @ W3.T
    h2 *= h2
    np.subtract(1, h2, out=h2)  # tanh' = 1 - h^2
    dh *= h2
    gW2 = h1.T @ dh
    gb2 = dh.sum(axis=0)
    dh1 = dh @ W2.T
    h1 *= h1
    np.subtract(1, h1, out=h1)
    dh1 *= h1
    gW1 = X.T @ dh1  # no gradient for the plain ndarray X
    gb1 = dh1.sum(axis=0)
    return loss, [gW1, gb1, gW2, gb2, gW3, gb3]


def build_w3(tf) -> Case:
    X, Y, P0 = _w3_data()

    # (a) adkernel
    W1, b1, W2, b2, W3, b3 = params = [tf.Variable(p) for p in P0]

    def ad_loss():
        h1 = tf.tanh(X @ W1 + b1)
        h2 = tf.tanh(h1 @ W2 + b2)
        logits = h2 @ W3 + b3
        z = logits - tf.reduce_max(logits, axis=1, keepdims=True)
        lse = tf.math.log(tf.reduce_sum(tf.exp(z), axis=1))
        return tf.reduce_mean(lse - tf.reduce_sum(z * Y, axis=1))

    def ad_unit():
        with tf.GradientTape() as t:
            h1 = tf.tanh(X @ W1 + b1)
            h2 = tf.tanh(h1 @ W2 + b2)
            logits = h2 @ W3 + b3
            z = logits - tf.reduce_max(logits, axis=1, keepdims=True)
            lse = tf.math.log(tf.reduce_sum(tf.exp(z), axis=1))
            loss = tf.reduce_mean(lse - tf.reduce_sum(z * Y, axis=1))
        grads = t.gradient(loss, params)
        for v, g in zip(params, grads, strict=True):
            v.assign_sub(0.1 * g)

    def ad_grads():
        with tf.GradientTape() as t:
            loss = ad_loss()
        return t.gradient(loss, params)

    # (b) numpy
    Pn = [p.copy() for p in P0]

    def np_unit():
        _, grads = _w3_numpy_grads(X, Y, Pn)
        for p, g in zip(Pn, grads, strict=True):
            p -= 0.1 * g

    return Case(
        dtype=np.dtype(np.float32),
        ad_unit=ad_unit,
        np_unit=np_unit,
        ad_grads=ad_grads,
        np_grads=lambda: _w3_numpy_grads(X, Y, [p.copy() for p in P0])[1],
        ad_state=lambda: [v.numpy() for v in params],
        np_state=lambda: [p.copy() for p in Pn],
        inputs=_inputs(X=X, Y=Y, **{f"P{i}": p for i, p in enumerate(P0)}),
    )


# ---------------------------------------------------------------------------------------------
# W4 - elementwise on 1,000,000 float64 values (large arrays, no BLAS)
# ---------------------------------------------------------------------------------------------


def build_w4(tf) -> Case:
    rng = np.random.default_rng(SEED)
    x0 = rng.uniform(-2, 2, 1_000_000)

    # (a) adkernel
    x = tf.Variable(x0)

    def ad_unit():
        with tf.GradientTape() as t:
            y = tf.reduce_sum(tf.exp(tf.sin(x)) * x + x ** 2)
        return t.gradient(y, [x])

    # (b) numpy: y = sum(e*x + x^2) with e = exp(sin x); dy/dx = e*(x*cos x + 1) + 2x
    xn = x0.copy()

    def np_unit():
        e = np.sin(xn)
        np.exp(e, out=e)
        t = e * xn
        t += xn * xn
        y = t.sum()  # noqa: F841 - the forward value
        g = np.cos(xn)
        g *= xn
        g += 1.0
        g *= e
        g += xn
        g += xn
        return [g]

    return Case(
        dtype=np.dtype(np.float64),
        ad_unit=ad_unit,
        np_unit=np_unit,
        ad_grads=ad_unit,
        np_grads=np_unit,
        inputs=_inputs(x0=x0),
    )


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    build: Callable[[object], Case]


WORKLOADS: dict[str, Workload] = {
    "W1": Workload("W1", "linear regression, 100 epochs on (100, 1) float64", build_w1),
    "W2": Workload("W2", "chain of 1,000 scalar float64 ops", build_w2),
    "W3": Workload("W3", "MLP 784-256-256-10 SGD step, batch 256, float32", build_w3),
    "W4": Workload("W4", "elementwise on 1,000,000 float64 values", build_w4),
    "W1-traced": Workload("W1-traced", "W1 with the epoch in a @tf.function step (100 calls)",
                          build_w1_traced),
    "W2-traced": Workload("W2-traced", "W2 as one @tf.function returning the gradient",
                          build_w2_traced),
}


# ---------------------------------------------------------------------------------------------
# agreement check
# ---------------------------------------------------------------------------------------------


def _to_numpy(value, what: str) -> np.ndarray:
    if value is None:
        raise BenchmarkError(f"{what}: adkernel returned None")
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value)


def _compare(name: str, what: str, got: list, ref: list, dtype: np.dtype) -> float:
    """Raise BenchmarkError unless each got[i] matches ref[i]; return the worst relative error.

    Agreement means ``|got - ref| <= rtol * (|ref| + max|ref|)`` elementwise, rtol 1e-8 for float64
    and 1e-3 for float32 (the max|ref| term keeps entries that are zero up to rounding from
    failing a purely relative test). dtype and shape must match exactly.
    """
    rtol = RTOL[dtype]
    got = list(got)
    if len(got) != len(ref):
        raise BenchmarkError(f"{name} {what}: {len(got)} values from adkernel, {len(ref)} expected")
    worst = 0.0
    for i, (g, r) in enumerate(zip(got, ref, strict=True)):
        label = f"{name} {what}[{i}]"
        g = _to_numpy(g, label)
        r = np.asarray(r)
        if g.shape != r.shape:
            raise BenchmarkError(f"{label}: shape {g.shape} from adkernel, {r.shape} expected")
        if g.dtype != dtype:
            raise BenchmarkError(f"{label}: dtype {g.dtype} from adkernel, {dtype} expected")
        if not np.all(np.isfinite(g)):
            raise BenchmarkError(f"{label}: non-finite values from adkernel")
        scale = float(np.max(np.abs(r))) if r.size else 0.0
        err = np.abs(g.astype(np.float64) - r.astype(np.float64))
        if not np.all(err <= rtol * (np.abs(r) + scale)):
            k = int(np.argmax(err - rtol * np.abs(r)))
            raise BenchmarkError(
                f"{label}: adkernel and numpy disagree beyond rtol {rtol:g}: "
                f"max |diff| {float(err.max()):.3e} (scale {scale:.3e}); at flat index {k}: "
                f"adkernel {g.ravel()[k]!r}, numpy {r.ravel()[k]!r}"
            )
        if scale > 0:
            worst = max(worst, float(err.max()) / scale)
    return worst


def _guard(name: str, what: str, fn: Callable[[], object]):
    try:
        return fn()
    except BenchmarkError:
        raise
    except Exception as exc:
        raise BenchmarkError(f"{name}: adkernel raised during {what}: {exc!r}") from exc


def verify(name: str, case: Case) -> dict:
    """Check both versions agree (gradients, then state after one timed unit of each)."""
    ref = case.np_grads()
    got = _guard(name, "gradient", case.ad_grads)
    worst = _compare(name, "gradient", got, ref, case.dtype)
    if case.ad_state is not None:
        _guard(name, "a timed unit", case.ad_unit)
        case.np_unit()
        got_state = _guard(name, "reading variables", case.ad_state)
        worst = max(worst, _compare(name, "variables after one unit", got_state,
                                    case.np_state(), case.dtype))
    else:
        _guard(name, "a timed unit", case.ad_unit)
    for key, (arr, pristine) in case.inputs.items():
        if not np.array_equal(arr, pristine):
            raise BenchmarkError(f"{name}: adkernel wrote into the user's ndarray {key!r}")
    return {"rtol": RTOL[case.dtype], "max_rel_err": worst}


# ---------------------------------------------------------------------------------------------
# timing and memory
# ---------------------------------------------------------------------------------------------


def _inner_reps(fn: Callable[[], object], min_time: float) -> int:
    """How many calls of fn make one measurement last at least min_time (fn already warm)."""
    n, elapsed = 0, 0.0
    t0 = time.perf_counter()
    while elapsed < min_time / 4 or n < 2:
        fn()
        n += 1
        elapsed = time.perf_counter() - t0
    return max(1, math.ceil(min_time / (elapsed / n)))


# The clock of the timed rounds: wall clock, or with --cpu this thread's CPU time, which a busy
# machine disturbs far less (it leaves out BLAS worker threads: for W3 set
# OPENBLAS_NUM_THREADS=1 then, so the BLAS work runs on this thread).
_CLOCK = {"timer": time.perf_counter, "name": "wall clock"}


def _measure(fn: Callable[[], object], reps: int) -> float:
    """Mean seconds per call over reps calls, after a gc.collect() (gc stays enabled)."""
    clock = _CLOCK["timer"]
    gc.collect()
    t0 = clock()
    for _ in range(reps):
        fn()
    return (clock() - t0) / reps


def _peak_bytes(fn: Callable[[], object], repeats: int = MEMORY_REPEATS) -> list[int]:
    """tracemalloc peak above the starting level during one call of fn, per repeat."""
    peaks = []
    tracemalloc.start()
    try:
        for _ in range(repeats):
            gc.collect()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            fn()
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
    finally:
        tracemalloc.stop()
    return peaks


# ---------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------


def _parse_only(only: str | Iterable[str] | None) -> list[str]:
    if only is None:
        return list(WORKLOADS)
    if isinstance(only, str):
        only = only.split(",")
    by_upper = {w.upper(): w for w in WORKLOADS}
    names = [by_upper.get(w.strip().upper(), w.strip()) for w in only if w.strip()]
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown or not names:
        raise ValueError(f"unknown workload(s) {unknown or only!r}; choose from {list(WORKLOADS)}")
    return [w for w in WORKLOADS if w in names]


def machine_info() -> dict:
    try:
        from adkernel.engine import _malloc

        malloc_tuned = _malloc.tuned
    except ImportError:
        malloc_tuned = None
    info: dict = {
        "malloc_tuned": malloc_tuned,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy_blas"] = {k: blas.get(k) for k in ("name", "version", "openblas configuration")
                              if blas.get(k) is not None}
    except Exception:
        pass
    try:
        import threadpoolctl
    except ImportError:
        pass
    else:
        info["threadpools"] = threadpoolctl.threadpool_info()
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS",
                                      "OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in os.environ}
    if env:
        info["env"] = env
    try:
        import adkernel

        info["adkernel"] = getattr(adkernel, "__version__", None)
    except ImportError:
        pass
    return info


def run(rounds: int = 7, quick: bool = False, only=None) -> dict:
    """Verify, then time the selected workloads; return the results (what --json writes).

    rounds: rounds of alternating (adkernel, numpy) measurements, at least 5.
    quick: shorter measurements (smoke test; the figures are noisier).
    only: workload names, e.g. ``["W1", "W3"]`` or ``"W1,W3"``; default all four.
    """
    if rounds < MIN_ROUNDS:
        raise ValueError(f"rounds must be at least {MIN_ROUNDS}, got {rounds}")
    names = _parse_only(only)
    min_time = MIN_TIME_QUICK if quick else MIN_TIME

    from adkernel import tf
    from adkernel.engine import tune_malloc

    tune_malloc()  # as the notebook extension does (ADKERNEL_TUNE_MALLOC=0: measure without)
    results: dict = {
        "machine": machine_info(),
        "config": {"rounds": rounds, "quick": quick, "min_time_s": min_time,
                   "workloads": names, "statistic": "median over rounds of the mean per call",
                   "clock": _CLOCK["name"]},
        "workloads": {},
    }
    for name in names:
        wl = WORKLOADS[name]
        case = _guard(name, "setup", lambda wl=wl: wl.build(tf))
        agreement = verify(name, case)
        t_ad, t_np, t_fused = [], [], []
        try:
            # warm-up, then calibrate each version to last >= min_time per measurement
            case.ad_unit()
            case.np_unit()
            reps_ad = _inner_reps(case.ad_unit, min_time)
            reps_np = _inner_reps(case.np_unit, min_time)
            reps_fused = _inner_reps(case.np_fused, min_time) if case.np_fused else 0
            for _ in range(rounds):
                t_ad.append(_measure(case.ad_unit, reps_ad))
                t_np.append(_measure(case.np_unit, reps_np))
                if case.np_fused:
                    t_fused.append(_measure(case.np_fused, reps_fused))
        except Exception as exc:
            raise BenchmarkError(f"{name}: raised while timing: {exc!r}") from exc
        med_ad, med_np = statistics.median(t_ad), statistics.median(t_np)
        ratio = med_ad / med_np
        entry = {
            "title": wl.title,
            "adkernel_s": med_ad,
            "numpy_s": med_np,
            "ratio": ratio,
            "target": TARGETS[name],
            "met": ratio <= TARGETS[name],
            "peers": PEERS[name],
            "agreement": agreement,
            "inner_reps": {"adkernel": reps_ad, "numpy": reps_np},
            "rounds_s": {"adkernel": t_ad, "numpy": t_np},
            "round_ratios": [a / b for a, b in zip(t_ad, t_np, strict=True)],
        }
        q1, _, q3 = statistics.quantiles(entry["round_ratios"], n=4)
        entry["noisy"] = (q3 - q1) > NOISY_SPREAD * ratio
        if t_fused:
            med_fused = statistics.median(t_fused)
            entry["numpy_fused_s"] = med_fused
            entry["ratio_to_fused"] = med_ad / med_fused
        if name == "W2":
            entry["ops"] = W2_OPS
            entry["adkernel_us_per_op"] = med_ad / W2_OPS * 1e6
            entry["numpy_us_per_op"] = med_np / W2_OPS * 1e6
        if name == "W3":
            peaks_ad = _guard(name, "memory", lambda case=case: _peak_bytes(case.ad_unit))
            peaks_np = _peak_bytes(case.np_unit)
            p_ad, p_np = statistics.median(peaks_ad), statistics.median(peaks_np)
            mem_ratio = p_ad / p_np
            entry["memory"] = {
                "adkernel_peak_bytes": p_ad,
                "numpy_peak_bytes": p_np,
                "ratio": mem_ratio,
                "target": TARGETS["W3 memory"],
                "met": mem_ratio <= TARGETS["W3 memory"],
                "repeats_bytes": {"adkernel": peaks_ad, "numpy": peaks_np},
                "method": "tracemalloc peak above the starting level during one timed unit",
            }
        results["workloads"][name] = entry
        del case
        gc.collect()
    results["all_met"] = all(
        e["met"] and e.get("memory", {}).get("met", True) for e in results["workloads"].values()
    )
    return results


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------


def _fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def _fmt_bytes(n: float) -> str:
    return f"{n / 2**20:.2f} MiB"


def format_table(results: dict) -> str:
    """The results as a plain-text table."""
    header = ["workload", "adkernel", "numpy", "ratio", "target",
              "peers (TF 2.21 / PyTorch / HIPS autograd)", "met?"]
    rows = []
    for name, e in results["workloads"].items():
        ad, npy = _fmt_time(e["adkernel_s"]), _fmt_time(e["numpy_s"])
        if name == "W2":
            ad += f" ({e['adkernel_us_per_op']:.2f} µs/op)"
            npy += f" ({e['numpy_us_per_op']:.3f} µs/op)"
        peers = " / ".join(e["peers"][p] for p in TABLE_PEERS)
        rows.append([name, ad, npy, f"{e['ratio']:.2f}×", f"<= {e['target']:g}×", peers,
                     "yes" if e["met"] else "NO"])
        if "numpy_fused_s" in e:
            rows.append([f"{name} vs fused numpy", ad, _fmt_time(e["numpy_fused_s"]),
                         f"{e['ratio_to_fused']:.2f}×", "(report)", "—", "—"])
        if "memory" in e:
            m = e["memory"]
            rows.append([f"{name} peak memory", _fmt_bytes(m["adkernel_peak_bytes"]),
                         _fmt_bytes(m["numpy_peak_bytes"]), f"{m['ratio']:.2f}×",
                         f"<= {m['target']:g}×", "—", "yes" if m["met"] else "NO"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    for name, e in results["workloads"].items():
        if e.get("noisy"):
            r = e["round_ratios"]
            out.append(f"note: {name} per-round ratios spread widely "
                       f"({min(r):.2f}×..{max(r):.2f}×): the machine was busy; rerun before "
                       "trusting this figure")
    mach = results["machine"]
    cfg = results["config"]
    out.append(
        f"numpy {mach['numpy']}, Python {mach['python']}, {mach.get('cpu', mach['machine'])} "
        f"x{mach['cpu_count']}; {cfg['rounds']} rounds, median of per-round means"
        f" ({cfg.get('clock', 'wall clock')})"
        f"{' (--quick: noisy)' if cfg['quick'] else ''}; glibc malloc thresholds raised by "
        f"adkernel: {'yes' if mach.get('malloc_tuned') else 'no'} (same process for both sides)"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.engine",
        description="adkernel engine benchmarks W1..W4: adkernel vs hand-written numpy.",
    )
    parser.add_argument("--rounds", type=int, default=7,
                        help=f"alternating rounds, median reported (default 7, min {MIN_ROUNDS})")
    parser.add_argument("--quick", action="store_true",
                        help="fewer inner repetitions (smoke test; noisy figures)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                        help="where to write the results (default benchmarks/results/engine.json)")
    parser.add_argument("--only", default=None, metavar="W1,W3",
                        help="comma-separated subset of W1,W2,W3,W4,W1-traced,W2-traced")
    parser.add_argument("--no-inplace", action="store_true",
                        help="ablation: never add fan-in gradients in place (measures what the "
                        "owned-gradient flag in adkernel.engine.tape buys); for the malloc "
                        "tuning, run with ADKERNEL_TUNE_MALLOC=0")
    parser.add_argument("--cpu", action="store_true",
                        help="time the rounds in this thread's CPU time instead of the wall "
                        "clock (a busy machine; for W3 also set OPENBLAS_NUM_THREADS=1)")
    args = parser.parse_args(argv)
    if args.cpu:
        _CLOCK.update(timer=time.thread_time, name="thread CPU time")
    if args.no_inplace:
        from adkernel.engine import tape

        tape._IN_PLACE = False
    if args.rounds < MIN_ROUNDS:
        parser.error(f"--rounds must be at least {MIN_ROUNDS}")
    try:
        only = _parse_only(args.only)
    except ValueError as exc:
        parser.error(str(exc))

    try:
        results = run(rounds=args.rounds, quick=args.quick, only=only)
    except BenchmarkError as exc:
        print(f"BENCHMARK ABORTED: {exc}", file=sys.stderr)
        raise
    print(format_table(results))
    write_json(results, args.json)
    return 0


if __name__ == "__main__":
    if not __package__:  # run as a script: python benchmarks/engine.py
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
