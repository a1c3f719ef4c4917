"""Compare a result of tests/tf_reference_cases.py with TensorFlow's frozen value."""

from __future__ import annotations

import numpy as np


def assert_matches(actual, expected, path="", rtol=2e-5, atol=2e-6):
    """Numbers within float32 rounding (rtol, atol); strings, bools and shapes exactly."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and sorted(actual) == sorted(expected), path
        for k in expected:
            assert_matches(actual[k], expected[k], f"{path}.{k}", rtol, atol)
    elif isinstance(expected, str | bool) or expected is None:
        assert actual == expected, f"{path}: adkernel {actual!r}, TensorFlow {expected!r}"
    elif isinstance(expected, list) and expected and any(
            isinstance(e, str | bool | list | dict) for e in expected) and not _numeric(expected):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{path}: adkernel {actual!r}, TensorFlow {expected!r}")
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(a, e, f"{path}[{i}]", rtol, atol)
    else:
        a, e = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
        assert a.shape == e.shape, f"{path}: shape {a.shape}, TensorFlow {e.shape}"
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=path)


def _numeric(value) -> bool:
    """A (nested) list of numbers with a regular shape."""
    try:
        arr = np.asarray(value)
    except ValueError:
        return False
    return arr.dtype.kind in "biuf" and arr.dtype != object
