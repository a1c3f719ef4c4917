"""Issue 20, round 2: shape ops, reductions' argument checks and error classes against
TensorFlow 2.21's own answers.

The programs are ``fuzz_shapes`` in tests/tf_reference_cases.py (from the differential fuzzer's
findings: concat/stack given one tensor, empty tensors, ``axis=None``, boolean_mask's axis,
rank-0 reductions with an axis, norm's axis types, sparse cross-entropy shapes, ``array @
tensor``, Jacobians of empty targets, sharded embedding lookups); TensorFlow's results are frozen
in tests/tf_reference_values.py. Errors are compared by the class an ``except`` clause names.
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

from adkernel import tf

SHAPES = cases.fuzz_shapes(tf)


def test_every_program_has_a_frozen_answer():
    assert sorted(SHAPES) == sorted(VALUES["fuzz_shapes"])


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_matches_tensorflow(name):
    assert_matches(SHAPES[name](), VALUES["fuzz_shapes"][name], name)


@pytest.mark.parametrize("reduce", [tf.reduce_sum, tf.reduce_max, tf.reduce_min, tf.norm])
def test_rank0_reduction_with_an_axis_raises_before_any_gradient(reduce):
    """It used to compute, and then its gradient divided by zero."""
    x = tf.Variable(0.5)
    with tf.GradientTape() as tape:
        with pytest.raises(tf.errors.InvalidArgumentError, match="scalar"):
            reduce(x, axis=0)
        y = reduce(x)
    assert tape.gradient(y, x) is not None


def test_concat_and_stack_of_one_tensor_keep_its_gradient():
    x = tf.Variable(np.arange(6.0).reshape(2, 3))
    with tf.GradientTape(persistent=True) as tape:
        a = tf.concat(x, 1) * 2.0
        b = tf.stack(x, axis=1) * 3.0
    np.testing.assert_array_equal(tape.gradient(a, x).numpy(), np.full((2, 3), 2.0))
    np.testing.assert_array_equal(tape.gradient(b, x).numpy(), np.full((2, 3), 3.0))
    assert b.shape == (3, 2)


def test_sharded_lookup_is_the_div_layout():
    """Shards of 2, 2 and 1 rows: ids 0-1 in the first, 2-3 in the second, 4 in the third."""
    shards = [tf.constant([[0.0], [1.0]]), tf.constant([[2.0], [3.0]]), tf.constant([[4.0]])]
    got = tf.nn.embedding_lookup(shards, [4, 0, 3])
    np.testing.assert_array_equal(got.numpy(), [[4.0], [0.0], [3.0]])
