"""Letters the hospital writes, as Markdown: confirmations, clinic outcomes and discharge summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.formatting import nhs_date, nhs_datetime


@dataclass(frozen=True)
class LetterContext:
    """What every letter needs to know."""

    patient_name: str
    nhs_number: str
    trust_name: str
    appointments_phone: str


def appointment_confirmation(ctx: LetterContext, *, kind_label: str, starts_at: datetime, clinic: str,
                             clinician: str, place: str, reference: str, replaces: str | None = None) -> str:
    """A new booking, or (with `replaces`, the old reference) the new time of a changed one."""
    opening = ("We have booked an appointment for you." if replaces is None else
               f"We have changed your appointment, as you asked. This is your new appointment: the one with "
               f"reference {replaces} is no longer booked.")
    return f"""# {kind_label}: confirmation

Dear {ctx.patient_name},

{opening}

- **When:** {nhs_datetime(starts_at)}
- **Where:** {place}
- **Clinic:** {clinic}
- **You will see:** {clinician}
- **Reference:** {reference}

Please arrive 10 minutes early and bring a list of any medicines you take.

If you cannot come, tell us as soon as you can so that we can offer the time to someone else:
call the Appointments team on {ctx.appointments_phone}.

Yours sincerely,

Appointments team, {ctx.trust_name}

NHS number: {ctx.nhs_number}
"""


def admission_confirmation(ctx: LetterContext, *, kind_label: str, starts_at: datetime, place: str,
                           reference: str) -> str:
    return f"""# {kind_label}: confirmation

Dear {ctx.patient_name},

We have booked your admission.

- **Arrive at:** {nhs_datetime(starts_at)}
- **Where:** {place}
- **Reference:** {reference}

## Before you come in

- Do not eat anything for 6 hours before you arrive. You may drink water until 2 hours before.
- Bring your medicines in their boxes, and something to read.
- Arrange for an adult to take you home and stay with you for 24 hours.

If you are unwell in the days before, call the Appointments team on {ctx.appointments_phone}.

Appointments team, {ctx.trust_name}

NHS number: {ctx.nhs_number}
"""


def clinic_outcome(ctx: LetterContext, *, seen_at: datetime, clinic: str, clinician: str, diagnosis: str,
                   plan: str) -> str:
    return f"""# Clinic outcome letter

**Clinic:** {clinic}, {nhs_date(seen_at.date())}

**Seen by:** {clinician}

Dear {ctx.patient_name},

I am writing to you, with a copy to your GP, after we met in clinic.

## Diagnosis

{diagnosis}

## Plan

{plan}

Yours sincerely,

{clinician}

NHS number: {ctx.nhs_number}
"""


def discharge_summary(ctx: LetterContext, *, admitted_at: datetime, discharged_at: datetime, ward: str,
                      reason: str, treatment: str, medicines: list[str], follow_up: str) -> str:
    medicine_lines = "\n".join(f"- {medicine}" for medicine in medicines) or "- No changes"
    return f"""# Discharge summary

| | |
|---|---|
| Admitted | {nhs_datetime(admitted_at)} |
| Discharged | {nhs_datetime(discharged_at)} |
| Ward | {ward} |

## Why you came into hospital

{reason}

## What we did

{treatment}

## Medicines to take home

{medicine_lines}

## Follow-up

{follow_up}

{ctx.trust_name} · NHS number: {ctx.nhs_number}
"""
