"""``python -m adkernel run-tf NOTEBOOK...``: try a TensorFlow notebook on adkernel.

Each notebook's code cells run in a fresh Jupyter kernel (nbclient) with
``import tensorflow as tf`` replaced by ``from adkernel import tf``, a time limit per
cell, and matplotlib drawing off-screen; the report says cell by cell what ran and what
failed, and why. A name adkernel does not have points to docs/tf-compat.md. Shell lines
(``!pip install ...``) are not run. The notebook file itself is never changed.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ._argparse import ArgumentParser, cli_language
from .engine.i18n import _, get_language, language, lazy, normalise_language

__all__ = ["CellResult", "NotebookReport", "main", "rewrite_source", "run_notebook"]

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
_SHELL = re.compile(r"^\s*!")
_SETUP = (
    "import os as _os\n"
    "_os.environ.setdefault('MPLBACKEND', 'Agg')\n"
    "_os.environ['ADKERNEL_LANG'] = %r\n"
    "del _os\n"
)
COMPAT = "docs/tf-compat.md"


def rewrite_source(source: str) -> tuple[str, int, int]:
    """``(new source, imports replaced, shell lines left out)`` for one code cell."""
    lines = []
    replaced = shell = 0
    for line in source.splitlines():
        if _SHELL.match(line):
            lines.append(f"pass  # adkernel run-tf: shell line not run: {line.strip()}")
            shell += 1
            continue
        for pattern, repl in _IMPORTS:
            new = pattern.sub(repl, line)
            if new != line:
                line = new
                replaced += 1
                break
        lines.append(line)
    return "\n".join(lines), replaced, shell


@dataclass
class CellResult:
    index: int  # position among the notebook's code cells (0-based)
    status: str  # "ok", "failed", "empty", "skipped" (only shell lines)
    first_line: str
    error: str = ""
    hint: str = ""


@dataclass
class NotebookReport:
    path: str
    cells: list[CellResult] = field(default_factory=list)
    imports_replaced: int = 0
    shell_lines: int = 0

    @property
    def ran(self) -> int:
        return sum(c.status == "ok" for c in self.cells)

    @property
    def total(self) -> int:
        return sum(c.status in ("ok", "failed") for c in self.cells)

    def text(self) -> str:
        """The report for a terminal, in the current language."""
        if self.shell_lines:
            head = _("{path}: {ran} of {total} code cells ran on adkernel ({imports} TensorFlow "
                     "import(s) replaced, {shell} shell line(s) not run)")
        else:
            head = _("{path}: {ran} of {total} code cells ran on adkernel ({imports} TensorFlow "
                     "import(s) replaced)")
        out = [head.format(path=self.path, ran=self.ran, total=self.total,
                           imports=self.imports_replaced, shell=self.shell_lines)]
        for c in self.cells:
            if c.status == "empty":
                continue
            mark = _pad(str(_MARKS.get(c.status, _MARKS["failed"])), 6)
            out.append(f"  [{c.index:3d}] {mark} {c.first_line}")
            if c.error:
                out.append(f"          {c.error}")
            if c.hint:
                out.append(f"          -> {c.hint}")
        return "\n".join(out)


_MARKS = {"ok": lazy("ok"), "skipped": lazy("skip"), "failed": lazy("FAILED")}


def _pad(text: str, width: int) -> str:
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


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


def _shell_only(source: str) -> bool:
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    return bool(lines) and all(ln.startswith(("!", "#")) for ln in lines) and any(
        ln.startswith("!") for ln in lines)


def _first_line(source: str) -> str:
    for line in source.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            return s[:70]
    return source.strip().splitlines()[0][:70] if source.strip() else ""


def run_notebook(path, timeout: int = 60, kernel_name: str = "python3",
                 lang: str | None = None) -> NotebookReport:
    """Run the notebook at ``path`` on adkernel and return the per-cell report.

    adkernel speaks ``lang`` (``"en"``/``"zh"``; default: adkernel's language setting) in
    the kernel and in the report's hints.
    """
    lang = normalise_language(lang) or get_language()
    with language(lang):
        return _run_notebook(path, timeout, kernel_name, lang)


def _run_notebook(path, timeout: int, kernel_name: str, lang: str) -> NotebookReport:
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise SystemExit(_(
            "run-tf needs nbclient, nbformat and ipykernel: pip install 'adkernel[run-tf]' "
            "({error})").format(error=e)) from None
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    report = NotebookReport(str(path))
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    originals = [c.source for c in code_cells]
    for cell in code_cells:
        cell.source, replaced, shell = rewrite_source(cell.source)
        report.imports_replaced += replaced
        report.shell_lines += shell
        cell.outputs = []
    setup = nbformat.v4.new_code_cell(_SETUP % lang)
    nb.cells.insert(0, setup)
    with tempfile.TemporaryDirectory(prefix="adkernel-run-tf-") as work:
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name,
                                allow_errors=True, resources={"metadata": {"path": work}})
        client.execute()
    failed_before = False
    for i, cell in enumerate(code_cells):
        if not cell.source.strip():
            report.cells.append(CellResult(i, "empty", ""))
            continue
        if _shell_only(originals[i]):
            report.cells.append(CellResult(i, "skipped", _first_line(originals[i]),
                                           hint=_("shell commands are not run")))
            continue
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if errors:
            ename, evalue = errors[0].get("ename", ""), errors[0].get("evalue", "")
            hint = _hint(ename, evalue)
            if ename == "NameError" and failed_before:
                hint = _("probably defined by a cell above that failed")
            report.cells.append(CellResult(i, "failed", _first_line(originals[i]),
                                           f"{ename}: {evalue.splitlines()[0] if evalue else ''}"
                                           [:300], hint))
            failed_before = True
        else:
            report.cells.append(CellResult(i, "ok", _first_line(originals[i])))
    return report


def make_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="python -m adkernel run-tf",
        description=lazy("Run TensorFlow notebooks on adkernel and report cell by cell."))
    parser.add_argument("notebooks", nargs="+", help=lazy("the .ipynb files to try"))
    parser.add_argument("--timeout", type=int, default=60, help=lazy("seconds per cell (60)"))
    parser.add_argument("--kernel", default="python3",
                        help=lazy("Jupyter kernel name (python3)"))
    parser.add_argument("--json", action="store_true", help=lazy("print the report as JSON"))
    parser.add_argument("--lang", choices=("en", "zh"), default=None,
                        help=lazy("language of the report and of adkernel's messages in the "
                                  "notebooks (default: adkernel's setting: ADKERNEL_LANG, then "
                                  "the locale, else en)"))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with cli_language(argv):  # --help and usage errors in the language asked for, too
        args = make_parser().parse_args(argv)
        with language(args.lang or get_language()):
            return _main(args)


def _main(args) -> int:
    reports = [run_notebook(p, args.timeout, args.kernel) for p in args.notebooks]
    if args.json:
        print(json.dumps([{**asdict(r), "ran": r.ran, "total": r.total} for r in reports],
                         indent=1))
    else:
        print("\n\n".join(r.text() for r in reports))
    return 0 if all(r.ran == r.total for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
