"""`make bench`, part 5: how long "Sign in" takes for a real, an unknown and a locked address (medians of 20).

The three must not be told apart by their time: the goal is each within 1.2x of the others. Real argon2id
parameters, a demo hospital on SQLite, the services the kiosk calls; the clock stands still so a lock holds."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.clock import FixedClock  # noqa: E402
from domain.errors import Refused  # noqa: E402
from domain.identifiers import EmailAddress  # noqa: E402
from portal_tui import bootstrap  # noqa: E402
from portal_tui.services import PortalServices  # noqa: E402
from portal_tui.settings import Settings  # noqa: E402
from tests.conftest import FIXED_DAY, FIXED_NOW  # noqa: E402

SAMPLES = 20
GOAL = 1.2


def timed(services: PortalServices, email: str) -> float:
    started = time.perf_counter()
    try:
        services.sign_in(EmailAddress.parse(email), "certainly not the password")
    except Refused:
        pass
    return time.perf_counter() - started


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-sign-in-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'portal.db'}", allow_drama_numbers=True)
    bootstrap.load_demo(settings, FIXED_DAY)
    services = PortalServices(settings, FixedClock(FIXED_NOW))
    with bootstrap.Database(settings).unit_of_work(read_only=True) as uow:
        from sqlalchemy import select

        from data.models import PatientAccountRow

        real = [str(e) for e in uow.session.scalars(select(PatientAccountRow.email).limit(SAMPLES + 1))]
    locked = real.pop()
    for _ in range(settings.sign_in_lock_after):
        timed(services, locked)
    timed(services, real[0])  # warm: the first argon2 call and the first query pay for imports
    runs = {
        "real address, wrong password": [timed(services, email) for email in real[:SAMPLES]],
        "unknown address": [timed(services, f"nobody{n}@example.org") for n in range(SAMPLES)],
        "locked address": [timed(services, locked) for _ in range(SAMPLES)],
    }
    medians = {name: statistics.median(times) for name, times in runs.items()}
    fastest = min(medians.values())
    print(f"Sign in, medians of {SAMPLES} (argon2id as in production, SQLite):")
    for name, median in medians.items():
        print(f"  {name:30} {median * 1000:7.1f} ms   x{median / fastest:.2f} the fastest")
    spread = max(medians.values()) / fastest
    print(f"  spread x{spread:.2f} (goal: at most x{GOAL})")
    return 0 if spread <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
