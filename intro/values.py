"""Typed setting values: conversion from TOML or environment text, and the checks on them.

Each function raises ``ValueError`` with the "expected ..." half of the message; the
loader adds the setting's name and the value it was given.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from intro.addresses import AddressError, normalize_address, normalize_service_address

Check = Callable[[Any], Any]

_DURATION = re.compile(r"(\d+)\s*([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def convert(kind: Any, raw: Any) -> Any:
    """Turn ``raw`` (a TOML value or an environment string) into a value of type ``kind``."""
    if kind is str:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return str(raw)  # goal = 15 in TOML, for a setting that also takes words
        if not isinstance(raw, str):
            raise ValueError("expected text")
        return raw.strip()
    if kind is int:
        return _integer(raw)
    if kind is bool:
        return _boolean(raw)
    if kind is timedelta:
        return duration(raw)
    if kind == tuple[str, ...]:
        return _text_list(raw)
    raise TypeError(f"no conversion for {kind!r}")  # a programming error, not a user's


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError("expected a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw)
    raise ValueError("expected a whole number")


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError("expected true or false")


def _text_list(raw: Any) -> tuple[str, ...]:
    # The environment has only text, so a list there is comma- or space-separated.
    items = re.split(r"[,\s]+", raw) if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError("expected a list of text")
    return tuple(i.strip() for i in items if i.strip())


def duration(raw: Any) -> timedelta:
    """Parse ``14d``, ``36h``, ``1d12h``, ``90m``, ``2w`` or ``0``."""
    if raw == 0 or (isinstance(raw, str) and raw.strip() == "0"):
        return timedelta(0)
    text = raw.strip().lower() if isinstance(raw, str) else ""
    parts = _DURATION.findall(text)
    if not parts or _DURATION.sub("", text).strip():
        raise ValueError("expected a duration such as 14d, 36h, 90m, 1d12h or 0")
    total = timedelta()
    for amount, unit in parts:
        total += timedelta(**{_UNITS[unit]: int(amount)})
    return total


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def one_of(*choices: str) -> Check:
    def check(value: str) -> str:
        if value.lower() not in choices:
            raise ValueError(f"expected one of: {', '.join(choices)}")
        return value.lower()
    return check


def at_least(minimum: int) -> Check:
    def check(value: int) -> int:
        if value < minimum:
            raise ValueError(f"expected a whole number of at least {minimum}")
        return value
    return check


def goal(value: str) -> str:
    if value.lower() == "year":
        return "year"
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise ValueError('expected a number of introductions from 1 to 1000, or "year"')
    return str(int(value))


def port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError("expected a port number from 1 to 65535")
    return value


def service_addresses(value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        raise ValueError("expected at least one address, such as intro@example.com")
    try:
        return tuple(normalize_service_address(a) for a in value)
    except AddressError as e:
        raise ValueError(f"expected addresses such as intro@example.com ({e})") from None


def addresses(value: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return tuple(normalize_address(a) for a in value)
    except AddressError as e:
        raise ValueError(f"expected addresses such as sam@example.com ({e})") from None


def addresses_or_domains(value: tuple[str, ...]) -> tuple[str, ...]:
    """Addresses (normalised) and domains (lowercase, without a leading "@")."""
    found = []
    for entry in value:
        text = entry.strip().lower().removeprefix("@").rstrip(".")
        if "@" in text:
            try:
                found.append(normalize_address(text))
            except AddressError as e:
                raise ValueError(f"expected addresses such as sam@example.com or domains such as "
                                 f"clinic.example ({e})") from None
        elif _DOMAIN.match(text):
            found.append(text.encode("idna").decode() if not text.isascii() else text)
        else:
            raise ValueError(f"expected addresses such as sam@example.com or domains such as clinic.example, "
                             f"not {entry!r}")
    return tuple(found)


_DOMAIN = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)(\.(?!-)[\w-]{1,63}(?<!-))+$")


def networks(value: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return tuple(str(ipaddress.ip_network(n.strip(), strict=False)) for n in value)
    except ValueError as e:
        raise ValueError(f"expected networks such as 192.0.2.10/32 or 2001:db8::/32 ({e})") from None


def positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("expected a duration above zero, such as 5m")
    return value


def webhook_timeout(value: timedelta) -> timedelta:
    # A pass sends a batch four at a time and must end well within its claim's lease
    # (intro.deliveries): 100 deliveries at 30 s each take 12.5 minutes at most.
    if not timedelta(0) < value <= timedelta(seconds=30):
        raise ValueError("expected a duration above zero and at most 30s, such as 10s")
    return value


def database_url(value: str) -> str:
    try:
        backend = make_url(value).get_backend_name()
    except ArgumentError:
        backend = None
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(
            "expected an SQLite or PostgreSQL URL such as sqlite:///intro.db or "
            "postgresql+psycopg://user@host/dbname"
        )
    return value


def base_url(value: str) -> str:
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an http(s) URL such as https://intro.example.com")
    return value.rstrip("/")


def log_level(value: str) -> str:
    level = value.upper()
    if level not in logging.getLevelNamesMapping():
        raise ValueError("expected a log level: DEBUG, INFO, WARNING or ERROR")
    return level


_SELECTOR = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$")


def dkim_selector(value: str) -> str:
    """A DKIM selector: one or more DNS labels (RFC 6376 3.1), such as "intro2026"."""
    if value and not _SELECTOR.match(value):
        raise ValueError("expected a DNS label of letters, digits and hyphens, such as intro2026")
    return value
