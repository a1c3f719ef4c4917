"""``python -m adkernel run-tf``: a TensorFlow notebook run on adkernel, cell by cell.

Issue 18: no shell command ever runs (each form would create a file: none exists after),
a cell that times out, a kernel that dies and a file that is not a notebook are rows of the
report and the run goes on, the exit status says whether everything ran, and the output
kept per cell is bounded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from adkernel import run_tf
from adkernel.engine.i18n import language
from adkernel.run_tf import rewrite_source

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("jupyter_client")
pytest.importorskip("IPython")


def _run(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "adkernel", "run-tf", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, check=False)


def _write(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A TensorFlow notebook")] + [
        nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


def test_rewrite_replaces_only_the_tensorflow_imports():
    src = ("import numpy as np\nimport tensorflow as tf\nif True:\n  import tensorflow\n"
           "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
           "x = 'import tensorflow as tf'")
    new, replaced, shell, skip = rewrite_source(src)
    assert new.splitlines() == [
        "import numpy as np",
        "from adkernel import tf as tf",
        "if True:",
        "  from adkernel import tf as tensorflow",
        "from adkernel.tf import keras",
        "from adkernel.keras import layers",
        "x = 'import tensorflow as tf'",
    ]
    assert (replaced, shell, skip) == (4, 0, "")


SHELL_ONLY = [
    "!touch x", "!!touch x", "%sx touch x", "%system touch x", "%%bash\ntouch x",
    "%%sh\ntouch x", "%%script bash\ntouch x", "%%system\ntouch x", "%%sx\ntouch x",
    "%%!\ntouch x", "%%perl\nprint 1", "%pip install x", "%conda install x",
    "%mamba install x", "%micromamba install x", "%uv pip install x",
    "  # set-up\n  !pip install -q tensorflow", "%%capture\n!pip install x",
    "%%time\n!touch x", "%time !touch x", "%timeit -n1 !touch x",
    "get_ipython().system('touch x')", "get_ipython().getoutput('touch x')",
    "get_ipython().system_raw('touch x')", "get_ipython().run_line_magic('pip', 'install x')",
    "get_ipython().run_cell_magic('bash', '', 'touch x')", "get_ipython().magic('sx ls')",
    "get_ipython().run_cell_magic('ba' + 'sh', '', 'touch x')",
    "get_ipython().run_line_magic(name, 'x')", "%alias t touch x",
    "ls -la", "pip install tensorflow", "mkdir data",
]


@pytest.mark.parametrize("source", SHELL_ONLY)
def test_a_cell_of_shell_commands_is_not_run(source):
    code, _imports, shell, skip = rewrite_source(source)
    assert (code, skip) == (None, "shell") and shell >= 1


@pytest.mark.parametrize("source", ["x = !ls", "files = %sx ls",
                                    "n = len(get_ipython().getoutput('ls'))",
                                    "print(get_ipython().getoutput('ls'))",
                                    "out = get_ipython().run_line_magic('system', 'ls')"])
def test_a_cell_using_a_shell_result_is_not_run(source):
    assert rewrite_source(source)[0::3] == (None, "shell output")


def test_shell_statements_inside_python_become_pass():
    code, _imports, shell, skip = rewrite_source(
        "import os\nif not os.path.exists('d'):\n    !wget -q https://x/d.zip\n"
        "    %pip install -q d\nfor f in ['a']:\n    get_ipython().system(f'rm {f}')\n"
        "print('done')")
    assert (shell, skip) == (3, "")
    assert "wget" not in code and "pip" not in code and "system" not in code
    assert "pass" in code and "print('done')" in code
    # a cell using top-level await (IPython runs it) is read the same way
    assert rewrite_source("import asyncio\nawait asyncio.sleep(0)\n!touch x") == (
        "import asyncio\nawait asyncio.sleep(0)\npass", 0, 1, "")


@pytest.mark.parametrize("source", [
    "import os\nos.system('echo')",  # Python, not IPython's shell: the sandbox's matter
    "%matplotlib inline\nx = 1", "%%time\nx = 1", "%%writefile notes.txt\n!not a command",
    "s = '''\n!ls\n%pip install x\n'''", "ls = [1, 2]", "ls.sort()", "def f(:",
    "import asyncio\nawait asyncio.sleep(0)"])
def test_python_and_other_magics_are_left_alone(source):
    code, _imports, shell, skip = rewrite_source(source)
    assert (code, shell, skip) == (source, 0, "")


def _shell_forms(d):
    """Cells that would each create a file in ``d`` if any shell command ran."""
    return [
        f"!touch {d}/a1", f"x = !touch {d}/a2", f"%sx touch {d}/a3", f"%system touch {d}/a4",
        f"%%bash\ntouch {d}/a5", f"%%sh\ntouch {d}/a6", f"%%script bash\ntouch {d}/a7",
        f"%%system\ntouch {d}/a8", f"%pip --version > {d}/a9", f"%%capture\n!touch {d}/a10",
        f"if True:\n    !touch {d}/a11\nprint('block ran')",
        f"  # set-up\n  !touch {d}/a12", f"get_ipython().system('touch {d}/a13')",
        f"get_ipython().getoutput('touch {d}/a14')", f"%time !touch {d}/a15",
        f"%conda install --prefix {d}/a16 x", f"%mamba install --prefix {d}/a17 x",
        # forms only the kernel's guard can see
        f"f = getattr(get_ipython(), 'sys' + 'tem')\nf('touch {d}/g1')",
        f"rcm = get_ipython().run_cell_magic\nrcm('bash', '', 'touch {d}/g2')",
        "from IPython.core.magics import ScriptMagics\n"
        "get_ipython().register_magics(ScriptMagics)\n"
        f"rcm = get_ipython().run_cell_magic\nrcm('sh', '', 'touch {d}/g3')",
        f"get_ipython().run_cell('!touch {d}/g4')",
        f"t = type(get_ipython())\ngetattr(t, 'system_' + 'raw')(get_ipython(), 'touch {d}/g5')",
        f"get_ipython().alias_manager.define_alias('tt', 'touch {d}/g6')\n"
        "m = get_ipython().find_line_magic('tt')\nm('')",
        "from IPython.utils import process\n"
        f"getattr(process, 'sys' + 'tem')('touch {d}/g7')",
        "print('still running')",
    ]


@pytest.mark.slow
def test_no_shell_command_runs_whatever_its_form(tmp_path):
    made = tmp_path / "made"
    made.mkdir()
    cells = _shell_forms(made)
    path = _write(tmp_path / "shell.ipynb", cells)
    proc = _run("--json", path)
    assert sorted(p.name for p in made.iterdir()) == []  # nothing ran
    assert proc.returncode == 0, proc.stdout + proc.stderr  # skipped is not failed
    (report,) = json.loads(proc.stdout)
    cells_out = report["cells"]
    status = [c["status"] for c in cells_out]
    block, last = cells.index(cells[10]), len(cells) - 1
    assert status[block] == status[last] == "ok"
    assert cells_out[block]["output"] == "block ran\n"
    assert cells_out[last]["output"] == "still running\n"
    assert [s for i, s in enumerate(status) if i not in (block, last)] == [
        "skipped"] * (len(cells) - 2)
    guard = cells_out[cells.index(cells[-3])]
    assert "stopped in the kernel" in guard["hint"]
    assert "result of a shell command" in cells_out[1]["hint"]
    assert report["shell_lines"] == len(cells) - 1


@pytest.mark.slow
def test_timeouts_dead_kernels_and_bad_files_are_rows_and_the_run_goes_on(tmp_path):
    path = _write(tmp_path / "hard.ipynb", [
        "x = 1",
        "import time\ntime.sleep(600)",  # interrupted after the timeout
        "print('after the timeout', x)",  # the same kernel: x is still there
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "while True:\n    time.sleep(0.1)",  # deaf to the interrupt: a new kernel
        "print('in a new kernel')",
        "print(x)",  # gone with the old kernel
        "import os\nos._exit(1)",
        "print('after the death')",
    ])
    not_json = tmp_path / "not_json.ipynb"
    not_json.write_text("this is not JSON", encoding="utf-8")
    not_nb = tmp_path / "not_notebook.ipynb"
    not_nb.write_text('{"hello": "world"}', encoding="utf-8")
    ok = _write(tmp_path / "ok.ipynb", ["print(1 + 1)"])
    proc = _run("--json", "--timeout", "3", path, not_json, not_nb, tmp_path / "gone.ipynb",
                ok)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    hard, bad1, bad2, gone, fine = json.loads(proc.stdout)
    rows = [(c["status"], c["output"]) for c in hard["cells"]]
    assert rows == [
        ("ok", ""), ("timed out", ""), ("ok", "after the timeout 1\n"), ("timed out", ""),
        ("ok", "in a new kernel\n"), ("failed", ""), ("kernel died", ""),
        ("ok", "after the death\n")]
    assert "interrupted" in hard["cells"][1]["error"]
    assert "new kernel" in hard["cells"][3]["error"]
    assert "a cell above that failed" in hard["cells"][5]["hint"]
    assert "kernel died" in hard["cells"][6]["error"] and "exit code 1" in hard["cells"][6][
        "error"]
    assert (hard["ran"], hard["total"]) == (4, 8)
    for bad in (bad1, bad2, gone):
        assert (bad["status"], bad["cells"]) == ("not a notebook", [])
    assert "JSON" in bad1["error"] and "No such file" in gone["error"]
    assert (fine["status"], fine["ran"], fine["total"]) == ("ran", 1, 1)


@pytest.mark.slow
def test_the_output_kept_per_cell_is_bounded(tmp_path):
    """50 MB printed: the report keeps OUTPUT_KEPT characters and run-tf's memory does not
    grow with what a cell prints (peak RSS after a 1 MB cell, then after a 50 MB one)."""
    small = _write(tmp_path / "small.ipynb", ["print('x' * 1_000_000, flush=True)"])
    big = _write(tmp_path / "big.ipynb", [
        "for _ in range(50):\n    print('x' * 1_000_000, flush=True)", "print('next')"])
    script = (
        "import json, resource, sys\nfrom adkernel.run_tf import run_notebook\n"
        "peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "a = run_notebook(sys.argv[1], timeout=120); ka = peak()\n"
        "b = run_notebook(sys.argv[2], timeout=120); kb = peak()\n"
        "print(json.dumps([ka, kb, [c.__dict__ for c in b.cells]]))\n")
    proc = subprocess.run([sys.executable, "-c", script, str(small), str(big)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    ka, kb, cells = json.loads(proc.stdout)
    assert [c["status"] for c in cells] == ["ok", "ok"]
    assert kb - ka < 20_000, (ka, kb)  # KiB: 50 MB kept would show here
    printed = 50 * 1_000_001
    assert len(cells[0]["output"]) == run_tf.OUTPUT_KEPT
    assert cells[0]["output_dropped"] == printed - run_tf.OUTPUT_KEPT
    assert cells[1]["output"] == "next\n"


@pytest.mark.slow
def test_usage_errors_exit_2(tmp_path):
    path = _write(tmp_path / "nb.ipynb", ["1"])
    proc = _run("--kernel", "no-such-kernel", path)
    assert proc.returncode == 2 and "no-such-kernel" in proc.stderr
    assert _run("--timeout", "0", path).returncode == 2
    assert _run().returncode == 2


def test_the_text_report_lines_up_every_kind_of_row():
    report = run_tf.NotebookReport("nb.ipynb")
    report.cells = [run_tf.CellResult(0, "ok", "x = 1"),
                    run_tf.CellResult(1, "timed out", "time.sleep(600)", "no result"),
                    run_tf.CellResult(2, "kernel died", "os._exit(1)", "died"),
                    run_tf.CellResult(3, "failed", "print(\x1b[2Jx)", "NameError: \x1b[31m")]
    lines = report.text().splitlines()
    assert lines[0] == "nb.ipynb: 1 of 4 code cells ran on adkernel (0 TensorFlow import(s) " \
                       "replaced)"
    assert {line.index("x = 1") if "x = 1" in line else line.index("time") if "time" in line
            else line.index("os") if "os." in line else line.index("print")
            for line in lines if line.startswith("  [")} == {16}
    assert "\x1b" not in report.text()  # a notebook's escape codes do not reach the terminal
    bad = run_tf.NotebookReport("x.ipynb", status="not a notebook", error="not JSON")
    assert bad.text() == "x.ipynb: not a notebook (not JSON)" and not bad.all_ran
    with language("zh"):
        lines = report.text().splitlines()
        assert bad.text() == "x.ipynb：不是笔记本（not JSON）"
    assert "  [  1] 超时   time.sleep(600)" in lines and "  [  2] 崩溃   os._exit(1)" in lines


def _notebook(path):
    cells = [
        "!pip install tensorflow",
        "import numpy as np\nimport tensorflow as tf",
        "layer = tf.keras.layers.Dense(2, activation='relu')\n"
        "x = tf.constant([[1., 2., 3.]])\n"
        "with tf.GradientTape() as tape:\n"
        "    loss = tf.reduce_mean(layer(x) ** 2)\n"
        "grad = tape.gradient(loss, layer.trainable_variables)\n"
        "print([g.shape for g in grad])",
        "",
        "ds = tf.summary.create_file_writer('logs')",
        "tf.experimental.numpy.ones(3)",
        "print(ds)",
        "print(float(tf.reduce_sum(tf.ones(3))))",
    ]
    return _write(path, cells)


@pytest.mark.slow
def test_run_tf_reports_cell_by_cell(tmp_path):
    path = _notebook(tmp_path / "tf_style.ipynb")
    before = path.read_text(encoding="utf-8")
    proc = _run("--json", path)
    assert proc.returncode == 1, proc.stderr  # not every cell ran
    (report,) = json.loads(proc.stdout)
    status = [c["status"] for c in report["cells"]]
    assert status == ["skipped", "ok", "ok", "empty", "failed", "failed", "failed", "ok"]
    assert (report["ran"], report["total"]) == (3, 6)
    assert report["imports_replaced"] == 1 and report["shell_lines"] == 1
    data, missing = report["cells"][4], report["cells"][5]
    assert "tf.summary" in data["error"] and "out of adkernel's scope" in data["hint"]
    assert missing["error"].startswith("AttributeError")
    assert "docs/tf-compat.md" in missing["hint"]
    assert "a cell above that failed" in report["cells"][6]["hint"]  # ds was never made
    assert report["cells"][7]["output"] == "3.0\n"
    assert path.read_text(encoding="utf-8") == before  # the notebook is not changed


@pytest.mark.slow
def test_run_tf_text_report_and_exit_code(tmp_path):
    path = _write(tmp_path / "ok.ipynb", ["import tensorflow as tf\nprint(tf.add(1, 2))"])
    proc = _run(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 of 1 code cells ran on adkernel" in proc.stdout
    assert "ok     import tensorflow as tf" in proc.stdout


GUIDE_NUMPY_CELL = """x = tf.Variable([[1.0, 2.0],
                 [3.0, 4.0]], dtype=tf.float32)

with tf.GradientTape() as tape:
  x2 = x**2

  # This step is calculated with NumPy
  y = np.mean(x2, axis=0)

  # Like most ops, reduce_mean will cast the NumPy array to a constant tensor
  # using `tf.convert_to_tensor`.
  y = tf.reduce_mean(y, axis=0)

print(tape.gradient(y, x))"""


@pytest.mark.slow
def test_run_tf_lets_numpy_calls_leave_the_tape_as_tensorflow_does(tmp_path):
    """guide/autodiff.ipynb's lesson: the numpy step leaves the tape, the gradient is None;
    operators with numpy operands are still recorded."""
    path = _write(tmp_path / "autodiff.ipynb", [
        "import numpy as np\nimport tensorflow as tf",
        GUIDE_NUMPY_CELL,
        "v = tf.Variable([1.0, 2.0])\nwith tf.GradientTape() as g:\n"
        "    y = tf.reduce_sum(np.array([3.0, 4.0]) * v)\nprint(g.gradient(y, v).numpy())\n"
        "print(type(np.square(v)).__name__)",
    ])
    proc = _run("--json", "--lang", "en", path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (report,) = json.loads(proc.stdout)
    guide, operators = report["cells"][1], report["cells"][2]
    assert guide["output"].startswith("None\n"), guide
    assert "Note:" not in guide["output"]
    assert operators["output"] == "[3. 4.]\nndarray\n"


ESCAPES = [
    "import os\nos.system('touch {marker}')",
    "import subprocess\nsubprocess.run(['touch', '{marker}'])",
    "try:\n    open('{marker}', 'w').write('written')\nexcept OSError as e:\n    print(e)",
]


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", [True, False], ids=["sandboxed", "no-sandbox"])
def test_python_level_shell_and_files_touch_nothing_in_the_sandbox(tmp_path, sandbox):
    """IPython's shell forms are refused before running; Python's own os.system, subprocess
    and open() run, but in the sandbox they touch nothing of the machine, and there is no
    network. Without the sandbox (the control run) the same cells do reach the machine."""
    markers = [tmp_path / f"escaped-{i}" for i in range(len(ESCAPES))]
    cells = [code.format(marker=m) for code, m in zip(ESCAPES, markers, strict=True)]
    import socket

    listener = socket.socket()  # a port open on this machine's loopback
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    cells.append(f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), 5)\n"
                 "    print('connected')\n"
                 "except OSError as e:\n    print('no connection:', e.errno)")
    cells.append("import os\nprint('pid', os.getpid())")
    nb = tmp_path / "escape.ipynb"
    _write(nb, cells)
    args = [nb, "--json", "--timeout", "60"] + ([] if sandbox else ["--no-sandbox"])
    try:
        proc = _run(*args)
    finally:
        listener.close()
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)[0]
    assert [c["status"] for c in report["cells"]] == ["ok"] * len(cells)
    outputs = [c["output"] for c in report["cells"]]
    escaped = [m.exists() for m in markers]
    if sandbox:
        assert escaped == [False] * len(markers)
        assert "no connection" in outputs[-2]  # its own network: the port is not there
        assert outputs[-1].strip() in ("pid 2", "pid 3")  # its own process namespace
        assert "WITHOUT the sandbox" not in proc.stderr
    else:
        assert escaped == [True] * len(markers)
        assert "connected" in outputs[-2]
        assert "WITHOUT the sandbox" in proc.stderr
