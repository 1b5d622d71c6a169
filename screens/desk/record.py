"""A patient's record opened at the desk: "Acting for NAME · born … · NHS …" on top, who they are, what is left
to do for them, and the same pages of their record the kiosk shows, plus booking. Closing it (Esc) drops the
page and everything of theirs with it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from domain.errors import DomainError
from domain.language import ENGLISH, language
from domain.appointments.model import AppointmentStatus, AppointmentView
from domain.formatting import nhs_date, nhs_datetime
from domain.identity.patients import LetterPreference
from domain.staff.desk import OpenRecord
from domain.messaging.model import SmsStatus
from screens.common.patient_page import PatientContext, PatientPage, banner
from screens.common.record_home import RecordHome
from screens.common.text import Footer, Plain, PlainButton

if TYPE_CHECKING:  # the texts' page names its rows; the supervisor's rules load with the tools
    from domain.staff.supervision import TextView


class PatientRecordScreen(RecordHome):
    """What the Appointments team needs in front of them while the patient is on the phone or at the desk."""

    BINDINGS = [Binding("escape", "close", "Close patient", key_display="Esc")]

    def __init__(self, ctx: PatientContext, record: OpenRecord) -> None:
        super().__init__(ctx)
        self.open_record = record
        """The patient, the reason it was opened, and their appointments when it was."""

    def compose(self) -> ComposeResult:
        p = self.open_record.patient
        yield banner(self.ctx)
        with VerticalScroll(classes="page"):
            yield Plain(p.full_name, classes="page-title", id="page-title")
            yield Plain(f"Opened because: {self.open_record.reason}", classes="lede")
            if p.date_of_death is not None:
                yield Plain((f"This patient died on {nhs_date(p.date_of_death)}.", "bold"), " Nothing can be booked, "
                            "texted or posted for them; their portal account is closed.", classes="lede blocked",
                            id="died")
            yield Plain(" · ".join((f"Hospital number {p.hospital_number}", f"postcode {p.postcode}",
                                    f"mobile {p.mobile.masked}" if p.mobile else "no mobile on record",
                                    "paperless" if p.letter_preference is LetterPreference.PAPERLESS
                                    else "letters by post")), classes="lede", id="who")
            # The language the patient reads the kiosk and their texts in, and any interpreter already booked.
            spoken = language(p.language)
            interpreters = sorted({v.appointment.interpreter_language for v in self.open_record.appointments
                                   if v.appointment.status is AppointmentStatus.BOOKED
                                   and v.appointment.interpreter_language
                                   and not v.appointment.pending("interpreter")})
            if spoken.code != ENGLISH or interpreters:
                yield Plain(("Language: ", "bold"), f"{spoken.english_name} (kiosk and texts)"
                            + (f" · interpreter booked: {', '.join(interpreters)}" if interpreters else ""),
                            classes="lede", id="language")
            upcoming = [v for v in self.open_record.appointments
                        if v.appointment.status is AppointmentStatus.BOOKED]
            to_do = [v for v in self.open_record.appointments if v.appointment.arrangements_pending]
            yield Plain("Still to do" if to_do else "Next appointment", classes="section-title")
            for view in to_do:
                a = view.appointment
                yield Plain((f"{a.arrangements}", "bold"), f" for {view.clinic}, {nhs_datetime(a.starts_at)} "
                            f"({a.status_words.lower()})", classes="lede blocked")
            if not to_do:
                soonest = min(upcoming, key=lambda v: v.appointment.starts_at, default=None)
                yield Plain(f"{nhs_datetime(soonest.appointment.starts_at)}, {soonest.clinic}, {soonest.where}"
                            if soonest else "No appointments booked.", classes="lede")
            yield Plain("What would you like to do?", classes="section-title")
            yield from self.menu(compact=True)
            yield PlainButton("Book an appointment", id="book", classes="menu-item", compact=True)
            yield PlainButton("Texts sent", id="texts", classes="menu-item", compact=True)
            yield PlainButton("Close patient", id="close", classes="menu-item", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#appointments", PlainButton).focus()

    def on_screen_suspend(self) -> None:
        self._left = True

    def on_screen_resume(self) -> None:
        # Back from a change or a booking: what is still to do, and the next appointment, are read again (not
        # when first shown: the record was read as it opened).
        if getattr(self, "_left", False):
            self._left = False
            self._refresh()

    @work(thread=True, exclusive=True, group="refresh")
    def _refresh(self) -> None:
        try:
            views = self.ctx.record.appointments()
        except DomainError as error:  # busy, or the desk service gone: the page stays as it was, and says why
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._refreshed, views)

    async def _refreshed(self, views: list[AppointmentView]) -> None:
        if views == self.open_record.appointments or not (self.is_attached and self in self.app.screen_stack):
            return
        focused = self.focused.id if self.focused is not None else None
        self.open_record = replace(self.open_record, appointments=views)
        await self.recompose()
        self.query_one(f"#{focused}" if focused else "#appointments", PlainButton).focus()

    @on(PlainButton.Pressed, "#book")
    def book(self) -> None:
        from screens.desk.booking import BookClinicScreen

        self.load("#book", lambda ctx: BookClinicScreen(ctx, ctx.record.booking_clinics()))  # type: ignore[attr-defined]

    @on(PlainButton.Pressed, "#texts")
    def texts(self) -> None:
        self.load("#texts", lambda ctx: PatientTextsScreen(ctx, ctx.record.texts()))  # type: ignore[attr-defined]

    @on(PlainButton.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss()


class PatientTextsScreen(PatientPage):
    """Every text sent to the patient (or waiting, or failed), newest first, as they would have read it — a
    code blanked, the number masked."""

    TITLE_TEXT = "Texts sent"
    AUTO_FOCUS = "#back"

    def __init__(self, ctx: PatientContext, texts: list[TextView]) -> None:
        super().__init__(ctx)
        self.texts = texts

    def compose_body(self) -> ComposeResult:
        yield Plain(f"Texts to this patient: {len(self.texts)}, newest first." if self.texts
                    else "Texts to this patient: none yet.", classes="lede", id="texts-count")
        for t in self.texts:
            when = nhs_datetime(t.sent_at) if t.sent_at else f"created {nhs_datetime(t.created_at)}"
            yield Plain((f"{t.kind} · {t.status.value} · {when} · to {t.masked_to}", "bold"), classes="section-title")
            yield Plain(t.body, classes="lede text-body")
            if t.last_error and t.status is SmsStatus.FAILED:
                yield Plain(f"Why not sent: {t.last_error}", classes="lede blocked")
        yield PlainButton("Back", id="back", variant="primary")

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()
