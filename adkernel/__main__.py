"""``python -m adkernel install-kernel``: a Jupyter kernel that loads adkernel at start.

``python -m adkernel run-tf NOTEBOOK...``: run TensorFlow notebooks on adkernel and report
cell by cell (see :mod:`adkernel.run_tf`).

``python -m adkernel grade SUBMISSIONS...``: grade submitted course notebooks (see
:mod:`adkernel.grade`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from ._argparse import ArgumentParser, cli_language
from .engine.i18n import _, lazy

KERNEL_NAME = "adkernel"
DISPLAY_NAME = "Python 3 (adkernel)"
KERNEL_NAME_RE = re.compile(r"[A-Za-z0-9._-]+")


def kernel_spec() -> dict:
    """The kernel.json: an ordinary IPython kernel started with ``--ext adkernel``."""
    return {
        "argv": [os.path.abspath(sys.executable), "-m", "ipykernel_launcher",
                 "-f", "{connection_file}", "--ext", "adkernel"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
    }


def _user_data_dir() -> Path:
    try:
        from jupyter_core.paths import jupyter_data_dir

        return Path(jupyter_data_dir())
    except ImportError:
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Jupyter"
        if os.name == "nt":
            return Path(os.environ.get("APPDATA", Path.home())) / "jupyter"
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        return Path(base) / "jupyter"


def install_kernel(user: bool = False, sys_prefix: bool = False, prefix: str | None = None,
                   name: str = KERNEL_NAME) -> Path:
    """Write the kernelspec and return its folder.

    Raises ``ValueError`` for a name that is not a kernelspec name (letters, digits and
    ``._-``) or an empty prefix, and ``OSError`` (with the folder named) when the folder
    cannot be written. Nothing is ever written outside ``<root>/kernels/<name>``.
    """
    if not KERNEL_NAME_RE.fullmatch(name or "") or name in (".", ".."):
        raise ValueError(_(
            "--name {name!r} is not a kernel name: use letters, digits, '.', '_' and '-' "
            "only (no spaces or slashes), e.g. --name {default}").format(
                name=name, default=KERNEL_NAME))
    if prefix is not None and not str(prefix).strip():
        raise ValueError(_("--prefix is empty: give a folder (the kernel goes to "
                           "PREFIX/share/jupyter/kernels), or use --user or --sys-prefix"))
    if prefix:
        root = Path(prefix) / "share" / "jupyter"
    elif sys_prefix:
        root = Path(sys.prefix) / "share" / "jupyter"
    else:
        root = _user_data_dir()
    kernels = (root / "kernels").resolve()
    folder = (kernels / name).resolve()
    if folder.parent != kernels:  # belt and braces: the name check already forbids this
        raise ValueError(_("--name {name!r} would leave the kernels folder {folder}").format(
            name=name, folder=kernels))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1) + "\n",
                                            encoding="utf-8")
    except OSError as e:
        raise OSError(_("cannot write the kernelspec in {folder} ({error}); choose a folder "
                        "you can write: --user, or --prefix FOLDER").format(
                            folder=folder, error=e.strerror or e)) from None
    return folder


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "run-tf":
        from .run_tf import main as run_tf_main

        return run_tf_main(argv[1:])
    with cli_language(argv):  # `grade --lang zh`: its help and usage errors too
        return _main(argv)


def _main(argv: list[str]) -> int:
    parser = ArgumentParser(prog="python -m adkernel")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run-tf", help=lazy("run TensorFlow notebooks on adkernel, cell by cell "
                                       "(python -m adkernel run-tf --help)"))
    inst = sub.add_parser("install-kernel",
                          help=lazy("install the 'Python 3 (adkernel)' kernel"))
    where = inst.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help=lazy("for this user (the default)"))
    where.add_argument("--sys-prefix", action="store_true",
                       help=_("into this environment ({prefix})").format(
                           prefix=sys.prefix.replace("%", "%%")))
    where.add_argument("--prefix", help=lazy("under PREFIX/share/jupyter"))
    inst.add_argument("--name", default=KERNEL_NAME,
                      help=lazy("kernel name (default: adkernel)"))
    from . import grade

    grading = sub.add_parser("grade",
                             help=lazy("grade submitted course notebooks into a table/CSV"))
    grade.add_arguments(grading)
    args = parser.parse_args(argv)
    if args.command == "grade":
        return grade.run(args)
    try:
        import ipykernel  # noqa: F401
    except ImportError:
        print(_("note: ipykernel is not installed here; the kernel needs it to start "
                "(pip install ipykernel, or install adkernel's [course] extra)."),
              file=sys.stderr)
    try:
        folder = install_kernel(args.user, args.sys_prefix, args.prefix, args.name)
    except (ValueError, OSError) as e:
        print(_("{prog}: error: {message}").format(prog="python -m adkernel install-kernel",
                                                   message=e), file=sys.stderr)
        return 2
    print(_("Installed kernelspec {name!r} ({display}) in {folder}").format(
        name=args.name, display=DISPLAY_NAME, folder=folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
