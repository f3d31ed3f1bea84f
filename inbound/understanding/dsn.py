"""RFC 3464 delivery status notifications: which recipients failed and which are delayed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from inbound.understanding.mime import content_type, header, is_multipart, param, parts, text_of

# RFC 3463 enhanced status codes, e.g. 5.1.1; the guards keep IP addresses and versions out.
STATUS = re.compile(r"(?<![\d.])([245])\.\d{1,3}\.\d{1,3}(?![\d.])")
# An address as a report field or X-Failed-Recipients gives it; RFC 6533 allows UTF-8.
LOOSE_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\".]+")

# RFC 3464 section 2 and RFC 6533 section 3 (internationalised) report and part types.
_REPORT_TYPES = ("delivery-status", "global-delivery-status")
_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
_FIELDS = ("action", "status", "final-recipient", "original-recipient")
_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")
_CONTINUATION = re.compile(r"\r?\n[ \t]+")


@dataclass(frozen=True)
class Report:
    report_type: str  # "delivery-status" or "global-delivery-status"; "" for a bare status part
    failed: tuple[str, ...]  # lowercased, in report order
    delayed: tuple[str, ...]
    succeeded: tuple[str, ...]  # delivered, relayed or expanded (RFC 3464 section 2.3.3)


def report(msg: Message) -> Report | None:
    """The DSN in ``msg``, or None when it has no delivery-status report.

    Status parts inside an attached message (a person forwarding a bounce) are not read.
    """
    report_type = param(msg, "report-type") if content_type(msg) == "multipart/report" else ""
    report_type = report_type if report_type in _REPORT_TYPES else ""
    status_parts = [p for p in parts(msg) if content_type(p) in _STATUS_PARTS]
    if not report_type and not status_parts:
        return None
    blocks = [fields for part in status_parts for fields in _status_blocks(part)]
    if not blocks and not is_multipart(msg):
        # A report whose boundary is lost (CPython's test msg_25): its fields are in the plain body.
        blocks = _field_blocks(text_of(msg))
    found: dict[str, list[str]] = {"failed": [], "delayed": [], "succeeded": [], "unknown": []}
    for fields in blocks:
        address = _recipient(fields)
        if address:
            found[_action(fields)].append(address)
    return Report(report_type, tuple(found["failed"]), tuple(found["delayed"]), tuple(found["succeeded"]))


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The per-message and per-recipient field blocks of a status part (RFC 3464 section 2.1)."""
    try:
        payload = part.get_payload()
    except Exception:  # a broken part has no readable blocks
        return []
    if not isinstance(payload, list):
        return _field_blocks(text_of(part))
    # The email package parses message/delivery-status into one header block per field group,
    # but message/global-delivery-status like an embedded message: its first field group as
    # headers, the others as the body.
    blocks = []
    for block in payload:
        if isinstance(block, Message):
            blocks.append({n: header(block, n) for n in _FIELDS})
            blocks.extend(_field_blocks(_body(block)))
    return blocks


def _body(block: Message) -> str:
    try:  # as bytes: RFC 6533 fields are UTF-8, and the block declares no charset
        body = block.get_payload(decode=True)
    except Exception:
        return ""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else ""


def _field_blocks(text: str) -> list[dict[str, str]]:
    blocks = []
    for chunk in _BLANK_LINE.split(text):
        fields: dict[str, str] = {}
        for line in _CONTINUATION.sub(" ", chunk).splitlines():
            name, colon, value = line.partition(":")
            if colon and name.strip().lower() in _FIELDS:
                fields.setdefault(name.strip().lower(), value.strip())
        if fields:
            blocks.append(fields)
    return blocks


def _recipient(fields: dict[str, str]) -> str | None:
    # Original-Recipient is the address as we gave it (RFC 3464 section 2.3.1); Final-Recipient
    # is mandatory but may be a rewritten alias (2.3.2). Both are "type; address".
    for name in ("original-recipient", "final-recipient"):
        kind, semi, address = fields.get(name, "").partition(";")
        if not semi:  # seen in the wild: a bare "<user@example.com>"
            kind, address = "rfc822", kind
        address = address.strip().strip("<>").strip().lower()
        if kind.strip().lower() in ("rfc822", "utf-8") and LOOSE_ADDRESS.fullmatch(address):
            return address
    return None


def _action(fields: dict[str, str]) -> str:
    action = fields.get("action", "").strip().lower()
    # RFC 3464 section 2.3.3; opensmtpd writes "error", some MTAs add a comment after the value.
    if action.startswith(("fail", "error")):
        return "failed"
    if action.startswith("delayed"):
        return "delayed"
    if action:
        return "succeeded"  # delivered, relayed, expanded
    status = STATUS.search(fields.get("status", ""))  # Action is mandatory, but the class tells
    return {"5": "failed", "4": "delayed", "2": "succeeded"}.get(status.group(1) if status else "", "unknown")
