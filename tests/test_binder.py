"""Binder configuration invariants (repo2docker cannot run here: no Docker, no network)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def test_postbuild_is_an_executable_strict_bash_script():
    post = BINDER / "postBuild"
    text = post.read_text()
    assert text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text
    assert os.access(post, os.X_OK)


def test_requirements_install_this_package_and_apt_has_cjk_fonts():
    lines = [ln.strip() for ln in (BINDER / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert lines[-1] == "-e .[course]"
    pins = dict(ln.split("==") for ln in lines[:-1])  # every other line is a pin
    for name in ("numpy", "ipython", "ipywidgets", "matplotlib", "jupyterlab", "ipykernel"):
        assert name in pins, name
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert "fonts-noto-cjk" in (BINDER / "apt.txt").read_text().split()
    assert not (BINDER / "Dockerfile").exists()


@pytest.mark.slow
def test_postbuild_configures_the_extension_for_every_kernel(tmp_path):
    env = dict(os.environ, NB_PYTHON_PREFIX=str(tmp_path / "prefix"), HOME=str(tmp_path))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run(["bash", str(BINDER / "postBuild")], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    config = (tmp_path / "prefix/etc/ipython/ipython_kernel_config.py").read_text()
    assert "extensions = ['adkernel']" in config
