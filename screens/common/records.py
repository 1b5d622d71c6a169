"""Letters from both trusts (newest first, filtered by kind and trust), test results grouped by day and panel
with the flag in words, and one test's history as a chart and the same figures as a table."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import OptionList, Select
from rich.text import Text
from textual.widgets.option_list import Option

from domain.language import N_, _, ngettext
from domain.clock import LONDON
from domain.formatting import nhs_date
from domain.hospital import TrustCode
from domain.records.reading import LETTERS_PAGE, LetterList, ResultGroup, ResultsPage
from domain.records.release import WAITING
from domain.records.model import Document, DocumentKind, ReferenceRange, ResultFlag, TestResult
from screens.common.patient_page import PatientContext, PatientPage
from screens.common.table import PlainTable
from screens.common.text import Plain, PlainButton, Part, option, plain_text, safe

TRUSTS = {TrustCode.WEST_HERTS: "West Herts", TrustCode.ROYAL_FREE: "Royal Free London"}


def _letter_option(d: Document) -> Option:
    parts: list[Part] = [(_("NEW") + "  ", "bold reverse")] if d.is_new else []
    parts += [(_(d.kind.label), "bold"), f"\n{d.title}",
              f"\n{nhs_date(d.written_at.astimezone(LONDON).date())} · {TRUSTS[d.trust]}"]
    if not d.is_text:
        parts.append("\n" + _("A file we cannot show here ({size}): ask the Appointments team for a copy").format(
            size=_size(d.size_bytes)))
    return option(*parts, id=f"letter-{d.id}")


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} KB"


class LettersScreen(PatientPage):
    """Newest first; 'NEW' until opened; filter by kind and by trust."""

    TITLE_TEXT = N_("Your letters")
    FIXED_LAYOUT = True

    def __init__(self, ctx: PatientContext, found: LetterList) -> None:
        super().__init__(ctx)
        self.documents = found.documents
        """The letters shown, as last loaded."""
        self.total = found.total
        """How many letters there are of the kind and trust chosen."""
        self.limit = LETTERS_PAGE
        """How many of the newest are shown: 'Show earlier letters' shows more."""

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Select([(_(kind.label), kind) for kind in DocumentKind], prompt=_("All kinds of letter"),
                         id="kind-filter")
            yield Select([(name, code) for code, name in TRUSTS.items()], prompt=_("Both trusts"), id="trust-filter")
        yield Plain(self._count(), id="letter-count", classes="lede")
        yield OptionList(*[_letter_option(d) for d in self.documents], id="letters", classes="fill")
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Show earlier letters"), id="earlier-letters")
            yield PlainButton(_("Back"), id="back")

    def _count(self) -> str:
        new = sum(d.is_new for d in self.documents)
        if not self.documents:
            return _("No letters match.")
        shown = ngettext("{count} letter", "{count} letters", self.total).format(count=self.total)
        if len(self.documents) < self.total:
            shown += " " + _("(the newest {count} shown)").format(count=len(self.documents))
        return _("{letters}, {new} new. Choose one to read it.").format(letters=shown, new=new)

    def on_mount(self) -> None:
        letters = self.query_one("#letters", OptionList)
        if self.documents:
            letters.highlighted = 0
        letters.focus()
        self.query_one("#earlier-letters", PlainButton).display = len(self.documents) < self.total

    @on(PlainButton.Pressed, "#earlier-letters")
    def show_earlier(self) -> None:
        self.limit += LETTERS_PAGE
        self.reload()

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()

    @on(Select.Changed)
    def filter_changed(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.busy(False)
        self.reload()  # an opened letter is no longer new

    def reload(self) -> None:
        kind = self.query_one("#kind-filter", Select).value
        trust = self.query_one("#trust-filter", Select).value
        kind = kind if isinstance(kind, DocumentKind) else None
        trust = trust if isinstance(trust, TrustCode) else None
        limit = self.limit
        self.call(lambda: self.record.letter_list(kind, trust, limit), self._show)

    def _show(self, found: LetterList) -> None:
        documents = found.documents
        self.documents, self.total = documents, found.total
        self.query_one("#earlier-letters", PlainButton).display = len(documents) < found.total
        letters = self.query_one("#letters", OptionList)
        highlighted = letters.highlighted
        letters.clear_options()
        letters.add_options([_letter_option(d) for d in documents])
        if documents:
            letters.highlighted = min(highlighted or 0, len(documents) - 1)
        self.query_one("#letter-count", Plain).update(self._count())

    @on(OptionList.OptionSelected, "#letters")
    def open_letter(self, event: OptionList.OptionSelected) -> None:
        from screens.common.appointments import LetterScreen

        assert event.option.id is not None
        document_id = int(event.option.id.removeprefix("letter-"))
        self.call(lambda: self.record.open_letter(document_id),
                  lambda letter: self.app.push_screen(LetterScreen(self.ctx, letter)))


def range_words(reference: ReferenceRange | None) -> str:
    """'115 to 165', 'up to 48', '60 or more', 'Negative' — or 'No range given'."""
    if reference is None:
        return _("No range given")
    if reference.low is not None and reference.high is not None:
        return _("{low} to {high}").format(low=f"{reference.low:g}", high=f"{reference.high:g}")
    if reference.high is not None:
        return _("up to {high}").format(high=f"{reference.high:g}")
    if reference.low is not None:
        return _("{low} or more").format(low=f"{reference.low:g}")
    return reference.text or _("No range given")


def flag_cell(flag: ResultFlag) -> Text:
    """The flag in words, bold when out of range: the words carry it, colour only helps."""
    style = "bold" if flag in (ResultFlag.HIGH, ResultFlag.LOW, ResultFlag.ABNORMAL) else ""
    return plain_text((_(flag.words), style))


class ResultsScreen(PatientPage):
    """One table: a heading row per day and panel, then its tests. Enter on a test shows its history. A page at
    a time, newest first: "Show earlier results" adds the next page under it."""

    TITLE_TEXT = N_("Your test results")
    FIXED_LAYOUT = True

    def __init__(self, ctx: PatientContext, page: ResultsPage) -> None:
        super().__init__(ctx)
        self.groups = list(page.groups)
        """Results by day and panel, newest first, as far as read."""
        self.earlier = page.earlier
        """Where the next page starts (None: all are read)."""

    def title_text(self) -> str:
        return self.ctx.words(_(self.TITLE_TEXT), f"Test results of {self.ctx.details.full_name}")

    def compose_body(self) -> ComposeResult:
        yield Plain(self.ctx.words(_("Results from both trusts. A result outside its range says High or Low; your "
                                   "doctor will explain what it means for you. Choose a test to see it over time."),
                                   "Results from both trusts, with those the kiosk does not show marked, and why."),
                    classes="lede")
        waiting = sum(group.waiting for group in self.groups)
        if waiting:
            yield Plain(ngettext("{count} result is waiting to be reviewed by your care team.",
                                 "{count} results are waiting to be reviewed by your care team.", waiting).format(
                count=waiting) if waiting != 1 else _(WAITING), classes="lede", id="waiting")
        if not any(group.results for group in self.groups):
            yield Plain(_("You have no test results yet.") if not waiting else _("There are no other results yet."),
                        classes="lede")
        table: PlainTable = PlainTable(id="results", cursor_type="row", zebra_stripes=False)
        # Narrower columns on a small screen, so that the flag (the words that say High or Low) stays in view.
        # The range and the flag are as wide as their words need (in any language): never cut off.
        widths = (30, 24, None, None) if self.app.size.width >= 90 else (18, 13, None, None)
        for label, width in zip((_("Test"), _("Result"), _("Range"), _("Flag")), widths):
            table.add_column(label, width=width)
        self._add_rows(table, self.groups)
        yield table
        with Horizontal(classes="page-buttons"):
            if self.earlier is not None:
                yield PlainButton(_("Show earlier results"), id="earlier")
            yield PlainButton(_("Back"), id="back")

    def _add_rows(self, table: PlainTable, groups: list[ResultGroup]) -> None:
        for group in (g for g in groups if g.results):
            heading = plain_text((f"{group.day.day} {group.day:%B %Y}, {TRUSTS[group.trust]}\n{group.panel}", "bold"))
            key = f"group-{group.day}-{group.panel}-{group.trust.value}"
            if key in table.rows:
                key += f"-{group.results[0].id}"  # the same panel and day again, on the next page
            table.add_row(heading, "", "", "", height=2, key=key)
            for result in group.results:
                value = f"{result.value_text} {result.unit}" if result.unit else result.value_text
                table.add_row(f"  {result.test_name}", value, range_words(result.reference_range),
                              flag_cell(result.flag), key=f"result-{result.id}")
                if result.id in group.notes:  # at the desk: why the kiosk does not show it
                    table.add_row(plain_text((f"    {group.notes[result.id]}", "italic")), "", "", "",
                                  key=f"note-{result.id}", height=None)

    def on_mount(self) -> None:
        table = self.query_one("#results", PlainTable)
        table.focus()
        if table.row_count > 1:
            table.move_cursor(row=1)  # the first test, under the first heading

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#earlier")
    def show_earlier(self) -> None:
        before = self.earlier
        self.call(lambda: self.record.results_page(before), self._more)

    def _more(self, page: ResultsPage) -> None:
        table = self.query_one("#results", PlainTable)
        row = table.row_count
        self._add_rows(table, page.groups)
        self.groups += page.groups
        self.earlier = page.earlier
        if page.earlier is None:
            self.query_one("#earlier", PlainButton).remove()
        table.focus()
        table.move_cursor(row=min(row + 1, table.row_count - 1))

    def on_screen_resume(self) -> None:
        self.busy(False)

    @on(PlainTable.RowSelected, "#results")
    def open_history(self, event: PlainTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if not key.startswith("result-"):
            return
        result_id = int(key.removeprefix("result-"))
        self.call(lambda: self.record.result_history(result_id),
                  lambda found: self.app.push_screen(TrendScreen(self.ctx, found)))


class TrendChart(Plain):
    """Values over time as dots on a grid, with the range's limits as dotted lines and labelled axes."""

    DEFAULT_CSS = "TrendChart { height: auto; width: auto; margin: 1 0; text-wrap: nowrap; }"

    ROWS = 8

    def __init__(self, results: list[TestResult], width: int = 60) -> None:
        super().__init__(id="trend-chart")
        self.results = [r for r in results if r.value_number is not None]
        self.plot_width = width

    def spoken_text(self) -> str:
        """The chart in words, for speech (the table below it gives every figure)."""
        points = self.results
        if len(points) < 2:
            return _("There is only one result of this test so far, so there is no chart to draw.")
        values = [p.value_number for p in points]
        reference = points[-1].reference_range
        limits = [v for v in ((reference.low, reference.high) if reference else ()) if v is not None]
        unit = points[-1].unit or ""
        first = nhs_date(points[0].taken_at.astimezone(LONDON).date())
        last = nhs_date(points[-1].taken_at.astimezone(LONDON).date())
        words = _("A chart of {count} results from {first} to {last}, from {low} to {high} {unit}. Each dot is a "
                  "result ({unit}).").format(count=len(points), first=first, last=last, low=f"{min(values):.4g}",  # type: ignore[type-var]
                                             high=f"{max(values):.4g}", unit=unit)  # type: ignore[type-var]
        if limits:
            words += " " + _("A dotted line is a limit of the range: {limits}.").format(
                limits=_(" and ").join(f"{v:.4g}" for v in limits))
        return words

    def render(self) -> Text:  # type: ignore[override]
        points = self.results
        if len(points) < 2:
            return plain_text(_("There is only one result of this test so far, so there is no chart to draw."))
        values = [p.value_number for p in points]
        reference = points[-1].reference_range
        limits = [v for v in ((reference.low, reference.high) if reference else ()) if v is not None]
        low, high = min(values + limits), max(values + limits)  # type: ignore[type-var, operator]
        if high == low:
            high, low = high + 1, low - 1
        # As wide as asked, or as the screen allows (its labels take 10 columns, the page's margins a few more).
        rows, width = self.ROWS, max(16, min(self.plot_width, self.app.size.width - 16))
        grid = [[" "] * width for _ in range(rows)]

        def row_of(value: float) -> int:
            return rows - 1 - round((value - low) / (high - low) * (rows - 1))

        for limit in limits:
            grid[row_of(limit)] = ["┄"] * width
        for index, point in enumerate(points):
            column = round(index * (width - 1) / (len(points) - 1))
            grid[row_of(point.value_number)][column] = "●"  # type: ignore[arg-type]
        text = plain_text()
        unit = points[-1].unit or ""
        for number, line in enumerate(grid):
            # A limit's row is labelled with the limit itself, the top and bottom rows with where they stand.
            at_limit = [x for x in limits if row_of(x) == number]
            value = at_limit[0] if at_limit else high - number * (high - low) / (rows - 1)
            label = f"{value:>8.4g} │" if at_limit or number in (0, rows - 1) else f"{'':>8} │"
            text.append(label)
            text.append("".join(line) + "\n", style="bold")
        first = nhs_date(points[0].taken_at.astimezone(LONDON).date())
        last = nhs_date(points[-1].taken_at.astimezone(LONDON).date())
        text.append(f"{'':>8} └{'─' * width}\n")
        if len(first) + 1 + len(last) <= width:
            text.append(f"{'':>10}{first}{last:>{width - len(first)}}\n")
        else:  # longer words (another language, a narrow screen): the last date on a line of its own
            text.append(f"{'':>10}{first}\n{'':>10}{last:>{max(len(last), width)}}\n")
        legend = ["● " + _("a result ({unit})").format(unit=unit)] + (["┄ " + _("a limit of the range")]
                                                                       if limits else [])
        # The key on one line where it fits, else one entry a line.
        text.append("   ".join(legend) if len("   ".join(legend)) <= width + 10 else "\n".join(legend))
        return safe(text)  # type: ignore[return-value]


class TrendScreen(PatientPage):
    """One test's history: the chart, and the same figures as a table (the chart is never the only way)."""

    def __init__(self, ctx: PatientContext, results: list[TestResult]) -> None:
        super().__init__(ctx)
        self.results = results
        """Every result of the test, oldest first."""

    def title_text(self) -> str:
        return (_("{test} over time").format(test=self.results[-1].test_name) if self.results
                else _("Test history"))

    def compose_body(self) -> ComposeResult:
        yield TrendChart(self.results)
        table: PlainTable = PlainTable(id="history", cursor_type="row")
        table.add_columns(_("Date"), _("Result"), _("Unit"), _("Range"), _("Flag"), _("Trust"))
        for r in reversed(self.results):
            table.add_row(nhs_date(r.taken_at.astimezone(LONDON).date()), r.value_text, r.unit or "",
                          range_words(r.reference_range), flag_cell(r.flag), TRUSTS[r.trust])
        yield table
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Back"), id="back")

    def on_mount(self) -> None:
        self.query_one("#history", PlainTable).focus()

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()
