"""Shared fixtures."""

from __future__ import annotations

import contextlib
import os
import subprocess

import pytest

# The suite speaks English unless a test asks otherwise (adkernel.set_language, the
# `zh_mode` fixture, or ADKERNEL_LANG=zh in a subprocess's environment). The zh notebooks
# say set_language("zh") in their first code cell, so they run in Chinese all the same.
os.environ["ADKERNEL_LANG"] = "en"


# `slow` means exactly "starts a kernel, a browser or a subprocess Python" (pyproject.toml),
# so that `pytest -m "not slow"` is the quick in-process run. Notebook items (nbval, from
# course/ and docs/examples/) each run in a kernel: marked here. Every other test is marked
# where it is written, and an unmarked test that starts a process fails (the guard below).



def harmless(argv) -> bool:
    """Programs that cannot start Python, a kernel or a browser: allowed in an unmarked test."""
    program = os.path.basename(argv[0]) if argv else ""
    return (program == "fc-list"  # matplotlib's font cache
            or argv[:2] == ["bash", "-n"]  # a syntax check
            or (program == "bwrap" and argv[-1] == "true"))  # adkernel._sandbox's trial run


class UnmarkedSubprocess(AssertionError):
    """An unmarked test started a process: mark it `@pytest.mark.slow` (or start none)."""


def pytest_collection_modifyitems(items):
    for item in items:
        if type(item).__name__ == "IPyNbCell":  # nbval: a cell run in a kernel
            item.add_marker(pytest.mark.slow)


def _refuse(argv):
    argv = [os.fspath(a) for a in ([argv] if isinstance(argv, (str, bytes, os.PathLike))
                                   else argv)]
    if harmless(argv):
        return
    message = (f"this test is not marked slow but starts a process: {argv[:4]}; "
               "mark it @pytest.mark.slow (tests/conftest.py)")
    _GUARD["refused"].append(message)  # reported even if the code under test catches it
    raise UnmarkedSubprocess(message)


_GUARD = {"on": False, "refused": []}  # on while an unmarked test sets up or runs
_SAVED = {}


def _guarded_execute_child(self, args, *rest, **kwargs):
    if _GUARD["on"]:
        _refuse(args)
    return _SAVED["_execute_child"](self, args, *rest, **kwargs)


def _guarded_os(name):
    def call(*args, **kwargs):
        if _GUARD["on"]:
            _refuse([name, *map(str, args[:1])])
        return _SAVED[name](*args, **kwargs)
    return call


def pytest_configure(config):
    _SAVED["_execute_child"] = subprocess.Popen._execute_child
    subprocess.Popen._execute_child = _guarded_execute_child
    for name in ("system", "fork", "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            _SAVED[name] = getattr(os, name)
            setattr(os, name, _guarded_os(name))


def pytest_unconfigure(config):
    for name, fn in _SAVED.items():
        setattr(subprocess.Popen if name == "_execute_child" else os, name, fn)
    _SAVED.clear()


@contextlib.contextmanager
def _guarded_unless_slow(item):
    _GUARD["on"] = item.get_closest_marker("slow") is None
    _GUARD["refused"].clear()
    try:
        yield
    finally:
        _GUARD["on"] = False
    if _GUARD["refused"]:  # e.g. a grader that turned the refusal into an error row
        raise UnmarkedSubprocess(_GUARD["refused"][0])


# Hooks, not a function fixture: module-scoped fixtures (a graded class, a kernel) are set up
# inside pytest_runtest_setup too, before any function-scoped fixture could patch.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    with _guarded_unless_slow(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _guarded_unless_slow(item):
        return (yield)


@pytest.fixture(autouse=True)
def _english_unless_asked():
    from adkernel.engine import i18n

    i18n.set_language(None)
    yield
    i18n.set_language(None)


@pytest.fixture
def zh_mode():
    """Everything adkernel says, in Chinese, for the duration of one test."""
    from adkernel.engine import i18n

    i18n.set_language("zh")
    yield
    i18n.set_language(None)


@pytest.fixture
def checker_sandbox(tmp_path, monkeypatch):
    """The exercise checker with a private progress file, a 2-second time limit, English."""
    from adkernel.exercises import settings

    monkeypatch.setenv("ADKERNEL_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("ADKERNEL_LANG", "en")
    settings.reset()
    settings.time_limit = 2
    yield
    settings.reset()


@pytest.fixture(scope="session")
def ipshell():
    """One IPython shell for every test module that drives magics (started once)."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or get_ipython()
    shell.run_line_magic("load_ext", "adkernel")
    return shell


@pytest.fixture(scope="session")
def binder_env(tmp_path_factory):
    """A simulated Binder build, made once per test session (repo2docker needs Docker).

    A fresh virtual environment from ``binder/requirements.txt`` (installed from the
    repository root, as repo2docker does), then ``binder/postBuild`` with a throw-away
    HOME. Returns ``(python, env)``: the environment's interpreter and the process
    environment to run its tools with (its ``bin`` first on PATH, that HOME, no
    PYTHONPATH pointing elsewhere).
    """
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    reuse = os.environ.get("ADKERNEL_BINDER_ENV")  # for development: a build made before
    base = Path(reuse) if reuse else tmp_path_factory.mktemp("binder")
    venv, home = base / "venv", base / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR",
                        "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR", "PYTHONHOME")}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               PYTHONNOUSERSITE="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    if reuse and (venv / "bin" / "jupyter").exists():
        return venv / "bin" / "python", env
    start = time.perf_counter()
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r",
                           "binder/requirements.txt"], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    installed = time.perf_counter()
    done = subprocess.run(["bash", str(root / "binder" / "postBuild")], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    print(f"\nsimulated Binder build in {base}: pip install {installed - start:.0f} s, "
          f"postBuild {time.perf_counter() - installed:.0f} s")
    return python, env
