"""Email address normalisation shared by configuration and mail handling."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

# A DNS name: labels of letters, digits and hyphens. Checked by hand for the service
# address because email-validator refuses special-use names such as localhost, which
# is exactly what a first, local run uses.
_HOSTNAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")


class AddressError(ValueError):
    """An address that cannot be used; the message says why."""


def normalize_service_address(address: str) -> str:
    """Lowercase and check a service address such as ``intro@tally.example``.

    The whole address is lowercased: recipients are matched case-insensitively, and
    the local part may not contain ``+``, which is reserved for tags (intro+TAG@).
    """
    local, at, domain = address.strip().lower().rpartition("@")
    if not at or not local or not _HOSTNAME.match(domain):
        raise AddressError(f"{address!r} is not an address like name@domain")
    if "+" in local:
        raise AddressError(f"{address!r}: '+' is reserved for tags such as intro+TAG@domain")
    try:
        validate_email(f"{local}@example.com", check_deliverability=False)
    except EmailNotValidError as e:
        raise AddressError(f"{address!r}: {e}") from None
    return f"{local}@{domain}"
