"""`portal-tui desk-service`: one process per desk host that holds the database, the staff secrets and the rules,
and serves every desk on the host over a Unix socket (portal_tui/desk_remote.py is a desk's end).

Each desk then loads the screens and nothing of the database (about half the memory of a desk on its own),
and staff accounts over SSH never read the database's password or the key that seals authenticator secrets.
The service keeps each connection's member of staff itself: a desk names a session only to say which it means,
and one that is not the connection's own is refused."""

from __future__ import annotations

import os
import pickle
import signal
import socket
import socketserver
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from domain.clock import SystemClock
from domain.errors import DomainError, Refused
from domain.identity.session import PatientSession, StaffSession
from domain.ports import Clock
from domain.text import clean_line
from portal_tui import desk_wire as wire
from portal_tui.bootstrap import Database
from portal_tui.desk_services import DeskServices
from portal_tui.faults import FaultLog
from portal_tui.settings import Settings, SettingsError

FINISH_SECONDS = 30
"""On SIGTERM, how long the calls in hand may take to finish before the service stops anyway."""


class DeskService:
    """The database and the rules, for every desk that connects."""

    def __init__(self, settings: Settings, clock: Clock, say: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.clock = clock
        self.say = say
        self.desks = DeskServices(settings, clock, Database(settings, interactive=True))
        """One engine (and pool), one password hasher and one sealed-secret box for every desk served."""
        self.faults = FaultLog(settings.log_file, "desk-service")
        self._busy = 0
        self._idle = threading.Condition()

    @contextmanager
    def calling(self) -> Iterator[None]:
        """Counts a call in hand, so that SIGTERM lets it finish."""
        with self._idle:
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_until_idle(self, seconds: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout=seconds)


class Connection:
    """One desk: its terminal in the audit trail, and the member of staff signed in there, if any."""

    def __init__(self, service: DeskService, terminal: str) -> None:
        self.service = service
        self.desk = service.desks.for_terminal(terminal)
        self.session: StaffSession | None = None

    def answer(self, request: object) -> tuple[str, Any]:
        """('ok', value), ('error', the DomainError's class, words and attributes) or ('fault', reference)."""
        try:
            return "ok", self._call(request)
        except DomainError as error:
            kind = type(error)
            return "error", (kind.__module__, kind.__qualname__, str(error), dict(vars(error)))
        except Exception as error:
            fault = self.service.faults.record(error, f"desk service, for {self.desk.settings.terminal}")
            return "fault", fault.reference

    def _call(self, request: object) -> Any:
        if not (isinstance(request, tuple) and len(request) == 5):
            raise Refused("The desk sent something the desk service does not understand.")
        target, patient_id, name, args, kwargs = request
        if (target not in wire.CALLS or name not in wire.CALLS[target] or not isinstance(args, tuple)
                or not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs)):
            raise Refused("The desk asked for something the desk service does not do.")
        if target == "desk" and name == "sign_in":
            self.session = None
            self.session = self.desk.sign_in(*args, **kwargs)
            return self.session
        if target == "desk" and name == "sign_out":
            self.session = None
            return None
        args = tuple(self._own(value) for value in args)
        kwargs = {key: self._own(value) for key, value in kwargs.items()}
        return getattr(self._on(target, patient_id), name)(*args, **kwargs)

    def _on(self, target: str, patient_id: object) -> Any:
        if target == "desk":
            return self.desk
        if target == "support":
            return self.desk.support
        if self.session is None:
            raise Refused("Please sign in first.")
        if target == "supervision":
            return self.desk.supervision
        if not isinstance(patient_id, int) or isinstance(patient_id, bool):
            raise Refused("The desk did not say whose record it means.")
        return self.desk.acting_for(self.session, patient_id)

    def _own(self, value: object) -> object:
        """A session named by the desk becomes this connection's own, if it is the same one; a patient's
        session never comes from a desk."""
        if isinstance(value, PatientSession):
            raise Refused("A desk does not act as a patient.")
        if isinstance(value, StaffSession):
            if self.session is None or value != self.session:
                raise Refused("This desk is not signed in as that member of staff. Please sign in again.")
            return self.session
        return value


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        service = self.server.service
        pid, uid = _peer(self.request)
        self.server.desks.add(self.request)
        try:
            hello = wire.receive_from_desk(self.request)
            if not (isinstance(hello, tuple) and len(hello) == 3 and hello[0] == "hello"):
                return
            if hello[1] != wire.VERSION:
                wire.send(self.request, ("refused", f"This desk speaks version {hello[1]} and the desk service "
                                         f"version {wire.VERSION}: update them together."))
                return
            terminal = clean_line(str(hello[2]))[:80] or f"desk pid {pid}"
            connection = Connection(service, terminal)
            wire.send(self.request, ("ok", wire.VERSION))
            service.say(f"desk connected: {terminal} (uid {uid}, pid {pid})")
            while True:
                request = wire.receive_from_desk(self.request)
                with service.calling():
                    reply = connection.answer(request)
                try:
                    wire.send(self.request, reply)
                except (pickle.PicklingError, TypeError, AttributeError) as error:  # a fault, not a hang
                    fault = service.faults.record(error, f"desk service, answering {terminal}")
                    wire.send(self.request, ("fault", fault.reference))
        except OSError:  # the desk went, or sent what no desk sends (WireClosed): its connection ends
            pass
        finally:
            self.server.desks.discard(self.request)
            service.say(f"desk gone: pid {pid}")


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, path: str, service: DeskService) -> None:
        self.service = service
        self.desks: set[socket.socket] = set()
        """The connections open now: a stopping service hangs up on each (its desk signs out)."""
        super().__init__(path, _Handler)

    def hang_up(self) -> None:
        for sock in list(self.desks):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _peer(sock: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end, as the kernel says (the log names who connected)."""
    try:
        pid, uid, _ = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                          struct.calcsize("3i")))
        return pid, uid
    except OSError:
        return 0, -1


def serve(settings: Settings, path: str, say: Callable[[str], None], ready: threading.Event | None = None,
          stop: threading.Event | None = None, clock: Clock | None = None) -> None:
    """Serve desks at `path` until SIGTERM or SIGINT (or `stop`); the calls in hand finish first."""
    os.environ.pop("SSH_CONNECTION", None)  # the service is no one's SSH session: each desk says its own
    settings.require_staff_secret_key()
    _clear_stale(path)
    service = DeskService(settings, clock or SystemClock(), say)
    server = _Server(path, service)
    os.chmod(path, 0o660)  # the desks' group (the folder's) may connect; no one else
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    serving.start()
    say(f"desk service listening on {path}")
    if ready is not None:
        ready.set()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        finished = service.wait_until_idle(FINISH_SECONDS)
        server.hang_up()
        Path(path).unlink(missing_ok=True)
        service.faults.close()
        say("desk service stopped" + ("" if finished else " (a call was still running)"))


def _clear_stale(path: str) -> None:
    """A socket left by a service that died is removed; one that answers is another service's."""
    if not os.path.exists(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError:
        os.unlink(path)
        return
    finally:
        probe.close()
    raise SettingsError(f"A desk service is already listening at {path}.")
