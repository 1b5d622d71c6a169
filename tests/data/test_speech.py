"""The real espeak-ng behind the Speaker port (data/speech.py): it speaks, a new utterance cuts off the last,
words never pass as options, and a missing program is one line in the log and silence, not a fault."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from data.speech import EspeakSpeaker, RecordedSpeaker
from domain.speech import Voice

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (make test installs Debian's espeak-ng)")


def _seconds(wav: Path) -> float:
    out = subprocess.run(["soxi", "-D", str(wav)], capture_output=True, text=True)
    if out.returncode == 0:
        return float(out.stdout)
    return (wav.stat().st_size - 44) / (22050 * 2)  # espeak-ng's 22.05 kHz 16-bit mono


@needs_espeak
def test_it_speaks_each_utterance_and_a_word_like_an_option_is_only_a_word(tmp_path: Path) -> None:
    speaker = EspeakSpeaker(wav_folder=str(tmp_path))
    speaker.say("--version is not an option here. Sign in, button.", Voice())
    assert speaker.wait_until_quiet()
    speaker.say("Second.", Voice(volume=60, rate=300), interrupt=False)
    assert speaker.wait_until_quiet()
    first, second = sorted(tmp_path.glob("speech-*.wav"))
    assert _seconds(first) > 1.5 > _seconds(second) > 0.1


@needs_espeak
def test_stop_cuts_off_what_is_being_said(tmp_path: Path) -> None:
    notes: list[str] = []
    speaker = EspeakSpeaker(command=str(_slow_espeak(tmp_path)), on_failure=notes.append)
    speaker.say("A long page that would take a while to say.", Voice())
    speaker.say("Queued behind it.", Voice(), interrupt=False)
    speaker.stop()
    assert speaker.wait_until_quiet(timeout=5)
    assert notes == []
    assert not (tmp_path / "finished").exists()


def _slow_espeak(folder: Path) -> Path:
    """A stand-in that takes its time, so that stop has something to cut off (and says if it was allowed to end)."""
    script = folder / "slow-espeak"
    script.write_text(f"#!/bin/sh\ncat >/dev/null\nsleep 20\ntouch {folder / 'finished'}\n")
    script.chmod(0o755)
    return script


def test_a_missing_program_is_one_note_and_then_silence(tmp_path: Path) -> None:
    notes: list[str] = []
    speaker = EspeakSpeaker(command=str(tmp_path / "no-such-espeak"), on_failure=notes.append)
    speaker.say("Hello.", Voice())
    speaker.say("Again.", Voice())
    assert speaker.wait_until_quiet(timeout=5)
    assert len(notes) == 1 and "could not be run" in notes[0]


def test_the_record_keeps_every_utterance_and_stop(tmp_path: Path) -> None:
    record = tmp_path / "said.jsonl"
    speaker = RecordedSpeaker(str(record))
    speaker.say("Welcome.", Voice(volume=80))
    speaker.stop()
    assert [json.loads(line) for line in record.read_text().splitlines()] == [
        {"said": "Welcome.", "interrupt": True, "volume": 80, "rate": 160, "language": "en-gb"}, {"stopped": True}]
