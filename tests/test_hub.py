"""docs/teaching.md's class on one machine, run for real: JupyterHub, its proxy, nbgitpuller.

The hub is started with the guide's own commands and the project's own config
(docs/hub/jupyterhub_config.py: SimpleLocalProcessSpawner, a shared password, a home per user)
on free ports of 127.0.0.1. Two learners log in, open the guide's nbgitpuller link (pointing at
a shallow clone of this project), one runs chapter 02 through the hub's proxy (Jupyter server
REST + the kernel websocket) answering one exercise right and one wrong, the other edits and
deletes files; upstream gets a commit and both pull again (edits kept, upstream changes and
deleted files back). The guide's collection script and `python -m adkernel grade` (sandboxed)
then give the expected rows. What the local spawner cannot prove about learners reading each
other's homes is tested as what it is (they can: same Unix user) and said in the guide.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hub_driver import (
    CH02,
    CONFIG,
    DOC,
    Kernel,
    Learner,
    answered,
    collect_block,
    git,
    pull_link,
    running_hub,
    text_of,
    upstream_clone,
    wait_for,
)

LEARNERS = ("ada", "bo")


@pytest.fixture
def hub(tmp_path):
    pytest.importorskip("jupyterhub", reason="`pip install -e .[test]` installs jupyterhub")
    if shutil.which("node") is None:
        pytest.skip("Node.js is missing: JupyterHub's proxy (configurable-http-proxy) runs on it")
    assert shutil.which("configurable-http-proxy"), (
        "configurable-http-proxy is missing: npm install -g configurable-http-proxy (.ci/run does)")
    with running_hub(tmp_path) as running:
        yield running


def test_hub_config_is_the_one_in_the_guide():
    # the guide quotes the file whole; the test starts the file itself
    assert f"```python\n{CONFIG.read_text(encoding='utf-8')}```" in DOC


def run_chapter_02(ada: Learner, answers: dict[str, str]) -> dict:
    """Ada opens chapter 02 in JupyterLab's way (a session for the notebook) and runs it all."""
    specs = ada.api.get(f"{ada.server}/api/kernelspecs").json()
    assert specs["default"] == "python3"
    assert specs["kernelspecs"]["python3"]["spec"]["argv"][-2:] == ["--ext", "adkernel"]
    r = ada.api.post(f"{ada.server}/api/sessions", json={
        "path": CH02, "type": "notebook", "name": "", "kernel": {"name": "python3"}})
    assert r.status_code == 201, (r.status_code, r.text)
    kernel = Kernel(ada, r.json()["kernel"]["id"])
    try:
        # loaded by the kernel itself, before the notebook's own `%load_ext adkernel`
        assert text_of(kernel.execute(
            "print('adkernel' in get_ipython().extension_manager.loaded)")) == "True\n"
        notebook = answered(ada.contents(CH02).json()["content"], answers)
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"] = kernel.execute("".join(cell["source"]))
                errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
                assert not errors, (cell["source"], errors)
        verdicts = kernel.execute(
            "print(ex.q1.evaluate(globals(), save=False).correct,"
            " ex.q2.evaluate(globals(), save=False).correct)")
        assert text_of(verdicts) == "True False\n"
        # the isolation the local spawner cannot give: one Unix user for every learner
        peek = kernel.execute("import pathlib\n"
                              f"print((pathlib.Path.home().parent / 'bo' / {CH02!r}).exists())")
        assert text_of(peek) == "True\n"
    finally:
        kernel.close()
    return notebook


def read_results(path: Path) -> set[tuple[str, str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return {(row["learner"], row["exercise"], row["state"]) for row in csv.DictReader(f)}


@pytest.mark.slow
def test_a_class_pulls_learns_hands_in_and_is_graded(hub, tmp_path):
    pytest.importorskip("nbgitpuller", reason="`pip install -e .[test]` installs nbgitpuller")
    from adkernel.exercises import ch02

    base, folder, env = hub["base"], hub["folder"], hub["env"]
    upstream = upstream_clone(tmp_path)
    link = pull_link(base, upstream)
    learners = {n: Learner(base, n, env["ADKERNEL_HUB_PASSWORD"]) for n in LEARNERS}
    for learner in learners.values():
        learner.start()
    for learner in learners.values():
        wait_for(f"{learner.name}'s server", learner.ready, log_path=hub["log"])
    ada, bo = learners["ada"], learners["bo"]

    # the teacher is the hub's admin and sees the class
    teacher = Learner(base, "teacher", env["ADKERNEL_HUB_ADMIN_PASSWORD"])
    users = teacher.api.get(f"{base}/hub/api/users").json()
    assert {u["name"] for u in users} >= {"ada", "bo", "teacher"}
    assert next(u for u in users if u["name"] == "teacher")["admin"]

    # first click: the course appears in each learner's home
    for learner in learners.values():
        learner.open_link(link)
        assert (folder / "homes" / learner.name / CH02).is_file()

    wrong_q2 = ch02.q2.solution_code.replace("tape.watch(x)", "pass")
    assert wrong_q2 != ch02.q2.solution_code
    ada.save(CH02, run_chapter_02(ada, {"derivative_at": ch02.q1.solution_code,
                                        "watched_gradient": wrong_q2}))
    bo.save(CH02, answered(bo.contents(CH02).json()["content"],
                           {"watched_gradient": ch02.q2.solution_code}))
    summary = "adkernel/course/en/07-summary.ipynb"
    assert bo.api.delete(f"{bo.server}/api/contents/{summary}").status_code == 204

    # a learner's token opens their own server only
    assert ada.api.get(f"{bo.server}/api/contents").status_code == 403

    # the teacher fixes something upstream; the second click merges it in
    (upstream / "README.md").write_text((upstream / "README.md").read_text() + "\nFixed.\n")
    (upstream / "course" / "en" / "errata.md").write_text("# Errata\n")
    git(upstream, "add", "-A")
    git(upstream, "commit", "--quiet", "-m", "Errata")
    for learner in learners.values():
        learner.open_link(link)
        home = folder / "homes" / learner.name / "adkernel"
        assert (home / "README.md").read_text().endswith("\nFixed.\n")
        assert (home / "course" / "en" / "errata.md").is_file()
        assert (home / "course" / "en" / "07-summary.ipynb").is_file()  # bo's deletion undone
    assert "def derivative_at(x0):\n    x = tf.Variable(x0)" in json.dumps(
        ada.contents(CH02).json()["content"]["cells"], ensure_ascii=False).replace("\\n", "\n")

    # the guide's collection and grading, run as the guide writes them
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", collect_block()], cwd=folder,
                            env=hub["env"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert sorted(p.name for p in (folder / "submissions").iterdir()) == ["ada.ipynb", "bo.ipynb"]
    assert read_results(folder / "results.csv") == {
        ("ada", "ch02.q1", "correct"), ("ada", "ch02.q2", "incorrect"),
        ("bo", "ch02.q1", "not attempted"), ("bo", "ch02.q2", "correct")}
