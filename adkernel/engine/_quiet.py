"""numpy's floating-point warnings, silenced where adkernel itself computes.

TensorFlow's kernels give ``inf`` and ``NaN`` without a word: ``tf.constant(3e38) * 10.0`` is
``inf``, and a training loop with too large a learning rate runs on to NaN silently. numpy
warns instead (``RuntimeWarning: overflow encountered in multiply``), and the warning would
name a line inside adkernel, in English, in a Chinese notebook too. So the warnings numpy
raises from adkernel's own code are filtered out, and only those: a warning is attributed
to the Python module that called numpy, so ``np.exp(1000.0)`` in the learner's code still
warns as numpy does. The filter costs nothing per op (numpy looks for a filter only when an
operation overflows); turning the warnings off around every op would cost about 0.3 µs each.

:func:`quiet_float_warnings` is called once when ``adkernel.engine`` is imported. It adds one
entry to Python's warning filters, which matches only adkernel's modules; a program that
wants every warning can still ask for it (``warnings.simplefilter("always")`` put in front of
it wins). A learner who wants to hear of ``inf`` and NaN in gradients opens the tape with
``tf.GradientTape(check_numerics=True)`` (an adkernel option).
"""

from __future__ import annotations

import warnings

# numpy's messages for its floating-point errors ("overflow encountered in multiply", ...)
_MESSAGE = r"(overflow|underflow|invalid value|divide by zero) encountered"
_MODULE = r"adkernel(\.|$)"


def quiet_float_warnings() -> None:
    """Filter numpy's floating-point RuntimeWarnings raised from adkernel's modules (not the
    learner's). Idempotent: adding the same filter again moves it to the front."""
    warnings.filterwarnings("ignore", message=_MESSAGE, category=RuntimeWarning,
                            module=_MODULE)
