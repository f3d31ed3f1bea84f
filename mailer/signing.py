"""DKIM signatures on everything intro sends (RFC 6376), by dkimpy.

Signed in the domain of the From address (the first service address), so that DMARC
aligns. The headers signed include List-Unsubscribe and List-Unsubscribe-Post: one-click
unsubscribe counts only when a valid signature covers both (RFC 8058 section 4). An
ed25519 signature (RFC 8463) goes beside the RSA one when its key is configured; a
verifier that knows only RSA skips it.
"""

from __future__ import annotations

from collections.abc import Callable

import dkim

from intro import dkim_keys
from intro.config import Config
from intro.dkim_keys import DkimKey
from intro.errors import ConfigError

SIGNED = (b"From", b"To", b"Cc", b"Subject", b"Date", b"Message-ID", b"Reply-To", b"In-Reply-To",
          b"References", b"MIME-Version", b"Content-Type", b"Auto-Submitted",
          b"List-Id", b"List-Unsubscribe", b"List-Unsubscribe-Post")
# Each named twice: once for the header, once more for its absence, so that a header
# added on the way (a second From or Subject) breaks the signature instead of riding on
# it (RFC 6376 8.15, "oversigning").
_NAMES = [name for name in SIGNED for _ in range(2)]

Sign = Callable[[bytes], bytes]


def unsigned(data: bytes) -> bytes:
    return data


def signer(config: Config) -> Sign:
    """A function that prepends this installation's signatures to a message, or returns
    it as it is when no key is configured; a missing or bad key fails here, at start."""
    mail = config.mail
    domain = config.service.address[0].rpartition("@")[2]
    keys: list[tuple[str, DkimKey]] = []
    for (selector, path), names in (((mail.dkim_selector, mail.dkim_key), ("dkim_selector", "dkim_key")),
                                    ((mail.dkim_ed25519_selector, mail.dkim_ed25519_key),
                                     ("dkim_ed25519_selector", "dkim_ed25519_key"))):
        if path and not selector:
            raise ConfigError(f"[mail] {names[1]} is set but [mail] {names[0]} is empty: set the selector "
                              "its public key is published under")
        if path:
            keys.append((selector, dkim_keys.load(path)))
    if not keys:
        return unsigned

    def sign(data: bytes) -> bytes:
        signatures = b"".join(
            dkim.sign(data, selector.encode(), domain.encode(), key.private, canonicalize=(b"relaxed", b"relaxed"),
                      signature_algorithm=key.algorithm, include_headers=_NAMES, linesep=b"\r\n")
            for selector, key in keys)
        return signatures + data

    return sign
