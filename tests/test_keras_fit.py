"""``Model.compile``/``fit``/``evaluate``/``predict``, ``keras.metrics``, ``keras.callbacks`` and
``tf.data.Dataset`` against TensorFlow 2.21 / Keras 3.

The programs are in tests/tf_reference_cases.py (``keras_fit_cases``): fixed initial weights,
``shuffle=False``, SGD and Adam over a few epochs (losses and metrics per epoch, the history's
keys in order, final weights, evaluate, predict), validation data and split, sample weights,
datasets (with ``steps_per_epoch``), ``train_on_batch``, ``EarlyStopping``, the order callbacks
are called in, metric objects, and dataset orders and cardinalities that do not depend on a
random generator. Their results were measured with tests/measure_tf_reference.py.
"""

from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

from adkernel import set_language, tf

FIT = cases.keras_fit_cases(tf)
XN, YN = cases.XN, cases.YN


def test_every_program_has_a_frozen_value():
    assert sorted(FIT) == sorted(VALUES["keras_fit_cases"])


@pytest.mark.parametrize("name", sorted(FIT))
def test_fit_matches_tensorflow(name):
    assert_matches(FIT[name](), VALUES["keras_fit_cases"][name], name)


MISUSE = cases.keras_misuse_cases(tf)


@pytest.mark.parametrize("name", sorted(MISUSE))
def test_keras_misuse_is_refused_as_tensorflow_refuses_it(name):
    assert sorted(MISUSE) == sorted(VALUES["keras_misuse_cases"])
    assert_matches(MISUSE[name](), VALUES["keras_misuse_cases"][name], name)


def _model(lr=0.05):
    model = cases._two_layer(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(lr), loss="mse", metrics=["mae"])
    return model


# ----- the loop --------------------------------------------------------------------------

def test_fit_is_the_tape_loop_written_out():
    """One epoch of fit with one batch is one step of the loop a learner writes."""
    model = _model()
    by_hand = _model()
    model.fit(XN, YN, batch_size=8, epochs=1, shuffle=False, verbose=0)
    with tf.GradientTape() as tape:
        loss = tf.keras.losses.MeanSquaredError()(YN, by_hand(XN, training=True))
    grads = tape.gradient(loss, by_hand.trainable_variables)
    by_hand.optimizer.apply_gradients(zip(grads, by_hand.trainable_variables, strict=True))
    for a, b in zip(model.get_weights(), by_hand.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_run_eagerly_gives_the_same_numbers():
    a, b = _model(), cases._two_layer(tf)
    b.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"],
              run_eagerly=True)
    ha = a.fit(XN, YN, batch_size=3, epochs=2, shuffle=False, verbose=0)
    hb = b.fit(XN, YN, batch_size=3, epochs=2, shuffle=False, verbose=0)
    assert ha.history == hb.history


def test_shuffle_is_reproducible_after_set_seed_and_changes_the_order():
    runs = []
    for _ in range(2):
        tf.random.set_seed(7)
        runs.append(_model().fit(XN, YN, batch_size=2, epochs=3, verbose=0).history["loss"])
    assert runs[0] == runs[1]
    plain = _model().fit(XN, YN, batch_size=2, epochs=3, shuffle=False, verbose=0)
    assert plain.history["loss"] != runs[0]


def test_fit_returns_history_and_sets_model_history():
    model = _model()
    history = model.fit(XN, YN, epochs=2, verbose=0)
    assert model.history is history and history.model is model
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 1}


def test_predict_joins_the_batches():
    model = _model()
    out = model.predict(XN, batch_size=3, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (8, 1)
    np.testing.assert_allclose(out, model(XN).numpy(), rtol=1e-6)


# ----- mistakes ------------------------------------------------------------------------------

def test_fit_before_compile_says_to_compile():
    model = cases._two_layer(tf)
    for call in (lambda: model.fit(XN, YN), lambda: model.evaluate(XN, YN),
                 lambda: model.train_on_batch(XN, YN)):
        with pytest.raises(ValueError, match=r"compile\(optimizer=..., loss=...\)"):
            call()


def test_dataset_mistakes_are_refused():
    model = _model()
    ds = tf.data.Dataset.from_tensor_slices((XN, YN)).batch(4)
    with pytest.raises(ValueError, match="y must not be given"):
        model.fit(ds, YN, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(ds.repeat(), verbose=0)
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(ds, validation_split=0.5, verbose=0)


def test_unknown_names_are_refused():
    model = cases._two_layer(tf)
    with pytest.raises(ValueError, match="Unknown optimizer 'sgdd'"):
        model.compile(optimizer="sgdd", loss="mse")
    with pytest.raises(NotImplementedError, match="the metric 'auc'"):
        model.compile(optimizer="sgd", loss="mse", metrics=["auc"])
        model.fit(XN, YN, verbose=0)


def test_early_stopping_needs_a_direction_it_can_tell():
    # as Keras: a name it cannot place raises; val_loss without validation data warns
    stop = tf.keras.callbacks.EarlyStopping(monitor="my_number")
    with pytest.raises(ValueError, match="mode='max' or mode='min'"):
        _model().fit(XN, YN, epochs=2, verbose=0, callbacks=[stop])
    stop = tf.keras.callbacks.EarlyStopping()
    with pytest.warns(UserWarning, match="'val_loss', which is not logged"):
        history = _model().fit(XN, YN, epochs=2, verbose=0, callbacks=[stop])
    assert len(history.epoch) == 2


# ----- weights on disk -----------------------------------------------------------------------

def test_save_and_load_weights_npz(tmp_path):
    model = _model()
    model.fit(XN, YN, epochs=2, verbose=0)
    path = tmp_path / "model.weights.npz"
    model.save_weights(path)
    fresh = cases._two_layer(tf)
    fresh.load_weights(path)
    for a, b in zip(model.get_weights(), fresh.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with np.load(path) as f:  # plain numpy: the arrays in get_weights() order
        np.testing.assert_array_equal(f["arr_0"], model.get_weights()[0])


def test_weights_file_names_are_checked(tmp_path):
    model = _model()
    with pytest.raises(ValueError, match=r"must end in \.npz"):
        model.save_weights(tmp_path / "model.h5")
    small = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    small(XN)
    small.save_weights(tmp_path / "small.npz")
    with pytest.raises(ValueError, match="set_weights"):
        model.load_weights(tmp_path / "small.npz")


def test_h5_needs_h5py(tmp_path):
    try:
        import h5py  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install h5py"):
            _model().save_weights(tmp_path / "model.weights.h5")
    else:
        model = _model()
        model.save_weights(tmp_path / "model.weights.h5")
        fresh = cases._two_layer(tf)
        fresh.load_weights(tmp_path / "model.weights.h5")
        np.testing.assert_array_equal(fresh.get_weights()[0], model.get_weights()[0])


# ----- what verbose prints --------------------------------------------------------------------

def _printed(fn) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn()
    return out.getvalue()


def test_progress_bar_has_no_timings_so_outputs_repeat():
    text = _printed(lambda: _model().fit(XN, YN, batch_size=4, epochs=2, shuffle=False))
    last = text.split("\n")[-2].split("\r")[-1]
    assert text.startswith("Epoch 1/2\n")
    assert last.startswith("2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: ")
    assert " - mae: " in last and "ms/step" not in text
    assert text == _printed(lambda: _model().fit(XN, YN, batch_size=4, epochs=2,
                                                 shuffle=False))
    per_epoch = _printed(lambda: _model().fit(XN, YN, batch_size=4, epochs=2, verbose=2,
                                              shuffle=False))
    assert per_epoch.splitlines()[1].startswith("2/2 - loss: ")
    assert "\r" not in per_epoch


def test_progress_bar_and_early_stopping_speak_chinese():
    stop = tf.keras.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=1,
                                            verbose=1)
    set_language("zh")
    try:
        text = _printed(lambda: _model().fit(XN, YN, epochs=3, callbacks=[stop]))
    finally:
        set_language(None)
    assert text.startswith("迭代周期 1/3\n")
    assert "第 2 个迭代周期：提前停止训练" in text


# ----- callbacks -------------------------------------------------------------------------------

def test_lambda_callback_rejects_unknown_hooks():
    with pytest.raises(TypeError, match="on_epoch_ends"):
        tf.keras.callbacks.LambdaCallback(on_epoch_ends=print)


def test_loss_plot_callback_records_each_epoch():
    pytest.importorskip("matplotlib")
    plot = tf.keras.callbacks.LossPlot()
    history = _model().fit(XN, YN, epochs=3, verbose=0, callbacks=[plot])
    assert plot.plot.values == history.history["loss"]
    assert plot.plot.x == "epoch"


def test_keras_imports_the_widgets_only_inside_the_loss_plot_callback():
    import adkernel.keras

    for path in Path(adkernel.keras.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in top if isinstance(n, ast.Import) for a in n.names]
        assert not [n for n in names if "widgets" in n or "matplotlib" in n], path.name


# ----- tf.data ----------------------------------------------------------------------------------

def test_seeded_shuffle_repeats_and_reshuffles_each_pass():
    ds = tf.data.Dataset.range(20).shuffle(20, seed=4)
    first, second = list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator())
    assert sorted(first) == list(range(20)) and first != second
    again = tf.data.Dataset.range(20).shuffle(20, seed=4)
    assert list(again.as_numpy_iterator()) == first
    fixed = tf.data.Dataset.range(20).shuffle(20, seed=4, reshuffle_each_iteration=False)
    assert list(fixed.as_numpy_iterator()) == list(fixed.as_numpy_iterator())


def test_small_shuffle_buffer_keeps_elements_near_their_place():
    order = list(tf.data.Dataset.range(100).shuffle(3, seed=1).as_numpy_iterator())
    assert sorted(order) == list(range(100))
    # an element leaves the buffer at most buffer_size - 1 places before its index
    assert all(v <= i + 2 for i, v in enumerate(order))


def test_dataset_length_and_bad_arguments():
    with pytest.raises(TypeError, match="infinite"):
        len(tf.data.Dataset.range(3).repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(tf.data.Dataset.range(3).filter(lambda x: x > 0))
    with pytest.raises(ValueError, match="first dimensions differ"):
        tf.data.Dataset.from_tensor_slices((np.ones(3), np.ones(4)))
    with pytest.raises(ValueError, match="batch_size must be positive"):
        tf.data.Dataset.range(3).batch(0)
    assert list(tf.data.Dataset.range(0).repeat().as_numpy_iterator()) == []


def test_a_model_without_trainable_weights_warns_and_still_measures():
    class Fixed(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(5.0)  # a bare variable is not a Keras weight (Keras 3 too)

        def call(self, x):
            return self.w * x

    model = Fixed()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(UserWarning, match="trainable weights"):
        history = model.fit(np.ones(4, np.float32), np.ones(4, np.float32), verbose=0)
    assert history.history["loss"] == [16.0]


def test_progress_of_a_dataset_of_unknown_size_counts_its_batches():
    ds = tf.data.Dataset.from_tensor_slices((XN, YN)).batch(3).filter(lambda a, b: True)
    text = _printed(lambda: _model().fit(ds, epochs=1))
    assert text.startswith("\r3/? - loss: "), text


# ----- Keras misuse refused as Keras 3 refuses it (measured on TensorFlow 2.21) --------------

def test_a_built_layer_gets_no_second_set_of_weights():
    dense = tf.keras.layers.Dense(2)
    dense.build((None, 3))
    with pytest.raises(ValueError, match="already built"):
        dense.build((None, 3))
    assert len(dense.weights) == 2


@pytest.mark.parametrize("units", [2.5, "3", 2.0, 0, -1, np.int64(3)])
def test_dense_units_must_be_a_positive_python_int(units):
    with pytest.raises(ValueError, match="units must be a positive integer"):
        tf.keras.layers.Dense(units)


def test_dense_needs_a_batch_and_casts_integer_inputs():
    dense = tf.keras.layers.Dense(2, kernel_initializer="ones")
    with pytest.raises(ValueError, match=r"rank 2 or more.*tf.expand_dims\(x, 0\)"):
        dense(np.ones(3, np.float32))
    out = dense(tf.constant([[1, 2, 3]]))  # int32: cast to float32, as Keras does
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), [[6.0, 6.0]])
    assert dense(np.ones((2, 5, 3), np.float32)).shape == (2, 5, 2)


def test_an_empty_sequential_cannot_run():
    with pytest.raises(ValueError, match="has no layers"):
        tf.keras.Sequential([])(tf.constant([[1.0, 2.0]]))


def test_one_optimizer_serves_one_set_of_variables():
    opt = tf.keras.optimizers.Adam(0.1)
    x = np.ones((4, 3), np.float32)
    first, second = tf.keras.layers.Dense(1), tf.keras.layers.Dense(1)
    for layer in (first, second):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x))
        grads = tape.gradient(loss, layer.trainable_variables)
        if layer is first:
            opt.apply_gradients(zip(grads, layer.trainable_variables, strict=True))
            opt.apply_gradients(zip(grads[:1], layer.trainable_variables[:1], strict=True))
        else:
            with pytest.raises(ValueError, match="Create a new optimizer for each model"):
                opt.apply_gradients(zip(grads, layer.trainable_variables, strict=True))
