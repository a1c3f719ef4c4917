"""The outside set of ``tf.function`` behaviours: small programs run under TensorFlow 2.21 and
under adkernel, whose logs must agree.

Each program is a source string that uses only ``tf`` and ``np`` and a few helpers, and
records what it observes into ``log``. ``run(tf, name)`` executes one program and returns
``{"log": [...], "notes": [...]}``; tests/measure_tf_function.py freezes TensorFlow's logs
into tests/tf_function_values.py and tests/test_tf_function_outside.py compares adkernel's
logs with them. ``notes`` record TensorFlow details that adkernel need not share (the exact
exception class, say): they are frozen for the reader and never compared.

Helpers a program sees besides ``tf`` and ``np``:

- ``log``: the list compared with TensorFlow's; ``say(x)`` appends ``x`` to it (use it in a
  function body to see when the Python body runs).
- ``val(x)``: a tensor (or a dict/list/tuple of them) as plain Python values
  (``.numpy().tolist()``); numpy arrays likewise; other values unchanged.
- ``OUT``: a ``"file://..."`` address for ``tf.print(..., output_stream=OUT)``;
  ``printed()`` returns the lines printed there since the last ``printed()``.
- ``stdout()``: the lines the program wrote with Python ``print`` since the last ``stdout()``.
- ``error(fn, *args)``: calls ``fn(*args)``; returns ``"no error"`` or the name of the first
  built-in class of the exception raised (``OperatorNotAllowedInGraphError`` -> ``TypeError``),
  and notes the exact class name.
- ``note(x)``: appends to ``notes`` (not compared).

The program is written to a file before it runs, so ``inspect.getsource`` (which AutoGraph,
and an AST rewrite, need) finds the source of the functions it defines.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import tempfile
import textwrap
from pathlib import Path

import numpy as np

PROGRAMS: dict[str, str] = {}

# Programs where TensorFlow raises (or runs on) something adkernel may handle differently
# (a guard, an eager run, a shape check): the log records only the behaviour both must share,
# "a right answer or an error, never a silently wrong value"; the notes say what TensorFlow
# did.
SHARED_BEHAVIOUR_ONLY = ("numpy_method_inside", "bool_of_tensor_inside",
                         "if_on_tensor_source_unavailable",
                         "concrete_function_wrong_signature")


def program(name: str, source: str) -> None:
    assert name not in PROGRAMS, name
    PROGRAMS[name] = textwrap.dedent(source).strip() + "\n"


# ----- Python side effects run while tracing; tf.print runs at every call -----------------

program("side_effect_once", """
    @tf.function
    def f(x):
        say("body ran")
        return x * 2.0

    for v in (1.0, 2.0, 3.0):
        log.append(val(f(tf.constant(v))))
    log.append(f.experimental_get_tracing_count())
""")

program("python_print_once", """
    @tf.function
    def f(x):
        print("tracing f")
        return x + 1.0

    f(tf.constant(1.0))
    f(tf.constant(5.0))
    log.append(val(f(tf.constant(7.0))))
    log.append(stdout())
""")

program("tf_print_every_call", """
    @tf.function
    def f(x):
        tf.print("x =", x, output_stream=OUT)
        return x * x

    for v in (1, 2, 3):
        log.append(val(f(tf.constant(v))))
    log.append(printed())
    log.append(f.experimental_get_tracing_count())
""")

program("print_and_tf_print_order", """
    @tf.function
    def f(x):
        say("python")
        tf.print("tf", x, output_stream=OUT)
        return x

    f(tf.constant(1))
    log.append(printed())
    f(tf.constant(2))
    log.append(printed())
    f(tf.constant([3, 4]))
    log.append(printed())
""")

program("tf_print_vector_and_step", """
    @tf.function
    def step(i, w):
        tf.print("step", i, "w", w, output_stream=OUT)
        return w // 2

    w = tf.constant([4, 8])
    for i in range(3):
        w = step(tf.constant(i), w)
    log.append(val(w))
    log.append(printed())
    log.append(step.experimental_get_tracing_count())
""")

program("python_list_grows_once_per_trace", """
    seen = []

    @tf.function
    def f(x):
        seen.append("traced")
        return tf.reduce_sum(x)

    f(tf.constant([1.0, 2.0]))
    f(tf.constant([3.0, 4.0]))
    log.append(len(seen))
    f(tf.constant([1.0, 2.0, 3.0]))
    log.append(len(seen))
    log.append(val(f(tf.constant([5.0, 6.0]))))
    log.append(len(seen))
""")

program("python_counter_in_body", """
    calls = {"n": 0}

    @tf.function
    def f(x):
        calls["n"] += 1
        return x + calls["n"]

    log.append(val(f(tf.constant(10.0))))
    log.append(val(f(tf.constant(20.0))))
    log.append(calls["n"])
""")

# ----- what makes a new trace ----------------------------------------------------------------

program("tracing_count_starts_at_zero", """
    @tf.function
    def f(x):
        return x

    log.append(f.experimental_get_tracing_count())
    f(tf.constant(1.0))
    log.append(f.experimental_get_tracing_count())
""")

program("retrace_new_shape", """
    @tf.function
    def f(x):
        say(list(x.shape))
        return tf.reduce_sum(x)

    log.append(val(f(tf.constant(1.0))))
    log.append(val(f(tf.constant([1.0, 2.0]))))
    log.append(val(f(tf.constant([1.0, 2.0, 3.0]))))
    log.append(val(f(tf.constant([4.0, 5.0]))))
    log.append(f.experimental_get_tracing_count())
""")

program("retrace_new_dtype", """
    @tf.function
    def f(x):
        say(x.dtype.name)
        return x + x

    log.append(val(f(tf.constant(1.5))))
    log.append(val(f(tf.constant(2))))
    log.append(val(f(tf.constant(2.5, dtype=tf.float64))))
    log.append(val(f(tf.constant(7))))
    log.append(f.experimental_get_tracing_count())
""")

program("python_scalars_by_value", """
    @tf.function
    def f(n):
        say(("trace", n))
        return n * 10

    log.append(val(f(2)))
    log.append(val(f(3)))
    log.append(val(f(2)))
    log.append(f.experimental_get_tracing_count())
""")

program("python_bool_flag_by_value", """
    @tf.function
    def f(x, training):
        if training:
            return x * 0.5
        return x

    x = tf.constant([2.0, 4.0])
    log.append(val(f(x, True)))
    log.append(val(f(x, False)))
    log.append(val(f(x, True)))
    log.append(f.experimental_get_tracing_count())
""")

program("python_keyword_by_value", """
    @tf.function
    def f(x, scale=1.0):
        return x * scale

    x = tf.constant(3.0)
    log.append(val(f(x)))
    log.append(val(f(x, scale=2.0)))
    log.append(val(f(x, scale=2.0)))
    log.append(val(f(x, 1.0)))
    log.append(f.experimental_get_tracing_count())
""")

program("tensor_then_python_number", """
    @tf.function
    def f(x):
        return x * 2

    log.append(val(f(tf.constant(1.0))))
    log.append(val(f(1.0)))
    log.append(val(f(4.0)))
    log.append(f.experimental_get_tracing_count())
""")

program("input_signature_none_dimension", """
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def total(x):
        say("traced")
        return tf.reduce_sum(x)

    for n in (2, 3, 5):
        log.append(val(total(tf.ones([n]))))
    log.append(val(total([1.0, 2.0])))
    log.append(total.experimental_get_tracing_count())
""")

program("input_signature_rejects", """
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return x * 2.0

    log.append(val(f(tf.constant([1.0]))))
    log.append(error(f, tf.constant([1, 2])))
    log.append(error(f, tf.constant([[1.0]])))
    log.append(error(f, tf.constant([1.0]), tf.constant([2.0])))
    log.append(f.experimental_get_tracing_count())
""")

program("input_signature_two_args_matrix", """
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32),
                                  tf.TensorSpec([2], tf.float32)])
    def affine(x, b):
        return tf.matmul(x, tf.ones([2, 1])) + tf.reduce_sum(b)

    log.append(val(affine(tf.ones([1, 2]), tf.constant([1.0, 2.0]))))
    log.append(val(affine(tf.ones([3, 2]) * 2.0, tf.constant([0.5, 0.5]))))
    log.append(affine.experimental_get_tracing_count())
""")

program("reduce_retracing_generalises", """
    @tf.function(reduce_retracing=True)
    def f(x):
        say("traced")
        return tf.reduce_sum(x)

    for n in (2, 3, 4, 5):
        log.append(val(f(tf.ones([n]))))
    log.append(f.experimental_get_tracing_count())
""")

program("numpy_array_arguments", """
    @tf.function
    def f(x):
        say("traced")
        return x * 2

    log.append(val(f(np.array([1.0, 2.0]))))
    log.append(val(f(np.array([3.0, 4.0]))))
    log.append(f(np.array([3.0, 4.0])).dtype.name)
    log.append(val(f(np.array([1.0, 2.0], dtype=np.float32))))
    log.append(f(np.array([1.0, 2.0], dtype=np.float32)).dtype.name)
    log.append(f.experimental_get_tracing_count())
""")

program("variable_argument_reads_current_value", """
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def f(w):
        return tf.reduce_sum(w * w)

    log.append(val(f(v)))
    v.assign([3.0, 4.0])
    log.append(val(f(v)))
    log.append(f.experimental_get_tracing_count())
""")

program("closure_python_value_frozen_at_trace", """
    scale = 2.0

    @tf.function
    def f(x):
        return x * scale

    log.append(val(f(tf.constant(1.0))))
    scale = 10.0
    log.append(val(f(tf.constant(1.0))))
    log.append(f.experimental_get_tracing_count())
""")

program("closure_variable_seen_live", """
    scale = tf.Variable(2.0)

    @tf.function
    def f(x):
        return x * scale

    log.append(val(f(tf.constant(1.0))))
    scale.assign(10.0)
    log.append(val(f(tf.constant(1.0))))
    log.append(f.experimental_get_tracing_count())
""")

# ----- concrete functions ---------------------------------------------------------------------

program("concrete_function_from_spec", """
    @tf.function
    def f(x):
        say("traced")
        return x * x + 1.0

    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    log.append(f.experimental_get_tracing_count())
    log.append(val(cf(tf.constant([1.0, 2.0]))))
    log.append(val(cf(tf.constant([3.0, 4.0]))))
    log.append(val(f(tf.constant([5.0, 6.0]))))
    log.append(f.experimental_get_tracing_count())
""")

program("concrete_function_from_example", """
    @tf.function
    def f(x):
        return tf.reduce_mean(x)

    cf = f.get_concrete_function(tf.constant([1.0, 2.0, 3.0]))
    log.append(val(cf(tf.constant([4.0, 5.0, 9.0]))))
    log.append(f.experimental_get_tracing_count())
    cf2 = f.get_concrete_function(tf.constant([1.0, 2.0, 3.0]))
    log.append(val(cf2(tf.constant([0.0, 0.0, 3.0]))))
    log.append(f.experimental_get_tracing_count())
""")

program("concrete_function_none_dimension", """
    @tf.function
    def f(x):
        return tf.reduce_sum(x, axis=0)

    cf = f.get_concrete_function(tf.TensorSpec([None, 2], tf.float32))
    log.append(val(cf(tf.ones([1, 2]))))
    log.append(val(cf(tf.ones([4, 2]))))
    log.append(f.experimental_get_tracing_count())
""")

program("concrete_function_wrong_signature", """
    @tf.function
    def f(x):
        return x + 1.0

    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    log.append(error(cf, tf.constant([1.0, 2.0]), tf.constant(1.0)))
    log.append(error(cf, tf.constant([1, 2])) != "no error")
    try:  # TensorFlow runs this body on a wrong shape; an error would do as well
        log.append(val(cf(tf.constant([1.0, 2.0, 3.0]))) == [2.0, 3.0, 4.0])
    except Exception as e:
        note(type(e).__name__)
        log.append(True)
    log.append(val(cf(tf.constant([1.0, 2.0]))))
""")

program("concrete_function_of_input_signature", """
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return x * 3.0

    cf = f.get_concrete_function()
    log.append(val(cf(tf.constant([1.0, 2.0]))))
    log.append(f.experimental_get_tracing_count())
""")

# ----- variables: created on the first trace only --------------------------------------------

program("variable_created_lazily_once", """
    class Counter:
        def __init__(self):
            self.v = None

        @tf.function
        def add(self, x):
            if self.v is None:
                self.v = tf.Variable(0.0)
            self.v.assign_add(x)
            return self.v.read_value()

    c = Counter()
    for k in (1.0, 2.0, 3.0):
        log.append(val(c.add(tf.constant(k))))
    log.append(val(c.v))
""")

program("first_call_creating_variables_traces_twice", """
    holder = []

    @tf.function
    def f(x):
        say("body")
        if not holder:
            holder.append(tf.Variable(10.0))
        return holder[0] + x

    log.append(val(f(tf.constant(1.0))))
    log.append(f.experimental_get_tracing_count())
    log.append(val(f(tf.constant(2.0))))
    log.append(f.experimental_get_tracing_count())
    log.append(len(holder))
""")

program("variable_created_every_call_fails", """
    @tf.function
    def f(x):
        v = tf.Variable(1.0)
        return v * x

    log.append(error(f, tf.constant(2.0)))
""")

program("variable_created_on_second_trace_fails", """
    state = {}

    @tf.function
    def f(x):
        if x.shape.rank not in state:
            state[x.shape.rank] = tf.Variable(tf.zeros_like(x))
        return state[x.shape.rank] + x

    log.append(val(f(tf.constant(1.0))))
    log.append(val(f(tf.constant(2.0))))
    log.append(error(f, tf.constant([1.0, 2.0])))
""")

# ----- gradients inside and through -----------------------------------------------------------

program("training_step_tape_inside", """
    w = tf.Variable(0.0)
    b = tf.Variable(0.0)
    xs = tf.constant([0.0, 1.0, 2.0, 3.0])
    ys = tf.constant([1.0, 3.0, 5.0, 7.0])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(w * xs + b - ys))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(0.05 * dw)
        b.assign_sub(0.05 * db)
        return loss

    losses = [val(step()) for _ in range(10)]
    log.append(losses)
    log.append([val(w), val(b)])
    log.append(step.experimental_get_tracing_count())
""")

program("training_step_keras_sgd", """
    w = tf.Variable([[0.5], [-0.5]])
    opt = tf.keras.optimizers.SGD(learning_rate=0.01)
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[1.0], [2.0]])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
        grads = tape.gradient(loss, [w])
        opt.apply_gradients(zip(grads, [w]))
        return loss

    log.append([val(step()) for _ in range(10)])
    log.append(val(w))
""")

program("gradient_through_a_call", """
    @tf.function
    def cube(x):
        return x * x * x

    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = cube(x)
    log.append(val(y))
    log.append(val(tape.gradient(y, x)))
    x2 = tf.constant([1.0, -3.0])
    with tf.GradientTape() as tape:
        tape.watch(x2)
        y2 = tf.reduce_sum(cube(x2))
    log.append(val(tape.gradient(y2, x2)))
""")

program("gradient_through_a_call_to_captured_variable", """
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def loss(x):
        return tf.reduce_sum(w * x) ** 2

    with tf.GradientTape() as tape:
        out = loss(tf.constant([3.0, 1.0]))
    log.append(val(out))
    log.append(val(tape.gradient(out, w)))
""")

program("persistent_tape_inside", """
    @tf.function
    def grads(x):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
            z = tf.sin(x)
        return tape.gradient(y, x), tape.gradient(z, x)

    dy, dz = grads(tf.constant([0.0, 1.0, 2.0]))
    log.append(val(dy))
    log.append(val(dz))
""")

program("persistent_tape_around_call", """
    @tf.function
    def f(x):
        return x * x, tf.exp(x)

    x = tf.constant(1.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a, b = f(x)
    log.append(val(tape.gradient(a, x)))
    log.append(val(tape.gradient(b, x)))
    del tape
""")

program("second_derivative_through_a_call", """
    @tf.function
    def f(x):
        return x ** 3 + 2.0 * x

    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        dy = inner.gradient(y, x)
    log.append(val(dy))
    log.append(val(outer.gradient(dy, x)))
""")

program("second_derivative_inside", """
    @tf.function
    def d2(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.sin(x) * x
            dy = inner.gradient(y, x)
        return dy, outer.gradient(dy, x)

    dy, ddy = d2(tf.constant([0.5, 1.5]))
    log.append(val(dy))
    log.append(val(ddy))
    log.append(d2.experimental_get_tracing_count())
""")

# ----- control flow on tensor values ----------------------------------------------------------

program("if_on_tensor_both_signs", """
    @tf.function
    def f(x):
        if x > 0:
            y = x * 2.0
        else:
            y = -x * 3.0
        return y

    log.append(val(f(tf.constant(4.0))))
    log.append(val(f(tf.constant(-2.0))))
    log.append(val(f(tf.constant(1.0))))
    log.append(val(f(tf.constant(-1.0))))
    log.append(f.experimental_get_tracing_count())
""")

program("if_on_tensor_gradient_both_signs", """
    @tf.function
    def f(x):
        if tf.reduce_sum(x) > 0:
            return tf.reduce_sum(x * x)
        return tf.reduce_sum(-x)

    for values in ([1.0, 2.0], [-1.0, -2.0]):
        x = tf.constant(values)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        log.append([val(y), val(tape.gradient(y, x))])
""")

program("while_on_tensor", """
    @tf.function
    def doublings(x):
        n = tf.constant(0)
        while x < 100.0:
            x = x * 2.0
            n += 1
        return x, n

    for start in (1.0, 30.0, 200.0):
        x, n = doublings(tf.constant(start))
        log.append([val(x), val(n)])
    log.append(doublings.experimental_get_tracing_count())
""")

program("for_over_tf_range", """
    @tf.function
    def sum_squares(n):
        total = tf.constant(0)
        for i in tf.range(n):
            total += i * i
        return total

    for n in (0, 3, 6):
        log.append(val(sum_squares(tf.constant(n))))
    log.append(sum_squares.experimental_get_tracing_count())
""")

program("for_over_python_range_unrolled", """
    @tf.function
    def power(x, n):
        y = tf.ones_like(x)
        for _ in range(n):
            y = y * x
        return y

    x = tf.constant(2.0)
    log.append(val(power(x, 3)))
    log.append(val(power(tf.constant(3.0), 3)))
    log.append(val(power(x, 5)))
    log.append(power.experimental_get_tracing_count())
""")

program("explicit_cond_and_while_loop", """
    @tf.function
    def f(x):
        y = tf.cond(x > 0, lambda: x + 1.0, lambda: x - 1.0)
        i, z = tf.while_loop(lambda i, z: i < 3, lambda i, z: (i + 1, z * 2.0),
                             [tf.constant(0), y])
        return z

    log.append(val(f(tf.constant(1.0))))
    log.append(val(f(tf.constant(-1.0))))
    log.append(f.experimental_get_tracing_count())
""")

program("if_on_tensor_source_unavailable", """
    scope = {}
    exec("def g(x):\\n    if x > 0:\\n        return x * 2.0\\n    return -x\\n", scope)
    g = tf.function(scope["g"])
    for v in (3.0, -4.0):
        try:
            log.append(val(g(tf.constant(v))) == (v * 2.0 if v > 0 else -v))
        except Exception as e:
            note(type(e).__name__)
            log.append(True)
""")

program("float_of_tensor_inside", """
    @tf.function
    def f(x):
        return float(x) * 3.0

    log.append(val(f(tf.constant(1.0))))
    log.append(val(f(tf.constant(-2.5))))
""")

program("numpy_method_inside", """
    @tf.function
    def f(x):
        return x.numpy() * 2.0

    for v in (1.0, -3.0):
        try:
            out = val(f(tf.constant(v)))
            log.append(out == v * 2.0)
        except Exception as e:
            note(type(e).__name__)
            log.append(True)
""")

program("bool_of_tensor_inside", """
    @tf.function
    def sign(x):
        return 1.0 if bool(x > 0) else -1.0

    for v in (2.0, -2.0):
        try:
            out = val(sign(tf.constant(v)))
            log.append(out == (1.0 if v > 0 else -1.0))
        except Exception as e:
            note(type(e).__name__)
            log.append(True)
""")

# ----- classes, return values, nesting ------------------------------------------------------

program("module_method", """
    class Scale(tf.Module):
        def __init__(self, k):
            super().__init__()
            self.k = tf.Variable(k)

        @tf.function
        def __call__(self, x):
            say("traced")
            return self.k * x

    a, b = Scale(2.0), Scale(3.0)
    log.append(val(a(tf.constant(1.0))))
    log.append(val(a(tf.constant(2.0))))
    log.append(val(b(tf.constant(1.0))))
    log.append(len(a.trainable_variables))
    log.append([a.__call__.experimental_get_tracing_count(),
                b.__call__.experimental_get_tracing_count()])
""")

program("keras_like_layer_builds_once", """
    class Dense:
        def __init__(self, units):
            self.units = units
            self.w = None

        @tf.function
        def __call__(self, x):
            if self.w is None:
                self.w = tf.Variable(tf.ones([x.shape[-1], self.units]) * 0.5)
                self.b = tf.Variable(tf.zeros([self.units]))
            say(("trace", x.shape[0]))
            return tf.matmul(x, self.w) + self.b

    layer = Dense(2)
    log.append(val(layer(tf.ones([1, 3]))))
    log.append(val(layer(tf.ones([2, 3]) * 2.0)))
    log.append(val(layer(tf.ones([1, 3]))))
    log.append(len(val(layer.w)))
    log.append(layer.__call__.experimental_get_tracing_count())
""")

program("returns_python_numbers_as_tensors", """
    @tf.function
    def const_int():
        return 3

    @tf.function
    def const_float():
        return 1.5

    @tf.function
    def pair(x):
        return x, 2

    for r in (const_int(), const_float()):
        log.append([tf.is_tensor(r), r.dtype.name, val(r)])
    a, b = pair(tf.constant(1.0))
    log.append([tf.is_tensor(b), b.dtype.name, val(b)])
    log.append(val(a))
""")

program("returns_nested_structures", """
    @tf.function
    def f(x):
        return {"double": x * 2.0, "parts": (x + 1.0, [x - 1.0, x * x])}

    out = f(tf.constant(3.0))
    log.append(sorted(out))
    log.append(type(out["parts"]).__name__)
    log.append(type(out["parts"][1]).__name__)
    log.append(val(out))
""")

program("dict_argument", """
    @tf.function
    def f(inputs):
        say("traced")
        return inputs["a"] * inputs["b"]

    log.append(val(f({"a": tf.constant(2.0), "b": tf.constant(3.0)})))
    log.append(val(f({"a": tf.constant(4.0), "b": tf.constant(5.0)})))
    log.append(f.experimental_get_tracing_count())
""")

program("python_list_argument_by_value", """
    @tf.function
    def f(xs):
        say(("traced", xs))
        return tf.reduce_sum(xs)

    log.append(val(f([1.0, 2.0])))
    log.append(val(f([3.0, 4.0])))
    log.append(val(f([1.0, 2.0])))
    log.append(f.experimental_get_tracing_count())
""")

program("function_calls_function", """
    @tf.function
    def inner(x):
        say("inner traced")
        return x * x

    @tf.function
    def outer(x):
        say("outer traced")
        return inner(x) + inner(x + 1.0)

    log.append(val(outer(tf.constant(2.0))))
    log.append(val(outer(tf.constant(3.0))))
    log.append(outer.experimental_get_tracing_count())
    log.append(val(inner(tf.constant(5.0))))
""")

program("tf_function_of_lambda", """
    f = tf.function(lambda x, y: x * y + 1.0)
    log.append(val(f(tf.constant(2.0), tf.constant(3.0))))
    log.append(val(f(tf.constant(4.0), tf.constant(5.0))))
    log.append(f.experimental_get_tracing_count())
""")

program("tf_function_of_plain_function_call", """
    def plain(x):
        say("plain body")
        return tf.sqrt(x)

    fast = tf.function(plain)
    log.append(val(fast(tf.constant(16.0))))
    log.append(val(fast(tf.constant(9.0))))
    log.append(val(plain(tf.constant(4.0))))
""")


# ----- found by an outside TensorFlow user (first calls that create variables, number keys) --

program("lazy_model_first_step_returns_the_loss_before_the_update", """
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, kernel_initializer="ones")])
    opt = tf.keras.optimizers.SGD(0.1)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    log.append([round(float(step(tf.ones((2, 1)))), 5) for _ in range(3)])
    log.append([w.round(5).tolist() for w in model.get_weights()])
    log.append(int(opt.iterations.numpy()))
""")

program("adam_slots_made_in_the_first_call_trace_twice", """
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, kernel_initializer="ones")])
    model.build((None, 2))
    opt = tf.keras.optimizers.Adam(0.1)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                model.trainable_variables))
        return loss

    log.append([round(float(step(tf.ones((2, 2)))), 4) for _ in range(2)])
    log.append(step.experimental_get_tracing_count())
    log.append(round(float(step(tf.ones((3, 2)))), 4))
    log.append(step.experimental_get_tracing_count())
""")

program("concrete_function_binds_lists_and_refuses_dtypes", """
    @tf.function
    def f(x):
        return x * 2

    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
    log.append(val(cf(tf.constant([1.0, 2.0]))))
    log.append(val(cf([1.0, 2.0])))  # a list is bound as a tensor of the spec's dtype
    log.append(val(cf((1, 2))))
    log.append(val(cf(np.array([1.0, 2.0]))))  # a float64 array too
    for bad in (tf.constant([1, 2]), tf.constant([1.0, 2.0], tf.float64)):
        try:
            cf(bad)
            log.append("no error")
        except Exception as e:  # TensorFlow's kernel refuses the dtype
            log.append(type(e).__name__)
    log.append(error(cf, 3.0))
""")

program("equal_python_numbers_share_a_trace", """
    @tf.function
    def f(x, n):
        say(f"traced with {n!r}")
        return x * n

    for n in (2, 2.0, True, 1, 3.5):
        log.append(val(f(tf.constant(1.0), n)))
    log.append(f.experimental_get_tracing_count())
""")


# ----- running a program ----------------------------------------------------------------------


def _val(x):
    if hasattr(x, "numpy"):
        return x.numpy().tolist()
    if isinstance(x, np.ndarray | np.generic):
        return x.tolist()
    if isinstance(x, dict):
        return {k: _val(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_val(v) for v in x]
    return x


def builtin_error_name(exc: BaseException) -> str:
    """The first class in the exception's MRO that Python itself defines."""
    for cls in type(exc).__mro__:
        if getattr(builtins, cls.__name__, None) is cls:
            return cls.__name__
    return type(exc).__name__


def run(tf, name: str) -> dict:
    """Run the program ``name`` with ``tf`` (TensorFlow or adkernel's) and return its logs."""
    source = PROGRAMS[name]
    log: list = []
    notes: list = []
    with tempfile.TemporaryDirectory(prefix="tf_function_") as tmp:
        path = Path(tmp) / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        out_path = Path(tmp) / "tf_print.txt"
        out_path.touch()
        seen = {"printed": 0, "stdout": 0}
        captured = io.StringIO()

        def printed():
            lines = out_path.read_text(encoding="utf-8").splitlines()
            new, seen["printed"] = lines[seen["printed"]:], len(lines)
            return new

        def stdout():
            lines = captured.getvalue().splitlines()
            new, seen["stdout"] = lines[seen["stdout"]:], len(lines)
            return new

        def error(fn, *args):
            try:
                fn(*args)
            except Exception as e:  # the class is what the program records
                notes.append(f"{type(e).__name__}: {str(e).strip().splitlines()[-1][:160]}")
                return builtin_error_name(e)
            return "no error"

        namespace = {"__name__": f"tf_function_program_{name}", "tf": tf, "np": np,
                     "log": log, "say": log.append, "val": _val, "OUT": f"file://{out_path}",
                     "printed": printed, "stdout": stdout, "error": error,
                     "note": notes.append}
        code = compile(source, str(path), "exec")
        with contextlib.redirect_stdout(captured):
            exec(code, namespace)
    return {"log": log, "notes": notes}
