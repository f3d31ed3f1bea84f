"""DKIM keys (RFC 6376, RFC 8463): made, read from PEM files, and the DNS record each needs.

Both kinds are kept as PEM files, as OpenDKIM and rspamd keep them; dkimpy wants an RSA
key as PKCS#1 PEM and an ed25519 one as its base64 seed, so ``load`` hands it those.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from intro.errors import ConfigError

RSA_BITS = 2048  # RFC 8301: at least 1024, and 2048 is what the large providers sign with
KINDS = ("rsa", "ed25519")


@dataclass(frozen=True)
class DkimKey:
    kind: str  # "rsa" or "ed25519"
    private: bytes  # as dkimpy's sign() takes it
    public: str  # base64, the p= of the DNS record

    @property
    def algorithm(self) -> bytes:
        return b"rsa-sha256" if self.kind == "rsa" else b"ed25519-sha256"

    @property
    def record(self) -> str:
        """The TXT record's text: v=DKIM1; k=...; p=..."""
        return f"v=DKIM1; k={self.kind}; p={self.public}"


def generate(kind: str = "rsa") -> tuple[bytes, DkimKey]:
    """A new key: its PEM (PKCS#8) and the key as ``load`` reads it."""
    secret: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
    secret = rsa.generate_private_key(65537, RSA_BITS) if kind == "rsa" else ed25519.Ed25519PrivateKey.generate()
    pem = secret.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    return pem, parse(pem, "the new key")


def write_private(path: Path, pem: bytes) -> None:
    """Write ``pem`` readable by its owner only (0600), never over an existing key."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def load(path: str) -> DkimKey:
    """The key in the PEM file at ``path``; a ConfigError says what is wrong with it."""
    try:
        pem = Path(path).read_bytes()
    except OSError as e:
        raise ConfigError(f"[mail] dkim_key: cannot read {path}: {e.strerror}") from None
    return parse(pem, path)


def parse(pem: bytes, where: str) -> DkimKey:
    try:
        secret = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"[mail] dkim_key: {where} is not an unencrypted PEM private key ({e})") from None
    if isinstance(secret, rsa.RSAPrivateKey):
        if secret.key_size < 1024:
            raise ConfigError(f"[mail] dkim_key: {where} is a {secret.key_size}-bit RSA key; "
                              "verifiers ignore keys under 1024 bits (RFC 8301), use 2048")
        private = secret.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption())
        public = secret.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
        return DkimKey("rsa", private, base64.b64encode(public).decode())
    if isinstance(secret, ed25519.Ed25519PrivateKey):
        raw = secret.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return DkimKey("ed25519", base64.b64encode(secret.private_bytes_raw()), base64.b64encode(raw).decode())
    raise ConfigError(f"[mail] dkim_key: {where} is neither an RSA nor an ed25519 key")


def zone_line(selector: str, domain: str, key: DkimKey) -> str:
    """The record as a zone-file line, in strings of at most 255 octets (RFC 1035 3.3.14)."""
    text = key.record
    pieces = " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))
    return f"{selector}._domainkey.{domain}. IN TXT {pieces}"
