"""The course notebooks: editions in step, exercise convention, links, solutions that pass.

Strict output comparison of the committed notebooks is nbval's job (`course` is in the
pytest testpaths); these tests check what nbval cannot.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from adkernel.exercises import CHAPTERS, problems

COURSE = Path(__file__).resolve().parents[1] / "course"
NAMES = sorted(p.name for p in (COURSE / "en").glob("*.ipynb"))
CHAPTER_OF = re.compile(r"from adkernel\.exercises import ____, (ch\d\d) as ex")
CHECK = re.compile(r"^ex\.q(\d+)\.check\(\)$")
LINK = re.compile(r"\]\(([^)\s]+)\)")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
HAN = re.compile(r"[\u4e00-\u9fff]")


def read(lang: str, name: str):
    return nbformat.read(COURSE / lang / name, as_version=4)


def test_both_editions_hold_the_same_chapters():
    assert NAMES == [
        "00-index.ipynb",
        "01-what-is-ad.ipynb",
        "02-gradient-tape.ipynb",
        "03-multivariable.ipynb",
        "04-linear-regression.ipynb",
        "05-exercises.ipynb",
        "06-under-the-hood.ipynb",
        "07-summary.ipynb",
    ]
    assert [f"{file}.ipynb" for _, file, _ in CHAPTERS] == NAMES
    assert sorted(p.name for p in (COURSE / "zh").glob("*.ipynb")) == NAMES
    assert all(n.isascii() for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_editions_in_step(name):
    en, zh = read("en", name), read("zh", name)
    assert len(en.cells) == len(zh.cells)
    for i, (a, b) in enumerate(zip(en.cells, zh.cells, strict=True)):
        assert a.cell_type == b.cell_type, f"cell {i}"
        assert a.metadata.get("tags", []) == b.metadata.get("tags", []), f"cell {i}"
        if a.cell_type == "code":
            assert a.source == b.source, f"code cell {i} differs"
        else:
            assert HAN.search(b.source), f"zh markdown cell {i} has no Chinese"
            assert ANCHOR.findall(a.source) == ANCHOR.findall(b.source), f"anchors, cell {i}"
            assert re.findall(r"^#+", a.source, re.M) == re.findall(r"^#+", b.source, re.M)


@pytest.mark.parametrize("name", NAMES)
def test_chapter_layout(name):
    nb = read("en", name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = code[0].source.splitlines()
    assert first[0] == "%load_ext adkernel" and "from adkernel import tf" in first
    assert nb.cells[-1].cell_type == "markdown"
    assert any("## Summary" in c.source for c in nb.cells if c.cell_type == "markdown")
    assert not any(re.match(r"\s*#\s*NBVAL", c.source) for c in code)  # tags, not comments
    for c in code:  # executed and committed with outputs, nothing failed
        assert c.execution_count is not None
        assert not any(o.output_type == "error" for o in c.outputs)


def exercises_of(nb):
    """[(answer cell index, question number)], checking the exercise convention."""
    found = []
    for i, cell in enumerate(nb.cells):
        if "exercise" in cell.metadata.get("tags", []):
            check = nb.cells[i + 1]
            m = CHECK.match(check.source.strip())
            assert m, f"cell {i + 1} must hold ex.qN.check() alone"
            found.append((i, int(m.group(1))))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_exercise_cells_are_the_starters(name):
    nb = read("en", name)
    chapter = CHAPTER_OF.search(nb.cells[[c.cell_type for c in nb.cells].index("code")].source)
    assert chapter, "setup cell binds the chapter's exercises as ex"
    probs = {p.number: p for p in problems(chapter.group(1))}
    found = exercises_of(nb)
    assert found and sorted(n for _, n in found) == sorted(probs)
    for i, n in found:
        assert nb.cells[i].source == probs[n].starter
        assert "____" in nb.cells[i].source
        out = nb.cells[i + 1].outputs[0]["data"]["text/plain"]
        assert out.startswith("…")  # committed as "not attempted yet"


def anchors(path: Path) -> set:
    nb = nbformat.read(path, as_version=4)
    return {a for c in nb.cells if c.cell_type == "markdown" for a in ANCHOR.findall(c.source)}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", NAMES)
def test_links_and_anchors_resolve(lang, name):
    nb = read(lang, name)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target in LINK.findall(cell.source):
            if target.startswith("http"):
                continue
            file, _, anchor = target.partition("#")
            path = COURSE / lang / file if file else COURSE / lang / name
            assert path.exists(), f"{name}: {target}"
            if anchor:
                assert anchor in anchors(path), f"{name}: {target}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_index_points_at_real_chapters(lang):
    cells = read(lang, "00-index.ipynb").cells
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "coming soon" not in text and "即将推出" not in text
    for name in NAMES:
        assert f"]({name})" in text, f"contents: {name}"
    seed_map = next(c.source for c in cells if '<a id="seed-map">' in c.source)
    rows = [r for r in seed_map.splitlines() if r.startswith("| ") and "---" not in r][1:]
    assert len(rows) == 10 and all("](" in r for r in rows), "every seed section links a chapter"


def test_index_maps_every_seed_section():
    text = "\n".join(c.source for c in read("en", "00-index.ipynb").cells)
    for section in [
        "什么是自动微分",
        "TensorFlow 中的自动微分",
        "基本用法",
        "多变量函数的梯度",
        "实际应用案例",
        "总结",
        "附加资源",
        "练习 1",
        "练习 2",
    ]:
        assert section in text


def _outputs_text(cell) -> str:
    parts = []
    for o in cell.outputs:
        parts.append(o.get("text", "") or o.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("lang, label", [("en", "Correct"), ("zh", "正确")])
def test_reference_solutions_pass_in_the_notebooks(lang, label, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("ADKERNEL_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("ADKERNEL_LANG", raising=False)
    expected = set()
    for name in NAMES:
        nb = read(lang, name)
        chapter = CHAPTER_OF.search("\n".join(c.source for c in nb.cells)).group(1)
        probs = {p.number: p for p in problems(chapter)}
        found = exercises_of(nb)
        for i, n in found:
            nb.cells[i].source = probs[n].solution_code
            expected.add(probs[n].key)
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(COURSE / lang)}},
        ).execute()
        for i, n in found:
            out = _outputs_text(nb.cells[i + 1])
            assert out.startswith("✔ ") and label in out, f"{name} q{n}: {out}"
    data = json.loads((tmp_path / "progress.json").read_text())["exercises"]
    assert {k for k, v in data.items() if v["solved"]} == expected


def test_time_limit_stops_learner_code_and_kernel_stays_responsive(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("ADKERNEL_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("ADKERNEL_EXERCISE_TIME_LIMIT", "2")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(s)
        for s in [
            "from adkernel.exercises import ____, ch01 as ex",
            "def central_diff(f, x, h):\n    while True:\n        try:\n            pass\n"
            "        except Exception:\n            pass",
            "ex.q1.check()",
            "print('still here')",
        ]
    ]
    NotebookClient(
        nb, timeout=30, kernel_name="python3", resources={"metadata": {"path": str(COURSE / "en")}}
    ).execute()
    assert "stopped it" in _outputs_text(nb.cells[2])
    assert _outputs_text(nb.cells[3]) == "still here\n"
