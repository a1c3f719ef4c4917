"""Import boundaries: the engine is numpy + stdlib only; importing adkernel stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import adkernel

PACKAGE_DIR = Path(adkernel.__file__).resolve().parent
ENGINE_DIR = PACKAGE_DIR / "engine"
ENGINE_FILES = sorted(ENGINE_DIR.rglob("*.py"))
HEAVY = ("IPython", "ipywidgets", "matplotlib")


def test_import_does_not_pull_notebook_or_plotting_stack():
    code = (
        "import sys\n"
        "import adkernel, adkernel.tf\n"
        "from adkernel import tf\n"
        "x = tf.Variable(2.0)\n"
        "with tf.GradientTape() as t:\n"
        "    y = x * x\n"
        "assert float(t.gradient(y, x)) == 4.0\n"
        f"heavy = {HEAVY!r}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.strip()
    assert loaded == "", f"importing adkernel loaded {loaded}"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """Every module a file imports (absolute names; relative imports resolved)."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    modname = _module_name(path)
    package = modname if path.name == "__init__.py" else modname.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append((node.lineno, node.module))
                continue
            base = package.split(".")
            if node.level > 1:
                base = base[: len(base) - (node.level - 1)]
            target = ".".join(base)
            if node.module:
                found.append((node.lineno, f"{target}.{node.module}" if target else node.module))
            else:
                # `from . import ops`: each name is a submodule (or attribute) of target.
                found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return found


def _allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top == "numpy" or top == "__future__":
        return True
    if top == "adkernel":
        return name == "adkernel.engine" or name.startswith("adkernel.engine.")
    return top in sys.stdlib_module_names


def test_engine_files_found():
    names = {p.name for p in ENGINE_FILES}
    assert {"tensor.py", "tape.py", "registry.py", "__init__.py"} <= names
    assert any(p.parent.name == "ops" for p in ENGINE_FILES)


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ENGINE_DIR)))
def test_engine_imports_only_numpy_stdlib_and_itself(path):
    bad = [f"line {line}: {name}" for line, name in _imports(path) if not _allowed(name)]
    assert not bad, f"{path.relative_to(PACKAGE_DIR.parent)} imports outside the boundary: {bad}"


def test_import_checker_rejects_forbidden_imports():
    # The checker itself must notice an escape, absolute or relative, anywhere in a file.
    probe = ENGINE_DIR / "ops" / "probe.py"  # never written: only its package matters
    source = (
        "import matplotlib.pyplot\n"
        "from ... import tf\n"
        "from ..tensor import Tensor\n"
        "def f():\n"
        "    import IPython\n"
        "    from . import math\n"
    )
    names = [name for _, name in _imports(probe, source)]
    assert names == ["matplotlib.pyplot", "adkernel.tf", "adkernel.engine.tensor", "IPython",
                     "adkernel.engine.ops.math"]
    assert [_allowed(n) for n in names] == [False, False, True, False, True]
