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
