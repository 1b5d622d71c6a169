"""The words of the texts the portal sends (more templates arrive with the SMS issue)."""

from __future__ import annotations

from domain.hospital import Trust


def one_time_code_sms(code: str, trust: Trust) -> str:
    """One SMS fragment; says nothing about why the patient is known to the hospital."""
    return (f"{code} is your {trust.short_name} patient portal code. It expires in 10 minutes. "
            "Do not share it with anyone, even hospital staff.")
