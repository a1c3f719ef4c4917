"""NumPy functions on tensors stay on the tape (or say clearly that they cannot)."""

from __future__ import annotations

import numpy as np
import pytest

import adkernel
from adkernel import tf
from adkernel.engine.numpy_interop import _SUGGEST
from adkernel.engine.registry import REGISTRY, numpy_aliases


def test_np_sin_on_watched_tensor_is_recorded():
    x = tf.constant([0.0, 0.5, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = np.sin(x)
    assert isinstance(y, tf.Tensor) and y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), np.sin([0.0, 0.5, 2.0]), rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), np.cos([0.0, 0.5, 2.0]), rtol=1e-6)


def test_np_ufunc_on_variable_is_recorded():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = np.sum(np.exp(v) * np.square(v))
    ev = np.exp([1.0, 2.0])
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), ev * np.array([1.0, 4.0])
                               + ev * np.array([2.0, 4.0]), rtol=1e-6)


@pytest.fixture
def need_spy(monkeypatch):
    """Record the ``need`` flags every matmul / mul / sub VJP is called with."""
    seen = []
    for name in ("matmul", "mul", "sub"):
        op = REGISTRY[name]
        real = op.vjp

        def spy(g, out, need, *args, _real=real, _name=name, **kw):
            seen.append((_name, tuple(bool(n) for n in need)))
            return _real(g, out, need, *args, **kw)

        monkeypatch.setattr(op, "vjp", spy)
    return seen


def test_ndarray_on_the_left_gives_recorded_tensors(need_spy):
    rng = np.random.default_rng(0)
    X = rng.random((5, 2))
    y = rng.random((5, 1))
    W = tf.Variable(rng.standard_normal((2, 1)))
    with tf.GradientTape() as tape:
        pred = X @ W
        err = y - pred
        loss = np.sum(err * err)
    for t in (pred, err, loss):
        assert isinstance(t, tf.Tensor)
    assert pred.dtype == tf.float64
    dW = tape.gradient(loss, W)
    want = -2 * X.T @ (y - X @ W.numpy())
    np.testing.assert_allclose(dW.numpy(), want, rtol=1e-10)
    # the ndarray operands X and y never ask for a gradient
    assert ("matmul", (False, True)) in need_spy
    assert ("sub", (False, True)) in need_spy
    assert all(flags[1] for name, flags in need_spy if name in ("matmul", "sub"))


def test_ndarray_times_variable(need_spy):
    X = np.array([[1.0], [2.0], [3.0]])
    W = tf.Variable([0.5])
    with tf.GradientTape() as tape:
        p = X * W
    assert isinstance(p, tf.Tensor) and p.shape == (3, 1)
    assert p.dtype == tf.float32  # the ndarray adopts the variable's dtype
    np.testing.assert_allclose(tape.gradient(p, W).numpy(), [6.0])
    assert need_spy == [("mul", (False, True))]


@pytest.mark.parametrize(
    ("fn", "grad"),
    [
        (lambda t: np.sum(t * t), lambda a: 2 * a),
        (lambda t: np.mean(t, axis=0), lambda a: np.full_like(a, 0.5)),
        (lambda t: np.reshape(t, (6,)) * np.arange(6.0), lambda a: np.arange(6.0).reshape(2, 3)),
        (lambda t: np.where(t > 0, t, 0.0), lambda a: (a > 0).astype(a.dtype)),
        (lambda t: np.concatenate([t, 3 * t], axis=0), lambda a: np.full_like(a, 4.0)),
        (lambda t: np.exp(t), np.exp),
    ],
    ids=["sum", "mean", "reshape", "where", "concatenate", "exp"],
)
def test_numpy_functions_on_tensors_are_recorded(fn, grad):
    a = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    x = tf.constant(a)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    assert isinstance(y, tf.Tensor)
    assert len(tape) >= 1
    g = tape.gradient(y, x)
    assert g is not None and g.dtype == tf.float64
    np.testing.assert_allclose(g.numpy(), grad(a), rtol=1e-12)


# numpy functions no op block claims (yet): candidates, minus the numpy aliases the op
# blocks declare, so that adding an op (say sinh, with numpy=np.sinh) needs no edit here.
_CANDIDATES = ("arctan", "sinh", "arcsinh", "log2", "diff", "cbrt")
UNRECORDED = [n for n in _CANDIDATES if getattr(np, n) not in numpy_aliases()]


def test_some_candidates_are_unrecorded():
    # if every candidate has become an op, add new ones to _CANDIDATES
    assert len(UNRECORDED) >= 3, UNRECORDED


@pytest.mark.parametrize("name", UNRECORDED)
def test_unsupported_numpy_function_on_watched_tensor_raises(name):
    fn = getattr(np, name)
    x = tf.constant([0.5, 1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(adkernel.NotDifferentiableError, match=rf"np\.{name}\b"):
            fn(x)
    v = tf.Variable([0.5, 1.0, 2.0])
    with tf.GradientTape(), pytest.raises(adkernel.NotDifferentiableError, match=name):
        fn(v)


@pytest.mark.parametrize("name", UNRECORDED)
def test_unsupported_numpy_function_on_unwatched_tensor_computes_values(name):
    fn = getattr(np, name)
    x = tf.constant([0.5, 1.0, 2.0])
    r = fn(x)
    assert not isinstance(r, tf.Tensor)
    np.testing.assert_allclose(r, fn(np.array([0.5, 1.0, 2.0], dtype=np.float32)))


def test_unsupported_numpy_function_under_a_tape_that_does_not_watch():
    x = tf.constant([0.5, 1.0, 2.0])
    with tf.GradientTape() as tape:
        r = np.arctan(x)
    assert isinstance(r, np.ndarray) and len(tape) == 0


def _hint_text(name):
    x = tf.Variable([0.5, 1.0, 2.0])
    with tf.GradientTape(), pytest.raises(adkernel.NotDifferentiableError) as info:
        getattr(np, name)(x)
    return str(info.value)


@pytest.mark.parametrize("name", [n for n in _SUGGEST if n in UNRECORDED])
def test_refusal_shows_the_hint(name):
    assert str(_SUGGEST[name]) in _hint_text(name)


def test_every_op_alias_is_recorded_not_refused():
    """What the op blocks declare wins over the refusal table: a numpy alias runs the op."""
    x = tf.Variable([0.5, 1.0, 2.0])
    for func in numpy_aliases():
        if isinstance(func, np.ufunc) and func.nin == 1 and func.nout == 1:
            with tf.GradientTape() as tape:
                try:
                    func(x)
                except (TypeError, ValueError):
                    continue  # e.g. integer-only ops on a float input: not refusals
            assert len(tape) >= 1, f"np.{func.__name__} on a variable was not recorded"


@pytest.mark.parametrize(
    ("call", "want"),
    [
        (lambda t: np.cumsum(t), lambda a: np.cumsum(a)),  # numpy's default: flattened
        (lambda t: np.cumsum(t, axis=1), lambda a: np.cumsum(a, axis=1)),
        (lambda t: np.cumsum(t, axis=0), lambda a: np.cumsum(a, axis=0)),
        (lambda t: np.cumsum(t, dtype=np.float64), lambda a: np.cumsum(a, dtype=np.float64)),
    ],
    ids=["flat", "axis1", "axis0", "dtype"],
)
def test_np_cumsum_is_recorded(call, want):
    a = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    x = tf.Variable(a)
    with tf.GradientTape() as tape:
        y = call(x)
        loss = tf.reduce_sum(tf.sin(tf.cast(y, tf.float64)))
    assert isinstance(y, tf.Tensor)
    np.testing.assert_allclose(y.numpy(), want(a), rtol=1e-12)
    g = tape.gradient(loss, x).numpy()
    num = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        d = np.zeros_like(a)
        d[i] = 1e-6
        num[i] = (np.sum(np.sin(want(a + d))) - np.sum(np.sin(want(a - d)))) / 2e-6
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8)


def test_np_cumsum_out_is_refused():
    with pytest.raises(TypeError, match="immutable"):
        np.cumsum(tf.constant([1.0, 2.0]), out=np.empty(2, dtype=np.float32))


def test_np_asarray_of_tensor_and_variable():
    t = tf.constant([[1.0, 2.0]])
    a = np.asarray(t)
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.shape == (1, 2)
    np.testing.assert_array_equal(a, [[1.0, 2.0]])
    v = tf.Variable([3.0])
    np.testing.assert_array_equal(np.asarray(v), [3.0])
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.array(tf.constant(2.5)) == 2.5


def test_numpy_out_argument_is_refused():
    x = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="immutable"):
        np.sin(x, out=np.empty(2, dtype=np.float32))
