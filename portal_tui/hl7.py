"""`portal-tui hl7 …`: the hospital's HL7 v2 feed — an MLLP listener, file ingest, and the list of messages.

The listener takes messages only from the sending systems the settings name (MSH-3^MSH-4), connecting from the
networks they name, over TLS with the trust's client certificates where set; anything else gets an AR and changes
nothing. A message too large, one that cannot be read, or one whose MSH-9 names no trigger event gets an AR with
the reason: no message stalls the feed. Idle connections are closed, and connections are capped.

The listener takes many connections at once; each message is stored and committed before its ACK goes back,
together with what the other connections sent meanwhile (a group commit). SIGTERM stops new connections, lets
every connection finish the message in hand, then ends."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import ssl
import time
from datetime import UTC, datetime
from collections.abc import Callable
from dataclasses import dataclass

from portal_tui.settings import Settings, SettingsError

log = logging.getLogger("portal.hl7")


def engine_for(settings: Settings):  # type: ignore[no-untyped-def]
    from portal_tui.bootstrap import Database

    return Database(settings).engine


def listen(settings: Settings, host: str, port: int, echo: Callable[[str], None],
           ready: Callable[[int], None] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; returns how many messages were taken."""
    door = Door.of(settings)
    return asyncio.run(_serve(engine_for(settings), host, port, echo, ready,
                              (settings.feed_rules(), settings.feed_profile()), door))


@dataclass(frozen=True)
class Door:
    """Who the listener takes messages from, decided by the trust's settings: never by what a sender says."""

    senders: frozenset[str]
    """MSH-3^MSH-4 of the sending systems named."""
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    tls: ssl.SSLContext | None
    connections: int
    idle_seconds: float
    largest: int
    """Bytes of the largest message taken."""
    frame_seconds: float = 30.0
    """Once a frame has begun, the rest of it comes within this."""

    @classmethod
    def of(cls, settings: Settings) -> Door:
        if not settings.hl7_senders:
            raise SettingsError("The HL7 listener takes messages only from the sending systems the settings name: "
                                "set PORTAL_HL7_SENDERS (MSH-3^MSH-4 of the trust's PAS, like PAS^RWG).")
        return cls(frozenset(settings.hl7_senders),
                   tuple(ipaddress.ip_network(n, strict=False) for n in settings.hl7_networks), _tls(settings),
                   settings.hl7_connections, float(settings.hl7_idle_seconds), settings.hl7_largest_message_kib * 1024)

    def admits(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.networks)


def _tls(settings: Settings) -> ssl.SSLContext | None:
    """MLLP over TLS, each sender with a client certificate the trust's CA signed; None for plain MLLP."""
    named = [settings.hl7_tls_certificate, settings.hl7_tls_key, settings.hl7_tls_client_ca]
    if not any(named):
        return None
    if not all(named):
        raise SettingsError("MLLP over TLS needs all three of PORTAL_HL7_TLS_CERTIFICATE, PORTAL_HL7_TLS_KEY and "
                            "PORTAL_HL7_TLS_CLIENT_CA.")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_cert_chain(settings.hl7_tls_certificate, settings.hl7_tls_key)
        context.load_verify_locations(settings.hl7_tls_client_ca)
    except (OSError, ssl.SSLError) as error:
        raise SettingsError(f"The HL7 listener's TLS files cannot be used: {error}.") from None
    return context


class _Frames:
    """MLLP frames (a start block, the message, an end block) as they arrive, bounded: a frame larger than the
    largest is read to its end and only its start kept (enough to refuse it by its control id); bytes outside a
    frame are skipped, and a sender of nothing but those is not an MLLP sender."""

    def __init__(self, reader: asyncio.StreamReader, door: Door) -> None:
        self.reader, self.door = reader, door
        self.buffer = bytearray()

    async def next(self) -> tuple[bytes, int] | None:
        """(what was kept of the next frame, its whole size), or None when the sender has closed or gone quiet."""
        skipped = 0
        while (start := self.buffer.find(b"\x0b")) < 0:
            skipped += len(self.buffer)
            self.buffer.clear()
            if skipped > self.door.largest or not await self._more(self.door.idle_seconds):
                return None
        del self.buffer[:start + 1]
        kept, size = bytearray(), 0
        while True:
            end = self.buffer.find(b"\x1c")
            part = self.buffer[:end] if end >= 0 else self.buffer[:]
            size += len(part)
            kept += part[:max(self.door.largest - len(kept), 0)]
            if end >= 0:
                del self.buffer[:end + 1]
                return bytes(kept), size
            self.buffer.clear()
            if not await self._more(self.door.frame_seconds):
                return None

    async def _more(self, seconds: float) -> bool:
        try:
            data = await asyncio.wait_for(self.reader.read(65536), seconds)
        except (TimeoutError, ConnectionError, ssl.SSLError):
            return False
        self.buffer += data
        return bool(data)


WARNED = frozenset({"refused"})
"""Outcomes a person must look at (`hl7 list --status refused`): said at WARNING."""


class _Once:
    """A log line said once a minute at most, however often its cause comes (a flood must not fill the disk)."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = getattr(echo, "warning", echo)  # each of these wants a person's eye
        self._said: dict[str, tuple[float, int]] = {}

    def __call__(self, key: str, line: str) -> None:
        now = time.monotonic()
        last, missed = self._said.get(key, (-1e9, 0))
        if now - last < 60:
            self._said[key] = (last, missed + 1)
            return
        self._said[key] = (now, 0)
        self.echo(line + (f" ({missed} more like it in the last minute)" if missed else ""))


async def _serve(engine, host: str, port: int, echo: Callable[[str], None],  # type: ignore[no-untyped-def]
                 ready: Callable[[int], None] | None, feed, door: Door) -> int:
    from data.events.receive import messages, refusal, sender

    stopping = asyncio.Event()
    handlers: dict[asyncio.Task[None], bool] = {}
    """Each connection's task, and whether it has a message in hand (True) or is waiting for one."""
    committer = _GroupCommit(engine, feed, lambda: len(handlers))
    once = _Once(echo)
    warn = getattr(echo, "warning", echo)
    taken = 0

    async def take(raw: str, source: str, size: int):  # type: ignore[no-untyped-def]
        """The receipt of one message: refused at the door (nothing stored), or stored and acted on."""
        if size > door.largest:
            return refusal(raw, f"the message is {size} bytes, larger than the {door.largest} this portal takes")
        who = sender(raw)
        if who and who not in door.senders:
            once(f"sender {who}", f"{source}: messages from {who} refused: not a sending system the settings name")
            return refusal(raw, f"{who} is not a sending system this portal takes messages from")
        return await committer.receive(raw, source)

    async def handle(reader, writer) -> None:  # type: ignore[no-untyped-def]
        nonlocal taken
        task = asyncio.current_task()
        assert task is not None
        peer = writer.get_extra_info("peername")
        source = f"mllp {peer[0]}:{peer[1]}" if peer else "mllp"
        if not (peer and door.admits(str(peer[0]))):
            once(f"address {peer[0] if peer else ''}", f"{source}: closed: not an address the settings name")
            writer.close()
            return
        if len(handlers) >= door.connections:
            once("full", f"{source}: closed: already serving {door.connections} connections")
            writer.close()
            return
        handlers[task] = False
        frames = _Frames(reader, door)
        try:
            while not stopping.is_set():
                got = await frames.next()
                if got is None:
                    break
                block, size = got
                handlers[task] = True
                for raw in list(messages(block)) or [""]:  # an empty frame is refused, with an AR
                    receipt = await take(raw, source, size)
                    taken += 1
                    said = (f"{source}: {receipt.control_id or '(no control id)'} {receipt.outcome.value}: "
                            f"{receipt.reason}")
                    (warn if receipt.outcome.value in WARNED else echo)(said)
                    writer.write(b"\x0b" + receipt.ack.encode() + b"\x1c\r")
                    await writer.drain()
                handlers[task] = False
        except asyncio.CancelledError:
            pass  # stopping, and this connection had no message in hand
        except (ConnectionError, ssl.SSLError):
            pass  # the sender went while its ACK was being written: it sends the message again
        except Exception as error:  # noqa: BLE001 - the database failed: no ACK, so the sender sends it again
            log.error("%s: not stored, no ACK sent, the connection closed (%s); the sender will send it again",
                      source, type(error).__name__, exc_info=error)
        finally:
            writer.close()
            handlers.pop(task, None)

    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: once(str(context.get("message", "")),
                                                       f"listener: {context.get('message', 'trouble')}: "
                                                       f"{context.get('exception', '')}"))
    server = await asyncio.start_server(handle, host=host, port=port, ssl=door.tls, limit=65536)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    async def beating() -> None:
        from data.operations import beat

        while not stopping.is_set():
            try:
                await loop.run_in_executor(None, beat, engine, "hl7 listen", datetime.now(UTC))
            except Exception as error:  # noqa: BLE001 - the database away: said once a minute, tried again
                once("heartbeat", f"listener: its heartbeat could not be written ({type(error).__name__})")
            try:
                await asyncio.wait_for(stopping.wait(), timeout=30)
            except TimeoutError:
                pass

    beats = asyncio.create_task(beating())
    bound = server.sockets[0].getsockname()[1]
    echo(f"Listening for HL7 v2 over MLLP{' over TLS' if door.tls else ''} on {host}:{bound}")
    if ready is not None:
        ready(bound)
    await stopping.wait()
    server.close()
    await beats
    for task, busy in list(handlers.items()):
        if not busy:
            task.cancel()  # waiting for a message that has not come: nothing is lost by closing
    if handlers:  # the others finish the message in hand (its ACK sent), then end
        await asyncio.wait(list(handlers), timeout=30)
    committer.close()
    echo(f"Stopped after {taken} message{'s' if taken != 1 else ''}.")
    return taken


class _GroupCommit:
    """Messages from every connection, stored and committed together: each round takes what every connection
    has handed in by then, in the order it came, and commits it at once. A sender waits for its ACK, so each
    connection has one message in a round at most; a PAS with many connections pays for one commit (one flush
    to disk) per round instead of one per message.

    The round runs in the event loop's own thread, holding it up while it lasts (the database is synchronous, and
    storing messages is all this program does): in a worker thread every socket write and log line had to win
    back Python's lock from it, which cost more than the round itself."""

    LARGEST = 64
    """Messages in one round at most."""

    GATHER = 0.002
    """Seconds a round waits for the other open connections' messages (their senders are reading the last ACKs)
    before it goes with what it has; a round with a message from every open connection goes at once."""

    def __init__(self, engine, feed, connections: Callable[[], int]) -> None:  # type: ignore[no-untyped-def]
        self._engine, self._connections = engine, connections
        self._rules, self._profile = feed
        self._database = None
        """One database connection for every round, opened at the first (checking a pooled connection out and
        pinging it each round cost two round trips to PostgreSQL a round); closed after a failure, so that the
        next round opens a new one."""
        self._waiting: list[tuple[str, str, asyncio.Future]] = []  # type: ignore[type-arg]
        self._running: asyncio.Task[None] | None = None
        self._everyone = asyncio.Event()

    async def receive(self, raw: str, source: str):  # type: ignore[no-untyped-def]
        """The message's receipt, once it is committed."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((raw, source, done))
        if len(self._waiting) >= self._connections():
            self._everyone.set()
        if self._running is None:
            self._running = asyncio.create_task(self._rounds())
        return await done

    async def _rounds(self) -> None:
        try:
            while self._waiting:
                if len(self._waiting) < self._connections():
                    try:
                        await asyncio.wait_for(self._everyone.wait(), self.GATHER)
                    except TimeoutError:
                        pass
                self._everyone.clear()
                round_, self._waiting = self._waiting[:self.LARGEST], self._waiting[self.LARGEST:]
                self._commit(round_)
        finally:
            self._running = None

    def _commit(self, round_: list[tuple[str, str, asyncio.Future]]) -> None:  # type: ignore[type-arg]
        from data.events.receive import receive_all

        try:
            if self._database is None:
                self._database = self._engine.connect()
            receipts = receive_all(self._database, [(raw, source) for raw, source, _ in round_], rules=self._rules,
                                   profile=self._profile)
        except Exception as error:  # noqa: BLE001 - one by one, so that what failed fails alone
            self.close()
            if len(round_) > 1:
                for one in round_:
                    self._commit([one])
            elif not round_[0][2].done():
                round_[0][2].set_exception(error)  # the database failed it: that connection gets no ACK
            return
        for (_, _, done), receipt in zip(round_, receipts, strict=True):
            if not done.done():  # (its connection may have gone meanwhile)
                done.set_result(receipt)

    def close(self) -> None:
        if self._database is not None:
            try:
                self._database.close()
            except Exception:  # noqa: BLE001 - a connection the database has dropped may fail to close, too
                log.warning("the database connection could not be closed", exc_info=True)
            self._database = None
