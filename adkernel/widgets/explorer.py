"""Sliders over a learner's training function: the seed tutorial's first exercise.

"Try other learning rates and epoch counts and watch the parameters change":
:func:`explore_training` calls the learner's ``train(lr, epochs)`` whenever a slider is
released and redraws the loss curve and the parameter trajectories. A history whose
parameter lists hold one more entry than the loss list starts at the initial parameters
(entry 0, before the first update), and the path's "start" dot is drawn there. The figure is a PNG
in an ``ipywidgets.Image``, and the widget's mimebundle also carries that PNG, so a saved
notebook still shows the first run's picture without a widget front end.
"""

from __future__ import annotations

import base64
import itertools
import math
import traceback

import ipywidgets as widgets
import numpy as np

from .._escape import escape
from ..engine.i18n import _, lazy, ngettext
from .graph import LIST_SEPARATOR
from .lossplot import (
    DRAW_LIMIT,
    LOSS,
    NOTE_COLOUR,
    WARN_COLOUR,
    drawable,
    plot_curve,
    render_png,
    x_label,
)

__all__ = ["TrainingExplorer", "explore_training"]

MAX_COMPONENTS = 8  # lines drawn per array-valued parameter
# the Okabe-Ito palette (told apart with every common colour-vision deficiency), the
# yellow that is hard to see on white last
LINE_COLORS = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9",
               "#000000", "#f0e442")
START_COLOUR, END_COLOUR, PATH_COLOUR = "#009e73", "#d55e00", "#666666"

_EXPECTED = lazy("`train(lr, epochs)` should return its history: a list with one loss per "
                 "epoch, or a dict such as `{'loss': [...], 'W': [...], 'b': [...]}` with "
                 "one entry per epoch in each list")
LR_LABEL = lazy("learning rate")
EPOCHS_LABEL = lazy("epochs")


def _history(result, params, epochs: int | None = None
             ) -> tuple[list[float], dict[str, np.ndarray], int]:
    """Check what ``train`` returned; give the losses, ``{param: (steps, k) array}`` and the
    epoch of the parameters' first entry.

    A list, tuple or array is taken as the losses only when it has one entry per epoch
    (or one more, the loss before training): a ``train`` that returns its final
    ``(W, b)`` must not be drawn as a two-point loss curve.

    Parameter lists have as many entries as the loss list (each recorded after that
    epoch's update: the first is epoch 1) or one more, the first being the parameters
    before training (epoch 0, the true start). The loss of entry ``i`` is the one computed
    in epoch ``i``, from the parameters after ``i`` updates, so both share one x axis.
    """
    if isinstance(result, (list, tuple, np.ndarray)) and epochs is not None:
        n = len(result)
        if n not in (epochs, epochs + 1):
            raise ValueError(ngettext(
                "train(lr, {epochs}) returned a {kind} of {n} item, not one loss per epoch. "
                "{expected}. If it returns the trained parameters, e.g. (W, b), record the "
                "losses in a list while it trains and return that list instead.",
                "train(lr, {epochs}) returned a {kind} of {n} items, not one loss per epoch. "
                "{expected}. If it returns the trained parameters, e.g. (W, b), record the "
                "losses in a list while it trains and return that list instead.", n).format(
                epochs=epochs, kind=type(result).__name__, n=n, expected=_EXPECTED))
    if isinstance(result, dict):
        if "loss" not in result:
            raise ValueError(_("train() returned a dict without a `'loss'` entry (keys: "
                               "{keys}); return `{{'loss': [...], 'W': [...], ...}}`").format(
                keys=list(result)))
        history = result
    elif isinstance(result, (list, tuple, np.ndarray)):
        history = {"loss": result}
    else:
        raise TypeError(_("{expected}; it returned a {type}").format(
            expected=_EXPECTED, type=type(result).__name__))
    names = [k for k in history if k != "loss"] if params is None else list(params)
    missing = [k for k in names if k not in history]
    if missing:
        raise KeyError(_("params {missing} are not in train()'s history (keys: "
                         "{keys})").format(missing=missing, keys=list(history)))
    lengths = {k: len(history[k]) for k in ["loss", *names]}
    n_loss = lengths["loss"]
    sizes = {lengths[k] for k in names}
    if len(sizes) > 1 or not sizes <= {n_loss, n_loss + 1}:
        raise ValueError(_("train()'s history lists have different lengths: {lengths}; "
                           "append every entry once per epoch (each parameter list may "
                           "have one more entry: the parameters before training)").format(
            lengths=lengths))
    # the parameters start at epoch 0 (the initial values) when they hold one more entry
    # than the loss, or when every list holds one more entry than there were epochs
    with_start = sizes == {n_loss + 1} or (
        epochs is not None and n_loss == epochs + 1 and sizes == {n_loss})
    losses = [_number(v) for v in history["loss"]]
    tracks = {k: np.asarray([np.asarray(v, dtype=float).reshape(-1) for v in history[k]])
              .reshape(len(history[k]), -1) for k in names}
    return losses, tracks, 0 if with_start else 1


def _number(v) -> float:
    a = np.asarray(v, dtype=float).reshape(-1)
    if a.size != 1:
        raise ValueError(_("each loss in train()'s history should be one number, got shape "
                           "{shape}; append float(loss)").format(shape=np.shape(v)))
    return float(a[0])


def _draw(fig, losses, tracks, lr, epochs, first: int = 0) -> None:
    """The loss, the parameters against the epoch (from ``first``), and the path of two
    scalar parameters from their first entry ("start" when ``first`` is 0, the initial
    values; "after epoch 1" otherwise)."""
    tracks = {k: drawable(t) for k, t in tracks.items()}
    scalars = [k for k, t in tracks.items() if t.shape[1] == 1]
    path = len(tracks) == 2 and len(scalars) == 2
    axes = fig.subplots(1, 3 if path else 2)
    plot_curve(axes[0], losses, LOSS, LOSS, x="epoch")  # one entry per epoch
    ax = axes[1]
    ax.set_facecolor("white")
    colors = itertools.cycle(LINE_COLORS)
    for name, track in tracks.items():
        for j in range(min(track.shape[1], MAX_COMPONENTS)):
            label = name if track.shape[1] == 1 else f"{name}[{j}]"
            ax.plot(np.arange(first, first + track.shape[0]), track[:, j], label=label,
                    color=next(colors))
    ax.set_xlabel(x_label("epoch"))
    ax.set_ylabel(_("value"))
    ax.set_title(_("parameters"))
    ax.grid(True, alpha=0.3)
    if tracks:
        ax.legend(loc="best", fontsize="small")
        if any(np.isnan(t).any() for t in tracks.values()):
            ax.text(0.02, 0.02, _("nan, inf and values beyond ±{limit:.0e} not drawn").format(
                        limit=DRAW_LIMIT),
                    transform=ax.transAxes, color=WARN_COLOUR, fontsize="small")
    else:
        ax.text(0.5, 0.5, _("no parameters in the history"), transform=ax.transAxes,
                ha="center", color=NOTE_COLOUR)
    if path:
        a, b = (tracks[k][:, 0] for k in scalars)
        ax = axes[2]
        ax.set_facecolor("white")
        ax.plot(a, b, color=PATH_COLOUR, lw=1, marker="." if a.size <= 60 else None)
        if a.size:
            ax.plot(a[:1], b[:1], "o", color=START_COLOUR,
                    label=_("start") if first == 0 else _("after epoch 1"))
            ax.plot(a[-1:], b[-1:], "*", ms=12, color=END_COLOUR, label=_("end"))
            ax.legend(loc="best", fontsize="small")
        ax.set_xlabel(scalars[0])
        ax.set_ylabel(scalars[1])
        ax.set_title(_("path of ({a}, {b})").format(a=scalars[0], b=scalars[1]))
        ax.grid(True, alpha=0.3)
    fig.suptitle(_("learning rate {lr:g}, {epochs} epochs").format(lr=lr, epochs=epochs))


def _fmt(v: float) -> str:
    return f"{v:.4g}"


class TrainingExplorer(widgets.VBox):
    """Learning-rate and epoch sliders that re-run ``train`` and redraw its history.

    Build it with :func:`explore_training`. Errors raised by ``train`` are shown in the
    message line (type, message and a folded traceback) and kept in ``error``; the widget
    stays usable so the learner can move the sliders again.

    Attributes
    ----------
    lr_slider : ipywidgets.FloatSlider
    epochs_slider : ipywidgets.IntSlider
    message : ipywidgets.HTML
        A summary of the last run, or the error it raised.
    picture : ipywidgets.Image
        The figure of the last successful run (PNG).
    history : dict or None
        The last successful run's history, as ``train`` returned it (a list of losses
        becomes ``{"loss": [...]}``); None after an error.
    error : Exception or None
        What the last run raised, if anything.

    Examples
    --------
    >>> def train(lr, epochs):
    ...     w, ws, losses = 0.0, [0.0], []      # ws starts with the initial w
    ...     for _ in range(epochs):
    ...         losses.append((w - 3) ** 2)
    ...         w -= lr * 2 * (w - 3)
    ...         ws.append(w)
    ...     return {"loss": losses, "w": ws}
    >>> box = explore_training(train)
    >>> box.epochs_slider.value = 20
    >>> len(box.history["loss"])
    20
    """

    def __init__(self, train, lr, epochs, params):
        self._train = train
        self._params = params
        lo, hi, step, value = lr
        decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 3
        self.lr_slider = widgets.FloatSlider(
            value=value, min=lo, max=hi, step=step, description=str(LR_LABEL),
            readout_format=f".{decimals}f", continuous_update=False,
            style={"description_width": "initial"})
        lo, hi, step, value = epochs
        self.epochs_slider = widgets.IntSlider(
            value=value, min=lo, max=hi, step=step, description=str(EPOCHS_LABEL),
            continuous_update=False)
        self.message = widgets.HTML()
        self.picture = widgets.Image(format="png")
        self.history = None
        self.error = None
        self._png = None
        self._last_ok = None
        super().__init__([widgets.HBox([self.lr_slider, self.epochs_slider]), self.message,
                          self.picture])
        self.lr_slider.observe(self._on_change, names="value")
        self.epochs_slider.observe(self._on_change, names="value")
        self.run()

    def _on_change(self, change) -> None:
        self.run()

    def run(self) -> None:
        """Call ``train`` with the sliders' values and show the result (or the error).

        The sliders call this when they move; call it to re-run after editing ``train``'s
        data.

        Examples
        --------
        >>> calls = []
        >>> box = explore_training(lambda lr, epochs: calls.append(lr) or [1.0] * epochs)
        >>> box.run()
        >>> calls
        [0.1, 0.1]
        """
        lr, epochs = self.lr_slider.value, self.epochs_slider.value
        for slider, label in ((self.lr_slider, LR_LABEL), (self.epochs_slider, EPOCHS_LABEL)):
            if slider.description != str(label):  # the language changed since the last run
                slider.description = str(label)
        try:
            result = self._train(lr, epochs)
            losses, tracks, first = _history(result, self._params, epochs)
            png = render_png(lambda fig: _draw(fig, losses, tracks, lr, epochs, first),
                             (11.0 if len(tracks) == 2 else 8.5, 3.4))
        except (Exception, KeyboardInterrupt) as exc:  # shown below; the widget stays usable
            self.history = None
            self.error = exc
            self.message.value = self._error_html(exc, lr, epochs)
            return
        self.error = None
        self.history = result if isinstance(result, dict) else {"loss": result}
        self._png = png
        self._last_ok = (lr, epochs)
        self.picture.value = png
        self.message.value = escape(self._summary(losses, tracks, lr, epochs))

    @staticmethod
    def _summary(losses, tracks, lr, epochs) -> str:
        if not losses:
            return _("learning rate {lr:g}, {epochs} epochs: train() returned an empty "
                     "history").format(lr=lr, epochs=epochs)
        text = _("learning rate {lr:g}, {epochs} epochs: loss {first} → {last}").format(
            lr=lr, epochs=epochs, first=_fmt(losses[0]), last=_fmt(losses[-1]))
        finals = [f"{k} = {_fmt(t[-1, 0])}" for k, t in tracks.items() if t.shape[1] == 1]
        if finals:
            text = _("{summary}; final {values}").format(
                summary=text, values=str(LIST_SEPARATOR).join(finals))
        if not all(math.isfinite(v) for v in losses) or losses[-1] > losses[0]:
            text = _("{summary}. The loss grew instead of shrinking: this learning rate is "
                     "probably too large, try a smaller one").format(summary=text)
        return text

    def _error_html(self, exc, lr, epochs) -> str:
        what = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if isinstance(exc, KeyboardInterrupt):
            what = _("interrupted (KeyboardInterrupt); move a slider to run it again")
        # start the traceback in the learner's code, not in this method
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next))
        after = ""
        if self._last_ok is not None:
            after = " " + _("The picture below is from the last run that worked (learning "
                            "rate {lr:g}, {epochs} epochs).").format(lr=self._last_ok[0],
                                                                      epochs=self._last_ok[1])
        failed = _("train(lr={lr:g}, epochs={epochs}) failed: {error}").format(
            lr=lr, epochs=epochs, error=what)
        summary = _("traceback")
        return (f'<div style="color:{WARN_COLOUR}"><b>{escape(failed)}</b>{escape(after)}</div>'
                f"<details><summary>{escape(summary)}</summary>"
                f"<pre>{escape(tb)}</pre></details>")

    def figure_png(self) -> bytes | None:
        """PNG bytes of the last successful run's figure (None if no run has worked yet).

        Examples
        --------
        >>> box = explore_training(lambda lr, epochs: [1.0 / (1 + i) for i in range(epochs)])
        >>> box.figure_png()[:4]
        b'\\x89PNG'
        """
        return self._png

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if self._png is not None:
            bundle["image/png"] = base64.b64encode(self._png).decode("ascii")
        bundle["text/plain"] = _("<training explorer: learning rate and epochs>")
        return bundle


def explore_training(train, lr=(0.001, 1.0, 0.001, 0.1), epochs=(10, 500, 10, 100),
                     params=None) -> TrainingExplorer:
    """Sliders for the learning rate and the epoch count over the learner's ``train``.

    Every time a slider is released, ``train(lr, epochs)`` runs again and the figure
    shows the loss curve and each parameter's trajectory (and, with exactly two scalar
    parameters, their path in the plane).

    Parameters
    ----------
    train : callable
        ``train(lr, epochs)`` returning a history: a dict of lists with a ``"loss"``
        entry, e.g. ``{"loss": [...], "W": [...], "b": [...]}`` (one entry per epoch;
        numbers, arrays or tensors), or just a list of losses. Give each parameter list
        one more entry than the loss list, its first being the parameters before
        training, and the trajectories and the path start at the initial parameters
        (epoch 0); with as many entries as the loss, each is taken as recorded after
        that epoch's update (the first is epoch 1).
    lr : tuple
        ``(min, max, step, value)`` of the learning-rate slider.
    epochs : tuple
        ``(min, max, step, value)`` of the epochs slider.
    params : list of str, optional
        Which history entries to draw as parameters; default: every key but ``"loss"``.

    Returns
    -------
    TrainingExplorer
        The widget (a ``VBox``); display it as a cell's last expression.

    Examples
    --------
    >>> import numpy as np
    >>> from adkernel import tf
    >>> X = np.linspace(0, 1, 20).reshape(-1, 1)
    >>> y = 3 * X
    >>> def train(lr, epochs):
    ...     W, b = tf.Variable([0.0]), tf.Variable([0.0])
    ...     history = {"loss": [], "W": [W.numpy()[0]], "b": [b.numpy()[0]]}  # the start
    ...     for _ in range(epochs):
    ...         with tf.GradientTape() as tape:
    ...             loss = tf.reduce_mean(tf.square(W * X + b - y))
    ...         dW, db = tape.gradient(loss, [W, b])
    ...         W.assign_sub(lr * dW)
    ...         b.assign_sub(lr * db)
    ...         history["loss"].append(float(loss))
    ...         history["W"].append(W.numpy()[0])
    ...         history["b"].append(b.numpy()[0])
    ...     return history
    >>> box = explore_training(train, epochs=(10, 200, 10, 50))
    >>> box.lr_slider.value = 0.5
    >>> float(box.history["W"][-1]) > float(box.history["W"][0])
    True
    """
    return TrainingExplorer(train, lr, epochs, params)
