"""Namespace objects (``tf.math``, ``tf.keras.layers``, ...) whose missing names say so, and
the namespaces (``tf.data``, ``tf.keras.callbacks``, ...) that are out of adkernel's scope."""

from __future__ import annotations

import unicodedata
from types import SimpleNamespace

from .engine.i18n import _


class Namespace(SimpleNamespace):
    """Like ``SimpleNamespace``; a missing attribute raises an ``AttributeError`` naming the
    TensorFlow name adkernel does not implement and where to look."""

    def __init__(self, _label, _hints=None, **names):
        super().__init__(**names)
        object.__setattr__(self, "_label", _label)
        object.__setattr__(self, "_hints", dict(_hints or {}))

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr in self._hints:  # a name TensorFlow lacks too: say what to use instead
            raise AttributeError(_(
                "module 'adkernel.{label}' has no attribute {attr!r}, as TensorFlow 2.21 "
                "(Keras 3) has none: {hint}").format(label=self._label, attr=attr,
                                                     hint=self._hints[attr]), name=attr)
        raise missing_name(self._label, attr)

    def __repr__(self):
        return _("<adkernel {label} namespace>").format(label=self._label)


def missing_name(label: str, attr: str) -> AttributeError:
    """The ``AttributeError`` for ``label.attr`` (``tf.math.foo``), a name adkernel lacks."""
    return AttributeError(_(
        "module 'adkernel.{label}' has no attribute {attr!r}: adkernel does not implement "
        "{label}.{attr} (see docs/tf-compat.md and docs/ops.md)").format(label=label, attr=attr),
        name=attr)


TAPE_LOOP = """\
    optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)
    loss_fn = tf.keras.losses.MeanSquaredError()
    for epoch in range(epochs):
        with tf.GradientTape() as tape:
            loss = loss_fn(y_train, model(x_train, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))"""


class OutOfScopeError(NotImplementedError):
    """A Keras/TensorFlow feature outside adkernel's scope (an eager tape engine)."""


def out_of_scope(what: str, why: str = "") -> OutOfScopeError:
    """The error for ``what`` (a name, or a phrase in the learner's language), with ``why``
    (what to do instead, or ``""``) and the GradientTape loop that replaces ``fit``.

    ``what`` and ``why`` may be :func:`lazy` texts: they are shown in the current language.
    """
    what, why = str(what), str(why)
    if why:
        text = _("{what} is out of adkernel's scope: adkernel is an eager tape engine for "
                 "learning automatic differentiation, with a small exact tf.keras "
                 "(layers.Dense, layers.BatchNormalization, Sequential, optimizers.SGD/Adam, "
                 "losses). {why} Write the training loop with a GradientTape instead:\n\n"
                 "{loop}\n\nSee docs/tf-compat.md for what adkernel covers.")
    else:
        text = _("{what} is out of adkernel's scope: adkernel is an eager tape engine for "
                 "learning automatic differentiation, with a small exact tf.keras "
                 "(layers.Dense, layers.BatchNormalization, Sequential, optimizers.SGD/Adam, "
                 "losses). Write the training loop with a GradientTape instead:\n\n"
                 "{loop}\n\nSee docs/tf-compat.md for what adkernel covers.")
    message = text.format(what=what, why=why, loop=TAPE_LOOP)
    if what and unicodedata.east_asian_width(what[-1]) in "WF":
        # a phrase in Chinese ("学习率调度器"): no space between it and the Chinese after it
        message = message.replace(what + " ", what, 1)
    return OutOfScopeError(message)


class OutOfScope:
    """A namespace (``tf.data``, ``tf.image``, ``tf.saved_model``, ...) that says so."""

    def __init__(self, what: str, why: str = ""):
        self._what = what
        self._why = why

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise out_of_scope(f"{self._what}.{attr}", self._why)

    def __repr__(self):
        return _("<{what}: out of adkernel's scope (see docs/tf-compat.md)>").format(
            what=self._what)
