"""``Model.compile``, ``fit``, ``evaluate``, ``predict`` and ``save_weights``: Keras' training
loop, written as the plain GradientTape loop you would write yourself.

Read :meth:`Trainer.train_step` and :meth:`Trainer.fit` from top to bottom: one batch is
"forward pass under a tape, loss, gradients, ``optimizer.apply_gradients``", and ``fit``
runs that over the batches of each epoch, averaging the loss and metrics per epoch (each
batch weighted by its size, as Keras 3 does) and calling the callbacks around it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..engine import ops
from ..engine.i18n import _
from ..engine.tape import GradientTape
from ..engine.tensor import TensorLike, convert_to_tensor
from ..tf_data import Dataset, _map_leaves
from ..tf_function import function
from . import callbacks as callbacks_module
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module

__all__ = ["Trainer"]

_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adamw": "AdamW",
               "adagrad": "Adagrad", "adadelta": "Adadelta", "adamax": "Adamax",
               "nadam": "Nadam"}


class _FunctionLoss(losses_module.Loss):
    """A loss function of ``(y_true, y_pred)`` (one value per sample) as a loss object that
    averages over the batch, as ``compile(loss='mse')`` does."""

    def __init__(self, fn):
        super().__init__(getattr(fn, "__name__", "loss"))
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)


def _get_optimizer(identifier):
    if isinstance(identifier, str):
        name = _OPTIMIZERS.get(identifier.lower())
        cls = getattr(optimizers_module, name, None) if name else None
        if name and cls is None:
            raise NotImplementedError(_(
                "adkernel has no tf.keras.optimizers.{cls} yet: use 'sgd' or 'adam' (or "
                "another optimizer of docs/tf-compat.md).").format(cls=name))
        if cls is None:
            raise ValueError(_("Unknown optimizer {name!r}: use 'sgd' or 'adam', or an "
                               "object such as tf.keras.optimizers.SGD(0.1).").format(
                                   name=identifier))
        return cls()
    if not isinstance(identifier, optimizers_module.Optimizer):
        raise TypeError(_("compile: optimizer must be a name ('sgd', 'adam') or a "
                          "tf.keras.optimizers object, got {type}").format(
                              type=type(identifier).__name__))
    return identifier


def _get_loss(identifier):
    if isinstance(identifier, losses_module.Loss):
        return identifier
    return _FunctionLoss(losses_module.get(identifier))


def _accuracy_for(name, y_true, y_pred):
    """'accuracy' means binary, sparse categorical or categorical accuracy, chosen from
    the shapes of the first batch (Keras' rule)."""
    if y_pred.shape[-1] == 1:
        return metrics_module.BinaryAccuracy(name=name)
    if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
        return metrics_module.SparseCategoricalAccuracy(name=name)
    return metrics_module.CategoricalAccuracy(name=name)


# ----- data: arrays or a tf.data.Dataset, cut into batches ---------------------------------

def _unpack(batch):
    """``(x, y, sample_weight)`` from an element of a dataset."""
    if isinstance(batch, tuple):
        if not 1 <= len(batch) <= 3:
            raise ValueError(_("A dataset for fit gives (x, y) or (x, y, sample_weight) "
                               "elements, got a tuple of {n}.").format(n=len(batch)))
        return (*batch, None, None)[:3]
    return batch, None, None


def _as_array(value):
    if value is None:
        return None

    def leaf(v):
        a = v.numpy() if isinstance(v, TensorLike) else np.asarray(v)
        return a.astype(np.float32) if a.dtype.kind == "f" and a.dtype != np.float32 else a

    return _map_leaves(leaf, value)


def _rows(value) -> int:
    first = value
    while isinstance(first, tuple | dict):
        first = first[0] if isinstance(first, tuple) else next(iter(first.values()))
    return int(first.shape[0])


class _Batches:
    """One epoch of ``(x, y, sample_weight)`` batches at a time, from arrays or a dataset."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 steps=None):
        self.steps_limit = steps
        if isinstance(x, Dataset):
            if y is not None:
                raise ValueError(_("When x is a tf.data.Dataset, y must not be given: the "
                                   "dataset's elements are (x, y) pairs."))
            self.dataset, self.steps = x, steps
            card = int(x.cardinality().numpy())
            if steps is None:
                if card == -1:
                    raise ValueError(_("The dataset is infinite (repeat()): give "
                                       "steps_per_epoch=... so an epoch can end."))
                self.steps = card if card >= 0 else None
            self._iterator = None
            return
        self.dataset = None
        self.x, self.y, self.sw = _as_array(x), _as_array(y), _as_array(sample_weight)
        self.n = _rows(self.x)
        self.batch_size = 32 if batch_size is None else int(batch_size)
        self.shuffle = shuffle
        self.steps = math.ceil(self.n / self.batch_size) if steps is None else steps

    def epoch(self):
        if self.dataset is not None:
            return self._dataset_epoch()
        order = np.arange(self.n)
        if self.shuffle:  # tf.random's generator: reproducible after tf.random.set_seed
            from ..tf_random import random
            order = random._gen(None).permutation(self.n)
        return self._array_epoch(order)

    def _array_epoch(self, order):
        for step in range(self.steps):
            idx = order[step * self.batch_size:(step + 1) * self.batch_size]
            if len(idx) == 0:
                return
            yield tuple(None if v is None else _map_leaves(
                lambda a, idx=idx: convert_to_tensor(a[idx]), v)
                for v in (self.x, self.y, self.sw))

    def _dataset_epoch(self):
        if self.steps_limit is None:
            yield from (_unpack(b) for b in self.dataset)
            return
        for _step in range(self.steps_limit):  # steps_per_epoch: go on where the last stopped
            if self._iterator is None:
                self._iterator = iter(self.dataset)
            try:
                yield _unpack(next(self._iterator))
            except StopIteration:
                self._iterator = None
                return


def _validation(validation_data, validation_split, x, y, sample_weight):
    """Cut off the last ``validation_split`` of the arrays, as Keras does (before any
    shuffling); or unpack ``validation_data``."""
    if validation_split and validation_data is None:
        if isinstance(x, Dataset):
            raise ValueError(_("validation_split works with arrays, not with a "
                               "tf.data.Dataset: give validation_data=... instead."))
        x, y, sample_weight = _as_array(x), _as_array(y), _as_array(sample_weight)
        cut = math.floor(_rows(x) * (1.0 - validation_split))

        def head(v):
            return None if v is None else _map_leaves(lambda a: a[:cut], v)

        def tail(v):
            return None if v is None else _map_leaves(lambda a: a[cut:], v)

        return (head(x), head(y), head(sample_weight)), (tail(x), tail(y), tail(sample_weight))
    if validation_data is None or isinstance(validation_data, Dataset):
        return (x, y, sample_weight), validation_data
    return (x, y, sample_weight), _unpack(tuple(validation_data))


# ----- the Model methods --------------------------------------------------------------------

class Trainer:
    """The training methods of ``tf.keras.Model`` (a mix-in: ``Model`` inherits them)."""

    optimizer = None
    compiled_loss = None
    stop_training = False
    history = None

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Choose the optimizer, the loss and the metrics (names or objects) for ``fit``."""
        for arg, value in (("loss_weights", loss_weights), ("weighted_metrics",
                                                            weighted_metrics)):
            if value is not None:
                raise NotImplementedError(_("compile: the argument {name!r} is not supported "
                                            "by adkernel; leave it out.").format(name=arg))
        self.optimizer = _get_optimizer(optimizer)
        self.compiled_loss = None if loss is None else _get_loss(loss)
        # what model.save() records to compile the loaded model the same way
        self._compile_args = {"optimizer": self.optimizer, "loss": loss, "metrics": metrics}
        self._metric_ids = [] if metrics is None else (
            list(metrics) if isinstance(metrics, list | tuple) else [metrics])
        self._compiled_metrics = None  # made on the first batch (accuracy needs its shapes)
        self.loss_tracker = metrics_module.Mean(name="loss")
        self.run_eagerly = bool(run_eagerly)
        self.compiled = True

    def _check_compiled(self, method):
        if getattr(self, "compiled", False) is not True or self.compiled_loss is None:
            raise ValueError(_("You must call compile(optimizer=..., loss=...) before "
                                 "{method}, e.g. model.compile(optimizer='adam', "
                                 "loss='mse').").format(method=method))

    @property
    def metrics(self) -> list:
        """The loss tracker, then the compiled metrics (once a batch has built them)."""
        if not getattr(self, "compiled", False):
            return []
        return [self.loss_tracker, *(self._compiled_metrics or [])]

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return self.compiled_loss(y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics with this batch; return every metric's result."""
        if self._compiled_metrics is None:
            made = []
            for m in self._metric_ids:
                if isinstance(m, str) and m.lower() in ("accuracy", "acc"):
                    made.append(_accuracy_for(m, convert_to_tensor(y), y_pred))
                else:
                    made.append(metrics_module.get(m))
                    if isinstance(m, str):
                        made[-1].name = m
            self._compiled_metrics = made
        for m in self._compiled_metrics:  # compile(metrics=...) are unweighted, as in Keras 3
            m.update_state(y, y_pred)
        # tensors, as in Keras: the step may be traced, and a traced step must not read
        # values (fit, evaluate and train_on_batch make them Python floats afterwards)
        return dict(sorted((m.name, m.result()) for m in self.metrics))

    def get_metrics_result(self) -> dict:
        """``{name: value}`` for the loss and each metric, names in alphabetical order (as
        Keras 3 logs them), values as Python floats."""
        return dict(sorted((m.name, float(m.result().numpy())) for m in self.metrics))

    def train_step(self, data) -> dict:
        """One step of gradient descent on one batch (what you would write yourself)."""
        x, y, sample_weight = data
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        if self.trainable_variables:
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables, strict=True))
        else:  # as Keras: nothing to train is a warning, and the step only measures
            warnings.warn(_("The model does not have any trainable weights."), stacklevel=2)
        self.loss_tracker.update_state(loss, sample_weight=_rows(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        """The loss and metrics on one batch, without training."""
        x, y, sample_weight = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self.loss_tracker.update_state(loss, sample_weight=_rows(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _y, _w = data
        return self(x, training=False)

    def _step(self, name):
        # the step goes through tf.function (traced once per batch shape, then replayed)
        # unless compile(run_eagerly=True); both give the same numbers
        step = getattr(self, name)
        return step if getattr(self, "run_eagerly", False) else function(step)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` passes over the data; returns the ``History``.

        Each epoch: reset the metrics, run :meth:`train_step` on every batch, then
        evaluate on the validation data (if any) and log ``val_`` values.
        """
        self._check_compiled("fit")
        (x, y, sample_weight), val = _validation(validation_data, validation_split, x, y,
                                                 sample_weight)
        if class_weight is not None:  # the training data only, as Keras
            x, y, sample_weight = _with_class_weight(x, y, sample_weight, class_weight)
        data = _Batches(x, y, sample_weight, batch_size, shuffle, steps_per_epoch)
        verbose = 1 if verbose == "auto" else int(verbose)
        self.history = callbacks_module.History()
        extra = [callbacks_module.ProgbarLogger()] if verbose else []
        hooks = callbacks_module.CallbackList(
            [*(callbacks or []), *extra, self.history], self,
            {"verbose": verbose, "epochs": epochs, "steps": data.steps})
        step = self._step("train_step")
        self.stop_training = False
        hooks.call("on_train_begin", {})
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            hooks.call("on_epoch_begin", epoch, {})
            for i, batch in enumerate(data.epoch()):
                hooks.call("on_train_batch_begin", i, {})
                logs = _python_logs(step(batch))
                hooks.call("on_train_batch_end", i, logs)
            logs = self.get_metrics_result()
            if val is not None and (epoch + 1) % validation_freq == 0:
                vx, vy, vw = (val, None, None) if isinstance(val, Dataset) else val
                val_logs = self.evaluate(vx, vy, validation_batch_size or batch_size,
                                         verbose=0, sample_weight=vw, steps=validation_steps,
                                         return_dict=True)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            hooks.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        hooks.call("on_train_end", logs)
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss (and metrics) on the data: a float, or ``[loss, metric...]``."""
        self._check_compiled("evaluate")
        data = _Batches(x, y, sample_weight, batch_size, False, steps)
        verbose = 1 if verbose == "auto" else int(verbose)
        extra = [callbacks_module.ProgbarLogger()] if verbose else []
        hooks = callbacks_module.CallbackList([*(callbacks or []), *extra], self,
                                              {"verbose": verbose, "steps": data.steps})
        step = self._step("test_step")
        self.reset_metrics()
        hooks.call("on_test_begin", {})
        for i, batch in enumerate(data.epoch()):
            hooks.call("on_test_batch_begin", i, {})
            hooks.call("on_test_batch_end", i, _python_logs(step(batch)))
        logs = self.get_metrics_result()
        hooks.call("on_test_end", logs)
        return logs if return_dict else _flat(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs on ``x``, batch by batch, as one numpy array."""
        data = _Batches(x, None, None, batch_size, False, steps)
        verbose = 1 if verbose == "auto" else int(verbose)
        extra = [callbacks_module.ProgbarLogger()] if verbose else []
        hooks = callbacks_module.CallbackList([*(callbacks or []), *extra], self,
                                              {"verbose": verbose, "steps": data.steps})
        step = self._step("predict_step")
        outputs = []
        hooks.call("on_predict_begin", {})
        for i, batch in enumerate(data.epoch()):
            hooks.call("on_predict_batch_begin", i, {})
            outputs.append(step(batch))
            hooks.call("on_predict_batch_end", i, {"outputs": outputs[-1]})
        hooks.call("on_predict_end", {})
        if not outputs:
            raise ValueError(_("predict got no data: x is empty."))
        return _concat(outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One :meth:`train_step` on exactly this batch; its loss (and metrics)."""
        self._check_compiled("train_on_batch")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(_("Arguments `sample_weight` and `class_weight` cannot be "
                                   "specified at the same time: give one of them."))
            _x, _y, sample_weight = _with_class_weight(x, y, None, class_weight)
        self.reset_metrics()
        logs = _python_logs(self._step("train_step")(_one_batch(x, y, sample_weight)))
        return logs if return_dict else _flat(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._check_compiled("test_on_batch")
        self.reset_metrics()
        logs = _python_logs(self._step("test_step")(_one_batch(x, y, sample_weight)))
        return logs if return_dict else _flat(logs)

    def predict_on_batch(self, x):
        return self(_one_batch(x, None, None)[0], training=False).numpy()

    # ----- weights on disk ------------------------------------------------------------------
    def save_weights(self, filepath, overwrite=True):
        """Save ``get_weights()`` to ``filepath``: ``.npz`` (numpy), or ``.weights.h5``
        when h5py is installed (``pip install adkernel[h5]``)."""
        path = str(filepath)
        _check_weights_path(path)
        weights = self.get_weights()
        if path.endswith(".npz"):
            np.savez(path, *weights)
            return
        h5py = _h5py()
        with h5py.File(path, "w") as f:
            for i, w in enumerate(weights):
                f.create_dataset(f"weight_{i:04d}", data=w)

    def load_weights(self, filepath, skip_mismatch=False):
        """Load weights saved by :meth:`save_weights` or :meth:`save` (``.keras``: same
        model: same weights, same order)."""
        path = str(filepath)
        if path.endswith(".keras"):
            from ..saving import read_keras_weights

            self.set_weights(read_keras_weights(path))
            return
        _check_weights_path(path)
        if path.endswith(".npz"):
            with np.load(path) as f:
                weights = [f[f"arr_{i}"] for i in range(len(f.files))]
        else:
            with _h5py().File(path, "r") as f:
                weights = [f[k][()] for k in sorted(f.keys())]
        self.set_weights(weights)


def _class_weights(y, table):
    """Keras 3's rule: each sample weighs ``class_weight[its class]`` (1.0 for a class not
    in the dict); the class of a one-hot row is its argmax, of a number its rounded value."""
    labels = y.numpy() if isinstance(y, TensorLike) else np.asarray(y)
    if labels.ndim > 1:
        labels = np.argmax(labels, axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = np.round(labels).astype(np.int64)
    return np.array([table.get(int(c), 1.0) for c in labels.reshape(-1)],
                    np.float32).reshape(labels.shape)


def _with_class_weight(x, y, sample_weight, class_weight):
    """``(x, y, sample_weight)`` with the sample weights that ``class_weight`` gives."""
    if not isinstance(class_weight, dict):
        raise TypeError(_("class_weight must be a dict from class index to weight, e.g. "
                          "{{0: 1.0, 1: 5.0}}; got {type}").format(
                              type=type(class_weight).__name__))
    table = {int(k): float(v) for k, v in class_weight.items()}
    if isinstance(x, Dataset):
        return x.map(lambda *data: _weighted_element(data, table)), None, None
    if sample_weight is not None:
        raise ValueError(_("You cannot `class_weight` and `sample_weight` at the same time: "
                           "give one of them (fold the class weights into sample_weight)."))
    if isinstance(y, tuple | list | dict):
        raise ValueError(_("`class_weight` is only supported for Models with a single "
                           "output."))
    return x, y, _class_weights(_as_array(y), table)


def _weighted_element(data, table):
    x, y, sw = _unpack(tuple(data))
    if sw is not None:
        raise ValueError(_("You cannot `class_weight` and `sample_weight` at the same time: "
                           "give one of them (fold the class weights into sample_weight)."))
    if isinstance(y, tuple | dict):
        raise ValueError(_("`class_weight` is only supported for Models with a single "
                           "output."))
    classes = max(table) + 1  # as Keras: a class past the largest key is an error
    labels = y.numpy()
    if labels.ndim > 1:
        labels = np.argmax(labels, axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    weights = [table.get(c, 1.0) for c in range(classes)]
    return x, y, ops.gather(convert_to_tensor(np.array(weights, np.float32)),
                            convert_to_tensor(np.round(labels).astype(np.int32)))


def _flat(logs):
    """Keras' list form of the logs: the loss alone, or ``[loss, metric...]``."""
    values = [logs["loss"], *(v for k, v in logs.items() if k != "loss")]
    return values[0] if len(values) == 1 else values


def _concat(outputs):
    first = outputs[0]
    if isinstance(first, tuple):
        return tuple(_concat([o[i] for o in outputs]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _concat([o[k] for o in outputs]) for k in first}
    return np.concatenate([o.numpy() for o in outputs])


def _one_batch(x, y, sample_weight):
    def tensor(v):
        return None if v is None else _map_leaves(lambda a: convert_to_tensor(a),
                                                    _as_array(v))

    return tensor(x), tensor(y), tensor(sample_weight)


def _check_weights_path(path: str) -> None:
    if not path.endswith((".npz", ".weights.h5")):
        raise ValueError(_("The file name must end in .npz (numpy) or .weights.h5 (HDF5, "
                           "needs h5py); got {path!r}").format(path=path))


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError(_("Saving weights as .weights.h5 needs the h5py package, which is "
                            "not installed: pip install h5py (or adkernel[h5]), or save to a "
                            ".npz file instead, e.g. model.save_weights('model.weights.npz')."
                            )) from None
    return h5py


def _python_logs(logs: dict) -> dict:
    """A step's ``{name: tensor}`` as ``{name: float}`` (what callbacks and History see)."""
    return {k: float(v.numpy()) if isinstance(v, TensorLike) else v for k, v in logs.items()}
