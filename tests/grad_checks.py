"""Shared checks of gradients against expected values, for the GradientTape semantics tests
(test_tf_semantics*.py): a gradient is a Tensor, never a Variable, of the expected dtype,
shape and values; nested structures (lists, tuples, dicts, None) match element by element."""

from __future__ import annotations

import numpy as np

from adkernel import tf


def _rtol(dtype):
    if dtype == tf.float16:
        return 1e-3
    if dtype in (tf.float32, tf.complex64):
        return 1e-5
    return 1e-6


def check(g, expected, dtype=None):
    """``g`` is an adkernel Tensor (never a Variable) equal to ``expected`` (values and shape).

    NaN matches NaN and inf matches inf of the same sign."""
    dtype = tf.float32 if dtype is None else dtype
    assert g is not None, "expected a gradient, got None"
    assert isinstance(g, tf.Tensor), f"expected a tf.Tensor, got {type(g)!r}"
    assert not isinstance(g, tf.Variable), "a gradient must not be a Variable"
    assert g.dtype == dtype, f"dtype {g.dtype!r}, expected {dtype!r}"
    got = np.asarray(g.numpy())
    want = np.asarray(expected)
    assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
    np.testing.assert_allclose(got, want, rtol=_rtol(dtype), atol=0)


def check_struct(result, expected, dtype=None):
    """Compare a nested structure of gradients (lists, tuples, dicts, None) with ``expected``."""
    if expected is None:
        assert result is None, f"expected None, got {result!r}"
    elif isinstance(expected, dict):
        assert isinstance(result, dict), f"expected a dict, got {type(result)!r}"
        assert set(result) == set(expected)
        for key, value in expected.items():
            check_struct(result[key], value, dtype)
    elif isinstance(expected, (list, tuple)):
        assert type(result) is type(expected), f"expected {type(expected)!r}, got {type(result)!r}"
        assert len(result) == len(expected)
        for r, e in zip(result, expected, strict=True):
            check_struct(r, e, dtype)
    else:
        check(result, expected, dtype)
