"""Inside a ``run-tf`` kernel: every route IPython offers to a shell refuses to run.

``python -m adkernel run-tf`` leaves shell commands out of the cells it sends (see
:func:`adkernel.run_tf.rewrite_source`); this is the kernel's half of that promise, for the
forms no reading of the source can see (``getattr(get_ipython(), 'sys' + 'tem')``, a magic
looked up by a computed name, ``%%bash`` registered again, a ``.ipy`` file given to
``%run``...). :func:`install` replaces, on the shell instance and on the classes that define
them, ``system``/``system_raw``/``system_piped``/``getoutput``, the shell magics
(``%sx``, ``%system``, ``%pip``, ``%conda``, ``%mamba``, ``%%bash``, ``%%sh``,
``%%script``, ...) and the shell aliases (``%ls``, ``%rm``...) by functions raising
:class:`ShellCommandNotRun`.

Python's own ``os.system`` and ``subprocess`` are Python code, not IPython's shell: they are
left to the sandbox the kernel runs in. Only imported inside a run-tf kernel (IPython is
there); nothing here runs on import.
"""

from __future__ import annotations

ALIASES = ("cat", "clear", "cp", "ldir", "less", "lf", "lk", "ll", "ls", "lx", "man",
           "mkdir", "more", "mv", "rm", "rmdir")
# line magics that run a shell command (or define one, or start a program)
SHELL_LINE_MAGICS = frozenset({
    "sx", "system", "sc", "pip", "conda", "mamba", "micromamba", "uv", "alias",
    "rehashx", "qtconsole", "edit", *ALIASES})
# cell magics that hand their body to a shell or another program
SHELL_CELL_MAGICS = frozenset({
    "!", "sx", "system", "script", "sh", "bash", "zsh", "perl", "ruby", "python",
    "python2", "python3", "pypy", "cmd", "powershell"})
SHELL_API = ("system", "system_raw", "system_piped", "getoutput")


class ShellCommandNotRun(RuntimeError):
    """A shell command that ``run-tf`` does not run."""


def install(shell, message: str) -> None:
    """Make every shell route of ``shell`` (the kernel's IPython) raise ``message``."""

    def refuse(*args, **kwargs):
        raise ShellCommandNotRun(message)

    def refuse_method(self, *args, **kwargs):
        raise ShellCommandNotRun(message)

    for cls in type(shell).__mro__:
        for name in SHELL_API:
            if name in vars(cls):
                setattr(cls, name, refuse_method)
    for name in SHELL_API:
        setattr(shell, name, refuse)

    # The magics' classes first, so that registering one again gives the refusal too...
    for cls in _magics_classes():
        for kind, table in getattr(cls, "magics", {}).items():
            names = SHELL_LINE_MAGICS if kind == "line" else SHELL_CELL_MAGICS
            for magic, method in table.items():
                if magic in names and isinstance(method, str):
                    setattr(cls, method, refuse_method)
    # ... then what is registered now (loaded or declared lazily).
    manager = shell.magics_manager
    try:
        shell.alias_manager.clear_aliases()
    except Exception:  # the refusals below replace them anyway
        pass
    for name in SHELL_LINE_MAGICS:
        manager.register_function(refuse, "line", name)
    cells = set(SHELL_CELL_MAGICS)
    try:
        from IPython.core.magics._table import configured_script_magics
        cells.update(configured_script_magics(shell.config))
    except ImportError:  # older IPython: the default list above
        pass
    for name in cells:
        manager.register_function(refuse, "cell", name)

    # The module-level helpers the methods above call.
    try:
        import IPython.utils.process as process
        for name in ("system", "getoutput", "getoutputerror", "get_output_error_code"):
            if hasattr(process, name):
                setattr(process, name, refuse)
    except ImportError:  # pragma: no cover - IPython is there in a kernel
        pass
    try:
        import ipykernel.zmqshell as zmqshell
        zmqshell.system = refuse
    except ImportError:  # pragma: no cover - a kernel that is not ipykernel
        pass


def _magics_classes() -> list:
    classes = []
    try:
        from IPython.core.magics import (
            CodeMagics,
            OSMagics,
            PackagingMagics,
            ScriptMagics,
        )
        classes += [CodeMagics, OSMagics, PackagingMagics, ScriptMagics]
    except ImportError:  # pragma: no cover
        pass
    try:
        from ipykernel.zmqshell import KernelMagics
        classes.append(KernelMagics)
    except ImportError:  # pragma: no cover
        pass
    return classes
