"""The unit of work: one session, one transaction, per use case."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from data.engine import READ_ONLY
from data.repositories import (
    SqlAppointmentRepository,
    SqlAuditLog,
    SqlDocumentRepository,
    SqlPatientRepository,
    SqlReferralRepository,
    SqlResultRepository,
    SqlVisitRepository,
    constraint_name,
)
from data.repositories_accounts import (
    SqlAccountRepository,
    SqlChallengeRepository,
    SqlCodeRepository,
    SqlInvitationRepository,
    SqlOutbox,
    SqlTrustRepository,
)
from domain.errors import Conflict


class SqlUnitOfWork:
    """`with uow: ...; uow.commit()` — leaving the block without commit rolls everything back."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._session = self._session_factory()
        self.patients = SqlPatientRepository(self._session)
        self.accounts = SqlAccountRepository(self._session)
        self.invitations = SqlInvitationRepository(self._session)
        self.codes = SqlCodeRepository(self._session)
        self.challenges = SqlChallengeRepository(self._session)
        self.trusts = SqlTrustRepository(self._session)
        self.outbox = SqlOutbox(self._session)
        self.appointments = SqlAppointmentRepository(self._session)
        self.referrals = SqlReferralRepository(self._session)
        self.documents = SqlDocumentRepository(self._session)
        self.results = SqlResultRepository(self._session)
        self.visits = SqlVisitRepository(self._session)
        self.audit = SqlAuditLog(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        self._session.rollback()
        self._session.close()
        self._session = None

    @property
    def session(self) -> Session:
        """The open session, for code inside data/ (the demo loader, importers)."""
        assert self._session is not None, "use the unit of work inside a with block"
        return self._session

    def commit(self) -> None:
        """Commit; a unique or check rule that refuses it becomes the domain's Conflict."""
        try:
            self.session.commit()
        except IntegrityError as error:
            self.session.rollback()
            raise Conflict(constraint_name(error)) from error

    def rollback(self) -> None:
        self.session.rollback()


def session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions that do not expire on commit (domain objects are built before commit anyway), and do not
    autoflush: a unique rule then refuses at commit, where it becomes a Conflict, not at some later read."""
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)
