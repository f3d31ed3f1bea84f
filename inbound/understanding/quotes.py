"""The new text of a reply: what the sender wrote, without the quoted thread or signatures.

One pass over the lines, top to bottom. The new text ends at the first forwarded message,
"Original Message" line, quoted header block, separator or signature; quoted lines
("> ...") are dropped wherever they are. An attribution line ("On ... wrote:") ends the
new text too, unless the sender answered below or between the quotes, as bottom-posters
and inline repliers do (RFC 1855 section 2.1.1).

Every regex sees one line, or a few joined lines, capped in length, so the pass is linear
in the size of the body and no input can make a pattern backtrack for long.
"""

from __future__ import annotations

from inbound.understanding import quote_markers as m

# Characters around a line that `str.strip()` keeps: BOM, zero-width space and joiners
# (Outlook, Zimbra), soft hyphen.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060\u00ad"
# Attributions wrap over at most this many lines ("On Tue, ..., Name\n<addr>\nwrote:"), and
# are far shorter than this many characters even with a long display name and address.
_ATTRIBUTION_LINES = 4
_ATTRIBUTION_CHARS = 400
# Lines after "From:" in which another header ("Sent:", "To:", ...) confirms the block.
_HEADER_LOOKAHEAD = 6
# Clients wrap quoted text at 72-78 columns; the line above a lost "> " is at least this long.
_REWRAP_MIN_WIDTH = 50
# External-mail banners run a few lines at most; anything longer is the message itself.
_BANNER_MAX_LINES = 12


def new_text(body: str) -> str:
    """The text the sender wrote in this message: quoted replies, attribution lines, forwarded/quoted header
    blocks and signatures removed. Whitespace-trimmed."""
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode("utf-8", "replace")
    if not body or not isinstance(body, str):
        return ""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    texts = [line.strip().strip(_INVISIBLE).strip() for line in lines]
    return "\n".join(_scan(lines, texts)).strip()


def _scan(lines: list[str], texts: list[str]) -> list[str]:
    kept: list[str] = []
    written = 0  # non-blank lines kept so far
    seam = False  # just dropped a quote: blank lines around it collapse into one
    in_code = False
    i, n = _after_banner(texts), len(texts)
    while i < n:
        text = texts[i]
        if text.startswith("```"):
            # Markdown code fences (Discourse corpus): "####" inside is code, not a separator.
            in_code = not in_code
        elif in_code or not text:
            pass
        elif _is_quote(text):
            i, seam = _quote_end(texts, i), True
            continue
        elif _ends_text(text) or _is_header_block(texts, i):
            _drop_headers_above(kept)
            break
        elif (end := _attribution_end(texts, i)) >= 0:
            after = _next_nonblank(texts, end + 1)
            if after < n and _is_quote(texts[after]):
                # The text goes on below the quote when the sender bottom-posted (nothing above)
                # or answered inline; a quote holding a whole earlier thread (nested attributions,
                # header blocks) is what top-posting clients append, and nothing after it is new.
                below = _quote_end(texts, after)
                if written == 0 or not _quotes_a_thread(texts, after, below):
                    i, seam = below, True
                    continue
            elif written == 0:
                # Nothing above it: a bottom-posted reply whose client dropped the "> "
                # (Discourse corpus, Gmail for Android); the text below is the reply.
                i, seam = end + 1, True
                continue
            break
        if text or not seam or (kept and kept[-1].strip()):
            kept.append(lines[i])
        seam = seam and not text
        written += bool(text)
        i += 1
    return kept


def _is_quote(text: str) -> bool:
    return m.QUOTE_LINE.match(text) is not None


def _ends_text(text: str) -> bool:
    return len(text) <= m.MAX_MARKER_LINE and m.END_OF_TEXT.fullmatch(text) is not None


def _quote_end(texts: list[str], i: int) -> int:
    """Index just past the quoted block starting at i; blank lines inside it belong to it."""
    last = i
    for j in range(i, len(texts)):
        if _is_quote(texts[j]) or (j == last + 1 and _rewrapped(texts, j)):
            last = j
        elif texts[j]:
            break
    return last + 1


def _rewrapped(texts: list[str], j: int) -> bool:
    """A quoted line that a client re-wrapped after quoting, so its tail lost the "> "
    (willdurand/EmailReplyParser email_7): between two quoted lines, mid-sentence, under a long line."""
    above = texts[j - 1].lstrip("> \t")
    return (
        j + 1 < len(texts)
        and _is_quote(texts[j + 1])
        and texts[j][:1].islower()
        and (len(above) >= _REWRAP_MIN_WIDTH or above.endswith("="))
    )


def _quotes_a_thread(texts: list[str], start: int, stop: int) -> bool:
    """Whether quoted lines hold an earlier message's attribution, header block or forward marker."""
    for j in range(start, stop):
        text = texts[j].lstrip("> \t")
        if len(text) > m.MAX_MARKER_LINE:
            continue
        if m.ATTRIBUTION_VERB.search(text) and m.ENDS_WITH_COLON.search(text):
            return True
        if m.HEADER_FROM.match(text) or m.FORWARDED.fullmatch(text) or m.ORIGINAL_MESSAGE.fullmatch(text):
            return True
    return False


def _next_nonblank(texts: list[str], i: int) -> int:
    while i < len(texts) and not texts[i]:
        i += 1
    return i


def _is_header_block(texts: list[str], i: int) -> bool:
    """ "From: ..." closely followed by "Sent:", "To:" or "Subject:" (Outlook, Notes, Yahoo), in any language."""
    if not m.HEADER_FROM.match(texts[i][: m.MAX_MARKER_LINE]):
        return False
    following = texts[i + 1 : i + 1 + _HEADER_LOOKAHEAD]
    return any(m.HEADER_OTHER.match(text[: m.MAX_MARKER_LINE]) for text in following)


def _drop_headers_above(kept: list[str]) -> None:
    """Hotmail and others put "Subject:" or "Date:" above "From:"; those lines belong to the block."""
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and m.HEADER_OTHER.match(kept[-1].strip()[: m.MAX_MARKER_LINE]):
        kept.pop()


def _attribution_end(texts: list[str], i: int) -> int:
    """Index of the last line of an attribution that starts at line i, or -1 if none does."""
    first = texts[i]
    if len(first) > m.MAX_MARKER_LINE:
        return -1
    if m.ATTRIBUTION_LEAD.match(first) or m.ATTRIBUTION_VERB.search(first):
        parts: list[str] = []
        size = 0
        for j in range(i, min(i + _ATTRIBUTION_LINES, len(texts))):
            text = texts[j]
            size += len(text)
            if not text or size > _ATTRIBUTION_CHARS:
                break
            # A wrapped Gmail address can leave ">:" alone on the last line; other quoted lines are the quote.
            if j > i and _is_quote(text) and not m.ENDS_WITH_COLON.search(text[:12]):
                break
            # A wrapped attribution starts with its date ("On Tue, Sep 25, 2012 at 8:59 AM, Name"),
            # and a line that ends a sentence ("... at the office.") is prose, not part of one.
            if parts and (not m.DIGIT.search(parts[0]) or m.SENTENCE_END.search(parts[-1])):
                break
            parts.append(text)
            if _is_attribution(_join(parts), single=j == i):
                return j
    return i if m.GMAIL_DATE_LINE.match(first) else -1


def _join(parts: list[str]) -> str:
    """Join wrapped lines; a quoted-printable soft break ("w=" + "rote:") joins without a space,
    for bodies that reach us undecoded (alfonsrv/mail-parser-reply begins_with_signature)."""
    out = parts[0]
    for part in parts[1:]:
        out = out[:-1] + part if out.endswith("=") else out + " " + part
    return out


def _is_attribution(text: str, single: bool) -> bool:
    dashed = m.ENDS_WITH_DASHES.search(text) is not None  # Zoho Mail: "---- On ... wrote ----"
    text = text.strip(" \t-*")
    if not dashed and not m.ENDS_WITH_COLON.search(text):
        return False
    if m.DATE_OR_TIME.search(text) and (m.ATTRIBUTION_VERB.search(text) or m.ENDS_WITH_ADDRESS.search(text)):
        return True
    return single and m.ATTRIBUTION_SHORT.fullmatch(text) is not None


def _after_banner(texts: list[str]) -> int:
    """Index after a warning that a mail gateway put above an external message, or 0."""
    first = _next_nonblank(texts, 0)
    if first >= len(texts) or not m.EXTERNAL_BANNER.match(texts[first][: m.MAX_MARKER_LINE]):
        return 0
    end = first
    while end < len(texts) and texts[end]:
        end += 1
    return end if end - first <= _BANNER_MAX_LINES else 0
