"""Recognise machine-generated mail, which the service must never answer (RFC 3834).

Three kinds, checked in this order, so that a bounce carrying auto-reply headers (Postfix
and Gmail add ``Auto-Submitted: auto-replied`` to their bounces) stays a bounce:

- ``bounce``: delivery status notifications, standard or not (bounces.py);
- ``auto_reply``: out-of-office notices and other responders (autoreplies.py);
- ``bulk``: newsletters, list mail and notifications. Never introductions, never answered;
  the product files them as ``other``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.message import Message
from typing import Literal

from inbound.understanding.autoreplies import auto_reply
from inbound.understanding.bounces import bounce
from inbound.understanding.mime import UNKNOWN_SENDER, clean, has_header, header

log = logging.getLogger(__name__)

# RFC 2076 / RFC 3834 section 2: "Precedence: bulk|list|junk" marks mail not to be answered.
_BULK_PRECEDENCE = ("bulk", "list", "junk")
# Headers that only bulk-mail services write (Mailchimp, Mandrill, Mailjet, the Certified
# Senders Alliance list). Transport-only headers (SendGrid, SES, Mailgun) are left out: a
# person's one-to-one mail can travel through those too.
_CAMPAIGN_HEADERS = ("X-Campaign", "X-CampaignID", "X-Campaign-ID", "X-MC-User", "X-Mailjet-Campaign",
                     "X-CSA-Complaints")
_BULK_MAILER = re.compile(r"mailchimp|mailjet|sendinblue|brevo|campaign monitor|constant ?contact|mailerlite"
                          r"|klaviyo|phplist|acumbamail|getresponse", re.IGNORECASE)
# List-Unsubscribe alone is not enough (some one-to-one sales tools add it); beside these
# signs of a bulk sender it is: RFC 8058 one-click unsubscription, Google's feedback loop.
_BULK_BESIDE_UNSUBSCRIBE = ("List-Unsubscribe-Post", "Feedback-ID", "X-Report-Abuse")


@dataclass(frozen=True)
class Automatic:
    kind: Literal["bounce", "auto_reply", "bulk"]
    reason: str  # short human-readable evidence, e.g. "Auto-Submitted: auto-replied"
    # Bounces only. The lowercased addresses that failed, when they can be found; for a delay
    # warning, the delayed ones. permanent: True failed (5.x.x, or the MTA gave up), False
    # delayed (4.x.x, still retrying), None unknown. A success report (Action: relayed) is a
    # bounce with neither: automatic, never answered, nothing failed.
    failed_recipients: tuple[str, ...] = ()
    permanent: bool | None = None


def detect(msg: Message, mail_from: str = UNKNOWN_SENDER) -> Automatic | None:
    """What kind of automatic mail this is, or None for mail a person wrote.

    ``mail_from`` is the SMTP envelope sender ("" is the null sender <>); "<unknown>" when not
    known, in which case the Return-Path header the delivering MTA added stands in for it.
    Never raises, whatever the message.
    """
    try:
        return _detect(msg, mail_from)
    except Exception:  # every read is guarded; this is the last line, so the server keeps going
        log.exception("automatic-mail detection failed; treating the message as a person's")
        return None


def _detect(msg: Message, mail_from: str) -> Automatic | None:
    null_sender = _null_sender(msg, mail_from)
    found = bounce(msg, null_sender)
    if found is not None:
        return Automatic("bounce", found.reason, found.failed_recipients, found.permanent)
    reason = auto_reply(msg)
    if reason is not None:
        return Automatic("auto_reply", reason)
    # RFC 3834 section 3.3 asks responders to send from the null sender, and a person's
    # mail always has a return address, so <> on anything that is not a bounce is a responder.
    if null_sender:
        return Automatic("auto_reply", "null envelope sender (MAIL FROM:<>)")
    reason = _bulk(msg)
    return Automatic("bulk", reason) if reason is not None else None


def _null_sender(msg: Message, mail_from: str) -> bool:
    if mail_from != UNKNOWN_SENDER:
        return mail_from.strip() in ("", "<>")
    # RFC 5321 section 4.4: the final MTA records the envelope sender as Return-Path.
    return header(msg, "Return-Path").replace(" ", "") == "<>"


def _bulk(msg: Message) -> str | None:
    for name in ("Precedence", "X-Precedence"):
        value = header(msg, name).strip().lower()
        if value in _BULK_PRECEDENCE:
            return f"{name}: {value}"
    if has_header(msg, "List-Id"):  # RFC 2919: only list software adds it
        return f"List-Id: {clean(header(msg, 'List-Id')[:60])}"
    for name in _CAMPAIGN_HEADERS:
        if has_header(msg, name):
            return f"{name} header"
    mailer = header(msg, "X-Mailer")
    if _BULK_MAILER.search(mailer):
        return f"X-Mailer: {clean(mailer[:40])}"
    if has_header(msg, "List-Unsubscribe"):
        for name in _BULK_BESIDE_UNSUBSCRIBE:
            if has_header(msg, name):
                return f"List-Unsubscribe with {name}"
    # Auto-Submitted: auto-generated (RFC 3834 section 5.1) alone, with no responder sign,
    # is a notification: a calendar invitation, an alert, a receipt. It is not a person
    # writing, so never an introduction and never answered, and the product files it as
    # "other" (like the Google Calendar invitation in samples s40), which is what bulk means
    # here. Responders that write auto-generated (Exchange's out-of-office does) are
    # recognised as auto_reply above, by their other headers or subject.
    auto_submitted = header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {clean(auto_submitted[:40])}"
    return None
