"""``x^3`` meant as a power (outside tester, finding 5): the error says that ``^`` is XOR
and powers are ``**``, and the exercise checker quotes the learner's line, not adkernel's."""

from __future__ import annotations

import linecache
import textwrap

import numpy as np
import pytest

from adkernel import tf
from adkernel.engine.errors import InvalidArgumentError
from adkernel.engine.i18n import language
from adkernel.exercises import ch02
from adkernel.exercises._feedback import render

POWER = {"en": ("`^` is bitwise XOR", "`**`", "`x**3`"),
         "zh": ("按位异或", "`**`", "`x**3`")}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("expr", [
    lambda x: x ^ 3, lambda x: 3 ^ x, lambda x: x ^ x, lambda x: x ^ 2.5,
    lambda x: tf.Variable(x) ^ 3, lambda x: x ^ tf.constant(3),
    lambda x: tf.constant(3) ^ x,
])
def test_xor_on_a_float_tensor_says_powers_are_double_star(expr, lang):
    with language(lang), pytest.raises(InvalidArgumentError) as info:
        expr(tf.constant(2.0))
    message = str(info.value)
    for words in POWER[lang]:
        assert words in message, message
    assert "tf.cast" not in message  # casting to int32 is no help for a power
    assert isinstance(info.value, TypeError)  # as adkernel's other dtype refusals


def test_explicit_bitwise_calls_and_integer_xor_are_unchanged():
    x = tf.constant(2.0)
    with pytest.raises(InvalidArgumentError, match=r"tf\.cast\(x, tf\.int32\)"):
        tf.bitwise.bitwise_xor(x, x)
    with pytest.raises(InvalidArgumentError, match=r"tf\.cast\(x, tf\.int32\)"):
        np.bitwise_xor(x, 3)
    assert int(tf.constant(6) ^ 3) == 5 and int(3 ^ tf.constant(6)) == 5
    assert bool(tf.constant(True) ^ False)


XOR_ANSWER = """
def derivative_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = x^3 - 2*x
    return tape.gradient(y, x)
"""


def _run_as_a_cell(problem, code):
    """Run ``code`` as IPython runs a cell: compiled under a file name whose lines are in
    linecache, so tracebacks can quote them."""
    code = textwrap.dedent(code)
    filename = "/tmp/ipykernel_0/learner_cell.py"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    ns = {"tf": tf, "np": np}
    try:
        exec(compile(code, filename, "exec"), ns)
        return problem.evaluate(ns)
    finally:
        linecache.cache.pop(filename, None)


@pytest.mark.usefixtures("checker_sandbox")
def test_the_checker_quotes_the_learners_line_not_adkernels():
    fb = _run_as_a_cell(ch02.q1, XOR_ANSWER)
    assert fb.state == "incorrect"
    english, chinese = render(fb.message, "en"), render(fb.message, "zh")
    assert "y = x^3 - 2*x" in english and "y = x^3 - 2*x" in chinese, english
    assert "invalid_dtype" not in english and "line: `raise" not in english, english
    assert "`**`" in english and "`**`" in chinese
