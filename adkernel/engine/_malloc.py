"""Keep freed memory for reuse instead of handing it back to the OS (glibc only).

A tape engine allocates a fresh array for every op of a training step and frees it a
moment later. With glibc's defaults, arrays above a few hundred kB are mmap-ed and
unmapped, or trimmed off the heap, so every step pays page faults to get fresh pages
(on 8 MB arrays that is about a third of the arithmetic). Caching allocators do this
for TensorFlow and PyTorch; for numpy we raise two glibc thresholds instead: arrays up
to 32 MiB come from the heap, and up to 256 MiB of freed heap is kept for reuse.

This is process-wide (numpy code outside adkernel benefits too), so importing adkernel
does not do it: :func:`tune_malloc` is called explicitly by the notebook extension
(``%load_ext adkernel``, in ``magics.load``) and by the engine benchmarks. Unloading the
extension leaves the thresholds raised (glibc cannot report the earlier values). Set the
environment variable ``ADKERNEL_TUNE_MALLOC=0`` to make :func:`tune_malloc` a no-op.

Measured effect (``python -m benchmarks.malloc``; 2-core AMD EPYC, busy): an elementwise
training step on 8 MiB arrays takes 1.45x as long without the tuning (median of 7 rounds,
81.7 vs 67.0 ms); arrays below glibc's 128 KiB mmap threshold are not affected.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024

tuned = False


def tune_malloc() -> bool:
    """Raise glibc's mmap and trim thresholds for the whole process; returns whether it took
    effect (False off glibc Linux or with ``ADKERNEL_TUNE_MALLOC=0``). Idempotent."""
    global tuned
    if tuned:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("ADKERNEL_TUNE_MALLOC") == "0":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    tuned = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return tuned
