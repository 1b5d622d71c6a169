"""Errors the rules raise; each carries a sentence fit to show a person."""


class DomainError(Exception):
    """Base for every rule-level error; `str(error)` is written for the person at the screen."""


class InvalidValue(DomainError, ValueError):
    """Something a person typed, or a file held, is not a valid value of its kind."""


class AccessDenied(DomainError):
    """The acting session may not see or change this record."""


class InvalidTransition(DomainError):
    """An appointment cannot move from its current status by the requested event."""


class NotFound(DomainError):
    """The record asked for does not exist (or is not visible to the session)."""


class Conflict(DomainError):
    """Another terminal changed the same thing first (a unique rule in the database said no)."""

    def __init__(self, constraint: str) -> None:
        super().__init__("Someone else changed this at the same moment. Please try again.")
        self.constraint = constraint
        """The database constraint that refused the change, for the use case to interpret."""


class Refused(DomainError):
    """A request the rules turn down; the message is the whole of what the screen says."""


class SystemBusy(DomainError):
    """The database could not be reached in time (another terminal's write, a backup, a restart): nothing changed."""

    def __init__(self) -> None:
        from domain.language import _

        super().__init__(_("The system is busy. Nothing has been changed. Please try again in a moment."))
