"""``tf.keras.Sequential`` and ``tf.keras.Model`` (subclassing; ``compile``/``fit`` come from
:mod:`adkernel.keras.training`)."""

from __future__ import annotations

import numpy as np

from ..engine.i18n import _
from ..engine.tensor import convert_to_tensor
from ._common import out_of_scope
from .layers import Layer
from .training import Trainer

__all__ = ["Model", "Sequential"]


class Model(Trainer, Layer):
    """Subclass it, create layers in ``__init__`` and write ``call``; train it with your own
    GradientTape loop, or with ``compile`` and ``fit`` (adkernel/keras/training.py: the same
    loop, written out).

    ``save`` writes adkernel's own ``.keras`` file (adkernel/saving.py, docs/saving.md); the
    functional form ``Model(inputs, outputs)`` is out of adkernel's scope.
    """

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise out_of_scope(_("tf.keras.Model(inputs, outputs) (the functional API)"),
                               _("Subclass tf.keras.Model and write call(), or use "
                                 "tf.keras.Sequential."))
        super().__init__(**kwargs)

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the whole model to ``filepath`` (``.keras``): a zip of the weights (``.npz``)
        and what rebuilds the model (JSON); ``tf.keras.models.load_model`` reads it."""
        from ..saving import save_model

        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    @property
    def layers(self) -> list:
        """The sub-layers, in the order their attributes were set."""
        return self._layers

    def summary(self, *args, **kwargs):
        lines = [_('Model: "{name}"').format(name=self.name)]
        for layer in self.layers:
            lines.append(_("  {name} ({cls}): {count} params").format(
                name=layer.name, cls=type(layer).__name__, count=layer.count_params()))
        lines.append(_("Total params: {count}").format(count=self.count_params()))
        print("\n".join(lines))


class Sequential(Model):
    """Layers applied one after the other: ``Sequential([Dense(8, 'relu'), Dense(1)])``.

    The model is built on its first call (or at once when the first layer was given
    ``input_shape=``); ``training=`` is passed on to the layers that take it.
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._seq_layers = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list:
        return list(self._seq_layers)

    def add(self, layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(_("Sequential.add needs a layer (e.g. tf.keras.layers.Dense(4)), "
                              "got {type}").format(type=type(layer).__name__))
        self._seq_layers.append(layer)
        if layer is self._seq_layers[0] and layer._build_shape is not None:
            self._build_from(layer._build_shape)
        elif self.built:
            self._build_from(self._input_shape)

    def pop(self):
        return self._seq_layers.pop()

    def _build_from(self, shape) -> None:
        self._input_shape = tuple(shape)
        x = convert_to_tensor(np.zeros([1 if d is None else d for d in shape], np.float32))
        for layer in self._seq_layers:
            x = layer(x)
        self.built = True

    def build(self, input_shape=None) -> None:
        if input_shape is not None:
            self._build_from(input_shape)
        self.built = True

    def _maybe_build(self, shape) -> None:
        # called on real inputs: the layers build themselves as the inputs pass through
        self._input_shape = (None, *shape[1:]) if shape else shape
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if not self._seq_layers:
            raise ValueError(_("Sequential model {name!r} has no layers, so it cannot run: "
                               "add some with model.add(layer).").format(name=self.name))
        x = inputs
        for layer in self._seq_layers:
            x = layer(x, training=training) if training is not None else layer(x)
        return x
