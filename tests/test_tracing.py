"""The tracing ``tf.function`` (adkernel/engine/trace.py, adkernel/tf_function.py): what runs
once and what runs every call, that a replay computes what the eager function computes
(forward, gradients inside and through, variable updates, random numbers), that it never
takes a branch the values would not take, and that nothing it reuses leaks out."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

from adkernel import tf
from adkernel.engine.trace import GuardFailed


def _regression():
    rng = np.random.default_rng(7)
    X = rng.random((50, 1))
    y = 3 * X + 0.2 * rng.standard_normal((50, 1))
    return X, y


def _epoch(W, b, X, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(W * X + b - y))
    dW, db = tape.gradient(loss, [W, b])
    W.assign_sub(0.1 * dW)
    b.assign_sub(0.1 * db)
    return loss


def test_a_traced_training_step_updates_the_variables_exactly_as_eagerly():
    X, y = _regression()
    runs = {}
    for traced in (False, True):
        W, b = tf.Variable(np.array([0.5])), tf.Variable(np.zeros(1))

        def epoch(W=W, b=b):
            return _epoch(W, b, X, y)

        step = tf.function(epoch) if traced else epoch
        losses = [float(step()) for _ in range(60)]
        runs[traced] = (W.numpy(), b.numpy(), losses)
    np.testing.assert_array_equal(runs[True][0], runs[False][0])
    np.testing.assert_array_equal(runs[True][1], runs[False][1])
    assert runs[True][2] == runs[False][2]
    assert 1.5 < runs[True][0][0] < 3.5  # and it learns


def test_the_variable_is_updated_in_place_but_never_under_someone_holding_it():
    X, y = _regression()
    W, b = tf.Variable(np.array([0.5])), tf.Variable(np.zeros(1))
    step = tf.function(lambda: _epoch(W, b, X, y))
    step()
    step()
    before = id(W._value)
    step()
    assert id(W._value) == before  # nobody held the old array: updated in place
    held = W.read_value()
    kept = held.numpy().copy()
    step()
    np.testing.assert_array_equal(held.numpy(), kept)  # a value handed out stays as it was


def test_results_of_successive_calls_do_not_share_memory():
    @tf.function
    def f(x):
        h = tf.sin(x) * 2.0 + 1.0
        return h, tf.reduce_sum(h * h)

    a, sa = f(tf.constant([1.0, 2.0, 3.0]))
    a_kept, sa_kept = a.numpy().copy(), sa.numpy()
    b, _sb = f(tf.constant([4.0, 5.0, 6.0]))
    np.testing.assert_array_equal(a.numpy(), a_kept)
    assert sa.numpy() == sa_kept
    assert not np.array_equal(a.numpy(), b.numpy())


def test_gradients_through_a_traced_call_match_eager_to_second_order():
    def f(x):
        return tf.sin(x) * x * x

    traced = tf.function(f)
    x = tf.constant([0.3, -1.2, 2.0])
    traced(x)  # traced now: the next calls replay
    results = {}
    for name, fn in (("eager", f), ("traced", traced)):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = fn(x)
            dy = inner.gradient(y, x)
        results[name] = (dy.numpy(), outer.gradient(dy, x).numpy())
    np.testing.assert_allclose(results["traced"][0], results["eager"][0], rtol=1e-6)
    np.testing.assert_allclose(results["traced"][1], results["eager"][1], rtol=1e-6)


def test_forward_mode_sees_through_a_traced_call():
    traced = tf.function(lambda x: tf.exp(x) * x)
    x = tf.constant(0.5)
    traced(x)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
        y = traced(x)
    assert acc.jvp(y).numpy() == pytest.approx(np.exp(0.5) * 1.5, rel=1e-6)


def test_python_branches_on_values_are_guarded_for_both_signs():
    body = []

    @tf.function
    def f(x):
        body.append(1)
        if x > 0:
            return x * 2.0
        return -x

    for v in (3.0, -4.0, 5.0, -1.0, 2.0, -2.0):
        expected = v * 2 if v > 0 else -v
        assert f(tf.constant(v)).numpy() == expected
    assert f.experimental_get_tracing_count() == 1  # as TensorFlow (AutoGraph) counts it
    assert len(body) == 2  # one program per branch, each traced once


def test_a_failed_guard_after_a_write_puts_the_variable_back():
    v = tf.Variable(0.0)

    @tf.function
    def f(x):
        v.assign_add(1.0)
        if x > 0:
            return v * 10.0
        return v * -1.0

    assert f(tf.constant(1.0)).numpy() == 10.0
    assert f(tf.constant(-1.0)).numpy() == -2.0  # the replay's guard failed: counted once
    assert f(tf.constant(1.0)).numpy() == 30.0
    assert v.numpy() == 3.0


def test_a_value_read_after_a_step_that_must_run_each_call_makes_it_run_eagerly():
    v = tf.Variable(0.0)
    printed = []

    @tf.function
    def f(x):
        tf.print("x", x, output_stream=printed.append)
        v.assign_add(1.0)
        return x * 2.0 if float(x) > 0 else x * 3.0

    assert f(tf.constant(1.0)).numpy() == 2.0
    with pytest.warns(UserWarning, match="eagerly"):
        assert f(tf.constant(-1.0)).numpy() == -3.0
    assert f(tf.constant(2.0)).numpy() == 4.0
    assert v.numpy() == 3.0 and len(printed) == 3  # every effect happened once per call


def test_too_many_guarded_variants_fall_back_to_eager_with_a_note():
    @tf.function
    def f(x):
        return x + float(x)  # a Python value read from the tensor: a guard

    with pytest.warns(UserWarning, match="eagerly"):
        for k in range(12):
            assert f(tf.constant(float(k))).numpy() == 2.0 * k
    assert f(tf.constant(100.0)).numpy() == 200.0


def test_random_numbers_are_drawn_at_every_call_in_eager_order():
    def draw():
        return tf.random.normal([3]) + tf.nn.dropout(tf.ones([4]), 0.5)[0]

    traced = tf.function(draw)
    tf.random.set_seed(11)
    eager = [draw().numpy() for _ in range(4)]
    tf.random.set_seed(11)
    replayed = [traced().numpy() for _ in range(4)]
    for a, b in zip(eager, replayed, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(replayed[0], replayed[1])


def test_tf_print_runs_every_call_python_print_once(capsys):
    @tf.function
    def f(x):
        print("tracing")
        tf.print("value", x)
        return x

    for v in (1, 2, 3):
        f(tf.constant(v))
    out = capsys.readouterr().out.splitlines()
    assert out == ["tracing", "value 1", "value 2", "value 3"]


def test_a_new_concrete_shape_under_a_general_signature_traces_quietly(capsys):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def total(x):
        print("tracing")
        return tf.reduce_mean(x)

    assert total(tf.constant([1.0, 3.0])).numpy() == 2.0
    assert total(tf.constant([1.0, 2.0, 6.0])).numpy() == 3.0  # its own program, behind
    assert total.experimental_get_tracing_count() == 1
    assert capsys.readouterr().out == "tracing\n"


def test_variables_only_on_the_first_trace():
    @tf.function
    def every_time(x):
        return tf.Variable(1.0) * x

    with pytest.raises(ValueError, match="first trace"):
        every_time(tf.constant(2.0))

    class Scale(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = None

        @tf.function
        def __call__(self, x):
            if self.w is None:
                self.w = tf.Variable(2.0)
            return self.w * x

    s = Scale()
    assert s(tf.constant(3.0)).numpy() == 6.0
    assert s(tf.constant(4.0)).numpy() == 8.0
    assert len(s.variables) == 1


def test_variables_as_arguments_share_one_trace_and_each_is_updated():
    @tf.function
    def bump(v, d):
        v.assign_add(d)
        return v * 1.0

    a, b = tf.Variable([1.0, 2.0]), tf.Variable([10.0, 20.0])
    d = tf.constant([1.0, 1.0])
    bump(a, d)
    bump(b, d)
    bump(a, d)
    np.testing.assert_array_equal(a.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(b.numpy(), [11.0, 21.0])
    assert bump.experimental_get_tracing_count() == 1


def test_one_function_from_several_threads():
    @tf.function
    def f(x):
        return tf.reduce_sum(tf.exp(x) * x)

    x0 = tf.constant(np.linspace(0, 1, 50))
    f(x0)
    want = float(np.sum(np.exp(np.linspace(0, 1, 50)) * np.linspace(0, 1, 50)))
    results, errors = [], []

    def worker(k):
        try:
            for _ in range(200):
                x = tf.constant(np.linspace(0, 1, 50) + k)
                got = float(f(x))
                xs = np.linspace(0, 1, 50) + k
                results.append(abs(got - float(np.sum(np.exp(xs) * xs))) < 1e-9 * abs(got))
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(results) and len(results) == 800
    assert float(f(x0)) == pytest.approx(want)


def test_a_concrete_function_shows_its_program_and_refuses_other_signatures():
    W = tf.Variable([[1.0], [2.0]])

    @tf.function
    def predict(x):
        return tf.matmul(x, W)

    cf = predict.get_concrete_function(tf.TensorSpec([3, 2], tf.float32))
    text = cf.program.text()
    assert "read" in text and "matmul" in text
    np.testing.assert_array_equal(cf(tf.ones([3, 2])).numpy(), [[3.0]] * 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="traced for"):  # as TensorFlow
        cf(tf.ones([3, 2], tf.float64))
    with pytest.raises(TypeError, match="traced for"):
        cf(tf.ones([2, 2]))
    assert "ConcreteFunction predict" in repr(cf)


def test_functions_whose_source_is_not_available_are_traced_too():
    for fn in (tf.function(tf.sin), tf.function(lambda x: x * x),
               tf.function(eval("lambda x: tf.cos(x) + 1.0", {"tf": tf}))):
        x = tf.constant(0.25)
        first = fn(x).numpy()
        assert fn(x).numpy() == first
        assert fn(tf.constant(0.5)).numpy() != first


def test_run_functions_eagerly_runs_the_body_every_call():
    seen = []
    f = tf.function(lambda x: seen.append(1) or x)
    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(1.0))
        f(tf.constant(2.0))
    finally:
        tf.config.run_functions_eagerly(False)
    assert seen == [1, 1]


def test_the_replay_never_runs_python_between_ops():
    X, y = _regression()
    W, b = tf.Variable(np.array([0.5])), tf.Variable(np.zeros(1))
    step = tf.function(lambda: _epoch(W, b, X, y))
    step()
    step()
    program = step.get_concrete_function().program
    source = program._fast.source
    assert "GradientTape" not in source and "_emit" not in source
    assert source.count("\n") < 30  # forward, backward and two writes, straight-line
    with pytest.raises(GuardFailed):
        raise GuardFailed(0)


def test_keras_fit_through_tracing_matches_run_eagerly():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((20, 3)).astype(np.float32)
    Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)
    histories = []
    for eager in (False, True):
        tf.keras.utils.set_random_seed(5)
        model = tf.keras.Sequential([tf.keras.layers.Dense(4),
                                     tf.keras.layers.Dense(1)])
        model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="mse",
                      metrics=["mae"], run_eagerly=eager)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no eager fallback
            h = model.fit(X, Y, batch_size=6, epochs=5, shuffle=False, verbose=0)
        histories.append(h.history)
    assert histories[0] == histories[1]


def test_show_graph_draws_what_tracing_captured():
    from adkernel import show_graph
    from adkernel.engine.i18n import language

    W = tf.Variable(2.0, name="W")

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.square(W * x - 1.0)
        W.assign_sub(0.1 * tape.gradient(loss, W))
        return loss

    step(tf.constant(3.0))
    pic = show_graph(step.get_concrete_function(tf.constant(3.0)))
    labels = [n.label for n in pic.graph.nodes]
    assert "W" in labels and "square" in labels and "assign_sub W" in labels
    assert labels.count("mul") >= 3  # the forward product and the backward's products
    assert "<svg" in pic.svg and "assign_sub W" in pic.svg
    with language("zh"):
        assert "输入 0" in show_graph(step.get_concrete_function(tf.constant(3.0))).svg
    step(tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="2 traces"):
        show_graph(step)


def test_get_concrete_function_changes_nothing(capsys):
    W = tf.Variable(1.0)

    @tf.function
    def step(x):
        tf.print("printing", x)
        W.assign_sub(0.5 * x)
        return W * 1.0

    cf = step.get_concrete_function(tf.TensorSpec([], tf.float32))
    assert W.numpy() == 1.0 and capsys.readouterr().out == ""  # only a graph, in TensorFlow
    assert cf(tf.constant(1.0)).numpy() == 0.5
    assert step(tf.constant(1.0)).numpy() == 0.0
    assert capsys.readouterr().out == "printing 1\nprinting 1\n"
    assert step.experimental_get_tracing_count() == 1
