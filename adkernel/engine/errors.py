"""Exceptions and warnings raised by the engine.

Every error subclasses :class:`AdkernelError` *and* the builtin a Python user would
expect (``ValueError``, ``TypeError``, ...), so ``except ValueError`` keeps working.
Messages say what went wrong, with the learner's names and shapes, then what to try.
"""

from __future__ import annotations


class AdkernelError(Exception):
    """Base class of every adkernel error."""


class OpError(AdkernelError):
    """An op could not run on the given inputs (TensorFlow's ``tf.errors.OpError``)."""

    def __init__(self, message: str, op: str | None = None):
        super().__init__(message)
        self.message = message
        self.op = op


class InvalidArgumentError(OpError, ValueError):
    """Incompatible inputs, e.g. mixing float32 and float64 tensors."""


class DTypeError(AdkernelError, TypeError):
    """A value cannot be converted to the dtype an op needs."""


class ShapeError(AdkernelError, ValueError):
    """Shapes do not fit together (assignments, gradients, jacobians)."""


class NotDifferentiableError(AdkernelError, LookupError):
    """A gradient was requested through an op that has no gradient rule."""


class NonFiniteGradientError(AdkernelError, FloatingPointError):
    """Raised by a ``check_numerics=True`` tape when the backward pass makes NaN or inf."""


class GradientCheckError(AdkernelError, AssertionError):
    """:func:`adkernel.check_gradients` found analytic and numerical gradients that disagree."""


class NoneGradientWarning(UserWarning):
    """``GradientTape.gradient`` returned ``None`` for a source; the message says why."""
