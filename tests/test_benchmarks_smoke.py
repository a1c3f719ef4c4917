"""The benchmark script runs and its two sides agree (timings are never asserted)."""

from __future__ import annotations

import pytest

engine = pytest.importorskip("benchmarks.engine")


def test_benchmarks_run_and_gradients_agree():
    # run() raises BenchmarkError if the adkernel and numpy gradients of any workload
    # disagree, or if adkernel writes into the user's arrays.
    results = engine.run(rounds=5, quick=True)
    names = {w for w in results["workloads"]}
    assert {"W1", "W2", "W3", "W4"} <= names
