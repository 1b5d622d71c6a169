"""Where an unexpected failure goes: the whole story to an owner-only log file, a short reference to the screen."""

from __future__ import annotations

import logging
import os
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
            self._logger.addHandler(_owner_only_handler(self.path))

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


def _owner_only_handler(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created owner-only before the handler opens it: a fault can hold a patient's details.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.chmod(path, 0o600)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s pid=%(process)d %(message)s"))
    return handler
