"""The desk service, on SQLite and PostgreSQL: desks that hold nothing of the database make every call through one
process over a real Unix socket. The audit trail names each desk's own terminal; the service keeps who is signed
in, answers only the calls the screens make, and unpickles only the domain's values; a fault there reaches the
desk as a reference; a desk whose service goes is told, and signs out."""

from __future__ import annotations

import os
import pickle
import socket
import struct
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import msgspec
import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.demo import DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET, load_demo
from data.models import AuditEventRow
from data.staff.accounts import FernetBox
from domain.errors import AccessDenied, InvalidValue, Refused
from domain.identity.patients import LetterPreference
from domain.identity.session import PatientSession, StaffRole, StaffSession
from domain.staff.desk import OpenReason
from portal_tui import desk_service, desk_wire
from portal_tui.desk_remote import LOST, UNREACHABLE, RemoteDeskServices, ServiceFault, ServiceUnavailable
from portal_tui.settings import load_settings
from tests.conftest import FIXED_DAY, FIXED_NOW
from tests.data.demo_fixtures import FAST_HASHER

KEY = "the desk service's test key"
TERMINAL = "deskhost:/dev/pts/4 ssh from 192.0.2.7"


@dataclass
class Served:
    path: str
    engine: object
    log: list[str]
    stop: threading.Event
    thread: threading.Thread

    def desk(self, terminal: str = TERMINAL, lost: list[str] | None = None) -> RemoteDeskServices:
        return RemoteDeskServices(self.path, terminal, None if lost is None else lost.append, timeout=60)

    def stopped(self) -> None:
        self.stop.set()
        self.thread.join(60)
        assert not self.thread.is_alive()


@pytest.fixture
def served(engine, clock, tmp_path: Path) -> Iterator[Served]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        load_demo(session, FIXED_DAY, FAST_HASHER, FernetBox(KEY).seal)
        session.commit()
    settings = load_settings({"PORTAL_DATABASE_URL": engine.url.render_as_string(hide_password=False),
                              "PORTAL_STAFF_SECRET_KEY": KEY, "PORTAL_LOG_FILE": str(tmp_path / "service.log"),
                              "HOME": str(tmp_path)})
    folder = tempfile.mkdtemp(prefix="desk-", dir="/tmp")  # a socket's path must be short (108 bytes)
    path = f"{folder}/desk.sock"
    log: list[str] = []
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=desk_service.serve, args=(settings, path, log.append, ready, stop),
                              kwargs={"clock": clock}, daemon=True)
    thread.start()
    assert ready.wait(30), log
    served = Served(path, engine, log, stop, thread)
    try:
        yield served
    finally:
        served.stopped()
        os.rmdir(folder)


def signed_in(desk: RemoteDeskServices, username: str = "clerk.demo") -> StaffSession:
    return desk.sign_in(username, DEMO_STAFF_PASSWORD, pyotp.TOTP(DEMO_TOTP_SECRET).at(FIXED_NOW))


def test_the_calls_are_exactly_what_the_screens_ask() -> None:
    """Each call's schema has the screens' own parameters, defaults and answer (by name): the wire restates the
    Protocols, and this is where the two are kept the same."""
    import inspect

    from screens.common.help import HelpServices
    from screens.common.services import DeskRecordServices
    from screens.desk.services import DeskServices
    from screens.desk.support import SupportInbox
    from screens.desk.tools import SupervisorTools

    def methods(*protocols: type) -> dict[str, object]:
        return {name: value for protocol in protocols for klass in protocol.__mro__
                if klass.__module__.startswith("screens.") for name, value in vars(klass).items()
                if not name.startswith("_") and callable(value)}

    def shape(function: object) -> list[tuple[str, object, object, str]]:
        signature = inspect.signature(function)  # type: ignore[arg-type]
        last = str(signature.return_annotation).split(".")[-1].replace("Sequence[", "list[")
        return [(p.name, p.kind, p.default, str(p.annotation).split(".")[-1]) for p in signature.parameters.values()
                ] + [("return", None, None, last)]

    screens = {"desk": methods(DeskServices), "record": methods(DeskRecordServices),
               "support": methods(HelpServices, SupportInbox), "supervision": methods(SupervisorTools)}
    screens["desk"].pop("acting_for")  # the desk's own: a record's calls name the patient
    for target, protocol in screens.items():
        assert set(protocol) == desk_wire.CALLS[target], target
        for name, function in protocol.items():
            stub = getattr(desk_wire._SURFACES[target], name)
            assert shape(stub) == shape(function), name


def test_a_desk_works_through_the_service_and_the_audit_names_the_desk(served: Served) -> None:
    desk = served.desk()
    assert desk.today() == FIXED_DAY
    clerk = signed_in(desk)
    assert clerk.username == "clerk.demo" and clerk.role is StaffRole.APPOINTMENTS_CLERK
    [match] = desk.find_patients(clerk, "999 000 0018")
    opened = desk.open_patient(clerk, match.patient_id, OpenReason.ON_PHONE)
    assert opened.patient.full_name == "Margaret Thompson"
    record = desk.acting_for(clerk, match.patient_id)
    assert record.appointments() and record.my_details().family_name == "Thompson"
    record.change_letter_preference(LetterPreference.PAPER, patient_agreed=True)
    assert record.my_details().letter_preference is LetterPreference.PAPER
    with pytest.raises(InvalidValue, match="Search by NHS number"):  # the rules' own error, with its words
        desk.find_patients(clerk, "Thompson")
    assert [a.title for a in desk.support.articles()] and desk.support.place == "desk"
    desk.sign_out(clerk)
    rows = _audit(served, "staff_sign_in", "staff_open", "staff_sign_out")
    uid = os.getuid()
    assert [(a, who) for a, who, _, _ in rows] == [("staff_sign_in", "clerk.demo"), ("staff_open", "clerk.demo"),
                                                   ("staff_sign_out", "clerk.demo")]
    for _, _, terminal, _ in rows:  # what the desk said, and beside it what the kernel says of its process
        assert terminal.startswith(TERMINAL[:52]) and f"[uid {uid} pid {os.getpid()}]" in terminal
    assert rows[-1][3] == "signed out"


def _audit(served: Served, *actions: str) -> list[tuple[str, str, str, str]]:
    with Session(served.engine) as session:  # type: ignore[arg-type]
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(AuditEventRow.action, AuditEventRow.actor_id, AuditEventRow.terminal, AuditEventRow.detail)
            .where(AuditEventRow.action.in_(actions)).order_by(AuditEventRow.id)).all()]


def test_the_service_takes_who_is_acting_only_from_the_connections_sign_in(served: Served) -> None:
    desk = served.desk()
    forged = StaffSession(1, "supervisor.demo", StaffRole.SYSTEM_ADMIN, FIXED_NOW)
    for attempt in (lambda: desk.acting_for(forged, 1).appointments(), lambda: desk.find_patients(forged, "999 000 0018"),
                    lambda: desk.support.inbox(forged, None), lambda: desk.support.inbox(None, None),
                    lambda: desk.supervision.staff_members(forged)):
        with pytest.raises(Refused, match="sign in first"):
            attempt()
    clerk = signed_in(desk)
    # A session the desk makes up never crosses: the service acts as the clerk, whatever the desk names.
    with pytest.raises(AccessDenied):
        desk.supervision.add_staff(forged, "mallory.admin", "Mallory", StaffRole.SYSTEM_ADMIN, "a long passphrase 9")
    with pytest.raises(AccessDenied):
        desk.supervision.reset_staff(forged, "supervisor.demo", "a long passphrase 9")
    assert desk.find_patients(forged, "999 000 0018")  # answered as the clerk it is
    assert {who for _, who, _, _ in _audit(served, "staff_find")} <= {"clerk.demo"}
    for target, name in (("desk", "_uow"), ("record", "__init__"), ("elsewhere", "now"), ("support", "unread_reply")):
        with pytest.raises(Refused, match="does not do"):
            desk.call(target, 1, name, (), {})
    desk.sign_out(clerk)  # the connection goes, and the service forgets the member of staff with it
    with pytest.raises(Refused, match="sign in first"):
        desk.find_patients(clerk, "999 000 0018")


def test_the_staff_list_carries_no_secrets(served: Served) -> None:
    desk = served.desk()
    admin = desk.sign_in("admin.demo", DEMO_STAFF_PASSWORD, pyotp.TOTP(DEMO_TOTP_SECRET).at(FIXED_NOW))
    members = desk.supervision.staff_members(admin)
    assert members and all(set(vars(m) if hasattr(m, "__dict__") else m.__slots__) ==
                           {"username", "display_name", "role", "active"} for m in members)
    assert _audit(served, "staff_list_viewed")[-1][1] == "admin.demo"


def test_the_service_checks_the_session_before_every_call(served: Served, clock) -> None:  # type: ignore[no-untyped-def]
    lost: list[str] = []
    desk = served.desk(lost=lost)
    clerk = signed_in(desk)
    assert desk.find_patients(clerk, "999 000 0018")
    clock.advance(16 * 60)  # no call for longer than the idle time: covered, whatever the desk program does
    with pytest.raises(desk_wire.DeskCovered):
        desk.find_patients(clerk, "999 000 0018")
    with pytest.raises(Refused, match="password is not right"):
        desk.unlock(clerk, "not the password")
    with pytest.raises(desk_wire.DeskCovered):
        desk.find_patients(clerk, "999 000 0018")
    desk.unlock(clerk, DEMO_STAFF_PASSWORD)
    assert desk.find_patients(clerk, "999 000 0018")
    clock.advance(12 * 3600)  # the longest a session lasts, counted by the service
    with pytest.raises(desk_wire.SessionEnded, match="12 hours"):
        desk.find_patients(clerk, "999 000 0018")
    assert lost and "12 hours" in lost[-1]
    with pytest.raises(Refused, match="sign in first"):
        desk.find_patients(clerk, "999 000 0018")
    # An account disabled (or reset, or given another role) while its owner is signed in stops at the next call.
    admin_desk, clerk_desk = served.desk(), served.desk()
    admin = admin_desk.sign_in("admin.demo", DEMO_STAFF_PASSWORD, pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now()))
    clock.advance(30)
    clerk = clerk_desk.sign_in("clerk.demo", DEMO_STAFF_PASSWORD, pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now()))
    admin_desk.supervision.reset_staff(admin, "clerk.demo", "a brand new passphrase 7")
    with pytest.raises(desk_wire.SessionEnded, match="changed since you signed in"):
        clerk_desk.find_patients(clerk, "999 000 0018")
    ends = _audit(served, "staff_session_expired", "staff_session_ended", "staff_desk_covered")
    assert [(a, d) for a, _, _, d in ends] == [("staff_desk_covered", "no call for the idle time"),
                                               ("staff_session_expired", "over 12 hours"),
                                               ("staff_session_ended", "account reset")]


def test_a_desk_covered_at_the_desk_is_covered_at_the_service_and_sign_outs_say_why(served: Served) -> None:
    desk = served.desk()
    clerk = signed_in(desk)
    desk.cover(clerk)  # Ctrl+L, or the desk's own idle check: the service will not answer it until the password
    with pytest.raises(desk_wire.DeskCovered):
        desk.find_patients(clerk, "999 000 0018")
    desk.unlock(clerk, DEMO_STAFF_PASSWORD)
    assert desk.find_patients(clerk, "999 000 0018")
    desk.sign_out(clerk, "over 12 hours")
    assert [(a, d) for a, _, _, d in _audit(served, "staff_desk_covered", "staff_sign_out")] == [
        ("staff_desk_covered", "covered at the desk"), ("staff_sign_out", "over 12 hours")]


def test_a_desk_that_hangs_up_is_signed_out_in_the_audit(served: Served) -> None:
    desk = served.desk()
    signed_in(desk)
    assert desk._sock is not None
    desk._sock.close()  # the SSH connection drops, the desk is killed: no sign-out is said
    for _ in range(100):
        rows = _audit(served, "staff_sign_out")
        if rows:
            break
        threading.Event().wait(0.05)
    assert [(a, d) for a, _, _, d in rows] == [("staff_sign_out", "the desk hung up")]


def _raw(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(path)
    desk_wire.send(sock, desk_wire.Hello(desk_wire.VERSION, "a desk"))
    assert desk_wire.receive(sock, desk_wire.Greeting, 4096) == desk_wire.Greeting(desk_wire.VERSION)
    return sock


def _hung_up(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_what_a_desk_sends_is_only_ever_data(served: Served, tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, (f"touch {marker}",))

    for data in (pickle.dumps(("desk", None, "today", (Payload(),), {})), b"not a message at all",
                 msgspec.msgpack.encode(["desk", "today"])):  # a pickle, noise, a request that is not one
        sock = _raw(served.path)
        sock.sendall(struct.pack("!I", len(data)) + data)
        assert _hung_up(sock), "the service answered what no desk sends"
        sock.close()
    # A well-formed request whose arguments do not fit the call's schema is refused, and the desk goes on.
    sock = _raw(served.path)
    for args in ({"query": 12345}, {"query": "x", "extra": 1}, {"session": {"username": "supervisor.demo"}}):
        desk_wire.send(sock, desk_wire.Request("desk", "find_patients", None,
                                               msgspec.Raw(msgspec.msgpack.encode(args))))
        reply = desk_wire.receive(sock, desk_wire.Reply, desk_wire.LARGEST_REPLY)
        assert reply.kind == "error" and isinstance(desk_wire.rebuilt(reply.value), InvalidValue)
    sock.close()
    sock = _raw(served.path)
    sock.sendall(struct.pack("!I", desk_wire.LARGEST_REQUEST + 1))  # refused on its size alone, before it is read
    assert _hung_up(sock)
    sock.close()
    assert not marker.exists()
    assert served.desk().today() == FIXED_DAY  # and it goes on serving


def test_a_fault_in_the_service_reaches_the_desk_as_its_reference(served: Served, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from portal_tui.desk_services import DeskRecord

    desk = served.desk()
    clerk = signed_in(desk)

    def broken(self: object) -> None:
        raise RuntimeError("a bug in the service")

    monkeypatch.setattr(DeskRecord, "appointments", broken)
    with pytest.raises(ServiceFault) as caught:
        desk.acting_for(clerk, 1).appointments()
    monkeypatch.undo()
    reference = caught.value.fault_reference
    assert reference.startswith("E-")
    assert f"fault {reference}" in (tmp_path / "service.log").read_text()
    assert desk.find_patients(clerk, "999 000 0018")  # the connection, and the session, go on


def test_a_desk_whose_service_goes_is_told_and_signs_out(served: Served) -> None:
    lost: list[str] = []
    desk = served.desk(lost=lost)
    clerk = signed_in(desk)
    served.stopped()
    with pytest.raises(ServiceUnavailable) as caught:
        desk.find_patients(clerk, "999 000 0018")
    assert str(caught.value) == LOST and lost == [LOST]
    with pytest.raises(ServiceUnavailable) as caught:
        desk.today()
    assert str(caught.value) == UNREACHABLE and lost == [LOST]


_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(max_size=40)
                       | st.binary(max_size=40), lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
_NAMES = st.sampled_from(sorted({(t, n) for t, names in desk_wire.CALLS.items() for n in names}
                                | {("desk", "_uow"), ("record", "__class__"), ("x", "today")}))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames=st.lists(st.one_of(
    st.binary(max_size=64),
    st.tuples(_NAMES, st.one_of(st.none(), st.integers(-5, 10**12)), st.dictionaries(st.text(max_size=16), _VALUES,
                                                                                     max_size=4))
    .map(lambda c: msgspec.msgpack.encode(desk_wire.Request(c[0][0], c[0][1], c[1],
                                                            msgspec.Raw(msgspec.msgpack.encode(c[2])))))),
    min_size=1, max_size=6))
def test_fuzz_the_desk_wire(served: Served, frames: list[bytes]) -> None:
    """Whatever reaches the socket — noise, or calls of every name with arguments of every shape — the service
    answers with an error or hangs up, never acts for someone who has not signed in here, and goes on serving."""
    sock = _raw(served.path)
    try:
        for data in frames:
            try:
                sock.sendall(struct.pack("!I", len(data)) + data)
                reply = desk_wire.receive(sock, desk_wire.Reply, desk_wire.LARGEST_REPLY)
            except (OSError, desk_wire.WireClosed):
                break  # it hung up on what no desk sends
            assert reply.kind in ("ok", "error"), reply  # a fault would be a bug the wire let through
            if reply.kind == "ok":
                request = msgspec.msgpack.decode(data, type=desk_wire.Request)
                assert (request.target, request.name) in desk_wire.SESSION_FREE, request
    finally:
        sock.close()
    desk = served.desk()
    assert desk.today() == FIXED_DAY
    desk.sign_out(None)  # hang up: sixty-four desks left open would fill the service (as it should)


def test_a_desk_that_calls_faster_than_a_person_is_refused(served: Served, clock) -> None:  # type: ignore[no-untyped-def]
    """260 records a second were read through the service: a desk gets 100 calls at once and 20 a second after
    (the served clock stands still here, so nothing refills until it moves)."""
    desk = served.desk()
    answered = 0
    with pytest.raises(Refused, match="asking the desk service too fast"):
        for _ in range(200):
            desk.today()
            answered += 1
    assert answered == 100
    clock.advance(1)  # a second on: twenty more
    for _ in range(20):
        desk.today()
    with pytest.raises(Refused, match="too fast"):
        desk.today()
    desk.sign_out(None)


def test_asking_whether_the_session_stands_is_no_ones_activity(served: Served, clock) -> None:  # type: ignore[no-untyped-def]
    """Hazard 4 through the desk service: the desk asks every few seconds whether its member of staff may still
    act. The asking never keeps an idle desk uncovered; a disabled account ends the session at the next ask."""
    lost: list[str] = []
    desk = served.desk(lost=lost)
    clerk = signed_in(desk)
    assert desk.session_check(clerk) == ""
    clock.advance(15 * 60 - 5)
    assert desk.session_check(clerk) == ""  # not a call anyone made
    clock.advance(10)
    with pytest.raises(desk_wire.DeskCovered):
        desk.find_patients(clerk, "999 000 0018")
    desk.unlock(clerk, DEMO_STAFF_PASSWORD)
    admin_desk = served.desk()
    admin = admin_desk.sign_in("admin.demo", DEMO_STAFF_PASSWORD, pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now()))
    admin_desk.supervision.disable_staff(admin, "clerk.demo")
    with pytest.raises(desk_wire.SessionEnded):
        desk.session_check(clerk)
    assert lost and "changed since you signed in" in lost[-1]
