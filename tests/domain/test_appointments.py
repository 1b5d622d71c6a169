"""The appointment status machine and what each status means for its slot."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.appointments.model import AppointmentEvent as E
from domain.appointments.model import AppointmentKind as K
from domain.appointments.model import AppointmentStatus as S
from domain.appointments.model import next_status
from domain.errors import InvalidTransition


@pytest.mark.parametrize("start, event, end", [
    (S.BOOKED, E.RESCHEDULE, S.RESCHEDULED),
    (S.BOOKED, E.CANCEL_BY_PATIENT, S.CANCELLED_BY_PATIENT),
    (S.BOOKED, E.CANCEL_BY_HOSPITAL, S.CANCELLED_BY_HOSPITAL),
    (S.BOOKED, E.ATTEND, S.ATTENDED),
    (S.BOOKED, E.MISS, S.DID_NOT_ATTEND),
    (S.DID_NOT_ATTEND, E.ATTEND, S.ATTENDED),
    (S.ATTENDED, E.MISS, S.DID_NOT_ATTEND),
])
def test_allowed_transitions(start: S, event: E, end: S) -> None:
    assert next_status(start, event) is end


@pytest.mark.parametrize("start", [S.RESCHEDULED, S.CANCELLED_BY_PATIENT, S.CANCELLED_BY_HOSPITAL])
@pytest.mark.parametrize("event", list(E))
def test_rescheduled_and_cancelled_are_final(start: S, event: E) -> None:
    with pytest.raises(InvalidTransition, match="cannot be changed"):
        next_status(start, event)


@given(st.lists(st.sampled_from(list(E)), max_size=8))
def test_once_a_slot_is_given_back_no_event_takes_it_again(events: list[E]) -> None:
    status = S.BOOKED
    gave_back = False
    for event in events:
        try:
            status = next_status(status, event)
        except InvalidTransition:
            continue
        gave_back = gave_back or not status.holds_slot
        assert not (gave_back and status.holds_slot)


def test_only_outpatient_consultations_can_be_changed_online() -> None:
    assert {kind for kind in K if kind.changeable_online} == {K.OUTPATIENT_NEW, K.OUTPATIENT_FOLLOW_UP}
    view_only = {K.PRE_OPERATIVE_ASSESSMENT, K.DAY_CASE, K.ELECTIVE_ADMISSION, K.RADIOLOGY, K.FAST_TRACK_DIAGNOSTIC}
    assert not any(kind.changeable_online for kind in view_only)
    assert all(kind.label for kind in K)
