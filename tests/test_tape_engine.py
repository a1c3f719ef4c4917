"""The tape engine: memory, variables under tapes, threads, higher order, diagnostics, dtypes."""

from __future__ import annotations

import gc
import threading
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest

import adkernel
from adkernel import tf

# ----- memory ----------------------------------------------------------------------------


def test_non_persistent_tape_frees_saved_intermediates_after_gradient():
    x = tf.Variable(np.linspace(-1.0, 1.0, 10**6))
    with tf.GradientTape() as tape:
        y = tf.exp(x)  # 8 MB intermediate, saved by the tape (exp's VJP uses it)
        loss = tf.reduce_sum(y * y)
    # The tape keeps the arrays its backward pass needs (not the tensor objects: it
    # knows tensors by serial number).
    ref_array = weakref.ref(y._value)
    del y
    gc.collect()
    assert ref_array() is not None, "the tape must keep what its backward pass needs"
    (g,) = tape.gradient(loss, [x])
    gc.collect()
    assert ref_array() is None, "a used non-persistent tape still holds an intermediate"
    np.testing.assert_allclose(g.numpy()[:3], 2 * np.exp(2 * x.numpy()[:3]))
    # the tape can still explain, from what it kept
    assert "used" in repr(tape)


def test_persistent_tape_keeps_intermediates_until_it_is_dropped():
    x = tf.Variable(np.ones(1000))
    with tf.GradientTape(persistent=True) as tape:
        y = tf.exp(x)
        loss = tf.reduce_sum(y)
    ref = weakref.ref(y._value)  # exp's VJP needs its output array
    del y
    tape.gradient(loss, x)
    gc.collect()
    assert ref() is not None
    tape.gradient(loss, x)  # still usable
    del tape
    gc.collect()
    assert ref() is None


def _regression_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((100, 1))
    y = 3 * X + rng.standard_normal((100, 1)) * 0.5
    W = tf.Variable(rng.standard_normal(1), dtype=tf.float32)
    b = tf.Variable(rng.standard_normal(1), dtype=tf.float32)

    def step(lr=0.1):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(W * X + b - y))
        dW, db = tape.gradient(loss, [W, b])
        W.assign_sub(lr * dW)
        b.assign_sub(lr * db)
        return loss

    return W, b, step


def _memory_growth(warmup: int, total: int):
    W, b, step = _regression_problem()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(warmup):
            step()
        gc.collect()
        after_warmup = tracemalloc.get_traced_memory()[0]
        for _ in range(total - warmup):
            loss = step()
        gc.collect()
        after_total = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after_total - after_warmup, W, b, loss


def test_training_loop_memory_does_not_grow_quick():
    growth = _memory_growth(200, 1200)[0]
    assert growth < 200_000, f"memory grew by {growth} bytes between step 200 and 1,200"


def test_nested_tape_loop_memory_does_not_grow():
    x = tf.Variable(np.linspace(-1.0, 1.0, 50))

    def hessian_vector_step():
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                y = tf.reduce_sum(tf.sin(x) * x)
            g = inner.gradient(y, x)
            s = tf.reduce_sum(g * g)
        return outer.gradient(s, x)

    for _ in range(50):
        hessian_vector_step()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(100):
            hessian_vector_step()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(500):
            hessian_vector_step()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < 200_000


def test_training_loop_memory_does_not_grow():
    growth, W, b, loss = _memory_growth(1000, 10_000)
    assert growth < 200_000, f"memory grew by {growth} bytes between step 1,000 and 10,000"
    # and it actually trained, in float32 all the way
    assert W.dtype == tf.float32 and b.dtype == tf.float32 and loss.dtype == tf.float32
    assert abs(float(W.numpy()[0]) - 3.0) < 0.5
    assert float(loss) < 0.5


# ----- variables under tapes ---------------------------------------------------------------


def test_assign_sub_does_not_corrupt_value_saved_by_live_persistent_tape():
    v = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        y = v * v
    v.assign_sub(1.0)
    assert float(v) == 2.0
    assert float(y) == 9.0
    assert float(t.gradient(y, v)) == 6.0  # 2 * old value, not 2 * 2.0
    v.assign_sub(1.0)
    assert float(t.gradient(y, v)) == 6.0


def test_assign_sub_on_array_variable_keeps_saved_values_and_read_tensors():
    v = tf.Variable([1.0, 2.0, 3.0])
    r = v.read_value()
    a = np.asarray(v)
    with tf.GradientTape(persistent=True) as t:
        y = tf.reduce_sum(v * v * v)
    v.assign_sub([1.0, 1.0, 1.0])
    v.assign_add([0.5, 0.5, 0.5])
    v.assign([9.0, 9.0, 9.0])
    np.testing.assert_array_equal(r.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(a, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(t.gradient(y, v).numpy(), [3.0, 12.0, 27.0])
    np.testing.assert_array_equal(v.numpy(), [9.0, 9.0, 9.0])


def test_assign_sub_updates_in_place_when_nothing_else_holds_the_array():
    v = tf.Variable(np.arange(4.0))
    ref = weakref.ref(v._value)
    v.assign_sub(np.ones(4))
    assert v._value is ref(), "assign_sub copied the array though nothing else held it"
    v.assign_add(np.ones(4))
    v.assign(np.zeros(4))
    assert v._value is ref()
    np.testing.assert_array_equal(v.numpy(), np.zeros(4))


def test_training_step_updates_in_place_after_non_persistent_gradient():
    W, b, step = _regression_problem()
    step()
    ref_w, ref_b = weakref.ref(W._value), weakref.ref(b._value)
    for _ in range(3):
        step()
    assert W._value is ref_w() and b._value is ref_b()


def test_live_persistent_tape_forces_copy_then_in_place_again_once_dropped():
    v = tf.Variable(np.arange(4.0))
    with tf.GradientTape(persistent=True) as t:
        y = tf.reduce_sum(v * v)
    ref = weakref.ref(v._value)
    v.assign_sub(np.ones(4))
    assert v._value is not ref(), "an array a live tape saved was modified in place"
    np.testing.assert_array_equal(t.gradient(y, v).numpy(), 2 * np.arange(4.0))
    del t, y
    gc.collect()
    ref2 = weakref.ref(v._value)
    v.assign_sub(np.ones(4))
    assert v._value is ref2()


def test_constant_does_not_alias_the_callers_numpy_array():
    a = np.array([1.0, 2.0])
    t = tf.constant(a)
    c = tf.convert_to_tensor(a)
    a[0] = 99.0
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(c.numpy(), [1.0, 2.0])


def test_tape_saves_ndarray_operands_by_reference_documented():
    # Deliberate (docs/tf-compat.md): a numpy array used as an operand is not copied, so
    # that training on big data costs no copy per step. Mutating it in place between the
    # forward pass and `gradient` therefore changes the gradient; TensorFlow would copy.
    X = np.array([1.0, 2.0])
    W = tf.Variable([1.0, 1.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(X * W)
    X[:] = 100.0
    np.testing.assert_array_equal(tape.gradient(y, W).numpy(), [100.0, 100.0])


# ----- threads -----------------------------------------------------------------------------


def _run_threads(*targets, timeout=30):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # reported in the main thread
                errors.append(e)

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout)
        assert not th.is_alive(), "thread did not finish"
    if errors:
        raise errors[0]


def test_tape_does_not_record_ops_from_another_thread():
    v = tf.Variable(2.0)
    c = tf.constant(3.0)
    entered = threading.Event()
    other_done = threading.Event()
    result = {}

    def with_tape():
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(c)
            entered.set()
            assert other_done.wait(10)
        result["tape"] = tape

    def other():
        assert entered.wait(10)
        result["y_v"] = v * v
        result["y_c"] = c * c
        other_done.set()

    _run_threads(with_tape, other)
    tape = result["tape"]
    assert len(tape) == 0
    assert tape.watched_variables() == ()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", adkernel.NoneGradientWarning)
        assert tape.gradient(result["y_v"], v) is None
        assert tape.gradient(result["y_c"], c) is None


def test_threads_with_their_own_tapes_get_their_own_gradients():
    n_iter = 200
    barrier = threading.Barrier(2)
    shared = tf.Variable(1.5)
    out = {}

    def worker(power):
        def run():
            x = tf.Variable(float(power))
            grads = []
            for _ in range(n_iter):
                with tf.GradientTape() as tape:
                    y = x**power * shared
                    barrier.wait(10)  # both tapes are recording right now
                    y = y + x
                grads.append(tape.gradient(y, [x, shared]))
            out[power] = grads

        return run

    _run_threads(worker(2), worker(3))
    for p, grads in out.items():
        want_x = p * float(p) ** (p - 1) * 1.5 + 1.0
        want_s = float(p) ** p
        for gx, gs in grads:
            assert float(gx) == pytest.approx(want_x)
            assert float(gs) == pytest.approx(want_s)


# ----- higher order ------------------------------------------------------------------------


def test_nested_tapes_second_derivative():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x**3
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert float(dy) == 12.0
    assert float(d2y) == 12.0


def test_persistent_tape_inside_its_own_block_third_derivative():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x**4
        g1 = t.gradient(y, x)
        g2 = t.gradient(g1, x)
        g3 = t.gradient(g2, x)
    assert (float(g1), float(g2), float(g3)) == (32.0, 48.0, 48.0)
    assert g3.dtype == tf.float32


def test_three_nested_tapes_third_derivative():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = tf.sin(x) * x
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    xv = 2.0
    assert float(d1) == pytest.approx(np.sin(xv) + xv * np.cos(xv), rel=1e-6)
    assert float(d2) == pytest.approx(2 * np.cos(xv) - xv * np.sin(xv), rel=1e-6)
    assert float(d3) == pytest.approx(-3 * np.sin(xv) - xv * np.cos(xv), rel=1e-6)


# ----- text form and explanations ------------------------------------------------------


def test_tape_text_lists_one_line_per_recorded_op():
    x = tf.Variable(2.0, name="x")
    with tf.GradientTape() as tape:
        a = x * x
        b = tf.exp(a)
        c = tf.reduce_sum(b + 1.0)
    del c
    text = str(tape)
    lines = text.splitlines()
    assert len(tape) == 4
    assert len(lines) == 1 + len(tape)
    assert lines[0] == repr(tape)
    for line, op in zip(lines[1:], ["mul", "exp", "add", "reduce_sum"], strict=True):
        assert f"= {op}(" in line
    assert "x:0" in lines[1]
    assert "float32" in lines[2]


@pytest.fixture
def no_none_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", adkernel.NoneGradientWarning)
        yield


def _none_with_explanation(tape, target, source):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = tape.gradient(target, source)
    assert g is None
    msgs = [str(w.message) for w in caught if issubclass(w.category, adkernel.NoneGradientWarning)]
    assert len(msgs) == 1
    return msgs[0], tape.explain(target, source)


def test_explain_constant_never_watched():
    c = tf.constant(2.0)
    with tf.GradientTape() as tape:
        y = c * c
    warned, explained = _none_with_explanation(tape, y, c)
    for msg in (warned, explained):
        assert "never watched" in msg and "tape.watch" in msg


def test_explain_trainable_false():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v
    warned, explained = _none_with_explanation(tape, y, v)
    assert "trainable=False" in warned and "trainable=False" in explained
    assert "tape.watch" in explained


def test_explain_target_created_before_tape():
    x = tf.Variable(2.0)
    y = x * x
    with tf.GradientTape() as tape:
        x * 1.0
    warned, explained = _none_with_explanation(tape, y, x)
    assert "before the tape started recording" in explained
    assert "before" in warned


def test_explain_a_source_used_only_as_an_assigned_value():
    # the autodiff guide's stateful example: x0 reaches y only through assign_add
    x0, x1 = tf.Variable(3.0), tf.Variable(0.0)
    with tf.GradientTape() as tape:
        x1.assign_add(x0)
        y = x1**2
    warned, explained = _none_with_explanation(tape, y, x0)
    for msg in (warned, explained):
        assert "only as the value of an assignment" in msg and "never used" not in msg


def test_explain_a_target_computed_before_reset():
    x = tf.Variable(1.0)
    with tf.GradientTape(persistent=True) as tape:
        a = x * 2.0
        tape.reset()
        b = x * 5.0
    warned, explained = _none_with_explanation(tape, a, x)
    for msg in (warned, explained):
        assert "tape.reset()" in msg
    assert tape.gradient(b, x).numpy() == 5.0  # what came after the reset is recorded


def test_explain_target_created_after_tape():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        x * 1.0
    y = x * x
    warned, explained = _none_with_explanation(tape, y, x)
    assert "after the tape stopped recording" in explained
    assert "after" in warned


def test_explain_integer_cast():
    x = tf.Variable(2.5)
    with tf.GradientTape() as tape:
        y = tf.cast(tf.cast(x, tf.int32), tf.float32) * 2.0
    warned, explained = _none_with_explanation(tape, y, x)
    assert "integer" in explained and "tf.cast" in explained
    assert "integer" in warned


def test_explain_stop_gradient():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = tf.stop_gradient(x * x) * 3.0
    warned, explained = _none_with_explanation(tape, y, x)
    assert "stop_gradient" in explained and "stop_gradient" in warned


def test_explain_assign_cuts_path():
    v = tf.Variable(1.0)
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        v.assign(w * 2.0)
        y = v * 3.0
    assert float(y) == 12.0
    warned, explained = _none_with_explanation(tape, y, w)
    assert "assign" in explained and "not differentiable" in explained
    assert "assign" in warned


def test_explain_independent_source():
    x = tf.Variable(2.0)
    z = tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y = x * 2.0
        z * 3.0
    warned, explained = _none_with_explanation(tape, y, z)
    assert "does not depend on" in explained and "does not depend on" in warned


def test_explain_source_computed_from_unwatched_values():
    c = tf.constant(2.0)
    with tf.GradientTape() as tape:
        z = c * 2.0
        y = z * 3.0
    _, explained = _none_with_explanation(tape, y, z)
    assert "computed while recording" in explained and "tape.watch" in explained


def test_explain_integer_source():
    v = tf.Variable(3)
    with tf.GradientTape() as tape:
        y = tf.cast(v, tf.float32) * 2.0
    _, explained = _none_with_explanation(tape, y, v)
    assert "integer dtype int32" in explained and "tf.Variable(3.0)" in explained


def test_none_gradient_warning_points_at_the_callers_line():
    c = tf.constant(1.0)
    with tf.GradientTape() as tape:
        y = c * 2.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tape.gradient(y, c)
    (w,) = [w for w in caught if issubclass(w.category, adkernel.NoneGradientWarning)]
    assert w.filename == __file__


def test_explain_on_connected_source_says_not_none():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
    assert "not None" in tape.explain(y, x)


def test_none_gradient_warning_can_be_silenced():
    c = tf.constant(1.0)
    with tf.GradientTape() as tape:
        y = c + 1.0
    with pytest.warns(adkernel.NoneGradientWarning, match="never watched"):
        assert tape.gradient(y, c) is None
    adkernel.explain_none(False)
    try:
        with tf.GradientTape() as tape:
            y = c + 1.0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert tape.gradient(y, c) is None
        assert not [w for w in caught if issubclass(w.category, adkernel.NoneGradientWarning)]
    finally:
        adkernel.explain_none(True)
    with tf.GradientTape() as tape:
        y = c + 1.0
    with pytest.warns(adkernel.NoneGradientWarning):
        tape.gradient(y, c)


# ----- argument errors ---------------------------------------------------------------------


def _persistent_square():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
    return tape, x, y


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda t, x, y: t.gradient(None, x), TypeError, ["`target`", "None"]),
        (lambda t, x, y: t.gradient(5.0, x), TypeError, ["`target`", "5.0", "float"]),
        (lambda t, x, y: t.gradient([y, np.ones(2)], x), TypeError,
         ["`target`", "item 1", "numpy array", "(2,)"]),
        (lambda t, x, y: t.gradient(y, None), TypeError, ["`sources`", "None"]),
        (lambda t, x, y: t.gradient(y, [x, 3.0]), TypeError, ["`sources[1]`", "3.0", "float"]),
        (lambda t, x, y: t.gradient(y, np.ones(2)), TypeError,
         ["`sources`", "numpy array", "(2,)"]),
        (lambda t, x, y: t.gradient(y, x, output_gradients=[np.ones(2), np.ones(2)]),
         ValueError, ["`output_gradients`", "2 entries", "`target` has 1"]),
        (lambda t, x, y: t.gradient(y, x, output_gradients=np.ones(3)), ValueError,
         ["`output_gradients`", "[3]", "[2]"]),
        (lambda t, x, y: t.gradient(y, x, output_gradients=tf.constant(np.ones(2))), ValueError,
         ["`output_gradients`", "float64", "float32"]),
    ],
    ids=["target-None", "target-float", "target-ndarray", "sources-None", "sources-float",
         "sources-ndarray", "og-count", "og-shape", "og-dtype"],
)
def test_argument_errors_name_the_argument_and_value(call, exc, words):
    tape, x, y = _persistent_square()
    with pytest.raises(exc) as info:
        call(tape, x, y)
    msg = str(info.value)
    for w in words:
        assert w in msg, f"{w!r} missing from: {msg}"


# ----- dtypes -------------------------------------------------------------------------------


def test_python_float_is_float32_numpy_keeps_float64():
    assert tf.constant(1.5).dtype == tf.float32
    assert tf.Variable(1.5).dtype == tf.float32
    assert tf.constant([1.0, 2.0]).dtype == tf.float32
    assert tf.Variable(np.float64(0.5)).dtype == tf.float64
    assert tf.constant(np.array([0.5])).dtype == tf.float64


@pytest.mark.parametrize("tdtype", [np.float32, np.float64])
@pytest.mark.parametrize("adtype", [np.float32, np.float64])
def test_numpy_operands_adopt_the_tensor_dtype(tdtype, adtype):
    t = tf.constant(np.array([1.0, 2.0], dtype=tdtype))
    a = np.array([3.0, 4.0], dtype=adtype)
    for r in (t * a, a * t, t - a, a - t, t + np.float64(1.0), np.float64(1.0) + t, t * 2.0):
        assert r.dtype == tf.as_dtype(tdtype)
        assert isinstance(r, tf.Tensor)


def test_float32_model_stays_float32_end_to_end():
    rng = np.random.default_rng(0)
    X = rng.random((100, 1))  # float64 data
    y = 3 * X + 1
    W = tf.Variable(rng.standard_normal(1), dtype=tf.float32)
    b = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        pred = W * X + b
        loss = tf.reduce_mean(tf.square(pred - y))
    dW, db = tape.gradient(loss, [W, b])
    assert pred.dtype == loss.dtype == dW.dtype == db.dtype == tf.float32
    assert dW.numpy().dtype == np.float32
    W.assign_sub(0.1 * dW)
    b.assign_sub(0.1 * db)
    assert W.dtype == b.dtype == tf.float32


def test_mixing_float32_and_float64_tensors_raises():
    a = tf.constant(1.0)
    b = tf.constant(np.float64(2.0))
    for fn in (lambda: a + b, lambda: b * a, lambda: tf.matmul(tf.reshape(a, (1, 1)),
                                                               tf.reshape(b, (1, 1)))):
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            fn()
        msg = str(info.value)
        assert "float32" in msg and "float64" in msg and "tf.cast" in msg


# ----- custom_gradient ------------------------------------------------------------------


def test_custom_gradient_value_and_gradient():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))

        return tf.math.log(1 + e), grad

    x = tf.constant(0.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(y) == pytest.approx(np.log(2.0))
    assert float(tape.gradient(y, x)) == pytest.approx(0.5)

    x = tf.constant(100.0)  # the naive gradient is inf / inf = NaN here
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0


def test_custom_gradient_second_derivative():
    @tf.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3.0 * x * x

        return x * x * x, grad

    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = cube(x)
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert float(y) == 8.0
    assert float(dy) == 12.0
    assert float(d2y) == 12.0
    adkernel.check_gradients(cube, [0.5, -1.5], order=2)


def test_custom_gradient_rule_is_used_not_the_forward_ops():
    @tf.custom_gradient
    def clip_grad(x):
        return tf.identity(x), lambda dy: tf.clip_by_value(dy, -0.5, 0.5)

    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = clip_grad(x) * tf.constant([3.0, 0.25])
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0.5, 0.25])


# ----- in-place accumulation never writes into an array someone else holds ---------------------


def test_accumulation_never_writes_into_an_array_a_custom_gradient_kept():
    kept = []

    @tf.custom_gradient
    def passthrough(u):
        def grad(upstream):
            g = np.asarray(upstream) * 1.0  # a fresh array: the backward pass could add into it
            kept.append(g)
            return g
        return u * 1.0, grad

    x = tf.Variable(np.ones(4))
    with tf.GradientTape() as t:
        a = x * 3.0  # recorded first, so its share reaches x last and is added to the kept array
        y = tf.reduce_sum(passthrough(x) + a)
    g = t.gradient(y, x)
    np.testing.assert_array_equal(g.numpy(), np.full(4, 4.0))
    np.testing.assert_array_equal(kept[0], np.full(4, 1.0))  # still what grad returned


def test_accumulation_never_writes_into_a_gradient_returned_to_the_caller():
    x = tf.Variable(np.arange(3.0))
    with tf.GradientTape() as t:
        a = x * 3.0      # recorded before u: its share reaches x after u's
        u = x + 0.0      # add's VJP hands u's total on to x as it is
        y = tf.reduce_sum(u * u + a)
    du, dx = t.gradient(y, [u, x])
    np.testing.assert_array_equal(du.numpy(), 2 * np.arange(3.0))
    np.testing.assert_array_equal(dx.numpy(), 2 * np.arange(3.0) + 3.0)


def test_accumulation_never_writes_into_an_upstream_seed():
    x = tf.Variable(np.ones(3))
    seed = np.array([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        y = x * 2.0 + x * 5.0
    g = t.gradient(y, x, output_gradients=seed)
    np.testing.assert_array_equal(g.numpy(), seed * 7.0)
    np.testing.assert_array_equal(seed, [1.0, 2.0, 3.0])


# ----- signed zeros of broadcast gradients (TensorFlow 2.21, measured) ---------------------


def test_a_broadcast_gradient_over_axes_of_length_1_keeps_minus_zero():
    """TensorFlow sums a broadcast gradient with reduce_sum, which is a reshape when every
    summed axis has length 1: the upstream -0.0 stays -0.0 (a sum starting from +0.0 would
    make it +0.0); over an axis of length 2 the -0.0s sum to +0.0."""
    x, y = tf.constant([1.0, 2.0]), tf.constant([[1.0, 2.0]])
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        z = x + y
        w = tf.constant([[1.0], [2.0]]) * x
    gx = t.gradient(z, x, output_gradients=tf.constant([[-0.0, -0.0]]))
    assert np.signbit(gx.numpy()).tolist() == [True, True]
    gx2 = t.gradient(w, x, output_gradients=tf.constant([[-0.0, -0.0], [-0.0, -0.0]]))
    assert np.signbit(gx2.numpy()).tolist() == [False, False]


# ----- what integers compute carries no gradient (TensorFlow 2.21, measured) ---------------


def test_nothing_computed_from_integers_alone_is_differentiated():
    """TensorFlow records no op without a watched float input, nor anything computed from
    one: det of a watched int32 [[0]] cast to float32 gives None, not det's error for a
    singular matrix. adkernel keeps the records (explain follows them) but runs no gradient
    rule for them, and a float path beside them still gets its gradient."""
    i = tf.constant([[0]], tf.int32)
    with tf.GradientTape() as t:
        t.watch(i)
        y = tf.linalg.det(tf.cast(i, tf.float32))
    assert [r.op.name for r in t.view().records] == ["cast", "det"]  # kept for explain
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert t.gradient(y, i) is None
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as t:
        singular = tf.cast(tf.constant([[1, 2], [2, 4]]) + tf.constant(0), tf.float32)
        scale = tf.cast(tf.math.floordiv(tf.constant(7), 2), tf.float32)
        y = tf.linalg.det(singular) + tf.reduce_sum(x * scale)
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), np.full((2, 2), 3.0))


def test_a_float_computed_from_integers_can_be_watched_itself():
    """Watching the float result of a cast (TensorFlow: a watched float tensor) makes the ops
    on it recorded for gradients again: d(z*z)/dz = 2z."""
    i = tf.constant([2], tf.int32)
    with tf.GradientTape() as t:
        t.watch(i)
        z = tf.cast(i, tf.float32)
        t.watch(z)
        y = z * z
    np.testing.assert_array_equal(t.gradient(y, z).numpy(), [4.0])
