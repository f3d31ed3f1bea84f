"""Error types, kept apart so that user mistakes and system failures are never confused.

A ``UserError`` is something the person at the keyboard (or the sender of a message) can
fix; its text is shown to them as it is. Anything else is a system error: logged with its
traceback, and shown to people only as a generic failure.
"""


class UserError(Exception):
    """A mistake in what a person gave us; the message says what to do about it."""


class ConfigError(UserError):
    """A setting is unknown or has a value that cannot be used."""


class SchemaError(UserError):
    """The database schema is not at the revision this version of the code needs."""
