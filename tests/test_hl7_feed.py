"""The HL7 v2 feed as a PAS meets it: a real `portal-tui hl7 listen` on a loopback port, two MLLP clients
sending at once (each ACK read back), a resend, SIGTERM ending it cleanly; and `hl7 ingest --json`/`hl7 list`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from pathlib import Path

import hl7
import hl7.mllp

from tests.data.test_hl7_receive import A02
from tests.test_cli import PORTAL, assert_one_line, command


def _listener(env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    process = subprocess.Popen([PORTAL, "hl7", "listen", "--port", "0"], env={**base, **env},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "Listening for HL7 v2 over MLLP on 127.0.0.1:" in line, line
    return process, int(line.rsplit(":", 1)[1])


async def _send(port: int, texts: list[str]) -> list[str]:
    reader, writer = await hl7.mllp.open_hl7_connection("127.0.0.1", port)
    acks = []
    for text in texts:
        writer.writemessage(hl7.parse(text))
        await writer.drain()
        acks.append(str(await asyncio.wait_for(reader.readmessage(), 10)))
    writer.close()
    return acks


def test_two_clients_at_once_a_resend_and_a_clean_stop(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert command("db", "upgrade", env=env).returncode == 0
    process, port = _listener(env)
    try:
        ones = [A02.replace("MSG0001", f"A{n:04d}") for n in range(5)]
        twos = [A02.replace("MSG0001", f"B{n:04d}") for n in range(5)] + [A02.replace("MSG0001", "B0000")]

        async def both() -> list[list[str]]:
            return await asyncio.gather(_send(port, ones), _send(port, twos))

        first, second = asyncio.run(both())
        assert [a.split("\r")[1] for a in first] == [f"MSA|AA|A{n:04d}" for n in range(5)]
        assert second[-1].split("\r")[1] == "MSA|AA|B0000"  # the resend is acknowledged again
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, out
    assert "Stopped after 11 messages." in out and "B0000 duplicate" in out
    listed = command("hl7", "list", "--status", "duplicate", env=env)
    assert listed.returncode == 0 and "B0000" in listed.stdout and listed.stdout.count("\n") == 1


def test_ingest_reports_in_json_and_by_its_exit_code(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert command("db", "upgrade", env=env).returncode == 0
    good = tmp_path / "good.hl7"
    good.write_text(A02.replace("\r", "\n"))
    done = command("hl7", "ingest", str(good), "--json", env=env)
    assert done.returncode == 0 and json.loads(done.stdout) == {
        "accepted": 0, "ignored": 1, "duplicate": 0, "refused": 0, "invitations": 0, "refusals": []}
    bad = tmp_path / "bad.hl7"
    bad.write_text(A02.replace("MARGARET", "MAGGIE"))
    refused = command("hl7", "ingest", str(good), str(bad), env=env)
    assert refused.returncode == 1
    assert "Read 2 messages: 0 accepted, 0 ignored, 1 duplicates, 1 refused; 0 registration invitations" in refused.stdout
    assert "control id reused" in refused.stdout
    assert_one_line(command("hl7", "retry", "999", env=env), "There is no refused message 999")
    again = command("hl7", "retry", "3", env=env)  # the reused id: still refused, so exit 1
    assert again.returncode == 1 and "control id reused" in again.stdout


def _frame(text: str) -> bytes:
    return b"\x0b" + text.encode() + b"\x1c\r"


def _ack_of(sock) -> str:  # type: ignore[no-untyped-def]
    data = b""
    while not data.endswith(b"\x1c\r"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data.decode()


def test_a_listener_killed_at_any_moment_loses_nothing_and_does_nothing_twice(database_url: str) -> None:
    """SIGKILL mid-stream, five times, at a random moment after a message is sent: the sender resends what it
    has no ACK for (as a PAS does), to a restarted listener. Every message is then acted on exactly once —
    each A28 made one patient — and every ACK received was for a message that is in the database."""
    import random
    import socket

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from data.demo.builder import REFERENCE
    from data.engine import make_engine
    from data.models import Hl7MessageRow, PatientRow

    env = {"PORTAL_DATABASE_URL": database_url}
    assert command("reference", "load", str(REFERENCE), env=env).returncode == 0
    total, kills = 40, set(random.Random(7).sample(range(3, 38), 5))
    texts = [(f"MSH|^~\\&|PAS|RWG|PORTAL|RWG|20261124101500||ADT^A28|K{n:04d}|P|2.4\r"
              f"PID|1||RWG6{n:06d}^^^RWG^MR||KILLTEST^K{n}||19700101\r") for n in range(total)]
    acknowledged: set[str] = set()
    process, port = _listener(env)
    try:
        n = 0
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        while n < total:
            try:
                sock.sendall(_frame(texts[n]))
                if n in kills:
                    kills.discard(n)
                    import time

                    time.sleep(random.random() * 0.02)  # anywhere from before the commit to after the ACK
                    process.kill()
                    process.wait(timeout=10)
                    raise ConnectionError("killed")
                ack = _ack_of(sock)
                assert f"MSA|AA|K{n:04d}" in ack, ack
                acknowledged.add(f"K{n:04d}")
                n += 1
            except (ConnectionError, OSError):
                sock.close()
                process, port = _listener(env)
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)  # and resend message n
        sock.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            accepted = session.execute(select(Hl7MessageRow.control_id, func.count()).where(
                Hl7MessageRow.outcome == "accepted").group_by(Hl7MessageRow.control_id)).all()
            assert sorted(accepted) == [(f"K{n:04d}", 1) for n in range(total)]
            assert acknowledged == {f"K{n:04d}" for n in range(total)}
            made = session.scalar(select(func.count()).select_from(PatientRow).where(
                PatientRow.family_name == "KILLTEST"))
            assert made == total
    finally:
        engine.dispose()
