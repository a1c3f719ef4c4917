"""``python -m adkernel run-tf NOTEBOOK...``: try a TensorFlow notebook on adkernel.

Each notebook's code cells run one by one in a fresh Jupyter kernel with
``import tensorflow as tf`` replaced by ``from adkernel import tf``, a time limit per
cell, matplotlib drawing off-screen, and numpy functions on tensors leaving the tape as in
TensorFlow (:func:`adkernel.set_numpy_leaves_tape`); the report says cell by cell what ran and what
failed, and why. A name adkernel does not have points to docs/tf-compat.md. The notebook
file itself is never changed.

Shell commands never run, in two layers: each cell is read the way IPython reads it
(:class:`IPython.core.inputtransformer2.TransformerManager`), and a shell command there
(``!cmd``, ``x = !cmd``, ``%sx``, ``%system``, ``%pip``, ``%conda``, ``%%bash``,
``%%script``, ``get_ipython().system(...)``...) is left out, or the whole cell when its
result is used; in the kernel, :mod:`adkernel._shell_guard` makes every IPython route to a
shell raise, for the forms no reading can see. A cell that runs too long is interrupted, a
kernel that dies is replaced by a fresh one for the rest of the notebook, and a file that
is not a notebook is a row of the report: the run goes on.
"""

from __future__ import annotations

import ast
import json
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from ._argparse import ArgumentParser, cli_language
from ._escape import printable
from ._shell_guard import ALIASES, SHELL_API, SHELL_CELL_MAGICS, SHELL_LINE_MAGICS
from .engine.i18n import _, get_language, language, lazy, normalise_language

__all__ = ["CellResult", "NotebookReport", "Rewrite", "main", "rewrite_source",
           "run_notebook", "start_kernel"]

_IMPORTS = [
    (re.compile(r"^(\s*)import\s+tensorflow\s+as\s+(\w+)\s*$"), r"\1from adkernel import tf as \2"),
    (re.compile(r"^(\s*)import\s+tensorflow\s*$"), r"\1from adkernel import tf as tensorflow"),
    (re.compile(r"^(\s*)from\s+tensorflow\s+import\s+keras\s*$"),
     r"\1from adkernel.tf import keras"),
    (re.compile(r"^(\s*)from\s+tensorflow\s+import\s+(.+)$"), r"\1from adkernel.tf import \2"),
    (re.compile(r"^(\s*)from\s+tensorflow\.keras((?:\.\w+)*)\s+import\s+(.+)$"),
     r"\1from adkernel.keras\2 import \3"),
    (re.compile(r"^(\s*)import\s+keras\s*$"), r"\1from adkernel.tf import keras"),
]
_SETUP = (
    "import os as _os\n"
    "_os.environ.setdefault('MPLBACKEND', 'Agg')\n"
    "_os.environ['ADKERNEL_LANG'] = {lang!r}\n"
    "del _os\n"
    "from adkernel._shell_guard import install as _install\n"
    "_install(get_ipython(), {message!r})\n"
    "del _install\n"
    "from adkernel import set_numpy_leaves_tape as _leave\n"
    "_leave(True)\n"
    "del _leave\n"
)
COMPAT = "docs/tf-compat.md"
OUTPUT_KEPT = 2000  # characters of a cell's printed output kept in the report
INTERRUPT_GRACE = 5  # seconds a timed-out cell has to stop after the interrupt
_GUARD_ERROR = "ShellCommandNotRun"

# Magics whose argument or body is Python code run by IPython (read it too), and cell
# magics whose body is text, not code.
_CODE_LINE_MAGICS = frozenset({"time", "timeit", "prun", "debug", "capture"})
_TEXT_CELL_MAGICS = frozenset({"writefile", "file", "html", "markdown", "latex", "svg",
                               "javascript", "js"})
_MAGIC_CALLS = frozenset({"run_line_magic", "run_cell_magic", "magic"})
_PYTHON_MODULES = frozenset({"os", "subprocess"})  # os.system: Python, left to the sandbox
_AUTOMAGIC_NORMAL = "!=()<>,+*/%^&|"  # IPython runs such a single line as Python


class Rewrite(NamedTuple):
    """What :func:`rewrite_source` makes of one code cell."""

    code: str | None  # what the kernel runs; None: the cell is not run (see ``skip``)
    imports: int  # TensorFlow imports replaced
    shell: int  # shell commands left out
    skip: str = ""  # "shell": nothing but shell commands; "shell output": a result used


def _replace_imports(source: str) -> tuple[str, int]:
    lines = []
    replaced = 0
    for line in source.splitlines():
        for pattern, repl in _IMPORTS:
            new = pattern.sub(repl, line)
            if new != line:
                line = new
                replaced += 1
                break
        lines.append(line)
    return "\n".join(lines), replaced


def _transform(source: str) -> str | None:
    """``source`` as IPython's input transformer makes it Python (None: it cannot)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # a malformed cell: the kernel reports it the same way
        return None


def _automagic_shell(transformed: str) -> bool:
    """A single line IPython would run as a shell magic or alias without its ``%``."""
    if len(transformed.splitlines()) != 1:
        return False
    from IPython.core.splitinput import LineInfo

    info = LineInfo(transformed.strip())
    rest = info.the_rest.lstrip()
    # Like IPython's prefilter, but as if no variable shadowed the name (it may, at run time)
    return (info.ifun in SHELL_LINE_MAGICS or info.ifun in ALIASES) and not (
        rest and rest[0] in _AUTOMAGIC_NORMAL)


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _code_has_shell(source: str | None, depth: int = 0) -> bool:
    """Whether IPython code ``source`` (a magic's argument or body) runs a shell command."""
    if source is None or depth > 8:
        return True  # not a literal (or nested absurdly): it cannot be read, so not run
    transformed = _transform(source)
    if transformed is None:
        return False
    if _automagic_shell(transformed):
        return True
    try:
        tree = ast.parse(transformed)
    except SyntaxError:
        return False
    return any(_is_shell_call(n, depth) for n in ast.walk(tree))


def _is_shell_call(node, depth: int = 0) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    attr, owner = node.func.attr, node.func.value
    if attr in SHELL_API:
        return not (isinstance(owner, ast.Name) and owner.id in _PYTHON_MODULES)
    if attr not in _MAGIC_CALLS:
        return False
    if node.keywords or not node.args or any(isinstance(a, ast.Starred) for a in node.args):
        return True
    args = [_literal(a) for a in node.args]
    if args[0] is None:
        return True  # a magic chosen at run time
    if attr == "magic":  # get_ipython().magic('sx ls'), the old spelling
        name, _sep, line = args[0].lstrip("%").partition(" ")
        kind, body = "line", line
    elif attr == "run_line_magic":
        name, kind, body = args[0], "line", args[1] if len(args) > 1 else ""
    else:
        name, kind, body = args[0], "cell", args[2] if len(args) > 2 else ""
    if kind == "line":
        if name in SHELL_LINE_MAGICS:
            return True
        # %time / %timeit -n1 ...: the code comes after the options, wherever they end
        return name in _CODE_LINE_MAGICS and (body is None or any(
            _code_has_shell(body[m.start():], depth + 1)
            for m in re.finditer(r"(?:^|(?<=\s))\S", body)))
    if name in SHELL_CELL_MAGICS:
        return True
    # %%time, %%capture, %%tape...: the body is code IPython reads again
    return name not in _TEXT_CELL_MAGICS and _code_has_shell(body, depth + 1)


def rewrite_source(source: str) -> Rewrite:
    """One code cell as run-tf runs it: TensorFlow imports replaced, shell commands out.

    A shell command that is a statement of its own (``!pip install x``, ``%%bash``,
    ``get_ipython().system(...)``, also inside an ``if`` or a loop) becomes ``pass``; a cell
    that uses a shell command's result (``files = !ls``) is not run at all, nor is a cell
    of shell commands only.
    """
    source, replaced = _replace_imports(source)
    transformed = _transform(source)
    if transformed is None:
        return Rewrite(source, replaced, 0)
    if _automagic_shell(transformed):
        return Rewrite(None, replaced, 1, "shell")
    try:
        tree = ast.parse(transformed)
    except SyntaxError:
        return Rewrite(source, replaced, 0)  # the kernel reports the same SyntaxError
    shell = [n for n in ast.walk(tree) if _is_shell_call(n)]
    if not shell:
        return Rewrite(source, replaced, 0)
    removed: list[ast.stmt] = []

    class _LeaveOut(ast.NodeTransformer):
        def visit_Expr(self, node):
            if _is_shell_call(node.value):
                removed.append(node)
                return ast.copy_location(ast.Pass(), node)
            return self.generic_visit(node)

    top = list(tree.body)
    tree = ast.fix_missing_locations(_LeaveOut().visit(tree))
    if len(removed) < len(shell):
        return Rewrite(None, replaced, len(shell), "shell output")
    if all(stmt in removed for stmt in top):
        return Rewrite(None, replaced, len(shell), "shell")
    return Rewrite(ast.unparse(tree), replaced, len(shell))


@dataclass
class CellResult:
    index: int  # position among the notebook's code cells (0-based)
    # "ok", "failed", "empty", "skipped" (shell commands), "timed out", "kernel died"
    status: str
    first_line: str
    error: str = ""
    hint: str = ""
    output: str = ""  # the first OUTPUT_KEPT characters the cell printed
    output_dropped: int = 0  # characters printed beyond those, not kept


_FAILED = ("failed", "timed out", "kernel died")


@dataclass
class NotebookReport:
    path: str
    cells: list[CellResult] = field(default_factory=list)
    imports_replaced: int = 0
    shell_lines: int = 0
    status: str = "ran"  # "ran", "not a notebook", "no kernel"
    error: str = ""

    @property
    def ran(self) -> int:
        return sum(c.status == "ok" for c in self.cells)

    @property
    def total(self) -> int:
        return sum(c.status == "ok" or c.status in _FAILED for c in self.cells)

    @property
    def all_ran(self) -> bool:
        return self.status == "ran" and self.ran == self.total

    def text(self) -> str:
        """The report for a terminal, in the current language."""
        path = printable(self.path)
        if self.status == "not a notebook":
            return _("{path}: not a notebook ({reason})").format(path=path,
                                                                   reason=self.error)
        if self.status == "no kernel":
            return _("{path}: not run, the kernel could not be started ({reason})").format(
                path=path, reason=self.error)
        if self.shell_lines:
            head = _("{path}: {ran} of {total} code cells ran on adkernel ({imports} TensorFlow "
                     "import(s) replaced, {shell} shell line(s) not run)")
        else:
            head = _("{path}: {ran} of {total} code cells ran on adkernel ({imports} TensorFlow "
                     "import(s) replaced)")
        out = [head.format(path=path, ran=self.ran, total=self.total,
                           imports=self.imports_replaced, shell=self.shell_lines)]
        marks = {c.status: str(_MARKS.get(c.status, _MARKS["failed"])) for c in self.cells}
        width = max([6, *(_width(m) for m in marks.values())])
        for c in self.cells:
            if c.status == "empty":
                continue
            out.append(f"  [{c.index:3d}] {_pad(marks[c.status], width)} "
                       f"{printable(c.first_line)}")
            if c.error:
                out.append(f"          {printable(c.error)}")
            if c.hint:
                out.append(f"          -> {c.hint}")
        return "\n".join(out)


_MARKS = {"ok": lazy("ok"), "skipped": lazy("skip"), "failed": lazy("FAILED"),
          "timed out": lazy("TIMEOUT"), "kernel died": lazy("DIED")}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _hint(ename: str, evalue: str) -> str:
    # The errors are in the kernel's language: recognise them by what translation keeps
    # (exception class names, adkernel's names, the quoted attribute, the docs' path).
    missing = re.search(r"has no attribute '(\w+)'", evalue)
    if missing is None and COMPAT in evalue:
        missing = re.search(r"'(\w+)'", evalue)
    if ename == "AttributeError" and missing and ("adkernel" in evalue or "namespace" in evalue):
        return _("adkernel has no {name!r} here: see {compat} for what is covered and what to "
                 "use instead").format(name=missing.group(1), compat=COMPAT)
    if ename == "OutOfScopeError" or "out of adkernel's scope" in evalue:
        return _("out of adkernel's scope by design ({compat})").format(compat=COMPAT)
    if ename in ("NotImplementedError",):
        return _("an option adkernel refuses rather than ignoring ({compat})").format(
            compat=COMPAT)
    if ename == "ModuleNotFoundError":
        return _("a package this environment does not have")
    return ""


def _first_line(source: str) -> str:
    for line in source.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            return s[:70]
    return source.strip().splitlines()[0][:70] if source.strip() else ""


def start_kernel(kernel_name: str, cwd: str, *, sandbox: bool = True, lang: str = "en"):
    """Start one run-tf kernel; return ``(manager, client)``, ready for cells.

    The only place run-tf starts a kernel (at the start of a notebook and after a kernel
    died or would not stop). With ``sandbox`` (the default) the kernel runs in the grader's
    bubblewrap sandbox (:mod:`adkernel._sandbox`): read-only system, a private empty home
    as its working folder, no network, no view of other processes, an allow-listed
    environment, memory and process limits; ``os.system`` or ``subprocess`` in a tutorial
    touch nothing. Without it the kernel runs in ``cwd`` with your rights. Raises
    ``jupyter_client.kernelspec.NoSuchKernel`` for an unknown name, ``RuntimeError``
    when the kernel does not come up.
    """
    from jupyter_client.manager import KernelManager

    if sandbox:
        from . import _sandbox

        run = tempfile.mkdtemp(prefix="adkernel-run-tf-k-")
        km = _sandbox.kernel_manager(kernel_name, _sandbox.Sandbox(run), blocking=True)
        km._adkernel_run = run  # removed with the kernel (_stop_kernel)
        env = _sandbox.kernel_env({"ADKERNEL_LANG": lang, "MPLBACKEND": "Agg"})
        try:
            km.start_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except BaseException:
            shutil.rmtree(run, ignore_errors=True)
            raise
    else:
        km = KernelManager(kernel_name=kernel_name)
        km.start_kernel(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
    except BaseException:
        _stop_kernel(km, kc)
        raise
    return km, kc


def _stop_kernel(km, kc) -> None:
    try:
        kc.stop_channels()
    finally:
        try:
            if km.has_kernel:
                km.shutdown_kernel(now=True)
        finally:
            run = getattr(km, "_adkernel_run", None)
            if run:
                shutil.rmtree(run, ignore_errors=True)


class _Outcome(NamedTuple):
    status: str  # "done", "timed out", "kernel died"
    ename: str = ""
    evalue: str = ""
    output: str = ""
    dropped: int = 0
    stopped: bool = True  # after a timeout: the interrupt stopped the cell


def _exit_code(km):
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return getattr(process, "returncode", None)


def _execute(km, kc, code: str, timeout: float) -> _Outcome:
    """Run ``code``; only its first error and OUTPUT_KEPT characters of output are kept."""
    msg_id = kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
    kept: list[str] = []
    room, dropped = OUTPUT_KEPT, 0
    ename = evalue = ""
    deadline = time.monotonic() + timeout
    interrupted = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            if interrupted:  # the interrupt did not stop it either
                return _Outcome("timed out", output="".join(kept), dropped=dropped,
                                stopped=False)
            interrupted = True
            km.interrupt_kernel()
            deadline = time.monotonic() + INTERRUPT_GRACE
            continue
        try:
            msg = kc.get_iopub_msg(timeout=min(left, 0.5))
        except queue.Empty:
            if not km.is_alive():
                return _Outcome("kernel died", evalue=str(_exit_code(km)),
                                output="".join(kept), dropped=dropped)
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg.get("msg_type"), msg.get("content", {})
        if kind == "stream":
            text = content.get("text", "")
            kept.append(text[:room])
            dropped += max(0, len(text) - room)
            room = max(0, room - len(text))
        elif kind == "error" and not ename:
            ename = str(content.get("ename", ""))[:200]
            evalue = str(content.get("evalue", ""))[:2000]
        elif kind == "status" and content.get("execution_state") == "idle":
            break
    if interrupted:
        return _Outcome("timed out", output="".join(kept), dropped=dropped)
    return _Outcome("done", ename, evalue, "".join(kept), dropped)


def run_notebook(path, timeout: int = 60, kernel_name: str = "python3",
                 lang: str | None = None, *, sandbox: bool = True) -> NotebookReport:
    """Run the notebook at ``path`` on adkernel and return the per-cell report.

    adkernel speaks ``lang`` (``"en"``/``"zh"``; default: adkernel's language setting) in
    the kernel and in the report's hints. A file that is not a notebook, a cell that runs
    longer than ``timeout`` seconds and a kernel that dies are rows of the report. The
    kernel runs in the bubblewrap sandbox unless ``sandbox`` is False (see
    :func:`start_kernel`).
    """
    lang = normalise_language(lang) or get_language()
    with language(lang):
        return _run_notebook(path, timeout, kernel_name, lang, sandbox)


def _read(path: Path):
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
        cells = nb["cells"]
        if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
            raise ValueError("'cells' is not a list of cells")
        for cell in cells:
            if cell.get("cell_type") == "code" and not isinstance(cell.get("source"), str):
                raise ValueError("a code cell without source")
        return nb, ""
    except (OSError, UnicodeDecodeError) as e:
        return None, _("cannot read it: {error}").format(error=printable(e))
    except Exception as e:  # nbformat's own errors: not JSON, no 'nbformat' or 'cells', ...
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        return None, _("{error}; is it a .ipynb file?").format(error=printable(reason)[:200])


def _run_notebook(path, timeout: int, kernel_name: str, lang: str,
                  sandbox: bool = True) -> NotebookReport:
    try:
        import jupyter_client  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise SystemExit(_(
            "run-tf needs nbclient, nbformat and ipykernel: pip install 'adkernel[run-tf]' "
            "({error})").format(error=e)) from None
    path = Path(path)
    report = NotebookReport(str(path))
    nb, problem = _read(path)
    if nb is None:
        report.status, report.error = "not a notebook", problem
        return report
    sources = [c["source"] for c in nb["cells"] if c.get("cell_type") == "code"]
    rewrites = [rewrite_source(s) for s in sources]
    for r in rewrites:
        report.imports_replaced += r.imports
        report.shell_lines += r.shell
    setup = _SETUP.format(lang=lang, message=_(
        "run-tf does not run shell commands; this one was stopped in the kernel"))
    with tempfile.TemporaryDirectory(prefix="adkernel-run-tf-") as work:
        kernel = _fresh_kernel(kernel_name, work, setup, sandbox, lang)
        if isinstance(kernel, str):
            report.status, report.error = "no kernel", kernel
            return report
        try:
            _run_cells(report, sources, rewrites, kernel, timeout,
                       lambda: _fresh_kernel(kernel_name, work, setup, sandbox, lang))
        finally:
            if kernel:
                _stop_kernel(*kernel)
    return report


def _fresh_kernel(kernel_name: str, work: str, setup: str, sandbox: bool = True,
                  lang: str = "en"):
    """A started kernel with the set-up run, as ``[manager, client]``, or why not (a str)."""
    try:
        km, kc = start_kernel(kernel_name, work, sandbox=sandbox, lang=lang)
    except Exception as e:
        return printable(f"{type(e).__name__}: {e}")[:300]
    outcome = _execute(km, kc, setup, 60)
    if outcome.status != "done" or outcome.ename:
        _stop_kernel(km, kc)
        return printable(f"{outcome.ename or outcome.status}: {outcome.evalue}")[:300]
    return [km, kc]


def _run_cells(report, sources, rewrites, kernel, timeout, restart) -> None:
    """Run the cells in ``kernel`` (a list, replaced in place when the kernel is restarted)."""
    failed_before = False
    for i, (source, rewrite) in enumerate(zip(sources, rewrites, strict=True)):
        first = _first_line(source)
        if not source.strip():
            report.cells.append(CellResult(i, "empty", ""))
            continue
        if rewrite.skip == "shell":
            report.cells.append(CellResult(i, "skipped", first,
                                           hint=_("shell commands are not run")))
            continue
        if rewrite.skip:
            report.cells.append(CellResult(i, "skipped", first, hint=_(
                "uses the result of a shell command, which run-tf does not run: the cell "
                "was not run")))
            continue
        if not kernel:
            new = restart()
            if isinstance(new, str):
                report.cells.append(CellResult(i, "kernel died", first, _(
                    "no kernel to run it: a new one could not be started ({reason})").format(
                        reason=new)))
                failed_before = True
                continue
            kernel[:] = new
        km, kc = kernel
        outcome = _execute(km, kc, rewrite.code, timeout)
        result = CellResult(i, "ok", first, output=outcome.output,
                            output_dropped=outcome.dropped)
        report.cells.append(result)
        if outcome.status == "timed out":
            result.status = "timed out"
            if outcome.stopped:
                result.error = _("no result within {timeout} s: the cell was interrupted"
                                 ).format(timeout=timeout)
            else:
                result.error = _("no result within {timeout} s and the interrupt did not stop "
                                 "it: the cells after it ran in a new kernel").format(
                                     timeout=timeout)
                _stop_kernel(km, kc)
                kernel.clear()
            result.hint = _("if the cell is only slow, give it more time with --timeout")
            failed_before = True
        elif outcome.status == "kernel died":
            result.status = "kernel died"
            result.error = _("the kernel died while running this cell (exit code {code}): "
                             "the cells after it ran in a new kernel").format(
                                 code=outcome.evalue)
            _stop_kernel(km, kc)
            kernel.clear()
            failed_before = True
        elif outcome.ename == _GUARD_ERROR:
            result.status = "skipped"
            result.hint = _("a shell command was stopped in the kernel (run-tf does not run "
                            "them): the rest of the cell did not run")
            report.shell_lines += 1
        elif outcome.ename:
            ename, evalue = outcome.ename, outcome.evalue
            hint = _hint(ename, evalue)
            if ename == "NameError" and failed_before:
                hint = _("probably defined by a cell above that failed")
            result.status, result.hint = "failed", hint
            result.error = f"{ename}: {evalue.splitlines()[0] if evalue else ''}"[:300]
            failed_before = True


def make_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="python -m adkernel run-tf",
        description=lazy("Run TensorFlow notebooks on adkernel and report cell by cell."))
    parser.add_argument("notebooks", nargs="+", help=lazy("the .ipynb files to try"))
    parser.add_argument("--timeout", type=int, default=60, help=lazy("seconds per cell (60)"))
    parser.add_argument("--kernel", default="python3",
                        help=lazy("Jupyter kernel name (python3)"))
    parser.add_argument("--json", action="store_true", help=lazy("print the report as JSON"))
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                        help=lazy("run the kernels without bubblewrap (only where the sandbox "
                                  "cannot run; the notebooks' code then runs with your rights)"))
    parser.add_argument("--lang", choices=("en", "zh"), default=None,
                        help=lazy("language of the report and of adkernel's messages in the "
                                  "notebooks (default: adkernel's setting: ADKERNEL_LANG, then "
                                  "the locale, else en)"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Exit status: 0 every cell of every notebook ran, 1 not (a cell failed, timed out or
    killed its kernel, or a file is not a notebook), 2 a usage error."""
    argv = sys.argv[1:] if argv is None else list(argv)
    with cli_language(argv):  # --help and usage errors in the language asked for, too
        parser = make_parser()
        args = parser.parse_args(argv)
        if args.timeout <= 0:
            parser.error(_("--timeout must be a positive number of seconds"))
        with language(args.lang or get_language()):
            return _main(args, parser)


def _main(args, parser) -> int:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:  # pragma: no cover - reported by run_notebook
        pass
    else:
        try:
            KernelSpecManager().get_kernel_spec(args.kernel)
        except NoSuchKernel:
            parser.error(_("no Jupyter kernel named {name!r} (jupyter kernelspec list shows "
                           "the installed ones)").format(name=args.kernel))
    from . import _sandbox

    if args.sandbox and _sandbox.unavailable():
        print(_("error: the sandbox is not available: {why}").format(
            why=_sandbox.unavailable()), file=sys.stderr)
        print(_("run the notebooks without it only in a throw-away container or account: "
                "--no-sandbox"), file=sys.stderr)
        return 2
    if not args.sandbox:
        print(_("warning: running WITHOUT the sandbox (--no-sandbox): the notebooks' code "
                "(os.system, subprocess, files, network) runs with your rights."),
              file=sys.stderr)
    reports = []
    for p in args.notebooks:
        report = run_notebook(p, args.timeout, args.kernel, sandbox=args.sandbox)
        reports.append(report)
        if not args.json:  # each notebook's report as soon as it is known
            print(("\n" if len(reports) > 1 else "") + report.text(), flush=True)
    if args.json:
        print(json.dumps([{**asdict(r), "ran": r.ran, "total": r.total} for r in reports],
                         indent=1))
    return 0 if all(r.all_ran for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
