"""The portal's two themes: NHS colours, and a high-contrast theme for people who need it."""

from __future__ import annotations

from textual.theme import Theme

PORTAL = Theme(
    name="portal",
    primary="#005EB8",  # NHS Blue
    secondary="#003087",  # NHS Dark Blue
    accent="#FFB81C",  # NHS Warm Yellow
    warning="#ED8B00",
    error="#D5281B",
    success="#007F3B",
    foreground="#212B32",
    background="#F0F4F5",
    surface="#FFFFFF",
    panel="#E8EDEE",
    dark=False,
    variables={
        "footer-background": "#003087",
        "footer-foreground": "#FFFFFF",
        "footer-key-foreground": "#FFEB3B",
        "footer-description-foreground": "#FFFFFF",
        "input-cursor-background": "#212B32",
    },
)

HIGH_CONTRAST = Theme(
    name="portal-high-contrast",
    primary="#FFFF00",
    secondary="#FFFFFF",
    accent="#00FFFF",
    warning="#FFFF00",
    error="#FF6E6E",
    success="#7CFC00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#000000",
    dark=True,
    variables={
        "footer-background": "#000000",
        "footer-foreground": "#FFFFFF",
        "footer-key-foreground": "#FFFF00",
        "footer-description-foreground": "#FFFFFF",
        # Nothing greyed out: muted text would defeat the point of this theme.
        "text-muted": "#FFFFFF",
        "border": "#FFFFFF",
    },
)

THEMES = (PORTAL, HIGH_CONTRAST)

ANSI_THEME = Theme(
    name="portal-ansi",
    # For terminals of 16 colours (TERM=xterm and the like). Text is in the terminal's own default colours —
    # whichever its user chose, light or dark, they read — and every coloured part is a pair of the
    # terminal's colours that reads on its own (bright white on blue, black on white), never a colour on the
    # terminal's default background, whose lightness no program can know. The NHS blues would round to cyan.
    ansi=True,
    primary="ansi_blue",
    secondary="ansi_blue",
    accent="ansi_default",
    warning="ansi_default",
    error="ansi_default",  # an error says "Error:" in words; its colour could not be known to read
    success="ansi_default",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    dark=True,
    variables={
        "text": "ansi_default",
        "ansi-background": "ansi_default",
        "ansi-foreground": "ansi_default",
        "footer-background": "ansi_blue",
        # Each key and its words on the footer's blue too, not on the terminal's own background.
        "footer-item-background": "ansi_blue",
        "footer-key-background": "ansi_blue",
        "footer-description-background": "ansi_blue",
        "footer-foreground": "ansi_bright_white",
        "footer-key-foreground": "ansi_bright_white",
        "footer-description-foreground": "ansi_bright_white",
        "text-muted": "ansi_default",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_white",
        "block-cursor-blurred-foreground": "ansi_black",
        "block-cursor-blurred-background": "ansi_white",
        "input-cursor-background": "ansi_default",
        "input-cursor-foreground": "ansi_default",
        "border": "ansi_default",
        "border-blurred": "ansi_default",
    },
)
