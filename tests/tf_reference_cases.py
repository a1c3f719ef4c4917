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
        "mae": lambda: _loss_and_grad(tf, L.MeanAbsoluteError(), Y_BIN, P_BIN),
        "mae_ties": lambda: _loss_and_grad(tf, L.MeanAbsoluteError(), Y_BIN, Y_BIN),
        "mae_none": lambda: _loss_and_grad(tf, L.MeanAbsoluteError(reduction=None), Y_BIN,
                                           P_BIN),
        "mae_sample_weight": lambda: _loss_and_grad(tf, L.MeanAbsoluteError(), Y_BIN, P_BIN,
                                                    sample_weight=SW),
        "mae_fn": lambda: _loss_and_grad(tf, L.mae, Y_BIN, P_BIN),
        "mae_rank_mismatch": lambda: _l(L.MAE(np.array([1.0, 2.0]),
                                              np.array([[1.0], [3.0]]))),
        "mae_config": lambda: L.MeanAbsoluteError().get_config(),
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


# ----- issue 20 (fuzzed against TensorFlow): integer paths, second order, empty tensors,
# NaN in argmax, tf.cast to the same dtype -----------------------------------------------------
def _out(t):
    """A result as TensorFlow prints it: None, or dtype, shape and values."""
    if t is None:
        return None
    if isinstance(t, list | tuple):
        return [_out(x) for x in t]
    t = t if hasattr(t, "dtype") else np.asarray(t)
    return {"dtype": str(np.dtype(t.dtype.name if hasattr(t.dtype, "name") else t.dtype)),
            "shape": list(t.shape), "value": _l(t)}


def _int_path(tf, f, how):
    """The gradient of ``f(v)`` for an int32 variable ``v`` (TensorFlow: None)."""
    v = tf.Variable([1, 2, 3])
    with tf.GradientTape() as tape:
        y = f(v)
        if how == "castf":
            y = tf.cast(y, tf.float32) * 2.0
    if how == "jacobian":
        return _out(tape.jacobian(y, [v]))
    return _out(tape.gradient(y, v))


_INT_OPS = {
    "reduce_max": lambda tf, v: tf.reduce_max(v),
    "reduce_mean": lambda tf, v: tf.reduce_mean(v),
    "reduce_min": lambda tf, v: tf.reduce_min(v),
    "reduce_prod": lambda tf, v: tf.reduce_prod(v),
    "pow": lambda tf, v: tf.pow(v, 2),
    "subtract": lambda tf, v: tf.subtract(v, 2),
    "tile": lambda tf, v: tf.tile(v, [2]),
    "divide": lambda tf, v: tf.divide(v, 2),
}


def _through_int(tf, which):
    """Float -> int -> float: the integer step cuts the path (TensorFlow: None / x's part)."""
    x = tf.constant([1.5, 2.5, -0.5])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        i = tf.cast(x, tf.int32)
        y = tf.cast(i * 2, tf.float32)
        z = tf.cast(i, tf.float32) * x
    if which == "jacobian":
        return _out(tape.jacobian(y, x))
    return _out([tape.gradient(y, x), tape.gradient(i, x), tape.gradient(z, x)])


def _watched_int(tf):
    c = tf.constant([1, 2, 3])
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = tf.reduce_sum(c * 2)
    return [_out(tape.gradient(y, c)), [w.name for w in tape.watched_variables()]]


def _int_target_is_source(tf):
    """A source that is the target gets its seed, ones, even when it is an integer tensor."""
    c = tf.constant([1, 2])
    v = tf.Variable([1, 2])
    with tf.GradientTape(persistent=True) as tape:
        y = v + 0
    return [_out(tape.gradient(c, c)), _out(tape.gradient(v, v)), _out(tape.gradient(y, v))]


def _int_zero(tf):
    v = tf.Variable([1, 2, 3])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v)
    return _out(tape.gradient(y, v, unconnected_gradients="zero"))


def _nested(tf, f, x, dtype="float64"):
    """First and second derivative of sum(f(x)), elementwise (nested tapes)."""
    t = tf.constant(np.asarray(x, dtype=dtype))
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = tf.reduce_sum(f(t))
        g = inner.gradient(y, t)
    return _out([g, outer.gradient(g, t)])


def _hessian(tf, f, x):
    t = tf.constant(np.asarray(x, dtype="float64"))
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = f(t)
        g = inner.gradient(y, t)
    return _out(outer.jacobian(g, t))


def _cast_same(tf, which):
    x = tf.Variable([1.0, 2.0, 3.0], dtype=tf.float64, trainable=False)
    w = tf.Variable([1.0, 2.0])
    c = tf.constant([1.0, 2.0])
    if which == "is":
        return [str(tf.cast(x, tf.float64) is x), str(tf.cast(c, tf.float32) is c),
                str(tf.cast(w, tf.float32) is w)]
    if which == "untrainable":
        with tf.GradientTape() as tape:
            y = tf.cast(x, tf.float64)
        return _out(tape.gradient(y, x))
    if which == "untrainable_times_2":
        with tf.GradientTape() as tape:
            y = tf.cast(x, tf.float64) * 2
        return _out(tape.gradient(y, x))
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = tf.cast(w, tf.float32)
    return [_out(tape.gradient(y, w)), len(tape.watched_variables())]


def _empty(tf, f, dtype="float32"):
    """f on a (0, 3) tensor: its value and the gradient of its sum."""
    x = tf.zeros((0, 3), dtype=dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
        s = tf.reduce_sum(y)
    return _out([y, tape.gradient(s, x)])


_EMPTY = {
    "cumsum_exclusive_reverse": lambda tf, x: tf.cumsum(x, exclusive=True, reverse=True),
    "cumsum_axis1": lambda tf, x: tf.cumsum(x, axis=1),
    "softmax_axis0": lambda tf, x: tf.nn.softmax(x, axis=0),
    "softmax": lambda tf, x: tf.nn.softmax(x),
    "log_softmax_axis0": lambda tf, x: tf.nn.log_softmax(x, axis=0),
    "logsumexp_axis0": lambda tf, x: tf.reduce_logsumexp(x, axis=0),
    "logsumexp_axis0_keepdims": lambda tf, x: tf.reduce_logsumexp(x, axis=0, keepdims=True),
    "logsumexp_axis1": lambda tf, x: tf.reduce_logsumexp(x, axis=1),
    "logsumexp_all": lambda tf, x: tf.reduce_logsumexp(x),
    "sum_axis0": lambda tf, x: tf.reduce_sum(x, axis=0),
    "mean_axis0": lambda tf, x: tf.reduce_mean(x, axis=0),
    "mean_all": lambda tf, x: tf.reduce_mean(x),
    "max_axis0": lambda tf, x: tf.reduce_max(x, axis=0),
    "max_all": lambda tf, x: tf.reduce_max(x),
    "max_axis1": lambda tf, x: tf.reduce_max(x, axis=1),
    "min_axis0": lambda tf, x: tf.reduce_min(x, axis=0),
    "min_all": lambda tf, x: tf.reduce_min(x),
    "prod_axis0": lambda tf, x: tf.reduce_prod(x, axis=0),
    "prod_all": lambda tf, x: tf.reduce_prod(x),
    "std_axis0": lambda tf, x: tf.math.reduce_std(x, axis=0),
    "variance_axis0": lambda tf, x: tf.math.reduce_variance(x, axis=0),
    "norm": lambda tf, x: tf.norm(x),
    "matmul": lambda tf, x: tf.matmul(tf.transpose(x), x),
}

NAN = float("nan")
INF = float("inf")
_ARG = [[[0.98], [NAN]], [[NAN], [0.98]], [NAN, 1.0, 2.0], [1.0, NAN, 2.0], [2.0, NAN, 1.0],
        [NAN, NAN], [1.0, 2.0, NAN], [3.0, NAN, 3.0], [-1.0, NAN, -2.0], [INF, NAN],
        [-INF, NAN, -INF]]


def _args_with_nan(tf):
    out = {}
    for i, x in enumerate(_ARG):
        t = tf.constant(x)
        out[f"case{i}"] = [_l(tf.argmax(t)), _l(tf.argmin(t))]
    m = tf.constant([[NAN, 1.0, 2.0], [3.0, NAN, 1.0]])
    out["rows"] = [_l(tf.argmax(m, axis=1)), _l(tf.argmin(m, axis=1))]
    out["float64"] = _l(tf.argmax(tf.constant([NAN, 1.0, 2.0], tf.float64)))
    return out


def _logsumexp_grad(tf, x, dtype="float32", **kw):
    t = tf.constant(np.asarray(x, dtype=dtype))
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = tf.reduce_logsumexp(t, **kw)
    return _out([y, tape.gradient(y, t)])


def _second_order_pattern(tf):
    """Which second derivatives exist (a tensor) and which are None, op by op: the gradient
    of each input's first-order gradient (summed) with respect to every input."""
    a = tf.constant([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]], dtype=tf.float64)
    b = tf.constant([[1.1, 0.4, -0.6], [0.8, -1.3, 0.9]], dtype=tf.float64)
    sq = tf.constant([[2.0, 0.5], [0.3, 1.5]], dtype=tf.float64)
    ops = {
        "add": (lambda x, y: x + y, a, b), "sub": (lambda x, y: x - y, a, b),
        "mul": (lambda x, y: x * y, a, b), "truediv": (lambda x, y: x / y, a, b),
        "pow": (lambda x, y: tf.pow(x, y), tf.abs(a) + 0.5, b),
        "maximum": (tf.maximum, a, b), "minimum": (tf.minimum, a, b),
        "floormod": (tf.math.floormod, a, tf.abs(b) + 0.5),
        "squared_difference": (tf.math.squared_difference, a, b),
        "neg": (tf.negative, a), "exp": (tf.exp, a), "log": (tf.math.log, tf.abs(a)),
        "sqrt": (tf.sqrt, tf.abs(a)), "square": (tf.square, a), "abs": (tf.abs, a),
        "sign": (tf.sign, a), "tanh": (tf.tanh, a), "sigmoid": (tf.sigmoid, a),
        "relu": (tf.nn.relu, a), "leaky_relu": (tf.nn.leaky_relu, a), "elu": (tf.nn.elu, a),
        "softplus": (tf.nn.softplus, a),
        "clip_by_value": (lambda x: tf.clip_by_value(x, -1.0, 1.0), a),
        "where": (lambda x, y: tf.where(x > y, x, y), a, b),
        "identity": (tf.identity, a), "reduce_sum": (tf.reduce_sum, a),
        "reduce_mean": (tf.reduce_mean, a), "reduce_max": (tf.reduce_max, a),
        "reduce_min": (tf.reduce_min, a), "reduce_prod": (tf.reduce_prod, a),
        "reduce_logsumexp": (tf.reduce_logsumexp, a),
        "reshape": (lambda x: tf.reshape(x, [3, 2]), a), "transpose": (tf.transpose, a),
        "concat": (lambda x, y: tf.concat([x, y], 0), a, b),
        "stack": (lambda x, y: tf.stack([x, y]), a, b),
        "gather": (lambda x: tf.gather(x, [1, 0, 1]), a),
        "matmul": (lambda x, y: tf.matmul(x, y, transpose_b=True), a, b),
        "solve": (tf.linalg.solve, sq, tf.transpose(a[:, :2])),
        "inv": (tf.linalg.inv, sq), "det": (tf.linalg.det, sq),
        "softmax": (tf.nn.softmax, a), "log_softmax": (tf.nn.log_softmax, a),
        "sigmoid_cross_entropy": (
            lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
            tf.sigmoid(b), a),
        "pad": (lambda x: tf.pad(x, [[1, 0], [0, 1]]), a),
        "tile": (lambda x: tf.tile(x, [2, 1]), a), "cumsum": (tf.cumsum, a),
        "erf": (tf.math.erf, a),
    }
    out = {}
    for name, (f, *xs) in ops.items():
        xs = [tf.identity(x) for x in xs]
        with tf.GradientTape(persistent=True) as outer:
            outer.watch(xs)
            with tf.GradientTape() as inner:
                inner.watch(xs)
                y = f(*xs)
            firsts = [tf.reduce_sum(tf.convert_to_tensor(g)) for g in inner.gradient(y, xs)]
        out[name] = [["None" if h is None else "tensor" for h in outer.gradient(s, xs)]
                     for s in firsts]
    return out


def fuzz_numeric_b(tf):
    cases = {}
    for name, f in _INT_OPS.items():
        for how in ("gradient", "jacobian", "castf"):
            cases[f"int_{name}_{how}"] = lambda f=f, how=how: _int_path(
                tf, lambda v: f(tf, v), how)
    cases.update({
        "int_jacobian_reduce_mean_list": lambda: _int_path(
            tf, lambda v: tf.reduce_mean(v), "jacobian"),
        "int_unconnected_zero": lambda: _int_zero(tf),
        "int_target_is_source": lambda: _int_target_is_source(tf),
        "int_watched_constant": lambda: _watched_int(tf),
        "float_int_float": lambda: _through_int(tf, "gradient"),
        "float_int_float_jacobian": lambda: _through_int(tf, "jacobian"),
        "relu_second": lambda: _nested(tf, tf.nn.relu, [-2.0, 0.0, 3.0]),
        "relu_second_float32": lambda: _nested(tf, tf.nn.relu, [-2.0, 0.0, 3.0], "float32"),
        "leaky_relu_second": lambda: _nested(tf, tf.nn.leaky_relu, [-2.0, 0.0, 3.0], "float32"),
        "reduce_prod_second_no_zero": lambda: _nested(tf, tf.reduce_prod, [2.0, 5.0, 3.0]),
        "reduce_prod_hessian_no_zero": lambda: _hessian(tf, tf.reduce_prod, [1.0, 2.0, 3.0]),
        "reduce_prod_second_one_zero": lambda: _nested(tf, tf.reduce_prod, [2.0, 0.0, 3.0]),
        "reduce_prod_second_rows": lambda: _nested(
            tf, lambda x: tf.reduce_prod(x, axis=1), [[2.0, 0.0, 3.0], [1.0, 2.0, 4.0]]),
        "cast_same_dtype_is_itself": lambda: _cast_same(tf, "is"),
        "cast_same_dtype_untrainable": lambda: _cast_same(tf, "untrainable"),
        "cast_same_dtype_untrainable_times_2": lambda: _cast_same(tf, "untrainable_times_2"),
        "cast_same_dtype_unwatched": lambda: _cast_same(tf, "unwatched"),
        "argmax_argmin_nan": lambda: _args_with_nan(tf),
        "empty_max_int32": lambda: _out(tf.reduce_max(tf.zeros((0, 2), tf.int32), axis=0)),
        "empty_min_int32": lambda: _out(tf.reduce_min(tf.zeros((0, 2), tf.int32), axis=0)),
        "empty_logsumexp_float64": lambda: _empty(
            tf, lambda x: tf.reduce_logsumexp(x, axis=0), "float64"),
        "second_order_pattern": lambda: _second_order_pattern(tf),
    })
    for name, f in _EMPTY.items():
        cases[f"empty_{name}"] = lambda f=f: _empty(tf, lambda x: f(tf, x))
    for i, x in enumerate(([0.1, 0.1], [1.0, 1.0], [0.3, 0.3], [100.0, 100.0], [3.3, 3.3],
                           [0.5, 0.5, 0.5, 0.5], [-INF, -INF], [INF, 1.0], [NAN, 1.0])):
        cases[f"logsumexp_grad_{i}"] = lambda x=x: _logsumexp_grad(tf, x)
        cases[f"logsumexp_grad_{i}_float64"] = lambda x=x: _logsumexp_grad(tf, x, "float64")
    cases["logsumexp_grad_rows"] = lambda: _logsumexp_grad(
        tf, [[0.3, 0.3, 5.0], [1.0, 2.0, 3.0]], axis=1)
    return cases


# ----- issue 20, fuzz_numeric_a: NaN/inf routing and second derivatives ----------------------
# softplus'' (item 1), rsqrt's 0 where the upstream gradient is 0 (3), reduce_min/max spreading
# NaN over the reduced row (4), pow's d/dy (5), clip_by_value's routing (7), elu's second
# order (9), and their neighbours. Each result is {"dtype": name, "value": nested lists} with
# NaN and inf spelled as strings (the frozen file is Python source); None stays None.
EDGES = [-2.0, 0.0, 3.0, -30.0, -100.0, 100.0, NAN, INF, -INF]


def _spell(v):
    if isinstance(v, list):
        return [_spell(e) for e in v]
    if isinstance(v, float) and not np.isfinite(v):
        return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def _nf(t):
    if t is None:
        return None
    a = np.asarray(t.numpy() if hasattr(t, "numpy") else t)
    return {"dtype": a.dtype.name, "value": _spell(a.tolist())}


def _grads_nf(tf, f, xs, dtype="float32", up=None):
    """f(*xs), then d f / d xs (with output_gradients ``up``): [value, grad per input]."""
    ts = [tf.constant(np.asarray(x, dtype)) for x in xs]
    with tf.GradientTape() as tape:
        tape.watch(ts)
        y = f(*ts)
    seed = None if up is None else tf.constant(np.asarray(up, dtype))
    return [_nf(y)] + [_nf(g) for g in tape.gradient(y, ts, output_gradients=seed)]


def _second_nf(tf, f, x, dtype="float32"):
    """[d sum(f)/dx, d/dx of that] with nested tapes."""
    t = tf.constant(np.asarray(x, dtype))
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = f(t)
        g = inner.gradient(y, t)
    return [_nf(g), _nf(outer.gradient(g, t))]


def _upstream_from(tf, f, xs, us, dtype="float32"):
    """g = d f/dx with output_gradients w * us (w a watched scalar): [g, dg/dw, dg/dx]."""
    x = tf.constant(np.asarray(xs, dtype))
    w = tf.constant(np.asarray(2.0, dtype))
    with tf.GradientTape(persistent=True) as outer:
        outer.watch([w, x])
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x, output_gradients=w * tf.constant(np.asarray(us, dtype)))
    return [_nf(g), _nf(outer.gradient(g, w)), _nf(outer.gradient(g, x))]


def _elu_scaled_by_min(tf):
    x = tf.constant(np.array([-0.3, -5.0, INF], np.float32))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.nn.elu(x) * tf.reduce_min(tf.abs(x))
        g = inner.gradient(y, x)
    return [_nf(g), _nf(outer.gradient(g, x))]


def _elu_upstream_scalar(tf):
    x = tf.constant(np.array([-0.3, -5.0, INF, NAN], np.float32))
    w = tf.constant(np.float32(2.0))
    with tf.GradientTape() as outer:
        outer.watch(w)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.nn.elu(x) * w
        g = inner.gradient(y, x)
    return [_nf(g), _nf(outer.gradient(g, w))]


def _clip_nan_between_abs(tf, v):
    x = tf.constant(np.float32(v))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.clip_by_value(tf.constant(NAN, tf.float32), -tf.abs(x), tf.abs(x))
    return [_nf(y), _nf(tape.gradient(y, x))]


def _rsqrt_jacobian(tf):
    x = tf.constant(np.array([-1.0, 4.0, 0.0], np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.math.rsqrt(x) * tf.constant([0.0, 1.0, 1.0])
    return _nf(tape.jacobian(y, x))


POW_X = [-2.0, -2.0, 0.0, 0.0, 0.0, 2.0, -0.0, INF, -INF, NAN, 1.0, 0.0, -8.0, 2.0]
POW_Y = [0.5, 2.0, -1.0, 0.0, 2.0, 3.0, -1.0, 1.0, 2.0, 1.0, NAN, -2.5, 1 / 3, INF]
CLIP_T = [NAN, 1.0, -1.0, 2.0, -2.0, 0.5, NAN, 3.0, NAN, 1.0, 1.0]
CLIP_LO = [-1.0, 1.0, -1.0, -1.0, 0.0, 1.0, NAN, NAN, NAN, 2.0, 1.0]
CLIP_HI = [1.0, 2.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, NAN, 1.0, 1.0]
DIV_X = [1.0, 1.0, -1.0, 0.0, 0.0, 2.0, INF, NAN, 3.0, -0.0, 1e-30]
DIV_Y = [0.0, -0.0, 0.0, 0.0, 2.0, INF, 2.0, 1.0, -1.5, 1.0, 1e-30]
UNARY_X = [-1.0, 4.0, 0.0, 0.0, -0.0, INF, NAN, 2.0]
UNARY_UP = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]


def _fuzz_numeric_a_per_dtype(tf, dt):
    cases = {
        "softplus_second_" + dt: lambda: _second_nf(tf, tf.math.softplus, EDGES, dt),
        "log_sigmoid_second_" + dt: lambda: _second_nf(tf, tf.math.log_sigmoid,
                                                       [-2.0, 0.0, 3.0, NAN], dt),
        "elu_second_" + dt: lambda: _second_nf(tf, tf.nn.elu, EDGES, dt),
        "pow_" + dt: lambda: _grads_nf(tf, tf.pow, [POW_X, POW_Y], dt),
        "pow_upstream_zero_" + dt: lambda: _grads_nf(tf, tf.pow, [POW_X, POW_Y], dt,
                                                     up=[0.0] * len(POW_X)),
        "pow_second_in_y_" + dt: lambda: _second_nf(
            tf, lambda y: tf.pow(tf.constant(np.asarray(POW_X, dt)), y), POW_Y, dt),
        "pow_second_in_x_" + dt: lambda: _second_nf(
            tf, lambda x: tf.pow(x, tf.constant(np.asarray(POW_Y, dt))), POW_X, dt),
        "clip_by_value_" + dt: lambda: _grads_nf(tf, tf.clip_by_value,
                                                 [CLIP_T, CLIP_LO, CLIP_HI], dt),
        "clip_by_value_scalar_bounds_" + dt: lambda: _grads_nf(
            tf, lambda t: tf.clip_by_value(t, -1.0, 1.0), [CLIP_T], dt),
        "clip_by_value_second_" + dt: lambda: _second_nf(
            tf, lambda t: tf.clip_by_value(t * t, 0.5, 2.0), [-2.0, -1.0, 0.2, 1.0, NAN, 1.2], dt),
        "maximum_nan_ties_" + dt: lambda: _grads_nf(tf, tf.maximum, [CLIP_T, CLIP_LO], dt),
        "minimum_nan_ties_" + dt: lambda: _grads_nf(tf, tf.minimum, [CLIP_T, CLIP_LO], dt),
        "reduce_min_nan_" + dt: lambda: _grads_nf(
            tf, lambda t: tf.reduce_min(t, 0), [[[1.0, NAN, 3.0], [NAN, 2.0, 2.0]]], dt),
        "reduce_max_nan_" + dt: lambda: _grads_nf(
            tf, lambda t: tf.reduce_max(t, -1), [[[1.0, NAN, 3.0], [1.0, 2.0, 2.0]]], dt),
        "reduce_max_upstream_inf_nan_" + dt: lambda: _grads_nf(
            tf, lambda t: tf.reduce_max(t, 1), [[[1.0, 2.0, 3.0], [4.0, 4.0, 0.0]]], dt,
            up=[INF, NAN]),
        "reduce_max_inf_ties_" + dt: lambda: _grads_nf(
            tf, lambda t: tf.reduce_max(t, 1), [[[1.0, INF, INF], [-INF, -INF, -INF]]], dt),
        "reduce_max_second_" + dt: lambda: _second_nf(
            tf, lambda t: tf.reduce_max(t * t, 1), [[1.0, -3.0, 3.0], [4.0, NAN, 0.0]], dt),
        "divide_" + dt: lambda: _grads_nf(tf, tf.divide, [DIV_X, DIV_Y], dt),
        "divide_upstream_zero_" + dt: lambda: _grads_nf(tf, tf.divide, [DIV_X, DIV_Y], dt,
                                                        up=[0.0] * len(DIV_X)),
        "divide_second_in_y_" + dt: lambda: _second_nf(
            tf, lambda y: tf.divide(tf.constant(np.asarray(DIV_X, dt)), y), DIV_Y, dt),
        "softsign_" + dt: lambda: _grads_nf(tf, tf.nn.softsign, [EDGES], dt),
    }
    for name, op in (("rsqrt", tf.math.rsqrt), ("sqrt", tf.sqrt),
                     ("reciprocal", tf.math.reciprocal)):
        cases[f"{name}_upstream_zero_{dt}"] = (
            lambda op=op: _grads_nf(tf, op, [UNARY_X], dt, up=UNARY_UP))
        cases[f"{name}_second_{dt}"] = lambda op=op: _second_nf(tf, op, UNARY_X, dt)
    return cases


def fuzz_numeric_a(tf):
    cases = {
        # the issue's programs
        "issue_softplus_second": lambda: _second_nf(tf, tf.math.softplus, [-2.0, 0.0, 3.0]),
        "issue_rsqrt_upstream_zero": lambda: _grads_nf(tf, tf.math.rsqrt, [[-1.0, 4.0]],
                                                       up=[0.0, 1.0]),
        "issue_rsqrt_jacobian": lambda: _rsqrt_jacobian(tf),
        "issue_sqrt_of_reduce_min": lambda: _grads_nf(
            tf, lambda t: tf.sqrt(tf.reduce_min(t, -1, keepdims=True)), [[[0.64, 0.69, -0.28]]]),
        "issue_clip_nan_between_abs_pos": lambda: _clip_nan_between_abs(tf, 1.5),
        "issue_clip_nan_between_abs_neg": lambda: _clip_nan_between_abs(tf, -1.5),
        "issue_elu_second_no_leak": lambda: _elu_scaled_by_min(tf),
        "elu_upstream_from_scalar": lambda: _elu_upstream_scalar(tf),
    }
    for name, op in (("rsqrt", tf.math.rsqrt), ("sqrt", tf.sqrt),
                     ("reciprocal", tf.math.reciprocal)):
        for i, (xs, us) in enumerate(((UNARY_X[:4], [0.0, 1.0, 1.0, 0.0]),
                                      ([0.0, 4.0, 1.0, INF], [1.0, 0.0, 1.0, 1.0]))):
            cases[f"{name}_upstream_depends_on_w_{i}"] = (
                lambda op=op, xs=xs, us=us: _upstream_from(tf, op, xs, us))
    for dt in ("float32", "float64"):
        cases.update(_fuzz_numeric_a_per_dtype(tf, dt))
    return cases


# ----- issue 20: error types and dtype rules (programs from the differential fuzzer) ------------
# The name of the class a learner's ``except`` clause would use: TensorFlow's own class, and for
# adkernel the first TensorFlow or builtin class in the error's MRO (adkernel's DTypeError is a
# TypeError: it shows as TypeError here, as ``except TypeError`` catches it).
_CATCHABLE = {"InvalidArgumentError", "NotFoundError", "OpError", "TypeError", "ValueError",
              "IndexError", "AttributeError", "NotImplementedError", "RuntimeError"}


def _error_class(f):
    try:
        f()
    except Exception as e:
        return next((c.__name__ for c in type(e).__mro__ if c.__name__ in _CATCHABLE),
                    type(e).__name__)
    return "no error"


I3 = np.array([1, 2, 3], dtype=np.int32)
A3 = np.array([0.7, -1.6, 2.5])  # float64: truncated to [0, -1, 2] when it meets an int tensor
_FLOAT_ONLY = {  # item 13: float-only ops on an int32 tensor
    "exp": "exp", "tanh": "tanh", "sqrt": "sqrt", "cos": "cos", "tan": "tan", "erf": "math.erf",
    "expm1": "math.expm1", "log1p": "math.log1p", "softplus": "nn.softplus",
    "log_sigmoid": "math.log_sigmoid", "log_softmax": "nn.log_softmax",
    "logsumexp": "reduce_logsumexp", "norm": "norm", "floor": "floor", "ceil": "math.ceil",
    "is_nan": "math.is_nan", "is_finite": "math.is_finite", "elu": "nn.elu",
    "rsqrt": "math.rsqrt", "softmax": "nn.softmax", "sigmoid": "sigmoid", "log": "math.log",
    "sin": "sin", "silu": "nn.silu", "swish": "nn.swish", "cosh": "cosh",
}


def _tf_fn(tf, dotted):
    obj = tf
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def fuzz_errors(tf):
    i = lambda: tf.constant(I3)  # noqa: E731
    i64 = lambda: tf.constant(I3.astype(np.int64))  # noqa: E731
    s = lambda: tf.constant(2.0)  # noqa: E731
    cases = {f"{k}_int32": (lambda d=d: _error_class(lambda: _tf_fn(tf, d)(i())))
             for k, d in _FLOAT_ONLY.items()}
    cases.update({
        "softmax_ce_int32": lambda: _error_class(
            lambda: tf.nn.softmax_cross_entropy_with_logits(i(), i())),
        "sparse_softmax_ce_int32": lambda: _error_class(
            lambda: tf.nn.sparse_softmax_cross_entropy_with_logits([0], tf.constant([[1, 2]]))),
        # item 14
        "int_plus_half": lambda: _error_class(lambda: i() + 0.5),
        "int_plus_two_point_zero": lambda: _error_class(lambda: i() + 2.0),
        "add_int_half": lambda: _error_class(lambda: tf.add(i(), 0.5)),
        "add_half_int": lambda: _error_class(lambda: tf.math.add(0.5, i())),
        "int_plus_float_list": lambda: _error_class(lambda: tf.add(i(), [0.5, 1.0, 2.0])),
        "half_plus_int": lambda: _error_class(lambda: 0.5 + i()),
        "int_times_half": lambda: _error_class(lambda: i() * 0.5),
        "int_minus_half": lambda: _error_class(lambda: tf.subtract(i(), 0.5)),
        "int_times_integral_float_list": lambda: _error_class(lambda: i() * [1.0, 2.0, 3.0]),
        "constant_float_list_as_int": lambda: _error_class(
            lambda: tf.constant([1.0, 2.0], tf.int32)),
        "int_matmul_float": lambda: _error_class(
            lambda: tf.constant([[1, 2]]) @ tf.constant([[1.0], [2.0]])),
        "int_matmul_float_list": lambda: _error_class(
            lambda: tf.constant([[1, 2]]) @ [[1.5], [2.0]]),
        "silu_int32": lambda: _error_class(lambda: tf.nn.silu(i())),
        # item 15
        "softmax_rank0": lambda: _error_class(lambda: tf.nn.softmax(s())),
        "log_softmax_rank0": lambda: _error_class(lambda: tf.nn.log_softmax(s())),
        "softmax_ce_rank0": lambda: _error_class(
            lambda: tf.nn.softmax_cross_entropy_with_logits(s(), s())),
        "sigmoid_ce_int32": lambda: _error_class(
            lambda: tf.nn.sigmoid_cross_entropy_with_logits(i(), i())),
        "det_int32": lambda: _error_class(lambda: tf.linalg.det(tf.constant([[1, 2], [3, 4]]))),
        "reciprocal_int64": lambda: _error_class(lambda: tf.math.reciprocal(i64())),
        "reciprocal_int32": lambda: _error_class(lambda: tf.math.reciprocal(i())),
        "int64_div_float": lambda: _error_class(lambda: i64() / 4.0),
        "float_div_int32": lambda: _error_class(lambda: 1.0 / i()),
        "divide_int_float": lambda: _error_class(lambda: tf.divide(i(), 4.0)),
        "int_div_float_list": lambda: _error_class(lambda: i() / [0.5, 1.0, 2.0]),
        "float_tensor_div_int_tensor": lambda: _error_class(
            lambda: tf.constant([1.0]) / tf.constant([2])),
        "reduce_variance_int32": lambda: _error_class(lambda: tf.math.reduce_variance(i())),
        "reduce_std_int32": lambda: _error_class(lambda: tf.math.reduce_std(i())),
        "clip_bounds_enlarge": lambda: _error_class(
            lambda: tf.clip_by_value(tf.constant([1.0, 2.0]), [[0.0], [0.5]], 1.5)),
        "clip_bounds_enlarge_scalar": lambda: _error_class(
            lambda: tf.clip_by_value(tf.constant(1.0), [0.0, 0.5], 1.5)),
        # item 16
        "leaky_relu_bool": lambda: _error_class(lambda: tf.nn.leaky_relu(tf.constant([True]))),
        # tf.Variable of a list of tensors packs them (Pack): two shapes, two dtypes raise
        "variable_of_tensors_of_two_shapes": lambda: _error_class(
            lambda: tf.Variable([tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0])])),
        "variable_of_tensor_and_short_list": lambda: _error_class(
            lambda: tf.Variable([tf.constant([1.0, 2.0]), [3.0]])),
        "variable_of_float_and_int_tensors": lambda: _error_class(
            lambda: tf.Variable([tf.constant([1.0, 2.0]), tf.constant([1, 2])])),
        "variable_of_float32_and_float64_tensors": lambda: _error_class(
            lambda: tf.Variable([tf.constant([1.0, 2.0]),
                                 tf.constant([1.0, 2.0], tf.float64)])),
        "linspace_int_start_float_stop": lambda: _error_class(lambda: tf.linspace(0, 1.0, 3)),
        "variable_of_int_tensors_as_float32": lambda: _error_class(
            lambda: tf.Variable([tf.constant([1, 2])] * 2, dtype=tf.float32)),
    })
    return cases


def _typed(t):
    return [t.dtype.name, _l(t)]


def fuzz_dtypes(tf):
    i = lambda: tf.constant(I3)  # noqa: E731
    i64 = lambda: tf.constant(I3.astype(np.int64))  # noqa: E731
    mask = [True, False, True]
    return {
        # tf.linspace: stop takes start's dtype, integers become float64
        "linspace_ints": lambda: _typed(tf.linspace(0, 1, 3)),
        "linspace_int32_tensors": lambda: _typed(tf.linspace(tf.constant(0), tf.constant(4), 3)),
        "linspace_float_int": lambda: _typed(tf.linspace(0.0, 1, 3)),
        # item 16
        "leaky_relu_int32": lambda: _typed(tf.nn.leaky_relu(tf.constant([-3, 2]))),
        "leaky_relu_int64_alpha": lambda: _typed(
            tf.nn.leaky_relu(tf.constant([-3, 2], tf.int64), alpha=0.3)),
        "leaky_relu_float64_alpha": lambda: _typed(
            tf.nn.leaky_relu(tf.constant([-3.0, 2.0], tf.float64), alpha=0.1)),
        "leaky_relu_float64_default": lambda: _typed(
            tf.nn.leaky_relu(tf.constant([-1.0, 2.0], tf.float64))),
        # item 17: a numpy float array meets an int tensor
        "where_int64_array": lambda: _typed(tf.where(mask, i64(), A3)),
        "where_array_int64": lambda: _typed(tf.where(mask, A3, i64())),
        "squared_difference_int64_array": lambda: _typed(tf.math.squared_difference(i64(), A3)),
        "squared_difference_array_int64": lambda: _typed(tf.math.squared_difference(A3, i64())),
        "int64_minus_array": lambda: _typed(i64() - A3),
        "array_minus_int64": lambda: _typed(A3 - i64()),
        "int64_div_array": lambda: _typed(i64() / A3),
        "array_div_int64": lambda: _typed(A3 / i64()),
        "int64_plus_array": lambda: _typed(i64() + A3),
        "int32_times_array": lambda: _typed(i() * A3),
        "int32_minus_float32_array": lambda: _typed(i() - A3.astype(np.float32)),
        "int64_minus_numpy_scalar": lambda: _typed(i64() - np.float64(2.7)),
        "int32_plus_numpy_float32": lambda: _typed(i() + np.float32(2.5)),
        "maximum_int64_array": lambda: _typed(tf.maximum(i64(), A3)),
        "constant_array_as_int32": lambda: _typed(tf.constant(np.array([0.5, -2.7]), tf.int32)),
        "variable_array_as_int32": lambda: _typed(
            tf.Variable(np.array([0.5, 2.7]), dtype=tf.int32)),
        "int_matmul_float_array": lambda: _typed(tf.constant([[1, 2]]) @ np.array([[1.5], [2.0]])),
        # integer division: float64 for int32/int64, float32 for the small integer types
        "int32_div_int": lambda: _typed(i() / 4),
        "int16_div_int16": lambda: _typed(tf.constant([1, 2], tf.int16) / tf.constant([2, 2],
                                                                                        tf.int16)),
        "int8_div_int": lambda: _typed(tf.constant([1, 2], tf.int8) / 2),
        "uint8_div_int": lambda: _typed(tf.constant([1, 2], tf.uint8) / 2),
        "int32_div_numpy_scalar": lambda: _typed(i() / np.float64(4.0)),
    }


YZ = np.array([[0.0, 2.0, -1.5], [0.0, 0.5, 4.0]], dtype=np.float32)  # zeros where it matters
XZ = np.array([[0.0, 1.5, 0.0], [2.0, -0.5, 0.0]], dtype=np.float32)
T3 = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10.0 - 1.0).astype(np.float32)
T43 = (np.arange(12, dtype=np.float32).reshape(4, 3) / 5.0 - 1.0).astype(np.float32)


def fuzz_new_ops(tf):
    """The names the fuzzer's programs wanted: values, first and second derivatives."""
    return {
        "atan2": lambda: _value_and_grad(tf, tf.math.atan2, X, XB[:2]),
        "atan2_origin_and_quadrants": lambda: _value_and_grad(tf, tf.atan2, XZ, YZ),
        "atan2_second": lambda: _second(tf, lambda y: tf.math.atan2(y, tf.constant(XB[:2])), X),
        "divide_no_nan": lambda: _value_and_grad(tf, tf.math.divide_no_nan, X, YZ),
        "divide_no_nan_second_x": lambda: _second(
            tf, lambda x: tf.math.divide_no_nan(x * x, tf.constant(YZ)), X),
        "divide_no_nan_second_y": lambda: _second(
            tf, lambda y: tf.math.divide_no_nan(tf.constant(X), y), YZ),
        "divide_no_nan_int": lambda: _typed(tf.math.divide_no_nan(tf.constant([1, 2]),
                                                                  tf.constant([0, 4]))),
        "xlogy": lambda: _value_and_grad(tf, tf.math.xlogy, XZ, np.abs(YZ)),
        "xlogy_second_x": lambda: _second(
            tf, lambda x: tf.math.xlogy(x * x, tf.constant(np.abs(X) + 0.5)), XZ),
        "xlogy_second_y": lambda: _second(tf, lambda y: tf.math.xlogy(tf.constant(XZ), y),
                                          np.abs(X)),
        "tensordot_1": lambda: _value_and_grad(tf, lambda a, b: tf.tensordot(a, b, 1), T3, T43),
        "tensordot_pairs": lambda: _value_and_grad(
            tf, lambda a, b: tf.tensordot(a, b, [[1, 2], [1, 0]]), T3, T43),
        "tensordot_outer": lambda: _value_and_grad(tf, lambda a, b: tf.tensordot(a, b, 0),
                                                   X[0], B),
        "tensordot_second": lambda: _second(
            tf, lambda a: tf.tensordot(a * a, tf.constant(T43), [[2], [0]]), T3),
        "cosh": lambda: _value_and_grad(tf, tf.cosh, X),
        "cosh_second": lambda: _second(tf, tf.math.cosh, X),
        "tensordot_int": lambda: _typed(tf.tensordot(tf.constant([[1, 2]]),
                                                     tf.constant([[1], [2]]), 1)),
        "xlogy_int": lambda: _error_class(lambda: tf.math.xlogy(tf.constant([1]),
                                                                tf.constant([2]))),
        "atan2_int": lambda: _error_class(lambda: tf.math.atan2(tf.constant([1]),
                                                                tf.constant([2]))),
        "tensordot_negative_axes": lambda: _error_class(lambda: tf.tensordot(T3, T43, -1)),
        "tensordot_axes_mismatch": lambda: _error_class(
            lambda: tf.tensordot(T3, T43, [[1], [1, 0]])),
        "tensordot_sizes_mismatch": lambda: _error_class(
            lambda: tf.tensordot(T3, T43, [[0], [0]])),
        # activations a TensorFlow user looked for (values, gradients, second derivatives
        # at their kinks, at +-0, +-inf and NaN, in both float dtypes)
        **{f"{name}_{dt.__name__}": (lambda f=f, dt=dt: _value_and_grad(
            tf, f, ACTIVATION_POINTS.astype(dt))) for name, f in _activations(tf).items()
           for dt in (np.float32, np.float64)},
        **{f"{name}_second_{dt.__name__}": (lambda f=f, dt=dt: _second(
            tf, f, ACTIVATION_POINTS.astype(dt))) for name, f in _activations(tf).items()
           for dt in (np.float32, np.float64)},
        **_array_new_ops(tf),
        **_l2_normalize_cases(tf),
        "erfc": lambda: _value_and_grad(tf, tf.math.erfc, ACTIVATION_POINTS),
        "erfc_second": lambda: _second(tf, tf.math.erfc, ACTIVATION_POINTS.astype(np.float32)),
        # fuzz seed 3013: a scalar comes back unchanged whatever its integer axes
        "reverse_scalar_int_axis": lambda: _typed(tf.reverse(tf.constant(5.0), 0)),
        "reverse_scalar_nested_axis": lambda: _typed(tf.reverse(tf.constant(5.0), [[3]])),
        "reverse_empty_int_axis": lambda: _typed(tf.reverse(tf.zeros((0, 3)), 1)),
        "reverse_empty_axis_out_of_range": lambda: _typed(tf.reverse(tf.zeros((0, 3)), [7])),
        "reverse_python_float_axis": lambda: _error_class(
            lambda: tf.reverse(tf.constant([1.0, 2.0]), 0.5)),
        "relu6_int32": lambda: _typed(tf.nn.relu6(tf.constant([-3, 2, 7]))),
        "selu_int32": lambda: _error_class(lambda: tf.nn.selu(tf.constant([1, 2]))),
        "gelu_int32": lambda: _error_class(lambda: tf.nn.gelu(tf.constant([1, 2]))),
    }


I22 = np.array([[1, 2], [3, 4]], dtype=np.int32)


def _array_new_ops(tf):
    """reverse, roll, linalg.diag_part and linalg.trace (a TensorFlow user looked for them):
    values, gradients, second derivatives, dtypes and the error classes of bad arguments."""
    rev = lambda x: tf.reverse(x, [0, -1])  # noqa: E731
    roll = lambda x: tf.roll(x, [1, -2, 3], [0, 2, 2])  # noqa: E731
    e = _error_class
    return {
        "reverse": lambda: _value_and_grad(tf, rev, T3),
        "reverse_float64_middle_axis": lambda: _value_and_grad(
            tf, lambda x: tf.reverse(x, [1]), T3.astype(np.float64)),
        "reverse_second": lambda: _second(tf, lambda x: tf.reverse(x * x, [1]), T3),
        "reverse_int32": lambda: _typed(tf.reverse(tf.constant(I22), [1])),
        "reverse_bool": lambda: _typed(tf.reverse(tf.constant([True, False]), [0])),
        "reverse_no_axes": lambda: _typed(tf.reverse(tf.constant(X), [])),
        "reverse_scalar": lambda: _typed(tf.reverse(tf.constant(2.5), [0])),
        "reverse_axis_out_of_range": lambda: e(lambda: tf.reverse(tf.constant(X), [2])),
        "reverse_axis_twice": lambda: e(lambda: tf.reverse(tf.constant(X), [0, -2])),
        "reverse_float_axis": lambda: e(lambda: tf.reverse(tf.constant(X), [0.0])),
        "reverse_scalar_axis": lambda: e(lambda: tf.reverse(tf.constant(X), 1)),
        "reverse_nested_axis": lambda: e(lambda: tf.reverse(tf.constant(X), [[1]])),
        "reverse_axis_none": lambda: e(lambda: tf.reverse(tf.constant(X), None)),
        "roll": lambda: _value_and_grad(tf, roll, T3),
        "roll_float64_negative": lambda: _value_and_grad(
            tf, lambda x: tf.roll(x, -7, -1), T3.astype(np.float64)),
        "roll_second": lambda: _second(tf, lambda x: tf.roll(x * x, 2, 1), T3),
        "roll_int32": lambda: _typed(tf.roll(tf.constant(I22), 1, 0)),
        "roll_bool": lambda: _typed(tf.roll(tf.constant([True, False, False]), 1, 0)),
        "roll_axis_out_of_range": lambda: e(lambda: tf.roll(tf.constant(X), 1, 2)),
        "roll_sizes_mismatch": lambda: e(lambda: tf.roll(tf.constant(X), [1, 2], [0])),
        "roll_scalar_shift_list_axis": lambda: e(lambda: tf.roll(tf.constant(X), 1, [1])),
        "roll_float_shift": lambda: e(lambda: tf.roll(tf.constant(X), 1.0, 0)),
        "roll_float_axis": lambda: e(lambda: tf.roll(tf.constant(X), 1, 0.0)),
        "roll_scalar_input": lambda: e(lambda: tf.roll(tf.constant(2.5), 1, 0)),
        "roll_empty_lists": lambda: e(lambda: tf.roll(tf.constant(X), [], [])),
        "diag_part_batch": lambda: _value_and_grad(tf, tf.linalg.diag_part, T3),
        "diag_part_tall": lambda: _value_and_grad(tf, tf.linalg.diag_part, T43),
        "diag_part_float64": lambda: _value_and_grad(tf, tf.linalg.diag_part,
                                                     XB[:3].astype(np.float64)),
        "diag_part_second": lambda: _second(tf, lambda x: tf.linalg.diag_part(x * x), T3),
        "diag_part_band_0_0": lambda: _typed(tf.linalg.diag_part(tf.constant(X), k=(0, 0))),
        "diag_part_int32": lambda: _typed(tf.linalg.diag_part(tf.constant(I22))),
        "diag_part_bool": lambda: _typed(tf.linalg.diag_part(tf.constant([[True, False]]))),
        "diag_part_vector": lambda: e(lambda: tf.linalg.diag_part(tf.constant(B))),
        "diag_part_float_k": lambda: e(lambda: tf.linalg.diag_part(tf.constant(X), k=0.0)),
        "diag_part_bad_align": lambda: e(lambda: tf.linalg.diag_part(tf.constant(X),
                                                                     align="CENTER")),
        "trace_batch": lambda: _value_and_grad(tf, tf.linalg.trace, T3),
        "trace_tall": lambda: _value_and_grad(tf, tf.linalg.trace, T43),
        "trace_second": lambda: _second(tf, lambda x: tf.linalg.trace(x * x), T43),
        "trace_int32": lambda: _typed(tf.linalg.trace(tf.constant(I22))),
        "trace_bool": lambda: e(lambda: tf.linalg.trace(tf.constant([[True, False]]))),
        "trace_vector": lambda: e(lambda: tf.linalg.trace(tf.constant(B))),
    }


def _l2_normalize_cases(tf):
    """tf.nn.l2_normalize: TensorFlow's x * rsqrt(max(sum(x**2), epsilon)), a zero vector
    included (XZ's last column)."""
    e = _error_class
    out = {}
    for dt in (np.float32, np.float64):
        n = dt.__name__
        out |= {
            f"l2_normalize_all_{n}": lambda dt=dt: _value_and_grad(
                tf, tf.nn.l2_normalize, X.astype(dt)),
            f"l2_normalize_axis0_zero_column_{n}": lambda dt=dt: _value_and_grad(
                tf, lambda x: tf.nn.l2_normalize(x, axis=0), XZ.astype(dt)),
            f"l2_normalize_second_{n}": lambda dt=dt: _second(
                tf, lambda x: tf.nn.l2_normalize(x, axis=-1) * tf.constant(X.astype(dt)),
                XB[:2].astype(dt)),
            f"l2_normalize_second_zero_column_{n}": lambda dt=dt: _second(
                tf, lambda x: tf.nn.l2_normalize(x, 0) * tf.constant(X.astype(dt)),
                XZ.astype(dt)),
        }
    return out | {
        "l2_normalize_axes_list": lambda: _value_and_grad(
            tf, lambda x: tf.math.l2_normalize(x, axis=[0, 2]), T3),
        "l2_normalize_epsilon": lambda: _value_and_grad(
            tf, lambda x: tf.linalg.l2_normalize(x, 1, epsilon=4.0), X),
        "l2_normalize_dim": lambda: _value_and_grad(
            tf, lambda x: tf.nn.l2_normalize(x, dim=1), X),
        "l2_normalize_int32": lambda: e(lambda: tf.nn.l2_normalize(tf.constant(I22))),
        "l2_normalize_bool": lambda: e(lambda: tf.nn.l2_normalize(tf.constant([True]))),
        "l2_normalize_axis_out_of_range": lambda: e(
            lambda: tf.nn.l2_normalize(tf.constant(B), axis=1)),
        "l2_normalize_axis_and_dim": lambda: e(
            lambda: tf.nn.l2_normalize(tf.constant(B), axis=0, dim=0)),
    }


ACTIVATION_POINTS = np.array([-7.0, -1.0, -0.0, 0.0, 0.5, 5.9, 6.0, 6.5, np.nan, np.inf,
                              -np.inf])


def _activations(tf):
    return {"relu6": tf.nn.relu6, "selu": tf.nn.selu, "gelu": tf.nn.gelu,
            "gelu_approximate": lambda x: tf.nn.gelu(x, approximate=True)}


# ----- forward mode: tf.autodiff.ForwardAccumulator -------------------------------------------
V3 = np.array([1.0, 3.0, 2.0], np.float32)
TAN3 = np.array([1.0, 10.0, 100.0], np.float32)
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
    x, v = tf.constant(V3), tf.constant(TAN3 / 10)
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(x ** 3) + x[0] * x[1] * tf.sin(x[2])
        g = tape.gradient(y, x)
    return [_l(g), _l(acc.jvp(g))]


def _reverse_over_forward(tf):
    w = tf.Variable(V3)
    with tf.GradientTape() as tape:
        with tf.autodiff.ForwardAccumulator(w, tf.constant(TAN3 / 10)) as acc:
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
    with tf.autodiff.ForwardAccumulator(x, tf.constant(TAN3)) as acc:
        y = x * 2.0
        k = tf.argmax(x)
    return [_jvp_l(acc.jvp(z)), _l(acc.jvp(z, unconnected_gradients="zero")),
            _jvp_l(acc.jvp(k)), _l(acc.jvp(k, unconnected_gradients=tf.UnconnectedGradients.ZERO)),
            str(acc.jvp(k, unconnected_gradients="zero").dtype.name), _l(acc.jvp(y))]


def _forward_nested(tf):
    a, b = tf.constant(V3), tf.constant(2.0)
    with tf.autodiff.ForwardAccumulator({"a": a, "b": b},
                                        {"a": tf.constant(TAN3), "b": tf.constant(-1.0)}) as acc:
        y = a * b
        s = tf.reduce_sum(tf.square(a))
    out = acc.jvp({"y": y, "pair": [s, tf.constant(1.0)], "b": b})
    return {"y": _l(out["y"]), "pair": [_l(out["pair"][0]), _jvp_l(out["pair"][1])],
            "b": _l(out["b"])}


def _custom_gradient_forward(tf):
    @tf.custom_gradient
    def f(x):
        return tf.sin(x) * x, lambda dy: dy * 100.0

    return _forward(tf, f, [V3], [TAN3])


def _forward_over_forward(tf):
    x = tf.constant(V3)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(TAN3 / 10)) as outer:
        with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0, 0.0])) as inner:
            y = tf.reduce_sum(x ** 3)
        j = inner.jvp(y)
    return [_l(j), _l(outer.jvp(j)), _l(outer.jvp(y))]


def forward_cases(tf):
    sce = tf.nn.softmax_cross_entropy_with_logits
    labels = np.array([[0.0, 1.0, 0.0], [0.7, 0.0, 0.3]], np.float32)
    return {
        "scalar": lambda: _forward(tf, lambda x: x ** 3, [np.float32(2.0)], [np.float32(1.0)]),
        "vector": lambda: _forward(tf, lambda x: tf.sin(x) * x + tf.exp(-x), [V3], [TAN3]),
        "several_primals": lambda: _forward(
            tf, lambda a, b: tf.reduce_sum(a * b) / (b + 1.0), [V3, np.float32(3.0)],
            [TAN3, np.float32(-2.0)]),
        "unconnected": lambda: _unconnected(tf),
        "nested": lambda: _forward_nested(tf),
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
        "sort_and_max": lambda: [_forward(tf, tf.sort, [V3], [TAN3]),
                                 _forward(tf, tf.reduce_max, [V3], [TAN3])],
        "integer_and_step_ops": lambda: [
            _forward(tf, tf.argmax, [V3], [TAN3]), _forward(tf, tf.round, [V3], [TAN3]),
            _forward(tf, tf.sign, [V3], [TAN3]), _forward(tf, tf.stop_gradient, [V3], [TAN3]),
            _forward(tf, lambda x: tf.cast(x, tf.int32), [V3], [TAN3])],
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
        acc = tf.autodiff.ForwardAccumulator(tf.constant(V3), tf.constant(TAN3))
        with acc, acc:
            pass

    return run


# ----- fuzz_logical: logical and bitwise ops (issue 20, round 2) --------------------------


def _outcome(f):
    """A tensor's dtype and values, a gradient's None-ness, or the error class."""
    try:
        r = f()
    except Exception:
        return _error_class(f)
    if r is None:
        return None
    if isinstance(r, list):
        return [None if t is None else _typed(t) for t in r]
    return _typed(r)


def _grad_of(tf, make, mode, zero=False):
    def run():
        x = tf.constant([1.0, -2.0, 0.5])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = make(x)
        kw = {"unconnected_gradients": tf.UnconnectedGradients.ZERO} if zero else {}
        if mode == "jacobian":
            return tape.jacobian(y, [x], **kw)
        return tape.gradient(y, [x], **kw)
    return run


def _logical_calls(tf):
    b = lambda: tf.constant([True, False, True])  # noqa: E731
    i = lambda: tf.constant(I3)  # noqa: E731
    f = lambda: tf.constant([1.0, 0.0, 2.0])  # noqa: E731
    return {
        "logical_and_int32": lambda: tf.logical_and(i(), i()),
        "logical_or_float": lambda: tf.logical_or(f(), f()),
        "logical_xor_int32": lambda: tf.math.logical_xor(i(), i()),
        "logical_not_float": lambda: tf.logical_not(f()),
        "logical_and_bool_one": lambda: tf.logical_and(b(), 1),
        "logical_and_int_three": lambda: tf.logical_and(i(), 3),
        "logical_and_bool_int_list": lambda: tf.logical_and(b(), [1, 0, 1]),
        "logical_and_bool_numpy_int": lambda: tf.logical_and(b(), np.array([2, 0, 0])),
        "logical_or_bool_true": lambda: tf.logical_or(b(), True),
        "logical_not_one": lambda: tf.logical_not(1),
        "and_int32": lambda: i() & tf.constant([3, 3, 2]),
        "or_int64_scalar": lambda: tf.constant(I3.astype(np.int64)) | 4,
        "xor_int_numpy_float": lambda: i() ^ np.array([1.5, 3.7, -1.2]),
        "rand_three_int": lambda: 3 & i(),
        "invert_int32": lambda: ~i(),
        "invert_bool": lambda: ~b(),
        "invert_float": lambda: ~f(),
        "and_float": lambda: f() & f(),
        "or_float_half": lambda: f() | 1.5,
        "and_int_half": lambda: i() & 0.5,
        "or_int_half": lambda: i() | 0.5,  # TensorFlow: AttributeError
        "or_rank_half": lambda: tf.rank(f()) | 0.5,
        "or_bool_half": lambda: b() | 1.5,
        "or_bool_zero": lambda: b() | 0,
        "xor_bool_int": lambda: b() ^ i(),
        "and_int_bool": lambda: i() & b(),
        "and_int32_int64": lambda: i() & tf.constant(I3.astype(np.int64)),
        "ror_one_bool": lambda: 1 | b(),
        "bitwise_and_bool": lambda: tf.bitwise.bitwise_and(b(), b()),
        "bitwise_or_two_three": lambda: tf.bitwise.bitwise_or(2, 3),
        "left_shift_clipped": lambda: tf.bitwise.left_shift(
            tf.constant([-3, 1, 5, 2**30, 7]), tf.constant([-3, 3, 40, 1, 31])),
        "right_shift_clipped": lambda: tf.bitwise.right_shift(
            tf.constant([-3, -8, 5, 1, 7], tf.int64), tf.constant([-1, 2, 80, 63, 0], tf.int64)),
        "invert_uint8": lambda: tf.bitwise.invert(tf.constant([1, 0], tf.uint8)),
        "reduce_any_float": lambda: tf.reduce_any(f()),
        "reduce_all_int_axis5": lambda: tf.reduce_all(i(), axis=5),
        "reduce_any_numpy_int": lambda: tf.reduce_any(np.array([0, 2])),
        "reduce_all_int_list": lambda: tf.reduce_all([1, 0]),
    }


def fuzz_logical(tf):
    cases = {k: (lambda fn=fn: _outcome(fn)) for k, fn in _logical_calls(tf).items()}
    for mode in ("gradient", "jacobian"):
        for zero in (False, True):
            tag = f"{mode}{'_zero' if zero else ''}"
            cases[f"greater_{tag}"] = lambda m=mode, z=zero: _outcome(
                _grad_of(tf, lambda x: tf.greater(x, 0.0), m, z))
            cases[f"not_equal_{tag}"] = lambda m=mode, z=zero: _outcome(
                _grad_of(tf, lambda x: tf.not_equal(x, 0.0), m, z))
            cases[f"logical_and_of_compares_{tag}"] = lambda m=mode, z=zero: _outcome(
                _grad_of(tf, lambda x: tf.logical_and(x > 0, x < 1), m, z))
            cases[f"cast_int_{tag}"] = lambda m=mode, z=zero: _outcome(
                _grad_of(tf, lambda x: tf.cast(x, tf.int32), m, z))
    return cases


# ----- Model.compile / fit / evaluate / predict, keras.metrics, keras.callbacks, tf.data ----
# Deterministic programs only: fixed initial weights (set_weights), shuffle=False, and
# dataset orders that do not depend on a random generator.

LABELS8 = np.array([0, 1, 2, 1, 0, 2, 2, 1], np.int64)
BIN8 = (YN > 0).astype(np.float32)


def _two_layer(tf):
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.Dense(1)])
    model(XN[:1])
    model.set_weights([W1, np.full(4, 0.1, np.float32), W2, np.array([0.0], np.float32)])
    return model


def _dense3(tf, activation=None, units=3):
    model = tf.keras.Sequential([tf.keras.layers.Dense(units, activation=activation)])
    model(XN[:1])
    model.set_weights([W1[:, :units] / 2, np.linspace(-0.1, 0.1, units).astype(np.float32)])
    return model


def _fit_result(model, history, x, y):
    return {"history": history.history, "keys": list(history.history),
            "epochs": list(history.epoch), "params": history.params,
            "weights": [_l(w) for w in model.get_weights()],
            "evaluate": model.evaluate(x, y, verbose=0),
            "predict": _l(model.predict(x[:3], verbose=0))}


def _fit_sgd(tf):
    model = _two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    history = model.fit(XN, YN, batch_size=3, epochs=4, shuffle=False, verbose=0)
    return _fit_result(model, history, XN, YN)


def _fit_adam_validation(tf):
    model = _two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="mean_squared_error",
                  metrics=[tf.keras.metrics.MeanSquaredError(), "mse"])
    history = model.fit(XN[:6], YN[:6], batch_size=4, epochs=3, shuffle=False, verbose=0,
                        validation_data=(XN[6:], YN[6:]))
    out = _fit_result(model, history, XN, YN)
    out["evaluate_dict"] = model.evaluate(XN, YN, batch_size=5, verbose=0, return_dict=True)
    return out


def _fit_validation_split(tf):
    model = _two_layer(tf)
    model.compile(optimizer="sgd", loss=tf.keras.losses.MeanSquaredError())
    history = model.fit(XN, YN, batch_size=2, epochs=3, shuffle=False, verbose=0,
                        validation_split=0.25)
    return _fit_result(model, history, XN, YN)


def _fit_sample_weight(tf):
    model = _two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
    weights = np.linspace(0.5, 2.0, 8).astype(np.float32)
    history = model.fit(XN, YN, sample_weight=weights, batch_size=4, epochs=2, shuffle=False,
                        verbose=0)
    return _fit_result(model, history, XN, YN)


def _fit_classifier(tf):
    model = _dense3(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1, momentum=0.9),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(XN, LABELS8, batch_size=4, epochs=5, shuffle=False, verbose=0)
    return _fit_result(model, history, XN, LABELS8)


def _fit_softmax_names(tf):
    model = _dense3(tf, activation="softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", tf.keras.metrics.SparseCategoricalAccuracy()])
    history = model.fit(XN, LABELS8, batch_size=8, epochs=3, shuffle=False, verbose=0)
    return _fit_result(model, history, XN, LABELS8)


def _fit_binary(tf):
    model = _dense3(tf, activation="sigmoid", units=1)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.5), loss="binary_crossentropy",
                  metrics=["accuracy", tf.keras.metrics.BinaryAccuracy(threshold=0.3)])
    history = model.fit(XN, BIN8, batch_size=3, epochs=4, shuffle=False, verbose=0)
    return _fit_result(model, history, XN, BIN8)


def _fit_dataset(tf):
    model = _two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    ds = tf.data.Dataset.from_tensor_slices((XN, YN)).batch(3)
    val = tf.data.Dataset.from_tensor_slices((XN[:4], YN[:4])).batch(2)
    history = model.fit(ds, epochs=4, verbose=0, validation_data=val)
    out = _fit_result(model, history, XN, YN)
    out["evaluate_dataset"] = model.evaluate(ds, verbose=0)
    out["predict_dataset"] = _l(model.predict(ds, verbose=0))
    return out


def _fit_steps_per_epoch(tf):
    model = _two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse")
    ds = tf.data.Dataset.from_tensor_slices((XN, YN)).batch(2).repeat()
    history = model.fit(ds, epochs=3, steps_per_epoch=3, verbose=0)
    return _fit_result(model, history, XN, YN)


def _train_on_batch(tf):
    model = _two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.1), loss="mse", metrics=["mae"])
    out = [model.train_on_batch(XN[:4], YN[:4]), model.train_on_batch(XN[4:], YN[4:]),
           model.train_on_batch(XN, YN, return_dict=True), model.test_on_batch(XN, YN)]
    plain = _two_layer(tf)
    plain.compile(optimizer="sgd", loss="mse")
    out += [plain.train_on_batch(XN, YN), plain.evaluate(XN, YN, verbose=0),
            _l(plain.predict_on_batch(XN[:2]))]
    return out


def _early_stopping(tf, **kwargs):
    model = _two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse")
    stop = tf.keras.callbacks.EarlyStopping(**kwargs)
    history = model.fit(XN, YN, batch_size=4, epochs=10, shuffle=False, verbose=0,
                        validation_data=(XN[:3], YN[:3]), callbacks=[stop])
    return {"epochs": len(history.epoch), "stopped_epoch": stop.stopped_epoch,
            "best_epoch": stop.best_epoch, "wait": stop.wait, "best": stop.best,
            "loss": history.history["loss"],
            "weights": [_l(w) for w in model.get_weights()]}


def _diverging_early_stop(tf):
    model = _two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(1.5), loss="mse")
    stop = tf.keras.callbacks.EarlyStopping(monitor="loss", patience=1,
                                            restore_best_weights=True)
    history = model.fit(XN, YN, batch_size=8, epochs=10, shuffle=False, verbose=0,
                        callbacks=[stop])
    return {"epochs": len(history.epoch), "stopped_epoch": stop.stopped_epoch,
            "best_epoch": stop.best_epoch, "loss": history.history["loss"],
            "weights": [_l(w) for w in model.get_weights()]}


def _callback_events(tf):
    events = []
    cb = tf.keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"epoch_begin {epoch}"),
        on_train_batch_end=lambda batch, logs: events.append(
            f"batch_end {batch} {sorted(logs)}"),
        on_epoch_end=lambda epoch, logs: events.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: events.append("train_end"))
    model = _two_layer(tf)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(XN, YN, batch_size=5, epochs=2, shuffle=False, verbose=0, callbacks=[cb],
              validation_data=(XN[:2], YN[:2]))
    return events


def _metric_objects(tf):
    mean = tf.keras.metrics.Mean()
    mean.update_state([1.0, 2.0, 4.0])
    mean.update_state([[3.0, 5.0], [1.0, 1.0]])
    first = float(mean.result())
    mean.update_state([10.0, 0.0], sample_weight=[0.5, 2.0])
    weighted = float(mean.result())
    mean.reset_state()
    acc = tf.keras.metrics.Accuracy()
    acc.update_state([1, 2, 3, 4], [1, 2, 0, 4])
    sca = tf.keras.metrics.SparseCategoricalAccuracy()
    sca.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]])
    sca.update_state([0, 0], [[0.5, 0.4, 0.1], [0.1, 0.2, 0.7]], sample_weight=[1.0, 3.0])
    bin_acc = tf.keras.metrics.BinaryAccuracy()
    bin_acc.update_state([[1], [1], [0], [0]], [[0.98], [0.4], [0.2], [0.6]])
    mse = tf.keras.metrics.MeanSquaredError()
    mse.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.5]])
    called = tf.keras.metrics.MeanSquaredError()([[1.0], [2.0]], [[1.5], [1.0]])
    return {"mean_first": first, "mean_weighted": weighted, "mean_reset": float(mean.result()),
            "accuracy": float(acc.result()), "sparse_categorical": float(sca.result()),
            "binary": float(bin_acc.result()), "mse": float(mse.result()),
            "called": float(called), "result_dtype": mean.result().dtype.name,
            "names": [m.name for m in (mean, acc, sca, bin_acc, mse)]}


def _items(ds):
    def plain(v):
        if isinstance(v, tuple):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return np.asarray(v).tolist()

    return [plain(e) for e in ds.as_numpy_iterator()]


def _dataset_orders(tf):
    D = tf.data.Dataset
    pairs = D.from_tensor_slices((np.arange(7), np.arange(7) * 0.5))
    return {
        "batch": _items(pairs.batch(3)),
        "drop_remainder": _items(pairs.batch(3, drop_remainder=True)),
        "dict": _items(D.from_tensor_slices({"a": np.arange(4), "b": np.ones((4, 2))})
                       .batch(3)),
        "from_tensors": _items(D.from_tensors([[1, 2], [3, 4]])),
        "repeat_take_skip": _items(D.range(5).repeat(3).skip(4).take(8)),
        "zip": _items(D.zip(D.range(3), D.range(10, 20))),
        "map": _items(pairs.map(lambda a, b: (a * 2, b + 1.0)).take(3)),
        "filter": _items(D.range(10).filter(lambda x: x % 3 == 0)),
        "enumerate": _items(D.range(3, 6).enumerate()),
        "shuffle_buffer_1": _items(D.range(6).shuffle(1)),
        "shuffled_then_sorted": sorted(_items(D.range(9).shuffle(4, seed=3))),
        "prefetch": _items(D.range(4).prefetch(tf.data.AUTOTUNE).batch(2)),
        "dtypes": [str(e.dtype.name) for e in next(iter(pairs))],
        "element_shapes": [list(e.shape) for e in next(iter(pairs.batch(3)))],
        "list_input_dtype": next(iter(D.from_tensor_slices([1.0, 2.0]))).dtype.name,
    }


def _dataset_cardinality(tf):
    D = tf.data.Dataset
    base = D.from_tensor_slices(np.arange(10))
    cases = {"base": base, "batch": base.batch(3), "drop": base.batch(3, drop_remainder=True),
             "repeat2": base.repeat(2), "repeat": base.repeat(), "take": base.take(4),
             "repeat_take": base.repeat().take(25), "skip": base.skip(7),
             "skip_all": base.skip(-1), "filter": base.filter(lambda x: x > 3),
             "shuffle": base.shuffle(3), "zip": D.zip(base, base.take(4)),
             "map": base.map(lambda x: x + 1), "empty_repeat": base.take(0).repeat()}
    out = {k: int(ds.cardinality()) for k, ds in cases.items()}
    out["len"] = len(base.batch(4))
    out["constants"] = [tf.data.AUTOTUNE, tf.data.INFINITE_CARDINALITY,
                        tf.data.UNKNOWN_CARDINALITY]
    return out


def _build_twice(tf):
    dense = tf.keras.layers.Dense(2)
    dense.build((None, 3))
    dense.build((None, 3))


def _rank1_after_rank2(tf):
    dense = tf.keras.layers.Dense(2)
    dense(np.ones((1, 3), np.float32))
    dense(np.ones(3, np.float32))


def _int_input(tf):
    dense = tf.keras.layers.Dense(2, kernel_initializer="ones")
    out = dense(tf.constant([[1, 2, 3]]))
    return {"dtype": out.dtype.name, "value": _l(out)}


def _one_adam_two_models(tf):
    opt = tf.keras.optimizers.Adam(0.1)
    for layer in (tf.keras.layers.Dense(1), tf.keras.layers.Dense(1)):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(np.ones((2, 3), np.float32)))
        grads = tape.gradient(loss, layer.trainable_variables)
        opt.apply_gradients(zip(grads, layer.trainable_variables))  # noqa: B905


def keras_misuse_cases(tf):
    """Keras misuse TensorFlow 2.21 refuses (issue 23, item 4): the exception's type."""
    return {
        "build_twice": lambda: _error(tf, lambda: _build_twice(tf)),
        "dense_units_float": lambda: _error(tf, lambda: tf.keras.layers.Dense(2.5)),
        "dense_units_string": lambda: _error(tf, lambda: tf.keras.layers.Dense("3")),
        "dense_rank1_after_rank2": lambda: _error(tf, lambda: _rank1_after_rank2(tf)),
        "dense_int32_input_is_cast": lambda: _int_input(tf),
        "empty_sequential_call": lambda: _error(
            tf, lambda: tf.keras.Sequential([])(tf.constant([[1.0, 2.0]]))),
        "one_adam_two_models": lambda: _error(tf, lambda: _one_adam_two_models(tf)),
    }


def keras_fit_cases(tf):
    """Keras 3's training loop (compile/fit/evaluate/predict), its metrics and callbacks, and
    tf.data.Dataset, on fixed data and weights."""
    return {
        "fit_sgd_mse_mae": lambda: _fit_sgd(tf),
        "fit_adam_val": lambda: _fit_adam_validation(tf),
        "fit_validation_split": lambda: _fit_validation_split(tf),
        "fit_sample_weight": lambda: _fit_sample_weight(tf),
        "fit_sparse_classifier_accuracy": lambda: _fit_classifier(tf),
        "fit_softmax_loss_by_name": lambda: _fit_softmax_names(tf),
        "fit_binary_accuracy": lambda: _fit_binary(tf),
        "fit_dataset": lambda: _fit_dataset(tf),
        "fit_steps_per_epoch": lambda: _fit_steps_per_epoch(tf),
        "train_on_batch": lambda: _train_on_batch(tf),
        "early_stopping_min_delta": lambda: _early_stopping(
            tf, monitor="loss", min_delta=10.0, patience=2),
        "early_stopping_val_loss": lambda: _early_stopping(tf, patience=1),
        "early_stopping_baseline": lambda: _early_stopping(
            tf, monitor="val_loss", baseline=0.01, patience=3, restore_best_weights=True),
        "early_stopping_restores_best": lambda: _diverging_early_stop(tf),
        "callback_events": lambda: _callback_events(tf),
        "metric_objects": lambda: _metric_objects(tf),
        "dataset_orders": lambda: _dataset_orders(tf),
        "dataset_cardinality": lambda: _dataset_cardinality(tf),
    }


def _bool_calls(tf):
    """Issue 20, round 2: arithmetic on bool tensors, ``*`` on bools, unary ``+``, ``==`` and
    ``!=`` rules, integer division by zero."""
    b = lambda: tf.constant([True, False, True])  # noqa: E731
    i = lambda: tf.constant(I3)  # noqa: E731
    f = lambda: tf.constant([0.0, 1.5, 0.5])  # noqa: E731
    z32 = lambda: tf.constant([1, 0, 2])  # noqa: E731
    z64 = lambda: tf.constant([1, 0, 2], dtype=tf.int64)  # noqa: E731
    calls = {
        "add": lambda: b() + b(), "sub": lambda: b() - b(), "neg": lambda: -b(),
        "abs": lambda: abs(b()), "less": lambda: b() < b(), "greater_equal": lambda: b() >= b(),
        "truediv": lambda: b() / b(), "floordiv": lambda: b() // b(), "mod": lambda: b() % b(),
        "pow": lambda: b() ** b(), "matmul": lambda: tf.reshape(b(), [3, 1]) @ tf.reshape(
            b(), [1, 3]),
        "add_one": lambda: b() + 1, "radd_one": lambda: 1 + b(), "add_true": lambda: b() + True,
        "tf_add": lambda: tf.add(b(), b()), "tf_multiply": lambda: tf.multiply(b(), b()),
        "tf_maximum": lambda: tf.maximum(b(), b()), "tf_minimum": lambda: tf.minimum(b(), b()),
        "tf_square": lambda: tf.square(b()), "tf_sign": lambda: tf.sign(b()),
        "tf_round": lambda: tf.round(b()), "relu": lambda: tf.nn.relu(b()),
        "squared_difference": lambda: tf.math.squared_difference(b(), b()),
        "reciprocal": lambda: tf.math.reciprocal(b()),
        "divide_no_nan": lambda: tf.math.divide_no_nan(b(), b()),
        "reduce_sum": lambda: tf.reduce_sum(b()), "reduce_max": lambda: tf.reduce_max(b()),
        "reduce_min": lambda: tf.reduce_min(b()), "reduce_mean": lambda: tf.reduce_mean(b()),
        "reduce_prod": lambda: tf.reduce_prod(b()),
        "reduce_variance": lambda: tf.math.reduce_variance(b()),
        "reduce_logsumexp": lambda: tf.reduce_logsumexp(b()),
        "cumsum": lambda: tf.cumsum(b()), "add_n": lambda: tf.add_n([b(), b()]),
        "sort": lambda: tf.sort(b()), "norm": lambda: tf.norm(b()),
        "clip_by_value": lambda: tf.clip_by_value(b(), False, True),
        "l2_loss": lambda: tf.nn.l2_loss(b()),
        "equal": lambda: tf.equal(b(), b()), "not_equal": lambda: b() != b(),
        "identity": lambda: tf.identity(b()), "stop_gradient": lambda: tf.stop_gradient(b()),
        "where": lambda: tf.where(b(), b(), b()), "argmax": lambda: tf.argmax(b()),
        "mul": lambda: b() * b(), "mul_int": lambda: b() * tf.constant([0, -1, 3]),
        "mul_float": lambda: b() * f(), "float_mul": lambda: f() * b(),
        "int_mul": lambda: i() * b(), "mul_two": lambda: b() * 2, "two_mul": lambda: 2 * b(),
        "mul_half": lambda: b() * 0.5, "mul_list": lambda: b() * [0.5, 0.0, 1.0],
        "true_mul": lambda: True * b(), "numpy_mul": lambda: np.array([2, 0, 1]) * b(),
        "mul_broadcast": lambda: b() * tf.constant([[0.0], [2.0]]),
        "pos_tensor": lambda: +f(), "pos_variable": lambda: +tf.Variable([1.0, 2.0]),
        "pos_bool": lambda: +b(),
        "eq_float64": lambda: f() == tf.constant([0.0, 1.5, 0.5], tf.float64),
        "eq_int": lambda: f() == tf.constant([0, 1, 2]), "ne_int": lambda: f() != z32(),
        "eq_shapes": lambda: f() == tf.constant([1.0, 2.0]),
        "ne_shapes": lambda: f() != tf.constant([1.0, 2.0]),
        "eq_none": lambda: f() == None,  # noqa: E711
        "ne_none": lambda: f() != None,  # noqa: E711
        "variable_eq_none": lambda: tf.Variable([1.0]) == None,  # noqa: E711
        "eq_number": lambda: f() == 1.5, "int_eq_float": lambda: i() == 1.5,
        "eq_string": lambda: f() == "a", "bool_eq_one": lambda: b() == 1,
        "eq_list": lambda: f() == [0.0, 1.0, 0.5], "eq_short_list": lambda: f() == [1.0, 2.0],
        "variable_eq_tensor": lambda: tf.Variable([0.0, 1.5, 0.5]) == f(),
        "hash_tensor": lambda: hash(f()), "hash_variable": lambda: hash(tf.Variable([1.0])),
        "floordiv_int32_zero": lambda: i() // 0, "floormod_int32_zero": lambda: i() % 0,
        "floordiv_int64_zero": lambda: z64() // tf.constant(0, tf.int64),
        "floormod_int64_zero": lambda: tf.math.floormod(z64(), z64()),
        "rfloordiv_int64_zero": lambda: 5 // z64(), "rmod_int32_zero": lambda: 5 % z32(),
        "floordiv_int32_vector_zero": lambda: tf.math.floordiv(i(), z32()),
        "floordiv_empty_zero": lambda: tf.zeros([0], tf.int32) // 0,
        "floordiv_int32_ok": lambda: i() // 2, "floormod_int64_ok": lambda: z64() % 3,
    }
    return calls


def _plain_or_outcome(fn):
    """A Python bool as itself (``tensor == None``), anything else as ``_outcome``."""
    try:
        r = fn()
    except LookupError as e:  # (not in _CATCHABLE: adkernel's NotDifferentiableError is one)
        return "LookupError" if type(e).__mro__[1:].count(LookupError) or type(
            e) is LookupError else _outcome(fn)
    except Exception:
        return _outcome(fn)
    return ["python", r] if isinstance(r, bool) else _outcome(lambda: r)


def fuzz_bool(tf):
    cases = {k: (lambda fn=fn: _plain_or_outcome(fn)) for k, fn in _bool_calls(tf).items()}
    for mode in ("gradient", "jacobian"):
        for zero in (False, True):
            tag = f"{mode}{'_zero' if zero else ''}"
            cases[f"is_nan_{tag}"] = lambda m=mode, z=zero: _plain_or_outcome(
                _grad_of(tf, tf.math.is_nan, m, z))
            cases[f"is_finite_{tag}"] = lambda m=mode, z=zero: _plain_or_outcome(
                _grad_of(tf, tf.math.is_finite, m, z))
            cases[f"is_nan_reshaped_{tag}"] = lambda m=mode, z=zero: _outcome(
                _grad_of(tf, lambda x: tf.reshape(tf.math.is_nan(x), [3, 1]), m, z))
            cases[f"float_times_bool_{tag}"] = lambda m=mode, z=zero: _outcome(
                _grad_of(tf, lambda x: x * tf.constant([True, False, True]), m, z))
    return cases


# ----- issue 20 round 2, numerics: floordiv, clip_by_global_norm, empty Jacobians, det at a
# singular matrix, softmax cross-entropy's labels, nn.moments, lists into reductions ----------
FD_X = [-2.48, -INF, 1.0, 7.0, -7.0, INF, 0.0, -0.0, 5.0, 0.91, -0.11]
FD_Y = [-0.08, 2.0, -INF, 0.0, 0.0, 2.0, 0.0, 3.0, INF, 3.0, 3.0]
SCE_LOGITS = [[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]]
SCE_LABELS = [[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]]  # rows sum to 1
SCE_LOOSE = [[0.5, 0.3, 0.5], [-0.66, 0.0, 0.2]]  # rows sum to 1.3 and -0.46
SINGULAR = [[1.0, 2.0], [2.0, 4.0]]


def _floor_cases(tf):
    cases = {}
    for dt in ("float32", "float64"):
        cases[f"floordiv_{dt}"] = lambda dt=dt: _nf(tf.math.floordiv(
            tf.constant(np.array(FD_X, dt)), tf.constant(np.array(FD_Y, dt))))
        cases[f"floordiv_operator_{dt}"] = lambda dt=dt: _nf(
            tf.constant(np.array(FD_X, dt)) // tf.constant(np.array(FD_Y, dt)))
        cases[f"floormod_{dt}"] = lambda dt=dt: _nf(tf.math.floormod(
            tf.constant(np.array(FD_X, dt)), tf.constant(np.array(FD_Y, dt))))
    cases["floordiv_int32"] = lambda: _nf(tf.constant([7, -7, 7, 0]) // tf.constant([2, 2, -2, 3]))
    for op in ("floordiv", "floormod"):
        for dt in ("int32", "int64"):
            cases[f"{op}_{dt}_by_zero"] = lambda op=op, dt=dt: _error_class(
                lambda: getattr(tf.math, op)(tf.constant(np.array([7, -7, 0], dt)),
                                             tf.constant(np.array([2, 0, 3], dt))))
    cases["floordiv_int_by_python_zero"] = lambda: _error_class(lambda: tf.constant([7]) // 0)
    cases["floordiv_grad"] = lambda: _grads_nf(tf, tf.math.floordiv, [[1.5, -2.5], [0.7, 0.6]])
    cases["floormod_grad"] = lambda: _grads_nf(tf, tf.math.floormod,
                                               [[1.5, -2.5, 3.0], [0.7, 0.6, -1.1]])
    return cases


def _clip_inf(tf, norm_value):
    x = tf.constant(np.array([0.5, norm_value, -1.0], np.float32))
    out, norm = tf.clip_by_global_norm([x, None, x * 2.0], 0.5)
    return [_nf(out[0]), out[1], _nf(out[2]), _nf(norm)]


def _clip_grad(tf, clip):
    v, w = tf.constant([3.0, 4.0]), tf.constant([1.0, 0.0])
    with tf.GradientTape() as tape:
        tape.watch([v, w])
        out, _ = tf.clip_by_global_norm([v, w], clip)
        s = tf.reduce_sum(out[0]) + 2.0 * tf.reduce_sum(out[1])
    return [_nf(g) for g in tape.gradient(s, [v, w])]


def _empty_jacobian(tf, f, trainable, shape=(0, 1)):
    x = tf.Variable(np.ones(shape, np.float32), trainable=trainable)
    with tf.GradientTape() as tape:
        y = f(x)
    j = tape.jacobian(y, x)
    return None if j is None else list(j.shape)


_EMPTY_JAC = {
    "rsqrt": lambda tf: tf.math.rsqrt,
    "squared_difference": lambda tf: lambda x: tf.math.squared_difference(x, -1.62),
    "floordiv": lambda tf: lambda x: x // x,
    "floormod": lambda tf: lambda x: x % 2.0,
    "exp": lambda tf: tf.exp,
}


def _det_grad(tf, m):
    a = tf.constant(np.array(m, np.float64))
    with tf.GradientTape() as tape:
        tape.watch(a)
        d = tf.linalg.det(a)
    return [_nf(d), _error_class(lambda: tape.gradient(d, a))]


def _sce_grads(tf, labels, logits, lab_dtype="float32", log_dtype="float32"):
    lab = tf.constant(np.asarray(labels, lab_dtype))
    log = tf.constant(np.asarray(logits, log_dtype))
    with tf.GradientTape() as tape:
        tape.watch([lab, log])
        y = tf.nn.softmax_cross_entropy_with_logits(labels=lab, logits=log)
    return [_nf(y)] + [_nf(g) for g in tape.gradient(y, [lab, log])]


def _sce_broadcast(tf, labels, logits):
    lab, log = tf.constant(np.asarray(labels, np.float32)), tf.constant(np.asarray(logits,
                                                                                  np.float32))
    got = {}
    with tf.GradientTape() as tape:
        tape.watch(log)
        forward = _error_class(lambda: got.setdefault(
            "y", tf.nn.softmax_cross_entropy_with_logits(labels=lab, logits=log)))
    if forward != "no error":
        return ["forward", forward]
    return [_nf(got["y"]), _error_class(lambda: tape.gradient(got["y"], log))]


def _moments_second(tf, x, axes):
    return _second_nf(tf, lambda t: sum(tf.reduce_sum(m) for m in tf.nn.moments(t, axes)),
                      x, "float64")


def _list_reduction(tf, name, **kw):
    a, b = tf.constant([1.0, 2.0, 4.0]), tf.constant([3.0, -1.0, 0.5])
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = _tf_fn(tf, name)([a, b], **kw)
        s = tf.reduce_sum(y * tf.cast(tf.range(1, tf.size(y) + 1), y.dtype))
    return [_nf(y)] + [_nf(g) for g in tape.gradient(s, [a, b])]


_LIST_REDUCTIONS = ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
                    "math.reduce_std", "math.reduce_variance", "reduce_logsumexp", "norm")


def fuzz_numeric_r3(tf):
    cases = _floor_cases(tf)
    cases.update({
        "clip_by_global_norm_inf": lambda: _clip_inf(tf, -INF),
        "clip_by_global_norm_nan": lambda: _clip_inf(tf, NAN),
        "clip_by_global_norm_use_norm_inf": lambda: _nf(tf.clip_by_global_norm(
            [tf.constant([1.0, 2.0])], 1.0, use_norm=tf.constant(INF))[0][0]),
        "clip_by_global_norm_grad_clipped": lambda: _clip_grad(tf, 2.0),
        "clip_by_global_norm_grad_unclipped": lambda: _clip_grad(tf, 200.0),
        "det_grad_singular": lambda: _det_grad(tf, SINGULAR),
        "det_grad_zero": lambda: _det_grad(tf, [[0.0, 0.0], [0.0, 0.0]]),
        "det_grad_nan": lambda: _det_grad(tf, [[NAN, 2.0], [2.0, 4.0]]),
        "det_grad_batch_one_singular": lambda: _det_grad(tf, [SINGULAR, [[1.0, 0.0],
                                                                         [0.0, 1.0]]]),
        "det_grad_inf": lambda: [_nf(g) for g in _grads_nf(tf, tf.linalg.det,
                                                            [[[INF, 2.0], [2.0, 4.0]]],
                                                            "float64")],
        "inv_nan_pivot_first": lambda: _error_class(lambda: tf.linalg.inv(tf.constant(
            [[NAN, 1.0, 0.5], [0.3, 1.5, -1.0], [1.0, 0.0, 2.0]]))),
        "inv_nan_all": lambda: _error_class(lambda: tf.linalg.inv(tf.constant(
            np.full((2, 2), NAN)))),
        "inv_nan_later": lambda: _nf(tf.linalg.inv(tf.constant(
            [[2.0, 1.0, 0.5], [NAN, 1.5, -1.0], [1.0, 0.0, 2.0]]))),
        "det_grad_nan_later": lambda: _det_grad(
            tf, [[2.0, 1.0, 0.5], [0.3, 1.5, NAN], [1.0, 0.0, 2.0]]),
        "inv_nan": lambda: _error_class(lambda: tf.linalg.inv(tf.constant([[1.0, 2.0],
                                                                          [NAN, 4.0]]))),
        "solve_nan": lambda: _error_class(lambda: tf.linalg.solve(
            tf.constant([[1.0, 2.0], [3.0, NAN]]), tf.constant([[1.0], [2.0]]))),
        "inv_int32": lambda: _error_class(lambda: tf.linalg.inv(tf.constant([[2, 1], [1, 3]]))),
        "solve_int64": lambda: _error_class(lambda: tf.linalg.solve(
            tf.constant([[2, 1], [1, 3]], tf.int64), tf.constant([[1], [2]], tf.int64))),
        "solve_singular": lambda: _error_class(lambda: tf.linalg.solve(
            tf.constant(SINGULAR), tf.constant([[1.0], [2.0]]))),
        "sce_labels_sum_to_one": lambda: _sce_grads(tf, SCE_LABELS, SCE_LOGITS),
        "sce_labels_float64_logits_float32": lambda: _sce_grads(
            tf, SCE_LABELS, SCE_LOGITS, "float64"),
        "sce_labels_float32_logits_float64": lambda: _sce_grads(
            tf, SCE_LABELS, SCE_LOGITS, "float32", "float64"),
        "sce_labels_int32": lambda: _sce_grads(tf, [[0, 1, 0], [1, 0, 0]], SCE_LOGITS, "int32"),
        "sce_labels_broadcast_row": lambda: _sce_broadcast(tf, SCE_LABELS[:1], SCE_LOGITS),
        "sce_labels_broadcast_rank": lambda: _sce_broadcast(tf, SCE_LABELS[0], SCE_LOGITS),
        "sce_logits_broadcast": lambda: _sce_broadcast(tf, SCE_LABELS, SCE_LOGITS[:1]),
        "sce_shapes_differ": lambda: _sce_broadcast(tf, [0.5, 0.5], SCE_LOGITS),
        "sce_logit_rows_broadcast": lambda: _sce_broadcast(tf, [0.2, 0.3, 0.5],
                                                           [[1.0], [2.0], [0.5]]),
        "sce_axis_0": lambda: _nf(tf.nn.softmax_cross_entropy_with_logits(
            labels=SCE_LABELS, logits=SCE_LOGITS, axis=0)),
        "sce_axis_minus_2": lambda: _error_class(lambda: tf.nn.softmax_cross_entropy_with_logits(
            labels=SCE_LABELS, logits=SCE_LOGITS, axis=-2)),
        "sce_axis_2_of_rank_2": lambda: _error_class(
            lambda: tf.nn.softmax_cross_entropy_with_logits(labels=SCE_LABELS, logits=SCE_LOGITS,
                                                            axis=2)),
        "sce_axis_list": lambda: _error_class(lambda: tf.nn.softmax_cross_entropy_with_logits(
            labels=SCE_LABELS, logits=SCE_LOGITS, axis=[1])),
        "sce_empty_second": lambda: _second_nf(
            tf, lambda x: tf.nn.softmax_cross_entropy_with_logits(labels=x * 0.5, logits=x),
            np.zeros((0, 3)), "float64"),
        "sce_axis_none": lambda: _nf(tf.nn.softmax_cross_entropy_with_logits(
            labels=SCE_LABELS, logits=SCE_LOGITS, axis=None)),
        "sce_labels_loose": lambda: _sce_grads(tf, SCE_LOOSE, SCE_LOGITS, "float64", "float64"),
        "moments_second_one_element": lambda: _moments_second(tf, [[1.0]], [1]),
        "moments_second_rows": lambda: _moments_second(tf, [[1.0, 2.0, 4.0], [0.5, 0.0, -1.0]],
                                                       [1]),
        "moments_grad_inf": lambda: _grads_nf(
            tf, lambda t: sum(tf.reduce_sum(m) for m in tf.nn.moments(t, [0])),
            [[[0.0, 1.08], [0.01, -0.29], [INF, 1.12]]], "float64"),
        "moments_int32": lambda: [_nf(m) for m in tf.nn.moments(
            tf.constant([[1, 2], [4, 7]]), [0], keepdims=True)],
        "reduce_prod_grad_inf": lambda: _grads_nf(
            tf, lambda t: tf.reduce_prod(t, keepdims=True),
            [[[-1.05, 2.16, -0.3], [INF, 0.56, 1.15], [2.0, 1.8, 0.61]]]),
        "reduce_prod_grad_nan_alone": lambda: _grads_nf(
            tf, lambda t: tf.reduce_prod(t, axis=-2, keepdims=True),
            [[[[-0.95, NAN, 1.74]]]], "float64"),
        "reduce_prod_grad_nan_row": lambda: _grads_nf(
            tf, lambda t: tf.reduce_prod(t, axis=-1), [[[-0.95, NAN, 1.74], [1.0, 2.0, 3.0]]]),
        "reduce_variance_int_scalar_axis0": lambda: _error_class(
            lambda: tf.math.reduce_variance(tf.constant(3), axis=0)),
        "reduce_variance_int": lambda: _error_class(
            lambda: tf.math.reduce_variance(tf.constant([3, 4]), axis=0)),
        "moments_list": lambda: _error_class(lambda: tf.nn.moments(
            [tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])], [0])),
        "exp_float32_underflow": lambda: _nf(tf.exp(tf.constant([-100.0, -87.0, -88.0]))),
    })
    for name, make in _EMPTY_JAC.items():
        for trainable in (True, False):
            kind = "trainable" if trainable else "frozen"
            cases[f"empty_jacobian_{name}_{kind}"] = (
                lambda make=make, trainable=trainable: _empty_jacobian(tf, make(tf), trainable))
    for name in _LIST_REDUCTIONS[:-1]:
        cases[f"scalar_{name}_axis0"] = lambda name=name: _error_class(
            lambda: _tf_fn(tf, name)(tf.constant(0.26), axis=0))
        cases[f"scalar_{name}_axis_empty"] = lambda name=name: _nf(
            _tf_fn(tf, name)(tf.constant(0.26), axis=[]))
    for name in _LIST_REDUCTIONS:
        cases[f"list_{name}"] = lambda name=name: _list_reduction(tf, name)
        cases[f"list_{name}_axis0"] = lambda name=name: _list_reduction(tf, name, axis=0)
    return cases


# ----- issue 20 round 2: shape ops, reduction arguments, error classes ----------------------
# (programs from the differential fuzzer's findings; errors by the class ``except`` would name)


def _shaped(t):
    """[shape, dtype, values] of a tensor (an empty tensor keeps its shape), or None."""
    if t is None:
        return None
    t = t if hasattr(t, "dtype") and hasattr(t, "shape") else np.asarray(t)
    return [list(t.shape), t.dtype.name, _l(t)]


def _grad_through(tf, f, x, var=False):
    """[f(x), d sum(f(x) * ramp) / dx] for a watched constant (or a trainable variable)."""
    src = tf.Variable(x) if var else tf.constant(x)
    with tf.GradientTape() as tape:
        if not var:
            tape.watch(src)
        y = f(src)
        ramp = tf.cast(tf.reshape(tf.range(tf.size(y)), tf.shape(y)) % 3 + 1, y.dtype)
        s = tf.reduce_sum(y * ramp)
    return [_shaped(y), _shaped(tape.gradient(s, src))]


def _empty_jacobian_r2(tf, f, kinds, uz=None):
    """tape.jacobian of an empty (0, 3) target: None for the sources it does not reach."""
    srcs = [tf.Variable(np.zeros((0, 3), np.float32), trainable=k == "var") if k != "watched"
            else tf.constant(np.zeros((0, 3), np.float32)) for k in kinds]
    with tf.GradientTape() as tape:
        for s, k in zip(srcs, kinds, strict=True):
            if k == "watched":
                tape.watch(s)
        y = f(*srcs)
    kw = {"unconnected_gradients": uz} if uz else {}
    return [_shaped(j) for j in tape.jacobian(y, srcs, **kw)]


def _sharded_lookup(tf, sizes, ids):
    shards = [tf.Variable(np.arange(s * 2, dtype=np.float32).reshape(s, 2) + 100 * i)
              for i, s in enumerate(sizes)]
    with tf.GradientTape() as tape:
        y = tf.nn.embedding_lookup(shards, np.array(ids))
        s = tf.reduce_sum(y * y)
    return [_shaped(y)] + [_shaped(tf.convert_to_tensor(g)) for g in tape.gradient(s, shards)]


def fuzz_shapes(tf):
    c = tf.constant
    t23 = lambda: c(X)  # noqa: E731
    e03 = lambda: c(np.zeros((0, 3), np.float32))  # noqa: E731
    s = lambda: c(np.float32(0.25))  # noqa: E731
    err = _error_class
    return {
        # concat / stack given ONE tensor: TensorFlow's list of one (concat: unchanged, any axis)
        "concat_one_tensor_axis0": lambda: _grad_through(tf, lambda x: tf.concat(x, 0), X),
        "concat_one_tensor_axis1": lambda: _grad_through(tf, lambda x: tf.concat(x, 1), X, True),
        "concat_one_tensor_axis5": lambda: _shaped(tf.concat(t23(), 5)),
        "concat_scalar_axis_minus1": lambda: _shaped(tf.concat(s(), -1)),
        "concat_list_of_one_axis3": lambda: _shaped(tf.concat([t23()], 3)),
        "concat_empty_tensor_axis1": lambda: _shaped(tf.concat(e03(), 1)),
        "concat_empty_list_of_one": lambda: _shaped(tf.concat([e03()], -1)),
        "concat_numpy_array": lambda: _shaped(tf.concat(X, 1)),
        "concat_axis_list_of_one": lambda: _shaped(tf.concat([t23(), t23()], [1])),
        "concat_axis_none": lambda: err(lambda: tf.concat(t23(), None)),
        "concat_list_axis_none": lambda: err(lambda: tf.concat([t23(), t23()], None)),
        "concat_one_tensor_axis_list": lambda: err(lambda: tf.concat(t23(), [0])),
        "concat_nothing": lambda: err(lambda: tf.concat([], 0)),
        "concat_float_axis": lambda: err(lambda: tf.concat([t23(), t23()], 1.0)),
        "stack_one_tensor": lambda: _grad_through(tf, lambda x: tf.stack(x), X),
        "stack_one_tensor_axis1": lambda: _grad_through(tf, lambda x: tf.stack(x, 1), X),
        "stack_one_variable_axis_minus1": lambda: _grad_through(
            tf, lambda x: tf.stack(x, -1), X, True),
        "stack_scalar": lambda: _shaped(tf.stack(s())),
        "stack_scalar_axis1": lambda: err(lambda: tf.stack(s(), axis=1)),
        "stack_empty_tensor": lambda: _shaped(tf.stack(e03())),
        "stack_empty_tensor_axis1": lambda: err(lambda: tf.stack(e03(), axis=1)),
        "stack_empty_list": lambda: _shaped(tf.stack([])),
        "stack_empty_list_axis1": lambda: err(lambda: tf.stack([], axis=1)),
        "stack_axis_out_of_range": lambda: err(lambda: tf.stack(t23(), axis=2)),
        "stack_scalars_axis1": lambda: err(lambda: tf.stack([s(), s()], axis=1)),
        "stack_list_of_empty_axis2": lambda: _shaped(tf.stack([e03()], axis=2)),
        "stack_axis_none_before_dtypes": lambda: err(
            lambda: tf.stack([c([1.0]), c(np.array([1.0]))], axis=None)),
        # unstack
        "unstack_scalar": lambda: err(lambda: tf.unstack(s())),
        "unstack_axis_out_of_range": lambda: err(lambda: tf.unstack(t23(), axis=2)),
        "unstack_wrong_num": lambda: err(lambda: tf.unstack(t23(), num=3)),
        "unstack_empty_axis1": lambda: [_shaped(p) for p in tf.unstack(e03(), axis=1)],
        # axis=None where one axis is needed
        "sort_axis_none": lambda: err(lambda: tf.sort(t23(), axis=None)),
        "argsort_axis_none": lambda: err(lambda: tf.argsort(t23(), axis=None)),
        "split_axis_none": lambda: err(lambda: tf.split(t23(), 1, axis=None)),
        "cumsum_axis_none": lambda: err(lambda: tf.cumsum(t23(), axis=None)),
        "cumsum_float_axis": lambda: err(lambda: tf.cumsum(t23(), axis=1.0)),
        "expand_dims_axis_none": lambda: err(lambda: tf.expand_dims(s(), None)),
        "expand_dims_float_axis": lambda: err(lambda: tf.expand_dims(t23(), 1.0)),
        "expand_dims_axis_list_of_one": lambda: _shaped(tf.expand_dims(t23(), [0])),
        "expand_dims_axis_list_of_two": lambda: err(lambda: tf.expand_dims(t23(), [0, 1])),
        # boolean_mask
        "boolean_mask_scalar_mask": lambda: err(lambda: tf.boolean_mask(t23(), np.array(True))),
        "boolean_mask_axis_minus1": lambda: err(
            lambda: tf.boolean_mask(t23(), np.array([True, False, True]), axis=-1)),
        "boolean_mask_axis_minus2": lambda: _grad_through(
            tf, lambda x: tf.boolean_mask(x, np.array([False, True]), axis=-2), X),
        "boolean_mask_empty_axis_minus2": lambda: err(
            lambda: tf.boolean_mask(e03(), np.zeros((0, 3), bool), axis=-2)),
        "boolean_mask_wrong_shape": lambda: err(
            lambda: tf.boolean_mask(t23(), np.array([True, False, True]))),
        "boolean_mask_past_the_end": lambda: err(
            lambda: tf.boolean_mask(t23(), np.array([True, False, True]), axis=2)),
        # reductions of a rank-0 tensor along an axis (adkernel's gradient used to divide by 0)
        **{f"{name}_rank0_axis0": (lambda name=name: err(lambda: _tf_fn(tf, name)(s(), axis=0)))
           for name in ("reduce_sum", "reduce_max", "reduce_min", "reduce_mean", "reduce_prod",
                        "reduce_logsumexp", "norm", "argmax", "argmin")},
        "reduce_max_rank0_axis_minus1": lambda: err(lambda: tf.reduce_max(s(), axis=-1)),
        "reduce_sum_rank0_no_axes": lambda: _shaped(tf.reduce_sum(s(), axis=[])),
        "reduce_sum_float_axis": lambda: err(lambda: tf.reduce_sum(t23(), axis=1.0)),
        "reduce_max_nested_axis": lambda: _shaped(tf.reduce_max(t23(), axis=[[0]])),
        "norm_axis_list_of_one": lambda: err(
            lambda: tf.norm(c(np.ones((2, 2, 1), np.float64)), axis=[2], keepdims=True)),
        "norm_numpy_int_axis": lambda: err(lambda: tf.norm(t23(), axis=np.int64(1))),
        "norm_float_axis": lambda: err(lambda: tf.norm(t23(), axis=1.0)),
        # sparse softmax cross-entropy: shapes are ValueErrors, label dtype an op error
        "sparse_ce_rank0_logits": lambda: err(
            lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.array(0, np.int32), logits=s())),
        "sparse_ce_labels_too_many": lambda: err(
            lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.array([0, 1], np.int32), logits=c([[1.0, 2.0]]))),
        "sparse_ce_labels_rank_equal": lambda: err(
            lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.array([[0]], np.int32), logits=c([[1.0, 2.0]]))),
        "sparse_ce_float_labels": lambda: err(
            lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.array([0.0], np.float32), logits=c([[1.0, 2.0]]))),
        "sparse_ce_rank1_logits": lambda: _shaped(
            tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=np.array(1, np.int32), logits=c([1.0, 2.0]))),
        # array @ tensor with a scalar on either side
        "array_scalar_rmatmul": lambda: err(lambda: np.array(1, np.int32) @ c(np.float32(-1.0))),
        "array_scalar_rmatmul_int64": lambda: err(
            lambda: np.array(-1, np.int64) @ c(np.array([-3, 2], np.int64))),
        # jacobian of an empty target: None where no gradient reaches the source
        "jacobian_empty_frozen_variable": lambda: _empty_jacobian_r2(
            tf, lambda x: tf.math.rsqrt(x), ["frozen"]),
        "jacobian_empty_floordiv": lambda: _empty_jacobian_r2(
            tf, lambda x, y: x // y, ["watched", "watched"]),
        "jacobian_empty_connected": lambda: _empty_jacobian_r2(
            tf, lambda x, y: x * 2.0, ["var", "watched"]),
        "jacobian_empty_unconnected_zero": lambda: _empty_jacobian_r2(
            tf, lambda x, y: x * 2.0, ["var", "var"], "zero"),
        # embedding_lookup on a list of shards ('div' strategy)
        "embedding_lookup_two_shards": lambda: _sharded_lookup(tf, [3, 3], [0, 3, 5, 2]),
        "embedding_lookup_uneven_shards": lambda: _sharded_lookup(tf, [2, 2, 1], [[0, 4], [2, 3]]),
        "embedding_lookup_shards_off_layout": lambda: err(
            lambda: _sharded_lookup(tf, [1, 3], [1])),
        "embedding_lookup_shards_id_too_big": lambda: err(
            lambda: _sharded_lookup(tf, [3, 3], [6])),
        # gather_nd of one element, then concat of that one scalar (forward only: TensorFlow's
        # gather_nd gradient fails here, see tests/tf_fuzz_regressions.py)
        "gather_nd_then_concat": lambda: _shaped(tf.concat(tf.gather_nd(c([[0.5]]), [0, 0]), 0)),
    }


# ----- issue 23, item 3: control flow, top_k, and the Keras names tutorials use next --------
G2 = np.array([[0.3, -0.6], [1.2, 0.05], [-0.4, 0.9]], dtype=np.float32)
IDS = np.array([[0, 2, 2], [3, 1, 0]], dtype=np.int32)


def _cond_grad(tf, value):
    x = tf.constant(value)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.cond(x > 1.0, lambda: x ** 3, lambda: tf.sin(x))
    return [_l(y), _l(tape.gradient(y, x))]


def _while_grad(tf):
    x = tf.constant(1.3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        i, s = tf.while_loop(lambda i, s: s < 10.0, lambda i, s: (i + 1, s * x + 1.0),
                             (tf.constant(0), x))
    return [_l(i), _l(s), _l(tape.gradient(s, x)), i.dtype.name]


def _while_max(tf):
    out = tf.while_loop(lambda i, s: i < 100, lambda i, s: [i + 1, s * 2.0], [0, 1.0],
                        maximum_iterations=4)
    return [type(out).__name__, [_l(t) for t in out], [t.dtype.name for t in out]]


def _while_variable(tf):
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        (out,) = tf.while_loop(lambda a: tf.reduce_sum(a) < 20.0, lambda a: (a * v,), (v,))
    return [_l(out), _l(tape.gradient(out, v))]


def _map_fn_grad(tf):
    return _value_and_grad(tf, lambda x: tf.map_fn(lambda r: r * tf.reduce_sum(r ** 2), x), X)


def _map_fn_struct(tf):
    a, b = tf.constant(X), tf.constant(X[:, ::-1] * 2.0)
    out = tf.map_fn(lambda ab: (ab[0] + ab[1], tf.reduce_max(ab[0])), (a, b),
                    fn_output_signature=(tf.float32, tf.float32))
    ints = tf.map_fn(lambda r: tf.cast(r, tf.int32), a, fn_output_signature=tf.int32)
    return [_l(out[0]), _l(out[1]), _l(ints), ints.dtype.name]


def _top_k(tf, values, **kw):
    r = tf.math.top_k(values, **kw)
    return [_l(r.values), _l(r.indices), r.indices.dtype.name]


def _top_k_grad(tf, k):
    def f(x):
        r = tf.math.top_k(x, k=k)
        return r.values * r.values
    return _value_and_grad(tf, f, XB)


def _layer_value_grad(tf, layer, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        s = tf.reduce_sum(y * tf.cast(tf.reshape(tf.range(tf.size(y)), y.shape) % 3 + 1,
                                      y.dtype))
    grads = tape.gradient(s, [x, *layer.trainable_variables])
    return [_l(y)] + [_l(tf.convert_to_tensor(g)) for g in grads]


def _embedding(tf):
    layer = tf.keras.layers.Embedding(4, 2)
    layer.build(None)
    layer.set_weights([XB[:, :2]])
    with tf.GradientTape() as tape:
        y = layer(IDS)
        s = tf.reduce_sum(y * tf.cast(tf.reshape(tf.range(tf.size(y)), y.shape) % 3 + 1,
                                      y.dtype))
    g = tf.convert_to_tensor(tape.gradient(s, layer.embeddings))
    floats = layer(np.array([1.9, 3.2], np.float32))
    return {"y": _l(y), "grad": _l(g), "float_ids": _l(floats), "dtype": y.dtype.name,
            "weights": [w.name for w in layer.weights]}


def _layer_norm(tf, **kw):
    layer = tf.keras.layers.LayerNormalization(**kw)
    x = np.stack([XB, XB[::-1] * 0.5]).astype(np.float32)
    layer(x)
    layer.set_weights([np.linspace(0.5, 1.5, w.size).reshape(w.shape).astype(np.float32)
                       for w in layer.get_weights()])
    out = _layer_value_grad(tf, layer, x)
    return [*out, [w.name for w in layer.weights]]


def _optimizer_steps(tf, make, steps=4):
    """A few steps with fixed weights and gradients (the gradient changes each step)."""
    opt = make()
    w = tf.Variable([[0.5, -1.0], [2.0, 0.25], [-0.3, 0.8]])
    b = tf.Variable([0.1, -0.2])
    seen = []
    for k in range(steps):
        opt.apply_gradients([(tf.constant(G2 * (k + 1) - 0.1 * k), w),
                             (tf.constant(B * (k - 1.5)), b)])
        seen.append([_l(w), _l(b), float(tf.convert_to_tensor(opt.learning_rate))])
    return {"steps": seen, "iterations": int(opt.iterations.numpy())}


def _huber(tf):
    yt = np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]], np.float32)
    yp = np.array([[0.4, 3.0, 1.8], [0.0, -1.2, 2.5]], np.float32)
    out = {"default": _l(tf.keras.losses.Huber()(yt, yp)),
           "delta": _l(tf.keras.losses.Huber(delta=0.5)(yt, yp)),
           "none": _l(tf.keras.losses.Huber(reduction="none")(yt, yp)),
           "function": _l(tf.keras.losses.huber(yt, yp, delta=2.0)),
           "weighted": _l(tf.keras.losses.Huber()(yt, yp, sample_weight=[0.5, 2.0])),
           "name": tf.keras.losses.Huber().name}
    p = tf.constant(yp)
    with tf.GradientTape() as tape:
        tape.watch(p)
        loss = tf.keras.losses.Huber(delta=0.7)(yt, p)
    out["grad"] = _l(tape.gradient(loss, p))
    return out


def _schedules(tf):
    S = tf.keras.optimizers.schedules
    scheds = {"exp": S.ExponentialDecay(0.1, 4, 0.5),
              "exp_stair": S.ExponentialDecay(0.1, 4, 0.5, staircase=True),
              "piecewise": S.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]),
              "cosine": S.CosineDecay(0.2, 6, alpha=0.1),
              "cosine_warmup": S.CosineDecay(0.0, 6, warmup_target=0.3, warmup_steps=3)}
    return {k: [float(s(step)) for step in range(12)] for k, s in scheds.items()}


def _seeded_draws(tf):
    tf.keras.utils.set_random_seed(7)
    a = tf.random.uniform([3]).numpy()
    tf.keras.utils.set_random_seed(7)
    b = tf.random.uniform([3]).numpy()
    return bool(np.array_equal(a, b))


def _keras_name_errors(tf):
    S, K = tf.keras.optimizers.schedules, tf.keras
    return {
        "embedding_float_dim": lambda: _error(tf, lambda: K.layers.Embedding(5.0, 3)),
        "embedding_zero_dim": lambda: _error(tf, lambda: K.layers.Embedding(4, 0)),
        "embedding_out_of_range": lambda: _error(
            tf, lambda: K.layers.Embedding(3, 2)(np.array([[1, 7]]))),
        "layer_norm_axis_float": lambda: _error(
            tf, lambda: K.layers.LayerNormalization(axis=1.5)),
        "adamw_no_decay": lambda: _error(
            tf, lambda: K.optimizers.AdamW(weight_decay=None)),
        "piecewise_lengths": lambda: _error(tf, lambda: S.PiecewiseConstantDecay([1, 2], [1.0])),
        "exponential_steps": lambda: _error(tf, lambda: S.ExponentialDecay(0.1, 0, 0.5)),
        "cosine_steps": lambda: _error(tf, lambda: S.CosineDecay(0.1, -2)),
        "set_schedule_lr": lambda: _error(tf, lambda: setattr(
            K.optimizers.SGD(S.ExponentialDecay(0.1, 4, 0.5)), "learning_rate", 0.1)),
        "set_random_seed_float": lambda: _error(tf, lambda: K.utils.set_random_seed(1.5)),
    }


def _control_errors(tf):
    ok = lambda: 1.0  # noqa: E731
    inc = lambda i: (i + 1,)  # noqa: E731
    return {
        "cond_vector_pred": lambda: _error(tf, lambda: tf.cond(tf.constant([True, False]),
                                                               ok, ok)),
        "cond_no_true_fn": lambda: _error(tf, lambda: tf.cond(True, None, ok)),
        "cond_no_false_fn": lambda: _error(tf, lambda: tf.cond(True, ok)),
        "cond_not_callable": lambda: _error(tf, lambda: tf.cond(True, 3.0, ok)),
        "while_cond_not_callable": lambda: _error(tf, lambda: tf.while_loop(3, inc, [0])),
        "while_body_not_callable": lambda: _error(
            tf, lambda: tf.while_loop(lambda i: i < 3, 3, [0])),
        "while_no_vars": lambda: _error(tf, lambda: tf.while_loop(lambda i: i < 3, inc, [])),
        "while_int_vars": lambda: _error(tf, lambda: tf.while_loop(lambda i: i < 3, inc, 0)),
        "while_body_returns_tensor": lambda: _error(
            tf, lambda: tf.while_loop(lambda i: i < 3, lambda i: i + 1, [0])),
        "while_body_too_few": lambda: _error(tf, lambda: tf.while_loop(
            lambda i, s: i < 3, lambda i, s: (i + 1,), (0, 1.0))),
        "while_max_tuple_for_list": lambda: _error(tf, lambda: tf.while_loop(
            lambda i: i < 3, inc, [0], maximum_iterations=2)),
        "while_vector_cond": lambda: _error(tf, lambda: tf.while_loop(
            lambda i: tf.constant([True, True]), inc, [0])),
        "while_parallel_zero": lambda: _error(tf, lambda: tf.while_loop(
            lambda i: i < 3, inc, [0], parallel_iterations=0)),
        "while_max_vector": lambda: _error(tf, lambda: tf.while_loop(
            lambda i: i < 3, inc, [0], maximum_iterations=[1, 2])),
        "map_fn_scalar": lambda: _error(tf, lambda: tf.map_fn(lambda a: a, tf.constant(1.0))),
        "map_fn_sizes": lambda: _error(tf, lambda: tf.map_fn(
            lambda ab: ab[0], (tf.constant(X), tf.constant(XB)))),
        "map_fn_dtype": lambda: _error(tf, lambda: tf.map_fn(
            lambda a: tf.cast(a, tf.int32), tf.constant(X))),
        "map_fn_structure": lambda: _error(tf, lambda: tf.map_fn(
            lambda a: (a, a), tf.constant(X))),
        "map_fn_shapes": lambda: _error(tf, lambda: tf.map_fn(
            lambda a: a[:1] if a[0] > 1.0 else a, tf.constant(X))),
        "vectorized_map_not_callable": lambda: _error(
            tf, lambda: tf.vectorized_map(3, tf.constant(X))),
        "top_k_too_many": lambda: _error(tf, lambda: tf.math.top_k(X, k=4)),
        "top_k_negative": lambda: _error(tf, lambda: tf.math.top_k(X, k=-1)),
        "top_k_scalar": lambda: _error(tf, lambda: tf.math.top_k(1.0)),
        "top_k_bool": lambda: _error(tf, lambda: tf.math.top_k([True, False])),
        "top_k_float_k": lambda: _error(tf, lambda: tf.math.top_k(X, k=2.0)),
        "top_k_index_type": lambda: _error(tf, lambda: tf.math.top_k(
            X, k=1, index_type=tf.float32)),
    }


def keras_names_cases(tf):
    """Issue 23, item 3: tf.cond / while_loop / map_fn / vectorized_map (eager), top_k, and
    Keras' Embedding, LayerNormalization, RMSprop, AdamW, Adagrad, Huber, learning-rate
    schedules and utils.set_random_seed, with TensorFlow's argument errors."""
    O, S = tf.keras.optimizers, tf.keras.optimizers.schedules
    cases = {
        "cond_true_branch": lambda: _cond_grad(tf, 2.0),
        "cond_false_branch": lambda: _cond_grad(tf, 0.5),
        "cond_python_result": lambda: tf.cond(tf.constant(1.0), lambda: [1.0, 2], lambda: 0),
        "cond_one_element_pred": lambda: tf.cond(tf.constant([[False]]), lambda: 1, lambda: 2),
        "while_loop_grad": lambda: _while_grad(tf),
        "while_loop_maximum_iterations": lambda: _while_max(tf),
        "while_loop_variable": lambda: _while_variable(tf),
        "while_loop_no_iterations": lambda: [_l(t) for t in tf.while_loop(
            lambda i, s: i < 0, lambda i, s: (i + 1, s), [0, 2.5])],
        "map_fn_grad": lambda: _map_fn_grad(tf),
        "map_fn_structure_and_signature": lambda: _map_fn_struct(tf),
        "map_fn_python_result": lambda: _l(tf.map_fn(lambda r: 2.0, tf.constant(X))),
        "vectorized_map_grad": lambda: _value_and_grad(
            tf, lambda x, m: tf.vectorized_map(lambda r: tf.linalg.matvec(m, r), x), XB, M),
        "vectorized_map_int_output": lambda: _l(tf.vectorized_map(
            lambda r: tf.cast(r, tf.int32), tf.constant(XB))),
        "top_k_values_indices": lambda: _top_k(tf, XB, k=2),
        "top_k_ties": lambda: _top_k(tf, [3, 1, 3, 2, 3], k=3),
        "top_k_nan": lambda: _top_k(tf, [3.0, 1.0, np.nan, 2.0], k=2),
        "top_k_unsorted": lambda: _top_k(tf, [3.0, 1.0, 5.0], k=2, sorted=False),
        "top_k_int64_indices": lambda: _top_k(tf, XB, k=3, index_type=tf.int64),
        "top_k_k0": lambda: _top_k(tf, XB, k=0),
        "top_k_grad": lambda: _top_k_grad(tf, 2),
        "top_k_grad_ties": lambda: _value_and_grad(
            tf, lambda x: tf.math.top_k(x * 0.0 + tf.round(x), k=2).values * x[:, :2], XB),
        "embedding": lambda: _embedding(tf),
        "embedding_weights_argument": lambda: _l(tf.keras.layers.Embedding(
            3, 2, weights=[np.arange(6.0).reshape(3, 2)])(np.array([2, 0]))),
        "layer_norm_last_axis": lambda: _layer_norm(tf),
        "layer_norm_two_axes": lambda: _layer_norm(tf, axis=[1, 2], epsilon=0.01),
        "layer_norm_middle_axis_no_center": lambda: _layer_norm(tf, axis=1, center=False),
        "rmsprop": lambda: _optimizer_steps(tf, lambda: O.RMSprop(0.05)),
        "rmsprop_momentum_centered": lambda: _optimizer_steps(
            tf, lambda: O.RMSprop(0.02, rho=0.8, momentum=0.5, centered=True)),
        "adamw": lambda: _optimizer_steps(tf, lambda: O.AdamW(0.1)),
        "adamw_decay_amsgrad": lambda: _optimizer_steps(
            tf, lambda: O.AdamW(0.05, weight_decay=0.1, amsgrad=True)),
        "adagrad": lambda: _optimizer_steps(tf, lambda: O.Adagrad(0.1)),
        "adagrad_start": lambda: _optimizer_steps(
            tf, lambda: O.Adagrad(0.3, initial_accumulator_value=0.5, epsilon=0.01)),
        "sgd_exponential_decay": lambda: _optimizer_steps(
            tf, lambda: O.SGD(S.ExponentialDecay(0.5, 2, 0.3))),
        "adam_piecewise": lambda: _optimizer_steps(
            tf, lambda: O.Adam(S.PiecewiseConstantDecay([1, 2], [0.1, 0.05, 0.01]))),
        "rmsprop_cosine": lambda: _optimizer_steps(
            tf, lambda: O.RMSprop(S.CosineDecay(0.1, 3, alpha=0.2)), steps=5),
        "adamw_schedule": lambda: _optimizer_steps(
            tf, lambda: O.AdamW(S.ExponentialDecay(0.2, 1, 0.5), weight_decay=0.5)),
        "compile_by_name": lambda: [type(_compiled(tf, n).optimizer).__name__
                                    for n in ("rmsprop", "adamw", "adagrad")],
        "optimizer_names": lambda: [c().name.rstrip("0123456789").rstrip("_")  # (no _1, _2)
                                    for c in (O.AdamW, O.RMSprop, O.Adagrad)],
        "huber": lambda: _huber(tf),
        "schedules": lambda: _schedules(tf),
        "set_random_seed_repeats": lambda: _seeded_draws(tf),
    }
    cases.update(_keras_name_errors(tf))
    cases.update(_control_errors(tf))
    return cases


def _compiled(tf, optimizer):
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="huber")
    return model


# ----- numpy functions on tensors leave the tape (TensorFlow's rule; adkernel's opt-in) ------
def _np_kind(tf, r):
    """What a numpy call on a tensor returned: ``[kind, dtype, value]``."""
    kind = "tensor" if tf.is_tensor(r) else type(r).__module__.split(".")[0] + "." + \
        type(r).__name__
    return [kind, np.dtype(r.dtype.name if tf.is_tensor(r) else r.dtype).name, _l(r)]


def _np_guide_cell(tf):
    """guide/autodiff.ipynb: "This step is calculated with NumPy"."""
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0]], dtype=tf.float32)
    with tf.GradientTape() as tape:
        x2 = x**2
        y = np.mean(x2, axis=0)
        y = tf.reduce_mean(y, axis=0)
    return [tape.gradient(y, x) is None, _l(y)]


def _np_operator_grad(tf, f):
    """An operator between a numpy operand and a variable: recorded in TensorFlow too."""
    v = tf.Variable([1.0, -2.0, 0.5])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(f(v))
    return [tf.is_tensor(f(v)), _l(tape.gradient(y, v))]


def numpy_leaves_tape_cases(tf):
    t = tf.constant([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])
    v = tf.Variable(2.0)
    a = np.array([1.0, 2.0, 3.0])
    a2 = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], dtype=np.float32)
    return {
        "mean": lambda: _np_kind(tf, np.mean(t)),
        "mean_axis": lambda: _np_kind(tf, np.mean(t, axis=0)),
        "sum_keepdims": lambda: _np_kind(tf, np.sum(t, axis=1, keepdims=True)),
        "square_variable": lambda: _np_kind(tf, np.square(v)),
        "sin": lambda: _np_kind(tf, np.sin(t)),
        "multiply_float64_array": lambda: _np_kind(tf, np.multiply(a, t)),
        "maximum_python_number": lambda: _np_kind(tf, np.maximum(t, 0)),
        "dot_float64_array": lambda: _np_kind(tf, np.dot(t, a)),
        "reshape": lambda: _np_kind(tf, np.reshape(t, (3, 2))),
        "concatenate": lambda: _np_kind(tf, np.concatenate([t, t], axis=1)),
        "where": lambda: _np_kind(tf, np.where(t > 0, t, 0.0)),
        "add_reduce": lambda: _np_kind(tf, np.add.reduce(t)),
        "argmax": lambda: _np_kind(tf, np.argmax(t)),
        "guide_cell": lambda: _np_guide_cell(tf),
        "array_times_variable": lambda: _np_operator_grad(tf, lambda v: a * v),
        "variable_times_array": lambda: _np_operator_grad(tf, lambda v: v * a.astype(
            np.float32)),
        "numpy_scalar_times_variable": lambda: _np_operator_grad(
            tf, lambda v: np.float32(3.0) * v),
        "array_matmul_variable": lambda: _np_operator_grad(
            tf, lambda v: a2.T @ tf.reshape(v, (3, 1))),
        "array_minus_variable": lambda: _np_operator_grad(tf, lambda v: a - v),
        "array_greater_variable": lambda: [tf.is_tensor(a > tf.constant([0.0, 2.5, 3.0])),
                                           _l(a > tf.constant([0.0, 2.5, 3.0]))],
    }


def _class_weighted(tf, make, labels, loss, fit_kw, data=None):
    model = make()
    model.compile(optimizer=tf.keras.optimizers.SGD(0.2), loss=loss, metrics=["accuracy"])
    if data is None:
        history = model.fit(XN, labels, batch_size=3, epochs=3, shuffle=False, verbose=0,
                            **fit_kw)
    else:
        history = model.fit(data, epochs=3, verbose=0, **fit_kw)
    return _fit_result(model, history, XN, labels)


def _class_weight_on_batch(tf):
    model = _dense3(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.3),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    first = model.train_on_batch(XN, LABELS8, class_weight={0: 2.0, 2: 0.25})
    return [float(first), _l(model.get_weights()[0])]


def _embedding_masks(tf):
    layer = tf.keras.layers.Embedding(5, 2, mask_zero=True)
    ids = np.array([[0, 3, 0], [2, 0, 4]])
    plain = tf.keras.layers.Embedding(5, 2)
    return {"mask": _l(layer.compute_mask(ids)), "mask_dtype": layer.compute_mask(ids).dtype.name,
            "mask_given_mask": _l(layer.compute_mask(ids, mask=tf.constant(
                [[True, False, True], [True, True, True]]))),
            "float_ids": _l(layer.compute_mask(tf.constant([1.0, 0.0, 0.5]))),
            "supports_masking": [layer.supports_masking, plain.supports_masking],
            "no_mask": plain.compute_mask(ids) is None,
            "output_shape": list(layer(ids).shape)}


def keras_remainder_cases(tf):
    """Issue 23's remainder: fit(class_weight=...) as Keras 3 (arrays, one-hot and (n, 1)
    labels, a dataset, a class missing from the dict, train_on_batch), Embedding(mask_zero)
    and the reprs of tf.data datasets (their element_spec)."""
    D = tf.data.Dataset
    onehot = np.eye(3, dtype=np.float32)[LABELS8]
    sparse = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return {
        "class_weight_sparse": lambda: _class_weighted(
            tf, lambda: _dense3(tf), LABELS8, sparse, {"class_weight": {0: 2.0, 1: 0.5, 2: 1.0}}),
        "class_weight_missing_class": lambda: _class_weighted(
            tf, lambda: _dense3(tf), LABELS8, sparse, {"class_weight": {1: 3.0}}),
        "class_weight_one_hot": lambda: _class_weighted(
            tf, lambda: _dense3(tf, activation="softmax"), onehot, "categorical_crossentropy",
            {"class_weight": {0: 0.5, 1: 1.5, 2: 2.0}}),
        "class_weight_binary_column": lambda: _class_weighted(
            tf, lambda: _dense3(tf, activation="sigmoid", units=1), BIN8,
            "binary_crossentropy", {"class_weight": {0: 1.0, 1: 4.0}}),
        "class_weight_val_split": lambda: _class_weighted(
            tf, lambda: _dense3(tf), LABELS8, sparse,
            {"class_weight": {0: 2.0, 1: 0.5, 2: 1.0}, "validation_split": 0.25}),
        "class_weight_dataset": lambda: _class_weighted(
            tf, lambda: _dense3(tf), LABELS8, sparse, {"class_weight": {0: 2.0, 1: 0.5, 2: 1.0}},
            data=D.from_tensor_slices((XN, LABELS8)).batch(3)),
        "class_weight_on_batch": lambda: _class_weight_on_batch(tf),
        "class_weight_with_sample_weight": lambda: _error(tf, lambda: _class_weighted(
            tf, lambda: _dense3(tf), LABELS8, sparse,
            {"class_weight": {0: 2.0}, "sample_weight": np.ones(8, np.float32)})),
        "class_weight_dataset_class_out_of_range": lambda: _error(tf, lambda: _class_weighted(
            tf, lambda: _dense3(tf), LABELS8, sparse, {"class_weight": {0: 2.0}},
            data=D.from_tensor_slices((XN, LABELS8)).batch(3))),
        "embedding_mask_zero": lambda: _embedding_masks(tf),
        "dataset_reprs": lambda: [repr(d) for d in (
            D.from_tensor_slices([1, 2, 3]), D.from_tensor_slices((XN, LABELS8)),
            D.from_tensor_slices({"a": [1.0, 2.0]}), D.from_tensor_slices(XN).batch(3),
            D.from_tensor_slices(XN).batch(3, drop_remainder=True), D.range(3),
            D.from_tensors([1.0, 2.0]), D.from_tensor_slices(XN).map(lambda r: r * 2),
            D.from_tensor_slices(XN).batch(2).map(lambda b: (b, tf.reduce_sum(b, 1))),
            D.from_tensor_slices(LABELS8).shuffle(8, seed=1), D.range(3).repeat(2),
            D.range(5).take(2), D.range(5).skip(1), D.range(5).prefetch(tf.data.AUTOTUNE),
            D.zip((D.range(2), D.from_tensor_slices(XN))), D.range(5).filter(lambda i: i > 1),
            D.from_tensor_slices(XN).enumerate(), D.range(3).cache(),
            D.range(6).batch(2).shuffle(3).take(2))],
        "dataset_element_spec": lambda: repr(
            D.from_tensor_slices((XN, LABELS8)).batch(4).element_spec),
    }


def _ta_writes(tf, dynamic):
    ta = tf.TensorArray(tf.float32, size=0 if dynamic else 3, dynamic_size=dynamic)
    for i in range(3):
        ta = ta.write(i, tf.constant([float(i), float(i * i)]))
    return [_l(ta.stack()), int(ta.size()), _l(ta.read(2))]


def _ta_gradient(tf):
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=3)
        for i in range(3):
            ta = ta.write(i, x[i] * x[i] * float(i + 1))
        y = tf.reduce_sum(ta.stack())
    return _l(tape.gradient(y, x))


def _ta_traced(tf):
    @tf.function
    def cumulative(x):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        total = tf.constant(0.0)
        for i in tf.range(4):
            total = total + x * tf.cast(i, tf.float32)
            ta = ta.write(i, total)
        return ta.stack()

    return [_l(cumulative(tf.constant(2.0))), _l(cumulative(tf.constant(-1.0))),
            cumulative.experimental_get_tracing_count()]


def tensor_array_cases(tf):
    return {
        "fixed_size": lambda: _ta_writes(tf, False),
        "dynamic_size": lambda: _ta_writes(tf, True),
        "unwritten_are_zeros": lambda: _l(
            tf.TensorArray(tf.float32, size=3).write(1, [1.0, 2.0]).stack()),
        "unstack_then_read": lambda: _l(tf.TensorArray(tf.int32, size=3).unstack(
            tf.constant([[1, 2], [3, 4], [5, 6]])).read(1)),
        "gather_and_concat": lambda: (lambda ta: [_l(ta.gather([2, 0])), _l(ta.concat())])(
            tf.TensorArray(tf.int32, size=3).write(0, [1, 2]).write(1, [3, 4]).write(2, [5, 6])),
        "gradient_through_stack": lambda: _ta_gradient(tf),
        "inside_tf_function": lambda: _ta_traced(tf),
        "write_past_a_fixed_size": lambda: _error(
            tf, lambda: tf.TensorArray(tf.float32, size=2).write(2, 1.0)),
        "element_shape": lambda: list(tf.TensorArray(tf.float32, size=1).write(
            0, [[1.0, 2.0]]).element_shape),
        "empty_stack": lambda: _l(tf.TensorArray(tf.float32, size=0, element_shape=[2])
                                  .stack()),
    }
