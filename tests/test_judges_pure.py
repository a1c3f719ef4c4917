"""The judge half of every check is pure (issue 17): it decides from plain data alone.

Envelopes are gathered here, in a kernel-like namespace, for each exercise's reference
solution, starter and wrong answers; a separate Python process in which IPython cannot be
imported judges them from their JSON text and must reach the same verdicts and messages.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from test_exercises import ALL, WRONG, run

from adkernel.exercises import _plain
from adkernel.exercises._feedback import render

pytestmark = pytest.mark.usefixtures("checker_sandbox")


def test_every_exercise_is_checked_in_two_halves():
    assert [p.key for p in ALL if not p.split] == []


def _envelopes():
    """(key, envelope JSON, state, English message) for the answers the tests know."""
    import numpy as np
    from test_exercises import SETUP

    from adkernel import tf
    from adkernel.exercises import ____

    out = []
    answers = [(p, p.solution_code) for p in ALL] + [(p, p.starter) for p in ALL]
    answers += [(p, a) for p, a, _expected in WRONG if isinstance(a, str)]
    for problem, code in answers:
        ns = {"tf": tf, "np": np, "____": ____}
        exec(SETUP.get(problem.chapter, ""), ns)
        with np.errstate(all="ignore"):
            exec(textwrap.dedent(code), ns)
        envelope = problem.gather(ns)
        fb = problem.judge(_plain.loads(_plain.dumps(envelope)))
        assert fb.state == run(problem, code).state
        out.append((problem.key, _plain.dumps(envelope), fb.state, render(fb.message, "en")))
    return out


JUDGE_ELSEWHERE = r"""
import importlib.abc, json, sys

class NoIPython(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "IPython" or name.startswith(("IPython.", "ipykernel", "jupyter_client")):
            raise ImportError(f"{name} may not be imported by a judge")
        return None

sys.meta_path.insert(0, NoIPython())
from adkernel.exercises import CHAPTERS, _plain, problems
from adkernel.exercises._feedback import render

by_key = {p.key: p for key, _f, _t in CHAPTERS for p in problems(key)}
out = []
for key, text in json.load(sys.stdin):
    fb = by_key[key].judge(_plain.loads(text))
    out.append([fb.state, render(fb.message, "en")])
assert not any(m == "IPython" or m.startswith("IPython.") for m in sys.modules)
print(json.dumps(out))
"""


@pytest.mark.slow
def test_judges_decide_in_a_process_without_ipython():
    cases = _envelopes()
    assert len(cases) >= 3 * len(ALL)
    proc = subprocess.run(
        [sys.executable, "-c", JUDGE_ELSEWHERE],
        input=json.dumps([[k, text] for k, text, _s, _m in cases]),
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    there = json.loads(proc.stdout)
    here = [[state, message] for _k, _t, state, message in cases]
    assert there == here
    assert {s for s, _m in here} >= {"correct", "incorrect", "not attempted"}


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.key)
def test_data_that_is_not_plain_is_never_correct(problem):
    """What a tampered kernel might send: not a verdict, ever."""
    good = json.loads(_plain.dumps(problem.gather({})))
    forged = [
        {"status": "ok", "key": problem.key, "data": {}},
        {"status": "ok", "key": problem.key, "data": {"slope": 6.5, "callable": True}},
        {"status": "ok", "key": problem.key},
        {"status": "correct", "key": problem.key},
        {"status": "ok", "key": problem.key, "data": [1, 2]},
        "correct",
        None,
    ]
    assert good["status"] == "undefined"
    for envelope in forged:
        assert problem.judge(envelope).state != "correct", envelope
    with pytest.raises(_plain.NotPlain):
        _plain.loads('{"status": "ok", "data": {"x": 1}' + "]" * 3)
    with pytest.raises(_plain.NotPlain):
        _plain.dumps({"x": object()})
