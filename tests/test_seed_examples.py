# ruff: noqa: NPY002  (the tutorial uses the legacy np.random API on purpose)
"""The three examples of the seed tutorial (a Chinese TensorFlow autodiff tutorial), rewritten
for adkernel: only the import changes, everything else is ordinary TF GradientTape code."""

import re

import numpy as np

from adkernel import tf


def test_seed_square_gradient_prints_six(capsys):
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    dy_dx = tape.gradient(y, x)
    print(dy_dx.numpy())
    assert capsys.readouterr().out == "6.0\n"


def test_seed_two_variable_gradient_prints_4_and_27(capsys):
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        z = x**2 + y**3
    dz_dx, dz_dy = tape.gradient(z, [x, y])
    print(dz_dx.numpy(), dz_dy.numpy())
    assert capsys.readouterr().out == "4.0 27.0\n"


# ---------------------------------------------------------------------------------------------
# Linear regression with GradientTape, checked against a hand-written float32 numpy replica
# ---------------------------------------------------------------------------------------------

EPOCHS = 100
LEARNING_RATE = 0.1


def _train_with_adkernel():
    """The tutorial's training loop; returns per-epoch losses and the final W, b."""
    np.random.seed(0)
    X = np.random.rand(100, 1)
    y = 3 * X + np.random.randn(100, 1) * 0.5
    W = tf.Variable(np.random.randn(1), dtype=tf.float32)
    b = tf.Variable(np.random.randn(1), dtype=tf.float32)

    def loss_function(features, labels):
        prediction = W * features + b
        return tf.reduce_mean(tf.square(prediction - labels))

    losses = []
    for epoch in range(EPOCHS):
        with tf.GradientTape() as tape:
            loss = loss_function(X, y)
        dW, db = tape.gradient(loss, [W, b])
        assert dW.dtype == tf.float32 and db.dtype == tf.float32
        W.assign_sub(LEARNING_RATE * dW)
        b.assign_sub(LEARNING_RATE * db)
        losses.append(loss.numpy())
        if epoch % 10 == 0:
            print(f"Epoch {epoch}, Loss: {loss.numpy()}")
    print(f"Final W: {W.numpy()}, Final b: {b.numpy()}")
    return losses, W, b


def _train_with_numpy_replica():
    """The same loop in plain float32 numpy with the analytic gradients of the MSE."""
    np.random.seed(0)
    X64 = np.random.rand(100, 1)
    y64 = 3 * X64 + np.random.randn(100, 1) * 0.5
    W = np.random.randn(1).astype(np.float32)
    b = np.random.randn(1).astype(np.float32)
    # A float64 ndarray meeting a float32 tensor is converted to float32 (TF semantics).
    X = X64.astype(np.float32)
    y = y64.astype(np.float32)
    lr = np.float32(LEARNING_RATE)
    losses = []
    for _ in range(EPOCHS):
        err = W * X + b - y
        losses.append(np.mean(np.square(err)))
        dW = np.mean(2 * err * X, axis=0)
        db = np.mean(2 * err, axis=0)
        W = W - lr * dW
        b = b - lr * db
    return np.array(losses, np.float32), W, b


def test_seed_linear_regression_matches_numpy_replica(capsys):
    losses, W, b = _train_with_adkernel()
    out = capsys.readouterr().out
    ref_losses, ref_W, ref_b = _train_with_numpy_replica()

    assert W.dtype == tf.float32 and b.dtype == tf.float32
    assert W.numpy().shape == (1,) and b.numpy().shape == (1,)
    np.testing.assert_allclose(np.array(losses, np.float64), ref_losses, rtol=1e-5)
    np.testing.assert_allclose(W.numpy(), ref_W, rtol=1e-5)
    np.testing.assert_allclose(b.numpy(), ref_b, rtol=1e-5)

    # W ends near 2.4, still on its way to 3: not converged after 100 epochs.
    assert 2.0 < float(W.numpy()[0]) < 2.7
    assert losses[99] < losses[98]

    # The loss is printed every 10 epochs, then the final parameters.
    lines = out.strip().splitlines()
    assert len(lines) == 11
    printed = []
    for epoch, line in zip(range(0, EPOCHS, 10), lines[:10], strict=True):
        m = re.fullmatch(rf"Epoch {epoch}, Loss: (\S+)", line)
        assert m, line
        printed.append(float(m.group(1)))
    np.testing.assert_allclose(printed, ref_losses[::10], rtol=1e-5)
    assert lines[10].startswith("Final W: [") and ", Final b: [" in lines[10]
