"""Issue 9, engine side: valid programs that used to crash, and state a learner cannot corrupt."""
import warnings

import numpy as np
import pytest

from adkernel import tf


def _tape_of_sum_of_squares():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(x * x)
    return tape, x, y


@pytest.mark.parametrize("wrap", [lambda y: [y], lambda y: (y,), lambda y: {"a": y}],
                         ids=["list", "tuple", "dict"])
def test_structured_targets_are_summed_like_tensorflow(wrap):
    tape, x, y = _tape_of_sum_of_squares()
    g = tape.gradient(wrap(y), x)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0, 6.0])


def test_two_targets_in_a_list_add_their_gradients():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        a = x * x
        b = 2.0 * x
    assert tape.gradient([a, b], x).numpy() == pytest.approx(8.0)


def test_reduce_mean_of_an_empty_float_tensor_is_nan():
    r = tf.reduce_mean(tf.zeros((0, 3)))
    assert r.shape == () and np.isnan(r.numpy())
    np.testing.assert_array_equal(tf.reduce_mean(tf.zeros((0, 3)), axis=1).numpy(), np.zeros(0))
    assert np.isnan(tf.reduce_mean(tf.zeros((0, 3)), axis=0).numpy()).all()


def test_reduce_mean_of_an_empty_int_tensor_explains_itself():
    with pytest.raises(ValueError, match="empty"):
        tf.reduce_mean(tf.zeros((0,), dtype=tf.int32))


def test_gradient_of_reduce_mean_over_empty_axis_has_the_source_shape():
    x = tf.Variable(tf.zeros((0, 3)))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.reduce_mean(x, axis=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = tape.gradient(y, x)
    assert g.shape == (0, 3)


def test_gradient_and_jacobian_of_an_empty_target():
    e = tf.Variable(tf.zeros((0,)))
    with tf.GradientTape(persistent=True) as tape:
        z = e * 2.0
    g = tape.gradient(z, e)
    assert g.shape == (0,)
    j = tape.jacobian(z, e)
    assert j is not None and j.shape == (0, 0)
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        z = tf.zeros((0,)) * w[0]
    j = tape.jacobian(z, w)
    assert j.shape == (0, 2)


def test_numpy_view_of_a_variable_cannot_rewrite_the_tape():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * v)
    with pytest.raises(ValueError, match="read-only"):
        np.asarray(v)[:] = 0
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), [2.0, 4.0, 6.0])
    # An explicit copy is the learner's own to change.
    a = np.array(v, copy=True)
    a[:] = 0
    np.testing.assert_allclose(v.numpy(), [1.0, 2.0, 3.0])


def test_numpy_view_of_a_constant_cannot_rewrite_the_tape():
    c = tf.constant([1.0, 2.0])
    x = tf.Variable([3.0, 4.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(c * x)
    with pytest.raises(ValueError):
        np.asarray(c)[0] = 100.0
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [1.0, 2.0])


def test_numpy_method_gives_a_writable_copy_sharing_no_memory():
    v = tf.Variable([1.0, 2.0, 3.0])
    a = v.numpy()
    assert a.flags.writeable and not np.shares_memory(a, np.asarray(v))
    a[0] = 100.0
    b = np.array(v)
    b[1] = 100.0
    np.testing.assert_allclose(v.numpy(), [1.0, 2.0, 3.0])
