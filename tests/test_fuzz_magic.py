"""Fuzzing the ``%%tape`` options line (issue 9): whatever a learner types there, the answer
is a parsed set of options or a one-line ``UsageError`` — never an internal traceback, never
a tape left recording, never anything evaluated."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from adkernel.engine._state import state
from adkernel.magics import MAX_LINE, parse_options

OPTION_WORDS = ["-n", "--name", "-p", "--persistent", "--watch", "-g", "--grad", "-o", "--out",
                "--graph", "--no-graph", "--step", "--plot", "-h", "--help", "--", "-",
                "--grad=y:x", "--gra", "-pn"]
NAMES = ["x", "y", "c", "y:x", "y:x,c", "z:x,", ",", ":", "ｙ", "ｙ：ｘ", "1y", "tape", "grads",
         "print", "__builtins__", "class", "{x}", "$x", "'y:x'", '"y:x"', "'", '"', "\\",
         "\x00", "\x07", "\ud800", "é", "变量", "𝔵", " ", "\t"]
token = st.one_of(st.sampled_from(OPTION_WORDS), st.sampled_from(NAMES),
                  st.text(max_size=12))
line = st.one_of(
    st.lists(token, max_size=8).map(" ".join),
    st.text(max_size=60),
    st.integers(MAX_LINE - 2, MAX_LINE + 40).map(lambda n: "--grad " + "y" * n),
)


def _one_line_outcome(text: str):
    try:
        return parse_options(text)
    except UsageError as e:
        assert "\n" not in str(e), repr(str(e))
        assert str(e).strip()
        return e


@settings(max_examples=600, deadline=None)
@given(line)
def test_any_options_line_parses_or_gives_one_line_usage_error(text):
    out = _one_line_outcome(text)
    if isinstance(out, argparse.Namespace) and not out.help:
        for bound in (out.name, out.out):
            assert bound.isidentifier()
        assert len(text) <= MAX_LINE


@pytest.fixture(scope="module")
def shell(ipshell):
    ipshell.run_cell("from adkernel import tf\nx = tf.Variable(1.0)\nc = tf.constant(2.0)")
    return ipshell


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line.filter(lambda s: "\n" not in s and "\r" not in s and "\x0b" not in s
                   and "\x0c" not in s and "\x1c" not in s and "\x1d" not in s
                   and "\x1e" not in s and "\x85" not in s and "\u2028" not in s
                   and "\u2029" not in s))
def test_any_options_line_in_a_real_shell_gives_no_internal_traceback(shell, text):
    shell.run_cell("x = tf.Variable(1.0)\nc = tf.constant(2.0)")
    shell.user_ns.pop("y", None)
    with capture_output() as cap:
        result = shell.run_cell(f"%%tape {text}\ny = x * 2")
    assert state.recording == []
    if not result.success:
        assert type(result.error_in_exec).__name__ == "UsageError", result.error_in_exec
        assert "Traceback" not in cap.stdout + cap.stderr
