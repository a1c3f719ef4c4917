"""Saving whole objects (adkernel/saving.py, docs/saving.md): ``tf.saved_model.save``/``load``
and ``Model.save`` / ``tf.keras.models.load_model`` in adkernel's own format. What is saved
must come back computing the same numbers; what cannot be rebuilt is refused, saying why."""

from __future__ import annotations

import json
import sys
import types
import zipfile

import numpy as np
import pytest

from adkernel import tf
from adkernel.saving import SavingError

X = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(4, 3)


class Scale(tf.Module):
    def __init__(self, value, shared=None):
        super().__init__()
        self.weight = tf.Variable(value)
        self.frozen = tf.Variable([1.0, 2.0], trainable=False, name="frozen")
        self.offsets = [tf.Variable(0.5), tf.constant([1.0, -1.0])]
        self.shared = shared
        self.settings = {"power": 2, "label": "scale"}

    @tf.function
    def __call__(self, x):
        return (x * self.weight + self.offsets[0]) ** self.settings["power"]


class Pair(tf.Module):
    def __init__(self):
        super().__init__()
        v = tf.Variable(3.0)
        self.a = Scale(2.0, shared=v)
        self.b = Scale(-1.0, shared=v)
        self.same = self.a


def _square_features(x):
    return tf.stack([x, x ** 2], axis=1)


class Regressor(tf.keras.Model):
    def __init__(self, hidden, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden, activation=activation)
        self.out = tf.keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


# ----- tf.saved_model ------------------------------------------------------------------------

def test_saved_module_comes_back_with_its_values_and_computes_the_same(tmp_path):
    mod = Scale(3.0)
    mod.weight.assign(1.5)
    tf.saved_model.save(mod, tmp_path / "saved")
    back = tf.saved_model.load(tmp_path / "saved")
    assert type(back) is Scale and back is not mod
    assert float(back(tf.constant(2.0))) == float(mod(tf.constant(2.0))) == 12.25
    assert [v.numpy().tolist() for v in back.variables] == [
        v.numpy().tolist() for v in mod.variables]
    assert [v.trainable for v in back.variables] == [v.trainable for v in mod.variables]
    assert back.frozen.name == "frozen:0" and back.settings == {"power": 2, "label": "scale"}
    assert back.offsets[1].numpy().tolist() == [1.0, -1.0]
    # the loaded variables are new ones: changing them leaves the saved object alone
    back.weight.assign(0.0)
    assert float(mod.weight) == 1.5


def test_options_are_accepted_and_a_custom_gradient_survives(tmp_path):
    mod = Scale(2.0)
    tf.saved_model.save(mod, tmp_path / "o", options=tf.saved_model.SaveOptions(
        experimental_custom_gradients=True))
    back = tf.saved_model.load(tmp_path / "o", options=tf.saved_model.LoadOptions())
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = back(v)  # (2 v + 0.5) ** 2: d/dv = 4 (2 v + 0.5) = 10
    assert float(tape.gradient(y, v)) == 10.0


def test_the_integer_module_of_the_basics_guide_keeps_its_dtype(tmp_path):
    mod = Scale(3)
    mod.offsets[0] = tf.Variable(0)
    tf.saved_model.save(mod, tmp_path / "m")
    back = tf.saved_model.load(tmp_path / "m")
    assert back.weight.dtype == tf.int32
    assert back(tf.constant([1, 2, 3])).numpy().tolist() == [9, 36, 81]


def test_shared_variables_and_modules_stay_shared(tmp_path):
    pair = Pair()
    tf.saved_model.save(pair, tmp_path / "pair")
    back = tf.saved_model.load(tmp_path / "pair")
    assert back.a.shared is back.b.shared and back.same is back.a
    back.a.shared.assign(7.0)
    assert float(back.b.shared) == 7.0
    assert len(back.variables) == len(pair.variables)


def test_what_cannot_be_saved_is_refused_when_saving_with_its_place(tmp_path):
    mod = Scale(1.0)
    mod.settings["hook"] = lambda x: x
    with pytest.raises(SavingError, match=r"Scale\.settings\['hook'\] cannot be saved"):
        tf.saved_model.save(mod, tmp_path / "no")
    assert not (tmp_path / "no").exists()  # nothing half-written
    with pytest.raises(SavingError, match=r"needs a tf\.Module"):
        tf.saved_model.save({"w": tf.Variable(1.0)}, tmp_path / "no")
    with pytest.raises(SavingError, match="signatures"):
        tf.saved_model.save(Scale(1.0), tmp_path / "no", signatures={})


def test_a_class_defined_inside_a_function_is_refused_when_saving(tmp_path):
    class Local(tf.Module):
        def __init__(self):
            self.w = tf.Variable(1.0)

    with pytest.raises(SavingError, match="defined inside a function"):
        tf.saved_model.save(Local(), tmp_path / "local")


def test_loading_needs_the_class_in_the_session_and_imports_nothing(tmp_path):
    source = types.ModuleType("adk_saving_probe")
    exec("from adkernel import tf\n"
         "class Probe(tf.Module):\n"
         "    def __init__(self):\n"
         "        self.w = tf.Variable(2.0)\n", source.__dict__)
    sys.modules["adk_saving_probe"] = source
    try:
        tf.saved_model.save(source.Probe(), tmp_path / "probe")
        assert float(tf.saved_model.load(tmp_path / "probe").w) == 2.0
        del source.Probe
        with pytest.raises(SavingError, match="Probe is not defined in the module"):
            tf.saved_model.load(tmp_path / "probe")
    finally:
        del sys.modules["adk_saving_probe"]
    with pytest.raises(SavingError, match="'adk_saving_probe' is not imported"):
        tf.saved_model.load(tmp_path / "probe")


def test_a_directory_that_adkernel_did_not_write_is_refused(tmp_path):
    (tmp_path / "tf_model").mkdir()
    (tmp_path / "tf_model" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(SavingError, match="cannot read TensorFlow's SavedModel"):
        tf.saved_model.load(tmp_path / "tf_model")


# ----- Keras: Model.save and load_model -------------------------------------------------------

def _data():
    y = (X[:, :1] * 2.0 - X[:, 1:2] + 0.5).astype(np.float32)
    return X, y


def _same_predictions(a, b, x=X):
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))


def test_sequential_round_trip_keeps_weights_layers_and_compile(tmp_path):
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(5, activation="tanh", kernel_initializer="he_normal"),
        tf.keras.layers.BatchNormalization(momentum=0.5),
        tf.keras.layers.Dropout(0.3),
        tf.keras.layers.LayerNormalization(epsilon=0.01),
        tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    x, y = _data()
    model.fit(x, y, epochs=3, batch_size=2, verbose=0, shuffle=False)
    model.save(tmp_path / "m.keras")
    back = tf.keras.models.load_model(tmp_path / "m.keras")
    assert [type(layer).__name__ for layer in back.layers] == [
        "Dense", "BatchNormalization", "Dropout", "LayerNormalization", "Dense"]
    assert [layer.name for layer in back.layers] == [layer.name for layer in model.layers]
    for a, b in zip(back.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    _same_predictions(back, model)
    assert back.layers[1].momentum == 0.5 and back.layers[3].epsilon == 0.01
    assert type(back.optimizer).__name__ == "Adam"
    assert np.isclose(float(back.optimizer.learning_rate), 0.01)
    assert back.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    back.fit(x, y, epochs=1, verbose=0)  # compiled: it trains on


def test_subclassed_model_is_rebuilt_from_its_constructor_arguments(tmp_path):
    model = Regressor(4, activation="sigmoid", name="reg")
    model.compile(optimizer="sgd", loss=tf.keras.losses.MeanSquaredError())
    x, y = _data()
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "r.keras")
    back = tf.keras.models.load_model(tmp_path / "r.keras")
    assert type(back) is Regressor and back.name == "reg"
    assert back.hidden.activation is model.hidden.activation
    _same_predictions(back, model)
    assert back.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    uncompiled = tf.keras.models.load_model(tmp_path / "r.keras", compile=False)
    with pytest.raises(ValueError, match="compile"):
        uncompiled.evaluate(x, y, verbose=0)


def test_functions_defined_at_the_top_level_are_saved_by_name(tmp_path):
    x = np.linspace(-2.0, 2.0, 9, dtype=np.float32)
    model = tf.keras.Sequential([
        tf.keras.layers.Lambda(_square_features),
        tf.keras.layers.Dense(1, kernel_initializer=tf.random.normal)])
    model.compile(loss=tf.keras.losses.MSE, optimizer=tf.keras.optimizers.SGD(0.01))
    model.fit(x, x ** 2, epochs=2, verbose=0)
    model.save(tmp_path / "f.keras")
    back = tf.keras.models.load_model(tmp_path / "f.keras")
    assert back.layers[0].function is _square_features
    _same_predictions(back, model, x)


def test_a_lambda_saves_but_does_not_load_and_the_weights_still_do(tmp_path):
    x = np.linspace(-2.0, 2.0, 9, dtype=np.float32)

    def make():
        return tf.keras.Sequential([
            tf.keras.layers.Lambda(lambda t: tf.stack([t, t ** 2], axis=1)),
            tf.keras.layers.Dense(1, kernel_initializer=lambda shape, dtype=None: tf.ones(
                shape))])

    model = make()
    model(x)
    model.layers[1].kernel.assign([[0.5], [-2.0]])
    model.save(tmp_path / "l.keras")  # as Keras: saving works ...
    with pytest.raises(SavingError, match=r"<lambda>.*model\.load_weights\(path\)"):
        tf.keras.models.load_model(tmp_path / "l.keras")  # ... loading it cannot
    again = make()
    again(x)
    again.load_weights(tmp_path / "l.keras")
    _same_predictions(again, model, x)


def test_saved_model_save_of_a_keras_model_loads_as_that_model(tmp_path):
    model = tf.keras.Sequential([tf.keras.layers.Embedding(5, 2),
                                 tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])
    ids = np.array([[0, 4], [3, 1]])
    model(ids)
    tf.saved_model.save(model, tmp_path / "emb")
    back = tf.saved_model.load(tmp_path / "emb")
    _same_predictions(back, model, ids)


def test_the_file_format_is_a_zip_of_json_and_npz(tmp_path):
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    model(X)
    model.save(tmp_path / "z.keras")
    with zipfile.ZipFile(tmp_path / "z.keras") as z:
        info = json.loads(z.read("adkernel_model.json"))
        assert sorted(z.namelist()) == ["adkernel_model.json", "arrays.npz",
                                        "model.weights.npz"]
    assert info["format"] == "adkernel-keras 1" and info["compile"] is None
    assert info["model"]["layers"][0]["args"] == {"list": [2]}


def test_saving_mistakes_are_refused(tmp_path):
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    model(X)
    with pytest.raises(ValueError, match=r"must end in \.keras"):
        model.save(tmp_path / "model.h5")
    model.save(tmp_path / "a.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "a.keras", overwrite=False)
    (tmp_path / "other.keras").write_bytes(b"not a zip")
    with pytest.raises(SavingError, match="not a model saved by adkernel"):
        tf.keras.models.load_model(tmp_path / "other.keras")


def test_keras_3_has_no_losses_mean_squared_error():
    for space in (tf.keras.losses, tf.losses):
        with pytest.raises(AttributeError, match=r"MeanSquaredError\(\)"):
            space.mean_squared_error
    assert tf.keras.losses.MSE is tf.keras.losses.mse
