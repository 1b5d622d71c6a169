"""The hospital's own reference data on the real databases: loaded from a trust's file into an empty database,
a second run changing nothing, a clinic gone from the file retired (never deleted), free times made from the
session templates once — and a file with a mistake refused with where the mistake is, nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.demo.builder import REFERENCE
from data.models import ClinicRow, LocationRow, SlotRow
from data.reference import apply, generate_slots, read
from domain.reference import ReferenceProblem, parse


def test_load_again_retire_and_make_free_times(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        first = apply(session, read(REFERENCE))
        session.commit()
        assert first.changes["clinic"]["added"] == 12 and first.changes["location"]["added"] == 15
        again = apply(session, read(REFERENCE))
        session.commit()
        assert not again.changed and "nothing changed" in str(again)
        kinds = dict(session.execute(select(LocationRow.code, LocationRow.kind)).all())
        assert (kinds["WGH-ED"], kinds["SACH-UTC"], kinds["WGH-OPA"]) == ("ed", "utc", "clinic")

        made = generate_slots(session, date(2026, 12, 7), 7)  # a Monday, one week
        session.commit()
        assert made > 0 and generate_slots(session, date(2026, 12, 7), 7) == 0
        # Cardiology's two clinicians run two days each, 20-minute slots 09:00-12:30 and 13:30-16:30: 10 + 9 a day.
        cardiology = session.scalar(select(func.count()).select_from(SlotRow).join(ClinicRow).where(
            ClinicRow.code == "CARD"))
        assert cardiology == 2 * 2 * 19

        changed = REFERENCE.read_text().replace('name = "Eye Clinic"\nspecialty', 'name = "Eye Clinic (Ophthalmology)"'
                                                '\nspecialty')
        start = changed.index('[[trust.clinic]]\ncode = "ENT"')
        end = changed.index("[[trust.clinic]]", start + 10)
        path = tmp_path / "trust.toml"
        path.write_text(changed[:start] + changed[end:])
        third = apply(session, read(path))
        session.commit()
        assert third.changes["clinic"] == {"added": 0, "updated": 1, "retired": 1}, third.changes
        ent = session.scalars(select(ClinicRow).where(ClinicRow.code == "ENT")).one()
        assert ent.retired
        before = session.scalar(select(func.count()).select_from(SlotRow))
        generate_slots(session, date(2026, 12, 14), 7)
        assert not session.scalar(select(func.count()).select_from(SlotRow).where(
            SlotRow.clinic_id == ent.id, SlotRow.starts_at >= datetime(2026, 12, 14, tzinfo=UTC)))
        assert session.scalar(select(func.count()).select_from(SlotRow)) > before


@pytest.mark.parametrize("mutate, words", [
    (lambda t: t.replace('code = "RWG"', 'code = "RXX"', 1), "serves the trusts RWG and RAL, not 'RXX'"),
    (lambda t: t.replace('location = "WGH-OPA"', 'location = "WGH-NOPE"', 1),
     "trust RWG › clinic CARD: location 'WGH-NOPE' is not one of this trust's locations"),
    (lambda t: t.replace('days = ["mon", "wed"]', 'days = ["mon", "funday"]', 1),
     "clinician C1001 › session 1: 'funday' is not a day of the week"),
    (lambda t: t.replace('ends = "12:30"', 'ends = "08:30"', 1), "a session ends after it starts"),
    (lambda t: t.replace('postcode = "WD18 0HB"', 'postcode = "NOT A CODE"', 1), "is not a UK postcode"),
    (lambda t: t.replace('kind = "ed"', 'kind = "a&e"', 1), "kind 'a&e' is not one of"),
    (lambda t: t + '\n[[trust]]\ncode = "RAL"\nname = "Again"\nshort_name = "Again"\nappointments_phone = "0"\n'
                   'appointments_email = "a@example.nhs.uk"\n', "The trust code RAL is used twice"),
])
def test_a_file_with_a_mistake_says_where(mutate, words, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "trust.toml"
    path.write_text(mutate(REFERENCE.read_text()))
    with pytest.raises(ReferenceProblem) as problem:
        read(path)
    assert words in str(problem.value), str(problem.value)


def test_not_toml_or_not_a_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.toml").write_text('[[trust]]\ncode = "RWG\n')
    with pytest.raises(ReferenceProblem, match=r"is not valid TOML: .*line 2"):
        read(tmp_path / "bad.toml")
    with pytest.raises(ReferenceProblem, match="cannot be read"):
        read(tmp_path / "missing.toml")
    with pytest.raises(ReferenceProblem, match="names no trust"):
        parse({})
