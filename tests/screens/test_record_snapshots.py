"""What the letters list, the results table and a test's trend look like. Review changes as code."""

from __future__ import annotations

import pytest

from tests.screens.conftest import still_inputs
from tests.screens.flows import settle
from tests.screens.test_appointment_snapshots import enter, press
from tests.screens.test_appointments import sign_in_as

SIZE = (100, 40)


def steps_to(target: str, db, email: str):  # type: ignore[no-untyped-def]
    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await sign_in_as(pilot, db, email)
        await press(pilot, "#letters" if target.startswith("letter") else "#results")
        if target in ("letter-pdf", "trend"):
            if target == "letter-pdf":
                await pilot.press("down")
            await enter(pilot)
        await settle(pilot)
        still_inputs(pilot.app)
        await pilot.pause()

    return walk


@pytest.mark.parametrize("target, who", [
    ("letters", "rosa.fernandez"), ("letter-pdf", "rosa.fernandez"), ("results", "chidi.okonkwo"),
    ("trend", "eileen.doherty"),
])
def test_step(snap_compare, kiosk_on, demo_db, target: str, who: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(kiosk_on(demo=False), terminal_size=SIZE,
                        run_before=steps_to(target, demo_db, f"{who}@example.com"))


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
