"""Saving whole objects: ``tf.saved_model.save``/``load`` and Keras' ``Model.save`` /
``tf.keras.models.load_model``, in adkernel's own honest format (docs/saving.md).

TensorFlow saves traced graphs, so a SavedModel runs without its Python code. adkernel builds
no graph: it saves the **values** (every variable, in a numpy ``.npz``) and the **structure**
needed to rebuild the object (a JSON file: the class by module and name, the attributes, a
Keras layer's constructor arguments). The code stays where it is: loading looks the classes
and functions up among the modules already imported in this Python session (it imports
nothing and runs no saved code). What cannot be rebuilt is refused with the reason: an
attribute of a kind adkernel cannot save is refused when saving; a class that is not
defined in the session, or a Keras ``Lambda`` whose function is a ``lambda``, when loading
(rebuild that model in code and ``load_weights`` the same file: the weights always load).
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile

import numpy as np

from .engine.i18n import _
from .engine.tensor import TensorLike, Variable, convert_to_tensor

FORMAT = "adkernel-saved 1"
KERAS_FORMAT = "adkernel-keras 1"
_MODULE_JSON = "adkernel_module.json"
_MODULE_NPZ = "variables.npz"
_KERAS_JSON = "adkernel_model.json"
_KERAS_NPZ = "model.weights.npz"
_KERAS_ARRAYS = "arrays.npz"  # arrays among the layers' arguments (Embedding(weights=...))


class SavingError(ValueError):
    """An object (or a part of it) that adkernel cannot save or rebuild."""


# ----- functions and classes by name ---------------------------------------------------------


def _reference(obj):
    """``{"module", "qualname"}`` when ``obj`` can be found again by that name, else None."""
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    owner = getattr(obj, "__self__", None)
    if owner is not None and not isinstance(owner, type) and module in sys.modules:
        # a method of an object held by a module (tf.random.normal): "random.normal"
        holder = [k for k, v in vars(sys.modules[module]).items() if v is owner]
        qualname = f"{holder[0]}.{obj.__name__}" if holder else None
    if not module or not qualname or "<" in qualname:
        return None
    try:
        found = _lookup(module, qualname)
    except SavingError:
        return None
    return {"module": module, "qualname": qualname} if found is obj or (
        owner is not None and found == obj) else None


def _lookup(module: str, qualname: str):
    """The object ``module.qualname`` from the modules already imported (nothing is imported
    or run)."""
    mod = sys.modules.get(module)
    if mod is None:
        raise SavingError(_(
            "{name} cannot be found: its module {module!r} is not imported in this Python "
            "session. adkernel saves values and names, not code: import or define it first, "
            "then load again.").format(name=qualname, module=module))
    obj = mod
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            where = (_("in this notebook or script") if module == "__main__"
                     else _("in the module {module!r}").format(module=module))
            raise SavingError(_(
                "{name} is not defined {where}: adkernel saves values and names, not code. "
                "Run the cell (or import the code) that defines {name} first, then load "
                "again.").format(name=qualname, where=where))
    return obj


def _describe(value) -> str:
    name = getattr(value, "__qualname__", None) or type(value).__name__
    return name if callable(value) else type(value).__name__


# ----- encoding values as JSON (arrays go to the .npz) ----------------------------------------


class _Writer:
    """Turns a value into JSON; arrays and variables become entries of ``self.arrays``."""

    def __init__(self, strict: bool):
        self.arrays: dict[str, np.ndarray] = {}
        self._seen: dict[int, str] = {}
        self._objects: dict[int, int] = {}
        self.strict = strict  # refuse what cannot be saved (else: record it as unsaved)

    def _array(self, value) -> str:
        key = self._seen.get(id(value))
        if key is None:
            key = f"a{len(self.arrays)}"
            self._seen[id(value)] = key
            self.arrays[key] = np.asarray(value.numpy() if isinstance(value, TensorLike)
                                          else value)
        return key

    def encode(self, value, where: str):
        from .keras.layers import Layer
        from .tf_function import Function, Module

        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, np.generic):
            return {"scalar": value.item(), "dtype": value.dtype.name}
        if isinstance(value, Variable):
            return {"variable": self._array(value), "trainable": bool(value.trainable),
                    "name": value.name.split(":")[0]}
        if isinstance(value, TensorLike):
            return {"tensor": self._array(value)}
        if isinstance(value, np.ndarray):
            return {"ndarray": self._array(value)}
        if isinstance(value, list | tuple):
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"list": items} if isinstance(value, list) else {"tuple": items}
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"dict": {k: self.encode(v, f"{where}[{k!r}]") for k, v in value.items()}}
        if isinstance(value, Layer):
            return {"layer": keras_config(value, self, where),
                    "weights": [self._array(w) for w in value.weights]}
        if isinstance(value, Module):
            return self._module(value, where)
        if isinstance(value, Function) and value._instance is None:
            ref = _reference(value)
            if ref is not None:
                return {"callable": ref}
        if isinstance(value, type) or (callable(value) and not hasattr(value, "get_config")):
            ref = _reference(value)
            if ref is not None:
                return {"callable": ref}
        elif hasattr(value, "get_config"):
            ref = _reference(type(value))
            if ref is not None:
                return {"config_object": ref,
                        "config": self.encode(value.get_config(), f"{where}.get_config()")}
        if self.strict:
            raise SavingError(_(
                "{where} cannot be saved: it is a {kind}, and adkernel saves variables, "
                "tensors, numpy arrays, numbers, strings, lists and dicts of them, "
                "tf.Module and Keras objects, and functions and classes defined at the top "
                "level of a module. Keep it out of the object's attributes (e.g. pass it as "
                "an argument), then save again.").format(where=where, kind=_describe(value)))
        return {"unsaved": _describe(value), "where": where}

    def _module(self, module, where):
        if id(module) in self._objects:
            return {"same_as": self._objects[id(module)]}
        self._objects[id(module)] = len(self._objects)
        ref = _reference(type(module))
        if ref is None and "<locals>" not in type(module).__qualname__:
            raise SavingError(_(
                "{where} cannot be saved: its class cannot be found again as {name} (the "
                "name and module it says it has), so it could not be rebuilt when loading. "
                "Define the class at the top level of the notebook or module, then save "
                "again.").format(where=where, name=f"{type(module).__module__}."
                                 f"{type(module).__qualname__}"))
        if ref is None:
            raise SavingError(_(
                "{where} cannot be saved: its class {cls} is defined inside a function, so it "
                "could not be found again when loading. Define the class at the top level of "
                "the notebook or module, then save again.").format(
                    where=where, cls=type(module).__qualname__))
        attrs = {k: self.encode(v, f"{where}.{k}") for k, v in vars(module).items()}
        return {"module": ref, "id": self._objects[id(module)], "attrs": attrs}


class _Reader:
    def __init__(self, arrays):
        self.arrays = arrays
        self._objects: dict[int, object] = {}
        self._variables: dict[str, Variable] = {}

    def decode(self, value):
        if not isinstance(value, dict):
            return value
        if "scalar" in value:
            return np.dtype(value["dtype"]).type(value["scalar"])
        if "variable" in value:
            key = value["variable"]
            if key not in self._variables:  # one variable shared by two attributes stays one
                self._variables[key] = Variable(self.arrays[key], trainable=value["trainable"],
                                                name=value["name"])
            return self._variables[key]
        if "tensor" in value:
            return convert_to_tensor(self.arrays[value["tensor"]])
        if "ndarray" in value:
            return self.arrays[value["ndarray"]]
        if "list" in value:
            return [self.decode(v) for v in value["list"]]
        if "tuple" in value:
            return tuple(self.decode(v) for v in value["tuple"])
        if "dict" in value:
            return {k: self.decode(v) for k, v in value["dict"].items()}
        if "callable" in value:
            return _lookup(**value["callable"])
        if "config_object" in value:
            cls = _lookup(**value["config_object"])
            return cls(**self.decode(value["config"]))
        if "layer" in value:
            layer = keras_from_config(value["layer"], self)
            if value.get("weights"):
                layer.set_weights([self.arrays[k] for k in value["weights"]])
            return layer
        if "same_as" in value:
            return self._objects[value["same_as"]]
        if "module" in value:
            cls = _lookup(**value["module"])
            obj = cls.__new__(cls)
            self._objects[value["id"]] = obj
            for k, v in value["attrs"].items():
                object.__setattr__(obj, k, self.decode(v))
            return obj
        if "unsaved" in value:
            raise SavingError(_(
                "{where} was not saved (it was a {kind}, which adkernel cannot save), so this "
                "model cannot be rebuilt from the file. Build the model again in code, then "
                "model.load_weights(path): the weights in the file always load.").format(
                    where=value["where"], kind=value["unsaved"]))
        raise SavingError(_("The file holds an entry adkernel does not know: {value!r}").format(
            value=value))


# ----- tf.saved_model -------------------------------------------------------------------------


class SaveOptions:
    """``tf.saved_model.SaveOptions``: accepted and kept, changing nothing. adkernel saves
    no graph, so there is nothing to tune; custom gradients stay what the class's code
    says (``experimental_custom_gradients`` is always in effect)."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_debug_stripper=False, experimental_io_device=None,
                 experimental_variable_policy=None, experimental_custom_gradients=True,
                 experimental_image_format=False, experimental_skip_saver=False,
                 experimental_sharding_callback=None, extra_tags=None):
        self.experimental_custom_gradients = experimental_custom_gradients


class LoadOptions:
    """``tf.saved_model.LoadOptions``: accepted, changing nothing."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        pass



def saved_model_save(obj, export_dir, signatures=None, options=None):
    """``tf.saved_model.save``: a directory with ``variables.npz`` and
    ``adkernel_module.json`` (a Keras model: the files of ``Model.save``)."""
    from .keras.layers import Layer
    from .tf_function import Module

    if signatures is not None:
        raise SavingError(_("tf.saved_model.save: signatures are not supported (adkernel "
                            "saves no graphs); leave the argument out."))
    path = os.fspath(export_dir)
    if isinstance(obj, Layer):
        os.makedirs(path, exist_ok=True)
        _write_keras(obj, os.path.join(path, "model.keras"))
        return
    if not isinstance(obj, Module):
        raise SavingError(_(
            "tf.saved_model.save needs a tf.Module (or a Keras model), got {type}: put the "
            "variables in a class deriving from tf.Module.").format(type=type(obj).__name__))
    writer = _Writer(strict=True)
    tree = writer.encode(obj, type(obj).__name__)
    os.makedirs(path, exist_ok=True)
    np.savez(os.path.join(path, _MODULE_NPZ), **writer.arrays)
    with open(os.path.join(path, _MODULE_JSON), "w", encoding="utf-8") as f:
        json.dump({"format": FORMAT, "object": tree}, f, indent=1)


def saved_model_load(export_dir, tags=None, options=None):
    """``tf.saved_model.load``: the object rebuilt from its class (defined in this
    session) with the saved variables' values."""
    path = os.fspath(export_dir)
    if os.path.isfile(os.path.join(path, "model.keras")):
        return load_model(os.path.join(path, "model.keras"))
    meta = os.path.join(path, _MODULE_JSON)
    if not os.path.isfile(meta):
        raise SavingError(_(
            "{path} is not a model saved by adkernel's tf.saved_model.save (no {file} in it). "
            "adkernel cannot read TensorFlow's SavedModel files (they hold graphs).").format(
                path=path, file=_MODULE_JSON))
    with open(meta, encoding="utf-8") as f:
        info = json.load(f)
    _check_format(info, FORMAT, path)
    with np.load(os.path.join(path, _MODULE_NPZ)) as f:
        arrays = {k: f[k] for k in f.files}
    return _Reader(arrays).decode(info["object"])


def _check_format(info, expected, path):
    if info.get("format") != expected:
        raise SavingError(_("{path} was written in the format {got!r}; this adkernel reads "
                            "{expected!r}.").format(path=path, got=info.get("format"),
                                                    expected=expected))


# ----- Keras models -----------------------------------------------------------------------


def keras_config(layer, writer: _Writer, where: str) -> dict:
    """What rebuilds ``layer``: its class, its constructor's arguments, its build shape."""
    from .keras.models import Sequential

    cls = type(layer)
    ref = _reference(cls)
    config = {"class": ref or {"unsaved": cls.__qualname__, "where": where},
              "name": layer.name, "build": vars(layer).get("__first_input__")}
    if isinstance(layer, Sequential):
        config["layers"] = [keras_config(sub, writer, f"{where}.layers[{i}]")
                            for i, sub in enumerate(layer.layers)]
        return config
    args, kwargs = vars(layer).get("__init_args__", ((), {}))
    kwargs = dict(kwargs)
    kwargs.setdefault("name", layer.name)
    config["args"] = writer.encode(list(args), f"{where}.__init__")
    config["kwargs"] = writer.encode(kwargs, f"{where}.__init__")
    return config


def keras_from_config(config: dict, reader: _Reader):
    from .keras.models import Sequential

    if "unsaved" in config["class"]:
        reader.decode(config["class"])
    cls = _lookup(**config["class"])
    if issubclass(cls, Sequential) and "layers" in config:
        layer = cls([keras_from_config(c, reader) for c in config["layers"]],
                    name=config["name"])
    else:
        kwargs = config["kwargs"]["dict"]
        # an initializer that could not be saved (a lambda, ...) is left out: the layer
        # gets its default one, and its weights are the saved ones anyway
        kwargs = {k: v for k, v in kwargs.items()
                  if not (k.endswith("_initializer") and isinstance(v, dict) and "unsaved" in v)}
        layer = cls(*reader.decode(config["args"]), **reader.decode({"dict": kwargs}))
    build = config.get("build")
    if build is not None and not layer.built:
        shape, dtype = build
        layer(np.zeros([1 if d is None else d for d in shape], dtype))
    return layer


def _compile_config(model, writer):
    args = getattr(model, "_compile_args", None)
    if args is None:
        return None
    return writer.encode(args, "compile")


def _write_keras(model, path: str) -> None:
    writer = _Writer(strict=False)
    info = {"format": KERAS_FORMAT, "model": keras_config(model, writer, type(model).__name__),
            "compile": _compile_config(model, writer)}
    buf, extra = io.BytesIO(), io.BytesIO()
    np.savez(buf, *model.get_weights())
    np.savez(extra, **writer.arrays)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(_KERAS_JSON, json.dumps(info, indent=1))
        z.writestr(_KERAS_NPZ, buf.getvalue())
        z.writestr(_KERAS_ARRAYS, extra.getvalue())


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """``model.save(path)`` / ``tf.keras.models.save_model``: ``path`` ends in ``.keras``."""
    path = os.fspath(filepath)
    if not path.endswith(".keras"):
        raise ValueError(_(
            "The file name must end in .keras (adkernel's whole-model file: the weights as "
            ".npz and the configuration as JSON in one zip); got {path!r}. For the weights "
            "alone use model.save_weights('name.weights.npz').").format(path=path))
    if not overwrite and os.path.exists(path):
        raise FileExistsError(_("{path} exists and overwrite=False").format(path=path))
    _write_keras(model, path)


def read_keras_weights(path: str) -> list:
    """The weights (in ``get_weights()`` order) of a ``.keras`` file written by adkernel."""
    with zipfile.ZipFile(path) as z, np.load(io.BytesIO(z.read(_KERAS_NPZ))) as f:
        return [f[f"arr_{i}"] for i in range(len(f.files))]


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """``tf.keras.models.load_model``: the model rebuilt from its configuration (classes
    looked up in this session), with its weights, compiled as it was when saved."""
    path = os.fspath(filepath)
    try:
        with zipfile.ZipFile(path) as z:
            info = json.loads(z.read(_KERAS_JSON))
            with np.load(io.BytesIO(z.read(_KERAS_ARRAYS))) as f:
                arrays = {k: f[k] for k in f.files}
    except (zipfile.BadZipFile, KeyError):
        raise SavingError(_(
            "{path} is not a model saved by adkernel's model.save (Keras' own .keras and .h5 "
            "files cannot be read: they need Keras).").format(path=path)) from None
    _check_format(info, KERAS_FORMAT, path)
    reader = _Reader(arrays)
    model = keras_from_config(info["model"], reader)
    model.set_weights(read_keras_weights(path))
    if compile and info.get("compile") is not None:
        model.compile(**reader.decode(info["compile"]))
    return model
