"""adkernel: see automatic differentiation happen.

``from adkernel import tf`` gives a TensorFlow-flavoured namespace over adkernel's own
numpy tape engine (no TensorFlow needed). ``%load_ext adkernel`` in IPython/Jupyter
loads the notebook extension; importing ``adkernel`` never imports IPython.
"""

from __future__ import annotations

from . import tf
from ._version import __version__
from .engine import (
    AdkernelError,
    GradientCheckError,
    GradientTape,
    NoneGradientWarning,
    NonFiniteGradientError,
    NotDifferentiableError,
    Tensor,
    Variable,
    check_gradients,
    custom_gradient,
    explain_none,
)

__all__ = [
    "AdkernelError",
    "GradientCheckError",
    "GradientTape",
    "NonFiniteGradientError",
    "NoneGradientWarning",
    "NotDifferentiableError",
    "Tensor",
    "Variable",
    "__version__",
    "check_gradients",
    "custom_gradient",
    "explain_none",
    "tf",
]
