"""The unit of work: one session, one transaction, per use case."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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
from data.identity.accounts import (
    SqlAccountRepository,
    SqlChallengeRepository,
    SqlCodeRepository,
    SqlInvitationRepository,
    SqlOutbox,
    SqlTrustRepository,
)
from data.limits import SqlLimitStore
from data.records.post_room import SqlPostRoomRepository
from data.staff.accounts import SqlStaffRepository
from data.staff.supervision import SqlSupervisionRepository
from data.support.reports import SqlSupportRepository
from domain.errors import Conflict, SystemBusy
from domain.limits import LimitRules


class SqlUnitOfWork:
    """`with uow: ...; uow.commit()` — leaving the block without commit rolls everything back."""

    def __init__(self, session_factory: sessionmaker[Session], rules: LimitRules | None = None,
                 terminal: str = "unknown terminal", limits_key: str = "") -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self._rules = rules or LimitRules()
        self._terminal = terminal
        self._limits_key = limits_key

    def __enter__(self) -> SqlUnitOfWork:
        self._session = self._session_factory()
        _repositories(self, self._session, self._rules, self._terminal, self._limits_key)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        session, self._session = self._session, None
        try:
            session.rollback()
            session.close()
        except DBAPIError:
            if exc is None:
                raise
            session.invalidate()  # the connection died with the use case; the pool gets a fresh one next time
        if exc is not None and is_busy(exc):
            # Locked, timed out, restarting or dropped: the transaction did not happen. The person is told
            # so in words and can try again; nothing is half-done.
            raise SystemBusy() from exc

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


class BoundUnitOfWork:
    """The repositories over a transaction someone else opened and will commit — the HL7 feed's, which stores
    the message and its change together: entering and leaving do nothing, and `commit` only flushes."""

    def __init__(self, session: Session, terminal: str = "hl7 feed") -> None:
        self.session = session
        _repositories(self, session, LimitRules(), terminal, "")

    def __enter__(self) -> BoundUnitOfWork:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def commit(self) -> None:
        self.session.flush()

    def rollback(self) -> None:
        raise RuntimeError("the feed's transaction is rolled back by its owner")  # pragma: no cover


def _repositories(uow: object, session: Session, rules: LimitRules, terminal: str, limits_key: str) -> None:
    for name, repository in (
            ("patients", SqlPatientRepository(session)), ("accounts", SqlAccountRepository(session)),
            ("invitations", SqlInvitationRepository(session)), ("codes", SqlCodeRepository(session)),
            ("challenges", SqlChallengeRepository(session)), ("trusts", SqlTrustRepository(session)),
            ("outbox", SqlOutbox(session)), ("appointments", SqlAppointmentRepository(session)),
            ("referrals", SqlReferralRepository(session)), ("documents", SqlDocumentRepository(session)),
            ("results", SqlResultRepository(session)), ("visits", SqlVisitRepository(session)),
            ("audit", SqlAuditLog(session, terminal)),
            ("limits", SqlLimitStore(session, rules, terminal, limits_key)), ("staff", SqlStaffRepository(session)),
            ("support", SqlSupportRepository(session)), ("supervision", SqlSupervisionRepository(session)),
            ("post_room", SqlPostRoomRepository(session))):
        setattr(uow, name, repository)


def is_busy(error: BaseException) -> bool:
    """A database that could not answer in time or went away, as opposed to a fault in the code."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        # SQLite calls a missing table an OperationalError too: only a lock is "busy".
        return any(word in str(error.orig).lower() for word in ("locked", "busy"))
    return True  # PostgreSQL: cannot connect, lock or statement timeout, terminated, shutting down


def session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions that do not expire on commit (domain objects are built before commit anyway), and do not
    autoflush: a unique rule then refuses at commit, where it becomes a Conflict, not at some later read."""
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)
