from tests.screens.test_speech import speaking_kiosk
from tests.screens.flows import settle
from tests.screens.test_appointment_snapshots import steps_to

async def test_try(demo_db):
    app, spoken = speaking_kiosk(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await steps_to("page", demo_db, "stanley.hughes@example.com")(pilot)
        await settle(pilot)
        print("FOCUSED", app.focused, app._page_pending)
        await pilot.press("tab"); await settle(pilot)
        print("FOCUSED", app.focused)
        await pilot.press("tab"); await settle(pilot)
        print("FOCUSED", app.focused)
    for s, q in zip(spoken.said, spoken.queued): print(q, s[:150])
