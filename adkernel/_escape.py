"""Text made safe for HTML and SVG: escaped, and well-formed whatever it holds.

``html.escape`` handles ``<``, ``>``, ``&`` and quotes, but a learner's names and values can
also hold control characters (not allowed in XML 1.0, not even as character references)
and lone surrogates (which cannot be encoded as UTF-8, so the output could not even be
sent to the notebook). Both are shown as their ``\\x..``/``\\u....`` escape instead.
"""

from __future__ import annotations

import html
import re

__all__ = ["escape", "printable"]

# C0 controls except tab, newline and carriage return; DEL and C1 controls; surrogates;
# the two XML non-characters U+FFFE and U+FFFF.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _visible(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def printable(text) -> str:
    """``str(text)`` with characters XML forbids written as visible escapes.

    Examples
    --------
    >>> printable("a\\x00b\\ud800")
    'a\\\\x00b\\\\ud800'
    """
    return _BAD.sub(_visible, str(text))


def escape(text, quote: bool = True) -> str:
    """``html.escape`` of :func:`printable`: safe in HTML and SVG text and attributes.

    Examples
    --------
    >>> escape('<b title="x">\\x07')
    '&lt;b title=&quot;x&quot;&gt;\\\\x07'
    """
    return html.escape(printable(text), quote=quote)
