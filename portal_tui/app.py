"""The Textual App for the kiosk: locked down, forgets its patient when left idle, left only by staff PIN."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.binding import Binding

from domain import language as languages
from domain.identity.kiosk import IdlePolicy, IdleState, StaffPinGate
from domain.language import N_
from portal_tui.faults import Fault
from portal_tui.portal_app import ORDERED_KEYS, PortalApp
from portal_tui.settings import PARTNER_TRUST_NAME, Settings
from screens.common.text import PlainButton
from screens.kiosk.welcome import WelcomeScreen

if TYPE_CHECKING:
    from domain.messaging.model import SmsMessage
    from domain.ports import Speaker
    from screens.common.speech import Narrator
    from domain.ports import Clock
    from domain.identity.session import PatientSession
    from portal_tui.services import PortalServices
    from screens.kiosk.flow import FlowDone
    from screens.kiosk.home import SignOut
    from screens.kiosk.verify_code import SignedIn

OTHER_PAGES = Path(__file__).with_name("portal.tcss")
"""Every page's styles but the first's (first_page.tcss)."""

SESSION_LIMIT = 15 * 60
"""A signed-in session ends after 15 minutes in all, however busy."""

# What counts as a person at the kiosk: anything they press, click, scroll or paste.
_ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


class KioskApp(PortalApp, inherit_bindings=False):
    """The reception kiosk. No key leaves it but the staff key followed by the staff PIN."""

    CSS_PATH = "first_page.tcss"
    """The frame and the welcome page: the rest of the stylesheet (portal.tcss) is read once it is painted."""
    TITLE = "Patient Portal"
    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    BINDINGS = [
        *ORDERED_KEYS,
        Binding("f1", "help", N_("Help"), key_display="F1"),
        Binding("f2", "toggle_contrast", N_("High contrast"), key_display="F2"),
        Binding("f3", "speech('repeat')", N_("Repeat"), key_display="F3"),
        Binding("f4", "reveal_nhs_number", N_("NHS number"), key_display="F4", show=False),
        Binding("f5", "speech('stop')", N_("Stop speech"), key_display="F5"),
        Binding("f7", "speech('quieter')", N_("Quieter"), key_display="F7", show=False),
        Binding("f8", "speech('louder')", N_("Louder"), key_display="F8", show=False),
        Binding("f12", "staff_exit", "Staff", show=False, priority=True),
    ]

    min_size = (48, 16)
    """A kiosk with a large terminal font: every page still works, scrolling where it must."""

    def __init__(self, settings: Settings, clock: Clock, speaker: Speaker | None = None) -> None:
        super().__init__(settings.log_file, "kiosk")
        self.settings = settings
        """Checked settings; the PIN was required before the app was built."""
        self.clock = clock
        """Monotonic time for the idle timer, wall time for the rules."""
        self.idle_policy = IdlePolicy.for_timeout(settings.kiosk_idle_seconds)
        """When an unattended kiosk goes back to welcome."""
        settings.require_kiosk_pin()
        self.pin_gate = StaffPinGate(lambda typed: self.services.pin_matches(typed))
        """The way out when the database cannot be reached (the lock-out is otherwise kept in the database)."""
        self.last_activity = clock.monotonic()
        """When someone last pressed, clicked or scrolled."""
        self.patient_session: PatientSession | None = None
        """Who is signed in, if anyone. Screens get it from here, never from a field."""
        self.session_started = 0.0
        """Monotonic time the session began, for the 15-minute limit."""
        self._services: PortalServices | None = None
        self.start_in_theme(settings.theme)
        self.narrator: Narrator | None = None
        """What the kiosk says aloud, when speech is on (a test may hand in its own speaker)."""
        if settings.speech or speaker is not None:
            from portal_tui.speech import speaker_for, voice_for
            from screens.common import speech

            self.narrator = speech.Narrator(speaker or speaker_for(settings, self.fault_log.note), voice_for(settings),
                                     schedule=self.call_after_refresh)
        self._page_pending = False
        languages.use(settings.default_language)
        self.language_chosen = False
        """The patient chose a language at the welcome page this session: kept on their record once signed in."""

    @property
    def help_session(self):  # type: ignore[no-untyped-def]
        return self.patient_session

    def read_the_other_pages_styles(self) -> None:
        """The rest of the stylesheet, after the welcome page is painted: a sixteenth of the kiosk's start-up was
        reading rules for pages not yet shown. It follows first_page.tcss, so every rule keeps its place in the
        cascade; Textual parses only the new file."""
        if not self.stylesheet.has_source(str(OTHER_PAGES), ""):
            self.stylesheet.read(OTHER_PAGES)
            self.stylesheet.update(self)

    def get_default_screen(self) -> WelcomeScreen:
        return WelcomeScreen(self.settings.trust_name, PARTNER_TRUST_NAME, self.offered_languages)

    def on_mount(self) -> None:
        # PortalApp's own on_mount runs as well: Textual calls each class's handler in turn.
        self.call_after_refresh(self.read_the_other_pages_styles)
        self.set_interval(1.0, self.check_inactivity)
        if self.narrator is not None:
            self.screen_change_signal.subscribe(self, self._page_changed)
            self._page_changed(self.screen)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY):
            self.last_activity = self.clock.monotonic()
        await super().on_event(event)
        if self.narrator is not None and isinstance(event, events.Key):
            self.call_after_refresh(self._said_after_key)

    # --- language -----------------------------------------------------------------------------------------

    @property
    def offered_languages(self) -> tuple[str, ...]:
        """English and the languages the trust's settings list as reviewed; none to choose from without them."""
        return (languages.ENGLISH, *self.settings.languages) if self.settings.languages else ()

    @on(PlainButton.Pressed, ".language-button")
    def language_pressed(self, event: PlainButton.Pressed) -> None:
        """A language button, on the welcome page or in My Details (screens.common.widgets.language_buttons)."""
        event.stop()
        self.choose_language((event.button.id or "").removeprefix("language-"))

    def choose_language(self, code: str) -> None:
        """The patient's choice (at the welcome page, or in My Details once signed in): every page from now on in
        it, spoken in it, and kept on their record — at once when signed in, else as they sign in."""
        if code not in self.offered_languages or code == languages.current():
            return
        self.language_chosen = True
        self._use_language(code)
        if self.patient_session is not None:
            self._keep_language(self.patient_session, code, rebuild=True)

    def _use_language(self, code: str) -> None:
        """The screen's language from now on. The welcome page is drawn again in it; the pages of a session
        (only My Details offers the choice then) are built again once the choice is kept."""
        languages.use(code)
        if self.narrator is not None:  # the trust's own English voice, else the language's
            self.narrator.speak_in(self.settings.speech_language if code == languages.ENGLISH
                                   else languages.language(code).speech_voice)
        welcome = self.screen_stack[0] if self.screen_stack else None
        if isinstance(welcome, WelcomeScreen):
            welcome.call_later(welcome.redraw)
        if self.narrator is not None:
            self._page_changed(self.screen)

    @work(thread=True, exit_on_error=False, group="language")
    def _keep_language(self, session: PatientSession, code: str, *, rebuild: bool = False) -> None:
        """On the patient's record; chosen in My Details (`rebuild`), its pages are built again in it."""
        self.services.change_language(session, code)
        if rebuild:
            self.call_from_thread(self._in_new_language, session, self.services.my_details(session))

    def _in_new_language(self, session: PatientSession, details) -> None:  # type: ignore[no-untyped-def]
        """Kept on the record: Home and My Details again, in the new language (nothing else was open)."""
        from screens.common.my_details import MyDetailsScreen
        from screens.kiosk.home import HomeScreen

        if self.patient_session is not session or not isinstance(self.screen, MyDetailsScreen):
            return  # the session ended meanwhile, or the patient moved on: the next page is in the language
        while len(self.screen_stack) > 1:
            self.pop_screen()
        home = HomeScreen(self.services, session, details)
        self.push_screen(home)
        self.push_screen(MyDetailsScreen(home.ctx))
        self.notify(languages._("The portal is now in {language}, and so are your texts.").format(
            language=languages.language(languages.current()).own_name), title=languages._("Saved"))

    # --- speech -------------------------------------------------------------------------------------------

    def _page_changed(self, screen: object) -> None:
        """A new page (or one uncovered): said once it is drawn, with the focus it has then."""
        if not self._page_pending:
            self._page_pending = True
            self.call_after_refresh(self._say_page)

    def _say_page(self) -> None:
        self._page_pending = False
        if self.narrator is None or not self.screen_stack:
            return
        from screens.common.speech import SPEECH_KEYS_HINT

        self.narrator.page(self.screen, languages._(SPEECH_KEYS_HINT) if len(self.screen_stack) == 1 else "")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.narrator is not None and not self._page_pending and event.widget is self.focused:
            self.narrator.focus(event.widget)

    def _said_after_key(self) -> None:
        if self.narrator is not None and not self._page_pending and self.screen_stack:
            self.narrator.changed(self.focused)

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = True, spoken: bool = True) -> None:
        """A notification says what an action did: said as well as shown, unless `spoken` is False."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        if self.narrator is not None and spoken:
            self.narrator.outcome(title, message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "speech":
            return self.narrator is not None  # the voice's keys, in the footer too, only when there is a voice
        return super().check_action(action, parameters)

    def action_speech(self, what: str) -> None:
        """F3 repeat, F5 stop, F7 quieter, F8 louder."""
        if self.narrator is not None and what in ("repeat", "stop", "quieter", "louder"):
            getattr(self.narrator, what)()

    @property
    def services(self) -> PortalServices:
        """The use cases, built on first use: the database side loads when a patient starts, not before."""
        if self._services is None:
            from portal_tui.services import PortalServices

            on_sms = self._demo_phone if self.settings.demo else None
            self._services = PortalServices(self.settings, self.clock, on_sms)
        return self._services

    def check_inactivity(self) -> None:
        """Warn, then go back to welcome with nothing of the last patient left, once idle (or in) too long."""
        from screens.common.session_end import IdleWarningScreen

        now = self.clock.monotonic()
        if self.patient_session is not None and now - self.session_started >= SESSION_LIMIT:
            self.end_session(N_("You have been signed in for 15 minutes, the longest a kiosk session can last."))
            return
        if len(self.screen_stack) <= 1:  # at the welcome page, or (the timer's last tick as the kiosk ends) none
            return
        state = self.idle_policy.state(now - self.last_activity)
        warning = isinstance(self.screen, IdleWarningScreen)
        if state is IdleState.EXPIRED:
            self.end_session(N_("You did not use the screen for a while."))
        elif state is IdleState.WARNING and not warning:
            left = lambda: int(self.idle_policy.timeout - (self.clock.monotonic() - self.last_activity))  # noqa: E731
            self.push_screen(IdleWarningScreen(left))
        elif state is IdleState.ACTIVE and warning:
            self.pop_screen()

    def end_session(self, reason: str | None = None) -> None:
        """Forget the patient: drop every screen above welcome with all it held, then say so."""
        from screens.common.session_end import SessionEndedScreen

        if self.patient_session is not None:
            self._audit_session_end(self.patient_session, reason or "session ended")
        self.patient_session = None
        if self.narrator is not None:
            self.narrator.reset()  # silence, and the trust's volume and rate for whoever comes next
        self.language_chosen = False
        back_to_default = languages.current() != self.settings.default_language
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.clear_notifications()
        self.last_activity = self.clock.monotonic()
        if back_to_default:  # whoever comes next reads the trust's own language
            self._use_language(self.settings.default_language)
        if reason:
            self.push_screen(SessionEndedScreen(reason))

    @on(WelcomeScreen.Chosen)
    def open_route(self, event: WelcomeScreen.Chosen) -> None:
        from screens.kiosk.register import RegisterWithCodeScreen, RegisterWithDetailsScreen
        from screens.kiosk.sign_in import SignInScreen

        pages = {"sign-in": SignInScreen, "register-code": RegisterWithCodeScreen,
                 "register-details": RegisterWithDetailsScreen}
        self.push_screen(pages[event.route](self.services))

    @work(thread=True, exit_on_error=False, group="audit")
    def _audit_session_end(self, session: PatientSession, reason: str) -> None:
        self.services.session_ended(session, reason)

    def on_flow_done(self, event: FlowDone) -> None:
        """A registration or sign-in flow is over: its pages go, with the answers typed into them."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.clear_notifications()
        if event.then is not None:
            self.push_screen(event.then)

    def on_signed_in(self, event: SignedIn) -> None:
        from screens.kiosk.home import HomeScreen

        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.clear_notifications()
        self.patient_session = event.session
        self.session_started = self.clock.monotonic()
        kept = event.details.language or languages.ENGLISH
        if self.language_chosen:
            if kept != languages.current():
                self._keep_language(event.session, languages.current())
        elif kept in self.offered_languages and kept != languages.current():
            self._use_language(kept)  # their language from their last visit
        self.push_screen(HomeScreen(self.services, event.session, event.details))

    def on_sign_out(self, event: SignOut) -> None:
        self.end_session(N_("You have signed out."))

    def action_reveal_nhs_number(self) -> None:
        from screens.common.widgets import PatientBanner

        for banner in self.screen.query(PatientBanner):
            banner.revealed = not banner.revealed
            shown = getattr(self.screen, "nhs_number_shown", None)
            if callable(shown):  # a letter on screen masks the number in its text the same way
                shown(banner.revealed)

    def _demo_phone(self, sms: SmsMessage) -> None:
        """Demo mode only: show each text as it would arrive, so a newcomer can finish registering."""
        from domain.identifiers import UkMobile

        to = UkMobile(sms.to_number).national
        # Never said aloud: a text may hold a code.
        self.call_from_thread(self.notify, f"To {to}: {sms.body}", title="Demo phone", timeout=60, spoken=False)

    def on_worker_state_changed(self, event) -> None:  # type: ignore[no-untyped-def]
        """The one place an unexpected failure in a worker becomes words on screen, never a traceback."""
        from textual.worker import WorkerState

        if event.state is WorkerState.ERROR and event.worker.error is not None:
            from screens.kiosk.flow import FormPage
            from screens.common.patient_page import PatientPage

            self.report_worker_error(event.worker.error)
            if isinstance(self.screen, (FormPage, PatientPage)):
                self.screen.busy(False)

    def recover(self, fault: Fault) -> None:
        """After a fault: forget the patient, back to the start, and a page that says so with its reference."""
        from screens.common.fault import FaultScreen

        self.end_session(None)
        self.push_screen(FaultScreen(fault.reference, N_("For your privacy, the kiosk has gone back to the start."),
                                     N_("If it happens again, please ask at the reception desk and quote the "
                                        "reference.")))

    def action_toggle_contrast(self) -> None:
        from portal_tui.themes import ANSI_THEME

        if self.theme == ANSI_THEME.name:  # 16 colours: the terminal's own colours already
            self.notify("This screen shows only 16 colours, so the portal already uses the screen's own text "
                        "colours, the clearest it has.", title="High contrast")
            return
        self.theme = "portal" if self.theme == "portal-high-contrast" else "portal-high-contrast"

    @work(exclusive=True, group="staff-exit")
    async def action_staff_exit(self) -> None:
        # Imported here: nothing the welcome screen does not need is loaded before it is painted.
        from screens.kiosk.staff_pin import StaffPinScreen

        if isinstance(self.screen, StaffPinScreen):
            return
        if await self.push_screen_wait(StaffPinScreen(self.check_staff_pin)):
            self.exit()

    def check_staff_pin(self, typed: str) -> tuple[bool, str]:
        """The PIN against the lock-out every terminal keeps in the database; without a database, in memory."""
        try:
            return self.services.staff_pin(typed)
        except Exception as error:  # the database is down: staff must still be able to leave
            self.fault_log.record(error, "staff PIN (checked without the database)")
            return self.pin_gate.check(typed, self.clock.monotonic())

    # Lock-down: the ways a Textual app is normally left, suspended or copied from do nothing here.
    async def action_quit(self) -> None:
        self.action_staff_exit()

    def action_help_quit(self) -> None:
        """Ctrl+C at a kiosk does nothing (Textual would suggest how to quit)."""

    def action_suspend_process(self) -> None:
        """No suspending to a shell."""

    def action_command_palette(self) -> None:
        """No command palette: it offers quitting, themes and screenshots."""

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """No screenshots: they would write what is on screen to disk."""

    def copy_to_clipboard(self, text: str) -> None:
        """No clipboard: the next person at the kiosk could paste it."""
