"""``tf.keras.metrics``: running averages over batches, as Keras 3 keeps them.

A metric holds two float32 numbers, a weighted ``total`` and a ``count``;
``update_state`` adds a batch, ``result()`` is ``total / count`` (a float32 tensor) and
``reset_state`` starts again. ``Model.fit`` resets its metrics at each epoch, so the logged
value is the epoch's average. Calling a metric (``m(y_true, y_pred)``) updates it and
returns the result.
"""

from __future__ import annotations

import numpy as np

from ..engine.i18n import _
from ..engine.tensor import TensorLike, convert_to_tensor
from ..engine.trace import replayed
from ._common import out_of_scope

__all__ = ["Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "Mean", "MeanAbsoluteError",
           "MeanMetricWrapper", "MeanSquaredError", "Metric", "SparseCategoricalAccuracy",
           "get"]


def _array(value, dtype=None) -> np.ndarray:
    a = value.numpy() if isinstance(value, TensorLike) else np.asarray(value)
    return a if dtype is None else a.astype(dtype)


class Metric:
    """Base class: ``update_state(...)``, ``result()``, ``reset_state()``."""

    _direction = None  # "up" (accuracy) or "down" (an error): read by EarlyStopping

    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__.lower()
        self.dtype = "float32" if dtype is None else str(getattr(dtype, "name", dtype))
        self._zero()  # (not reset_state: creating a metric in a traced step is done once)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("update_state", "result", "reset_state"):
            if name in vars(cls):
                setattr(cls, name, replayed(vars(cls)[name]))

    def reset_state(self) -> None:
        self._zero()

    def _zero(self) -> None:
        self._total = np.float32(0.0)
        self._count = np.float32(0.0)

    def result(self):
        value = self._total / self._count if self._count else np.float32(0.0)
        return convert_to_tensor(np.asarray(value, np.float32))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of every value given: ``total += sum(values * w)``,
    ``count += sum(w)``. Values of rank 2 or more count once per row (their mean)."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None) -> None:
        v = _array(values, np.float32)
        if v.ndim > 1:
            v = v.mean(axis=tuple(range(1, v.ndim)), dtype=np.float32)
        if sample_weight is None:
            self._total = np.float32(self._total + v.sum(dtype=np.float32))
            self._count = np.float32(self._count + (v.size if v.ndim else 1))
            return
        w = _array(sample_weight, np.float32)
        while w.ndim > v.ndim and w.shape[-1] == 1:
            w = w[..., 0]
        w = np.broadcast_to(w, v.shape)
        self._total = np.float32(self._total + (v * w).sum(dtype=np.float32))
        self._count = np.float32(self._count + w.sum(dtype=np.float32))


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred)``: one value per sample, averaged over batches."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype)
        self._fn, self._kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        super().update_state(self._fn(y_true, y_pred, **self._kwargs), sample_weight)


def _same_rank(t, p):
    """(n,) labels against (n, 1) predictions: drop the trailing 1 (as Keras squeezes)."""
    if t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = t[..., 0]
    elif p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        p = p[..., 0]
    return t, p


def accuracy(y_true, y_pred):
    t, p = _same_rank(_array(y_true), _array(y_pred))
    return (t == p).astype(np.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    t, p = _same_rank(_array(y_true), _array(y_pred))
    return ((p > threshold).astype(t.dtype) == t).astype(np.float32).mean(axis=-1)


def categorical_accuracy(y_true, y_pred):
    t, p = _array(y_true), _array(y_pred)
    return (np.argmax(t, axis=-1) == np.argmax(p, axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    t, p = _array(y_true), _array(y_pred)
    if t.ndim == p.ndim and t.shape[-1] == 1:
        t = t[..., 0]
    return (np.argmax(p, axis=-1) == t.astype(np.int64)).astype(np.float32)


def mean_squared_error(y_true, y_pred):
    t, p = _same_rank(_array(y_true, np.float32), _array(y_pred, np.float32))
    return np.square(t - p).mean(axis=-1, dtype=np.float32)


def mean_absolute_error(y_true, y_pred):
    t, p = _same_rank(_array(y_true, np.float32), _array(y_pred, np.float32))
    return np.abs(t - p).mean(axis=-1, dtype=np.float32)


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly."""

    _direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the 0/1 label ``y_true``."""

    _direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` equals ``argmax(y_true)`` (one-hot labels)."""

    _direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` equals the integer label ``y_true``."""

    _direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype)


class MeanSquaredError(MeanMetricWrapper):
    """The mean of ``(y_true - y_pred)**2``."""

    _direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean of ``|y_true - y_pred|``."""

    _direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype)


_BY_NAME = {
    "accuracy": Accuracy, "acc": Accuracy, "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
}


def get(identifier) -> Metric:
    """A metric object from a name (``'mse'``), a metric or a function of
    ``(y_true, y_pred)``."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
        raise out_of_scope(_("the metric {name!r}").format(name=identifier), _(
            "adkernel knows {names}.").format(names=", ".join(sorted(_BY_NAME))))
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(_("A metric is a name (e.g. 'accuracy'), a tf.keras.metrics object or a "
                      "function of (y_true, y_pred); got {type}").format(
                          type=type(identifier).__name__))


# A metric keeps its state in Python: a traced step must update and read it at every call.
for _name in ("update_state", "result", "reset_state"):
    setattr(Metric, _name, replayed(vars(Metric)[_name]))
