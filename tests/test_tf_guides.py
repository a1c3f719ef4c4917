"""A "real client": TensorFlow's own autodiff guides, run on ``adkernel.tf``.

The code below is adapted from TensorFlow's guides, Apache-2.0
(Copyright 2020 The TensorFlow Authors, https://www.apache.org/licenses/LICENSE-2.0):

* "Introduction to gradients and automatic differentiation"
  https://github.com/tensorflow/docs/blob/master/site/en/guide/autodiff.ipynb
* "Advanced automatic differentiation"
  https://github.com/tensorflow/docs/blob/master/site/en/guide/advanced_autodiff.ipynb

Each eligible code cell is kept nearly verbatim; the only change to the guide's code is
``import tensorflow as tf`` -> ``from adkernel import tf`` (plus 4-space indentation, and
``print(...)`` around a cell's last expression, which the notebook would display).
Cells that build on earlier cells are grouped into one test.  The asserted output is what
TensorFlow 2.x prints for the same code (derived from the code and the guides' prose;
TensorFlow computes in float32).

Cells that *use* Keras are not run, but several later cells only consume a Keras layer
(``layer(x)``, ``layer.kernel``, ``layer.trainable_variables``).  Those downstream cells do
not use Keras themselves, so they run here against a tiny Keras-free stand-in ``Dense``
(and ``BatchNormalization``) written with ``adkernel.tf`` ops; the Keras cell they depend
on is reproduced as setup with ``tf.keras.layers.X`` replaced by the stand-in.  Their
values are random (``tf.random.normal``), so they are checked through shapes, the guide's
own invariants, and numpy recomputations.

Skipped cells (cell ids from the notebooks' metadata):

autodiff.ipynb (32 code cells: 26 run, 6 skipped)
  tuOe1ymfHZPu  licence header (comments only)
  IqR2PQG4ZaZ0  setup: imports matplotlib (plotting); numpy/tf imports are this module's
  JvesHtbQESc-  Keras: tf.keras.layers.Dense, gradients w.r.t. layer.trainable_variables
  PR_ezr6UFrpI  Keras: prints the Dense layer's variable names (depends on the cell above)
  e_f2QgDPmcPE  plotting (plt.plot of sigmoid and its derivative)
  HSb20FXc_V0U  tf.image.adjust_contrast (LookupError: no gradient registered)

advanced_autodiff.ipynb (39 code cells: 24 run, 15 skipped)
  tuOe1ymfHZPu  licence header (comments only)
  IqR2PQG4ZaZ0  setup: imports matplotlib and sets rcParams (plotting)
  Q5JBgIBYjN1I  tf.function(input_signature=[tf.TensorSpec(None)]) inside a tf.Module
  xZTrgy2q-9pq  tf.saved_model.save/load of the tf.function module above
  tH3ZFuUfDLrR  Keras Dense layer (reproduced as setup with the stand-in)
  siNZaklc0_-e  plotting
  39YXItgLxMBk  Keras Dense layer (reproduced as setup with the stand-in)
  ELGTaell_j81  Keras Dense layers (reproduced as setup with the stand-in)
  8TCHc7Vrf52S  plotting helper imshow_zero_center (plt.imshow / plt.colorbar)
  DExOxd7Ok2H0  plotting
  tQMndhIUHMes  Keras Dense layers (reproduced as setup with the stand-in)
  ZFl9uj3ueVSH  plotting
  g4ZoRJcJNmy5  plotting (plot_as_patches: tf.transpose/tf.pad only feed plt.imshow)
  tnDugVc-L4fj  Keras Dense + BatchNormalization (reproduced as setup with the stand-in)
  SNyZ1WhJMVLm  plotting

One extra test (``test_autodiff_prose_non_persistent_tape_is_released``) checks a claim
of the guide's prose that no cell demonstrates: a second ``gradient`` call on a
non-persistent tape raises ``RuntimeError``.
"""

import re

import numpy as np
import pytest

from adkernel import tf

pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")


def _out(capsys):
    return capsys.readouterr().out.splitlines()


def _np(t):
    return np.asarray(t.numpy())


# --- Keras-free stand-ins (not TensorFlow code; setup for the cells that consume a layer)


class Dense:
    """Minimal ``tf.keras.layers.Dense``: lazily built kernel/bias, optional activation."""

    def __init__(self, units, activation=None):
        self.units = units
        self.activation = activation
        self.kernel = None
        self.bias = None

    def __call__(self, x):
        if self.kernel is None:
            n_in = int(x.shape[-1])
            self.kernel = tf.Variable(
                tf.random.normal([n_in, self.units]) / float(n_in) ** 0.5, name="kernel"
            )
            self.bias = tf.Variable(tf.zeros([self.units]), name="bias")
        y = tf.matmul(x, self.kernel) + self.bias
        return self.activation(y) if self.activation is not None else y

    @property
    def trainable_variables(self):
        return [self.kernel, self.bias]


class BatchNormalization:
    """Minimal ``tf.keras.layers.BatchNormalization`` in training mode (gamma=1, beta=0)."""

    def __call__(self, y, training=False):
        mean = tf.reduce_mean(y, axis=0)
        centered = y - mean
        var = tf.reduce_mean(centered * centered, axis=0)
        return centered / tf.sqrt(var + 1e-3)


# ======================================================================================
# autodiff.ipynb -- "Introduction to gradients and automatic differentiation"
# ======================================================================================


def test_autodiff_gradient_tapes_scalar(capsys):
    # cells Xq9GgTCP7a4A, LsvrwF6bHroC
    x = tf.Variable(3.0)

    with tf.GradientTape() as tape:
        y = x**2

    # dy = 2x * dx
    dy_dx = tape.gradient(y, x)
    print(dy_dx.numpy())

    assert _out(capsys) == ["6.0"]


def test_autodiff_gradient_any_tensor_nested_sources(capsys):
    # cells vacZ3-Ws5VdV, luOtK1Da_BR0, aYbWRFPZqk4U, d73cY6NOuaMd
    w = tf.Variable(tf.random.normal((3, 2)), name='w')
    b = tf.Variable(tf.zeros(2, dtype=tf.float32), name='b')
    x = [[1., 2., 3.]]

    with tf.GradientTape(persistent=True) as tape:
        y = x @ w + b
        loss = tf.reduce_mean(y**2)

    [dl_dw, dl_db] = tape.gradient(loss, [w, b])

    print(w.shape)
    print(dl_dw.shape)

    my_vars = {
        'w': w,
        'b': b
    }

    grad = tape.gradient(loss, my_vars)
    print(repr(grad['b']))  # the notebook displays grad['b']

    out = _out(capsys)
    assert out[:2] == ["(3, 2)", "(3, 2)"]
    assert len(out) == 3
    assert re.fullmatch(
        r"<tf\.Tensor: shape=\(2,\), dtype=float32, numpy=array\(\[.*\], dtype=float32\)>",
        out[2],
    ), out[2]

    # loss = mean(y**2) over 2 elements => dl/dy = y; dl/dw = x^T y, dl/db = y[0]
    y_np = np.array(x, dtype=np.float32) @ _np(w) + _np(b)
    np.testing.assert_allclose(_np(y), y_np, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(dl_dw), np.array(x).T @ y_np, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(dl_db), y_np[0], rtol=1e-5, atol=1e-6)
    assert isinstance(grad, dict) and sorted(grad) == ["b", "w"]
    np.testing.assert_allclose(_np(grad['w']), _np(dl_dw), rtol=1e-6)
    np.testing.assert_allclose(_np(grad['b']), _np(dl_db), rtol=1e-6)
    assert grad['b'].dtype == tf.float32


def test_autodiff_controlling_what_the_tape_watches(capsys):
    # cells Kj9gPckdB37a, hwNwjW1eAkib
    # A trainable variable
    x0 = tf.Variable(3.0, name='x0')
    # Not trainable
    x1 = tf.Variable(3.0, name='x1', trainable=False)
    # Not a Variable: A variable + tensor returns a tensor.
    x2 = tf.Variable(2.0, name='x2') + 1.0
    # Not a variable
    x3 = tf.constant(3.0, name='x3')

    with tf.GradientTape() as tape:
        y = (x0**2) + (x1**2) + (x2**2)

    grad = tape.gradient(y, [x0, x1, x2, x3])

    for g in grad:
        print(g)

    print([var.name for var in tape.watched_variables()])  # displayed by the notebook

    assert _out(capsys) == [
        "tf.Tensor(6.0, shape=(), dtype=float32)",
        "None",
        "None",
        "None",
        "['x0:0']",
    ]


def test_autodiff_watch_a_tensor(capsys):
    # cell tVN1QqFRDHBK
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**2

    # dy = 2x * dx
    dy_dx = tape.gradient(y, x)
    print(dy_dx.numpy())

    assert _out(capsys) == ["6.0"]


def test_autodiff_watch_accessed_variables_false(capsys):
    # cells 7QPzwWvSEwIp, e6GM-3evH1Sz
    x0 = tf.Variable(0.0)
    x1 = tf.Variable(10.0)

    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x1)
        y0 = tf.math.sin(x0)
        y1 = tf.nn.softplus(x1)
        y = y0 + y1
        ys = tf.reduce_sum(y)

    # dys/dx1 = exp(x1) / (1 + exp(x1)) = sigmoid(x1)
    grad = tape.gradient(ys, {'x0': x0, 'x1': x1})

    print('dy/dx0:', grad['x0'])
    print('dy/dx1:', grad['x1'].numpy())

    assert _out(capsys) == ["dy/dx0: None", "dy/dx1: 0.9999546"]


def test_autodiff_intermediate_results(capsys):
    # cell 7XaPRAwUyYms
    x = tf.constant(3.0)

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y

    # Use the tape to compute the gradient of z with respect to the
    # intermediate value y.
    # dz_dy = 2 * y and y = x ** 2 = 9
    print(tape.gradient(z, y).numpy())

    assert _out(capsys) == ["18.0"]


def test_autodiff_persistent_tape(capsys):
    # cells zZaCm3-9zVCi, j8bv_jQFg6CN
    x = tf.constant([1, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y

    print(tape.gradient(z, x).numpy())  # [4.0, 108.0] (4 * x**3 at x = [1.0, 3.0])
    print(tape.gradient(y, x).numpy())  # [2.0, 6.0] (2 * x at x = [1.0, 3.0])

    del tape   # Drop the reference to the tape

    assert _out(capsys) == ["[  4. 108.]", "[2. 6.]"]
    assert x.dtype == tf.float32


def test_autodiff_prose_non_persistent_tape_is_released():
    # Prose, not a cell: "By default, the resources held by a GradientTape are released as
    # soon as the GradientTape.gradient method is called."  TF raises RuntimeError.
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x).numpy() == 6.0
    with pytest.raises(RuntimeError):
        tape.gradient(y, x)


def test_autodiff_gradient_of_multiple_targets(capsys):
    # cell qI0sDV_WeXBb
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y0 = x**2
        y1 = 1 / x

    print(tape.gradient(y0, x).numpy())
    print(tape.gradient(y1, x).numpy())

    assert _out(capsys) == ["4.0", "-0.25"]


def test_autodiff_gradient_of_dict_of_targets(capsys):
    # cell o4a6_YOcfWKS
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y0 = x**2
        y1 = 1 / x

    print(tape.gradient({'y0': y0, 'y1': y1}, x).numpy())

    assert _out(capsys) == ["3.75"]


def test_autodiff_gradient_of_non_scalar_target(capsys):
    # cell DArPWqsSh5un
    x = tf.Variable(2.)

    with tf.GradientTape() as tape:
        y = x * [3., 4.]

    print(tape.gradient(y, x).numpy())

    assert _out(capsys) == ["7.0"]


def test_autodiff_elementwise_gradient_of_sum(capsys):
    # cell JQvk_jnMmTDS (the plotting cell e_f2QgDPmcPE that follows is skipped)
    x = tf.linspace(-10.0, 10.0, 200+1)

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.sigmoid(x)

    dy_dx = tape.gradient(y, x)

    assert _out(capsys) == []
    assert x.dtype == tf.float32 and y.dtype == tf.float32 and dy_dx.dtype == tf.float32
    assert tuple(x.shape) == (201,) and tuple(dy_dx.shape) == (201,)
    xs = np.linspace(-10.0, 10.0, 201)
    np.testing.assert_allclose(_np(x), xs, rtol=1e-6, atol=1e-5)
    s = 1 / (1 + np.exp(-xs))
    np.testing.assert_allclose(_np(y), s, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(_np(dy_dx), s * (1 - s), rtol=1e-4, atol=1e-7)


def test_autodiff_control_flow(capsys):
    # cells ciFLizhrrjy7, 8k05WmuAwPm7
    x = tf.constant(1.0)

    v0 = tf.Variable(2.0)
    v1 = tf.Variable(2.0)

    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        if x > 0.0:
            result = v0
        else:
            result = v1**2

    dv0, dv1 = tape.gradient(result, [v0, v1])

    print(dv0)
    print(dv1)

    dx = tape.gradient(result, x)

    print(dx)

    assert _out(capsys) == ["tf.Tensor(1.0, shape=(), dtype=float32)", "None", "None"]


def test_autodiff_none_when_not_connected(capsys):
    # cell CU185WDM81Ut
    x = tf.Variable(2.)
    y = tf.Variable(3.)

    with tf.GradientTape() as tape:
        z = y * y
    print(tape.gradient(z, x))

    assert _out(capsys) == ["None"]


def _replaced_variable_cell():
    # cell QPKY4Tn9zX7_ (the `xs` list is added to inspect x after the loop)
    xs = []
    x = tf.Variable(2.0)

    for epoch in range(2):  # noqa: B007  (verbatim)
        with tf.GradientTape() as tape:
            y = x+1

        xs.append(x)
        print(type(x).__name__, ":", tape.gradient(y, x))
        x = x + 1   # This should be `x.assign_add(1)`
    return xs


def test_autodiff_none_replaced_variable_with_tensor(capsys):
    xs = _replaced_variable_cell()
    out = _out(capsys)
    assert [line.split(" : ", 1)[1] for line in out] == [
        "tf.Tensor(1.0, shape=(), dtype=float32)",
        "None",
    ]
    assert isinstance(xs[0], tf.Variable) and not isinstance(xs[0], tf.Tensor)
    assert isinstance(xs[1], tf.Tensor) and not isinstance(xs[1], tf.Variable)


def test_autodiff_none_replaced_variable_type_names(capsys):
    # The same cell: TF prints the concrete class names of its eager objects.
    _replaced_variable_cell()
    assert _out(capsys) == [
        "ResourceVariable : tf.Tensor(1.0, shape=(), dtype=float32)",
        "EagerTensor : None",
    ]


def test_autodiff_none_calculation_outside_tensorflow(capsys):
    # cell jmoLCDJb_yw1
    x = tf.Variable([[1.0, 2.0],
                     [3.0, 4.0]], dtype=tf.float32)

    with tf.GradientTape() as tape:
        x2 = x**2

        # This step is calculated with NumPy
        y = np.mean(x2, axis=0)

        # Like most ops, reduce_mean will cast the NumPy array to a constant tensor
        # using `tf.convert_to_tensor`.
        y = tf.reduce_mean(y, axis=0)

    print(tape.gradient(y, x))

    # Deliberate difference (docs/tf-compat.md): TensorFlow prints None here because
    # np.mean leaves its tape. adkernel is built on numpy and records np.mean instead,
    # so the gradient is the true one: d mean(mean(x**2, 0)) / dx = 2x / 4.
    assert _out(capsys) == [
        "tf.Tensor(",
        "[[0.5 1. ]",
        " [1.5 2. ]], shape=(2, 2), dtype=float32)",
    ]
    assert float(y.numpy()) == 7.5  # mean of [5., 10.]


def test_autodiff_none_through_integer(capsys):
    # cell 9jlHXHqfASU3 (TF also logs a dtype warning to stderr, not stdout)
    x = tf.constant(10)

    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x

    print(g.gradient(y, x))

    assert _out(capsys) == ["None"]
    assert x.dtype == tf.int32


def test_autodiff_none_through_stateful_object(capsys):
    # cell C1tLeeRFE479
    x0 = tf.Variable(3.0)
    x1 = tf.Variable(0.0)

    with tf.GradientTape() as tape:
        # Update x1 = x1 + x0.
        x1.assign_add(x0)
        # The tape starts recording from x1.
        y = x1**2   # y = (x1 + x0)**2

    # This doesn't work.
    print(tape.gradient(y, x0))   #dy/dx0 = 2*(x1 + x0)

    assert _out(capsys) == ["None"]
    assert float(x1.numpy()) == 3.0 and float(y.numpy()) == 9.0


def test_autodiff_zeros_instead_of_none(capsys):
    # cell U6zxk1sf9Ixx
    x = tf.Variable([2., 2.])
    y = tf.Variable(3.)

    with tf.GradientTape() as tape:
        z = y**2
    print(tape.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.ZERO))

    assert _out(capsys) == ["tf.Tensor([0. 0.], shape=(2,), dtype=float32)"]


# ======================================================================================
# advanced_autodiff.ipynb -- "Advanced automatic differentiation"
# ======================================================================================

_DZ_OUTPUT = ["dz/dx: tf.Tensor(4.0, shape=(), dtype=float32)", "dz/dy: None"]


def test_advanced_stop_recording(capsys):
    # cell mhFSYf7uQWxR
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)

    with tf.GradientTape() as t:
        x_sq = x * x
        with t.stop_recording():
            y_sq = y * y
        z = x_sq + y_sq

    grad = t.gradient(z, {'x': x, 'y': y})

    print('dz/dx:', grad['x'])  # 2*x => 4
    print('dz/dy:', grad['y'])

    assert _out(capsys) == _DZ_OUTPUT


def test_advanced_reset(capsys):
    # cell lsMHsmrh4pqM
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    reset = True

    with tf.GradientTape() as t:
        y_sq = y * y
        if reset:
            # Throw out all the tape recorded so far.
            t.reset()
        z = x * x + y_sq

    grad = t.gradient(z, {'x': x, 'y': y})

    print('dz/dx:', grad['x'])  # 2*x => 4
    print('dz/dy:', grad['y'])

    assert _out(capsys) == _DZ_OUTPUT


def test_advanced_stop_gradient(capsys):
    # cell 30qnZMe48BkB
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)

    with tf.GradientTape() as t:
        y_sq = y**2
        z = x**2 + tf.stop_gradient(y_sq)

    grad = t.gradient(z, {'x': x, 'y': y})

    print('dz/dx:', grad['x'])  # 2*x => 4
    print('dz/dy:', grad['y'])

    assert _out(capsys) == _DZ_OUTPUT


def test_advanced_custom_gradient_clip_by_norm(capsys):
    # cell Mjj01w4NYtwd
    # Establish an identity operation, but clip during the gradient pass.
    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_norm(dy, 0.5)
        return y, backward

    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        output = clip_gradients(v * v)
    print(t.gradient(output, v))  # calls "backward", which clips 4 to 2

    assert _out(capsys) == ["tf.Tensor(2.0, shape=(), dtype=float32)"]
    assert float(output.numpy()) == 4.0


def test_advanced_multiple_tapes(capsys):
    # cells BJ0HdMvte0VZ, 6ApAoMNFfNz6, rF1jrAJsfYW_
    x0 = tf.constant(0.0)
    x1 = tf.constant(0.0)

    with tf.GradientTape() as tape0, tf.GradientTape() as tape1:
        tape0.watch(x0)
        tape1.watch(x1)

        y0 = tf.math.sin(x0)
        y1 = tf.nn.sigmoid(x1)

        y = y0 + y1

        ys = tf.reduce_sum(y)

    print(tape0.gradient(ys, x0).numpy())   # cos(x) => 1.0
    print(tape1.gradient(ys, x1).numpy())   # sigmoid(x1)*(1-sigmoid(x1)) => 0.25

    assert _out(capsys) == ["1.0", "0.25"]


def test_advanced_higher_order_gradients(capsys):
    # cell cPQgthZ7ugRJ
    x = tf.Variable(1.0)  # Create a Tensorflow variable initialized to 1.0

    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x * x * x

        # Compute the gradient inside the outer `t2` context manager
        # which means the gradient computation is differentiable as well.
        dy_dx = t1.gradient(y, x)
    d2y_dx2 = t2.gradient(dy_dx, x)

    print('dy_dx:', dy_dx.numpy())  # 3 * x**2 => 3.0
    print('d2y_dx2:', d2y_dx2.numpy())  # 6 * x => 6.0

    assert _out(capsys) == ["dy_dx: 3.0", "d2y_dx2: 6.0"]


def test_advanced_input_gradient_regularization(capsys):
    # setup: Keras cell tH3ZFuUfDLrR with the stand-in Dense
    x = tf.random.normal([7, 5])

    layer = Dense(10, activation=tf.nn.relu)

    # cells E6yOFsjEDR9u, 123QMq6PqK_d
    with tf.GradientTape() as t2:
        # The inner tape only takes the gradient with respect to the input,
        # not the variables.
        with tf.GradientTape(watch_accessed_variables=False) as t1:
            t1.watch(x)
            y = layer(x)
            out = tf.reduce_sum(layer(x)**2)
        # 1. Calculate the input gradient.
        g1 = t1.gradient(out, x)
        # 2. Calculate the magnitude of the input gradient.
        g1_mag = tf.norm(g1)

    # 3. Calculate the gradient of the magnitude with respect to the model.
    dg1_mag = t2.gradient(g1_mag, layer.trainable_variables)

    print([tuple(var.shape) for var in dg1_mag])  # the notebook displays the shapes

    assert _out(capsys) == ["[(5, 10), (10,)]"]

    # Recompute everything in float64 numpy.
    xn, W, b = (_np(v).astype(np.float64) for v in (x, layer.kernel, layer.bias))
    z = xn @ W + b
    A, M = np.maximum(z, 0), (z > 0).astype(np.float64)
    G = 2 * A @ W.T                       # d out / d x
    f = np.linalg.norm(G)
    Gbar = G / f                          # d f / d G
    dz = (2 * Gbar @ W) * M
    dW = 2 * Gbar.T @ A + xn.T @ dz
    db = dz.sum(axis=0)
    np.testing.assert_allclose(_np(y), A, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_np(g1), G, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(float(g1_mag.numpy()), f, rtol=1e-5)
    np.testing.assert_allclose(_np(dg1_mag[0]), dW, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(_np(dg1_mag[1]), db, rtol=1e-3, atol=1e-5)


def test_advanced_jacobian_scalar_source(capsys):
    # cells bAFeIE8EuVIq, iZ6awnDzr_BA (the plotting cell siNZaklc0_-e is skipped)
    x = tf.linspace(-10.0, 10.0, 200+1)
    delta = tf.Variable(0.0)

    with tf.GradientTape() as tape:
        y = tf.nn.sigmoid(x+delta)

    dy_dx = tape.jacobian(y, delta)

    print(y.shape)
    print(dy_dx.shape)

    assert _out(capsys) == ["(201,)", "(201,)"]
    s = 1 / (1 + np.exp(-np.linspace(-10.0, 10.0, 201)))
    np.testing.assert_allclose(_np(dy_dx), s * (1 - s), rtol=1e-4, atol=1e-7)


def test_advanced_jacobian_tensor_source(capsys):
    # setup: Keras cell 39YXItgLxMBk with the stand-in Dense
    x = tf.random.normal([7, 5])
    layer = Dense(10, activation=tf.nn.relu)

    with tf.GradientTape(persistent=True) as tape:
        y = layer(x)

    print(y.shape)                  # displayed by the notebook: (7, 10)

    # cells CigTWyfPvPuv, pRLzTTbvEimH, FJjZpYRnDjVa
    print(layer.kernel.shape)       # displayed by the notebook

    j = tape.jacobian(y, layer.kernel)
    print(j.shape)                  # displayed by the notebook

    g = tape.gradient(y, layer.kernel)
    print('g.shape:', g.shape)

    j_sum = tf.reduce_sum(j, axis=[0, 1])
    delta = tf.reduce_max(abs(g - j_sum)).numpy()
    assert delta < 1e-3
    print('delta:', delta)

    out = _out(capsys)
    assert out[:4] == ["(7, 10)", "(5, 10)", "(7, 10, 5, 10)", "g.shape: (5, 10)"]
    assert len(out) == 5 and out[4].startswith("delta: ")
    assert 0.0 <= float(out[4].split(": ")[1]) < 1e-3

    # y = relu(x @ kernel + bias): dy[i,k]/dkernel[a,c] = 1[y[i,k] > 0] * x[i,a] * (k == c)
    mask = (_np(y) > 0).astype(np.float32)
    expected = np.einsum("ik,ia,kc->ikac", mask, _np(x), np.eye(10, dtype=np.float32))
    np.testing.assert_allclose(_np(j), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_np(g), expected.sum(axis=(0, 1)), rtol=1e-5, atol=1e-5)


def test_advanced_hessian_and_newton_step(capsys):
    # setup: Keras cell ELGTaell_j81 with the stand-in Dense
    x = tf.random.normal([7, 5])
    layer1 = Dense(8, activation=tf.nn.relu)
    layer2 = Dense(6, activation=tf.nn.relu)

    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            x = layer1(x)
            x = layer2(x)
            loss = tf.reduce_mean(x**2)

        g = t1.gradient(loss, layer1.kernel)

    h = t2.jacobian(g, layer1.kernel)

    # cells FVqQuZj4XGjm, 6te7N6wVXwXX, 3DdnbynBdSor, k1LYftgmswOO
    print(f'layer.kernel.shape: {layer1.kernel.shape}')
    print(f'h.shape: {h.shape}')

    n_params = tf.reduce_prod(layer1.kernel.shape)

    g_vec = tf.reshape(g, [n_params, 1])
    h_mat = tf.reshape(h, [n_params, n_params])

    eps = 1e-3
    eye_eps = tf.eye(h_mat.shape[0])*eps

    kernel_before = _np(layer1.kernel).copy()

    # X(k+1) = X(k) - (∇²f(X(k)))^-1 @ ∇f(X(k))
    # h_mat = ∇²f(X(k))
    # g_vec = ∇f(X(k))
    update = tf.linalg.solve(h_mat + eye_eps, g_vec)

    # Reshape the update and apply it to the variable.
    _ = layer1.kernel.assign_sub(tf.reshape(update, layer1.kernel.shape))

    assert _out(capsys) == ["layer.kernel.shape: (5, 8)", "h.shape: (5, 8, 5, 8)"]
    assert int(n_params.numpy()) == 40
    assert tuple(g_vec.shape) == (40, 1) and tuple(h_mat.shape) == (40, 40)
    hm = _np(h_mat).astype(np.float64)
    # "The Hessian matrix should be symmetric"
    np.testing.assert_allclose(hm, hm.T, rtol=1e-4, atol=1e-5 * max(np.abs(hm).max(), 1e-6))
    np.testing.assert_allclose(_np(eye_eps), np.eye(40) * 1e-3, rtol=1e-6)
    assert tuple(update.shape) == (40, 1)
    a = hm + np.eye(40) * 1e-3
    u, gv = _np(update).astype(np.float64), _np(g_vec).astype(np.float64)
    residual = np.abs(a @ u - gv).max()
    assert residual <= 1e-3 * (np.abs(a).max() * np.abs(u).max() * 40 + np.abs(gv).max())
    np.testing.assert_allclose(
        _np(layer1.kernel), kernel_before - u.reshape(5, 8), rtol=1e-5, atol=1e-6
    )
    # tf.reduce_prod of a TensorShape converts it to an int32 tensor
    assert n_params.dtype == tf.int32


def test_advanced_batch_jacobian(capsys):
    # setup: Keras cell tQMndhIUHMes with the stand-in Dense
    x = tf.random.normal([7, 5])

    layer1 = Dense(8, activation=tf.nn.elu)
    layer2 = Dense(6, activation=tf.nn.elu)

    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = layer1(x)
        y = layer2(y)

    print(y.shape)                  # displayed by the notebook: (7, 6)

    # cells 1zSl2A5-HhMH, v65OAjEgLQwl, YJLIl9WpHqYq, -5t_q5SfHw7T
    j = tape.jacobian(y, x)
    print(j.shape)                  # displayed by the notebook

    j_sum = tf.reduce_sum(j, axis=2)
    print(j_sum.shape)
    j_select = tf.einsum('bxby->bxy', j)
    print(j_select.shape)

    jb = tape.batch_jacobian(y, x)
    print(jb.shape)                 # displayed by the notebook

    error = tf.reduce_max(abs(jb - j_sum))
    assert error < 1e-3
    print(error.numpy())

    out = _out(capsys)
    assert out[:5] == ["(7, 6)", "(7, 6, 7, 5)", "(7, 6, 5)", "(7, 6, 5)", "(7, 6, 5)"]
    assert len(out) == 6 and 0.0 <= float(out[5]) < 1e-3

    # "every (batch, batch) slice of this tensor is a diagonal matrix"
    jn = _np(j)
    off_diagonal = jn * (1 - np.eye(7))[:, None, :, None]
    assert np.abs(off_diagonal).max() == 0.0
    assert np.abs(jn).max() > 0.0
    np.testing.assert_allclose(_np(j_select), _np(j_sum), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_np(jb), _np(j_sum), rtol=1e-5, atol=1e-6)


def test_advanced_batch_jacobian_with_batch_norm(capsys):
    # setup: Keras cell tnDugVc-L4fj with the stand-ins Dense and BatchNormalization
    x = tf.random.normal([7, 5])

    layer1 = Dense(8, activation=tf.nn.elu)
    bn = BatchNormalization()
    layer2 = Dense(6, activation=tf.nn.elu)

    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = layer1(x)
        y = bn(y, training=True)
        y = layer2(y)

    j = tape.jacobian(y, x)
    print(f'j.shape: {j.shape}')

    # cell k8_mICHoasCi
    jb = tape.batch_jacobian(y, x)
    print(f'jb.shape: {jb.shape}')

    assert _out(capsys) == ["j.shape: (7, 6, 7, 5)", "jb.shape: (7, 6, 5)"]
    # Batch norm couples the examples: the (batch, batch) slices are no longer diagonal
    # (the guide: batch_jacobian's contents then "have an unclear meaning").
    jn = _np(j)
    assert np.abs(jn * (1 - np.eye(7))[:, None, :, None]).max() > 0.0
    assert np.isfinite(_np(jb)).all()
