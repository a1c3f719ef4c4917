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
from fuzz_programs import compare, outcome_text, promoted, run
from tf_fuzz_regressions import ROWS

from adkernel import tf


def _param(i, row):
    ops = "+".join(op["fn"] for op in row["program"]["ops"]) or "inputs"
    marks = [pytest.mark.xfail(strict=True, reason=row["open"])] if row.get("open") else []
    return pytest.param(row, id=f"{i}-{ops}-{row['program']['grad']['mode']}", marks=marks)


@pytest.mark.parametrize("row", [_param(i, r) for i, r in enumerate(ROWS)])
def test_fuzz_regression(row):
    got = run(row["program"], tf)
    if row.get("through"):
        # a documented difference of the op ``through`` reached through another op: adkernel
        # still differs from TensorFlow there, and only by that op's documented behaviour
        tool = _fuzz_tool()
        verdict = compare(row["tf_outcome"], got, row["program"])
        doc = tool.documented_by(row["program"], verdict, tool.documented_keys(ROWS),
                                 row["tf_outcome"])
        assert not verdict["equal"] and doc and doc["ops"][-1] == row["through"], (
            f"{row['note']}\n{verdict}\nadkernel: {outcome_text(got)}")
        return
    expected = row["expected"] if row.get("tf_is_wrong") else row["tf_outcome"]
    references = ((row["tf_reference"], run(promoted(row["program"]), tf))
                  if row.get("tf_reference") else ())
    verdict = compare(expected, got, row["program"], *references)
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


def _finding(ops, inputs, tf_outcome, ak_outcome, mode="grad"):
    program = {"inputs": inputs, "ops": ops,
               "grad": {"mode": mode, "weights": "ones", "unconnected": None}}
    return {"program": program, "tf_outcome": tf_outcome, "ak_outcome": ak_outcome,
            "verdict": compare(tf_outcome, ak_outcome, program)}


def _inp(shape, dtype="float32"):
    return {"shape": shape, "dtype": dtype, "kind": "watched", "values": [1.0] * len(shape)}


def test_documented_differences_come_from_the_rows_and_match_principled():
    tool = _fuzz_tool()
    keys = tool.documented_keys(ROWS)
    # every tf_is_wrong row gives its chain and the kind of difference it documents
    assert {("gather_nd",), ("nn.softsign",), ("nn.moments",)} <= {e["ops"] for e in keys}
    from pathlib import Path

    headings = Path(__file__).resolve().parents[1].joinpath("docs", "tf-compat.md").read_text(
        encoding="utf-8")
    anchors = {"-".join("".join(c for c in line[3:].lower() if c.isalnum() or c in " -").split())
               for line in headings.splitlines() if line.startswith("## ")}
    for entry in keys:
        page, anchor = entry["doc"].split("#")
        assert page == "docs/tf-compat.md" and anchor in anchors, entry["doc"]
    ok = {"out": [_val([1.0])], "grad": [_val([2.0])]}
    raised = {"out": [_val([1.0])], "error": {"stage": "gradient",
                                               "type": "InvalidArgumentError"}}
    gather = {"fn": "gather_nd", "args": [{"ref": 0}, [0]], "kwargs": {}}
    # documented: a gather_nd gradient TensorFlow fails to take, also after other ops
    f = _finding([gather], [_inp([1])], raised, ok)
    assert tool.documented_by(f["program"], f["verdict"], keys)["ops"] == ("gather_nd",)
    square = {"fn": "square", "args": [{"ref": 0}], "kwargs": {}}
    chained = [square, {**gather, "args": [{"ref": 1}, [0]]}]
    f = _finding(chained, [_inp([1])], raised, ok)
    assert tool.documented_by(f["program"], f["verdict"], keys) is not None
    # not documented: the same op with another kind of difference (a wrong value) ...
    f = _finding([gather], [_inp([1])], ok, {"out": [_val([1.0])], "grad": [_val([3.0])]})
    assert tool.documented_by(f["program"], f["verdict"], keys) is None
    # a difference in a gradient: the backward pass goes through every op, so the documented
    # op may be anywhere in the chain (gather_nd, then square; softsign, then where)
    f = _finding([gather, {"fn": "square", "args": [{"ref": 1}], "kwargs": {}}],
                 [_inp([1])], raised, ok)
    assert tool.documented_by(f["program"], f["verdict"], keys)["ops"] == ("gather_nd",)
    lookup = {"out": [_val([1.0])], "grad": [_val([2.0])],
              "error": {"stage": "second", "type": "LookupError"}}
    both = {"out": [_val([1.0])], "grad": [_val([2.0])], "grad2": [_val([0.0])]}
    softsign_where = [{"fn": "nn.softsign", "args": [{"ref": 0}], "kwargs": {}},
                      {"fn": "where", "args": [{"array": [False], "dtype": "bool",
                                                "shape": [1]}],
                       "kwargs": {"x": {"ref": 1}, "y": {"ref": 0}}}]
    f = _finding(softsign_where, [_inp([1], "float64")], lookup, both, "second")
    assert tool.documented_by(f["program"], f["verdict"], keys)["ops"] == ("nn.softsign",)
    # ... but not the same difference on a chain without a documented op
    f = _finding([square, {"fn": "exp", "args": [{"ref": 1}], "kwargs": {}}],
                 [_inp([1])], raised, ok)
    assert tool.documented_by(f["program"], f["verdict"], keys) is None
    # ... nor a forward difference whose documented op is not the last one (the later op
    # may be where it comes from): reduce_mean of an empty integer tensor, then exp
    empty = {"shape": [0, 3], "dtype": "int32", "kind": "const", "values": []}
    mean_exp = [{"fn": "reduce_mean", "args": [{"ref": 0}], "kwargs": {"axis": -2}},
                {"fn": "exp", "args": [{"ref": 1}], "kwargs": {}}]
    fail = {"error": {"stage": "forward", "type": "InvalidArgumentError"}}
    f = _finding(mean_exp, [empty], {"out": [_val([0.0])]}, fail, "none")
    assert tool.documented_by(f["program"], f["verdict"], keys) is None
    f = _finding(mean_exp[:1], [empty], {"out": [_val([0.0])]}, fail, "none")
    assert tool.documented_by(f["program"], f["verdict"], keys)["ops"] == ("reduce_mean",)
    # a deliberate difference applies only where its condition holds: array @ tensor with a
    # 1-d operand is kept; with rank-2 operands the same raise would be a new class
    fail = {"error": {"stage": "forward", "type": "InvalidArgumentError"}}
    for rank, documented in ((1, True), (2, False)):
        shape = [1] * rank
        rmatmul = {"fn": "__rmatmul__", "kwargs": {}, "args": [
            {"ref": 0}, {"array": [1], "dtype": "int32", "shape": shape}]}
        f = _finding([rmatmul], [_inp(shape, "float64")], fail, ok, "none")
        doc = tool.documented_by(f["program"], f["verdict"], keys)
        assert (doc is not None) == documented
        if documented:
            assert doc["doc"] == "docs/tf-compat.md#other-differences-you-can-observe"


def test_report_counts_documented_findings_apart(capsys):
    tool = _fuzz_tool()
    ok = {"out": [_val([1.0])], "grad": [_val([2.0])]}
    raised = {"out": [_val([1.0])], "error": {"stage": "gradient",
                                               "type": "InvalidArgumentError"}}
    gather = {"fn": "gather_nd", "args": [{"ref": 0}, [0]], "kwargs": {}}
    new = {"fn": "square", "args": [{"ref": 0}], "kwargs": {}}
    findings = []
    for ops, tf_out in (([gather], raised), ([new], {"out": [_val([1.0])], "grad": [_val([5.0])]})):
        f = _finding(ops, [_inp([1])], tf_out, ok)
        f.update(raw=[ops[0]["fn"], f["verdict"]["key"]],
                 **{"class": tool.class_of(f["program"], f["verdict"])})
        findings.append(f)
    classes, known = tool.split_documented(tool.summarize(findings))
    assert [c.split(" [")[0] for c in classes] == ["square"]
    assert [c.split(" [")[0] for c in known] == ["gather_nd"]
    tool.report(findings, type("Args", (), {"write": False})())
    text = capsys.readouterr().out
    assert "2 mismatching, of which 1 documented" in text
    documented_part = text.split("documented (TensorFlow is off / deliberate)")[1]
    assert "gather_nd" in documented_part and "square" not in documented_part
    assert "1 mismatch class(es)" in text


def test_documented_difference_reached_through_another_op():
    """erf's float64 NaN at inf, then `> -2`: documented only because adkernel, with erf made
    to behave as TensorFlow's, gives TensorFlow's outcome; top_k only with a NaN in its
    input; and never without TensorFlow's outcome to replay against."""
    tool = _fuzz_tool()
    keys = tool.documented_keys(ROWS)
    inf_in = [{"shape": [], "dtype": "float64", "kind": "watched", "values": [float("inf")]}]
    erf_greater = [{"fn": "math.erf", "args": [{"ref": 0}], "kwargs": {}},
                   {"fn": "greater", "args": [{"ref": 1}, -2.0], "kwargs": {}}]
    false, true = ({"out": [_val([v], "bool", [])]} for v in (False, True))
    f = _finding(erf_greater, inf_in, false, run(_finding(erf_greater, inf_in, false, false,
                                                           "none")["program"], tf), "none")
    assert f["verdict"]["key"] == "out/value"
    doc = tool.documented_by(f["program"], f["verdict"], keys, f["tf_outcome"])
    assert doc["ops"] == ("math.erf",) and doc["why"].startswith("through another op")
    assert tool.documented_by(f["program"], f["verdict"], keys) is None  # nothing to replay
    # a TensorFlow outcome the documented erf cannot explain stays a mismatch
    finite = [{**inf_in[0], "values": [-3.0]}]
    f = _finding(erf_greater, finite, false, true, "none")
    assert tool.documented_by(f["program"], f["verdict"], keys, f["tf_outcome"]) is None
    # top_k: the same kind of difference without a NaN in its input is not documented
    top = [{"fn": "math.top_k", "args": [{"ref": 0}], "kwargs": {}}]
    for values, documented in (([3.0, float("nan"), 1.0], True), ([3.0, 2.0, 1.0], False)):
        inputs = [{"shape": [3], "dtype": "float32", "kind": "const", "values": values}]
        f = _finding(top, inputs, {"out": [_val([1.0]), _val([2], "int32")]},
                     {"out": [_val([3.0]), _val([0], "int32")]}, "none")
        doc = tool.documented_by(f["program"], f["verdict"], keys, f["tf_outcome"])
        assert (doc is not None) == documented, values


def test_float32_rounding_judged_against_the_float64_program():
    """A float32 value beyond the tolerance is rounding when the float64 programs agree and
    adkernel's error against TensorFlow's float64 answer is at most 4x TensorFlow's."""
    program = {"inputs": [{"shape": [1], "dtype": "float32", "kind": "watched",
                           "values": [0.5]}], "ops": [], "grad": {"mode": "none"}}
    tf32, ak32 = {"out": [_val([1.0100])]}, {"out": [_val([1.0003])]}
    ref = {"out": [_val([1.0], "float64")]}
    assert not compare(tf32, ak32, program)["equal"]
    assert compare(tf32, ak32, program, ref, ref)["equal"]
    # the float64 programs disagree: another formula, still a difference
    other = {"out": [_val([1.0003], "float64")]}
    assert compare(tf32, ak32, program, ref, other)["kind"] == "value"
    # adkernel much farther from the float64 answer than TensorFlow: a difference
    near = {"out": [_val([1.0001])]}
    assert compare(near, {"out": [_val([1.01])]}, program, ref, ref)["kind"] == "value"
    assert promoted(program)["inputs"][0]["dtype"] == "float64"


def test_sort_nan_order_through_a_later_op_needs_everything_else_to_match():
    """sort then `* 2`: TensorFlow's leading NaN (its NaN comparisons, documented) is matched
    by moving the NaN only; an outcome whose numbers are out of order, or differ, is not."""
    tool = _fuzz_tool()
    keys = tool.documented_keys(ROWS)
    nan = float("nan")
    inputs = [{"shape": [3], "dtype": "float32", "kind": "const", "values": [nan, 0.5, -1.0]}]
    ops = [{"fn": "sort", "args": [{"ref": 0}], "kwargs": {}},
           {"fn": "__mul__", "args": [{"ref": 1}, 2.0], "kwargs": {}}]
    ak = {"out": [_val([-2.0, 1.0, nan])]}
    for tf_values, documented in (([nan, -2.0, 1.0], True), ([-2.0, nan, 1.0], True),
                                  ([nan, 1.0, -2.0], False), ([nan, -2.0, 1.5], False)):
        f = _finding(ops, inputs, {"out": [_val(tf_values)]}, ak, "none")
        assert not f["verdict"]["equal"]
        doc = tool.documented_by(f["program"], f["verdict"], keys, f["tf_outcome"])
        assert (doc is not None) == documented, tf_values
        if documented:
            assert doc["ops"] == ("sort",) and doc["why"].startswith("through another op")
    # argsort then a cast: the indices of the numbers must keep adkernel's order
    ops = [{"fn": "argsort", "args": [{"ref": 0}], "kwargs": {}},
           {"fn": "cast", "args": [{"ref": 1}, {"dtype": "float32"}], "kwargs": {}}]
    for tf_values, documented in (([0.0, 2.0, 1.0], True), ([0.0, 1.0, 2.0], False)):
        f = _finding(ops, inputs, {"out": [_val(tf_values)]}, {"out": [_val([2.0, 1.0, 0.0])]},
                     "none")
        doc = tool.documented_by(f["program"], f["verdict"], keys, f["tf_outcome"])
        assert (doc is not None) == documented, tf_values


def test_gather_nd_gradient_failure_seen_at_a_later_stage():
    """TensorFlow fails in gather_nd's gradient, adkernel later: documented only when
    gather_nd's documented failure (1-d indices) explains the whole outcome."""
    tool = _fuzz_tool()
    keys = tool.documented_keys(ROWS)
    row = next(r for r in ROWS if r.get("through") == "gather_nd")
    got = run(row["program"], tf)
    verdict = compare(row["tf_outcome"], got, row["program"])
    assert verdict["key"].startswith("error/error-type (gradient:InvalidArgumentError vs second")
    assert tool.documented_by(row["program"], verdict, keys, row["tf_outcome"])["ops"] == (
        "gather_nd",)
    # 2-d indices: TensorFlow's gradient works there, so a failure at that stage is not it
    program = json.loads(json.dumps(row["program"]))
    program["ops"][-1]["args"][1] = [[0, 0]]
    tf_outcome = {**row["tf_outcome"], "out": [_val([0.03], "float32", [1])]}
    got = run(program, tf)
    verdict = compare(tf_outcome, got, program)
    assert not verdict["equal"]
    assert tool.documented_by(program, verdict, keys, tf_outcome) is None


def test_top_k_nan_choice_through_a_later_op_needs_everything_else_to_match():
    """top_k then sqrt: TensorFlow's NaN (its NaN comparisons, documented) in a row holding a
    NaN is matched by choosing that row's entries again; a row without NaN, or a number that
    is not in the row, stays a mismatch."""
    tool = _fuzz_tool()
    keys = tool.documented_keys(ROWS)
    nan = float("nan")
    inputs = [{"shape": [2, 3], "dtype": "float64", "kind": "const",
               "values": [1.0, 0.25, 0.0, 0.0, 0.81, nan]}]
    ops = [{"fn": "math.top_k", "args": [{"ref": 0}], "kwargs": {}},
           {"fn": "sqrt", "args": [{"ref": 1, "item": 0}], "kwargs": {}}]
    ak = {"out": [_val([1.0, 0.9], "float64", [2, 1])]}
    for tf_values, documented in (([1.0, nan], True), ([1.0, 0.0], True),
                                  ([0.5, nan], False), ([1.0, 0.7], False)):
        f = _finding(ops, inputs, {"out": [_val(tf_values, "float64", [2, 1])]}, ak, "none")
        assert not f["verdict"]["equal"]
        doc = tool.documented_by(f["program"], f["verdict"], keys, f["tf_outcome"])
        assert (doc is not None) == documented, tf_values
        if documented:
            assert doc["ops"][-1] == "math.top_k" and doc["why"].startswith("through another op")
