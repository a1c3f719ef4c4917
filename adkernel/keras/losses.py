"""``tf.keras.losses``: the four losses tutorials use, as classes and as functions.

The arithmetic is Keras 3's (TensorFlow backend): probabilities are clipped to
``[1e-7, 1 - 1e-7]`` before the log, ``from_logits=True`` uses the stable
``tf.nn.*_cross_entropy_with_logits``. A loss object reduces the per-sample losses with
``reduction`` (default ``'sum_over_batch_size'``: their mean) and computes in float32, as
Keras; the functions return one loss per sample in the inputs' dtype.
"""

from __future__ import annotations

import numpy as np

from ..engine import ops
from ..engine.dtypes import as_dtype
from ..engine.errors import InvalidArgumentError
from ..engine.i18n import _, lazy
from ..engine.tensor import TensorLike, convert_to_tensor
from ._common import out_of_scope
from .activations import logits_of

__all__ = [
    "MAE",
    "MSE",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "huber",
    "mae",
    "mse",
    "sparse_categorical_crossentropy",
]

_EPSILON = 1e-7  # keras.backend.epsilon()

# Keras 3 exports mse/MSE and mae/MAE but not mean_squared_error or mean_absolute_error
# (TensorFlow 2.21 raises AttributeError)
MSE_HINTS = {"mean_squared_error": lazy(
    "use tf.keras.losses.mse (the function), tf.keras.losses.MeanSquaredError() (the loss "
    "object) or loss='mse' in compile."),
    "mean_absolute_error": lazy(
    "use tf.keras.losses.mae (the function), tf.keras.losses.MeanAbsoluteError() (the loss "
    "object) or loss='mae' in compile.")}


def _pred_true(y_true, y_pred, dtype=None):
    p = y_pred if isinstance(y_pred, TensorLike) else convert_to_tensor(
        y_pred, dtype_hint=dtype)
    if dtype is not None and p.dtype != as_dtype(dtype):
        p = ops.cast(p, dtype)
    t = y_true if isinstance(y_true, TensorLike) else convert_to_tensor(y_true)
    if t.dtype != p.dtype:
        t = ops.cast(t, p.dtype)
    return t, p


def _same_rank(t, p):
    """Keras' squeeze_or_expand_to_same_rank: (n,) against (n, 1) becomes (n, 1) and (n, 1)."""
    rt, rp = t.ndim, p.ndim
    if rt == rp + 1 and t.shape[-1] == 1:
        if rp == 1:
            p = ops.expand_dims(p, -1)
        else:
            t = ops.squeeze(t, -1)
    elif rp == rt + 1 and p.shape[-1] == 1:
        if rt == 1:
            t = ops.expand_dims(t, -1)
        else:
            p = ops.squeeze(p, -1)
    return t, p


def _same_shape(name, t, p):
    if tuple(t.shape) != tuple(p.shape):
        raise InvalidArgumentError(_(
            "{name}: y_true has shape {true_shape} but y_pred has shape {pred_shape}; they "
            "must match.").format(name=name, true_shape=list(t.shape),
                                  pred_shape=list(p.shape)), op=name)


def _broadcast_pair(name, y_true, y_pred):
    """``(y_true, y_pred)`` as tensors of one rank (Keras' rule) whose shapes broadcast."""
    t, p = _same_rank(*_pred_true(y_true, y_pred))
    try:
        np.broadcast_shapes(tuple(t.shape), tuple(p.shape))
    except ValueError:
        raise InvalidArgumentError(_(
            "{name}: y_true of shape {true_shape} and y_pred of shape {pred_shape} do not "
            "broadcast.").format(name=name, true_shape=list(t.shape),
                                 pred_shape=list(p.shape)), op=name) from None
    return t, p


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)**2) over the last axis: one loss per sample."""
    t, p = _broadcast_pair("mean_squared_error", y_true, y_pred)
    return ops.reduce_mean(ops.square(ops.subtract(t, p)), axis=-1)


mse = MSE = mean_squared_error


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis: one loss per sample (Keras' order, so the
    gradient where they are equal is -0.0, as there)."""
    t, p = _broadcast_pair("mean_absolute_error", y_true, y_pred)
    return ops.reduce_mean(ops.abs(ops.subtract(t, p)), axis=-1)


mae = MAE = mean_absolute_error


def huber(y_true, y_pred, delta=1.0):
    """Huber loss per sample: with ``e = y_pred - y_true``, ``e**2 / 2`` where
    ``|e| <= delta``, else ``delta * |e| - delta**2 / 2`` (quadratic near 0, linear far
    away), averaged over the last axis."""
    t, p = _same_rank(*_pred_true(y_true, y_pred))
    d = float(delta.numpy() if isinstance(delta, TensorLike) else delta)
    err = ops.subtract(p, t)
    abs_err = ops.abs(err)
    quadratic = ops.multiply(ops.square(err), 0.5)
    linear = ops.subtract(ops.multiply(abs_err, d), 0.5 * d * d)
    return ops.reduce_mean(ops.where(ops.less_equal(abs_err, d), quadratic, linear), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy per element, averaged over ``axis``: one loss per sample."""
    t, p = _same_rank(*_pred_true(y_true, y_pred))
    _same_shape("binary_crossentropy", t, p)
    if label_smoothing:
        t = ops.add(ops.multiply(t, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if not from_logits and logits_of(p) is not None:  # Keras' rule (see activations.py)
        p, from_logits = logits_of(p), True
    if from_logits:
        per = ops.sigmoid_cross_entropy_with_logits(labels=t, logits=p)
    else:
        p = ops.clip_by_value(p, _EPSILON, 1.0 - _EPSILON)
        bce = ops.multiply(t, ops.log(p))
        bce = ops.add(bce, ops.multiply(ops.subtract(1.0, t), ops.log(ops.subtract(1.0, p))))
        per = ops.negative(bce)
    return ops.reduce_mean(per, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy of one-hot (or probability) ``y_true`` against ``y_pred``."""
    t, p = _pred_true(y_true, y_pred)
    _same_shape("categorical_crossentropy", t, p)
    if label_smoothing:
        n = p.shape[axis]
        t = ops.add(ops.multiply(t, 1.0 - label_smoothing), label_smoothing / n)
    if not from_logits and logits_of(p) is not None:  # Keras' rule (see activations.py)
        p, from_logits = logits_of(p), True
    if from_logits:
        return ops.softmax_cross_entropy_with_logits(labels=t, logits=p, axis=axis)
    p = ops.divide(p, ops.reduce_sum(p, axis=axis, keepdims=True))
    p = ops.clip_by_value(p, _EPSILON, 1.0 - _EPSILON)
    return ops.negative(ops.reduce_sum(ops.multiply(t, ops.log(p)), axis=axis))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy of integer class labels ``y_true`` against ``y_pred``."""
    if ignore_class is not None:
        raise NotImplementedError(_("sparse_categorical_crossentropy: the argument "
                                    "'ignore_class' is not supported by adkernel; leave it "
                                    "out."))
    if axis != -1:
        raise NotImplementedError(_("sparse_categorical_crossentropy: the argument 'axis' is "
                                    "supported only as -1 (the classes on the last axis)."))
    p = y_pred if isinstance(y_pred, TensorLike) else convert_to_tensor(y_pred)
    # labels stay a tensor (never read as values: a traced training step replays this)
    labels = y_true if isinstance(y_true, TensorLike) else convert_to_tensor(
        np.asarray(y_true))
    if labels.ndim == p.ndim and labels.shape[-1] == 1:
        labels = ops.reshape(labels, tuple(labels.shape)[:-1])
    if tuple(labels.shape) != tuple(p.shape[:-1]):
        raise InvalidArgumentError(_(
            "sparse_categorical_crossentropy: labels of shape {labels_shape} do not fit "
            "predictions of shape {pred_shape} (expected {expected}).").format(
                labels_shape=list(labels.shape), pred_shape=list(p.shape),
                expected=list(p.shape[:-1])),
            op="SparseSoftmaxCrossEntropyWithLogits")
    if labels.dtype.is_floating:
        labels = ops.cast(labels, "int64")
    if not from_logits and logits_of(p) is not None:  # Keras' rule (see activations.py)
        p, from_logits = logits_of(p), True
    if not from_logits:
        p = ops.log(ops.clip_by_value(p, _EPSILON, 1.0 - _EPSILON))
    return ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=p)


_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` reduces ``call``'s
    per-sample losses with ``reduction``."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(_("Invalid value for argument `reduction`. Expected one of "
                               "{choices}. Received: reduction={reduction!r}").format(
                                   choices=list(_REDUCTIONS), reduction=reduction))
        self.name = name
        self.reduction = reduction
        self.dtype = as_dtype("float32" if dtype is None else dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        t, p = _pred_true(y_true, y_pred, self.dtype)
        if isinstance(self, SparseCategoricalCrossentropy):
            t = y_true
        losses = self.call(t, p)
        if sample_weight is not None:
            w = sample_weight if isinstance(sample_weight, TensorLike) else convert_to_tensor(
                sample_weight, dtype_hint=losses.dtype)
            if w.dtype != losses.dtype:
                w = ops.cast(w, losses.dtype)
            while w.ndim > losses.ndim and w.shape[-1] == 1:
                w = ops.squeeze(w, -1)
            losses = ops.multiply(losses, w)
        if self.reduction in (None, "none"):
            return losses
        total = ops.reduce_sum(losses)
        if self.reduction == "sum":
            return total
        if self.reduction == "mean_with_sample_weight" and sample_weight is not None:
            return ops.divide(total, ops.reduce_sum(ops.broadcast_to(w, losses.shape)))
        n = int(np.prod(losses.shape))
        return ops.divide(total, float(max(n, 1)))

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}


class MeanSquaredError(Loss):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Loss):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error",
                 dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)


class Huber(Loss):
    """Huber loss (see :func:`huber`) reduced over the batch."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(name, reduction, dtype)
        self.delta = float(delta)

    def call(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta)


class BinaryCrossentropy(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def call(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing,
                                   self.axis)


class CategoricalCrossentropy(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def call(self, y_true, y_pred):
        return categorical_crossentropy(y_true, y_pred, self.from_logits,
                                        self.label_smoothing, self.axis)


class SparseCategoricalCrossentropy(Loss):
    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        if ignore_class is not None or axis != -1:
            sparse_categorical_crossentropy([0], [[1.0]], ignore_class=ignore_class, axis=axis)
        super().__init__(name, reduction, dtype)
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)


def get(identifier):
    """A loss function or object from its name."""
    table = {"mse": mean_squared_error, "mean_squared_error": mean_squared_error,
             "mae": mean_absolute_error, "mean_absolute_error": mean_absolute_error,
             "binary_crossentropy": binary_crossentropy, "huber": huber,
             "categorical_crossentropy": categorical_crossentropy,
             "sparse_categorical_crossentropy": sparse_categorical_crossentropy}
    if callable(identifier):
        return identifier
    if identifier in table:
        return table[identifier]
    raise out_of_scope(_("the loss {name!r}").format(name=identifier))
