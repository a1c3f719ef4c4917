"""End-to-end gradient-tape behaviours, written as a TensorFlow user would write them.

These tests cover behaviours that TensorFlow users meet in typical autodiff tutorials.

Every expected number is either worked out by hand (the derivation sits next to the
assertion) or recomputed independently in float64 numpy, with central differences where a
closed form would be long.  The small networks are plain functions of seeded, fixed
parameters, so every run sees the same values.
"""

import numpy as np
import pytest

from adkernel import tf

pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")


def _arr(t):
    return np.asarray(t.numpy(), dtype=np.float64)


def _num_grad(fn, point, step=1e-6):
    """Central-difference gradient of the scalar numpy function ``fn`` at ``point``."""
    point = np.array(point, dtype=np.float64)
    out = np.zeros_like(point)
    for idx in np.ndindex(point.shape):
        up, down = point.copy(), point.copy()
        up[idx] += step
        down[idx] -= step
        out[idx] = (fn(up) - fn(down)) / (2 * step)
    return out


def _num_jac(fn, point, step=1e-6):
    """Central-difference Jacobian of the array-valued numpy ``fn``: out.shape + in.shape."""
    point = np.array(point, dtype=np.float64)
    first = np.asarray(fn(point))
    out = np.zeros(first.shape + point.shape)
    for idx in np.ndindex(point.shape):
        up, down = point.copy(), point.copy()
        up[idx] += step
        down[idx] -= step
        out[(Ellipsis, *idx)] = (np.asarray(fn(up)) - np.asarray(fn(down))) / (2 * step)
    return out


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


# --- a hand-written fully connected layer -------------------------------------------


class Affine:
    """``act(inputs @ kernel + bias)`` with seeded float32 parameters held in variables."""

    def __init__(self, n_in, n_out, act=None, seed=0, zero_bias=False):
        rng = np.random.default_rng(seed)
        self.kernel = tf.Variable(
            (rng.normal(size=(n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)
        )
        if zero_bias:
            self.bias = tf.Variable(tf.zeros(n_out, dtype=tf.float32))
        else:
            self.bias = tf.Variable(rng.uniform(-0.3, 0.3, size=n_out).astype(np.float32))
        self.act = act

    def __call__(self, inputs):
        pre = tf.matmul(inputs, self.kernel) + self.bias
        return pre if self.act is None else self.act(pre)

    @property
    def params(self):
        return [self.kernel, self.bias]

    def as_numpy(self):
        return _arr(self.kernel), _arr(self.bias)


def _batch(rows, cols, seed):
    rng = np.random.default_rng(seed)
    return tf.constant(rng.uniform(-1.0, 1.0, size=(rows, cols)).astype(np.float32))


def _standardise_over_batch(h):
    """Centre each feature on its batch mean and divide by the batch spread."""
    centre = tf.reduce_mean(h, axis=0)
    dev = h - centre
    spread = tf.reduce_mean(dev * dev, axis=0)
    return dev / tf.sqrt(spread + 1e-3)


def _standardise_np(h):
    dev = h - h.mean(axis=0)
    return dev / np.sqrt((dev * dev).mean(axis=0) + 1e-3)


# --- first derivatives of scalars, and the shape of the answer -----------------------


def test_square_of_a_scalar_variable():
    w = tf.Variable(-1.5)
    with tf.GradientTape() as tape:
        loss = w**2
    slope = tape.gradient(loss, w)  # d(w^2)/dw = 2w = -3
    assert slope.dtype == tf.float32
    assert str(slope.numpy()) == "-3.0"


def test_sources_as_list_and_as_dict_on_one_persistent_tape():
    feats = [[2.0, 1.0]]  # a plain nested list on the left of @
    kernel = tf.Variable([[1.0, -1.0, 0.5, 0.0], [0.0, 2.0, -1.0, 1.0]], name="kernel")
    offset = tf.Variable([1.0, -1.0, 0.0, 1.0], name="offset")
    with tf.GradientTape(persistent=True) as tape:
        pred = feats @ kernel + offset  # [3, -1, 0, 2]
        cost = tf.reduce_mean(pred**2)  # (9 + 1 + 0 + 4) / 4

    as_list = tape.gradient(cost, [kernel, offset])
    as_dict = tape.gradient(cost, {"k": kernel, "o": offset})

    np.testing.assert_array_equal(_arr(pred), [[3.0, -1.0, 0.0, 2.0]])
    assert float(cost.numpy()) == 3.5
    # d cost / d pred = 2 * pred / 4 = pred / 2; d/d kernel = feats^T (pred / 2)
    d_kernel = [[3.0, -1.0, 0.0, 2.0], [1.5, -0.5, 0.0, 1.0]]
    d_offset = [1.5, -0.5, 0.0, 1.0]
    assert isinstance(as_list, list) and len(as_list) == 2
    assert str(kernel.shape) == str(as_list[0].shape) == "(2, 4)"
    np.testing.assert_allclose(_arr(as_list[0]), d_kernel, rtol=1e-6)
    np.testing.assert_allclose(_arr(as_list[1]), d_offset, rtol=1e-6)
    assert isinstance(as_dict, dict) and sorted(as_dict) == ["k", "o"]
    np.testing.assert_array_equal(_arr(as_dict["k"]), _arr(as_list[0]))
    assert as_dict["o"].dtype == tf.float32
    assert repr(as_dict["o"]) == (
        "<tf.Tensor: shape=(4,), dtype=float32, "
        "numpy=array([ 1.5, -0.5,  0. ,  1. ], dtype=float32)>"
    )


def test_only_trainable_variables_are_tracked_by_default():
    learned = tf.Variable(-2.0, name="learned")
    frozen = tf.Variable(4.0, name="frozen", trainable=False)
    derived = tf.Variable(1.5, name="base") + 0.5  # a tensor, made before the tape
    fixed = tf.constant(-1.0, name="fixed")
    assert isinstance(derived, tf.Tensor) and not isinstance(derived, tf.Variable)

    with tf.GradientTape() as tape:
        total = learned**3 + frozen**2 + derived**2 + fixed**2

    grads = tape.gradient(total, [learned, frozen, derived, fixed])
    # only `learned` is watched: 3 * (-2)^2 = 12
    assert [str(g) for g in grads] == [
        "tf.Tensor(12.0, shape=(), dtype=float32)", "None", "None", "None",
    ]
    assert [v.name for v in tape.watched_variables()] == ["learned:0"]


def test_watching_a_constant_makes_it_a_source():
    k = tf.constant(-0.5)
    with tf.GradientTape() as tape:
        tape.watch(k)
        cube = k**3
    assert str(tape.gradient(cube, k).numpy()) == "0.75"  # 3 * 0.25


def test_explicit_watch_only_when_automatic_watching_is_off():
    seen = tf.Variable(-3.0)
    unseen = tf.Variable(1.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(seen)
        total = tf.reduce_sum(tf.math.sin(unseen) + tf.nn.softplus(seen))

    grads = tape.gradient(total, {"seen": seen, "unseen": unseen})
    assert grads["unseen"] is None
    # softplus'(s) = sigmoid(s); at s = -3 that is 1 / (1 + e^3) = 0.0474258...
    assert grads["seen"].dtype == tf.float32
    np.testing.assert_allclose(float(grads["seen"].numpy()), _sigmoid(-3.0), rtol=1e-5)
    assert list(tape.watched_variables()) == [seen]


def test_gradient_with_respect_to_an_intermediate_tensor():
    k = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(k)
        sq = k * k
        sixth = sq * sq * sq
    # d(sq^3)/d sq = 3 sq^2 = 3 * 16
    assert float(tape.gradient(sixth, sq).numpy()) == 48.0


def test_persistent_tape_answers_several_requests():
    pts = tf.constant([2, -1.0])  # an int and a float in one list: float32
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(pts)
        sq = pts * pts
        fourth = sq * sq
    assert pts.dtype == tf.float32
    assert str(tape.gradient(fourth, pts).numpy()) == "[32. -4.]"  # 4 x^3
    assert str(tape.gradient(sq, pts).numpy()) == "[ 4. -2.]"  # 2 x
    np.testing.assert_array_equal(_arr(tape.gradient(fourth, sq)), [8.0, 2.0])  # 2 sq


def test_plain_tape_refuses_a_second_request():
    k = tf.constant(5.0)
    with tf.GradientTape() as tape:
        tape.watch(k)
        sq = k * k
    assert float(tape.gradient(sq, k).numpy()) == 10.0
    with pytest.raises(RuntimeError):
        tape.gradient(sq, k)


def test_separate_targets_from_one_persistent_tape():
    s = tf.Variable(4.0)
    with tf.GradientTape(persistent=True) as tape:
        sq = s**2
        inv = 1 / s
    assert float(tape.gradient(sq, s).numpy()) == 8.0  # 2s
    assert float(tape.gradient(inv, s).numpy()) == -0.0625  # -1/s^2


def test_dict_of_targets_adds_their_gradients():
    s = tf.Variable(4.0)
    with tf.GradientTape() as tape:
        parts = {"sq": s**2, "inv": 1 / s}
    assert float(tape.gradient(parts, s).numpy()) == 7.9375  # 8 - 1/16


def test_vector_target_is_summed_first():
    s = tf.Variable(-1.0)
    with tf.GradientTape() as tape:
        scaled = s * [2.0, -5.0, 0.5]
    assert float(tape.gradient(scaled, s).numpy()) == -2.5  # 2 - 5 + 0.5


def test_elementwise_op_on_a_grid_gives_the_pointwise_derivative():
    grid = tf.linspace(-4.0, 4.0, 81)
    with tf.GradientTape() as tape:
        tape.watch(grid)
        curve = tf.math.tanh(grid)
    slope = tape.gradient(curve, grid)

    assert grid.dtype == curve.dtype == slope.dtype == tf.float32
    assert tuple(grid.shape) == tuple(slope.shape) == (81,)
    ref = np.linspace(-4.0, 4.0, 81)
    np.testing.assert_allclose(_arr(grid), ref, atol=1e-6)
    np.testing.assert_allclose(_arr(curve), np.tanh(ref), rtol=1e-5, atol=1e-7)
    expected = 1 - np.tanh(ref) ** 2
    np.testing.assert_allclose(expected, _num_jac(np.tanh, ref).diagonal(), rtol=1e-6)
    np.testing.assert_allclose(_arr(slope), expected, rtol=1e-4, atol=1e-7)


# --- None gradients and what causes them ---------------------------------------------


def test_python_branch_on_a_tensor_records_only_the_branch_taken():
    flag = tf.constant(0.5)
    p = tf.Variable(5.0)
    q = tf.Variable(5.0)

    def choose():
        if flag < 0.0:
            return q * q
        return p

    with tf.GradientTape(persistent=True) as tape:
        tape.watch(flag)
        picked = choose()

    dp, dq = tape.gradient(picked, [p, q])
    assert str(dp) == "tf.Tensor(1.0, shape=(), dtype=float32)"  # the target is p itself
    assert dq is None
    assert tape.gradient(picked, flag) is None  # a comparison is not differentiable


def test_source_the_target_does_not_use_gives_none():
    unused = tf.Variable(1.0)
    used = tf.Variable(-1.0)
    with tf.GradientTape() as tape:
        out = used * 3.0
    assert tape.gradient(out, unused) is None


def _rebinding_loop(steps, in_place):
    param = tf.Variable(0.5)
    log = []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            out = param * 2.0
        log.append((param, tape.gradient(out, param)))
        if in_place:
            param.assign_add(1.0)
        else:
            param = param + 1.0  # rebinds the name to a plain tensor
    return log


def test_rebinding_a_variable_to_a_tensor_loses_the_gradient():
    (first, g_first), (second, g_second) = _rebinding_loop(2, in_place=False)
    assert isinstance(first, tf.Variable) and not isinstance(first, tf.Tensor)
    assert isinstance(second, tf.Tensor) and not isinstance(second, tf.Variable)
    assert type(first).__name__ == "ResourceVariable"
    assert type(second).__name__ == "EagerTensor"
    assert str(g_first) == "tf.Tensor(2.0, shape=(), dtype=float32)"
    assert g_second is None
    # updating in place keeps the variable, and its gradient, at every step
    kept = _rebinding_loop(2, in_place=True)
    assert all(isinstance(v, tf.Variable) for v, _ in kept)
    assert [float(g.numpy()) for _, g in kept] == [2.0, 2.0]


def test_numpy_reduction_inside_the_tape_is_recorded():
    # A deliberate difference (docs/tf-compat.md): TensorFlow loses the gradient when
    # numpy computes a step; adkernel records numpy on tensors, so it is the true one.
    m = tf.Variable([[2.0, -1.0], [0.0, 3.0]], dtype=tf.float32)
    with tf.GradientTape() as tape:
        col_means = np.mean(m**2, axis=0)  # [2, 5]
        avg = tf.reduce_mean(col_means, axis=0)  # 3.5
    dm = tape.gradient(avg, m)  # d mean(m^2)/dm over 4 entries = 2m/4 = m/2
    assert float(avg.numpy()) == 3.5
    assert str(dm) == (
        "tf.Tensor(\n[[ 1.  -0.5]\n [ 0.   1.5]], shape=(2, 2), dtype=float32)"
    )


def test_integer_source_gives_none():
    n = tf.constant(7)
    with tf.GradientTape() as tape:
        tape.watch(n)
        sq = n * n
    assert n.dtype == tf.int32
    assert tape.gradient(sq, n) is None


def test_assignment_inside_the_tape_cuts_the_path():
    base = tf.Variable(2.5)
    acc = tf.Variable(-0.5)
    with tf.GradientTape() as tape:
        acc.assign_add(base)  # acc = 2.0, but the tape keeps no link to base
        sq = acc**2
    d_base, d_acc = tape.gradient(sq, [base, acc])
    assert d_base is None
    assert float(d_acc.numpy()) == 4.0  # 2 * acc
    assert float(acc.numpy()) == 2.0 and float(sq.numpy()) == 4.0


@pytest.mark.parametrize("mode", [tf.UnconnectedGradients.ZERO, "zero"])
def test_unconnected_sources_can_get_zeros(mode):
    vec = tf.Variable([1.0, -1.0, 4.0])
    other = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        sq = other * other
    zeros = tape.gradient(sq, vec, unconnected_gradients=mode)
    assert str(zeros) == "tf.Tensor([0. 0. 0.], shape=(3,), dtype=float32)"


# --- keeping things off the tape -------------------------------------------------------


def _hide_by_stop_recording(tape, a, b):
    with tape.stop_recording():
        hidden = b * b
    return a * a + hidden


def _hide_by_reset(tape, a, b):
    hidden = b * b
    tape.reset()  # forget everything recorded so far
    return a * a + hidden


def _hide_by_stop_gradient(tape, a, b):
    return a * a + tf.stop_gradient(b * b)


@pytest.mark.parametrize(
    "hide", [_hide_by_stop_recording, _hide_by_reset, _hide_by_stop_gradient]
)
def test_three_ways_to_hide_part_of_a_computation(hide):
    a = tf.Variable(1.5)
    b = tf.Variable(-2.0)
    with tf.GradientTape() as tape:
        total = hide(tape, a, b)
    grads = tape.gradient(total, {"a": a, "b": b})
    assert float(total.numpy()) == 6.25  # 2.25 + 4: the value is unchanged
    assert str(grads["a"]) == "tf.Tensor(3.0, shape=(), dtype=float32)"  # 2a
    assert grads["b"] is None


def test_output_gradients_weight_each_target_entry():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        sq = v**2
    weighted = tape.gradient(sq, v, output_gradients=tf.constant([3.0, -1.0]))
    np.testing.assert_array_equal(_arr(weighted), [6.0, -4.0])  # 2v * weights


# --- custom gradients, several tapes, higher order ------------------------------------


def test_custom_gradient_can_cap_the_incoming_gradient():
    @tf.custom_gradient
    def capped_identity(t):
        def backward(upstream):
            return tf.clip_by_norm(upstream, 0.25)

        return t, backward

    v = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        out = capped_identity(v * v)
    assert float(out.numpy()) == 9.0  # the forward pass is the identity
    # upstream 1 is capped to 0.25, then times d(v^2)/dv = 6
    assert str(tape.gradient(out, v)) == "tf.Tensor(1.5, shape=(), dtype=float32)"
    # an upstream below the cap passes through: 0.1 * 6
    small = tape.gradient(out, v, output_gradients=tf.constant(0.1))
    np.testing.assert_allclose(float(small.numpy()), 0.6, rtol=1e-6)


def test_two_tapes_at_once_each_see_their_own_source():
    p = tf.constant(float(np.pi))
    q = tf.constant(0.0)
    with tf.GradientTape() as tape_p, tf.GradientTape() as tape_q:
        tape_p.watch(p)
        tape_q.watch(q)
        total = tf.reduce_sum(tf.math.sin(p) + tf.nn.sigmoid(q))

    dp, dq_on_p = tape_p.gradient(total, [p, q])
    dq = tape_q.gradient(total, q)
    np.testing.assert_allclose(float(dp.numpy()), -1.0, rtol=1e-6)  # cos(pi)
    assert dq_on_p is None
    assert float(dq.numpy()) == 0.25  # sigmoid(0) * (1 - sigmoid(0))


def test_nested_tapes_give_the_second_derivative():
    r = tf.Variable(-2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            cube = r * r * r
        first = inner.gradient(cube, r)  # taken while `outer` records
    second = outer.gradient(first, r)
    assert float(first.numpy()) == 12.0  # 3 r^2
    assert float(second.numpy()) == -12.0  # 6 r


def test_penalty_on_the_input_gradient_reaches_the_parameters():
    x = _batch(4, 3, seed=11)
    layer = Affine(3, 5, act=tf.nn.relu, seed=12)

    with tf.GradientTape() as outer:
        with tf.GradientTape(watch_accessed_variables=False) as inner:
            inner.watch(x)
            act = layer(x)
            energy = tf.reduce_sum(act**2)
        dx = inner.gradient(energy, x)
        size = tf.norm(dx)
    d_params = outer.gradient(size, layer.params)

    assert [tuple(g.shape) for g in d_params] == [(3, 5), (5,)]

    xs = _arr(x)
    k0, b0 = layer.as_numpy()
    assert np.abs(xs @ k0 + b0).min() > 1e-2  # central differences stay off the relu kink

    def energy_np(inputs, k, b):
        return np.sum(np.maximum(inputs @ k + b, 0.0) ** 2)

    def size_np(k, b):
        return np.linalg.norm(_num_grad(lambda xi: energy_np(xi, k, b), xs, step=1e-4))

    np.testing.assert_allclose(_arr(act), np.maximum(xs @ k0 + b0, 0.0), rtol=1e-5, atol=1e-6)
    ref_dx = _num_grad(lambda xi: energy_np(xi, k0, b0), xs)
    np.testing.assert_allclose(_arr(dx), ref_dx, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(float(size.numpy()), np.linalg.norm(ref_dx), rtol=1e-4)
    ref_dk = _num_grad(lambda k: size_np(k, b0), k0, step=1e-4)
    ref_db = _num_grad(lambda b: size_np(k0, b), b0, step=1e-4)
    np.testing.assert_allclose(_arr(d_params[0]), ref_dk, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(_arr(d_params[1]), ref_db, rtol=1e-3, atol=1e-4)


# --- Jacobians ---------------------------------------------------------------------------


def test_jacobian_of_a_vector_with_respect_to_a_scalar_variable():
    grid = tf.linspace(-3.0, 3.0, 13)
    shift = tf.Variable(0.5)
    with tf.GradientTape() as tape:
        curve = tf.nn.sigmoid(grid * 2.0 + shift)
    jac = tape.jacobian(curve, shift)

    assert str(curve.shape) == str(jac.shape) == "(13,)"
    z = np.linspace(-3.0, 3.0, 13) * 2.0
    num = np.array([_num_grad(lambda s, zi=zi: _sigmoid(zi + s), 0.5) for zi in z])
    np.testing.assert_allclose(num, _sigmoid(z + 0.5) * (1 - _sigmoid(z + 0.5)), rtol=1e-6)
    np.testing.assert_allclose(_arr(jac), num, rtol=1e-4, atol=1e-7)


def test_jacobian_of_a_layer_output_with_respect_to_its_kernel():
    x = _batch(4, 3, seed=21)
    layer = Affine(3, 5, act=tf.nn.relu, seed=22)
    with tf.GradientTape(persistent=True) as tape:
        act = layer(x)

    jac = tape.jacobian(act, layer.kernel)
    grad = tape.gradient(act, layer.kernel)
    assert str(act.shape) == "(4, 5)" and str(layer.kernel.shape) == "(3, 5)"
    assert str(jac.shape) == "(4, 5, 3, 5)" and str(grad.shape) == "(3, 5)"

    # the gradient of a non-scalar target is its Jacobian summed over the target axes
    folded = tf.reduce_sum(jac, axis=[0, 1])
    assert tf.reduce_max(abs(grad - folded)) < 1e-5

    xs = _arr(x)
    k0, b0 = layer.as_numpy()
    assert np.abs(xs @ k0 + b0).min() > 1e-2
    ref = _num_jac(lambda k: np.maximum(xs @ k + b0, 0.0), k0)
    np.testing.assert_allclose(_arr(jac), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_arr(grad), ref.sum(axis=(0, 1)), rtol=1e-5, atol=1e-5)


def test_hessian_from_a_jacobian_of_a_gradient_then_a_newton_step():
    x = _batch(4, 3, seed=31)
    hidden = Affine(3, 4, act=tf.nn.relu, seed=32)
    head = Affine(4, 2, act=tf.math.tanh, seed=33)

    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = tf.reduce_mean(head(hidden(x)) ** 2)
        grad = inner.gradient(loss, hidden.kernel)
    hess = outer.jacobian(grad, hidden.kernel)
    assert str(hess.shape) == "(3, 4, 3, 4)"

    count = tf.reduce_prod(hidden.kernel.shape)  # a TensorShape becomes an int32 tensor
    assert count.dtype == tf.int32 and int(count.numpy()) == 12
    grad_col = tf.reshape(grad, [count, 1])
    hess_mat = tf.reshape(hess, [count, count])
    assert tuple(grad_col.shape) == (12, 1) and tuple(hess_mat.shape) == (12, 12)

    xs = _arr(x)
    k0, b0 = hidden.as_numpy()
    k1, b1 = head.as_numpy()
    assert np.abs(xs @ k0 + b0).min() > 1e-2

    def loss_np(k):
        return np.mean(np.tanh(np.maximum(xs @ k.reshape(3, 4) + b0, 0.0) @ k1 + b1) ** 2)

    flat = k0.reshape(-1)
    ref_grad = _num_grad(loss_np, flat)
    ref_hess = _num_jac(lambda k: _num_grad(loss_np, k, step=1e-5), flat, step=1e-4)
    hm = _arr(hess_mat)
    assert np.abs(ref_hess).max() > 1e-2
    np.testing.assert_allclose(_arr(grad_col)[:, 0], ref_grad, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hm, ref_hess, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(hm, hm.T, atol=1e-6)  # second derivatives commute

    damping = tf.eye(12) * 1e-2
    np.testing.assert_array_equal(_arr(damping), np.eye(12) * np.float32(1e-2))
    step = tf.linalg.solve(hess_mat + damping, grad_col)
    assert tuple(step.shape) == (12, 1)
    ref_step = np.linalg.solve(hm + np.eye(12) * 1e-2, _arr(grad_col))
    np.testing.assert_allclose(_arr(step), ref_step, rtol=1e-3, atol=1e-5)
    hidden.kernel.assign_sub(tf.reshape(step, hidden.kernel.shape))
    np.testing.assert_allclose(
        _arr(hidden.kernel), k0 - _arr(step).reshape(3, 4), rtol=1e-6, atol=1e-7
    )


def test_batch_jacobian_of_independent_examples():
    x = tf.random.normal([4, 3])  # any values do: elu has a continuous slope
    assert x.dtype == tf.float32 and str(x.shape) == "(4, 3)"
    first = Affine(3, 5, act=tf.nn.elu, seed=42, zero_bias=True)
    assert first.bias.dtype == tf.float32 and not _arr(first.bias).any()
    second = Affine(5, 2, act=tf.nn.elu, seed=43)
    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        out = second(first(x))

    full = tape.jacobian(out, x)
    per_example = tape.batch_jacobian(out, x)
    assert str(out.shape) == "(4, 2)"
    assert str(full.shape) == "(4, 2, 4, 3)" and str(per_example.shape) == "(4, 2, 3)"

    # example n's outputs depend on example n's inputs only: blocks off the diagonal vanish
    fj = _arr(full)
    assert np.abs(fj * (1 - np.eye(4))[:, None, :, None]).max() == 0.0
    summed = tf.reduce_sum(full, axis=2)
    diagonal = tf.einsum("nknj->nkj", full)
    assert str(summed.shape) == str(diagonal.shape) == "(4, 2, 3)"
    np.testing.assert_allclose(_arr(diagonal), _arr(summed), rtol=1e-6, atol=1e-7)
    assert tf.reduce_max(abs(per_example - summed)) < 1e-6

    xs = _arr(x)
    (k0, b0), (k1, b1) = first.as_numpy(), second.as_numpy()

    def net_np(row):
        return _elu(_elu(row @ k0 + b0) @ k1 + b1)

    ref = np.stack([_num_jac(net_np, row) for row in xs])
    assert np.abs(ref).max() > 1e-2
    np.testing.assert_allclose(_arr(per_example), ref, rtol=1e-4, atol=1e-6)


def test_batch_jacobian_when_batch_statistics_couple_the_examples():
    x = _batch(4, 3, seed=51)
    first = Affine(3, 5, act=tf.nn.elu, seed=52)
    second = Affine(5, 2, act=tf.nn.elu, seed=53)
    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        out = second(_standardise_over_batch(first(x)))

    full = tape.jacobian(out, x)
    per_example = tape.batch_jacobian(out, x)
    assert str(full.shape) == "(4, 2, 4, 3)" and str(per_example.shape) == "(4, 2, 3)"

    xs = _arr(x)
    (k0, b0), (k1, b1) = first.as_numpy(), second.as_numpy()
    ref = _num_jac(lambda xb: _elu(_standardise_np(_elu(xb @ k0 + b0)) @ k1 + b1), xs)
    fj = _arr(full)
    np.testing.assert_allclose(fj, ref, rtol=1e-3, atol=1e-5)
    # the batch mean and spread make each output depend on every example
    assert np.abs(fj * (1 - np.eye(4))[:, None, :, None]).max() > 1e-2
    # batch_jacobian is then not the diagonal blocks: entry [n, k, j] is the derivative
    # of output column k summed over the batch, with respect to input n, j
    pe = _arr(per_example)
    assert np.isfinite(pe).all()
    np.testing.assert_allclose(pe, ref.sum(axis=0).transpose(1, 0, 2), rtol=1e-3, atol=1e-5)
    assert np.abs(pe - np.einsum("nknj->nkj", ref)).max() > 1e-2
