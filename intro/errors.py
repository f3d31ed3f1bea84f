"""Error types, kept apart so that user mistakes and system failures are never confused.

A ``UserError`` is something the person at the keyboard (or the sender of a message) can
fix; its text is shown to them as it is. Anything else is a system error: logged with its
traceback, and shown to people only as a generic failure.
"""

import os


class UserError(Exception):
    """A mistake in what a person gave us; the message says what to do about it."""


class ConfigError(UserError):
    """A setting is unknown or has a value that cannot be used."""


class SchemaError(UserError):
    """The database schema is not at the revision this version of the code needs."""


class ListenError(UserError):
    """A server could not open its port (already in use, not permitted, no such address)."""

    def __init__(self, what: str, host: str, port: int, error: OSError, setting: str) -> None:
        reason = os.strerror(error.errno).lower() if error.errno else str(error)
        super().__init__(
            f"cannot listen for {what} on {host}:{port}: {reason}. Is intro already running? "
            f"Choose another port with {setting}."
        )
