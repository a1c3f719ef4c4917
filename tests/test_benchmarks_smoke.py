"""The benchmark script runs and its two sides agree (timings are never asserted)."""

from __future__ import annotations

import pytest

engine = pytest.importorskip("benchmarks.engine")


@pytest.mark.slow
def test_benchmarks_run_and_gradients_agree():
    # run() raises BenchmarkError if the adkernel and numpy gradients of any workload
    # disagree, or if adkernel writes into the user's arrays.
    results = engine.run(rounds=5, quick=True)
    names = {w for w in results["workloads"]}
    assert {"W1", "W2", "W3", "W4"} <= names


@pytest.mark.slow
def test_the_cpu_clock_option_times_in_thread_cpu_time(tmp_path, monkeypatch):
    # --cpu swaps the rounds' clock for time.thread_time and says so in the results
    monkeypatch.setattr(engine, "_CLOCK", dict(engine._CLOCK))
    out = tmp_path / "r.json"
    assert engine.main(["--cpu", "--quick", "--rounds", "5", "--only", "W2", "--json",
                        str(out)]) == 0
    assert engine._CLOCK["timer"] is engine.time.thread_time
    assert '"clock": "thread CPU time"' in out.read_text()


@pytest.mark.slow
def test_plot_kernel_benchmark_runs_in_a_real_kernel():
    plot_kernel = pytest.importorskip("benchmarks.plot_kernel")
    res = plot_kernel.run(steps=300, rounds=1, loops=1, memory_steps=300)
    assert res["plain_s"] > 0 and res["plotted_s"] > 0
    assert len(res["rss_mb_after_each_loop"]) == 2
    assert "ratio" in plot_kernel.format_table(res)


@pytest.mark.slow
def test_stepper_memory_benchmark_runs():
    stepper_memory = pytest.importorskip("benchmarks.stepper_memory")
    res = stepper_memory.run(sizes=(50, 100))
    assert [r["ops"] for r in res["rows"]] == [50, 100]
    assert all(r["kept_bytes"] > 0 for r in res["rows"])
    assert "per op" in stepper_memory.format_table(res)


@pytest.mark.slow
def test_grade_benchmark_runs_on_a_small_class(tmp_path):
    # a handful of submissions: the script builds the class, grades it and checks the grades
    # it knows (solved -> correct, untouched -> not attempted); timings are only printed
    pytest.importorskip("nbclient")
    bench = pytest.importorskip("benchmarks.grade")
    res = bench.run(n=3, jobs=2, chapter="ch02", baseline=1)
    assert res["submissions"] == 3
    assert len(res["per_submission_all"]) == 3
    assert res["states"] == {"correct": 2, "incorrect": 1, "not attempted": 3}
    assert "per minute" in bench.format_result(res)


@pytest.mark.slow  # fresh Pythons, with and without the tuning
def test_malloc_benchmark_runs_both_ways():
    malloc = pytest.importorskip("benchmarks.malloc")
    res = malloc.run(rounds=1, repeats=1)
    assert res["tuned_s"] > 0 and res["untuned_s"] > 0
    assert "untuned / tuned" in malloc.format_table(res)


@pytest.mark.slow
def test_forward_benchmark_runs_and_the_jvp_agrees_with_reverse_mode():
    forward = pytest.importorskip("benchmarks.forward")
    # run() raises BenchmarkError unless each JVP equals <gradient, tangent> from reverse mode
    res = forward.run(rounds=5, quick=True)
    assert set(res["workloads"]) == {"W4", "W2"}
    assert all(w["jvp_over_forward"] > 0 for w in res["workloads"].values())
    assert "JVP / forward" in forward.format_table(res)


@pytest.mark.slow
def test_instruction_counts_repeat(monkeypatch):
    # the point of benchmarks.instructions: the same command gives the same count, where the
    # clock moves by 10-20 % on a shared machine
    instructions = pytest.importorskip("benchmarks.instructions")
    valgrind = instructions.shutil.which("valgrind")
    if valgrind is None:
        pytest.skip("valgrind is not installed")
    first = instructions._total("W2-traced", 1, False, valgrind)
    second = instructions._total("W2-traced", 1, False, valgrind)
    assert first > 10**7 and abs(first - second) <= 1e-4 * first
    with pytest.raises(ValueError, match="a < b"):
        instructions.count("W2-traced", (3, 3))
