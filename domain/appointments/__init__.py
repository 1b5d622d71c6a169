"""Appointments and admissions: the booking, the rules for changing it, the changes."""
