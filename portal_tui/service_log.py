"""How a long-running service (the SMS dispatcher, the HL7 listener, the desk service) says what happens.

One line per event, with its time (UTC) and level, to standard output (the journal under systemd) and to the log
file of the settings. The file is reopened on SIGHUP (logrotate's `postrotate`) and when it has been moved or
removed; a line the file cannot take (a full disk, a removed folder) goes to standard error instead, so a fault's
reference always reaches a log. The terminals (kiosk, desk) keep their own fault log (faults.py), which falls back
the same way."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import TextIO

from domain.text import clean_line

FORMAT = "%(asctime)s %(levelname)s %(program)s[%(process)d]: %(message)s"


class OneLine(logging.Formatter):
    """An event on one line: ISO time in UTC, level, program, message; an exception as its type, its first line
    and where it was raised (file:line), never a multi-line traceback and never terminal control."""

    converter = time.gmtime

    def __init__(self, program: str) -> None:
        super().__init__(FORMAT)
        self.program = program

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        record.program = self.program
        record.message = clean_line(record.getMessage())
        record.asctime = self.formatTime(record)
        line = self.formatMessage(record)
        if record.exc_info and record.exc_info[1] is not None:
            line += " | " + exception_line(record.exc_info[1])
        return line


def exception_line(error: BaseException) -> str:
    """'OperationalError: database is locked (at data/outbox.py:88 < portal_tui/sms.py:51)': enough to find it."""
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    where = " < ".join(f"{_short(frame.filename)}:{frame.lineno}" for frame in reversed(frames))
    first = (str(error).strip().splitlines() or [""])[0][:300]
    return clean_line(f"{type(error).__name__}: {first}" + (f" (at {where})" if where else ""))


def _short(filename: str) -> str:
    parts = Path(filename).parts
    for root in ("portal_tui", "data", "domain", "screens", "sqlalchemy", "textual"):
        if root in parts:
            return "/".join(parts[parts.index(root):])
    return Path(filename).name


class OwnerOnlyFile(logging.handlers.WatchedFileHandler):
    """The log file, created owner-only (a line can name a patient), reopened when rotated away (`reopen()` from
    SIGHUP, or found moved), and never the reason a line is lost: what it cannot write goes to `fallback`."""

    def __init__(self, path: str | Path, fallback: TextIO | None = None) -> None:
        self.fallback = fallback
        self._reopen = False
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # said with the first line it could not write, on the fallback
        super().__init__(path, encoding="utf-8", delay=True)
        try:  # made now, owner-only, so that a program that never faults still shows where its log is
            self.stream = self._open()
            self._statstream()
        except OSError:
            pass  # tried again with the first line, which goes to the fallback if the file still cannot be made

    def _open(self):  # type: ignore[no-untyped-def]
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(descriptor, 0o600)
        return os.fdopen(descriptor, "a", encoding="utf-8")

    def reopen(self) -> None:
        """Called from a signal handler: only a flag; the file is closed and opened again before the next line."""
        self._reopen = True

    def emit(self, record: logging.LogRecord) -> None:
        if self._reopen:
            self._reopen = False
            self.acquire()
            try:
                if self.stream is not None:
                    self.stream.close()
                    self.stream = None  # type: ignore[assignment]
            except OSError:
                self.stream = None  # type: ignore[assignment]
            finally:
                self.release()
        try:
            super().emit(record)
        except Exception:  # noqa: BLE001 - logging's own emit already routes to handleError; belt and braces
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """The file could not take the line (ENOSPC, EIO, a folder gone): the line to the fallback, with why."""
        reason = sys.exc_info()[1]
        try:
            if self.stream is not None:
                self.stream.close()  # a half-written buffer must not be flushed again before the next line
        except OSError:
            pass
        self.stream = None  # type: ignore[assignment]
        fallback = self.fallback
        if fallback is None:
            return
        try:
            line = self.format(record)
            fallback.write(f"{line} [log file {self.baseFilename} not written: "
                           f"{clean_line(str(reason)) if reason else 'unknown'}]\n")
            fallback.flush()
        except Exception:  # noqa: BLE001 - nowhere left to say it: the program must still go on
            pass


class EventLog:
    """The service's voice: `log(line)` says an event (INFO), `log.warning(line)` one that needs a person. Every
    logger of the program (`portal.hl7`, `portal_tui.sms`, …) writes through the same handlers."""

    def __init__(self, program: str, path: str | Path | None, stream: TextIO | None = None) -> None:
        self.program = program
        self.logger = logging.getLogger(f"portal.service.{program}")
        formatter = OneLine(program)
        out = logging.StreamHandler(stream or sys.stdout)
        out.setFormatter(formatter)
        self.handlers: list[logging.Handler] = [out]
        self.file: OwnerOnlyFile | None = None
        if path:
            self.file = OwnerOnlyFile(path, fallback=sys.stderr)
            self.file.setFormatter(formatter)
            self.handlers.append(self.file)
        root = logging.getLogger()
        for handler in self.handlers:
            root.addHandler(handler)
        root.setLevel(logging.INFO)
        for noisy in ("asyncio", "sqlalchemy"):
            logging.getLogger(noisy).setLevel(logging.WARNING)

    def __call__(self, line: object) -> None:
        self.logger.info("%s", line)

    def warning(self, line: object) -> None:
        self.logger.warning("%s", line)

    def reopen(self) -> None:
        if self.file is not None:
            self.file.reopen()

    def reopen_on_hangup(self) -> None:
        """SIGHUP reopens the log file (logrotate's postrotate: `systemctl kill -s HUP portal-…`), nothing else."""
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, lambda *_: self.reopen())

    def close(self) -> None:
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
