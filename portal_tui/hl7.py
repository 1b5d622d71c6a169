"""`portal-tui hl7 …`: the hospital's HL7 v2 feed — an MLLP listener, file ingest, and the list of messages.

The listener takes many connections at once; each message is stored and committed before its ACK goes back,
together with what the other connections sent meanwhile (a group commit). SIGTERM stops new connections, lets
every connection finish the message in hand, then ends."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from portal_tui.settings import Settings

log = logging.getLogger("portal.hl7")


def engine_for(settings: Settings):  # type: ignore[no-untyped-def]
    from portal_tui.bootstrap import Database

    return Database(settings).engine


def listen(settings: Settings, host: str, port: int, echo: Callable[[str], None],
           ready: Callable[[int], None] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; returns how many messages were taken."""
    return asyncio.run(_serve(engine_for(settings), host, port, echo, ready, settings.feed_rules()))


async def _serve(engine, host: str, port: int, echo: Callable[[str], None],  # type: ignore[no-untyped-def]
                 ready: Callable[[int], None] | None, rules) -> int:
    import hl7.mllp

    from data.events.receive import messages

    stopping = asyncio.Event()
    handlers: dict[asyncio.Task[None], bool] = {}
    """Each connection's task, and whether it has a message in hand (True) or is waiting for one."""
    committer = _GroupCommit(engine, rules, lambda: len(handlers))
    taken = 0

    async def handle(reader, writer) -> None:  # type: ignore[no-untyped-def]
        nonlocal taken
        task = asyncio.current_task()
        assert task is not None
        handlers[task] = False
        peer = writer.get_extra_info("peername")
        source = f"mllp {peer[0]}:{peer[1]}" if peer else "mllp"
        try:
            while not stopping.is_set():
                try:
                    block = await reader.readblock()
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                except hl7.mllp.InvalidBlockError as error:
                    echo(f"{source}: a frame that is not MLLP was dropped ({error})")
                    break
                handlers[task] = True
                for raw in list(messages(block)) or [""]:  # an empty frame is refused, with an AR
                    receipt = await committer.receive(raw, source)
                    taken += 1
                    echo(f"{source}: {receipt.control_id or '(no control id)'} {receipt.outcome.value}: "
                         f"{receipt.reason}")
                    writer.writeblock(receipt.ack.encode())
                    await writer.drain()
                handlers[task] = False
        except asyncio.CancelledError:
            pass  # stopping, and this connection had no message in hand
        except Exception as error:  # noqa: BLE001 - the database failed: no ACK, so the sender sends it again
            log.exception("a message could not be stored")
            echo(f"{source}: not stored, no ACK sent, the connection closed ({type(error).__name__}); "
                 "the sender will send it again")
        finally:
            writer.close()
            handlers.pop(task, None)

    server = await hl7.mllp.start_hl7_server(handle, host=host, port=port)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    bound = server.sockets[0].getsockname()[1]
    echo(f"Listening for HL7 v2 over MLLP on {host}:{bound}")
    if ready is not None:
        ready(bound)
    await stopping.wait()
    server.close()
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

    def __init__(self, engine, rules, connections: Callable[[], int]) -> None:  # type: ignore[no-untyped-def]
        self._engine, self._rules, self._connections = engine, rules, connections
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
            receipts = receive_all(self._database, [(raw, source) for raw, source, _ in round_], rules=self._rules)
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
