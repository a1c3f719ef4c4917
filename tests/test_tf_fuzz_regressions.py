"""The differential fuzzer's findings, replayed on adkernel without TensorFlow (docs/fuzzing.md).

Each row of ``tests/tf_fuzz_regressions.py`` is a shrunk program and the outcome TensorFlow 2.21
gave for it: adkernel must give the same (within ``fuzz_programs.TOLERANCES``). A row with
``tf_is_wrong`` holds adkernel's documented answer in ``expected`` instead. A row with ``open``
names the issue item that will fix it and is expected to fail until then (strict: it shows as
XPASS, and fails the run, the day the fix lands, so the mark can be removed).
"""

from __future__ import annotations

import json

import pytest
from fuzz_programs import compare, outcome_text, run
from tf_fuzz_regressions import ROWS

from adkernel import tf


def _param(i, row):
    ops = "+".join(op["fn"] for op in row["program"]["ops"]) or "inputs"
    marks = [pytest.mark.xfail(strict=True, reason=row["open"])] if row.get("open") else []
    return pytest.param(row, id=f"{i}-{ops}-{row['program']['grad']['mode']}", marks=marks)


@pytest.mark.parametrize("row", [_param(i, r) for i, r in enumerate(ROWS)])
def test_fuzz_regression(row):
    got = run(row["program"], tf)
    expected = row["expected"] if row.get("tf_is_wrong") else row["tf_outcome"]
    verdict = compare(expected, got, row["program"])
    assert verdict["equal"], (
        f"{row['note']}\n{verdict['key']}: {verdict['detail']}\n"
        f"expected: {outcome_text(expected)}\nadkernel: {outcome_text(got)}\n"
        f"program: {json.dumps(row['program'])}")


def test_rows_are_complete():
    assert ROWS, "the regression table is empty"
    for row in ROWS:
        assert {"program", "tf_outcome", "note"} <= set(row), row
        assert row["note"].strip(), row
        if row.get("tf_is_wrong"):
            assert "expected" in row, f"a tf_is_wrong row needs adkernel's answer: {row['note']}"
            assert not compare(row["expected"], row["tf_outcome"], row["program"])["equal"], row
    assert len({json.dumps(r["program"], sort_keys=True) for r in ROWS}) == len(ROWS)


# ----- the comparator and the generator themselves (no TensorFlow needed) ---------------------


def _val(values, dtype="float32", shape=None):
    return {"dtype": dtype, "shape": [len(values)] if shape is None else shape,
            "values": values}


def test_compare_tolerances_and_kinds():
    nan = float("nan")
    same = {"out": [_val([1.0, 2.0])]}
    assert compare(same, {"out": [_val([1.0 + 1e-6, 2.0])]})["equal"]  # float32 rounding
    assert compare(same, {"out": [_val([1.001, 2.0])]})["kind"] == "value"
    f64 = {"out": [_val([1.0], "float64")]}
    near = {"out": [_val([1.0 + 1e-6], "float64")]}
    assert compare(f64, near)["kind"] == "value"  # float64 is strict...
    program = {"inputs": [{"dtype": "float32"}]}
    assert compare(f64, near, program)["equal"]  # ...unless float32 was on the way
    assert compare(same, {"out": [_val([1.0, 2.0], "float64")]})["kind"] == "dtype"
    assert compare(same, {"out": [_val([1.0, 2.0], shape=[2, 1])]})["kind"] == "shape"
    assert compare({"out": [_val([nan, 1.0])]}, {"out": [_val([nan, 1.0])]})["equal"]
    assert compare({"out": [_val([nan, 1.0])]},
                   {"out": [_val([0.0, 1.0])]})["kind"] == "nan-position"
    grads = {"out": [_val([1.0])], "grad": [None]}
    assert compare(grads, {"out": [_val([1.0])], "grad": [_val([0.0])]})["kind"] == "none-ness"
    err = {"error": {"stage": "forward", "type": "InvalidArgumentError"}}
    verdict = compare(err, {"error": {"stage": "forward", "type": "TypeError"}})
    assert verdict["kind"] == "error-type" and "TypeError" in verdict["key"]
    assert compare(err, same)["kind"] == "raises"


def test_flushed_denormals_compare_equal():
    """TensorFlow's CPU kernels flush results below the smallest normal number to zero
    (exp(-100.) in float32 is 0.0), numpy keeps them (3.7e-44): the absolute tolerance
    already takes such a pair as equal (docs/tf-compat.md), in float32 and in float64."""
    for dtype, tiny in (("float32", 3.7e-44), ("float64", 4.9e-324)):
        tf_side = {"out": [_val([0.0, 1.0], dtype)]}
        assert compare(tf_side, {"out": [_val([tiny, 1.0], dtype)]})["equal"]
        assert compare(tf_side, {"out": [_val([-tiny, 1.0], dtype)]})["equal"]


def test_adkernel_errors_count_as_their_builtin():
    from fuzz_programs import error_name

    from adkernel.engine import errors

    assert error_name(errors.DTypeError("x")) == "TypeError"
    assert error_name(errors.invalid_argument("x", index=True)) == "InvalidArgumentError"
    assert error_name(errors.ShapeError("x")) == "ValueError"


def _fuzz_tool():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "tf_fuzz.py"
    spec = importlib.util.spec_from_file_location("tf_fuzz", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_reads_the_registry():
    from adkernel.engine.registry import REGISTRY

    tool = _fuzz_tool()
    entries, _skipped = tool.catalog()
    fuzzed = {name for e in entries for name in e["aliases"]}
    # every op of a standard calling convention, and every Python operator, is fuzzed
    for op in REGISTRY.values():
        if op.tf and op.call:
            assert set(op.tf) <= fuzzed, op.name
        for dunder in op.operators:
            assert dunder in fuzzed or dunder == "__getitem__", dunder
    first = [tool.generate(7, i, entries, tf) for i in range(25)]
    again = [tool.generate(7, i, entries, tf) for i in range(25)]
    assert first == again
    assert len({json.dumps(p) for p in first}) == 25
