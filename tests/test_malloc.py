"""glibc's allocator is tuned only when asked (the notebook extension, the benchmarks): importing
adkernel leaves the process's malloc settings alone, and the switch-off still works.

The settings are observed, not just adkernel's flag: a fresh ``malloc`` of 8-28 MiB is
mmap-ed under glibc's defaults (``mallinfo2().hblks`` grows by one) and comes from the heap
once ``tune_malloc`` has raised the mmap threshold to 32 MiB.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # each test starts a Python

GLIBC = sys.platform.startswith("linux") and bool(os.confstr("CS_GNU_LIBC_VERSION") or "")
needs_glibc = pytest.mark.skipif(not GLIBC, reason="mallopt/mallinfo2 are glibc's")

PROBE = """\
import ctypes

class _Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                "usmblks", "fsmblks", "uordblks", "fordblks",
                                                "keepcost")]

_libc = ctypes.CDLL(None)
_libc.mallinfo2.restype = _Info
_libc.malloc.restype, _libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
_libc.free.argtypes = (ctypes.c_void_p,)


_sizes = iter(range(8 << 20, 32 << 20, 4 << 20))


def mmapped():
    # each probe is larger: freeing an mmap-ed block raises glibc's (dynamic) threshold to it
    before = _libc.mallinfo2().hblks
    block = _libc.malloc(next(_sizes))
    after = _libc.mallinfo2().hblks
    _libc.free(block)
    return after > before

"""


def _run(code: str, tune_env: str | None = None) -> list[str]:
    env = dict(os.environ)
    env.pop("ADKERNEL_TUNE_MALLOC", None)
    if tune_env is not None:
        env["ADKERNEL_TUNE_MALLOC"] = tune_env
    out = subprocess.run([sys.executable, "-c", PROBE + code], env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


@needs_glibc
def test_importing_adkernel_leaves_malloc_alone():
    code = ("print(mmapped())\n"
            "import adkernel, adkernel.tf, adkernel.engine._malloc as m\n"
            "from adkernel import tf\n"
            "tf.keras.layers.Dense(3)(tf.ones((2, 4)))\n"
            "print(mmapped(), m.tuned)\n")
    assert _run(code) == ["True", "True", "False"]


@needs_glibc
def test_tune_malloc_raises_the_mmap_threshold():
    code = ("from adkernel.engine import tune_malloc\n"
            "print(mmapped(), tune_malloc(), mmapped(), tune_malloc())\n")
    assert _run(code) == ["True", "True", "False", "True"]


@needs_glibc
def test_tuning_can_be_switched_off():
    code = ("from adkernel.engine import tune_malloc\n"
            "print(tune_malloc(), mmapped())\n")
    assert _run(code, tune_env="0") == ["False", "True"]


@needs_glibc
def test_the_notebook_extension_tunes_malloc():
    code = ("from IPython.core.interactiveshell import InteractiveShell\n"
            "ip = InteractiveShell.instance()\n"
            "print(mmapped())\n"
            "ip.run_line_magic('load_ext', 'adkernel')\n"
            "import adkernel.engine._malloc as m\n"
            "print(mmapped(), m.tuned)\n")
    assert _run(code) == ["True", "False", "True"]

