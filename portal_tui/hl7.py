"""`portal-tui hl7 …`: the hospital's HL7 v2 feed — an MLLP listener, file ingest, and the list of messages.

The listener takes many connections at once; each message is stored and committed (in a worker thread, the
database being synchronous) before its ACK goes back. SIGTERM stops new connections, lets every connection
finish the message in hand, then ends."""

from __future__ import annotations

import asyncio
import functools
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

    from data.events.receive import messages, receive

    stopping = asyncio.Event()
    handlers: dict[asyncio.Task[None], bool] = {}
    """Each connection's task, and whether it has a message in hand (True) or is waiting for one."""
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
                    receipt = await asyncio.get_running_loop().run_in_executor(
                        None, functools.partial(receive, engine, raw, source, rules=rules))
                    taken += 1
                    echo(f"{source}: {receipt.control_id or '(no control id)'} {receipt.outcome.value}: "
                         f"{receipt.reason}")
                    writer.writeblock(receipt.ack.encode())
                    await writer.drain()
                handlers[task] = False
        except asyncio.CancelledError:
            pass  # stopping, and this connection had no message in hand
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
    echo(f"Stopped after {taken} message{'s' if taken != 1 else ''}.")
    return taken
