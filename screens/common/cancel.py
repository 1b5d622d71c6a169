"""Cancel an appointment: an interruption page first (cancelling discharges you), then a deliberate
confirmation fit for a shared screen (type CANCEL), then the confirmation with its reference."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input
from screens.common.text import Plain, PlainButton

from domain.language import N_, _
from domain.appointments.rules import Action
from domain.formatting import nhs_datetime
from domain.appointments.changes import (HOSPITAL_REASONS, PATIENT_REASONS, REASON_LIMIT, AppointmentPage,
                                        Cancelled)
from screens.common.appointments import ConfirmationPage, show_over_appointments
from screens.common.reason import ReasonScreen
from screens.common.patient_page import PatientContext, PatientPage, answer_row
from screens.common.widgets import Field

WHO = ("the patient (they asked to cancel)", "the hospital (the clinic or the clinician cannot see them)")
"""Who cancelled, asked at the desk before the reason."""

CONFIRM_WORD = N_("CANCEL")
"""Typed to confirm, in the screen's language (Translators: one word, in capitals, easy to type)."""


class CancelWarningScreen(PatientPage):
    """The NHS interruption page: what cancelling means, before anything happens. Keeping it has the focus."""

    TITLE_TEXT = N_("Before you cancel")

    def __init__(self, ctx: PatientContext, page: AppointmentPage) -> None:
        super().__init__(ctx)
        self.page = page
        """The appointment that might be cancelled."""

    def compose_body(self) -> ComposeResult:
        view = self.page.view
        if self.ctx.at_desk:
            with Vertical(classes="interruption", id="interruption"):
                yield Plain("A patient's cancellation discharges them from this clinic",
                            classes="interruption-title")
                yield Plain(f"If the patient cancels the {view.clinic} appointment on "
                            f"{nhs_datetime(view.appointment.starts_at)}, the referral is closed: the clinic will "
                            "not offer another one, and their GP must refer them again. If the hospital is "
                            "cancelling (the clinic or clinician cannot see them), they stay under the clinic and "
                            "are rebooked: you will be asked which.")
                yield Plain(_("If the date or time is the problem, go back and move it instead."))
            with Horizontal(classes="page-buttons"):
                yield PlainButton(_("Keep the appointment"), id="keep", variant="primary")
                yield PlainButton(_("Continue to cancel"), id="continue")
            return
        with Vertical(classes="interruption", id="interruption"):
            yield Plain(_("Cancelling will discharge you from this clinic"), classes="interruption-title")
            yield Plain(_("If you cancel your {clinic} appointment on {when}, the clinic will not offer you another "
                          "one.").format(clinic=view.clinic, when=nhs_datetime(view.appointment.starts_at)))
            yield Plain(_("If you still need to be seen, you will need to see your GP to be referred again. "
                         "This can take several weeks."))
            if self.page.decisions[Action.RESCHEDULE]:
                yield Plain(_("If the date or time does not suit you, go back and change it instead."))
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Keep my appointment"), id="keep", variant="primary")
            yield PlainButton(_("Continue to cancel"), id="continue")

    def on_mount(self) -> None:
        self.query_one("#keep", PlainButton).focus()

    @on(PlainButton.Pressed, "#keep")
    def keep(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#continue")
    def go_on(self) -> None:
        self.app.switch_screen(CancelConfirmScreen(self.ctx, self.page))


class CancelConfirmScreen(PatientPage):
    """An optional reason, and the word CANCEL typed to confirm. The safe button has the focus."""

    TITLE_TEXT = N_("Cancel your appointment")

    def __init__(self, ctx: PatientContext, page: AppointmentPage) -> None:
        super().__init__(ctx)
        self.page = page
        """The appointment to cancel."""

    def compose_body(self) -> ComposeResult:
        view = self.page.view
        yield answer_row(_("Appointment"), nhs_datetime(view.appointment.starts_at))
        yield answer_row(_("Clinic"), view.clinic)
        if not self.ctx.at_desk:  # the desk is asked for its reason once CANCEL is typed
            yield Field(_("Why are you cancelling? (optional)"), hint=_("This helps the clinic. Do not include "
                        "anything you would not want others at this screen to see."), id="reason",
                        max_length=REASON_LIMIT)
        yield Field(_("To confirm, type {word}").format(word=_(CONFIRM_WORD)), hint=_("This makes sure no one cancels by accident. "
                    "Press Tab to move between boxes and buttons."), id="confirm-word", max_length=20)
        with Horizontal(classes="page-buttons"):
            yield PlainButton(self.ctx.words(_("Keep my appointment"), "Keep the appointment"), id="keep",
                              variant="primary")
            yield PlainButton(_("Cancel appointment"), id="cancel-appointment", variant="error")

    def title_text(self) -> str:
        return self.ctx.words(_(self.TITLE_TEXT), "Cancel the appointment")

    def on_mount(self) -> None:
        self.query_one("#keep", PlainButton).focus()

    @on(PlainButton.Pressed, "#keep")
    def keep(self) -> None:
        self.dismiss()

    @on(Input.Submitted, "#reason-input")
    def reason_given(self) -> None:
        self.query_one("#confirm-word-input", Input).focus()

    @on(PlainButton.Pressed, "#cancel-appointment")
    @on(Input.Submitted, "#confirm-word-input")
    def confirm(self) -> None:
        word = self.query_one("#confirm-word", Field)
        word.clear_error()
        if word.value.strip().upper() not in (_(CONFIRM_WORD).upper(), CONFIRM_WORD):  # the English word works too
            word.show_error(_("Type the word {word} to cancel, or choose Keep my appointment.").format(
                word=_(CONFIRM_WORD)))
            word.input.focus()
            return
        if self.ctx.at_desk:
            self.app.push_screen(ReasonScreen("Who is cancelling?", "A patient's cancellation discharges them "
                                              "from the clinic; the hospital's keeps them under it, to be rebooked.",
                                              WHO, "Continue", other=False), self._who_given)
            return
        self._cancel(self.query_one("#reason", Field).value)

    def _who_given(self, who: str | None) -> None:
        if not who:
            return
        by_hospital = who == WHO[1]
        reasons = HOSPITAL_REASONS if by_hospital else PATIENT_REASONS
        self.app.push_screen(ReasonScreen("Why is the hospital cancelling?" if by_hospital else
                                          "Why is the patient cancelling?", "Kept with the appointment and in the "
                                          "audit trail; the patient sees it too.", reasons, "Cancel appointment"),
                             lambda reason: self._cancel(reason, by_hospital) if reason else None)

    def _cancel(self, reason: str | None, by_hospital: bool = False) -> None:
        a = self.page.view.appointment
        self.query_one("#cancel-appointment", PlainButton).label = _("Please wait…")
        self.call(lambda: self.record.cancel(a.id, reason, by_hospital), self.cancelled, self.refused)

    def refused(self, error) -> None:  # type: ignore[no-untyped-def]
        self.query_one("#cancel-appointment", PlainButton).label = _("Cancel appointment")
        self.show_problem(str(error))

    def cancelled(self, done: Cancelled) -> None:
        show_over_appointments(self.app, CancelledScreen(self.ctx, done))


class CancelledScreen(ConfirmationPage):
    """The confirmation panel, with the reference to quote."""

    TITLE_TEXT = N_("Appointment cancelled")

    def __init__(self, ctx: PatientContext, done: Cancelled) -> None:
        super().__init__(ctx)
        self.done = done
        """What was cancelled."""

    def compose_panel(self) -> ComposeResult:
        view = self.done.view
        if self.ctx.at_desk:
            yield Plain(f"Cancelled: the reference is {self.done.reference}", classes="panel", id="panel")
            yield answer_row(_("Cancelled"), f"{view.clinic}, {nhs_datetime(view.appointment.starts_at)}")
            if self.done.by_hospital:
                yield Plain("Cancelled by the hospital: the patient stays under this clinic. Rebook them now, or "
                            "it stays on the appointment as a to-do until you do.", classes="lede blocked",
                            id="rebook-to-do")
                with Horizontal(classes="page-buttons"):
                    yield PlainButton("Rebook now", id="rebook", variant="primary")
            else:
                yield Plain(_("The patient is discharged from this clinic."), classes="lede")
            if self.done.arrangements:
                yield Plain(f"Now cancel {' and '.join(self.done.arrangements)}. The appointment shows it as to do "
                            "until you mark it done.", classes="lede blocked", id="arrangements")
            yield Plain("A confirmation text is on its way to the patient's mobile." if self.done.sms is not None
                        else "The patient has no mobile on record: tell them.", classes="lede")
            return
        yield Plain(_("Your cancellation reference is {reference}").format(reference=self.done.reference),
                    classes="panel", id="panel")
        yield answer_row(_("Cancelled"), f"{view.clinic}, {nhs_datetime(view.appointment.starts_at)}")
        yield Plain(_("You have been discharged from this clinic. If you need to be seen again, see your GP to be "
                     "referred again."), classes="lede")
        if self.done.sms is not None:
            yield Plain(_("We have sent a text to your mobile to confirm it."), classes="lede")

    @on(PlainButton.Pressed, "#rebook")
    def rebook(self) -> None:
        """The same clinic's free times, to book the patient again (their referral is still open: a follow-up)."""
        clinic_id = self.done.view.appointment.clinic_id
        cancelled_id = self.done.view.appointment.id

        def show(found: tuple[object, list[object]]) -> None:
            from screens.desk.booking import BookDayScreen

            choice, slots = found
            if choice is None or not slots:
                self.show_problem("There are no free times in this clinic in the weeks that can be booked: the "
                                  "rebooking stays on the appointment as a to-do.")
                return
            self.app.push_screen(BookDayScreen(self.ctx, choice, slots, rebooks=cancelled_id))  # type: ignore[arg-type]

        def find() -> tuple[object, list[object]]:
            record = self.record
            choice = next((c for c in record.booking_clinics() if c.clinic.id == clinic_id), None)  # type: ignore[attr-defined]
            return choice, record.booking_slots(clinic_id) if choice is not None else []  # type: ignore[attr-defined]

        self.call(find, show)

