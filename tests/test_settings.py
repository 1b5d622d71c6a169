"""Settings: every mistake is one line that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal_tui.settings import SettingsError, load_settings, redact_url


def test_defaults_put_the_database_in_the_users_data_folder(tmp_path: Path) -> None:
    settings = load_settings({"XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/portal-tui/portal.db"
    assert not settings.demo and not settings.allow_drama_numbers and settings.kiosk_pin is None


def test_a_file_then_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "portal.toml"
    config.write_text('demo = true\nkiosk_pin = "1234"\nkiosk_idle_seconds = 60\n')
    settings = load_settings({"PORTAL_CONFIG": str(config), "PORTAL_KIOSK_PIN": "98765",
                              "PORTAL_DATABASE_URL": "postgresql://u:secret@db/portal"})
    assert settings.demo and settings.kiosk_pin == "98765" and settings.kiosk_idle_seconds == 60
    assert settings.database_url == "postgresql+psycopg://u:secret@db/portal"
    assert settings.database_display == "postgresql+psycopg://u:***@db/portal"


@pytest.mark.parametrize("env, message", [
    ({"PORTAL_DATABASE_URL": "mysql://root@db/portal"}, "must be sqlite:///PATH or postgresql"),
    ({"PORTAL_DATABASE_URL": "mysql://root:pw@db/x"}, "root:\\*\\*\\*@db"),
    ({"PORTAL_KIOSK_PIN": "12ab"}, "4 to 12 digits"),
    ({"PORTAL_KIOSK_IDLE_SECONDS": "soon"}, "whole number"),
    ({"PORTAL_KIOSK_IDLE_SECONDS": "29"}, "at least 30"),
    ({"PORTAL_DEMO": "perhaps"}, "true or false"),
    ({"PORTAL_THEME": "purple"}, "Unknown theme"),
    ({"PORTAL_CONFIG": "/nonexistent/portal.toml"}, "does not exist"),
    ({"PORTAL_SPEECH_VOLUME": "250"}, "at most 200"),
    ({"PORTAL_SPEECH_RATE": "10"}, "at least 80"),
    ({"PORTAL_SPEECH_LANGUAGE": "--quiet"}, "espeak-ng voice"),
])
def test_bad_settings_say_what_is_wrong(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings(env)
    assert "\n" not in str(caught.value)


def test_a_broken_or_unknown_settings_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("demo = = true\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings({"PORTAL_CONFIG": str(broken)})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("kiosk_pn = '1234'\n")
    with pytest.raises(SettingsError, match="unknown settings: kiosk_pn"):
        load_settings({"PORTAL_CONFIG": str(unknown)})


def test_database_paths_that_cannot_work(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(SettingsError, match="Cannot create the folder"):
        load_settings({"PORTAL_DATABASE_URL": f"sqlite:///{a_file}/portal.db"}).check_database_path()
    with pytest.raises(SettingsError, match="is not a file"):
        load_settings({"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}"}).check_database_path()


def test_the_kiosk_needs_a_pin() -> None:
    with pytest.raises(SettingsError, match="No kiosk staff PIN"):
        load_settings({"PORTAL_DATABASE_URL": "sqlite:////tmp/x.db"}).require_kiosk_pin()


def test_redaction_leaves_passwordless_urls_alone() -> None:
    assert redact_url("postgresql+psycopg://postgres@127.0.0.1/test") == "postgresql+psycopg://postgres@127.0.0.1/test"


def test_notify_template_ids_per_kind_of_text(tmp_path: Path) -> None:
    settings = load_settings({"PORTAL_NOTIFY_TEMPLATE_IDS": "reminder=abc, one_time_code=def"})
    assert dict(settings.notify_template_ids) == {"reminder": "abc", "one_time_code": "def"}
    config = tmp_path / "portal.toml"
    config.write_text('[notify_template_ids]\nreminder = "abc"\n')
    assert dict(load_settings({"PORTAL_CONFIG": str(config)}).notify_template_ids) == {"reminder": "abc"}
    with pytest.raises(SettingsError, match="not a kind of text"):
        load_settings({"PORTAL_NOTIFY_TEMPLATE_IDS": "postcard=abc"})


def test_no_secret_shows_in_the_settings_repr() -> None:
    settings = load_settings({"PORTAL_KIOSK_PIN": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                              "PORTAL_NOTIFY_API_KEY": "key-secret-123",
                              "PORTAL_LIMITS_KEY": "limits-secret-456", "PORTAL_DATABASE_URL": "sqlite:////tmp/x.db"})
    shown = repr(settings)
    assert "argon2" not in shown and "key-secret-123" not in shown and "limits-secret-456" not in shown


def test_demo_mode_refuses_the_notify_sender() -> None:
    with pytest.raises(SettingsError, match="cannot run with the GOV.UK Notify"):
        load_settings({"PORTAL_DEMO": "true", "PORTAL_SMS_SENDER": "notify", "PORTAL_DATABASE_URL": "sqlite:////tmp/x.db"})


def test_outside_demo_the_staff_pin_is_only_a_hash() -> None:
    with pytest.raises(SettingsError, match="portal-tui pin hash"):
        load_settings({"PORTAL_KIOSK_PIN": "246813", "PORTAL_DATABASE_URL": "sqlite:////tmp/x.db"})
    hashed = load_settings({"PORTAL_KIOSK_PIN": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                            "PORTAL_DATABASE_URL": "sqlite:////tmp/x.db"})
    assert hashed.require_kiosk_pin().startswith("$argon2id$")


def test_over_ssh_the_terminal_names_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.7 50522 10.0.0.1 22")
    settings = load_settings({"PORTAL_TERMINAL_ID": "appointments-desk-3"})
    assert settings.terminal == "appointments-desk-3 ssh from 192.0.2.7"
    monkeypatch.setenv("SSH_CONNECTION", "2001:db8:85a3:0:0:8a2e:370:7334 50522 2001:db8::1 22")
    long_named = load_settings({"PORTAL_TERMINAL_ID": "d" * 80})
    assert len(long_named.terminal) <= 80 and long_named.terminal.endswith("ssh from 2001:db8:85a3:0:0:8a2e:370:7334")
    monkeypatch.delenv("SSH_CONNECTION")
    assert "ssh" not in load_settings({}).terminal


def test_speech_that_cannot_speak_says_so(tmp_path: Path) -> None:
    on = {"PORTAL_SPEECH": "true", "HOME": str(tmp_path)}
    with pytest.raises(SettingsError, match="not installed: install Debian's espeak-ng"):
        load_settings({**on, "PORTAL_SPEECH_COMMAND": "no-such-espeak"}).check_speech()
    with pytest.raises(SettingsError, match="says nothing"):
        load_settings({**on, "PORTAL_SPEECH_COMMAND": ""}).check_speech()
    with pytest.raises(SettingsError, match="is not a folder"):
        load_settings({**on, "PORTAL_SPEECH_COMMAND": "", "PORTAL_SPEECH_RECORD": str(tmp_path / "r"),
                       "PORTAL_SPEECH_WAV_FOLDER": str(tmp_path / "none")}).check_speech()
    load_settings({"HOME": str(tmp_path)}).check_speech()  # off: nothing to check


def test_the_settings_repr_shows_no_secret() -> None:
    """A repr lands in logs and tracebacks: the database's password (in the URL or its query), the keys and the
    PIN are never in it."""
    settings = load_settings({"PORTAL_DATABASE_URL": "postgresql+psycopg://portal:s3cret@db/portal?password=x9y",
                              "PORTAL_STAFF_SECRET_KEY": "staff-key-1", "PORTAL_LIMITS_KEY": "limits-key-1",
                              "PORTAL_NOTIFY_API_KEY": "notify-key-1", "PORTAL_KIOSK_PIN": "2468",
                              "PORTAL_DEMO": "true", "HOME": "/tmp"})
    shown = repr(settings)
    assert "portal:***@db/portal?password=***" in shown
    for secret in ("s3cret", "x9y", "staff-key-1", "limits-key-1", "notify-key-1", "2468"):
        assert secret not in shown


def test_the_feed_profile_maps_each_sender_and_authority_to_a_trust(tmp_path: Path) -> None:
    settings = load_settings({"PORTAL_HL7_SENDERS": "PAS^RWG, epic^whht=RWG, CERNER^RAL",
                              "PORTAL_HL7_AUTHORITIES": "RFH=RAL,WHHT=RWG", "PORTAL_HL7_HOSPITAL_NUMBERS": "pas,MR",
                              "PORTAL_HL7_ADD_UNKNOWN_BOOKINGS": "yes"}, config_file="")
    profile = settings.feed_profile()
    assert settings.hl7_senders == ("PAS^RWG", "EPIC^WHHT", "CERNER^RAL")  # what the listener's door admits
    assert dict(profile.senders) == {"PAS^RWG": "RWG", "EPIC^WHHT": "RWG", "CERNER^RAL": "RAL"}
    assert dict(profile.authorities) == {"RAL": "RAL", "RWG": "RWG", "RFH": "RAL", "WHHT": "RWG"}
    assert profile.hospital_numbers == ("PAS", "MR") and profile.add_unknown_bookings
    config = tmp_path / "p.toml"
    config.write_text('hl7_senders = ["PAS^RWG"]\nhl7_authorities = { RFH = "RAL" }\n')
    assert dict(load_settings({}, config_file=str(config)).feed_profile().authorities)["RFH"] == "RAL"
    for env, words in [({"PORTAL_HL7_SENDERS": "EPIC^WHHT"}, "say which trust EPIC^WHHT is, like EPIC^WHHT=RWG"),
                       ({"PORTAL_HL7_SENDERS": "PAS^RWG=XYZ"}, "say which trust PAS^RWG is"),
                       ({"PORTAL_HL7_AUTHORITIES": "RFH"}, "must be an assigning authority and its trust")]:
        with pytest.raises(SettingsError, match=words.replace("^", "\\^")):
            load_settings(env, config_file="")
