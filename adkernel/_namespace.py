"""A namespace object (``tf.math``, ``tf.keras.layers``, ...) whose missing names say so."""

from __future__ import annotations

from types import SimpleNamespace

from .engine.i18n import _


class Namespace(SimpleNamespace):
    """Like ``SimpleNamespace``; a missing attribute raises an ``AttributeError`` naming the
    TensorFlow name adkernel does not implement and where to look."""

    def __init__(self, _label, **names):
        super().__init__(**names)
        object.__setattr__(self, "_label", _label)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise missing_name(self._label, attr)

    def __repr__(self):
        return _("<adkernel {label} namespace>").format(label=self._label)


def missing_name(label: str, attr: str) -> AttributeError:
    """The ``AttributeError`` for ``label.attr`` (``tf.math.foo``), a name adkernel lacks."""
    return AttributeError(_(
        "module 'adkernel.{label}' has no attribute {attr!r}: adkernel does not implement "
        "{label}.{attr} (see docs/tf-compat.md and docs/ops.md)").format(label=label, attr=attr),
        name=attr)
