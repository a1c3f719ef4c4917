"""The learner's language: one setting for all of adkernel, and gettext catalogs.

Every word adkernel says or draws goes through :func:`_` (translate now) or :func:`lazy`
(translate when shown). The English text is the message id; Chinese lives in the gettext
catalogs under ``adkernel/locale/zh_CN/LC_MESSAGES/`` (``*.po`` in git, ``*.mo`` compiled
by ``python tools/i18n.py compile`` and shipped in the wheel).

Which language, first match wins:

1. :func:`set_language` (``adkernel.set_language("zh")``; the exercise checker's
   ``settings.language`` is the same setting);
2. the ``ADKERNEL_LANG`` environment variable;
3. a working directory under a folder named ``zh`` (``course/zh/...``);
4. the locale: ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with ``zh``;
5. English.

The language is read at the moment a message is shown, so switching in the middle of a
notebook changes everything shown afterwards. Identifiers (op, option and variable names,
dtypes, exception class names) are never translated. Standard library only: the engine
uses it too.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "N_",
    "LazyText",
    "_",
    "get_language",
    "language",
    "lazy",
    "ngettext",
    "normalise_language",
    "set_language",
    "translate",
    "translation",
]

LANGUAGES = ("en", "zh")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_GETTEXT_LOCALE = {"zh": "zh_CN"}

_explicit: str | None = None  # set_language(); process-wide, like a notebook's setting
_local = threading.local()  # language() context manager: per thread (the grader, tests)
_cache: dict[str, _gettext.NullTranslations] = {}
_cache_lock = threading.Lock()


def normalise_language(value) -> str | None:
    """``"zh"``, ``"en"`` or ``None`` for a spelling we do not know (``"zh_CN.UTF-8"`` → zh)."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip().lower().replace("_", "-")
    if re.fullmatch(r"zh([-.@].*)?", value) or value in ("cn", "chinese", "中文"):
        return "zh"
    if re.fullmatch(r"en([-.@].*)?", value) or value in ("english", "c", "posix"):
        return "en"
    return None


def language_from_path(path) -> str | None:
    """``"zh"``/``"en"`` from the nearest folder on ``path`` named like a language, else None."""
    for part in reversed(Path(path).parts):
        if part.lower() in ("zh", "zh-cn", "zh_cn", "en"):
            return normalise_language(part)
    return None


@lru_cache(maxsize=64)
def _language_of_folder(cwd: str) -> str | None:
    """:func:`language_from_path` for the working directory, remembered per folder (the
    language is read each time a message is shown, and parsing the path is most of it)."""
    return language_from_path(cwd)


def _from_locale() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:  # the first one set decides, as POSIX does
            return "zh" if value.lower().startswith("zh") else None
    return None


def get_language() -> str:
    """The language shown now: ``"en"`` or ``"zh"`` (see the module docstring for the order)."""
    forced = getattr(_local, "forced", None)
    if forced:
        return forced
    if _explicit is not None:
        return _explicit
    env = normalise_language(os.environ.get("ADKERNEL_LANG"))
    if env:
        return env
    try:
        from_cwd = _language_of_folder(os.getcwd())
    except OSError:
        from_cwd = None
    if from_cwd:
        return from_cwd
    return _from_locale() or "en"


def set_language(value: str | None) -> None:
    """Show everything in ``"zh"`` (Chinese) or ``"en"`` (English) from now on.

    ``None`` forgets the choice (back to ``ADKERNEL_LANG``, the folder, the locale).

    >>> import adkernel
    >>> adkernel.set_language("en")
    """
    global _explicit
    if value is None:
        _explicit = None
        return
    lang = normalise_language(value)
    if lang is None:
        raise ValueError(_("The language must be one of {choices}, not {value!r}.").format(
            choices=", ".join(repr(c) for c in LANGUAGES), value=value))
    _explicit = lang


@contextmanager
def language(value: str):
    """Show messages in ``value`` inside the ``with`` block, in this thread only."""
    lang = normalise_language(value)
    if lang is None:
        raise ValueError(_("The language must be one of {choices}, not {value!r}.").format(
            choices=", ".join(repr(c) for c in LANGUAGES), value=value))
    previous = getattr(_local, "forced", None)
    _local.forced = lang
    try:
        yield lang
    finally:
        _local.forced = previous


def translation(lang: str | None = None) -> _gettext.NullTranslations:
    """The gettext object for ``lang`` (default: the current language); cached.

    Chinese chains every compiled catalog in the locale folder (one per part of the
    package: ``engine.mo``, ``widgets.mo``, ...), so callers see one catalog.
    """
    lang = lang or get_language()
    found = _cache.get(lang)
    if found is not None:
        return found
    with _cache_lock:
        found = _cache.get(lang)
        if found is not None:
            return found
        code = _GETTEXT_LOCALE.get(lang)
        found = _gettext.NullTranslations()
        if code:
            folder = LOCALE_DIR / code / "LC_MESSAGES"
            for mo in sorted(folder.glob("*.mo")):
                with open(mo, "rb") as fh:
                    part = _gettext.GNUTranslations(fh)
                if type(found) is _gettext.NullTranslations:
                    found = part
                else:
                    found.add_fallback(part)
        _cache[lang] = found
        return found


def _(message: str) -> str:
    """``message`` (English, the msgid) in the current language, now."""
    return translation().gettext(message)


def translate(message: str, lang: str | None = None) -> str:
    """``message`` in ``lang`` (default: the current language)."""
    return translation(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return translation().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it (translate with ``_`` later)."""
    return message


class LazyText(str):
    """A message id that turns into the current language each time it is shown.

    For text made at import time (argument parsers, constants, class attributes):
    ``str(text)``, ``format`` and ``f"{text}"`` give the language current at that moment.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return translate(str.__str__(self))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def format(self, *args, **kwargs) -> str:
        return str(self).format(*args, **kwargs)

    def render(self, lang: str | None = None) -> str:
        return translate(str.__str__(self), lang)

    def __add__(self, other):
        return str(self) + other

    def __radd__(self, other):
        return other + str(self)

    def __mod__(self, other):
        return str(self) % other

    def __repr__(self) -> str:
        return f"lazy({str.__str__(self)!r})"


def lazy(message: str) -> LazyText:
    """``message`` translated at the moment it is shown, not now (see :class:`LazyText`)."""
    return LazyText(message)


def _reset_cache() -> None:
    """Forget loaded catalogs (after ``tools/i18n.py compile`` in a running process)."""
    with _cache_lock:
        _cache.clear()
