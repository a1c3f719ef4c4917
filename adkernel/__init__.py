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
    NotPersistentError,
    Tensor,
    Variable,
    check_gradients,
    custom_gradient,
    explain_none,
    get_numpy_leaves_tape,
    numpy_leaves_tape,
    set_numpy_leaves_tape,
)
from .engine.i18n import get_language, set_language


def load_ipython_extension(ip) -> None:
    """``%load_ext adkernel``: register the ``%%tape`` magic (imports IPython only now)."""
    from . import _cells, _tracebacks, magics

    magics.load(ip)
    _cells.install(ip)  # which cell last set each name: exercise checks skip stale answers
    _tracebacks.install(ip)  # after magics.load: chained after its KeyboardInterrupt handler


def unload_ipython_extension(ip) -> None:
    """``%unload_ext adkernel``: remove everything ``load_ipython_extension`` registered."""
    from . import _tracebacks, magics

    _tracebacks.uninstall(ip)  # first: it put back what magics.load had installed
    magics.unload(ip)


def show_graph(target, tape=None, names=None, **options):
    """Draw the computation graph a tape recorded for ``target``, with gradients; or, for a
    ``tf.function``'s concrete function, the program its tracing captured.

    Displays as an SVG picture in Jupyter (the plain-Python twin of the notebook magic).
    The tape must still hold its records: make it ``tf.GradientTape(persistent=True)``,
    or call ``show_graph`` before ``tape.gradient``. See
    :func:`adkernel.widgets.graph.show_graph` for the details.

    Parameters
    ----------
    target : Tensor, ConcreteFunction or None
        The value whose gradient the boxes show; or ``f.get_concrete_function(...)``
        (no tape then) to see the ops a traced ``tf.function`` replays.
    tape : GradientTape
        The tape that recorded the computation (not for a concrete function).
    names : dict, optional
        ``{name: tensor}`` for the labels; by default the caller's variable names.
    **options
        ``highlight``, ``done``, ``show_values``, ``show_grads``, ``title``, ``max_nodes``.

    Returns
    -------
    adkernel.widgets.graph.GraphPicture

    Examples
    --------
    >>> import adkernel
    >>> from adkernel import tf
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape(persistent=True) as tape:
    ...     y = x ** 2
    >>> adkernel.show_graph(y, tape=tape)
    <computation graph: 3 nodes, 2 edges>
    """
    from .widgets.graph import show_graph as _show_graph  # lazy: `import adkernel` stays light

    return _show_graph(target, tape, names=names, **options)


def compare_modes(f, x):
    """Build the Jacobian of ``f`` at ``x`` in forward mode (a column per pass) and in
    reverse mode (a row per pass), side by side; displays as a picture in Jupyter. See
    :func:`adkernel.widgets.modes.compare_modes`.

    Examples
    --------
    >>> import adkernel
    >>> from adkernel import tf
    >>> adkernel.compare_modes(lambda x: x * x, tf.constant([1.0, 2.0])).passes
    {'forward': 2, 'reverse': 2}
    """
    from .widgets.modes import compare_modes as _compare_modes  # lazy, as show_graph

    return _compare_modes(f, x)


__all__ = [
    "AdkernelError",
    "GradientCheckError",
    "GradientTape",
    "NonFiniteGradientError",
    "NoneGradientWarning",
    "NotDifferentiableError",
    "NotPersistentError",
    "Tensor",
    "Variable",
    "__version__",
    "check_gradients",
    "compare_modes",
    "custom_gradient",
    "explain_none",
    "get_language",
    "get_numpy_leaves_tape",
    "load_ipython_extension",
    "numpy_leaves_tape",
    "set_language",
    "set_numpy_leaves_tape",
    "show_graph",
    "tf",
    "unload_ipython_extension",
]
