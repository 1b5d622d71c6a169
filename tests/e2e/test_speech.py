"""The real kiosk with speech on, in tmux (issue 20): a patient signs in, opens an appointment and starts a cancel.
The record of what was said holds each page, the focused controls and the cancel warning, and never the password
or the code; espeak-ng really speaks it (to WAV files here, a kiosk's sound card in a hospital), and sox finds
each file as long as its words need and not silent."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import PORTAL
from tests.e2e.test_appointments import wait_until
from tests.e2e.test_patient_flows import answer, code_from_demo_phone
from tests.e2e.tmux import Terminal

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                                                    reason="espeak-ng and sox are not installed (make test installs "
                                                           "them: Debian's espeak-ng and sox packages)")]


def said(record: Path) -> list[str]:
    if not record.exists():
        return []
    return [entry["said"] for entry in map(json.loads, record.read_text().splitlines()) if "said" in entry]


def heard(record: Path, words: str) -> None:
    """Wait until the page with these words has been said (on a loaded machine speech comes a moment after
    the page is drawn; a key pressed before it would move on to the next page, rightly unsaid)."""
    wait_until(lambda: any(words in s for s in said(record)))


def _files_settled(folder: Path):  # type: ignore[no-untyped-def]
    """True once the WAV files have stopped growing (espeak-ng writes faster than it would speak)."""
    last: list[object] = [None]

    def settled() -> bool:
        import time

        sizes = [f.stat().st_size for f in sorted(folder.glob("speech-*.wav"))]
        time.sleep(0.3)
        now = [f.stat().st_size for f in sorted(folder.glob("speech-*.wav"))]
        last[0] = now
        return sizes == now

    return settled


def test_a_patient_hears_the_pages_and_never_a_secret(fresh_demo: dict[str, str], tmp_path: Path) -> None:
    record, wavs = tmp_path / "said.jsonl", tmp_path / "wav"
    wavs.mkdir()
    env = {**fresh_demo, "PORTAL_SPEECH": "true", "PORTAL_SPEECH_RECORD": str(record),
           "PORTAL_SPEECH_WAV_FOLDER": str(wavs)}
    kiosk = Terminal([PORTAL, "kiosk"], env, width=80, height=24)
    try:
        kiosk.wait_for("Patient Portal")
        wait_until(lambda: any("Welcome" in s for s in said(record)))
        assert "F5 Stop speech" in kiosk.wait_for("F3 Repeat")  # the voice's keys, in the footer
        kiosk.press("Enter")
        kiosk.wait_for("Use the email address and password")
        heard(record, "Sign in. Use the email address")  # a patient listening hears each page before typing
        kiosk.type("stanley.hughes@example.com")
        kiosk.press("Tab")
        # A patient listening waits to hear where the focus went before typing: on a loaded machine the focus
        # is said a moment after the Tab, and a password typed before it would be said as its count of letters.
        heard(record, "Password, edit text, empty")
        answer(kiosk, "kiosk-demo-2026")
        kiosk.wait_for("Check your phone to sign in")
        code = code_from_demo_phone(kiosk)
        answer(kiosk, code)
        kiosk.wait_for("Hello, Stanley")
        heard(record, "Hello, Stanley")
        kiosk.press("Enter")  # My appointments
        kiosk.wait_for("Upcoming (")
        kiosk.press("Enter")  # the first upcoming one
        kiosk.wait_for("What you can do")
        kiosk.press("Tab")  # to Cancel this appointment: said (after the page, if it came before it was read)
        wait_until(lambda: said(record)[-1].endswith("Cancel this appointment, button."))
        kiosk.press("Enter")
        kiosk.wait_for("Cancelling will discharge you from this clinic")
        wait_until(lambda: any("discharge you from this clinic" in s for s in said(record)[-2:]))
        kiosk.press("F3")  # the page again
        wait_until(lambda: len([s for s in said(record) if "discharge you from this clinic" in s]) == 2)
        wait_until(_files_settled(wavs))
    finally:
        kiosk.close()

    everything = said(record)
    assert any(s.endswith("Keep my appointment, button.") for s in everything)  # the warning's focus
    pages = [s.split(".")[0] for s in everything]
    assert any(s.startswith("West Hertfordshire Teaching Hospitals NHS Trust. Patient Portal. Welcome.") for s in everything)
    assert any(s.startswith("Sign in. Use the email address") for s in everything), pages
    assert any("Hello, Stanley" in s for s in everything), pages
    assert any("Email address, edit text" in s for s in everything)  # a focused control
    assert any("Password, edit text, empty" in s for s in everything)
    assert not any("kiosk-demo-2026" in s or code in s for s in everything)
    assert not re.search(r"\d{3} \d{3} \d{4}", "\n".join(everything))  # no NHS number in full

    # espeak-ng spoke every utterance: each WAV long enough for its words, and not silence.
    files = sorted(wavs.glob("speech-*.wav"))
    assert files, "espeak-ng wrote nothing"
    warning = next(s for s in reversed(everything) if "discharge you from this clinic" in s)
    longest = max(files, key=lambda f: f.stat().st_size)
    stats = subprocess.run(["sox", str(longest), "-n", "stat"], capture_output=True, text=True, check=True).stderr
    seconds = float(re.search(r"Length \(seconds\):\s+([\d.]+)", stats).group(1))  # type: ignore[union-attr]
    rms = float(re.search(r"RMS\s+amplitude:\s+([\d.]+)", stats).group(1))  # type: ignore[union-attr]
    words = len(warning.split())
    assert rms > 0.01, f"silence: {stats}"
    # 160 words a minute is 0.375 s a word; the longest utterance (the warning page, said twice) needs about that.
    assert seconds >= words * 0.375 * 0.6, f"{seconds:.1f} s for {words} words"
