"""The glibc allocator tuning can be switched off and never breaks an import."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # each test starts a Python

CODE = "import adkernel.engine._malloc as m, adkernel; print(m.tuned)"


def _run(env_value):
    env = dict(os.environ)
    env.pop("ADKERNEL_TUNE_MALLOC", None)
    if env_value is not None:
        env["ADKERNEL_TUNE_MALLOC"] = env_value
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_tuning_can_be_switched_off():
    assert _run("0") == "False"


def test_tuning_is_on_by_default_on_glibc_linux():
    expected = "True" if sys.platform.startswith("linux") and os.confstr(
        "CS_GNU_LIBC_VERSION") else "False"
    assert _run(None) == expected
