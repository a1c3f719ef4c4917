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
    verdict = compare(expected, got)
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
            assert not compare(row["expected"], row["tf_outcome"])["equal"], row["note"]
