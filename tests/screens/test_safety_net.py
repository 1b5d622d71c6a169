"""The kiosk's safety net, keys in order, long pastes and small windows — with the Pilot."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen

from portal_tui.portal_app import EXIT_FAULTED, FAULT_BURST, PortalApp
from screens.common.fault import FaultScreen
from screens.kiosk.sign_in import SignInScreen
from screens.common.too_small import TooSmallScreen
from screens.kiosk.welcome import WelcomeScreen
from tests.screens.flows import settle, shown


class Broken(Screen[None]):
    def compose(self) -> ComposeResult:
        raise RuntimeError("a page that cannot be drawn: Margaret Thompson, 943 476 5919")


@pytest.fixture
def forgiving(monkeypatch: pytest.MonkeyPatch) -> None:
    """As at a real kiosk: faults are recovered from, not raised into the test."""
    monkeypatch.setattr(PortalApp, "strict_faults", False)


async def test_a_fault_on_a_page_goes_back_to_the_start_with_a_reference(make_kiosk, tmp_path, forgiving) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "kiosk.log"
    app = make_kiosk(log_file=str(log))
    async with app.run_test() as pilot:
        app.patient_session = object()  # type: ignore[assignment]
        await app.push_screen(Broken())
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, FaultScreen) and app.patient_session is None
        assert [type(s) for s in app.screen_stack] == [WelcomeScreen, FaultScreen]
        reference = app.faults[0].reference
        assert reference in str(app.screen.query_one("#fault-reference").visual)
        await pilot.press("enter")
        assert isinstance(app.screen, WelcomeScreen) and app.is_running
    written = log.read_text()
    assert reference in written and "RuntimeError" in written and "Traceback" in written
    assert log.stat().st_mode & 0o777 == 0o600


async def test_faults_over_and_over_stop_the_program_with_a_failure_status(make_kiosk, forgiving) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test() as pilot:
        for _ in range(FAULT_BURST):
            if not app.is_running:
                break
            await app.push_screen(Broken())
            await pilot.pause()
    assert app.return_code == EXIT_FAULTED and len(app.faults) == FAULT_BURST


def test_the_kiosk_command_exits_non_zero_after_a_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal_tui import cli
    from portal_tui.faults import FaultLog

    class Dies:
        fault_log = FaultLog(None, "test")
        return_code = None

        def run(self) -> None:
            raise RuntimeError("outside Textual")

    with pytest.raises(SystemExit) as stopped:
        cli.run_app(Dies())
    assert stopped.value.code == EXIT_FAULTED


async def test_keys_that_arrive_together_land_in_their_own_fields(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test() as pilot:
        await shown(pilot, WelcomeScreen)  # the kiosk's own first page first, or it lands on top of this one
        await app.push_screen(SignInScreen(app.services))
        await pilot.pause()
        burst = [*"ann@example.com", "tab", *"secret words"]
        for key in burst:  # all queued before any is handled, as one read from a terminal delivers them
            app.post_message(events.Key(key, None if key == "tab" else key))
        await settle(pilot)
        assert app.screen.query_one("#email-input").value == "ann@example.com"
        assert app.screen.query_one("#password-input").value == "secret words"


async def test_a_choice_then_tab_then_enter_in_one_burst_chooses_then_continues(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    from screens.kiosk.account import LetterChoiceScreen
    from screens.kiosk.check_answers import CheckAnswersScreen
    from screens.kiosk.flow import RegistrationDraft

    app = make_kiosk()
    async with app.run_test() as pilot:
        draft = RegistrationDraft(ticket="t", masked_mobile="07*** ***017", email="a@example.org", password="x" * 9)
        await app.push_screen(LetterChoiceScreen(app.services, draft))
        await pilot.pause()
        for key in ("enter", "tab", "enter"):  # the radio set's Enter must not become Continue's
            app.post_message(events.Key(key, None))
        await settle(pilot)
        assert isinstance(app.screen, CheckAnswersScreen)
        assert draft.preference is not None and draft.preference.value == "paperless"


async def test_a_hang_up_stops_the_program_and_says_so_in_the_log(make_kiosk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from portal_tui.portal_app import EXIT_HUNG_UP

    log = tmp_path / "kiosk.log"
    app = make_kiosk(log_file=str(log))
    async with app.run_test() as pilot:
        app.hang_up()
        await pilot.pause()
    assert app.return_code == EXIT_HUNG_UP
    assert "the terminal hung up" in log.read_text()


async def test_nothing_moves_or_blinks(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """Calm at a kiosk, and over SSH only what changed is sent: no animation, no blinking cursor."""
    from textual.widgets import Input

    from screens.kiosk.staff_pin import StaffPinScreen

    app = make_kiosk()
    async with app.run_test() as pilot:
        assert app.animation_level == "none"
        for page in (SignInScreen(app.services), StaffPinScreen(app.check_staff_pin)):
            await app.push_screen(page)
            await pilot.pause()
            boxes = list(app.screen.query(Input))
            assert boxes and not [box.id for box in boxes if box.cursor_blink]
            app.pop_screen()
            await pilot.pause()


async def test_a_long_paste_is_cut_to_the_box_and_says_so(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test() as pilot:
        await shown(pilot, WelcomeScreen)  # the kiosk's own first page first, or it lands on top of this one
        await app.push_screen(SignInScreen(app.services))
        await pilot.pause()
        box = app.screen.query_one("#email-input")
        box.focus()
        await pilot.pause()
        box.post_message(events.Paste("a\x1b[31m" + "b" * 400 + "\nsecond line"))
        await pilot.pause()
        await pilot.pause()
        assert box.value == "a[31m" + "b" * 249 and len(box.value) == 254
        assert "Only the first 254 characters fit" in str(app.screen.query_one("#email .field-error").visual)


async def test_below_the_smallest_size_it_asks_for_a_bigger_window(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    app = make_kiosk()
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "Make the window bigger" in str(app.screen.query_one("#too-small").visual)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)


async def test_a_use_case_broken_on_purpose_gives_a_reference_and_the_kiosk_goes_on(kiosk_on, demo_db,  # type: ignore[no-untyped-def]
                                                                                   forgiving) -> None:
    from tests.screens.test_appointments import press, sign_in_as

    app = kiosk_on()
    async with app.run_test(size=(100, 34)) as pilot:
        await sign_in_as(pilot, demo_db, "margaret.thompson@example.com")

        def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("the letters table has gone")

        app.services.letter_list = broken  # type: ignore[method-assign]
        await press(pilot, "#letters")
        for _ in range(20):
            if app.faults:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        # At a kiosk an unexpected failure on a patient's page forgets the patient: the page says so, with
        # the reference the log has the whole story under; the kiosk goes on.
        assert app.faults and isinstance(app.screen, FaultScreen) and app.patient_session is None
        assert app.faults[-1].reference in str(app.screen.query_one("#fault-reference").visual)
        assert "RuntimeError" in repr(app.faults[-1].error)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen) and app.is_running
