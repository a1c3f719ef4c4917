"""A learner's view: JupyterLab from the simulated Binder build, driven by headless Chromium.

Debian's ``chromium`` (``/usr/bin/chromium``) through Python Playwright; no browser is
downloaded. JupyterLab serves a copy of the notebooks (running them in the browser must
not rewrite the committed files) on 127.0.0.1, a free port, without a token.
Screenshots go to ``test-screenshots/`` (git-ignored); the test prints the folder.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from adkernel.widgets.graph import svg_img_html

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-screenshots"
CHAPTER = "zh/02-gradient-tape.ipynb"  # graph, stepper, exercise checks, Chinese text
TOUR = "tour.ipynb"  # graph, two steppers, live loss plot
EXPLORER = "zh/05-exercises.ipynb"  # the training explorer
FORWARD = "01-what-is-ad.ipynb"  # in en/ and zh/: the --jvp graph, forward stepper, compare_modes
FORMS = "svg-forms.ipynb"  # made by the lab fixture: one SVG saved three ways
CHINESE_PLOT = "中文图.ipynb"  # made by the lab fixture: a loss plot named 损失
TRUSTED = "trusted-02.ipynb"  # made by the lab fixture: the chapter, trusted
TRUSTED_LIVE = "trusted-02-live.ipynb"  # ... and with a saved live widget view
WIDGET = "application/vnd.jupyter.widget-view+json"
HIGHLIGHT = "#d55e00"  # adkernel.widgets.graph.HIGHLIGHT
CURRENT = "[data-adk-current]"  # the notebook panel in front (marked by mark_current)

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
if not os.path.exists(CHROMIUM):
    pytest.skip("no /usr/bin/chromium (apt-get install chromium; .ci/run does)",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(binder_env, tmp_path_factory):
    """``jupyter lab`` of the Binder environment serving a copy of the notebooks."""
    python, env = binder_env
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "course" / "zh", root / "zh")
    shutil.copytree(ROOT / "course" / "en", root / "en")
    shutil.copy(ROOT / "docs" / "examples" / "tour.ipynb", root / TOUR)
    # JupyterLab renders only the cells near the viewport by default; render them all, so
    # that every output can be looked for without scrolling
    settings = root.parent / "lab-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    # a learner's own loop with a Chinese name: the live plot's labels in Chinese
    kernelspec = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}}
    nb = nbformat.v4.new_notebook(metadata=kernelspec)
    nb.cells = [nbformat.v4.new_code_cell(
        "from adkernel import tf\nw = tf.Variable(5.0)"),
        nbformat.v4.new_code_cell(
        "%%tape --plot 损失\nfor 步 in range(30):\n    with tf.GradientTape() as t:\n"
        "        损失 = (w - 1.0) ** 2\n    w.assign_sub(0.1 * t.gradient(损失, w))")]
    nbformat.write(nb, root / CHINESE_PLOT)
    # the same small SVG in the three forms a notebook could save it in
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
           '<rect width="120" height="40" fill="#dbeafe"/><text x="10" y="25">SVG-FORM</text>'
           "</svg>")
    forms = nbformat.v4.new_notebook(metadata=kernelspec)
    forms.cells = [nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("display_data", {"image/svg+xml": svg,
                                                "text/plain": "<as image/svg+xml>"}),
        nbformat.v4.new_output("display_data", {"text/html": f"<div>{svg}</div>",
                                                "text/plain": "<as inline svg>"}),
        nbformat.v4.new_output("display_data", {"text/html": svg_img_html(svg, "as img"),
                                                "text/plain": "<as img>"}),
    ])]
    nbformat.write(forms, root / FORMS)
    # the chapter trusted, as committed (widget outputs frozen to their static form) and as
    # Jupyter would save it after a run (with the live widget's view, whose model is gone)
    chapter = nbformat.read(ROOT / "course" / CHAPTER, as_version=4)
    nbformat.write(chapter, root / TRUSTED)
    for cell in chapter.cells:
        for out in cell.get("outputs", []):
            if out.get("data", {}).get("text/plain", "").startswith(
                    ("<backprop stepper", "<反向传播步进器")):
                out["data"][WIDGET] = {"model_id": "0123456789abcdef", "version_major": 2,
                                       "version_minor": 0}
    nbformat.write(chapter, root / TRUSTED_LIVE)
    for name in (TRUSTED, TRUSTED_LIVE):
        subprocess.run([str(python.parent / "jupyter"), "trust", str(root / name)], env=env,
                       check=True, capture_output=True)
    port = free_port()
    log = open(root.parent / "jupyter-lab.log", "w")
    proc = subprocess.Popen(
        [str(python.parent / "jupyter"), "lab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         f"--LabApp.user_settings_dir={settings}"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, (root.parent / "jupyter-lab.log").read_text()
                time.sleep(0.25)
        else:
            pytest.fail("jupyter lab did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(exist_ok=True)
    print(f"\nscreenshots: {SHOTS}")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def new_page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    return page


def mark_current(page) -> None:
    page.evaluate(
        "() => { document.querySelectorAll('[data-adk-current]')"
        ".forEach(e => e.removeAttribute('data-adk-current'));"
        " window.jupyterapp.shell.currentWidget.node.setAttribute('data-adk-current', '1');"
        " return true; }")


def open_notebook(page, url, path: str) -> None:
    page.goto(f"{url}/lab/tree/{path}?reset")  # ?reset: no tabs restored from before
    page.wait_for_function(
        "p => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path === p"
        " && w.node.querySelectorAll('.jp-Cell').length > 0; }", arg=path)
    mark_current(page)
    wait_for_outputs(page)


def open_another(page, path: str) -> None:
    """Open a second notebook in the same JupyterLab page (a new tab)."""
    page.evaluate("p => { window.jupyterapp.commands.execute('docmanager:open', {path: p});"
                  " return true; }", path)
    page.wait_for_function(
        "p => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path === p"
        " && w.node.querySelectorAll('.jp-Cell').length > 0; }", arg=path)
    mark_current(page)
    wait_for_outputs(page)


def run_all(page) -> None:
    """Run every cell of the current notebook and wait until the kernel is idle."""
    page.wait_for_function(
        "() => { const s = window.jupyterapp.shell.currentWidget.sessionContext;"
        " return s.session && s.session.kernel && s.session.kernel.status === 'idle'; }")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells');"
                  " return true; }")
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const k = w.sessionContext.session.kernel;"
        " const p = [...w.node.querySelectorAll('.jp-InputPrompt')].map(e => e.innerText);"
        " return k.status === 'idle' && !p.some(t => t.includes('*'))"
        " && !p.some(t => t.trim() === '[ ]:'); }", timeout=300_000)
    wait_for_outputs(page)


# Every output of the model has its view in the page, and every picture in them is loaded.
OUTPUTS_RENDERED = (
    "() => { const w = window.jupyterapp.shell.currentWidget;"
    " if (!w || !w.context || !w.context.isReady || !w.content) return false;"
    " const cells = w.content.widgets.filter(c => c.model.type === 'code');"
    " if (!cells.every(c => c.outputArea"
    "     && c.outputArea.widgets.length === c.model.outputs.length)) return false;"
    " return [...w.node.querySelectorAll('.jp-OutputArea img')]"
    "     .every(i => i.complete); }")


def wait_for_outputs(page) -> None:
    """Wait until the current notebook's outputs are on the page (they render after the cells)."""
    page.wait_for_function(OUTPUTS_RENDERED)




def svg_imgs(page) -> list[dict]:
    return page.eval_on_selector_all(
        f"{CURRENT} .jp-OutputArea-output img[src^='data:image/svg+xml;base64,']",
        "els => els.map(e => ({src: e.src, alt: e.alt, w: e.naturalWidth,"
        " shown: e.getBoundingClientRect().width}))")


def decoded(img: dict) -> str:
    return base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8")


def highlighted(page) -> list:
    """data-id of the node outlined in red in each live stepper picture of the tab."""
    return page.eval_on_selector_all(
        f"{CURRENT} .widget-html svg",
        f"els => els.map(s => {{ const b = [...s.querySelectorAll('rect.adk-box')]"
        f".find(r => r.getAttribute('stroke') === '{HIGHLIGHT}');"
        " return b ? b.parentNode.getAttribute('data-id') : null; })")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name))


def test_which_saved_svg_form_an_untrusted_notebook_shows(lab, browser):
    """The measurement behind the choice of <img> (docs/magic.md)."""
    page = new_page(browser)
    open_notebook(page, lab, FORMS)
    outs = page.eval_on_selector_all(
        f"{CURRENT} .jp-OutputArea-output",
        "els => els.map(e => ({text: e.innerText, svg: e.querySelectorAll('svg').length,"
        " img: [...e.querySelectorAll('img')].map(i => i.naturalWidth)}))")
    assert len(outs) == 3
    as_svg_mime, inline, img = outs
    assert "<as image/svg+xml>" in as_svg_mime["text"] and not as_svg_mime["img"]
    assert inline["svg"] == 0 and not inline["img"]  # stripped to its text
    assert img["img"] == [120]  # shown
    shot(page, "0-svg-forms-untrusted.png")
    page.close()


def test_saved_pictures_show_before_anything_runs(lab, browser):
    page = new_page(browser)
    for path, n_min in ((CHAPTER, 2), (TOUR, 3)):
        open_notebook(page, lab, path)
        page.wait_for_function(
            f"n => document.querySelectorAll(\"{CURRENT} .jp-OutputArea-output "
            f"img[src^='data:image/svg+xml;base64,']\").length >= n", arg=n_min)
        imgs = svg_imgs(page)
        assert len(imgs) >= n_min, path
        for img in imgs:
            assert img["w"] > 0 and img["shown"] > 0  # decoded and laid out: not broken
            assert img["alt"]
        raw = page.eval_on_selector_all(
            f"{CURRENT} .jp-OutputArea-output",
            "els => els.map(e => e.innerText).filter(t => t.startsWith('<computation graph')"
            " || t.startsWith('<backprop stepper') || t.startsWith('<计算图')"
            " || t.startsWith('<反向传播步进器'))")
        assert raw == [], "a picture shows as its text"
        # no widget controls in a notebook without a kernel's widgets
        assert page.query_selector(f"{CURRENT} .widget-play") is None
        page.locator(f"{CURRENT} .jp-OutputArea-output img").first.scroll_into_view_if_needed()
        shot(page, f"1-saved-{Path(path).stem}.png")
    page.close()


def test_a_trusted_notebook_without_a_kernel_shows_the_static_stepper(lab, browser):
    """A trusted notebook renders widget views; with no kernel behind them they show
    "Error displaying widget: model not found". The committed notebooks keep only the
    static form of widget outputs (tools/freeze_notebooks.py), so they show the picture."""
    page = new_page(browser)
    open_notebook(page, lab, TRUSTED)
    page.wait_for_function(
        f"() => document.querySelectorAll(\"{CURRENT} .jp-OutputArea-output "
        f"img[alt^='反向传播步进器']\").length >= 1")
    text = page.inner_text(CURRENT)
    assert "Error displaying widget" not in text
    assert page.query_selector(f"{CURRENT} .widget-play") is None
    page.locator(f"{CURRENT} img[alt^='反向传播步进器']").first.scroll_into_view_if_needed()
    shot(page, "1-saved-trusted-02.png")
    open_another(page, TRUSTED_LIVE)
    page.wait_for_function(
        f"() => document.querySelector('{CURRENT}').innerText.includes('Error displaying "
        "widget')", timeout=30_000)
    page.close()


def test_after_run_all_the_pictures_and_widgets_work(lab, browser):
    page = new_page(browser)
    open_notebook(page, lab, CHAPTER)
    t0 = time.perf_counter()
    run_all(page)
    print(f"\nrun all {CHAPTER}: {time.perf_counter() - t0:.1f} s")

    # the graph of `%%tape --grad y:x` with y = x**2 at x = 3, in the chapter's Chinese
    graphs = [i for i in svg_imgs(page) if i["alt"].startswith("计算图")]
    assert graphs
    svg = decoded(graphs[0])
    for label in (">x<", ">y = <", ">pow<", ">9<", ">梯度 6<", "标量，float32"):
        assert label in svg, label
    assert "x（变量）" in graphs[0]["alt"]

    # the stepper: a live widget now; its slider moves the highlighted node
    play = page.locator(f"{CURRENT} .widget-play").first
    play.scroll_into_view_if_needed()
    assert play.get_attribute("title"), "Play has a tooltip"
    assert page.locator(f"{CURRENT} .widget-slider .widget-label").first.get_attribute("title")
    before = highlighted(page)[0]
    handle = page.locator(f"{CURRENT} .widget-slider .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{CURRENT} .widget-html svg rect.adk-box')]"
        f".some(r => r.getAttribute('stroke') === '{HIGHLIGHT}')")
    after = highlighted(page)[0]
    assert before is None and after is not None and after != before
    shot(page, "2-chapter-stepper.png")

    # an exercise check shows its result
    feedback = page.locator(f"{CURRENT} .adk-feedback")
    assert feedback.count() >= 1
    feedback.first.scroll_into_view_if_needed()
    assert feedback.first.inner_text().strip()
    shot(page, "3-chapter-exercise.png")

    # a second notebook with steppers open: arrowheads still resolve in each picture
    open_another(page, TOUR)
    t0 = time.perf_counter()
    run_all(page)
    print(f"run all {TOUR}: {time.perf_counter() - t0:.1f} s")
    here = page.eval_on_selector_all(f"{CURRENT} .widget-play", "e => e.length")
    hidden = page.eval_on_selector_all(".jp-NotebookPanel:not([data-adk-current]) .widget-play",
                                       "e => e.length")
    assert here >= 1 and hidden >= 1  # a stepper in each of the two open notebooks
    report = page.eval_on_selector_all(
        f"{CURRENT} .widget-html svg",
        "els => els.map(s => [...s.querySelectorAll('path[marker-end]')].map(p => {"
        " const id = p.getAttribute('marker-end').slice(5, -1);"
        " const all = document.querySelectorAll('[id=\"' + id + '\"]');"
        " return all.length === 1 && s.contains(all[0]); }))")
    assert report and all(report) and all(all(r) for r in report)
    page.locator(f"{CURRENT} .widget-html svg").first.scroll_into_view_if_needed()
    shot(page, "4-tour-stepper-two-notebooks-open.png")

    # the live loss plot's final image
    pngs = page.eval_on_selector_all(
        f"{CURRENT} .jp-OutputArea-output img[src^='data:image/png']",
        "els => els.map(e => e.naturalWidth)")
    assert pngs and all(w > 100 for w in pngs)
    page.locator(f"{CURRENT} .jp-OutputArea-output img[src^='data:image/png']").last \
        .scroll_into_view_if_needed()
    shot(page, "5-tour-loss-plot.png")

    # the training explorer: a slider changes the parameters it shows
    open_another(page, EXPLORER)
    t0 = time.perf_counter()
    run_all(page)
    print(f"run all {EXPLORER}: {time.perf_counter() - t0:.1f} s")
    explorer = page.locator(f"{CURRENT} .widget-vbox:has(.widget-slider):has(img)").first
    explorer.scroll_into_view_if_needed()
    message = explorer.locator(".widget-html").first
    text_before = message.inner_text()
    src_before = explorer.locator("img").first.get_attribute("src")
    explorer.locator(".widget-slider .noUi-handle").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, old]) => el.innerText !== old",
        arg=[message.element_handle(), text_before], timeout=60_000)
    assert message.inner_text() != text_before
    assert explorer.locator("img").first.get_attribute("src") != src_before
    shot(page, "6-explorer.png")

    # Chinese labels in a live plot, in the first kernel of this environment (no font cache
    # deleted by hand): the PNG is drawn and no missing-glyph warning is printed
    open_another(page, CHINESE_PLOT)
    run_all(page)
    plot = page.locator(f"{CURRENT} .jp-OutputArea-output img[src^='data:image/png']")
    assert plot.count() == 1
    assert "missing from font" not in page.locator(CURRENT).inner_text()
    plot.first.scroll_into_view_if_needed()
    shot(page, "7-chinese-loss-plot.png")
    page.close()


# What chapter 01's forward-mode cells show, in each language: the alt text each picture's
# <img> starts with, the tangent word on the graph's boxes, and what the live widgets'
# explanations say after one step (the forward stepper's first op, the first pass of each mode)
FORWARD_WORDS = {
    "en": {"graph": "computation graph", "stepper": "forward-mode stepper",
           "modes": "Two copies of the 3×2 Jacobian", "tangent": ">tangent 2.58385<",
           "step 1": "local x2 (= 3.0)", "pass 1": "gives column 0",
           "agree": "Both Jacobians agree"},
    "zh": {"graph": "计算图", "stepper": "前向模式步进器",
           "modes": "f 的 3×2 雅可比矩阵画了两份", "tangent": ">切向量 2.58385<",
           "step 1": "局部 x2 (= 3.0)", "pass 1": "得到第 0 列",
           "agree": "两个雅可比矩阵一致"},
}


def test_forward_mode_pictures_and_widgets_in_both_languages(lab, browser):
    """Chapter 01's forward mode: `%%tape --jvp f:x1 --step` (the graph with each value's
    tangent, the forward stepper) and `adkernel.compare_modes`, saved and then live."""
    page = new_page(browser)
    for lang, words in FORWARD_WORDS.items():
        path = f"{lang}/{FORWARD}"
        open_notebook(page, lab, path)
        imgs = svg_imgs(page)
        picked = {}
        for key in ("graph", "stepper", "modes"):
            found = [k for k, img in enumerate(imgs) if img["alt"].startswith(words[key])
                     and (key != "graph" or words["tangent"] in decoded(img))]
            assert found, f"{path}: no saved {key} picture"
            picked[key] = found[0]
        for key in ("graph", "stepper"):  # ḟ = x₂ + cos x₁ = 2.58385 at (2, 3)
            assert words["tangent"] in decoded(imgs[picked[key]]), key
        assert words["agree"] in imgs[picked["modes"]]["alt"]  # the last pass's verdict
        for img in imgs:
            assert img["w"] > 0 and img["shown"] > 0
        saved = page.locator(f"{CURRENT} .jp-OutputArea-output "
                             "img[src^='data:image/svg+xml;base64,']")
        for key in ("graph", "stepper", "modes"):
            saved.nth(picked[key]).scroll_into_view_if_needed()
            shot(page, f"8-{lang}-forward-{key}-saved.png")

        t0 = time.perf_counter()
        run_all(page)
        print(f"run all {path}: {time.perf_counter() - t0:.1f} s")
        page.wait_for_function(  # the widget views render after the outputs
            f"() => document.querySelectorAll('{CURRENT} .jp-OutputArea-output .widget-play')"
            ".length >= 2")
        live = page.locator(f"{CURRENT} .jp-OutputArea-output:has(.widget-play)")
        assert live.count() == 2  # the forward stepper, then compare_modes
        for k, (key, expect) in enumerate((("stepper", words["step 1"]),
                                           ("modes", words["pass 1"]))):
            out = live.nth(k)
            out.scroll_into_view_if_needed()
            assert out.locator(".widget-play").first.get_attribute("title")
            assert expect not in out.inner_text()  # step 0: nothing computed yet
            out.locator(".widget-slider .noUi-handle").first.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("([el, s]) => el.innerText.includes(s)",
                                   arg=[out.element_handle(), expect])
            shot(page, f"9-{lang}-forward-{key}-live.png")
    page.close()
