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


def load_ipython_extension(ip) -> None:
    """``%load_ext adkernel``: register the ``%%tape`` magic (imports IPython only now)."""
    from . import magics

    magics.load(ip)


def unload_ipython_extension(ip) -> None:
    """``%unload_ext adkernel``: remove everything ``load_ipython_extension`` registered."""
    from . import magics

    magics.unload(ip)


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
    "load_ipython_extension",
    "tf",
    "unload_ipython_extension",
]
