"""The kiosk's voice through the platform's speech stack (espeak-ng), and a record of everything it said.

`EspeakSpeaker` says one thing at a time in a thread of its own: a new utterance cuts off the one being said (as
a screen reader does when the page changes), and the screen never waits for the voice. The words go to
espeak-ng on its standard input, never on its command line, so no text can pass as an option. With a folder
for WAV files it writes each utterance to a file instead of the sound card (a kiosk with no audio device yet,
the tests). `RecordedSpeaker` writes each utterance to a JSON-lines file before passing it on: what the tests
read, and what a trust can check its kiosk says."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from domain.ports import Speaker
from domain.speech import Voice


class EspeakSpeaker:
    """espeak-ng (Debian's espeak-ng package), one process per utterance."""

    def __init__(self, command: str = "espeak-ng", wav_folder: str = "",
                 on_failure: Callable[[str], None] | None = None) -> None:
        self.command = command
        self.wav_folder = Path(wav_folder) if wav_folder else None
        """Where each utterance is written as speech-NNNN.wav instead of being played."""
        self.on_failure = on_failure or (lambda note: None)
        """Told once, in words for the log, when espeak-ng cannot be run."""
        self._lock = threading.Condition()
        self._pending: list[tuple[str, Voice]] = []
        self._current: subprocess.Popen[bytes] | None = None
        self._count = 0
        self._broken = False
        self._thread = threading.Thread(target=self._speak_forever, name="speech", daemon=True)
        self._thread.start()

    def say(self, words: str, voice: Voice, *, interrupt: bool = True) -> None:
        with self._lock:
            if interrupt:
                self._pending.clear()
                self._cut_off()
            self._pending.append((words, voice))
            self._lock.notify_all()

    def stop(self) -> None:
        with self._lock:
            self._pending.clear()
            self._cut_off()

    def wait_until_quiet(self, timeout: float = 30.0) -> bool:
        """True once nothing is waiting and nothing is being said (tests, and a clean stop)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending and self._current is None, timeout)

    def _cut_off(self) -> None:
        if self._current is not None and self._current.poll() is None:
            self._current.kill()

    def _speak_forever(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: bool(self._pending))
                words, voice = self._pending.pop(0)
                if self._broken:
                    continue
                process = self._start(voice)
                self._current = process
            if process is not None:
                self._feed(process, words)
            with self._lock:
                self._current = None
                self._lock.notify_all()

    def _start(self, voice: Voice) -> subprocess.Popen[bytes] | None:
        arguments = [self.command, "-v", voice.language, "-a", str(voice.volume), "-s", str(voice.rate), "--stdin"]
        if self.wav_folder is not None:
            self._count += 1
            arguments += ["-w", str(self.wav_folder / f"speech-{self._count:04d}.wav")]
        try:
            return subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        except OSError as error:
            self._broken = True
            self.on_failure(f"speech is off: {self.command} could not be run ({error.strerror or error})")
            return None

    @staticmethod
    def _feed(process: subprocess.Popen[bytes], words: str) -> None:
        try:
            assert process.stdin is not None
            process.stdin.write(words.encode("utf-8"))
            process.stdin.close()
        except OSError:
            pass  # cut off before it had the words
        process.wait()


class RecordedSpeaker:
    """Every utterance and every stop, one JSON object a line, then on to the real voice (if any)."""

    def __init__(self, path: str, then: Speaker | None = None) -> None:
        self.path = Path(path)
        self.then = then
        self._lock = threading.Lock()

    def say(self, words: str, voice: Voice, *, interrupt: bool = True) -> None:
        self._write({"said": words, "interrupt": interrupt, "volume": voice.volume, "rate": voice.rate,
                     "language": voice.language})
        if self.then is not None:
            self.then.say(words, voice, interrupt=interrupt)

    def stop(self) -> None:
        self._write({"stopped": True})
        if self.then is not None:
            self.then.stop()

    def _write(self, entry: dict[str, object]) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
