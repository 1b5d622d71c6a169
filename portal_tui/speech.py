"""The kiosk's voice, from settings: espeak-ng, a record of what was said, or both."""

from __future__ import annotations

from collections.abc import Callable

from domain.ports import Speaker
from domain.speech import Voice
from portal_tui.settings import Settings


def voice_for(settings: Settings) -> Voice:
    """The trust's own voice: every session starts at it."""
    return Voice(settings.speech_volume, settings.speech_rate, settings.speech_language)


def speaker_for(settings: Settings, note: Callable[[str], None]) -> Speaker:
    """espeak-ng (to the sound card, or to WAV files), recorded too when speech_record is set."""
    from data.speech import EspeakSpeaker, RecordedSpeaker

    settings.check_speech()  # a voice that can be run, or a record to keep: else the one line saying so
    voice: Speaker | None = None
    if settings.speech_command:
        voice = EspeakSpeaker(settings.speech_command, settings.speech_wav_folder, on_failure=note)
    if settings.speech_record:
        return RecordedSpeaker(settings.speech_record, voice)
    assert voice is not None
    return voice
