"""numpy's floating-point warnings: silent in adkernel's ops (as TensorFlow's kernels), not in
the learner's own numpy code (adkernel/engine/_quiet.py).

pytest restores the warning filters after collection, which drops the filter adkernel adds
when it is imported; the in-process tests put it back inside their own ``catch_warnings``,
and one test checks in a fresh Python that the import alone installs it.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from adkernel import tf
from adkernel.engine import quiet_float_warnings

BIG = np.array([3e38, -3e38, 0.0, np.inf, np.nan], np.float32)


def _square_sum_grad():
    x = tf.Variable(BIG)
    with tf.GradientTape() as t:
        y = tf.reduce_sum(x * x * x)
    return t.gradient(y, x)


@tf.function
def _traced(x):
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x * x * x)
    return y, t.gradient(y, x)


# each overflows, or computes inf - inf, 0 * inf or 0 / 0, in float32
OVERFLOWING = {
    "multiply": lambda: tf.constant(BIG) * 10.0,
    "add": lambda: tf.constant(BIG) + tf.constant(BIG),
    "subtract": lambda: tf.constant(BIG) - tf.constant(BIG),
    "square": lambda: tf.square(tf.constant(BIG)),
    "matmul": lambda: tf.constant([[3e38, 3e38], [3e38, -np.inf]]) @ tf.constant(
        [[3e38, 3e38], [3e38, -np.inf]]),
    "reduce_sum": lambda: tf.reduce_sum(tf.constant([3e38, 3e38])),
    "reduce_prod": lambda: tf.reduce_prod(tf.constant(BIG)),
    "reduce_logsumexp": lambda: tf.reduce_logsumexp(tf.constant(BIG)),
    "xlogy": lambda: tf.math.xlogy(tf.constant(BIG), tf.constant(BIG)),
    "sigmoid_cross_entropy": lambda: tf.nn.sigmoid_cross_entropy_with_logits(
        tf.constant(BIG), tf.constant(BIG)),
    "assign_sub": lambda: tf.Variable(BIG).assign_sub(-tf.constant(BIG)),
    "assign_add": lambda: tf.Variable(BIG).assign_add(tf.constant(BIG)),
    "gradient": _square_sum_grad,
    "traced program": lambda: [_traced(tf.constant(BIG)) for _ in range(3)],
}


def _runtime_warnings(fn, install=True):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # numpy's warnings are shown, as in a fresh Python
        if install:
            quiet_float_warnings()
        result = fn()
    return result, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def _values(result) -> np.ndarray:
    if isinstance(result, list | tuple):
        return np.concatenate([_values(r) for r in result])
    return np.ravel(np.asarray(result))


@pytest.mark.parametrize("name", list(OVERFLOWING))
def test_adkernel_ops_give_inf_and_nan_silently(name):
    result, seen = _runtime_warnings(OVERFLOWING[name])
    assert seen == [], f"{name} warned: {seen}"
    # the numbers are still numpy's: the filter hides the warning, not the inf or NaN
    assert not np.isfinite(_values(result)).all()


@pytest.mark.parametrize("name", ["multiply", "gradient", "traced program"])
def test_without_the_filter_the_same_ops_do_warn(name):
    # the cases overflow for real: what the filter removes is there to be removed
    _, seen = _runtime_warnings(OVERFLOWING[name], install=False)
    assert any("encountered" in message for message in seen)


def test_the_learners_own_numpy_still_warns():
    _, seen = _runtime_warnings(lambda: np.float32(3e38) * np.float32(10))
    assert seen == ["overflow encountered in scalar multiply"]


def test_other_runtime_warnings_of_adkernel_are_not_filtered():
    def warn():
        warnings.warn_explicit("overflow encountered in something else", RuntimeWarning,
                               "adkernel/engine/ops/math.py", 1, module="adkernel.engine.x")
        warnings.warn_explicit("a warning of another kind", RuntimeWarning,
                               "adkernel/engine/ops/math.py", 1, module="adkernel.engine.x")
    _, seen = _runtime_warnings(warn)
    assert seen == ["a warning of another kind"]


@pytest.mark.slow
def test_importing_adkernel_installs_the_filter():
    code = ("import numpy as np\nfrom adkernel import tf\n"
            "print(float(tf.constant(3e38) * 10.0))\n"
            "np.float32(3e38) * np.float32(10)\n")
    out = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                         text=True, timeout=120, check=True)
    assert out.stdout.split() == ["inf"]
    # one warning, the program's own line (line 4), none from adkernel's files
    assert "<string>:4: RuntimeWarning: overflow encountered in scalar multiply" in out.stderr
    assert "adkernel" not in out.stderr
