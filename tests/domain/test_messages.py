"""Every text fits one SMS fragment for the demo trust's longest site, dates in the short NHS style."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.hospital import Trust, TrustCode
from domain.messaging.wording import (
    SMS_FRAGMENT,
    cancellation_confirmation_sms,
    one_time_code_sms,
    hospital_cancellation_sms,
    registration_invitation_sms,
    reminder_sms,
    reschedule_confirmation_sms,
    sms_when,
)

TRUST = Trust(TrustCode.WEST_HERTS, "West Hertfordshire Teaching Hospitals NHS Trust", "West Herts", "01632 960 100",
              "a@example.nhs.uk")
WHEN = datetime(2025, 8, 6, 8, 30, tzinfo=UTC)  # 9.30am BST
SITE = "Hemel Hempstead Hospital"
URL = "https://www.westhertshospitals.nhs.uk/portal"


def test_short_dates() -> None:
    assert sms_when(WHEN) == "Wed 6 Aug, 9.30am"
    assert sms_when(datetime(2026, 12, 1, 14, 0, tzinfo=UTC)) == "Tue 1 Dec, 2pm"


@pytest.mark.parametrize("text", [
    one_time_code_sms("123456", TRUST),
    reminder_sms(TRUST, WHEN, SITE, None),
    reminder_sms(TRUST, WHEN, SITE, "Eye Clinic"),
    reschedule_confirmation_sms(TRUST, WHEN, SITE, None),
    cancellation_confirmation_sms(TRUST, WHEN),
    registration_invitation_sms(TRUST, "K7QX-M2PD", URL),
    hospital_cancellation_sms(TRUST, WHEN),
])
def test_one_fragment(text: str) -> None:
    assert len(text) <= SMS_FRAGMENT, (len(text), text)


def test_nothing_clinical_unless_the_clinic_is_safe_to_name() -> None:
    assert "Cardiology" not in reminder_sms(TRUST, WHEN, SITE, None)
    assert "(Eye Clinic)" in reminder_sms(TRUST, WHEN, SITE, "Eye Clinic")
