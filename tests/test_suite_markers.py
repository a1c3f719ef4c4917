"""The `slow` marker (tests/conftest.py): an unmarked test cannot start a process."""

from __future__ import annotations

import os
import subprocess
import sys

import conftest
import pytest
from conftest import UnmarkedSubprocess


@pytest.mark.parametrize("start", [
    lambda: subprocess.run([sys.executable, "-c", "pass"]),
    lambda: subprocess.Popen(["jupyter", "kernel"]),
    lambda: os.system("true"),
])
def test_an_unmarked_test_cannot_start_a_process(start):
    with pytest.raises(UnmarkedSubprocess, match=r"mark it @pytest\.mark\.slow"):
        start()
    conftest._GUARD["refused"].clear()  # expected here; the hook would fail the test


def test_a_bash_syntax_check_is_allowed():
    done = subprocess.run(["bash", "-n"], input="echo ok\n", text=True, capture_output=True)
    assert done.returncode == 0


@pytest.mark.slow
def test_a_slow_test_may_start_python():
    done = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True,
                          text=True, check=True)
    assert done.stdout == "42\n"


def test_notebook_items_are_marked_slow(request):
    from conftest import pytest_collection_modifyitems

    class IPyNbCell:  # stands in for nbval's item class (matched by name)
        def __init__(self):
            self.marks = []

        def add_marker(self, mark):
            self.marks.append(mark)

    cell = IPyNbCell()
    pytest_collection_modifyitems([cell, request.node])
    assert [m.name for m in cell.marks] == ["slow"]
    assert request.node.get_closest_marker("slow") is None


def test_a_refusal_the_code_under_test_swallows_still_fails_the_test():
    try:
        subprocess.run([sys.executable, "-c", "pass"])
    except UnmarkedSubprocess:
        pass  # as a grader would: it turns the failure into an error row
    assert conftest._GUARD["refused"]  # the hook fails the test on this
    conftest._GUARD["refused"].clear()  # (expected here)
