"""A desk's end of the desk service (portal_tui/desk_service.py): the screens' DeskServices, every call made by
the service over its Unix socket, each with its own schema (portal_tui/desk_wire.py). The domain's values, the
wire's schemas and msgspec only: a desk that uses it loads nothing of the database."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import msgspec

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
                 timeout: float = 120.0, on_covered: Callable[[], None] | None = None) -> None:
        self.path = path
        """The service's socket."""
        self.terminal = terminal
        """This desk in the audit trail (its host and tty, and over SSH the client's address)."""
        self.on_lost = on_lost
        """Told, with the words to show, when the connection of a signed-in member of staff goes."""
        self.timeout = timeout
        self.on_covered = on_covered
        """Told when the service has covered the desk for being left idle (the desk then asks for the password)."""
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

    def sign_out(self, session: object, why: str = "signed out") -> None:
        """Say so (briefly: the service records a sign-out, and why), then hang up: the service forgets the member
        of staff with the connection either way."""
        with self._lock:
            if self._sock is not None and self._signed_in:
                try:
                    self._exchange("desk", None, "sign_out", wire.ENCODER.encode({"why": why}),
                                   min(self.timeout, 5.0))
                except OSError:
                    pass
            self._signed_in = False
            self._drop()

    def cover(self, session: object) -> None:
        """The service covers this desk too: only the password uncovers it there, as here."""
        self.call("desk", None, "cover", (session,), {})

    def unlock(self, session: object, password: str) -> None:
        self.call("desk", None, "unlock", (session, password), {})

    def session_check(self, session: object) -> str:
        """The service checks the session at every call: a session that may no longer act ends (SessionEnded)."""
        return self.call("desk", None, "session_check", (session,), {})  # type: ignore[no-any-return]

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
        schema = wire.call(target, name)
        if schema is None:
            raise Refused("The desk asked for something the desk service does not do.")
        arguments = schema.encode_arguments(args, kwargs)
        with self._lock:
            for fresh in (self._sock is None, True):  # a desk no one is signed in at may be closed while it waits
                if self._sock is None:
                    self._sock = self._connect()
                try:
                    reply = self._exchange(target, patient_id, name, arguments)
                    answer = schema.decode_answer(reply.value) if reply.kind == "ok" else None
                    lost = None
                    break
                except (OSError, msgspec.DecodeError, msgspec.ValidationError):  # gone, timed out, not a service's
                    lost, self._signed_in = self._signed_in, False
                    self._drop()
                    if lost or fresh:
                        break
        if lost is not None:  # told outside the lock: the desk marks itself to sign out at its next check
            if lost and self.on_lost is not None:
                self.on_lost(LOST)
            raise ServiceUnavailable(LOST if lost else UNREACHABLE)
        if reply.kind == "ok":
            return answer
        if reply.kind == "fault":
            raise ServiceFault(msgspec.msgpack.decode(reply.value, type=str))
        error = wire.rebuilt(reply.value)
        if isinstance(error, wire.DeskCovered) and self.on_covered is not None:
            self.on_covered()
        if isinstance(error, wire.SessionEnded):
            self._signed_in = False
            if self.on_lost is not None:
                self.on_lost(str(error))
        raise error

    def _exchange(self, target: str, patient_id: int | None, name: str, arguments: bytes,
                  timeout: float | None = None) -> wire.Reply:
        assert self._sock is not None
        self._sock.settimeout(timeout or self.timeout)
        wire.send(self._sock, wire.Request(target, name, patient_id, msgspec.Raw(arguments)))
        return wire.receive(self._sock, wire.Reply, wire.LARGEST_REPLY)

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
            wire.send(sock, wire.Hello(wire.VERSION, self.terminal))
            greeting = wire.receive(sock, wire.Greeting, 4096)
        except OSError:
            sock.close()
            raise ServiceUnavailable(UNREACHABLE) from None
        if greeting.refused:
            sock.close()
            raise ServiceUnavailable(greeting.refused)
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


