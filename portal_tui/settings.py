"""Settings: defaults, then a TOML file, then PORTAL_* environment variables; every mistake is one clear line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

THEMES = ("portal", "portal-high-contrast")
DEFAULT_TRUST_NAME = "West Hertfordshire Teaching Hospitals NHS Trust"
PARTNER_TRUST_NAME = "Royal Free London NHS Foundation Trust"


class SettingsError(Exception):
    """A setting is missing or wrong; the message is the one line a person needs to put it right."""


@dataclass(frozen=True, slots=True, repr=False)
class Settings:
    """Everything the portal reads from its environment, checked once at start. Its repr (a log line, a
    traceback's locals) shows no secret: the database's password hidden, keys and PINs left out."""

    database_url: str
    """SQLAlchemy URL: sqlite:///path (the default, in the user's data directory) or postgresql+psycopg://."""
    kiosk_pin: str | None = field(default=None, repr=False)
    """Digits staff type to leave the kiosk. Required in kiosk mode."""
    demo: bool = False
    """Demo mode: texts also appear on screen as a 'demo phone'. Never in production."""
    allow_drama_numbers: bool = False
    """Accept Ofcom's drama range of mobile numbers (07700 900xxx): demo and tests only."""
    theme: str = "portal"
    """'portal' or 'portal-high-contrast'."""
    kiosk_idle_seconds: int = 120
    """A kiosk left this long without a key press returns to the welcome screen (at least 30: the warning
    before it gives 20 seconds to carry on)."""
    trust_name: str = DEFAULT_TRUST_NAME
    """The trust named on the welcome screen."""
    speech: bool = False
    """The kiosk reads itself aloud (a kiosk with headphones): each page, the focused control, every error."""
    speech_command: str = "espeak-ng"
    """The speech program (Debian's espeak-ng); empty to say nothing aloud and only keep speech_record."""
    speech_volume: int = 100
    """The trust's volume (espeak-ng's amplitude, 20 to 200): every session starts at it."""
    speech_rate: int = 160
    """Words a minute (80 to 450): every session starts at it."""
    speech_language: str = "en-gb"
    """The espeak-ng voice."""
    languages: tuple[str, ...] = ()
    """The languages a patient may choose at the kiosk besides English, each once the trust's translation service
    has reviewed its catalogue ('pl', 'ro'): see the README. None by default."""
    default_language: str = "en"
    """The language every session starts in, and the kiosk returns to when left idle."""
    speech_record: str = ""
    """A file where everything said is also written, one JSON object a line (tests; a trust checking its kiosk).
    It holds what the screen showed, the patient's name too: never on a kiosk in use."""
    speech_wav_folder: str = ""
    """Write each utterance to a WAV file in this folder instead of playing it (tests, a kiosk with no sound)."""
    sms_sender: str = "file"
    """'file' (demo and development: texts are appended to sms_file) or 'notify' (GOV.UK Notify)."""
    sms_file: str = ""
    """Where the file sender writes texts, one JSON object a line."""
    notify_api_key: str | None = field(default=None, repr=False)
    """The Notify API key (secret). Required when sms_sender is 'notify'."""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    """Notify's API address."""
    notify_template_id: str | None = None
    """The Notify SMS template whose whole content is ((body)). Required when sms_sender is 'notify'."""
    notify_template_ids: tuple[tuple[str, str], ...] = ()
    """Per kind of text, a Notify template to use instead of the default: reminder=ID,one_time_code=ID."""
    sms_lease_seconds: int = 120
    """How long a dispatcher holds a claimed text before another may take it over (well above a send's time)."""
    reminder_days: tuple[int, ...] = (7, 1)
    """Days before an appointment that reminders go."""
    reschedule_limit: int = 2
    """How many times a patient may move one appointment online."""
    change_cutoff_hours: int = 48
    """Appointments cannot be changed or cancelled online less than this many hours before they start."""
    booking_horizon_weeks: int = 12
    """How far ahead a patient may move an appointment to."""
    log_file: str = ""
    """Where faults are written in full, each under the reference shown on screen (owner-only)."""
    export_folder: str = ""
    """Where the desk writes what staff export (the audit trail as CSV, the post room's PDFs), owner-only."""
    status_oldest_text_minutes: int = 15
    """`portal-tui status`: a text waiting longer than this past its time is a problem."""
    status_failed_texts_day: int = 0
    """More texts failed in the last day than this is a problem."""
    status_refused_hl7_day: int = 10
    """More HL7 messages refused in the last day than this is a problem."""
    status_heartbeat_minutes: int = 5
    """A service in status_services not seen for this long is a problem."""
    status_services: tuple[str, ...] = ("sms dispatch",)
    """The long-running services that must be running: "sms dispatch", "hl7 listen"."""
    post_working_days: int = 3
    """Working days a letter takes by post (second class: three). A paper letter that cannot arrive before its
    appointment is not printed: the desk is told to phone the patient instead."""
    paper_fallback_hours: int = 48
    """A paperless patient's appointment letter still unopened this long after it arrived goes by post too."""
    database_busy_seconds: int = 5
    """How long a screen waits for a busy database (another terminal's write, a backup) before saying so."""
    desk_idle_minutes: int = 15
    """A desk left this long is covered (nothing of the patient shows) until its user's password is typed."""
    desk_session_hours: int = 12
    """A desk session ends after this long, however busy."""
    results_withheld_codes: tuple[str, ...] = ()
    """The trust's own codes (LOINC, or SNOMED CT ids) of results never shown at the kiosk, beyond the built-in
    sensitive kinds (domain/records/release.py)."""
    results_withheld_categories: tuple[str, ...] = ()
    """Likewise, by category ('genetics', …)."""
    results_delayed_categories: tuple[str, ...] = ("imaging", "pathology")
    """Results of these categories wait `results_delay_days` for the care team before the patient sees them."""
    results_delay_days: int = 7
    """How long those wait (unless a clinician releases them sooner); 0 for no wait."""
    ed_locations: tuple[str, ...] = ()
    """PV1-3 point-of-care codes of Emergency Departments: an attendance there brings the registration invitation."""
    utc_locations: tuple[str, ...] = ()
    """Urgent Treatment Centres: an attendance there brings none (the FAQ's words)."""
    serve_sessions: int = 8
    """Browser tabs `portal-tui serve` runs at once (a program each); the next is told to try again later."""
    hl7_senders: tuple[str, ...] = ()
    """The sending systems the feed takes messages from, each as MSH-3^MSH-4 and the trust it is
    (`PAS^RWG`, `EPIC^WHHT=RWG`: the trust after `=`, else MSH-4 where it is a trust's code): anything else gets
    an AR and changes nothing, on the listener and in `hl7 ingest`. The listener does not start with none named."""
    hl7_sender_trusts: tuple[tuple[str, str], ...] = ()
    """(MSH-3^MSH-4, trust) of each of hl7_senders, as the settings gave them."""
    hl7_authorities: tuple[tuple[str, str], ...] = (("RWG", "RWG"), ("RAL", "RAL"))
    """PID-3.4 assigning authorities and the trust whose hospital numbers each issues (`RFH=RAL`); each trust's
    own code is one. A number whose authority is another trust's is never taken for the sender's."""
    hl7_hospital_numbers: tuple[str, ...] = ("MR", "MRN", "PI", "PAS", "CNN", "MEDREC")
    """Which PID-3 entries are the sending trust's hospital number, most preferred first: identifier types
    (PID-3.5) and/or assigning authorities (PID-3.4)."""
    hl7_add_unknown_bookings: bool = False
    """A move or modification (S13, S14) of a booking the feed never received adds it; else it is ignored."""
    hl7_networks: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    """The addresses or networks those senders connect from (the trust's integration engine); others are closed."""
    hl7_tls_certificate: str = ""
    """MLLP over TLS: the listener's certificate chain (PEM). With it, hl7_tls_key and hl7_tls_client_ca."""
    hl7_tls_key: str = field(default="", repr=False)
    hl7_tls_client_ca: str = ""
    """The trust's CA that issues senders' client certificates: a sender without one signed by it is refused."""
    hl7_connections: int = 16
    """Connections the listener serves at once (a PAS uses one or a few)."""
    hl7_idle_seconds: int = 600
    """A connection with no message for this long is closed (its sender connects again when it has one)."""
    hl7_largest_message_kib: int = 1024
    """A larger message is refused (AR, with the reason) and nothing of it is kept."""
    portal_url: str = "https://patientportal.westhertshospitals.nhs.uk"
    """Where patients register online: the address in the registration invitation text."""
    terminal_id: str = ""
    """This kiosk's or desk's name in the audit trail and in per-terminal limits; else host and tty."""
    desk_service: str = ""
    """The desk service's socket (`portal-tui desk-service`): a desk set so makes every call there and needs
    neither the database nor the staff secret key; else the desk opens the database itself."""
    desk_calls_per_second: int = 20
    """How fast one desk may call the desk service (five seconds' worth at once): faster is no person's."""
    staff_secret_key: str | None = field(default=None, repr=False)
    """Seals staff members' TOTP secrets in the database (keep it out of the database's backups)."""
    limits_key: str | None = field(default=None, repr=False)
    """Secret key for hashing what limits count (addresses, mobiles); else one the database keeps."""
    wrong_codes_per_day: int = 20
    """Wrong codes on one record in 24 hours before that way in is closed."""
    texts_per_mobile_hour: int = 5
    texts_per_mobile_day: int = 10
    """Codes texted to one mobile number, across records and purposes."""
    texts_per_terminal_hour: int = 30
    identity_failures_per_hour: int = 5
    """Failed matches on one NHS or hospital number (or invitation code) in an hour."""
    identity_failures_per_terminal_hour: int = 20
    identity_failures_per_person_day: int = 20
    """Failed matches on one person in 24 hours, whichever of their numbers named them."""
    sign_in_failures_per_terminal_hour: int = 30
    """Failed sign-ins at one kiosk in an hour, across every address (password spraying)."""
    sign_in_lock_after: int = 10
    """Failed sign-ins (wrong password or code) that lock an address; each further run locks twice as long."""
    sign_in_lock_minutes: int = 15
    sign_in_hard_stop: int = 100
    """Failed sign-ins after which only the Appointments team can reopen the address."""

    def feed_rules(self):  # type: ignore[no-untyped-def]
        """What the HL7 feed needs from settings (domain/events/attendance.py)."""
        from domain.events.attendance import FeedRules

        return FeedRules(frozenset(self.ed_locations), frozenset(self.utc_locations), self.portal_url,
                         self.allow_drama_numbers)

    def thresholds(self):  # type: ignore[no-untyped-def]
        """What `portal-tui status` counts as a problem (domain/operations.py)."""
        from domain.operations import Thresholds

        return Thresholds(self.status_oldest_text_minutes, self.status_failed_texts_day, self.status_refused_hl7_day,
                          self.status_heartbeat_minutes, self.status_services)

    def feed_profile(self):  # type: ignore[no-untyped-def]
        """The trust's HL7 profile from settings (domain/events/profile.py)."""
        from domain.events.profile import Profile

        return Profile(dict(self.hl7_sender_trusts), dict(self.hl7_authorities), self.hl7_hospital_numbers,
                       self.hl7_add_unknown_bookings)

    def release_policy(self):  # type: ignore[no-untyped-def]
        """What the kiosk shows of results, from settings (domain/records/release.py)."""
        from domain.records.release import ReleasePolicy

        return ReleasePolicy.of(self.results_withheld_codes, self.results_withheld_categories,
                                self.results_delayed_categories, self.results_delay_days)

    def limit_rules(self):  # type: ignore[no-untyped-def]
        """The limits in force, as the rules take them."""
        from datetime import timedelta

        from domain.limits import Limit, LimitRules, Lockout

        hour, day = timedelta(hours=1), timedelta(days=1)
        return LimitRules(
            wrong_codes=Limit("wrong_code", self.wrong_codes_per_day, day),
            texts_per_mobile_hour=Limit("text_to_mobile", self.texts_per_mobile_hour, hour),
            texts_per_mobile_day=Limit("text_to_mobile", self.texts_per_mobile_day, day),
            texts_per_terminal_hour=Limit("text_from_terminal", self.texts_per_terminal_hour, hour),
            identity_failures=Limit("identity_failure", self.identity_failures_per_hour, hour),
            identity_failures_per_terminal=Limit("identity_failure_at_terminal",
                                                 self.identity_failures_per_terminal_hour, hour),
            identity_failures_per_person=Limit("identity_failure_for_person", self.identity_failures_per_person_day,
                                               day),
            sign_in_failures_per_terminal=Limit("sign_in_failure_at_terminal",
                                                self.sign_in_failures_per_terminal_hour, hour),
            sign_in=Lockout("sign_in_failure", every=self.sign_in_lock_after,
                            first=timedelta(minutes=self.sign_in_lock_minutes), hard_stop=self.sign_in_hard_stop),
        )

    @property
    def terminal(self) -> str:
        """terminal_id, else 'host:tty' (or 'host:pid N' with no terminal): never a bare 'anonymous'. Over SSH
        the client's address follows ('… ssh from 192.0.2.7'): sshd says it in SSH_CONNECTION."""
        import os

        where = self.terminal_id
        if not where:
            import socket

            try:
                tty = os.ttyname(0)
            except OSError:
                tty = f"pid {os.getpid()}"
            where = f"{socket.gethostname()}:{tty}"
        client = os.environ.get("SSH_CONNECTION", "").split()
        if client:
            address = client[0][:45]  # an IPv6 address at its longest
            where = f"{where[:80 - len(address) - 10]} ssh from {address}"
        return where[:80]

    @property
    def is_sqlite(self) -> bool:
        """True when the database is a SQLite file."""
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None for PostgreSQL."""
        if not self.is_sqlite:
            return None
        return Path(self.database_url.removeprefix("sqlite:///"))

    def __repr__(self) -> str:
        shown = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr and f.name != "database_url"]
        return f"Settings(database_url={self.database_display!r}, {', '.join(shown)})"

    @property
    def database_display(self) -> str:
        """The database URL with any password hidden, fit for a message."""
        return redact_url(self.database_url)

    def require_kiosk_pin(self) -> str:
        """The kiosk's staff PIN (its argon2 hash; plain digits in demo mode), or the one line saying how to set it."""
        if not self.kiosk_pin:
            raise SettingsError(
                "No kiosk staff PIN is set: run `portal-tui pin hash` and set PORTAL_KIOSK_PIN (or kiosk_pin in the "
                "settings file) to what it prints."
            )
        return self.kiosk_pin

    def check_speech(self) -> None:
        """With speech on: a speech program that can be run (or a record to keep), and a folder for WAV files."""
        if not self.speech:
            return
        import shutil

        if not self.speech_command and not self.speech_record:
            raise SettingsError("Speech is on but says nothing: set speech_command (espeak-ng) or speech_record.")
        if self.speech_command and shutil.which(self.speech_command) is None:
            raise SettingsError(f"Speech is on but {self.speech_command!r} is not installed: install Debian's espeak-ng "
                                "package (apt-get install espeak-ng), or set speech = false.")
        if self.speech_wav_folder and not Path(self.speech_wav_folder).is_dir():
            raise SettingsError(f"The speech_wav_folder {self.speech_wav_folder} is not a folder.")

    def require_staff_secret_key(self) -> str:
        """The key that seals staff TOTP secrets; demo mode has a fixed one (never for real staff)."""
        if self.staff_secret_key:
            return self.staff_secret_key
        if self.demo:
            return "demo mode only: not a secret"
        raise SettingsError("No staff_secret_key is set: set PORTAL_STAFF_SECRET_KEY to a long random value (for "
                            "example from `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`), the "
                            "same on every desk, and keep it out of the database's backups.")

    def check_database_path(self) -> None:
        """For SQLite, make sure the file (or its folder) can be read and written before anything opens it."""
        path = self.sqlite_path
        if path is None:
            return
        if path.exists():
            if not path.is_file():
                raise SettingsError(f"The database path {path} is not a file.")
            try:
                path.open("r+b").close()
            except OSError as error:
                raise SettingsError(f"Cannot read and write the database file {path}: {error.strerror}.") from None
            return
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SettingsError(f"Cannot create the folder {folder} for the database: {error.strerror}.") from None
        import tempfile

        try:
            # Asking the file system, not os.access: root passes every permission check yet may still fail.
            tempfile.TemporaryFile(dir=folder).close()
        except OSError as error:
            raise SettingsError(f"Cannot create the database in {folder}: {error.strerror}.") from None


def load_settings(environ: Mapping[str, str] | None = None, config_file: str | None = None) -> Settings:
    """Read the settings file (PORTAL_CONFIG or the user's config folder) and the environment."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or env.get("PORTAL_CONFIG") or _default_config_file(env)
    if path:
        values.update(_read_toml(Path(path), required=bool(config_file or env.get("PORTAL_CONFIG"))))
    for field in fields(Settings):
        key = f"PORTAL_{field.name.upper()}"
        if key in env:
            values[field.name] = env[key]
    return _build(values, env)


def redact_url(url: str) -> str:
    """Hide the password in a database URL."""
    import re

    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        url = f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", url)  # libpq's password in the query, too


def _default_config_file(env: Mapping[str, str]) -> str | None:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    candidate = Path(base) / "portal-tui" / "settings.toml"
    return str(candidate) if candidate.is_file() else None


def _default_database_url(env: Mapping[str, str]) -> str:
    return f"sqlite:///{_default_data_file(env, 'portal.db')}"


def _default_data_file(env: Mapping[str, str], name: str) -> str:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "portal-tui" / name)


def _template_ids(value: Any) -> tuple[tuple[str, str], ...]:
    """From a TOML table, or 'reminder=ID,one_time_code=ID,pl=ID,reminder.ro=ID' in the environment: a kind of
    text, a language, or a kind in a language."""
    if not value:
        return ()  # the usual case: the kinds of text (the messaging model) need not load with the kiosk
    from domain.language import SHIPPED
    from domain.messaging.model import SmsTemplate

    pairs = value.items() if isinstance(value, dict) else (p.partition("=")[::2] for p in str(value).split(","))
    kinds = {t.value for t in SmsTemplate}
    result = []
    for key, template_id in pairs:
        key, template_id = str(key).strip(), str(template_id).strip()
        kind, _, language = key.partition(".")
        known = (kind in kinds and (not language or language in SHIPPED)) or (key in SHIPPED)
        if not known or not template_id:
            raise SettingsError(f"PORTAL_NOTIFY_TEMPLATE_IDS: {key!r} is not a kind of text "
                                f"({', '.join(sorted(kinds))}), a language ({', '.join(SHIPPED)}) or a kind in a "
                                "language ('reminder.pl').")
        result.append((key, template_id))
    return tuple(result)


def _languages(value: Any) -> tuple[str, ...]:
    """The reviewed languages offered at the kiosk: codes of the catalogues the project ships."""
    from domain.language import ENGLISH, SHIPPED

    codes = tuple(dict.fromkeys(code.lower() for code in _words(value) if code.lower() != ENGLISH))
    for code in codes:
        if code not in SHIPPED:
            raise SettingsError(f"PORTAL_LANGUAGES: {code!r} is not a language the kiosk has a catalogue for "
                                f"({', '.join(SHIPPED)}); see the README on adding one.")
    return codes


def _default_language(values: dict[str, Any], offered: tuple[str, ...]) -> str:
    from domain.language import ENGLISH

    code = str(values.get("default_language") or ENGLISH).strip().lower()
    if code != ENGLISH and code not in offered:
        raise SettingsError(f"PORTAL_DEFAULT_LANGUAGE: {code!r} must be English or one of the reviewed languages "
                            "in PORTAL_LANGUAGES.")
    return code


def _words(value: Any) -> tuple[str, ...]:
    """A comma-separated list (environment) or a list (settings file) of codes or names."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


def _senders(value: Any) -> tuple[tuple[str, str], ...]:
    """(MSH-3^MSH-4, trust) of each sending system, upper case (the listener compares them so)."""
    from domain.hospital import TrustCode

    trusts = {code.value for code in TrustCode}
    senders = []
    for word in (word.upper() for word in _words(value)):
        sender, _, trust = (part.strip() for part in word.partition("="))
        if sender.count("^") != 1 or not all(sender.split("^")):
            raise SettingsError(f"PORTAL_HL7_SENDERS: {sender!r} must be a sending application and facility as "
                                "MSH-3^MSH-4, like PAS^RWG.")
        trust = trust or sender.split("^")[1]
        if trust not in trusts:
            raise SettingsError(f"PORTAL_HL7_SENDERS: say which trust {sender} is, like {sender}=RWG (one of "
                                f"{', '.join(sorted(trusts))}).")
        senders.append((sender, trust))
    return tuple(senders)


def _services(value: Any) -> tuple[str, ...]:
    services = tuple(" ".join(word.lower().split()) for word in _words(value))
    for service in services:
        if service not in ("sms dispatch", "hl7 listen"):
            raise SettingsError(f"PORTAL_STATUS_SERVICES: {service!r} is not one of: sms dispatch, hl7 listen.")
    return services


def _authorities(value: Any) -> tuple[tuple[str, str], ...]:
    """(assigning authority, trust): each trust's own code, and those the settings add (`RFH=RAL`)."""
    from domain.hospital import TrustCode

    trusts = {code.value for code in TrustCode}
    found = {code: code for code in sorted(trusts)}
    words = [f"{key}={trust}" for key, trust in value.items()] if isinstance(value, dict) else _words(value)
    for word in (str(word).upper() for word in words):
        authority, _, trust = (part.strip() for part in word.partition("="))
        if not authority or trust not in trusts:
            raise SettingsError(f"PORTAL_HL7_AUTHORITIES: {word!r} must be an assigning authority and its trust, "
                                f"like RFH=RAL (one of {', '.join(sorted(trusts))}).")
        found[authority] = trust
    return tuple(found.items())


def _networks(value: Any) -> tuple[str, ...]:
    import ipaddress

    networks = _words(value)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingsError(f"PORTAL_HL7_NETWORKS: {network!r} is not an address or network "
                                "(like 10.20.0.0/16).") from None
    return networks


def _days(value: Any) -> tuple[int, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    try:
        days = tuple(sorted({int(item) for item in items}, reverse=True))
    except (TypeError, ValueError):
        raise SettingsError(f"PORTAL_REMINDER_DAYS must be whole numbers of days, like 7,1 (got {value!r}).") from None
    if not days or min(days) < 1:
        raise SettingsError("PORTAL_REMINDER_DAYS needs at least one day, each 1 or more.")
    return days


def _choice(values: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = str(values.get(name) or default)
    if value not in allowed:
        raise SettingsError(f"PORTAL_{name.upper()} must be one of {', '.join(allowed)} (got {value!r}).")
    return value


def _read_toml(path: Path, *, required: bool) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        if required:
            raise SettingsError(f"The settings file {path} does not exist.") from None
        return {}
    except OSError as error:
        raise SettingsError(f"Cannot read the settings file {path}: {error.strerror}.") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"The settings file {path} is not valid TOML: {error}.") from None
    known = {field.name for field in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"The settings file {path} has unknown settings: {', '.join(unknown)}.")
    return data


def _build(values: dict[str, Any], env: Mapping[str, str]) -> Settings:
    url = _database_url(str(values.get("database_url") or _default_database_url(env)))
    pin = values.get("kiosk_pin")
    pin = None if pin in (None, "") else str(pin).strip()
    if pin is not None and not pin.startswith("$argon2"):
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            raise SettingsError("The kiosk staff PIN (PORTAL_KIOSK_PIN) must be the hash `portal-tui pin hash` "
                                "prints (or, in demo mode only, 4 to 12 digits).")
        if not _boolean(values, "demo"):
            raise SettingsError("Outside demo mode the kiosk staff PIN is kept only as a hash: run `portal-tui pin "
                                "hash`, type a PIN of 6 or more digits, and set PORTAL_KIOSK_PIN to what it prints.")
    if _boolean(values, "demo") and str(values.get("sms_sender") or "file") == "notify":
        raise SettingsError("Demo mode shows every text on screen, codes too: it cannot run with the GOV.UK Notify "
                            "sender. Turn demo off, or use sms_sender = \"file\".")
    theme = str(values.get("theme", "portal"))
    if theme not in THEMES:
        raise SettingsError(f"Unknown theme {theme!r}: choose one of {', '.join(THEMES)}.")
    return Settings(
        database_url=url,
        kiosk_pin=pin,
        demo=_boolean(values, "demo"),
        allow_drama_numbers=_boolean(values, "allow_drama_numbers"),
        theme=theme,
        kiosk_idle_seconds=_whole_number(values, "kiosk_idle_seconds", 120, minimum=30),
        trust_name=str(values.get("trust_name") or DEFAULT_TRUST_NAME),
        speech=_boolean(values, "speech"),
        speech_command=str(values.get("speech_command", "espeak-ng")).strip(),
        speech_volume=_ranged(values, "speech_volume", 100, 20, 200),
        speech_rate=_ranged(values, "speech_rate", 160, 80, 450),
        speech_language=_voice_name(values.get("speech_language") or "en-gb"),
        languages=(offered := _languages(values.get("languages") or ())),
        default_language=_default_language(values, offered),
        speech_record=str(values.get("speech_record") or ""),
        speech_wav_folder=str(values.get("speech_wav_folder") or ""),
        sms_sender=_choice(values, "sms_sender", ("file", "notify"), "file"),
        sms_file=str(values.get("sms_file") or _default_data_file(env, "sms-sent.jsonl")),
        notify_api_key=values.get("notify_api_key") or None,
        notify_base_url=str(values.get("notify_base_url") or "https://api.notifications.service.gov.uk"),
        notify_template_id=values.get("notify_template_id") or None,
        notify_template_ids=_template_ids(values.get("notify_template_ids") or {}),
        sms_lease_seconds=_whole_number(values, "sms_lease_seconds", 120, minimum=1),
        reminder_days=_days(values.get("reminder_days", (7, 1))),
        reschedule_limit=_whole_number(values, "reschedule_limit", 2, minimum=0),
        change_cutoff_hours=_whole_number(values, "change_cutoff_hours", 48, minimum=0),
        booking_horizon_weeks=_whole_number(values, "booking_horizon_weeks", 12, minimum=1),
        log_file=str(values.get("log_file") or _default_data_file(env, "portal-tui.log")),
        export_folder=str(values.get("export_folder") or _default_data_file(env, "exports")),
        paper_fallback_hours=_whole_number(values, "paper_fallback_hours", 48, minimum=1),
        post_working_days=_whole_number(values, "post_working_days", 3, minimum=1),
        status_oldest_text_minutes=_whole_number(values, "status_oldest_text_minutes", 15, minimum=1),
        status_failed_texts_day=_whole_number(values, "status_failed_texts_day", 0, minimum=0),
        status_refused_hl7_day=_whole_number(values, "status_refused_hl7_day", 10, minimum=0),
        status_heartbeat_minutes=_whole_number(values, "status_heartbeat_minutes", 5, minimum=1),
        status_services=_services(values.get("status_services", ("sms dispatch",))),
        database_busy_seconds=_whole_number(values, "database_busy_seconds", 5, minimum=1),
        desk_idle_minutes=_whole_number(values, "desk_idle_minutes", 15, minimum=1),
        desk_session_hours=_whole_number(values, "desk_session_hours", 12, minimum=1),
        results_withheld_codes=_words(values.get("results_withheld_codes", ())),
        results_withheld_categories=_words(values.get("results_withheld_categories", ())),
        results_delayed_categories=_words(values.get("results_delayed_categories", ("imaging", "pathology"))),
        results_delay_days=_whole_number(values, "results_delay_days", 7, minimum=0),
        ed_locations=tuple(w.upper() for w in _words(values.get("ed_locations", ()))),
        utc_locations=tuple(w.upper() for w in _words(values.get("utc_locations", ()))),
        serve_sessions=_whole_number(values, "serve_sessions", 8, minimum=1),
        hl7_senders=tuple(sender for sender, _ in _senders(values.get("hl7_senders", ()))),
        hl7_sender_trusts=_senders(values.get("hl7_senders", ())),
        hl7_authorities=_authorities(values.get("hl7_authorities", ())),
        hl7_hospital_numbers=tuple(w.upper() for w in _words(values.get(
            "hl7_hospital_numbers", ("MR", "MRN", "PI", "PAS", "CNN", "MEDREC")))) or ("MR",),
        hl7_add_unknown_bookings=_boolean(values, "hl7_add_unknown_bookings"),
        hl7_networks=_networks(values.get("hl7_networks", ("127.0.0.1/32", "::1/128"))),
        hl7_tls_certificate=str(values.get("hl7_tls_certificate") or ""),
        hl7_tls_key=str(values.get("hl7_tls_key") or ""),
        hl7_tls_client_ca=str(values.get("hl7_tls_client_ca") or ""),
        hl7_connections=_whole_number(values, "hl7_connections", 16, minimum=1),
        hl7_idle_seconds=_whole_number(values, "hl7_idle_seconds", 600, minimum=5),
        hl7_largest_message_kib=_whole_number(values, "hl7_largest_message_kib", 1024, minimum=16),
        portal_url=str(values.get("portal_url") or "https://patientportal.westhertshospitals.nhs.uk")[:120],
        terminal_id=str(values.get("terminal_id") or "")[:80],
        desk_service=str(values.get("desk_service") or "").strip(),
        desk_calls_per_second=_whole_number(values, "desk_calls_per_second", 20, minimum=1),
        limits_key=values.get("limits_key") or None,
        staff_secret_key=values.get("staff_secret_key") or None,
        wrong_codes_per_day=_whole_number(values, "wrong_codes_per_day", 20, minimum=1),
        texts_per_mobile_hour=_whole_number(values, "texts_per_mobile_hour", 5, minimum=1),
        texts_per_mobile_day=_whole_number(values, "texts_per_mobile_day", 10, minimum=1),
        texts_per_terminal_hour=_whole_number(values, "texts_per_terminal_hour", 30, minimum=1),
        identity_failures_per_hour=_whole_number(values, "identity_failures_per_hour", 5, minimum=1),
        identity_failures_per_terminal_hour=_whole_number(values, "identity_failures_per_terminal_hour", 20,
                                                          minimum=1),
        identity_failures_per_person_day=_whole_number(values, "identity_failures_per_person_day", 20, minimum=1),
        sign_in_failures_per_terminal_hour=_whole_number(values, "sign_in_failures_per_terminal_hour", 30,
                                                         minimum=1),
        sign_in_lock_after=_whole_number(values, "sign_in_lock_after", 10, minimum=1),
        sign_in_lock_minutes=_whole_number(values, "sign_in_lock_minutes", 15, minimum=1),
        sign_in_hard_stop=_whole_number(values, "sign_in_hard_stop", 100, minimum=1),
    )


def _database_url(url: str) -> str:
    url = url.strip()
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+psycopg://"):
        return url
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return url
    raise SettingsError(
        f"PORTAL_DATABASE_URL must be sqlite:///PATH or postgresql+psycopg://USER@HOST/DB (got {redact_url(url)!r})."
    )


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _boolean(values: Mapping[str, Any], name: str) -> bool:
    value = values.get(name, False)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise SettingsError(f"PORTAL_{name.upper()} must be true or false (got {value!r}).")


def _ranged(values: Mapping[str, Any], name: str, default: int, minimum: int, maximum: int) -> int:
    number = _whole_number(values, name, default, minimum=minimum)
    if number > maximum:
        raise SettingsError(f"PORTAL_{name.upper()} must be at most {maximum} (got {number}).")
    return number


def _voice_name(value: Any) -> str:
    """An espeak-ng voice name (en-gb, pl, ro): letters, digits and hyphens, never an option."""
    import re

    name = str(value).strip()
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]{0,30}", name):
        raise SettingsError(f"PORTAL_SPEECH_LANGUAGE must be an espeak-ng voice such as en-gb (got {name!r}).")
    return name


def _whole_number(values: Mapping[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = values.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"PORTAL_{name.upper()} must be a whole number (got {value!r}).") from None
    if number < minimum:
        raise SettingsError(f"PORTAL_{name.upper()} must be at least {minimum} (got {number}).")
    return number
