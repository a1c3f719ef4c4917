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
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "docs" / "hub" / "jupyterhub_config.py"
DOC = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
CH02 = "adkernel/course/en/02-gradient-tape.ipynb"
LEARNERS = ("ada", "bo")


def guide_block(marker: str) -> str:
    """The guide's one ```bash block containing ``marker``."""
    found = [b for b in re.findall(r"^```bash\n(.*?)^```", DOC, flags=re.S | re.M) if marker in b]
    assert len(found) == 1, f"docs/teaching.md should have one bash block with {marker!r}"
    return found[0]


def start_block() -> list[str]:
    return [line for line in guide_block("jupyterhub -f").splitlines() if line.strip()]


def collect_block() -> str:
    return guide_block("for home in homes/*")


def trial_link() -> str:
    """The guide's link for the trial hub (http://127.0.0.1:8000, the chapter 02 notebook)."""
    links = re.findall(r"^http://127\.0\.0\.1:8000/hub/user-redirect/git-pull\?\S+$", DOC, re.M)
    assert len(links) == 1, links
    return links[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the guide's start-up commands, run one by one --------------------------------------------


def run_start_block(folder: Path, env: dict, log) -> tuple[subprocess.Popen, int]:
    """Run the guide's start block in ``folder``; returns the hub process and its port."""
    hub = None
    port = free_port()
    for line in start_block():
        words = shlex.split(line)
        if words[:2] in (["pip", "install"], ["npm", "install"]):
            continue  # the test environment has them: `pip install -e .[test]`, .ci/run
        if words[0] in ("mkdir", "cd"):
            continue  # the test's folder is made for it
        if words[0] == "curl":
            assert words[-1].endswith("/docs/hub/jupyterhub_config.py"), line
            shutil.copy(CONFIG, folder / "jupyterhub_config.py")
        elif words[0] == "export":
            name, _, value = words[1].partition("=")
            env[name] = value
        elif words[:3] == ["python", "-m", "adkernel"]:
            subprocess.run([sys.executable, *words[1:]], cwd=folder, env=env, check=True,
                           capture_output=True)
        elif words[0] == "jupyterhub":
            hub = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", *words[1:], f"--port={port}",
                 f"--JupyterHub.hub_port={free_port()}",
                 f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"],
                cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
        else:
            raise AssertionError(f"the test does not know how to run {line!r}")
    assert hub is not None
    return hub, port


def wait_for(what: str, check, timeout: float = 60.0, hub=None, log_path=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if hub is not None and hub.poll() is not None:
            break
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.2)
    tail = log_path.read_text(errors="replace")[-4000:] if log_path else ""
    raise AssertionError(f"{what}: not within {timeout} s\n{tail}")


# ---- a learner, as a browser and as the JupyterLab front end ---------------------------------


class Learner:
    def __init__(self, base: str, name: str, password: str):
        import requests

        self.base, self.name = base, name
        self.web = requests.Session()  # the learner's browser (cookies)
        self.web.get(f"{base}/hub/login").raise_for_status()
        r = self.web.post(f"{base}/hub/login", allow_redirects=False, data={
            "username": name, "password": password, "_xsrf": self.web.cookies.get("_xsrf")})
        assert r.status_code == 302, (r.status_code, r.text[-500:])
        # a token of the learner's own, for the REST calls JupyterLab makes from the page
        r = self.web.post(f"{base}/hub/api/users/{name}/tokens", json={"note": "test"},
                          headers={"X-XSRFToken": self.web.cookies.get("_xsrf", path="/hub/")})
        assert r.status_code == 201, (r.status_code, r.text)
        self.api = requests.Session()
        self.api.headers["Authorization"] = "token " + r.json()["token"]
        self.server = f"{base}/user/{name}"

    def start(self):
        r = self.api.post(f"{self.base}/hub/api/users/{self.name}/server")
        assert r.status_code in (201, 202), (r.status_code, r.text)

    def ready(self) -> bool:
        info = self.api.get(f"{self.base}/hub/api/users/{self.name}").json()
        return bool(info.get("servers", {}).get("", {}).get("ready"))

    def open_link(self, link: str):
        """What the browser does with the link: the hub sends it to nbgitpuller's page, whose
        script then streams the pull from ``git-pull/api`` with the same query."""
        r = self.web.get(link)
        assert r.status_code == 200, (r.status_code, r.url)
        assert urlsplit(r.url).path == f"/user/{self.name}/git-pull", r.url
        query = urlsplit(link).query
        events = []
        with self.api.get(f"{self.server}/git-pull/api?{query}", stream=True, timeout=60) as s:
            for line in s.iter_lines(decode_unicode=True):
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))
        assert events and events[-1]["phase"] == "finished", events[-3:]
        urlpath = parse_qs(query)["urlpath"][0]
        page = self.web.get(f"{self.server}/{urlpath}")  # where the page then sends them
        assert page.status_code == 200, (page.status_code, urlpath)

    def contents(self, path: str):
        return self.api.get(f"{self.server}/api/contents/{path}")

    def save(self, path: str, notebook: dict):
        r = self.api.put(f"{self.server}/api/contents/{path}",
                         json={"type": "notebook", "format": "json", "content": notebook})
        assert r.status_code in (200, 201), (r.status_code, r.text)


class Kernel:
    """A kernel of the learner's server, driven over its websocket through the hub's proxy."""

    def __init__(self, learner: Learner, kernel_id: str):
        import websocket

        self.id = kernel_id
        url = learner.server.replace("http://", "ws://") + f"/api/kernels/{self.id}/channels"
        self.ws = websocket.create_connection(
            url, timeout=60, header=[f"Authorization: {learner.api.headers['Authorization']}"])
        self.session = uuid.uuid4().hex

    def execute(self, code: str) -> list[dict]:
        """Run ``code``; return its outputs as notebook outputs."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "",
                       "session": self.session, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}}))
        outputs, replied, idle = [], False, False
        while not (replied and idle):
            raw = self.ws.recv()
            if isinstance(raw, bytes):
                continue  # a binary frame (widget buffers): not an output
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "execute_reply":
                replied = True
            elif kind == "status":
                idle = content["execution_state"] == "idle"
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"],
                                "text": content["text"]})
            elif kind in ("execute_result", "display_data"):
                out = {"output_type": kind, "data": content["data"],
                       "metadata": content.get("metadata", {})}
                if kind == "execute_result":
                    out["execution_count"] = content["execution_count"]
                outputs.append(out)
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"],
                                "evalue": content["evalue"], "traceback": content["traceback"]})
        return outputs

    def close(self):
        self.ws.close()


def text_of(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)


# ---- the class -------------------------------------------------------------------------------


def upstream_clone(tmp_path: Path) -> Path:
    """A shallow clone of this project's HEAD, branch ``main``, in a folder named ``adkernel``
    (the folder nbgitpuller clones into is the repository's last path part)."""
    upstream = tmp_path / "upstream" / "adkernel"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--no-tags",
                    ROOT.as_uri(), str(upstream)], check=True, capture_output=True)
    git(upstream, "checkout", "--quiet", "-B", "main")
    return upstream


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Teacher", "-c", "user.email=t@example.edu",
                           *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


def answered(notebook: dict, answers: dict[str, str]) -> dict:
    """The notebook with each exercise cell whose source starts ``def NAME(`` replaced."""
    done = set()
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for name, code in answers.items():
            if source.startswith(f"def {name}("):
                cell["source"] = code
                done.add(name)
    assert done == set(answers), done
    return notebook


@pytest.fixture
def hub(tmp_path):
    pytest.importorskip("jupyterhub", reason="`pip install -e .[test]` installs jupyterhub")
    if shutil.which("node") is None:
        pytest.skip("Node.js is missing: JupyterHub's proxy (configurable-http-proxy) runs on it")
    assert shutil.which("configurable-http-proxy"), (
        "configurable-http-proxy is missing: npm install -g configurable-http-proxy (.ci/run does)")
    folder = tmp_path / "class"
    folder.mkdir()
    bin_dir = tmp_path / "bin"  # `python` in the guide's shell lines is this Python
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    (bin_dir / "python").chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    log_path = tmp_path / "hub.log"
    with open(log_path, "wb") as log:
        process, port = run_start_block(folder, env, log)
        base = f"http://127.0.0.1:{port}"
        try:
            import requests

            wait_for("the hub answering", lambda: requests.get(f"{base}/hub/api",
                                                                timeout=5).ok,
                     hub=process, log_path=log_path)
            yield {"base": base, "folder": folder, "env": env, "log": log_path}
        finally:
            process.terminate()  # the hub stops the learners' servers and its proxy
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_hub_config_is_the_one_in_the_guide():
    # the guide quotes the file whole; the test starts the file itself
    assert f"```python\n{CONFIG.read_text(encoding='utf-8')}```" in DOC


def pull_link(base: str, upstream: Path) -> str:
    """The guide's trial link, for this hub and the local upstream clone."""
    parts = urlsplit(trial_link())
    query = {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}
    assert list(query) == ["repo", "branch", "urlpath"] and query["branch"] == "main"
    assert query["urlpath"] == f"lab/tree/{CH02}"
    query["repo"] = str(upstream)
    return f"{base}{parts.path}?{urlencode(query)}"


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
