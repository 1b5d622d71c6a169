"""Find a patient: one search box, at most 50 matches showing enough to pick the right person, and a reason
asked for before a record opens."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, OptionList, RadioButton, RadioSet

from domain.staff.desk import HOW_TO_SEARCH, OpenReason, PatientMatch
from domain.errors import DomainError
from domain.formatting import nhs_date
from domain.identity.session import StaffSession
from screens.desk.services import DeskServices
from screens.common.text import Plain, PlainButton, option
from screens.common.widgets import ErrorSummary, Field


class StaffBanner(Horizontal):
    """Who is signed in at this desk, on every desk page."""

    DEFAULT_CSS = """
    StaffBanner { dock: top; height: 3; padding: 1 2 0 2; background: $secondary; color: $text; }
    StaffBanner Plain { width: 1fr; text-style: bold; }
    """

    def __init__(self, session: StaffSession, acting_for: str = "") -> None:
        super().__init__()
        self.words = acting_for or f"Signed in as {session.username} ({session.role.value.replace('_', ' ')})"
        """What the banner says: who is signed in, or for whom they are acting."""

    def compose(self) -> ComposeResult:
        yield Plain(self.words, id="staff-banner")


def _match_option(match: PatientMatch) -> object:
    details = [f"born {nhs_date(match.date_of_birth)}", match.postcode,
               f"NHS {match.nhs_number}" if match.nhs_number else f"hospital number {match.hospital_number}",
               f"mobile {match.masked_mobile}" if match.masked_mobile else "no mobile"]
    return option((match.full_name, "bold"), "\n" + " · ".join(details), id=f"patient-{match.patient_id}")


class FindPatientScreen(Screen[None]):
    """The desk's home: search, pick, say why, open."""

    BINDINGS = [Binding("escape", "clear", "Clear", key_display="Esc")]
    AUTO_FOCUS = "#query-input"

    def __init__(self, services: DeskServices, session: StaffSession) -> None:
        super().__init__()
        self.services = services
        """The desk's use cases."""
        self.session = session
        """Who is signed in."""
        self.matches: list[PatientMatch] = []
        """The last search's matches."""

    def compose(self) -> ComposeResult:
        yield StaffBanner(self.session)
        with Vertical(classes="page"):
            yield Plain("Find a patient", classes="page-title")
            yield ErrorSummary(id="summary")
            yield Field("NHS number, hospital number, or surname and date of birth", hint=HOW_TO_SEARCH, id="query",
                        max_length=80)
            yield Plain("", id="found", classes="lede")
            yield OptionList(id="matches", classes="fill")
        yield Footer()

    @on(Input.Submitted, "#query-input")
    def search(self) -> None:
        self.query_one(ErrorSummary).hide()
        self._search(self.query_one("#query", Field).value)

    @on(OptionList.OptionSelected, "#matches")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        patient_id = int(event.option.id.removeprefix("patient-"))
        match = next(m for m in self.matches if m.patient_id == patient_id)
        self.app.push_screen(ReasonScreen(match.full_name), lambda reason: self._open(patient_id, reason))

    def action_clear(self) -> None:
        box = self.query_one("#query-input", Input)
        box.value = ""
        box.focus()

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str) -> None:
        try:
            found = self.services.find_patients(self.session, query)
        except DomainError as error:
            self.app.call_from_thread(self.query_one(ErrorSummary).show, str(error))
            return
        self.app.call_from_thread(self._show, found)

    def _show(self, found: list[PatientMatch]) -> None:
        self.matches = found
        matches = self.query_one("#matches", OptionList)
        matches.clear_options()
        matches.add_options([_match_option(m) for m in found])  # type: ignore[misc]
        words = (f"{len(found)} {'patient' if len(found) == 1 else 'patients'} found. Choose one to open their "
                 "record." if found else "No patient matches. Check the number, or the spelling of the surname "
                 "and the date of birth.")
        self.query_one("#found", Plain).update(words)
        if found:
            matches.highlighted = 0
            matches.focus()

    def _open(self, patient_id: int, reason: str | None) -> None:
        if reason:
            self._opening(patient_id, reason)

    @work(thread=True, exclusive=True, group="open")
    def _opening(self, patient_id: int, reason: str) -> None:
        from screens.desk.record import PatientRecordScreen

        try:
            record = self.services.open_patient(self.session, patient_id, reason)
        except DomainError as error:
            self.app.call_from_thread(self.query_one(ErrorSummary).show, str(error))
            return
        self.app.call_from_thread(self.app.push_screen, PatientRecordScreen(self.session, record))


class ReasonScreen(ModalScreen[str | None]):
    """Why this record is being opened: kept in the audit trail, and shown to the patient."""

    BINDINGS = [Binding("escape", "cancel", "Back", show=False)]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.patient_name = name
        """Whose record it is."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reason-dialog", classes="dialog"):
            yield Plain(f"Why are you opening the record of {self.patient_name}?", classes="page-title")
            yield Plain("The patient can see who looked at their record and why.", classes="lede")
            with RadioSet(id="reasons"):
                for reason in OpenReason:
                    yield RadioButton(reason.value.capitalize(), value=reason is OpenReason.AT_DESK,
                                      id=f"reason-{reason.name.lower()}")
            yield Field("If other, say why", id="other", max_length=200)
            with Horizontal(classes="dialog-buttons"):
                yield PlainButton("Back", id="cancel")
                yield PlainButton("Open the record", id="open", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#open", PlainButton).focus()

    @on(PlainButton.Pressed, "#open")
    @on(Input.Submitted, "#other-input")
    def open_record(self) -> None:
        chosen = self.query_one("#reasons", RadioSet).pressed_button
        reason = OpenReason[chosen.id.removeprefix("reason-").upper()] if chosen and chosen.id else None
        other = self.query_one("#other", Field).value.strip()
        if reason is None or (reason is OpenReason.OTHER and not other):
            self.query_one("#other", Field).show_error("Choose a reason, or choose Other and say why.")
            return
        self.dismiss(f"other: {other}" if reason is OpenReason.OTHER else reason.value)

    @on(PlainButton.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

