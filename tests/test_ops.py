"""Every registered primitive against numpy and against central differences."""

from __future__ import annotations

import numpy as np
import pytest
from op_cases import CASES

import adkernel
from adkernel import tf
from adkernel.engine import REGISTRY

DIFF = [c for c in CASES if c.differentiable]
NONDIFF = [c for c in CASES if not c.differentiable]


def _ids(cases):
    return [c.op for c in cases]


def _wrt(case, n):
    return case.wrt if case.wrt is not None else tuple(range(n))


def _as_function(case, xs):
    """f(*differentiable inputs) with the other inputs held fixed."""
    wrt = _wrt(case, len(xs))

    def f(*ts):
        args = list(xs)
        for i, t in zip(wrt, ts, strict=True):
            args[i] = t
        return case.fn(*args)

    return f, [xs[i] for i in wrt]


def test_registry_complete():
    """Every registered op has a row in tests/op_cases.py, and every row names a real op."""
    rows = {c.op for c in CASES}
    assert len(rows) == len(CASES), "duplicate rows in op_cases"
    missing = sorted(set(REGISTRY) - rows)
    unknown = sorted(rows - set(REGISTRY))
    assert not missing, f"registered ops without a test row: {missing}"
    assert not unknown, f"rows for ops that are not registered: {unknown}"


def test_declared_differentiability_matches_rows():
    for c in CASES:
        op = REGISTRY[c.op]
        assert op.differentiable == c.differentiable, c.op
        assert (op.vjp is not None) == op.differentiable, c.op


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_forward_matches_numpy_and_records_the_op(case):
    rng = np.random.default_rng(0)
    xs = case.inputs(rng)
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([t for t in ts if t.dtype.is_floating])
        out = case.fn(*ts)
    np.testing.assert_allclose(out.numpy(), case.ref(*xs), rtol=1e-12, atol=1e-12)
    recorded = {e[0].name for e in tape._entries}
    assert case.op in recorded, f"{case.op} was not recorded; recorded {sorted(recorded)}"


@pytest.mark.parametrize("case", DIFF, ids=_ids(DIFF))
def test_first_order_gradient(case):
    rng = np.random.default_rng(1)
    xs = case.inputs(rng)
    f, points = _as_function(case, xs)
    adkernel.check_gradients(f, *points, order=1, eps=case.eps, rtol=case.rtol)


@pytest.mark.parametrize(
    "case", [c for c in DIFF if c.order2], ids=_ids([c for c in DIFF if c.order2])
)
def test_second_order_gradient_through_nested_tapes(case):
    rng = np.random.default_rng(2)
    xs = case.inputs(rng)
    f, points = _as_function(case, xs)
    adkernel.check_gradients(f, *points, order=2, eps=case.eps, rtol=max(case.rtol, 1e-4))


BROADCAST = [c for c in DIFF if c.bshapes]


@pytest.mark.parametrize("case", BROADCAST, ids=_ids(BROADCAST))
def test_broadcasting_pair(case):
    rng = np.random.default_rng(3)
    xs = case.inputs(rng, shapes=case.bshapes)
    np.testing.assert_allclose(
        case.fn(*[tf.constant(x) for x in xs]).numpy(), case.ref(*xs), rtol=1e-12
    )
    f, points = _as_function(case, xs)
    adkernel.check_gradients(f, *points, order=1, eps=case.eps, rtol=case.rtol)
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        tape.watch(ts)
        y = case.fn(*ts)
    grads = tape.gradient(y, ts)
    for t, g in zip(ts, grads, strict=True):
        assert g.shape == t.shape


@pytest.mark.parametrize("case", DIFF, ids=_ids(DIFF))
def test_float32_gradient_keeps_the_source_dtype(case):
    rng = np.random.default_rng(4)
    xs = case.inputs(rng, dtype=np.float32)
    if case.op == "cast":
        xs = [x.astype(np.float64) for x in xs]
    ts = [tf.constant(x) for x in xs]
    wrt = _wrt(case, len(ts))
    with tf.GradientTape() as tape:
        tape.watch([ts[i] for i in wrt])
        y = case.fn(*ts)
    grads = tape.gradient(y, [ts[i] for i in wrt])
    for i, g in zip(wrt, grads, strict=True):
        assert g is not None, f"{case.op}: no gradient for input {i}"
        assert g.dtype == ts[i].dtype, f"{case.op}: gradient {g.dtype} for a {ts[i].dtype} input"
        assert g.shape == ts[i].shape
        assert np.all(np.isfinite(g.numpy()))


@pytest.mark.parametrize("case", NONDIFF, ids=_ids(NONDIFF))
@pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")
def test_non_differentiable_ops_give_none(case):
    rng = np.random.default_rng(5)
    xs = case.inputs(rng)
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        tape.watch(ts)
        y = case.fn(*ts)
        if y.dtype.is_floating:
            y = y * 2.0
        else:
            y = tf.cast(y, tf.float64) * 2.0
    assert all(g is None for g in tape.gradient(y, ts))
