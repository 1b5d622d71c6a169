"""portal-tui: the hospital patient portal in a terminal. Kept empty so that starting the kiosk stays fast."""

__version__ = "0.1.0"
