"""A desk's end of the desk service (portal_tui/desk_service.py): the screens' DeskServices, every call made by
the service over its Unix socket. Standard library and the domain's errors only: a desk that uses it loads
nothing of the database."""

from __future__ import annotations

import importlib
import socket
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from domain.errors import DomainError, Refused
from portal_tui import desk_wire as wire

UNREACHABLE = ("The desk cannot reach the desk service just now. Nothing has been changed. Please try again in a "
               "moment; if it goes on, tell IT.")
LOST = ("The desk lost its connection to the desk service, so it cannot tell whether the last thing you did was "
        "done. Please sign in again and check the record.")


class ServiceUnavailable(DomainError):
    """The desk service did not answer (not running, restarted, or the call took too long)."""


class ServiceFault(Exception):
    """The desk service met a fault: its log has the whole story under the same reference."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"the desk service's fault {reference}")
        self.fault_reference = reference


class RemoteDeskServices:
    """DeskServices (screens/desk/services.py) through the desk service. One connection, one call at a time; the
    connection is the signed-in session's: closing it makes the service forget the member of staff."""

    def __init__(self, path: str, terminal: str, on_lost: Callable[[str], None] | None = None,
                 timeout: float = 120.0) -> None:
        self.path = path
        """The service's socket."""
        self.terminal = terminal
        """This desk in the audit trail (its host and tty, and over SSH the client's address)."""
        self.on_lost = on_lost
        """Told, with the words to show, when the connection of a signed-in member of staff goes."""
        self.timeout = timeout
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._signed_in = False
        self.support = _Remote(self, "support", None, place="desk")
        self.supervision = _Remote(self, "supervision", None)

    def check(self) -> None:
        """Connect once and hang up: ServiceUnavailable, with the reason, where no service answers."""
        self._connect().close()

    def sign_in(self, username: str, password: str, code: str) -> Any:
        session = self.call("desk", None, "sign_in", (username, password, code), {})
        self._signed_in = True
        return session

    def sign_out(self, session: object) -> None:
        """Hang up: the service forgets the member of staff with the connection (no wait, no call)."""
        with self._lock:
            self._signed_in = False
            self._drop()

    def unlock(self, session: object, password: str) -> None:
        self.call("desk", None, "unlock", (session, password), {})

    def find_patients(self, session: object, query: str) -> Any:
        return self.call("desk", None, "find_patients", (session, query), {})

    def open_patient(self, session: object, patient_id: int, reason: str) -> Any:
        return self.call("desk", None, "open_patient", (session, patient_id, reason), {})

    def acting_for(self, session: object, patient_id: int) -> Any:
        return _Remote(self, "record", patient_id)

    def today(self) -> date:
        return self.call("desk", None, "today", (), {})

    def call(self, target: str, patient_id: int | None, name: str, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> Any:
        with self._lock:
            if self._sock is None:
                self._sock = self._connect()
            try:
                wire.send(self._sock, (target, patient_id, name, args, kwargs))
                kind, value = wire.receive(self._sock)  # type: ignore[misc]
                lost = None
            except OSError:  # WireClosed, a timeout, a reset
                lost, self._signed_in = self._signed_in, False
                self._drop()
        if lost is not None:  # told outside the lock: the desk marks itself to sign out at its next check
            if lost and self.on_lost is not None:
                self.on_lost(LOST)
            raise ServiceUnavailable(LOST if lost else UNREACHABLE)
        if kind == "ok":
            return value
        if kind == "fault":
            raise ServiceFault(value)
        raise _rebuilt(*value)

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
            wire.send(sock, ("hello", wire.VERSION, self.terminal))
            kind, value = wire.receive(sock)  # type: ignore[misc]
        except OSError:
            sock.close()
            raise ServiceUnavailable(UNREACHABLE) from None
        if kind != "ok":
            sock.close()
            raise ServiceUnavailable(str(value))
        return sock

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class _Remote:
    """A patient's record, the help centre and support inbox, or the supervisor's tools, through the service:
    each method the screens' Protocol names is a call."""

    def __init__(self, remote: RemoteDeskServices, target: str, patient_id: int | None, **attributes: str) -> None:
        self._remote = remote
        self._target = target
        self.patient_id = patient_id
        self.__dict__.update(attributes)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in wire.CALLS[self._target]:
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._remote.call(self._target, self.patient_id, name, args, kwargs)

        return call


def _rebuilt(module: str, qualname: str, message: str, attributes: dict[str, Any]) -> DomainError:
    """The service's DomainError, as it was raised there (a SlotTaken keeps its nearest free times)."""
    found: Any = importlib.import_module(module) if module.split(".")[0] == "domain" else None
    for part in qualname.split("."):
        found = getattr(found, part, None)
    kind = found if isinstance(found, type) and issubclass(found, DomainError) else Refused
    error = kind.__new__(kind)
    error.args = (message,)
    error.__dict__.update(attributes)
    return error
