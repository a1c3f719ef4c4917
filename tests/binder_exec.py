"""Run by tests/test_binder_build.py with the Binder environment's own Python.

Executes each notebook given on the command line on that environment's default
``python3`` kernel (cells tagged ``raises-exception`` may fail, any other error fails the
run) and prints, as JSON, each kernel's peak resident memory (``VmHWM`` from /proc) and
the outputs the checks need. Nothing is written back to the notebooks.
"""

from __future__ import annotations

import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient


def peak_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM line in /proc/PID/status")


def main(paths: list[str]) -> list[dict]:
    results = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": os.path.dirname(
                                    os.path.abspath(path))}})
        start = time.perf_counter()
        with client.setup_kernel():
            pid = client.km.provisioner.process.pid
            for i, cell in enumerate(nb.cells):
                client.execute_cell(cell, i)
            peak = peak_mb(pid)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        results.append({
            "path": path,
            "peak_mb": round(peak, 1),
            "seconds": round(time.perf_counter() - start, 1),
            "html": [o.get("data", {}).get("text/html", "") for o in outputs],
            "text": [o.get("text", "") or o.get("data", {}).get("text/plain", "")
                     for o in outputs],
        })
    return results


if __name__ == "__main__":
    json.dump(main(sys.argv[1:]), sys.stdout)
