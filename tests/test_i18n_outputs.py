"""The measurement of issue 16: what a Chinese-speaking learner sees carries no English word.

Two sources, as a learner meets them:

- the committed outputs of every zh notebook (streams, error messages, HTML, SVG inside
  data URIs, stored widget state), and every en notebook's outputs carry no CJK character;
- common mistakes run in zh mode in a real IPython shell: a None gradient, ``explain``, a
  second ``gradient`` on a non-persistent tape, a matmul shape mismatch, a bad ``%%tape``
  option, the ``--step`` and ``--plot`` pictures, a wrong ``assign`` shape, a dtype mismatch.

The learner's own names (from the code that ran) and adkernel's identifiers are not words.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from lang_scan import (
    cjk_characters,
    code_identifiers,
    english_words,
    texts_of_html,
    texts_of_output,
)

ROOT = Path(__file__).resolve().parents[1]
ZH = sorted((ROOT / "course" / "zh").glob("*.ipynb"))
EN = sorted((ROOT / "course" / "en").glob("*.ipynb"))


def _notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_names(nb: dict) -> set[str]:
    names: set[str] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            names |= code_identifiers("".join(cell["source"]))
    return names


def _widget_texts(state: dict) -> list[str]:
    found = []
    for key in ("description", "tooltip", "placeholder", "value", "_options_labels"):
        value = state.get(key)
        if isinstance(value, str):
            found.extend(texts_of_html(value) if "<" in value else [value])
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))
    return found


def _notebook_texts(nb: dict) -> list[tuple[str, str]]:
    found = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            found.extend((f"cell {i}", text) for text in texts_of_output(out))
    stored = nb.get("metadata", {}).get("widgets", {})
    for models in stored.values():
        for model_id, model in (models.get("state") or {}).items():
            found.extend((f"widget {model_id}", t) for t in _widget_texts(model.get("state", {})))
    return found


@pytest.mark.parametrize("path", ZH, ids=lambda p: p.name)
def test_zh_notebook_outputs_carry_no_english_word(path):
    nb = _notebook(path)
    allowed = _code_names(nb)
    leaks = []
    for where, text in _notebook_texts(nb):
        words = english_words(text, allowed)
        if words:
            leaks.append(f"{where}: {words[:8]} in {text[:120]!r}")
    assert leaks == [], f"{path.name}:\n" + "\n".join(leaks[:30])


@pytest.mark.parametrize("path", EN, ids=lambda p: p.name)
def test_en_notebook_outputs_carry_no_chinese(path):
    nb = _notebook(path)
    leaks = [f"{where}: {text[:120]!r}" for where, text in _notebook_texts(nb)
             if cjk_characters(text)]
    assert leaks == [], f"{path.name}:\n" + "\n".join(leaks[:30])


# -- common mistakes, run as a learner would, in Chinese ----------------------------------

SETUP = """
import numpy as np
import adkernel
from adkernel import tf
x = tf.Variable(3.0)
c = tf.constant(2.0)
v = tf.Variable([1.0, 2.0, 3.0])
"""

MISTAKES = {
    "none-gradient": """
with tf.GradientTape() as tape:
    y = c * c
g = tape.gradient(y, c)
print(g)
""",
    "explain": """
with tf.GradientTape(persistent=True) as tape:
    y = c * c
print(tape.explain(y, c))
""",
    "second-gradient": """
with tf.GradientTape() as tape:
    y = x * x
tape.gradient(y, x)
tape.gradient(y, x)
""",
    "matmul-shapes": """
a = tf.constant([[1.0, 2.0, 3.0]])
b = tf.constant([[1.0, 2.0]])
tf.matmul(a, b)
""",
    "bad-option": "%%tape --grad y:x --stepp\ny = x * x\n",
    "misspelt-option": "%%tape --grda y:x\ny = x * x\n",
    "none-in-magic": "%%tape --grad y:c\ny = c * c\n",
    "step": "%%tape --grad y:x --step\ny = x ** 2 + 2 * x\n",
    "graph": "%%tape --grad y:x\ny = x ** 2\n",
    "plot": """%%tape --plot loss
w = tf.Variable(0.5)
for i in range(30):
    with tf.GradientTape() as t:
        loss = (w * 2.0 - 3.0) ** 2
    w.assign_sub(0.05 * t.gradient(loss, w))
""",
    "assign-shape": "v.assign([1.0, 2.0])\n",
    "dtype-mismatch": "tf.constant(1.0) + tf.constant(2.0, dtype=tf.float64)\n",
    "float-of-vector": "float(v)\n",
    "check-gradients": """
@tf.custom_gradient
def bad(t):
    def grad(upstream):
        return upstream * 3.0
    return t * t, grad
adkernel.check_gradients(bad, [1.0, 2.0])
""",
}


@pytest.fixture
def zh_shell(ipshell):
    import adkernel

    ipshell.run_cell(SETUP)
    adkernel.set_language("zh")
    yield ipshell
    adkernel.set_language(None)


def _run(shell, code: str) -> list[str]:
    """Everything the cell shows: output, displays, the error's message, warnings, widgets."""
    from IPython.utils.capture import capture_output
    from ipywidgets.widgets import widget as widget_module

    before = set(widget_module._instances)
    with warnings.catch_warnings(record=True) as caught, capture_output() as captured:
        warnings.simplefilter("always")
        result = shell.run_cell(code, store_history=False)
    # IPython prints the traceback after the cell's own output; its frames are IPython's
    # words, and the exception's message is taken from the exception itself below.
    texts = [_before_traceback(captured.stdout)]
    for out in captured.outputs:
        data = out.data
        if "text/html" in data:
            texts.extend(texts_of_html(data["text/html"]))
        elif "image/svg+xml" in data:
            texts.extend(texts_of_html(data["image/svg+xml"]))
        elif "text/plain" in data and "application/vnd.jupyter.widget-view+json" not in data:
            texts.append(data["text/plain"])
    error = result.error_in_exec or result.error_before_exec
    if error is not None:
        texts.append(str(error))
    texts.extend(str(w.message) for w in caught)
    for key in set(widget_module._instances) - before:
        state = widget_module._instances[key].get_state()
        texts.extend(_widget_texts(state))
    return texts


def _before_traceback(stdout: str) -> str:
    lines = stdout.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("-" * 20) or line.startswith("Traceback (most recent call last)"):
            return "".join(lines[:i])
    return stdout


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_common_mistakes_in_zh_mode_carry_no_english_word(zh_shell, name):
    code = MISTAKES[name]
    allowed = code_identifiers(SETUP + code)
    texts = _run(zh_shell, code)
    assert any(t.strip() for t in texts), f"{name}: the cell showed nothing"
    leaks = []
    for text in texts:
        words = english_words(text, allowed)
        if words:
            leaks.append(f"{words[:10]} in {text[:160]!r}")
    assert leaks == [], f"{name}:\n" + "\n".join(leaks)
    assert any(cjk_characters(t) for t in texts), f"{name}: nothing was said in Chinese"


def test_the_learners_own_chinese_plot_finds_a_font(ipshell):
    """``%load_ext adkernel`` adds CJK fonts after matplotlib's own: no missing glyphs."""
    import matplotlib

    from adkernel import _fonts

    pytest.importorskip("matplotlib.font_manager")
    before = matplotlib.rcParams["font.family"]
    try:
        _fonts._done = False
        result = ipshell.run_cell(
            "import warnings, matplotlib\n"
            "matplotlib.use('Agg')\n"
            "import matplotlib.pyplot as plt\n"
            "with warnings.catch_warnings():\n"
            "    warnings.simplefilter('error')\n"
            "    fig, ax = plt.subplots()\n"
            "    ax.set_title('损失随迭代周期下降 (loss)')\n"
            "    fig.canvas.draw()\n"
            "    plt.close(fig)\n")
        assert result.error_in_exec is None, result.error_in_exec
        family = matplotlib.rcParams["font.family"]
        assert family[0] == "DejaVu Sans"  # Latin text looks as before
        assert any("CJK" in name or "Hei" in name for name in family[1:]), family
    finally:
        matplotlib.rcParams["font.family"] = before
