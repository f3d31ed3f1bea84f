"""Configuration: built-in defaults, then a TOML file, then INTRO_* environment variables.

Loaded once, at start, into frozen dataclasses. Every setting has one environment name,
INTRO_<SECTION>_<KEY> (INTRO_<KEY> for the top-level keys), and every mistake fails at
start with a message that names the setting and says what is expected.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, get_type_hints

from intro import values
from intro.errors import ConfigError
from intro.languages import LANGUAGES

CONFIG_ENV = "INTRO_CONFIG"
# INTRO_* variables that are not settings: the config path itself and the test suite's.
_NOT_SETTINGS = (CONFIG_ENV, "INTRO_TEST_")


def _setting(default: Any, check: values.Check) -> Any:
    """A field whose value, once converted to its type, must also pass ``check``."""
    return field(default=default, metadata={"check": check})


@dataclass(frozen=True)
class DatabaseConfig:
    # A path relative to the working directory, so a new user gets ./intro.db.
    url: str = _setting("sqlite:///intro.db", values.database_url)


@dataclass(frozen=True)
class ServiceConfig:
    address: tuple[str, ...] = _setting(("intro@localhost",), values.service_addresses)


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = _setting(2525, values.port)
    # "lmtp" behind an MTA (Postfix, Exim), as GNU Mailman 3 does; "smtp" otherwise.
    protocol: str = _setting("smtp", values.one_of("smtp", "lmtp"))
    # A Unix socket path to listen on instead of host and port (e.g. for LMTP from Postfix).
    socket: str = ""
    # 25 MiB, the limit most providers use; announced in EHLO as SIZE (RFC 1870).
    max_message_size: int = _setting(25 * 1024 * 1024, values.at_least(1024))
    max_recipients: int = _setting(50, values.at_least(1))
    # Connections at once, in all; more get 421 and are tried again later by their MTA.
    max_connections: int = _setting(200, values.at_least(1))
    # Connections at once from one client address (the trusted ones below are exempt).
    max_connections_per_client: int = _setting(20, values.at_least(1))
    # Messages a minute from one client address, in bursts of as many; more get 451 at
    # MAIL FROM. 0: no limit.
    messages_per_minute: int = _setting(120, values.at_least(0))
    # A client silent for this long is disconnected (RFC 5321 4.5.3.2.7 suggests 5 minutes).
    idle_timeout: timedelta = _setting(timedelta(minutes=5), values.positive)
    # Networks exempt from the per-client limits, e.g. the upstream MTA: ["192.0.2.10/32"].
    # Loopback and Unix-socket clients always are.
    trusted_networks: tuple[str, ...] = _setting((), values.networks)
    # Messages over 1 MiB received at once, in all: each is in memory while it arrives and
    # is stored (twice its size), so this bounds the server's memory; smaller ones never
    # wait. More wait for a slot, up to 30 s, then get 451 and come again.
    large_messages_at_once: int = _setting(2, values.at_least(1))
    # MIME parts read of a message; the rest is stored, not parsed. 0: no limit.
    max_mime_parts: int = _setting(1000, values.at_least(0))
    # Time to understand one message; a message that takes longer is marked failed, with
    # the reason, and processing goes on with the next.
    processing_budget: timedelta = _setting(timedelta(seconds=10), values.positive)


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = _setting(8000, values.port)
    # Organizers: after signing in they may invite people, hide entries and see everything.
    admins: tuple[str, ...] = _setting((), values.addresses)
    # Whether anyone may join on the web; False: by invitation (or mail) only.
    open_join: bool = True
    # Reverse proxies in front of the site (nginx, a load balancer) whose X-Forwarded-For
    # and X-Forwarded-Proto to trust: 0 when clients connect directly.
    proxies: int = _setting(0, values.at_least(0))
    # GET /metrics for Prometheus, counted from the database at each scrape; off: a 404.
    metrics: bool = False


@dataclass(frozen=True)
class RelayConfig:
    # Empty host: nothing goes to the network, messages are written to `outbox` instead.
    host: str = ""
    port: int = _setting(587, values.port)
    # "starttls" (RFC 3207, port 587), "tls" (implicit TLS, port 465) or "none" (a local MTA).
    security: str = _setting("starttls", values.one_of("starttls", "tls", "none"))
    username: str = ""  # AUTH only when set
    password: str = ""
    outbox: str = "outbox"
    # The name intro gives itself in EHLO; empty: the service address's domain.
    helo_name: str = ""


@dataclass(frozen=True)
class MailConfig:
    from_name: str = "intro"  # display name on outgoing mail; the address is the first service address
    # A folder whose files replace those of templates/email/ with the same name.
    templates: str = ""
    # DKIM (RFC 6376): a PEM private key (`intro dkim keygen` makes one) and the selector
    # its public key is published under, <selector>._domainkey.<service domain>. Empty
    # key: mail goes out unsigned.
    dkim_selector: str = _setting("", values.dkim_selector)
    dkim_key: str = ""
    # A second signature with an ed25519 key (RFC 8463), under a selector of its own.
    dkim_ed25519_selector: str = _setting("", values.dkim_selector)
    dkim_ed25519_key: str = ""
    # The language of mail when neither the person's choice nor the introduction's own
    # language says (intro.languages): en, es, de, fr, nl, pt or it.
    language: str = _setting("en", values.one_of(*LANGUAGES))


@dataclass(frozen=True)
class CampaignConfig:
    # Introductions per participant in a new campaign (one campaign a year), or "year" for
    # "N in 'N" (26 in '26), as the "15 in '15" campaign that inspired this did.
    goal: str = _setting("15", values.goal)
    # The day of the week a participant behind the year's pace gets a short note of where
    # they stand ("monday", ..., "sunday"), or "off". Those on pace get nothing.
    pace_note: str = _setting("off", values.one_of(*values.WEEKDAYS, "off"))


@dataclass(frozen=True)
class FollowupConfig:
    delay: timedelta = timedelta(days=14)
    # After the first mail, one reminder to those who have not answered; "0": none.
    reminder: timedelta = timedelta(days=7)
    # Introductions older than this when recorded (a backfilled mailbox) get no follow-up.
    max_age: timedelta = timedelta(days=90)
    # Mails one person gets from the follow-ups in any 7 days, however many introductions
    # name them; follow-ups due together go out as one mail. More wait for room.
    per_person_per_week: int = _setting(3, values.at_least(1))
    # A short receipt to the introducer when an introduction is logged.
    receipts: bool = False
    # A note to the introducer once everyone introduced has answered: "participants"
    # (those who joined the campaign), "everyone", or "nobody".
    answered_notes: str = _setting("participants", values.one_of("participants", "everyone", "nobody"))


@dataclass(frozen=True)
class RecognitionConfig:
    # A message from a person to two or more others that copied the service but was not
    # recognised as an introduction: its sender is asked whether it was one, at most this
    # many times a day. 0: never asked.
    questions_per_day: int = _setting(3, values.at_least(0))


@dataclass(frozen=True)
class TrustConfig:
    # The authserv-id of the MTA in front of intro (its Authentication-Results headers are
    # believed; any other's are ignored). Empty: intro verifies DKIM and DMARC itself.
    authserv_id: str = ""
    # An introduction whose From fails authentication is "accept"ed, "hold"-ed until the
    # introducer confirms it, or "reject"ed at SMTP (550 5.7.1).
    on_fail: str = _setting("hold", values.one_of("accept", "hold", "reject"))
    # One with no usable result (no signature; DNS unreachable): "accept", "hold", or
    # "confirm": held only when it is the first from an address that is neither a
    # participant nor an introducer already counted; its sender confirms once.
    on_none: str = _setting("confirm", values.one_of("accept", "hold", "confirm"))
    # Introducers whose mail is never held: confirmed addresses of participants.
    trusted_senders: tuple[str, ...] = _setting((), values.addresses)
    # Introductions a day from one sender; more are held until confirmed. 0: no limit. For
    # senders that are not authenticated it is also the limit for all of one domain, and
    # for all that came from one client address (an MTA on the same machine excepted).
    introductions_per_day: int = _setting(20, values.at_least(0))
    # A message that names more people than this is a group mail, not an introduction: it
    # is recorded as "other" and nobody is mailed because of it.
    max_parties: int = _setting(6, values.at_least(2))
    # Follow-ups an hour across the service; introductions beyond it wait for an
    # organizer (told once a day by mail, if [web] admins lists any). 0: no limit.
    followups_per_hour: int = _setting(200, values.at_least(0))
    # The DNS server for DKIM keys and DMARC records, "host" or "host:port"; empty: the system's.
    resolver: str = ""


@dataclass(frozen=True)
class PrivacyConfig:
    # Raw messages (headers and bodies) are kept this long after they arrive, then only
    # the facts read from them remain (who introduced whom, when). "0": kept for ever.
    retention: timedelta = timedelta(days=90)
    # Whether logs show email addresses; by default they read "<redacted>@example.org".
    log_addresses: bool = False
    # Addresses and whole domains never recorded as introduced, nor mailed (a clinic's
    # patients, say): an introduction naming them counts without them, if two or more
    # others remain. A domain covers its subdomains.
    never_log: tuple[str, ...] = _setting((), values.addresses_or_domains)


@dataclass(frozen=True)
class ConsentConfig:
    # Asking first (a message copying intro+ask@): unanswered this long, the person asked
    # gets one short note with one-click answers. "0": no note.
    nudge: timedelta = timedelta(days=3)
    # Unanswered this long, the ask expires and its introducer is told, once. "0": never.
    expires: timedelta = timedelta(days=14)


@dataclass(frozen=True)
class WebhooksConfig:
    # Endpoints (added on /admin/webhooks) whose host resolves to a loopback, private,
    # link-local, unique-local, multicast or reserved address are refused, when added and
    # at every delivery, so that the site cannot be used to reach the machines behind it;
    # true allows them (a receiver on the same machine or network).
    allow_private: bool = False
    # How long a delivery waits for the receiver's answer; longer is a failure, tried again.
    timeout: timedelta = _setting(timedelta(seconds=10), values.webhook_timeout)


@dataclass(frozen=True)
class Config:
    # Empty: http://<web.host>:<web.port>, right for one machine, wrong behind a proxy.
    base_url: str = _setting("", values.base_url)
    # Empty: generated on first run and kept in the database, shared by every node.
    secret_key: str = ""
    log_level: str = _setting("INFO", values.log_level)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    web: WebConfig = field(default_factory=WebConfig)
    relay: RelayConfig = field(default_factory=RelayConfig)
    mail: MailConfig = field(default_factory=MailConfig)
    campaign: CampaignConfig = field(default_factory=CampaignConfig)
    followup: FollowupConfig = field(default_factory=FollowupConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    trust: TrustConfig = field(default_factory=TrustConfig)
    recognition: RecognitionConfig = field(default_factory=RecognitionConfig)
    consent: ConsentConfig = field(default_factory=ConsentConfig)
    webhooks: WebhooksConfig = field(default_factory=WebhooksConfig)

    @property
    def public_url(self) -> str:
        """The URL that links in outgoing mail start with, without a trailing slash."""
        return self.base_url or f"http://{self.web.host}:{self.web.port}"


def warnings(config: Config) -> list[str]:
    """Settings that start but would hurt once mail goes out; said at start, in the log."""
    found = []
    if config.relay.host and not config.base_url:
        found.append(f"[relay] host is set but base_url is not: links in the mail sent will point at "
                     f"{config.public_url}, which nobody else can open; set base_url to the site's public "
                     "https:// address")
    elif config.relay.host and not config.base_url.startswith("https://"):
        found.append(f"base_url {config.base_url} is not https: links in mail carry sign-in and answer "
                     "tokens, which anyone on the way could read; serve the site over https")
    return found


def load(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration: defaults, then the file (``path`` or $INTRO_CONFIG), then $INTRO_*."""
    environ = os.environ if environ is None else environ
    path = path or environ.get(CONFIG_ENV) or None
    layers: dict[str, dict[str, tuple[str, Any]]] = {}
    if path is not None:
        _merge(layers, _read_file(Path(path)))
    _merge(layers, _read_environ(environ))
    return _build(Config, layers, section=None)


def setting_names() -> dict[str, tuple[str | None, str]]:
    """Every environment name, mapped to its (section, key)."""
    names: dict[str, tuple[str | None, str]] = {}
    for key, kind in get_type_hints(Config).items():
        if dataclasses.is_dataclass(kind):
            for sub in get_type_hints(kind):
                names[_env_name(key, sub)] = (key, sub)
        else:
            names[_env_name(None, key)] = (None, key)
    return names


def _env_name(section: str | None, key: str) -> str:
    return "INTRO_" + (f"{section}_{key}" if section else key).upper()


# A layer maps section ("" for top level) to key to (where it came from, raw value).
Layers = dict[str, dict[str, tuple[str, Any]]]


def _merge(into: Layers, layer: Layers) -> None:
    for section, keys in layer.items():
        into.setdefault(section, {}).update(keys)


def _read_file(path: Path) -> Layers:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    names = setting_names()
    sections = {s for s, _ in names.values() if s}
    layer: Layers = {}
    for key, value in data.items():
        if isinstance(value, dict) and key in sections:
            for sub, sub_value in value.items():
                if (key, sub) not in names.values():
                    known = ", ".join(k for s, k in names.values() if s == key)
                    raise ConfigError(f"{path}: unknown key [{key}] {sub}; known keys in [{key}]: {known}")
                layer.setdefault(key, {})[sub] = (f"{path}: [{key}] {sub}", sub_value)
        elif (None, key) in names.values():
            layer.setdefault("", {})[key] = (f"{path}: {key}", value)
        else:
            known = ", ".join(sorted({f"[{s}]" if s else k for s, k in names.values()}))
            raise ConfigError(f"{path}: unknown setting {key!r}; known: {known}")
    return layer


def _read_environ(environ: Mapping[str, str]) -> Layers:
    names = setting_names()
    layer: Layers = {}
    for name, value in environ.items():
        if not name.startswith("INTRO_") or name.startswith(_NOT_SETTINGS):
            continue
        if name not in names:
            # A typo such as INTRO_SMPT_PORT would otherwise be ignored in silence.
            raise ConfigError(f"{name}: unknown setting; known: {', '.join(sorted(names))}")
        section, key = names[name]
        layer.setdefault(section or "", {})[key] = (name, value)
    return layer


def _build(cls: type, layers: Layers, section: str | None) -> Any:
    hints = get_type_hints(cls)
    given = layers.get(section or "", {})
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            kwargs[f.name] = _build(kind, layers, f.name)
        elif f.name in given:
            where, raw = given[f.name]
            try:
                value = values.convert(kind, raw)
                check = f.metadata.get("check")
                kwargs[f.name] = check(value) if check else value
            except ValueError as e:
                raise ConfigError(f"{where}: {e}, got {raw!r}") from None
    return cls(**kwargs)
