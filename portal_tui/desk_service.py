"""`portal-tui desk-service`: one process per desk host that holds the database, the staff secrets and the rules,
and serves every desk on the host over a Unix socket (portal_tui/desk_remote.py is a desk's end).

Each desk then loads the screens and nothing of the database (about half the memory of a desk on its own),
and staff accounts over SSH never read the database's password or the key that seals authenticator secrets.

The service trusts nothing a desk says about who is acting. Who may connect is the socket's group (the kernel's
word), and the kernel's credentials of each desk (uid and pid) go into the audit beside the terminal it reports.
Who is acting is the connection's own sign-in, checked again before every call: the account still active, not
reset, the same role, the session not over its hours, the desk not left idle. Each call's arguments are decoded
with that call's schema (portal_tui/desk_wire.py), never as objects the desk chose."""

from __future__ import annotations

import os
import signal
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec

from domain.clock import SystemClock
from domain.errors import DomainError, Refused
from domain.identity.session import StaffSession
from domain.ports import Clock
from domain.staff import accounts as staff_rules
from domain.text import clean_line
from portal_tui import desk_wire as wire
from portal_tui.bootstrap import Database
from portal_tui.desk_services import DeskServices
from portal_tui.faults import FaultLog
from portal_tui.settings import Settings, SettingsError

FINISH_SECONDS = 30
"""On SIGTERM, how long the calls in hand may take to finish before the service stops anyway."""


@dataclass
class Bounds:
    """What one desk, and all of them, may take of the service."""

    desks: int = 64
    """Connections served at once (a thread each, from one pool); the next is told the service is full."""
    hello_seconds: float = 10.0
    """A new connection says hello within this, or is closed."""
    frame_seconds: float = 10.0
    """Once a frame's size has come, the rest of it comes within this."""
    waiting_seconds: float = 15 * 60.0
    """A desk where no one is signed in is closed after this without a call (it connects again when it needs)."""
    calls_per_second: float = 20.0
    """A desk's sustained rate of calls (a person opening pages makes a few a second at most)."""
    burst: float = 100.0
    """Calls a desk may make at once before the rate applies."""


class DeskService:
    """The database and the rules, for every desk that connects."""

    def __init__(self, settings: Settings, clock: Clock, say: Callable[[str], None] = print,
                 bounds: Bounds | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.say = say
        self.bounds = bounds or Bounds(calls_per_second=settings.desk_calls_per_second,
                                       burst=5.0 * settings.desk_calls_per_second)
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
    """One desk: its terminal in the audit trail, the kernel's word on its process, and the member of staff
    signed in there, if any."""

    def __init__(self, service: DeskService, terminal: str) -> None:
        self.service = service
        self.desk = service.desks.for_terminal(terminal)
        self.session: StaffSession | None = None
        self._account: staff_rules.StaffMember | None = None
        """The account as it was at sign-in: a reset since then ends the session."""
        self.covered = False
        self.last_call = service.clock.monotonic()
        self._tokens = service.bounds.burst
        self._refilled = service.clock.monotonic()

    def answer(self, request: wire.Request) -> wire.Reply:
        try:
            return wire.Reply("ok", msgspec.Raw(wire.ENCODER.encode(self._call(request))))
        except DomainError as error:
            return wire.Reply("error", msgspec.Raw(wire.error_reply(error)))
        except Exception as error:
            fault = self.service.faults.record(error, f"desk service, for {self.desk.settings.terminal}")
            return wire.Reply("fault", msgspec.Raw(wire.ENCODER.encode(fault.reference)))

    def _call(self, request: wire.Request) -> Any:
        self._take_a_token()
        call = wire.call(request.target, request.name)
        if call is None:
            raise Refused("The desk asked for something the desk service does not do.")
        kwargs = call.decode_arguments(request.args)
        if (call.target, call.name) == ("desk", "sign_in"):
            return self._sign_in(**kwargs)
        if (call.target, call.name) == ("desk", "sign_out"):
            self.end("staff_sign_out", clean_line(kwargs["why"])[:200] or "signed out")
            return None
        if (call.target, call.name) == ("desk", "cover"):
            self._acting(call.name)
            if not self.covered:
                self.covered = True
                assert self.session is not None
                self.desk.record_session(self.session, "staff_desk_covered", "covered at the desk")
            return None
        if (call.target, call.name) not in wire.SESSION_FREE:
            session = self._acting(call.name)
            kwargs.update({name: session for name in call.staff})
        kwargs.update({name: None for name in call.nobody})
        answer = getattr(self._on(call.target, request.patient_id), call.name)(**kwargs)
        if call.name == "unlock":
            self.covered = False
        return answer

    def _sign_in(self, username: str, password: str, code: str) -> StaffSession:
        self.end("staff_sign_out", "signed in again at the same desk")
        session = self.desk.sign_in(username, password, code)
        self._account = self.desk.staff_account(session.username)
        self.session, self.covered, self.last_call = session, False, self.service.clock.monotonic()
        return session

    def _acting(self, name: str) -> StaffSession:
        """The member of staff signed in here, if they still may act; the session ends, or the desk is covered,
        with the reason where they may not."""
        session, settings, clock = self.session, self.service.settings, self.service.clock
        if session is None or self._account is None:
            raise Refused("Please sign in first.")
        if clock.now() - session.started_at >= timedelta(hours=settings.desk_session_hours):
            self.end("staff_session_expired", f"over {settings.desk_session_hours} hours")
            raise wire.SessionEnded(f"You have been signed in for {settings.desk_session_hours} hours, the longest a "
                                    "desk session lasts. Please sign in again.")
        problem = staff_rules.session_problem(self.desk.staff_account(session.username), session, self._account)
        if problem:
            self.end("staff_session_ended", problem)
            raise wire.SessionEnded("Your account has been changed since you signed in. Please sign in again.")
        if name == "session_check":  # the desk asking whether it may go on: no one's activity
            return session
        now = clock.monotonic()
        if not self.covered and now - self.last_call >= settings.desk_idle_minutes * 60:
            self.covered = True
            self.desk.record_session(session, "staff_desk_covered", "no call for the idle time")
        if self.covered and name not in ("unlock", "cover"):
            raise wire.DeskCovered("This desk was left idle, so it has been covered. Enter your password to go on. "
                                   "Nothing has been changed.")
        self.last_call = now
        return session

    def _on(self, target: str, patient_id: int | None) -> Any:
        if target == "desk":
            return self.desk
        if target == "support":
            return self.desk.support
        if target == "supervision":
            return self.desk.supervision
        if patient_id is None:
            raise Refused("The desk did not say whose record it means.")
        assert self.session is not None
        return self.desk.acting_for(self.session, patient_id)

    def end(self, action: str, detail: str) -> None:
        """The member of staff signed in here is signed in no more (and the audit says why)."""
        session, self.session, self._account = self.session, None, None
        if session is not None:
            self.desk.record_session(session, action, detail)

    def _take_a_token(self) -> None:
        bounds, now = self.service.bounds, self.service.clock.monotonic()
        self._tokens = min(bounds.burst, self._tokens + (now - self._refilled) * bounds.calls_per_second)
        self._refilled = now
        if self._tokens < 1:
            raise Refused("This desk is asking the desk service too fast. Wait a moment and try again.")
        self._tokens -= 1


class _Server:
    """Accepts desks on the socket and serves each from a pool of threads, never more than the bounds allow."""

    def __init__(self, path: str, service: DeskService) -> None:
        self.service = service
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(64)
        self.listener.settimeout(0.2)
        self.pool = ThreadPoolExecutor(service.bounds.desks, thread_name_prefix="desk")
        self.desks: set[socket.socket] = set()
        """The connections open now: a stopping service hangs up on each (its desk signs out)."""
        self._lock = threading.Lock()
        self._full_said = False
        self.stopping = False
        """The service is hanging up on every desk (its sessions end for that, not the desks')."""

    def serve(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError as error:  # out of descriptors, say: said once, then waited out
                if not self._full_said:
                    self.service.say(f"desk service cannot accept a desk: {error}")
                    self._full_said = True
                stop.wait(0.5)
                continue
            self._full_said = False
            with self._lock:
                full = len(self.desks) >= self.service.bounds.desks
                if not full:
                    self.desks.add(sock)
            if full:
                self._refuse(sock, "The desk service is serving as many desks as it may. Try again in a moment, "
                                   "or tell IT.")
            else:
                self.pool.submit(self._serve_one, sock)

    def _refuse(self, sock: socket.socket, words: str) -> None:
        try:
            sock.settimeout(1)
            wire.send(sock, wire.Greeting(wire.VERSION, words))
        except OSError:
            pass
        sock.close()

    def _serve_one(self, sock: socket.socket) -> None:
        service, bounds = self.service, self.service.bounds
        pid, uid = _peer(sock)
        connection: Connection | None = None
        try:
            sock.settimeout(bounds.hello_seconds)
            hello = wire.receive(sock, wire.Hello, 4096)
            if hello.version != wire.VERSION:
                wire.send(sock, wire.Greeting(wire.VERSION, f"This desk speaks version {hello.version} and the desk "
                                              f"service version {wire.VERSION}: update them together."))
                return
            reported = clean_line(hello.terminal)[:52] or "a desk"
            terminal = f"{reported} [uid {uid} pid {pid}]"
            connection = Connection(service, terminal)
            wire.send(sock, wire.Greeting(wire.VERSION))
            service.say(f"desk connected: {terminal}")
            while True:
                waiting = (service.settings.desk_session_hours * 3600.0 if connection.session is not None
                           else bounds.waiting_seconds)
                sock.settimeout(waiting)
                data = wire.frame(sock, wire.LARGEST_REQUEST, bounds.frame_seconds)
                try:
                    request = msgspec.msgpack.decode(data, type=wire.Request)
                except (msgspec.DecodeError, msgspec.ValidationError):
                    return  # no desk sends it: the connection ends
                with service.calling():
                    reply = connection.answer(request)
                sock.settimeout(bounds.frame_seconds)
                wire.send(sock, reply)
        except OSError:  # the desk went, timed out, or sent what no desk sends (WireClosed): its connection ends
            pass
        except Exception as error:  # never a dead thread in silence
            service.faults.record(error, f"desk service, serving pid {pid}")
        finally:
            if connection is not None and connection.session is not None:
                try:
                    why = "the desk service stopped" if self.stopping else "the desk hung up"
                    connection.end("staff_sign_out", why)
                except Exception as error:
                    service.faults.record(error, "desk service, recording a hang-up")
            with self._lock:
                self.desks.discard(sock)
            sock.close()
            service.say(f"desk gone: pid {pid}")

    def close(self) -> None:
        self.listener.close()

    def hang_up(self) -> None:
        self.stopping = True
        with self._lock:
            open_now = list(self.desks)
        for sock in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.pool.shutdown(wait=True, cancel_futures=True)


def _peer(sock: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end, as the kernel says."""
    try:
        pid, uid, _ = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                          struct.calcsize("3i")))
        return pid, uid
    except OSError:
        return 0, -1


def serve(settings: Settings, path: str, say: Callable[[str], None], ready: threading.Event | None = None,
          stop: threading.Event | None = None, clock: Clock | None = None, bounds: Bounds | None = None) -> None:
    """Serve desks at `path` until SIGTERM or SIGINT (or `stop`); the calls in hand finish first."""
    os.environ.pop("SSH_CONNECTION", None)  # the service is no one's SSH session: each desk says its own
    settings.require_staff_secret_key()
    _clear_stale(path)
    service = DeskService(settings, clock or SystemClock(), say, bounds)
    server = _Server(path, service)
    os.chmod(path, 0o660)  # the desks' group (the folder's) may connect; no one else
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    accepting = threading.Thread(target=server.serve, args=(stop,), daemon=True)
    accepting.start()
    say(f"desk service listening on {path}")
    if ready is not None:
        ready.set()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        accepting.join(5)
        server.close()
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
