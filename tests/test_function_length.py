"""No function in adkernel/ is longer than 80 lines, except those on ALLOWED, each with its
reason. A function's length is its lines from ``def`` to its last line, less its docstring
(documentation, with its Parameters and Examples, is not what makes a function hard to read);
nested functions count towards the function they are in, and are checked on their own too."""

from __future__ import annotations

import ast
from pathlib import Path

import adkernel

PACKAGE_DIR = Path(adkernel.__file__).resolve().parent
LIMIT = 80

# "path:qualified name" -> why it stays long (shorten it and remove it from here)
ALLOWED = {
    "exercises/ch01.py:_judge_central_diff":
        "an exercise judge: a flat list of checks, each with its learner-facing message, "
        "read top to bottom like the exercise",
    "exercises/ch03.py:_judge_grads":
        "an exercise judge: a flat list of checks with their learner-facing messages",
    "exercises/ch04.py:_judge_train":
        "an exercise judge: a flat list of checks with their learner-facing messages",
    "exercises/ch05.py:_judge_mlp":
        "an exercise judge: a flat list of checks with their learner-facing messages",
    "exercises/ch06.py:_judge_engine":
        "an exercise judge: a flat list of checks with their learner-facing messages",
    "exercises/ch06.py:_judge_round":
        "an exercise judge: a flat list of checks with their learner-facing messages",
    "exercises/ch07.py:_why_none":
        "one explanation per way a gradient comes back None, in the order they are tried",
    "grade.py:_Runner.run":
        "the grader's one kernel session: run the cells and probe the checks inside a "
        "single async with/try, so the kernel is shut down on every exit path",
    "widgets/stepper.py:BackpropStepper._explain":
        "the stepper's explanation of one backward step, one branch per kind of op",
}


def _docstring_lines(fn: ast.AST) -> int:
    body = getattr(fn, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[0].end_lineno - body[0].lineno + 1
    return 0


def function_lengths(source: str) -> dict[str, int]:
    """``{qualified name: length}`` for every function in ``source``."""
    found: dict[str, int] = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                found[name] = child.end_lineno - child.lineno + 1 - _docstring_lines(child)
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def _all_lengths() -> dict[str, int]:
    out = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        for name, n in function_lengths(path.read_text(encoding="utf-8")).items():
            out[f"{rel}:{name}"] = n
    return out


def test_length_counts_code_not_docstring():
    source = ('class A:\n    def f(self):\n        """Doc\n\n        more."""\n'
              '        x = 1\n        def g():\n            return x\n        return g\n')
    assert function_lengths(source) == {"A.f": 5, "A.f.g": 2}


def test_no_function_is_over_80_lines_unless_allowed():
    lengths = _all_lengths()
    too_long = {k: n for k, n in lengths.items() if n > LIMIT and k not in ALLOWED}
    assert not too_long, (
        f"functions over {LIMIT} lines (split them, or add them to ALLOWED with a reason): "
        + ", ".join(f"{k} ({n})" for k, n in sorted(too_long.items())))


def test_the_allow_list_has_no_stale_entries():
    lengths = _all_lengths()
    stale = sorted(k for k in ALLOWED if lengths.get(k, 0) <= LIMIT)
    assert not stale, f"no longer over {LIMIT} lines (or gone): remove from ALLOWED: {stale}"
    assert all(len(why) > 20 for why in ALLOWED.values())
