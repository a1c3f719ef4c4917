"""Documentation that is generated from code stays in step with it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ops_doc():
    spec = importlib.util.spec_from_file_location("ops_doc", ROOT / "tools" / "ops_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ops_table_is_current():
    text = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    assert text == _ops_doc().current(text), (
        "docs/ops.md is out of date with the op blocks: run `python tools/ops_doc.py` "
        "from the checkout (it rewrites the table below the prose)"
    )
