"""adkernel's small, exact ``tf.keras`` (Keras 3's arithmetic, TensorFlow 2.21's names).

Covered: ``layers`` (``Dense``, ``BatchNormalization``, ``LayerNormalization``,
``Embedding``, ``Dropout``, ``Flatten``, ``Activation``, ``Layer`` for your own layers),
``Sequential``, ``Model`` (subclassing), ``optimizers`` (``SGD``, ``Adam``, ``AdamW``,
``RMSprop``, ``Adagrad``, and ``schedules``), ``losses`` (``MeanSquaredError``, ``Huber``,
``BinaryCrossentropy``, ``CategoricalCrossentropy``, ``SparseCategoricalCrossentropy`` and
their functions), ``metrics``, ``callbacks``, ``activations``, ``initializers`` and
``utils.set_random_seed``.
Training is a GradientTape loop you write, or ``compile``/``fit`` (the same loop, written
out in training.py); weights save to ``.npz``. The rest of Keras raises an error that
shows the loop. See docs/tf-compat.md.
"""

from __future__ import annotations

import random

import numpy as np

from .. import saving as _saving
from .._namespace import Namespace
from ..engine.i18n import _, lazy
from ..tf_random import random as _random
from . import activations as _activations
from . import callbacks as _callbacks
from . import initializers as _initializers
from . import layers as _layers
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from . import schedules as _schedules
from ._common import KerasVariable as Variable
from ._common import OutOfScope, OutOfScopeError, out_of_scope
from .models import Model, Sequential


def _space(module, extra=None):
    names = {n: getattr(module, n) for n in module.__all__}
    names.update(extra or {})
    return Namespace(f"tf.keras.{module.__name__.rsplit('.', 1)[-1]}", **names)


activations = _space(_activations)
initializers = _space(_initializers, {
    "zeros": _initializers.Zeros, "ones": _initializers.Ones,
    "constant": _initializers.Constant, "glorot_uniform": _initializers.GlorotUniform,
    "glorot_normal": _initializers.GlorotNormal, "he_normal": _initializers.HeNormal,
    "he_uniform": _initializers.HeUniform, "random_normal": _initializers.RandomNormal,
    "random_uniform": _initializers.RandomUniform,
    "truncated_normal": _initializers.TruncatedNormal})
layers = _space(_layers)
losses = _space(_losses, {"get": _losses.get})
object.__setattr__(losses, "_hints", _losses.MSE_HINTS)
optimizers = _space(_optimizers, {
    "schedules": Namespace("tf.keras.optimizers.schedules",
                           **{n: getattr(_schedules, n) for n in _schedules.__all__})})
metrics = _space(_metrics)
callbacks = _space(_callbacks)
def _refusing(what, why):
    def refuse(*args, **kwargs):
        raise out_of_scope(what, why)

    refuse.__name__ = what.rsplit(".", 1)[-1]
    return refuse


_load_model = _saving.load_model
_save_model = _saving.save_model


def _register_keras_serializable(package="Custom", name=None):
    """Accepted and not needed: adkernel's load_model finds a class by its module and name
    among the modules imported in the session (docs/saving.md)."""

    def decorator(cls):
        return cls

    return decorator


models = Namespace("tf.keras.models", Model=Model, Sequential=Sequential,
                   load_model=_load_model, save_model=_save_model)
saving = Namespace("tf.keras.saving", register_keras_serializable=_register_keras_serializable,
                   load_model=_load_model)
Layer = _layers.Layer
Loss = _losses.Loss
Optimizer = _optimizers.Optimizer


def Input(*args, **kwargs):
    """Symbolic inputs (the functional API) are out of scope: call the model on tensors."""
    raise out_of_scope(_("tf.keras.Input (symbolic tensors for the functional API)"),
                       _("Subclass tf.keras.Model or use tf.keras.Sequential, and call it on "
                         "real tensors."))


datasets = OutOfScope("tf.keras.datasets", lazy("Nothing downloads at run time in adkernel."))
preprocessing = OutOfScope("tf.keras.preprocessing")
applications = OutOfScope("tf.keras.applications", lazy("Pretrained models are not included."))
regularizers = OutOfScope("tf.keras.regularizers", lazy(
    "Add the penalty to the loss yourself, "
    "e.g. loss + 1e-4 * tf.add_n([tf.nn.l2_loss(w) for w in weights])."))


def set_random_seed(seed):
    """Seed Python's ``random``, numpy's global generator and ``tf.random`` at once, as
    ``keras.utils.set_random_seed`` does: initial weights, dropout and ``fit``'s shuffling
    then repeat from run to run."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(_("Expected `seed` argument to be an integer. Received: "
                           "seed={seed!r} (of type {type})").format(
                               seed=seed, type=type(seed).__name__))
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (the global generator, as Keras seeds it)
    _random.set_seed(seed)


utils = OutOfScope("tf.keras.utils")
utils.set_random_seed = set_random_seed
backend = OutOfScope("tf.keras.backend")
mixed_precision = OutOfScope("tf.keras.mixed_precision")

__all__ = ["Input", "Layer", "Loss", "Model", "Optimizer", "OutOfScopeError", "Sequential",
           "Variable", "activations", "applications", "backend", "callbacks", "datasets",
           "initializers", "layers", "losses", "metrics", "mixed_precision", "models",
           "optimizers", "preprocessing", "regularizers", "saving", "utils"]
