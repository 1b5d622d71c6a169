"""Issue 36, finding 9: the kiosk's memory stays flat across visits. Its footer is drawn again each time the
screen's keys change; Textual kept every key it had ever drawn (bound to the footer's `compact`), about 9 keys and
250 KiB a visit on the welcome page. bench/kiosk_visits.py measures the whole visit; this keeps the cause shut."""

from __future__ import annotations

import gc

from textual.widgets._footer import FooterKey

from screens.common.text import Footer
from screens.kiosk.welcome import WelcomeScreen
from tests.screens.flows import settle, shown


async def test_the_footer_keeps_only_the_keys_it_shows(kiosk_on) -> None:  # type: ignore[no-untyped-def]
    app = kiosk_on()
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, WelcomeScreen)
        for _ in range(30):  # the focus moving about the page: the footer drawn again each time
            await pilot.press("tab")
            await settle(pilot)
        footer = app.screen.query_one(Footer)
        shown_keys = len(footer.query(FooterKey))
        bound = getattr(footer, "__watchers", {}).get("compact", [])
        assert len(bound) <= shown_keys, (len(bound), shown_keys)
        gc.collect()
        alive = sum(isinstance(o, FooterKey) for o in gc.get_objects())
        assert alive <= 2 * shown_keys + 4, (alive, shown_keys)
