"""The kiosk paints its welcome page with the first part of the stylesheet only (first_page.tcss) and reads the
rest (portal.tcss) just after: the first paint must already be the page's final look. A rule that styles the
welcome page but sits in portal.tcss makes the page change under the patient's eyes — and fails here."""

from __future__ import annotations

import pytest

from domain.clock import FixedClock
from portal_tui.app import OTHER_PAGES, KioskApp
from tests.conftest import FIXED_NOW
from tests.screens.flows import kiosk_settings


async def _welcome(size: tuple[int, int], theme: str, languages: tuple[str, ...], whole: bool) -> str:
    app = KioskApp(kiosk_settings(theme=theme, languages=languages), FixedClock(FIXED_NOW))
    if not whole:
        app.read_the_other_pages_styles = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.stylesheet.has_source(str(OTHER_PAGES), "") is whole
        return app.export_screenshot()


@pytest.mark.parametrize("size", [(100, 30), (70, 24), (48, 16)])
@pytest.mark.parametrize("theme", ["portal", "portal-high-contrast"])
@pytest.mark.parametrize("languages", [(), ("pl", "ro")])
async def test_the_welcome_page_is_painted_in_its_final_look(size: tuple[int, int], theme: str,
                                                             languages: tuple[str, ...]) -> None:
    first = await _welcome(size, theme, languages, whole=False)
    assert first == await _welcome(size, theme, languages, whole=True)


async def test_after_the_first_paint_the_collector_is_back_on_with_the_start_frozen_out_of_it() -> None:
    """The program starts with the cyclic collector off (cli._open); once the first page is painted it is on
    again, and what the start made is frozen out of its full collections (portal_app._collector_on)."""
    import gc

    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        app = KioskApp(kiosk_settings(), FixedClock(FIXED_NOW))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.pause()
            assert gc.isenabled()
            assert gc.get_freeze_count() > frozen
    finally:
        gc.enable()
