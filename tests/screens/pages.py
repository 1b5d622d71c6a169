"""Every kiosk page, reached as a patient reaches it: the walks that the per-page accessibility checks share."""

from __future__ import annotations

from tests.screens.flows import settle

FLOW = ["register-start", "register-errors", "register-verify", "register-account", "register-letters",
        "register-check", "registered", "sign-in", "sign-in-code", "home", "my-details", "confirm", "idle-warning",
        "session-ended"]
APPOINTMENTS = [("list", "sandeep.gill"), ("page", "margaret.thompson"), ("blocked-transport", "harold.finch"),
                ("day", "margaret.thompson"), ("time", "margaret.thompson"), ("check", "margaret.thompson"),
                ("changed", "margaret.thompson"), ("cancel-warning", "margaret.thompson"),
                ("cancel-confirm", "margaret.thompson"), ("cancelled", "margaret.thompson"),
                ("letter", "margaret.thompson")]
RECORDS = [("letters", "rosa.fernandez"), ("results", "chidi.okonkwo"), ("trend", "eileen.doherty")]
PAGES = ([("welcome", "welcome", ""), ("welcome", "welcome-languages", "")] + [("flow", t, "") for t in FLOW] + [("appointments", t, w) for t, w in APPOINTMENTS]
         + [("records", t, w) for t, w in RECORDS] + [("help", "help-centre", ""), ("staff", "staff-pin", "")])


SETTINGS: dict[str, dict[str, object]] = {"welcome-languages": {"languages": ("pl", "ro")}}
"""A page that shows only with some settings: the welcome page's languages, offered once the trust lists them."""


def walk_to(kind: str, target: str, who: str, db):  # type: ignore[no-untyped-def]
    if kind == "flow":
        from tests.screens.test_flow_snapshots import steps_to

        return steps_to(target, db)
    if kind == "appointments":
        from tests.screens.test_appointment_snapshots import steps_to as appointment_steps

        return appointment_steps(target, db, f"{who}@example.com")
    if kind == "records":
        from tests.screens.test_record_snapshots import steps_to as record_steps

        return record_steps(target, db, f"{who}@example.com")

    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        if kind != "welcome":
            await pilot.press("f1" if target == "help-centre" else "f12")
        await settle(pilot)

    return walk
