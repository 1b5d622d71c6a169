"""The Appointments team's desk: staff sign in, find a patient, and open their record — every look audited.

An ordinary terminal program (Ctrl+Q quits after a confirmation), with the kiosk's safety net."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, work
from textual.binding import Binding

from portal_tui.faults import Fault
from portal_tui.portal_app import PortalApp
from portal_tui.settings import Settings

if TYPE_CHECKING:
    from domain.ports import Clock
    from domain.identity.session import StaffSession
    from portal_tui.desk_services import DeskServices
    from screens.desk.cover import SignOutStaff
    from screens.desk.sign_in import StaffSignedIn

_ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


STAFF_CHECK_SECONDS = 5.0
"""How often a signed-in desk asks whether its member of staff may still act."""


class DeskApp(PortalApp):
    """One member of staff at a time; signing out (or a fault) drops every patient's page."""

    CSS_PATH = ["first_page.tcss", "portal.tcss"]
    TITLE = "Patient Portal — Appointments team"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", key_display="Ctrl+Q", priority=True),
                Binding("ctrl+l", "cover", "Lock", key_display="Ctrl+L", priority=True),
                Binding("f1", "help", "Help", key_display="F1"),
                Binding("f2", "toggle_contrast", "High contrast", key_display="F2")]
    place = "desk"

    def __init__(self, settings: Settings, clock: Clock) -> None:
        super().__init__(settings.log_file, "desk")
        self.settings = settings
        """Checked settings."""
        self.clock = clock
        """Wall time for the rules."""
        self.staff_session: StaffSession | None = None
        """Who is signed in, if anyone."""
        self._services: DeskServices | None = None
        self.last_activity = clock.monotonic()
        """When someone last pressed, clicked or scrolled."""
        self.session_started = clock.monotonic()
        """When the member of staff signed in."""
        self.service_lost = ""
        """Why the desk service's connection went, until the desk signs out for it."""
        self.start_in_theme(settings.theme)

    def on_mount(self) -> None:
        # PortalApp's own on_mount runs as well: Textual calls each class's handler in turn.
        self.set_interval(1.0, self.check_desk_idle)
        self.set_interval(STAFF_CHECK_SECONDS, self.check_staff_account)

    def check_staff_account(self) -> None:
        """Whether the member of staff signed in may still act: an administrator's disabling (or resetting, or a
        new role) signs them out within seconds, wherever their desk runs."""
        if self.staff_session is not None and not self.service_lost:
            self._checking(self.staff_session)

    @work(thread=True, exclusive=True, group="staff-check", exit_on_error=False)
    def _checking(self, session: StaffSession) -> None:
        try:
            problem = self.services.session_check(session)
        except Exception as error:  # noqa: BLE001 - the service gone, or the session ended there: said by its own path
            if type(error).__name__ not in ("SessionEnded", "ServiceUnavailable"):
                self.fault_log.record(error, "checking the staff account")
            return
        if problem:
            self.call_from_thread(self._ended, session, problem)

    def _ended(self, session: StaffSession, problem: str) -> None:
        if self.staff_session is not session:
            return
        words = {"account disabled": "Your account has been disabled by an administrator.",
                 "account reset": "Your account has been reset by an administrator.",
                 "role changed": "Your role has been changed by an administrator.",
                 "account removed": "Your account has been removed."}.get(problem, "Your account has changed.")
        self.sign_out(f"{words} You have been signed out.", why=problem)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY):
            self.last_activity = self.clock.monotonic()
        await super().on_event(event)

    def check_desk_idle(self) -> None:
        """Cover the desk when left idle; end the session when it has lasted too long."""
        if self.staff_session is None:
            return
        if self.service_lost:
            self.sign_out(self.service_lost, why="the desk service's connection went")
            return
        now = self.clock.monotonic()
        if now - self.session_started >= self.settings.desk_session_hours * 3600:
            self.sign_out(why=f"over {self.settings.desk_session_hours} hours", message=
                          f"You have been signed in for {self.settings.desk_session_hours} hours, the longest a "
                          "desk session lasts. Please sign in again.")
        elif now - self.last_activity >= self.settings.desk_idle_minutes * 60:
            self.action_cover()

    def action_cover(self) -> None:
        """Cover the desk now (a member of staff stepping away), as an idle desk is covered."""
        from screens.desk.cover import DeskCoverScreen

        if self.staff_session is None or any(isinstance(s, DeskCoverScreen) for s in self.screen_stack):
            return
        self.push_screen(DeskCoverScreen(self.services, self.staff_session))  # type: ignore[arg-type]
        self._covered(self.staff_session)

    @work(thread=True, exit_on_error=False)
    def _covered(self, session: StaffSession) -> None:
        """The cover audited (and, through the desk service, kept there too): a failure is the log's, the desk
        stays covered whatever."""
        try:
            self.services.cover(session)
        except Exception as error:  # noqa: BLE001 - the cover on screen is what protects the desk now
            self.fault_log.record(error, "recording the desk's cover")

    def sign_out(self, message: str = "You have signed out.", why: str = "signed out") -> None:
        """Every screen of the session goes, patients' first; the desk is back at Staff sign in."""
        if self.staff_session is not None and self._services is not None:
            try:
                self._services.sign_out(self.staff_session, why)
            except Exception as error:  # noqa: BLE001 - signing out goes on: the record of it is the log's
                self.fault_log.record(error, "recording a sign-out")
        self.staff_session = None
        self.service_lost = ""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.clear_notifications()
        self.notify(message, title="Signed out", timeout=15)

    def hang_up(self) -> None:
        """The terminal went (an SSH link dropped): the member of staff signed in here is signed out, audited."""
        if self.staff_session is not None and self._services is not None:
            try:
                self._services.sign_out(self.staff_session, "the terminal hung up")
            except Exception as error:  # noqa: BLE001 - stopping matters more than the record of it
                self.fault_log.record(error, "recording a hang-up")
            self.staff_session = None
        super().hang_up()

    def on_sign_out_staff(self, event: SignOutStaff) -> None:
        self.sign_out()

    @property
    def services(self) -> DeskServices:
        if self._services is None and self.settings.desk_service:
            from portal_tui.desk_remote import RemoteDeskServices

            self._services = RemoteDeskServices(self.settings.desk_service, self.settings.terminal,  # type: ignore[assignment]
                                                self._service_lost, on_covered=self._service_covered)
        elif self._services is None:
            from portal_tui.desk_services import DeskServices

            self._services = DeskServices(self.settings, self.clock)
        return self._services  # type: ignore[return-value]

    def _service_lost(self, message: str) -> None:
        """The desk service's connection went while someone was signed in (a worker's thread says so): the page
        that asked shows why first, then the next second's check signs the member of staff out."""
        self.service_lost = message

    def _service_covered(self) -> None:
        """The desk service covered this desk for being idle (it saw no call): the next check covers it here."""
        self.last_activity = -float("inf")

    def get_default_screen(self):  # type: ignore[no-untyped-def]
        from screens.desk.sign_in import StaffSignInScreen

        return StaffSignInScreen(self.services)  # type: ignore[arg-type]

    def on_staff_signed_in(self, event: StaffSignedIn) -> None:
        """The Appointments team starts at Find a patient; a system administrator, who does not act for
        patients, at the tools."""
        self.staff_session = event.session
        self.session_started = self.last_activity = self.clock.monotonic()
        if event.session.role.acts_for_patients:
            from screens.desk.find_patient import FindPatientScreen

            self.push_screen(FindPatientScreen(self.services, event.session))  # type: ignore[arg-type]
        else:
            from screens.desk.tools import ToolsScreen

            self.push_screen(ToolsScreen(self.services.supervision, event.session, home=True))

    def recover(self, fault: Fault) -> None:
        """After a fault: every patient's page goes; the member of staff stays signed in on their home page."""
        from screens.desk.find_patient import FindPatientScreen
        from screens.desk.tools import ToolsScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, FindPatientScreen | ToolsScreen):
            self.pop_screen()
        self.notify(f"Something went wrong (reference {fault.reference}). The patient's record was closed; "
                    "nothing already saved is lost.", title="Sorry", severity="error", timeout=30)

    def on_worker_state_changed(self, event) -> None:  # type: ignore[no-untyped-def]
        from textual.worker import WorkerState

        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_worker_error(event.worker.error)

    @work(exclusive=True, group="quit")
    async def action_quit(self) -> None:
        from screens.common.confirm import ConfirmScreen

        if await self.push_screen_wait(ConfirmScreen("Quit the desk?", "Any patient's record open here will be "
                                                     "closed.", "Quit", "No, stay")):
            self.exit()

    def action_toggle_contrast(self) -> None:
        self.theme = "portal" if self.theme == "portal-high-contrast" else "portal-high-contrast"
