"""Issue 20, round 2 (numerics): floordiv as floor(x / y), clip_by_global_norm with an
infinite norm, Jacobians of empty targets, det's gradient at singular matrices, softmax
cross-entropy's labels (dtype, broadcasting), nn.moments and Python lists into reductions,
against TensorFlow 2.21.

The programs are ``fuzz_numeric_r3`` in tests/tf_reference_cases.py; TensorFlow's results are
frozen in tests/tf_reference_values.py. Where TensorFlow is off (docs/tf-compat.md), adkernel
keeps the true derivative, checked against central differences here.
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

import adkernel
from adkernel import tf

FUZZ = cases.fuzz_numeric_r3(tf)
FROZEN = VALUES.get("fuzz_numeric_r3", {})

# TensorFlow's d/dlogits is softmax - labels, right only when every row of labels sums to 1;
# its nn.moments stops the gradient through the mean inside the variance, so its second
# derivatives are 2/n instead of 2/n * (1 - 1/n).
TF_IS_OFF = {
    "sce_labels_loose": "softmax_cross_entropy_with_logits' d/dlogits (labels not summing to 1)",
    "moments_second_one_element": "nn.moments' second derivative",
    "moments_second_rows": "nn.moments' second derivative",
}


def test_every_case_was_measured():
    assert sorted(FUZZ) == sorted(FROZEN)


@pytest.mark.parametrize("name", sorted(set(FUZZ) - set(TF_IS_OFF)))
def test_matches_tensorflow(name):
    assert_matches(FUZZ[name](), FROZEN[name], name)


@pytest.mark.parametrize("name", sorted(TF_IS_OFF))
def test_where_tensorflow_is_off_adkernel_differs(name):
    with pytest.raises(AssertionError):
        assert_matches(FUZZ[name](), FROZEN[name], name)


def test_softmax_cross_entropy_loose_labels_first_value_and_labels_gradient_agree():
    ours, theirs = FUZZ["sce_labels_loose"](), FROZEN["sce_labels_loose"]
    assert_matches(ours[:2], theirs[:2], "value and d/dlabels")


@pytest.mark.parametrize("labels", [cases.SCE_LOOSE, cases.SCE_LABELS,
                                    [[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]]])
def test_softmax_cross_entropy_gradients_match_central_differences(labels):
    logits = np.array(cases.SCE_LOGITS)
    adkernel.check_gradients(
        lambda z, x: tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x),
        np.array(labels), logits, order=2)


def test_softmax_cross_entropy_loose_labels_true_derivative():
    """d/dlogits = softmax * sum(labels) - labels (TensorFlow: softmax - labels)."""
    z, x = np.array(cases.SCE_LOOSE), tf.constant(np.array(cases.SCE_LOGITS))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x)
    p = tf.nn.softmax(x).numpy()
    expected = p * z.sum(-1, keepdims=True) - z
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("x, axes", [([[1.0]], [1]), ([[1.0, 2.0, 4.0], [0.5, 0.0, -1.0]], [1]),
                                     ([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]], [0, 1])])
def test_moments_derivatives_match_central_differences(x, axes):
    adkernel.check_gradients(lambda t: tf.nn.moments(t, axes)[1], np.array(x), order=2)
    adkernel.check_gradients(lambda t: tf.nn.moments(t, axes)[0], np.array(x), order=2)


def test_moments_second_derivative_is_two_over_n_times_one_minus_one_over_n():
    x = tf.constant(np.array([1.0, 2.0, 4.0, -1.0]))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            var = tf.nn.moments(x, [0])[1]
        g = inner.gradient(var, x)
        g0 = g[0]
    n = 4
    np.testing.assert_allclose(outer.gradient(g0, x).numpy()[0], 2 / n * (1 - 1 / n))


def test_det_gradient_at_an_invertible_matrix_is_the_adjugate_transposed():
    a = np.array([[2.0, 1.0, 0.5], [0.3, 1.5, -1.0], [1.0, 0.0, 2.0]])
    adkernel.check_gradients(tf.linalg.det, a, order=2)


def test_floordiv_is_floor_of_the_quotient():
    x = np.array(cases.FD_X, np.float32)
    y = np.array(cases.FD_Y, np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.floor(x / y)
    np.testing.assert_array_equal(tf.math.floordiv(x, y).numpy(), expected)
    assert tf.math.floordiv(-2.48, -0.08).numpy() == 31.0  # numpy's floor_divide says 30


def test_softmax_cross_entropy_broadcast_labels_gradient_matches_central_differences():
    """Labels of shape [1, 3] broadcast over the rows of the logits: d/dlogits exists."""
    labels = np.array([[0.2, 0.3, 0.5]])
    adkernel.check_gradients(
        lambda x: tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=x),
        np.array([*cases.SCE_LOGITS, [0.0, 0.0, 1.0]]), order=2)


def test_reduce_prod_gradient_at_inf_is_the_product_of_the_others():
    x = tf.constant([2.0, np.inf, 3.0, -0.5])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_prod(x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(),
                                  [-np.inf, -3.0, -np.inf, np.inf])
