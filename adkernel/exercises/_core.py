"""The checker's machinery: the ``____`` placeholder, problems, and safe calls of learner code.

A :class:`Problem` reads the names it needs from the notebook's globals and runs its check
in two halves: *gather* (here, in the kernel: :class:`Context` calls learner code and
writes down what happened as plain data) and *judge* (a pure function of that data, see
:mod:`.judging`). Whatever happens becomes a :class:`Feedback`: the answer right or
wrong, a name still holding ``____``, learner code raising or running past the time limit,
or a bug in the check itself. Nothing escapes into the notebook.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import io
import linecache
import os
import re
import signal
import symtable
import sys
import sysconfig
import threading
import traceback
import types
import warnings

import numpy as np

from .. import _cells
from ..engine.i18n import _
from . import _plain, _progress, _stale
from ._feedback import (
    CORRECT,
    HINT,
    INCORRECT,
    NOT_ATTEMPTED,
    SOLUTION,
    STALE,
    Feedback,
    Fmt,
    lazy,
    show,
    verbatim,
)
from ._plain import _short
from ._settings import settings
from .judging import MSG as JUDGE_MSG
from .judging import Incorrect, NotAttempted

__all__ = [
    "CheckTimeout",
    "Context",
    "Incorrect",
    "NotAttempted",
    "Problem",
    "____",
    "is_blank",
]

MAX_OUTPUT = 1000  # characters of learner output kept while a check runs


# -- the placeholder ----------------------------------------------------------------
class _Blank:
    """``____``: the value a learner replaces. Arithmetic and calls on it give ``____`` back,
    so a starter cell runs untouched and its check says "not attempted yet"."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __call__(self, *args, **kwargs):
        return self

    def _same(self, *args):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __pow__ = __rpow__ = _same
    __matmul__ = __rmatmul__ = __mod__ = __rmod__ = __neg__ = __pos__ = __abs__ = _same
    __getitem__ = _same

    def __index__(self) -> int:
        """``range(____)`` is empty, so a starter loop runs zero times."""
        return 0

    def __reduce__(self):
        return "____"


____ = _Blank()


def _code_uses_blank(code: types.CodeType) -> bool:
    if "____" in code.co_names:
        return True
    return any(isinstance(c, types.CodeType) and _code_uses_blank(c) for c in code.co_consts)


def is_blank(value, _depth: int = 0) -> bool:
    """True when ``value`` is ``____``, contains it, or is a function whose body uses it."""
    if value is ____:
        return True
    if _depth > 3:
        return False
    if isinstance(value, (list, tuple)):
        return any(is_blank(v, _depth + 1) for v in value)
    if isinstance(value, dict):
        return any(is_blank(v, _depth + 1) for v in value.values())
    code = getattr(value, "__code__", None)
    if isinstance(code, types.CodeType) and _code_uses_blank(code):
        return True
    wrapped = getattr(value, "__wrapped__", None)  # a decorated function, e.g. custom_gradient
    if wrapped is not None and wrapped is not value:
        return is_blank(wrapped, _depth + 1)
    return False


# -- outcomes -------------------------------------------------------------------------
class CheckTimeout(BaseException):
    """Raised inside learner code when the time limit is reached (a BaseException, so that
    ``except Exception`` in the learner's code cannot swallow it)."""


# -- messages shared by every chapter -----------------------------------------------
MSG = types.SimpleNamespace(
    undefined=lazy(
        "`{name}` is not defined yet: run the answer cell above first (or fix the error it shows)."
    ),
    setup=lazy(
        "Your code needs `{name}`, which an earlier cell of this notebook defines, but that "
        "cell has not run since the kernel started. Run the cells above (the one that "
        "defines `{name}` among them), then check again."
    ),
    blank=lazy(
        "`{name}` still contains `____`: replace each `____` with your answer, run the cell, "
        "then check again."
    ),
    raised=JUDGE_MSG.raised,
    where=JUDGE_MSG.where,
    timeout=JUDGE_MSG.timeout,
    output=lazy("Your code printed: {text}"),
    internal=lazy(
        "The checker itself failed ({error}). This is a bug in the course, not in your "
        "answer; please report it."
    ),
    progress_corrupt=lazy("Your progress file was damaged and has been replaced ({detail})."),
    progress_failed=lazy(
        "Your progress could not be saved ({detail}); the check itself is not affected."
    ),
    no_more_hints=lazy("There are only {n} hints; `solution()` shows the answer."),
    hint_number=lazy("Hint {k} of {n}"),
    next_hint=lazy("(more: `hint({k})`)"),
    question=lazy("Question {n}"),
)


def to_array(value) -> np.ndarray:
    """A float64 *copy* of a number, list, numpy array or adkernel tensor/variable.

    The learner's object is never cast or modified; strings, ``None`` and non-numeric
    objects raise ``TypeError``.
    """
    if value is None or isinstance(value, (str, bytes)) or is_blank(value):
        raise TypeError(type(value).__name__)
    numpy_method = getattr(value, "numpy", None)
    if callable(numpy_method):
        value = numpy_method()
    elif isinstance(value, (list, tuple)):
        value = [to_array(v) for v in value]
    arr = np.array(value, dtype=np.float64, copy=True)
    return arr


# -- running learner code ---------------------------------------------------------------
class _Bounded(io.StringIO):
    """A text buffer that keeps only the first MAX_OUTPUT characters."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def write(self, s: str) -> int:
        n = len(s)
        if self.size < MAX_OUTPUT:
            super().write(s[: MAX_OUTPUT - self.size])
        self.size += n
        return n

    def text(self) -> str:
        out = self.getvalue()
        if self.size > MAX_OUTPUT:
            out += _(" … [{n} more characters]").format(n=self.size - MAX_OUTPUT)
        return out


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`CheckTimeout` in the running code after ``seconds``.

    In the main thread (where notebook cells run) a SIGALRM timer interrupts even
    ``time.sleep``; elsewhere an asynchronous exception is injected into this thread.
    The alarm repeats every 0.1 s until the block ends, so a bare ``except:`` in the
    learner's loop does not keep it running.
    """
    active = [True]
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):

        def on_alarm(signum, frame):
            if active[0]:
                raise CheckTimeout()

        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
        try:
            try:
                yield
            finally:
                active[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        return
    tid = threading.get_ident()
    done = threading.Event()

    def watchdog():
        if done.wait(seconds):
            return
        while active[0] and not done.is_set():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(tid), ctypes.py_object(CheckTimeout)
            )
            if done.wait(0.1):
                break

    thread = threading.Thread(target=watchdog, daemon=True)
    thread.start()
    try:
        try:
            yield
        finally:
            active[0] = False
            done.set()
    finally:
        done.set()
        thread.join()


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY_DIRS = tuple({os.path.abspath(sysconfig.get_paths()[k])
                       for k in ("stdlib", "platstdlib", "purelib", "platlib")})


def _is_library_file(filename: str) -> bool:
    """A file of adkernel (at any depth, e.g. ``adkernel/engine/ops/math.py``), of Python's
    standard library or of an installed package: never the learner's code."""
    path = os.path.abspath(filename)
    return any(os.path.commonpath([path, d]) == d
               for d in (_PACKAGE_DIR, *_LIBRARY_DIRS) if os.path.isabs(filename))


def _learner_line(tb) -> str:
    """The source of the innermost traceback frame of the learner's code (not adkernel's,
    the standard library's or an installed package's)."""
    line = ""
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        with contextlib.suppress(ValueError):  # paths on different drives
            if _is_library_file(filename):
                continue
        text = linecache.getline(filename, lineno, frame.f_globals).strip()
        if text:
            line = text
    return line


def _gradient_hooks():
    try:
        from ..engine import tape as _tape
    except Exception:  # pragma: no cover - engine layout changed
        return None
    hooks = getattr(getattr(_tape, "hooks", None), "on_gradient", None)
    return hooks if isinstance(hooks, list) else None


def gradient_facts(target, tape) -> dict:
    """What one ``tape.gradient(target, ...)`` call was asked, as plain data.

    Read when the call starts (the tape still holds what it recorded), for diagnoses:

    - ``target_serial``: the target tensor's serial number (``None`` if not one tensor);
    - ``target_watched``: the target is itself a tensor the tape watches, i.e. a source
      (``tape.gradient(x, y)``: the arguments swapped);
    - ``target_recorded``: the target is the output of an operation this tape recorded
      (``False``: it was computed outside the ``with`` block, from nothing watched, or it
      is another tensor altogether, such as a global from an earlier cell);
    - ``ops_recorded``: how many operations the tape recorded;
    - ``target_when``: when the target was made, relative to the tape's recording:
      ``"before"`` (e.g. a global from an earlier cell), ``"during"``, ``"after"`` (after
      the ``with`` block), ``"paused"`` (inside ``stop_recording``), or ``None``;
    - ``target_value``: the target's value when it is one tensor holding one number (a
      loss), as a float (NaN and inf too), else ``None``.
    """
    facts = {
        "target_serial": None,
        "target_watched": False,
        "target_recorded": False,
        "ops_recorded": 0,
        "target_when": None,
        "target_value": None,
    }
    try:
        view = tape.view()
        links = [link for link in view.links if link is not None]
        facts["ops_recorded"] = len(links)
        serial = getattr(target, "_serial", None)
        if isinstance(serial, int):
            facts["target_serial"] = serial
            facts["target_watched"] = any(
                getattr(w, "_serial", None) == serial for w in view.watched
            )
            facts["target_recorded"] = any(link[1] == serial for link in links)
            when = view.when(serial)
            facts["target_when"] = when if isinstance(when, str) else None
    except Exception:  # pragma: no cover - an engine without views: no facts
        pass
    facts["target_value"] = _one_number(target)
    return facts


def _one_number(target) -> float | None:
    """The value of a tensor holding one number (any shape of size 1), else None.

    Read from the tensor's storage, not through ``numpy()``: inside a ``tf.function``
    trace that would count as the learner's code reading a value (and trace again).
    """
    if getattr(target, "_serial", None) is None or not hasattr(target, "_value"):
        return None
    try:
        arr = np.asarray(target._value)
        if arr.size != 1 or arr.dtype.kind not in "fiu":
            return None
        return float(arr.reshape(()))
    except Exception:  # a value that cannot be read is no fact
        return None


class Context:
    """The gather half's view of the kernel: safe calls into learner code, as plain data.

    ``ctx.call(fn, *args)`` calls learner code under the time limit and writes down what
    happened as plain data (a dict)::

        {"value": encode(returned value), "output": "what it printed",
         "warnings": [[category, message], ...],
         "gradient_calls": number of tape.gradient calls (None: the engine cannot count),
         "gradients": [gradient_facts of each call],
         "raised": None or {"type", "types" (its classes), "message", "line"},
         "timed_out": bool, "limit": seconds}

    It never raises: what the learner's code raises is data too. After one call ran past
    the time limit, later calls are not made (``"timed_out": True, "skipped": True``), so a
    check never waits twice. ``ctx.run`` gives the same dict and the returned object, for
    a gather that goes on computing with it in the kernel. ``ctx.value(v)`` encodes any
    learner value; ``ctx.also`` holds the problem's optional names (``Problem(also=...)``).
    """

    def __init__(self) -> None:
        self.outputs: list[str] = []
        self.also: dict = {}
        self.timed_out = False
        self.undefined: list[str] = []  # the names of the NameErrors learner code raised

    @staticmethod
    def value(value) -> dict:
        """``value`` as plain data (:func:`._plain.encode`)."""
        return _plain.encode(value)

    def call(self, fn, *args, **kwargs) -> dict:
        """Call learner code; what happened, as plain data (see the class docs)."""
        return self.run(fn, *args, **kwargs)[0]

    def run(self, fn, *args, **kwargs) -> tuple[dict, object]:
        """Like :meth:`call`, and the object ``fn`` returned (None when it did not return)."""
        limit = float(settings.time_limit)
        record = {"value": {"t": "none"}, "output": "", "warnings": [], "gradient_calls": None,
                  "gradients": [], "raised": None, "timed_out": False, "limit": limit}
        if self.timed_out:
            record.update(timed_out=True, skipped=True)
            return record, None
        out = _Bounded()
        counter = [0]
        facts: list = []

        def count(target, tape):
            counter[0] += 1
            facts.append(gradient_facts(target, tape))

        hooks = _gradient_hooks()
        if hooks is not None:
            hooks.append(count)
        value = None
        caught: list = []
        try:
            with (
                warnings.catch_warnings(record=True) as caught,
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(out),
                np.errstate(all="ignore"),
            ):
                warnings.simplefilter("always")
                try:
                    with time_limit(limit):
                        value = fn(*args, **kwargs)
                except CheckTimeout:
                    self.timed_out = True
                    record["timed_out"] = True
                except Exception as exc:
                    record["raised"] = _raised(exc)
                    missing = _undefined_name(exc)
                    if missing:
                        self.undefined.append(missing)
        finally:
            if hooks is not None:
                with contextlib.suppress(ValueError):
                    hooks.remove(count)
            text = out.text()
            if text.strip():
                self.outputs.append(text)
        record["output"] = text
        record["warnings"] = [[w.category.__name__, _short(str(w.message), 1000)]
                              for w in caught[:20]]
        record["gradient_calls"] = counter[0] if hooks is not None else None
        record["gradients"] = facts[:100]
        if not record["raised"] and not record["timed_out"]:
            record["value"] = _plain.encode(value)
        return record, value


def _raised(exc: BaseException) -> dict:
    """What learner code raised, as plain data."""
    try:
        message = str(exc)
    except BaseException:
        message = "?"
    return {
        "type": type(exc).__name__,
        "types": [c.__name__ for c in type(exc).__mro__][:12],
        "message": _short(message, 1000),
        "line": _short(_learner_line(exc.__traceback__), 300),
    }




_NAME_ERROR = re.compile(r"^NameError: name '([A-Za-z_]\w*)' is not defined")


def _undefined_name(exc: BaseException) -> str | None:
    """The name a ``NameError`` says is not defined (None for anything else)."""
    if not isinstance(exc, NameError) or isinstance(exc, UnboundLocalError):
        return None
    name = getattr(exc, "name", None)
    if isinstance(name, str) and name.isidentifier():
        return name
    match = _NAME_ERROR.match(f"NameError: {exc}")
    return match.group(1) if match else None


def course_names(solution: str) -> frozenset:
    """The global names the reference solution reads but does not define: what the course's
    earlier cells (or its set-up cell) define for the answer (``W_start``, ``X``, ``tf``)."""
    try:
        top = symtable.symtable(solution, "<solution>", "exec")
    except (SyntaxError, ValueError):
        return frozenset()
    defined = {sym.get_name() for sym in top.get_symbols()
               if sym.is_assigned() or sym.is_imported() or sym.is_namespace()}
    read: set[str] = set()

    def walk(table, module: bool) -> None:
        for sym in table.get_symbols():
            if not sym.is_referenced():
                continue
            if module or sym.is_global():
                read.add(sym.get_name())
        for child in table.get_children():
            walk(child, False)

    walk(top, True)
    return frozenset(n for n in read - defined if not hasattr(builtins, n) and n != "____")


def setup_missing(problem, namespace, names) -> str | None:
    """The first of ``names`` (from NameErrors) that the course's earlier cells define for
    this problem and that ``namespace`` lacks: a cell above was never run. A name the
    course does not define (a typo such as ``Ww``) is the learner's own error: None."""
    wanted = problem.course_names
    for name in names:
        if name in wanted and name not in namespace:
            return name
    return None


def _cell_missing(problem, namespace, name) -> str | None:
    """When the answer cell that (tried to) set ``name`` last raised a NameError of a name
    an earlier course cell defines: that name."""
    try:
        attempt = _cells.last_attempt(name, namespace)
        if attempt is None or attempt.get("ok") is not False:
            return None
        match = _NAME_ERROR.match(str(attempt.get("error") or ""))
        return setup_missing(problem, namespace, [match.group(1)]) if match else None
    except Exception:  # the record is bookkeeping: when it fails, grade as before
        return None


def numeric_derivative(f, x: float, h: float = 1e-6) -> float:
    """Central difference of a float64 function (the checker's own reference)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numeric_jacobian(f, x, h: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of a float64 numpy function ``f: R^n -> R^m``."""
    x = np.array(x, dtype=np.float64)
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e.reshape(-1)[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))).reshape(-1) / (2 * h))
    return np.stack(cols, axis=1)


# -- problems -----------------------------------------------------------------------------
REGISTRY: dict[str, list] = {}


class Problem:
    """One exercise: ``check()``, ``hint()``, ``hint(2)``, ``solution()``.

    A check runs in two halves (see :mod:`.judging` and :mod:`._plain`):

    ``gather(ctx, *values)``
        runs in the learner's kernel. ``values`` are the notebook names in ``names`` (read
        from the caller's globals, refused while they hold ``____``); it calls the
        learner's functions through ``ctx.call`` on inputs it chooses and returns what it
        saw as plain data (a dict of numbers, strings, lists, dicts; learner values through
        ``ctx.value``).
    ``judge(data)``
        a pure function of that data: returns the success message or raises
        :class:`Incorrect` (``raise wrong(...)``) or :class:`NotAttempted`.

    :meth:`check` runs both, the data passing through JSON in between, exactly as in the
    grader (which runs the gather half in the learner's kernel and the judge half in its
    own process). :meth:`gather` and :meth:`judge` are the two halves on their own.

    Parameters
    ----------
    chapter, number :
        ``"ch02"`` and ``1`` give the key ``"ch02.q1"`` used for progress and grading.
    names :
        The notebook names the answer cell defines, in the order ``gather`` takes them.
    gather, judge :
        The two halves above.
    hints :
        Messages (``lazy(...)`` or ``message(en=..., zh=...)``), shown one at a time; they
        narrow the way, the solution gives it.
    starter, solution :
        The answer cell as the notebook ships it, and filled with the reference solution.
    explanation :
        Shown with the solution: why it is the answer.
    success :
        The message of a correct answer when ``judge`` returns None.
    also :
        Further notebook names the gather half may look at to tell mistakes apart (e.g. the
        tapes of the answer cell). They are optional: read when defined and not ``____``,
        handed to gather as ``ctx.also`` (a dict), never required for a verdict.
    """

    def __init__(
        self,
        chapter,
        number,
        *,
        names,
        hints,
        starter,
        solution,
        gather=None,
        judge=None,
        explanation=None,
        success=None,
        also=(),
        register=True,
    ) -> None:
        if gather is None or judge is None:
            raise TypeError("Problem needs both halves of its check: gather=... and judge=...")
        if not isinstance(chapter, str) or not chapter or not isinstance(number, int):
            raise TypeError("Problem(chapter, number): a chapter name and a question number")
        self.chapter = chapter
        self.number = number
        self.names = tuple(names)
        self._gather = gather
        self._judge = judge
        self.hints = list(hints)
        self.starter = starter.strip("\n")
        self.solution_code = solution.strip("\n")
        self.explanation = explanation
        self.success = success
        self.also = tuple(also)
        if register:
            chapter_list = REGISTRY.setdefault(chapter, [])
            chapter_list[:] = [p for p in chapter_list if p.number != number]
            chapter_list.append(self)

    @property
    def key(self) -> str:
        return f"{self.chapter}.q{self.number}"

    @property
    def course_names(self) -> frozenset:
        """The names the solution takes from the course's earlier cells (:func:`course_names`)."""
        found = self.__dict__.get("_course_names")
        if found is None:
            found = self.__dict__["_course_names"] = course_names(self.solution_code)
        return found

    @property
    def title(self) -> Fmt:
        return MSG.question(n=self.number)

    @property
    def split(self) -> bool:
        """The check is in two halves (always: gather in the kernel, judge anywhere)."""
        return callable(self._gather) and callable(self._judge)

    def __repr__(self) -> str:
        return f"<exercise {self.key}: check(), hint(), hint(2), solution()>"

    # -- the learner-facing calls ------------------------------------------------------
    def check(self, namespace: dict | None = None) -> None:
        """Check the answer and show the result (never raises)."""
        if namespace is None:
            namespace = sys._getframe(1).f_globals
        _stale.install()  # the package was imported before this IPython shell started
        show(self.evaluate(namespace))

    def hint(self, n: int = 1) -> None:
        """Show hint ``n`` (1 first)."""
        show(self.hint_feedback(n))

    def solution(self) -> None:
        """Show the reference solution."""
        show(self.solution_feedback())

    # -- the same, returning Feedback (for tests and tools) ----------------------------
    def evaluate(self, namespace: dict, *, save: bool = True) -> Feedback:
        try:
            envelope = _plain.loads(_plain.dumps(self.gather(namespace)))
        except Exception as exc:  # not plain data: a bug in the gather half
            envelope = {"status": "internal", "error": _short(repr(exc), 200)}
        fb = self.judge(envelope)
        if save and fb.state in (CORRECT, INCORRECT):
            try:
                problem = _progress.record(self.key, fb.state == CORRECT)
                if problem:
                    fb.notes.append(MSG.progress_corrupt(detail=problem))
            except BaseException as exc:  # never let bookkeeping break a check
                fb.notes.append(MSG.progress_failed(detail=f"{type(exc).__name__}: {exc}"))
        return fb

    def gather(self, namespace: dict) -> dict:
        """The gather half, in the kernel: the answer in ``namespace`` as plain data.

        Returns an *envelope*: ``{"key", "status", ...}`` where status is ``"ok"`` (with
        ``"data"``, what ``gather`` returned), ``"undefined"`` or ``"blank"`` (with the
        ``"name"``), ``"setup"`` (learner code, or the answer cell, raised a ``NameError``
        of a name the course's earlier cells define, such as ``W_start``: a cell above never
        ran; ``"name"``), ``"stale"`` (the answer cell raised the last time it ran: ``"name"``,
        ``"cell"``, ``"error"``) or ``"internal"`` (the gather half failed: ``"error"``);
        and ``"outputs"``, what learner code printed. Never raises.
        """
        envelope = {"format": 1, "key": self.key, "status": "ok", "outputs": []}
        ctx = Context()
        try:
            for name in self.names:  # the answer cell needed a cell above that never ran
                missing = _cell_missing(self, namespace, name)
                if missing is not None:
                    envelope.update(status="setup", name=missing)
                    return envelope
            stale = _stale.stale_facts(self, namespace)
            if stale is not None:
                envelope.update(status="stale", **stale)
                return envelope
            values = []
            for name in self.names:
                if name not in namespace:
                    envelope.update(status="undefined", name=name)
                    return envelope
                value = namespace[name]
                if is_blank(value):
                    envelope.update(status="blank", name=name)
                    return envelope
                values.append(_snapshot(value))
            for name in self.also:
                value = namespace.get(name)
                if name in namespace and not is_blank(value):
                    ctx.also[name] = _snapshot(value)
            data = _plain.check(self._gather(ctx, *values))
            missing = setup_missing(self, namespace, ctx.undefined)
            if missing is not None:  # learner code needed a cell above that never ran
                envelope.update(status="setup", name=missing)
            else:
                envelope["data"] = data
        except BaseException as exc:  # a bug in a gather half must not reach the learner
            envelope = {"format": 1, "key": self.key, "status": "internal",
                        "error": _short(repr(exc), 200), "outputs": []}
        envelope["outputs"] = [_short(t, MAX_OUTPUT + 60) for t in ctx.outputs[:5]]
        return envelope

    def judge(self, envelope) -> Feedback:
        """The judge half: the :class:`Feedback` for an envelope from :meth:`gather`.

        A pure function of plain data: no kernel, no learner object. An envelope that is not
        what :meth:`gather` makes gives the "checker failed" feedback, never a verdict.
        """
        title = self.title
        try:
            _plain.check(envelope)
            status = envelope["status"]
            if status == "ok":
                try:
                    message = self._judge(envelope["data"])
                    fb = Feedback(CORRECT, message or self.success or "", title)
                except Incorrect as exc:
                    fb = Feedback(INCORRECT, exc.message, title)
                except NotAttempted as exc:
                    fb = Feedback(NOT_ATTEMPTED, exc.message, title)
            elif status == "undefined":
                fb = Feedback(NOT_ATTEMPTED, MSG.undefined(name=str(envelope["name"])), title)
            elif status == "blank":
                fb = Feedback(NOT_ATTEMPTED, MSG.blank(name=str(envelope["name"])), title)
            elif status == "stale":
                fb = _stale.stale_feedback_of(self, envelope)
            elif status == "setup":
                fb = Feedback(STALE, MSG.setup(name=str(envelope["name"])), title)
            elif status == "internal":
                fb = Feedback(NOT_ATTEMPTED, MSG.internal(error=str(envelope["error"])), title)
            else:
                raise ValueError(f"unknown status {status!r}")
            outputs = envelope.get("outputs") or []
            if outputs:
                text = "\n".join(str(t).strip() for t in outputs)
                fb.notes.append(MSG.output(text=_short(text, MAX_OUTPUT + 60)))
        except Exception as exc:  # a bug in a judge, or data that is not an envelope
            fb = Feedback(NOT_ATTEMPTED, MSG.internal(error=_short(repr(exc), 200)), title)
        return fb

    def hint_feedback(self, n: int = 1) -> Feedback:
        total = len(self.hints)
        try:
            k = int(n)
        except (TypeError, ValueError):
            k = 1
        if not 1 <= k <= total:
            return Feedback(HINT, MSG.no_more_hints(n=total), self.title)
        fb = Feedback(
            HINT,
            self.hints[k - 1],
            verbatim("{q} · {h}")(q=self.title, h=MSG.hint_number(k=k, n=total)),
        )
        if k < total:
            fb.notes.append(MSG.next_hint(k=k + 1))
        return fb

    def solution_feedback(self) -> Feedback:
        return Feedback(SOLUTION, self.explanation or "", self.title, code=self.solution_code)


def _snapshot(value):
    """A copy of learner data, so a check never changes the learner's objects.

    Containers and numpy arrays are copied; tensors are only ever read (``to_array``
    copies their values); functions are called with hidden inputs under the time limit.
    """
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_snapshot(v) for v in value)
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return value
