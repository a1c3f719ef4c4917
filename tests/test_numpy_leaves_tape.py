"""numpy functions on tensors: recorded by default, TensorFlow's rule (they leave the tape)
under ``adkernel.set_numpy_leaves_tape`` / ``numpy_leaves_tape()``, and the once-only note.

TensorFlow's side is frozen in tests/tf_reference_values.py (group
``numpy_leaves_tape_cases``, measured on TensorFlow 2.21).
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest
from tf_reference_cases import numpy_leaves_tape_cases
from tf_reference_values import VALUES

import adkernel
from adkernel import tf
from adkernel.engine import numpy_interop
from adkernel.engine.i18n import language

TF = VALUES["numpy_leaves_tape_cases"]


@pytest.fixture(autouse=True)
def _fresh_switch_and_note():
    """Every test starts with the switch off everywhere and the note not yet shown."""
    adkernel.set_numpy_leaves_tape(False)
    shown = numpy_interop._NOTE["shown"]
    numpy_interop._NOTE["shown"] = False
    yield
    adkernel.set_numpy_leaves_tape(False)
    numpy_interop._NOTE["shown"] = shown
    assert numpy_interop._LEAVE == {"on": False, "blocks": 0, "check": False}


def _quiet():
    """No NoneGradientWarning in the way (the gradients here are None on purpose)."""
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore")
    return ctx


# ----- TensorFlow's rule, against the frozen TensorFlow values ---------------------------


@pytest.mark.parametrize("name", sorted(TF))
def test_leaving_the_tape_matches_tensorflow(name):
    ctx = _quiet()
    try:
        with adkernel.numpy_leaves_tape():
            got = numpy_leaves_tape_cases(tf)[name]()
    finally:
        ctx.__exit__(None, None, None)
    assert got == pytest.approx(TF[name]) if isinstance(got[-1], float) else got == TF[name]


def test_the_cases_are_all_frozen():
    assert sorted(numpy_leaves_tape_cases(tf)) == sorted(TF)


def test_guide_cell_prints_none_only_under_the_switch(capsys):
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0]])

    def cell():
        with tf.GradientTape() as tape:
            y = tf.reduce_mean(np.mean(x**2, axis=0), axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tape.gradient(y, x)

    recorded = cell()
    assert np.allclose(recorded.numpy(), [[0.5, 1.0], [1.5, 2.0]])
    with adkernel.numpy_leaves_tape(True):
        assert cell() is None


def test_default_records_and_returns_tensors():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = np.mean(np.square(v))
    assert tf.is_tensor(y)
    assert np.allclose(tape.gradient(y, v).numpy(), [2 / 3, 4 / 3, 2.0])


def test_left_values_are_plain_numpy_and_cannot_write_into_the_tensor():
    t = tf.constant([1.0, 2.0, 3.0, 4.0])
    with adkernel.numpy_leaves_tape():
        r = np.reshape(t, (2, 2))  # a view of t's values
    assert type(r) is np.ndarray
    with pytest.raises(ValueError, match="read-only"):
        r[0, 0] = 99.0
    assert t.numpy().tolist() == [1.0, 2.0, 3.0, 4.0]


def test_gradient_of_a_left_value_says_numpy_is_not_recorded():
    v = tf.Variable(2.0)
    with adkernel.numpy_leaves_tape(), tf.GradientTape() as tape:
        y = np.square(v)
    with pytest.raises(TypeError, match="numpy math is not recorded"):
        tape.gradient(y, v)


def test_adkernel_own_numpy_calls_still_record():
    """Library code (a module named adkernel.*) calling numpy on tensors stays on the tape:
    in TensorFlow such code would be TensorFlow's own ops."""
    library = {"__name__": "adkernel._test_library", "np": np}
    exec("def mean_sq(x):\n    return np.mean(np.square(x))\n", library)
    user = {"__name__": "__main__", "np": np}
    exec("def mean_sq(x):\n    return np.mean(np.square(x))\n", user)
    v = tf.Variable([1.0, 3.0])
    with adkernel.numpy_leaves_tape(), tf.GradientTape(persistent=True) as tape:
        inside = library["mean_sq"](v)
        outside = user["mean_sq"](v)
    assert tf.is_tensor(inside)
    assert np.allclose(tape.gradient(inside, v).numpy(), [1.0, 3.0])
    assert isinstance(outside, np.floating)


def test_in_place_operator_on_an_array_is_still_an_operator():
    """``array += tensor`` is an operator in both settings (the same answer either way)."""
    t = tf.constant([1.0, 2.0])
    answers = []
    for on in (False, True):
        a = np.zeros(2, dtype=np.float32)
        with adkernel.numpy_leaves_tape(on):
            try:
                a += t
                answers.append(("ok", type(a).__name__))
            except TypeError as e:
                answers.append(("TypeError", str(e)))
    assert answers[0] == answers[1]


# ----- the setting ------------------------------------------------------------------------


def test_process_wide_setting_and_thread_override():
    t = tf.constant([1.0, 2.0])
    assert adkernel.get_numpy_leaves_tape() is False
    adkernel.set_numpy_leaves_tape(True)
    assert adkernel.get_numpy_leaves_tape() is True
    assert isinstance(np.sum(t), np.floating)
    with adkernel.numpy_leaves_tape(False):
        assert adkernel.get_numpy_leaves_tape() is False
        assert tf.is_tensor(np.sum(t))
    assert adkernel.get_numpy_leaves_tape() is True
    adkernel.set_numpy_leaves_tape(False)
    assert tf.is_tensor(np.sum(t))


def test_context_manager_restores_after_an_error_and_nests():
    with pytest.raises(ZeroDivisionError), adkernel.numpy_leaves_tape():
        with adkernel.numpy_leaves_tape(False):
            assert adkernel.get_numpy_leaves_tape() is False
        assert adkernel.get_numpy_leaves_tape() is True
        1 / 0
    assert adkernel.get_numpy_leaves_tape() is False


@pytest.mark.parametrize("lang, words", [("en", "True or False"), ("zh", "只接受 True 或 False")])
def test_setting_takes_only_a_bool(lang, words):
    with language(lang):
        with pytest.raises(TypeError, match=words):
            adkernel.set_numpy_leaves_tape("yes")
        with pytest.raises(TypeError, match="numpy_leaves_tape"), adkernel.numpy_leaves_tape(1):
            pass
    assert adkernel.get_numpy_leaves_tape() is False


def test_the_context_manager_is_per_thread():
    """One thread inside ``numpy_leaves_tape()`` while another computes: each sees its own."""
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def leaving():
        t = tf.constant([1.0, 2.0])
        with adkernel.numpy_leaves_tape():
            inside.set()
            done.wait(10)
            seen["leaving"] = type(np.mean(t)).__name__

    worker = threading.Thread(target=leaving)
    worker.start()
    assert inside.wait(10)
    t = tf.constant([1.0, 2.0])
    seen["main"] = tf.is_tensor(np.mean(t))
    seen["main_setting"] = adkernel.get_numpy_leaves_tape()
    done.set()
    worker.join(10)
    assert seen == {"leaving": "float32", "main": True, "main_setting": False}


def test_the_process_wide_setting_reaches_other_threads():
    adkernel.set_numpy_leaves_tape(True)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(np.mean(tf.constant([1.0, 3.0]))))
    worker.start()
    worker.join(10)
    assert seen and isinstance(seen[0], np.floating) and float(seen[0]) == 2.0


def test_many_threads_switching_at_once_never_see_each_other():
    errors = []
    barrier = threading.Barrier(8)

    def work(i):
        on = bool(i % 2)
        t = tf.constant([1.0, 2.0, 3.0])
        barrier.wait(10)
        for _ in range(200):
            with adkernel.numpy_leaves_tape(on):
                r = np.sum(t)
                if tf.is_tensor(r) == on:
                    errors.append((i, type(r).__name__))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert errors == []


# ----- the once-only note (switch off) -----------------------------------------------------


@pytest.mark.parametrize("lang, expected", [
    ("en", "Note: np.mean on a tensor is recorded by adkernel's tape. TensorFlow would compute "
           "it in numpy and return a numpy array, so the gradient through it would be None: "
           "use tf.reduce_mean to stay on the tape in both. (This note is shown once.)\n"),
    ("zh", "注意：对张量调用的 np.mean 会被 adkernel 的梯度带记录下来。TensorFlow 则会用 numpy "
           "计算它并返回 numpy 数组，经过它的梯度会是 None：改用 tf.reduce_mean，两边就都留在"
           "梯度带上。（此提示只显示一次。）\n"),
])
def test_note_is_shown_once_in_the_learners_language(capsys, lang, expected):
    v = tf.Variable([1.0, 2.0])
    with language(lang):
        for _ in range(3):
            with tf.GradientTape() as tape:
                y = np.mean(v * v) + np.sum(v)  # numpy calls, one note
            tape.gradient(y, v)
    err = capsys.readouterr().err
    assert err == expected


@pytest.mark.parametrize("call, name", [
    (lambda v: np.square(v), "tf.square"),
    (lambda v: np.add.reduce(v), "tf.reduce_sum"),
    (lambda v: np.concatenate([v, v]), "tf.concat"),
    (lambda v: np.log1p(v), "tf.math.log1p"),
    (lambda v: np.cumsum(v), "tf.cumsum"),
])
def test_note_names_the_tensorflow_function(capsys, call, name):
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape():
        call(v)
    err = capsys.readouterr().err
    assert f"use {name} to stay on the tape" in err


def test_every_named_tensorflow_function_exists():
    names = set(numpy_interop._TF_EQUIVALENT.values())
    for f in list(numpy_interop._ufunc_table()) + list(numpy_interop._array_function_table()):
        hint = numpy_interop._tf_equivalent(numpy_interop._name(f)
                                            if not isinstance(f, np.ufunc) else f.__name__)
        if hint:
            names.add(hint)
    missing = []
    for n in sorted(names):
        obj = tf
        for part in n.split(".")[1:]:
            obj = getattr(obj, part, None)
        if obj is None:
            missing.append(n)
    assert missing == []


def test_no_note_for_operators_unwatched_tensors_library_code_or_under_the_switch(capsys):
    v = tf.Variable([1.0, 2.0])
    c = tf.constant([1.0, 2.0])
    a = np.array([2.0, 3.0], dtype=np.float32)
    library = {"__name__": "adkernel._test_library", "np": np}
    exec("def mean(x):\n    return np.mean(x)\n", library)
    with tf.GradientTape():
        a * v, a @ v, a > v, np.float32(2.0) - v  # operators
        np.mean(c)  # not watched
        library["mean"](v)  # adkernel's own code
        np.argmax(v)  # no gradient anyway
    with adkernel.numpy_leaves_tape(), tf.GradientTape():
        np.mean(v)
    assert capsys.readouterr().err == ""
    assert numpy_interop._NOTE["shown"] is False
    with tf.GradientTape():
        np.mean(v)
    assert capsys.readouterr().err.startswith("Note: np.mean")


def test_note_does_not_change_what_is_computed(capsys):
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = np.square(v)
    assert tape.gradient(y, v).numpy() == 6.0
    assert "np.square" in capsys.readouterr().err


# ----- the %%tape magic: recorded, with the note once ---------------------------------------


@pytest.mark.parametrize("lang, start", [("en", "Note: np.mean on a tensor is recorded"),
                                         ("zh", "注意：对张量调用的 np.mean 会被")])
def test_tape_magic_records_numpy_and_notes_it_once(ipshell, lang, start):
    from IPython.utils.capture import capture_output

    ipshell.run_cell("from adkernel import tf\nimport numpy as np\nv = tf.Variable([1.0, 3.0])")
    outs = []
    with language(lang):
        for _ in range(2):
            with capture_output() as out:
                result = ipshell.run_cell("%%tape --grad y:v --no-graph\ny = np.mean(v * v)")
            assert result.success
            outs.append(out)
    grads = ipshell.user_ns["grads"]
    assert np.allclose(grads["v"].numpy(), [1.0, 3.0])  # recorded: d mean(v²)/dv = v
    assert outs[0].stderr.startswith(start) and outs[0].stderr.count("\n") == 1
    assert outs[1].stderr == ""
