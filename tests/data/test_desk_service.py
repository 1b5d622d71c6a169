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

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.demo import DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET, load_demo
from data.models import AuditEventRow
from data.staff.accounts import FernetBox
from domain.errors import InvalidValue, Refused
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
    from screens.common.help import HelpServices
    from screens.common.services import DeskRecordServices
    from screens.desk.services import DeskServices
    from screens.desk.support import SupportInbox
    from screens.desk.tools import SupervisorTools

    def methods(*protocols: type) -> set[str]:
        return {name for protocol in protocols for klass in protocol.__mro__ if klass.__module__.startswith("screens.")
                for name, value in vars(klass).items() if not name.startswith("_") and callable(value)}

    assert methods(DeskServices) - {"acting_for"} == desk_wire.DESK_CALLS  # acting_for is the desk's own
    assert methods(DeskRecordServices) == desk_wire.RECORD_CALLS
    assert methods(HelpServices, SupportInbox) == desk_wire.SUPPORT_CALLS
    assert methods(SupervisorTools) == desk_wire.SUPERVISION_CALLS


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
    with Session(served.engine) as session:  # type: ignore[arg-type]
        rows = session.execute(select(AuditEventRow.action, AuditEventRow.actor_id, AuditEventRow.terminal).where(
            AuditEventRow.action.in_(["staff_sign_in", "staff_open"]))).all()
    assert sorted(tuple(row) for row in rows) == [("staff_open", "clerk.demo", TERMINAL),
                                                  ("staff_sign_in", "clerk.demo", TERMINAL)]


def test_the_service_keeps_who_is_signed_in(served: Served) -> None:
    desk = served.desk()
    clerk = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)
    with pytest.raises(Refused, match="sign in first"):
        desk.acting_for(clerk, 1).appointments()
    with pytest.raises(Refused, match="not signed in as that member of staff"):
        desk.find_patients(clerk, "999 000 0018")  # a session the desk made up
    clerk = signed_in(desk)
    supervisor = replace(clerk, username="supervisor.demo", role=StaffRole.APPOINTMENTS_SUPERVISOR)
    with pytest.raises(Refused, match="not signed in as that member of staff"):
        desk.supervision.audit_page(supervisor, None)
    with pytest.raises(Refused, match="does not act as a patient"):
        desk.call("support", None, "inbox", (PatientSession(1, FIXED_NOW), None), {})
    for target, name in (("desk", "_uow"), ("record", "__init__"), ("elsewhere", "now"), ("support", "unread_reply")):
        with pytest.raises(Refused, match="does not do"):
            desk.call(target, 1, name, (), {})
    assert desk.find_patients(clerk, "999 000 0018")
    desk.sign_out(clerk)  # the connection goes, and the service forgets the member of staff with it
    with pytest.raises(Refused, match="not signed in as that member of staff"):
        desk.find_patients(clerk, "999 000 0018")


def _raw(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(path)
    desk_wire.send(sock, ("hello", desk_wire.VERSION, "a desk"))
    assert desk_wire.receive(sock) == ("ok", desk_wire.VERSION)
    return sock


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def test_what_a_desk_sends_is_only_ever_values(served: Served, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    hostile = [pickle.dumps(("desk", None, "today", (_Payload(marker),), {})),
               pickle.dumps(("desk", None, "today", (), {"x": Path("/etc/passwd")})),
               b"not a pickle at all"]
    for data in hostile:
        sock = _raw(served.path)
        sock.sendall(struct.pack("!I", len(data)) + data)
        assert sock.recv(1) == b"", "the service answered what no desk sends"  # it hung up
        sock.close()
    sock = _raw(served.path)
    sock.sendall(struct.pack("!I", desk_wire.LARGEST_REQUEST + 1))  # a frame larger than any call
    assert sock.recv(1) == b""
    sock.close()
    assert not marker.exists()
    assert served.desk().today() == FIXED_DAY  # and it goes on serving


def test_a_fault_in_the_service_reaches_the_desk_as_its_reference(served: Served, tmp_path: Path) -> None:
    desk = served.desk()
    clerk = signed_in(desk)
    with pytest.raises(ServiceFault) as caught:
        desk.find_patients(clerk, 12345)  # type: ignore[arg-type]  # no screen sends this: the rules were never asked
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
