"""``python -m adkernel grade SUBMISSIONS...``: grade a folder of submitted course notebooks.

Each submission runs in a fresh kernel (nbclient), its stored outputs cleared and never
read. The grade does not come from the learner's own ``ex.qN.check()`` calls but from a
*probe* the grader runs in the same kernel:

* right after each cell that calls ``qN.check()`` (the answer as the learner checked it),
* and once more after the last cell (for exercises whose check cell is missing or ran
  before the answer existed).

The probe imports the course's exercise modules afresh from the installed adkernel
package (the notebook's imported copies are set aside and put back afterwards), so a
learner who redefines ``ex.q1.check``, replaces ``ex``, patches ``Problem.evaluate`` or a
check function, or edits the stored outputs does not change the grade. The probe's result
travels back as one display output of a private MIME type carrying a random nonce that
exists only in the probe's own source, and only outputs of the probe's execute request are
read. Before the first learner cell a preamble records numpy's and adkernel's callables, a
few builtins, and what carries the probe's data back (``IPython.display``, ``importlib``,
``json``); a notebook that rebinds one (``np.allclose = lambda *a, **k: True``) gets
``error`` rows naming it. The probe runs only the *gather* half of each check and sends
back plain JSON; the *judge* half makes the verdict in the grader's own process. This
defeats cheap forgery in the learner's own kernel; code that hooks the kernel's machinery
(IPython events, import hooks) is out of reach (such code is plain to see in the
submission).

Each kernel runs in a bubblewrap sandbox (``adkernel/_sandbox.py``): a read-only system, no
view of the grader or of the other kernels, no network, an allow-listed environment, limits,
and a copy of the exercise package without its solutions. Where bubblewrap cannot run,
``grade`` says why and grades only with ``--no-sandbox`` (one kernel at a time). The exercise
modules are checked against the hash list the package ships before anything runs.

One row per learner (the file stem) and exercise, with one of the states
``correct``, ``incorrect`` (with the feedback), ``not attempted``, ``error``, ``timed out``.
An answer whose cell raised the last time it ran (a ``SyntaxError`` after an earlier
version defined the name, say) is not graded from what the kernel still holds: its row is
``error``, with the checker's "not checked" message naming the error.
The exit code is 0 when every row was graded (correct, incorrect or not attempted), 1 when
some row is ``error`` or ``timed out`` (the teacher should look), 2 on a usage error, 130
when interrupted.

Learners sharing a name get distinct ids (their relative paths). With ``--csv``, each
submission's rows reach the disk as soon as it is graded (:class:`CsvJournal`), so a killed
run keeps every finished row and ``--resume`` grades the rest (:func:`read_graded`). Text
from the learners is cleaned of escape sequences and control characters before it reaches
the terminal or the CSV, and CSV cells that a spreadsheet would take for a formula are
neutralised (:func:`clean_text`, :func:`csv_cell`). ``solution_viewed`` says which solutions
the handed-in notebook shows (:func:`solutions_viewed`).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import csv
import dataclasses
import functools
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import _sandbox
from ._argparse import ArgumentParser, cli_language
from .engine.i18n import _, get_language, language, lazy, normalise_language, translate

__all__ = [
    "CORRECT",
    "ERROR",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "STATES",
    "TIMED_OUT",
    "CsvJournal",
    "Row",
    "clean_text",
    "csv_cell",
    "detect_chapter",
    "find_submissions",
    "grade",
    "learner_ids",
    "main",
    "partial_path",
    "read_graded",
    "solutions_viewed",
    "write_csv",
]

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"
ERROR = "error"
TIMED_OUT = "timed out"
STATES = (CORRECT, INCORRECT, NOT_ATTEMPTED, ERROR, TIMED_OUT)
STALE = "stale"  # the checker's "not checked" (answer cell raised last run): an error row
GRADED = (CORRECT, INCORRECT, NOT_ATTEMPTED)
# The states are data (the CSV, ``Row.state``) and stay as they are; the printed table
# shows them in the teacher's language.
STATE_NAMES = {
    CORRECT: lazy("correct"),
    INCORRECT: lazy("incorrect"),
    NOT_ATTEMPTED: lazy("not attempted"),
    ERROR: lazy("error"),
    TIMED_OUT: lazy("timed out"),
}

MIME = "application/vnd.adkernel.grade+json"
DEFAULT_CELL_TIMEOUT = 60.0
DEFAULT_NOTEBOOK_TIMEOUT = 600.0
DEFAULT_CHECK_TIMEOUT = 10.0
MAX_FEEDBACK = 2000  # characters of feedback kept per row

_CHECK_CALL = re.compile(r"\bq(\d+)\s*\.\s*check\s*\(")
_IMPORT_CHAPTER = re.compile(r"adkernel\.exercises\b[^\n]*?\b(ch\d\d)\b")


@dataclass
class Row:
    """One learner's result on one exercise."""

    learner: str
    chapter: str
    exercise: str
    state: str
    feedback: str = ""
    file: str = ""
    seconds: float = 0.0  # time spent grading the whole submission
    id: str = ""  # the learner, or the file's relative path when learners share a name
    solution_viewed: str = ""  # "q1, q2": solutions the handed-in notebook shows (best effort)
    sha256: str = ""  # of the submitted file (``--resume`` skips what it has graded)

    def as_dict(self) -> dict:
        return {
            "learner": self.learner,
            "id": self.id or self.learner,
            "chapter": self.chapter,
            "exercise": self.exercise,
            "state": self.state,
            "feedback": self.feedback,
            "file": self.file,
            "seconds": f"{self.seconds:.2f}",
            "solution_viewed": self.solution_viewed,
            "sha256": self.sha256,
        }


CSV_FIELDS = ("learner", "id", "chapter", "exercise", "state", "feedback", "file", "seconds",
              "solution_viewed", "sha256")
NUMBER_FIELDS = ("seconds",)


# -- finding submissions and their chapter ------------------------------------------------
def find_submissions(paths) -> list[Path]:
    """Every ``.ipynb`` named, or found (recursively) under a folder named; sorted, no
    checkpoints. Raises ``FileNotFoundError`` for a path that does not exist."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(
                f
                for f in sorted(p.rglob("*.ipynb"))
                if ".ipynb_checkpoints" not in f.parts and f.is_file()
            )
        elif p.is_file():
            found.append(p)
        else:
            raise FileNotFoundError(_("{path}: no such file or folder").format(path=p))
    seen: set[Path] = set()
    unique = []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


LEARNER_FROM = ("stem", "folder", "nbgrader")


def learner_name(path: Path, how: str = "stem") -> str:
    """Who handed ``path`` in: its file stem (``alice.ipynb``), its folder (``alice/02.ipynb``)
    or, for nbgrader's ``submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb``, the student folder."""
    path = Path(path)
    if how == "stem":
        return path.stem
    if how == "folder":
        return path.parent.name or path.stem
    if how == "nbgrader":
        parts = path.parts
        return parts[-3] if len(parts) >= 3 else path.stem
    raise ValueError(_("learner_from must be one of {choices}, not {how!r}").format(
        choices=LEARNER_FROM, how=how))


def _code_lines(source: str) -> str:
    """The source without comment lines (so ``# ex.q1.hint()`` is not taken for a call)."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))


def _chapter_keys() -> dict[str, str]:
    from .exercises import CHAPTERS

    return {key: file for key, file, _title in CHAPTERS}


def detect_chapter(nb, filename: str = "") -> str | None:
    """The course chapter (``"ch02"``) a notebook belongs to, or None.

    In order: ``metadata.adkernel.chapter``; the ``adkernel.exercises`` import of its code
    cells (``from adkernel.exercises import ____, ch02 as ex``); a file name that starts
    like a chapter's notebook (``02-gradient-tape``).
    """
    keys = _chapter_keys()
    meta = nb.get("metadata", {}).get("adkernel", {})
    if isinstance(meta, dict) and meta.get("chapter") in keys:
        return meta["chapter"]
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for m in _IMPORT_CHAPTER.finditer(_code_lines(_source(cell))):
            if m.group(1) in keys:
                return m.group(1)
    stem = Path(filename).stem
    for key, file in keys.items():
        if stem[:2].isdigit() and stem[:3] == file[:3]:
            return key
    return None


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


# -- the probe that runs inside the learner's kernel --------------------------------------
# What the checks rely on and a notebook could rebind in one line (``np.allclose = lambda
# *a, **k: True``): callables of numpy and adkernel (outside adkernel.exercises, which the
# probe imports afresh), their classes' methods, and a few builtins. The preamble stores the
# objects before the first learner cell, under an attribute name of ``sys`` that is random
# per run; the probe compares.
_FINGERPRINT = r'''
import sys

_BUILTINS = ("abs", "all", "any", "bool", "callable", "dict", "float", "getattr", "hasattr",
             "int", "isinstance", "issubclass", "len", "list", "max", "min", "range", "repr",
             "round", "set", "sorted", "str", "sum", "tuple", "type", "zip", "exec", "compile",
             "__import__")
# what carries the probe's result back: rebinding one could rewrite what the grader reads
_CARRIERS = ("json", "importlib", "IPython.display", "IPython.core.display_functions")

def _ident(obj):
    try:
        func = getattr(obj, "__func__", obj)
        return (func, getattr(obj, "__self__", None), getattr(func, "__code__", None))
    except Exception:
        return (obj, None, None)

def _fingerprint():
    prints = {}
    for mname, mod in list(sys.modules.items()):
        if mname in ("builtins", "math"):
            names = _BUILTINS if mname == "builtins" else None
        elif mname in _CARRIERS:
            names = None
        elif mname in ("numpy", "adkernel") or mname.startswith(("numpy.", "adkernel.")):
            if mname == "adkernel.exercises" or mname.startswith("adkernel.exercises."):
                continue
            names = None
        else:
            continue
        try:
            items = list(vars(mod).items())
        except TypeError:
            continue
        for attr, obj in items:
            if names is not None and attr not in names:
                continue
            if not callable(obj) or type(obj).__name__ == "module":
                continue
            prints[mname + "." + attr] = _ident(obj)
            if isinstance(obj, type) and getattr(obj, "__module__", None) == mname:
                for k, v in list(vars(obj).items()):
                    if callable(v) or isinstance(v, (staticmethod, classmethod, property)):
                        prints[mname + "." + attr + "." + k] = _ident(v)
    return prints

def _changed(before):
    if not isinstance(before, dict):
        return [%(removed)r]
    now = _fingerprint()
    out = []
    for key, old in before.items():
        new = now.get(key)
        if new is None or any(a is not b for a, b in zip(old, new)):
            out.append(key)
    return sorted(out)
'''

_PREAMBLE = _FINGERPRINT + r'''
import numpy, adkernel, adkernel.tf, adkernel.engine
import json, importlib, IPython.display, IPython.core.display_functions
setattr(sys, %(key)r, _fingerprint())
'''
# what the probe reports when a notebook deleted the preamble's record (shown translated)
_RECORD_REMOVED = lazy("the grader's record of numpy and adkernel (it was removed)")
_RECORD_REMOVED_ID = str.__str__(_RECORD_REMOVED)  # the English the kernel sends back


def _preamble_cell_source(key: str) -> str:
    body = _PREAMBLE % {"key": key, "removed": _RECORD_REMOVED_ID}
    return f"exec({body!r}, {{'__name__': '__adkernel_grade__'}})"


_PROBE = _FINGERPRINT + r"""
import importlib
import types
from IPython import get_ipython
from IPython.display import display

def _probe(nonce, chapter, numbers, key, failed, source):
    tampered = _changed(getattr(sys, key, None))
    ns = get_ipython().user_ns
    prefix = "adkernel.exercises"
    saved = {k: m for k, m in sys.modules.items() if k == prefix or k.startswith(prefix + ".")}
    pkg = sys.modules.get("adkernel")
    saved_attr = getattr(pkg, "exercises", None) if pkg is not None else None
    old_core = saved.get(prefix + "._core")
    old_blank = getattr(old_core, "____", None)
    results = {}
    try:
        for k in saved:
            del sys.modules[k]
        if source is None:
            importlib.import_module(prefix + "." + chapter)
        else:  # a teacher's exercise module: run from the text the grader sent
            importlib.import_module(prefix)
            module = types.ModuleType("__adkernel_grade_exercises__")
            exec(compile(source, "<exercises>", "exec"), module.__dict__)
        core = sys.modules[prefix + "._core"]
        plain = sys.modules[prefix + "._plain"]
        if type(old_blank).__name__ == "_Blank":
            core.____ = old_blank  # the placeholder the notebook's cells hold
        for p in core.REGISTRY.get(chapter, []):
            if p.number not in numbers:
                continue
            try:
                results[p.number] = {"envelope": plain.dumps(p.gather(ns))}
            except BaseException as exc:
                results[p.number] = {"failed": failed.format(error=repr(exc))}
    finally:
        for k in [k for k in sys.modules if k == prefix or k.startswith(prefix + ".")]:
            del sys.modules[k]
        sys.modules.update(saved)
        if pkg is not None:
            if saved_attr is not None:
                pkg.exercises = saved_attr
            elif hasattr(pkg, "exercises"):
                del pkg.exercises
    display({"%(mime)s": {"nonce": nonce, "results": results, "tampered": tampered}}, raw=True)

_probe(%(args)s)
"""


def _probe_cell_source(nonce: str, chapter: str, numbers, lang: str, key: str,
                       source: str | None = None) -> str:
    """The probe: the gather half of each check, run in the learner's kernel.

    It sends back plain data only (one JSON text per exercise); the verdicts are made in
    the grader's process by :func:`_judge_result`.
    """
    failed = translate("the grader's check failed: {error}", lang)
    args = ", ".join(repr(a) for a in (nonce, chapter, sorted(numbers), key, failed, source))
    body = _PROBE % {"mime": MIME, "removed": _RECORD_REMOVED_ID, "args": args}
    # exec in a private namespace: the probe leaves no name behind in the learner's globals
    return f"exec({body!r}, {{'__name__': '__adkernel_grade__'}})"


def _judge_result(problem, result, lang: str) -> dict:
    """The judge half, in the grader's process: ``{"state", "feedback"}`` of one exercise
    from what its gather half sent back (plain JSON text, or a note that it failed)."""
    from .exercises import _core, _plain
    from .exercises._feedback import Fmt, render

    if not isinstance(result, dict):
        return {"state": ERROR, "feedback": _("the grader's check gave no result")}
    if isinstance(result.get("failed"), str):
        return {"state": ERROR, "feedback": _short(result["failed"])}
    try:
        envelope = _plain.loads(result.get("envelope"))
        if not isinstance(envelope, dict) or envelope.get("key") != problem.key:
            raise _plain.NotPlain("not the envelope of this exercise")
    except _plain.NotPlain as exc:
        return {"state": ERROR, "feedback": _short(
            _("not gradable: what came back from the notebook is not plain data ({why})")
            .format(why=exc))}
    fb = problem.judge(envelope)
    msg = fb.message
    text = "\n".join([render(msg, lang), *(render(n, lang) for n in fb.notes)]).strip()
    state = fb.state
    if isinstance(msg, Fmt) and msg.text is _core.MSG.timeout:
        state = TIMED_OUT
    elif isinstance(msg, Fmt) and msg.text is _core.MSG.internal:
        state = ERROR
    elif state == STALE:
        # the answer cell raised when it last ran (the kernel may hold an older answer), or a
        # course cell the answer needs never ran: nothing was graded; the teacher should look
        state = ERROR
    if state not in STATES:
        return {"state": ERROR, "feedback": _("the grader's check gave no result")}
    return {"state": state, "feedback": _short(text)}


# -- a teacher's own exercises ------------------------------------------------------------
@dataclass
class TeacherExercises:
    """An exercise module a teacher wrote (``--exercises week1.py``): its problems, loaded in
    the grader's process (their judges make the verdicts), and its text (the probe runs the
    gather halves from it in the learner's kernel, never from a file the learner can edit)."""

    path: Path
    name: str  # the module name notebooks import (the file stem)
    source: str
    chapter: str
    problems: list


class ExercisesError(ValueError):
    """The file given with ``--exercises`` is not a usable exercise module."""


def load_exercises(path) -> TeacherExercises:
    """Load a teacher's exercise module (see docs/teaching.md, "Your own exercises")."""
    import importlib.util

    from .exercises import CHAPTERS, Problem

    path = Path(path)
    name = path.stem
    if path.suffix != ".py" or not name.isidentifier():
        raise ExercisesError(_("--exercises takes a Python file whose name can be imported "
                               "(like week1.py), not {path}").format(path=path))
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExercisesError(_("cannot read {path} ({error})").format(
            path=path, error=exc)) from None
    from .exercises import _core

    spec = importlib.util.spec_from_file_location(f"__adkernel_teacher_{name}__", path)
    module = importlib.util.module_from_spec(spec)
    registry = {k: list(v) for k, v in _core.REGISTRY.items()}
    try:
        spec.loader.exec_module(module)  # the teacher's own file: trusted like the grader
    except Exception as exc:
        raise ExercisesError(_("{path} raised {error} when it was loaded").format(
            path=path, error=f"{type(exc).__name__}: {exc}")) from None
    finally:  # its Problems register themselves: the course's chapters stay as they were
        for key in [k for k in _core.REGISTRY if k not in registry]:
            del _core.REGISTRY[key]
        for key, problems in registry.items():
            _core.REGISTRY.setdefault(key, [])[:] = problems
    problems = sorted({id(v): v for v in vars(module).values() if isinstance(v, Problem)}
                      .values(), key=lambda p: p.number)
    chapters = {p.chapter for p in problems}
    if not problems:
        raise ExercisesError(_("{path} defines no exercise (no Problem(...) at the top level "
                               "of the module)").format(path=path))
    if len(chapters) != 1:
        raise ExercisesError(_("the exercises of {path} belong to several chapters ({names}): "
                               "one file per chapter").format(
                                   path=path, names=", ".join(sorted(chapters))))
    chapter = chapters.pop()
    if chapter in {key for key, _file, _title in CHAPTERS}:
        raise ExercisesError(_("{path} uses the chapter name {chapter}, which is one of the "
                               "course's own chapters: choose another").format(
                                   path=path, chapter=chapter))
    numbers = [p.number for p in problems]
    if len(set(numbers)) != len(numbers):
        raise ExercisesError(_("{path} defines question {n} twice").format(
            path=path, n=Counter(numbers).most_common(1)[0][0]))
    if not all(p.split for p in problems):
        raise ExercisesError(_("every exercise of {path} needs gather= and judge= (the grader "
                               "runs the two halves apart)").format(path=path))
    return TeacherExercises(path, name, source, chapter, problems)


def _imports_module(nb, name: str) -> bool:
    pattern = re.compile(rf"^\s*(?:import\s+{name}\b|from\s+{name}\s+import\b)", re.MULTILINE)
    return any(cell.get("cell_type") == "code" and pattern.search(_code_lines(_source(cell)))
               for cell in nb.get("cells", []))


# -- running one submission -------------------------------------------------------------
@dataclass
class Options:
    chapter: str = "auto"  # "auto" (the most common), "each", or "chNN"
    lang: str | None = None  # "en" or "zh"; None: adkernel's language setting
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT
    check_timeout: float = DEFAULT_CHECK_TIMEOUT
    kernel: str = "python3"
    learner_from: str = "stem"  # see learner_name()
    jobs: int = 1
    exercises: TeacherExercises | None = None  # a teacher's module (--exercises FILE)
    sandbox: bool = True  # each kernel in bubblewrap (see adkernel/_sandbox.py)
    limits: _sandbox.Limits = dataclasses.field(default_factory=_sandbox.Limits)
    # set by grade(): the exercise package without solutions, mounted in every sandbox
    stripped_exercises: str | None = None


@dataclass
class _Outcome:
    """What happened to one exercise while the notebook ran."""

    checkpoint: dict | None = None
    final: dict | None = None
    region_error: str = ""
    region_timeout: str = ""
    unreached: str = ""  # the run stopped before this exercise's check cell
    unreached_state: str = ""


def _short(text: str, limit: int = MAX_FEEDBACK) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _make_client_class():
    from nbclient import NotebookClient

    class _GradingClient(NotebookClient):
        """Keeps no learner output at all (a flood costs nothing but transfer); keeps only
        the grader's MIME output of the probe cell that is running."""

        probe_running = False

        def output(self, outs, msg, display_id, cell_index):
            if not self.probe_running:
                return None
            if msg["msg_type"] not in ("display_data", "execute_result"):
                return None
            data = msg["content"].get("data", {})
            if MIME in data:
                outs.append({"output_type": "display_data", "data": {MIME: data[MIME]}})
            return None

        def clear_output(self, outs, msg, cell_index):
            return None

        def handle_comm_msg(self, outs, msg, cell_index):
            return None

    return _GradingClient


def _cancel_stray_polls(client) -> None:
    """nbclient leaves a cell's IOPub reader running when the cell times out; it would
    swallow the next cells' messages (the probe's result among them). Stop it."""
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        if (
            getattr(coro, "__qualname__", "").endswith("._async_poll_output_msg")
            and frame is not None
            and frame.f_locals.get("self") is client
        ):
            task.cancel()


class _Runner:
    """Runs one notebook in its own kernel and collects the probes' results."""

    def __init__(self, nb, chapter: str, problems: list, options: Options,
                 source: str | None = None) -> None:
        self.nb = nb
        self.chapter = chapter
        self.problems = problems  # the grader's own copies: their judges make the verdicts
        self.numbers = [p.number for p in problems]
        self.source = source  # a teacher's exercise module (its text), or None
        self.options = options
        self.nonce = secrets.token_hex(16)
        self.key = "_" + secrets.token_hex(12)  # where the preamble keeps its fingerprint
        self.outcomes = {n: _Outcome() for n in self.numbers}
        self.reply: dict | None = None
        self._timeout = options.cell_timeout
        self._marks = {"error": "", "timeout": ""}
        self.stuck = ""  # set when a probe leaves the kernel dead or busy for good

    async def _on_executed(self, cell, cell_index, execute_reply):
        self.reply = execute_reply

    async def _run_cell(self, client, cell, index, timeout, store_history=True):
        """Run one cell: ``("ok" | "error" | "timeout" | "dead", detail)``."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        self._timeout = max(0.5, float(timeout))
        self.reply = None
        try:
            await client.async_execute_cell(cell, index, store_history=store_history)
        except CellTimeoutError:
            _cancel_stray_polls(client)
            return "timeout", _("stopped after {seconds:g} s").format(seconds=self._timeout)
        except DeadKernelError:
            _cancel_stray_polls(client)
            return "dead", _("the kernel died (did the code exit Python or crash it?)")
        content = (self.reply or {}).get("content", {})
        if content.get("status") == "error":
            return "error", _short(f"{content.get('ename')}: {content.get('evalue')}", 300)
        return "ok", ""

    async def _recover(self, client, cell) -> bool:
        """After a timeout: interrupt until the kernel answers again (a learner loop with a
        bare ``except:`` may swallow one KeyboardInterrupt). False if it never does."""
        import nbformat

        for _attempt in range(3):
            with contextlib.suppress(Exception):
                await client.km.interrupt_kernel()
            ping = nbformat.v4.new_code_cell("pass")
            wait = max(1.0, min(5.0, self.options.cell_timeout / 2))
            status, _detail = await self._run_cell(client, ping, self._scratch, wait,
                                             store_history=False)
            if status in ("ok", "error"):
                return True
            if status == "dead":
                return False
        return False

    async def _probe(self, client, numbers) -> dict[int, dict]:
        import nbformat

        if not numbers:
            return {}
        cell = nbformat.v4.new_code_cell(
            _probe_cell_source(self.nonce, self.chapter, numbers, self.options.lang, self.key,
                               self.source)
        )
        budget = self.options.check_timeout * (2 + 3 * len(numbers)) + 30
        client.probe_running = True
        try:
            status, detail = await self._run_cell(client, cell, self._scratch, budget,
                                                  store_history=False)
        finally:
            client.probe_running = False
        if status == "timeout" and not await self._recover(client, cell):
            self.stuck = _("the grader's check could not be interrupted")
        elif status == "dead":
            self.stuck = _("while the grader checked: {detail}").format(detail=detail)
        found = [
            o["data"][MIME]
            for o in cell.get("outputs", [])
            if isinstance(o.get("data", {}).get(MIME), dict)
            and o["data"][MIME].get("nonce") == self.nonce
        ]
        if status != "ok" or len(found) != 1:
            why = detail or _("no result came back")
            if len(found) > 1:
                why = _("more than one result came back (has the notebook tampered with "
                        "output?)")
            return {
                n: {"state": ERROR,
                    "feedback": _("the grader could not run the check ({why})").format(why=why)}
                for n in numbers
            }
        results = found[0].get("results", {})
        tampered = [str(_RECORD_REMOVED) if t == _RECORD_REMOVED_ID else t
                    for t in found[0].get("tampered") or []]
        problems = {p.number: p for p in self.problems}
        out = {}
        for n in numbers:
            r = _judge_result(problems[n], results.get(str(n), results.get(n)),
                              self.options.lang)
            out[n] = r
            if tampered:
                names = ", ".join(tampered[:5]) + (" …" if len(tampered) > 5 else "")
                said = str(STATE_NAMES.get(r["state"], r["state"]))
                if r.get("feedback"):
                    text = _("not gradable: the notebook replaced {names}, which the checks rely "
                             "on; look at it by hand (the check said: {state}: {feedback})")
                else:
                    text = _("not gradable: the notebook replaced {names}, which the checks rely "
                             "on; look at it by hand (the check said: {state})")
                out[n] = {
                    "state": ERROR,
                    "feedback": _short(text.format(names=names, state=said,
                                                   feedback=r.get("feedback", ""))),
                }
        return out

    async def run(self, env: dict, cwd: str, km=None) -> None:
        import nbformat
        from nbclient.exceptions import DeadKernelError

        client_class = _make_client_class()
        client = client_class(
            self.nb,
            km=km,
            kernel_name=self.options.kernel,
            resources={"metadata": {"path": cwd}},
            allow_errors=True,
            record_timing=False,
            timeout_func=lambda cell: self._timeout,
            iopub_timeout=10,
            shell_timeout_interval=1,
            shutdown_kernel="immediate",
        )
        client.on_cell_executed = self._on_executed
        cells = list(self.nb.cells)
        # the grader's own cells (probes, pings) run at an index past the learner's cells
        self.nb.cells.append(nbformat.v4.new_code_cell(""))
        self._scratch = len(self.nb.cells) - 1
        try:
            async with client.async_setup_kernel(  # cleanup_kc: shut the kernel down even
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # with km=
                cleanup_kc=True,
            ):
                preamble = nbformat.v4.new_code_cell(_preamble_cell_source(self.key))
                status, detail = await self._run_cell(
                    client, preamble, self._scratch, self.options.cell_timeout,
                    store_history=False,
                )
                if status != "ok":
                    raise RuntimeError(_("the grader's set-up cell failed in the kernel "
                                         "({detail})").format(detail=detail))
                deadline = time.monotonic() + self.options.notebook_timeout  # kernel is up
                stopped = ""
                stop_state = ""
                for index, cell in enumerate(cells):
                    if cell.get("cell_type") != "code" or not _source(cell).strip():
                        continue
                    checks = sorted(
                        {int(n) for n in _CHECK_CALL.findall(_code_lines(_source(cell)))}
                        & set(self.numbers)
                    )
                    left = deadline - time.monotonic()
                    if left <= 0:
                        stopped = _(
                            "the notebook ran past its {seconds:g} s limit; grading stopped "
                            "before cell {cell}").format(
                                seconds=self.options.notebook_timeout, cell=index + 1)
                        stop_state = TIMED_OUT
                        break
                    timeout = min(self.options.cell_timeout, left)
                    status, detail = await self._run_cell(client, cell, index, timeout)
                    if status == "dead":
                        stopped = _("cell {cell}: {detail}").format(cell=index + 1,
                                                                    detail=detail)
                        stop_state = ERROR
                        break
                    if status == "timeout":
                        note = _("cell {cell} was still running after {seconds:g} s").format(
                            cell=index + 1, seconds=timeout)
                        self._mark(timeout_note=note)
                        if not await self._recover(client, cell):
                            stopped = _("cell {cell} was still running after {seconds:g} s and "
                                        "could not be interrupted").format(
                                            cell=index + 1, seconds=timeout)
                            stop_state = TIMED_OUT
                            break
                    elif status == "error":
                        self._mark(error_note=_("cell {cell}: {detail}").format(
                            cell=index + 1, detail=detail))
                    if checks:
                        self._assign_marks(checks)
                        for n, r in (await self._probe(client, checks)).items():
                            self.outcomes[n].checkpoint = r
                        if self.stuck:
                            stopped, stop_state = self.stuck, ERROR
                            break
                if stopped:
                    for o in self.outcomes.values():
                        if o.checkpoint is None:
                            o.unreached, o.unreached_state = stopped, stop_state
                else:
                    for n, r in (await self._probe(client, self.numbers)).items():
                        self.outcomes[n].final = r
        except DeadKernelError:
            for o in self.outcomes.values():
                if o.checkpoint is None and not o.unreached:
                    o.unreached, o.unreached_state = _("the kernel died"), ERROR
        finally:
            _cancel_stray_polls(client)
            with contextlib.suppress(Exception):
                atexit.unregister(client._cleanup_kernel)

    def _mark(self, *, error_note: str = "", timeout_note: str = "") -> None:
        """Remember the first error / timeout since the last check cell: it belongs to the
        exercises checked next."""
        if error_note and not self._marks["error"]:
            self._marks["error"] = error_note
        if timeout_note and not self._marks["timeout"]:
            self._marks["timeout"] = timeout_note

    def _assign_marks(self, checks) -> None:
        for n in checks:
            self.outcomes[n].region_error = self._marks["error"]
            self.outcomes[n].region_timeout = self._marks["timeout"]
        self._marks = {"error": "", "timeout": ""}

    def rows(self, learner: str, file: str) -> list[Row]:
        rows = []
        for n in self.numbers:
            o = self.outcomes[n]
            key = f"{self.chapter}.q{n}"
            result = o.checkpoint
            if result is None or (result["state"] == NOT_ATTEMPTED and o.final is not None):
                result = o.final or result
            if result is None:
                rows.append(Row(learner, self.chapter, key, o.unreached_state or ERROR,
                                o.unreached or _("not graded"), file))
                continue
            state, feedback = result["state"], result["feedback"]
            if state != CORRECT and o.region_timeout:
                state = TIMED_OUT
                feedback = _("{note}. {feedback}").format(
                    note=o.region_timeout, feedback=feedback).strip()
            elif state == NOT_ATTEMPTED and o.region_error:
                state = ERROR
                feedback = _("your code raised an error ({error}). {feedback}").format(
                    error=o.region_error, feedback=feedback).strip()
            rows.append(Row(learner, self.chapter, key, state, _short(feedback), file))
        return rows


@dataclass
class _Submission:
    path: Path
    nb: object = None  # the notebook (nbformat 4), its stored outputs cleared; None: error
    error: str | None = None  # why it cannot be graded
    sha256: str = ""
    solution_viewed: str = ""


def _read_submission(path: Path) -> _Submission:
    """The file, its hash, what it shows of the solutions, and the notebook to run (older
    nbformat versions converted to version 4) or why there is none."""
    import nbformat

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _Submission(path, error=_("cannot read the file ({error})").format(error=exc))
    sub = _Submission(path, sha256=hashlib.sha256(raw).hexdigest())
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        sub.error = _("not a notebook: the file is not valid JSON ({error})").format(
            error=_short(exc, 160))
        return sub
    older = (isinstance(data, dict) and isinstance(data.get("nbformat"), int)
             and data["nbformat"] < 4 and isinstance(data.get("worksheets"), list))
    if not isinstance(data, dict) or not (older or isinstance(data.get("cells"), list)):
        sub.error = _("not a notebook: the JSON has no list of cells")
        return sub
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)  # converts nbformat 1-3
        if not isinstance(nb.get("cells"), list):
            raise ValueError(_("no cells after converting it to nbformat 4"))
    except Exception as exc:
        sub.error = _("not a notebook nbformat can read ({error})").format(
            error=_short(exc, 160))
        return sub
    with contextlib.suppress(Exception):  # best effort: never a reason not to grade
        sub.solution_viewed = solutions_viewed(nb)
    for cell in nb.cells:  # never trust what was stored: outputs go, counts go
        if cell.get("cell_type") == "code":
            cell.outputs = []
            cell.execution_count = None
        if not isinstance(cell.get("source", ""), str):
            cell.source = _source(cell)
    nb.metadata.pop("widgets", None)
    sub.nb = nb
    return sub


# -- which solutions the handed-in notebook shows -------------------------------------------
_SOLUTION_REF = re.compile(r"\bq(\d+)\s*\.\s*solution(?:_code)?\b")


def _solution_calls(source: str) -> set[int]:
    """Questions whose ``solution()`` (or ``solution_code``) the code uses: ``ex.q1.solution()``,
    not in a comment or a string."""
    import tokenize

    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type in (tokenize.NAME, tokenize.OP)]
    except (tokenize.TokenError, SyntaxError):  # magics, unfinished code: look at the lines
        return {int(n) for n in _SOLUTION_REF.findall(_code_lines(source))}
    found = set()
    for first, dot, name in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (dot.string == "." and name.string in ("solution", "solution_code")
                and re.fullmatch(r"q\d+", first.string)):
            found.add(int(first.string[1:]))
    return found


@functools.lru_cache(maxsize=1)
def _solution_heads() -> tuple[re.Pattern, dict[str, int]]:
    """The first line of a solution box (``★ Question 1 · Solution``, in every language) and
    the question each title names."""
    from .engine.i18n import LANGUAGES
    from .exercises._core import MSG
    from .exercises._feedback import _LABELS, _MARKS, SOLUTION, render

    labels = {_LABELS[SOLUTION].render(lang) for lang in LANGUAGES}
    titles = {render(MSG.question(n=n), lang): n for n in range(1, 100) for lang in LANGUAGES}
    head = re.compile(rf"{re.escape(_MARKS[SOLUTION])} ?(.*?) · "
                      rf"(?:{'|'.join(map(re.escape, sorted(labels)))})")
    return head, titles


def _solution_boxes(outputs) -> set[int | None]:
    """Questions whose solution box a cell's saved outputs show (None: one it cannot name)."""
    import html

    head, titles = _solution_heads()
    found: set[int | None] = set()
    for out in outputs or []:
        texts = []
        if isinstance(out.get("text"), (str, list)):
            texts.append(_source({"source": out["text"]}))
        data = out.get("data") or {}
        page = data.get("text/html")
        page = _source({"source": page}) if isinstance(page, (str, list)) else ""
        plain = data.get("text/plain")
        if isinstance(plain, (str, list)):
            texts.append(_source({"source": plain}))
        if page:
            texts.append(html.unescape(re.sub(r"<[^>]*>", " ", page)))
        named = {titles.get(m.group(1).strip()) for t in texts for m in head.finditer(t)}
        if "adk-solution" in page and not named:
            named = {None}
        found |= named
    return found


def solutions_viewed(nb) -> str:
    """``"q1, q2"``: the solutions the notebook, as handed in, asked for (``ex.q1.solution()``
    in a code cell, comments aside) or shows (a saved solution box, ``★``); ``"?"`` stands
    for a solution box whose question is not named. Best effort: a learner can copy a
    solution from elsewhere and delete the outputs."""
    found: set[int | None] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        found |= _solution_calls(_source(cell))
        found |= _solution_boxes(cell.get("outputs"))
    names = [f"q{n}" for n in sorted(n for n in found if n is not None)]
    return ", ".join(names + (["?"] if None in found else []))


def learner_ids(paths, how: str = "stem") -> dict[Path, str]:
    """Each submission's id: its learner name, or, when several files share that name,
    the file's path relative to the folder holding all the submissions."""
    paths = list(paths)
    names = {p: learner_name(p, how) for p in paths}
    counts = Counter(names.values())
    ids = dict(names)
    shared = [p for p in paths if counts[names[p]] > 1]
    if shared:
        absolute = {p: Path(os.path.abspath(p)) for p in paths}
        try:
            base = Path(os.path.commonpath([str(a.parent) for a in absolute.values()]))
        except ValueError:
            base = None
        for p in shared:
            ids[p] = (absolute[p].relative_to(base).as_posix() if base is not None
                      else absolute[p].as_posix())
    return ids


# Environment variables the learners' code has no business reading (a teacher grading in a
# hub terminal has the hub's API token in JUPYTERHUB_API_TOKEN, for instance). Only used
# without the sandbox, which keeps an allow-list instead (adkernel/_sandbox.py).
_SECRET_ENV = re.compile(
    r"TOKEN|SECRET|PASSW|_PWD$|PGPASS|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|_KEY$|"
    r"DATABASE|_DSN$|_URL$|_URI$|PROXY|COOKIE|SESSION|AUTH|"
    r"^JUPYTERHUB_|^JPY_|^AWS_|^AZURE_|^GOOGLE_|^GCP_|^GH_|^GITHUB_|^GITLAB_|^SSH_AUTH_SOCK$",
    re.IGNORECASE,
)
_CREDENTIALS_IN_VALUE = re.compile(r"://[^/@\s]+@")  # scheme://user:password@host


def _kernel_env(options: Options, workdir: str) -> dict:
    """The kernel's environment. Sandboxed: an allow-list (language, PATH, BLAS settings)
    with a private home; without the sandbox: the grader's, minus anything that looks like a
    secret. Both with the checker's settings and a private progress file."""
    settings = {
        "ADKERNEL_LANG": normalise_language(options.lang) or get_language(),
        "ADKERNEL_EXERCISE_TIME_LIMIT": f"{options.check_timeout:g}",
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if options.sandbox:
        settings["ADKERNEL_PROGRESS"] = f"{_sandbox.HOME}/progress.json"
        return _sandbox.kernel_env(settings)
    env = {k: v for k, v in os.environ.items()
           if not _SECRET_ENV.search(k) and not _CREDENTIALS_IN_VALUE.search(v)}
    env.update(settings, ADKERNEL_PROGRESS=str(Path(workdir) / "progress.json"))
    return env


async def _grade_one(path: Path, nb, error: str | None, detected: str | None, expected: str,
                     options: Options) -> list[Row]:
    learner = learner_name(path, options.learner_from)
    file = str(path)
    chapter = expected if expected not in ("each", "auto") else (detected or "")
    teacher = options.exercises
    if teacher is not None:
        chosen = list(teacher.problems)
    else:
        from .exercises import problems as chapter_problems

        chosen = chapter_problems(chapter) if chapter else []
    numbers = [p.number for p in chosen]

    def every(state, text, chap=chapter):
        keys = [f"{chap}.q{n}" for n in numbers] or ["-"]
        return [Row(learner, chap or "?", k, state, text, file) for k in keys]

    if error:
        return every(ERROR, error)
    if detected is None and teacher is not None:
        return every(ERROR, _("this notebook does not import {module}, the exercises given "
                              "with --exercises").format(module=teacher.name))
    if detected is None:
        return every(ERROR, _("no adkernel exercises found in this notebook (no "
                              "`from adkernel.exercises import ... chNN` cell)"))
    if detected != chapter:
        from .exercises import CHAPTERS

        name = dict((k, f) for k, f, _title in CHAPTERS).get(detected, detected)
        return every(ERROR, _("this submission is chapter {detected} ({name}), not "
                              "{chapter}: was the wrong notebook handed in?").format(
                                  detected=detected, name=name, chapter=chapter))
    if not numbers:
        return every(NOT_ATTEMPTED, _("chapter {chapter} has no exercises").format(
            chapter=chapter))
    workdir = tempfile.mkdtemp(prefix="adkernel-grade-")
    km = None
    if teacher is not None:  # the notebook imports it from its own folder
        module = Path(workdir, teacher.name + ".py")
        module.write_text(_sandbox.strip_solutions(teacher.source) if options.sandbox
                          else teacher.source, encoding="utf-8")
    if options.sandbox:
        run = Path(workdir, "run")
        run.mkdir()
        files = {module.name: module} if teacher is not None else {}
        km = _sandbox.kernel_manager(options.kernel, _sandbox.Sandbox(
            str(run), options.limits, files, options.stripped_exercises))
    runner = _Runner(nb, chapter, chosen, options, teacher.source if teacher else None)
    try:
        guard = options.notebook_timeout + options.check_timeout * (len(numbers) + 2) + 120
        await asyncio.wait_for(runner.run(_kernel_env(options, workdir), workdir, km), guard)
    except asyncio.TimeoutError:
        for o in runner.outcomes.values():
            if o.checkpoint is None:
                o.unreached, o.unreached_state = _("the notebook never finished"), TIMED_OUT
    except Exception as exc:  # the grader must report, never crash on one submission
        for o in runner.outcomes.values():
            if o.checkpoint is None and not o.unreached:
                o.unreached = _("the grader failed on this submission ({kind}: {error})").format(
                    kind=type(exc).__name__, error=exc)
                o.unreached_state = ERROR
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return runner.rows(learner, file)


# -- the progress bar ---------------------------------------------------------------------
class ProgressBar:
    """``[#####.....] 12/40  alice`` on stderr, redrawn in place; silent when disabled."""

    def __init__(self, total: int, stream=None, enabled: bool | None = None, width: int = 30):
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.width = width
        self.done = 0
        self.start = time.monotonic()

    def update(self, label: str = "") -> None:
        self.done += 1
        if not self.enabled:
            return
        filled = int(self.width * self.done / self.total)
        elapsed = time.monotonic() - self.start
        bar = "#" * filled + "." * (self.width - filled)
        seconds = _("{seconds:5.0f} s").format(seconds=elapsed)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {seconds}  {label[:30]:<30}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


# -- grading a class ----------------------------------------------------------------------
async def _grade_all(paths: list[Path], options: Options, bar: ProgressBar, on_rows=None,
                     graded=None) -> list[Row]:
    read = [_read_submission(p) for p in paths]
    ids = learner_ids(paths, options.learner_from)
    teacher = options.exercises
    if teacher is not None:
        detected = {s.path: (teacher.chapter if s.nb is not None
                             and _imports_module(s.nb, teacher.name) else None) for s in read}
    else:
        detected = {s.path: (detect_chapter(s.nb, s.path.name) if s.nb is not None else None)
                    for s in read}
    if teacher is not None:
        expected = teacher.chapter
    elif options.chapter == "auto":
        counts = Counter(c for c in detected.values() if c)
        expected = counts.most_common(1)[0][0] if counts else "auto"
    else:
        expected = options.chapter
    semaphore = asyncio.Semaphore(max(1, options.jobs))
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []

    def interrupted() -> None:
        """Ctrl-C (or SIGTERM): stop now. A submission cut short writes no row (its kernel,
        cancelled while starting, may say anything); a second Ctrl-C does not wait for the
        clean-up."""
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        for task in tasks:
            task.cancel()

    async def one(sub: _Submission):
        earlier = (graded or {}).get(_file_key(str(sub.path)))
        if earlier is not None and earlier[0] == sub.sha256:
            rows = [dataclasses.replace(r, id=ids[sub.path]) for r in earlier[1]]
        else:
            async with semaphore:
                start = time.perf_counter()
                rows = await _grade_one(sub.path, sub.nb, sub.error, detected[sub.path],
                                        expected, options)
                for row in rows:
                    row.seconds = time.perf_counter() - start
                    row.id = ids[sub.path]
                    row.sha256 = sub.sha256
                    row.solution_viewed = sub.solution_viewed
            if stop.is_set():
                raise asyncio.CancelledError
            if on_rows is not None:
                on_rows(rows)  # on disk before the submission is counted done
        bar.update(clean_text(sub.path.stem))
        return rows

    handled = _own_signals(loop, interrupted)
    try:
        tasks.extend(asyncio.ensure_future(one(s)) for s in read)
        everything = asyncio.gather(*tasks)
        waiting = asyncio.ensure_future(stop.wait())
        await asyncio.wait([everything, waiting], return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            everything.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(everything), 30)  # kernels shut down
            return None
        waiting.cancel()
        results = everything.result()
    finally:
        if handled:
            _release_signals(loop)
    return [row for rows in results for row in rows]


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM")
                      if hasattr(signal, name))


def _own_signals(loop, callback) -> bool:
    """Ctrl-C and SIGTERM call ``callback`` for the whole class. nbclient adds its own
    handlers for each kernel (they shut that kernel down and let grading go on, recording an
    error for it) and, when the kernel is done, puts back the default ones; so the loop
    ignores its requests for these signals while the grader holds them. False where the loop
    cannot handle signals (Windows, a thread other than the main one)."""
    try:
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, callback)
    except (NotImplementedError, RuntimeError, ValueError):
        return False
    add, remove = loop.add_signal_handler, loop.remove_signal_handler

    def add_signal_handler(sig, handler, *args):
        return None if sig in _STOP_SIGNALS else add(sig, handler, *args)

    def remove_signal_handler(sig):
        return False if sig in _STOP_SIGNALS else remove(sig)

    loop.add_signal_handler = add_signal_handler
    loop.remove_signal_handler = remove_signal_handler
    return True


def _release_signals(loop) -> None:
    for name in ("add_signal_handler", "remove_signal_handler"):
        with contextlib.suppress(AttributeError):
            delattr(loop, name)
    for sig in _STOP_SIGNALS:
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(sig)


def grade(submissions, *, options: Options | None = None, progress: bool | None = None,
          stream=None, on_rows=None, graded=None) -> list[Row]:
    """Grade notebooks (files or folders); the rows, in submission order.

    Everything the grader writes in the rows (the checker's feedback and its own notes) is
    in ``options.lang``, or in adkernel's language setting when that is None.
    ``on_rows(rows)`` is called with each submission's rows as soon as they are graded (a
    :class:`CsvJournal`'s ``add``). ``graded`` (from :func:`read_graded`) holds rows of an
    earlier run: a file whose path and SHA-256 are there is not run again, its rows are
    reused (and not passed to ``on_rows``: the journal starts with them).
    """
    options = options or Options()
    lang = normalise_language(options.lang) or get_language()
    options = dataclasses.replace(options, lang=lang)
    with language(lang):
        problem = _sandbox.check_exercises()
        if problem:
            raise GradingRefused(problem)
        if options.sandbox and _sandbox.unavailable():
            raise GradingRefused(_("the sandbox is not available: {why}").format(
                why=_sandbox.unavailable()))
        if not options.sandbox and options.jobs > 1:
            raise GradingRefused(_jobs_unsandboxed())
        paths = find_submissions(submissions)
        bar = ProgressBar(len(paths), stream=stream, enabled=progress)
        with tempfile.TemporaryDirectory(prefix="adkernel-exercises-") as copy:
            if options.sandbox:
                options = dataclasses.replace(
                    options, stripped_exercises=str(_sandbox.stripped_exercises(Path(copy))))
            try:
                rows = asyncio.run(_grade_all(paths, options, bar, on_rows, graded))
            finally:
                bar.close()
        if rows is None:  # Ctrl-C: the rows of the finished submissions went to on_rows
            raise KeyboardInterrupt
        return rows


class GradingRefused(RuntimeError):
    """The grader will not start: the exercise modules were edited, or the sandbox it was
    asked for cannot run here (the message says what to do)."""


def _jobs_unsandboxed() -> str:
    return _("without the sandbox one submission can reach another's kernel while both run: "
             "grade one at a time (--jobs 1)")


_RISK = lazy(
    "warning: grading WITHOUT the sandbox (--no-sandbox). Learner code runs with your rights: "
    "it can read your files and environment, edit the installed checker for later "
    "submissions, reach the network, leave processes behind and change the CSV after the "
    "run. Do this only in a throw-away container or account holding nothing else.")


def exit_code(rows: list[Row]) -> int:
    """0 when every row was graded, 1 when some row is ``error`` or ``timed out``."""
    return 0 if all(r.state in GRADED for r in rows) else 1


# -- output ---------------------------------------------------------------------------------
# Everything a learner controls (file names, exception messages, feedback quoting their
# values) reaches the teacher's terminal and spreadsheet. Escape sequences could redraw the
# terminal (move the cursor, rewrite other rows, set the title, hide text), control and bidi
# characters could reorder or hide what is shown, and a cell starting with ``=`` is a
# formula to a spreadsheet. So the text is cleaned on the way out.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor moves, erase (cut short too)
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC...
    r"|\x1b[ -/]*[0-~]?"  # any other escape (ESC c, ESC 7, ESC ( 0, ...)
)
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI}]")  # C0 but \n, DEL, C1, bidi
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text) -> str:
    """``text`` without escape sequences (ANSI CSI and OSC, C1), control characters (tabs
    become spaces, line ends ``\n``) and bidirectional overrides: safe to print and to
    store."""
    text = str(text).replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _ESCAPES.sub("", text).replace("\t", " ").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def csv_cell(text) -> str:
    """A text cell for the CSV: cleaned, and a leading ``= + - @``, tab or CR neutralised
    with a ``'`` as OWASP recommends (a spreadsheet shows it as text, never as a formula).
    A lone ``-`` (no exercise) is left as it is."""
    text = clean_text(text)
    if text.strip() != "-" and text.lstrip(" \n").startswith(_FORMULA_START):
        return "'" + text
    return text


def _uncell(text: str) -> str:
    """What :func:`csv_cell` was given (for the cells ``--resume`` reads back)."""
    if text.startswith("'") and text[1:].lstrip(" \n").startswith(_FORMULA_START):
        return text[1:]
    return text


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _one_line(text: str, limit: int) -> str:
    """``text`` on one line, cleaned, cut to at most ``limit`` terminal columns."""
    text = " ".join(clean_text(text).split())
    if _width(text) <= limit:
        return text
    out, used = [], 1
    for ch in text:
        used += _width(ch)
        if used > limit:
            break
        out.append(ch)
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _who(row: Row) -> str:
    """The learner, and the id that tells them apart when the name is shared."""
    if row.id and row.id != row.learner:
        return _("{learner} ({id})").format(learner=row.learner, id=row.id)
    return row.learner


def format_table(rows: list[Row], feedback_width: int = 70) -> str:
    """The rows as a table for a terminal, in the current language (text cleaned of escape
    sequences and control characters)."""
    head = (_("learner"), _("chapter"), _("exercise"), _("state"), _("feedback"))
    body = [
        tuple(_one_line(c, 10_000) for c in (
            _who(r), r.chapter, r.exercise, str(STATE_NAMES.get(r.state, r.state)),
            "" if r.state == CORRECT else _one_line(r.feedback, feedback_width)))
        for r in rows
    ]
    widths = [max([_width(h)] + [_width(b[i]) for b in body]) for i, h in enumerate(head)]
    widths = [min(w, 40) for w in widths[:4]] + [widths[4]]

    def line(cells):
        return "  ".join(_pad(_one_line(c, w), w) for c, w in zip(cells, widths, strict=True))

    out = [line(head).rstrip(), line(["-" * w for w in widths])]
    out.extend(line(b).rstrip() for b in body)
    counts = Counter(r.state for r in rows)
    learners = len({(r.learner, r.file) for r in rows})
    out.append("")
    tally = _(", ").join(
        _("{count} {state}").format(count=counts.get(s, 0), state=STATE_NAMES[s]) for s in STATES)
    out.append(_("{submissions} submission(s), {rows} row(s): {tally}").format(
        submissions=learners, rows=len(rows), tally=tally))
    return "\n".join(out)


def _csv_text(rows: list[Row], header: bool = False) -> str:
    """The rows as CSV text: text cells quoted and neutralised (:func:`csv_cell`), the
    number columns plain numbers."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC)
    if header:
        writer.writerow(CSV_FIELDS)
    for r in rows:
        values = r.as_dict()
        writer.writerow([round(float(values[k]), 2) if k in NUMBER_FIELDS else csv_cell(values[k])
                         for k in CSV_FIELDS])
    return buf.getvalue()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_csv(rows: list[Row], path) -> None:
    """Write the rows to ``path`` at once: a temporary file next to it, flushed to the disk,
    then renamed over it (a reader never sees half a file)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        _write_all(fd, _csv_text(rows, header=True).encode("utf-8"))
        os.fsync(fd)
        os.close(fd)
        fd = -1
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def partial_path(path) -> Path:
    """Where a run writes its rows while it grades: ``results.csv.partial`` next to
    ``results.csv``. A run that is killed leaves it behind, holding every finished row."""
    path = Path(path)
    return path.with_name(path.name + ".partial")


class CsvJournal:
    """The rows on disk as soon as each submission is graded.

    The partial file (:func:`partial_path`) starts with the rows carried over from an
    earlier run (``--resume``), written whole and renamed into place; then each submission's
    rows are appended in one write and flushed to the disk (``fsync``). :meth:`finish` writes
    the finished CSV (in submission order) with :func:`write_csv` and removes the partial
    file. A run killed in between (SIGKILL, a power cut, Ctrl-C) leaves every finished row in
    the partial file, which ``--resume`` reads.
    """

    def __init__(self, path, carried: list[Row] = ()) -> None:
        self.path = Path(path)
        self.partial = partial_path(self.path)
        write_csv(list(carried), self.partial)
        self._fd = os.open(self.partial, os.O_WRONLY | os.O_APPEND)

    def add(self, rows: list[Row]) -> None:
        if rows:
            _write_all(self._fd, _csv_text(rows).encode("utf-8"))
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def finish(self, rows: list[Row]) -> None:
        self.close()
        write_csv(rows, self.path)
        with contextlib.suppress(FileNotFoundError):
            self.partial.unlink()
        _sync_folder(self.path.parent)


def _file_key(file: str) -> str:
    return os.path.normcase(os.path.abspath(file))


def read_graded(path) -> dict[str, tuple[str, list[Row]]]:
    """What earlier runs graded: ``{absolute file path: (sha256, rows)}`` from the CSV at
    ``path`` and, later rows winning, its partial file. Rows without a hash (a CSV from an
    older adkernel), cut short or with an unknown state are left out: their files are graded
    again."""
    graded: dict[str, tuple[str, list[Row]]] = {}
    for source in (Path(path), partial_path(path)):
        try:
            raw = source.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        blocks: list[tuple[str, str, list[Row]]] = []
        spoiled: set[str] = set()  # files with a row that cannot be read: graded again
        cut = not raw.endswith("\n")  # the last write was cut short
        tail = ""  # the file of an unreadable last row ("?": not known)
        try:
            for record in csv.DictReader(io.StringIO(raw, newline="")):
                row = _row_from_csv(record)
                file = record.get("file")
                if row is None:
                    tail = _file_key(_uncell(file)) if isinstance(file, str) and file else "?"
                    if tail != "?":
                        spoiled.add(tail)
                    continue
                tail = ""
                key = _file_key(row.file)
                if blocks and blocks[-1][0] == key and blocks[-1][1] == row.sha256:
                    blocks[-1][2].append(row)
                else:
                    blocks.append((key, row.sha256, [row]))
        except csv.Error:
            cut, tail = True, "?"
        if blocks and cut and (not tail or tail in ("?", blocks[-1][0])):
            blocks.pop()  # the last submission's rows may be incomplete
        for key, sha, rows in blocks:
            if key not in spoiled:
                graded[key] = (sha, rows)
    return graded


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _row_from_csv(record: dict) -> Row | None:
    if None in record or any(record.get(k) is None for k in CSV_FIELDS):
        return None
    values = {k: _uncell(record[k]) for k in CSV_FIELDS if k not in NUMBER_FIELDS}
    if values["state"] not in STATES or not _SHA256.fullmatch(values["sha256"]):
        return None
    try:
        seconds = float(record["seconds"])
    except ValueError:
        return None
    return Row(values["learner"], values["chapter"], values["exercise"], values["state"],
               values["feedback"], values["file"], seconds, values["id"],
               values["solution_viewed"], values["sha256"])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help=lazy("notebooks (.ipynb) or folders holding them"))
    parser.add_argument("--csv", metavar="FILE",
                        help=lazy("also write the rows to FILE (CSV, UTF-8)"))
    parser.add_argument("--lang", choices=("en", "zh"), default=None,
                        help=lazy("language of everything the grader prints and writes, the "
                                  "feedback included (default: adkernel's setting: "
                                  "ADKERNEL_LANG, then the locale, else en)"))
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                        help=lazy("kernels running at once (default: 1)"))
    parser.add_argument("--chapter", default="auto", metavar="CHAPTER",
                        help=lazy("chNN: grade as this chapter; auto (default): the chapter most "
                                  "submissions have; each: every submission as its own "
                                  "chapter"))
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT,
                        metavar="S", help=lazy("seconds per cell (default: %(default)g)"))
    parser.add_argument("--timeout", type=float, default=DEFAULT_NOTEBOOK_TIMEOUT, metavar="S",
                        help=lazy("seconds per notebook (default: %(default)g)"))
    parser.add_argument("--check-timeout", type=float, default=DEFAULT_CHECK_TIMEOUT,
                        metavar="S", help=lazy("seconds a check may spend in learner code "
                                               "(default: %(default)g)"))
    parser.add_argument("--kernel", default="python3",
                        help=lazy("kernel to run the submissions in (default: python3, the one "
                                  "of this Python; the notebooks' own kernelspec is ignored)"))
    parser.add_argument("--learner-from", choices=LEARNER_FROM, default="stem",
                        help=lazy("who a submission belongs to: its file stem (default), its "
                                  "folder, or the student folder of nbgrader's "
                                  "submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb"))
    parser.add_argument("--exercises", metavar="FILE.py", default=None,
                        help=lazy("grade against your own exercise module (see "
                                  "docs/teaching.md) instead of the course's chapters"))
    parser.add_argument("--resume", action="store_true",
                        help=lazy("with --csv: keep the rows of an earlier or interrupted run "
                                  "(FILE and FILE.partial) and grade only the files that are "
                                  "new or changed since (same path and content hash: skipped)"))
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                        help=lazy("run the kernels without bubblewrap (only where the sandbox "
                                  "cannot run; learner code then runs with your rights: see "
                                  "`docs/teaching.md#sandbox`)"))
    parser.add_argument("--memory", type=_size, default=_sandbox.Limits.memory, metavar="SIZE",
                        help=lazy("memory (address space) per kernel in the sandbox, like 2G or "
                                  "1500M (default: 2G)"))
    parser.add_argument("--max-processes", type=int, default=_sandbox.Limits.processes,
                        metavar="N", help=lazy("processes per kernel in the sandbox "
                                               "(default: %(default)s)"))
    parser.add_argument("--max-file-size", type=_size, default=_sandbox.Limits.file_size,
                        metavar="SIZE", help=lazy("largest file a kernel may write in the "
                                                  "sandbox (default: 256M)"))
    parser.add_argument("--quiet", "-q", action="store_true",
                        help=lazy("no progress bar and no table (use with --csv)"))


def _size(text: str) -> int:
    """``2G``, ``1500M``, ``512K`` or a number of bytes."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    text = str(text).strip().upper().removesuffix("B").removesuffix("I")
    try:
        if text and text[-1] in units:
            value = float(text[:-1]) * units[text[-1]]
        else:
            value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a size: {text!r} (write it like 2G or 1500M)").format(text=text)) from None
    if value < 1024**2:
        raise argparse.ArgumentTypeError(_("too small: {text!r} (at least 1M)").format(
            text=text))
    return int(value)


def run(args) -> int:
    """The ``grade`` subcommand, in the language of ``--lang`` (or adkernel's setting)."""
    with language(normalise_language(args.lang) or get_language()):
        return _run(args)


def _run(args) -> int:
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError:
        print(_("error: grading needs nbclient and nbformat: pip install "
                "'adkernel[teach]'"), file=sys.stderr)
        return 2
    keys = set(_chapter_keys())
    if args.chapter not in keys | {"auto", "each"}:
        print(_("error: --chapter must be auto, each or one of {chapters}, not {chapter!r}")
              .format(chapters=", ".join(sorted(keys)), chapter=args.chapter), file=sys.stderr)
        return 2
    if args.jobs < 1 or min(args.cell_timeout, args.timeout, args.check_timeout,
                            args.max_processes) <= 0:
        print(_("error: --jobs, --max-processes and the time limits must be positive"),
              file=sys.stderr)
        return 2
    problem = _sandbox.check_exercises()
    if problem:
        print(_("error: {message}").format(message=problem), file=sys.stderr)
        return 2
    if args.sandbox and _sandbox.unavailable():
        print(_("error: the sandbox is not available: {why}.\nGrading runs each notebook in "
                "a sandbox so that learner code cannot read your files or change grades. Fix "
                "the cause above, or grade one notebook at a time without it: --no-sandbox "
                "--jobs 1 (read the risk in `docs/teaching.md#sandbox`)").format(
                    why=_sandbox.unavailable()), file=sys.stderr)
        return 2
    if not args.sandbox:
        print(_RISK, file=sys.stderr)
        if args.jobs > 1:
            print(_("error: {message}").format(message=_jobs_unsandboxed()), file=sys.stderr)
            return 2
    try:
        paths = find_submissions(args.submissions)
    except FileNotFoundError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 2
    if not paths:
        print(_("error: no .ipynb files found in {paths}").format(
            paths=", ".join(args.submissions)), file=sys.stderr)
        return 2
    teacher = None
    if args.exercises:
        try:
            teacher = load_exercises(args.exercises)
        except ExercisesError as exc:
            print(_("error: {message}").format(message=exc), file=sys.stderr)
            return 2
    options = Options(chapter=args.chapter, lang=get_language(), cell_timeout=args.cell_timeout,
                      notebook_timeout=args.timeout, check_timeout=args.check_timeout,
                      kernel=args.kernel, jobs=args.jobs, learner_from=args.learner_from,
                      exercises=teacher, sandbox=args.sandbox,
                      limits=_sandbox.Limits(memory=args.memory, processes=args.max_processes,
                                             file_size=args.max_file_size))
    names = Counter(learner_name(p, args.learner_from) for p in paths)
    shared = sorted(clean_text(n) for n, k in names.items() if k > 1)
    if shared:
        print(_("note: several submissions share the learner name {names}; each gets its own "
                "id, its path relative to the folder of all submissions (the id column of the "
                "CSV, in brackets in the table; see --learner-from)").format(
                    names=", ".join(shared[:5])), file=sys.stderr)
    return _grade_to(paths, options, args)


def _grade_to(paths: list[Path], options: Options, args) -> int:
    """Grade, each submission's rows on disk as soon as they are known (with ``--csv``)."""
    journal = None
    graded = None
    if args.csv:
        partial = partial_path(args.csv)
        if args.resume:
            graded = read_graded(args.csv)
        elif partial.exists():
            print(_("error: {partial} holds the rows of a run that did not finish: add "
                    "--resume to keep them and grade the rest, or delete it to start again")
                  .format(partial=partial), file=sys.stderr)
            return 2
    elif args.resume:
        print(_("error: --resume needs --csv FILE (the rows to resume from)"), file=sys.stderr)
        return 2
    if graded:
        # the rows kept: files still handed in, unchanged (same path, same content hash)
        current = {_file_key(str(p)): p for p in paths}
        same = [key for key in current if key in graded
                and graded[key][0] == _sha256_of(current[key])]
        carried = [r for key in same for r in graded[key][1]]
        graded = {key: graded[key] for key in same}
        if same:
            print(_("--resume: {count} submission(s) already graded in {path} are not run "
                    "again").format(count=len(same), path=args.csv), file=sys.stderr)
    else:
        carried = []
    try:
        if args.csv:
            journal = CsvJournal(args.csv, carried)
        rows = grade(paths, options=options, progress=False if args.quiet else None,
                     on_rows=journal.add if journal else None, graded=graded)
        if journal:
            journal.finish(rows)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # after the ^C the terminal shows
        if journal:
            journal.close()
            print(_("interrupted: every finished row is in {partial}; run the same command "
                    "with --resume to grade the rest").format(partial=journal.partial),
                  file=sys.stderr)
        else:
            print(_("interrupted"), file=sys.stderr)
        return 130
    except OSError as exc:
        if journal:
            journal.close()
        print(_("error: cannot write the rows ({error})").format(error=exc), file=sys.stderr)
        return 2
    if not args.quiet:
        print(format_table(rows))
    if args.csv and not args.quiet:
        print(_("rows written to {path}").format(path=args.csv), file=sys.stderr)
    return exit_code(rows)


def _sha256_of(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with cli_language(argv):  # --help and usage errors in the language asked for, too
        parser = ArgumentParser(prog="python -m adkernel grade")
        add_arguments(parser)
        return run(parser.parse_args(argv))
