"""Forward mode, ``tf.autodiff.ForwardAccumulator``, against TensorFlow 2.21.

The programs are ``forward_cases`` in tests/tf_reference_cases.py; TensorFlow's results are
frozen in tests/tf_reference_values.py. The per-op JVP column is in tests/test_ops.py.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

from adkernel import tf
from adkernel.engine import REGISTRY
from adkernel.engine._state import state

FORWARD = cases.forward_cases(tf)


def test_every_case_was_measured():
    assert sorted(FORWARD) == sorted(VALUES["forward_cases"])


@pytest.mark.parametrize("name", sorted(FORWARD))
def test_matches_tensorflow(name):
    assert_matches(FORWARD[name](), VALUES["forward_cases"][name], name)


def test_namespace_as_in_tensorflow():
    assert tf.autodiff.GradientTape is tf.GradientTape
    assert [n for n in dir(tf.autodiff) if not n.startswith("_")] == [
        "ForwardAccumulator", "GradientTape"]
    assert [u.value for u in tf.UnconnectedGradients] == ["none", "zero"]


def test_tangent_shape_mismatch_says_what_to_do():
    with pytest.raises(ValueError, match=r"shape \[2\] but the primal has shape \[3\]") as e:
        tf.autodiff.ForwardAccumulator(tf.constant([1.0, 2.0, 3.0]), tf.constant([1.0, 1.0]))
    assert "tf.ones_like" in str(e.value)


def test_tangent_dtype_mismatch_names_the_cast():
    with pytest.raises(ValueError, match=r"tf\.cast\(tangent, tf\.float32\)"):
        tf.autodiff.ForwardAccumulator(tf.constant([1.0]), tf.constant([1]))


def test_a_python_number_is_not_a_primal_but_is_a_tangent():
    with pytest.raises(AttributeError, match=r"tf\.constant\(2\.0\)"):
        tf.autodiff.ForwardAccumulator(2.0, 1.0)
    x = tf.constant(2.0)
    with tf.autodiff.ForwardAccumulator(x, 1.0) as acc:
        y = x * x
    assert acc.jvp(y).numpy() == 4.0


def test_no_public_watch_as_in_tensorflow_but_the_private_one_works_inside():
    x, c = tf.constant([1.0, 2.0]), tf.constant(3.0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 1.0])) as acc:
        with pytest.raises(AttributeError, match="when it is created"):
            acc.watch(c, tf.constant(1.0))
        acc._watch(c, tf.constant(1.0))
        y = x * c
    np.testing.assert_allclose(acc.jvp(y).numpy(), [4.0, 5.0])


def test_jvp_of_a_non_tensor_raises_and_ops_outside_the_block_have_no_tangent():
    x = tf.constant([1.0, 2.0])
    before = x * 2.0
    with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 1.0])) as acc:
        y = before + x
    after = x * 2.0
    np.testing.assert_allclose(acc.jvp(y).numpy(), [1.0, 1.0])
    assert acc.jvp(before) is None and acc.jvp(after) is None
    with pytest.raises(AttributeError, match="inside the accumulator's block"):
        acc.jvp([y, 3.0])


def test_variables_keep_their_tangent_across_assign():
    w = tf.Variable(2.0)
    with tf.autodiff.ForwardAccumulator(w, tf.constant(1.0)) as acc:
        y1 = w * w
        w.assign(3.0)
        y2 = w * w
    assert (acc.jvp(y1).numpy(), acc.jvp(y2).numpy(), acc.jvp(w).numpy()) == (4.0, 6.0, 1.0)


def test_a_primal_watched_twice_gets_the_sum():
    x = tf.constant(1.0)
    with tf.autodiff.ForwardAccumulator([x, x], [tf.constant(1.0), tf.constant(2.0)]) as acc:
        y = x * 5.0
    assert acc.jvp(y).numpy() == 15.0


def test_accumulators_are_per_thread():
    x = tf.constant(1.0)
    seen = []

    def other():
        seen.append(bool(state.forward))
        seen.append(float(tf.sin(x)))

    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen[0] is False
    assert not state.forward


def test_exception_in_the_block_leaves_no_accumulator_active():
    x = tf.constant(1.0)
    with pytest.raises(ZeroDivisionError), tf.autodiff.ForwardAccumulator(
            x, tf.constant(1.0)):
        raise ZeroDivisionError
    assert not state.forward


def test_hot_elementwise_ops_have_explicit_rules_and_the_rest_transpose_their_vjp():
    hot = {n for n, op in REGISTRY.items() if op.jvp is not None}
    assert {"add", "sub", "mul", "truediv", "exp", "sin", "tanh", "pow"} <= hot
    assert REGISTRY["matmul"].jvp is None  # derived from its VJP


def test_no_tangent_bookkeeping_without_an_accumulator():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.sin(x)
    assert not state.forward
    assert tape.gradient(y, x).numpy() == pytest.approx(np.cos(1.0))
