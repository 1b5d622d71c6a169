"""Where an unexpected failure goes: the whole story to an owner-only log file, a short reference to the screen."""

from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from domain.text import clean_line

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over a phone


@dataclass(frozen=True, slots=True)
class Fault:
    """One failure: the reference a person can quote, where it happened, and the error itself."""

    reference: str
    where: str
    error: BaseException


def new_reference() -> str:
    """'E-7K3Q9D': short enough to read to the Appointments team, unique enough to find in the log."""
    import secrets  # with the first fault, not with every start

    return "E-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


class FaultLog:
    """Writes each fault with its traceback under its reference. Never to the screen: the terminal is the kiosk."""

    def __init__(self, path: str | Path | None, program: str) -> None:
        self.path = Path(path) if path else None
        """The log file, or None (tests): faults are then only kept in `faults`."""
        self.faults: list[Fault] = []
        """Every fault recorded since start, newest last."""
        self._logger = logging.getLogger(f"portal_tui.faults.{program}.{id(self)}")
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        if self.path is not None:
            self._logger.addHandler(_owner_only_handler(self.path, program))

    def record(self, error: BaseException, where: str) -> Fault:
        """Log the error in full; return what the screen may say about it."""
        # A fault the desk service met already has its reference there: the desk's log keeps the same one.
        reference = getattr(error, "fault_reference", None)
        fault = Fault(reference if isinstance(reference, str) else new_reference(), where, error)
        self.faults.append(fault)
        details = "".join(traceback.format_exception(error))
        # Outside text can be inside an exception's message: the log keeps no terminal control either.
        lines = "\n".join(clean_line(line) for line in details.splitlines())
        self._logger.error("fault %s in %s: %s\n%s", fault.reference, where, clean_line(repr(error))[:500], lines)
        return fault

    def note(self, message: str) -> None:
        """A line worth keeping that is not a fault (a start, a recovery, a stop)."""
        self._logger.info("%s", clean_line(message))

    def close(self) -> None:
        for handler in list(self._logger.handlers):
            handler.close()
            self._logger.removeHandler(handler)


def _owner_only_handler(path: Path, program: str) -> logging.Handler:
    # Created owner-only (a fault can hold a patient's details), reopened when logrotate moves it away, and when the
    # file cannot take a line (the disk full) the line goes where a person can still find it: standard error when
    # that is not the kiosk's own screen, else the system log.
    from portal_tui.service_log import OwnerOnlyFile

    handler = OwnerOnlyFile(path, fallback=_fallback(program))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s pid=%(process)d %(message)s"))
    return handler


class _SystemLog:
    """A stream that writes each line to the system log (journald's /dev/log): for a program whose standard error
    is the screen a patient is looking at."""

    def __init__(self, program: str) -> None:
        self.program = program

    def write(self, text: str) -> int:
        import syslog

        syslog.openlog(f"portal-tui-{self.program}", syslog.LOG_PID, syslog.LOG_USER)
        for line in text.splitlines():
            syslog.syslog(syslog.LOG_ERR, line)
        return len(text)

    def flush(self) -> None:
        pass


def _fallback(program: str):  # type: ignore[no-untyped-def]
    stream = sys.__stderr__
    try:
        on_screen = stream is None or stream.isatty()
    except (OSError, ValueError):
        on_screen = True
    return _SystemLog(program) if on_screen else stream
