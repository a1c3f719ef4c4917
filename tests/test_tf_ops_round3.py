"""Issue 10's ops and error types against TensorFlow's own numbers.

The programs are in tests/tf_reference_cases.py; their results on TensorFlow 2.21.0 were
measured once with tests/measure_tf_reference.py and frozen in
tests/tf_reference_values.py (CI never installs TensorFlow). Gradients are also checked
against numerical differentiation, to second order, in tests/test_ops.py (primitives) and
below (the composites).
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import TF_VERSION, VALUES

import adkernel
from adkernel import tf

OPS = cases.op_cases(tf)
ERRORS = cases.error_cases(tf)


def test_the_reference_is_tensorflow_2_21():
    assert TF_VERSION.startswith("2.21")
    assert sorted(OPS) == sorted(VALUES["op_cases"])
    assert sorted(ERRORS) == sorted(VALUES["error_cases"])


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_matches_tensorflow(name):
    assert_matches(OPS[name](), VALUES["op_cases"][name], name)


# adkernel's InvalidArgumentError also subclasses ValueError (TensorFlow's does not), so
# that code catching ValueError around shape mistakes keeps working; said in docs/tf-compat.md.
DELIBERATE = {"subclass_of_value_error": "True"}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_type_matches_tensorflow(name):
    expected = DELIBERATE.get(name, VALUES["error_cases"][name])
    assert ERRORS[name]() == expected


def test_invalid_argument_errors_keep_the_helpful_text():
    t = tf.constant(cases.X)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[2, 3\]"):
        tf.concat([t, tf.zeros([3, 2])], axis=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"reduce_sum.*axis 2"):
        tf.reduce_sum(t, axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \(2, 3\)|\[2, 3\]"):
        t[5]
    with pytest.raises(IndexError):  # old code catching IndexError keeps working
        t[5]
    with pytest.raises(ValueError):  # and ValueError around shape mistakes
        tf.reshape(t, [4, 2])


# ----- the composites' gradients against numerical differentiation -----------------------------
RNG = np.random.default_rng(10)
A = RNG.uniform(-2, 2, (3, 4))
SQ = RNG.uniform(-1, 1, (3, 3)) + 3 * np.eye(3)
COMPOSITES = {
    "split": (lambda x: tf.split(x, [1, 3], axis=1)[1] * tf.split(x, 2, axis=1)[0][:, :1],
              (A,)),
    "sort": (lambda x: tf.sort(x, axis=0, direction="DESCENDING") ** 2, (A,)),
    "boolean_mask": (lambda x: tf.boolean_mask(x * x, A > 0), (A,)),
    "matvec": (lambda m, v: tf.linalg.matvec(m, v, transpose_a=True) ** 2, (SQ, A[0, :3])),
    "clip_by_global_norm": (lambda a, b: tf.concat(
        [tf.reshape(c, [-1]) for c in tf.clip_by_global_norm([a, b], 1.5)[0]], 0), (A, SQ)),
    "moments": (lambda x: tf.stack(tf.nn.moments(x, axes=[1])) ** 2, (A,)),
    "pad_reflect": (lambda x: tf.pad(x, [[1, 2], [3, 0]], mode="REFLECT") ** 2, (A,)),
    "pad_symmetric": (lambda x: tf.pad(x, [[2, 2], [1, 1]], mode="SYMMETRIC") ** 2, (A,)),
    "cumsum_reverse": (lambda x: tf.cumsum(x, axis=1, reverse=True) ** 2, (A,)),
    "dropout_fixed_seed": (lambda x: _fixed_dropout(x) ** 2, (A,)),
    "gelu": (lambda x: tf.keras.activations.gelu(x), (A,)),
}


def _fixed_dropout(x):
    tf.random.set_seed(3)
    return tf.nn.dropout(x, 0.4, seed=1)


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composite_gradients_to_second_order(name):
    f, xs = COMPOSITES[name]
    adkernel.check_gradients(f, *[np.asarray(x, np.float64) for x in xs], order=2)


# ----- seeding follows TensorFlow's rules ------------------------------------------------------
def test_op_seed_gives_new_values_on_each_call_and_set_seed_replays():
    tf.random.set_seed(5)
    a = tf.random.normal([3], seed=1).numpy()
    b = tf.random.normal([3], seed=1).numpy()
    assert not np.array_equal(a, b)  # TensorFlow: a new value on each call
    tf.random.set_seed(5)
    np.testing.assert_array_equal(tf.random.normal([3], seed=1).numpy(), a)
    np.testing.assert_array_equal(tf.random.normal([3], seed=1).numpy(), b)


def test_global_seed_alone_replays_the_sequence():
    tf.random.set_seed(11)
    seq = [tf.random.uniform([2]).numpy() for _ in range(3)]
    assert not np.array_equal(seq[0], seq[1])
    tf.random.set_seed(11)
    again = [tf.random.uniform([2]).numpy() for _ in range(3)]
    np.testing.assert_array_equal(np.array(seq), np.array(again))


def test_missing_names_say_they_are_missing_from_adkernel():
    for get, name in ((lambda: tf.linalg.svd, "tf.linalg.svd"),
                      (lambda: tf.math.bessel_i0, "tf.math.bessel_i0"),
                      (lambda: tf.keras.layers.Conv2D, "tf.keras.layers.Conv2D"),
                      (lambda: tf.debugging.enable_check_numerics,
                       "tf.debugging.enable_check_numerics")):
        with pytest.raises(AttributeError, match="adkernel does not implement " + name):
            get()
