"""``tf.keras.callbacks``: code that ``Model.fit`` calls at the start and end of training,
of each epoch and of each batch.

``History`` (made by every ``fit`` and returned by it), ``EarlyStopping``, ``LambdaCallback``,
``ProgbarLogger`` (the progress bar ``verbose`` prints) and adkernel's own ``LossPlot``,
which draws the live loss curve of :mod:`adkernel.widgets.lossplot` (matplotlib is imported
only when that callback starts).
"""

from __future__ import annotations

import sys
import warnings

from ..engine.i18n import _

__all__ = ["Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback", "LossPlot",
           "ProgbarLogger"]

_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
          "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
          "on_predict_batch_begin", "on_predict_batch_end")


class Callback:
    """Base class: override the ``on_...`` methods you need; ``self.model`` is the model
    being trained and ``self.params`` holds ``verbose``, ``epochs`` and ``steps``."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params) -> None:
        self.params = params


for _hook in _HOOKS:  # every hook does nothing unless overridden
    setattr(Callback, _hook, lambda self, *args, **kwargs: None)


class CallbackList:
    """Several callbacks called in order: ``callbacks.call("on_epoch_end", epoch, logs)``."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(_("callbacks must be tf.keras.callbacks objects (e.g. "
                                  "EarlyStopping(patience=2)), got {type}").format(
                                      type=type(cb).__name__))
            cb.set_model(model)
            cb.set_params(params)

    def call(self, hook: str, *args) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)


class History(Callback):
    """``history.history['loss']``: each epoch's logged values, one list per name."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if name not in _HOOKS:
                raise TypeError(_("LambdaCallback: unknown hook {name!r}; the hooks are "
                                  "{hooks}").format(name=name, hooks=", ".join(_HOOKS)))
            setattr(self, name, fn)


class EarlyStopping(Callback):
    """Stop ``fit`` when ``monitor`` has not improved (by more than ``min_delta``) for
    ``patience`` epochs; ``restore_best_weights`` puts back the best epoch's weights."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(_("EarlyStopping: mode must be 'auto', 'min' or 'max', got "
                               "{mode!r}").format(mode=mode))
        self.monitor, self.mode, self.verbose = monitor, mode, verbose
        self.min_delta, self.patience = abs(min_delta), patience
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._sign = None  # +1: bigger is better; -1: smaller is better

    def _direction(self) -> int:
        if self.mode != "auto":
            return 1 if self.mode == "max" else -1
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return -1
        for metric in getattr(self.model, "metrics", []):
            if metric.name == name and getattr(metric, "_direction", None):
                return 1 if metric._direction == "up" else -1
        raise ValueError(_("EarlyStopping cannot tell whether {monitor!r} should go up or "
                           "down: pass mode='max' or mode='min'.").format(monitor=self.monitor))

    def _better(self, value, reference) -> bool:
        if reference is None:
            return True
        return self._sign * (value - reference) > self.min_delta  # strictly beyond min_delta

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def on_epoch_end(self, epoch, logs=None):
        if self._sign is None:
            self._sign = self._direction()
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(_("EarlyStopping watches {monitor!r}, which is not logged; the "
                            "logged values are: {names}").format(
                                monitor=self.monitor, names=", ".join(logs or {})),
                          stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(_("Epoch {epoch}: early stopping").format(epoch=self.stopped_epoch + 1))
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(_("Restoring model weights from the end of the best epoch: "
                        "{epoch}.").format(epoch=self.best_epoch + 1))
            self.model.set_weights(self.best_weights)


def _format_logs(logs) -> str:
    return "".join(f" - {k}: {v:.4f}" if v > 1e-3 else f" - {k}: {v:.4e}"
                   for k, v in logs.items())


class ProgbarLogger(Callback):
    """The progress bar of ``verbose=1`` (a bar redrawn as the batches run) and the line
    per epoch of ``verbose=2``. No timings are printed, so a notebook's output is the same
    on every run."""

    WIDTH = 20

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self._target, self._drawn, self._seen = None, -1, 0

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(text)
        stream.flush()

    def _bar(self, step: int, logs, final: bool) -> str:
        target = self._target
        if not target:
            return f"{step}/?{_format_logs(logs)}"
        count = f"{step:{len(str(target))}d}/{target}"
        if self.params.get("verbose") != 1:
            return f"{count}{_format_logs(logs)}"
        done = self.WIDTH if final else self.WIDTH * step // target
        return f"{count} {'━' * done}{' ' * (self.WIDTH - done)}{_format_logs(logs)}"

    def on_train_begin(self, logs=None):
        self._target = self.params.get("steps")

    def on_epoch_begin(self, epoch, logs=None):
        self._drawn, self._seen = -1, 0
        if self.params.get("epochs", 1) > 1:
            self._write(_("Epoch {epoch}/{epochs}").format(
                epoch=epoch + 1, epochs=self.params.get("epochs")) + "\n")

    def on_train_batch_end(self, batch, logs=None):
        self._batch_end(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._batch_end(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch_end(batch, {})

    def _batch_end(self, batch, logs):
        self._seen = batch + 1
        if self.params.get("verbose") != 1 or not self._target:
            return
        filled = self.WIDTH * (batch + 1) // self._target
        if filled != self._drawn and batch + 1 < self._target:
            self._drawn = filled
            self._write("\r" + self._bar(batch + 1, logs or {}, final=False))

    def on_epoch_end(self, epoch, logs=None):
        self._end(logs)

    def on_test_begin(self, logs=None):
        self._target, self._drawn, self._seen = self.params.get("steps"), -1, 0

    def on_predict_begin(self, logs=None):
        self._target, self._drawn, self._seen = self.params.get("steps"), -1, 0

    def on_test_end(self, logs=None):
        self._end(logs)

    def on_predict_end(self, logs=None):
        self._end({})

    def _end(self, logs):
        steps = self.params.get("steps") or self._seen
        line = self._bar(steps, logs or {}, final=True)
        start = "\r" if self.params.get("verbose") == 1 else ""
        self._write(start + line + "\n")


class LossPlot(Callback):
    """adkernel's live loss curve while ``fit`` runs (not in TensorFlow): one point per
    epoch of ``monitor`` (default ``'loss'``; ``'val_loss'`` works too). The plot is
    :class:`adkernel.widgets.lossplot.LossPlot`; ``callback.plot`` holds it after ``fit``."""

    def __init__(self, monitor="loss", title=None, min_interval=0.25):
        super().__init__()
        self.monitor, self.title, self.min_interval = monitor, title, min_interval
        self.plot = None

    def on_train_begin(self, logs=None):
        from ..widgets.lossplot import LossPlot as _Plot  # matplotlib only when used

        self.plot = _Plot(self.monitor, title=self.title, min_interval=self.min_interval,
                          x="epoch")

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is not None:
            self.plot.record(value)

    def on_train_end(self, logs=None):
        self.plot.finish()
