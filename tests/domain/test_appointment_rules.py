"""Which actions an appointment allows online, and the words for every one it does not (issue 4's rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.appointments.rules import Action, Blocker, OnlinePolicy, decide, decisions, staff_decide
from domain.identity.session import StaffRole
from domain.appointments.model import Appointment, AppointmentKind, AppointmentStatus, Referral, ReferralStatus
from domain.hospital import Trust, TrustCode

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
TRUST = Trust(TrustCode.WEST_HERTS, "West Herts", "West Herts", "01632 960 100", "appointments@example.nhs.uk")


def booked(**changes: object) -> Appointment:
    base = Appointment(id=1, reference="WH000001", patient_id=1, trust=TrustCode.WEST_HERTS, clinic_id=1,
                       clinician_id=1, location_id=1, slot_id=1, referral_id=1, kind=AppointmentKind.OUTPATIENT_FOLLOW_UP,
                       status=AppointmentStatus.BOOKED, starts_at=NOW + timedelta(days=14), duration_minutes=20,
                       booked_at=NOW - timedelta(days=20))
    return replace(base, **changes)


def referral(ers: bool = False) -> Referral:
    return Referral(1, 1, 1, ReferralStatus.OPEN, date(2026, 9, 1), booked_via_ers=ers)


@pytest.mark.parametrize("changes, ers, blocker", [
    ({}, False, None),
    ({"status": AppointmentStatus.CANCELLED_BY_HOSPITAL}, False, Blocker.CANCELLED),
    ({"status": AppointmentStatus.RESCHEDULED}, False, Blocker.NOT_BOOKED),
    ({"starts_at": NOW - timedelta(hours=1)}, False, Blocker.IN_PAST),
    ({"kind": AppointmentKind.RADIOLOGY}, False, Blocker.VIEW_ONLY_KIND),
    ({"kind": AppointmentKind.PRE_OPERATIVE_ASSESSMENT}, False, Blocker.VIEW_ONLY_KIND),
    ({"kind": AppointmentKind.OUTPATIENT_NEW}, True, Blocker.ERS_FIRST_APPOINTMENT),
    ({"kind": AppointmentKind.OUTPATIENT_NEW}, False, None),
    ({"transport_booked": True}, False, Blocker.TRANSPORT_BOOKED),
    ({"interpreter_language": "Polish"}, False, Blocker.INTERPRETER_BOOKED),
    ({"starts_at": NOW + timedelta(hours=47)}, False, Blocker.TOO_CLOSE),
    ({"times_rescheduled": 2}, False, Blocker.LIMIT_REACHED),
])
def test_reschedule(changes: dict[str, object], ers: bool, blocker: Blocker | None) -> None:
    decision = decide(Action.RESCHEDULE, booked(**changes), referral(ers), TRUST, NOW)
    assert decision.allowed is (blocker is None)
    assert decision.blocker is blocker
    if blocker is not None:
        assert decision.reason.endswith(".") and decision.instead.endswith(".")
        assert blocker is Blocker.ERS_FIRST_APPOINTMENT or "01632 960 100" in decision.instead


def test_the_limit_stops_rescheduling_but_not_cancelling() -> None:
    both = decisions(booked(times_rescheduled=2), referral(), TRUST, NOW)
    assert not both[Action.RESCHEDULE] and both[Action.CANCEL]


def test_the_words_name_what_was_booked() -> None:
    assert "Polish interpreter" in decide(Action.CANCEL, booked(interpreter_language="Polish"), None, TRUST, NOW).reason
    assert "radiology" in decide(Action.CANCEL, booked(kind=AppointmentKind.RADIOLOGY), None, TRUST, NOW).reason
    assert "24 hours" in decide(Action.CANCEL, booked(starts_at=NOW + timedelta(hours=3)), None, TRUST, NOW,
                                OnlinePolicy(cutoff=timedelta(hours=24))).reason


@given(st.sampled_from(list(AppointmentKind)), st.sampled_from(list(AppointmentStatus)), st.booleans(),
       st.sampled_from([None, "Arabic"]), st.integers(0, 2), st.integers(-100, 2000))
def test_yes_only_when_nothing_stands_in_the_way(kind, status, transport, interpreter, moved, hours) -> None:  # type: ignore[no-untyped-def]
    appointment = booked(kind=kind, status=status, transport_booked=transport, interpreter_language=interpreter,
                         times_rescheduled=moved, starts_at=NOW + timedelta(hours=hours))
    for action in Action:
        decision = decide(action, appointment, referral(), TRUST, NOW)
        clear = (kind.changeable_online and status is AppointmentStatus.BOOKED and not transport
                 and interpreter is None and hours >= 48 and (action is Action.CANCEL or moved < 2))
        assert decision.allowed is clear
        assert decision.allowed or (decision.reason and decision.instead)


# --- the desk's rules: what staff may do that the patient may not online ------------------------------------

CLERK, SUPERVISOR = StaffRole.APPOINTMENTS_CLERK, StaffRole.APPOINTMENTS_SUPERVISOR


@pytest.mark.parametrize("changes, ers, role, allowed, overrides, arrangements", [
    ({}, False, CLERK, True, 0, ()),
    ({"transport_booked": True}, False, CLERK, True, 0, ("hospital transport",)),
    ({"interpreter_language": "Polish"}, False, CLERK, True, 0, ("the Polish interpreter",)),
    ({"transport_booked": True, "interpreter_language": "Urdu"}, False, CLERK, True, 0,
     ("hospital transport", "the Urdu interpreter")),
    ({"starts_at": NOW + timedelta(hours=47)}, False, CLERK, False, 1, ()),
    ({"starts_at": NOW + timedelta(hours=47)}, False, SUPERVISOR, True, 1, ()),
    ({"times_rescheduled": 2}, False, CLERK, False, 1, ()),
    ({"times_rescheduled": 2, "starts_at": NOW + timedelta(hours=3), "interpreter_language": "Polish"}, False,
     SUPERVISOR, True, 2, ("the Polish interpreter",)),
    ({"status": AppointmentStatus.CANCELLED_BY_HOSPITAL}, False, SUPERVISOR, False, 0, ()),
    ({"starts_at": NOW - timedelta(hours=1)}, False, SUPERVISOR, False, 0, ()),
    ({"kind": AppointmentKind.DAY_CASE}, False, SUPERVISOR, False, 0, ()),
    ({"kind": AppointmentKind.OUTPATIENT_NEW}, True, SUPERVISOR, False, 0, ()),
])
def test_the_desk_may_move(changes: dict[str, object], ers: bool, role: StaffRole, allowed: bool, overrides: int,
                           arrangements: tuple[str, ...]) -> None:
    decision = staff_decide(Action.RESCHEDULE, booked(**changes), referral(ers), NOW, role)
    assert decision.allowed is allowed
    assert len(decision.overrides) == overrides
    assert decision.arrangements == arrangements
    if not allowed:
        assert decision.reason.endswith(".")
        assert ("supervisor" in decision.reason) is (overrides > 0)


def test_the_online_limit_does_not_stop_the_desk_cancelling() -> None:
    assert staff_decide(Action.CANCEL, booked(times_rescheduled=2), referral(), NOW, CLERK)


@given(st.integers(min_value=-48, max_value=24 * 100), st.integers(min_value=0, max_value=2), st.booleans(),
       st.booleans())
def test_a_supervisor_may_do_whatever_a_clerk_may(hours: int, moved: int, transport: bool, interpreter: bool) -> None:
    a = booked(starts_at=NOW + timedelta(hours=hours), times_rescheduled=moved, transport_booked=transport,
               interpreter_language="Polish" if interpreter else None)
    for action in Action:
        if staff_decide(action, a, referral(), NOW, CLERK):
            assert staff_decide(action, a, referral(), NOW, SUPERVISOR)
        if decide(action, a, referral(), TRUST, NOW):
            assert staff_decide(action, a, referral(), NOW, CLERK)  # the desk may do what the patient may
