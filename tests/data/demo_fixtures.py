"""The demo hospital in a real database, and helpers to read what a patient's phone would receive."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.demo import load_demo
from data.models import PatientRow, SmsMessageRow
from data.identity.passwords import Argon2Hasher
from data.uow import SqlUnitOfWork, session_factory
from tests.conftest import FIXED_DAY

FAST_HASHER = Argon2Hasher(fast=True)


@pytest.fixture
def demo_engine(engine):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        load_demo(session, FIXED_DAY, FAST_HASHER)
        session.commit()
    return engine


@pytest.fixture
def uow(demo_engine) -> Callable[[], SqlUnitOfWork]:  # type: ignore[no-untyped-def]
    """A factory: each use case gets a fresh unit of work, as it does in the app."""
    factory = session_factory(demo_engine)
    return lambda: SqlUnitOfWork(factory)


def patient(engine, given: str, family: str) -> PatientRow:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        row = session.scalars(select(PatientRow).where(PatientRow.given_name == given,
                                                       PatientRow.family_name == family)).one()
        session.expunge(row)
        return row


def texts_to(engine, mobile: str) -> list[str]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.scalars(select(SmsMessageRow.body).where(SmsMessageRow.to_number == mobile)
                                    .order_by(SmsMessageRow.created_at, SmsMessageRow.id)))


def last_code(engine, mobile: str) -> str:  # type: ignore[no-untyped-def]
    texts = texts_to(engine, mobile)
    assert texts, f"no text was sent to {mobile}"
    match = re.match(r"(\d{6}) is your", texts[-1])
    assert match, texts[-1]
    return match.group(1)


def birthday(row: PatientRow) -> date:
    return row.date_of_birth
