"""The kiosk in other languages (issue 20): every page under a pseudo-language that accents every letter and
makes every string 40% longer, at 80 and at 48 columns — nothing left in English but what the records hold, and
nothing cut off; the catalogue template in step with the code and each catalogue compiled from its .po."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input, OptionList

from domain import language as languages
from domain.language import PSEUDO, PSEUDO_CLOSE, PSEUDO_OPEN
from portal_tui.app import KioskApp
from portal_tui.settings import PARTNER_TRUST_NAME
from screens.common.text import PlainTable
from domain.clock import FixedClock
from tests.conftest import FIXED_NOW
from tests.screens.flows import kiosk_settings, settle
from tests.screens.pages import PAGES, walk_to
from tests.screens.test_speech import shown_on_screen

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"f1", "f2", "f3", "f4", "f5", "f7", "f8", "f12", "esc", "tab", "enter", "nhs", "ok", "pdf", "kb", "mb", "am",
        "pm"}
"""Words a translation keeps: the keys' names on the keyboard, and abbreviations every language uses."""


def _record_words(db: Path) -> set[str]:
    """Every word the demo database holds (names, clinics, sites, letters, results): shown as written."""
    words: set[str] = set()
    with sqlite3.connect(db) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 (the schema's own names)
                for value in row:
                    if isinstance(value, str):
                        words |= _words(value)
    return words | _words(PARTNER_TRUST_NAME) | _words("West Hertfordshire Teaching Hospitals NHS Trust")


def _words(text: str) -> set[str]:
    """Its words, less those in capitals (a reference, a code): what a translation would change."""
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text) if not w.isupper()}


def english_left(shown: str) -> str:
    """What is on screen outside the pseudo-language's brackets."""
    return re.sub(re.escape(PSEUDO_OPEN) + ".*?" + re.escape(PSEUDO_CLOSE), " ", shown, flags=re.DOTALL)


def _table_text(table: PlainTable) -> str:
    """A table's headings and every cell, as words."""
    rows = [" ".join(str(column.label) for column in table.columns.values())]
    rows += [" ".join(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)]
    return "\n".join(rows)


def _list_text(options: OptionList) -> str:
    return "\n".join(str(options.get_option_at_index(n).prompt) for n in range(options.option_count))


def pseudo_kiosk(db: Path) -> KioskApp:
    settings = replace(kiosk_settings(database_url=f"sqlite:///{db}", demo=False), default_language=PSEUDO)
    return KioskApp(settings, FixedClock(FIXED_NOW))


@pytest.fixture(scope="session")
def record_words(demo_template: Path) -> set[str]:
    """What the records hold, and the help articles (the trust's own content: each shown in English until the
    trust adds its translation under domain/help/articles/<language>/)."""
    from domain.help.articles import load

    articles = " ".join(f"{a.title} {a.body}" for a in load())
    return _record_words(demo_template) | _words(articles)


@pytest.mark.parametrize("kind, target, who", PAGES, ids=[p[1] for p in PAGES])
async def test_every_page_in_a_pseudo_language(demo_db, record_words: set[str], kind: str, target: str,
                                               who: str) -> None:
    app = pseudo_kiosk(demo_db)
    problems: list[str] = []
    try:
        async with app.run_test(size=(80, 150)) as pilot:
            await walk_to(kind, target, who, demo_db)(pilot)
            await settle(pilot)
            for width in (80, 48):
                await pilot.resize_terminal(width, 150)
                await pilot.pause()
                tables = list(app.screen.query(PlainTable))
                lists = list(app.screen.query(OptionList))  # a list scrolls: its options wrap, never cut off
                cells = "\n".join([*map(_table_text, tables), *map(_list_text, lists)])
                for table in tables:  # a table scrolls sideways: its cells are checked against their columns
                    problems += [f"at {width} columns, the {column.label} column of {target} cuts off {cell}"
                                 for column in table.columns.values() if not column.auto_width
                                 for cell in map(str, table.get_column(column.key))
                                 if PSEUDO_OPEN in cell and cell_len(cell) > column.width]
                for scrolling in [*tables, *lists]:
                    scrolling.display = False
                await pilot.pause()
                shown = shown_on_screen(app)
                for scrolling in [*tables, *lists]:
                    scrolling.display = True
                footer = " ".join(str(key.description) for key in app.screen.query("FooterKey"))
                typed = _words(" ".join(field.value for field in app.screen.query(Input)))
                left = _words(english_left("\n".join((shown, footer, cells)))) - record_words - KEYS - typed
                if left:
                    problems.append(f"at {width} columns, in English on {target}: {sorted(left)}")
                opened, closed = shown.count(PSEUDO_OPEN), shown.count(PSEUDO_CLOSE)
                if opened != closed:
                    problems.append(f"at {width} columns, {abs(opened - closed)} string(s) cut off on {target}:\n"
                                    f"{shown}")
    finally:
        languages.use(languages.ENGLISH)
    assert not problems, "\n".join(problems)


def test_the_template_holds_every_marked_string(tmp_path: Path) -> None:
    """`make messages` was run: what the code marks is what the template lists (a string marked but not extracted
    would never reach a translator)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = {**DEFAULT_KEYWORDS, "_t": (2,)}  # as the Makefile's `pybabel extract -k _t:2`
    marked: set[str] = set()
    for folder in ("domain", "screens", "portal_tui"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / folder, [("**.py", "python")],
                                                                           keywords=keywords):
            marked.add(message if isinstance(message, str) else message[0])
    listed = languages.template_messages()
    assert sorted(marked - listed) == [], "marked but not in domain/locale/portal.pot: run `make messages`"
    assert sorted(listed - marked) == [], "in the template but no longer marked: run `make messages`"


@pytest.mark.parametrize("code", languages.SHIPPED)
def test_each_catalogue_is_compiled_from_its_source(code: str) -> None:
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = ROOT / "domain" / "locale" / code / "LC_MESSAGES"
    with (folder / "portal.po").open("rb") as source, (folder / "portal.mo").open("rb") as compiled:
        written = {_key(m.id): _key(m.string) for m in read_po(source) if m.id and any(_key(m.string))
                   and not m.fuzzy}
        built = {_key(m.id): _key(m.string) for m in read_mo(compiled) if m.id}
    assert built == written, f"{code}: portal.mo is not compiled from portal.po: run `make messages`"


def _key(value: object) -> tuple[str, ...]:
    """A message's id or text as a tuple (a plural's forms are a list in one reader, a tuple in the other)."""
    return tuple(value) if isinstance(value, (list, tuple)) else (str(value),)
