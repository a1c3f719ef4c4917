"""The learner's progress: a small JSON file, safe against crashes and concurrent kernels.

Layout of the file (``settings.progress_path``)::

    {"version": 1,
     "exercises": {"ch02.q1": {"state": "correct", "solved": true, "attempts": 3,
                               "updated": "2026-11-27T10:00:00+00:00"}}}

Every update takes an exclusive lock on a sibling ``.lock`` file, re-reads the file, merges
its one change into what it read, writes a temporary file in the same folder and moves it
over the old one (``os.replace``, atomic). So two kernels checking at the same moment both
keep their results, and a crash mid-write leaves the previous file intact. A file that is
not valid progress JSON is moved aside (``progress.json.corrupt``) and replaced; the
check that found it says so instead of failing.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import tempfile
import time
from pathlib import Path

from ..engine.i18n import _
from ._feedback import lazy
from ._settings import settings

__all__ = ["ProgressError", "load", "record"]

VERSION = 1


class ProgressError(Exception):
    """The progress file could not be read or written (reported, never raised into a check)."""


@contextlib.contextmanager
def _locked(path: Path, timeout: float = 10.0):
    """An exclusive inter-process lock on ``path.lock`` (fcntl; msvcrt on Windows)."""
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            fcntl = None
        if fcntl is not None:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ProgressError(
                            _("timed out waiting for {path}").format(path=lock_path)
                        ) from None
                    time.sleep(0.005)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        else:  # pragma: no cover - Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise ProgressError(
                            _("timed out waiting for {path}").format(path=lock_path)
                        ) from None
                    time.sleep(0.005)
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    finally:
        os.close(fd)


def _empty() -> dict:
    return {"version": VERSION, "exercises": {}}


def _valid(data) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("exercises"), dict)
        and all(isinstance(v, dict) for v in data["exercises"].values())
    )


def _read(path: Path) -> tuple[dict, object]:
    """``(data, problem)``: problem is None, or a message saying why the file was unusable."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _empty(), None
    except OSError as exc:
        return _empty(), f"{type(exc).__name__}: {exc}"
    try:
        data = json.loads(raw)
    except ValueError as exc:
        return _empty(), lazy("not valid JSON ({error})")(error=str(exc))
    if not _valid(data):
        return _empty(), lazy("not an adkernel progress file")
    return data, None


def _write(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load(path: Path | None = None) -> dict:
    """The progress data (``{"version": 1, "exercises": {...}}``); empty when unreadable."""
    data, _ = _read(Path(path) if path else settings.progress_path)
    return data


def record(key: str, correct: bool, path: Path | None = None):
    """Add one check result for exercise ``key`` (e.g. ``"ch02.q1"``).

    Returns None, or a message (``lazy(...)``, rendered when shown) describing a corrupt
    file that was set aside and replaced.
    Raises :class:`ProgressError` (or ``OSError``) when the file cannot be written at all;
    the checker turns that into a note.
    """
    path = Path(path) if path else settings.progress_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        data, problem = _read(path)
        report = None
        if problem is not None and path.exists():
            backup = path.with_name(path.name + ".corrupt")
            os.replace(path, backup)
            report = lazy("{path}: {problem}; moved to {backup} and started afresh")(
                path=str(path), problem=problem, backup=backup.name
            )
        entry = data["exercises"].setdefault(key, {})
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry["state"] = "correct" if correct else "incorrect"
        entry["solved"] = bool(entry.get("solved", False)) or bool(correct)
        entry["updated"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        data["version"] = VERSION
        _write(path, data)
    return report
