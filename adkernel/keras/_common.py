"""Shared pieces of adkernel's small ``tf.keras``: variables with Keras' names, unique layer
names, and the error for what is out of scope."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict

from ..engine.i18n import _
from ..engine.tensor import Variable

_UIDS: defaultdict = defaultdict(itertools.count)

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


def snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def unique_name(prefix: str) -> str:
    """``dense``, ``dense_1``, ``dense_2``, ... as Keras names layers."""
    n = next(_UIDS[prefix])
    return prefix if n == 0 else f"{prefix}_{n}"


class KerasVariable(Variable):
    """A layer's or optimizer's variable: ``name`` is Keras 3's short name (``'kernel'``),
    ``path`` the full one (``'dense/kernel'``)."""

    __slots__ = ("_keras_trainable", "_path")

    def __init__(self, initial_value, trainable=True, name=None, dtype=None, path=None,
                 constraint=None):
        super().__init__(initial_value, trainable=trainable, name=name, dtype=dtype,
                         constraint=constraint)
        self._path = path or self._name
        self._keras_trainable = bool(trainable)

    @property
    def name(self) -> str:
        return self._name

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return (f"<Variable path={self._path}, shape={tuple(self._value.shape)}, "
                f"dtype={self.dtype.name}, value={self._value}>")

    __str__ = __repr__
