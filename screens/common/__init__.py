"""Widgets and pages the kiosk and the desk both show, and the one safe path for text."""
