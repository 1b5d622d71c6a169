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
    # For terminals of 16 colours (TERM=xterm and the like): the terminal's own colours, paired so that text
    # is always black or white on them — never white on cyan, which the NHS blues round to there.
    ansi=True,
    primary="ansi_blue",
    secondary="ansi_blue",
    accent="ansi_yellow",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    # Black and white of the terminal's own, not its default colours: the contrast is then known (21:1).
    foreground="ansi_bright_white",
    background="ansi_black",
    surface="ansi_black",
    panel="ansi_black",
    boost="ansi_black",
    dark=True,
    variables={
        "text": "ansi_bright_white",
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_bright_white",
        "footer-background": "ansi_blue",
        "footer-foreground": "ansi_bright_white",
        "footer-key-foreground": "ansi_bright_yellow",
        "footer-description-foreground": "ansi_bright_white",
        "text-muted": "ansi_white",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_white",
        "input-cursor-background": "ansi_white",
        "input-cursor-foreground": "ansi_black",
        "border": "ansi_white",
        "border-blurred": "ansi_white",
    },
)
