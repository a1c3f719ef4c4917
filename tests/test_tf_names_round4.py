"""Issue 23, item 3: the names tutorials use next, against TensorFlow 2.21 / Keras 3.

The programs are ``keras_names_cases`` in tests/tf_reference_cases.py (their results frozen
by tests/measure_tf_reference.py): ``tf.cond`` and ``tf.while_loop`` run eagerly and the
gradient flows through the branch taken and every iteration; ``tf.map_fn`` and
``tf.vectorized_map`` stack one result per slice; ``tf.math.top_k`` keeps the lower index
among equal values; the optimizers take a few steps from fixed weights and gradients (with
and without learning-rate schedules); and the argument errors are TensorFlow's exception
types. Second derivatives are checked against central differences here.
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

import adkernel
from adkernel import tf

NAMES = cases.keras_names_cases(tf)


def test_every_program_has_a_frozen_value():
    assert sorted(NAMES) == sorted(VALUES["keras_names_cases"])


@pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")
@pytest.mark.parametrize("name", sorted(NAMES))
def test_matches_tensorflow(name):
    assert_matches(NAMES[name](), VALUES["keras_names_cases"][name], name)


# ----- second derivatives against central differences (float64) --------------------------------
RNG = np.random.default_rng(23)
A = RNG.uniform(-2, 2, (3, 4))
V = RNG.uniform(0.5, 1.5, 4)


def _layer_norm(x):
    layer = tf.keras.layers.LayerNormalization(axis=[0, 1], dtype="float64")
    layer(x)
    layer.set_weights([np.linspace(0.5, 1.5, 12).reshape(3, 4), np.full((3, 4), 0.2)])
    return layer(x) ** 2


def _embedding(table):
    layer = tf.keras.layers.Embedding(3, 4, dtype="float64")
    layer.build(None)
    layer.embeddings = table  # (the layer's lookup, on a table the checker varies)
    return tf.reduce_sum(layer.call(tf.constant([[2, 0], [2, 1]])) * table[0], axis=-1) ** 2


SECOND_ORDER = {
    "cond_true": (lambda x: tf.cond(tf.reduce_sum(x) > -100.0, lambda: tf.sin(x) * x,
                                    lambda: x), (A,)),
    "cond_false": (lambda x: tf.cond(tf.reduce_sum(x) > 100.0, lambda: x,
                                     lambda: tf.exp(x) * x), (A,)),
    "while_loop": (lambda x: tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * x + x),
                                           (0, x))[1], (A,)),
    "while_loop_max": (lambda x, v: tf.while_loop(
        lambda s: tf.constant(True), lambda s: [tf.tanh(s * v)], [x],
        maximum_iterations=3)[0], (A, V)),
    "map_fn": (lambda x, v: tf.map_fn(lambda r: r * tf.reduce_sum(r * v) ** 2, x), (A, V)),
    "map_fn_structure": (lambda x, v: tf.map_fn(
        lambda rv: rv[0] * tf.sin(rv[1]), (x, x * v), fn_output_signature=tf.float64), (A, V)),
    "vectorized_map": (lambda x, v: tf.vectorized_map(lambda r: tf.sigmoid(r * v) * r, x),
                       (A, V)),
    "top_k": (lambda x: tf.math.top_k(x, k=2).values ** 3, (A,)),
    "top_k_unsorted": (lambda x: tf.math.top_k(x * x, k=3, sorted=False).values ** 2, (A,)),
    "layer_norm": (_layer_norm, (A,)),
    "embedding": (_embedding, (A,)),
    "huber": (lambda p: tf.keras.losses.huber(A * 0.5, p, delta=0.8) ** 2, (A,)),
    "huber_loss_object": (lambda p: tf.keras.losses.Huber(delta=1.5, dtype="float64")(
        A.T, p) * p, (A.T,)),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_gradients_to_second_order(name):
    f, xs = SECOND_ORDER[name]
    adkernel.check_gradients(f, *[np.asarray(x, np.float64) for x in xs], order=2)


# ----- what the frozen programs do not show ------------------------------------------------------
def test_cond_runs_only_the_branch_taken():
    ran = []
    out = tf.cond(tf.constant(False), lambda: ran.append("true"), lambda: ran.append("false"))
    assert out is None and ran == ["false"]


def test_while_loop_returns_the_structure_it_was_given():
    out = tf.while_loop(lambda d: d["n"] < 3, lambda d: ({"n": d["n"] + 1},), ({"n": 0},))
    assert isinstance(out, tuple) and list(out[0]) == ["n"]
    assert int(out[0]["n"]) == 3 and isinstance(out[0]["n"], tf.Tensor)


def test_map_fn_back_prop_false_stops_the_gradient():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.map_fn(lambda a: a * a, x, back_prop=False)
    assert tape.gradient(y, x, unconnected_gradients="zero").numpy().tolist() == [0.0, 0.0]


def test_top_k_result_is_a_pair_with_names():
    values, indices = tf.math.top_k([1.0, 4.0, 2.0], k=2)
    assert values.numpy().tolist() == [4.0, 2.0] and indices.numpy().tolist() == [1, 2]
    assert tf.nn.top_k is tf.math.top_k


def test_schedule_learning_rate_follows_the_steps():
    opt = tf.keras.optimizers.SGD(tf.keras.optimizers.schedules.PiecewiseConstantDecay(
        [1], [0.5, 0.25]))
    w = tf.Variable(1.0)
    seen = []
    for _ in range(3):
        seen.append(float(opt.learning_rate))
        opt.apply_gradients([(tf.constant(1.0), w)])
    assert seen == [0.5, 0.5, 0.25] and float(w.numpy()) == 1.0 - 0.5 - 0.5 - 0.25
    assert [v.name for v in opt.variables] == ["iteration"]


def test_set_random_seed_repeats_initial_weights_and_shuffling():
    def weights():
        tf.keras.utils.set_random_seed(4)
        layer = tf.keras.layers.Dense(3)
        layer(np.ones((1, 2), np.float32))
        return layer.kernel.numpy(), np.random.rand(2)  # noqa: NPY002

    (k1, r1), (k2, r2) = weights(), weights()
    np.testing.assert_array_equal(k1, k2)
    np.testing.assert_array_equal(r1, r2)


def test_messages_in_chinese():
    adkernel.set_language("zh")
    try:
        with pytest.raises(TypeError, match="必须是可调用的"):
            tf.cond(True, 3.0, lambda: 1.0)
        with pytest.raises(TypeError, match="学习率"):
            tf.keras.optimizers.SGD(tf.keras.optimizers.schedules.ExponentialDecay(
                0.1, 2, 0.5)).learning_rate = 0.1
    finally:
        adkernel.set_language("en")
