"""adkernel's teaching layer on top of TF semantics ("do better" parts of
``shared/reference/tf_tape_pain_points.md``): every ``None`` returned by ``tape.gradient`` comes
with a ``NoneGradientWarning`` (switchable with ``adkernel.explain_none``), and
``tape.explain(target, source)`` says in one sentence why a gradient is ``None``."""

import warnings

import pytest

import adkernel
from adkernel import tf

# Outside the dedicated warning tests (which record warnings with pytest.warns or
# catch_warnings, overriding this filter) the teaching warning is noise.
pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")


def _none_warnings(records):
    return [r for r in records if issubclass(r.category, adkernel.NoneGradientWarning)]


def _sentence(text):
    assert isinstance(text, str), f"explain() must return a str, got {type(text)!r}"
    text = text.strip()
    assert text, "explain() returned an empty string"
    assert len(text.splitlines()) == 1, f"expected one sentence on one line, got {text!r}"
    return text.lower()


# ---------------------------------------------------------------------------------------------
# NoneGradientWarning
# ---------------------------------------------------------------------------------------------


def test_none_gradient_warning_is_a_user_warning():
    assert issubclass(adkernel.NoneGradientWarning, UserWarning)


def test_02_none_for_unwatched_constant_warns_and_explains_watch():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        y = x**2
    with pytest.warns(adkernel.NoneGradientWarning) as rec:
        g = t.gradient(y, x)
    assert g is None
    msg = str(_none_warnings(rec)[0].message).lower()
    assert "watch" in msg, msg


def test_07_none_inside_structure_warns():
    x = tf.Variable(1.0)
    y = tf.Variable(2.0)
    with tf.GradientTape() as t:
        z = 3 * x
    with pytest.warns(adkernel.NoneGradientWarning):
        g = t.gradient(z, {"x": x, "y": y})
    assert g["y"] is None
    assert float(g["x"]) == 3.0


def test_27_integer_variable_none_warns_and_mentions_int():
    v = tf.Variable(3)
    with tf.GradientTape() as t:
        y = v * v
    with pytest.warns(adkernel.NoneGradientWarning) as rec:
        assert t.gradient(y, v) is None
    msg = str(_none_warnings(rec)[0].message).lower()
    assert "int" in msg, msg


def test_04_none_for_target_computed_before_tape_warns():
    x = tf.Variable(2.0)
    y0 = x * x
    with tf.GradientTape() as t:
        z = y0 * 2
    with pytest.warns(adkernel.NoneGradientWarning):
        assert t.gradient(z, x) is None


def test_no_warning_when_no_gradient_is_none():
    x = tf.Variable(3.0)
    w = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = x * w
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        dx, dw = t.gradient(y, [x, w])
    assert float(dx) == 2.0 and float(dw) == 3.0
    assert _none_warnings(rec) == []


def test_explain_none_false_switches_the_warning_off_and_true_back_on():
    x = tf.constant(3.0)
    try:
        adkernel.explain_none(False)
        with tf.GradientTape() as t:
            y = x**2
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            assert t.gradient(y, x) is None
        assert _none_warnings(rec) == []
    finally:
        adkernel.explain_none(True)
    with tf.GradientTape() as t:
        y = x**2
    with pytest.warns(adkernel.NoneGradientWarning):
        assert t.gradient(y, x) is None


# ---------------------------------------------------------------------------------------------
# tape.explain(target, source)
# ---------------------------------------------------------------------------------------------


def test_explain_never_watched_constant():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        y = x**2
    text = _sentence(t.explain(y, x))
    assert "watch" in text and "variable" in text, text


def test_explain_non_trainable_variable():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape(persistent=True) as t:
        y = v * v
    text = _sentence(t.explain(y, v))
    assert "trainable" in text, text


def test_explain_target_computed_before_the_tape():
    x = tf.Variable(2.0)
    y0 = x * x
    with tf.GradientTape(persistent=True) as t:
        z = y0 * 2
    text = _sentence(t.explain(z, x))
    assert "before" in text or "outside" in text, text


def test_explain_target_computed_after_the_tape():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x
    z = y * 3
    text = _sentence(t.explain(z, x))
    assert "after" in text or "outside" in text, text


def test_explain_integer_variable():
    v = tf.Variable(3)
    with tf.GradientTape(persistent=True) as t:
        y = v * v
    text = _sentence(t.explain(y, v))
    assert "int" in text, text


def test_explain_integer_cast():
    x = tf.Variable(2.7)
    with tf.GradientTape(persistent=True) as t:
        y = tf.cast(x, tf.int32)
    text = _sentence(t.explain(y, x))
    assert "int" in text, text


def test_explain_stop_gradient():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        y = tf.stop_gradient(x * x)
    text = _sentence(t.explain(y, x))
    assert "stop_gradient" in text, text


def test_explain_assign():
    v = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        w = tf.Variable(0.0)
        w.assign(v * 3.0)
        y = w * 1.0
    text = _sentence(t.explain(y, v))
    assert "assign" in text, text


def test_explain_target_does_not_depend_on_source():
    x = tf.constant(1.0)
    y = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        z = y * 2
    text = _sentence(t.explain(z, x))
    assert "does not depend" in text, text


def test_explain_works_after_gradient_on_non_persistent_tape():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        y = x**2
    assert t.gradient(y, x) is None
    text = _sentence(t.explain(y, x))
    assert "watch" in text, text
