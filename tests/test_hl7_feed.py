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


PAS = {"PORTAL_HL7_SENDERS": "PAS^RWG"}
"""The sending system the tests' messages come from, named in the listener's settings."""


def _listener(env: dict[str, str], says: str = "Listening for HL7 v2 over MLLP on 127.0.0.1:"
              ) -> tuple[subprocess.Popen[str], int]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    process = subprocess.Popen([PORTAL, "hl7", "listen", "--port", "0"], env={**base, **PAS, **env},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert says in line, line
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
    lines = listed.stdout.splitlines()
    assert listed.returncode == 0 and lines[0] == "In all: 1 duplicate" + lines[0].removeprefix(
        "In all: 1 duplicate")  # the counts of every message first
    assert "10 ignored" in lines[0] and len(lines) == 2 and "B0000" in lines[1]


def test_ingest_reports_in_json_and_by_its_exit_code(tmp_path: Path) -> None:
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    assert command("db", "upgrade", env=env).returncode == 0
    good = tmp_path / "good.hl7"
    good.write_text(A02.replace("\r", "\n"))
    unnamed = command("hl7", "ingest", str(good), "--json", env=env)  # no sender named: nothing is anyone's
    assert unnamed.returncode == 1 and "not a sending system the settings name" in unnamed.stdout
    env["PORTAL_HL7_SENDERS"] = "PAS^RWG"
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
    again = command("hl7", "retry", "4", env=env)  # the reused id: still refused, so exit 1
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


def _a28(control: str, sender: str = "PAS|RWG", mobile: str = "07700900123") -> str:
    return (f"MSH|^~\\&|{sender}|PORTAL|RWG|20261124101500||ADT^A28|{control}|P|2.4\r"
            f"PID|1||RWG7000001^^^RWG^MR||DOORTEST^DORA||19700101|F|||1 High St^^Watford^^WD18 0HB||^PRN^CP^^^^^^^^^{mobile}\r")


def _rows(database_url: str) -> list[tuple[str, str, str]]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from data.engine import make_engine
    from data.models import Hl7MessageRow

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return [tuple(r) for r in session.execute(select(  # type: ignore[misc]
                Hl7MessageRow.sender, Hl7MessageRow.control_id, Hl7MessageRow.outcome).order_by(Hl7MessageRow.id))]
    finally:
        engine.dispose()


def test_the_listener_takes_only_what_the_trust_names_and_no_message_stalls_it(tmp_path: Path) -> None:
    """An A31 from a sender the settings do not name is refused at the door (AR, nothing stored or changed); a
    message too large, one with no trigger event and noise between frames each get their AR and the feed goes
    on; connections are capped and idle ones closed."""
    import socket
    import time

    url = f"sqlite:///{tmp_path}/p.db"
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_HL7_IDLE_SECONDS": "5", "PORTAL_HL7_CONNECTIONS": "3",
           "PORTAL_HL7_LARGEST_MESSAGE_KIB": "16"}
    from data.demo.builder import REFERENCE

    assert command("db", "upgrade", env=env).returncode == 0
    assert command("reference", "load", str(REFERENCE), env=env).returncode == 0
    process, port = _listener(env)
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(_frame(_a28("D1")))
        assert "MSA|AA|D1" in _ack_of(sock)
        stranger = _a28("D2", sender="WHOEVER|XYZ", mobile="07700900999").replace("ADT^A28", "ADT^A31")
        sock.sendall(_frame(stranger))
        ack = _ack_of(sock)
        assert "MSA|AR|D2|WHOEVER\\S\\XYZ is not a sending system this portal takes messages from" in ack, ack
        poison = _a28("D3").replace("ADT^A28", "ADT")
        sock.sendall(b"noise outside any frame" + _frame(poison))
        assert "MSA|AR|D3|" in (ack := _ack_of(sock)) and "trigger event" in ack, ack
        sock.sendall(_frame(_a28("D4") + "NTE|1||" + "x" * 40_000 + "\r"))
        assert "MSA|AR|D4|the message is" in (ack := _ack_of(sock)) and "larger than the 16384" in ack, ack
        sock.sendall(_frame(A02))  # and the feed goes on
        assert "MSA|AA|MSG0001" in _ack_of(sock)
        others = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
        assert others[-1].recv(1) == b""  # a fourth connection: closed at once
        started = time.monotonic()
        assert others[0].recv(1) == b"" and time.monotonic() - started < 9  # an idle one: closed after 5 s
        for other in others:
            other.close()
        sock.close()
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert out.count("messages from WHOEVER^XYZ refused") == 1 and "already serving 3 connections" in out
    assert _rows(url) == [("PAS^RWG", "D1", "accepted"), ("unknown", "D3", "refused"),
                          ("PAS^RWG", "MSG0001", "ignored")]  # the stranger's message was never stored
    from data.engine import make_engine
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT mobile FROM patient WHERE family_name = 'DOORTEST'")) != "+447700900999"
    engine.dispose()


def test_the_listener_closes_addresses_it_was_not_told_of_and_will_not_start_without_senders(tmp_path: Path) -> None:
    import socket

    url = f"sqlite:///{tmp_path}/p.db"
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_HL7_NETWORKS": "10.20.0.0/16"}
    assert command("db", "upgrade", env=env).returncode == 0
    refused = command("hl7", "listen", "--port", "0", env=env)  # no senders named
    assert_one_line(refused, "PORTAL_HL7_SENDERS")
    process, port = _listener(env)
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            sock.sendall(_frame(_a28("N1")))
            assert sock.recv(1) == b""
        except ConnectionResetError:
            pass  # closed before what it sent was read: no ACK either way
        sock.close()
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert "closed: not an address the settings name" in out and _rows(url) == []


def _certificates(folder: Path) -> dict[str, Path]:
    """A trust's CA, the listener's certificate and a sender's client certificate, all made here (PEM files)."""
    from datetime import UTC, datetime, timedelta
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)

    def made(name: str, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None, *, ca: bool = False,
             usage: x509.ObjectIdentifier | None = None) -> tuple[x509.Name, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        signer_name, signer_key = issuer or (subject, key)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(signer_name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
                   .not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if usage is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        if usage == ExtendedKeyUsageOID.SERVER_AUTH:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        certificate = builder.sign(signer_key, hashes.SHA256())
        (folder / f"{name}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        (folder / f"{name}.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                               serialization.PrivateFormat.PKCS8,
                                                               serialization.NoEncryption()))
        return subject, key

    ca = made("trust-ca", None, ca=True)
    made("listener", ca, usage=ExtendedKeyUsageOID.SERVER_AUTH)
    made("pas", ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    made("stranger", None, usage=ExtendedKeyUsageOID.CLIENT_AUTH)  # signed by no one the trust knows
    return {name: folder / name for name in ("trust-ca", "listener", "pas", "stranger")}


def test_mllp_over_tls_takes_only_senders_with_the_trusts_certificates(tmp_path: Path) -> None:
    import socket
    import ssl

    files = _certificates(tmp_path)
    url = f"sqlite:///{tmp_path}/p.db"
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_HL7_TLS_CERTIFICATE": f"{files['listener']}.pem",
           "PORTAL_HL7_TLS_KEY": f"{files['listener']}.key", "PORTAL_HL7_TLS_CLIENT_CA": f"{files['trust-ca']}.pem"}
    assert command("db", "upgrade", env=env).returncode == 0
    process, port = _listener(env, says="Listening for HL7 v2 over MLLP over TLS on 127.0.0.1:")

    def client(name: str | None) -> ssl.SSLSocket:
        context = ssl.create_default_context(cafile=f"{files['trust-ca']}.pem")
        if name is not None:
            context.load_cert_chain(f"{files[name]}.pem", f"{files[name]}.key")
        return context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                                   server_hostname="127.0.0.1")

    try:
        with client("pas") as sock:
            sock.sendall(_frame(A02))
            assert "MSA|AA|MSG0001" in _ack_of(sock)
        for name in (None, "stranger"):
            try:
                with client(name) as sock:  # TLS 1.3 may finish the handshake before the server's refusal is read
                    sock.sendall(_frame(A02.replace("MSG0001", "MSG0002")))
                    assert sock.recv(1) == b""
            except (ssl.SSLError, ConnectionResetError):
                pass
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert [control for _, control, _ in _rows(url)] == ["MSG0001"]


def test_fuzz_the_mllp_listener(tmp_path: Path) -> None:
    """Noise, broken frames, frames of random HL7-ish text, in pieces, over many connections: every answer is an
    ACK frame (AA or AR), nothing stalls the listener, and a good message afterwards is taken."""
    import socket

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_HL7_LARGEST_MESSAGE_KIB": "16"}
    assert command("db", "upgrade", env=env).returncode == 0
    process, port = _listener(env)
    segment = st.builds(lambda name, fields: name + "|" + "|".join(fields),
                        st.sampled_from(["MSH", "PID", "EVN", "PV1", "MRG", "SCH", "ZZZ", "MS"]),
                        st.lists(st.text(st.characters(codec="utf-8"), max_size=12), max_size=14))
    message = st.lists(segment, min_size=1, max_size=5).map(lambda s: "\r".join(s)).map(str.encode)
    pieces = st.lists(st.one_of(st.binary(max_size=40), message.map(_frame_bytes), message,
                                st.just(b"\x0b"), st.just(b"\x1c\r")), min_size=1, max_size=6)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(pieces)
    def one_connection(sent: list[bytes]) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            for piece in sent:
                sock.sendall(piece)
            sock.shutdown(socket.SHUT_WR)
            data = b""
            sock.settimeout(10)
            while chunk := sock.recv(65536):
                data += chunk
        for ack in [frame for frame in data.split(b"\x1c\r") if frame]:
            assert ack.startswith(b"\x0bMSH|") and (b"\rMSA|AA|" in ack or b"\rMSA|AR|" in ack), ack

    try:
        one_connection()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(_frame(A02.replace("MSG0001", "FUZZ-END")))
            assert "MSA|AA|FUZZ-END" in _ack_of(sock)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and "Traceback" not in out, out[-3000:]


def _frame_bytes(content: bytes) -> bytes:
    return b"\x0b" + content + b"\x1c\r"
