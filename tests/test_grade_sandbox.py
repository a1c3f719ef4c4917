"""Hostile submissions against ``python -m adkernel grade`` in its sandbox (issue 18).

One class is graded once with ``--jobs 2`` by a module fixture (sandboxed, the default).
Each attacker reports what it achieved through its own row: its first answer raises an
exception whose message carries a report (``SIB[...]``, ``LOOT[...]``, ...), which the
checker puts in the feedback. Every test here fails when the class is graded with
``--no-sandbox`` (set ``ADKERNEL_TEST_SANDBOX=0`` to see it: the fixture restores the
checker file the attack edits).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")

import adkernel.exercises.ch02 as ch02_module  # noqa: E402
from adkernel import _sandbox, grade  # noqa: E402
from adkernel.exercises import problems  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CH02 = ROOT / "course" / "en" / "02-gradient-tape.ipynb"
SOLUTION = {p.number: p.solution_code for p in problems("ch02")}
SANDBOX = os.environ.get("ADKERNEL_TEST_SANDBOX", "1") != "0"
SECRETS = {
    "DATABASE_URL": "postgres://teacher:db-s3cret-1@db.example/grades",
    "MYSQL_PWD": "mysql-s3cret-2",
    "HTTP_PROXY": "http://teacher:proxy-s3cret-3@proxy.example:3128",
    "JUPYTERHUB_API_TOKEN": "hub-s3cret-4",
}
DAEMON_TOKEN = "adkernel-test-daemon-" + hashlib.sha256(str(os.getpid()).encode()).hexdigest()[:12]

pytestmark = pytest.mark.skipif(SANDBOX and _sandbox.unavailable() is not None,
                                reason=f"no sandbox here: {_sandbox.unavailable()}")


def report(expr: str) -> str:
    """A first answer that raises with ``expr`` (evaluated when the check calls it)."""
    return f"def derivative_at(x0):\n    raise ValueError({expr})\n"


def variant(answers: dict, *, first: str = "", before: str = ""):
    """The chapter 02 notebook with answer cells replaced, a cell at the top (``first``,
    after the imports) and one before the first answer (``before``)."""
    nb = nbformat.read(CH02, as_version=4)
    cells = [i for i, c in enumerate(nb.cells) if "exercise" in c.metadata.get("tags", [])]
    for n, index in zip(sorted(SOLUTION), cells, strict=True):
        if n in answers:
            nb.cells[index].source = answers[n].strip("\n")
    if before:
        nb.cells.insert(cells[0], nbformat.v4.new_code_cell(before))
    if first:
        code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        nb.cells.insert(code[0] + 1, nbformat.v4.new_code_cell(first))
    return nb


# finds every other ipykernel through /proc, connects with jupyter_client and rebinds
# IPython's display there (the grader's probe result never comes back)
SIBLING = r"""
import os, time
from jupyter_client import BlockingKernelClient
attacked = set()
def _others():
    found = {}
    from ipykernel.connect import get_connection_file
    own = os.path.realpath(get_connection_file())
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            args = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"ipykernel_launcher" in b" ".join(args) and b"-f" in args:
            cf = args[args.index(b"-f") + 1].decode()
            if os.path.realpath(cf) != own:
                found[pid] = cf
    return found
end = time.time() + 12
while time.time() < end:
    for pid, cf in _others().items():
        if pid in attacked:
            continue
        try:
            kc = BlockingKernelClient(connection_file=cf)
            kc.load_connection_file()
            kc.start_channels()
            kc.execute("import IPython.display as _d; _d.display = lambda *a, **k: None")
            time.sleep(0.5)
            kc.stop_channels()
            attacked.add(pid)
        except Exception:
            pass
    time.sleep(0.3)
REPORT = f"SIB[{len(attacked)}]"
"""
EDIT_CHECKER = """
import adkernel.exercises.ch02 as _m
try:
    with open(_m.__file__, "a") as f:
        f.write("\\nq1._judge = lambda data: __import__('adkernel.exercises.judging').exercises"
                ".judging.right()\\n")
    REPORT = "EDIT[written]"
except OSError as exc:
    REPORT = f"EDIT[{type(exc).__name__}]"
"""
DAEMON = """
import os, sys, time
code = '''# {token}
import time
end = time.time() + 90
while time.time() < end:
    try:
        text = open({csv!r}, encoding="utf-8").read()
        if "dan," in text and "incorrect" in text:
            open({csv!r}, "w", encoding="utf-8").write(text.replace("incorrect", "correct"))
    except OSError:
        pass
    time.sleep(0.2)
'''
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", code])
    os._exit(0)
time.sleep(0.5)
"""
ENVIRON = r"""
import os
SECRETS = %r
seen = dict(os.environ)
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            raw = open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace")
        except OSError:
            continue
        for item in raw.split("\0"):
            key, _, value = item.partition("=")
            seen.setdefault(key, value)
try:
    raw = open(f"/proc/{os.getppid()}/environ", "rb").read().decode(errors="replace")
    seen.update(i.partition("=")[::2] for i in raw.split("\0") if "=" in i)
except OSError:
    pass
REPORT = "LOOT[" + ",".join(sorted(k for k in SECRETS if seen.get(k) == SECRETS[k])) + "]"
"""
NETWORK = """
import socket
try:
    socket.create_connection(("127.0.0.1", %d), timeout=3).close()
    REPORT = "NET[connected]"
except OSError as exc:
    REPORT = f"NET[{type(exc).__name__}]"
"""
MEMORY = """
import numpy as np
try:
    big = np.ones(4 * 1024**3 // 8)
    big[::4096] = 2.0
    REPORT = "MEM[allocated]"
    del big
except MemoryError:
    REPORT = "MEM[MemoryError]"
"""


def _listener():
    """A TCP server on 127.0.0.1 that counts the connections it accepts (for 2 minutes)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    accepted = []

    def serve():
        end = time.time() + 120
        while time.time() < end:
            try:
                conn, _ = server.accept()
                accepted.append(1)
                conn.close()
            except OSError:
                continue
        server.close()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], accepted


def _daemons():
    """Processes (seen from the host) carrying the daemon's token."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            with contextlib.suppress(OSError):
                if DAEMON_TOKEN.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(int(pid))
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    out = folder.parent / "hostile.csv"
    port, accepted = _listener()
    subs = {
        "a_mal": variant({1: report("REPORT")}, first=SIBLING),
        "b_vic": variant(SOLUTION, first="import time\ntime.sleep(6)"),
        "cat": variant({1: report("REPORT"), 2: SOLUTION[2]}, before=EDIT_CHECKER),
        "dan": variant({1: report("'wrong'")},
                       before=DAEMON.format(token=DAEMON_TOKEN, csv=str(out))),
        "eli": variant({1: report("REPORT")}, before=ENVIRON % (SECRETS,)),
        "fin": variant({1: report("REPORT")}, before=NETWORK % port),
        "gil": variant({1: report("REPORT"), 2: SOLUTION[2]}, before=MEMORY),
        "hal": variant({1: "exec(ex.q1.solution_code)", 2: "exec(ex.q2.solution_code)"}),
    }
    for name, nb in subs.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    checker = Path(ch02_module.__file__)
    original = checker.read_bytes()
    from contextlib import redirect_stderr, redirect_stdout

    stdout, stderr = io.StringIO(), io.StringIO()
    args = [str(folder), "--jobs", "2", "--csv", str(out), "--cell-timeout", "30",
            "--check-timeout", "5"]
    try:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in SECRETS.items():
                mp.setenv(key, value)
            with redirect_stdout(stdout), redirect_stderr(stderr):
                if SANDBOX:
                    code = grade.main(args)
                else:  # grade refuses --jobs 2 without the sandbox: see the attacks anyway
                    import asyncio

                    options = grade.Options(jobs=2, cell_timeout=30, check_timeout=5,
                                            sandbox=False, lang="en")
                    bar = grade.ProgressBar(1, enabled=False)
                    found = grade.find_submissions([folder])
                    grade.write_csv(asyncio.run(grade._grade_all(found, options, bar)), out)
                    code = None
        edited = checker.read_bytes() != original
        time.sleep(3)  # a daemon would rewrite the CSV now
        with open(out, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        daemons = _daemons()
    finally:
        checker.write_bytes(original)
        for pid in _daemons():
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
    return {"code": code, "rows": rows, "edited": edited, "daemons": daemons,
            "accepted": list(accepted), "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}


def rows_of(graded, learner):
    found = {r["exercise"]: r for r in graded["rows"] if r["learner"] == learner}
    assert found, f"no rows for {learner}: {graded['stderr'][-2000:]}"
    return found


@pytest.mark.slow
def test_a_submission_cannot_reach_a_sibling_kernel_through_proc(graded):
    attacker = rows_of(graded, "a_mal")
    assert "SIB[0]" in attacker["ch02.q1"]["feedback"]  # it ran and found no other kernel
    victim = rows_of(graded, "b_vic")
    assert {r["state"] for r in victim.values()} == {"correct"}


@pytest.mark.slow
def test_the_installed_checker_cannot_be_edited(graded):
    rows = rows_of(graded, "cat")
    assert "EDIT[OSError]" in rows["ch02.q1"]["feedback"]
    assert rows["ch02.q1"]["state"] == "incorrect"
    assert not graded["edited"]
    assert _sandbox.check_exercises() is None


@pytest.mark.slow
def test_a_daemon_does_not_outlive_grading_nor_rewrite_the_csv(graded):
    assert graded["daemons"] == []
    assert rows_of(graded, "dan")["ch02.q1"]["state"] == "incorrect"


@pytest.mark.slow
def test_the_graders_environment_and_secrets_are_not_visible(graded):
    feedback = rows_of(graded, "eli")["ch02.q1"]["feedback"]
    assert "LOOT[]" in feedback
    everything = "\n".join(str(r) for r in graded["rows"])
    assert not any(value in everything for value in SECRETS.values())


@pytest.mark.slow
def test_no_network(graded):
    feedback = rows_of(graded, "fin")["ch02.q1"]["feedback"]
    assert "NET[ConnectionRefusedError]" in feedback or "NET[OSError]" in feedback
    assert graded["accepted"] == []


@pytest.mark.slow
def test_a_4_gb_allocation_fails_and_the_notebook_goes_on(graded):
    rows = rows_of(graded, "gil")
    assert "MEM[MemoryError]" in rows["ch02.q1"]["feedback"]
    assert rows["ch02.q2"]["state"] == "correct"


@pytest.mark.slow
def test_the_solutions_are_not_in_the_sandbox(graded):
    rows = rows_of(graded, "hal")
    assert {r["state"] for r in rows.values()} == {"not attempted"}


def test_the_stripped_exercises_keep_everything_but_the_solutions(monkeypatch):
    from adkernel.exercises import _core

    # the stripped module registers its problems: into a copy, not the grader's registry
    monkeypatch.setitem(_core.REGISTRY, "ch02", list(_core.REGISTRY["ch02"]))
    source = Path(ch02_module.__file__).read_text(encoding="utf-8")
    stripped = _sandbox.strip_solutions(source)
    assert SOLUTION[1].splitlines()[-1].strip() not in stripped
    assert "explanation=" not in stripped and "solution=''" in stripped
    namespace = {"__name__": "adkernel.exercises.__stripped_ch02__"}
    exec(compile(stripped, "<stripped ch02>", "exec"), namespace)
    assert namespace["q1"].solution_code == "" and namespace["q1"].explanation is None
    assert namespace["q1"].hints == ch02_module.q1.hints
    monkeypatch.undo()
    assert problems("ch02")[0].solution_code == SOLUTION[1] != ""


@pytest.mark.slow
def test_the_exercise_hash_list_is_current():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "tools" / "exercise_hashes.py"),
                           "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_edited_exercise_modules_stop_the_grader(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "hashes.json"
    fake.write_text(json.dumps({"sha256": {**_sandbox.exercise_hashes(), "ch02.py": "0"}}),
                    encoding="utf-8")
    monkeypatch.setattr(_sandbox, "HASHES", fake)
    assert grade.main([str(CH02)]) == 2
    err = capsys.readouterr().err
    assert "differ from the ones adkernel shipped" in err and "ch02.py" in err
    with pytest.raises(grade.GradingRefused):
        grade.grade([CH02], progress=False)


def test_without_the_sandbox_the_grader_says_why_and_refuses_parallel_jobs(monkeypatch, capsys):
    monkeypatch.setattr(_sandbox, "_trial", lambda: ("bwrap", ""))
    assert grade.main([str(CH02)]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap is not installed" in err and "--no-sandbox" in err
    assert grade.main([str(CH02), "--no-sandbox", "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert "WITHOUT the sandbox" in err and "--jobs 1" in err
    with pytest.raises(grade.GradingRefused, match="bubblewrap"):
        grade.grade([CH02], progress=False)


def test_sizes_on_the_command_line():
    assert grade._size("2G") == 2 * 1024**3
    assert grade._size("1500M") == 1500 * 1024**2
    assert grade._size("2GiB") == 2 * 1024**3
    import argparse

    for bad in ("lots", "12"):
        with pytest.raises(argparse.ArgumentTypeError):
            grade._size(bad)


def test_a_kernel_chosen_with_kernel_is_wrapped_too(tmp_path, monkeypatch):
    import sys

    spec = tmp_path / "kernels" / "course-py"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "course",
                                                  "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    run = tmp_path / "run"
    run.mkdir()
    box = _sandbox.Sandbox(str(run), _sandbox.Limits(memory=3 * 1024**3))
    km = _sandbox.kernel_manager("course-py", box)
    km._sandbox_env = {"PATH": "/usr/bin", "HOME": _sandbox.HOME}
    cmd = km.format_kernel_cmd()
    assert cmd[0].endswith("bwrap") and cmd[-5:-1] == argv[:4]
    assert cmd[-1] == str(run / "kernel.json")
    for flag in ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in cmd
    assert f"--as={3 * 1024**3}" in cmd and "--nproc=256" in cmd
    assert km.transport == "ipc" and km.ip.startswith(str(run))
    # only what was allowed is set inside
    assert cmd[cmd.index("--clearenv"):].count("--setenv") == 2


def test_the_sandbox_environment_is_an_allow_list():
    environ = {"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin", **SECRETS,
               "OPENBLAS_CORETYPE": "Haswell", "PYTHONPATH": "/somewhere", "HOME": "/root"}
    env = _sandbox.kernel_env({"ADKERNEL_LANG": "zh"}, environ)
    assert env["LANG"] == "zh_CN.UTF-8" and env["LC_ALL"] == "C.UTF-8"
    assert env["OPENBLAS_CORETYPE"] == "Haswell" and env["ADKERNEL_LANG"] == "zh"
    assert env["HOME"] == _sandbox.HOME
    assert env["PYTHONPATH"] == str(Path(_sandbox.__file__).resolve().parents[1])
    assert not set(SECRETS) & set(env)
