"""Settings of the exercise checker: time limit, language, progress file.

Each setting can be given as an attribute of :data:`settings` (for tests and notebooks)
or through an environment variable; the attribute wins when it is set.

========================  =================================  ==========================
setting                   environment variable               default
========================  =================================  ==========================
``time_limit`` (seconds)  ``ADKERNEL_EXERCISE_TIME_LIMIT``   30
``language``              ``ADKERNEL_LANG``                  from the working directory
``progress_path``         ``ADKERNEL_PROGRESS``              ``~/.adkernel/progress.json``
========================  =================================  ==========================

The language comes from where the kernel runs: a working directory under a folder named
``zh`` (``course/zh/...``) gives Chinese, anything else English.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["LANGUAGES", "Settings", "settings"]

LANGUAGES = ("en", "zh")
DEFAULT_TIME_LIMIT = 30.0


def _normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().replace("_", "-")
    if value.startswith("zh") or value in ("cn", "chinese", "中文"):
        return "zh"
    if value.startswith("en") or value == "english":
        return "en"
    return None


def language_from_path(path: Path) -> str:
    """``zh`` when a folder on ``path`` is named like ``zh`` (nearest folder wins), else ``en``."""
    for part in reversed(Path(path).parts):
        lang = _normalise_language(part) if part.lower() in ("zh", "zh-cn", "zh_cn", "en") else None
        if lang:
            return lang
    return "en"


class Settings:
    """Mutable checker settings; ``None`` means "use the environment or the default"."""

    def __init__(self) -> None:
        self._time_limit: float | None = None
        self._language: str | None = None
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
            raise TypeError(f"time_limit is a number of seconds, e.g. 10, not {value!r}"
                            ) from None
        if not (seconds > 0 and seconds != float("inf")):
            raise ValueError(f"time_limit must be a positive number of seconds, e.g. 10, "
                             f"not {value!r}")
        self._time_limit = seconds

    # -- language -----------------------------------------------------------------
    @property
    def language(self) -> str:
        """``"en"`` or ``"zh"``: the attribute, else ``ADKERNEL_LANG``, else the cwd."""
        if self._language is not None:
            return self._language
        env = _normalise_language(os.environ.get("ADKERNEL_LANG"))
        if env:
            return env
        try:
            return language_from_path(Path.cwd())
        except OSError:
            return "en"

    @language.setter
    def language(self, value: str | None) -> None:
        lang = _normalise_language(value)
        if value is not None and lang is None:
            raise ValueError(f"language must be one of {LANGUAGES}, not {value!r}")
        self._language = lang

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


settings = Settings()
