"""A namespace object (``tf.math``, ``tf.keras.layers``, ...) whose missing names say so."""

from __future__ import annotations

from types import SimpleNamespace


class Namespace(SimpleNamespace):
    """Like ``SimpleNamespace``; a missing attribute raises an ``AttributeError`` naming the
    TensorFlow name adkernel does not implement and where to look."""

    def __init__(self, _label, **names):
        super().__init__(**names)
        object.__setattr__(self, "_label", _label)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise AttributeError(
            f"module 'adkernel.{self._label}' has no attribute {attr!r}: adkernel does not "
            f"implement {self._label}.{attr} (see docs/tf-compat.md and docs/ops.md)")

    def __repr__(self):
        return f"<adkernel {self._label} namespace>"
