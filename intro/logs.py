"""Logging set-up, shared by the command line and the processes it starts."""

from __future__ import annotations

import logging
import re
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The local part of an address, wherever it appears in a line: messages, arguments,
# exception text (a database error repeats the values it was given). Dot-atoms and
# quoted strings ("dana reyes"@example.net, RFC 5321 4.1.2); any domain, one label
# ("@localhost") or an address literal ("@[192.0.2.1]") too.
_LOCAL_PART = re.compile(r"(?:\"(?:[^\"\\\r\n]|\\.)*\"|[\w.!#$%&'*+/=?^`{|}~-]+)@(?=[\w\[-])")


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then hides the local part of every address: a log line is
    copied to places (tickets, chat, log services) where personal data must not go."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def redact(text: str) -> str:
    return _LOCAL_PART.sub("<redacted>@", text)


def configure(level: str, log_addresses: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT) if log_addresses else RedactingFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    # Alembic narrates every connection at INFO; intro.schema says what matters.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # aiosmtpd logs every command with the addresses in it: personal data, and noise.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
