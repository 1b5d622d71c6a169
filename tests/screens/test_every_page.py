"""Every kiosk page, each walked to once on a tour of its flow (issue 20): what it says aloud is what it shows, in
order, then its focused control; Tab reaches every control and comes back round (no trap), Shift+Tab walks the same
way back; at every stop the terminal's cursor is on the control with the focus (braille displays and magnifiers
follow it); and contrast is measured on the frames: every text 4.5:1 on its background and the focus 3:1 against
what the control showed before it, in each theme — default, high contrast, and the 16-colour one — in truecolor, 256
and 16 colours. (That every stop scrolls into view at 48×16 as it takes the focus is checked on every page in the
pseudo-language, whose longer words are the harder case: test_languages.)"""

from __future__ import annotations

import pytest
from textual.widgets import Button, Checkbox, Input, OptionList, RadioSet, Select

from domain.speech import spoken as spoken_words
from screens.common.table import PlainTable
from screens.common.text import Plain
from screens.common.widgets import Field
from rich.color import ColorSystem

from tests.screens.contrast import CONTROL, TEXT, cells, focus_contrast, text_pairs
from tests.screens.flows import settle
from tests.screens.pages import SETTINGS, TOURS, step
from tests.screens.test_speech import ROLE_WORDS, TALL, _words, shown_on_screen, speaking_kiosk

TRUE, EIGHT, SIXTEEN = ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT, ColorSystem.STANDARD
THEMES = {"portal": (TRUE, EIGHT), "portal-high-contrast": (TRUE, EIGHT), "portal-ansi": (SIXTEEN,)}
"""Each theme in the colours it can be shown in: a 16-colour terminal gets portal-ansi, its own black and white,
and F2 there keeps it (high contrast is for the terminals that can show the NHS colours)."""
CONTROLS = (Button, Input, OptionList, RadioSet, Select, Checkbox, PlainTable)


def _shown(widget) -> bool:  # type: ignore[no-untyped-def]
    return all(node.display and node.visible for node in widget.ancestors_with_self if hasattr(node, "display"))


def _cursor_on(app, widget) -> bool:  # type: ignore[no-untyped-def]
    app.place_cursor()  # what the app does after each key and each layout
    return widget.region.contains_point(app.cursor_position)


@pytest.mark.parametrize("tour, who, pages", TOURS, ids=[t[0] for t in TOURS])
async def test_every_page(demo_db, tour: str, who: str, pages: list[str]) -> None:
    app, spoken = speaking_kiosk(demo_db, **SETTINGS.get(tour, {}))
    async with app.run_test(size=TALL) as pilot:
        await pilot.pause()  # the welcome screen is still being composed
        for target in pages:
            await step(pilot, target, demo_db, who)
            await settle(pilot)
            await check_page(app, pilot, target)
    assert spoken.said, "nothing was said"


async def check_page(app, pilot, target: str) -> None:  # type: ignore[no-untyped-def]
    """One page's checks, leaving it as it came (the focus back where it was) for the tour's next step. The
    focus is measured going forward in the theme the page came in and back in the other of the two with the NHS
    colours; each page ends in the other theme from the one it began in (a switch costs a second)."""
    screen = app.screen
    assert app.narrator is not None
    said = app.narrator.page(screen)  # what the page said when it came (its focus may have moved since)
    shown = shown_on_screen(app)
    typed_secrets = set().union(*(_words(f.value) for f in screen.query(Field) if f.secret))
    # A picture (the trend chart) is said as the words it gives for itself, not as its dots.
    described = set().union(*(_words(w.spoken_text()) for w in screen.query(Plain) if hasattr(w, "spoken_text")))
    first = app.theme if app.theme in ("portal", "portal-high-contrast") else "portal"
    other = "portal-high-contrast" if first == "portal" else "portal"
    if app.theme != first:
        app.theme = first
        await pilot.pause()

    faint: list[tuple[str, str, str, float]] = []

    def measure_text(theme: str) -> None:  # the theme in force, in each colour system it is shown in
        faint.extend((theme, system.name, p.text[:30], round(p.ratio, 2)) for system in THEMES[theme]
                     for p in text_pairs(app, system) if p.ratio < TEXT)

    measure_text(first)

    # Tab: round every control and back to the start; Shift+Tab the same stops in reverse.
    chain = list(screen.focus_chain)
    start = screen.focused
    controls = [w for w in screen.query("*") if isinstance(w, CONTROLS) and _shown(w) and not w.disabled
                and not isinstance(w.parent, (RadioSet, Select))]
    forward, cursor_misses = [], []
    if target == "idle-warning":  # any key there is the patient carrying on: the warning goes (WCAG 2.2.1)
        for theme in (other, "portal-ansi"):  # measured first, while the warning is up
            app.theme = theme
            await pilot.pause()
            measure_text(theme)
        app.theme = first
        await pilot.pause()
        await pilot.press("tab")
        app.check_inactivity()  # the kiosk's own once-a-second look
        await settle(pilot)
        assert app.screen is not screen and app.patient_session is not None
        chain = []
    unseen = []

    async def step(key: str, theme: str) -> None:
        was = screen.focused
        ahead = chain[(chain.index(was) + (1 if key == "tab" else -1)) % len(chain)] if was in chain else None
        rows = range(ahead.region.y, ahead.region.bottom) if ahead is not None else None
        before = cells(app, rows)  # the rows of the control the key will focus (the chain says which)
        await pilot.press(key)
        await pilot.pause()
        focused = screen.focused
        if focused is None:
            return
        if focused is was:  # the page's only control: its focus against no focus
            screen.set_focus(None)
            await pilot.pause()
            before = cells(app)
            screen.set_focus(focused)
            await pilot.pause()
        elif focused is not ahead:
            before = []  # the page scrolled or changed: measured against nothing is measured as unseen
        if not _cursor_on(app, focused):
            cursor_misses.append(focused)
        after = cells(app, range(focused.region.y, focused.region.bottom))
        unseen.extend((theme, system.name, focused, round(shown, 2)) for system in THEMES[theme]
                      if (shown := focus_contrast(before, after, focused.region, system)) < CONTROL)

    for _ in range(len(chain)):
        await step("tab", first)
        forward.append(screen.focused)
    backward = []
    if chain:
        app.theme = other  # the way back measures the other theme
        await pilot.pause()
        measure_text(other)
        for _ in range(len(chain)):
            await step("shift+tab", other)
            backward.append(screen.focused)
        # The 16-colour theme's text; the next page begins in the other theme (ending in the theme it came in
        # would cost a third switch).
        app.theme = "portal-ansi"
        await pilot.pause()
        measure_text("portal-ansi")
        app.theme = other
        # A large terminal font (48×16), each stop scrolled into view as it takes the focus: the pseudo-language
        # walk of every page checks that at 80×24 and 48×16 with its longer words (test_languages).
    assert not chain or app.screen is screen, "a Tab left the page"

    unsaid = _words(spoken_words(shown)) - _words(said) - typed_secrets  # masked numbers compared as said
    assert not unsaid, f"shown but never said on {target}: {sorted(unsaid)}\n--- said:\n{said}\n--- shown:\n{shown}"
    invented = {w for w in _words(said) - _words(shown) - ROLE_WORDS - described if not w.isdigit()}
    assert not invented, f"said but not shown on {target}: {sorted(invented)}\n--- said:\n{said}"
    assert not faint, f"text below {TEXT}:1 on {target}: {faint}"

    if target == "idle-warning":
        return
    assert chain, f"nothing on {target} takes the focus"
    unreached = [w for w in controls if w not in forward]
    assert not unreached, f"Tab never reaches {unreached} on {target}"
    assert forward[-1] is start, f"Tab does not come back round on {target}: {forward}"
    assert backward == list(reversed([start, *forward[:-1]])), f"Shift+Tab is not Tab backwards on {target}"
    assert not cursor_misses, f"the cursor is not on {cursor_misses} on {target}"
    assert not unseen, f"the focus shows less than {CONTROL}:1 on {target}: {unseen}"
