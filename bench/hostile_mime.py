"""Hostile messages of the size the SMTP server accepts (25 MiB by default), each built to
cost a parser the most: for bench/smtp_abuse.py's MIME phase and tests/test_hostile.py.
Each is a well-formed enough message to the service; none is an introduction."""

from __future__ import annotations

import base64
from collections.abc import Iterator

MIB = 1024 * 1024
HEAD = (b"From: Mallory <m@attacker.example>\r\nTo: Dana <dana@example.net>, Lee <lee@example.org>\r\n"
        b"Cc: intro@localhost\r\nDate: Tue, 03 Mar 2026 09:15:00 +0000\r\nMIME-Version: 1.0\r\n")


def _message(n: str, headers: bytes, body: bytes) -> bytes:
    return HEAD + f"Message-ID: <hostile-{n}@attacker.example>\r\n".encode() + headers + b"\r\n" + body


def many_parts(size: int) -> bytes:
    """As many tiny parts as fit (about 440,000 in 25 MiB)."""
    part = b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    count = (size - 200) // len(part)
    return _message("parts", b'Subject: parts\r\nContent-Type: multipart/mixed; boundary="b"\r\n',
                    part * count + b"--b--\r\n")


def deep(size: int) -> bytes:
    """Multiparts nested as deep as the size allows, each with its own boundary."""
    depth = min(size // 120, 200_000)
    opening = b"".join(f'--{i}\r\nContent-Type: multipart/mixed; boundary="{i + 1}"\r\n\r\n'.encode()
                       for i in range(depth))
    return _message("deep", b'Subject: deep\r\nContent-Type: multipart/mixed; boundary="0"\r\n', opening + b"x\r\n")


def huge_header(size: int) -> bytes:
    """One Subject of encoded words, folded, as long as the message may be."""
    word = b" =?utf-8?b?" + base64.b64encode(b"Dana, meet Lee " * 3) + b"?=\r\n"
    return _message("header", b"Subject:" + word * ((size - 400) // len(word)) + b"Content-Type: text/plain\r\n",
                    b"Hello.\r\n")


def many_headers(size: int) -> bytes:
    """Short header lines, hundreds of thousands of them."""
    line = b"X-Filler: Dana, meet Lee\r\n"
    return _message("headers", b"Subject: headers\r\n" + line * ((size - 400) // len(line)), b"Hello.\r\n")


def long_text(size: int) -> bytes:
    """A text body that is one paragraph filling the message, in lines as long as SMTP
    allows (RFC 5321 4.5.3.1.6)."""
    line = b"Dana meet Lee " * 70 + b"\r\n"
    return _message("text", b"Subject: text\r\nContent-Type: text/plain\r\n", line * ((size - 400) // len(line)))


def big_attachment(size: int) -> bytes:
    """A short text and a base64 attachment filling the rest."""
    data = base64.encodebytes(b"\x00\xff" * ((size - 2000) * 57 // 78 // 2)).replace(b"\n", b"\r\n")  # 57 a line
    return _message("attachment", b'Subject: attachment\r\nContent-Type: multipart/mixed; boundary="b"\r\n',
                    b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\n"
                    b"Content-Type: application/octet-stream"
                    b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + data + b"--b--\r\n")


BUILDERS = (many_parts, deep, huge_header, many_headers, long_text, big_attachment)


def messages(size: int = 25 * MIB - 8 * 1024) -> Iterator[tuple[str, bytes]]:
    """Each hostile message, ``size`` bytes or a little less (the default: just under what
    the SMTP server accepts, headers included)."""
    for build in BUILDERS:
        yield build.__name__, build(size)
