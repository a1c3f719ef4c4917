"""Settings of the exercise checker: time limit, language, progress file.

Each setting can be given as an attribute of :data:`settings` (for tests and notebooks)
or through an environment variable; the attribute wins when it is set.

========================  =================================  ==========================
setting                   environment variable               default
========================  =================================  ==========================
``time_limit`` (seconds)  ``ADKERNEL_EXERCISE_TIME_LIMIT``   30
``language``              ``ADKERNEL_LANG``                  folder, locale, else en
``progress_path``         ``ADKERNEL_PROGRESS``              ``~/.adkernel/progress.json``
========================  =================================  ==========================

The language is adkernel's one setting (:mod:`adkernel.engine.i18n`): ``set_language``
or this attribute, then ``ADKERNEL_LANG``, then a working directory under a folder named
``zh`` (``course/zh/...``), then the locale, else English.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..engine import i18n
from ..engine.i18n import _

__all__ = ["LANGUAGES", "Settings", "settings"]

LANGUAGES = ("en", "zh")
DEFAULT_TIME_LIMIT = 30.0


def _normalise_language(value: str | None) -> str | None:
    return i18n.normalise_language(value)


def language_from_path(path: Path) -> str:
    """``zh`` when a folder on ``path`` is named like ``zh`` (nearest folder wins), else ``en``."""
    return i18n.language_from_path(path) or "en"


class Settings:
    """Mutable checker settings; ``None`` means "use the environment or the default"."""

    def __init__(self) -> None:
        self._time_limit: float | None = None
        self._progress_path: Path | None = None

    # -- time limit ---------------------------------------------------------------
    @property
    def time_limit(self) -> float:
        """Seconds a check may spend in learner code before it is stopped."""
        if self._time_limit is not None:
            return self._time_limit
        try:
            value = float(os.environ.get("ADKERNEL_EXERCISE_TIME_LIMIT", ""))
        except ValueError:
            return DEFAULT_TIME_LIMIT
        return value if value > 0 else DEFAULT_TIME_LIMIT

    @time_limit.setter
    def time_limit(self, value: float | None) -> None:
        if value is None:
            self._time_limit = None
            return
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                _("time_limit is a number of seconds, e.g. 10, not {value!r}").format(value=value)
            ) from None
        if not (seconds > 0 and seconds != float("inf")):
            raise ValueError(
                _("time_limit must be a positive number of seconds, e.g. 10, not {value!r}"
                  ).format(value=value))
        self._time_limit = seconds

    # -- language -----------------------------------------------------------------
    @property
    def language(self) -> str:
        """``"en"`` or ``"zh"``: adkernel's one language setting (:func:`adkernel.set_language`)."""
        return i18n.get_language()

    @language.setter
    def language(self, value: str | None) -> None:
        i18n.set_language(value)

    # -- progress file ------------------------------------------------------------
    @property
    def progress_path(self) -> Path:
        """Where progress is kept: the attribute, else ``ADKERNEL_PROGRESS``, else home."""
        if self._progress_path is not None:
            return self._progress_path
        env = os.environ.get("ADKERNEL_PROGRESS")
        if env:
            return Path(env).expanduser()
        return Path.home() / ".adkernel" / "progress.json"

    @progress_path.setter
    def progress_path(self, value) -> None:
        self._progress_path = None if value is None else Path(value).expanduser()

    def reset(self) -> None:
        """Forget every attribute set in code (back to environment and defaults)."""
        self.__init__()
        i18n.set_language(None)


settings = Settings()
