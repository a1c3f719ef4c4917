"""Helpers for tests that read the pictures notebooks receive (``<img>`` in ``text/html``)."""

from __future__ import annotations

import base64
import re

IMG = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"<>]*)" '
                 r'style="max-width:100%;height:auto">')


def img_svg(html: str) -> str:
    """The SVG inside an ``<img src="data:image/svg+xml;base64,...">`` output.

    Fails unless ``html`` is exactly one such tag with non-empty alt text.
    """
    m = IMG.fullmatch(html)
    assert m, html[:200]
    assert m.group(2).strip(), "the picture has no alt text"
    return base64.b64decode(m.group(1)).decode("utf-8")


def img_alt(html: str) -> str:
    m = IMG.fullmatch(html)
    assert m, html[:200]
    return m.group(2)
