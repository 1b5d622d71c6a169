"""The feed's entry points as the tests take them: with the profile of a trust whose settings name West Herts'
PAS and the Royal Free's Cerner (the settings' `hl7_senders = ["PAS^RWG", "CERNER^RAL"]`)."""

from __future__ import annotations

from functools import partial

from data.events import receive as _feed
from domain.events.profile import Profile

PROFILE = Profile(senders={"PAS^RWG": "RWG", "CERNER^RAL": "RAL"})

receive = partial(_feed.receive, profile=PROFILE)
receive_all = partial(_feed.receive_all, profile=PROFILE)
ingest = partial(_feed.ingest, profile=PROFILE)
retry = partial(_feed.retry, profile=PROFILE)
messages = _feed.messages
