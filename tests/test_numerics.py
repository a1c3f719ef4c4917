"""The NaN detective: ``GradientTape(check_numerics=True)`` and the double-where trick."""

from __future__ import annotations

import numpy as np
import pytest

import adkernel
from adkernel import tf


def _x():
    return tf.constant([-1.0, 0.0, 4.0])


def test_check_numerics_names_log_and_suggests_double_where():
    x = _x()
    with tf.GradientTape(check_numerics=True) as tape:
        tape.watch(x)
        y = tf.where(x > 0, tf.math.log(x), 0.0)
    with pytest.raises(adkernel.NonFiniteGradientError) as info:
        tape.gradient(y, x)
    msg = str(info.value)
    assert "'log'" in msg
    assert "NaN" in msg or "inf" in msg
    assert "double where" in msg
    assert "tf.where" in msg
    assert isinstance(info.value, FloatingPointError)


def test_check_numerics_names_the_op_for_sqrt_and_division():
    x = tf.constant([0.0, 4.0])
    with tf.GradientTape(check_numerics=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.sqrt(x))
    with pytest.raises(adkernel.NonFiniteGradientError, match="'sqrt'"):
        tape.gradient(y, x)
    with tf.GradientTape(check_numerics=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(1.0 / x)
    with pytest.raises(adkernel.NonFiniteGradientError, match="truediv"):
        tape.gradient(y, x)


def test_double_where_gives_finite_gradient_without_error():
    x = _x()
    with tf.GradientTape(check_numerics=True) as tape:
        tape.watch(x)
        safe = tf.where(x > 0, x, 1.0)
        y = tf.where(x > 0, tf.math.log(safe), 0.0)
    g = tape.gradient(y, x).numpy()
    np.testing.assert_array_equal(g, np.array([0.0, 0.0, 0.25], dtype=np.float32))
    assert g.dtype == np.float32


def test_default_tape_returns_tensorflows_nan_silently():
    x = _x()
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.where(x > 0, tf.math.log(x), 0.0)
    g = tape.gradient(y, x).numpy()
    assert not np.isnan(g[0]) and g[0] == 0.0  # -0. in TensorFlow
    assert np.isnan(g[1])
    assert g[2] == 0.25
    np.testing.assert_array_equal(np.isnan(g), [False, True, False])


def test_check_numerics_does_not_flag_finite_backward_passes():
    x = tf.constant([0.5, 1.0, 4.0])
    with tf.GradientTape(check_numerics=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.math.log(x) * tf.sqrt(x))
    g = tape.gradient(y, x).numpy()
    assert np.all(np.isfinite(g))


def test_check_numerics_does_not_blame_an_op_for_upstream_nan():
    # The NaN is already in the upstream gradient (output_gradients): no op made it.
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(check_numerics=True) as tape:
        tape.watch(x)
        y = x * 3.0
    g = tape.gradient(y, x, output_gradients=tf.constant([np.nan, 1.0], dtype=tf.float32))
    assert np.isnan(g.numpy()[0]) and g.numpy()[1] == 3.0


@pytest.mark.parametrize("where", ["nested", "own-block"])
def test_check_numerics_also_works_when_the_backward_pass_is_recorded(where):
    x = _x()
    if where == "nested":
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape(check_numerics=True) as tape:
                tape.watch(x)
                y = tf.where(x > 0, tf.math.log(x), 0.0)
            with pytest.raises(adkernel.NonFiniteGradientError, match="'log'"):
                tape.gradient(y, x)
    else:
        with tf.GradientTape(persistent=True, check_numerics=True) as tape:
            tape.watch(x)
            y = tf.where(x > 0, tf.math.log(x), 0.0)
            with pytest.raises(adkernel.NonFiniteGradientError, match="'log'"):
                tape.gradient(y, x)
