"""What every benchmark script shares: writing its results as JSON."""

from __future__ import annotations

import json
from pathlib import Path


def write_json(results: dict, path: Path) -> None:
    """Write ``results`` to ``path`` (creating its folder) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {path}")
