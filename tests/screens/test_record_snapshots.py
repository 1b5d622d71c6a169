"""What the letters list, the results table and a test's trend look like. Review changes as code."""

from __future__ import annotations

import pytest

from tests.screens.conftest import still_inputs
from tests.screens.flows import SMALL_SIZES, settle
from tests.screens.pages import press, walk_to
from tests.screens.test_appointments import sign_in_as

SIZE = (100, 40)


def steps_to(target: str, db, email: str):  # type: ignore[no-untyped-def]
    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await walk_to(pilot, target, db, email.removesuffix("@example.com"))
        still_inputs(pilot.app)
        await pilot.pause()

    return walk


@pytest.mark.parametrize("target, who", [
    ("letters", "rosa.fernandez"), ("letter-pdf", "rosa.fernandez"), ("results", "chidi.okonkwo"),
    ("trend", "eileen.doherty"),
])
def test_step(snap_sizes, kiosk_on, demo_db, target: str, who: str) -> None:  # type: ignore[no-untyped-def]
    sizes = [SIZE, *SMALL_SIZES] if target in ("letters", "results", "trend") else [SIZE]
    assert snap_sizes(kiosk_on(demo=False), sizes, steps_to(target, demo_db, f"{who}@example.com"))


def test_visits_on_record(snap_compare, kiosk_on, demo_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.screens.test_records import import_for

    import_for(demo_db, "Aisha", tmp_path)

    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await sign_in_as(pilot, demo_db, "aisha.rahman@example.com")
        await press(pilot, "#appointments")
        pilot.app.screen.query_one("#visits").focus()
        await settle(pilot)
        await pilot.pause()

    assert snap_compare(kiosk_on(demo=False), terminal_size=SIZE, run_before=walk)


def test_results_held_back_from_the_kiosk(snap_compare, kiosk_on, demo_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A HARK questionnaire (grouped by its report), an HIV test and an X-ray from two days ago arrive beside a
    sodium: the patient sees the sodium and one line saying a result is waiting — nothing else of them."""
    import json
    import sqlite3

    from data.engine import make_engine
    from data.records.fhir_import import import_fhir
    from domain.hospital import TrustCode
    from tests.conftest import FIXED_NOW
    from tests.data import fhir_fixtures as fx
    from tests.data.test_result_release import report

    with sqlite3.connect(demo_db) as connection:
        (nhs,) = connection.execute("SELECT nhs_number FROM patient WHERE given_name = 'Aisha'").fetchone()
    resources = [
        fx.patient("p", nhs=nhs),
        fx.observation("hark-score", "p", code="76504-0", name="HARK total score", value=3, low=None, high=None,
                       unit="{score}"),
        report("hark", "p", "76499-3", "HARK questionnaire", ["hark-score"]),
        fx.observation("hiv", "p", code="75622-1", name="HIV 1+2 antibody", value=None, low=None, high=None)
        | {"valueCodeableConcept": {"text": "Not detected"}},
        fx.observation("xray", "p", code="24627-2", name="Chest X-ray report", value=None, low=None, high=None,
                       when="2026-11-22T10:00:00+00:00", category="imaging") | {"valueString": "No abnormality"},
        fx.observation("na", "p", name="Sodium level"),
    ]
    path = tmp_path / "rf.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": r} for r in resources]}))
    engine = make_engine(f"sqlite:///{demo_db}")
    assert import_fhir(engine, [str(path)], TrustCode.ROYAL_FREE, now=lambda: FIXED_NOW).errors == []
    engine.dispose()

    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await sign_in_as(pilot, demo_db, "aisha.rahman@example.com")
        await press(pilot, "#results")
        await settle(pilot)
        still_inputs(pilot.app)
        await pilot.pause()

    assert snap_compare(kiosk_on(demo=False), terminal_size=SIZE, run_before=walk)
