"""Documentation that is generated from code stays in step with it."""

from __future__ import annotations

from pathlib import Path

from adkernel.engine.registry import op_table

ROOT = Path(__file__).resolve().parents[1]


def test_ops_table_is_current():
    text = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    assert text.endswith(op_table()), (
        "docs/ops.md is out of date: regenerate its table with "
        "adkernel.engine.registry.op_table()"
    )
