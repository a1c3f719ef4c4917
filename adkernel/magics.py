"""The ``%%tape`` cell magic: run a cell on a gradient tape, then show what happened.

Loaded by ``%load_ext adkernel`` (this module is imported only then, so that
``import adkernel`` never imports IPython).

The magic speaks its own language: every mistake on the options line is a one-line
``UsageError`` naming the option, the learner's own names and the fix; errors raised by the
cell body are shown from the learner's code down, without adkernel's or numpy's frames, with
a hint in the magic's words (``-p``, ``--watch c``) where one applies. The options line is
never evaluated (no ``{expr}`` or ``$name`` expansion).
"""

from __future__ import annotations

import builtins
import difflib
import inspect
import keyword
import re
import shlex
import sys
import threading
import unicodedata
import warnings
import weakref
from contextlib import nullcontext
from pathlib import Path
from typing import NamedTuple

import numpy as np
from IPython.core.completer import SimpleCompletion, context_matcher
from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, magics_class, no_var_expand
from IPython.display import display

from ._argparse import ArgumentParser, translate_argparse_message
from ._escape import escape
from .engine import tape as _tape_module
from .engine._state import state
from .engine.errors import NoneGradientWarning, NotPersistentError
from .engine.i18n import _, lazy
from .engine.tape import GradientTape, TapeState
from .engine.tensor import TensorLike, Variable
from .widgets.lossplot import X_UNITS

MAX_LINE = 1000  # characters on the %%tape line; code belongs in the cell body
MAX_STEP_OPS = 20_000  # ops the backprop stepper will walk (one slider position each)
MAX_CELLS_WITHOUT_ID = 8  # cells whose widgets stay open when the frontend sends no cell id
_LIBRARY_DIRS = tuple(str(Path(p).resolve()) for p in
                      (Path(__file__).parent, Path(np.__file__).parent))


class TapeCellError(Exception):
    """Marks a ``%%tape`` cell as failed after its own traceback was shown.

    The cell body runs through ``shell.run_cell``, which already printed the learner's
    traceback; raising this makes Jupyter, nbclient and "Run All" see the failure. It is
    handed to a handler that shows nothing (:func:`_fail_quietly`); where it is shown all
    the same (the magic called outside a cell), its traceback renders empty.
    """

    def _render_traceback_(self):
        return []


def _fail_quietly(shell) -> None:
    """Let the :class:`TapeCellError` about to be raised fail the cell without a second
    error line under the body's own error (a frontend shows an error without a traceback
    as ``TapeCellError: the %%tape cell failed``).

    IPython's public ``set_custom_exc``: ``run_code`` hands an exception listed there to
    the handler, which shows nothing for this one, and sets the cell's error all the same,
    so Jupyter, nbclient and "Run All" still stop. Other exceptions go to the handler that
    was there; it is put back when the cell ends (the ``post_run_cell`` event).
    """
    saved = (shell.custom_exceptions, shell.CustomTB)

    def handler(sh, etype, value, tb, tb_offset=None):
        if issubclass(etype, TapeCellError):
            return None
        return saved[1](etype, value, tb, tb_offset=tb_offset)

    shell.set_custom_exc((*saved[0], TapeCellError), handler)
    ours = shell.CustomTB

    def restore(result=None):
        shell.events.unregister("post_run_cell", restore)
        if shell.CustomTB is ours:  # not replaced since
            shell.custom_exceptions, shell.CustomTB = saved

    shell.events.register("post_run_cell", restore)


class Gradients(dict):
    """The gradients bound by ``%%tape --grad`` (a dict ``{source name: gradient}``)."""


# -- the options line -------------------------------------------------------------------
class Option(NamedTuple):
    """One option of ``%%tape``: the one place it is declared.

    The parser, the usage text, the ``Valid options`` list of every usage error, the
    did-you-mean guesses and tab completion are all made from :data:`TAPE_OPTIONS`.
    ``complete`` says what completes the option's value: ``None`` (nothing, or no value),
    ``"tensors"`` (the notebook's tensors); an option with ``choices`` completes those.
    """

    flags: tuple[str, ...]
    help: object  # a lazy() string: translated when the help is shown
    kwargs: dict
    complete: str | None = None
    listed: bool = True  # in the one-line list of valid options


TAPE_OPTIONS: tuple[Option, ...] = (
    Option(("-n", "--name"), lazy("bind the cell's tape to NAME (default: tape)"),
           {"default": "tape", "metavar": "NAME"}),
    Option(("-p", "--persistent"),
           lazy("a persistent tape: gradient() may be called several times, inside the cell "
                "and by --grad"),
           {"action": "store_true"}),
    Option(("--watch",), lazy("watch these tensors (e.g. constants) before the cell runs"),
           {"metavar": "A,B", "default": None}, "tensors"),
    Option(("-g", "--grad"),
           lazy("after the cell, show the gradients of TARGET with respect to SRC,... "
                "(default: every watched variable) and bind them"),
           {"metavar": "TARGET[:SRC,...]", "default": None}, "tensors"),
    Option(("--jvp",),
           lazy("forward mode: run the cell under a ForwardAccumulator that moves each SRC "
                "along the tensor TANGENT (default: ones, like SRC), then show TARGET's "
                "tangent (a Jacobian-vector product) and the graph with every value's "
                "tangent"),
           {"metavar": "TARGET:SRC[=TANGENT],...", "default": None}, "tensors"),
    Option(("-o", "--out"),
           lazy("with --grad: bind the gradients, a dict {source name: gradient}, to NAME "
                "(default: grads)"),
           {"default": "grads", "metavar": "NAME"}),
    Option(("--graph",), lazy("show the computation graph (the default with --grad)"),
           {"dest": "graph", "action": "store_true", "default": None}),
    Option(("--no-graph",), lazy("do not show the computation graph"),
           {"dest": "graph", "action": "store_false"}),
    Option(("--step",), lazy("with --grad: show the backprop stepper; with --jvp: the "
                             "forward-mode stepper"),
           {"action": "store_true"}),
    Option(("--plot",), lazy("live-plot NAME each time a gradient of it is taken in the cell"),
           {"metavar": "NAME", "default": None}, "tensors"),
    Option(("--x-axis",),
           lazy("with --plot: what the x axis counts, one gradient of NAME each: `step` "
                "(default) or `epoch`, for a loop that takes one gradient per pass over the "
                "data"),
           {"choices": X_UNITS, "default": None, "metavar": "UNIT"}),
    Option(("-h", "--help"), lazy("show this help"), {"action": "store_true"}, listed=False),
)


def _listed(option: Option) -> str:
    """``-g/--grad TARGET[:SRC,...]``: how the list of valid options shows one option."""
    metavar = option.kwargs.get("metavar")
    return "/".join(option.flags) + (f" {metavar}" if metavar else "")


OPTIONS = ", ".join(_listed(o) for o in TAPE_OPTIONS if o.listed)
_OPTION_STRINGS = tuple(flag for o in TAPE_OPTIONS for flag in o.flags)
_TAKES_VALUE = {flag: o for o in TAPE_OPTIONS for flag in o.flags if "metavar" in o.kwargs}


class CellTape(GradientTape):
    """The tape of a ``%%tape`` cell: it stops recording for good when the cell's code
    opens a tape of its own (the ops of a training loop belong to the loop's tapes, and
    keeping them too would grow memory with every step)."""

    _cell = True
    _inner = None  # the tape the cell opened, which this one yielded to
    _latest = None  # a weak reference to the last tape the cell opened (a loop's last)

    def yield_to(self, inner: GradientTape) -> None:
        """The ``on_enter`` hook the cell installs (:class:`adkernel.engine.tape.Hooks`)."""
        if inner is self:
            return
        if self.recording and self in state.recording:
            self._pause_for_good()
            self._inner = inner
        if self._inner is not None:
            self._latest = weakref.ref(inner)

    def name_inner(self, ns: dict) -> str | None:
        """After the cell: the name of the tape it opened (the one this tape yielded to,
        else another tape the cell bound, e.g. the last one of a loop), for explanations;
        the inner tape itself is not kept."""
        inner, self._inner = self._inner, None
        latest = self._latest() if self._latest is not None else None
        self._latest = None
        if inner is None:
            return None
        tapes = [(n, v) for n, v in ns.items() if isinstance(v, GradientTape)
                 and v is not self and not n.startswith("_")]
        names = [n for n, v in tapes if v is inner] or [n for n, v in tapes if v is latest]
        self._yield_name = names[0] if names else None
        return self._yield_name or "tape"


class ForwardCellTape(CellTape):
    """The tape of a ``%%tape --jvp`` cell: it records the learner's ops only, not the ops
    the accumulator's tangent rules run (its graph is the learner's computation)."""

    _primal_only = True


class _Parser(ArgumentParser):
    """argparse that raises one-line ``UsageError`` instead of printing and exiting."""

    def error(self, message):
        raise UsageError(_("%%tape: {message}. Valid options: {options}").format(
            message=translate_argparse_message(message), options=OPTIONS))

    def exit(self, status=0, message=None):  # pragma: no cover - help is handled by hand
        raise UsageError(message or _("%%tape: cannot parse the options line"))


def complete_line(text: str, names=()) -> list[str]:
    """What may follow ``text``, a ``%%tape`` line up to the cursor: whole words.

    Options (made from :data:`TAPE_OPTIONS`) where an option may go; an option's value
    after it: its choices (``--x-axis``) or, for the options that name tensors, the names
    in ``names`` (after the last ``,`` or ``:`` of a list such as ``--grad y:x,b``).

    Examples
    --------
    >>> complete_line("%%tape --x")
    ['--x-axis']
    >>> complete_line("%%tape --plot loss --x-axis e")
    ['epoch']
    >>> complete_line("%%tape --grad y:", ["W", "b"])
    ['y:W', 'y:b']
    """
    words = text.split()
    if not words or words[0] != "%%tape" or (len(words) == 1 and not text[-1:].isspace()):
        return []
    token = "" if text[-1:].isspace() else words[-1]
    before = words[1:] if text[-1:].isspace() else words[1:-1]
    option = _TAKES_VALUE.get(before[-1]) if before else None
    if option is None:
        return [flag for flag in _OPTION_STRINGS if flag.startswith(token)]
    choices = option.kwargs.get("choices")
    if choices:
        return [c for c in choices if c.startswith(token)]
    if option.complete != "tensors":
        return []
    cut = max(token.rfind(","), token.rfind(":"), token.rfind("=")) + 1
    head, tail = token[:cut], token[cut:]
    return [head + n for n in sorted(names) if n.startswith(tail)]


def _make_parser() -> _Parser:
    p = _Parser(prog="%%tape", add_help=False, allow_abbrev=False,
                description=lazy("Run the cell on a gradient tape, then show what it "
                                 "recorded."))
    for option in TAPE_OPTIONS:
        p.add_argument(*option.flags, help=option.help, **option.kwargs)
    return p


_PARSER = _make_parser()

_EXAMPLES = lazy("""\
Names the magic binds in the notebook: the tape (`tape`, or `-n NAME`) and, with
`--grad`, the gradients as a dict `{source name: gradient}` (`grads`, or
`-o NAME`). A name must be a valid Python name that is not a keyword or a builtin.
Nothing is bound when the cell fails. Option values may be quoted; the line is never
evaluated.

Examples:
""")
_EXAMPLE_CODE = """
    %%tape --grad y:x
    y = x ** 2

    %%tape -p --grad z:x,y -o dz
    z = x**2 + y**3

    %%tape --plot loss --x-axis epoch
    for epoch in range(100):
        with tf.GradientTape() as t:
            loss = tf.reduce_mean(tf.square(W * X + b - y))
        dW, db = t.gradient(loss, [W, b])
        W.assign_sub(0.1 * dW)
        b.assign_sub(0.1 * db)
"""


def usage() -> str:
    """The full help of ``%%tape`` (what ``%%tape?`` and ``%%tape --help`` print), in the
    language current when it is called."""
    return _PARSER.format_help() + "\n" + str(_EXAMPLES) + _EXAMPLE_CODE


def _normal(text: str) -> str:
    """NFKC, as Python normalises identifiers: a full-width ``ｙ`` is ``y``."""
    return unicodedata.normalize("NFKC", text)


def _split(line: str) -> list[str]:
    if len(line) > MAX_LINE:
        raise UsageError(_(
            "%%tape: the options line is {length:,} characters long (at most {limit:,}); "
            "it holds only options such as --grad y:x, and code goes in the cell body "
            "below it").format(length=len(line), limit=MAX_LINE))
    try:
        return shlex.split(_normal(line))
    except ValueError as e:  # unbalanced quotes
        why = _SHLEX_ERRORS.get(str(e))
        raise UsageError(_("%%tape: cannot parse the options line ({error}: is a quote not "
                           "closed?). Valid options: {options}").format(
                               error=why if why is not None else e, options=OPTIONS)) from None


# shlex's own messages (English only), for the line above
_SHLEX_ERRORS = {"No closing quotation": lazy("No closing quotation"),
                 "No escaped character": lazy("No escaped character")}


def _unknown(extra: list[str], args) -> UsageError:
    """Explain the first token argparse did not take: a typo or a space in a list."""
    token = extra[0]
    if token.startswith("-"):
        guess = difflib.get_close_matches(token.split("=")[0], _OPTION_STRINGS, n=1,
                                          cutoff=0.7)
        if guess:
            return UsageError(_("%%tape: unknown option {token!r}; did you mean {guess}? "
                                "Valid options: {options}").format(
                                    token=token, guess=guess[0], options=OPTIONS))
        return UsageError(_("%%tape: unknown option {token!r}. Valid options: {options}")
                          .format(token=token, options=OPTIONS))
    for option, value in (("--grad", args.grad), ("--watch", args.watch), ("--jvp", args.jvp)):
        if value is not None and (value.endswith((",", ":", "=")) or token.startswith(",")):
            joined = (value + token).replace(",,", ",")
            return UsageError(_(
                "%%tape: {option} {value} {token}: a space splits the list of names; "
                "write it without spaces: {option} {joined}").format(
                    option=option, value=value, token=token, joined=joined))
    return UsageError(_("%%tape: unexpected {token!r} on the options line (each option takes "
                        "at most one value, e.g. --grad y:x,b). Valid options: {options}")
                      .format(token=token, options=OPTIONS))


def _check_name(name: str, option: str, bound: bool = False) -> str:
    """A name read (``--grad``, ``--watch``, ``--plot``) or bound (``-n``, ``-o``)."""
    if not name:
        raise UsageError(_("{option} needs a name, e.g. {option} x").format(option=option))
    if not name.isidentifier():
        raise UsageError(_("{option}: {name!r} is not a valid Python name (letters, digits "
                           "and _, not starting with a digit, no spaces)").format(
                               option=option, name=name))
    if keyword.iskeyword(name):
        raise UsageError(_("{option}: {name!r} is a Python keyword, not a name").format(
            option=option, name=name))
    if bound and (hasattr(builtins, name) or name.startswith("__")):
        short = option.split("/")[0]
        raise UsageError(_("{option}: {name!r} would hide Python's own {name!r} in every "
                           "later cell; choose another name, e.g. {short} my_{stem}").format(
                               option=option, name=name, short=short, stem=name.strip("_")))
    return name


def _names(spec: str, option: str) -> list[str]:
    names = [n.strip() for n in spec.split(",")]
    if not any(names):
        raise UsageError(_("{option} needs at least one name, e.g. {option} x").format(
            option=option))
    return [_check_name(n, option) for n in names if n]


def _grad_spec(spec: str) -> tuple[str, list[str] | None]:
    target, colon, sources = spec.partition(":")
    target = target.strip()
    if not target.isidentifier() or keyword.iskeyword(target):
        raise UsageError(_(
            "--grad: {target!r} is not a valid Python name; use --grad TARGET or "
            "--grad TARGET:SRC1,SRC2, e.g. --grad y:x").format(target=target))
    if colon and not sources.strip():
        raise UsageError(_("--grad {spec}: no source after ':'; name them (--grad {target}:x) "
                           "or leave the ':' out (--grad {target}) for every watched "
                           "variable").format(spec=spec, target=target))
    return target, (_names(sources, "--grad") if colon else None)


def _jvp_spec(spec: str) -> tuple[str, list[tuple[str, str | None]]]:
    """``y:x=v,b`` -> ``("y", [("x", "v"), ("b", None)])`` (None: ones like the source)."""
    target, colon, sources = spec.partition(":")
    target = target.strip()
    if not target.isidentifier() or keyword.iskeyword(target):
        raise UsageError(_(
            "--jvp: {target!r} is not a valid Python name; use --jvp TARGET:SRC or "
            "--jvp TARGET:SRC=TANGENT, e.g. --jvp y:x=v").format(target=target))
    if not colon or not sources.strip():
        raise UsageError(_(
            "--jvp {spec}: name the input(s) that move, after a ':' (--jvp {target}:x), "
            "and optionally their tangents (--jvp {target}:x=v); forward mode needs them "
            "before the cell runs").format(spec=spec, target=target))
    pairs = []
    for item in sources.split(","):
        source, equals, tangent = (part.strip() for part in item.partition("="))
        if not source and not equals:
            continue
        _check_name(source, "--jvp")
        if equals:
            _check_name(tangent, "--jvp")
        pairs.append((source, tangent if equals else None))
    if not pairs:
        raise UsageError(_("{option} needs at least one name, e.g. {option} x").format(
            option="--jvp"))
    return target, pairs


def parse_options(line: str):
    """Parse a ``%%tape`` options line into an ``argparse.Namespace`` (or raise UsageError).

    Names are NFKC-normalised like Python's own; ``grad`` becomes ``(target, sources)``.
    """
    args, extra = _PARSER.parse_known_args(_split(line))
    if extra:
        raise _unknown(extra, args)
    if args.help:
        return args
    _check_name(args.name, "-n/--name", bound=True)
    _check_name(args.out, "-o/--out", bound=True)
    if args.name == args.out:
        raise UsageError(_("-n and -o both bind {name!r}; give the tape and the gradients "
                           "different names").format(name=args.name))
    args.watch = _names(args.watch, "--watch") if args.watch is not None else []
    args.grad = _grad_spec(args.grad) if args.grad is not None else None
    args.jvp = _jvp_spec(args.jvp) if args.jvp is not None else None
    if args.jvp is not None and args.grad is not None:
        raise UsageError(_("--grad and --jvp: one cell shows one mode; use --grad y:x for "
                           "reverse mode (gradients) or --jvp y:x for forward mode (tangents) "
                           "in two cells"))
    if args.plot is not None:
        _check_name(args.plot, "--plot")
    if args.x_axis is not None and args.plot is None:
        raise UsageError(_("--x-axis {unit} names the x axis of the --plot curve, but there "
                           "is no --plot: add it, e.g. %%tape --plot loss --x-axis {unit}")
                         .format(unit=args.x_axis))
    args.x_axis = args.x_axis or "step"
    if args.step and args.grad is None and args.jvp is None:
        raise UsageError(_("--step needs --grad TARGET: the stepper walks the backward pass "
                           "of that target, e.g. %%tape --grad y:x --step (or --jvp y:x "
                           "--step for the forward pass with its tangents)"))
    return args


def _names_in(shell, cell: str) -> tuple[set, set]:
    """The names the cell assigns (variables, loop variables, function arguments, at any
    depth), and every name it mentions (keywords and builtins left out)."""
    import ast

    try:
        tree = ast.parse(shell.transform_cell(cell))
    except Exception:  # a syntax error: the words of the cell only
        tree = None
    assigned, words = set(), set()
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Name):
            words.add(node.id)
            if isinstance(node.ctx, ast.Store):
                assigned.add(node.id)
        elif isinstance(node, ast.arg):
            assigned.add(node.arg)
            words.add(node.arg)
    if tree is None:
        words = {w for w in re.findall(r"[^\W\d]\w*", cell) if not keyword.iskeyword(w)}
    return assigned, words - set(dir(builtins))


def _check_body(cell: str) -> None:
    """A cell with nothing below the ``%%tape`` line (see :func:`_empty_tape_cell`)."""
    if not cell.strip():
        raise UsageError(_(
            "%%tape records the code of its cell, and this cell has none: write the code "
            "in the same cell, on the lines below %%tape, e.g.\n"
            "%%tape --grad y:x\ny = x ** 2"))


def _is_async(cell: str) -> bool:
    try:
        from IPython.core.async_helpers import _should_be_async
    except ImportError:  # pragma: no cover - very old IPython
        return False
    try:
        return _should_be_async(cell)
    except Exception:  # pragma: no cover - a syntax error is reported by run_cell
        return False


# -- showing the body's errors ------------------------------------------------------------
def _is_library(tb) -> bool:
    filename = tb.tb_frame.f_code.co_filename
    return tb.tb_lineno is None or filename.startswith(_LIBRARY_DIRS)


def trim_traceback(tb):
    """Drop adkernel's and numpy's frames (and frames with no line number) from ``tb``.

    The learner's own frames stay, so the traceback ends at the learner's line that called
    into the library, followed by the error's message. A chain made only of library frames
    is left as it is.
    """
    chain = []
    while tb is not None:
        chain.append(tb)
        tb = tb.tb_next
    kept = [t for t in chain if not _is_library(t)]
    if not kept:
        return chain[0] if chain else None
    for a, b in zip(kept, [*kept[1:], None], strict=True):
        a.tb_next = b
    return kept[0]


def _hint(value, persistent: bool, name: str) -> str | None:
    if isinstance(value, NotPersistentError) and not persistent:
        return _("Hint: {name} is not persistent, so it gives one gradient. Add -p to the "
                 "%%tape line (%%tape -p ...) to call gradient more than once.").format(
                     name=name)
    if isinstance(value, KeyboardInterrupt):
        return _("Interrupted. Nothing was bound and no tape is left recording; the next "
                 "cell runs normally.")
    return None


_NOTHING = object()


def _show_error(shell, etype, value, tb, tb_offset=None, hint=None) -> None:
    tb = trim_traceback(tb)
    value.__traceback__ = tb
    try:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    except Exception:  # never lose the message, whatever the formatter thinks of the frames
        stb = [f"{etype.__name__}: {value}"]
    if hint:
        stb = [*stb, hint]
    # IPython's public showtraceback, told what to show through its protocol for
    # exceptions that render themselves; the learner's exception is left as it was
    own = vars(value).get("_render_traceback_", _NOTHING)
    try:
        value._render_traceback_ = lambda: stb
    except Exception:  # pragma: no cover - an exception class that refuses attributes
        pass
    try:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    finally:
        if own is _NOTHING:
            vars(value).pop("_render_traceback_", None)
        else:
            value._render_traceback_ = own


def _interrupt_handler(shell, etype, value, tb, tb_offset=None):
    """Shows a KeyboardInterrupt anywhere in the notebook from the learner's code down.

    Python 3.11 can stop a frame at an instruction with no line number (seen inside
    adkernel's recording code); IPython then fails with "Unexpected exception formatting
    exception". Trimming library frames avoids it.
    """
    _show_error(shell, etype, value, tb, tb_offset)


# -- the gradient table -------------------------------------------------------------------
def _display_name(obj, ns: dict) -> str:
    for name, value in ns.items():
        if value is obj and not name.startswith("_"):
            return name
    if isinstance(obj, Variable):
        return obj.name.rsplit(":", 1)[0]
    return f"tensor{tuple(obj.shape)}"


def _summary(value) -> str:
    if value is None:
        return "None"
    v = np.asarray(value)
    if v.ndim == 0:
        return str(v[()])
    return np.array2string(v, precision=4, threshold=12, edgeitems=3)


class GradientTable:
    """The gradients a ``%%tape --grad`` cell computed, shown as a small table.

    A ``None`` gradient is shown with the sentence that says why (see ``tape.explain``).
    """

    def __init__(self, target_name: str, rows: list[tuple[str, object]],
                 reasons: dict[str, str] | None = None):
        self.target_name = target_name
        self.rows = rows
        self.reasons = reasons or {}

    def _rows_text(self) -> list[tuple[str, str]]:
        out = []
        for name, g in self.rows:
            text = "None" if g is None else _summary(g.numpy())
            if g is None and name in self.reasons:
                text += f"  ({self.reasons[name]})"
            out.append((f"d{self.target_name}/d{name}", text))
        return out

    head = lazy("gradient")

    def __repr__(self) -> str:
        rows = self._rows_text()
        head, value = str(self.head), _("value")
        width = max([len(r[0]) for r in rows] + [_columns(head)])
        lines = [head + " " * (width - _columns(head)) + "  " + value]
        lines += [f"{k:<{width}}  {v}" for k, v in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td><code>{escape(k)}</code></td><td><code>{escape(v)}</code></td></tr>"
            for k, v in self._rows_text()
        )
        return (f"<table class='adkernel-grads'><thead><tr><th>{escape(str(self.head))}</th>"
                f"<th>{escape(_('value'))}</th></tr></thead><tbody>{cells}</tbody></table>")


class JvpTable(GradientTable):
    """The tangent a ``%%tape --jvp`` cell computed: ``ẏ (ẋ = v)``, a Jacobian-vector product.

    Examples
    --------
    >>> print(JvpTable("y", [("x", "v")], None))
    tangent    value
    ẏ (ẋ = v)  None  (y does not depend on x: no tangent reaches it)
    """

    head = lazy("tangent")

    def __init__(self, target_name: str, pairs: list, tangent, reason: str | None = None):
        from .widgets.graph_layout import dotted

        ones = _("ones")  # the default tangent, like the source
        moves = ", ".join(f"{dotted(s)} = {ones if t is None else t}" for s, t in pairs)
        super().__init__(target_name, [(f"{dotted(target_name)} ({moves})", tangent)])
        self.reason = reason or _("{target} does not depend on {sources}: no tangent "
                                  "reaches it").format(
            target=target_name, sources=", ".join(s for s, _t in pairs))

    def _rows_text(self) -> list[tuple[str, str]]:
        return [(key, f"None  ({self.reason})" if t is None else _summary(t.numpy()))
                for key, t in self.rows]


def _columns(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _close_widget(w) -> None:
    """Close an ipywidget and everything it owns: children, layouts, styles and the links
    (``jslink``) between them. ``Widget.close`` alone leaves all of those open."""
    seen: dict = {}
    stack = [w]
    while stack:
        item = stack.pop()
        if id(item) in seen or not hasattr(item, "close"):
            continue
        seen[id(item)] = item
        stack.extend(getattr(item, "children", ()) or ())
        for part in ("layout", "style"):
            sub = getattr(item, part, None)
            if sub is not None and hasattr(sub, "comm"):
                stack.append(sub)
    try:
        from ipywidgets.widgets.widget import _instances
    except ImportError:  # pragma: no cover - other ipywidgets layouts
        _instances = {}
    for other in list(_instances.values()):
        ends = [getattr(other, "source", None), getattr(other, "target", None)]
        if any(isinstance(e, tuple) and e and id(e[0]) in seen for e in ends):
            seen[id(other)] = other
    for item in seen.values():
        item.close()


def _note(text: str) -> None:
    print(_("Note: {text}").format(text=text), file=sys.stderr)


# what --grad says about a name it cannot use, as target or as source
_UNDEFINED = {
    "target": lazy("--grad: target {name!r} is not defined after the cell ran; assign it "
                   "in the cell, e.g. {name} = ..."),
    "source": lazy("--grad: source {name!r} is not defined after the cell ran; assign it "
                   "in the cell, e.g. {name} = ..."),
    "jvp": lazy("--jvp: target {name!r} is not defined after the cell ran; assign it in "
                "the cell, e.g. {name} = ..."),
}
_NOT_A_TENSOR = {
    "target": lazy("--grad: target {name!r} is a {kind}, not a tensor computed with tf "
                   "ops"),
    "source": lazy("--grad: source {name!r} is a {kind}, not a tensor computed with tf "
                   "ops"),
    "jvp": lazy("--jvp: target {name!r} is a {kind}, not a tensor computed with tf ops"),
}


@magics_class
class TapeMagics(Magics):
    """``%%tape``: run a cell under a GradientTape and show the graph and gradients."""

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        # widgets shown by the last run of each cell, closed when the cell runs again
        self._shown: dict = {}
        self.hooks: list = []  # the gradient hooks of --plot cells still running

    @context_matcher()
    def complete(self, context):
        """Tab completion on the ``%%tape`` line (IPython's matcher API, version 2)."""
        if context.cursor_line != 0 or not context.full_text.startswith("%%tape"):
            return {"completions": [], "suppress": False}
        text = context.text_until_cursor
        last = "" if text[-1:].isspace() else text.split()[-1]
        names = [n for n, v in self.shell.user_ns.items()
                 if isinstance(v, TensorLike) and not n.startswith("_")]
        words = complete_line(text, names)
        # past "%%tape ", Python's own completions do not apply
        return {"completions": [SimpleCompletion(w, type="param") for w in words],
                "matched_fragment": last, "suppress": text[6:7].isspace()}

    @no_var_expand
    @cell_magic
    def tape(self, line: str, cell: str):
        args = parse_options(line)
        if args.help:
            print(usage())
            return None
        _check_body(cell)
        ns = self.shell.user_ns
        for option, bound in (("-n", args.name), ("-o", args.out)):
            if isinstance(ns.get(bound), TensorLike):
                raise UsageError(_(
                    "{option} {bound}: {bound!r} holds one of your tensors, which this cell "
                    "would replace; choose another name, e.g. {option} my_{bound}").format(
                        option=option, bound=bound))
        watch = [self._tensor(name, "--watch") for name in args.watch]
        acc = None
        if args.jvp is not None:  # forward mode: the tape keeps the primals' computation
            acc, primals = self._accumulator(args.jvp)
            watch += primals
        if _is_async(cell):
            raise UsageError(_(
                "%%tape cannot run a cell with top-level `await` (the notebook's event loop "
                "is busy running the magic). Await in a cell of its own, then use the "
                "result in the %%tape cell."))
        target_name, source_names = args.grad if args.grad else (None, None)
        show_graph = args.graph if args.graph is not None else bool(args.grad or args.jvp)
        key = self._cell_key(line, cell)
        self._close_previous(key)

        # forward mode: the tape keeps the learner's ops, not the tangent rules' ops
        tape = (CellTape if acc is None else ForwardCellTape)(persistent=args.persistent)
        plot = hook = None
        if args.plot:
            plot, hook = self._plot_hook(args.plot, args.x_axis)
            self.hooks.append(hook)
        missing = object()
        previous = ns.get(args.name, missing)
        if previous is not missing and not isinstance(previous, GradientTape):
            _note(_("{name!r} held your own {kind}; this cell binds its tape there (choose "
                    "another name with -n, e.g. -n my_tape).").format(
                        name=args.name, kind=type(previous).__name__))
        ns[args.name] = tape  # the body may use it, e.g. tape.watch(c) or print(tape)
        remove_hooks = _tape_module.hooks.add(on_enter=tape.yield_to, on_gradient=hook)
        try:
            with tape:
                if watch:
                    tape.watch(watch)
                with nullcontext() if acc is None else acc:
                    result = self._run_body(cell, args)
        finally:
            remove_hooks()
            if hook is not None:
                self.hooks.remove(hook)
                plot.finish()

        def unbind():
            if previous is missing:
                ns.pop(args.name, None)
            else:
                ns[args.name] = previous

        if not result.success:
            unbind()
            _fail_quietly(self.shell)
            raise TapeCellError(_("the %%tape cell failed"))
        self._notes_after_body(tape, plot, args, cell, show_graph)
        try:
            if acc is not None:
                self._tangents(tape, acc, args, show_graph, key)
            elif target_name is None:
                if show_graph:
                    display(self._graph_picture(tape, None))
            else:
                self._gradients(tape, args, target_name, source_names, show_graph, key)
        except BaseException:  # the cell failed after its body: bind nothing of ours
            unbind()
            raise
        return None

    tape.__doc__ = usage()  # in the language of the moment the module is loaded
    tape.getdoc = usage  # what `%%tape?` shows (IPython asks getdoc() first): the language now

    # -- helpers --------------------------------------------------------------------
    def _run_body(self, cell: str, args):
        shell = self.shell
        saved = (shell.custom_exceptions, getattr(shell, "CustomTB", None))

        def handler(sh, etype, value, tb, tb_offset=None):
            _show_error(sh, etype, value, tb, tb_offset,
                        _hint(value, args.persistent, args.name))

        shell.set_custom_exc((Exception, KeyboardInterrupt), handler)
        try:
            return shell.run_cell(cell, store_history=False)
        finally:
            shell.custom_exceptions, shell.CustomTB = saved

    def _cell_key(self, line: str, cell: str):
        """Which cell this is, to close the widgets its last run showed: the frontend's
        cell id when it sends one (Jupyter does), else the cell's own text (plain IPython
        and some clients send none; re-running the same cell then finds its widgets)."""
        parent = None
        get_parent = getattr(self.shell, "get_parent", None)
        try:
            parent = get_parent() if callable(get_parent) else None
        except Exception:
            parent = None
        if not parent:
            parent = getattr(self.shell, "parent_header", None)
        meta = (parent or {}).get("metadata") or {}
        cell_id = meta.get("cellId") or meta.get("cell_id")
        if cell_id:
            return ("id", cell_id)
        return ("source", line, cell)

    def _close_previous(self, key) -> None:
        for w in self._shown.pop(key, ()):
            _close_widget(w)

    def _remember(self, key, widget) -> None:
        self._shown.setdefault(key, []).append(widget)
        # keyed by source, an edited cell is a new key: keep the widgets of the last few
        # cells only, so that a frontend without cell ids cannot pile them up
        by_source = [k for k in self._shown if k[0] == "source"]
        for old in by_source[:-MAX_CELLS_WITHOUT_ID]:
            self._close_previous(old)

    def _tensor(self, name: str, option: str):
        ns = self.shell.user_ns
        if name not in ns:
            raise UsageError(_("{option}: name {name!r} is not defined; define it before this "
                               "cell, e.g. {name} = tf.constant(2.0)").format(
                                   option=option, name=name))
        if not isinstance(ns[name], TensorLike):
            raise UsageError(_(
                "{option}: {name!r} is a {kind}, not a tensor; make it one first, e.g. "
                "{name} = tf.constant({name})").format(
                    option=option, name=name, kind=type(ns[name]).__name__))
        return ns[name]

    def _lookup(self, name: str, role: str):
        ns = self.shell.user_ns
        if name not in ns:
            raise UsageError(_UNDEFINED[role].format(name=name))
        value = ns[name]
        if not isinstance(value, TensorLike):
            raise UsageError(_NOT_A_TENSOR[role].format(
                name=name, kind=type(value).__name__))
        return value

    def _gradients(self, tape, args, target_name, source_names, show_graph, key):
        ns = self.shell.user_ns
        target = self._lookup(target_name, "target")
        if tape.view().state is TapeState.USED:
            raise UsageError(_(
                "--grad {target}: the cell already called {tape}.gradient, and a tape that is "
                "not persistent gives one gradient. Add -p to the %%tape line "
                "(%%tape -p --grad ...) to get both.").format(target=target_name, tape=args.name))
        if source_names is None:
            sources = list(tape.watched_variables())
            sources += [w for w in tape.view().watched if not isinstance(w, Variable)]
            names = [_display_name(s, ns) for s in sources]
        else:
            sources = [self._lookup(n, "source") for n in source_names]
            names = list(source_names)
        pictures = []
        if show_graph:
            pictures.append(self._graph_picture(tape, target))
        if args.step:
            from .widgets.stepper import BackpropStepper

            self._check_step_size(tape)
            stepper = BackpropStepper(tape, target, names=dict(ns))
            self._remember(key, stepper)
            pictures.append(stepper)
        with warnings.catch_warnings():  # each None is explained in the table instead
            warnings.simplefilter("ignore", NoneGradientWarning)
            grads = tape.gradient(target, sources) if sources else []
        reasons = {n: tape.explain(target, s, _name=f"`{n}`")
                   for n, s, g in zip(names, sources, grads, strict=True) if g is None}
        old = ns.get(args.out)
        if old is not None and not isinstance(old, Gradients):
            _note(_("{name!r} held your own {kind}; it now holds this cell's gradients "
                    "(choose another name with -o, e.g. -o d{target}).").format(
                        name=args.out, kind=type(old).__name__, target=target_name))
        self.shell.push({args.out: Gradients(zip(names, grads, strict=True))})
        display(GradientTable(target_name, list(zip(names, grads, strict=True)), reasons))
        for p in pictures:
            display(p)

    def _accumulator(self, spec):
        """The ForwardAccumulator of ``--jvp TARGET:SRC=TANGENT,...`` and its primals."""
        from .engine.forward import ForwardAccumulator

        primals, tangents = [], []
        for source, tangent_name in spec[1]:
            p = self._tensor(source, "--jvp")
            v = p._value
            t = np.ones(v.shape, v.dtype) if tangent_name is None else self._tensor(
                tangent_name, "--jvp")
            try:
                ForwardAccumulator(p, t)  # checked pair by pair, to name the pair
            except (ValueError, TypeError, AttributeError) as e:
                raise UsageError(_("--jvp {source}={tangent}: {error}").format(
                    source=source, tangent=tangent_name, error=e)) from None
            primals.append(p)
            tangents.append(t)
        return ForwardAccumulator(primals, tangents), primals

    def _tangents(self, tape, acc, args, show_graph, key):
        """What a ``--jvp`` cell shows: the target's tangent, the graph, the stepper."""
        from .engine.inspect import graph_of, set_tangents
        from .widgets.graph import GraphPicture

        target_name, pairs = args.jvp
        target = self._lookup(target_name, "jvp")
        display(JvpTable(target_name, pairs, acc.jvp(target), self._no_tangent(target_name,
                                                                                target, pairs)))
        names = dict(self.shell.user_ns)
        if show_graph:
            graph = graph_of(tape, target, names=names, gradients=False)
            display(GraphPicture(set_tangents(graph, acc)))
        if args.step:
            from .widgets.stepper_forward import ForwardStepper

            self._check_step_size(tape)
            stepper = ForwardStepper(tape, acc, target, names=names)
            self._remember(key, stepper)
            display(stepper)

    def _no_tangent(self, target_name, target, pairs) -> str:
        """Why ``target`` would have no tangent: integers never carry one (as in
        TensorFlow); otherwise it does not depend on the sources."""
        if target._value.dtype.kind not in "fc":
            return _("{target} holds {dtype} numbers, and only floats carry a tangent, as "
                     "in TensorFlow").format(target=target_name,
                                              dtype=target._value.dtype.name)
        ns = self.shell.user_ns
        ints = [s for s, _t in pairs if isinstance(ns.get(s), TensorLike)
                and ns[s]._value.dtype.kind not in "fc"]
        if ints:
            return _("{name} holds integers, which carry no tangent, as in TensorFlow; make "
                     "it a float first, e.g. {name} = tf.cast({name}, tf.float32)").format(
                         name=ints[0])
        return _("{target} does not depend on {sources}: no tangent reaches it").format(
            target=target_name, sources=", ".join(s for s, _t in pairs))

    def _check_step_size(self, tape) -> None:
        if len(tape) > MAX_STEP_OPS:
            raise UsageError(_(
                "--step: the tape recorded {count:,} ops, and the stepper shows them one "
                "at a time (at most {limit:,}); step through a smaller example (fewer loop "
                "iterations), or leave --step out: the graph summarises long tapes").format(
                    count=len(tape), limit=MAX_STEP_OPS))

    def _graph_picture(self, tape, target):
        from .engine.inspect import graph_of
        from .widgets.graph import GraphPicture

        return GraphPicture(graph_of(tape, target, names=dict(self.shell.user_ns)))

    def _notes_after_body(self, tape, plot, args, cell: str, show_graph: bool) -> None:
        """What the cell did that the pictures cannot show: a --plot that drew nothing, a
        tape of the cell's own that the cell's tape yielded to (its graph is cut there)."""
        if plot is not None and not plot.values:
            self._plot_stayed_empty(args.plot, cell)
        inner = tape.name_inner(self.shell.user_ns)
        if inner is not None and (show_graph or args.step):
            _note(_("the cell opened its own GradientTape (`with tf.GradientTape() as "
                    "{inner}:`), so %%tape's tape stopped recording there: its graph and "
                    "gradients cover only the ops before that line. Remove the inner `with` "
                    "(the cell is already recorded), or use `{inner}.gradient(...)`.").format(
                        inner=inner))

    def _plot_stayed_empty(self, name: str, cell: str) -> None:
        """The note after a ``--plot NAME`` cell that drew nothing: NAME is not defined
        (a typo, with the close name of the cell or notebook if there is one), or no
        gradient of it was taken."""
        ns = self.shell.user_ns
        assigned, words = _names_in(self.shell, cell)
        if name in ns or name in assigned:
            _note(_("--plot {name}: the plot stayed empty. It draws {name} each time a "
                    "gradient of it is taken (`tape.gradient({name}, ...)`), and this cell "
                    "took none.").format(name=name))
            return
        known = words | {n for n, v in ns.items()
                         if isinstance(v, TensorLike) and not n.startswith("_")}
        guess = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        if guess:
            _note(_("--plot {name}: {name!r} is not defined (not in this cell, nor before "
                    "it), so the plot stayed empty. Did you mean --plot {guess}?").format(
                        name=name, guess=guess[0]))
        else:
            _note(_("--plot {name}: {name!r} is not defined (not in this cell, nor before "
                    "it), so the plot stayed empty. Name the loss the cell computes and "
                    "differentiates, e.g. --plot loss for `loss = ...`.").format(name=name))

    def _plot_hook(self, name: str, x: str = "step"):
        from .widgets.lossplot import LossPlot

        plot = LossPlot(name, x=x)
        ns = self.shell.user_ns
        thread = threading.get_ident()

        def record_loss(target, tape):
            if threading.get_ident() != thread:  # another thread's training is not ours
                return
            value = ns.get(name)
            if value is not target:
                if isinstance(target, (list, tuple)):
                    parts = target
                elif isinstance(target, dict):
                    parts = list(target.values())
                else:
                    parts = (target,)
                local = _callers_values(name)  # a loop inside a function: its local
                hit = [p for p in parts if p is value or any(p is v for v in local)]
                if not hit:
                    return
                value = hit[0]
            if not isinstance(value, TensorLike):
                return
            v = value._value
            plot.record(float(v) if np.ndim(v) == 0 else float(np.mean(v)))

        return plot, record_loss


def _callers_values(name: str) -> list:
    """The values of ``name`` in the code that called ``gradient``: the frames outside the
    engine and this module, up to and including the learner's first frame (so keras's own
    training step is searched, then the learner's function that called it)."""
    found = []
    frame = inspect.currentframe()
    try:
        while frame is not None:
            filename = frame.f_code.co_filename
            if not filename.startswith(_OWN_FILES):
                if name in frame.f_locals:
                    found.append(frame.f_locals[name])
                if not filename.startswith(_LIBRARY_DIRS):
                    break  # the learner's code
            frame = frame.f_back
    finally:
        del frame
    return found


_OWN_FILES = (str(Path(__file__).resolve()), str((Path(__file__).parent / "engine").resolve()))


# what load() added to each shell, by reference, so that unload() removes exactly that
_LOADED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


_TAPE_CELL = re.compile(r"%%tape(\s|$)")


def _empty_tape_cell(lines: list[str]) -> list[str]:
    """An input transformer (IPython's public ``input_transformers_cleanup``): IPython
    refuses a cell magic with an empty body before the magic runs, in English. A
    ``%%tape`` cell with nothing below its line gets one blank line as its body, so the
    magic answers: ``%%tape --help`` shows the help, a bare ``%%tape`` says what to do."""
    if lines and _TAPE_CELL.match(lines[0]) and not "".join(lines[1:]):
        return [lines[0].rstrip("\n") + "\n", "\n"]
    return lines


# check_complete (the terminal deciding whether a cell is finished) must not run it: a
# blank last line would end a %%tape cell right after its first line
_empty_tape_cell.has_side_effects = True


def load(ip) -> None:
    """Register ``%%tape``, its tab completion and the interrupt handler on ``ip``."""
    from . import _fonts
    from .engine import tune_malloc

    if ip in _LOADED:
        return
    tune_malloc()  # the kernel is adkernel's process: keep freed arrays for reuse (_malloc.py)
    magics = TapeMagics(ip)
    ip.register_magics(magics)
    added = {"magics": magics, "tape": ip.magics_manager.magics["cell"]["tape"]}
    completer = getattr(ip, "Completer", None)
    if completer is not None and hasattr(completer, "custom_matchers"):
        added["matcher"] = magics.complete
        completer.custom_matchers.append(added["matcher"])
    if not ip.custom_exceptions:  # nobody else's handler is replaced
        saved = (ip.custom_exceptions, ip.CustomTB)
        ip.set_custom_exc((KeyboardInterrupt,), _interrupt_handler)
        added["custom_exc"] = (saved, ip.CustomTB)
    _fonts.register(ip)  # Chinese in the learner's own plots
    ip.input_transformers_cleanup.append(_empty_tape_cell)
    _LOADED[ip] = added


def unload(ip) -> None:
    """Remove what :func:`load` added to ``ip``, and nothing else."""
    from . import _fonts

    added = _LOADED.pop(ip, None)
    if added is None:
        return
    _fonts.unregister(ip)
    cleanup = ip.input_transformers_cleanup
    cleanup[:] = [t for t in cleanup if t is not _empty_tape_cell]
    magics = added["magics"]
    registry = ip.magics_manager.registry
    for name in [n for n, m in registry.items() if m is magics]:
        del registry[name]
    cells = ip.magics_manager.magics["cell"]
    for name in [n for n, f in cells.items() if f is added["tape"]]:
        del cells[name]
    if "matcher" in added:
        matchers = ip.Completer.custom_matchers
        matchers[:] = [m for m in matchers if m is not added["matcher"]]
    if "custom_exc" in added:
        saved, ours = added["custom_exc"]
        if ip.CustomTB is ours:  # not replaced since
            ip.custom_exceptions, ip.CustomTB = saved
    hooks = _tape_module.hooks.on_gradient  # a cell's hooks, were it still running
    hooks[:] = [h for h in hooks if not any(h is mine for mine in magics.hooks)]
