"""The line between a desk and the portal's desk service: length-prefixed pickles over a Unix socket.

The service trusts nothing a desk sends: it unpickles only the domain's own values (dataclasses and enums) and
the standard library's dates and times, and it answers only the calls named here. A desk trusts its service,
which runs as the portal's own account behind a socket only staff may open. Standard library only: a desk
process loads this, and nothing of the database."""

from __future__ import annotations

import io
import pickle
import socket
import struct

VERSION = 1
"""Both ends say it first; a desk and a service of different versions do not talk."""
LARGEST_REQUEST = 1 << 20
"""A desk's call is a few names and values: anything larger is not a desk's."""
_HEADER = struct.Struct("!I")

# Every call a desk may make, by what it is made on: the screens' Protocols (tests/test_desk_service.py checks
# that these are exactly their methods).
DESK_CALLS = frozenset({"sign_in", "sign_out", "unlock", "find_patients", "open_patient", "today"})
RECORD_CALLS = frozenset({
    "now", "appointments", "visits", "appointment", "reschedule_options", "reschedule", "cancel", "open_letter",
    "letter_list", "results_page", "result_history", "my_details", "who_looked", "change_letter_preference",
    "change_language", "booking_clinics", "booking_slots", "book", "arrangements_done", "texts"})
SUPPORT_CALLS = frozenset({"articles", "find", "trusts", "submit", "replies_for", "inbox", "open_report", "reply",
                           "set_status"})
SUPERVISION_CALLS = frozenset({
    "may_use", "require", "audit_query", "audit_page", "audit_entry", "export_audit", "outbox", "post_room",
    "print_letters", "mark_posted", "retry_text", "staff_members", "add_staff", "reset_staff", "disable_staff"})
CALLS = {"desk": DESK_CALLS, "record": RECORD_CALLS, "support": SUPPORT_CALLS, "supervision": SUPERVISION_CALLS}

_STANDARD = frozenset({("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"),
                       ("datetime", "timedelta"), ("datetime", "timezone"), ("zoneinfo", "ZoneInfo._unpickle")})


class WireClosed(ConnectionError):
    """The other end has gone (or sent what no desk sends)."""


def send(sock: socket.socket, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def receive(sock: socket.socket) -> object:
    """What the service sent (a desk's side)."""
    return pickle.loads(_frame(sock, None))


def receive_from_desk(sock: socket.socket) -> object:
    """What a desk sent, as domain values only (the service's side); WireClosed for anything else."""
    data = _frame(sock, LARGEST_REQUEST)
    try:
        return _DomainValues(io.BytesIO(data)).load()
    except Exception as error:  # a refused class, a broken pickle: no desk sends either
        raise WireClosed(f"not a desk's call: {error}") from None


def _frame(sock: socket.socket, largest: int | None) -> bytes:
    (size,) = _HEADER.unpack(_exactly(sock, _HEADER.size))
    if largest is not None and size > largest:
        raise WireClosed(f"a call of {size} bytes")
    return _exactly(sock, size)


def _exactly(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = sock.recv_into(view[got:])
        if not n:
            raise WireClosed("the other end closed the connection")
        got += n
    return bytes(buffer)


class _DomainValues(pickle.Unpickler):
    """Unpickles the domain's own dataclasses and enums and the standard library's dates, and nothing else: no
    function, no other class, so what a desk sends can never make the service run anything."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) in _STANDARD:
            return super().find_class(module, name)
        if module.split(".")[0] == "domain" and name.isidentifier():
            import dataclasses
            import enum
            import importlib

            try:
                found = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                found = None
            if isinstance(found, type) and not issubclass(found, BaseException) and (
                    dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a value a desk may send")
