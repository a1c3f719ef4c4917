"""The simulated Binder build (issue 8): what repo2docker would make, without Docker.

The ``binder_env`` fixture (tests/conftest.py) builds a fresh virtual environment from
``binder/requirements.txt`` and runs ``binder/postBuild`` with a throw-away HOME, once per
test session; tests/test_browser.py reuses it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "course").glob("*/*.ipynb"))
PEAK_LIMIT_MB = 500  # per kernel; Binder gives 1 GB (at least) to the whole session

pytestmark = pytest.mark.slow


def run_notebooks(python, env, paths, cwd) -> list[dict]:
    done = subprocess.run([str(python), str(ROOT / "tests" / "binder_exec.py"),
                           *map(str, paths)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def test_tape_magic_works_without_load_ext_on_the_default_kernel(binder_env, tmp_path):
    python, env = binder_env
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)"),
        nbformat.v4.new_code_cell("from adkernel import tf\nx = tf.Variable(3.0)"),
        nbformat.v4.new_code_cell("%%tape --grad y:x\ny = x**2"),
    ]
    path = tmp_path / "no-load-ext.ipynb"
    nbformat.write(nb, path)
    (result,) = run_notebooks(python, env, [path], tmp_path)
    assert result["text"][0].strip() == str(python.parent.parent)  # that env's kernel
    assert any(h.startswith('<img src="data:image/svg+xml;base64,') for h in result["html"])
    assert any("dy/dx" in t and "6" in t for t in result["text"])


def test_every_course_notebook_runs_there_within_the_memory_budget(binder_env, tmp_path):
    python, env = binder_env
    results = run_notebooks(python, env, COURSE, ROOT)
    print("\npeak kernel memory (MB) and time (s) per notebook:")
    for r in results:
        print(f"  {Path(r['path']).relative_to(ROOT)}: {r['peak_mb']:.0f} MB, "
              f"{r['seconds']:.1f} s")
    assert len(results) == len(COURSE) == 16
    for r in results:
        assert 0 < r["peak_mb"] < PEAK_LIMIT_MB, r["path"]
        for text in r["text"]:
            assert "missing from font" not in text, (r["path"], text)
