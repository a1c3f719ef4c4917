"""Small programs run twice: on TensorFlow (once, by tests/measure_tf_reference.py, to
freeze the numbers in tests/tf_reference_values.py) and on adkernel (by the tests).

Each case takes the ``tf`` module and returns plain Python numbers, lists or strings, so
the same code runs on both. CI never installs TensorFlow: it compares adkernel against
the frozen values.
"""

from __future__ import annotations

import numpy as np

X = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]], dtype=np.float32)
M = np.array([[2.0, 0.5, -1.0], [0.3, 1.5, 0.2], [-0.4, 0.1, 1.8]], dtype=np.float32)
W = np.array([[0.2, -0.5], [0.7, 0.1], [-0.3, 0.4]], dtype=np.float32)
B = np.array([0.1, -0.2], dtype=np.float32)
XB = np.array([[1.0, 2.0, -1.0], [3.0, 0.5, 2.0], [0.0, -1.0, 4.0], [2.0, 2.0, 1.0]],
              dtype=np.float32)
UP = (np.arange(12, dtype=np.float32).reshape(4, 3) / 7.0 - 0.5).astype(np.float32)


def _l(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t).tolist()


def _value_and_grad(tf, f, *xs):
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = f(*ts)
        s = tf.reduce_sum(y * tf.cast(tf.reshape(tf.range(tf.size(y)), y.shape) % 3 + 1,
                                      y.dtype))
    # (TensorFlow gives IndexedSlices for some gathers: made dense here)
    return [_l(y)] + [_l(tf.convert_to_tensor(g)) for g in tape.gradient(s, ts)]


def _second(tf, f, x):
    t = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            s = tf.reduce_sum(f(t))
        g = inner.gradient(s, t)
        gs = tf.reduce_sum(g * g)
    return _l(outer.gradient(gs, t))


# ----- ops ------------------------------------------------------------------------------------
def op_cases(tf):
    return {
        "pad": lambda: _value_and_grad(tf, lambda x: tf.pad(x, [[1, 0], [0, 2]],
                                                            constant_values=0.5), X),
        "pad_reflect": lambda: _value_and_grad(tf, lambda x: tf.pad(x, [[1, 1], [2, 1]],
                                                                    mode="REFLECT"), X),
        "pad_symmetric": lambda: _value_and_grad(
            tf, lambda x: tf.pad(x, [[0, 1], [2, 2]], mode="SYMMETRIC"), X),
        "tile": lambda: _value_and_grad(tf, lambda x: tf.tile(x, [2, 2]), X),
        "cumsum": lambda: _value_and_grad(tf, lambda x: tf.cumsum(x, axis=1), X),
        "cumsum_excl_rev": lambda: _value_and_grad(
            tf, lambda x: tf.cumsum(x, axis=0, exclusive=True, reverse=True), X),
        "gather_nd": lambda: _value_and_grad(
            tf, lambda x: tf.gather_nd(x, [[0, 2], [1, 0], [0, 2]]), X),
        "gather_nd_rows": lambda: _value_and_grad(tf, lambda x: tf.gather_nd(x, [[1], [1]]), X),
        "erf": lambda: _value_and_grad(tf, tf.math.erf, X),
        "erf_second": lambda: _second(tf, tf.math.erf, X),
        "inv": lambda: _value_and_grad(tf, tf.linalg.inv, M),
        "det": lambda: _value_and_grad(tf, tf.linalg.det, M),
        "det_second": lambda: _second(tf, tf.linalg.det, M),
        "sort": lambda: _value_and_grad(tf, lambda x: tf.sort(x, axis=-1), X),
        "sort_desc": lambda: _value_and_grad(
            tf, lambda x: tf.sort(x, axis=0, direction="DESCENDING"), X),
        "argsort": lambda: _l(tf.argsort(X, direction="DESCENDING")),
        "boolean_mask": lambda: _value_and_grad(tf, lambda x: tf.boolean_mask(x, x > 0.4), X),
        "boolean_mask_axis": lambda: _value_and_grad(
            tf, lambda x: tf.boolean_mask(x, [True, False, True], axis=1), X),
        "split": lambda: _value_and_grad(
            tf, lambda x: tf.concat(tf.split(x, [2, 1], axis=1)[::-1], axis=1) * x, X),
        "matvec": lambda: _value_and_grad(tf, tf.linalg.matvec, M, X[0]),
        "clip_by_global_norm": lambda: _value_and_grad(
            tf, lambda a, b: tf.concat([tf.reshape(c, [-1]) for c in
                                        tf.clip_by_global_norm([a, b], 2.0)[0]], 0), X, M),
        "global_norm": lambda: _l(tf.linalg.global_norm([X, M])),
        "moments": lambda: _value_and_grad(
            tf, lambda x: tf.stack(tf.nn.moments(x, axes=[0])), XB),
        "moments_keepdims": lambda: [_l(m) for m in tf.nn.moments(XB, axes=[0, 1],
                                                                   keepdims=True)],
        "log_softmax": lambda: _value_and_grad(tf, tf.math.log_softmax, X),
        "reduce_any": lambda: [_l(tf.reduce_any(X > 1.0, axis=0)), _l(tf.reduce_any(X > 9))],
        "reduce_all": lambda: [_l(tf.reduce_all(X > -1.0, axis=1, keepdims=True)),
                               _l(tf.reduce_all(X > -9))],
        "newaxis": lambda: list(tf.constant(X)[:, tf.newaxis, :].shape),
        "dropout_rate0_identity": lambda: _l(tf.nn.dropout(X, 0.0)),
        "meshgrid": lambda: _value_and_grad(
            tf, lambda a, b: tf.stack(tf.meshgrid(a, b)) * tf.stack(tf.meshgrid(a, b))[::-1],
            X[0], X[1, :2]),
        "meshgrid_ij": lambda: [_l(g) for g in tf.meshgrid(X[0], X[1, :2], X[1],
                                                           indexing="ij")],
    }


def _error(tf, f):
    try:
        f()
    except Exception as e:
        return type(e).__name__
    return "no error"


def error_cases(tf):
    t = tf.constant(X)
    return {
        "reshape": lambda: _error(tf, lambda: tf.reshape(t, [4, 2])),
        "concat": lambda: _error(tf, lambda: tf.concat([t, tf.zeros([3, 2])], axis=1)),
        "concat_axis": lambda: _error(tf, lambda: tf.concat([t, t], axis=3)),
        "matmul": lambda: _error(tf, lambda: tf.matmul(t, t)),
        "add_shapes": lambda: _error(tf, lambda: t + tf.zeros([3, 2])),
        "reduce_axis": lambda: _error(tf, lambda: tf.reduce_sum(t, axis=2)),
        "reduce_mean_axis": lambda: _error(tf, lambda: tf.reduce_mean(t, axis=-3)),
        "argmax_axis": lambda: _error(tf, lambda: tf.argmax(t, axis=2)),
        "softmax_axis": lambda: _error(tf, lambda: tf.nn.softmax(t, axis=4)),
        "index": lambda: _error(tf, lambda: t[5]),
        "index_2d": lambda: _error(tf, lambda: t[0, 7]),
        "gather": lambda: _error(tf, lambda: tf.gather(t, [4])),
        "gather_nd": lambda: _error(tf, lambda: tf.gather_nd(t, [[2, 0]])),
        "transpose": lambda: _error(tf, lambda: tf.transpose(t, [0, 0])),
        "squeeze": lambda: _error(tf, lambda: tf.squeeze(t, 0)),
        "expand_dims": lambda: _error(tf, lambda: tf.expand_dims(t, 5)),
        "stack": lambda: _error(tf, lambda: tf.stack([t, tf.zeros([3, 2])])),
        "split": lambda: _error(tf, lambda: tf.split(t, 2, axis=1)),
        "tile": lambda: _error(tf, lambda: tf.tile(t, [2])),
        "pad": lambda: _error(tf, lambda: tf.pad(t, [[1, 1]])),
        "cumsum_axis": lambda: _error(tf, lambda: tf.cumsum(t, axis=2)),
        "inv_shape": lambda: _error(tf, lambda: tf.linalg.inv(t)),
        "broadcast_to": lambda: _error(tf, lambda: tf.broadcast_to(t, [3, 3])),
        "assert_equal": lambda: _error(tf, lambda: tf.debugging.assert_equal(t, t + 1)),
        "check_numerics": lambda: _error(
            tf, lambda: tf.debugging.check_numerics(tf.constant([1.0, np.nan]), "bad")),
        "assert_shapes": lambda: _error(
            tf, lambda: tf.debugging.assert_shapes([(t, ("N", 3)), (tf.zeros([3, 3]),
                                                                     ("N", 3))])),
        "subclass_of_value_error": lambda: str(issubclass(tf.errors.InvalidArgumentError,
                                                          ValueError)),
    }


# ----- Keras --------------------------------------------------------------------------------
def _dense(tf, **kwargs):
    layer = tf.keras.layers.Dense(2, **kwargs)
    layer.build((None, 3))
    layer.set_weights([W, B] if layer.use_bias else [W])
    return layer


def _grads_of(tf, layer, x, weights):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(y * tf.constant(weights))
    grads = tape.gradient(loss, [x, *layer.trainable_variables])
    return [_l(y)] + [_l(tf.convert_to_tensor(g)) for g in grads]


def keras_cases(tf):
    xt = lambda: tf.constant(X)  # noqa: E731
    up2 = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    cases = {
        "dense_linear": lambda: _grads_of(tf, _dense(tf), xt(), up2),
        "dense_relu_name": lambda: _grads_of(tf, _dense(tf, activation="relu"), xt(), up2),
        "dense_tanh_fn": lambda: _grads_of(tf, _dense(tf, activation=tf.nn.tanh), xt(), up2),
        "dense_sigmoid_nobias": lambda: _grads_of(
            tf, _dense(tf, activation="sigmoid", use_bias=False), xt(), up2),
        "dense_softmax": lambda: _grads_of(tf, _dense(tf, activation="softmax"), xt(), up2),
        "dense_gelu": lambda: _grads_of(tf, _dense(tf, activation="gelu"), xt(), up2),
        "dense_numpy_input_dtype": lambda: _dense(tf)(X.astype(np.float64)).dtype.name,
        "dense_ones_init": lambda: _l(tf.keras.layers.Dense(
            2, kernel_initializer="ones", bias_initializer=tf.keras.initializers.Constant(0.5))(
                X)),
        "dense_zeros_init_vars": lambda: _built_names(tf),
        "dense_frozen": lambda: _frozen(tf),
        "dense_3d_input": lambda: _l(_dense(tf)(np.stack([X, X * 2]))),
        "glorot_limit": lambda: _glorot(tf),
        "bn": lambda: _bn(tf),
        "bn_axis0": lambda: _bn(tf, axis=0, momentum=0.5, epsilon=0.1),
        "bn_no_center_scale": lambda: _bn(tf, center=False, scale=False),
        "sequential": lambda: _sequential(tf),
        "sgd": lambda: _optimize(tf, tf.keras.optimizers.SGD(learning_rate=0.1)),
        "sgd_momentum": lambda: _optimize(tf, tf.keras.optimizers.SGD(0.1, momentum=0.9)),
        "sgd_nesterov": lambda: _optimize(tf, tf.keras.optimizers.SGD(0.05, momentum=0.8,
                                                                      nesterov=True)),
        "sgd_weight_decay": lambda: _optimize(tf, tf.keras.optimizers.SGD(
            0.1, momentum=0.5, weight_decay=0.01)),
        "sgd_clipnorm": lambda: _optimize(tf, tf.keras.optimizers.SGD(0.1, clipnorm=0.5)),
        "sgd_clipvalue": lambda: _optimize(tf, tf.keras.optimizers.SGD(0.1, clipvalue=0.3)),
        "sgd_global_clipnorm": lambda: _optimize(tf, tf.keras.optimizers.SGD(
            0.1, global_clipnorm=0.5)),
        "adam": lambda: _optimize(tf, tf.keras.optimizers.Adam(learning_rate=0.01)),
        "adam_betas": lambda: _optimize(tf, tf.keras.optimizers.Adam(
            0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-3)),
        "adam_amsgrad": lambda: _optimize(tf, tf.keras.optimizers.Adam(0.02, amsgrad=True)),
        "adam_iterations": lambda: _adam_iterations(tf),
        # a TensorFlow user's small network, unchanged apart from the import
        "small_network_adam": lambda: _small_network(tf),
        "classifier_sgd_momentum": lambda: _classifier(tf),
        "bn_network_adam": lambda: _bn_network(tf),
        "custom_model_subclass": lambda: _custom_model(tf),
    }
    cases.update(_loss_cases(tf))
    return cases


def _built_names(tf):
    layer = tf.keras.layers.Dense(3, kernel_initializer="zeros", name="my_dense")
    before = [layer.built, len(layer.weights)]
    layer.build((None, 2))
    return [*before, layer.built, [v.name for v in layer.weights],
            [v.path for v in layer.weights], _l(layer.kernel)]


def _frozen(tf):
    layer = _dense(tf, trainable=False)
    return [len(layer.trainable_variables), len(layer.non_trainable_variables),
            layer.kernel.trainable]


def _glorot(tf):
    layer = tf.keras.layers.Dense(30)
    layer.build((None, 50))
    k = layer.kernel.numpy()
    limit = float(np.sqrt(6.0 / 80))
    return [bool(np.abs(k).max() <= limit), bool(np.abs(k).max() > 0.9 * limit),
            _l(layer.bias)[:3], list(k.shape)]


def _bn(tf, **kwargs):
    bn = tf.keras.layers.BatchNormalization(**kwargs)
    x = tf.constant(XB)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = bn(x, training=True)
        loss = tf.reduce_sum(y * tf.constant(UP))
    grads = tape.gradient(loss, [x, *bn.trainable_variables])
    after_train = [_l(v) for v in bn.non_trainable_variables]
    y2 = bn(x * 2.0, training=True)
    infer = bn(x)
    infer_false = bn(x, training=False)
    return {"y": _l(y), "grads": [_l(g) for g in grads], "moving_after_1": after_train,
            "y2": _l(y2), "moving_after_2": [_l(v) for v in bn.non_trainable_variables],
            "infer": _l(infer), "infer_false": _l(infer_false),
            "names": [v.name for v in bn.variables],
            "trainable": [v.trainable for v in bn.variables]}


def _sequential(tf):
    model = tf.keras.Sequential([tf.keras.layers.Dense(2, activation="tanh"),
                                 tf.keras.layers.Dense(1)])
    model(X)
    model.layers[0].set_weights([W, B])
    model.layers[1].set_weights([np.array([[0.6], [-0.8]], np.float32),
                                 np.array([0.05], np.float32)])
    with tf.GradientTape() as tape:
        y = model(X)
        loss = tf.reduce_mean(y ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    return [_l(y), [_l(g) for g in grads], len(model.layers),
            [list(v.shape) for v in model.trainable_variables]]


def _optimize(tf, opt, steps=4):
    w = tf.Variable(W)
    b = tf.Variable(B)
    trace = []
    for i in range(steps):
        with tf.GradientTape() as tape:
            y = tf.matmul(tf.constant(X), w) + b
            loss = tf.reduce_sum((y - float(i)) ** 2) + tf.reduce_sum(tf.sin(w))
        grads = tape.gradient(loss, [w, b])
        opt.apply_gradients(zip(grads, [w, b]))  # noqa: B905  (TensorFlow's idiom)
        trace.append([_l(w), _l(b)])
    return trace


def _adam_iterations(tf):
    opt = tf.keras.optimizers.Adam()
    v = tf.Variable([1.0, 2.0])
    out = opt.apply_gradients([(tf.constant([0.5, -0.5]), v)])
    opt.apply_gradients([(tf.constant([0.5, -0.5]), v)])
    return [int(opt.iterations.numpy()), int(out.numpy()) >= 1, _l(v),
            float(opt.learning_rate.numpy())]


Y_BIN = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], np.float32)
P_BIN = np.array([[0.9, 0.2, 0.6], [0.3, 1.0, 0.0]], np.float32)  # 1.0 and 0.0: clipped
LOGITS = np.array([[2.0, -1.0, 0.5], [-0.3, 0.8, 3.0]], np.float32)
Y_CAT = np.array([[0.0, 1.0, 0.0], [0.2, 0.0, 0.8]], np.float32)
P_CAT = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], np.float32)
Y_SPARSE = np.array([1, 2], np.int32)
SW = np.array([0.5, 2.0], np.float32)


def _loss_and_grad(tf, loss_fn, y_true, y_pred, **kw):
    p = tf.constant(y_pred)
    with tf.GradientTape() as tape:
        tape.watch(p)
        value = loss_fn(y_true, p, **kw)
    return [_l(value), _l(tape.gradient(value, p))]


def _loss_cases(tf):
    L = tf.keras.losses
    return {
        "mse": lambda: _loss_and_grad(tf, L.MeanSquaredError(), Y_BIN, P_BIN),
        "mse_sum": lambda: _loss_and_grad(tf, L.MeanSquaredError(reduction="sum"), Y_BIN,
                                          P_BIN),
        "mse_none": lambda: _loss_and_grad(tf, L.MeanSquaredError(reduction=None), Y_BIN,
                                           P_BIN),
        "mse_sample_weight": lambda: _loss_and_grad(tf, L.MeanSquaredError(), Y_BIN, P_BIN,
                                                    sample_weight=SW),
        "mse_rank_mismatch": lambda: _l(L.MeanSquaredError()(np.array([1.0, 2.0]),
                                                             np.array([[1.5], [1.0]]))),
        "mse_fn": lambda: _loss_and_grad(tf, L.mse, Y_BIN, P_BIN),
        "mse_fn_float64": lambda: L.MSE(Y_BIN.astype(np.float64),
                                        P_BIN.astype(np.float64)).dtype.name,
        "mse_object_float64": lambda: L.MeanSquaredError()(
            Y_BIN.astype(np.float64), P_BIN.astype(np.float64)).dtype.name,
        "bce": lambda: _loss_and_grad(tf, L.BinaryCrossentropy(), Y_BIN, P_BIN),
        "bce_logits": lambda: _loss_and_grad(tf, L.BinaryCrossentropy(from_logits=True),
                                             Y_BIN, LOGITS),
        "bce_smoothing": lambda: _loss_and_grad(tf, L.BinaryCrossentropy(label_smoothing=0.1),
                                                Y_BIN, P_BIN),
        "bce_fn": lambda: _loss_and_grad(tf, L.binary_crossentropy, Y_BIN, P_BIN),
        "bce_fn_logits": lambda: _loss_and_grad(tf, L.binary_crossentropy, Y_BIN, LOGITS,
                                                from_logits=True),
        "cce": lambda: _loss_and_grad(tf, L.CategoricalCrossentropy(), Y_CAT, P_CAT),
        "cce_unnormalised": lambda: _loss_and_grad(tf, L.CategoricalCrossentropy(), Y_CAT,
                                                   P_CAT * 3.0),
        "cce_logits": lambda: _loss_and_grad(tf, L.CategoricalCrossentropy(from_logits=True),
                                             Y_CAT, LOGITS),
        "cce_smoothing": lambda: _loss_and_grad(
            tf, L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), Y_CAT,
            LOGITS),
        "cce_fn": lambda: _loss_and_grad(tf, L.categorical_crossentropy, Y_CAT, P_CAT),
        "scce": lambda: _loss_and_grad(tf, L.SparseCategoricalCrossentropy(), Y_SPARSE, P_CAT),
        "scce_logits": lambda: _loss_and_grad(
            tf, L.SparseCategoricalCrossentropy(from_logits=True), Y_SPARSE, LOGITS),
        "scce_column_labels": lambda: _loss_and_grad(
            tf, L.SparseCategoricalCrossentropy(from_logits=True), Y_SPARSE[:, None], LOGITS),
        "scce_fn": lambda: _loss_and_grad(tf, L.sparse_categorical_crossentropy, Y_SPARSE,
                                          LOGITS, from_logits=True),
        "scce_sum_weighted": lambda: _loss_and_grad(
            tf, L.SparseCategoricalCrossentropy(reduction="sum"), Y_SPARSE, P_CAT,
            sample_weight=SW),
        "reduction_default": lambda: L.CategoricalCrossentropy().reduction,
        # Keras uses the logits of its own sigmoid/softmax activations (saturated here)
        "bce_after_sigmoid_layer": lambda: _after_activation(tf, "sigmoid",
                                                             L.BinaryCrossentropy(), Y_BIN),
        "cce_after_softmax_layer": lambda: _after_activation(
            tf, "softmax", L.CategoricalCrossentropy(), Y_CAT),
        "scce_after_softmax_layer": lambda: _after_activation(
            tf, "softmax", L.SparseCategoricalCrossentropy(), Y_SPARSE),
        "bce_after_tf_sigmoid": lambda: _after_activation(tf, tf.sigmoid,
                                                          L.BinaryCrossentropy(), Y_BIN),
    }


def _after_activation(tf, activation, loss_fn, y_true):
    layer = tf.keras.layers.Dense(3, activation=activation)
    layer.build((None, 3))
    layer.set_weights([M * 12.0, np.array([1.0, -2.0, 0.5], np.float32)])
    with tf.GradientTape() as tape:
        loss = loss_fn(y_true, layer(X))
    return [_l(loss), _l(tape.gradient(loss, layer.kernel))]


# ----- tf.function, tf.Module, TensorSpec ------------------------------------------------------
def module_cases(tf):
    return {
        "module_order": lambda: _module_order(tf),
        "module_default_name": lambda: [_named(tf).name, tf.Module().name,
                                        tf.Module(name="custom").name],
        "module_name_scope": lambda: _named(tf).name_scope.name,
        "function_values": lambda: _function_values(tf),
        "function_signature_rank": lambda: _error(tf, lambda: _signed(tf)(tf.zeros([2, 2]))),
        "function_signature_dtype": lambda: _error(
            tf, lambda: _signed(tf)(tf.constant([1, 2], tf.int32))),
        "function_signature_ok": lambda: _l(_signed(tf)(tf.constant([1.0, 2.0, 3.0]))),
        "function_method": lambda: _function_method(tf),
        "function_gradient": lambda: _function_gradient(tf),
        "tensorspec": lambda: [repr(tf.TensorSpec([None, 3])), repr(tf.TensorSpec(None)),
                               tf.TensorSpec([None, 3]).is_compatible_with(tf.zeros([5, 3])),
                               tf.TensorSpec([None, 3]).is_compatible_with(tf.zeros([5, 2])),
                               tf.TensorSpec(None, tf.int32).is_compatible_with(
                                   tf.zeros([5, 2]))],
    }


def _named(tf):
    class MyDenseBlock(tf.Module):
        pass

    return MyDenseBlock()


def _module_order(tf):
    class Inner(tf.Module):
        def __init__(self):
            super().__init__(name="inner")
            self.w = tf.Variable(5.0, name="w_inner")

    class Outer(tf.Module):
        def __init__(self):
            super().__init__()
            self.zeta = tf.Variable(1.0, name="zeta")
            self.alpha = [tf.Variable(2.0, name="a0"),
                          {"k2": tf.Variable(3.0, name="k2"),
                           "k1": tf.Variable(4.0, name="k1", trainable=False)}]
            self.child = Inner()
            self.pair = (tf.Variable(6.0, name="p0"), self.zeta)  # zeta counted once
            self.beta = tf.Variable(7.0, name="beta", trainable=False)

    m = Outer()
    return [[v.name for v in m.variables], [v.name for v in m.trainable_variables],
            [s.name for s in m.submodules], m.name]


def _function_values(tf):
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x * x + 1

    @tf.function(reduce_retracing=True, jit_compile=False)
    def g(x, y=2.0):
        return x * y

    return [_l(f(tf.constant(3.0))), _l(f(tf.constant([1.0, 2.0]))), _l(g(tf.constant(4.0))),
            _l(g(tf.constant(4.0), y=0.5))]


def _signed(tf):
    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
    def h(x):
        return x * 2.0

    return h


def _function_method(tf):
    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(3.0)

        @tf.function(input_signature=[tf.TensorSpec(None)])
        def __call__(self, x):
            return self.v * x

    m = Model()
    return [_l(m(tf.constant(2.0))), _l(m(tf.constant([1.0, 2.0])))]


def _function_gradient(tf):
    v = tf.Variable(2.0)

    @tf.function
    def loss(x):
        return v * v * x

    with tf.GradientTape() as tape:
        y = loss(tf.constant(3.0))
    return [_l(y), _l(tape.gradient(y, v))]


XN = (np.arange(24, dtype=np.float32).reshape(8, 3) % 5 - 2.0) / 2.0
YN = (np.sin(XN.sum(axis=1, keepdims=True)) * 1.5).astype(np.float32)
W1 = (np.arange(12, dtype=np.float32).reshape(3, 4) % 7 - 3.0) / 5.0
W2 = np.array([[0.5], [-0.4], [0.3], [0.8]], np.float32)


def _small_network(tf):
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(4, activation="relu"),
        tf.keras.layers.Dense(1),
    ])
    model(XN)
    model.set_weights([W1, np.full(4, 0.1, np.float32), W2, np.array([0.0], np.float32)])
    optimizer = tf.keras.optimizers.Adam(learning_rate=0.05)
    loss_fn = tf.keras.losses.MeanSquaredError()
    losses = []
    for _ in range(12):
        with tf.GradientTape() as tape:
            loss = loss_fn(YN, model(XN, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))  # noqa: B905
        losses.append(float(loss))
    return {"losses": losses, "weights": [_l(w) for w in model.get_weights()],
            "prediction": _l(model(XN[:3]))}


def _classifier(tf):
    layer = tf.keras.layers.Dense(3, kernel_initializer="zeros")
    labels = np.array([0, 1, 2, 1, 0, 2, 2, 1], np.int64)
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    losses = []
    for _ in range(10):
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, layer(XN))
        grads = tape.gradient(loss, layer.trainable_variables)
        optimizer.apply_gradients(zip(grads, layer.trainable_variables))  # noqa: B905
        losses.append(float(loss))
    return {"losses": losses, "kernel": _l(layer.kernel), "bias": _l(layer.bias)}


def _bn_network(tf):
    # no bias before BatchNormalization: its gradient would be rounding noise (BN removes
    # any shift), which Adam would amplify into steps that no two libraries agree on
    dense = tf.keras.layers.Dense(4, use_bias=False,
                                  kernel_initializer=tf.keras.initializers.Constant(W1))
    bn = tf.keras.layers.BatchNormalization(momentum=0.8)
    head = tf.keras.layers.Dense(1, activation="sigmoid",
                                 kernel_initializer=tf.keras.initializers.Constant(W2))
    target = (YN > 0).astype(np.float32)
    optimizer = tf.keras.optimizers.Adam(learning_rate=0.1, amsgrad=True)
    loss_fn = tf.keras.losses.BinaryCrossentropy()
    losses = []
    for _ in range(6):
        with tf.GradientTape() as tape:
            p = head(bn(dense(XN), training=True))
            loss = loss_fn(target, p)
        variables = dense.trainable_variables + bn.trainable_variables + \
            head.trainable_variables
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))  # noqa: B905
        losses.append(float(loss))
    return {"losses": losses, "moving": [_l(v) for v in bn.non_trainable_variables],
            "inference": _l(head(bn(dense(XN[:4]), training=False)))}


def _custom_model(tf):
    class TwoLayer(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = tf.keras.layers.Dense(4, activation="tanh")
            self.out = tf.keras.layers.Dense(1)

        def call(self, x, training=False):
            return self.out(self.hidden(x))

    model = TwoLayer()
    model(XN)
    model.set_weights([W1, np.zeros(4, np.float32), W2, np.array([0.2], np.float32)])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(XN) - YN))
    grads = tape.gradient(loss, model.trainable_variables)
    return {"loss": float(loss), "grads": [_l(g) for g in grads],
            "names": [v.name for v in model.trainable_variables]}


# ----- forward mode: tf.autodiff.ForwardAccumulator -------------------------------------------
V3 = np.array([1.0, 3.0, 2.0], np.float32)
T3 = np.array([1.0, 10.0, 100.0], np.float32)
LOGITS_F = np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]], np.float32)
TANGENT_F = np.array([[1.0, 0.0, -1.0], [0.5, -0.25, 0.5]], np.float32)


def _jvp_l(t):
    return None if t is None else _l(t)


def _forward(tf, f, primals, tangents, **kw):
    """acc.jvp(f(*primals)) with the primals and tangents given as numpy arrays."""
    ps = [tf.constant(p) for p in primals]
    with tf.autodiff.ForwardAccumulator(ps, [tf.constant(t) for t in tangents]) as acc:
        y = f(*ps)
    return _jvp_l(acc.jvp(y, **kw))


def _hvp_forward_over_reverse(tf):
    x, v = tf.constant(V3), tf.constant(T3 / 10)
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(x ** 3) + x[0] * x[1] * tf.sin(x[2])
        g = tape.gradient(y, x)
    return [_l(g), _l(acc.jvp(g))]


def _reverse_over_forward(tf):
    w = tf.Variable(V3)
    with tf.GradientTape() as tape:
        with tf.autodiff.ForwardAccumulator(w, tf.constant(T3 / 10)) as acc:
            y = tf.reduce_sum(tf.exp(w / 3.0) * w)
        jvp = acc.jvp(y)
    return [_l(jvp), _l(tape.gradient(jvp, w))]


def _jacobian_column(tf):
    A = tf.constant(M)
    x = tf.constant(V3 / 4)
    with tf.autodiff.ForwardAccumulator(x, tf.constant([0.0, 1.0, 0.0])) as acc:
        y = tf.tanh(tf.linalg.matvec(A, x)) * x
    with tf.GradientTape() as tape:
        tape.watch(x)
        y2 = tf.tanh(tf.linalg.matvec(A, x)) * x
    return [_l(acc.jvp(y)), _l(tape.jacobian(y2, x)[:, 1])]


def _unconnected(tf):
    x, z = tf.constant(V3), tf.constant(2.0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(T3)) as acc:
        y = x * 2.0
        k = tf.argmax(x)
    return [_jvp_l(acc.jvp(z)), _l(acc.jvp(z, unconnected_gradients="zero")),
            _jvp_l(acc.jvp(k)), _l(acc.jvp(k, unconnected_gradients=tf.UnconnectedGradients.ZERO)),
            str(acc.jvp(k, unconnected_gradients="zero").dtype.name), _l(acc.jvp(y))]


def _nested(tf):
    a, b = tf.constant(V3), tf.constant(2.0)
    with tf.autodiff.ForwardAccumulator({"a": a, "b": b},
                                        {"a": tf.constant(T3), "b": tf.constant(-1.0)}) as acc:
        y = a * b
        s = tf.reduce_sum(tf.square(a))
    out = acc.jvp({"y": y, "pair": [s, tf.constant(1.0)], "b": b})
    return {"y": _l(out["y"]), "pair": [_l(out["pair"][0]), _jvp_l(out["pair"][1])],
            "b": _l(out["b"])}


def _custom_gradient_forward(tf):
    @tf.custom_gradient
    def f(x):
        return tf.sin(x) * x, lambda dy: dy * 100.0

    return _forward(tf, f, [V3], [T3])


def _forward_over_forward(tf):
    x = tf.constant(V3)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(T3 / 10)) as outer:
        with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0, 0.0])) as inner:
            y = tf.reduce_sum(x ** 3)
        j = inner.jvp(y)
    return [_l(j), _l(outer.jvp(j)), _l(outer.jvp(y))]


def forward_cases(tf):
    sce = tf.nn.softmax_cross_entropy_with_logits
    labels = np.array([[0.0, 1.0, 0.0], [0.7, 0.0, 0.3]], np.float32)
    return {
        "scalar": lambda: _forward(tf, lambda x: x ** 3, [np.float32(2.0)], [np.float32(1.0)]),
        "vector": lambda: _forward(tf, lambda x: tf.sin(x) * x + tf.exp(-x), [V3], [T3]),
        "several_primals": lambda: _forward(
            tf, lambda a, b: tf.reduce_sum(a * b) / (b + 1.0), [V3, np.float32(3.0)],
            [T3, np.float32(-2.0)]),
        "unconnected": lambda: _unconnected(tf),
        "nested": lambda: _nested(tf),
        "variable": lambda: _reverse_over_forward(tf)[0],
        "hvp_forward_over_reverse": lambda: _hvp_forward_over_reverse(tf),
        "reverse_over_forward": lambda: _reverse_over_forward(tf),
        "forward_over_forward": lambda: _forward_over_forward(tf),
        "jacobian_column": lambda: _jacobian_column(tf),
        "softmax_cross_entropy": lambda: _forward(
            tf, lambda z: sce(labels=labels, logits=z), [LOGITS_F], [TANGENT_F]),
        "sparse_softmax_cross_entropy": lambda: _forward(
            tf, lambda z: tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.array([1, 0], np.int32), logits=z)), [LOGITS_F], [TANGENT_F]),
        "sort_and_max": lambda: [_forward(tf, tf.sort, [V3], [T3]),
                                 _forward(tf, tf.reduce_max, [V3], [T3])],
        "integer_and_step_ops": lambda: [
            _forward(tf, tf.argmax, [V3], [T3]), _forward(tf, tf.round, [V3], [T3]),
            _forward(tf, tf.sign, [V3], [T3]), _forward(tf, tf.stop_gradient, [V3], [T3]),
            _forward(tf, lambda x: tf.cast(x, tf.int32), [V3], [T3])],
        "custom_gradient": lambda: _custom_gradient_forward(tf),
        "tangent_shape_mismatch": lambda: _error(tf, lambda: _forward(
            tf, lambda x: x * 2.0, [V3], [np.ones(2, np.float32)])),
        "tangent_dtype_mismatch": lambda: _error(tf, lambda: _forward(
            tf, lambda x: x * 2.0, [V3], [np.ones(3, np.int32)])),
        "structure_mismatch": lambda: _error(
            tf, lambda: tf.autodiff.ForwardAccumulator([tf.constant(V3)], [])),
        "reenter": lambda: _error(tf, _reenter(tf)),
    }


def _reenter(tf):
    def run():
        acc = tf.autodiff.ForwardAccumulator(tf.constant(V3), tf.constant(T3))
        with acc, acc:
            pass

    return run
