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


# ----- forward mode: the JVP column -----------------------------------------------------------


# differentiable ops whose gradient is zeros whatever the upstream gradient: TensorFlow's
# forward mode gives them no tangent (None), as the transposed VJP does here
NO_TANGENT = {"sign"}


def _jvp(case, xs, tangents):
    """The JVP of the row's function at ``xs`` along ``tangents`` (one per wrt input)."""
    f, points = _as_function(case, xs)
    ts = [tf.constant(p) for p in points]
    with tf.autodiff.ForwardAccumulator(ts, [tf.constant(t) for t in tangents]) as acc:
        y = f(*ts)
    return y, acc.jvp(y)


def _tangents(case, xs, rng):
    _f, points = _as_function(case, xs)
    return [rng.standard_normal(np.shape(p)) for p in points]


@pytest.mark.parametrize("case", DIFF, ids=_ids(DIFF))
def test_jvp_matches_central_differences_and_the_reverse_jacobian(case):
    """Forward mode, op by op: J·ṫ against central differences and against the Jacobian
    reverse mode builds row by row (contracted with the same tangent)."""
    rng = np.random.default_rng(6)
    xs = case.inputs(rng)
    tangents = _tangents(case, xs, rng)
    y, jvp = _jvp(case, xs, tangents)
    f, points = _as_function(case, xs)
    eps = case.eps

    def at(sign):
        return f(*[tf.constant(p + sign * eps * t) for p, t in
                   zip(points, tangents, strict=True)]).numpy()

    numeric = (at(1) - at(-1)) / (2 * eps)
    if jvp is None:  # a VJP that ignores its upstream gradient (sign): no tangent, as TF
        assert case.op in NO_TANGENT, f"{case.op}: no tangent"
        np.testing.assert_allclose(numeric, 0, atol=1e-9)
        return
    assert jvp.dtype == y.dtype and jvp.shape == y.shape
    np.testing.assert_allclose(jvp.numpy(), numeric, rtol=max(case.rtol, 1e-5), atol=1e-6,
                               err_msg=f"{case.op}: JVP vs central differences")
    ts = [tf.constant(p) for p in points]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(ts)
        y2 = f(*ts)
    column = sum(np.tensordot(j.numpy(), t, axes=t.ndim) for j, t in
                 zip(tape.jacobian(y2, ts), tangents, strict=True) if j is not None)
    np.testing.assert_allclose(jvp.numpy(), column, rtol=1e-9 if case.rtol <= 1e-5 else case.rtol,
                               atol=1e-12,
                               err_msg=f"{case.op}: JVP vs the reverse-mode Jacobian")


@pytest.mark.parametrize("case", DIFF, ids=_ids(DIFF))
def test_jvp_rules_agree_on_every_path(case):
    """The same JVP from the array path, from the tensor path (a tape recording: the rules'
    ops are recorded) and, for ops with a ``defjvp`` rule, from the transposed VJP."""
    rng = np.random.default_rng(7)
    xs = case.inputs(rng)
    tangents = _tangents(case, xs, rng)
    _, plain = _jvp(case, xs, tangents)
    with tf.GradientTape():
        _, recorded = _jvp(case, xs, tangents)
    if case.op in NO_TANGENT:
        assert plain is None and recorded is None
        return
    np.testing.assert_allclose(recorded.numpy(), plain.numpy(), rtol=1e-12, atol=1e-14)
    op = REGISTRY[case.op]
    if op.jvp is not None:
        rule, op.jvp = op.jvp, None
        try:
            _, derived = _jvp(case, xs, tangents)
        finally:
            op.jvp = rule
        np.testing.assert_allclose(plain.numpy(), derived.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", NONDIFF, ids=_ids(NONDIFF))
def test_non_differentiable_ops_give_no_tangent(case):
    """As in TensorFlow: None, or zeros of the output's dtype with unconnected 'zero'."""
    rng = np.random.default_rng(8)
    xs = case.inputs(rng)
    ts = [tf.constant(x) for x in xs]
    floats = [t for t in ts if t.dtype.is_floating]
    with tf.autodiff.ForwardAccumulator(floats, [tf.ones_like(t) for t in floats]) as acc:
        y = case.fn(*ts)
    assert acc.jvp(y) is None
    zero = acc.jvp(y, unconnected_gradients="zero")
    assert zero.dtype == y.dtype and not np.any(zero.numpy())
