"""What the kiosk looks like. Review a changed snapshot as you would review code."""

from __future__ import annotations

from tests.screens.conftest import still_inputs


def test_welcome(snap_compare, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_kiosk(), terminal_size=(100, 30))


def test_welcome_high_contrast(snap_compare, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_kiosk(theme="portal-high-contrast"), terminal_size=(100, 30))


def test_welcome_at_the_smallest_kiosk_size(snap_compare, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_kiosk(), terminal_size=(80, 24))


def test_staff_pin_after_a_wrong_pin(snap_compare, kiosk_on) -> None:  # type: ignore[no-untyped-def]
    async def wrong_pin(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press(*"1111", "enter")
        await pilot.pause()
        still_inputs(pilot.app)

    assert snap_compare(kiosk_on(), terminal_size=(100, 30), run_before=wrong_pin)
