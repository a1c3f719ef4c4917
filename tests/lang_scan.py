"""Find English words left in what adkernel shows a Chinese-speaking learner.

A *word* is a run of Latin letters that is not an identifier. Identifiers are left alone:
a chunk with a dot, underscore, bracket, digit, slash or other code punctuation in it
(``tape.gradient``, ``float32``, ``grads[0]``), a run with an inner capital
(``GradientTape``, ``NaN``), Python keywords and builtins, the names adkernel's API exposes
(``tf.*``, op names, exception classes) and the names given in ``allowed`` (the learner's
own variables, taken from the code that ran: :func:`code_identifiers`).

Text may come from anywhere a notebook keeps output: streams, error messages, HTML (tags,
styles and scripts are dropped; ``alt``, ``title``, ``aria-label`` and ``placeholder``
attribute values are kept, they are read aloud or shown on hover), SVG inside ``data:``
URIs, and stored widget state. :func:`texts_of_output` takes one nbformat output apart.
"""

from __future__ import annotations

import ast
import base64
import html
import io
import keyword
import re
import tokenize
import urllib.parse
from collections.abc import Iterable
from html.parser import HTMLParser

__all__ = [
    "api_identifiers",
    "cjk_characters",
    "code_identifiers",
    "english_words",
    "texts_of_html",
    "texts_of_output",
]

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Chunks are cut at white space, CJK characters and sentence punctuation; what is left may
# be a word, a phrase joined by hyphens, or an identifier-like chunk.
_SPLIT = re.compile(r"[\s\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
                    r",;!?\"'“”‘’«»…·•–—|]+")
_EDGE = "()[]{}<>:;!?\"'`*«»"  # a leading dot stays: `.ipynb` is a name
_BACKTICKED = re.compile(r"`[^`\n]+`")
_CODE_MARK = re.compile(r"[._\d\[\](){}/\\=<>@#$%^&*+~`|]")
_LATIN_RUN = re.compile(r"[A-Za-z]+")
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]|[A-Z]{2,}[a-z]|^[A-Z]{2,}$")

# Words that are names, not English: units and notation a Chinese text uses as they are.
NOTATION = frozenset({
    "x", "y", "z", "w", "b", "f", "g", "h", "n", "m", "k", "i", "j", "t", "v", "u", "a", "c",
    "d", "e", "p", "q", "r", "s", "W", "X", "Y", "Z", "A", "B", "C", "D", "F", "H", "J", "K",
    "L", "N", "T", "V", "dx", "dy", "dz", "dw", "db", "df", "exp", "log", "sin", "cos", "tan",
    "tanh", "ln", "max", "min", "sqrt", "lr", "nan", "inf", "id", "ms", "KiB", "MiB", "GB",
    "MB", "KB", "API", "AD", "VJP", "JVP", "MSE", "ReLU", "NumPy", "TensorFlow", "Python",
    "Jupyter", "JupyterLab", "IPython", "adkernel", "numpy", "Keras", "keras", "Binder",
    "GPU", "CPU", "CSV", "HTML", "SVG", "PNG", "Epoch", "Loss", "tf", "np", "plt", "en", "zh",
    # the packages and commands a message may tell the learner to install or run
    "pip", "install", "python", "ipykernel", "nbformat", "nbclient", "nbgrader", "nbval",
    "ipywidgets", "matplotlib", "jupyter", "babel", "bubblewrap", "bwrap",
})
# Builtins a message may name bare (types and functions learners call), not all of them.
BUILTIN_NAMES = frozenset({"float", "int", "bool", "str", "list", "dict", "tuple", "print",
                           "len", "range", "isinstance", "object", "type"})


def cjk_characters(text: str) -> list[str]:
    """The CJK characters (and full-width forms) in ``text``."""
    return _CJK.findall(text)


def _is_identifier_chunk(chunk: str, allowed: frozenset[str]) -> bool:
    if chunk in allowed or chunk[0] in "-%$":  # an option (--watch) or a magic (%%tape)
        return True
    return bool(_CODE_MARK.search(chunk))


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The English words in ``text`` (in order, repeats kept); ``[]`` when there are none.

    >>> english_words("标量，float32；梯度 6")
    []
    >>> english_words("scalar, float32")
    ['scalar']
    >>> english_words("调用 tape.gradient(y, x) 得到 GradientTape 的结果")
    []
    """
    allowed = frozenset(allowed) | NOTATION | api_identifiers()
    found = []
    text = _BACKTICKED.sub(" ", text)  # `code` is code
    for raw in _SPLIT.split(text):
        chunk = raw.strip(_EDGE).rstrip(".")
        if not chunk or not _LATIN_RUN.search(chunk):
            continue
        if _is_identifier_chunk(chunk, allowed):
            continue
        for part in chunk.split("-"):
            part = part.strip(_EDGE)
            if not part or not _LATIN_RUN.fullmatch(part):
                continue  # mixed with something that is not a letter: code-like
            if part in allowed or _INNER_CAPITAL.search(part):
                continue
            found.append(part)
    return found


_API: frozenset[str] | None = None


def api_identifiers() -> frozenset[str]:
    """Python's keywords, a few builtins and adkernel's op names (cached).

    Not every name of ``tf``: that would let ``shape`` or ``constant`` through as if they
    were code when a message uses them as English.
    """
    global _API
    if _API is None:
        from adkernel.engine.registry import REGISTRY

        names = set(keyword.kwlist) | BUILTIN_NAMES | set(REGISTRY)
        names |= {op.public.__name__ for op in REGISTRY.values()
                  if getattr(op, "public", None) is not None}
        _API = frozenset(names)
    return _API


def code_identifiers(source: str) -> set[str]:
    """Every name in a piece of Python (IPython magics allowed): the learner's own words."""
    names: set[str] = set()
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:
        pass
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = []
    names |= {t.string for t in tokens if t.type == tokenize.NAME}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return names
    for node in ast.walk(tree):  # magic arguments such as `--grad y:x` become strings
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.startswith("-"):
            names |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", node.value))
    return names


class _Text(HTMLParser):
    SKIP = frozenset({"style", "script"})
    ATTRS = frozenset({"alt", "title", "aria-label", "placeholder"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if not value:
                continue
            if name in self.ATTRS:
                self.parts.append(value)
            elif name in ("src", "href") and value.startswith("data:image/svg+xml"):
                self.parts.extend(texts_of_html(_decode_data_uri(value)))

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def _decode_data_uri(uri: str) -> str:
    head, _, data = uri.partition(",")
    if head.endswith(";base64"):
        return base64.b64decode(data).decode("utf-8", "replace")
    return urllib.parse.unquote(data)


def texts_of_html(markup: str) -> list[str]:
    """The text a person reads in HTML or SVG: text nodes and read-aloud attributes."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return [html.unescape(p) for p in parser.parts]


def texts_of_output(output: dict) -> list[str]:
    """What one nbformat output shows: stream text, the error message, HTML/SVG/plain text.

    For an error, the exception's name and message count; the traceback's frames are
    IPython's and Python's (file names and source lines), not adkernel's words.
    """
    kind = output.get("output_type")
    if kind == "stream":
        return [_join(output.get("text", ""))]
    if kind == "error":
        return [output.get("evalue", "")]
    data = output.get("data", {})
    found: list[str] = []
    if "text/html" in data:
        found.extend(texts_of_html(_join(data["text/html"])))
    elif "image/svg+xml" in data:
        found.extend(texts_of_html(_join(data["image/svg+xml"])))
    elif any(k.startswith("image/") for k in data):
        pass  # a picture: its text/plain twin (``<Figure size ...>``) is never shown
    elif "text/markdown" in data:
        found.append(_join(data["text/markdown"]))
    elif "text/plain" in data:
        found.append(_join(data["text/plain"]))
    if "image/svg+xml" in data and "text/html" in data:
        found.extend(texts_of_html(_join(data["image/svg+xml"])))
    return found


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)
