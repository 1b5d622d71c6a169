"""The Appointments team's desk: staff sign-in, find a patient, their record, the idle cover."""
