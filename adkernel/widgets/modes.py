"""Forward and reverse mode side by side: the same Jacobian, filled two ways.

For a small ``f: ℝⁿ → ℝᵐ``, :func:`compare_modes` builds the ``m × n`` Jacobian twice: in
forward mode one *column* per pass (a ``ForwardAccumulator`` moves one input, ``x[j]``,
and gives ``∂y/∂x[j]``), in reverse mode one *row* per pass (a ``GradientTape`` seeds one
output, ``y[i]``, and gives ``∂y[i]/∂x``). A slider walks the passes; the counters say how
many each mode needed (``n`` against ``m``), and the last step checks that both Jacobians
agree. The static form (the last pass, as an ``<img>``) shows in untrusted notebooks.
"""

from __future__ import annotations

import numpy as np

from .._escape import escape
from ..engine.forward import ForwardAccumulator
from ..engine.i18n import _, lazy, ngettext
from ..engine.tape import GradientTape
from ..engine.tensor import TensorLike, convert_to_tensor
from .graph_layout import _num, _text_width
from .graph_svg import FONT_FAMILY, HIGHLIGHT, TEXT, _attr, _px
from .stepper import BackpropStepper, _summary

__all__ = ["ModeComparison", "compare_modes"]

MAX_SIZE = 12  # inputs and outputs drawn (one box per Jacobian entry)
CELL_W, CELL_H, HEAD_W, GAP = 56, 24, 44, 40
FILLS = {"forward": "#d4e8f5", "reverse": "#fbecc9"}  # Okabe-Ito blue / orange, light
PLAY_TOOLTIP = lazy("Play: one pass of each mode every 1.5 s (pause, stop, repeat)")
SLIDER_TOOLTIP = lazy("Choose a pass: 0 is before any pass, {last} has both Jacobians")


def _passes(n: int) -> str:
    return ngettext("{n} pass", "{n} passes", n).format(n=n)


def _flat_size(t) -> int:
    return int(np.prod(t._value.shape, dtype=np.int64))


def _forward_columns(f, x, n: int) -> list:
    """One forward pass per input: column ``j`` is ``J @ e_j``."""
    v = x._value
    cols = []
    for j in range(n):
        e = np.zeros(v.size, dtype=v.dtype)
        e[j] = 1
        with ForwardAccumulator(x, e.reshape(v.shape)) as acc:
            y = f(x)
        t = acc.jvp(y, unconnected_gradients="zero")
        cols.append(np.asarray(t._value, dtype=np.float64).ravel())
    return cols


def _reverse_rows(f, x, y0) -> list:
    """One reverse pass per output: row ``i`` is ``e_iᵀ @ J``."""
    rows = []
    w = y0._value
    for i in range(w.size):
        seed = np.zeros(w.size, dtype=w.dtype)
        seed[i] = 1
        with GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        g = tape.gradient(y, x, output_gradients=seed.reshape(w.shape),
                          unconnected_gradients="zero")
        rows.append(np.asarray(g._value, dtype=np.float64).ravel())
    return rows


def compare_modes(f, x) -> ModeComparison:
    """Build the Jacobian of ``f`` at ``x`` in forward and in reverse mode, side by side.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a float tensor computed with tf ops (``y = f(x)``).
    x : tensor or array
        The point; at most 12 numbers, and ``f(x)`` at most 12.

    Returns
    -------
    ModeComparison
        A widget (slider over the passes) that displays as a picture without one.

    Examples
    --------
    >>> from adkernel import tf
    >>> cmp = compare_modes(lambda x: tf.stack([x[0] * x[1], tf.sin(x[0]), x[1]]),
    ...                     tf.constant([1.0, 2.0]))
    >>> cmp.passes
    {'forward': 2, 'reverse': 3}
    >>> cmp.jacobian.round(3).tolist()
    [[2.0, 1.0], [0.54, 0.0], [0.0, 1.0]]
    """
    if not callable(f):
        raise TypeError(_("compare_modes(f, x): f must be a function of x (e.g. lambda x: "
                          "tf.sin(x)), got {type}").format(type=type(f).__name__))
    x = x if isinstance(x, TensorLike) else convert_to_tensor(x, dtype="float32")
    if x._value.dtype.kind != "f":
        raise TypeError(_("compare_modes: x must hold floats to be differentiated, got "
                          "{dtype}; try tf.constant(x, dtype=tf.float32)").format(
            dtype=x._value.dtype.name))
    y0 = f(x)
    if not isinstance(y0, TensorLike) or y0._value.dtype.kind != "f":
        raise TypeError(_("compare_modes: f(x) must return a float tensor computed with tf "
                          "ops, got {type}").format(type=type(y0).__name__))
    n, m = _flat_size(x), _flat_size(y0)
    if not (1 <= n <= MAX_SIZE and 1 <= m <= MAX_SIZE):
        raise ValueError(_(
            "compare_modes draws one box per Jacobian entry, so x and f(x) may hold at most "
            "{limit} numbers each (here {n} and {m}); try a smaller x").format(
            limit=MAX_SIZE, n=n, m=m))
    cols = _forward_columns(f, x, n)
    rows = _reverse_rows(f, x, y0)
    return ModeComparison(np.array(cols).T.reshape(m, n), np.array(rows).reshape(m, n))


class ModeComparison(BackpropStepper):
    """Both modes' Jacobians, pass by pass (made by :func:`compare_modes`).

    It shares the backprop stepper's controls (Play, slider), picture and static form;
    a step here is one pass of each mode.

    Attributes
    ----------
    forward, reverse : ndarray
        The ``m × n`` Jacobian from the ``n`` forward passes (columns) and from the ``m``
        reverse passes (rows).
    jacobian : ndarray
        The forward one (both agree to rounding; :attr:`difference` says how closely).
    passes : dict
        ``{"forward": n, "reverse": m}``.
    """

    _play_tooltip = PLAY_TOOLTIP
    _slider_tooltip = SLIDER_TOOLTIP

    def __init__(self, forward: np.ndarray, reverse: np.ndarray):
        self.forward, self.reverse = forward, reverse
        self.jacobian = forward
        m, n = forward.shape
        self.passes = {"forward": n, "reverse": m}
        with np.errstate(all="ignore"):
            self.difference = float(np.max(np.abs(forward - reverse)))
        scale = max(1.0, float(np.max(np.abs(forward), initial=0.0)))
        self.agree = bool(np.allclose(forward, reverse, rtol=1e-4, atol=1e-5 * scale,
                                      equal_nan=True))
        self.steps = list(range(max(m, n)))  # step k: pass k of each mode (while it lasts)
        self._build()

    # -- pictures ----------------------------------------------------------------------------
    def _render(self, k: int) -> str:
        m, n = self.forward.shape
        fwd_done, rev_done = min(k, n), min(k, m)
        heads = {mode: self._heading(mode, min(k, self.passes[mode])) for mode in FILLS}
        # each grid as wide as its cells or its heading, whichever is wider
        grid_w = max([HEAD_W + n * CELL_W] + [_text_width(h, bold=True) for h in heads.values()])
        width = 2 * 16 + 2 * grid_w + GAP
        top = 16 + 24
        height = top + 22 + (m + 1) * CELL_H + 40
        title = _("pass {k} of {last}: forward mode fills columns, reverse mode fills "
                  "rows").format(k=k, last=self.n_steps - 1)
        width = max(width, 32 + _text_width(title, 14, True))
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_px(width)}" '
            f'height="{_px(height)}" viewBox="0 0 {_px(width)} {_px(height)}" '
            f'font-family="{_attr(FONT_FAMILY)}" font-size="12" role="img" '
            f'style="max-width:100%;height:auto">',
            f"<title>{escape(title)}</title>",
            f'<rect width="{_px(width)}" height="{_px(height)}" fill="#ffffff"/>',
            f'<text x="16" y="30" font-size="14" font-weight="bold" fill="{TEXT["head"]}">'
            f"{escape(title)}</text>",
        ]
        out += self._grid("forward", 16, top, fwd_done, k, heads["forward"])
        out += self._grid("reverse", 16 + grid_w + GAP, top, rev_done, k, heads["reverse"])
        out.append("</svg>")
        return "\n".join(out) + "\n"

    def _heading(self, mode: str, done: int) -> str:
        """A grid's heading with its pass counter: ``forward mode, …: 2 of 3``."""
        head = (_("forward mode, a column per pass: {done} of {total}") if mode ==
                "forward" else _("reverse mode, a row per pass: {done} of {total}"))
        return head.format(done=done, total=self.passes[mode])

    def _grid(self, mode: str, x0: float, y0: float, done: int, k: int, head: str) -> list:
        """One mode's Jacobian: its heading, and one box per entry."""
        m, n = self.forward.shape
        matrix = self.forward if mode == "forward" else self.reverse
        out = [f'<text x="{_px(x0)}" y="{_px(y0 + 14)}" font-weight="bold" '
               f'fill="{TEXT["head"]}">{escape(head)}</text>']
        gy = y0 + 22
        for j in range(n):
            out.append(f'<text x="{_px(x0 + HEAD_W + (j + 0.5) * CELL_W)}" '
                       f'y="{_px(gy + CELL_H - 8)}" text-anchor="middle" '
                       f'fill="{TEXT["meta"]}">x[{j}]</text>')
        for i in range(m):
            cy = gy + (i + 1) * CELL_H
            out.append(f'<text x="{_px(x0 + HEAD_W - 6)}" y="{_px(cy + CELL_H - 8)}" '
                       f'text-anchor="end" fill="{TEXT["meta"]}">y[{i}]</text>')
            for j in range(n):
                filled = j < done if mode == "forward" else i < done
                newest = (j if mode == "forward" else i) == k - 1 and filled
                out.append(self._cell(x0 + HEAD_W + j * CELL_W, cy, matrix[i, j] if filled
                                      else None, FILLS[mode], newest))
        return out

    @staticmethod
    def _cell(x: float, y: float, value, fill: str, newest: bool) -> str:
        stroke, width = (HIGHLIGHT, 2.5) if newest else ("#999999", 1)
        text = "?" if value is None else _num(value, 3)
        colour = TEXT["pending"] if value is None else TEXT["value"]
        return (f'<rect x="{_px(x + 1)}" y="{_px(y + 1)}" width="{CELL_W - 2}" '
                f'height="{CELL_H - 2}" fill="{fill if value is not None else "#ffffff"}" '
                f'stroke="{stroke}" stroke-width="{width}"/>'
                f'<text x="{_px(x + CELL_W / 2)}" y="{_px(y + CELL_H - 8)}" '
                f'text-anchor="middle" fill="{colour}">{escape(text)}</text>')

    # -- words -------------------------------------------------------------------------------
    def _explain(self, k: int) -> str:
        m, n = self.forward.shape
        if k == 0:
            return "\n".join([
                _("Pass 0: nothing computed yet."),
                _("f maps {n} inputs to {m} outputs, so its Jacobian has {m} rows and {n} "
                  "columns.").format(n=n, m=m),
                _("Forward mode needs {fwd} (one per input: a column each); reverse "
                  "mode needs {rev} (one per output: a row each).").format(
                    fwd=_passes(n), rev=_passes(m))])
        lines = [_("Pass {k} of {last}.").format(k=k, last=self.n_steps - 1)]
        if k <= n:
            lines.append(_("Forward pass {k}: the tangent moves x[{j}] only (1 there, 0 "
                           "elsewhere) and gives column {j}: {values}").format(
                k=k, j=k - 1, values=_summary(self.forward[:, k - 1])))
        else:
            lines.append(_("Forward mode finished after {passes}.").format(passes=_passes(n)))
        if k <= m:
            lines.append(_("Reverse pass {k}: the gradient starts at y[{i}] only (1 there, "
                           "0 elsewhere) and gives row {i}: {values}").format(
                k=k, i=k - 1, values=_summary(self.reverse[k - 1])))
        else:
            lines.append(_("Reverse mode finished after {passes}.").format(passes=_passes(m)))
        if k == self.n_steps - 1:
            lines.append(self._verdict())
        return "\n".join(lines)

    def _verdict(self) -> str:
        m, n = self.forward.shape
        agree = (_("Both Jacobians agree (largest difference {d:.2g}).") if self.agree else
                 _("The two Jacobians differ (largest difference {d:.2g}): a JVP or VJP "
                   "rule is wrong, or f is not differentiable here."))
        if n < m:
            fewer = _("Fewer inputs than outputs: forward mode needed fewer passes ({n} "
                      "against {m}).")
        elif m < n:
            fewer = _("Fewer outputs than inputs: reverse mode needed fewer passes ({m} "
                      "against {n}); with one output (a loss) it needs just one.")
        else:
            fewer = _("As many inputs as outputs: both modes needed {passes}.")
        # two sentences: a space between them in English, none in Chinese
        return _("{agree} {fewer}").format(agree=agree.format(d=self.difference),
                                           fewer=fewer.format(n=n, m=m, passes=_passes(n)))

    # -- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        m, n = self.forward.shape
        return _("<forward and reverse mode: a {m}×{n} Jacobian; forward {fwd}, reverse "
                 "{rev}>").format(m=m, n=n, fwd=_passes(n), rev=_passes(m))

    @property
    def alt(self) -> str:
        """The static picture (the last pass) in words: its alt text."""
        m, n = self.forward.shape
        return _("Two copies of the {m}×{n} Jacobian of f: forward mode filled it one "
                 "column per pass ({fwd}), reverse mode one row per pass ({rev}). "
                 "{verdict}").format(m=m, n=n, fwd=_passes(n), rev=_passes(m),
                                     verdict=self._verdict())
