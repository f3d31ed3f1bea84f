"""Forwarded messages: the header block of the message that was forwarded, and its text.

An introducer who forgot to copy the service forwards the introduction afterwards; the
people introduced are then only in the forwarded block ("From: / To: / Cc:"), written by
the mail client in the sender's language, or in an attached message/rfc822 part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage

from inbound.understanding.mime import body_text, content_type, header, parts
from inbound.understanding.people import parse_addresses, people
from intro.addresses import Address

# Lines that start a forwarded message in the common clients and languages.
_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:"
    r"forwarded message|begin forwarded message|original message|weitergeleitete nachricht|"
    r"anfang der weitergeleiteten nachricht|urspr(?:ü|ue)ngliche nachricht|mensaje reenviado|"
    r"mensaje original|message transf[ée]r[ée]|d[ée]but du message (?:r[ée]exp[ée]di[ée]|transf[ée]r[ée])|"
    r"message d'origine|doorgestuurd bericht|oorspronkelijk bericht|mensagem encaminhada|"
    r"mensagem original|messaggio inoltrato|messaggio originale|inizio messaggio inoltrato|"
    r"vidarebefordrat meddelande|videresendt meddelelse|videresendt melding|edelleenlähetetty viesti|"
    r"przekazana wiadomość|wiadomość przekazana|přeposlaná zpráva|továbbított üzenet|mesaj redirecționat|"
    r"iletilen ileti|пересланное сообщение|переслане повідомлення|προωθημένο μήνυμα|"
    r"転送されたメッセージ|転送メッセージ|转发的邮件|轉寄郵件|전달된 메시지|الرسالة المعاد توجيهها|הודעה שהועברה|"
    r"pesan yang diteruskan|thư được chuyển tiếp|ข้อความที่ส่งต่อ|missatge reenviat|missatge original|"
    r"proslijeđena poruka|posredovano sporočilo|preposlaná správa|препратено съобщение|persiųstas laiškas|"
    r"pārsūtīta ziņa|edastatud kiri|mensaxe reenviada"
    r")\s*[:：]?\s*(?:-{2,})?\s*$",
    re.IGNORECASE,
)
# "Key: value" lines of the block; the key in the client's language.
_FIELDS = {
    "from": ("from", "von", "de", "van", "da", "från", "fra", "od", "от", "від", "lähettäjä", "feladó", "kimden",
             "de la", "šalje", "pošiljatelj", "nuo", "saatja", "frá",
             "από", "差出人", "发件人", "寄件者", "보낸 사람", "보낸사람", "من", "מאת", "प्रेषक", "dari", "từ", "จาก"),
    "to": ("to", "an", "à", "a", "aan", "para", "till", "til", "do", "кому", "vastaanottaja", "címzett", "kime",
           "per a", "către", "komu", "prima", "prejemnik", "kam", "adressaat", "до",
           "προς", "宛先", "收件人", "받는 사람", "받는사람", "إلى", "אל", "प्राप्तकर्ता", "kepada", "đến", "ถึง"),
    "cc": ("cc", "kopie", "copie", "copia", "cópia", "kopie aan", "kopia", "dw", "копия", "копія", "kopio",
           "másolat", "bilgi", "κοιν", "抄送", "副本", "참조", "نسخة", "העתק", "tembusan", "đồng gửi", "สำเนา"),
    "subject": ("subject", "betreff", "objet", "asunto", "onderwerp", "assunto", "oggetto", "ämne", "emne",
                "assumpte", "predmet", "zadeva", "относно", "tēma", "teema", "efni",
                "temat", "předmět", "тема", "aihe", "tárgy", "konu", "θέμα", "subiect", "件名", "主题", "主旨",
                "제목", "الموضوع", "נושא", "विषय", "perihal", "subjek", "chủ đề", "tiêu đề", "เรื่อง"),
    "date": ("date", "datum", "fecha", "data", "sent", "gesendet", "envoyé", "enviado", "enviada",
             "enviat el", "enviat", "poslano", "odoslané", "изпратено", "išsiųsta", "nosūtīts",
             "saadetud",
             "verzonden", "inviato", "skickat", "sendt", "enviado el", "enviada em", "wysłano", "odesláno",
             "отправлено", "надіслано", "lähetetty", "elküldve", "gönderildi", "tarih", "στάλθηκε", "trimis",
             "送信日時", "日付", "发送时间", "日期", "보낸 날짜", "التاريخ", "תאריך", "दिनांक", "tanggal", "ngày",
             "วันที่"),
}
_KEY = {alias: field for field, aliases in _FIELDS.items() for alias in aliases}
_FIELD_LINE = re.compile(r"^\s*\*?([^\W\d_][\w ]{0,15}?)\*?\s*[:：]\s*(.*)$")
_QUOTED = re.compile(r"^(?:\s*>)+ ?")
_MAILTO = re.compile(r"\[mailto:([^\]]+)\]", re.IGNORECASE)
FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|wg|tr|rv|enc|doorst|i)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Forwarded:
    from_: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    text: str  # the forwarded message's body

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc


def find_forwarded(text: str, message: EmailMessage | None = None) -> Forwarded | None:
    """The first forwarded message in ``text`` (or attached to ``message``), if any."""
    # A forward quoted as a whole ("> From: ...", Apple Mail) reads as one that is not.
    lines = [_QUOTED.sub("", line) for line in text.split("\n")]
    for i, line in enumerate(lines):
        if _MARKER.match(line):
            found = _block(lines[i + 1:])
            if found is not None:
                return found
    # Outlook puts no marker, only a rule and the header block: "From: ... Sent: ... To: ...".
    for i, line in enumerate(lines):
        match = _FIELD_LINE.match(line)
        if match and _KEY.get(match.group(1).strip().lower()) == "from":
            found = _block(lines[i:])
            if found is not None:
                return found
    return _attached(message) if message is not None else None


def _block(lines: list[str]) -> Forwarded | None:
    fields: dict[str, str] = {}
    last: str | None = None
    body_start = len(lines)
    for i, line in enumerate(lines[:40]):
        match = _FIELD_LINE.match(line)
        key = _KEY.get(match.group(1).strip().lower()) if match else None
        if match and key:
            fields[key] = match.group(2).strip()
            last = key
        elif not line.strip():
            if fields:
                body_start = i + 1
                break
        elif last in ("to", "cc") and fields:
            fields[last] += " " + line.strip()  # a long recipient list wraps
        elif fields:
            body_start = i
            break
    if "from" not in fields or not ("to" in fields or "cc" in fields):
        return None
    return Forwarded(
        from_=_first(fields["from"]),
        to=_addresses(fields.get("to", "")),
        cc=_addresses(fields.get("cc", "")),
        subject=fields.get("subject", ""),
        text="\n".join(lines[body_start:]),
    )


def _addresses(value: str) -> tuple[Address, ...]:
    # Outlook writes "Name [mailto:a@b]" and separates people with ";".
    value = _MAILTO.sub(r"<\1>", value).replace(";", ",")
    return parse_addresses(value)[0]


def _first(value: str) -> Address | None:
    found = _addresses(value)
    return found[0] if found else None


def _attached(message: EmailMessage) -> Forwarded | None:
    """A forward sent "as attachment": a message/rfc822 part."""
    for part in parts(message, attached=True):
        if content_type(part) != "message/rfc822":
            continue
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, EmailMessage):
            continue
        return Forwarded(
            from_=next(iter(people(inner, "From")[0]), None),
            to=people(inner, "To")[0],
            cc=people(inner, "Cc")[0],
            subject=header(inner, "Subject"),
            text=body_text(inner, []),
        )
    return None
