"""The Appointments team's desk: staff sign in, find a patient, and open their record — every look audited.

An ordinary terminal program (Ctrl+Q quits after a confirmation), with the kiosk's safety net."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding

from portal_tui.faults import Fault
from portal_tui.portal_app import PortalApp
from portal_tui.settings import Settings

if TYPE_CHECKING:
    from domain.ports import Clock
    from domain.session import StaffSession
    from portal_tui.desk_services import DeskServices
    from screens.desk_sign_in import StaffSignedIn


class DeskApp(PortalApp):
    """One member of staff at a time; signing out (or a fault) drops every patient's page."""

    CSS_PATH = "portal.tcss"
    TITLE = "Patient Portal — Appointments team"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", key_display="Ctrl+Q", priority=True),
                Binding("f2", "toggle_contrast", "High contrast", key_display="F2")]

    def __init__(self, settings: Settings, clock: Clock) -> None:
        super().__init__(settings.log_file, "desk")
        self.settings = settings
        """Checked settings."""
        self.clock = clock
        """Wall time for the rules."""
        self.staff_session: StaffSession | None = None
        """Who is signed in, if anyone."""
        self._services: DeskServices | None = None
        self.theme = settings.theme

    @property
    def services(self) -> DeskServices:
        if self._services is None:
            from portal_tui.desk_services import DeskServices

            self._services = DeskServices(self.settings, self.clock)
        return self._services

    def get_default_screen(self):  # type: ignore[no-untyped-def]
        from screens.desk_sign_in import StaffSignInScreen

        return StaffSignInScreen(self.services)  # type: ignore[arg-type]

    def on_staff_signed_in(self, event: StaffSignedIn) -> None:
        from screens.find_patient import FindPatientScreen

        self.staff_session = event.session
        self.push_screen(FindPatientScreen(self.services, event.session))  # type: ignore[arg-type]

    def recover(self, fault: Fault) -> None:
        """After a fault: every patient's page goes; the member of staff stays signed in on Find a patient."""
        from screens.find_patient import FindPatientScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, FindPatientScreen):
            self.pop_screen()
        self.notify(f"Something went wrong (reference {fault.reference}). The patient's record was closed; "
                    "nothing already saved is lost.", title="Sorry", severity="error", timeout=30)

    def on_worker_state_changed(self, event) -> None:  # type: ignore[no-untyped-def]
        from textual.worker import WorkerState

        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_worker_error(event.worker.error)

    @work(exclusive=True, group="quit")
    async def action_quit(self) -> None:
        from screens.confirm import ConfirmScreen

        if await self.push_screen_wait(ConfirmScreen("Quit the desk?", "Any patient's record open here will be "
                                                     "closed.", "Quit", "No, stay")):
            self.exit()

    def action_toggle_contrast(self) -> None:
        self.theme = "portal" if self.theme == "portal-high-contrast" else "portal-high-contrast"
