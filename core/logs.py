"""Logging set-up, shared by the command line and the processes it starts."""

from __future__ import annotations

import logging
import sys


def configure(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic narrates every connection at INFO; core.schema says what matters.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # aiosmtpd logs every command with the addresses in it: personal data, and noise.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
