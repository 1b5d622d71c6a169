"""A kiosk app for Pilot and snapshot tests: fixed clock, fixed settings, no cursor blink."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from domain.clock import FixedClock
from portal_tui.app import KioskApp
from tests.conftest import FIXED_NOW

from tests.screens.flows import TEST_PIN, demo_db, demo_template, kiosk_on, kiosk_settings  # noqa: F401


@pytest.fixture
def make_kiosk():  # type: ignore[no-untyped-def]
    def build(**overrides: object) -> KioskApp:
        return KioskApp(kiosk_settings(**overrides), FixedClock(FIXED_NOW))

    return build


def still_inputs(app: KioskApp) -> None:
    """Snapshots must not depend on where a blinking cursor happened to be."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


@pytest.fixture(autouse=True)
def strict_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault in a Pilot test fails that test (the app would otherwise recover from it, as it must at a kiosk)."""
    from portal_tui.portal_app import PortalApp

    monkeypatch.setattr(PortalApp, "strict_faults", True)


@pytest.fixture
def snap_sizes(snapshot, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare one walk's page at several sizes with the accepted snapshots: the app walks there once at the first
    size, then is resized to each of the others (the walk was most of a snapshot's cost; the kiosk lays a page out
    again on a resize, and where a page scrolls it is put back as a page opened at that size would be: at its top,
    then at the control with the focus). The first size's snapshot is named as `snap_compare` names it; each
    further one adds its size, `[48x16]`. A mismatch leaves the picture taken in .artefacts/snapshots/."""
    from pytest_textual_snapshot import SVGImageExtension

    svg_snapshot = snapshot.use_extension(SVGImageExtension)

    def compare(app: KioskApp, sizes: list[tuple[int, int]], run_before) -> bool:  # type: ignore[no-untyped-def]
        async def auto_pilot(pilot) -> None:  # type: ignore[no-untyped-def]
            await run_before(pilot)
            shots = []
            for size in sizes:
                if size != pilot.app.size:
                    await pilot.resize_terminal(*size)
                    await pilot.pause()
                    # As a page opened at this size: scrolled to its top, then to the control with the focus.
                    for scrolled in pilot.app.screen.query("*"):
                        if scrolled.is_scrollable and scrolled.scroll_offset:
                            scrolled.scroll_home(animate=False, immediate=True)
                    if pilot.app.screen.focused is not None:
                        pilot.app.screen.focused.scroll_visible(animate=False, immediate=True)
                await pilot.pause()
                await pilot.wait_for_scheduled_animations()
                await pilot.pause()
                still_inputs(pilot.app)
                await pilot.pause()
                shots.append(pilot.app.export_screenshot(title=pilot.app.title, simplify=True))
            pilot.app.exit(shots)

        shots = app.run(headless=True, auto_pilot=auto_pilot, size=sizes[0])
        assert shots is not None, "the app ended before its pictures were taken"
        mismatched = []
        for index, (size, svg) in enumerate(zip(sizes, shots)):
            name = f"{size[0]}x{size[1]}"
            if not (svg_snapshot == svg if index == 0 else svg_snapshot(name=name) == svg):
                mismatched.append(name)
                artefacts = Path(__file__).parents[2] / ".artefacts" / "snapshots"
                artefacts.mkdir(parents=True, exist_ok=True)
                (artefacts / f"{request.node.name}-{name}.svg").write_text(svg)
        assert not mismatched, f"{request.node.name}: not as accepted at {', '.join(mismatched)} (the pictures " \
                               f"taken are in .artefacts/snapshots/)"
        return True

    return compare
