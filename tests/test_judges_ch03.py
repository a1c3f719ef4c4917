"""Chapter 03's judges on their own: pure functions of plain data, no kernel (issue 17).

The data below is what the gather half writes down (hand-made here, as the grader would
receive it as JSON); the judge alone gives the verdict and the diagnosis.
"""

from __future__ import annotations

import pytest

from adkernel.exercises import _plain, ch03
from adkernel.exercises._feedback import render


def _num(v):
    return {"t": "number", "v": float(v), "int": False}


def _judge(problem, data):
    envelope = {"format": 1, "key": problem.key, "status": "ok", "outputs": [], "data": data}
    fb = problem.judge(_plain.loads(_plain.dumps(envelope)))
    return fb.state, render(fb.message, "en")


NO_TAPE = {"when": None, "tracked": None, "watched": {}}


def _grads(x, y, tape=NO_TAPE):
    items = [["x", x if isinstance(x, dict) else _num(x)],
             ["y", y if isinstance(y, dict) else _num(y)]]
    return {"grads": {"t": "dict", "n": 2, "items": items}, "tape": tape}


@pytest.mark.parametrize(
    ("data", "state", "words"),
    [
        (_grads(12, 31), "correct", "2xy"),
        (_grads(-12, -31), "incorrect", "wrong sign"),
        (_grads(12, 30), "incorrect", "`grads['y']` = 30"),
        (_grads(12, {"t": "none"}), "incorrect", "did not watch y"),
        (_grads(12, {"t": "none"}, {"when": "after", "tracked": False, "watched": {}}),
         "incorrect", "z was computed after the `with` block"),
        (_grads(12, {"t": "none"}, {"when": "during", "tracked": True,
                                    "watched": {"x": True, "y": True}}),
         "incorrect", "not the variable y"),
        # right numbers from a tape that recorded z and was never asked (chapter 02's rule)
        (_grads(12, 31, {**NO_TAPE, "asked": False}), "incorrect", "never asked"),
        (_grads(12, 31, {**NO_TAPE, "asked": True}), "correct", "2xy"),
    ],
)
def test_q1_judge(data, state, words):
    got, text = _judge(ch03.q1, data)
    assert got == state and words in text, text


def test_q2_judge_right_numbers_the_tape_never_gave():
    state, text = _judge(ch03.q2, {"J": _jac([[3, 2], [1, 1], [0, 6]]),
                                   "tape": {**NO_TAPE, "asked": False}})
    assert state == "incorrect" and "never asked for its Jacobian" in text, text


def _jac(rows):
    return {"t": "array", "shape": [len(rows), len(rows[0])],
            "v": [v for r in rows for v in r]}


@pytest.mark.parametrize(
    ("J", "tape", "words"),
    [
        ({"t": "none"}, {"when": "during", "tracked": True, "watched": {"v": True}}, "swapped"),
        ({"t": "none"}, {"when": "after", "tracked": False, "watched": {}}, "after the `with`"),
        ({"t": "none"}, NO_TAPE, "no path from the target to the source"),
        (_jac([[-3, -2], [-1, -1], [0, -6]]), NO_TAPE, "wrong sign"),
        (_jac([[3, 2], [1, 1], [0, 3]]), NO_TAPE, "Entry J[2, 1] is 3"),
        ({"t": "str", "v": "J"}, NO_TAPE, "array of shape (3, 2)"),
    ],
)
def test_q2_judge(J, tape, words):
    state, text = _judge(ch03.q2, {"J": J, "tape": tape})
    assert state == "incorrect" and words in text, text
    assert _judge(ch03.q2, {"J": _jac([[3, 2], [1, 1], [0, 6]]), "tape": tape})[0] == "correct"


@pytest.mark.parametrize(
    ("value", "tapes", "state", "words"),
    [
        (_num(18), {"dz_dy": None, "recorded": None}, "correct", "6y"),
        (_num(-18), {"dz_dy": None, "recorded": None}, "incorrect", "wrong sign"),
        ({"t": "none"}, {"dz_dy": _num(27), "recorded": True}, "incorrect", "wrong variable"),
        ({"t": "none"}, {"dz_dy": _num(27), "recorded": False}, "incorrect", "Indent the line"),
        ({"t": "none"}, {"dz_dy": _num(4), "recorded": True}, "incorrect", "4 = 2x"),
        ({"t": "none"}, {"dz_dy": None, "recorded": None}, "incorrect", "Either the inner"),
        (_num(18), {"dz_dy": None, "recorded": True, "asked": False}, "incorrect",
         "never asked for its own"),
        (_num(18), {"dz_dy": None, "recorded": True, "asked": True}, "correct", "6y"),
    ],
)
def test_q3_judge(value, tapes, state, words):
    got, text = _judge(ch03.q3, {"d2z_dy2": value, "tapes": tapes})
    assert got == state and words in text, text
    if "wrong variable" in text:  # issue 17: never sent back to where the answer already is
        assert "inside the outer" not in text and "Indent" not in text


def test_the_judges_read_no_kernel():
    """The judges' code names neither tf, the engine nor IPython (the grader has none)."""
    for judge in (ch03._judge_grads, ch03._judge_jacobian, ch03._why_no_jacobian,
                  ch03._judge_second):
        names = set(judge.__code__.co_names)
        assert not names & {"tf", "GradientTape", "get_ipython", "_plain"}, judge.__name__
