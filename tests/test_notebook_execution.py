"""A %%tape cell in a real kernel, run the way nbclient / nbval / "Run All" run notebooks."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from jupyter_core.utils import run_sync  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402


def _notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


@pytest.fixture(scope="module")
def kernel():
    """One kernel for the module's notebooks (each test loads the extension again)."""
    starter = nbclient.NotebookClient(_notebook(), kernel_name="python3")
    starter.km = starter.create_kernel_manager()
    starter.start_new_kernel()
    yield starter.km
    run_sync(starter.km.shutdown_kernel)(now=True)


def _run(nb, km, allow_errors=False):
    client = nbclient.NotebookClient(nb, km=km, timeout=120, kernel_name="python3",
                                     allow_errors=allow_errors)
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    return nb


SETUP = "%load_ext adkernel\nfrom adkernel import tf\nx = tf.Variable(3.0)"


@pytest.mark.slow
def test_failing_tape_cell_fails_the_notebook(kernel):
    nb = _notebook(SETUP, "%%tape --grad y:x\ny = x**2\nraise ValueError('learner bug')",
                   "print('not reached')")
    with pytest.raises(CellExecutionError) as info:
        _run(nb, kernel)
    assert "learner bug" in str(info.value)


@pytest.mark.slow
def test_working_tape_cell_shows_values_gradients_and_graph(kernel):
    # (run after the test above, in the kernel its failing cell ran in: no tape left either)
    nb = _run(_notebook(SETUP, "%%tape --grad y:x\ny = x**2\ny",
                        "from adkernel.engine._state import state\nprint(len(state.recording))"),
              kernel)
    outputs = nb.cells[1].outputs
    kinds = [o.output_type for o in outputs]
    assert "execute_result" in kinds  # the last expression is shown as Out[n]
    data = [o.get("data", {}) for o in outputs]
    assert any("6.0" in d.get("text/plain", "") for d in data)
    assert any(d.get("text/html", "").startswith('<img src="data:image/svg+xml;base64,')
               for d in data)
    assert nb.cells[2].outputs[0]["text"].strip() == "0"
