"""Chapter 5's neural-network exercise also accepts a network written with tf.keras."""

from __future__ import annotations

import numpy as np
import pytest

from adkernel import tf
from adkernel.exercises import ch05


def _keras_answer(hidden: int, steps: int):
    X, labels = ch05.make_moons(200, 0.2, 0)
    y = labels.reshape(-1, 1).astype("float32")
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(hidden, activation="tanh"),
                                 tf.keras.layers.Dense(1)])
    loss_fn = tf.keras.losses.BinaryCrossentropy(from_logits=True)
    optimizer = tf.keras.optimizers.Adam(learning_rate=0.05)

    def train_step():
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(X))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    def predict(points):
        return (model(points).numpy().reshape(-1) > 0).astype(int)

    for _ in range(steps):
        train_step()
    return model, train_step, predict


@pytest.mark.parametrize("as_model", [True, False], ids=["the model", "its variables"])
def test_a_trained_keras_network_passes(as_model):
    model, train_step, predict = _keras_answer(hidden=16, steps=300)
    params = model if as_model else model.trainable_variables
    fb = ch05.q3.evaluate({"params": params, "train_step": train_step, "predict": predict},
                          save=False)
    assert fb.correct, fb.text


def test_an_untrained_keras_network_is_told_to_train():
    model, train_step, predict = _keras_answer(hidden=16, steps=0)
    model(np.zeros((1, 2), dtype="float32"))  # built, not trained
    fb = ch05.q3.evaluate({"params": model, "train_step": train_step, "predict": predict},
                          save=False)
    assert not fb.correct and "%" in fb.text
