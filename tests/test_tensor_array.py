"""``tf.TensorArray`` against TensorFlow 2.21 (group ``tensor_array_cases``, frozen in
tests/tf_reference_values.py): writes, reads, stack, gather, concat, unstack, zeros for
unwritten elements, gradients through ``stack``, use inside a traced ``tf.function``, and
the errors."""

from __future__ import annotations

import pytest
from reference_compare import assert_matches
from tf_reference_cases import tensor_array_cases
from tf_reference_values import VALUES

from adkernel import tf
from adkernel.engine.i18n import language

CASES = tensor_array_cases(tf)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tensorflow(name):
    assert_matches(CASES[name](), VALUES["tensor_array_cases"][name], name)


def test_mistakes_get_a_clear_message_in_both_languages():
    ta = tf.TensorArray(tf.float32, size=2)
    with pytest.raises(tf.errors.OutOfRangeError, match="dynamic_size=True"):
        ta.write(2, 1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tf\.cast"):
        tf.TensorArray(tf.int32, size=1).write(0, tf.constant(1.5))
    with pytest.raises(ValueError, match="element_shape"):
        tf.TensorArray(tf.float32, size=2).stack()
    with language("zh"), pytest.raises(tf.errors.OutOfRangeError, match="不能扩展"):
        ta.write(5, 1.0)
