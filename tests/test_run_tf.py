"""``python -m adkernel run-tf``: a TensorFlow notebook run on adkernel, cell by cell."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from adkernel.run_tf import rewrite_source

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")


def test_rewrite_replaces_only_the_tensorflow_imports():
    src = ("import numpy as np\nimport tensorflow as tf\n  import tensorflow\n"
           "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
           "!pip install tensorflow\nx = 'import tensorflow as tf'")
    new, replaced, shell = rewrite_source(src)
    assert new.splitlines() == [
        "import numpy as np",
        "from adkernel import tf as tf",
        "  from adkernel import tf as tensorflow",
        "from adkernel.tf import keras",
        "from adkernel.keras import layers",
        "pass  # adkernel run-tf: shell line not run: !pip install tensorflow",
        "x = 'import tensorflow as tf'",
    ]
    assert (replaced, shell) == (4, 1)


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
        "ds = tf.data.Dataset.from_tensor_slices([1, 2])",
        "tf.experimental.numpy.ones(3)",
        "print(ds)",
        "print(float(tf.reduce_sum(tf.ones(3))))",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A TensorFlow notebook")] + [
        nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


def test_run_tf_reports_cell_by_cell(tmp_path):
    path = _notebook(tmp_path / "tf_style.ipynb")
    before = path.read_text(encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "adkernel", "run-tf", "--json", str(path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 1, proc.stderr  # not every cell ran
    (report,) = json.loads(proc.stdout)
    status = [c["status"] for c in report["cells"]]
    assert status == ["skipped", "ok", "ok", "empty", "failed", "failed", "failed", "ok"]
    assert (report["ran"], report["total"]) == (3, 6)
    assert report["imports_replaced"] == 1 and report["shell_lines"] == 1
    data, missing = report["cells"][4], report["cells"][5]
    assert "tf.data" in data["error"] and "out of adkernel's scope" in data["hint"]
    assert missing["error"].startswith("AttributeError")
    assert "docs/tf-compat.md" in missing["hint"]
    assert "a cell above that failed" in report["cells"][6]["hint"]  # ds was never made
    assert path.read_text(encoding="utf-8") == before  # the notebook is not changed


def test_run_tf_text_report_and_exit_code(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import tensorflow as tf\nprint(tf.add(1, 2))")]
    path = tmp_path / "ok.ipynb"
    nbformat.write(nb, path)
    proc = subprocess.run([sys.executable, "-m", "adkernel", "run-tf", str(path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 of 1 code cells ran on adkernel" in proc.stdout
    assert "ok     import tensorflow as tf" in proc.stdout
