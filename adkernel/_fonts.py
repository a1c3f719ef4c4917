"""Chinese in the learner's own matplotlib plots, once the extension is loaded.

adkernel's own pictures choose their fonts themselves. A learner's ``plt.title("损失")``
uses matplotlib's global ``font.family``, whose default (DejaVu Sans) has no Chinese: the
title would come out as empty boxes with a "Glyph missing" warning. So ``%load_ext
adkernel`` appends the CJK fonts installed on the machine to that list, after the fonts
already there: matplotlib (>= 3.6) falls back glyph by glyph along the list, so Latin text
looks exactly as before and Chinese text finds a font.

matplotlib is not imported for this: before each cell runs, the hook looks whether
matplotlib is imported already or the cell mentions it, and sets the list once.
"""

from __future__ import annotations

import sys

__all__ = ["add_cjk_fallback", "register", "unregister"]

_done = False


def add_cjk_fallback() -> list[str]:
    """Append the installed CJK fonts to matplotlib's ``font.family``; returns the new list."""
    global _done
    import matplotlib

    from .widgets.lossplot import font_families

    current = matplotlib.rcParams["font.family"]
    current = [current] if isinstance(current, str) else list(current)
    if current == ["sans-serif"]:  # the default: name its first font, so Latin is unchanged
        current = list(matplotlib.rcParams["font.sans-serif"][:1])
    cjk = [name for name in font_families() if name != "DejaVu Sans"][:2]
    family = current + [name for name in cjk if name not in current]
    matplotlib.rcParams["font.family"] = family
    _done = True
    return family


def _before_cell(info=None) -> None:
    if _done:
        return
    source = getattr(info, "raw_cell", "") or ""
    if "matplotlib" in sys.modules or "matplotlib" in source or "plt" in source:
        try:
            add_cjk_fallback()
        except Exception:  # fonts are a nicety: never break the cell
            pass


def register(ip) -> None:
    ip.events.register("pre_run_cell", _before_cell)


def unregister(ip) -> None:
    try:
        ip.events.unregister("pre_run_cell", _before_cell)
    except ValueError:
        pass
