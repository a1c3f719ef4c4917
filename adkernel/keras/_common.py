"""Shared pieces of adkernel's small ``tf.keras``: variables with Keras' names, unique layer
names, and the error for what is out of scope."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

from .._namespace import OutOfScope, OutOfScopeError, out_of_scope  # noqa: F401 (re-exported)
from ..engine.tensor import Variable

_UIDS: defaultdict = defaultdict(itertools.count)

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
