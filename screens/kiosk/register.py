"""The two ways to start registering: a code from an invitation text, or NHS number, date of birth and postcode."""

from __future__ import annotations

from datetime import date

from textual import work
from textual.app import ComposeResult

from domain.language import N_, _
from domain.identity.codes import normalise_invitation
from domain.errors import DomainError
from domain.identifiers import NhsNumber, Postcode
from domain.typed import HospitalNumber, parse_date_of_birth, parse_patient_identifier
from screens.kiosk.flow import FormPage, RegistrationDraft
from screens.common.widgets import Field
from screens.kiosk.services import Ticket
from screens.kiosk.verify_code import VerifyMobileScreen


class RegisterStart(FormPage):
    """Both routes share what happens after a match: the code goes to the mobile on the record."""

    def date_of_birth(self) -> date | None:
        return self.parsed("dob", lambda text: parse_date_of_birth(text, self.services.today()))

    def matched(self, ticket: Ticket) -> None:
        self.busy(False)
        draft = RegistrationDraft(ticket=ticket.id, masked_mobile=ticket.masked_mobile)
        self.app.push_screen(VerifyMobileScreen(self.services, draft))


class RegisterWithCodeScreen(RegisterStart):
    """Route 1: the code from the invitation text identifies the record; the date of birth confirms it."""

    TITLE_TEXT = N_("Register with a code from a text message")
    LEDE = N_("Type the code from the text message we sent you, and your date of birth.")

    def compose_fields(self) -> ComposeResult:
        yield Field(_("Code from the text message"), hint=_("For example, K7QX-M2PD"), id="code", secret=True,
                    max_length=12)
        yield Field(_("Date of birth"), hint=_("Day, month and year. For example, 15 3 1984"), id="dob", max_length=24)

    def on_continue(self) -> None:
        code = self.field("code").value
        if len(normalise_invitation(code).replace("-", "")) != 8:
            self.field("code").show_error(_("Enter the 8-character code from your text message, like K7QX-M2PD."))
            code = ""
        born = self.date_of_birth()
        if code and born:
            self.busy(True)
            self.match(code, born)

    @work(thread=True, exclusive=True)
    def match(self, code: str, born: date) -> None:
        try:
            ticket = self.services.register_with_invitation(code, born)
        except DomainError as error:
            self.failed(error)
            return
        self.app.call_from_thread(self.matched, ticket)


class RegisterWithDetailsScreen(RegisterStart):
    """Route 2: the details are matched against the hospital record."""

    TITLE_TEXT = N_("Register with your NHS number")
    LEDE = N_("We will look for your hospital record. Your details must match the ones we hold.")

    def compose_fields(self) -> ComposeResult:
        yield Field(_("NHS number, or hospital number"), hint=_("For example, 943 476 5919, or RWG1000001 from a "
                    "hospital letter"), id="identifier", max_length=16)
        yield Field(_("Date of birth"), hint=_("Day, month and year. For example, 15 3 1984"), id="dob", max_length=24)
        yield Field(_("Postcode"), hint=_("For example, WD18 0HB"), id="postcode", max_length=10)

    def on_continue(self) -> None:
        identifier = self.parsed("identifier", parse_patient_identifier)
        born = self.date_of_birth()
        postcode = self.parsed("postcode", Postcode.parse)
        if identifier and born and postcode:
            self.busy(True)
            self.match(identifier, born, postcode)

    @work(thread=True, exclusive=True)
    def match(self, identifier: NhsNumber | HospitalNumber, born: date, postcode: Postcode) -> None:
        try:
            ticket = self.services.register_with_details(identifier, born, postcode)
        except DomainError as error:
            self.failed(error)
            return
        self.app.call_from_thread(self.matched, ticket)


