"""Drive docs/teaching.md's one-machine JupyterHub as learners do (tests/test_hub.py and
benchmarks/hub_class.py): the guide's start-up commands run one by one, a learner's browser
and token (requests), a kernel over its websocket through the hub's proxy (websocket-client).
"""

from __future__ import annotations

import contextlib
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

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "docs" / "hub" / "jupyterhub_config.py"
DOC = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
CH02 = "adkernel/course/en/02-gradient-tape.ipynb"


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


def run_start_block(folder: Path, env: dict, log,
                    extra_args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, int]:
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
                 f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}", *extra_args],
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


def pull_link(base: str, upstream: Path) -> str:
    """The guide's trial link, for this hub and the local upstream clone."""
    parts = urlsplit(trial_link())
    query = {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}
    assert list(query) == ["repo", "branch", "urlpath"] and query["branch"] == "main"
    assert query["urlpath"] == f"lab/tree/{CH02}"
    query["repo"] = str(upstream)
    return f"{base}{parts.path}?{urlencode(query)}"


@contextlib.contextmanager
def running_hub(tmp_path: Path, extra_args: tuple[str, ...] = ()):
    """The guide's hub, started in ``tmp_path/class``; stopped (with its servers) on exit."""
    import requests

    folder = tmp_path / "class"
    folder.mkdir()
    bin_dir = tmp_path / "bin"  # `python` in the guide's shell lines is this Python
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    (bin_dir / "python").chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    log_path = tmp_path / "hub.log"
    with open(log_path, "wb") as log:
        process, port = run_start_block(folder, env, log, extra_args)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for("the hub answering", lambda: requests.get(f"{base}/hub/api", timeout=5).ok,
                     hub=process, log_path=log_path)
            yield {"base": base, "folder": folder, "env": env, "log": log_path,
                   "pid": process.pid}
        finally:
            process.terminate()  # the hub stops the learners' servers and its proxy
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
