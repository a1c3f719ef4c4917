"""What a learner sees in the committed notebooks before running anything (issue 8).

JupyterLab shows an untrusted notebook's ``text/html`` (sanitised) and ``image/png``
outputs, but neither ``image/svg+xml`` nor inline ``<svg>``: every picture must be an
``<img>`` so that a course opened on Binder looks right at first sight.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [*sorted((ROOT / "course").glob("*/*.ipynb")), ROOT / "docs/examples/tour.ipynb"]
IDS = pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
IMG = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"<>]+)"')


def outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


def output_text(o) -> str:
    if o.output_type == "stream":
        return o.text
    if o.output_type == "error":
        return "\n".join(o.traceback)
    return "\n".join(v if isinstance(v, str) else "" for v in o.get("data", {}).values())


@IDS
def test_no_missing_glyph_warning_in_any_output(path):
    for o in outputs(path):
        text = output_text(o)
        assert "missing from font" not in text and not re.search(r"Glyph \d+", text), text


# The pictures' text form, in either language (the Chinese edition's reprs are Chinese).
STEPPER_REPRS = ("<backprop stepper", "<反向传播步进器")
PICTURE_REPRS = ("<computation graph", "<计算图", *STEPPER_REPRS)


@IDS
def test_every_picture_shows_in_an_untrusted_notebook(path):
    pictures = 0
    for o in outputs(path):
        data = o.get("data", {})
        assert "image/svg+xml" not in data, "untrusted JupyterLab shows this as text"
        html = data.get("text/html", "")
        assert "<svg" not in html, "untrusted JupyterLab strips inline <svg>"
        plain = data.get("text/plain", "")
        if plain.startswith(PICTURE_REPRS):
            m = IMG.match(html)
            assert m, f"{plain} has no <img> picture"
            svg = base64.b64decode(m.group(1)).decode("utf-8")
            ET.fromstring(svg)  # well-formed
            assert "max-width:100%" in html
            pictures += 1
        if "application/vnd.jupyter.widget-view+json" in data and plain.startswith(
                STEPPER_REPRS):
            assert html.count("<img") == 1  # the static form: one picture, no controls
    text = path.read_text(encoding="utf-8")
    if "%%tape" in text and ("--grad" in text or "--graph" in text or "-g " in text):
        assert pictures, "a notebook drawing graphs has no saved picture"


@IDS
def test_saved_notebooks_hold_no_widget_state(path):
    """Saved widget state would bring back dead controls (Play moving a slider that no
    kernel answers); without it JupyterLab shows the static picture."""
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata


@IDS
def test_committed_widget_outputs_keep_only_their_static_form(path):
    """Opened trusted without the kernel that made it, a widget view shows "Error displaying
    widget: model not found"; the committed notebooks keep the static picture instead
    (tools/freeze_notebooks.py). Running the cell brings the live widget back."""
    for o in outputs(path):
        assert "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
