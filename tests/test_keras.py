"""adkernel's tf.keras against TensorFlow 2.21's own numbers (Keras 3).

The programs are in tests/tf_reference_cases.py (``keras_cases``): Dense forward and
gradients (activations by name and by function, without bias, numpy inputs), BatchNorm in
training and inference with its moving statistics, Sequential, SGD (momentum, Nesterov,
weight decay, clipping) and Adam (betas, amsgrad) over several steps, and every loss with
and without ``from_logits``, reductions and sample weights. Their results on TensorFlow
2.21.0 were measured once with tests/measure_tf_reference.py and frozen in
tests/tf_reference_values.py; CI never installs TensorFlow.
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import KERAS_VERSION, VALUES

import adkernel
from adkernel import tf

KERAS = cases.keras_cases(tf)


def test_the_reference_is_keras_3_on_tensorflow_2_21():
    assert KERAS_VERSION.startswith("3.")
    assert sorted(KERAS) == sorted(VALUES["keras_cases"])


@pytest.mark.parametrize("name", sorted(KERAS))
def test_keras_matches_tensorflow(name):
    assert_matches(KERAS[name](), VALUES["keras_cases"][name], name)


# ----- behaviour beyond the frozen numbers ----------------------------------------------------
def test_dense_is_built_on_first_call_and_trains_with_a_tape():
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"),
                                 tf.keras.layers.Dense(1)])
    assert model.trainable_variables == []
    x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    y = 3 * x - 1
    opt = tf.keras.optimizers.Adam(learning_rate=0.05)
    loss_fn = tf.keras.losses.MeanSquaredError()
    first = None
    for _ in range(150):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        first = float(loss) if first is None else first
    assert [tuple(v.shape) for v in model.trainable_variables] == [(1, 8), (8,), (8, 1), (1,)]
    assert float(loss) < 0.01 * first


def test_layer_gradients_against_numerical_differentiation():
    layer = tf.keras.layers.Dense(3, activation="tanh", dtype="float64")
    bn = tf.keras.layers.BatchNormalization(dtype="float64")
    x = np.random.default_rng(0).normal(size=(5, 4))
    layer(x)
    bn(layer(x))
    adkernel.check_gradients(lambda t: bn(layer(t), training=True), x, order=2)
    adkernel.check_gradients(lambda k: tf.tanh(x @ k + layer.bias), layer.kernel.numpy(),
                             order=2)


def test_frozen_layer_kernel_is_not_watched():
    # A documented difference (docs/tf-compat.md): TensorFlow 2.21's Keras 3 still gives a
    # gradient for a frozen layer's kernel when it is asked for explicitly (the variable
    # underneath stays watched); adkernel's tape, like tf.Variable(trainable=False), does
    # not watch it, so the gradient is None with the usual warning explaining why.
    layer = tf.keras.layers.Dense(2, trainable=False)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(np.ones((1, 3))))
    with pytest.warns(adkernel.NoneGradientWarning):
        assert tape.gradient(y, layer.kernel) is None


def test_trainable_false_and_setter():
    layer = tf.keras.layers.Dense(2)
    layer(np.ones((1, 3)))
    layer.trainable = False
    assert layer.trainable_variables == [] and len(layer.non_trainable_variables) == 2
    layer.trainable = True
    assert [v.name for v in layer.trainable_variables] == ["kernel", "bias"]


def test_custom_layer_and_model_subclass():
    class Scale(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w

    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.scale = Scale()
            self.out = tf.keras.layers.Dense(1, kernel_initializer="ones")

        def call(self, x, training=None):
            return self.out(self.scale(x))

    net = Net()
    y = net(np.ones((2, 3)))
    np.testing.assert_allclose(y.numpy(), [[3.0], [3.0]])
    assert [v.name for v in net.trainable_variables] == ["w", "kernel", "bias"]
    net.compile(optimizer="adam", loss="mse")  # a subclassed model trains with fit too
    history = net.fit(np.ones((2, 3)), np.ones((2, 1)), verbose=0)
    assert list(history.history) == ["loss"]


def test_out_of_scope_names_say_so_and_show_the_tape_loop():
    for call in (lambda: tf.image.resize,
                 lambda: tf.saved_model.experimental, lambda: tf.keras.Input(shape=(3,)),
                 lambda: tf.keras.datasets.mnist):
        with pytest.raises(NotImplementedError, match="out of adkernel's scope") as info:
            call()
        assert "tape.gradient(loss, model.trainable_variables)" in str(info.value)


def test_refused_arguments_name_themselves():
    with pytest.raises(NotImplementedError, match="kernel_regularizer"):
        tf.keras.layers.Dense(2, kernel_regularizer="l2")
    with pytest.raises(NotImplementedError, match="use_ema"):
        tf.keras.optimizers.Adam(use_ema=True)
    with pytest.raises(NotImplementedError, match="ignore_class"):
        tf.keras.losses.SparseCategoricalCrossentropy(ignore_class=0)
    with pytest.raises(TypeError, match="unrecognized"):
        tf.keras.layers.Dense(2, bogus=1)


def test_optimizer_errors_are_clear():
    v = tf.Variable(1.0)
    opt = tf.keras.optimizers.SGD()
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, v)])
    with pytest.raises(TypeError, match="pairs"):
        opt.apply_gradients([v])
    opt.apply_gradients([(None, tf.Variable(2.0)), (tf.constant(1.0), v)])  # None skipped
    np.testing.assert_allclose(v.numpy(), 0.99)
    # `w = w - 0.1` made a tensor of the variable: said before "no gradients" (it has none)
    w = tf.Variable(1.0) - 0.1
    with tf.GradientTape() as tape:
        loss = w * w
    with pytest.raises(TypeError, match=r"only update tf\.Variable objects, got EagerTensor"):
        tf.keras.optimizers.SGD().apply_gradients(zip(tape.gradient(loss, [w]), [w],
                                                      strict=True))


def test_dropout_layer_only_in_training():
    layer = tf.keras.layers.Dropout(0.5, seed=1)
    x = np.ones((4, 6), np.float32)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    out = layer(x, training=True).numpy()
    assert set(np.unique(out).tolist()) <= {0.0, 2.0}


# ----- signatures: every parameter is TensorFlow's, in TensorFlow's positions -----------------
# Measured with inspect.signature on TensorFlow 2.21.0 / Keras 3.15.1.
KERAS_SIGNATURES = {
        "layers.Dense": (
        "units, activation, use_bias, kernel_initializer, bias_initializer,"
        " kernel_regularizer, bias_regularizer, activity_regularizer,"
        " kernel_constraint, bias_constraint, lora_rank, lora_alpha,"
        " quantization_config, **kwargs"
    ),
        "layers.BatchNormalization": (
        "axis, momentum, epsilon, center, scale, beta_initializer,"
        " gamma_initializer, moving_mean_initializer,"
        " moving_variance_initializer, beta_regularizer, gamma_regularizer,"
        " beta_constraint, gamma_constraint, renorm, renorm_clipping,"
        " renorm_momentum, synchronized, **kwargs"
    ),
    "layers.Dropout": "rate, noise_shape, seed, **kwargs",
    "layers.Flatten": "data_format, **kwargs",
    "layers.Activation": "activation, **kwargs",
    "layers.Layer": "activity_regularizer, trainable, dtype, autocast, name, **kwargs",
        "layers.Layer.add_weight": (
        "*args, shape, initializer, dtype, trainable, autocast, regularizer,"
        " constraint, aggregation, overwrite_with_gradient, name"
    ),
    "Sequential": "layers, trainable, name",
        "optimizers.SGD": (
        "learning_rate, momentum, nesterov, weight_decay, clipnorm, clipvalue,"
        " global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,"
        " loss_scale_factor, gradient_accumulation_steps, name, **kwargs"
    ),
        "optimizers.Adam": (
        "learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,"
        " clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,"
        " ema_overwrite_frequency, loss_scale_factor,"
        " gradient_accumulation_steps, name, **kwargs"
    ),
    "losses.MeanSquaredError": "reduction, name, dtype",
    "losses.BinaryCrossentropy": "from_logits, label_smoothing, axis, reduction, name, dtype",
        "losses.CategoricalCrossentropy": (
        "from_logits, label_smoothing, axis, reduction, name, dtype"
    ),
        "losses.SparseCategoricalCrossentropy": (
        "from_logits, ignore_class, reduction, axis, name, dtype"
    ),
    "losses.Loss.__call__": "y_true, y_pred, sample_weight",
    "losses.mse": "y_true, y_pred",
    "losses.binary_crossentropy": "y_true, y_pred, from_logits, label_smoothing, axis",
    "losses.categorical_crossentropy": "y_true, y_pred, from_logits, label_smoothing, axis",
    "losses.sparse_categorical_crossentropy": "y_true, y_pred, from_logits, ignore_class, axis",
    "optimizers.SGD.apply_gradients": "grads_and_vars",
    "initializers.Constant": "value",
    "initializers.GlorotUniform": "seed, input_axes, output_axes",
    "initializers.GlorotNormal": "seed, input_axes, output_axes",
    "initializers.HeNormal": "seed, input_axes, output_axes",
    "initializers.HeUniform": "seed, input_axes, output_axes",
    "initializers.LecunNormal": "seed, input_axes, output_axes",
    "initializers.LecunUniform": "seed, input_axes, output_axes",
    "initializers.RandomNormal": "mean, stddev, seed",
    "initializers.RandomUniform": "minval, maxval, seed",
    "initializers.TruncatedNormal": "mean, stddev, seed",
    "initializers.VarianceScaling": "scale, mode, distribution, seed, input_axes, output_axes",
    "activations.elu": "x, alpha",
    "activations.exponential": "x",
    "activations.gelu": "x, approximate",
    "activations.leaky_relu": "x, negative_slope",
    "activations.linear": "x",
    "activations.log_softmax": "x, axis",
    "activations.relu": "x, negative_slope, max_value, threshold",
    "activations.relu6": "x",
    "activations.selu": "x",
    "activations.sigmoid": "x",
    "activations.silu": "x",
    "activations.softmax": "x, axis",
    "activations.softplus": "x",
    "activations.softsign": "x",
    "activations.swish": "x",
    "activations.tanh": "x",
}
_ANY_POSITIONAL = {"layers.Layer.add_weight"}  # TensorFlow: *args (its first is shape)


def _ours(key):
    obj = tf.keras
    parts = key.split(".")
    for p in parts:
        obj = getattr(obj, p)
    if isinstance(obj, type):
        obj = obj.__init__
    return obj


@pytest.mark.parametrize("key", sorted(KERAS_SIGNATURES))
def test_keras_signature_matches_tensorflow(key):
    import inspect

    theirs = [p.strip() for p in KERAS_SIGNATURES[key].split(",") if p.strip()]
    params = [p for p in inspect.signature(_ours(key)).parameters.values() if p.name != "self"]
    labels = [("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else "")
              + p.name for p in params]
    unknown = [p for p in labels if p not in theirs]
    assert not unknown, f"{key}: parameters TensorFlow does not have: {unknown}"
    if key not in _ANY_POSITIONAL:
        positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert positional == theirs[:len(positional)], (key, positional, theirs)


def test_lambda_layer_and_saving_names():
    square = tf.keras.layers.Lambda(lambda x, p=2.0: x ** p, arguments={"p": 3.0})
    np.testing.assert_allclose(square(np.array([[2.0]])).numpy(), [[8.0]])
    assert square.trainable_variables == []

    @tf.keras.saving.register_keras_serializable(package="mine")
    class Twice(tf.keras.layers.Layer):
        def call(self, x):
            return 2 * x

    np.testing.assert_allclose(Twice()(np.ones(2)).numpy(), [2.0, 2.0])
    model = tf.keras.Sequential([Twice()])
    model(np.ones((1, 2)))
    assert model.get_weights() == []  # (saving: tests/test_saving.py)


def test_config_and_device_answer_truthfully():
    assert tf.config.list_physical_devices("GPU") == []
    (cpu,) = tf.config.list_physical_devices()
    assert cpu.device_type == "CPU" and cpu.name == "/physical_device:CPU:0"
    seen = []
    traced = tf.function(lambda x: seen.append(1) or x + 1.0)
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.functions_run_eagerly()
        traced(tf.constant(1.0))
        traced(tf.constant(2.0))
        assert seen == [1, 1]  # run as plain Python, every call
    finally:
        tf.config.run_functions_eagerly(False)
    assert not tf.config.functions_run_eagerly()
    with tf.device("CPU:0"):
        assert float(tf.add(1.0, 2.0)) == 3.0
    with pytest.raises(NotImplementedError, match=r"tf\.config\.set_visible_devices"):
        tf.config.set_visible_devices([])


def test_model_layers_in_attribute_order():
    class Two(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [tf.keras.layers.Dense(3), tf.keras.layers.Dense(2)]
            self.head = tf.keras.layers.Dense(1)

        def call(self, x):
            for b in self.blocks:
                x = b(x)
            return self.head(x)

    m = Two()
    m(np.ones((1, 4)))
    assert [type(layer).__name__ for layer in m.layers] == ["Dense"] * 3
    assert [tuple(v.shape) for v in m.trainable_variables] == [(4, 3), (3,), (3, 2), (2,),
                                                              (2, 1), (1,)]
    seq = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    assert seq.built and [tuple(v.shape) for v in seq.weights] == [(3, 2), (2,)]
    seq.add(tf.keras.layers.Dense(1))
    assert len(seq.layers) == 2 and len(seq.weights) == 4
    assert seq.pop() is not None and len(seq.layers) == 1
