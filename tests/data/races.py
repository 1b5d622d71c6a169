"""Terminals racing over one clinic's few free times: the worker each thread or process runs, and the clinic.

A worker acts as random patients do: looks at their appointments, picks one (now and then one it saw earlier,
which another terminal may have moved since), and moves it to a random time of the clinician's — often one that
is already taken — or cancels it. Every outcome must be a success or a refusal a person can read."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data.engine import make_engine
from data.models import AppointmentRow, PatientRow, SlotRow
from data.uow import SqlUnitOfWork, session_factory
from domain.appointments import changes as m
from domain.appointments.rules import OnlinePolicy
from domain.appointments.model import AppointmentStatus
from domain.clock import FixedClock
from domain.errors import DomainError
from domain.identity.session import PatientSession
from tests.conftest import FIXED_NOW
from tests.data.builders import tiny_hospital


@dataclass
class Tally:
    """What one worker saw."""

    outcomes: Counter[str] = field(default_factory=Counter)
    rescheduled_to: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.outcomes.update(other.outcomes)
        self.rescheduled_to += other.rescheduled_to
        self.cancelled += other.cancelled
        self.unexpected += other.unexpected


def busy_clinic(engine: Engine, patients: int, slots: int) -> tuple[list[int], list[int]]:
    """One clinician with `slots` times from 3 days ahead, and `patients` patients booked into the first ones."""
    ids = tiny_hospital(engine, patients=patients)
    first = FIXED_NOW + timedelta(days=3)
    with Session(engine) as s:
        slot_rows = [s.get(SlotRow, ids["slot"])]
        slot_rows[0].starts_at = first
        for n in range(1, slots):
            slot_rows.append(SlotRow(clinic_id=ids["clinic"], clinician_id=ids["clinician"],
                                     location_id=ids["location"], starts_at=first + timedelta(hours=n),
                                     duration_minutes=20))
        s.add_all(slot_rows)
        s.flush()
        patient_ids = [ids[f"patient_{n}"] for n in range(1, patients + 1)]
        for n, patient_id in enumerate(patient_ids):
            s.get(PatientRow, patient_id).mobile = f"+447700900{n:03d}"
            s.add(AppointmentRow(reference=f"WH{n:06d}", patient_id=patient_id, trust_code="RWG",
                                 clinic_id=ids["clinic"], clinician_id=ids["clinician"], location_id=ids["location"],
                                 slot_id=slot_rows[n].id, kind="outpatient_follow_up", status="booked",
                                 starts_at=slot_rows[n].starts_at, duration_minutes=20, booked_at=FIXED_NOW,
                                 times_rescheduled=0, reschedule_limit=2))
        s.commit()
        return patient_ids, [row.id for row in slot_rows]


def work(url: str, seed: int, attempts: int, patients: list[int], slots: list[int], limit: int,
         cancel_share: float) -> Tally:
    """Run in a thread (sharing nothing but the URL) or in a process."""
    engine = make_engine(url)
    try:
        return _work(engine, random.Random(seed), attempts, patients, slots, OnlinePolicy(reschedule_limit=limit),
                     cancel_share)
    finally:
        engine.dispose()


def _work(engine: Engine, rng: random.Random, attempts: int, patients: list[int], slots: list[int],
          policy: OnlinePolicy, cancel_share: float) -> Tally:
    factory = session_factory(engine)
    readers = session_factory(engine, read_only=True)
    clock = FixedClock(FIXED_NOW)
    tally = Tally()
    seen: dict[int, int] = {}
    for _ in range(attempts):
        patient_id = rng.choice(patients)
        who = PatientSession(patient_id, FIXED_NOW)
        try:
            views = m.appointment_list(SqlUnitOfWork(readers), clock, who)
            live = [v.appointment.id for v in views if v.appointment.status is AppointmentStatus.BOOKED]
            if live and rng.random() > 0.2:
                seen[patient_id] = live[0]
            target = seen.get(patient_id) or (live[0] if live else views[0].appointment.id)
            if rng.random() < cancel_share:
                m.cancel(SqlUnitOfWork(factory), clock, who, target, "racing", policy)
                tally.cancelled.append(target)
                tally.outcomes["cancelled"] += 1
            else:
                done = m.reschedule(SqlUnitOfWork(factory), clock, who, target, rng.choice(slots), policy)
                tally.rescheduled_to.append(done.new.appointment.id)
                tally.outcomes["rescheduled"] += 1
        except m.SlotTaken as error:
            tally.outcomes["slot taken"] += 1
            assert str(error).startswith("Sorry")
        except DomainError as error:
            tally.outcomes[type(error).__name__] += 1
            assert str(error) and "Traceback" not in str(error)
        except Exception as error:  # noqa: BLE001 - exactly what the test is looking for
            tally.unexpected.append(f"{type(error).__name__}: {error}")
    return tally
