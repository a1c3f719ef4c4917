"""The course notebooks: editions in step, exercise convention, links, solutions that pass.

Strict output comparison of the committed notebooks is nbval's job (`course` is in the
pytest testpaths); these tests check what nbval cannot.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from pathlib import Path

import nbformat
import pytest
from lang_scan import code_identifiers, english_words

from adkernel.exercises import CHAPTERS, problems

COURSE = Path(__file__).resolve().parents[1] / "course"
NAMES = sorted(p.name for p in (COURSE / "en").glob("*.ipynb"))
CHAPTER_OF = re.compile(r"from adkernel\.exercises import ____, (ch\d\d) as ex")
CHECK = re.compile(r"^ex\.q(\d+)\.check\(\)$")
LINK = re.compile(r"\]\(([^)\s]+)\)")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
HAN = re.compile(r"[\u4e00-\u9fff]")
# Chinese text: Han characters, CJK and full-width punctuation (，。：（）…)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
MAGIC_LINE = re.compile(r"^\s*[%!]")
FORMAT_FIELD = re.compile(r"\{[^{}]*\}")
LANGUAGE_LINE = re.compile(r'^adkernel\.set_language\("(zh|en)"\)', re.M)


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
            assert_same_program(a.source, b.source, f"{name} code cell {i}")
        else:
            assert HAN.search(b.source), f"zh markdown cell {i} has no Chinese"
            assert ANCHOR.findall(a.source) == ANCHOR.findall(b.source), f"anchors, cell {i}"
            assert re.findall(r"^#+", a.source, re.M) == re.findall(r"^#+", b.source, re.M)


class _BlankStrings(ast.NodeTransformer):
    """Blank every string constant, collecting them in order; format specs stay (`:.4f`)."""

    def __init__(self):
        self.strings: list[str] = []

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            self.strings.append(node.value)
            return ast.copy_location(ast.Constant(value=""), node)
        return node

    def visit_FormattedValue(self, node):
        node.value = self.visit(node.value)  # the spec (`{x:.4f}`) is compared as written
        return node


def program(source: str):
    """(magic lines, ast dump with string constants blanked, the strings) of a code cell.

    Comments vanish with the ast. Magic lines (`%load_ext`, a `%%tape` line) are compared
    verbatim; the body of a `%%` cell magic is Python here (`%%tape`), so it is parsed.
    """
    magics = [line for line in source.splitlines() if MAGIC_LINE.match(line)]
    blank = _BlankStrings()
    tree = blank.visit(ast.parse(python_of(source)))
    return magics, ast.dump(tree), blank.strings


def python_of(source: str) -> str:
    """The cell as plain Python: each magic line becomes `pass` (a `%%tape` body stays)."""
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass" if MAGIC_LINE.match(line) else line
        for line in source.splitlines()
    )


def assert_same_program(en: str, zh: str, where: str) -> None:
    """The zh cell is the en cell's program: only comments and translated strings differ."""
    magics_en, tree_en, strings_en = program(en)
    magics_zh, tree_zh, strings_zh = program(zh)
    assert magics_en == magics_zh, f"{where}: magic lines differ"
    assert tree_en == tree_zh, f"{where}: not the same program once strings are blanked"
    assert not CJK.search(en), f"{where}: Chinese in the English edition"
    for s_en, s_zh in zip(strings_en, strings_zh, strict=True):
        if s_en == s_zh or (s_en, s_zh) == ("en", "zh"):  # or the language line itself
            continue
        # a string that differs is a translation (a key, a colour or a marker never differs)
        assert CJK.search(s_zh), f"{where}: {s_en!r} became {s_zh!r}, not a translation"
        assert FORMAT_FIELD.findall(s_en) == FORMAT_FIELD.findall(s_zh), (
            f"{where}: the format fields of {s_en!r} and {s_zh!r} differ")


@pytest.mark.parametrize(
    "en, zh",
    [
        ("x = 1  # one\nprint('x is', x)", "x = 1  # 一\nprint('x 是', x)"),
        ('print(f"Loss: {loss:.4f}")', 'print(f"损失：{loss:.4f}")'),
        ('ax.set_title("reverse")\nplt.show()', 'ax.set_title("反向模式")\nplt.show()'),
        ("%%tape --grad y:x\ny = x**2  # y = x²", "%%tape --grad y:x\ny = x**2  # 平方"),
        ('print("{:.3f}, {}".format(a, b))', 'print("{:.3f}，{}".format(a, b))'),
    ],
)
def test_same_program_allows_comments_and_translated_strings(en, zh):
    assert_same_program(en, zh, "example")


@pytest.mark.parametrize(
    "en, zh",
    [
        ("x = 1", "x = 2"),  # a number
        ("x = 1.0", "x = 1"),  # a number's type
        ("y = x + 1", "y = z + 1"),  # a name
        ("np.sin(x)", "np.cos(x)"),  # a call
        ("f(x)", "f(x, 1)"),  # an argument
        ("f(x, a=1)", "f(x, b=1)"),  # a keyword
        ("y = x", "y = x\nprint(y)"),  # a statement
        ('print(f"{v:.4f}")', 'print(f"{v:.3f}")'),  # a format spec
        ('print("{:.4f}".format(v))', 'print("损失 {:.3f}".format(v))'),  # a format field
        ('h["loss"]', 'h["Loss"]'),  # a key that is not a translation
        ('h["loss"]', 'h["损失"][0]'),  # a subscript
        ('ax.plot(x, y, "o-")', 'ax.plot(x, y, "o--")'),  # a marker: not a translation
        ("%%tape --grad y:x\ny = x**2", "%%tape --grad y:x --step\ny = x**2"),  # a magic
        ("%%tape --grad y:x\ny = x**2", "%%tape --grad y:x\ny = x**3"),  # a magic's body
        ("%load_ext adkernel\nx = 1", "%load_ext adkernel\n%matplotlib inline\nx = 1"),
        ('print("loss")', 'repr("损失")'),  # a call, with a translated string
        ("x = 1  # one", 'x = 1  # 一\nprint("一")'),  # a line more
    ],
)
def test_same_program_fails_when_the_program_differs(en, zh):
    with pytest.raises(AssertionError):
        assert_same_program(en, zh, "example")


def test_chinese_in_the_english_edition_fails():
    with pytest.raises(AssertionError):
        assert_same_program('print("损失")', 'print("损失")', "example")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", NAMES)
def test_first_code_cell_says_the_language(lang, name):
    nb = read(lang, name)
    first = next(c for c in nb.cells if c.cell_type == "code").source
    assert LANGUAGE_LINE.findall(first) == [lang]
    assert "import adkernel" in first.splitlines()


# lang_scan lets Epoch and Loss through anywhere; in code cells only the seed's own print
SEED_PRINT = {"Epoch ", ", Loss: "}  # print(f"Epoch {epoch}, Loss: {loss.numpy():.4g}")
SHOWN_KEYWORDS = {"label", "title"}  # other keyword values are settings: cmap="Blues"


def _strings_shown(tree) -> list[str]:
    """The string constants of a cell but settings (`loc="upper left"`) and format specs."""
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for k in node.keywords:
                if k.arg not in SHOWN_KEYWORDS:
                    hidden |= {id(n) for n in ast.walk(k.value)}
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            hidden |= {id(n) for n in ast.walk(node.format_spec)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in hidden]


@pytest.mark.parametrize("name", NAMES)
def test_zh_code_cells_speak_chinese(name):
    """Comments, titles, labels and printed words of the zh edition: no English word."""
    nb = read("zh", name)
    trees = {i: ast.parse(python_of(c.source)) for i, c in enumerate(nb.cells)
             if c.cell_type == "code"}
    # the learner's names, and the language codes of set_language
    allowed = {"en", "zh"}.union(*(code_identifiers(nb.cells[i].source) for i in trees))
    leaks = []
    for i, tree in trees.items():
        lines = io.StringIO(python_of(nb.cells[i].source)).readline
        comments = [t.string for t in tokenize.generate_tokens(lines)
                    if t.type == tokenize.COMMENT and not t.string.startswith("# ex.")]
        for text in comments + _strings_shown(tree):
            # one letter is notation or a marker ("o-", "s--"), not a word
            words = [w for w in english_words(text, allowed) if len(w) > 1]
            if text not in SEED_PRINT:
                words += re.findall(r"\b(?:Epoch|Loss)\b", text)
            if words:
                leaks.append(f"code cell {i}: {text!r} has {words}")
    assert not leaks, "\n".join(leaks)


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


@pytest.mark.slow
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


@pytest.mark.slow
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


# -- the prose fixes learners asked for (issue 17): spot checks, by cell id ---------------------
PROSE_FIXES = [
    # (lang, notebook, cell id, must say, must no longer say)
    ("zh", "01-what-is-ad", "01-04", "由降转升", "拐头"),
    ("zh", "01-what-is-ad", "01-20", "求一次 f 的常数倍", "一个小倍数"),
    ("zh", "07-summary", "07-02", "求一次 f 的常数倍", "小倍数"),
    ("zh", "02-gradient-tape", "02-10", "这个结果传给 x", "落到 x 上"),
    ("zh", "03-multivariable", "03-00", "以字典形式返回梯度、求多输出函数的雅可比矩阵",
     "以字典给出"),
    # adkernel's ops give inf and NaN silently, as TensorFlow's: no np.errstate needed
    ("zh", "05-exercises", "05-04", "溢出只会得到 inf 或 NaN，不会发出警告", "np.errstate"),
    ("en", "05-exercises", "05-04", "an overflow gives inf or NaN without a warning",
     "np.errstate"),
    ("zh", "05-exercises", "05-05", "for epoch in range(epochs)", "np.errstate"),
    ("en", "05-exercises", "05-05", "for epoch in range(epochs)", "np.errstate"),
    ("zh", "05-exercises", "05-33", "训练准确率高可能只是记住了训练数据", "死记硬背"),
    ("zh", "07-summary", "07-16", "学习率低于约 0.81 时，越大收敛越快；超过它训练就发散",
     "以稳定性换速度"),
    # the plot of 01 inverts its x axis: large h is on the left
    ("en", "01-what-is-ad", "01-06", "On the left side (large h)", "On the right side (large h)"),
    ("zh", "01-what-is-ad", "01-06", "左侧（h 较大）", "右侧（h 较大）"),
    # jargon explained where it first appears
    ("en", "04-linear-regression", "04-19", "H·v = λ·v", "the eigenvalues of the matrix"),
    ("zh", "04-linear-regression", "04-19", "H·v = λ·v", "的二阶导数矩阵（Hessian"),
    ("en", "05-exercises", "05-24", "σ(z) = 1 / (1 + e⁻ᶻ)", "the sigmoid cross-entropy, which"),
    ("zh", "05-exercises", "05-24", "σ(z) = 1 / (1 + e⁻ᶻ)", "sigmoid 交叉熵，"),
    # one ____ may stand for several lines
    ("en", "00-index", "00-05", "sometimes several lines", None),
    ("zh", "00-index", "00-05", "有时是好几行代码", None),
    # the explorer's history starts at W₀; the loss plot counts epochs
    ("en", "05-exercises", "05-04", "`history['W'][0]` is W₀", None),
    ("zh", "05-exercises", "05-04", "`history['W'][0]` 就是 W₀", None),
    ("en", "04-linear-regression", "04-14", "%%tape --plot loss --x-axis epoch", None),
    ("zh", "04-linear-regression", "04-14", "%%tape --plot loss --x-axis epoch", None),
]


@pytest.mark.parametrize("lang, name, cell_id, says, not_any_more", PROSE_FIXES,
                         ids=lambda v: v if isinstance(v, str) and len(v) < 24 else None)
def test_prose_fixes_are_in(lang, name, cell_id, says, not_any_more):
    (cell,) = [c for c in read(lang, name + ".ipynb").cells if c.get("id") == cell_id]
    assert says in cell.source
    if not_any_more is not None:
        assert not_any_more not in cell.source


def test_the_84_percent_of_chapter_05_is_the_number_everywhere():
    """The notebook prints 0.840 for the straight boundary; no text says another number."""
    from adkernel.engine.i18n import language
    from adkernel.exercises import ch05

    for lang in ("en", "zh"):
        text = "\n".join(c.source for c in read(lang, "05-exercises.ipynb").cells
                         if c.cell_type == "markdown")
        assert "84%" in text and "87%" not in text
        with language(lang):
            explanation = str(ch05.q3.explanation)
        assert "84%" in explanation and "87%" not in explanation
    assert "87%" not in Path(ch05.__file__).read_text(encoding="utf-8")
