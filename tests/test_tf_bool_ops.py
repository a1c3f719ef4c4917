"""Bool arithmetic, ``*`` on bools, unary ``+``, ``==``/``!=`` and integer division by zero
against TensorFlow 2.21 (issue 20, round 2).

The programs are ``fuzz_bool`` in tests/tf_reference_cases.py; TensorFlow's results are frozen
in tests/tf_reference_values.py.
"""

from __future__ import annotations

import warnings

import pytest
import tf_reference_cases as cases
from tf_reference_values import VALUES

from adkernel import tf

BOOL = cases.fuzz_bool(tf)


def test_every_program_has_a_frozen_answer():
    assert sorted(BOOL) == sorted(VALUES["fuzz_bool"])


@pytest.mark.parametrize("name", sorted(BOOL))
def test_bool_ops_match_tensorflow(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert BOOL[name]() == VALUES["fuzz_bool"][name]


def test_messages_say_what_to_do():
    b = tf.constant([True, False])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tf.cast\(x, tf.float32\)"):
        tf.reduce_sum(b)
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisor is 0"):
        tf.constant([1, 2]) // 0
    x = tf.constant([1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.math.is_nan(x)
    with pytest.raises(LookupError, match="is_nan"):
        tape.gradient(y, x)


def test_tensors_still_work_in_lists_and_as_ref_keys():
    a, b = tf.constant([1.0, 2.0]), tf.constant([1, 2])
    assert a in [a]  # identity comes first: no elementwise compare
    assert {a.ref(): 1, b.ref(): 2}[b.ref()] == 2
    assert (tf.constant([True, False]) * 0.5).numpy().tolist() == [False, False]
