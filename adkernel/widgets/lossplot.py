"""A live loss curve that costs almost nothing per step and survives static export.

``LossPlot.record`` only appends a float and reads the clock; at most every
``min_interval`` seconds it redraws a small matplotlib figure and pushes it as a PNG
through one IPython display handle. The saved notebook keeps the final frame as a plain
``image/png`` output with a ``text/plain`` that never changes, so nbconvert, GitHub and
strict nbval all read it (see docs: nbval ignores ``update_display_data``).

Matplotlib is used through ``Figure`` and ``FigureCanvasAgg`` only: never pyplot, never
the global backend, and ``rcParams`` only inside ``rc_context``.
"""

from __future__ import annotations

import base64
import gc
import io
import math
from functools import lru_cache
from time import perf_counter

from ..engine.i18n import _, lazy

__all__ = ["X_UNITS", "LossPlot", "drawable", "font_families", "plot_curve", "render_png",
           "x_label"]

# Fonts that cover Chinese, in order of preference: Linux (Debian/Ubuntu's fonts-noto-cjk,
# WenQuanYi), Windows (Microsoft YaHei, SimHei), macOS (PingFang SC, Heiti SC, Hiragino
# Sans GB, Songti SC). DejaVu Sans (shipped with matplotlib) is always the last resort.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
             "PingFang SC", "Heiti SC", "Hiragino Sans GB", "Songti SC", "Arial Unicode MS")
# Where those fonts live as files. Matplotlib lists the system's fonts once and caches the
# list, so a font installed after that first listing (apt-get install fonts-noto-cjk in a
# running Binder image) is invisible until the cache is deleted; the files found here are
# added to the running font list instead.
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
PNG_DPI = 100
MAX_DRAW_SHARE = 0.05  # live frames take at most this share of a training loop's time
FIRST_FRAME_AFTER = 1.0  # seconds: a shorter loop draws once, at the end
# Fixed margins (figure fractions) for the loss curve: matplotlib's constrained layout
# measures every label again each frame and doubles a frame's cost
CURVE_MARGINS = {"left": 0.13, "right": 0.97, "bottom": 0.15, "top": 0.9}
DRAW_LIMIT = 1e100  # larger values (a diverging run) are not drawn, only reported
# Okabe-Ito colours (told apart with every common colour-vision deficiency), on white
CURVE_COLOUR = "#0072b2"  # blue
WARN_COLOUR = "#d55e00"  # vermillion: values that could not be drawn
NOTE_COLOUR = "#4d4d4d"
BACKGROUND = "white"  # explicit: a dark notebook theme must not show through the PNG
LOSS = lazy("loss")  # the default name of what a LossPlot records
# what the x axis counts: each recorded value is one step (one gradient update) or one
# epoch (one pass over the data); the words of the axis and of the notes on the axes
X_UNITS = ("step", "epoch")
_X_LABEL = {"step": lazy("step"), "epoch": lazy("epoch")}
_NOT_DRAWN = {"step": lazy("not drawn from step {step}: {name} = {value:.3g}"),
              "epoch": lazy("not drawn from epoch {step}: {name} = {value:.3g}")}
_LAST = {"step": lazy("step {step}: {value:.4g}"),
         "epoch": lazy("epoch {step}: {value:.4g}")}


def x_label(x: str) -> str:
    """The x axis's label for a unit of :data:`X_UNITS`, in the current language.

    Examples
    --------
    >>> x_label("epoch")
    'epoch'
    """
    if x not in _X_LABEL:
        raise ValueError(_("the x axis counts {units}, not {x!r}").format(
            units=" or ".join(repr(u) for u in X_UNITS), x=x))
    return str(_X_LABEL[x])


def _add_cjk_font_files(font_manager, files=CJK_FONT_FILES) -> list:
    """Add the CJK font files that exist on disk but are missing from matplotlib's list.

    Returns the family names added.
    """
    import os

    known = {os.path.normcase(os.path.realpath(f.fname)) for f in font_manager.fontManager.ttflist}
    windir = os.environ.get("WINDIR")
    candidates = list(files)
    if windir:  # Windows not on C:
        candidates += [os.path.join(windir, "Fonts", n) for n in ("msyh.ttc", "simhei.ttf")]
    added = []
    for path in candidates:
        real = os.path.normcase(os.path.realpath(path))
        if real in known or not os.path.isfile(path):
            continue
        before = len(font_manager.fontManager.ttflist)
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # unreadable or not a font: skip it
            continue
        known.add(real)
        # every face of a collection (NotoSansCJK-Regular.ttc holds JP, KR, SC, TC, HK and
        # their Mono twins): the last one alone would be Noto Sans Mono CJK HK
        added += [f.name for f in font_manager.fontManager.ttflist[before:]]
    return added


@lru_cache(maxsize=1)
def font_families() -> tuple[str, ...]:
    """The font family list for plots: installed CJK fonts first, then DejaVu Sans.

    Matplotlib (>= 3.6) falls back glyph by glyph along the list, so Chinese labels
    render when one of :data:`CJK_FONTS` is installed and Latin text always does. When
    matplotlib's cached font list knows none of them, the font files of
    :data:`CJK_FONT_FILES` found on disk are added to it first (no cache to delete by hand
    after installing a font).

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> font_families()[-1]
    'DejaVu Sans'
    """
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    added = []
    if not installed & set(CJK_FONTS):
        added = _add_cjk_font_files(font_manager)
        installed.update(added)
    # other faces found on disk, monospaced ones last (Latin text would look typed)
    others = sorted((n for n in dict.fromkeys(added) if n not in CJK_FONTS),
                    key=lambda n: "Mono" in n)
    return (*(name for name in CJK_FONTS if name in installed), *others, "DejaVu Sans")


def render_png(draw, figsize: tuple[float, float], margins: dict | None = None) -> bytes:
    """Build a figure with ``draw(fig)`` and return it as PNG bytes.

    Parameters
    ----------
    draw : callable
        Called with a fresh :class:`matplotlib.figure.Figure` to add axes and artists.
    figsize : tuple of float
        Width and height in inches (rendered at 100 dpi).
    margins : dict, optional
        Fixed ``subplots_adjust`` margins (faster); by default constrained layout fits
        the labels.

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> png = render_png(lambda fig: fig.add_subplot().plot([3, 1, 2]), (3, 2))
    >>> png[:4]
    b'\\x89PNG'
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.family": list(font_families()),
                                "axes.unicode_minus": False}):
        fig = Figure(figsize=figsize, dpi=PNG_DPI, facecolor=BACKGROUND,
                     layout=None if margins else "constrained")
        FigureCanvasAgg(fig)
        if margins:
            fig.subplots_adjust(**margins)
        draw(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", facecolor=BACKGROUND)
    return buf.getvalue()


def drawable(values):
    """``values`` as a float array with what cannot be drawn (nan, ±inf, beyond 1e100) as nan.

    Matplotlib fails on axis ranges that overflow, which a diverging run (values near
    1e308) produces; such values are left out and reported instead.

    Parameters
    ----------
    values : array_like

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> drawable([1.0, float("inf"), 1e300])
    array([ 1., nan, nan])
    """
    import numpy as np

    y = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(y) <= DRAW_LIMIT, y, np.nan)


def plot_curve(ax, values, ylabel: str, title: str | None = None, x: str = "step") -> None:
    """Draw ``values`` against their step (or epoch) on ``ax``, choosing the y scale.

    The y axis is logarithmic when every drawable value is positive and they span more
    than two decades. Values that cannot be drawn (see :func:`drawable`: a diverging run)
    are left out of the line and reported in a note on the axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : sequence of float
    ylabel : str
    title : str, optional
    x : {"step", "epoch"}
        What one value stands for, the x axis's label: a step (one gradient update, the
        default) or an epoch (one pass over the training data).

    Examples
    --------
    >>> png = render_png(lambda fig: plot_curve(fig.add_subplot(), [1.0, 0.1, 1e-4],
    ...                                         "loss"), (4, 3))
    """
    import numpy as np

    xlabel = x_label(x)
    y = np.asarray(values, dtype=float)
    ylabel = str(ylabel)  # a lazy() label: in the language current now
    title = None if title is None else str(title)
    shown = drawable(y)
    finite = np.isfinite(shown)
    # markers keep short runs and values isolated between nan gaps visible
    ax.set_facecolor(BACKGROUND)
    ax.plot(np.arange(y.size), shown, color=CURVE_COLOUR, lw=1.5,
            marker="o" if y.size <= 30 else None, ms=3)
    good = shown[finite]
    if good.size and good.min() > 0 and good.max() / good.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if not finite.all():
        first = int(np.argmin(finite))
        ax.text(0.02, 0.95, _NOT_DRAWN[x].format(
                    step=first, name=ylabel, value=y[first]),
                transform=ax.transAxes, va="top", color=WARN_COLOUR)
    elif good.size:
        ax.text(0.98, 0.95, _LAST[x].format(step=good.size - 1, value=good[-1]),
                transform=ax.transAxes, va="top", ha="right", color=NOTE_COLOUR)
    else:
        ax.text(0.5, 0.5, _("no values yet"), transform=ax.transAxes, ha="center",
                color=NOTE_COLOUR)


def _has_frontend() -> bool:
    """Are we running inside IPython (a Jupyter kernel, or any shell that displays)?"""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


class _Frame:
    """One displayed frame: the PNG plus a ``text/plain`` that is the same every run."""

    def __init__(self, png: bytes, text: str):
        self.png = png
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": self.text}

    def __repr__(self) -> str:
        return self.text


class LossPlot:
    """A loss curve that redraws itself while training runs, at most every ``min_interval`` s.

    ``record(value)`` appends ``float(value)`` and checks the clock (about a microsecond);
    inside IPython the first frame is drawn ``first_frame_after`` seconds after the first
    record (so a loop shorter than that draws once, at the end), then again each time
    ``min_interval`` seconds have passed since the last frame, or longer when frames are
    slow to draw: drawing never takes more than :data:`MAX_DRAW_SHARE` (5%) of the loop's
    time.
    ``finish()`` always draws the final frame. All frames go to one output through an
    IPython display handle, so the saved notebook holds only the final picture. Outside
    IPython ``record`` only stores values and ``finish`` renders without displaying.

    Parameters
    ----------
    name : str
        What is recorded; the y-axis label (Chinese works when a CJK font is installed).
    title : str, optional
        Figure title; defaults to ``name``.
    min_interval : float
        Seconds between redraws while recording.
    first_frame_after : float
        Seconds from the first record to the first live frame.
    x : {"step", "epoch"}
        What one recorded value stands for, the x axis's label (default ``"step"``; a loop
        that takes one gradient per pass over the data counts epochs).

    Attributes
    ----------
    values : list of float
        Everything recorded so far.
    frames : int
        How many frames have been drawn.

    Examples
    --------
    >>> with LossPlot("损失") as plot:
    ...     for step in range(100):
    ...         plot.record(1.0 / (step + 1))
    >>> len(plot.values), plot.frames
    (100, 1)

    End a cell with ``plot.finish();`` (note the semicolon): the frame count depends on
    timing and would otherwise be printed as the cell's result.
    """

    def __init__(self, name: str = LOSS, title: str | None = None,
                 min_interval: float = 0.25, x: str = "step",
                 first_frame_after: float = FIRST_FRAME_AFTER):
        x_label(x)  # a unit it does not know fails now, not at the first frame
        self.x = x
        self.name = name
        self.title = title if title is not None else name
        self.min_interval = float(min_interval)
        self.first_frame_after = float(first_frame_after)
        self.values: list[float] = []
        self.frames = 0
        self._live = _has_frontend()
        self._handle = None
        # Time of the next redraw; the first record starts the clock. Never, outside IPython.
        self._due = 0.0 if self._live else math.inf

    def __repr__(self) -> str:
        return _("<loss plot: {name}>").format(name=self.name)

    def record(self, value) -> None:
        """Append one value (a number, 0-d array or scalar tensor); maybe redraw.

        Parameters
        ----------
        value : float or scalar tensor

        Examples
        --------
        >>> plot = LossPlot()
        >>> plot.record(0.5)
        >>> plot.values
        [0.5]
        """
        self.values.append(float(value))
        if perf_counter() >= self._due:
            self._tick()

    def _tick(self) -> None:
        if len(self.values) == 1:  # the first record only starts the clock
            self._due = perf_counter() + self.first_frame_after
            return
        start = perf_counter()
        self._show()
        cost = perf_counter() - start
        # Wait at least min_interval, and long enough that drawing takes at most
        # MAX_DRAW_SHARE of the loop's time, however slow a frame is on this machine.
        wait = max(self.min_interval, cost * (1.0 - MAX_DRAW_SHARE) / MAX_DRAW_SHARE)
        self._due = perf_counter() + wait

    def figure_png(self) -> bytes:
        """PNG bytes of the curve of all values recorded so far (drawn now, not counted).

        Examples
        --------
        >>> LossPlot().figure_png()[:4]
        b'\\x89PNG'
        """
        def draw(fig):
            ax = fig.add_subplot()
            plot_curve(ax, self.values, self.name, self.title, x=self.x)
            if ax.get_yscale() == "linear":  # short tick labels fit the fixed margin
                ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))

        return render_png(draw, (6.0, 3.2), margins=CURVE_MARGINS)

    def _show(self) -> None:
        frame = _Frame(self.figure_png(), repr(self))
        self.frames += 1
        if not self._live:
            return
        from IPython import display

        if self._handle is None:
            self._handle = display.display(frame, display_id=True)
        else:
            self._handle.update(frame)

    def finish(self) -> int:
        """Draw the final frame (always) and return how many frames were drawn in all.

        After a training that drew live frames it also runs the garbage collector once:
        every matplotlib figure is a web of reference cycles, and a finished training should
        not leave its frames' figures waiting for the next automatic collection
        (matplotlib's ``pyplot.close`` collects too). A loop that drew only this final
        frame skips it: a full collection costs about as much as half a frame, and one
        figure is left at most.

        Returns
        -------
        int

        Examples
        --------
        >>> plot = LossPlot()
        >>> plot.record(2.0)
        >>> plot.finish()
        1
        """
        self._show()
        if self.frames > 1:
            gc.collect()
        return self.frames

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _Frame(self.figure_png(), repr(self))._repr_mimebundle_()

    def __enter__(self) -> LossPlot:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        # Draw the final frame even when training raised; the exception still propagates.
        self.finish()
