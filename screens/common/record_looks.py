"""Who has looked at my record: every look by hospital staff in the last 12 months, newest first."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal

from domain.language import N_, _
from domain.clock import LONDON
from domain.formatting import nhs_time
from domain.identity.my_details import RecordLook
from screens.common.patient_page import PatientContext, PatientPage
from screens.common.table import PlainTable
from screens.common.text import Plain, PlainButton


class RecordLooksScreen(PatientPage):
    """When, who (the team, not a name), what they looked at or changed, and why."""

    TITLE_TEXT = N_("Who has looked at my record")

    def title_text(self) -> str:
        return self.ctx.words(_(self.TITLE_TEXT), "Who has looked at this record")
    FIXED_LAYOUT = True

    def __init__(self, ctx: PatientContext, looks: list[RecordLook]) -> None:
        super().__init__(ctx)
        self.looks = looks
        """The looks, newest first."""

    def compose_body(self) -> ComposeResult:
        if not self.looks:
            yield Plain(_("No one from the hospital has looked at your record here in the last 12 months."),
                        classes="lede", id="no-looks")
        else:
            yield Plain(_("Hospital staff who looked at or changed your record in the last 12 months, newest first."),
                        classes="lede")
            table = PlainTable(id="looks", cursor_type="row", classes="fill")
            # Three columns that fit 80: the reason goes with what was done, as the patient reads it.
            # Widths that fit 80 columns; what was done, and why, wraps onto more lines when it is long.
            for label, width in (("When", 20), ("Who", 21), ("What, and why", 29)):
                table.add_column(label, width=width)
            for look in self.looks:
                at = look.at.astimezone(LONDON)
                table.add_row(f"{at.day} {at:%b %Y}, {nhs_time(at)}", look.who, f"{look.what} ({look.why})",
                              height=None)
            yield table
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Back"), id="back")

    def on_mount(self) -> None:
        self.query("#looks, #back").first().focus()

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()
