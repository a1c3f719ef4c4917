"""Issue 20, items 13-17: error types and dtype rules against TensorFlow 2.21's own answers.

The programs are ``fuzz_errors`` and ``fuzz_dtypes`` in tests/tf_reference_cases.py (found by
the differential fuzzer); TensorFlow's results are frozen in tests/tf_reference_values.py.
An error is compared by the class a learner's ``except`` clause names (adkernel's DTypeError
counts as the TypeError it is).
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

import adkernel
from adkernel import tf

ERRORS = cases.fuzz_errors(tf)
DTYPES = cases.fuzz_dtypes(tf)
NEW_OPS = cases.fuzz_new_ops(tf)


def test_every_program_has_a_frozen_answer():
    assert sorted(ERRORS) == sorted(VALUES["fuzz_errors"])
    assert sorted(DTYPES) == sorted(VALUES["fuzz_dtypes"])
    assert sorted(NEW_OPS) == sorted(VALUES["fuzz_new_ops"])


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_class_matches_tensorflow(name):
    assert ERRORS[name]() == VALUES["fuzz_errors"][name]


@pytest.mark.parametrize("name", sorted(DTYPES))
def test_dtype_and_values_match_tensorflow(name):
    assert_matches(DTYPES[name](), VALUES["fuzz_dtypes"][name], name)


@pytest.mark.parametrize("name", sorted(NEW_OPS))
def test_new_ops_match_tensorflow(name):
    """tensordot, divide_no_nan, xlogy, atan2: values, gradients (also where TensorFlow's rule
    gives 0 or NaN), second derivatives and error classes."""
    assert_matches(NEW_OPS[name](), VALUES["fuzz_new_ops"][name], name)


def test_new_names_are_where_tensorflow_has_them():
    assert tf.atan2 is tf.math.atan2
    assert tf.tensordot is tf.linalg.tensordot
    for missing in ("divide_no_nan", "xlogy"):  # only under tf.math in TensorFlow
        with pytest.raises(AttributeError):
            getattr(tf, missing)
    a = np.arange(24.0).reshape(2, 3, 4)
    b = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(np.tensordot(tf.constant(a), b, [[1, 2], [1, 0]]).numpy(),
                               np.tensordot(a, b, [[1, 2], [1, 0]]))
    np.testing.assert_allclose(np.arctan2(tf.constant(a), 2.0).numpy(), np.arctan2(a, 2.0))


def test_float_only_errors_keep_the_helpful_text_and_old_catches():
    i = tf.constant([1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"exp needs a float tensor.*tf\.cast"):
        tf.exp(i)
    with pytest.raises(TypeError):  # code written against adkernel's earlier TypeError
        tf.exp(i)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.nn.softplus(i)
    assert type(info.value).__name__ == "InvalidArgumentError" and info.value.op == "softplus"


def test_reciprocal_of_an_integer_tensor_names_the_fix():
    with pytest.raises(tf.errors.NotFoundError, match=r"tf\.cast"):
        tf.math.reciprocal(tf.constant([1, 2], tf.int64))
    assert tf.math.reciprocal(tf.constant([2.0])).numpy().tolist() == [0.5]


def test_leaky_relu_gradient_uses_the_float32_alpha():
    x = tf.constant([-2.0, 3.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.leaky_relu(x, alpha=0.1)
    g = tape.gradient(y, x).numpy()
    np.testing.assert_array_equal(g, [float(np.float32(0.1)), 1.0])


def test_tensordot_gradients_to_second_order():
    rng = np.random.default_rng(20)
    a, b = rng.uniform(-1, 1, (2, 3, 4)), rng.uniform(-1, 1, (4, 3))
    adkernel.check_gradients(lambda x, y: tf.tensordot(x * x, y, [[1, 2], [1, 0]]), a, b,
                             order=2)
    adkernel.check_gradients(lambda x, y: tf.tensordot(x, y * y, 1), a, b, order=2)
