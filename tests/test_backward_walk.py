"""The backward walk a learner can read: its size, and the fast walk checked against the
reference walk on random programs (issue 19, item 2)."""

import inspect

import numpy as np
import pytest

from adkernel import tf
from adkernel.engine import tape as tape_module
from adkernel.engine.tape import Record, backward, reference_backward

pytestmark = pytest.mark.filterwarnings("ignore::adkernel.engine.errors.NoneGradientWarning")

UNARY = [tf.sin, tf.exp, tf.tanh, tf.square, lambda a: a * 0.5, lambda a: -a]
BINARY = [tf.add, tf.subtract, tf.multiply, lambda a, b: a / (1.5 + b * b)]


def _lines(fn) -> int:
    return len(inspect.getsourcelines(fn)[0])


def test_the_walks_are_short_enough_to_read():
    assert _lines(backward) <= 40 and _lines(tape_module._walk) <= 40
    assert _lines(reference_backward) <= 30


@pytest.mark.parametrize("numpy_switch", [True, False], ids=["context variable", "np.errstate"])
def test_the_walk_runs_without_numpy_warnings_and_puts_the_state_back(numpy_switch,
                                                                      monkeypatch):
    if not numpy_switch:  # a numpy without the context variable: np.errstate itself
        monkeypatch.setattr(tape_module, "_extobj_contextvar", None)
    x = tf.Variable(np.array([0.0, 1.0]))
    with tf.GradientTape(persistent=True) as t:
        y = tf.reduce_sum(tf.math.log(x) * tf.sqrt(x))  # 1/0 and 0 * inf in the walk
    with np.errstate(all="raise"):
        grads = backward(list(t.view().records), [y], [np.float64(1.0)])
        assert np.geterr()["divide"] == "raise"
    assert np.isnan(grads[x._serial][0]) and np.isfinite(grads[x._serial][1])


def test_no_reference_count_calibration_is_left():
    source = inspect.getsource(tape_module)
    assert "getrefcount" not in source and "_FRESH_REFS" not in source


def _random_program(rng, persistent):
    """A random program over variables of broadcastable shapes, with fan-out."""
    shapes = [(3, 4), (4,), (1, 4), ()]
    xs = [tf.Variable(rng.uniform(-1, 1, shapes[i % 4])) for i in range(3)]
    with tf.GradientTape(persistent=persistent) as t:
        values = list(xs)
        for _ in range(int(rng.integers(3, 12))):
            if rng.random() < 0.5:
                a = values[int(rng.integers(len(values)))]
                values.append(UNARY[int(rng.integers(len(UNARY)))](a))
            else:
                a, b = (values[int(i)] for i in rng.integers(len(values), size=2))
                values.append(BINARY[int(rng.integers(len(BINARY)))](a, b))
        y = tf.reduce_sum(values[-1] * values[-2]) + tf.reduce_sum(values[-1])
    return t, xs, y


@pytest.mark.parametrize("seed", range(40))
def test_fast_walk_agrees_with_the_reference_walk_on_random_programs(seed):
    rng = np.random.default_rng(seed)
    t, xs, y = _random_program(rng, persistent=True)
    records = t.view().records
    assert all(type(r) is Record for r in records)
    want = reference_backward(records, y, np.ones((), y.numpy().dtype))
    got = t.gradient(y, xs)
    for x, g in zip(xs, got, strict=True):
        w = want.get(x._serial)
        if w is None:
            assert g is None
        else:
            np.testing.assert_allclose(g.numpy(), w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_the_reference_walk_matches_numerical_differentiation(seed):
    rng = np.random.default_rng(100 + seed)
    t, xs, y = _random_program(rng, persistent=True)
    grads = reference_backward(t.view().records, y, np.ones((), y.numpy().dtype))
    records = t.view().records
    checked = 0
    for x in xs:
        if x._serial not in grads:
            continue
        checked += 1
        x0 = x.numpy().copy()
        direction = rng.standard_normal(x0.shape)

        def f(v, x=x, x0=x0):
            x.assign(v)
            values = {x._serial: v}
            for other in xs:
                values.setdefault(other._serial, other.numpy())
            out = None
            for r in records:  # replay the recorded program on new input values
                args = [values.get(k, val) if k else val for k, val in
                        zip(r.inputs, r.values, strict=True)]
                out = r.op.forward(*args, **(r.params or {}))
                values[r.out] = out
            return values[y._serial]

        h = 1e-6
        numeric = (f(x0 + h * direction) - f(x0 - h * direction)) / (2 * h)
        x.assign(x0)
        analytic = float(np.sum(np.asarray(grads[x._serial]) * direction))
        assert numeric == pytest.approx(analytic, rel=1e-5, abs=1e-7)
    assert checked


def test_a_non_persistent_tape_gives_the_same_gradients_and_keeps_its_links():
    rng = np.random.default_rng(7)
    t1, xs1, y1 = _random_program(rng, persistent=True)
    want = [None if g is None else g.numpy() for g in t1.gradient(y1, xs1)]
    rng = np.random.default_rng(7)
    t2, xs2, y2 = _random_program(rng, persistent=False)
    n = len(t2.view().records)
    got = t2.gradient(y2, xs2)
    for w, g in zip(want, got, strict=True):
        assert (w is None) == (g is None)
        if w is not None:
            np.testing.assert_allclose(g.numpy(), w, rtol=1e-12)
    assert t2.view().records == () and len(t2.view().links) == n


def test_a_gradient_the_walk_did_not_allocate_is_never_written_into():
    x = tf.Variable(np.array([1.0, 2.0]))
    with tf.GradientTape() as t:
        a = x + 0.0  # add hands its upstream gradient on: the same array
        y = tf.reduce_sum(a + a + a * 2.0)
    seed = np.ones((), np.float64)
    grads = backward(list(t.view().records), [y], [seed])
    np.testing.assert_allclose(grads[x._serial], [4.0, 4.0])
    assert seed == 1.0


def test_the_public_hooks_run_and_remove_exactly_what_was_added():
    hooks = tape_module.hooks
    before = (list(hooks.on_enter), list(hooks.on_gradient))
    entered, asked = [], []
    remove = hooks.add(on_enter=entered.append, on_gradient=lambda y, t: asked.append((y, t)))
    x = tf.Variable(2.0)
    try:
        with tf.GradientTape() as t:
            y = x * x
        assert t.gradient(y, x).numpy() == 4.0
    finally:
        remove()
    assert entered == [t] and asked == [(y, t)]
    assert (hooks.on_enter, hooks.on_gradient) == before
    assert not hasattr(tape_module, "CellTape") and "_yields_to_inner" not in inspect.getsource(
        tape_module)
