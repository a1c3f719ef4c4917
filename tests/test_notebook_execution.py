"""A %%tape cell in a real kernel, run the way nbclient / nbval / "Run All" run notebooks."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from nbclient.exceptions import CellExecutionError  # noqa: E402


def _notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def _run(nb, allow_errors=False):
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     allow_errors=allow_errors)
    client.execute()
    return nb


SETUP = "%load_ext adkernel\nfrom adkernel import tf\nx = tf.Variable(3.0)"


@pytest.mark.slow
def test_failing_tape_cell_fails_the_notebook():
    nb = _notebook(SETUP, "%%tape --grad y:x\ny = x**2\nraise ValueError('learner bug')",
                   "print('not reached')")
    with pytest.raises(CellExecutionError) as info:
        _run(nb)
    assert "learner bug" in str(info.value)


@pytest.mark.slow
def test_working_tape_cell_shows_values_gradients_and_graph():
    nb = _run(_notebook(SETUP, "%%tape --grad y:x\ny = x**2\ny",
                        "from adkernel.engine._state import state\nprint(len(state.recording))"))
    outputs = nb.cells[1].outputs
    kinds = [o.output_type for o in outputs]
    assert "execute_result" in kinds  # the last expression is shown as Out[n]
    data = [o.get("data", {}) for o in outputs]
    assert any("6.0" in d.get("text/plain", "") for d in data)
    assert any(d.get("text/html", "").startswith('<img src="data:image/svg+xml;base64,')
               for d in data)
    assert nb.cells[2].outputs[0]["text"].strip() == "0"
