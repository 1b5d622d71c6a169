"""`make bench`, the kiosk's memory across visits (issue 36, finding 9): one kiosk process, VISITS patients signing
in, opening their appointments and signing out, one after another, at 80×24. Reports the growth per visit after a
warm-up — resident memory and what Python itself holds (tracemalloc) — and, with --trace, where it grows.

Goal: under 10 KiB a visit, flat after warm-up (the review measured about 245 KiB a visit)."""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import sys
import tempfile
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VISITS = int(os.environ.get("BENCH_VISITS", "500"))
WARM_UP = 50
TARGET_KIB = 10.0
PATIENTS = ("margaret.thompson@example.com", "leo.walker@example.com")


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def demo_database(folder: Path) -> Path:
    from sqlalchemy.orm import Session

    from data import schema
    from data.demo import load_demo
    from data.engine import make_engine
    from data.identity.passwords import Argon2Hasher
    from tests.conftest import FIXED_DAY

    path = folder / "portal.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    with Session(engine) as session:
        load_demo(session, FIXED_DAY, Argon2Hasher(fast=True))
        session.commit()
    engine.dispose()
    return path


async def visits(db: Path, count: int, trace: bool) -> list[tuple[int, int, int]]:
    """(visit, resident KiB, traced KiB) after each visit past the warm-up, every tenth."""
    from domain.clock import FixedClock
    from portal_tui.app import KioskApp
    from screens.common.appointments import AppointmentsScreen
    from screens.common.session_end import SessionEndedScreen
    from screens.kiosk.welcome import WelcomeScreen
    from tests.conftest import FIXED_NOW
    from tests.screens.flows import click_on, kiosk_settings, shown, signed_in

    clock = FixedClock(FIXED_NOW)
    # Hundreds of sign-ins in a few minutes: the per-mobile and per-terminal text limits raised for the bench.
    app = KioskApp(kiosk_settings(database_url=f"sqlite:///{db}", texts_per_mobile_hour=10**6,
                                  texts_per_mobile_day=10**6, texts_per_terminal_hour=10**6), clock)
    points: list[tuple[int, int, int]] = []
    baseline = None
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, WelcomeScreen)
        for visit in range(1, count + 1):
            clock.instant += timedelta(minutes=10)  # by the wall clock only: three codes a quarter-hour a patient
            await signed_in(pilot, db, PATIENTS[visit % len(PATIENTS)])
            await click_on(pilot, "#appointments")
            await shown(pilot, AppointmentsScreen)
            await pilot.press("escape")
            await click_on(pilot, "#sign-out")
            await shown(pilot, SessionEndedScreen)
            await click_on(pilot, "#done")  # "Back to the start", as the next patient would
            await shown(pilot, WelcomeScreen)
            if visit == WARM_UP:
                gc.collect()
                if trace:
                    tracemalloc.start(12)
                    baseline = tracemalloc.take_snapshot()
            if visit >= WARM_UP and visit % 10 == 0:
                gc.collect()
                traced = tracemalloc.get_traced_memory()[0] // 1024 if tracemalloc.is_tracing() else 0
                points.append((visit, rss_kib(), traced))
        if trace and baseline is not None:
            gc.collect()
            snapshot = tracemalloc.take_snapshot()
            for stat in snapshot.compare_to(baseline, "traceback")[:8]:
                print(f"{stat.size_diff / 1024:9.1f} KiB {stat.count_diff:+7d} blocks", file=sys.stderr)
                for line in stat.traceback.format()[-12:]:
                    print("      " + line, file=sys.stderr)
    return points


def per_visit(points: list[tuple[int, int]]) -> float:
    """The least-squares slope of (visit, KiB): growth per visit, robust to one collection's noise."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points) or 1
    return num / den


def main() -> int:
    trace = "--trace" in sys.argv
    folder = Path(tempfile.mkdtemp(prefix="portal-visits-"))
    try:
        db = demo_database(folder)
        points = asyncio.run(visits(db, VISITS, trace))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rss = per_visit([(v, r) for v, r, _ in points])
    half = points[len(points) // 2:]
    late = per_visit([(v, r) for v, r, _ in half])
    print(f"kiosk visits: {VISITS} (first {WARM_UP} warm-up); resident {points[0][1] // 1024} → "
          f"{points[-1][1] // 1024} MiB; growth per visit {rss:.1f} KiB (second half {late:.1f} KiB); target < "
          f"{TARGET_KIB:.0f} KiB: {'met' if rss < TARGET_KIB else 'NOT met'}")
    if trace:
        print(f"  Python's own (tracemalloc): {per_visit([(v, t) for v, _, t in points]):.1f} KiB per visit")
    return 0 if rss < TARGET_KIB else 1


if __name__ == "__main__":
    raise SystemExit(main())
