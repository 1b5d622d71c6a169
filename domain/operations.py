"""The portal's health as an operations team watches it (`portal-tui status`): what is waiting, what failed, when
each service was last seen — and which of those are past the trust's thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Health:
    """What the database says, read at `at`."""

    at: datetime
    texts_waiting: int
    """Queued and due, or being sent."""
    oldest_waiting: datetime | None
    """When the longest-waiting of them was due."""
    texts_failed_day: int
    texts_failed: int
    hl7_refused_day: int
    hl7_refused: int
    seen: dict[str, datetime] = field(default_factory=dict)
    """Each long-running service's latest heartbeat, on any host."""
    revision: str | None = None
    head: str | None = None
    texts_held: int = 0
    """Held after a restore, waiting for a person to release or withdraw them."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The trust's settings for what is a problem."""

    oldest_text_minutes: int = 15
    failed_texts_day: int = 0
    refused_hl7_day: int = 10
    heartbeat_minutes: int = 5
    services: tuple[str, ...] = ("sms dispatch",)
    """The services that must be running (each seen within heartbeat_minutes)."""


def problems(health: Health, limits: Thresholds) -> list[str]:
    """Each threshold passed, in words an operator can act on ([] when all is well)."""
    found = []
    if health.revision != health.head:
        found.append(f"the database is at migration {health.revision or 'none'}, not {health.head}: run "
                     "`portal-tui db upgrade`")
    if health.oldest_waiting is not None and \
            health.at - health.oldest_waiting > timedelta(minutes=limits.oldest_text_minutes):
        minutes = int((health.at - health.oldest_waiting).total_seconds() // 60)
        found.append(f"{health.texts_waiting} texts waiting, the oldest due {minutes} minutes ago: is the "
                     "dispatcher running, and is Notify answering?")
    if health.texts_held:
        found.append(f"{health.texts_held} texts held since a restore: release or withdraw them (`portal-tui sms "
                     "list --status held`)")
    if health.texts_failed_day > limits.failed_texts_day:
        found.append(f"{health.texts_failed_day} texts failed in the last day (`portal-tui sms list --status "
                     "failed`)")
    if health.hl7_refused_day > limits.refused_hl7_day:
        found.append(f"{health.hl7_refused_day} HL7 messages refused in the last day (`portal-tui hl7 list "
                     "--status refused`)")
    for service in limits.services:
        seen = health.seen.get(service)
        if seen is None:
            found.append(f"{service} has never been seen running")
        elif health.at - seen > timedelta(minutes=limits.heartbeat_minutes):
            found.append(f"{service} was last seen {int((health.at - seen).total_seconds() // 60)} minutes ago")
    return found
