"""TensorFlow GradientTape semantics, part 1: basics, structure, tape lifetime, watching.

Each test is named after the item of ``shared/reference/tf_tape_semantics.md`` it checks
(``test_NN_...``). Expected numbers were measured on TF 2.21; where adkernel deliberately
differs from TF (error messages, teaching warnings) the adkernel decision is tested.
"""

import numpy as np
import pytest
from grad_checks import check, check_struct

from adkernel import tf

# Tests that expect ``None`` do not care about the teaching warning here; it has its own tests
# in test_tf_semantics_explain.py.
pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")


# ---------------------------------------------------------------------------------------------
# A. Basics
# ---------------------------------------------------------------------------------------------


def test_01_basic_gradient_is_a_tensor_not_a_variable():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = x**2
    assert x.dtype == tf.float32
    assert isinstance(y, tf.Tensor) and not isinstance(y, tf.Variable)
    g = t.gradient(y, x)
    check(g, 6.0)
    assert tuple(g.shape) == ()


def test_02_constants_are_not_watched_automatically():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        y = x**2
    assert t.gradient(y, x) is None


def test_02_watched_constant_gives_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x**2
    check(t.gradient(y, x), 6.0)


def test_03_variable_created_inside_tape_is_watched_when_read():
    with tf.GradientTape() as t:
        v = tf.Variable(2.0)
        y = v * v
    assert len(t.watched_variables()) == 1
    assert t.watched_variables()[0] is v
    check(t.gradient(y, v), 4.0)


def test_04_value_computed_before_the_tape_is_not_recorded():
    x = tf.Variable(2.0)
    y0 = x * x
    with tf.GradientTape() as t:
        z = y0 * 2
    assert t.gradient(z, x) is None


def test_04_value_computed_after_the_tape_is_not_recorded():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x
    z = y * 3
    check(t.gradient(y, x), 4.0)
    assert t.gradient(z, x) is None


def test_05_gradient_wrt_intermediate_tensor_needs_no_watch():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = x * x
        z = y * 2
    check(t.gradient(z, y), 2.0)


def test_06_variable_target_identical_to_source():
    v = tf.Variable(3.0)
    with tf.GradientTape() as t:
        pass
    check(t.gradient(v, v), 1.0)


def test_06_no_op_target_is_the_source():
    v0 = tf.Variable(1.0)
    with tf.GradientTape() as t:
        result = v0
    check(t.gradient(result, v0), 1.0)


def test_06_multi_target_one_is_source():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    check(t.gradient([x, y], x), 5.0)


def test_06_variable_target_other_variable_source_is_none():
    # backprop_test testGadientTapeCalledOnConstantTarget
    with tf.GradientTape() as t:
        x = tf.Variable([3.0])
        y = tf.Variable([2.0])
    assert t.gradient(x, y) is None


# ---------------------------------------------------------------------------------------------
# B. Structure of sources and targets
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def three_vars_tape():
    x1, x2, x3 = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        y = x1 + 2 * x2 + 3 * x3
    return t, y, x1, x2, x3


def test_07_bare_source_gives_bare_tensor(three_vars_tape):
    t, y, x1, _, _ = three_vars_tape
    check(t.gradient(y, x1), 1.0)


def test_07_list_source_gives_list(three_vars_tape):
    t, y, x1, x2, _ = three_vars_tape
    check_struct(t.gradient(y, [x1, x2]), [1.0, 2.0])


def test_07_tuple_source_gives_tuple(three_vars_tape):
    t, y, x1, x2, _ = three_vars_tape
    check_struct(t.gradient(y, (x1, x2)), (1.0, 2.0))
    check_struct(t.gradient(y, (x1,)), (1.0,))


def test_07_dict_source_gives_dict_with_same_keys(three_vars_tape):
    t, y, x1, _, x3 = three_vars_tape
    check_struct(t.gradient(y, {"a": x1, "b": x3}), {"a": 1.0, "b": 3.0})


def test_07_deeply_nested_source_structure(three_vars_tape):
    t, y, x1, x2, x3 = three_vars_tape
    check_struct(t.gradient(y, [x1, {"b": (x2, [x3])}]), [1.0, {"b": (2.0, [3.0])}])


def test_07_unconnected_entry_inside_structure_is_none():
    x = tf.Variable(1.0)
    y = tf.Variable(2.0)
    with tf.GradientTape() as t:
        z = 3 * x
    check_struct(t.gradient(z, {"x": x, "y": y}), {"x": 3.0, "y": None})


def test_08_repeated_sources_each_get_full_gradient(three_vars_tape):
    t, y, x1, _, _ = three_vars_tape
    check_struct(t.gradient(y, [x1, x1]), [1.0, 1.0])


def test_08_repeated_sources_square():
    a = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = a * a
    check_struct(t.gradient(y, [a, a]), [4.0, 4.0])


def test_09_non_scalar_target_is_summed():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        y = x * x
    check(t.gradient(y, x), [2.0, 4.0, 6.0])


def test_09_list_of_targets_is_summed():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y1 = x * x
        y2 = 5 * x
    check(t.gradient([y1, y2], x), 11.0)


def test_09_dict_of_targets_is_summed():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y1 = x * x
        y2 = 5 * x
    check(t.gradient({"a": y1, "b": y2}, x), 11.0)


def test_10_output_gradients_vector_jacobian_product():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        y = x * x
    g = t.gradient(y, x, output_gradients=tf.constant([1.0, 0.0, 10.0]))
    check(g, [2.0, 0.0, 60.0])


def test_10_output_gradients_one_per_target():
    x = tf.constant(3.0)
    y0 = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch([x, y0])
        loss = x * y0
    check_struct(t.gradient([loss, x], [x], output_gradients=[1.0, 2.0]), [4.0])


def test_10_output_gradients_wrong_shape_raises_invalid_argument():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        y = x * x
    with pytest.raises(tf.errors.InvalidArgumentError):
        t.gradient(y, x, output_gradients=tf.constant([1.0, 2.0]))


def test_10_output_gradients_containing_none_raises_value_error():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y1 = x * x
        y2 = 5 * x
    with pytest.raises(ValueError):
        t.gradient([y1, y2], x, output_gradients=[None, tf.constant(10.0)])


# ---------------------------------------------------------------------------------------------
# C. Tape lifetime and persistence
# ---------------------------------------------------------------------------------------------


def test_11_non_persistent_tape_second_gradient_raises():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = x * x
    check(t.gradient(y, x), 6.0)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.gradient(y, x)


def test_11_non_persistent_tape_second_jacobian_raises():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t:
        y = x * x
    t.jacobian(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.jacobian(y, x)


def test_11_non_persistent_tape_gradient_after_jacobian_raises():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t:
        y = x * x
    t.jacobian(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.gradient(y, x)


def test_12_persistent_tape_allows_repeated_calls():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    check(t.gradient(z, x), 108.0)
    check(t.gradient(y, x), 6.0)
    check(t.gradient(z, y), 18.0)
    del t


def test_13_tape_never_entered_says_it_never_recorded():
    x = tf.Variable(3.0)
    y = x * x
    t = tf.GradientTape()
    with pytest.raises(RuntimeError, match="never"):
        t.gradient(y, x)


def test_14_entering_an_active_tape_raises_value_error():
    with tf.GradientTape() as t:
        with pytest.raises(ValueError, match="already"):
            with t:
                pass


def test_15_re_entering_after_exit_keeps_recording_on_same_tape():
    x = tf.constant(3.0)
    g = tf.GradientTape()
    with g:
        g.watch(x)
        y = 2 * x
    with g:
        z = 2 * y
    check_struct(g.gradient(z, [x]), [4.0])


def test_16_used_non_persistent_tape_can_be_re_entered_fresh():
    x = tf.Variable(3.0)
    t = tf.GradientTape()
    with t:
        y = x * x
    check(t.gradient(y, x), 6.0)
    with t:
        z = x * x * x
    check(t.gradient(z, x), 27.0)


def test_17_gradient_inside_block_non_persistent():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = x * x
        check(t.gradient(y, x), 6.0)
        with pytest.raises(RuntimeError, match="non-persistent"):
            t.gradient(y, x)


def test_17_gradient_inside_block_persistent_keeps_recording():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x
        g = t.gradient(y, x)
        z = g * x  # recorded: z = 2x * x
    check(g, 6.0)
    check(t.gradient(z, x), 12.0)


def test_18_outer_tape_records_inner_gradient_computation():
    x = tf.Variable(3.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as t:
            y = x * x
        g = t.gradient(y, x)
    check(g, 6.0)
    check(outer.gradient(g, x), 2.0)


# ---------------------------------------------------------------------------------------------
# D. What gets watched
# ---------------------------------------------------------------------------------------------


def test_19_watch_accepts_nested_list_of_tensors():
    a, b, c = tf.constant(2.0), tf.constant(3.0), tf.constant(4.0)
    with tf.GradientTape() as t:
        t.watch([a, [b, c]])
        y = a * b * c
    check_struct(t.gradient(y, [a, b, c]), [12.0, 8.0, 6.0])


def test_19_watch_accepts_a_variable():
    v = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        t.watch(v)
        y = v * v * v
    check(t.gradient(y, v), 12.0)


def test_20_watch_rejects_ndarray():
    with tf.GradientTape() as t:
        with pytest.raises(ValueError, match="ndarray"):
            t.watch(np.array(1.0))


def test_20_watch_rejects_python_float():
    with tf.GradientTape() as t:
        with pytest.raises(ValueError, match="float"):
            t.watch(1.0)


def test_21_watching_after_the_op_is_too_late():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        y = x * x
        t.watch(x)
    assert t.gradient(y, x) is None


def test_22_watch_accessed_variables_false():
    x, w = tf.Variable(2.0), tf.Variable(5.0)
    with tf.GradientTape(watch_accessed_variables=False, persistent=True) as t:
        t.watch(x)
        y = x**2
        z = w**3
    check(t.gradient(y, x), 4.0)
    assert t.gradient(z, w) is None
    watched = t.watched_variables()
    assert isinstance(watched, tuple)
    assert len(watched) == 1 and watched[0] is x
    assert [v.name for v in watched] == ["Variable:0"]


def test_23_non_trainable_variable_is_not_auto_watched():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as t:
        y = v * v
    assert t.gradient(y, v) is None


def test_23_non_trainable_variable_can_be_watched_explicitly():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as t:
        t.watch(v)
        y = v * v
    check(t.gradient(y, v), 4.0)


def test_24_watched_variables_tuple_in_construction_order():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    with tf.GradientTape() as t:
        y = b * a
    watched = t.watched_variables()
    assert isinstance(watched, tuple)
    assert tuple(v.name for v in watched) == ("a:0", "b:0")
    assert watched[0] is a and watched[1] is b
    check_struct(t.gradient(y, [a, b]), [2.0, 1.0])


def test_24_reset_clears_watched_variables():
    with tf.GradientTape() as t:
        assert len(t.watched_variables()) == 0
        v = tf.Variable(1.0)
        loss = v * v
        assert t.watched_variables() == (v,)
        t.reset()
        assert len(t.watched_variables()) == 0
        loss += v * v
        assert t.watched_variables() == (v,)
    check(t.gradient(loss, v), 2.0)


def test_25_watching_is_tape_local():
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
    check(dy, 12.0)
    check(dz, 4.0)
    check(d2y, 12.0)
    assert d2z is None
