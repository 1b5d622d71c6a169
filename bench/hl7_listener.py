"""`make bench`, part 6: the HL7 listener, in messages per second through a real `portal-tui hl7 listen`.

Each message is stored, acted on and committed before its ACK goes back. One MLLP client sends the messages one
after another (each waits for its ACK, as a PAS does); then 8 clients at once. The floor, measured in the same
run: parsing the same messages with python-hl7 alone. SQLite always; PostgreSQL too when PORTAL_TEST_POSTGRES_URL
is set. The goal is at least 0.3x the parse rate."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import hl7
import hl7.mllp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import postgres_database  # noqa: E402
from data.demo.builder import REFERENCE  # noqa: E402

PORTAL = str(Path(sys.executable).with_name("portal-tui"))
COUNT = 800
CLIENTS = 8
GOAL = 0.3


def batch(tag: str) -> list[str]:
    """New patients (A28), then updates to them (A08) and a transfer the portal ignores (A02), in turn."""
    out = []
    for n in range(COUNT):
        event = ("A28", "A08", "A02")[n % 3] if n >= 3 else "A28"
        who = n - n % 3 if event != "A28" else n
        out.append(f"MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124101500||ADT^{event}|{tag}{n:05d}|P|2.4\r"
                   f"EVN|{event}|20261124101500\r"
                   f"PID|1||RWG5{tag}{who:05d}^^^RWG^MR||BENCH^B{who}||19700101|F|||^^^^WD18 0HB||"
                   f"07700 900{n % 1000:03d}^PRN^CP\rPV1|1|N\r")
    return out


def parse_floor(messages: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for message in messages:
            hl7.parse(message)
        best = min(best, time.perf_counter() - started)
    return len(messages) / best


async def _client(port: int, messages: list[str]) -> None:
    """A PAS's interface engine: the messages are made before the clock starts (a PAS has them already), each
    sent and its ACK read back before the next."""
    reader, writer = await hl7.mllp.open_hl7_connection("127.0.0.1", port)
    for block in [message.encode() for message in messages]:
        writer.writeblock(block)
        await writer.drain()
        ack = await asyncio.wait_for(reader.readblock(), 30)
        assert b"MSA|AA|" in ack, ack
    writer.close()


def _through(port: int, messages: list[str], clients: int) -> float:
    """Each client sends whole patients (an A28 and the messages about the same person after it), in order."""
    shares: list[list[str]] = [[] for _ in range(clients)]
    for n, message in enumerate(messages):
        shares[(n // 3) % clients].append(message)

    async def everyone() -> None:
        await asyncio.gather(*(_client(port, share) for share in shares))

    started = time.perf_counter()
    asyncio.run(everyone())
    return len(messages) / (time.perf_counter() - started)


def run(name: str, url: str, floor: float) -> bool:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}, "PORTAL_DATABASE_URL": url,
           "PORTAL_HL7_SENDERS": "PAS^RWG"}
    subprocess.run([PORTAL, "reference", "load", str(REFERENCE)], env=env, check=True, capture_output=True)
    process = subprocess.Popen([PORTAL, "hl7", "listen", "--port", "0"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    port = int(process.stdout.readline().rsplit(":", 1)[1])
    drain = subprocess.Popen(["cat"], stdin=process.stdout, stdout=subprocess.DEVNULL)  # the per-message log
    met = True
    try:
        for clients, tag in ((1, "S"), (CLIENTS, "C")):
            rate = _through(port, batch(tag), clients)
            ratio = rate / floor
            met &= ratio >= GOAL
            print(f"    {name:<10} {clients} client{'s' if clients > 1 else ' '} {rate:7.0f} messages/s  "
                  f"(x{ratio:4.2f} the parse floor; goal x{GOAL})")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        drain.wait(timeout=10)
    return met


def main() -> int:
    messages = batch("F")
    floor = parse_floor(messages)
    print(f"HL7 listener ({COUNT} messages a run: A28 adds, A08 updates, A02 ignored; each committed before its ACK)")
    print(f"    floor: python-hl7 parse alone {floor:8.0f} messages/s")
    with tempfile.TemporaryDirectory() as folder:
        met = run("SQLite", f"sqlite:///{folder}/feed.db", floor)
    admin_url = os.environ.get("PORTAL_TEST_POSTGRES_URL")
    if not admin_url:
        print("    PostgreSQL skipped: set PORTAL_TEST_POSTGRES_URL to measure it too")
        return 0
    with postgres_database(admin_url, "portal_bench_hl7") as url:
        met &= run("PostgreSQL", url, floor)
    if not met:
        print("    below the goal (see the figures above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
