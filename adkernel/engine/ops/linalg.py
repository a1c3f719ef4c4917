"""Matrix products."""

from __future__ import annotations

import numpy as np

from ..registry import defop


def _t(a):
    """Swap the last two axes (a matrix transpose, batched)."""
    return np.swapaxes(a, -1, -2)


@defop("matmul")
def matmul(a, b):
    """a @ b (batched over leading axes)"""
    return np.matmul(a, b)


@matmul.defvjp
def matmul_vjp(g, out, need, a, b):
    """d(a@b)/da = g @ b^T, d(a@b)/db = a^T @ g"""
    ga = g @ _t(b) if need[0] else None
    gb = _t(a) @ g if need[1] else None
    return ga, gb
