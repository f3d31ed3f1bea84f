"""Addresses in headers: parsed, normalised, and kept apart from the invalid ones."""

from __future__ import annotations

import email.utils
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message

from inbound.understanding import mime
from intro.addresses import Address, AddressError, normalize_address

# More addresses than this in one header is a mass mailing, not an introduction, and
# parsing thousands of them would only cost time (hostile input).
MAX_ADDRESSES = 200


def people(msg: Message, name: str) -> tuple[tuple[Address, ...], list[str]]:
    """The valid addresses in every ``name`` header of ``msg``, and the invalid ones as written."""
    return _normalised(mime.address_pairs(msg, name))


def parse_addresses(value: str) -> tuple[tuple[Address, ...], list[str]]:
    """The valid addresses in a decoded header value (a forwarded block's "To:" line), and
    the invalid ones as written."""
    return _normalised(email.utils.getaddresses([value]) if value else [])


def _normalised(pairs: list[tuple[str, str]]) -> tuple[tuple[Address, ...], list[str]]:
    valid: list[Address] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for name, addr in pairs[:MAX_ADDRESSES]:
        if not addr:
            continue
        try:
            normal = normalize_address(addr)
        except AddressError:
            invalid.append(addr)
            continue
        if normal not in seen:
            seen.add(normal)
            valid.append(Address(normal, _clean_name(name, normal)))
    return tuple(valid), invalid


def _clean_name(name: str, address: str) -> str:
    name = " ".join(name.split()).strip("'\"")
    if "=?" in name:
        # An encoded word inside quotes is not valid RFC 2047 (section 5), so the header
        # parser leaves it alone; many clients write it that way all the same.
        try:
            name = str(make_header(decode_header(name)))
        except (ValueError, LookupError, UnicodeError, MessageError):  # MessageError: bad base64, charset name
            pass
    # Clients often put the address itself in the display name ("dana@x" <dana@x>).
    return "" if name.lower() == address else name[:200]
