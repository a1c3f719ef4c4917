"""Exceptions and warnings raised by the engine.

Every error subclasses :class:`AdkernelError` *and* the builtin a Python user would
expect (``ValueError``, ``TypeError``, ...), so ``except ValueError`` keeps working.
Messages say what went wrong, with the learner's names and shapes, then what to try.
"""

from __future__ import annotations

import re

from .i18n import _, lazy


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


class _InvalidIndexArgumentError(InvalidArgumentError, IndexError):
    """An InvalidArgumentError for a bad axis or index that ``except IndexError`` (numpy's
    and Python's type for these) still catches. Shown as ``InvalidArgumentError``."""


_InvalidIndexArgumentError.__name__ = "InvalidArgumentError"
_InvalidIndexArgumentError.__qualname__ = "InvalidArgumentError"


class _InvalidDTypeArgumentError(InvalidArgumentError, TypeError):
    """An InvalidArgumentError for a tensor of a dtype the op does not take (``tf.exp`` of an
    int32 tensor), which ``except TypeError`` (the type adkernel raised for it before, and
    Python's usual one) still catches. Shown as ``InvalidArgumentError``, as TensorFlow's."""


_InvalidDTypeArgumentError.__name__ = "InvalidArgumentError"
_InvalidDTypeArgumentError.__qualname__ = "InvalidArgumentError"


class OutOfRangeError(OpError, IndexError):
    """TensorFlow's OutOfRangeError: an index past the end of something that cannot grow."""


class NotFoundError(OpError, TypeError):
    """TensorFlow's ``tf.errors.NotFoundError``: raised for an op that has no kernel for the
    input's dtype (``tf.math.reciprocal`` of an integer tensor). Also a ``TypeError``."""


def invalid_dtype(message: str, op: str | None = None) -> InvalidArgumentError:
    """A ``tf.errors.InvalidArgumentError`` for an input dtype the op refuses (also a
    ``TypeError``)."""
    return _InvalidDTypeArgumentError(message, op=op)


def invalid_argument(message: str, op: str | None = None, index: bool = False):
    """A ``tf.errors.InvalidArgumentError`` (one that is also an ``IndexError`` if ``index``)."""
    return (_InvalidIndexArgumentError if index else InvalidArgumentError)(message, op=op)


def from_numpy_error(opname: str, exc: Exception, shapes) -> Exception:
    """numpy's ValueError/AxisError/IndexError from an op's forward pass, as TensorFlow's
    InvalidArgumentError naming the op and the input shapes (other errors unchanged)."""
    if isinstance(exc, AdkernelError) or not isinstance(exc, ValueError | IndexError):
        return exc
    shown = ", ".join(str(list(s)) for s in shapes)
    return invalid_argument(
        _("{op}: {error} (inputs of shape {shapes})").format(
            op=opname, error=numpy_message(exc), shapes=shown),
        op=opname, index=isinstance(exc, IndexError))


# numpy's own messages a learner meets most, as msgids that rebuild numpy's English exactly.
_NUMPY_MESSAGES = [
    (re.compile(r"^operands could not be broadcast together with shapes (?P<shapes>.*?)"
                r"(?P<tail>\s*)$", re.S),
     lazy("operands could not be broadcast together with shapes {shapes}")),
    (re.compile(r"^axis (?P<axis>-?\d+) is out of bounds for array of dimension (?P<ndim>\d+)$"),
     lazy("axis {axis} is out of bounds for array of dimension {ndim}")),
    (re.compile(r"^index (?P<index>-?\d+) is out of bounds for axis (?P<axis>\d+) with size "
                r"(?P<size>\d+)$"),
     lazy("index {index} is out of bounds for axis {axis} with size {size}")),
]


def numpy_message(exc: Exception) -> str:
    """numpy's message of ``exc`` in the learner's language, when it is one we know."""
    text = str(exc)
    for pattern, message in _NUMPY_MESSAGES:
        m = pattern.match(text)
        if m:
            parts = m.groupdict()
            tail = parts.pop("tail", None) or ""
            shown = message.format(**parts)
            # numpy's trailing space stays in English only (as numpy prints it)
            return shown + tail if str(message) == str.__str__(message) else shown
    return text


class DTypeError(AdkernelError, TypeError):
    """A value cannot be converted to the dtype an op needs."""


class ShapeError(AdkernelError, ValueError):
    """Shapes do not fit together (assignments, gradients, jacobians)."""


class NotDifferentiableError(AdkernelError, LookupError):
    """A gradient was requested through an op that has no gradient rule."""


class NonFiniteGradientError(AdkernelError, FloatingPointError):
    """Raised by a ``check_numerics=True`` tape when the backward pass makes NaN or inf."""


class NotPersistentError(AdkernelError, RuntimeError):
    """A tape that is not persistent was asked for a second gradient, or for a jacobian
    that needs ``persistent=True`` (TensorFlow raises a ``RuntimeError`` for both)."""


class GradientCheckError(AdkernelError, AssertionError):
    """:func:`adkernel.check_gradients` found analytic and numerical gradients that disagree."""


class NoneGradientWarning(UserWarning):
    """``GradientTape.gradient`` returned ``None`` for a source; the message says why."""
