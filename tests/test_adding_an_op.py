"""docs/adding-an-op.md is exactly true: follow it to the letter in a scratch copy.

The test copies the project (everything but ``.git`` and build leftovers) to a scratch
folder, pastes the page's block at the end of ``adkernel/engine/ops/math.py`` and its row
into ``CASES`` in ``tests/op_cases.py``, runs the page's command for ``docs/ops.md``, and then
runs the whole everyday suite (``-m "not slow"``: every test that starts no process) against
the copy in a subprocess, so no hand-kept list anywhere can miss the new op. If the page's
example op ever becomes a real op, the page needs a new example (the test says so).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adkernel.engine.registry import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "adding-an-op.md"


def _code_blocks(section: str) -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:python)?\n(.*?)```", body, re.S)


def _copy(dst: Path) -> None:
    ignore = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".pytest_cache", "*.egg-info",
                                    "build", "dist", "test-screenshots", ".ipynb_checkpoints")
    shutil.copytree(ROOT, dst, ignore=ignore, dirs_exist_ok=True)


def _run(args, cwd):
    env = {**os.environ, "PYTHONPATH": str(cwd), "ADKERNEL_LANG": "en"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.slow
def test_the_documented_recipe_adds_an_op(tmp_path):
    block, = _code_blocks("The block")
    row, = _code_blocks("The row")
    command, = _code_blocks("The table")
    name = re.search(r'@defop\("(\w+)"', block).group(1)
    assert name not in REGISTRY, (
        f"{name!r} is a real op now: give docs/adding-an-op.md an example op that does not "
        "exist yet")
    _copy(tmp_path)

    # the block, at the end of ops/math.py
    math_py = tmp_path / "adkernel" / "engine" / "ops" / "math.py"
    math_py.write_text(math_py.read_text(encoding="utf-8") + "\n\n" + block, encoding="utf-8")
    # the row, in CASES
    cases_py = tmp_path / "tests" / "op_cases.py"
    text = cases_py.read_text(encoding="utf-8")
    start = text.index("\nCASES = [\n")
    end = text.index("\n]\n", start)
    cases_py.write_text(text[:end] + "\n" + row.rstrip("\n") + text[end:], encoding="utf-8")
    # the table
    assert command.split()[:2] == ["python", "tools/ops_doc.py"], command
    done = _run(command.split()[1:], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr

    # the copy is the one that runs, and the new op is everywhere the page says
    probe = _run(["-c", f"""
import numpy as np
import adkernel
from adkernel import tf
assert adkernel.__file__.startswith({str(tmp_path)!r}), adkernel.__file__
x = tf.Variable([0.5, -1.0])
with tf.GradientTape() as tape:
    y = np.{name}(x)
assert len(tape) == 1 and tape.gradient(y, x) is not None
assert "{name}" in dir(tf.math) and tf.math.{name}.op.name == "{name}"
"""], tmp_path)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert f"`{name}`" in (tmp_path / "docs" / "ops.md").read_text(encoding="utf-8")

    done = _run(["-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not slow"],
                tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) > 2000, done.stdout[-2000:]  # the whole suite ran
    # and the new op's own rows were among them
    listed = _run(["-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider",
                   "tests/test_ops.py", "tests/test_tf_signatures.py"], tmp_path)
    assert f"[{name}]" in listed.stdout and f"[math.{name}]" in listed.stdout, listed.stdout[-2000:]
