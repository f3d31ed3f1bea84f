"""Email address normalisation shared by configuration and mail handling."""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

# A DNS name: labels of letters, digits and hyphens. Checked by hand for special-use
# names such as localhost, which email-validator refuses but a first, local run uses.
_HOSTNAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
_SPECIAL_USE = ("localhost", "test", "invalid", "local", "example")


@dataclass(frozen=True)
class Address:
    """A person's address, normalised (see ``normalize_address``), with the name they go by."""

    email: str
    name: str = ""  # display name, decoded; "" when absent

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


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


# Tags on the service address, intro+<prefix><tag>@domain (RFC 5233 subaddresses): the
# address a mail of the service is answered at, bounced to or unsubscribed through says
# which mail it concerns (VERP).
ANSWER_TAG = "f-"  # Reply-To: answers by mail
BOUNCE_TAG = "b-"  # envelope sender: delivery failures
UNSUBSCRIBE_TAG = "u-"  # List-Unsubscribe mailto: opting out by mail (RFC 2369)
# intro+ask@: copied on a message that asks one person first whether they want an
# introduction (intro.consent). A whole tag, not a prefix: people type it.
ASK_TAG = "ask"


def base_address(address: str) -> str:
    """``Intro+Tag@Tally.Example`` -> ``intro@tally.example``: the address without its tag."""
    local, at, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}{at}{domain}"


def tagged(service_address: str, prefix: str, tag: str) -> str:
    """The service address with a tag: intro@example.org -> intro+f-TAG@example.org."""
    local, _, domain = service_address.partition("@")
    return f"{local}+{prefix}{tag}@{domain}"


def tag_of(rcpt_to: tuple[str, ...] | list[str], service: tuple[str, ...], prefix: str) -> str | None:
    """The tag of the first recipient like intro+<prefix>TAG@domain (without the prefix), if any."""
    for rcpt in rcpt_to:
        local = rcpt.lower().rpartition("@")[0]
        if "+" in local and base_address(rcpt) in service:
            tag = local.split("+", 1)[1]
            if tag.startswith(prefix) and len(tag) > len(prefix):
                return tag[len(prefix):]
    return None


def asks_first(rcpt_to: tuple[str, ...] | list[str], service: tuple[str, ...]) -> bool:
    """Whether a message was sent to intro+ask@ (at any of the service's addresses)."""
    for rcpt in rcpt_to:
        local, _, domain = rcpt.lower().rpartition("@")
        base, plus, tag = local.partition("+")
        if plus and tag == ASK_TAG and f"{base}@{domain}" in service:
            return True
    return False
