"""Logical and bitwise ops against TensorFlow 2.21 (issue 20, round 2).

The programs are ``fuzz_logical`` in tests/tf_reference_cases.py; TensorFlow's results are frozen
in tests/tf_reference_values.py. Logical ops take bool tensors only; ``& | ^ ~`` are bitwise on
integer tensors; bool and integer results have no gradient.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tf_reference_cases as cases
from tf_reference_values import VALUES

from adkernel import tf

LOGICAL = cases.fuzz_logical(tf)


def test_every_program_has_a_frozen_answer():
    assert sorted(LOGICAL) == sorted(VALUES["fuzz_logical"])


@pytest.mark.parametrize("name", sorted(LOGICAL))
def test_logical_and_bitwise_match_tensorflow(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert LOGICAL[name]() == VALUES["fuzz_logical"][name]


def test_messages_say_what_to_do():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"x > 0"):
        tf.logical_and(tf.constant([1.0]), tf.constant([2.0]))
    with pytest.raises(TypeError):  # the InvalidArgumentError is also a TypeError, as before
        tf.logical_not(tf.constant([1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tf.cast\(x, tf.int32\)"):
        tf.constant([1.5]) & tf.constant([2.5])
    with pytest.raises(AttributeError, match="__ror__"):
        tf.constant([1]) | 0.5


def test_numpy_logical_ufuncs_keep_numpy_rules():
    a = np.array([0.0, 2.0, -1.0])
    np.testing.assert_array_equal(np.logical_and(tf.constant(a), 1.0).numpy(),
                                  np.logical_and(a, 1.0))
    np.testing.assert_array_equal(np.logical_not(tf.constant([0, 3])).numpy(), [True, False])
    np.testing.assert_array_equal(np.bitwise_xor(np.array([1, 2]), tf.constant([3, 3])).numpy(),
                                  [2, 1])
