"""The first call of a ``tf.function`` that creates variables (a model built lazily, an
optimizer's slots) runs the body twice, as TensorFlow traces twice; what the first run
changed is put back, an optimizer's update included, so the call returns what TensorFlow
returns: the values before the update (outside tester, a TensorFlow user)."""

from __future__ import annotations

import numpy as np
import pytest

from adkernel import tf


def _steps(optimizer, traced: bool, n: int = 3):
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, kernel_initializer="ones")])
    opt = optimizer()

    def train_step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    step = tf.function(train_step) if traced else train_step
    losses = [float(step(tf.ones((2, 1)))) for _ in range(n)]
    return losses, [w.copy() for w in model.get_weights()], int(opt.iterations.numpy())


def test_the_first_call_returns_the_loss_before_the_update():
    # TensorFlow 2.21 prints [1.0, 0.36, 0.1296] for this program
    losses, weights, iterations = _steps(lambda: tf.keras.optimizers.SGD(0.1), traced=True)
    np.testing.assert_allclose(losses, [1.0, 0.36, 0.1296], rtol=1e-6)
    np.testing.assert_allclose(weights[0], [[0.608]], rtol=1e-6)
    assert iterations == 3


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_a_traced_step_is_the_eager_step(name):
    make = {"SGD": lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9),
            "Adam": lambda: tf.keras.optimizers.Adam(0.1),
            "RMSprop": lambda: tf.keras.optimizers.RMSprop(0.1)}[name]
    eager = _steps(make, traced=False, n=4)
    traced = _steps(make, traced=True, n=4)
    np.testing.assert_allclose(traced[0], eager[0], rtol=1e-6)
    for a, b in zip(traced[1], eager[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert traced[2] == eager[2] == 4


def test_a_print_in_the_first_call_is_printed_once(capsys):
    v = []

    @tf.function
    def f(x):
        if not v:
            v.append(tf.Variable(1.0))
        tf.print("step", x)
        v[0].assign_add(x)
        return v[0] * 1.0

    assert float(f(tf.constant(2.0))) == 3.0
    assert float(f(tf.constant(2.0))) == 5.0
    assert capsys.readouterr().out.count("step 2") == 2  # once per call
