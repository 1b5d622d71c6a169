"""The kiosk at the sizes it is laid out for — a large terminal font on a kiosk screen (48×16), a small window
(60×20), a standard terminal (80×24) and a large screen (200×60) — and below the smallest. Review a changed
snapshot as you would review code."""

from __future__ import annotations

import pytest

from tests.screens.test_flow_snapshots import steps_to

SIZES = [(48, 16), (60, 20), (80, 24), (200, 60)]
SMALL = SIZES[:3]
"""The record pages where the small sizes are what can go wrong (a large screen shows the same page, wider)."""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("target", ["welcome", "sign-in", "register-start", "home", "my-details"])
def test_page_at_size(snap_compare, kiosk_on, demo_db, target: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on(demo=False)
    if target == "welcome":
        assert snap_compare(app, terminal_size=size)
    else:
        assert snap_compare(app, terminal_size=size, run_before=steps_to(target, demo_db))


def test_below_the_smallest_size(snap_compare, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_kiosk(), terminal_size=(50, 15), run_before=settle)


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("target, who", [
    ("list", "sandeep.gill"), ("page", "margaret.thompson"), ("day", "margaret.thompson"),
    ("check", "margaret.thompson"), ("cancel-confirm", "margaret.thompson"),
])
def test_appointment_page_at_size(snap_compare, kiosk_on, demo_db, target: str, who: str,  # type: ignore[no-untyped-def]
                                  size: tuple[int, int]) -> None:
    from tests.screens.test_appointment_snapshots import steps_to as appointment_steps

    assert snap_compare(kiosk_on(demo=False), terminal_size=size,
                        run_before=appointment_steps(target, demo_db, f"{who}@example.com"))


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("target, who", [
    ("letters", "rosa.fernandez"), ("results", "chidi.okonkwo"), ("trend", "eileen.doherty"),
])
def test_record_page_at_size(snap_compare, kiosk_on, demo_db, target: str, who: str,  # type: ignore[no-untyped-def]
                             size: tuple[int, int]) -> None:
    from tests.screens.test_record_snapshots import steps_to as record_steps

    assert snap_compare(kiosk_on(demo=False), terminal_size=size,
                        run_before=record_steps(target, demo_db, f"{who}@example.com"))
