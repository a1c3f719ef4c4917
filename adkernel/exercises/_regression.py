"""The seed tutorial's regression data and a float64 reference of its training loop.

Chapters 04 and 05 draw the data with ``np.random.seed(0)`` right before the tutorial's
``np.random.rand``; :func:`seed_data` draws the same numbers from its own generator (the
legacy stream is fixed across NumPy releases), so the checker never reads the notebook's
arrays and never disturbs the global random state.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["descend", "loss_at", "seed_data"]


@lru_cache(maxsize=1)
def _data():
    rng = np.random.RandomState(0)
    X = rng.rand(100, 1)
    y = 3 * X + rng.randn(100, 1) * 0.5
    W0 = rng.randn(1).astype(np.float32)
    b0 = rng.randn(1).astype(np.float32)
    return X, y, float(W0[0]), float(b0[0])


def seed_data():
    """``(X, y, W0, b0)``: copies of the arrays, and the float32 start as Python floats."""
    X, y, W0, b0 = _data()
    return X.copy(), y.copy(), W0, b0


def loss_at(W: float, b: float) -> float:
    """The mean squared error of ``W * X + b`` on the seed data (float64)."""
    X, y, _, _ = _data()
    return float(np.mean((W * X + b - y) ** 2))


def descend(lr: float, epochs: int, *, sign: float = 1.0, reduce: str = "mean",
            path: list | None = None):
    """Gradient descent from the seed's start; ``(W, b, losses)`` with ``losses[k]`` the
    loss before update ``k`` and ``losses[epochs]`` the loss at the end.

    ``sign=-1`` climbs instead (a learner who adds the gradient); ``reduce="sum"`` uses a
    summed loss. The run stops at the first non-finite loss (under ``np.errstate``).
    A ``path`` list receives ``(W, b)`` before each update and at the end.
    """
    X, y, W, b = _data()
    x = X[:, 0]
    t = y[:, 0]
    losses = []
    with np.errstate(all="ignore"):
        for _ in range(int(epochs)):
            r = W * x + b - t
            losses.append(float(np.mean(r**2)))
            if path is not None:
                path.append((W, b))
            scale = 2.0 if reduce == "mean" else 2.0 * len(x)
            dW = scale * float(np.mean(r * x))
            db = scale * float(np.mean(r))
            W -= sign * lr * dW
            b -= sign * lr * db
            if not np.isfinite(losses[-1]) or not (np.isfinite(W) and np.isfinite(b)):
                break
        losses.append(float(np.mean((W * x + b - t) ** 2)))
        if path is not None:
            path.append((W, b))
    return W, b, losses
