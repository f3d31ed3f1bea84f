"""Email address normalisation shared by configuration and mail handling."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

# A DNS name: labels of letters, digits and hyphens. Checked by hand for special-use
# names such as localhost, which email-validator refuses but a first, local run uses.
_HOSTNAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
_SPECIAL_USE = ("localhost", "test", "invalid", "local", "example")


class AddressError(ValueError):
    """An address that cannot be used; the message says why."""


def normalize_address(address: str) -> str:
    """Check ``address`` and return its one canonical form: all lowercase, IDNA domain.

    The local part is lowercased too: strictly it is case-sensitive (RFC 5321 2.4), but
    no mail system in use treats Dana@ and dana@ as two people, and counting them as two
    would split one person's introductions.
    """
    text = address.strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise AddressError(f"{address!r} is not an address like name@domain")
    domain = domain.lower().rstrip(".")
    special = domain.rsplit(".", 1)[-1] in _SPECIAL_USE
    if special and not _HOSTNAME.match(domain):
        raise AddressError(f"{address!r}: the domain is not a valid name")
    try:
        # email-validator refuses reserved names, so those are checked by hand above.
        result = validate_email(f"{local}@{'example.com' if special else domain}",
                                check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as e:
        raise AddressError(f"{address!r}: {e}") from None
    return f"{result.local_part.lower()}@{domain if special else result.domain.lower()}"


def normalize_service_address(address: str) -> str:
    """Like ``normalize_address``, and the local part may not contain ``+``: it is reserved
    for tags (intro+TAG@)."""
    normal = normalize_address(address)
    if "+" in normal.rpartition("@")[0]:
        raise AddressError(f"{address!r}: '+' is reserved for tags such as intro+TAG@domain")
    return normal
