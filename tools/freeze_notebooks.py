"""Re-execute the committed notebooks and keep only what shows without a kernel.

A live widget (the backprop stepper, the training explorer) is saved by Jupyter as a
``application/vnd.jupyter.widget-view+json`` output next to its static ``text/html`` form.
Opened later without the kernel that made it, JupyterLab shows a trusted notebook's widget
output as "Error displaying widget: model not found" (an untrusted one shows the static
form). The committed course keeps only the static form of every widget output, and no
widget state, so every reader sees the pictures, trusted or not, until they run the cell
again and get the live widget. (nbval never compares the widget-view part, so strict nbval
is unaffected.)

Run from the repository root::

    python tools/freeze_notebooks.py                 # strip only (no re-execution)
    python tools/freeze_notebooks.py --execute       # re-execute every notebook first
    python tools/freeze_notebooks.py course/en/02-gradient-tape.ipynb --execute
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"


def committed() -> list[Path]:
    return [*sorted((ROOT / "course").glob("*/*.ipynb")), ROOT / "docs/examples/tour.ipynb"]


def freeze(nb) -> int:
    """Drop widget views that have a static form, and the notebook's widget state.

    Returns the number of outputs changed. A widget output without a static form is left
    alone (it would otherwise show nothing at all).
    """
    changed = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET in data and ("text/html" in data or "image/png" in data):
                del data[WIDGET]
                changed += 1
    if "widgets" in nb.metadata:
        del nb.metadata["widgets"]
        changed += 1
    return changed


def execute(path: Path, nb) -> None:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/freeze_notebooks.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--execute", action="store_true",
                        help="re-execute each notebook (nbclient, python3 kernel) first")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    for path in args.notebooks or committed():
        nb = nbformat.read(path, as_version=4)
        if args.execute:
            execute(path, nb)
        n = freeze(nb)
        nbformat.write(nb, path)
        print(f"{path}: {n} widget output(s) frozen to their static form")
    return 0


if __name__ == "__main__":
    sys.exit(main())
