"""Issue 20, items 1, 3, 4, 5, 7 and 9: NaN/inf routing and second derivatives as TensorFlow.

Also their neighbours that differed: divide's d/dy as (-x/y)/y (no underflow, inf second
derivatives at y = 0), softsign's gradient 0 at ±inf.

The programs are ``fuzz_numeric_a`` in tests/tf_reference_cases.py (softplus'' at 0, rsqrt's
and reciprocal's 0 where the upstream gradient is 0, reduce_min/max spreading NaN over the
reduced row, pow's d/dy, clip_by_value's routing of NaN and ties, elu's second order, and
their neighbours, in float32 and float64); their results on TensorFlow 2.21 are frozen in
tests/tf_reference_values.py. NaN and inf positions, None-ness and dtypes are compared
exactly, numbers within float32 rounding. Where the functions are smooth, the new VJPs are
also checked against central differences to second order (tests/test_ops.py has the rows).
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

from adkernel import tf

FUZZ = cases.fuzz_numeric_a(tf)


def test_every_program_has_a_frozen_value():
    assert sorted(FUZZ) == sorted(VALUES["fuzz_numeric_a"])


@pytest.mark.parametrize("name", sorted(FUZZ))
def test_matches_tensorflow(name):
    assert_matches(FUZZ[name](), VALUES["fuzz_numeric_a"][name], name)


def test_the_issue_numbers():
    """The values the issue quotes, spelled out (not only through the frozen table)."""
    second = FUZZ["issue_softplus_second"]()[1]["value"]
    np.testing.assert_allclose(second, [0.104994, 0.25, 0.0451767], rtol=1e-5)
    assert FUZZ["issue_rsqrt_upstream_zero"]()[1]["value"] == [0.0, -0.0625]
    assert FUZZ["issue_sqrt_of_reduce_min"]()[1]["value"] == [["nan", "nan", "nan"]]


def _central(f, x, eps=1e-6):
    """d sum(f)/dx by central differences, elementwise f."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def _nested(f, x):
    t = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = tf.reduce_sum(f(t))
        g = inner.gradient(y, t)
    return g.numpy(), outer.gradient(g, t).numpy()


@pytest.mark.parametrize("name, f, ref, ref1, x", [
    ("softplus", tf.nn.softplus, lambda x: np.logaddexp(x, 0), lambda x: 1 / (1 + np.exp(-x)),
     np.array([-3.0, -0.4, 0.0, 0.7, 4.0])),
    ("elu", tf.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x)),
     lambda x: np.where(x > 0, 1.0, np.exp(x)), np.array([-3.0, -0.4, -0.01, 0.7, 4.0])),
    ("rsqrt", tf.math.rsqrt, lambda x: x ** -0.5, lambda x: -0.5 * x ** -1.5,
     np.array([0.3, 1.0, 2.5])),
    ("reciprocal", tf.math.reciprocal, lambda x: 1 / x, lambda x: -1 / x ** 2,
     np.array([-2.0, -0.4, 0.5, 3.0])),
    ("softsign", tf.nn.softsign, lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2,
     np.array([-3.0, -0.4, 0.7, 4.0])),
    ("one_over", lambda t: tf.divide(1.5, t), lambda x: 1.5 / x, lambda x: -1.5 / x ** 2,
     np.array([-2.0, -0.4, 0.5, 3.0])),
])
def test_first_and_second_derivatives_against_central_differences(name, f, ref, ref1, x):
    g, h = _nested(f, x)
    np.testing.assert_allclose(g, _central(ref, x), rtol=1e-6, err_msg=name)
    np.testing.assert_allclose(h, _central(ref1, x), rtol=1e-5, err_msg=name)


def _numeric_grad(f, xs, i, eps=1e-6):
    out = np.zeros_like(xs[i])
    for k in np.ndindex(xs[i].shape):
        plus = [a.copy() for a in xs]
        minus = [a.copy() for a in xs]
        plus[i][k] += eps
        minus[i][k] -= eps
        out[k] = (f(*plus).sum() - f(*minus).sum()) / (2 * eps)
    return out


def test_clip_by_value_gradients_of_all_three_inputs_against_central_differences():
    rng = np.random.default_rng(3)
    xs = [rng.uniform(-2, 2, (3, 4)), rng.uniform(-1.5, -0.1, (3, 4)),
          rng.uniform(0.1, 1.5, (3, 4))]
    xs[1][0, 0], xs[2][0, 0] = 1.2, -1.0  # lo > hi: lo wins, as in TensorFlow
    weights = rng.uniform(0.5, 2, (3, 4))

    def ref(x, lo, hi):
        return np.maximum(np.minimum(x, hi), lo) * weights

    ts = [tf.constant(a) for a in xs]
    with tf.GradientTape() as tape:
        tape.watch(ts)
        y = tf.reduce_sum(tf.clip_by_value(*ts) * tf.constant(weights))
    for i, g in enumerate(tape.gradient(y, ts)):
        np.testing.assert_allclose(g.numpy(), _numeric_grad(ref, xs, i), atol=1e-7)
    assert float(tf.clip_by_value(0.5, 1.25, -1.0)) == 1.25
