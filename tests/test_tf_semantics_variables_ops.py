"""TensorFlow GradientTape semantics, part 3: Variables (assign, conversion, Python protocols),
gradients of individual ops, tf.where, indexing/gather/broadcasting, leaving the tape, bad
arguments and complex numbers (items 44-68 of ``shared/reference/tf_tape_semantics.md``)."""

import numpy as np
import pytest
from grad_checks import check

from adkernel import tf

pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")


def grad_of(fn, value, dtype=None):
    """Gradient of ``fn(x)`` (summed if not scalar) with respect to a fresh Variable ``x``."""
    x = tf.Variable(np.asarray(value, dtype=np.float32 if dtype is None else dtype))
    with tf.GradientTape() as t:
        y = fn(x)
    return t.gradient(y, x)


# ---------------------------------------------------------------------------------------------
# I. Variables: state, assign, conversion
# ---------------------------------------------------------------------------------------------


def test_44_assign_blocks_the_gradient():
    v = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        w = tf.Variable(0.0)
        w.assign(v * 3.0)
        y = w * 1.0
    np.testing.assert_allclose(y.numpy(), 6.0, rtol=1e-6)
    assert t.gradient(y, v) is None
    check(t.gradient(y, w), 1.0)


def test_44_assign_add_blocks_the_gradient():
    x0 = tf.Variable(3.0)
    x1 = tf.Variable(0.0)
    with tf.GradientTape() as t:
        x1.assign_add(x0)
        y = x1**2
    assert t.gradient(y, x0) is None


def test_44_self_assign_then_read_differentiates_new_value():
    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        v.assign(v * 3)
        y = v * v
    assert float(v) == 6.0
    check(t.gradient(y, v), 12.0)


def test_45_assign_methods_return_the_variable_itself():
    v = tf.Variable(1.0)
    r = v.assign_add(2.0)
    assert r is v
    assert float(r) == 3.0
    v.assign(100.0)
    assert float(r) == 100.0
    assert v.assign(5.0) is v
    assert v.assign_sub(1.0) is v
    assert float(v) == 4.0


def test_45_read_value_false_returns_none():
    v = tf.Variable(1.0)
    assert v.assign(2.0, read_value=False) is None
    assert v.assign_add(2.0, read_value=False) is None
    assert v.assign_sub(1.0, read_value=False) is None
    assert float(v) == 3.0


def test_45_assign_chaining():
    v = tf.Variable(1.0)
    v.assign_add(1.0).assign_add(1.0)
    assert float(v) == 3.0


def test_46_assign_wrong_shape_raises_value_error():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match=r"(?i)shape"):
        v.assign([1.0, 2.0, 3.0])
    np.testing.assert_allclose(v.numpy(), [1.0, 2.0])


def test_46_assign_float64_tensor_into_float32_variable_raises():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError) as e:
        v.assign(tf.constant([3.0, 4.0], dtype=tf.float64))
    assert "float32" in str(e.value) and "float64" in str(e.value)


def test_46_assign_python_int_list_is_converted():
    v = tf.Variable([1.0, 2.0])
    v.assign([3, 4])
    assert v.dtype == tf.float32
    out = v.numpy()
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [3.0, 4.0])


def test_46_unknown_shape_variable_accepts_other_shapes():
    v = tf.Variable([1.0, 2.0], shape=tf.TensorShape(None))
    v.assign([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0, 3.0])


def test_47_in_place_add_on_variable_raises_and_points_to_assign_add():
    v = tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="assign_add"):
        v += 1.0
    assert float(v) == 1.0


def test_47_rebinding_variable_to_tensor_loses_the_gradient():
    x = tf.Variable(1.0)
    grads, kinds = [], []
    for _ in range(2):
        with tf.GradientTape() as t:
            y = x + 1
        kinds.append(isinstance(x, tf.Variable))
        grads.append(t.gradient(y, x))
        x = x + 1
    assert kinds == [True, False]
    assert isinstance(x, tf.Tensor)
    check(grads[0], 1.0)
    assert grads[1] is None


def test_48_variable_item_assignment_raises_type_error():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(TypeError):
        v[0] = 5.0


def test_48_sliced_assign_works():
    v = tf.Variable([1.0, 2.0])
    v[0].assign(5.0)
    np.testing.assert_array_equal(v.numpy(), [5.0, 2.0])


def test_48_tensor_item_assignment_raises_type_error():
    c = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError):
        c[0] = 5.0


def test_49_ops_on_variables_return_tensors():
    v = tf.Variable([1.0, 2.0])
    for r in (v * 2, v[0], tf.identity(v), v.read_value(), v.value()):
        assert isinstance(r, tf.Tensor), type(r)
        assert not isinstance(r, tf.Variable), type(r)


def test_50_numpy_of_scalar_is_numpy_scalar_and_vector_is_ndarray():
    assert type(tf.Variable(3.0).numpy()) is np.float32
    assert type(tf.constant(3.0).numpy()) is np.float32
    assert type(tf.Variable([1.0, 2.0]).numpy()) is np.ndarray
    assert type(tf.constant([1.0, 2.0]).numpy()) is np.ndarray
    assert float(tf.Variable(3.0)) == 3.0


def test_50_numpy_returns_a_copy():
    v = tf.Variable([1.0, 2.0])
    a = v.numpy()
    a[0] = 99.0
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    c = tf.constant([1.0, 2.0])
    b = c.numpy()
    b[0] = 99.0
    np.testing.assert_array_equal(c.numpy(), [1.0, 2.0])


def test_50_reprs():
    assert repr(tf.Variable(3.0)) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=3.0>"
    assert repr(tf.constant([1.0, 2.0])) == (
        "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    )


def test_50_variable_names():
    assert tf.Variable(1.0).name == "Variable:0"
    assert tf.Variable(1.0, name="w").name == "w:0"


def test_51_tensor_is_unhashable_use_ref():
    c = tf.constant(1.0)
    with pytest.raises(TypeError, match=r"ref\(\)"):
        {c: 1}
    v = tf.Variable(1.0)
    with pytest.raises(TypeError, match=r"ref\(\)"):
        {v: 1}
    d = {c.ref(): 1, v.ref(): 2}
    assert d[c.ref()] == 1 and d[v.ref()] == 2


def test_51_truth_value_of_vector_is_ambiguous():
    vec = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError):
        if vec > 0:
            pass
    hit = False
    if tf.Variable(1.0) > 0:
        hit = True
    assert hit


def test_51_len_of_variable_raises_type_error():
    with pytest.raises(TypeError):
        len(tf.Variable([1.0, 2.0]))


# ---------------------------------------------------------------------------------------------
# J. Gradients of individual ops, including non-differentiable points
# ---------------------------------------------------------------------------------------------


E_M2 = float(np.exp(np.float32(-2.0)))


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda x: tf.nn.relu(x), [0.0, 0.0, 1.0]),
        (lambda x: tf.abs(x), [-1.0, 0.0, 1.0]),
        (lambda x: tf.sign(x), [0.0, 0.0, 0.0]),
        (lambda x: tf.nn.leaky_relu(x, alpha=0.1), [0.1, 0.1, 1.0]),
        (lambda x: tf.nn.elu(x), [E_M2, 1.0, 1.0]),
    ],
    ids=["relu", "abs", "sign", "leaky_relu", "elu"],
)
def test_52_kinks_at_zero(fn, expected):
    check(grad_of(fn, [-2.0, 0.0, 3.0]), expected)


def test_52_scalar_derivatives_at_zero_are_zero():
    check(grad_of(lambda x: tf.nn.relu(x), 0.0), 0.0)
    check(grad_of(lambda x: tf.abs(x), 0.0), 0.0)
    check(grad_of(lambda x: tf.sign(x), 0.0), 0.0)


def test_53_maximum_minimum_ties_go_to_first_argument():
    check(grad_of(lambda x: tf.maximum(x, 0.0), 0.0), 1.0)
    check(grad_of(lambda x: tf.minimum(x, 0.0), 0.0), 1.0)
    for op in (tf.maximum, tf.minimum):
        x, y = tf.Variable(1.0), tf.Variable(1.0)
        with tf.GradientTape() as t:
            z = op(x, y)
        dx, dy = t.gradient(z, [x, y])
        check(dx, 1.0)
        check(dy, 0.0)


def test_54_reduce_max_ties_are_split_equally():
    check(grad_of(lambda x: tf.reduce_max(x), [1.0, 3.0, 3.0]), [0.0, 0.5, 0.5])


def test_54_reduce_min_and_max_along_axis():
    m = [[1.0, 1.0, 0.0], [2.0, 5.0, 5.0]]
    check(grad_of(lambda x: tf.reduce_min(x, axis=1), m), [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    check(grad_of(lambda x: tf.reduce_max(x, axis=1), m), [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])


def test_54_argmax_gradient_is_none():
    assert grad_of(lambda x: tf.argmax(x), [1.0, 3.0, 2.0]) is None


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_55_boundary_values_sqrt_pow_log():
    check(grad_of(lambda x: tf.sqrt(x), 0.0), np.inf)
    check(grad_of(lambda x: x**0.5, 0.0), np.inf)
    check(grad_of(lambda x: tf.math.log(x), 0.0), np.inf)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_55_boundary_values_norm_and_sqrt_of_square():
    check(grad_of(lambda x: tf.norm(x), [0.0, 0.0]), [np.nan, np.nan])
    check(grad_of(lambda x: tf.sqrt(x * x), 0.0), np.nan)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_55_sqrt_of_negative_is_nan_without_error():
    x = tf.Variable(-1.0)
    with tf.GradientTape() as t:
        y = tf.sqrt(x)
    assert np.isnan(y.numpy())
    check(t.gradient(y, x), np.nan)


def test_56_pow_at_zero_base_masks_log():
    x, e = tf.Variable(0.0), tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = x**e
    dx, de = t.gradient(y, [x, e])
    check(dx, 0.0)
    check(de, 0.0)


def test_56_zero_to_the_zero_float_exponent_gradient_is_nan():
    check(grad_of(lambda x: x**0.0, 0.0), np.nan)


def test_56_pow_negative_base():
    x, e = tf.Variable(-2.0), tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = x**e
    np.testing.assert_allclose(y.numpy(), 4.0, rtol=1e-6)
    dx, de = t.gradient(y, [x, e])
    check(dx, -4.0)
    check(de, 0.0)


def test_56_square_variants_at_negative_three():
    check(grad_of(lambda x: x**2, -3.0), -6.0)
    check(grad_of(lambda x: x**2.0, -3.0), -6.0)
    check(grad_of(lambda x: tf.square(x), -3.0), -6.0)
    check(grad_of(lambda x: x**3, -3.0), 27.0)


def test_57_division_by_zero():
    x, d = tf.Variable(1.0), tf.Variable(0.0)
    with tf.GradientTape() as t:
        y = x / d
    assert np.isposinf(y.numpy())
    dx, dd = t.gradient(y, [x, d])
    check(dx, np.inf)
    check(dd, -np.inf)


def test_58_clip_by_value():
    check(grad_of(lambda x: tf.clip_by_value(x, 1.0, 2.0), [0.5, 1.5, 2.5]), [0.0, 1.0, 0.0])
    check(grad_of(lambda x: tf.clip_by_value(x, 1.0, 2.0), [1.0, 2.0]), [1.0, 1.0])


def test_58_round_and_floor_gradients_are_none():
    assert grad_of(lambda x: tf.round(x), [0.4, 1.6]) is None
    assert grad_of(lambda x: tf.floor(x), [0.4, 1.6]) is None


def test_59_smooth_scalar_ops_at_zero():
    check(grad_of(lambda x: tf.sigmoid(x), 0.0), 0.25)
    check(grad_of(lambda x: tf.tanh(x), 0.0), 1.0)
    check(grad_of(lambda x: tf.exp(x), 0.0), 1.0)


def test_59_reduce_mean():
    check(grad_of(lambda x: tf.reduce_mean(x), [1.0, 2.0, 3.0, 4.0]), [0.25] * 4)


def test_59_matmul():
    a = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    b = tf.Variable([[1.0], [1.0]])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.matmul(a, b))
    da, db = t.gradient(y, [a, b])
    check(da, [[1.0, 1.0], [1.0, 1.0]])
    check(db, [[4.0], [6.0]])


def test_59_softmax_cross_entropy_with_logits():
    logits = tf.Variable([[0.0, 0.0]])
    with tf.GradientTape() as t:
        y = tf.nn.softmax_cross_entropy_with_logits(labels=[[1.0, 0.0]], logits=logits)
    check(t.gradient(y, logits), [[-0.5, 0.5]])


def test_59_naive_softplus_overflows_but_softplus_is_stable():
    x = tf.Variable(100.0)
    with tf.GradientTape(persistent=True) as t:
        naive = tf.math.log(1 + tf.exp(x))
        stable = tf.nn.softplus(x)
    assert np.isposinf(naive.numpy())
    check(t.gradient(naive, x), np.nan)
    check(t.gradient(stable, x), 1.0)


# ---------------------------------------------------------------------------------------------
# K. tf.where
# ---------------------------------------------------------------------------------------------


def test_60_where_routes_gradient_to_selected_branch():
    check(grad_of(lambda x: tf.where(x < 10, x, x * x), [5.0, 50.0]), [1.0, 100.0])


def test_60_where_two_sources():
    x = tf.Variable([1.0, -1.0])
    y = tf.Variable([10.0, 20.0])
    with tf.GradientTape() as t:
        z = tf.reduce_sum(tf.where(x > 0, x, y))
    dx, dy = t.gradient(z, [x, y])
    check(dx, [1.0, 0.0])
    check(dy, [0.0, 1.0])


NAN_X = [-1.0, 0.0, 4.0]


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda x: tf.where(x > 0, tf.math.log(x), 0.0), [-0.0, np.nan, 0.25]),
        (lambda x: tf.where(x > 0, 1.0 / x, 0.0), [-0.0, np.nan, -0.0625]),
        (lambda x: tf.where(x > 0, x**0.5, 0.0), [np.nan, np.nan, 0.25]),
        (lambda x: tf.where(x > 0, tf.sqrt(x), 0.0), [0.0, 0.0, 0.25]),
        (lambda x: tf.where(x >= 0, tf.sqrt(x), 0.0), [0.0, np.inf, 0.25]),
        (
            lambda x: tf.where(x > 0, tf.sqrt(tf.where(x > 0, x, 1.0)), 0.0),
            [0.0, 0.0, 0.25],
        ),
    ],
    ids=["log", "reciprocal", "pow_half", "sqrt", "sqrt_ge", "double_where"],
)
def test_61_where_nan_pitfall(fn, expected):
    check(grad_of(fn, NAN_X), expected)


# ---------------------------------------------------------------------------------------------
# L. Indexing, gather, broadcasting
# ---------------------------------------------------------------------------------------------


def test_62_gather_gradient_is_dense_with_duplicates_summed():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.gather(v, [0, 2, 0]))
    check(t.gradient(y, v), [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]])


def test_62_gather_on_watched_constant():
    c = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as t:
        t.watch(c)
        y = tf.reduce_sum(tf.gather(c, [0, 2, 0]))
    check(t.gradient(y, c), [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]])


def test_62_embedding_lookup_gradient_is_dense():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.nn.embedding_lookup(v, [0, 2, 0]))
    check(t.gradient(y, v), [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]])


def test_62_gather_large_table_dense_gradient():
    v = tf.Variable(np.zeros((1000, 10), np.float32))
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.gather(v, [3, 7]))
    expected = np.zeros((1000, 10))
    expected[[3, 7]] = 1.0
    check(t.gradient(y, v), expected)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda v: v[0, 1:], [[0.0, 1.0, 1.0], [0.0, 0.0, 0.0]]),
        (lambda v: v[1, 2] * 10, [[0.0, 0.0, 0.0], [0.0, 0.0, 10.0]]),
        (lambda v: v[:, ::2], [[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]),
    ],
    ids=["row_slice", "element", "strided"],
)
def test_63_python_slicing_gives_dense_tensor(fn, expected):
    v = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with tf.GradientTape() as t:
        y = fn(v)
    assert isinstance(y, tf.Tensor) and not isinstance(y, tf.Variable)
    check(t.gradient(y, v), expected)


def test_64_broadcasting_gradient_is_summed_back_to_source_shape():
    x = tf.Variable(np.ones((2, 3), np.float32))
    b = tf.Variable([1.0, 2.0, 3.0])
    s = tf.Variable(2.0)
    c = tf.Variable(np.ones((2, 1), np.float32))
    with tf.GradientTape() as t:
        y = tf.reduce_sum(x * b + s + c)
    dx, db, ds, dc = t.gradient(y, [x, b, s, c])
    check(dx, [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    check(db, [2.0, 2.0, 2.0])
    check(ds, 6.0)
    check(dc, [[3.0], [3.0]])


# ---------------------------------------------------------------------------------------------
# M. Leaving TensorFlow, and bad arguments
# ---------------------------------------------------------------------------------------------


def test_65_constant_made_from_numpy_value_is_disconnected():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = tf.constant(x.numpy() ** 2)
    assert t.gradient(y, x) is None


def test_65_numpy_reduction_inside_tape_is_dropped_or_recorded_never_wrong():
    # TF: np.mean leaves the tape, the gradient is None. A numpy-based engine may record it
    # instead (pain point 4); it must then be right.
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t:
        m = np.mean(x**2, axis=0)
        y = tf.reduce_mean(m)
    g = t.gradient(y, x)
    if g is not None:
        check(g, [1.0, 2.0])


def test_65_numpy_ufunc_on_variable_is_recorded_or_refused_clearly():
    # TF: np.square(var) is a numpy.float32 and tape.gradient raises AttributeError.
    # adkernel may record the ufunc (then the gradient must be right) or refuse the
    # non-tensor target with a clear TypeError (pain points 4 and 17); a silent None is wrong.
    v = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = np.square(v)
    try:
        g = t.gradient(y, v)
    except (TypeError, AttributeError, ValueError):
        return
    check(g, 6.0)


def test_66_python_float_source_raises():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = x * x
    with pytest.raises((TypeError, AttributeError)):
        t.gradient(y, 1.0)


def test_66_python_float_target_raises():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        x * x
    with pytest.raises((TypeError, AttributeError)):
        t.gradient(3.0, x)


def test_66_none_target_raises_type_error():
    v = tf.Variable(3.0)
    with tf.GradientTape() as t:
        v * v
    with pytest.raises(TypeError, match="target"):
        t.gradient(None, v)


def test_66_plain_python_math_is_not_recorded():
    x = 3.0
    with tf.GradientTape():
        y = x**2
    assert type(y) is float


def test_67_registered_non_differentiable_ops_give_none():
    assert grad_of(lambda x: tf.round(x), 1.4) is None
    assert grad_of(lambda x: tf.floor(x), 1.4) is None
    assert grad_of(lambda x: tf.argmax(x), [1.0, 2.0]) is None
    assert grad_of(lambda x: tf.cast(x, tf.int32), 1.4) is None


def test_67_op_without_gradient_raises_lookup_error():
    # TF: tf.image.adjust_contrast has no registered gradient -> LookupError. adkernel has no
    # such tf.* op; its ops without a gradient rule are the numpy functions it does not record,
    # and it raises at the op itself (pain point 14), still as a LookupError.
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(LookupError):
        with tf.GradientTape() as t:
            y = np.nextafter(v, np.float32(3.0))
        t.gradient(y, v)


def test_68_complex_gradients_are_refused_clearly():
    # Deliberate difference (docs/tf-compat.md): TensorFlow differentiates complex sources
    # with its conjugate convention (real(x * conj(x)) at 1+1j gives 2+2j). adkernel stores
    # complex tensors but refuses to differentiate them, with a message saying what to do,
    # rather than return a gradient with a silently different convention.
    x = tf.Variable(1 + 1j)
    assert x.dtype == tf.complex128
    with tf.GradientTape() as t:
        z = x * x
    with pytest.raises(NotImplementedError, match="complex"):
        t.gradient(z, x)


# ---------------------------------------------------------------------------------------------
# N. Behaviours asserted by TF's own backprop_test.py (see also test_tf_semantics_peer.py)
# ---------------------------------------------------------------------------------------------


def test_N_no_op_gradient_with_multi_target_multi_source():
    x = tf.constant(3.0)
    y = tf.constant(5.0)
    with tf.GradientTape() as t:
        t.watch(x)
        t.watch(y)
        z = y * y
    dx, dy = t.gradient([x, y, z], [x, y])
    check(dx, 1.0)
    check(dy, 11.0)


def test_N_equal_valued_constants_are_distinct_sources():
    with tf.GradientTape() as g:
        x1 = tf.constant(3.0)
        x2 = tf.constant(3.0)
        g.watch(x1)
        g.watch(x2)
        y = x1 + x2
    (dx1,) = g.gradient(target=y, sources=[x1])
    check(dx1, 1.0)
