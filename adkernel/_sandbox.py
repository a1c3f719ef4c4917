"""Run a submission's Jupyter kernel inside bubblewrap (the sandbox Flatpak uses).

``python -m adkernel grade`` starts each submission's kernel through :func:`kernel_manager`:
the kernel command (the one of ``--kernel``'s kernelspec, ``python -m ipykernel_launcher``
by default) is wrapped in ``bwrap ... prlimit ... --``:

* a read-only view of ``/`` (the system and the Python environment cannot be edited); the
  folders where other people's files live (``/home``, ``/root``, ``/tmp``, ``/var/tmp``,
  ``/run``, the grader's home and temporary folder) are replaced by empty private ones, and
  the parts of the Python environment that live there are mounted back read-only;
* a private writable home (``/home/learner``, the kernel's working folder) holding only this
  submission's working copy, and a private ``/tmp``, both in memory with a size limit;
* its own PID, network, IPC and UTS namespaces: no ``/proc`` view of the grader or of the
  other kernels, no network at all (the kernel talks to the grader over jupyter_client's
  ``ipc`` transport: Unix sockets in a private run folder bind-mounted at the same path);
* ``--die-with-parent`` (nothing the notebook starts outlives its kernel or the grader),
  ``--new-session`` (no typing into the grader's terminal);
* a clean environment from an allow-list (:data:`ALLOWED_ENV`) plus what the checker needs;
* limits: address space (``--memory``), processes, file size, no core files.

:func:`unavailable` runs a trial sandbox once per process and says why it cannot be used
(not Linux, bubblewrap not installed, no user namespaces in a container).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .engine.i18n import _

__all__ = [
    "ALLOWED_ENV",
    "HOME",
    "Limits",
    "Sandbox",
    "check_exercises",
    "exercise_hashes",
    "kernel_manager",
    "strip_solutions",
    "unavailable",
]

HOME = "/home/learner"  # the kernel's home and working folder inside the sandbox
# Variables kept from the grader's environment (besides the ones the grader sets itself):
# the language, the command path, and the BLAS settings some processors need to compute
# right. Everything else (tokens, passwords, proxies with credentials, database URLs) stays out.
ALLOWED_ENV = ("LANG", "LANGUAGE", "PATH", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
               "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
ALLOWED_PREFIXES = ("LC_",)
GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class Limits:
    """What one sandboxed kernel may use."""

    memory: int = 2 * GIB  # address space (RLIMIT_AS), bytes
    processes: int = 256  # RLIMIT_NPROC (not enforced for root outside a user namespace)
    file_size: int = 256 * MIB  # largest file it may write (RLIMIT_FSIZE)
    tmp_size: int = 512 * MIB  # the in-memory home and /tmp, each


# -- is it available? ---------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _trial() -> tuple[str, str]:
    """``("", "")`` when a trial sandbox ran, else (what is missing, detail)."""
    if not sys.platform.startswith("linux"):
        return "platform", sys.platform
    if not shutil.which("bwrap"):
        return "bwrap", ""
    if not shutil.which("prlimit"):
        return "prlimit", ""
    try:
        done = subprocess.run(
            [shutil.which("bwrap"), "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent",
             "--new-session", "true"],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return "trial", f"{type(exc).__name__}: {exc}"
    if done.returncode != 0:
        lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
        return "trial", lines[-1] if lines else f"exit status {done.returncode}"
    return "", ""


def unavailable() -> str | None:
    """None when kernels can be sandboxed here; else why not (a sentence for the teacher).
    The trial runs once per process."""
    kind, detail = _trial()
    if not kind:
        return None
    if kind == "platform":
        text = _("the sandbox runs only on `Linux` (it uses `bubblewrap`); this is {platform}")
        return text.format(platform=detail)
    if kind == "bwrap":
        return _("bubblewrap is not installed (install the package `bubblewrap`, e.g. "
                 "`apt-get install bubblewrap` on `Debian` and `Ubuntu`)")
    if kind == "prlimit":
        return _("`prlimit` is not installed (it comes with the package `util-linux`)")
    return _("bubblewrap is installed but cannot make a sandbox here ({error}); this is usual "
             "in containers that allow no user namespaces, as on some JupyterHub set-ups").format(
                 error=detail)


# -- the exercise package without its solutions --------------------------------------------
def _exercises_dir() -> Path:
    return Path(__file__).resolve().parent / "exercises"


HASHES = Path(__file__).resolve().parent / "_exercise_hashes.json"
_STRIPPED = ("solution", "explanation")


def exercise_hashes(folder: Path | None = None) -> dict[str, str]:
    """``{file name: sha256}`` of the exercise modules (``adkernel/exercises/*.py``)."""
    folder = folder or _exercises_dir()
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("*.py"))}


def check_exercises() -> str | None:
    """None when the installed exercise modules are the ones this adkernel shipped (their
    hashes in ``_exercise_hashes.json``); else what differs (a sentence for the teacher)."""
    try:
        shipped = json.loads(HASHES.read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return _("the list of the exercise modules' hashes ({path}) cannot be read "
                 "({error})").format(path=HASHES, error=exc)
    found = exercise_hashes()
    changed = sorted(n for n in shipped.keys() | found.keys() if shipped.get(n) != found.get(n))
    if not changed:
        return None
    return _("the installed exercise modules differ from the ones adkernel shipped ({files} in "
             "{folder}): someone edited or added files there, and the checks can no longer "
             "be trusted. Reinstall adkernel (pip install --force-reinstall adkernel); if you "
             "changed them on purpose, run tools/exercise_hashes.py").format(
                 files=", ".join(changed[:5]) + (" …" if len(changed) > 5 else ""),
                 folder=_exercises_dir())


class _Strip(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "Problem":
            kept = []
            for kw in node.keywords:
                if kw.arg == "solution":
                    kept.append(ast.keyword("solution", ast.Constant("")))
                elif kw.arg not in _STRIPPED:
                    kept.append(kw)
            node.keywords = kept
        return node


def strip_solutions(source: str) -> str:
    """An exercise module's source with the ``solution=`` texts of its ``Problem(...)`` calls
    emptied and their ``explanation=`` removed (``solution()`` shows nothing)."""
    tree = _Strip().visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def stripped_exercises(dest: Path) -> Path:
    """A copy of the exercise package without solution texts, in ``dest/exercises``."""
    out = Path(dest) / "exercises"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(_exercises_dir().glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "Problem(" in text:
            text = strip_solutions(text)
        (out / path.name).write_text(text, encoding="utf-8")
    return out


# -- the sandbox of one kernel ----------------------------------------------------------------
def _hidden() -> list[str]:
    """Folders replaced by empty private ones: where other people's files and sockets live."""
    found = ["/home", "/root", "/tmp", "/var/tmp", "/run", "/mnt", "/media", "/srv"]
    for extra in (tempfile.gettempdir(), os.path.expanduser("~")):
        extra = os.path.realpath(extra)
        if extra not in ("/", "/usr", "/etc") and os.path.isdir(extra):
            found.append(extra)
    return [d for d in dict.fromkeys(found) if os.path.isdir(d) and not os.path.islink(d)]


def _python_paths(argv0: str) -> list[str]:
    """What the kernel's Python needs to see: its prefixes, the grader's import path, the
    adkernel package and the kernel command's own folder."""
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)),
             str(Path(__file__).resolve().parent.parent)]
    paths += [p for p in sys.path if p]
    exe = shutil.which(argv0) or argv0
    if os.path.isabs(exe):
        for folder in (os.path.dirname(exe), os.path.dirname(os.path.realpath(exe))):
            paths.append(folder)
            prefix = os.path.dirname(folder)  # a virtual environment's or conda's root
            if any(os.path.exists(os.path.join(prefix, m)) for m in ("pyvenv.cfg", "conda-meta")):
                paths.append(prefix)
    return [os.path.realpath(p) for p in paths if os.path.exists(p)]


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


@dataclass
class Sandbox:
    """The bubblewrap set-up of one kernel: ``run`` (a host folder for its connection file and
    sockets), ``files`` (``{name: host file}`` put read-only in its home), the limits, and the
    folder mounted read-only over the installed ``adkernel/exercises`` (or None)."""

    run: str
    limits: Limits = field(default_factory=Limits)
    files: dict = field(default_factory=dict)
    exercises: str | None = None

    def wrap(self, argv: list[str], env: dict) -> list[str]:
        """``argv`` (a kernel command) as it runs in the sandbox with environment ``env``
        (already filtered: see :func:`kernel_env`)."""
        bwrap, prlimit = shutil.which("bwrap"), shutil.which("prlimit")
        hidden = _hidden()
        args = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        for folder in hidden:
            args += ["--size", str(self.limits.tmp_size), "--tmpfs", folder]
        shown = set()
        for path in sorted(set(_python_paths(argv[0])), key=len):
            if path in hidden or any(_under(h, path) for h in hidden):
                continue  # a whole hidden folder (a script in /tmp put /tmp on sys.path)
            if any(_under(path, h) for h in hidden) and not any(_under(path, s) for s in shown):
                args += ["--ro-bind", path, path]
                shown.add(path)
        args += ["--bind", self.run, self.run, "--dir", HOME]
        for name, host in self.files.items():
            args += ["--ro-bind", str(host), f"{HOME}/{name}"]
        if self.exercises:
            args += ["--ro-bind", self.exercises, str(_exercises_dir())]
        args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try", "--hostname", "sandbox",
                 "--die-with-parent", "--new-session", "--clearenv", "--chdir", HOME]
        for key, value in sorted(env.items()):
            args += ["--setenv", key, value]
        limits = self.limits
        args += ["--", prlimit, f"--as={limits.memory}", f"--nproc={limits.processes}",
                 f"--fsize={limits.file_size}", "--core=0", "--", *argv]
        return args


def kernel_env(extra: dict, environ=None) -> dict:
    """The sandboxed kernel's environment: :data:`ALLOWED_ENV` and ``LC_*`` from ``environ``
    (the grader's), ``HOME``, ``PYTHONPATH`` (the folder of the adkernel the grader uses, so
    the kernel imports the same one) and ``extra`` (the checker's settings)."""
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items()
           if k in ALLOWED_ENV or k.startswith(ALLOWED_PREFIXES)}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env["HOME"] = HOME
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def kernel_manager(kernel_name: str, sandbox: Sandbox, *, blocking: bool = False):
    """A jupyter_client kernel manager (``AsyncKernelManager``, or ``KernelManager`` when
    ``blocking``) that starts ``kernel_name``'s kernel inside ``sandbox`` over the ``ipc``
    transport, its connection file and sockets in ``sandbox.run``. Interrupts go as
    messages (a signal cannot reach into the sandbox)."""
    from jupyter_client import AsyncKernelManager, KernelManager

    def _send_interrupt(self) -> None:
        if not self.has_kernel:
            raise RuntimeError("Cannot interrupt kernel. No kernel is running!")
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    class SandboxedKernelManager(KernelManager if blocking else AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            return sandbox.wrap(cmd, self._sandbox_env)

        async def _async_pre_start_kernel(self, **kw):
            env = dict(kw.get("env") or {})
            self._sandbox_env = env
            return await super()._async_pre_start_kernel(**kw)

        if blocking:
            def interrupt_kernel(self) -> None:
                _send_interrupt(self)
        else:
            async def interrupt_kernel(self) -> None:
                _send_interrupt(self)

    return SandboxedKernelManager(
        kernel_name=kernel_name, transport="ipc", ip=f"{sandbox.run}/k",
        connection_file=f"{sandbox.run}/kernel.json")
