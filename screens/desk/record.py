"""A patient's record opened at the desk: "Acting for NAME · born … · NHS …" on top, who they are, their
appointments. Closing it (Esc) drops the page and everything of theirs with it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer

from domain.staff.desk import OpenRecord
from domain.formatting import nhs_date, nhs_datetime
from domain.identity.session import StaffSession
from screens.desk.find_patient import StaffBanner
from screens.common.patient_page import answer_row
from screens.common.text import Plain, PlainButton


class PatientRecordScreen(Screen[None]):
    """What the Appointments team needs in front of them while the patient is on the phone or at the desk."""

    BINDINGS = [Binding("escape", "close", "Close patient", key_display="Esc")]

    def __init__(self, session: StaffSession, record: OpenRecord) -> None:
        super().__init__()
        self.session = session
        """Who is acting."""
        self.record = record
        """The patient, the reason it was opened, and their appointments."""

    def compose(self) -> ComposeResult:
        p = self.record.patient
        nhs = f"NHS {p.nhs_number.formatted}" if p.nhs_number else f"hospital number {p.hospital_number}"
        yield StaffBanner(self.session, f"Acting for {p.full_name} · born {nhs_date(p.date_of_birth)} · {nhs}")
        with VerticalScroll(classes="page"):
            yield Plain(p.full_name, classes="page-title", id="page-title")
            yield Plain(f"Opened because: {self.record.reason}", classes="lede")
            yield answer_row("Hospital number", p.hospital_number)
            yield answer_row("Postcode", p.postcode)
            yield answer_row("Mobile", p.mobile.masked if p.mobile else "None on record")
            yield answer_row("Letters", "Paperless" if p.letter_preference.value == "paperless" else "By post")
            yield Plain("Appointments", classes="section-title")
            if not self.record.appointments:
                yield Plain("No appointments on record.", classes="lede")
            for view in self.record.appointments:
                a = view.appointment
                yield Plain((nhs_datetime(a.starts_at), "bold"), f"  {a.kind.label}, {view.clinic}",
                            f"\n{view.where} · {view.trust_name} · {a.status_words}", classes="lede")
            with Horizontal(classes="page-buttons"):
                yield PlainButton("Close patient", id="close", variant="primary")
        yield Footer()

    @on(PlainButton.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss()
