"""TensorFlow GradientTape semantics, part 2: dtypes, unconnected gradients, control flow,
stop_recording / reset / stop_gradient, higher order, jacobian and batch_jacobian
(items 26-43 of ``shared/reference/tf_tape_semantics.md``)."""

import numpy as np
import pytest
from grad_checks import check

from adkernel import tf

pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")


# ---------------------------------------------------------------------------------------------
# E. dtypes and integers
# ---------------------------------------------------------------------------------------------


def test_26_watched_integer_tensor_gives_none():
    x = tf.constant(3)
    assert x.dtype == tf.int32
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert t.gradient(y, x) is None


def test_27_integer_variable_is_watched_but_gradient_is_none():
    v = tf.Variable(3)
    assert v.dtype == tf.int32
    assert v.trainable is True
    with tf.GradientTape() as t:
        y = v * v
    assert any(w is v for w in t.watched_variables())
    assert t.gradient(y, v) is None


def test_27_integer_vector_variable_gradient_is_none():
    v = tf.Variable([1, 2])
    assert v.dtype == tf.int32
    with tf.GradientTape() as t:
        y = v * v
    assert t.gradient(y, v) is None


def test_28_cast_to_integer_breaks_the_chain():
    x = tf.Variable(2.7)
    with tf.GradientTape() as t:
        y = tf.cast(x, tf.int32)
    assert y.dtype == tf.int32
    assert t.gradient(y, x) is None


def test_28_round_trip_through_int_keeps_only_direct_factor():
    x = tf.Variable(2.7)
    with tf.GradientTape() as t:
        y = tf.cast(tf.cast(x, tf.int32), tf.float32) * x
    np.testing.assert_allclose(y.numpy(), 2.0 * np.float32(2.7), rtol=1e-5)
    check(t.gradient(y, x), 2.0)


def test_28_zero_unconnected_gradient_for_int_source_is_int_zero():
    x = tf.constant(3)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    check(t.gradient(y, x, unconnected_gradients="zero"), 0, dtype=tf.int32)


@pytest.mark.parametrize(
    ("make", "dtype_name"),
    [
        (lambda: tf.Variable(3.0), "float32"),
        (lambda: tf.constant(3.0), "float32"),
        (lambda: tf.Variable([1.0, 2]), "float32"),
        (lambda: tf.Variable(3), "int32"),
        (lambda: tf.constant([1, 2]), "int32"),
        (lambda: tf.Variable(np.array([1.0])), "float64"),
        (lambda: tf.constant(np.array([1.0, 2.0])), "float64"),
        (lambda: tf.convert_to_tensor(np.array([1.0, 2.0])), "float64"),
        (lambda: tf.Variable(np.array([1.0], np.float32)), "float32"),
    ],
    ids=[
        "Variable(3.0)",
        "constant(3.0)",
        "Variable([1.0,2])",
        "Variable(3)",
        "constant([1,2])",
        "Variable(np f64)",
        "constant(np f64)",
        "convert_to_tensor(np f64)",
        "Variable(np f32)",
    ],
)
def test_29_default_dtypes(make, dtype_name):
    assert make().dtype == getattr(tf, dtype_name)


def test_30_python_and_numpy_operands_adopt_the_tensor_dtype():
    f32var = tf.Variable(1.0)
    f64const = tf.constant(1.0, dtype=tf.float64)
    f64var = tf.Variable(np.array(1.0))
    assert (f32var * 2).dtype == tf.float32
    assert (f64const * 2.5).dtype == tf.float64
    assert (f64var + 1.5).dtype == tf.float64
    assert (f32var + np.float64(2.0)).dtype == tf.float32
    r = tf.Variable([1.0, 2.0]) + np.ones(2)
    assert r.dtype == tf.float32
    np.testing.assert_allclose(r.numpy(), [2.0, 3.0], rtol=1e-6)


def _assert_dtype_error(excinfo, a, b):
    msg = str(excinfo.value)
    assert a in msg and b in msg, msg
    assert "cast" in msg, msg


def test_31_adding_float32_and_float64_raises_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.Variable(1.0) + tf.constant(2.0, tf.float64)
    _assert_dtype_error(e, "float32", "float64")


def test_31_int32_times_float32_raises_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.constant(1) * tf.constant(2.0)
    _assert_dtype_error(e, "int32", "float32")


def test_31_float64_variable_times_float32_variable_raises():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.Variable(np.array(1.0)) * tf.Variable(2.0)
    _assert_dtype_error(e, "float32", "float64")


def test_31_matmul_float32_float64_raises():
    a = tf.constant(np.ones((2, 2), np.float32))
    b = tf.constant(np.ones((2, 2), np.float64))
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.matmul(a, b)
    _assert_dtype_error(e, "float32", "float64")


def test_31_invalid_argument_error_hierarchy():
    assert issubclass(tf.errors.InvalidArgumentError, tf.errors.OpError)
    assert issubclass(tf.errors.OpError, Exception)


def test_32_integer_tensor_times_python_float_raises_type_error():
    with pytest.raises(TypeError):
        tf.Variable(3) * 2.5
    with pytest.raises(TypeError):
        tf.constant(2) * 1.5


def test_33_float64_source_gives_float64_gradient():
    x = tf.Variable(np.array(3.0))
    with tf.GradientTape() as t:
        y = x * x
    check(t.gradient(y, x), 6.0, dtype=tf.float64)


def test_33_float16_source_gives_float16_gradient():
    x = tf.Variable(2.0, dtype=tf.float16)
    with tf.GradientTape() as t:
        y = x * x
    check(t.gradient(y, x), 4.0, dtype=tf.float16)


def test_33_cast_to_float64_gives_float32_gradient_for_float32_source():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = tf.cast(x, tf.float64) ** 2
    assert y.dtype == tf.float64
    check(t.gradient(y, x), 6.0, dtype=tf.float32)


# ---------------------------------------------------------------------------------------------
# F. Unconnected gradients
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def unconnected_tape():
    x = tf.constant([[1.0, 2.0]])
    y = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        z = y * 2
    return t, x, y, z


def test_34_unconnected_default_is_none(unconnected_tape):
    t, x, _, z = unconnected_tape
    assert t.gradient(z, x) is None


def test_34_unconnected_zero_enum(unconnected_tape):
    t, x, _, z = unconnected_tape
    g = t.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    check(g, [[0.0, 0.0]])


def test_34_unconnected_zero_string(unconnected_tape):
    t, x, y, z = unconnected_tape
    check(t.gradient(z, x, unconnected_gradients="zero"), [[0.0, 0.0]])
    check(t.gradient(z, y, unconnected_gradients="zero"), 2.0)
    assert t.gradient(z, x, unconnected_gradients="none") is None
    assert t.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.NONE) is None


def test_34_unconnected_enum_values():
    assert tf.UnconnectedGradients.NONE.value == "none"
    assert tf.UnconnectedGradients.ZERO.value == "zero"


def test_34_unconnected_zero_variables_nested_structure():
    a = tf.Variable([[1.0, 2.0]])
    b = tf.Variable([1.0])
    with tf.GradientTape() as t:
        z = b * 3.0
    g = t.gradient(z, {"a": a, "b": b}, unconnected_gradients="zero")
    assert set(g) == {"a", "b"}
    check(g["a"], [[0.0, 0.0]])
    check(g["b"], [3.0])


def test_34_unknown_unconnected_gradients_value_raises(unconnected_tape):
    t, x, _, z = unconnected_tape
    with pytest.raises(ValueError, match="unconnected_gradients"):
        t.gradient(z, x, unconnected_gradients="nonsense")


def test_35_constant_target_gives_none():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = tf.constant(5.0)
    assert t.gradient(y, x) is None


def test_36_python_loop_and_if_are_traced_as_executed():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x
        for _ in range(3):
            if y < 100:
                y = y * x
    np.testing.assert_allclose(y.numpy(), 81.0, rtol=1e-6)
    check(t.gradient(y, x), 108.0)


def test_36_python_conditional_picks_one_branch():
    x = tf.Variable(1.0)
    v0 = tf.Variable(2.0)
    v1 = tf.Variable(3.0)
    with tf.GradientTape() as t:
        result = v0 if x > 0 else v1**2
    dv0, dv1, dx = t.gradient(result, [v0, v1, x])
    check(dv0, 1.0)
    assert dv1 is None
    assert dx is None


def test_37_python_max_over_variables():
    xs = [tf.Variable(2.0), tf.Variable(3.0), tf.Variable(5.0)]
    with tf.GradientTape() as t:
        f = max(xs)
    assert f is xs[2]
    assert float(f) == 5.0
    g = t.gradient(f, xs)
    assert isinstance(g, list)
    assert g[0] is None and g[1] is None
    check(g[2], 1.0)


# ---------------------------------------------------------------------------------------------
# G. stop_recording, reset, stop_gradient
# ---------------------------------------------------------------------------------------------


def test_38_stop_recording():
    x = tf.Variable(4.0)
    with tf.GradientTape(persistent=True) as t:
        a = x * 2
        with t.stop_recording():
            y = a * a
        z = a * a
    assert t.gradient(y, x) is None
    assert t.gradient(y, a) is None
    check(t.gradient(z, x), 32.0)


def test_38_stop_recording_on_a_tape_that_never_recorded_raises():
    t = tf.GradientTape()
    with pytest.raises(RuntimeError, match="recording"):
        with t.stop_recording():
            pass


def test_38_stop_recording_after_exit_raises():
    with tf.GradientTape() as t:
        pass
    with pytest.raises(RuntimeError, match="recording"):
        with t.stop_recording():
            pass


def test_39_reset_discards_what_was_recorded():
    v = tf.Variable(1.0)
    with tf.GradientTape() as t:
        loss = v * v
        t.reset()
        loss += v * v
    check(t.gradient(loss, v), 2.0)


def test_40_stop_gradient_blocks_one_factor():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = x * tf.stop_gradient(x)
    check(t.gradient(y, x), 3.0)


def test_40_stop_gradient_of_everything_is_none():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = tf.stop_gradient(x * x)
    assert t.gradient(y, x) is None


# ---------------------------------------------------------------------------------------------
# H. Higher order, jacobian, batch_jacobian
# ---------------------------------------------------------------------------------------------


def test_41_nested_tapes_second_derivative():
    x = tf.constant(5.0)
    with tf.GradientTape() as g:
        g.watch(x)
        with tf.GradientTape() as gg:
            gg.watch(x)
            y = x * x * x
        dy = gg.gradient(y, x)
    check(dy, 75.0)
    check(g.gradient(dy, x), 30.0)


def test_41_single_persistent_tape_third_derivative():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x**3
        dy = t.gradient(y, x)
        d2y = t.gradient(dy, x)
    d3y = t.gradient(d2y, x)
    check(dy, 27.0)
    check(d2y, 18.0)
    check(d3y, 6.0)


def test_41_inner_gradient_after_outer_block_is_not_recorded():
    x = tf.constant(5.0)
    with tf.GradientTape() as g:
        g.watch(x)
        with tf.GradientTape() as gg:
            gg.watch(x)
            y = x * x * x
    dy = gg.gradient(y, x)
    check(dy, 75.0)
    assert g.gradient(dy, x) is None


def test_41_second_derivative_of_linear_function_is_none():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as g:
        g.watch(x)
        with tf.GradientTape(persistent=True) as gg:
            gg.watch(x)
            y = tf.identity(x)
            z = 3 * x
        dy = gg.gradient(y, x)
        dz = gg.gradient(z, x)
    check(dy, 1.0)
    check(dz, 3.0)
    assert g.gradient(dy, x) is None
    assert g.gradient(dz, x) is None
    check(g.gradient(dz, x, unconnected_gradients="zero"), 0.0)
    check(g.gradient(dy, x, unconnected_gradients="zero"), 0.0)


def test_41_batch_jacobian_of_inner_jacobian():
    x = tf.ones((10, 2))
    with tf.GradientTape() as g:
        g.watch(x)
        with tf.GradientTape() as gg:
            gg.watch(x)
            y = tf.reduce_sum(x * x)
        dy = gg.jacobian(y, x)
    check(dy, np.full((10, 2), 2.0))
    h = g.batch_jacobian(dy, x)
    check(h, np.tile(np.array([[2.0, 0.0], [0.0, 2.0]]), (10, 1, 1)))


def test_41_inner_gradient_feeds_outer_computation():
    x = tf.constant(3.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
        with tf.GradientTape() as gg:
            gg.watch(y)
            z = 2 * y
        inner = gg.gradient(z, [y])[0]
        check(inner, 2.0)
        y += inner
    check(g.gradient(y, [x])[0], 6.0)


def test_42_jacobian_of_elementwise_square():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t:
        y = x * x
    check(t.jacobian(y, x), [[2.0, 0.0], [0.0, 4.0]])


def test_42_jacobian_shape_is_target_shape_plus_source_shape():
    xv = np.arange(6.0).reshape(2, 3)
    wv = np.arange(12.0).reshape(3, 4) / 10.0
    x = tf.constant(xv)
    w = tf.constant(wv)
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, w])
        y = tf.matmul(x, w)
        s = tf.reduce_sum(y)
    jx, jw = t.jacobian(y, [x, w])
    eye2, eye4 = np.eye(2), np.eye(4)
    check(jx, np.einsum("ik,lj->ijkl", eye2, wv), dtype=tf.float64)  # (2,4,2,3)
    check(jw, np.einsum("ik,jl->ijkl", xv, eye4), dtype=tf.float64)  # (2,4,3,4)
    js = t.jacobian(s, x)
    check(js, np.tile(wv.sum(axis=1), (2, 1)), dtype=tf.float64)  # (2,3)


def test_42_jacobian_vector_target_scalar_source():
    a = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = tf.stack([a, a**2, a**3])
    check(t.jacobian(y, a), [1.0, 4.0, 12.0])


def test_42_jacobian_list_of_sources_returns_list():
    a = tf.Variable([1.0, 2.0])
    b = tf.Variable([3.0, 4.0])
    with tf.GradientTape() as t:
        y = a * b
    j = t.jacobian(y, [a, b])
    assert isinstance(j, list) and len(j) == 2
    check(j[0], [[3.0, 0.0], [0.0, 4.0]])
    check(j[1], [[1.0, 0.0], [0.0, 2.0]])


def test_42_jacobian_unconnected_none_or_zeros():
    x = tf.constant([1.0, 2.0, 3.0])
    z = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, z])
        y = z * 2
    assert t.jacobian(y, x) is None
    check(t.jacobian(y, x, unconnected_gradients="zero"), np.zeros((2, 3)))


def test_42_jacobian_of_target_computed_outside_tape_is_none():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        y = x * x
    z = y * 3
    assert t.jacobian(z, x) is None


def test_42_jacobian_without_pfor_needs_persistent_tape():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises(RuntimeError, match="persistent"):
        t.jacobian(y, x, experimental_use_pfor=False)


def test_42_jacobian_without_pfor_on_persistent_tape():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
    check(t.jacobian(y, x, experimental_use_pfor=False), [[2.0, 0.0], [0.0, 4.0]])


def test_42_default_jacobian_uses_up_non_persistent_tape():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    check(t.jacobian(y, x), [[2.0, 0.0], [0.0, 4.0]])
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.jacobian(y, x)


def test_43_batch_jacobian_elementwise_square():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    check(
        t.batch_jacobian(y, x),
        [[[2.0, 0.0], [0.0, 4.0]], [[6.0, 0.0], [0.0, 8.0]]],
    )


def test_43_batch_jacobian_shape_batch_y_row_x_row():
    xv = np.linspace(-1.0, 1.0, 35).reshape(7, 5)
    wv = np.linspace(0.5, 2.0, 15).reshape(5, 3)
    x = tf.constant(xv)
    w = tf.constant(wv)
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.tanh(tf.matmul(x, w))
    j = t.batch_jacobian(y, x)
    d = 1.0 - np.tanh(xv @ wv) ** 2  # (7, 3)
    expected = d[:, :, None] * wv.T[None, :, :]  # (7, 3, 5)
    check(j, expected, dtype=tf.float64)


def test_43_batch_jacobian_rank_1_input_raises():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.ones((2, 2)) * tf.reduce_sum(x)
    with pytest.raises(ValueError, match="rank at least 2"):
        t.batch_jacobian(y, x)


def test_43_batch_jacobian_batch_mismatch_raises():
    x = tf.constant(np.ones((2, 3), np.float32))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.ones((4, 3)) * tf.reduce_sum(x)
    with pytest.raises(ValueError, match="first dimension"):
        t.batch_jacobian(y, x)


def test_43_batch_jacobian_unconnected_gives_zeros_not_none():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    z = tf.constant([[1.0, 1.0], [1.0, 1.0]])
    with tf.GradientTape() as t:
        t.watch([x, z])
        y = z * 2
    check(t.batch_jacobian(y, x), np.zeros((2, 2, 2)))


def test_43_hessian_from_batch_jacobian_computed_outside_tape_is_zeros():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        with tf.GradientTape() as gg:
            gg.watch(x)
            y = x**3
    dy = gg.batch_jacobian(y, x)  # computed after leaving g: not recorded on g
    check(g.batch_jacobian(dy, x), np.zeros((2, 2, 2, 2)))


def test_43_hessian_rows_with_nested_tapes():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        with tf.GradientTape() as gg:
            gg.watch(x)
            y = tf.reduce_sum(x**3)
        dy = gg.gradient(y, x)
    check(
        g.batch_jacobian(dy, x),
        [[[6.0, 0.0], [0.0, 12.0]], [[18.0, 0.0], [0.0, 24.0]]],
    )
