"""Which notebook cell last tried to set each name, and whether that run raised.

IPython's ``pre_run_cell`` and ``post_run_cell`` events tell us every cell that runs (its
source, its execution count, and the error it raised, if any). For each cell we read the
names it binds at top level (``name = ...``, ``def name``, ``class name``, ``import name``,
``for name in ...``, ``with ... as name``) from its source with :mod:`ast`; a cell that does
not parse (a ``SyntaxError``) is read with a regular expression for ``def name`` /
``name =`` at the start of a line, because a run that failed before binding the name is
still the learner's latest attempt at it.

The record is a plain dict kept on the shell (attribute :data:`ATTR`), so a fresh import of
adkernel in the same kernel (the grader's probe re-imports the exercises) reads the same
record, and the callbacks are registered once per shell. Only the standard library is used;
nothing happens outside IPython (:func:`install` returns ``None`` and :func:`last_attempt`
knows nothing, so the exercises behave as if there were no record).

A record is ``{"ok": True | False | None, "error": str, "count": int | None}``: ``ok`` is
None while the cell is still running (a check called from the answer cell itself).
"""

from __future__ import annotations

import ast
import re
import sys

__all__ = ["ATTR", "bound_names", "install", "last_attempt", "log"]

ATTR = "_adkernel_cell_log"
MAX_ERROR = 300  # characters of an error kept in the record

# a top-level binding at the start of a line, for cells that do not parse
_DEF = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)
_ASSIGN = re.compile(
    r"^([A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*)[ \t]*,?[ \t]*"
    r"(?::[^=\n]*)?(?:\*\*|//|>>|<<|[-+*/%@&|^])?=(?!=)",
    re.MULTILINE,
)
_KEYWORDS = frozenset(
    ("False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
     "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
     "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
     "try", "while", "with", "yield")
)


class _Binds(ast.NodeVisitor):
    """The names a module binds at top level (nested scopes are not entered)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.names.add(node.id)

    def visit_FunctionDef(self, node) -> None:
        self.names.add(node.name)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node) -> None:
        return None

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    def visit_Import(self, node) -> None:
        for alias in node.names:
            self.names.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node) -> None:
        for alias in node.names:
            if alias.name != "*":
                self.names.add(alias.asname or alias.name)

    def visit_ExceptHandler(self, node) -> None:
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node) -> None:
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node) -> None:
        if node.name:
            self.names.add(node.name)

    def visit_MatchMapping(self, node) -> None:
        if node.rest:
            self.names.add(node.rest)
        self.generic_visit(node)


def _ast_names(source: str) -> set[str] | None:
    """The top-level names ``source`` binds, or None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    visitor = _Binds()
    visitor.visit(tree)
    return visitor.names


def _regex_names(source: str) -> set[str]:
    """``def name`` / ``class name`` / ``name = ...`` at line starts (a cell that does not
    parse)."""
    names = set(_DEF.findall(source))
    for match in _ASSIGN.finditer(source):
        names.update(n.strip() for n in match.group(1).split(","))
    return {n for n in names if n and n not in _KEYWORDS}


def bound_names(source: str, transformed: str | None = None) -> set[str]:
    """The names a cell binds at top level, even when it does not parse.

    ``transformed`` is IPython's Python translation of the cell (magics become calls); the
    body of a cell magic (``%%tape`` ...) is read as Python too.
    """
    source = source or ""
    names = _ast_names(transformed) if transformed else None
    if names is None:
        names = _ast_names(source)
    if names is None:
        names = _regex_names(source)
    stripped = source.lstrip()
    if stripped.startswith("%%"):
        body = stripped.partition("\n")[2]
        body_names = _ast_names(body)
        names |= body_names if body_names is not None else _regex_names(body)
    return names


def describe_error(exc: BaseException) -> str:
    """``"SyntaxError: '(' was never closed (line 2)"``: the error, without file names."""
    name = type(exc).__name__
    if isinstance(exc, SyntaxError):
        text = exc.msg or ""
        if exc.lineno:
            text = f"{text} (line {exc.lineno})" if text else f"line {exc.lineno}"
    else:
        try:
            text = str(exc)
        except Exception:
            text = ""
    text = " ".join(text.split())
    out = f"{name}: {text}" if text else name
    return out if len(out) <= MAX_ERROR else out[: MAX_ERROR - 1] + "…"


def _current_shell():
    ipython = sys.modules.get("IPython")  # never import IPython ourselves
    if ipython is None:
        return None
    try:
        return ipython.get_ipython()
    except Exception:
        return None


def log(shell=None) -> dict | None:
    """The record of ``shell`` (default: the running one), or None if nothing is recorded."""
    shell = shell if shell is not None else _current_shell()
    record = getattr(shell, ATTR, None) if shell is not None else None
    return record if isinstance(record, dict) else None


def install(shell=None) -> dict | None:
    """Start recording the cells ``shell`` (default: the running IPython) runs.

    Idempotent; returns the record, or None when there is no IPython shell.
    """
    shell = shell if shell is not None else _current_shell()
    events = getattr(shell, "events", None)
    if shell is None or events is None:
        return None
    record = log(shell)
    if record is not None:
        return record
    record = {"names": {}, "running": []}
    try:
        setattr(shell, ATTR, record)
    except Exception:
        return None

    def transformed_of(info, source: str) -> str | None:
        text = getattr(info, "transformed_cell", None)
        if text:
            return text
        try:
            return shell.transform_cell(source)
        except Exception:
            return None

    def before(info=None) -> None:
        source = getattr(info, "raw_cell", "") or ""
        names = bound_names(source, transformed_of(info, source))
        record["running"].append({"info": info, "names": names})
        for name in names:
            record["names"][name] = {"ok": None, "error": "", "count": None}

    def after(result=None) -> None:
        info = getattr(result, "info", None)
        running = record["running"]
        mine = [k for k, entry in enumerate(running) if entry["info"] is info]
        inner = ""
        if mine:  # (a nested cell, e.g. a %%tape body, has its own pair of events)
            names = running[mine[-1]]["names"]
            inner = running[mine[-1]].get("inner_error", "")
            del running[mine[-1]:]  # and any cell whose post_run_cell never came
        else:  # no pre_run_cell for it: the cell that installed us, or an empty cell
            source = getattr(info, "raw_cell", "") or ""
            names = bound_names(source, transformed_of(info, source))
        if result is None:
            error = "?"
        else:
            exc = getattr(result, "error_before_exec", None) or getattr(
                result, "error_in_exec", None)
            error = describe_error(exc) if exc is not None else ""
        if error and inner:  # "the %%tape cell failed": the body's own error says more
            error = inner
        if error:
            for entry in running:  # the cells this one runs inside
                entry.setdefault("inner_error", error)
        count = getattr(result, "execution_count", None)
        for name in names:
            record["names"][name] = {"ok": not error, "error": error, "count": count}

    def safely(fn):
        def callback(*args, **kwargs):
            try:
                fn(*args, **kwargs)
            except Exception:  # bookkeeping must never break a learner's cell
                pass

        callback.__name__ = f"adkernel_cells_{fn.__name__}"
        return callback

    events.register("pre_run_cell", safely(before))
    events.register("post_run_cell", safely(after))
    return record


def last_attempt(name: str, namespace) -> dict | None:
    """The record of the last cell that tried to bind ``name`` in ``namespace``, or None.

    Only the running shell's own namespace has a record (a check called on any other dict,
    in plain Python or in tests, knows nothing about cells).
    """
    shell = _current_shell()
    record = log(shell)
    if record is None or namespace is not getattr(shell, "user_ns", None):
        return None
    entry = record["names"].get(name)
    return dict(entry) if isinstance(entry, dict) else None
