"""docs/teaching.md: what can be checked without a hub, a cluster or a browser.

The nbgitpuller links (format and target), the YAML and shell snippets' syntax, the
kernel-configuration line, the Z2JH postStart command (run with a stand-in ``pip``), and the
nbgrader assertion. The one-machine class (a real JupyterHub) is tests/test_hub.py; Kubernetes,
TLJH and JupyterLite themselves are marked untested there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "teaching.md"
TEXT = DOC.read_text(encoding="utf-8")
REPO = re.search(r'^Homepage = "(.*)"$', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
KERNEL_CONFIG = "c.InteractiveShellApp.extensions = ['adkernel']"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", TEXT, flags=re.S | re.M)


def pull_links() -> list[str]:
    return [b.strip() for b in blocks("text") if "/git-pull?" in b]


def check_link(link: str) -> dict:
    parts = urlsplit(link)
    # a real hub's address, or the one-machine trial hub's (tests/test_hub.py opens that one)
    assert (parts.scheme == "https" and parts.netloc) or (
        parts.scheme, parts.netloc) == ("http", "127.0.0.1:8000"), link
    assert parts.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parts.query, strict_parsing=True)
    assert set(query) == {"repo", "branch", "urlpath"}
    assert all(len(v) == 1 for v in query.values())
    q = {k: v[0] for k, v in query.items()}
    assert q["repo"] == REPO
    assert q["branch"] == "main"
    clone_dir = REPO.rstrip("/").rsplit("/", 1)[1]
    prefix = f"lab/tree/{clone_dir}/"
    assert q["urlpath"].startswith(prefix), q["urlpath"]
    target = ROOT / q["urlpath"][len(prefix):]
    assert target.is_file(), f"the link opens {target}, which is not in the repository"
    # the link is exactly what urlencode gives for these parameters, in this order
    rebuilt = f"{parts.scheme}://{parts.netloc}{parts.path}?" + urlencode(
        {"repo": q["repo"], "branch": q["branch"], "urlpath": q["urlpath"]}
    )
    assert rebuilt == link
    return q


def test_the_nbgitpuller_links_are_well_formed_and_open_course_notebooks():
    links = pull_links()
    assert len(links) == 3
    opened = {check_link(link)["urlpath"] for link in links}
    assert opened == {"lab/tree/adkernel/course/en/00-index.ipynb",
                      "lab/tree/adkernel/course/zh/00-index.ipynb",
                      "lab/tree/adkernel/course/en/02-gradient-tape.ipynb"}


def test_the_link_building_snippet_makes_a_valid_link():
    snippet = next(b for b in blocks("python") if "urlencode" in b)
    out = StringIO()
    with redirect_stdout(out):
        exec(compile(snippet, "teaching.md", "exec"), {})
    q = check_link(out.getvalue().strip())
    assert q["urlpath"].endswith("course/en/02-gradient-tape.ipynb")


def _yaml_blocks():
    found = blocks("yaml")
    assert len(found) == 2
    return found


def test_the_yaml_snippets_parse_and_say_what_the_text_says():
    docs = _yaml_blocks()
    for text in docs:
        assert "\t" not in text
    yaml = pytest.importorskip("yaml")
    image, hook = (yaml.safe_load(t) for t in docs)
    assert set(image) == {"singleuser"}
    assert image["singleuser"]["image"]["name"]
    assert isinstance(image["singleuser"]["image"]["tag"], str)  # quoted: not a date object
    assert image["singleuser"]["defaultUrl"] == "/lab"
    command = hook["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[:2] == ["sh", "-c"] and len(command) == 3
    assert KERNEL_CONFIG in command[2] and "nbgitpuller" in command[2]


def test_the_yaml_snippets_have_consistent_indentation_without_pyyaml():
    # the check that runs even where PyYAML is missing: two-space indentation, keys end ':'
    for text in _yaml_blocks():
        for line in text.splitlines():
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip(" "))
            assert indent % 2 == 0, line
            body = line.strip()
            assert body.startswith(("- ", ">")) or ":" in body or body.startswith(
                ("pip ", "mkdir ", "echo ")
            ), line


@pytest.mark.slow
def test_the_poststart_command_writes_the_kernel_config(tmp_path):
    yaml = pytest.importorskip("yaml")
    if shutil.which("sh") is None:
        pytest.skip("no sh")
    hook = yaml.safe_load(_yaml_blocks()[1])
    command = hook["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "pip.log"
    fake_pip = bin_dir / "pip"
    fake_pip.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n')
    fake_pip.chmod(0o755)
    env = dict(os.environ, CONDA_DIR=str(tmp_path / "conda"),
               PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run(command, check=True, env=env, capture_output=True)
    assert "adkernel[course] @ git+" + REPO in log.read_text()
    config = tmp_path / "conda" / "etc" / "ipython" / "ipython_kernel_config.py"
    assert config.read_text().strip() == KERNEL_CONFIG


def test_the_kernel_config_line_is_the_one_binder_uses_and_loads_the_extension():
    assert KERNEL_CONFIG in (ROOT / "binder" / "postBuild").read_text()
    assert TEXT.count(KERNEL_CONFIG) >= 4  # the list, Dockerfile, postStart, TLJH
    from traitlets.config import Config

    c = Config()
    exec(KERNEL_CONFIG, {"c": c})
    assert c.InteractiveShellApp.extensions == ["adkernel"]


def test_the_shell_snippets_are_valid_bash():
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    scripts = blocks("bash")
    assert any("tljh-config" in s for s in scripts)
    assert any("python -m adkernel grade" in s for s in scripts)
    for script in scripts:
        result = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert result.returncode == 0, (script, result.stderr)
    # the collection loop (indented in a list item) too
    loop = re.search(r"```bash\n(\s+mkdir -p submissions.*?)```", TEXT, flags=re.S)
    assert loop is not None
    result = subprocess.run(["bash", "-n"], input=loop.group(1), text=True,
                            capture_output=True)
    assert result.returncode == 0, result.stderr


def test_the_grade_options_in_the_guide_exist():
    from adkernel.__main__ import main

    out = StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit):
        main(["grade", "--help"])
    help_text = out.getvalue()
    section = TEXT[TEXT.index("## Collecting") : TEXT.index("## JupyterLite")]
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", section))
    assert {"--csv", "--jobs", "--lang", "--learner-from", "--chapter", "--timeout"} <= options
    for option in options:
        assert option in help_text, f"docs/teaching.md mentions {option}, grade has no such option"


def test_the_nbgrader_assertion_passes_on_a_right_answer_and_fails_on_a_wrong_one():
    from adkernel import tf
    from adkernel.exercises import ch02 as ex

    assert "ex.q1.evaluate(globals(), save=False).correct" in TEXT
    ns = {"tf": tf, "ex": ex}
    exec(ex.q1.solution_code, ns)
    assert eval("ex.q1.evaluate(globals(), save=False).correct", ns)
    exec("def derivative_at(x0):\n    return 0.0", ns)
    assert not eval("ex.q1.evaluate(globals(), save=False).correct", ns)


def test_the_readme_links_the_guide_and_shows_grade():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/teaching.md" in readme
    assert "python -m adkernel grade submissions/ --csv results.csv" in readme

