"""A DNS server on localhost that answers TXT queries from a dict, and DKIM keys made for
a test: DKIM and DMARC are checked for real, against records the test publishes."""

from __future__ import annotations

import base64
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import dkim
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


class LocalDNS:
    """Answers TXT queries for ``records`` (name -> text, or several texts), and other
    types from ``others`` ((name, type) -> ["10 mx.example.org.", ...]); an empty answer
    for another type at a known name, NXDOMAIN for an unknown name."""

    def __init__(self, records: dict[str, str | list[str]],
                 others: dict[tuple[str, str], list[str]] | None = None) -> None:
        self.records = {k.lower().rstrip("."): [v] if isinstance(v, str) else v for k, v in records.items()}
        self.others = {(k.lower().rstrip("."), t.upper()): v for (k, t), v in (others or {}).items()}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.queries: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return  # closed
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().lower().rstrip(".")
            kind = dns.rdatatype.to_text(question.rdtype)
            self.queries.append(name)
            texts = self.records.get(name) if kind == "TXT" else None
            other = self.others.get((name, kind))
            known = name in self.records or any(n == name for n, _ in self.others)
            if texts:
                # A TXT string holds at most 255 octets: a key is published in pieces.
                rdatas = [" ".join(f'"{t[i:i + 255]}"' for i in range(0, len(t), 255)) for t in texts]
                response.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", "TXT", rdatas))
            elif other:
                response.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", kind, other))
            elif not known:
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self.sock.close()


@dataclass(frozen=True)
class Key:
    private: bytes  # PEM (PKCS#1), as dkimpy reads it
    record: str  # the TXT record: v=DKIM1; k=rsa; p=...

    def sign(self, raw: bytes, domain: str, selector: str = "test") -> bytes:
        signature = dkim.sign(raw, selector.encode(), domain.encode(), self.private,
                              include_headers=[b"From", b"To", b"Cc", b"Subject", b"Date", b"Message-ID"])
        return signature + raw


def make_key(folder: Path) -> Key:
    pem = folder / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", str(pem), "2048"], check=True, capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(pem), "-pubout", "-outform", "DER"], check=True,
                            capture_output=True).stdout
    return Key(pem.read_bytes(), f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}")
