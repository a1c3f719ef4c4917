"""Issue 20, numeric slice: integer paths, second derivatives, empty tensors, NaN in
argmax/argmin, logsumexp's gradient and ``tf.cast`` to the same dtype, against TensorFlow 2.21.

The programs are ``fuzz_numeric_b`` in tests/tf_reference_cases.py; TensorFlow's results are
frozen in tests/tf_reference_values.py (measured once; CI never installs TensorFlow).
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

import adkernel
from adkernel import tf

FUZZ = cases.fuzz_numeric_b(tf)
FROZEN = VALUES.get("fuzz_numeric_b", {})

# Where TensorFlow is the one that is off, adkernel keeps the true derivative (checked
# against central differences below). TensorFlow differentiates reduce_prod's gradient
# through an exclusive cumprod whose own gradient divides by x with div_no_nan, so every
# second derivative with respect to an input that is 0 comes out 0: for x = [2, 0, 3],
# d/dx1 of sum(grad prod) is x0 + x2 = 5, TensorFlow says 0.
TF_IS_OFF = {
    "reduce_prod_second_one_zero": "reduce_prod's second derivative at a zero input",
    "reduce_prod_second_rows": "reduce_prod's second derivative at a zero input",
}

# Bit for bit: the stable formula gives exactly 0.5 where TensorFlow does.
EXACT = {name for name in FUZZ if name.startswith("logsumexp_grad_") and "rows" not in name}


def test_every_case_was_measured():
    assert sorted(FUZZ) == sorted(FROZEN)


@pytest.mark.parametrize("name", sorted(set(FUZZ) - set(TF_IS_OFF)))
def test_matches_tensorflow(name):
    if name in EXACT:
        assert_matches(FUZZ[name](), FROZEN[name], name, rtol=0, atol=0)
    else:
        assert_matches(FUZZ[name](), FROZEN[name], name)


@pytest.mark.parametrize("name", sorted(TF_IS_OFF))
def test_where_tensorflow_is_off_adkernel_differs_and_is_right(name):
    ours, theirs = FUZZ[name](), FROZEN[name]
    assert_matches(ours[0], theirs[0], f"{name} (first order)")
    with pytest.raises(AssertionError):
        assert_matches(ours[1], theirs[1], name)


@pytest.mark.parametrize(
    "x", [[2.0, 0.0, 3.0], [0.0, 0.0, 3.0], [[2.0, 0.0, 3.0], [0.0, 1.5, 2.0]]])
@pytest.mark.parametrize("axis", [None, -1])
def test_reduce_prod_second_order_at_zeros_matches_central_differences(x, axis):
    adkernel.check_gradients(lambda t: tf.reduce_prod(t, axis=axis),
                             tf.constant(np.asarray(x)), order=2)


def _second(f, x):
    t = tf.constant(np.asarray(x))
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = tf.reduce_sum(f(t))
        g = inner.gradient(y, t)
    return outer.gradient(g, t)


def _prod_d1(t):
    """sum of reduce_prod's gradient: its derivatives are reduce_prod's second and third."""
    with tf.GradientTape() as inner:
        inner.watch(t)
        y = tf.reduce_prod(t)
    return tf.reduce_sum(inner.gradient(y, t))


def test_reduce_prod_third_order_at_zeros_matches_central_differences():
    for x in ([2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 3.0, 0.5]):
        adkernel.check_gradients(_prod_d1, tf.constant(x, dtype=tf.float64), order=2)


@pytest.mark.parametrize("f", [tf.nn.relu, tf.nn.leaky_relu])
def test_piecewise_linear_second_derivatives_are_zeros_not_none(f):
    h = _second(f, [-2.0, -0.5, 0.0, 1.0, 3.0])
    assert h is not None and h.dtype == tf.float64
    np.testing.assert_array_equal(h.numpy(), np.zeros(5))


def test_logsumexp_gradient_matches_central_differences_and_is_a_distribution():
    x = tf.constant([[0.3, 0.3, 5.0], [1.0, -2.0, 3.0]], dtype=tf.float64)
    adkernel.check_gradients(lambda t: tf.reduce_logsumexp(t, axis=1), x, order=2)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_logsumexp(x, axis=1)
    np.testing.assert_allclose(tape.gradient(y, x).numpy().sum(axis=1), [1.0, 1.0])


@pytest.mark.parametrize("f", [
    lambda x: tf.nn.softmax(x, axis=0),
    lambda x: tf.reduce_logsumexp(x, axis=0),
    lambda x: tf.nn.log_softmax(x, axis=0),
])
def test_empty_tensors_have_empty_second_derivatives(f):
    x = tf.zeros((0, 3), tf.float64)
    h = _second(f, x.numpy())
    assert h is not None and h.shape == (0, 3)


def test_integer_tensors_are_never_differentiated():
    v = tf.Variable([1, 2, 3])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_prod(v)
        z = tf.cast(y, tf.float32) * 2.0
    assert tape.gradient(z, v) is None
    assert tape.jacobian(y, [v]) == [None]
    # the tape still sees the path, so explain can name the integer source
    assert "integer" in tape.explain(z, v)
