"""Property-based tests (hypothesis): no message, however broken, makes parsing or classifying raise.

The target is what the service runs on every message it takes, in the same order and with
the same arguments: ``inbound.understanding.mime.envelope_id`` in the SMTP handler before the 250, then
in the processor ``parse``, ``classify`` and ``facts`` (``intro inspect`` runs the middle two).
The properties: no exception escapes, the kind is one of the documented six, and what the
processor stores is text PostgreSQL can hold (valid UTF-8, no NUL).

The strategies build what the Internet sends: arbitrary bytes, sample messages cut short,
deeply nested MIME, enormous and numerous headers, thousands of recipients, raw 8-bit and
invalid UTF-8 in headers, NUL bytes, bare CR and bare LF line ends, broken or missing
boundaries, RFC 2047 words in unknown charsets, base64 and quoted-printable garbage.
bench/fuzz_parse.py runs the same strategies at scale.
"""

from __future__ import annotations

import base64
import logging
import quopri
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inbound.processor import understand
from inbound.understanding.mime import envelope_id
from inbound.understanding.parse import parse
from intro.addresses import ANSWER_TAG, BOUNCE_TAG, UNSUBSCRIBE_TAG
from intro.meaning import AnswerValue, Kind, Meaning
from tests.conftest import DATA

SERVICE = ("intro@tally.example",)
KINDS = frozenset(get_args(Kind))
SAMPLES = sorted(DATA.rglob("*.eml"))


@dataclass(frozen=True)
class Case:
    """One delivery: the raw message and its SMTP envelope."""

    raw: bytes
    rcpt_to: tuple[str, ...] = SERVICE
    mail_from: str = "<unknown>"

    def __repr__(self) -> str:
        # A failing megabyte message printed whole helps nobody: its start and its size.
        raw = repr(self.raw) if len(self.raw) <= 2000 else f"{self.raw[:1000]!r} + ... ({len(self.raw):,} bytes)"
        rcpt_to = repr(self.rcpt_to) if len(self.rcpt_to) <= 10 else f"{self.rcpt_to[:3]!r} + ... ({len(self.rcpt_to)})"
        return f"Case(raw={raw}, rcpt_to={rcpt_to}, mail_from={self.mail_from!r})"


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _no_logged_errors() -> Iterator[None]:
    # automatic.detect() catches everything as a last line of defence and logs it: an
    # exception that stops there still escaped the code meant to read the message.
    errors = _Errors()
    logger = logging.getLogger("inbound")
    logger.addHandler(errors)
    try:
        yield
    finally:
        logger.removeHandler(errors)
    assert not errors.records, [r.getMessage() for r in errors.records]


def _storable(value: str | None) -> bool:
    if value is None:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, from undecodable bytes
        return False
    return "\x00" not in value


def _check_storable(stored: Meaning, stored_id: str | None) -> None:
    contacts = [c for c in (stored.sender, stored.introducer, *stored.parties) if c is not None]
    texts = [stored.subject, stored.reason, stored.comment, stored_id, *stored.thread_ids, *stored.tags.values(),
             *(c.email for c in contacts), *(c.name for c in contacts)]
    unstorable = [t for t in texts if not _storable(t)]
    assert not unstorable, unstorable


def run_service(case: Case) -> Meaning:
    """What the SMTP handler and the processor do with one message; asserts the properties."""
    with _no_logged_errors():
        stored_id = envelope_id(case.raw)
        found = understand(case.raw, case.rcpt_to, case.mail_from, SERVICE)
    assert found.kind in KINDS
    assert found.answer in (None, *AnswerValue)
    if found.kind == "introduction":
        assert found.introducer is not None and len(found.parties) >= 2
    if found.kind == "survey_reply":
        assert found.tags[ANSWER_TAG]
    _check_storable(found, stored_id)
    return found


# --- pieces ------------------------------------------------------------------------------

ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30).map(str.encode)
# surrogatepass: lone surrogates become the invalid UTF-8 sequences ED A0 80 .. ED BF BF.
UNICODE = st.text(max_size=20).map(lambda s: s.encode("utf-8", "surrogatepass"))
BYTES = st.binary(max_size=24)
# Words and lines the classifier acts on, so that generated mail reaches its later branches.
PHRASES = st.sampled_from([
    b"I'd like to introduce you to each other.", b"Dana, meet Lee.", b"Let me introduce", b"Je vous pr\xc3\xa9sente",
    b"Ich m\xf6chte euch vorstellen", b"Intro", b"Re:", b"Fwd:", b"Out of office", b"Undeliverable:",
    b"Delivery Status Notification (Failure)", b"yes, it helped", b"not yet", b"No.", b"\xf0\x9f\x91\x8d",
    b"> quoted", b">", b"On Tue, Mar 3, 2026 at 9:15 AM Sam <sam@example.com> wrote:", b"-- ", b"Thanks!",
    b"---------- Forwarded message ---------", b"From: Sam Carter <sam@example.com>",
    b"To: Dana <dana@example.net>, Lee <lee@example.org>", b"Cc: intro@tally.example", b"Subject: meet",
    b"Final-Recipient: rfc822; lee@example.net", b"Action: failed", b"Status: 5.1.1", b"user unknown",
    b"<p>Dana, <b>meet</b> Lee</p><blockquote>old</blockquote>", b"<script>", b"&#0;", b"=", b"=?", b"?=",
])
CHARSETS = st.sampled_from([
    b"utf-8", b"UTF-8", b"us-ascii", b"iso-8859-1", b"cp1252", b"utf-16", b"utf-32", b"utf-7", b"gb2312",
    b"iso-2022-jp", b"x-unknown", b"", b"idna", b"punycode", b"rot13", b"hex", b"base64", b"unicode-escape",
    b"utf-8*en", b'"utf-8"', b"\xff",
])
TRANSFER_ENCODINGS = st.sampled_from([
    b"7bit", b"8bit", b"binary", b"base64", b"BASE64", b"quoted-printable", b"x-uuencode", b"x-garbage", b"",
])


@st.composite
def encoded_words(draw: st.DrawFn) -> bytes:
    """An RFC 2047 encoded word, often with an unknown charset, encoding or broken payload."""
    charset = draw(CHARSETS)
    encoding = draw(st.sampled_from([b"q", b"Q", b"b", b"B", b"x", b""]))
    payload = draw(st.one_of(
        ASCII, BYTES, UNICODE.map(base64.b64encode), UNICODE.map(lambda b: quopri.encodestring(b, header=True)),
        st.sampled_from([b"=00", b"=ZZ", b"====", b"_", b"=\n", b"AA=", b"?"]),
    ))
    return b"=?" + charset + b"?" + encoding + b"?" + payload + b"?="


LOCALS = st.sampled_from([b"dana", b"lee", b"sam", b"intro", b"intro+f-a1b2", b"Intro+u-x", b"MAILER-DAEMON",
                          b"postmaster", b"", b"a.b", b'"q q"', b"\xc3\xa9l\xc3\xa8ve", b"\xff", b"a\x00b"])
DOMAINS = st.sampled_from([b"example.com", b"tally.example", b"example.net", b"", b"[127.0.0.1]",
                           b"b\xc3\xbccher.example", b"localhost", b"x\x00.example", b"..", b"-a-.example"])
NAMES = st.one_of(st.just(b""), ASCII, UNICODE, BYTES, encoded_words(), encoded_words().map(lambda w: b'"' + w + b'"'))


# Half the addresses are a person's, so that generated mail reaches the introduction checks.
PEOPLE = st.sampled_from([b"Dana Reyes <dana@example.net>", b"Lee Park <lee@example.org>", b"sam@example.com",
                          b'"Carter, Sam" <sam@example.com>', b"intro@tally.example", b"kim@example.com"])


@st.composite
def addresses(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(PEOPLE)
    local, domain, name = draw(LOCALS), draw(DOMAINS), draw(NAMES)
    form = draw(st.sampled_from([b"%s <%s@%s>", b"%s@%s", b"<%s@%s>", b"%s@%s (%s)", b"%s <%s@%s", b"%s:;"]))
    args = {b"%s <%s@%s>": (name, local, domain), b"%s@%s": (local, domain), b"<%s@%s>": (local, domain),
            b"%s@%s (%s)": (local, domain, name), b"%s <%s@%s": (name, local, domain), b"%s:;": (name,)}[form]
    return form % args


ADDRESS_LISTS = st.lists(addresses(), max_size=5).flatmap(
    lambda found: st.sampled_from([b", ", b"; ", b",", b" "]).map(lambda sep: sep.join(found)))
PEOPLE_LISTS = st.lists(PEOPLE, min_size=2, max_size=4).map(b", ".join)
HEADER_VALUES = st.lists(st.one_of(ASCII, UNICODE, BYTES, PHRASES, encoded_words(), addresses(), st.just(b"\x00")),
                         max_size=6).map(b" ".join)
HEADER_NAMES = st.sampled_from([
    b"From", b"To", b"Cc", b"Sender", b"Reply-To", b"Subject", b"Date", b"Message-ID", b"In-Reply-To", b"References",
    b"Return-Path", b"Auto-Submitted", b"Precedence", b"List-Id", b"List-Unsubscribe", b"List-Unsubscribe-Post",
    b"X-Autoreply", b"X-Failed-Recipients", b"X-Mailer", b"Content-Type", b"Content-Transfer-Encoding",
    b"Content-Disposition", b"MIME-Version", b"X-MS-Exchange-Generated-Message-Source", b"Received", b"X-\xff",
    b"", b"Bad Name", b"\x00",
])
NOISE = st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES).map(b": ".join), max_size=4)
DATES = st.one_of(HEADER_VALUES, st.sampled_from([
    b"Tue, 03 Mar 2026 09:15:00 +0000", b"Tue, 03 Mar 2026 09:15:00 -0000", b"31 Feb 99999 25:61:61 +9999",
    b"Mon, 1 Jan 0001 00:00:00 -2400", b"Fri, 31 Dec 9999 23:59:59 +2359", b"0", b"", b"now",
]))
IDS = st.one_of(HEADER_VALUES, st.lists(st.one_of(ASCII, BYTES), max_size=3).map(
    lambda ids: b" ".join(b"<" + i + b">" for i in ids)))


@st.composite
def top_headers(draw: st.DrawFn, recipients: bool = True) -> list[bytes]:
    """A message's own header lines: the ones the classifier reads, some absent, plus noise."""
    lines = [b"From: " + draw(st.one_of(PEOPLE, addresses(), HEADER_VALUES))]
    if recipients:
        lines += [b"To: " + draw(st.one_of(PEOPLE_LISTS, ADDRESS_LISTS)), b"Cc: " + draw(ADDRESS_LISTS)]
    lines += [b"Subject: " + draw(st.one_of(PHRASES, HEADER_VALUES)), b"Date: " + draw(DATES),
              b"Message-ID: " + draw(IDS), b"In-Reply-To: " + draw(IDS), b"References: " + draw(IDS)]
    lines = [line for line in lines if draw(st.integers(0, 3))]  # most present, some absent
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    lines += draw(NOISE)
    return lines


# --- bodies and MIME ------------------------------------------------------------------------

TEXT = st.lists(st.one_of(PHRASES, ASCII, UNICODE, BYTES), max_size=12).map(b"\n".join)


@st.composite
def encoded_bodies(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """(Content-Transfer-Encoding, body): the body encoded as declared, or garbage."""
    encoding, text = draw(TRANSFER_ENCODINGS), draw(TEXT)
    if draw(st.booleans()):
        return encoding, text  # as written, whatever the declared encoding
    if encoding.lower() == b"base64":
        return encoding, base64.encodebytes(text)
    if encoding == b"quoted-printable":
        return encoding, quopri.encodestring(text)
    return encoding, text


def _leaf(content_type: bytes, charset: bytes, encoding: bytes, body: bytes) -> bytes:
    lines = [b"Content-Type: " + content_type + (b"; charset=" + charset if charset else b"")]
    if encoding:
        lines.append(b"Content-Transfer-Encoding: " + encoding)
    return b"\n".join(lines) + b"\n\n" + body


@st.composite
def multipart(draw: st.DrawFn, children: list[bytes]) -> bytes:
    """A multipart around ``children``, its boundary sometimes broken, absent or never closed."""
    boundary = draw(st.one_of(st.sampled_from([b"b1", b"=_x", b"", b" ", b"--", b"a" * 100, b"b\x00"]), ASCII))
    subtype = draw(st.sampled_from([b"mixed", b"alternative", b"related", b"report; report-type=delivery-status",
                                    b"signed", b"digest", b"x-unknown"]))
    declared = draw(st.sampled_from([b'; boundary="%s"', b"; boundary=%s", b"", b'; boundary="%s']))
    declared = declared % boundary if declared else declared
    used = draw(st.one_of(st.just(boundary), ASCII))  # the boundary the body really uses
    body = [draw(TEXT)]  # preamble
    for child in children:
        body += [b"--" + used, child]
    if draw(st.booleans()):
        body.append(b"--" + used + b"--")
    body.append(draw(TEXT))  # epilogue
    return b"Content-Type: multipart/" + subtype + declared + b"\n\n" + b"\n".join(body)


@st.composite
def parts(draw: st.DrawFn, depth: int = 3) -> bytes:
    """A MIME entity (its headers, a blank line, its body), nested at most ``depth`` deep."""
    kind = draw(st.integers(0, 6 if depth > 0 else 3))
    if kind == 0:
        encoding, body = draw(encoded_bodies())
        return _leaf(b"text/plain", draw(CHARSETS), encoding, body)
    if kind == 1:
        encoding, body = draw(encoded_bodies())
        return _leaf(b"text/html", draw(CHARSETS), encoding, body)
    if kind == 2:
        return draw(st.one_of(TEXT, BYTES))  # no Content-Type at all, or headers of garbage
    if kind == 3:
        return _leaf(draw(st.sampled_from([b"message/delivery-status", b"message/global-delivery-status",
                                           b"application/octet-stream", b"text/x-unknown", b"/", b""])),
                     b"", b"", draw(TEXT))
    if kind in (4, 5):
        return draw(multipart(draw(st.lists(parts(depth - 1), max_size=3))))
    inner = b"\n".join(draw(top_headers())) + b"\n" + draw(parts(depth - 1))
    return b"Content-Type: message/rfc822\n\n" + inner


# Half the bodies are plain UTF-8 text, so that the classifier gets past the charset to the words.
BODIES = st.one_of(TEXT.map(lambda text: _leaf(b"text/plain", b"utf-8", b"8bit", text)), parts())


def line_ends(raw: bytes, ends: list[bytes]) -> bytes:
    """``raw`` (written with LF) with its line ends replaced, cycling through ``ends``."""
    if ends == [b"\n"]:
        return raw
    lines = raw.split(b"\n")
    out = [line + ends[i % len(ends)] for i, line in enumerate(lines[:-1])]
    return b"".join(out) + lines[-1]


LINE_ENDS = st.one_of(st.sampled_from([[b"\r\n"], [b"\n"], [b"\r"]]),
                      st.lists(st.sampled_from([b"\r\n", b"\n", b"\r", b"\n\r", b"\r\r\n"]), min_size=2, max_size=5))
RCPTS = st.one_of(st.sampled_from([
    "intro@tally.example", f"intro+{ANSWER_TAG}a1b2c3@tally.example", f"INTRO+{ANSWER_TAG}X@Tally.Example",
    f"intro+{UNSUBSCRIBE_TAG}a1@tally.example", f"intro+{BOUNCE_TAG}a1@tally.example",
    f"intro+{ANSWER_TAG}@tally.example", "intro+@tally.example", "other@example.com", "", "@",
    "intro@tally.example\x00",
]), st.text(max_size=30))
# Most deliveries come as the service sees them from people; the rest have any envelope at all.
ENVELOPES = st.one_of(
    st.sampled_from([(SERVICE, "sam@example.com"), (SERVICE, "<unknown>")]),
    st.sampled_from([(SERVICE, "sam@example.com"), (SERVICE, "<unknown>")]),
    st.tuples(st.lists(RCPTS, max_size=4).map(tuple),
              st.one_of(st.sampled_from(["", "<>", "<unknown>", "sam@example.com", "MAILER-DAEMON@x"]),
                        st.text(max_size=20))),
)


@st.composite
def messages(draw: st.DrawFn, body: st.SearchStrategy[bytes] | None = None,
             headers: st.SearchStrategy[list[bytes]] | None = None) -> Case:
    """A whole delivery: top headers, a MIME body, line ends, an envelope."""
    lines = draw(headers if headers is not None else top_headers())
    raw = b"\n".join([*lines, draw(body if body is not None else BODIES)])
    rcpt_to, mail_from = draw(ENVELOPES)
    return Case(line_ends(raw, draw(LINE_ENDS)), rcpt_to or SERVICE, mail_from)


# --- the families of hostile input ------------------------------------------------------------

@st.composite
def introductions(draw: st.DrawFn) -> Case:
    """An introduction as people write one (or forward one they sent), with hostile details."""
    people = b", ".join(draw(st.lists(st.one_of(PEOPLE, addresses()), min_size=2, max_size=6)))
    subject = draw(st.one_of(st.sampled_from([b"Dana, meet Lee", b"Intro: Dana / Lee", b"Fwd: Dana, meet Lee"]),
                             HEADER_VALUES))
    text = b"\n".join(draw(st.permutations([b"Dana, meet Lee. I'd like to introduce you two.", draw(TEXT)])))
    if draw(st.booleans()):  # forwarded by its introducer to the service only
        text = b"---------- Forwarded message ---------\nFrom: Sam <sam@example.com>\nTo: " + people + b"\n\n" + text
        people = b"intro@tally.example"
    encoding, body = draw(st.one_of(st.just((b"8bit", text)), encoded_bodies()))
    leaf = _leaf(b"text/plain", draw(st.one_of(st.just(b"utf-8"), CHARSETS)), encoding, body)
    html = _leaf(b"text/html", b"utf-8", b"", b"<p>" + text.replace(b"\n", b"<br>") + b"</p>")
    lines = [b"From: Sam Carter <sam@example.com>", b"To: " + people, b"Cc: intro@tally.example",
             b"Subject: " + subject, b"Message-ID: " + draw(IDS)]
    lines += draw(NOISE)
    return draw(messages(body=st.one_of(st.just(leaf), multipart([leaf, html])), headers=st.just(lines)))


@st.composite
def any_bytes(draw: st.DrawFn) -> Case:
    rcpt_to, mail_from = draw(ENVELOPES)
    return Case(draw(st.binary(max_size=2048)), rcpt_to, mail_from)


@st.composite
def truncated(draw: st.DrawFn) -> Case:
    """A sample message from tests/data or a generated one, cut short, sometimes with bytes spliced in."""
    if draw(st.booleans()):
        raw = draw(st.sampled_from(SAMPLES)).read_bytes()
        raw = line_ends(raw.replace(b"\r\n", b"\n"), draw(LINE_ENDS))
        case = Case(raw)
    else:
        case = draw(messages())
    cut = draw(st.integers(0, len(case.raw)))
    raw = case.raw[:cut]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.one_of(BYTES, PHRASES, st.sampled_from([b"\x00", b"\r", b"\n\n", b"--"]))) + raw[at:]
    return Case(raw, case.rcpt_to, case.mail_from)


NESTING = st.integers(50, 200)


@st.composite
def deep_nesting(draw: st.DrawFn, depths: st.SearchStrategy[int] = NESTING) -> Case:
    """Multipart and message/rfc822 parts nested ``depth`` deep around a text part."""
    depth = draw(depths)
    pattern = draw(st.lists(st.sampled_from(["multipart", "rfc822"]), min_size=1, max_size=3))
    closed = draw(st.booleans())
    head: list[bytes] = []
    tail: list[bytes] = []
    for level in range(depth):
        if pattern[level % len(pattern)] == "rfc822":
            head.append(b"Content-Type: message/rfc822\n\nFrom: sam@example.com\nSubject: level %d\n" % level)
        else:
            head.append(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (level, level))
            tail.append(b"\n--b%d--\n" % level if closed else b"")
    leaf = _leaf(b"text/plain", b"utf-8", b"", draw(PHRASES))
    body = b"".join(head) + leaf + b"".join(reversed(tail))
    return draw(messages(body=st.just(body)))


@st.composite
def enormous_headers(draw: st.DrawFn) -> Case:
    """One header value of 100 kB to 1 MB (folded or not), or thousands of header lines."""
    unit = draw(st.one_of(HEADER_VALUES, ADDRESS_LISTS).filter(bool))
    lines = draw(top_headers())
    if draw(st.booleans()):
        size = draw(st.integers(100_000, 1_000_000))
        value = (unit * (size // len(unit) + 1))[:size]
        if draw(st.booleans()):
            value = b"\n ".join(value[i:i + 76] for i in range(0, len(value), 76))
        lines.append(draw(HEADER_NAMES) + b": " + value)
    else:
        names = draw(st.lists(HEADER_NAMES, min_size=1, max_size=4))
        count = draw(st.integers(1_000, 20_000))
        lines += [names[i % len(names)] + b": " + unit for i in range(count)]
    return draw(messages(headers=st.just(lines)))


@st.composite
def many_recipients(draw: st.DrawFn) -> Case:
    """Thousands of To and Cc recipients, in one header each or spread over many."""
    count = draw(st.integers(1_000, 3_000))
    form = draw(st.sampled_from([b"p%d@example.net", b"Person %d <p%d@example.net>", b'"P, %d" <p%d@x>', b"p%d"]))
    people = [form % ((i,) * form.count(b"%d")) for i in range(count)]
    split = draw(st.integers(0, count))
    lines = draw(top_headers(recipients=False))
    if draw(st.booleans()):
        lines += [b"To: " + b", ".join(people[:split]), b"Cc: " + b", ".join(people[split:])]
    else:
        lines += [b"To: " + p for p in people[:split]] + [b"Cc: " + p for p in people[split:]]
    case = draw(messages(headers=st.just(lines)))
    envelope = draw(st.sampled_from([case.rcpt_to, tuple(SERVICE * count)]))
    return Case(case.raw, envelope, case.mail_from)


@st.composite
def hostile_headers(draw: st.DrawFn) -> Case:
    """Every header built of 8-bit bytes, invalid UTF-8, NUL and encoded words; bare CR and LF inside."""
    noise = st.lists(st.one_of(BYTES, UNICODE, encoded_words(), st.sampled_from([b"\x00", b"\r", b"\n", b"\xff"])),
                     max_size=8).map(b"".join)
    names = [b"From", b"To", b"Cc", b"Sender", b"Subject", b"Date", b"Message-ID", b"References", b"In-Reply-To",
             b"Content-Type", b"Content-Transfer-Encoding", b"Return-Path", b"List-Id", b"X-Autoreply"]
    lines = [name + b":" + draw(noise) for name in draw(st.lists(st.sampled_from(names), max_size=len(names)))]
    return draw(messages(headers=st.just(lines)))


FAMILIES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    "any_bytes": any_bytes,
    "messages": messages,
    "introductions": introductions,
    "truncated": truncated,
    "deep_nesting": deep_nesting,
    "enormous_headers": enormous_headers,
    "many_recipients": many_recipients,
    "hostile_headers": hostile_headers,
}

# The same examples on every run, no timing (deadline), nothing written to .hypothesis/;
# large inputs are the point here, so the health checks about size and speed are off.
PROPERTY = settings(derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


# --- the properties -----------------------------------------------------------------------------

@settings(PROPERTY, max_examples=500)
@given(any_bytes())
def test_any_bytes(case: Case) -> None:
    run_service(case)


@settings(PROPERTY, max_examples=500)
@given(messages())
def test_generated_messages(case: Case) -> None:
    run_service(case)


@settings(PROPERTY, max_examples=400)
@given(introductions())
def test_introductions_with_hostile_details(case: Case) -> None:
    run_service(case)


@settings(PROPERTY, max_examples=300)
@given(truncated())
def test_truncated_messages(case: Case) -> None:
    run_service(case)


@settings(PROPERTY, max_examples=30)
@given(deep_nesting())
def test_deep_mime_nesting(case: Case) -> None:
    run_service(case)


@settings(PROPERTY, max_examples=8)
@given(deep_nesting(st.integers(900, 3_000)))
def test_mime_nested_deeper_than_the_recursion_limit(case: Case) -> None:
    run_service(case)


@settings(PROPERTY, max_examples=15)
@given(enormous_headers())
def test_enormous_and_numerous_headers(case: Case) -> None:
    run_service(case)


@settings(PROPERTY, max_examples=10)
@given(many_recipients())
def test_thousands_of_recipients(case: Case) -> None:
    run_service(case)


@settings(PROPERTY, max_examples=400)
@given(hostile_headers())
def test_hostile_header_bytes(case: Case) -> None:
    run_service(case)


# --- what the properties found: the smallest failing inputs ---------------------------------------

@pytest.mark.parametrize(("charset", "body"), [("punycode", b"."), ("idna", b"xn--"), ("\x00", b"x")])
def test_a_charset_whose_codec_raises_value_error(charset: str, body: bytes) -> None:
    # The idna and punycode codecs raise UnicodeError itself, not UnicodeDecodeError, on bad
    # input; a NUL in the charset name makes bytes.decode raise ValueError.
    raw = f"Content-Type: text/plain; charset={charset}\n\n".encode() + body
    assert parse(raw).text == body.decode()  # read as UTF-8, the first fallback
    run_service(Case(raw))


def test_mime_nested_past_the_recursion_limit_is_read_for_its_headers() -> None:
    raw = b"From: Sam Carter <sam@example.com>\nSubject: deep\n" + b"Content-Type: message/rfc822\n\n" * 1_000
    parsed = parse(raw)
    assert parsed.subject == "deep" and parsed.from_ is not None and parsed.text == ""
    assert parsed.problems == ("MIME parts nested more than 100 deep: body not read",)
    run_service(Case(raw))


def test_mime_nested_a_few_levels_is_read_whole() -> None:
    raw = b"From: sam@example.com\n" + b"Content-Type: message/rfc822\n\n" * 5 + b"\nhello\n"
    parsed = parse(raw)
    assert (parsed.text.strip(), parsed.problems) == ("hello", ())


def test_no_nul_in_the_reason_recorded_for_automatic_mail() -> None:
    # The reason becomes the stored note, and PostgreSQL text cannot hold NUL.
    found = run_service(Case(b"X-Autoreply: yes\x00\n\n"))
    assert (found.kind, found.reason) == ("auto_reply", "X-Autoreply: yes")


@pytest.mark.parametrize("name", [b'"=?\xff?q?=?="', b"=?UTF-8?b?=ZZ?="], ids=["charset-name", "base64"])
def test_a_display_name_in_a_broken_encoded_word(name: bytes) -> None:
    # The header parser leaves these encoded words as they are; decoding them again by hand
    # raised CharsetError or HeaderParseError, neither a LookupError nor a UnicodeError.
    raw = b"To: " + name + b" <dana@example.net>\n\n"
    assert [a.email for a in parse(raw).to] == ["dana@example.net"]
    run_service(Case(raw))


def test_an_enormous_header_is_read_only_so_far() -> None:
    """A 400 kB Subject of encoded words and 20,000 To addresses: parsed in bounded time
    and memory (the email package alone takes seconds and gigabytes on them)."""
    from inbound.understanding.mime import MAX_HEADER_VALUE
    from inbound.understanding.parse import parse

    subject = b"Subject: " + b" ".join([b"=?utf-8?q?caf=C3=A9?="] * 20_000) + b"\r\n"
    to = b"To: " + b", ".join(f"p{n}@example.com".encode() for n in range(20_000)) + b"\r\n"
    parsed = parse(b"From: sam@example.com\r\n" + to + subject + b"\r\nHello\r\n")
    assert len(parsed.subject) <= MAX_HEADER_VALUE
    assert 0 < len(parsed.to) < 20_000
