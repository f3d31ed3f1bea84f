"""Line patterns that mark where the new text of a reply ends, for `inbound.understanding.quotes`.

Each pattern is matched against one line, or a few joined lines for attributions that
clients wrap, and only when that text is at most a few hundred characters long. None has
nested quantifiers, and searches that scan a line have fixed-width or bounded parts, so
matching time stays linear and no input can make a pattern backtrack for long.
"""

from __future__ import annotations

import re

# Longest line that may be (part of) a marker. Real attribution and header lines are far
# shorter; the cap keeps the marker regexes away from the 100 KB lines of pathological mail.
MAX_MARKER_LINE = 300

# "> quoted" (RFC 3676 section 4.5), and Supercite's "Name> quoted" (Emacs, some Usenet
# readers), which the Discourse corpus has as "C>" and "Richard>".
QUOTE_LINE = re.compile(r"\s*(?:>|[A-Za-z]{1,10}>(?:\s|$))")

# RFC 3676 section 4.3 says the delimiter is exactly "-- "; many clients strip the space.
SIGNATURE_DELIMITER = re.compile(r"--[ \t]?")

# A whole line of one repeated punctuation character: Outlook's "________" rule before the
# quoted header block, mailing-list footers ("____" in Mailman), ASCII-art signature rules,
# "————" in Chinese and Japanese clients (alfonsrv/mail-parser-reply email_zh_1).
# "ᐧ" is the invisible mark that Gmail tracking add-ons (Streak, Mixmax) put above a signature.
SEPARATOR_LINE = re.compile(r"\s*(?:(?P<rule>[-_=*#~+\u2013\u2014\u2500])(?P=rule){2,}|\u1427)\s*")

# "-----Original Message-----" (Outlook, AOL, Yahoo, Comcast) and its translations.
ORIGINAL_MESSAGE = re.compile(
    r"[\s*_>-]*(?:original message|message d'origine|ursprüngliche nachricht|mensaje original"
    r"|oorspronkelijk bericht|messaggio originale|mensagem original|oprindelig meddelelse"
    r"|opprinnelig melding|ursprungligt meddelande|alkuperäinen viesti|původní zpráva"
    r"|oryginalna wiadomość|wiadomość oryginalna|исходное сообщение|оригинальное сообщение"
    r"|вихідне повідомлення|eredeti üzenet|orijinal ileti|原始邮件|原始郵件|元のメッセージ|원본 메시지)"
    r"[\s*_-]*",
    re.IGNORECASE,
)

# Forwarded-message markers: Gmail ("---------- Forwarded message ---------"), Apple Mail
# ("Begin forwarded message:"), Thunderbird ("-------- Forwarded Message --------"), Yahoo
# ("----- Forwarded Message -----") and their translations. The caller parses the block itself.
FORWARDED = re.compile(
    r"[\s*_>-]*(?:forwarded message|begin forwarded message|start of forwarded message"
    r"|weitergeleitete nachricht|anfang der weitergeleiteten nachricht|message transféré"
    r"|début du message (?:réexpédié|transféré)|mensaje reenviado|inicio del mensaje reenviado"
    r"|doorgestuurd bericht|begin doorgestuurd bericht|mensagem encaminhada"
    r"|início da mensagem (?:reencaminhada|encaminhada)|messaggio inoltrato|inizio messaggio inoltrato"
    r"|videresendt (?:meddelelse|besked|melding)|vidarebefordrat (?:meddelande|brev)"
    r"|przekazana wiadomość|początek przekazywanej wiadomości|пересылаемое сообщение"
    r"|начало переадресованного сообщения|пересланное сообщение|přeposlaná zpráva"
    r"|továbbított üzenet|välitetty viesti|转发的邮件|下面是被转发的邮件|転送されたメッセージ|전달된 메시지)"
    r"[\s*_:：-]*",
    re.IGNORECASE,
)

# Mobile and webmail signatures that stand on a line of their own, e.g. "Sent from my
# iPhone" (iOS Mail), "Get Outlook for Android", "Von meinem iPhone gesendet". A comma,
# semicolon or sentence end after the device name means it is a sentence, not a signature
# ("Sent from my desk, is much easier ..." in github/email_reply_parser).
_DEVICE = r"[^,;!?\n]{1,80}"
_SENT = (
    r"(?:sent|envoyé|enviado|enviada|inviato|verstuurd|verzonden|gesendet|sendt|skickat|lähetetty|wysłane|wysłano"
    r"|odesláno|отправлено|надіслано|küldve|gönderildi)"
)
_FROM = (
    r"(?:from|via|with|using|de|depuis|à partir de|avec|desde|con|do|com|da|dal|vanaf|met|von|mit|fra|från|z|с|з|из)"
)
_MOBILE = [
    _SENT + " " + _FROM + r"\b" + _DEVICE,  # "Sent from my iPhone", "Envoyé de mon iPhone"
    "get outlook for " + _DEVICE,  # Outlook for iOS and Android
    "von meine[mr]? " + _DEVICE + " gesendet",  # German iOS Mail
    "diese nachricht wurde von meinem " + _DEVICE + " gesendet",  # K-9 Mail
    "sent by galaxy|from my iphone",
    "從我的 ?iphone ?傳送|发自我的" + _DEVICE + "|來自我的" + _DEVICE + "|iphoneから送信",
]
MOBILE_SIGNATURE = re.compile(r"[\s(<\[*_]*(?:" + "|".join(_MOBILE) + r")[\s.)>\]*_]*", re.IGNORECASE)

# Verbs that close an attribution line ("... wrote:"), in the languages that mail clients
# localize it to: Gmail, Apple Mail, Thunderbird, Outlook for Mac, K-9, Zimbra, Yahoo.
_VERB_WORD = (
    r"(?:wrote|writes|a écrit|écrit|escribió|escreveu|schrieb|geschrieben|schreef|geschreven"
    r"|ha scritto|scrisse|skrev|skrive|napisał(?:a|\(a\))?|napsal(?:a|\(a\))?|написал(?:а|\(а\))?"
    r"|написав|пише|írta|kirjoitti|yazdı|έγραψε|כתב|كتب)"
)
# Chinese and Korean clients write the verb straight after the name, with no space.
_VERB_CJK = r"(?:写道|寫道|님이 작성)"
ATTRIBUTION_VERB = re.compile(
    r"(?:(?:^|[\s,>)\"'])" + _VERB_WORD + r"(?=\s|$|[:：(])|" + _VERB_CJK + ")", re.IGNORECASE
)
# "Someone <a@example.com> wrote:" and "Something wrote:" with no date (Discourse corpus).
ATTRIBUTION_SHORT = re.compile(r".{0,100}?(?:\s" + _VERB_WORD + "|" + _VERB_CJK + r")\s*[:：]", re.IGNORECASE)

# How an attribution starts: "On" (Gmail, Apple Mail), "Am" (de), "Le" (fr), "El" (es),
# "Op" (nl), "Em" (pt), "Il" (it), "Den" (da/no/sv), "Dne" (cs), "Dnia"/"W dniu" (pl),
# "At" (Eudora), or a date ("2016-10-24 15:36 GMT+02:00 ...", "20 окт. 2016 г. ...").
ATTRIBUTION_LEAD = re.compile(
    r"[\s>*-]*(?:(?:on|am|le|el|op|em|il|den|dne|dnia|w dniu|på|at)\s|\d)",
    re.IGNORECASE,
)
# A date or a time somewhere in the attribution: "18:02", "10.00", "2014", "6/16/2016".
DATE_OR_TIME = re.compile(r"\d{1,2}[:.h]\d{2}|(?:19|20)\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,4}年")
DIGIT = re.compile(r"\d")
# A line that ends a sentence ("... at the office.") but not an abbreviation ("28.", "Apr.").
SENTENCE_END = re.compile(r"(?:[^\W\d_]{4}[.!?]|[!?])$")
# The attribution ends with a colon (or "wrote ----" in Zoho Mail, which has none).
ENDS_WITH_COLON = re.compile(r"[:：]\s*$")
ENDS_WITH_DASHES = re.compile(r"\s-{2,}\s*$")
# "2022年1月1日(金) 9:00 田中太郎 <taro@example.com>:" (Gmail in Japanese and other locales
# that put no verb after the address).
ENDS_WITH_ADDRESS = re.compile(r"<[^<>\s]{0,100}@[^<>\s]{1,100}\s*>\s*[:：]\s*$")
# Gmail's old format with no verb and no colon: "2013/7/20 sam via Discourse Meta <info@example.org>"
# or "2016-03-03 17:21 GMT+01:00 Some One".
GMAIL_DATE_LINE = re.compile(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}\s.{0,150}?(?:\bGMT\b|<[^<>\s]{1,100}@)")

# Outlook and other clients quote the original's headers instead of an attribution:
# "From: ... Sent: ... To: ... Subject: ...", localized (Outlook, HCL Notes, Yahoo, Zimbra).
HEADER_FROM = re.compile(
    r"\s*[*_]*(?:from|de|von|van|da|od|fra|från|frá|lähettäjä|feladó|kimden|от|від|από|发件人|發件人"
    r"|寄件者|差出人|보낸 ?사람|mittente|remitente|afzender|absender|expéditeur|nadawca|odesílatel)"
    r"[*_]*\s*[:：]",
    re.IGNORECASE,
)
HEADER_OTHER = re.compile(
    r"\s*[*_]*(?:sent|date|to|cc|bcc|subject|reply-to|gesendet|datum|an|kopie|betreff|antwort an"
    r"|envoyé(?: le)?|à|a|objet|copie à|sujet|message du|enviad[oa](?: el| em)?|fecha|para|asunto"
    r"|verzonden|aan|onderwerp|data|assunto|inviato|oggetto|risposta|wysłano|do|dw|temat|sendt|dato"
    r"|til|kopi|emne|skickat|till|kopia|ämne|lähetetty|vastaanottaja|aihe|elküldve|címzett|tárgy"
    r"|gönderildi|kime|konu|отправлено|дата|кому|копия|тема|надіслано|στάλθηκε|προς|θέμα|发送时间"
    r"|日期|收件人|抄送|主题|傳送時間|收件者|主旨|送信日時|宛先|件名|보낸 ?날짜|받는 ?사람|제목"
    r"|odesláno|komu|předmět)"
    r"[*_]*\s*[:：]",
    re.IGNORECASE,
)

# Banners that mail gateways prepend to external mail (Microsoft 365, Mimecast, Proofpoint).
EXTERNAL_BANNER = re.compile(
    r"[\s*\[]*(?:caution:|external\]|external (?:e-?mail|sender|message)\b|warning: external"
    r"|this (?:e-?mail|message) (?:originated|was sent|came) from outside)",
    re.IGNORECASE,
)

# Any line after which nothing is new text, as one pattern: one match per line keeps a
# megabyte of short lines fast.
_ENDINGS = (FORWARDED, ORIGINAL_MESSAGE, SIGNATURE_DELIMITER, SEPARATOR_LINE, MOBILE_SIGNATURE)
END_OF_TEXT = re.compile("|".join(f"(?:{p.pattern})" for p in _ENDINGS), re.IGNORECASE)
