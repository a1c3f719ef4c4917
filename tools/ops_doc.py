"""Rewrite the table in ``docs/ops.md`` from the op registry (the op blocks).

    python tools/ops_doc.py          # rewrite docs/ops.md's table (the prose above it stays)
    python tools/ops_doc.py --check  # exit 1 if docs/ops.md is stale (tests/test_docs.py)

Run it from the checkout (``PYTHONPATH=.``) after adding or changing an op block.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ops.md"
TABLE_START = "| op | tf names |"


def current(text: str) -> str:
    """``text`` with its table (from the first table line to the end) regenerated."""
    from adkernel.engine.registry import op_table

    head = text[: text.index(TABLE_START)] if TABLE_START in text else text.rstrip() + "\n\n"
    return head + op_table()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is stale")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    want = current(text)
    if args.check:
        if want != text:
            print("docs/ops.md is stale: run python tools/ops_doc.py")
            return 1
        return 0
    if want != text:
        DOC.write_text(want, encoding="utf-8")
        print("rewrote docs/ops.md")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
