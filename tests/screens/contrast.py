"""Contrast measured on the frame a person sees (issue 20): every character's colour against what is behind it,
as WCAG 2.2 defines contrast, in truecolor, in 256 colours and in the 16 colours of the terminal's own palette."""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color, ColorSystem
from rich.terminal_theme import DEFAULT_TERMINAL_THEME, TerminalTheme

LIGHT = DEFAULT_TERMINAL_THEME
"""A terminal of black on white, with the VGA palette (Rich's default)."""
DARK = TerminalTheme((0, 0, 0), (229, 229, 229), [tuple(c) for c in LIGHT.ansi_colors._colors[:8]],
                     [tuple(c) for c in LIGHT.ansi_colors._colors[8:]])
"""The same palette with light grey on black: a 16-colour theme must read on either, for it uses the terminal's
own default colours where Textual does (a text box, a plain button)."""

TEXT, CONTROL = 4.5, 3.0
"""WCAG 2.2 AA: text 4.5:1 (1.4.3); the parts of a control that say it is one, 3:1 (1.4.11)."""


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def shown_as(color: Color | None, system: ColorSystem, *, foreground: bool,
             terminal: TerminalTheme = LIGHT) -> tuple[int, int, int]:
    """The colour a terminal of `system` draws: truecolor as is, 256 by xterm's palette, 16 by the terminal's."""
    if color is None or color.is_default:
        default = terminal.foreground_color if foreground else terminal.background_color
        return tuple(default)  # type: ignore[return-value]
    drawn = color.downgrade(system)
    return tuple(drawn.get_truecolor(terminal, foreground=foreground))  # type: ignore[return-value]


def contrast(fg: Color | None, bg: Color | None, system: ColorSystem) -> float:
    """Text on its background; in 16 colours the worse of a light and a dark terminal."""
    terminals = (LIGHT, DARK) if system == ColorSystem.STANDARD else (LIGHT,)
    return min(ratio(shown_as(fg, system, foreground=True, terminal=t),
                     shown_as(bg, system, foreground=False, terminal=t)) for t in terminals)


def change(was: Color | None, now: Color | None, system: ColorSystem, *, foreground: bool) -> float:
    """One colour against another it replaced; in 16 colours the worse of a light and a dark terminal."""
    terminals = (LIGHT, DARK) if system == ColorSystem.STANDARD else (LIGHT,)
    return min(ratio(shown_as(was, system, foreground=foreground, terminal=t),
                     shown_as(now, system, foreground=foreground, terminal=t)) for t in terminals)


@dataclass(frozen=True)
class Pair:
    text: str
    line: int
    ratio: float


BOX = set("▔▁▊▎▌▐█│─┄▀▄╭╮╰╯━┃┏┓┗┛")
"""The edges of boxes and the strokes of a chart: drawn, not read."""


def text_pairs(app, system: ColorSystem) -> list[Pair]:  # type: ignore[no-untyped-def]
    """Every run of visible characters on the page, with the contrast of its colour on its background. Over a
    dialog, only the dialog: the page behind it is dimmed on purpose and cannot be used until it closes."""
    from textual.screen import ModalScreen

    area = app.screen.children[0].region if isinstance(app.screen, ModalScreen) else app.screen.region
    pairs = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        x = 0
        for segment in strip:
            text, style, start = segment.text, segment.style, x
            x += len(text)
            if style is None or not text.strip() or set(text.strip()) <= BOX:
                continue
            if not area.contains(start, y):
                continue
            fg, bg = style.color, style.bgcolor
            if style.reverse:
                fg, bg = bg, fg
            measured = contrast(fg, bg, system)
            if measured < 1.01 and not any(c.isalnum() for c in text):
                continue  # a glyph drawn in its background's colour is not there: an unchosen radio button's dot
            pairs.append(Pair(text.strip(), y, measured))
    return pairs


Cell = tuple[str, "Color | None", "Color | None"]


def cells(app, rows: range | None = None) -> list[list[Cell]]:  # type: ignore[no-untyped-def]
    """The frame as a grid of (character, colour, background), reverse video undone; only `rows` filled in
    (the others left empty), when given."""
    grid = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        row: list[Cell] = []
        if rows is not None and y not in rows:
            grid.append(row)
            continue
        for segment in strip:
            style = segment.style
            fg, bg = (style.color, style.bgcolor) if style else (None, None)
            if style is not None and style.reverse:
                fg, bg = bg, fg
            for character in segment.text:
                row.append((character, fg, bg))
        grid.append(row)
    return grid


def focus_contrast(before: list[list[Cell]], after: list[list[Cell]], region, system: ColorSystem) -> float:  # type: ignore[no-untyped-def]
    """How far the focus shows (WCAG 2.4.13): the best contrast, over the control's cells that changed when it
    took the focus, between what the cell showed before and after (0 when nothing changed)."""
    best = 0.0
    for y in range(region.y, min(region.bottom, len(after), len(before))):
        for x in range(region.x, min(region.right, len(after[y]), len(before[y]))):
            old, new = before[y][x], after[y][x]
            if old == new:
                continue
            for was, now, foreground in ((old[2], new[2], False), (old[1], new[1], True)):
                if (old[0].strip() or not foreground) and (new[0].strip() or not foreground):
                    best = max(best, change(was, now, system, foreground=foreground))
            # A character drawn where there was none (or gone): its colour against the background it is on.
            if bool(old[0].strip()) != bool(new[0].strip()):
                char = new if new[0].strip() else old
                best = max(best, contrast(char[1], char[2], system))
    return best
