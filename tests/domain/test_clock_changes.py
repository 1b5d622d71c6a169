"""Both clock-change days in London (issue 36, finding 10): reminders at the same local time either side, and HL7
times without an offset that do not exist, or happen twice, never moved silently."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.clock import LONDON
from domain.events.bookings import BookingFields, booking, hl7_moment, local_problem
from domain.events.person import NotUsable
from domain.messaging.sms import reminders_due


@pytest.mark.parametrize("appointment, week_before", [
    # Spring: 10:00 BST on Tuesday 31 March; a week before is 10:00 GMT on the 24th (the clocks went forward).
    (datetime(2026, 3, 31, 9, 0, tzinfo=UTC), datetime(2026, 3, 24, 10, 0, tzinfo=UTC)),
    # Autumn: 10:00 GMT on Tuesday 27 October; a week before is 10:00 BST on the 20th (the clocks went back).
    (datetime(2026, 10, 27, 10, 0, tzinfo=UTC), datetime(2026, 10, 20, 9, 0, tzinfo=UTC)),
])
def test_a_reminder_goes_at_the_same_london_time_either_side_of_a_change(appointment: datetime,
                                                                        week_before: datetime) -> None:
    [plan] = reminders_due(appointment, week_before.replace(hour=6), (7,))
    assert plan.send_after == week_before
    assert plan.send_after.astimezone(LONDON).time() == appointment.astimezone(LONDON).time()


def test_the_skipped_spring_hour_is_refused_and_the_repeated_autumn_hour_is_bst_unless_an_offset_says() -> None:
    assert hl7_moment("202603290130") is None  # never 02:30, silently
    assert "does not exist in London" in local_problem("202603290130")
    assert hl7_moment("202603290130+0000") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert hl7_moment("202603290230") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST exists
    assert hl7_moment("202610250130") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first: BST
    assert "happens twice" in local_problem("202610250130")
    assert hl7_moment("202610250130+0000") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert local_problem("202610250300") == "" and local_problem("202612091030") == ""
    fields = BookingFields("PAS1", "", "FU", "202603290130", "20", "MIN", "CARD", "", "", "", "")
    with pytest.raises(NotUsable, match="does not exist in London"):
        booking("SIU^S12", fields)
