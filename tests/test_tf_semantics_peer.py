"""Ports of TensorFlow's ``tensorflow/python/eager/backprop_test.py`` (rows 1-36 of
``shared/reference/peer_tests.md`` section 1), rewritten for the tape API with exact values.

Test names are ``test_peer_NN_...`` with NN the row number of that table."""

import numpy as np
import pytest
from grad_checks import check, check_struct

from adkernel import tf

pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")


def test_peer_01_two_targets():
    with tf.GradientTape() as t:
        x = tf.constant(3.0)
        y = tf.constant(2.0)
        t.watch([x, y])
        xx = 2 * x
        yy = 3 * y
    dx, dy = t.gradient([xx, yy], [x, y])
    check(dx, 2.0)
    check(dy, 3.0)


def test_peer_02_output_gradient_used_in_computation():
    with tf.GradientTape() as t:
        x = tf.constant(3.0)
        y = tf.constant(2.0)
        t.watch([x, y])
        loss = x * y
    (dx,) = t.gradient([loss, x], [x], output_gradients=[1.0, 2.0])
    check(dx, 4.0)


def test_peer_03_no_op_and_identity_gradient_is_one():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x
    check(t.gradient(y, x), 1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.identity(x)
    check(t.gradient(y, x), 1.0)


def test_peer_04_multi_target_one_is_source():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    check(t.gradient([x, y], x), 5.0)


def test_peer_05_no_op_multi_target_all_source():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x
    check(t.gradient([y, y], x), 2.0)


def test_peer_05_no_op_multi_target_multi_source():
    x = tf.constant(3.0)
    y = tf.constant(5.0)
    with tf.GradientTape() as t:
        t.watch(x)
        t.watch(y)
        z = y * y
    check_struct(t.gradient([x, y, z], [x, y]), [1.0, 11.0])


def test_peer_06_no_op_gradient_2_by_2():
    a = tf.constant(2.0, shape=[2, 2])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(a)
    check(tape.gradient(a, [a])[0], np.ones((2, 2)))
    check(tape.gradient([a, a], [a])[0], np.full((2, 2), 2.0))


def test_peer_07_stop_recording():
    with tf.GradientTape() as t:
        x = tf.Variable(1.0)
        with t.stop_recording():
            y = x * x
    assert t.gradient(y, x) is None


def test_peer_08_stop_start_recording():
    with tf.GradientTape(persistent=True) as t:
        x = tf.Variable(1.0)
        x2 = x * 2
        with t.stop_recording():
            y = x2 * x2
        z = x2 * x2
    assert t.gradient(y, x2) is None
    check(t.gradient(z, x2), 4.0)


def test_peer_09_reset():
    with tf.GradientTape() as t:
        v = tf.Variable(1.0)
        loss = v * v
        t.reset()
        loss += v * v
    check(t.gradient(loss, v), 2.0)


def test_peer_10_python_max():
    x = [tf.Variable(2.0), tf.Variable(3.0), tf.Variable(5.0)]
    with tf.GradientTape() as t:
        f = max(x)
    grad = t.gradient(f, x)
    assert float(f) == 5.0
    check_struct(grad, [None, None, 1.0])


def test_peer_11_automatic_watched_variables():
    with tf.GradientTape() as t:
        assert len(t.watched_variables()) == 0
        v = tf.Variable(1.0)
        loss = v * v
        assert list(t.watched_variables()) == [v]
        t.reset()
        assert len(t.watched_variables()) == 0
        loss += v * v
        assert list(t.watched_variables()) == [v]


def test_peer_11_explicit_watched_variables():
    with tf.GradientTape() as t:
        assert len(t.watched_variables()) == 0
        v = tf.Variable(1.0)
        t.watch(v)
        assert list(t.watched_variables()) == [v]
        t.reset()
        assert len(t.watched_variables()) == 0
        t.watch(v)
        assert list(t.watched_variables()) == [v]


def test_peer_12_gradient_within_tape_block():
    v1 = tf.Variable(1.0)
    with tf.GradientTape() as t:
        loss = 2 * v1
        grad = t.gradient(loss, v1)
    check(grad, 2.0)
    with tf.GradientTape(persistent=True) as t:
        loss = 2 * v1
        grad = t.gradient(loss, v1)
    check(grad, 2.0)


def test_peer_13_nested_self_contexts():
    with tf.GradientTape() as t:
        with pytest.raises(ValueError):
            with t:
                pass


def test_peer_14_watching_is_tape_local():
    x1 = tf.Variable(2.0, trainable=False)
    x2 = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape1:
        with tf.GradientTape() as tape2:
            tape1.watch(x1)
            tape2.watch([x1, x2])
            y = x1**3
            z = x2**2
            dy, dz = tape2.gradient([y, z], [x1, x2])
        d2y, d2z = tape1.gradient([dy, dz], [x1, x2])
    check(d2y, 12.0)
    assert d2z is None


def test_peer_15_re_enter_context():
    g = tf.GradientTape()
    with g:
        x = tf.constant(3.0)
        g.watch(x)
        y = 2 * x
    with g:
        z = 2 * y
    check_struct(g.gradient(target=z, sources=[x]), [4.0])


def test_peer_16_repeated_source():
    with tf.GradientTape(persistent=False) as g:
        x = tf.constant(3.0)
        g.watch(x)
        y = 2 * x
    check_struct(g.gradient(target=y, sources=[x, x]), [2.0, 2.0])


def test_peer_16_persistent_repeated_source():
    with tf.GradientTape(persistent=True) as g:
        x = tf.constant(3.0)
        y = tf.constant(5.0)
        g.watch(x)
        g.watch(y)
        z = x * x + x * y
    check_struct(g.gradient(target=z, sources=[x, x]), [11.0, 11.0])
    check_struct(g.gradient(target=z, sources=[y, x]), [3.0, 11.0])


def test_peer_17_structure():
    with tf.GradientTape(persistent=True) as g:
        x1 = tf.constant(3.0)
        x2 = tf.constant(3.1)
        x3 = tf.constant(3.2)
        g.watch(x1)
        g.watch(x2)
        g.watch(x3)
        y = x1 + 2 * x2 + 3 * x3
    check_struct(g.gradient(y, x1), 1.0)
    check_struct(g.gradient(y, (x1,)), (1.0,))
    check_struct(g.gradient(y, (x1, x2)), (1.0, 2.0))
    check_struct(g.gradient(y, [(x1, x2), (x2, x3)]), [(1.0, 2.0), (2.0, 3.0)])
    check_struct(g.gradient(y, (x1, x2, [x1, x3])), (1.0, 2.0, [1.0, 3.0]))
    check_struct(g.gradient(y, [x1, {"x2": x2, "x3": x3}]), [1.0, {"x2": 2.0, "x3": 3.0}])


def test_peer_18_inner_gradient_used_in_outer_computation():
    with tf.GradientTape() as g:
        x = tf.constant(3.0)
        g.watch(x)
        y = x * x
        with tf.GradientTape() as gg:
            gg.watch(y)
            z = 2 * y
        inner_grad = gg.gradient(z, [y])[0]
        check(inner_grad, 2.0)
        y += inner_grad
    check(g.gradient(y, [x])[0], 6.0)


def test_peer_19_called_on_constant_target():
    with tf.GradientTape() as g:
        x = tf.Variable([3.0])
        y = tf.Variable([2.0])
    assert g.gradient(x, y) is None


def test_peer_20_gradient_called_multiple_times():
    with tf.GradientTape() as g:
        x = tf.constant(3.0)
        g.watch(x)
        y = x * x
        z = y * y
    g.gradient(z, [x])
    with pytest.raises(RuntimeError, match="non-persistent"):
        g.gradient(y, [x])


def test_peer_21_persistent_tape():
    with tf.GradientTape(persistent=True) as g:
        x = tf.constant(3.0)
        g.watch(x)
        y = x * x
        z = y * y
    check(g.gradient(z, [x])[0], 4 * 3 * 3 * 3)
    check(g.gradient(y, [x])[0], 2 * 3)
    del g


def test_peer_22_higher_order_gradient():
    with tf.GradientTape(persistent=True) as g:
        x = tf.constant(3.0)
        g.watch(x)
        y = x**3
        dy_dx = g.gradient(y, x)
        d2y_dx2 = g.gradient(dy_dx, x)
    d3y_dx3 = g.gradient(d2y_dx2, x)
    np.testing.assert_allclose(y.numpy(), 27.0, rtol=1e-6)
    check(dy_dx, 27.0)
    check(d2y_dx2, 18.0)
    check(d3y_dx3, 6.0)


def test_peer_23_persistent_nested_tape():
    with tf.GradientTape(persistent=True) as g:
        x = tf.constant(3.0)
        g.watch(x)
        y = x * x
        with tf.GradientTape(persistent=True) as gg:
            gg.watch(y)
            z = 2 * y
        for _ in range(2):
            inner_grad = gg.gradient(z, [y])[0]
            check(inner_grad, 2.0)
        y += inner_grad
        del gg
    check(g.gradient(y, [x])[0], 6.0)
    check(g.gradient(z, [x])[0], 12.0)


def test_peer_24_nested_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
        z = y * y
    dz_dx, dz_dy = g.gradient(z, [x, y])
    check(dz_dx, 108.0)
    check(dz_dy, 18.0)


def test_peer_25_unconnected_gradients_default():
    x = tf.constant(1.0)
    y = tf.constant(3.0)
    with tf.GradientTape() as g:
        g.watch([x, y])
        z = y * 2
    assert g.gradient(z, x) is None


def test_peer_25_unconnected_gradients_zeros():
    x = tf.constant(1.0, shape=[2, 2])
    y = tf.constant(3.0)
    with tf.GradientTape() as g:
        g.watch([x, y])
        z = y * 2
    check(g.gradient(z, x, unconnected_gradients="zero"), [[0.0, 0.0], [0.0, 0.0]])


def test_peer_25_unconnected_gradients_variables_zeros():
    x = tf.Variable(tf.constant(1.0, shape=[2, 2]))
    y = tf.Variable(tf.constant(3.0))
    with tf.GradientTape() as g:
        g.watch([x, y])
        z = y * 2
    check(g.gradient(z, x, unconnected_gradients="zero"), [[0.0, 0.0], [0.0, 0.0]])


def test_peer_25_unknown_unconnected_gradients_value():
    x = tf.constant(1.0)
    y = tf.constant(1.0)
    with tf.GradientTape() as g:
        g.watch([x, y])
        z = y * 2
    with pytest.raises(ValueError, match="unconnected_gradients"):
        g.gradient(z, x, unconnected_gradients="nonsense")


def test_peer_26_selectively_watch_variables():
    x1 = tf.Variable(1.0)
    x2 = tf.Variable(1.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x2)
        y = x1**2
        z = x2**3
    watched = tape.watched_variables()
    assert isinstance(watched, tuple) and len(watched) == 1 and watched[0] is x2
    dy, dz = tape.gradient([y, z], [x1, x2])
    assert dy is None
    check(dz, 3.0)


def test_peer_27_differentiating_scalar_cache():
    with tf.GradientTape(persistent=False) as g:
        x1 = tf.constant(3.0)
        x2 = tf.constant(3.0)
        g.watch(x1)
        g.watch(x2)
        y = x1 + x2
    check_struct(g.gradient(target=y, sources=[x1]), [1.0])


def test_peer_28_variables_and_constants_produce_the_same_gradients():
    def get_grads(a, b):
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            y = a**3
            z = b**2
        return tape.gradient([y, z], [a, b])

    from_constants = get_grads(tf.constant(2.0), tf.constant(2.0))
    from_variables = get_grads(tf.Variable(2.0), tf.Variable(2.0))
    check_struct(from_constants, [12.0, 4.0])
    check_struct(from_variables, [12.0, 4.0])


def test_peer_29_watch_bad_thing():
    with tf.GradientTape() as g:
        with pytest.raises(ValueError, match="ndarray"):
            g.watch(np.array(1.0))


def test_peer_30_where_gradient():
    for value, expected in ((5.0, 1.0), (50.0, 100.0)):
        x = tf.constant(value)
        with tf.GradientTape() as t:
            t.watch(x)
            y = tf.where(x < 10, x, x * x)
        check(t.gradient(y, x), expected)


def test_peer_31_gradient_integer():
    x = tf.constant(1)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x + x
    assert t.gradient(y, x) is None


def test_peer_31_stop_gradient_of_argmax():
    x = tf.constant([0.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.stop_gradient(tf.argmax(x))
    assert t.gradient(y, x) is None


def test_peer_31_argmax_then_stop_gradient():
    x = tf.constant([0.0])
    with tf.GradientTape() as t:
        t.watch(x)
        i = tf.argmax(x)
        y = tf.stop_gradient(i)
    assert t.gradient(y, x) is None


def _second_derivative(fn, value):
    x = tf.constant(value)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = fn(x)
        dy = inner.gradient(y, x)
    return outer.gradient(dy, x)


def test_peer_32_grad_grad_square():
    check(_second_derivative(lambda x: x * x, 3.0), 2.0)


def test_peer_32_grad_grad_exp():
    check(_second_derivative(lambda x: tf.exp(x), 0.0), 1.0)


def test_peer_32_make_vjp():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    np.testing.assert_allclose(y.numpy(), 9.0, rtol=1e-6)
    check(t.gradient(y, x, output_gradients=tf.constant(2.0)), 12.0)


@pytest.mark.parametrize("use_pfor", [True, False], ids=["pfor", "while_loop"])
def test_peer_33_jacobian(use_pfor):
    with tf.GradientTape(persistent=not use_pfor) as g:
        x = tf.constant([1.0, 2.0])
        y = tf.constant([3.0, 4.0])
        g.watch(x)
        g.watch(y)
        z = x * x * y
    jac = g.jacobian(z, [x, y], experimental_use_pfor=use_pfor)
    assert isinstance(jac, list) and len(jac) == 2
    check(jac[0], np.diag([6.0, 16.0]))
    check(jac[1], np.diag([1.0, 4.0]))


def test_peer_34_jacobian_persistent_tape_required_without_pfor():
    with tf.GradientTape() as g:
        x = tf.constant([1.0, 2.0])
        g.watch(x)
        y = x * x
    with pytest.raises(RuntimeError, match="persistent"):
        g.jacobian(y, x, experimental_use_pfor=False)


def test_peer_34_batch_jacobian_persistent_tape_required_without_pfor():
    with tf.GradientTape() as g:
        x = tf.constant([[1.0, 2.0]])
        g.watch(x)
        y = x * x
    with pytest.raises(RuntimeError, match="persistent"):
        g.batch_jacobian(y, x, experimental_use_pfor=False)


@pytest.mark.parametrize("use_pfor", [True, False], ids=["pfor", "while_loop"])
def test_peer_35_batch_jacobian(use_pfor):
    with tf.GradientTape(persistent=not use_pfor) as g:
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        y = tf.constant([[3.0, 4.0], [5.0, 6.0]])
        g.watch(x)
        z = x * x * y
    bj = g.batch_jacobian(z, x, experimental_use_pfor=use_pfor)
    check(bj, np.stack([np.diag([6.0, 16.0]), np.diag([30.0, 48.0])]))


def test_peer_35_batch_jacobian_bad_shape():
    x = tf.constant(np.random.RandomState(0).uniform(size=(2, 3)).astype(np.float32))
    with tf.GradientTape() as g:
        y = tf.concat([x, x], axis=0)
    with pytest.raises(ValueError, match="Need first dimension"):
        g.batch_jacobian(y, x)


def test_peer_35_batch_jacobian_bad_input_rank():
    x = tf.constant([0.5, 0.25])
    with tf.GradientTape() as g:
        y = tf.constant([[0.1, 0.2], [0.3, 0.4]])
    with pytest.raises(ValueError, match="must have rank at least 2"):
        g.batch_jacobian(y, x)


def test_peer_35_batch_jacobian_bad_output_rank():
    x = tf.constant([[0.5, 0.25], [0.1, 0.2]])
    with tf.GradientTape() as g:
        y = tf.constant([0.1, 0.2])
    with pytest.raises(ValueError, match="must have rank at least 2"):
        g.batch_jacobian(y, x)


def test_peer_35_batch_jacobian_degenerate_shape():
    x = tf.constant([[]])
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * 2
    assert tuple(g.batch_jacobian(y, x).shape) == (1, 0, 0)


def test_peer_36_nested_jacobian():
    x = tf.ones((10, 2))
    with tf.GradientTape() as g:
        g.watch(x)
        with tf.GradientTape() as gg:
            gg.watch(x)
            y = tf.reduce_sum(x * x)
        dy = gg.jacobian(y, x)
    h = g.batch_jacobian(dy, x)
    check(h, np.tile(np.array([[2.0, 0.0], [0.0, 2.0]]), (10, 1, 1)))


# ----- tf.truediv converts x on its own (TensorFlow 2.21, measured) ------------------------


@pytest.mark.parametrize("call", [
    lambda: tf.truediv(3, tf.constant([2.0])),                        # int32 / float32
    lambda: tf.truediv(tf.constant([2]), 2.5),                        # int32 / float32
    lambda: tf.truediv(np.array([3.0]), tf.constant([2.0])),          # float64 / float32
    lambda: tf.truediv([1, 2], tf.constant([2.0], tf.float64)),       # int32 / float64
    lambda: tf.math.truediv(tf.constant([2]), tf.constant([2], tf.int64)),
])
def test_truediv_refuses_two_dtypes_with_a_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_truediv_converts_y_with_x_dtype_and_divide_converts_a_list_x_with_y_dtype():
    x64 = tf.constant([-0.5], tf.float64)
    r = tf.truediv(x64, np.array([2.0], np.float32))  # y takes x's dtype
    assert r.dtype == tf.float64 and r.numpy().tolist() == [-0.25]
    assert tf.truediv(tf.constant([3]), 2).numpy().tolist() == [1.5]  # int32: float64 result
    d = tf.divide([1.0, 2.0], x64)  # tf.divide: the list becomes float64
    assert d.dtype == tf.float64 and d.numpy().tolist() == [-2.0, -4.0]
