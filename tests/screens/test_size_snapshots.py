"""The kiosk at the sizes it is laid out for — a large terminal font on a kiosk screen (48×16), a small window
(60×20), a standard terminal (80×24) and a large screen (200×60) — and below the smallest. Review a changed
snapshot as you would review code."""

from __future__ import annotations

from tests.screens.flows import ALL_SIZES

# The pages past the welcome page are compared at these sizes in their own step tests (walked to once, resized).


def test_welcome_at_every_size(snap_sizes, kiosk_on) -> None:  # type: ignore[no-untyped-def]
    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()

    assert snap_sizes(kiosk_on(demo=False), ALL_SIZES, settle)


def test_below_the_smallest_size(snap_compare, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_kiosk(), terminal_size=(50, 15), run_before=settle)
