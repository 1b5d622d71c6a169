"""The Notify sender against a server that answers as Notify's API does, errors included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from data.messaging.senders import FileSender, NotifySender
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate
from domain.messaging.sms import SendError, SendFailure
from tests.fake_notify import API_KEY, TEMPLATE_ID, WRONG_KEY, FakeNotify

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def a_text(reference: str = "a" * 32, to: str = "+447700900001") -> SmsMessage:
    return SmsMessage(id=reference, to_number=to, template=SmsTemplate.REMINDER, body="West Herts reminder: …",
                      status=SmsStatus.SENDING, created_at=NOW, send_after=NOW, attempts=1)


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    server = FakeNotify()
    yield server
    server.close()


def sender(server: FakeNotify, key: str = API_KEY) -> NotifySender:
    return NotifySender(key, server.url, {}, TEMPLATE_ID, timeout=5)


def test_a_text_goes_with_its_outbox_id_as_reference_and_can_be_found_by_it(notify: FakeNotify) -> None:
    s = sender(notify)
    assert not s.was_sent("a" * 32)
    s.send(a_text())
    assert notify.received[0]["reference"] == "a" * 32
    assert notify.received[0]["body"] == "West Herts reminder: …"
    assert s.was_sent("a" * 32) and not s.was_sent("b" * 32)


@pytest.mark.parametrize("status, kind", [(400, SendFailure.PERMANENT), (429, SendFailure.TEMPORARY),
                                          (500, SendFailure.TEMPORARY)])
def test_notify_errors_are_classified(notify: FakeNotify, status: int, kind: SendFailure) -> None:
    notify.fail_next.append(status)
    with pytest.raises(SendError) as refused:
        sender(notify).send(a_text())
    assert refused.value.kind is kind and f"Notify said {status}" in refused.value.reason
    assert notify.received == []


def test_a_wrong_key_is_a_configuration_error(notify: FakeNotify) -> None:
    with pytest.raises(SendError) as refused:
        sender(notify, WRONG_KEY).send(a_text())
    assert refused.value.kind is SendFailure.CONFIGURATION and "AuthError" in refused.value.reason


def test_a_number_notify_refuses_is_permanent(notify: FakeNotify) -> None:
    notify.bad_numbers.add("+447700900999")
    with pytest.raises(SendError) as refused:
        sender(notify).send(a_text(to="+447700900999"))
    assert refused.value.kind is SendFailure.PERMANENT and "Not a UK mobile" in refused.value.reason


def test_no_server_is_temporary() -> None:
    server = FakeNotify()
    url = server.url
    server.close()
    with pytest.raises(SendError) as refused:
        NotifySender(API_KEY, url, {}, TEMPLATE_ID, timeout=2).send(a_text())
    assert refused.value.kind is SendFailure.TEMPORARY


def test_a_key_not_in_notifys_format() -> None:
    with pytest.raises(SendError) as refused:
        NotifySender("not-a-key", "http://127.0.0.1:1", {}, TEMPLATE_ID)
    assert refused.value.kind is SendFailure.CONFIGURATION


def test_the_file_sender_writes_one_line_a_text_and_finds_it_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sender = FileSender(tmp_path / "texts" / "sent.jsonl")
    assert not sender.was_sent("a" * 32)
    sender.send(a_text())
    sender.send(a_text("b" * 32))
    assert sender.was_sent("a" * 32) and sender.was_sent("b" * 32)
    assert len((tmp_path / "texts" / "sent.jsonl").read_text().splitlines()) == 2
