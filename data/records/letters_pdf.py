"""A batch of letters as one A4 PDF (fpdf2), each letter starting on a new page, its address block where a
DL window envelope shows it when the page is folded in three.

The window of a standard DL envelope (110 x 220 mm) sits 20 mm from its left edge and 15 mm from its bottom,
90 x 45 mm; an A4 sheet folded in three puts its top third behind the front, so the address block goes 20 mm
from the left and 45 mm from the top of the page, no wider than 85 mm and no taller than 40 mm (seven lines).
Text is set in DejaVu Sans, so any name or address prints as written (a PDF's built-in fonts are Latin-1 only)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from fpdf import FPDF

from domain.clock import LONDON
from domain.errors import Refused
from domain.formatting import nhs_date
from domain.records.post import PostItem

FONT_FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts/dejavu"))

WINDOW_LEFT_MM = 20.0
WINDOW_TOP_MM = 45.0
WINDOW_WIDTH_MM = 85.0
WINDOW_HEIGHT_MM = 40.0
ADDRESS_SIZE_PT = 10.5


def _font(name: str) -> Path:
    for folder in FONT_FOLDERS:
        if (folder / name).is_file():
            return folder / name
    raise Refused("Letters cannot be printed: the DejaVu fonts are not installed on this computer (Debian: "
                  "apt-get install fonts-dejavu-core).")


class PdfLetterPrinter:
    def render(self, items: list[PostItem], trust_names: dict[str, str], printed_on: date) -> bytes:
        pdf = FPDF(format="A4", unit="mm")
        pdf.set_auto_page_break(auto=True, margin=20)
        pdf.add_font("DejaVu", "", str(_font("DejaVuSans.ttf")))
        pdf.add_font("DejaVu", "B", str(_font("DejaVuSans-Bold.ttf")))
        pdf.set_title("Letters for posting")
        pdf.set_creator("portal-tui post room")
        for item in items:
            self._letter(pdf, item, trust_names.get(item.trust_code, item.trust_code), printed_on)
        return bytes(pdf.output())

    def _letter(self, pdf: FPDF, item: PostItem, trust: str, printed_on: date) -> None:
        pdf.add_page()
        # The sender, small, at the top right; the return address stays outside the window.
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_xy(110, 15)
        pdf.multi_cell(80, 5, trust, align="R")
        pdf.set_font("DejaVu", "", 9)
        pdf.set_x(110)
        pdf.multi_cell(80, 4.5, "Appointments team", align="R")
        # The address block, inside the window.
        pdf.set_font("DejaVu", "", ADDRESS_SIZE_PT)
        pdf.set_xy(WINDOW_LEFT_MM, WINDOW_TOP_MM)
        line_height = WINDOW_HEIGHT_MM / 7
        for line in item.address_block:
            pdf.set_x(WINDOW_LEFT_MM)
            pdf.cell(WINDOW_WIDTH_MM, line_height, _fit(pdf, line, WINDOW_WIDTH_MM), new_x="LMARGIN", new_y="NEXT")
        # The date and the letter itself, below the window.
        pdf.set_xy(20, WINDOW_TOP_MM + WINDOW_HEIGHT_MM + 10)
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(0, 6, f"Printed {nhs_date(printed_on)} · letter of {nhs_date(item.written_at.astimezone(LONDON).date())}",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(170, 7, item.title)
        pdf.ln(2)
        for kind, text in _blocks(item.body):
            if kind == "heading":
                pdf.set_font("DejaVu", "B", 11)
                pdf.multi_cell(170, 6, text)
            elif kind == "rule":
                pdf.ln(3)
            else:
                pdf.set_font("DejaVu", "", 10.5)
                pdf.multi_cell(170, 5.5, text)
            pdf.ln(1.5)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """A line cut to the window's width, with an ellipsis, rather than running past its edge."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _blocks(markdown: str) -> list[tuple[str, str]]:
    """The letter's Markdown as paragraphs and headings of plain text (emphasis marks dropped)."""
    out: list[tuple[str, str]] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        text = block.strip()
        if not text:
            continue
        if re.fullmatch(r"-{3,}|\*{3,}", text):
            out.append(("rule", ""))
            continue
        heading = re.match(r"#{1,6}\s+(.*)", text)
        plain = re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", heading.group(1) if heading else text)
        plain = re.sub(r"^\s*[-*]\s+", "• ", plain, flags=re.M)
        out.append(("heading" if heading else "text", " ".join(line.strip() for line in plain.split("\n"))
                    if not re.search(r"^• ", plain, re.M) else plain))
    return out
