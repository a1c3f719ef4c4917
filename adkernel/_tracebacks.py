"""Notebook tracebacks that stop at the learner's line when adkernel reports a mistake.

With ``%load_ext adkernel``, an error that adkernel raises on purpose (``tape.gradient``
called twice on a non-persistent tape, ``tf.Variable(3) * 1.5``, ``x.assign("a")``...) is
shown with the learner's own frames and the message, and adkernel's frames in between are
collapsed to one translated line saying how many were hidden and how to see them. The
engine's source lines (English messages and docstrings) are not what a learner needs to
read; the message already says what went wrong, in the learner's language.

Which errors are shortened (everything else is shown exactly as IPython shows it):

* the exception was raised by a ``raise`` statement in adkernel's own code (the innermost
  frame is adkernel's and stopped on the raise): that is a message adkernel wrote for the
  learner. An exception that an *operation* raised inside adkernel (an ``AttributeError``
  on ``None``, an ``IndexError``, numpy's own error escaping) is a bug in adkernel, and an
  ``assert`` is an internal invariant (``AssertionError``, unless it is adkernel's
  :class:`~adkernel.engine.errors.GradientCheckError`): those keep every frame, so that
  bugs stay debuggable;
* the learner's code is on the way (a frame outside adkernel after IPython's own): an
  exception the learner's code raised itself, even when adkernel called it (a
  ``custom_gradient`` function, a keras callback), is the learner's and left as it is;
* IPython's exception mode is ``Context`` (the default) or ``Plain``: ``%xmode Verbose``
  shows every frame, with its variables (``Minimal`` shows no frame anyway);
* the exception does not render itself (``_render_traceback_``, as ``%%tape``'s errors do)
  and is not IPython's ``UsageError`` or a ``SyntaxError``, which IPython shows its own way.

``%tb`` in the next cell shows the last error's full traceback: nothing is taken from the
exception or its traceback (the shortened one is a copy), so ``%tb`` and ``%debug`` see
every frame.

It works through IPython's public ``set_custom_exc``: the handler is chained after the one
that was there (``%load_ext adkernel`` installs its ``KeyboardInterrupt`` handler first),
which keeps the exceptions it handled. :func:`uninstall` puts back exactly what
:func:`install` replaced, unless something replaced the handler since.
"""

from __future__ import annotations

import builtins
import dis
import os
import types
import weakref
from pathlib import Path

from .engine.errors import AdkernelError
from .engine.i18n import ngettext

__all__ = ["install", "is_adkernel_frame", "learner_traceback", "uninstall"]

SHORT_MODES = ("Context", "Plain")  # IPython's exception modes that get the short form
_PACKAGE = Path(__file__).parent
_OWN_PREFIXES = tuple(dict.fromkeys(
    str(p) + os.sep for p in (_PACKAGE.absolute(), _PACKAGE.resolve())))
_OWN_PSEUDO = "<adkernel "  # code adkernel compiles itself (traced tf.function programs)

# exception groups (Python 3.11): IPython prints them with Python's own formatter
_GROUPS = tuple(filter(None, [getattr(builtins, "BaseExceptionGroup", None)]))

# shell -> (saved custom_exceptions, saved CustomTB, our CustomTB)
_INSTALLED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def is_adkernel_frame(tb) -> bool:
    """Whether a traceback entry is a frame of adkernel's own code."""
    filename = tb.tb_frame.f_code.co_filename
    return filename.startswith(_OWN_PREFIXES) or filename.startswith(_OWN_PSEUDO)


def _raised_by_statement(tb) -> bool:
    """Whether the frame of ``tb`` stopped on a ``raise`` statement (not an operation)."""
    code = tb.tb_frame.f_code
    for ins in dis.get_instructions(code):
        if ins.offset == tb.tb_lasti:
            return ins.opname == "RAISE_VARARGS"
    return False


def _is_message(shell, value, chain: list) -> bool:
    from IPython.core.error import UsageError

    if getattr(shell.InteractiveTB, "mode", None) not in SHORT_MODES:
        return False
    if hasattr(value, "_render_traceback_") or isinstance(
            value, (UsageError, SyntaxError, *_GROUPS)):
        return False
    if isinstance(value, AssertionError) and not isinstance(value, AdkernelError):
        return False
    return bool(chain) and is_adkernel_frame(chain[-1]) and _raised_by_statement(chain[-1])


def _note(shell, hidden: int) -> str:
    text = ngettext(
        "[… {n} frame inside adkernel hidden: run %tb to see the full traceback]",
        "[… {n} frames inside adkernel hidden: run %tb to see the full traceback]",
        hidden).format(n=hidden)
    indent = "  " if shell.InteractiveTB.mode == "Plain" else "    "
    try:  # IPython's colours for its own "[... skipping hidden 1 frame]" line
        from IPython.utils.PyColorize import theme_table
        from pygments.token import Token

        return theme_table[shell.colors.lower()].format(
            [(Token, indent), (Token.ExcName, text), (Token, "\n")])
    except Exception:  # another IPython: the words without colours
        return f"{indent}{text}\n"


def _common_suffix(a: list, b: list) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def learner_traceback(shell, etype, value, tb, tb_offset=None) -> list[str] | None:
    """The structured traceback of ``value`` without adkernel's frames, with one line
    saying how many were hidden; ``None`` when the error is to be shown in full (see the
    module's docstring). Neither the exception nor ``tb`` is changed."""
    chain = []
    while tb is not None:
        chain.append(tb)
        tb = tb.tb_next
    if not _is_message(shell, value, chain):
        return None
    kept = [t for t in chain if not is_adkernel_frame(t)]
    offset = shell.InteractiveTB.tb_offset if tb_offset is None else tb_offset
    if len(kept) <= offset:  # no learner frame: adkernel called from IPython itself
        return None
    short = None
    for t in reversed(kept):  # a copy of the chain: the original stays for %tb and %debug
        short = types.TracebackType(short, t.tb_frame, t.tb_lasti, t.tb_lineno)
    formatter = shell.InteractiveTB
    stb = formatter.structured_traceback(etype, value, short, tb_offset=tb_offset)
    bare = formatter.structured_traceback(etype, value, None, tb_offset=tb_offset)
    message = _common_suffix(stb, bare)  # the message's lines, the same with no frames
    if not 0 < message < len(stb):
        return None
    at = len(stb) - message
    return [*stb[:at], _note(shell, len(chain) - len(kept)), *stb[at:]]


def _compiling(tb) -> bool:
    """The cell did not compile: IPython hands a custom handler the errors of parsing the
    cell too, and then every frame is IPython's own (no line of the cell ran)."""
    import IPython

    ipython = str(Path(IPython.__file__).parent) + os.sep
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(ipython):
            return False
        tb = tb.tb_next
    return True


def _handler(shell, etype, value, tb, tb_offset=None):
    saved_types, saved_handler, _ours = _INSTALLED.get(shell, ((), None, None))
    if saved_types and isinstance(value, saved_types):  # the handler that was there first
        return saved_handler(etype, value, tb, tb_offset=tb_offset)
    if _compiling(tb):  # a SyntaxError in the cell: IPython's own short form, as without us
        if isinstance(value, IndentationError):
            shell.showindentationerror()
        else:
            shell.showsyntaxerror()
        return None
    try:
        stb = learner_traceback(shell, etype, value, tb, tb_offset)
    except Exception:  # never lose the error: IPython shows it its usual way
        stb = None
    if stb is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return None
    # IPython's public showtraceback, told what to show through its protocol for
    # exceptions that render themselves; it also keeps the full traceback for %tb/%debug
    try:
        value._render_traceback_ = lambda: stb
    except Exception:  # pragma: no cover - an exception that refuses attributes
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return None
    try:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    finally:
        vars(value).pop("_render_traceback_", None)
    return None


def install(shell) -> None:
    """Show adkernel's errors in ``shell`` without adkernel's frames (once per shell)."""
    if shell in _INSTALLED or not hasattr(shell, "set_custom_exc"):
        return
    saved_types = tuple(shell.custom_exceptions)
    saved_handler = getattr(shell, "CustomTB", None)
    shell.set_custom_exc((*saved_types, Exception), _handler)
    _INSTALLED[shell] = (saved_types, saved_handler, shell.CustomTB)


def uninstall(shell) -> None:
    """Undo :func:`install`: the handler that was there before comes back, unless the
    handler was replaced since (then the replacement is left alone)."""
    entry = _INSTALLED.pop(shell, None)
    if entry is None:
        return
    saved_types, saved_handler, ours = entry
    if shell.CustomTB is ours:
        shell.custom_exceptions, shell.CustomTB = saved_types, saved_handler
