"""Find a patient: one search box, at most 50 matches showing enough to pick the right person, and a reason
asked for before a record opens."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, OptionList

from domain.staff.desk import HOW_TO_SEARCH, OpenReason, PatientMatch
from domain.errors import DomainError
from domain.formatting import nhs_date
from domain.identity.session import StaffSession
from screens.common.patient_page import PatientContext
from screens.common.confirm import ConfirmScreen
from screens.common.reason import ReasonScreen
from screens.desk.services import DeskServices
from screens.common.text import Footer, Plain, option
from screens.common.widgets import ErrorSummary, Field, StaffBanner


def _match_option(match: PatientMatch) -> object:
    if match.date_of_death is not None:  # said first and plainly: no one rings or books for someone who has died
        return option((match.full_name, "bold"), (f"  DIED {nhs_date(match.date_of_death)}", "bold reverse"),
                      "\n" + " · ".join(_details(match)), id=f"patient-{match.patient_id}")
    return option((match.full_name, "bold"), "\n" + " · ".join(_details(match)), id=f"patient-{match.patient_id}")


def _details(match: PatientMatch) -> list[str]:
    return [f"born {nhs_date(match.date_of_birth)}" if match.date_of_birth else "no date of birth", match.postcode,
            *([f"NHS {match.nhs_number}"] if match.nhs_number else []), f"hospital number {match.hospital_number}",
            f"mobile {match.masked_mobile}" if match.masked_mobile else "no mobile"]


class FindPatientScreen(Screen[None]):
    """The desk's home: search, pick, say why, open."""

    BINDINGS = [Binding("escape", "clear", "Clear", key_display="Esc"),
                Binding("f6", "support_inbox", "Support inbox", key_display="F6"),
                Binding("f7", "tools", "Supervisor tools", key_display="F7")]
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

        def ask_why(go_on: bool = True) -> None:
            if go_on:
                self.app.push_screen(ReasonScreen(f"Why are you opening the record of {match.full_name}?",
                                                  "The patient can see who looked at their record and why.",
                                                  [reason.value for reason in OpenReason], "Open the record"),
                                     lambda reason: self._open(patient_id, reason))

        if match.date_of_death is None:
            ask_why()
            return
        self.app.push_screen(ConfirmScreen(f"{match.full_name} has died", f"Their record says they died on "
                                           f"{nhs_date(match.date_of_death)}. Nothing can be booked, texted or "
                                           "posted for them. Do you want to open the record?", "Open the record",
                                           "No, go back"), ask_why)

    def action_support_inbox(self) -> None:
        from screens.desk.support import SupportInboxScreen

        self.app.push_screen(SupportInboxScreen(self.services.support, self.session))

    def action_tools(self) -> None:
        from screens.desk.tools import ToolsScreen

        self.app.push_screen(ToolsScreen(self.services.supervision, self.session))

    def action_clear(self) -> None:
        """A fresh search for the next caller: the last one's words, matches and count all go."""
        self.matches = []
        self.query_one("#matches", OptionList).clear_options()
        self.query_one("#found", Plain).update("")
        self.query_one(ErrorSummary).hide()
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
        ctx = PatientContext(self.services.acting_for(self.session, patient_id), record.details, self.session)
        self.app.call_from_thread(self.app.push_screen, PatientRecordScreen(ctx, record))
