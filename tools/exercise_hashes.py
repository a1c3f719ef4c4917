"""Write (or check) ``adkernel/_exercise_hashes.json``: the SHA-256 of every exercise module.

``python -m adkernel grade`` refuses to grade when the installed ``adkernel/exercises/*.py``
differ from this list (someone edited the checks on disk). Run it after changing an exercise
module; ``tests/test_grade_sandbox.py`` fails while the list is out of date::

    python tools/exercise_hashes.py          # write the list
    python tools/exercise_hashes.py --check  # exit 1 when it is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adkernel._sandbox import HASHES, exercise_hashes  # noqa: E402


def render() -> str:
    data = {"about": "SHA-256 of adkernel/exercises/*.py; written by tools/exercise_hashes.py",
            "sha256": exercise_hashes()}
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    current = HASHES.read_text(encoding="utf-8") if HASHES.exists() else ""
    if "--check" in argv:
        if current != text:
            print(f"{HASHES.relative_to(ROOT)} is out of date: run tools/exercise_hashes.py")
            return 1
        print(f"{HASHES.relative_to(ROOT)} is up to date")
        return 0
    HASHES.write_text(text, encoding="utf-8")
    print(f"wrote {HASHES.relative_to(ROOT)} ({len(exercise_hashes())} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
