"""Static views (issue 8): ``jupyter nbconvert --to html`` keeps every picture, no widget JS.

The committed notebooks hold no widget state, and every graph and stepper output carries
its picture as an ``<img>`` in ``text/html``, the form nbconvert's HTML writes first; the
live loss curve is a plain ``image/png``.
"""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [*sorted((ROOT / "course").glob("*/*.ipynb")), ROOT / "docs/examples/tour.ipynb"]


class Images(HTMLParser):
    """Every ``<img>`` of a page: (kind of data URI, alt text)."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img" and (a.get("src") or "").startswith("data:image/"):
            self.found.append((a["src"].split(";", 1)[0][5:], a.get("alt") or ""))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    by_name = {}
    for nb in NOTEBOOKS:  # one output folder per edition: the file names repeat
        by_name.setdefault(nb.parent.name, []).append(nb)
    for folder, paths in by_name.items():
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html",
                        "--output-dir", str(out / folder), *map(str, paths)],
                       check=True, capture_output=True, timeout=600)
    return {p: (out / p.parent.name / p.with_suffix(".html").name).read_text("utf-8")
            for p in NOTEBOOKS}


def counts(path: Path) -> dict:
    """What the notebook's outputs hold: graphs, steppers, PNG images."""
    n = {"graph": 0, "stepper": 0, "png": 0}
    for cell in nbformat.read(path, as_version=4).cells:
        for o in cell.get("outputs", []):
            plain = o.get("data", {}).get("text/plain", "")
            n["graph"] += plain.startswith(("<computation graph", "<计算图"))
            n["stepper"] += plain.startswith(("<backprop stepper", "<反向传播步进器"))
            n["png"] += "image/png" in o.get("data", {})
    return n


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_html_export_keeps_graphs_steppers_and_loss_curves(exported, path):
    html = exported[path]
    want = counts(path)
    images = Images(html).found
    alts = [alt for kind, alt in images if kind == "image/svg+xml"]
    assert sum(a.startswith(("computation graph", "计算图")) for a in alts) == want["graph"]
    assert sum(a.startswith(("backprop stepper", "反向传播步进器")) for a in alts) \
        == want["stepper"]
    assert sum(kind == "image/png" for kind, _ in images) >= want["png"]
    assert "application/vnd.jupyter.widget-state+json" not in html
    assert "@jupyter-widgets/html-manager" not in html
    assert "&lt;computation graph" not in html and "&lt;backprop stepper" not in html


@pytest.mark.slow
def test_the_chapters_with_pictures_have_them(exported):
    tour = counts(ROOT / "docs/examples/tour.ipynb")
    assert tour["graph"] and tour["stepper"] and tour["png"]  # graph, stepper, loss curve
    for lang in ("en", "zh"):
        assert counts(ROOT / "course" / lang / "02-gradient-tape.ipynb")["stepper"]
        assert counts(ROOT / "course" / lang / "04-linear-regression.ipynb")["png"]
