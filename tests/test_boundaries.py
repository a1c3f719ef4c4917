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


@pytest.mark.slow
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


# ----- layering: lower layers never import upper ones, not even inside functions ---------

# The engine's layers, bottom up; a module may import only modules of lower layers (its own
# package's submodules aside). Tensors reach the layers above them through
# ``tensor.connect``, which ``adkernel.engine`` calls once.
LAYERS = [
    {"i18n"},
    {"_state", "_malloc", "_quiet", "dtypes", "errors"},
    {"tensor"},
    {"explain", "trace"},
    {"tape"},
    {"forward"},
    {"registry"},
    {"ops"},
    {"custom", "sorting", "gradcheck", "inspect"},
    {"numpy_interop"},
    {"__init__"},
]


def _layer(path: Path) -> int:
    rel = path.relative_to(ENGINE_DIR)
    key = rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.stem != "__init__" \
        else "__init__"
    for i, layer in enumerate(LAYERS):
        if key in layer:
            return i
    raise AssertionError(f"{rel} is in no layer of LAYERS: add it")


def _engine_part(name: str) -> str | None:
    if not name.startswith("adkernel.engine."):
        return None
    return name.split(".")[2]


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ENGINE_DIR)))
def test_engine_modules_import_only_lower_layers_at_module_level(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = [
        node.lineno
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(fn)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert not nested, f"function-level imports (cycles hidden at run time) on lines {nested}"
    mine = _layer(path)
    own = path.relative_to(ENGINE_DIR).parts[0].removesuffix(".py")
    for line, name in _imports(path):
        part = _engine_part(name)
        if part is None or part == own:
            continue
        other = _layer(ENGINE_DIR / (part + ".py") if (ENGINE_DIR / (part + ".py")).exists()
                       else ENGINE_DIR / part / "__init__.py")
        assert other < mine or (path.name == "__init__.py" and path.parent == ENGINE_DIR), (
            f"line {line}: {own} (layer {mine}) imports {part} (layer {other})")


TAPE_PRIVATE = {"_entries", "_ids", "_watched", "_assigned", "_links", "_spans", "_pauses",
                "_grad_outputs", "_dropped", "_tracked_then", "_persistent", "_state"}


def test_no_module_reads_the_tapes_private_attributes():
    """Only tape.py (and record(), in it) touches a tape's insides; others use tape.view()."""
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path.name == "tape.py" and path.parent == ENGINE_DIR:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in TAPE_PRIVATE:
                offenders.append(f"{path.relative_to(PACKAGE_DIR)}:{node.lineno} .{node.attr}")
    assert not offenders, offenders


# ----- no import cycle anywhere in adkernel ----------------------------------------------

ALL_FILES = sorted(PACKAGE_DIR.rglob("*.py"))
MODULES = {_module_name(p): p for p in ALL_FILES}


def _module_level_imports(path: Path) -> set[str]:
    """The adkernel modules a file imports when it is imported (function bodies skipped:
    they run later). ``from .pkg import sub`` counts ``pkg.sub`` when ``sub`` is a module;
    the packages the file sits in do not count (they are mid-import when it runs)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modname = _module_name(path)
    package = modname if path.name == "__init__.py" else modname.rpartition(".")[0]
    found: set[str] = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level > 1:
                base = base[: len(base) - (node.level - 1)]
            target = node.module if node.level == 0 else ".".join(
                base + ([node.module] if node.module else []))
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names
                         if f"{target}.{a.name}" in MODULES)
        todo.extend(ast.iter_child_nodes(node))
    # a package this module lives in is being imported already (its own parents aside, a
    # module's imports run that package's __init__ first, which is no cycle of this module's)
    return {n for n in found if n in MODULES and not (modname + ".").startswith(n + ".")}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or None (depth-first, colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_cycle_finder_names_the_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_import_graph_sees_tf_and_keras():
    graph = {name: _module_level_imports(path) for name, path in MODULES.items()}
    assert "adkernel.tf_random" in graph["adkernel.keras.layers"]
    assert "adkernel.engine.tensor" in graph["adkernel.tf"]


def test_adkernel_has_no_import_cycle():
    """keras is built on the engine (and tf_random); tf reaches keras lazily, in __getattr__."""
    graph = {name: _module_level_imports(path) for name, path in MODULES.items()}
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)
