"""Engine round 2 (issue 6, items 2-4): gradients only for what a tape watched, tapes that
stay usable after a backward pass raises, explanations that match the tape's records,
``custom_gradient(variables=...)`` and ``tf.gather``'s ``batch_dims``.

Each section pins exact scenarios: the numbers are TensorFlow's (the specification in
``shared/reference/tf_tape_semantics.md``, item numbers quoted) or central differences.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from op_cases import BY_NAME, CASES

import adkernel
from adkernel import tf
from adkernel.engine import REGISTRY
from adkernel.engine import tape as tape_module
from adkernel.engine._state import state
from adkernel.engine.registry import defop, make_unary

pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")


@pytest.fixture(autouse=True)
def no_tape_left_recording():
    """Every test starts and ends with no tape on the recording stack."""
    assert state.recording == []
    yield
    assert state.recording == [], f"a tape stayed on the recording stack: {state.recording}"


def _close(actual, expected, rtol=1e-10, atol=1e-12):
    assert actual is not None, "expected a gradient, got None"
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


def _central_difference(f, x, eps=1e-6):
    """d sum(f(x)) / dx by central differences (float64)."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        hi, lo = x.copy(), x.copy()
        hi[i] += eps
        lo[i] -= eps
        g[i] = (np.sum(f(hi)) - np.sum(f(lo))) / (2 * eps)
    return g


# =========================================================================================
# A. Gradients only for what the tape watched
# =========================================================================================


def _clip_inputs(rng, dtype):
    x = rng.uniform(-2, 2, (3, 4))
    lo = rng.uniform(-1.5, -0.5, (3, 4))
    hi = rng.uniform(0.5, 1.5, (3, 4))
    x = np.where(np.abs(x - lo) < 0.1, x + 0.2, x)  # no input at a bound (a kink)
    x = np.where(np.abs(x - hi) < 0.1, x - 0.2, x)
    return [a.astype(dtype) for a in (x, lo, hi)]


# Ops whose row in op_cases fixes some of their float operands inside the lambda: here
# every float operand is an argument.
_SPECIAL = {
    "clip_by_value": (lambda x, lo, hi: tf.clip_by_value(x, lo, hi), _clip_inputs),
}


def _float_slots(case) -> int:
    """How many float inputs the op's record has when its row runs with everything watched."""
    xs = case.inputs(np.random.default_rng(0))
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        tape.watch([t for t in ts if t.dtype.is_floating])
        case.fn(*ts)
    rec = next(r for r in tape.view().records if r.op.name == case.op)
    kinds = [np.dtype(v.dtype).kind if hasattr(v, "dtype") else np.result_type(v).kind
             for v in rec.values]
    return kinds.count("f")


MULTI = [c.op for c in CASES if c.differentiable and _float_slots(c) >= 2]


def test_every_multi_input_op_is_covered():
    """The ops below come from the registry's rows; a new op with two or more float
    inputs joins the mixing tests without touching this file."""
    assert set(MULTI) >= {"add", "sub", "mul", "truediv", "pow", "maximum", "minimum",
                          "floormod", "squared_difference", "clip_by_value", "where",
                          "concat", "stack", "matmul", "einsum", "solve",
                          "sigmoid_cross_entropy_with_logits",
                          "softmax_cross_entropy_with_logits", "mean_squared_error"}
    for name in MULTI:
        assert REGISTRY[name].differentiable


def _op_and_inputs(name):
    if name in _SPECIAL:
        fn, make = _SPECIAL[name]
        return fn, make(np.random.default_rng(7), np.float64)
    case = BY_NAME[name]
    xs = case.inputs(np.random.default_rng(7))
    assert all(x.dtype.kind == "f" for x in xs), f"{name}: the row has a non-float input"
    return case.fn, xs


UNWATCHED_KINDS = ["constant", "trainable_false", "not_auto_watched", "numpy_array"]


def _gradients(fn, xs, unwatched=None, kind=None):
    """Gradients of sum(fn(*operands) * weights) for every operand that is a tensor.

    Operand ``unwatched`` (an index) is made of ``kind``; the others are watched: even
    positions as trainable variables, odd ones as constants passed to ``tape.watch``.
    """
    auto = kind != "not_auto_watched"
    operands = []
    for i, x in enumerate(xs):
        if i == unwatched:
            operands.append({
                "constant": lambda a: tf.constant(a),
                "trainable_false": lambda a: tf.Variable(a, trainable=False),
                "not_auto_watched": lambda a: tf.Variable(a),
                "numpy_array": lambda a: a.copy(),
            }[kind](x))
        elif i % 2 == 0 and auto:
            operands.append(tf.Variable(x))
        else:
            operands.append(tf.constant(x))
    out_shape = np.shape(fn(*[tf.constant(x) for x in xs]))
    weights = np.random.default_rng(11).uniform(0.5, 1.5, out_shape)
    with tf.GradientTape(watch_accessed_variables=auto) as tape:
        for i, t in enumerate(operands):
            if i != unwatched and (i % 2 == 1 or not auto):
                tape.watch(t)
        y = tf.reduce_sum(fn(*operands) * weights)
    sources = [t for t in operands if not isinstance(t, np.ndarray)]
    grads = tape.gradient(y, sources)
    it = iter(grads)
    return ["numpy" if isinstance(t, np.ndarray) else next(it) for t in operands]


@pytest.mark.parametrize("kind", UNWATCHED_KINDS)
@pytest.mark.parametrize("name", MULTI)
def test_unwatched_operand_gets_none_and_watched_ones_the_full_gradient(name, kind):
    fn, xs = _op_and_inputs(name)
    reference = _gradients(fn, xs)  # everything watched
    assert all(g is not None for g in reference), f"{name}: a watched operand got None"
    for i in range(len(xs)):
        grads = _gradients(fn, xs, unwatched=i, kind=kind)
        for j, (g, ref) in enumerate(zip(grads, reference, strict=True)):
            if j == i and kind == "numpy_array":
                assert g == "numpy"  # an array cannot be a source: the others are checked
            elif j == i:
                assert g is None, f"{name}: unwatched operand {j} ({kind}) got a gradient"
            else:
                _close(g.numpy(), ref.numpy())


def test_issue_constant_times_variable():
    c = tf.constant(3.0)
    b = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = c * b
    dc, db = tape.gradient(y, [c, b])
    assert dc is None
    assert float(db) == 3.0


def test_issue_matmul_with_a_constant_design_matrix():
    X = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = tf.Variable([[0.5], [-1.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.matmul(X, w) ** 2)
    dX, dw = tape.gradient(loss, [X, w])
    assert dX is None
    r = X.numpy() @ w.numpy()
    _close(dw.numpy(), 2 * X.numpy().T @ r, rtol=1e-6)
    with tf.GradientTape() as tape:  # the same with X on the right, as X @ w
        loss = tf.reduce_sum((X @ w) ** 2)
    assert tape.gradient(loss, X) is None


def test_issue_trainable_false_and_watch_accessed_variables_false():
    frozen = tf.Variable(2.0, trainable=False)
    b = tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y = frozen * b
    assert tape.gradient(y, [frozen, b])[0] is None
    with tf.GradientTape() as tape:
        tape.watch(frozen)  # watching it explicitly works (spec item 23)
        y = frozen * b
    assert [float(g) for g in tape.gradient(y, [frozen, b])] == [5.0, 2.0]
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(b)
        y = frozen * b * tf.Variable(7.0)
    assert float(tape.gradient(y, b)) == 14.0


def test_unwatched_operand_gets_zeros_with_unconnected_zero():
    c = tf.constant([1.0, 2.0])
    b = tf.Variable([3.0, 4.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(c * b)
    dc, db = tape.gradient(y, [c, b], unconnected_gradients="zero")
    assert dc.numpy().tolist() == [0.0, 0.0] and dc.dtype == c.dtype
    assert db.numpy().tolist() == [1.0, 2.0]


def test_gradient_of_an_untouched_variable_by_itself_is_one():
    # spec item 6: the target is the source; nothing was recorded
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        pass
    g = tape.gradient(v, v)
    assert float(g) == 1.0 and g.dtype == tf.float32


def test_unwatched_source_listed_as_target_too_gets_its_seed():
    # spec item 6, third case: [x, y] w.r.t. x is 1 + dy/dx; an unwatched c as target and
    # source gets 1 (it is the target), nothing from y
    x = tf.constant(2.0)
    c = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x * c
    assert float(tape.gradient([x, y], x)) == 1.0 + 12.0
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * c
    assert float(tape.gradient([c, y], c)) == 1.0


def test_nested_tapes_each_watching_one_input_give_the_mixed_derivative():
    # y = c * x**3: the inner tape watches x only, the outer c only.
    x = tf.constant(2.0)
    c = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(c)
        with tf.GradientTape(persistent=True) as inner:
            inner.watch(x)
            y = c * x**3
        dy_dx, dy_dc = inner.gradient(y, [x, c])
    assert dy_dc is None  # the inner tape never watched c
    assert float(dy_dx) == 3 * 3.0 * 2.0**2  # 3 c x^2 = 36
    assert float(outer.gradient(dy_dx, c)) == 3 * 2.0**2  # d/dc (3 c x^2) = 12


def test_nested_tapes_without_auto_watching_give_the_mixed_derivative():
    # y = sin(c x) with two variables; each tape watches one of them explicitly.
    x = tf.Variable(0.7, dtype=tf.float64)
    c = tf.Variable(1.3, dtype=tf.float64)
    with tf.GradientTape(watch_accessed_variables=False) as outer:
        outer.watch(c)
        with tf.GradientTape(watch_accessed_variables=False) as inner:
            inner.watch(x)
            y = tf.sin(c * x)
        dy_dx = inner.gradient(y, x)
    d2 = outer.gradient(dy_dx, [c, x])
    xv, cv = 0.7, 1.3
    _close(dy_dx.numpy(), cv * np.cos(cv * xv))
    # d/dc (c cos(cx)) = cos(cx) - c x sin(cx); the outer tape never watched x
    _close(d2[0].numpy(), np.cos(cv * xv) - cv * xv * np.sin(cv * xv))
    assert d2[1] is None


def test_outer_tape_watching_only_the_constant_sees_no_path_through_x():
    x = tf.Variable(1.5)
    c = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(c)
        with tf.GradientTape() as inner:
            y = c * x * x
        dy_dx = inner.gradient(y, x)  # 2 c x
    dd = outer.gradient(dy_dx, [c, x])
    assert float(dd[0]) == 2 * 1.5
    assert float(dd[1]) == 2 * 2.0  # x is a trainable variable: the outer tape watched it


# =========================================================================================
# B. Exception-safe backward passes
# =========================================================================================

_FAULT = {"on": True}


@pytest.fixture
def interrupting_op():
    """A temporary op whose VJP raises KeyboardInterrupt while _FAULT['on'] is set."""
    name = "_test_interrupting_vjp"
    assert name not in REGISTRY

    @defop(name)
    def forward(x):
        """2 x (test op whose VJP can be interrupted)"""
        return x * 2

    @forward.defvjp
    def forward_vjp(g, out, need, x):
        if _FAULT["on"]:
            raise KeyboardInterrupt
        return (g * 2,)

    _FAULT["on"] = True
    try:
        yield make_unary(forward)
    finally:
        REGISTRY.pop(name, None)
        _FAULT["on"] = True


def test_interrupting_op_fixture_cleans_up(interrupting_op):
    assert "_test_interrupting_vjp" in REGISTRY


def test_registry_has_no_leftover_test_op():
    assert "_test_interrupting_vjp" not in REGISTRY


def _assert_used(tape):
    """A non-persistent tape after its one call: the usual message, never a TypeError."""
    assert "used" in repr(tape)
    assert isinstance(str(tape), str)
    x = tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(x * 1.0, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.jacobian(x * 1.0, x)


def _assert_readable(tape):
    assert "GradientTape" in repr(tape)
    text = str(tape)
    assert repr(tape) in text
    assert state.recording == []


def _check_numerics_fault(persistent):
    x = tf.Variable(0.0)
    with tf.GradientTape(persistent=persistent, check_numerics=True) as tape:
        bad = tf.math.log(x) + x
        good = x * x + 3.0 * x
    with pytest.raises(adkernel.NonFiniteGradientError):
        tape.gradient(bad, x)
    return tape, good, x, 3.0


def _custom_gradient_fault(persistent):
    x = tf.Variable(2.0)

    @tf.custom_gradient
    def double(a):
        def grad(dy):
            if _FAULT["on"]:
                raise ValueError("a bug in grad_fn")
            return dy * 2.0

        return a * 2.0, grad

    with tf.GradientTape(persistent=persistent) as tape:
        y = double(x) + x * x
    with pytest.raises(ValueError, match="a bug in grad_fn"):
        tape.gradient(y, x)
    _FAULT["on"] = False
    return tape, y, x, 2.0 + 2 * 2.0


def _hook_fault(persistent):
    x = tf.Variable(3.0)

    def hook(target, tape):
        raise LookupError("a bug in a gradient hook")

    with tf.GradientTape(persistent=persistent) as tape:
        y = x * x
    tape_module.hooks.on_gradient.append(hook)
    try:
        with pytest.raises(LookupError, match="hook"):
            tape.gradient(y, x)
    finally:
        tape_module.hooks.on_gradient.remove(hook)
    return tape, y, x, 6.0


def _interrupt_fault(persistent, op):
    x = tf.Variable(1.5)
    with tf.GradientTape(persistent=persistent) as tape:
        y = op(x) + x * x
    with pytest.raises(KeyboardInterrupt):
        tape.gradient(y, x)
    _FAULT["on"] = False
    return tape, y, x, 2.0 + 2 * 1.5


FAULTS = {
    "check_numerics": lambda persistent, op: _check_numerics_fault(persistent),
    "custom_gradient_grad_fn": lambda persistent, op: _custom_gradient_fault(persistent),
    "gradient_hook": lambda persistent, op: _hook_fault(persistent),
    "keyboard_interrupt_in_vjp": _interrupt_fault,
}



@pytest.mark.parametrize(
    "fault",
    list(FAULTS),
)
def test_fault_uses_up_a_non_persistent_tape(fault, interrupting_op):
    _FAULT["on"] = True
    tape, _, _, _ = FAULTS[fault](False, interrupting_op)
    _assert_readable(tape)
    _assert_used(tape)
    _assert_readable(tape)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_leaves_a_persistent_tape_usable(fault, interrupting_op):
    _FAULT["on"] = True
    tape, target, x, expected = FAULTS[fault](True, interrupting_op)
    _assert_readable(tape)
    assert "stopped" in repr(tape)
    _close(tape.gradient(target, x).numpy(), expected, rtol=1e-6)
    _close(tape.gradient(target, x).numpy(), expected, rtol=1e-6)  # and again
    _assert_readable(tape)


def test_used_tape_can_record_again_after_a_fault(interrupting_op):
    x = tf.Variable(1.5)
    with tf.GradientTape() as tape:
        y = interrupting_op(x)
    with pytest.raises(KeyboardInterrupt):
        tape.gradient(y, x)
    with tape:  # spec item 16: a used tape re-entered starts fresh
        z = x * x * x
    _close(tape.gradient(z, x).numpy(), 3 * 1.5**2, rtol=1e-6)


def test_fault_in_jacobian_uses_up_the_tape():
    x = tf.Variable([0.0, 1.0])
    with tf.GradientTape(check_numerics=True) as tape:
        y = tf.math.log(x)
    with pytest.raises(adkernel.NonFiniteGradientError):
        tape.jacobian(y, x)
    _assert_readable(tape)
    _assert_used(tape)


def test_fault_inside_a_gradient_call_within_the_block(interrupting_op):
    x = tf.Variable(1.5)
    for persistent in (False, True):
        _FAULT["on"] = True
        with tf.GradientTape(persistent=persistent) as tape:
            y = interrupting_op(x) + x * x
            with pytest.raises(KeyboardInterrupt):
                tape.gradient(y, x)
            if persistent:  # a persistent tape keeps recording in its block
                assert tape.recording and state.recording == [tape]
            else:  # the one call stopped it, as in TensorFlow (spec item 17)
                assert not tape.recording and state.recording == []
        _assert_readable(tape)
        if persistent:
            _FAULT["on"] = False
            _close(tape.gradient(y, x).numpy(), 2.0 + 3.0, rtol=1e-6)
        else:
            _assert_used(tape)


def test_fault_in_an_inner_tape_keeps_the_outer_tape_recording(interrupting_op):
    x = tf.Variable(1.5)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = interrupting_op(x) * x
        with pytest.raises(KeyboardInterrupt):
            inner.gradient(y, x)
        assert state.recording == [outer] and outer.recording
        z = x * x * x
    _assert_used(inner)
    _close(outer.gradient(z, x).numpy(), 3 * 1.5**2, rtol=1e-6)


@pytest.mark.parametrize("persistent", [False, True])
def test_exception_in_the_with_body_ends_recording(persistent):
    x = tf.Variable(2.0)
    with pytest.raises(ZeroDivisionError):
        with tf.GradientTape(persistent=persistent) as tape:
            y = x * x
            1 / 0
    _assert_readable(tape)
    assert "stopped" in repr(tape)
    assert float(tape.gradient(y, x)) == 4.0


@pytest.mark.parametrize("persistent", [False, True])
def test_exception_inside_stop_recording_resumes_recording(persistent):
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=persistent) as tape:
        a = x * x
        with pytest.raises(ZeroDivisionError):
            with tape.stop_recording():
                a * 10.0
                1 / 0
        assert tape.recording and state.recording == [tape]
        y = a * 3.0
    assert float(tape.gradient(y, x)) == 12.0
    _assert_readable(tape)


def test_exception_inside_stop_recording_that_leaves_the_block():
    x = tf.Variable(2.0)
    with pytest.raises(ZeroDivisionError):
        with tf.GradientTape() as tape:
            a = x * x
            with tape.stop_recording():
                1 / 0
    _assert_readable(tape)
    assert "stopped" in repr(tape)
    assert float(tape.gradient(a, x)) == 4.0


def test_exception_in_a_custom_gradient_forward_keeps_the_tape_recording():
    x = tf.Variable(2.0)

    @tf.custom_gradient
    def broken(a):
        a * 2.0
        raise ArithmeticError("a bug in the forward pass")

    with tf.GradientTape() as tape:
        with pytest.raises(ArithmeticError):
            broken(x)
        assert state.recording == [tape]
        y = x * x
    assert float(tape.gradient(y, x)) == 4.0


def test_explain_works_after_a_fault():
    x = tf.Variable(0.0)
    with tf.GradientTape(check_numerics=True) as tape:
        y = tf.math.log(x)
    with pytest.raises(adkernel.NonFiniteGradientError):
        tape.gradient(y, x)
    assert isinstance(tape.explain(y, x), str)


# =========================================================================================
# C. Explanations
# =========================================================================================


def _warning_for(call):
    """Run ``call()`` and return the text of the one NoneGradientWarning it sends."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    texts = [str(w.message) for w in caught if issubclass(w.category, adkernel.NoneGradientWarning)]
    assert len(texts) == 1, texts
    return texts[0]


def _says(text, *required, never=()):
    low = text.lower()
    for word in required:
        assert word.lower() in low, f"expected {word!r} in: {text}"
    for word in never:
        assert word.lower() not in low, f"did not expect {word!r} in: {text}"


_TIME_WORDS = ("outside the", "after the tape", "before the tape", "computed before")


def test_explain_target_under_stop_recording():
    x = tf.Variable(4.0)
    with tf.GradientTape(persistent=True) as tape:
        a = x * 2.0
        with tape.stop_recording():
            y = a * a
        z = a * a
    assert float(tape.gradient(z, x)) == 32.0  # spec item 38
    text = _warning_for(lambda: tape.gradient(y, x))
    _says(text, "stop_recording", "to x:", never=(*_TIME_WORDS, "never used", "tf.variable"))
    assert text == tape.explain(y, x)
    text = _warning_for(lambda: tape.gradient(y, a))  # a was tracked: y was not
    _says(text, "stop_recording", "to a:", never=(*_TIME_WORDS, "never used", "tf.variable"))


def test_explain_source_computed_under_stop_recording():
    x = tf.Variable(4.0)
    with tf.GradientTape() as tape:
        with tape.stop_recording():
            a = x * 2.0
        y = a * a
    text = _warning_for(lambda: tape.gradient(y, a))
    assert text.startswith("a (")
    _says(text, "stop_recording", "tape.watch(a)", never=_TIME_WORDS)


def test_explain_target_made_from_a_value_computed_under_stop_recording():
    v = tf.Variable([3.0, 1.0])
    with tf.GradientTape() as tape:
        with tape.stop_recording():
            s = v * 2.0
        y = tf.reduce_sum(s)
    text = _warning_for(lambda: tape.gradient(y, v))
    _says(text, "stop_recording", never=("outside the", "after the tape", "never used"))


@pytest.mark.parametrize("watched", ["variable", "constant"])
def test_explain_second_derivative_of_a_linear_function(watched):
    x = tf.Variable(2.0) if watched == "variable" else tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = 3.0 * x + 1.0
        dy = inner.gradient(y, x)
    assert float(dy) == 3.0
    text = _warning_for(lambda: outer.gradient(dy, x))
    _says(text, "constant", "unconnected_gradients='zero'", "linear",
          never=("tf.variable", "tape.watch", "outside the", "never used"))
    # and the zero the sentence promises (spec item 41)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = 3.0 * x + 1.0
        dy = inner.gradient(y, x)
    assert float(outer.gradient(dy, x, unconnected_gradients="zero")) == 0.0


def test_explain_second_derivative_of_a_linear_function_on_one_persistent_tape():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * 5.0
        dy = tape.gradient(y, x)
    text = _warning_for(lambda: tape.gradient(dy, x))
    _says(text, "constant", "unconnected_gradients='zero'", never=("tf.variable",))


def test_explain_if_branch_that_skipped_the_source():
    w = tf.Variable(1.0)
    u = tf.Variable(2.0)
    loss = tf.constant(0.0)  # a value from before the block
    with tf.GradientTape() as tape:
        z = u * u
        if z > 100.0:  # False: loss keeps its old value
            loss = w * w
    text = _warning_for(lambda: tape.gradient(loss, w))
    _says(text, "before", "if/else", "every path",
          never=("stop_recording", "after the tape", "outside the", "never used",
                 "tape.watch"))


def test_explain_constant_times_variable_names_c():
    c = tf.constant(3.0)
    b = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = c * b
    text = _warning_for(lambda: tape.gradient(y, [c, b]))
    assert text.startswith("c (")
    _says(text, "tape.watch(c)", "constant", never=(*_TIME_WORDS, "never used", "`x`"))
    assert "tape.watch(x)" not in text
    assert text == tape.explain(y, c)


def test_explain_uses_sources_index_when_the_tensor_has_no_name():
    b = tf.Variable(2.0)
    constants = [tf.constant(3.0)]
    with tf.GradientTape() as tape:
        y = constants[0] * b
    text = _warning_for(lambda: tape.gradient(y, [constants[0], b]))
    _says(text, "sources[0]", never=("tape.watch(x)", "`x`"))
    with tf.GradientTape() as tape:
        y = constants[0] * b
    one = _warning_for(lambda: tape.gradient(y, constants[0]))
    _says(one, "`sources`", never=("tape.watch(x)",))


def test_explain_custom_gradient_that_returns_none_for_a_captured_variable():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def scale(a):
        def grad(dy, variables=None):
            return dy * v, [None]  # forgets the variable's gradient

        return a * v, grad

    a = tf.constant(1.5)
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = scale(a)
    text = _warning_for(lambda: tape.gradient(y, [a, v]))
    _says(text, "back to v ", "custom_gradient", "returned none",
          never=("never used", "does not depend", "tape.watch", "outside the"))


def test_explain_does_not_blame_an_op_that_dropped_a_gradient_elsewhere():
    # where's condition gets no gradient, but x still has one through the selected branch
    x = tf.Variable([1.0, -2.0])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(tf.where(x > 0, x, 0.0))
    assert tape.gradient(y, x).numpy().tolist() == [1.0, 0.0]
    _says(tape.explain(y, x), "not none", never=("returned none", "every path"))


def test_explain_trainable_false():
    frozen = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = frozen * frozen
    text = _warning_for(lambda: tape.gradient(y, frozen))
    _says(text, "frozen (", "trainable=false", "tape.watch(frozen)",
          never=("watch_accessed_variables", "never used", *_TIME_WORDS))


def test_explain_watch_accessed_variables_false():
    v = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = v * v
    text = _warning_for(lambda: tape.gradient(y, v))
    _says(text, "watch_accessed_variables=false", "tape.watch(v)",
          never=("trainable=false", "never used", *_TIME_WORDS))


def test_explain_integer_variable_uses_the_learners_name():
    count = tf.Variable(3)
    with tf.GradientTape() as tape:
        y = count * count
    text = _warning_for(lambda: tape.gradient(y, count))
    _says(text, "count (", "int32", "float", "tf.cast(count, tf.float32)",
          never=("tf.cast(x", "tape.watch", "never used"))


def test_explain_target_computed_before_the_tape():
    v = tf.Variable(2.0)
    y = v * v
    with tf.GradientTape() as tape:
        z = y * 2.0
    text = _warning_for(lambda: tape.gradient(z, v))
    _says(text, "before the block", never=("after the tape", "stop_recording() so",
                                           "never used"))
    with tf.GradientTape() as tape:
        v * 1.0
    text = _warning_for(lambda: tape.gradient(y, v))
    _says(text, "before the tape", never=("after the tape", "outside the"))


def test_explain_target_computed_after_the_tape():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
    z = y * 3.0
    text = _warning_for(lambda: tape.gradient(z, v))
    _says(text, "after the tape", "outside the `with` block",
          never=("before the tape", "stop_recording", "never used"))


def test_explain_says_not_none_when_the_gradient_exists():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
    assert float(tape.gradient(y, x)) == 4.0
    _says(tape.explain(y, x), "not none")


# =========================================================================================
# D. custom_gradient and the variables its forward pass reads
# =========================================================================================


def test_custom_gradient_reading_a_variable_needs_a_variables_argument():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def times_w(x):
        return x * w, lambda dy: dy * w

    x = tf.constant(2.0)
    with pytest.raises(TypeError, match="variables") as info:
        times_w(x)
    assert "Variable:0" in str(info.value)  # names the variable it found
    with tf.GradientTape() as tape:  # also while a tape records
        tape.watch(x)
        with pytest.raises(TypeError, match="variables"):
            times_w(x)


def test_custom_gradient_variables_receive_their_gradients():
    # f(x) = a * x**2 + b with weights = [a, b] read from a variable in the forward pass
    weights = tf.Variable([1.5, -0.5], dtype=tf.float64)
    seen = {}

    @tf.custom_gradient
    def quad(x):
        y = weights[0] * x * x + weights[1]

        def grad(dy, variables=None):
            seen["variables"] = variables
            dx = dy * 2.0 * weights[0] * x
            dw = tf.stack([tf.reduce_sum(dy * x * x), tf.reduce_sum(dy)])
            return dx, [dw]

        return y, grad

    xv = np.array([1.0, -2.0, 0.5])
    x = tf.constant(xv)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(quad(x))
    dx, dw = tape.gradient(y, [x, weights])
    assert len(seen["variables"]) == 1 and seen["variables"][0] is weights

    def f_w(wv):
        return wv[0] * xv * xv + wv[1]

    def f_x(xx):
        return 1.5 * xx * xx - 0.5

    _close(dx.numpy(), _central_difference(f_x, xv), rtol=1e-6)
    _close(dw.numpy(), _central_difference(f_w, [1.5, -0.5]), rtol=1e-6)
    _close(dw.numpy(), [np.sum(xv * xv), 3.0])


def test_custom_gradient_variable_passed_as_input_is_not_a_captured_variable():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def times(x, v):
        return x * v, lambda dy: (dy * v, dy * x)

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = times(x, w)
    assert [float(g) for g in tape.gradient(y, [x, w])] == [3.0, 2.0]


def test_custom_gradient_wrong_number_of_variable_gradients_raises():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def times_w(x):
        return x * w, lambda dy, variables=None: (dy * w, [])

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = times_w(x)
    with pytest.raises(ValueError, match="variable"):
        tape.gradient(y, [x, w])


def test_custom_gradient_with_variables_argument_but_no_variable_read():
    @tf.custom_gradient
    def double(x):
        def grad(dy, variables=None):
            assert variables is None  # TensorFlow calls grad_fn(dy) alone here
            return dy * 2.0

        return x * 2.0, grad

    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = double(x)
    assert float(tape.gradient(y, x)) == 2.0


def test_custom_gradient_ignores_non_trainable_variables():
    frozen = tf.Variable(4.0, trainable=False)

    @tf.custom_gradient
    def times_frozen(x):
        return x * frozen, lambda dy: dy * frozen

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = times_frozen(x)
    assert float(tape.gradient(y, x)) == 4.0


# =========================================================================================
# E. tf.gather
# =========================================================================================


def _gather_reference(params, indices, axis, batch_dims):
    """TensorFlow's gather, written as loops over the batch axes."""
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    return np.stack([_gather_reference(p, i, axis - 1, batch_dims - 1)
                     for p, i in zip(params, indices, strict=True)])


GATHER_CASES = [
    # params shape, indices, axis, batch_dims
    ((2, 5), [[0, 4, 4], [3, 1, 0]], 1, 1),
    ((2, 4, 3), [[1, 3], [2, 2]], 1, 1),
    ((2, 3, 4), [[0, 3, 1], [2, 2, 0]], 2, 1),
    ((2, 3, 4), [[[1], [0], [3]], [[2], [3], [3]]], 2, 2),
    ((2, 3, 4, 2), [[[1, 0], [3, 3], [2, 1]], [[0, 0], [1, 2], [3, 0]]], 2, 2),
    ((2, 5), [[0, 4, 4], [3, 1, 0]], -1, -1),
    ((3, 4), [2, 0, -0], -1, 0),
    ((4, 3, 2), [[3, 0], [1, 1]], -3, 0),
]


@pytest.mark.parametrize(("shape", "indices", "axis", "batch_dims"), GATHER_CASES)
def test_gather_matches_a_numpy_reference_and_central_differences(shape, indices, axis,
                                                                 batch_dims):
    rng = np.random.default_rng(3)
    pv = rng.uniform(-1, 1, shape)
    idx = np.array(indices)
    ax = axis % len(shape)
    bd = batch_dims % idx.ndim if batch_dims < 0 else batch_dims
    expected = _gather_reference(pv, idx, ax, bd)
    p = tf.Variable(pv)
    weights = rng.uniform(0.5, 1.5, expected.shape)
    with tf.GradientTape() as tape:
        out = tf.gather(p, idx, axis=axis, batch_dims=batch_dims)
        y = tf.reduce_sum(out * weights)
    np.testing.assert_array_equal(out.numpy(), expected)
    g = tape.gradient(y, p)
    _close(g.numpy(), _central_difference(
        lambda q: _gather_reference(q, idx, ax, bd) * weights, pv), rtol=1e-6, atol=1e-8)


def test_gather_batch_dims_defaults_axis_to_batch_dims():
    pv = np.arange(10.0).reshape(2, 5)
    out = tf.gather(tf.constant(pv), [[1, 2], [4, 0]], batch_dims=1)
    np.testing.assert_array_equal(out.numpy(), [[1.0, 2.0], [9.0, 5.0]])


def test_gather_indices_tensor_and_repeats_add_up():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(v, tf.constant([0, 2, 0])))
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [[2, 2], [0, 0], [1, 1]])


@pytest.mark.parametrize("indices", [[0, -1], [3], [[0], [-2]]])
def test_gather_index_out_of_range_raises(indices):
    p = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not in \\[0, 3\\)"):
        tf.gather(p, indices)


def test_gather_negative_index_in_a_batch_raises():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(tf.constant([[1.0, 2.0], [3.0, 4.0]]), [[0], [-1]], batch_dims=1)


def test_gather_batch_dims_that_do_not_fit_raise():
    p = tf.constant(np.zeros((2, 3)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="batch_dims"):
        tf.gather(p, [[0], [1]], axis=0, batch_dims=1)  # axis < batch_dims
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(p, [[0], [1], [2]], batch_dims=1)  # batch sizes 2 and 3


def test_gather_float_indices_raise():
    # TensorFlow 2.21: InvalidArgumentError (GatherV2 takes int16/32/64 indices only)
    with pytest.raises(tf.errors.InvalidArgumentError, match="integer"):
        tf.gather(tf.constant([1.0, 2.0]), [0.0])
    # an empty list converts to float32, as in TensorFlow, and is refused the same way
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32"):
        tf.gather(tf.constant([[1.0, 2.0]]), [], axis=1)
    assert tf.gather(tf.constant([[1.0, 2.0]]), tf.constant([], tf.int32), axis=1).shape == (1, 0)


def test_embedding_lookup_refuses_max_norm():
    table = tf.Variable([[3.0, 4.0], [0.3, 0.4]])
    with pytest.raises(NotImplementedError, match="max_norm"):
        tf.nn.embedding_lookup(table, [0, 1], max_norm=1.0)
    np.testing.assert_array_equal(tf.nn.embedding_lookup(table, [1, 0]).numpy(),
                                  np.float32([[0.3, 0.4], [3.0, 4.0]]))


def test_embedding_lookup_list_of_shards():
    table = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(tf.nn.embedding_lookup([table], [1]).numpy(), [[3.0, 4.0]])
    # several shards: TensorFlow's 'div' layout (ids 0-1 in the first, 2-3 in the second)
    np.testing.assert_array_equal(tf.nn.embedding_lookup([table, table * 10.0], [1, 2]).numpy(),
                                  [[3.0, 4.0], [10.0, 20.0]])
