"""Recognise responders: out-of-office notices, new-address notices, help-desk acknowledgements.

RFC 3834 asks responders to say so with ``Auto-Submitted: auto-replied``; many use older or
vendor headers instead, and some (webmail out-of-office rules) only a recognisable subject.
"""

from __future__ import annotations

import re
from email.message import Message

from inbound.understanding.mime import clean, content_type, has_header, header, param

# Vendor headers that mean "a responder wrote this": X-Autoreply (Sieve vacation
# implementations, cPanel), X-Autorespond (vpopmail, help desks), X-Autoresponder.
_RESPONDER_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply")
_FALSE = ("", "no", "false", "0", "off")

# Responder subjects, anchored at the start so that a person's "Re: out of office plans"
# never matches; only "[tag]" prefixes from gateways are skipped. The phrase must end the
# subject or be followed by a delimiter or "until": "Out of office plans" is a person's.
_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)*(?:"
    r"out of (?:the )?office|away from (?:the )?office|automatic (?:reply|response)|auto[- ]?(?:reply|response)"
    r"|autoresponse|vacation (?:reply|response|notice|message)"
    r"|abwesenheit(?:snotiz|smeldung|sbenachrichtigung)?|automatische (?:antwort|abwesenheitsnotiz)|abwesend"
    r"|nicht im büro|réponse automatique|absence|absente?|respuesta automática|fuera de (?:la )?oficina|ausente"
    r"|afwezig(?:heidsmelding)?|automatisch antwoord|niet aanwezig|resposta automática|fora do escritório"
    r"|risposta automatica|fuori (?:sede|ufficio)|automatisk svar|frånvaro|fravær|poza biurem"
    r"|odpowiedź automatyczna|automaattinen vastaus|автоматический ответ|自动回复|自動回覆|自動返信|自動応答"
    r"|不在のお知らせ|不在通知|不在|부재중|자동 ?회신|자동 ?응답|otomatik yanıt|ofiste değil"
    r")(?=\s*(?:[:：\-–—(\[|（【]|$)|\s+(?:until|till|through|bis|jusqu|hasta|tot|até|fino)\b)",
    re.IGNORECASE,
)


def auto_reply(msg: Message) -> str | None:
    """The evidence that a responder wrote ``msg``, or None."""
    auto_submitted = header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted == "auto-replied":  # RFC 3834 section 5.2
        return "Auto-Submitted: auto-replied"
    for name in _RESPONDER_HEADERS:
        value = header(msg, name)
        if has_header(msg, name) and value.lower() not in _FALSE:
            return f"{name}: {clean(value[:40])}"
    for name in ("Precedence", "X-Precedence"):
        if header(msg, name).strip().lower() == "auto_reply":
            return f"{name}: auto_reply"
    # RFC 8098 read receipts and other reports about a message we sent, except DSNs
    # (bounces.py) : automatic answers all the same.
    if content_type(msg) == "multipart/report":
        return f"report (multipart/report; report-type={param(msg, 'report-type') or 'unknown'})"
    # Exchange marks what its mailbox rules (out-of-office, inbox rules) generate. A bare
    # X-Auto-Response-Suppress only asks others not to answer, and people's mail carries it
    # too, so it counts only beside Exchange's inbox-rules loop counter.
    source = header(msg, "X-MS-Exchange-Generated-Message-Source")
    if source:
        return f"X-MS-Exchange-Generated-Message-Source: {clean(source[:40])}"
    if has_header(msg, "X-MS-Exchange-Inbox-Rules-Loop") and has_header(msg, "X-Auto-Response-Suppress"):
        return "X-MS-Exchange-Inbox-Rules-Loop with X-Auto-Response-Suppress"
    subject = header(msg, "Subject")
    match = _SUBJECT.match(subject)
    if match:
        return f"subject {clean(subject[: match.end() + 1].strip())!r}"
    return None
