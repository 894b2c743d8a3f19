"""Client secrets and bearer tokens. Nothing secret is stored or logged in the clear.

* A client secret is stored as ``scrypt$n$r$p$salt$hash`` (16 random bytes of salt, hex), checked in
  constant time; :func:`new_secret` makes one (printed once by ``lca clients add``).
* A bearer token is 32 random bytes (URL-safe base64); the store keeps only its SHA-256 and its expiry,
  so a copy of the database gives no usable token.

>>> h = hash_secret("s3cret")
>>> verify_secret("s3cret", h), verify_secret("other", h), verify_secret("s3cret", "garbage")
(True, False, False)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# scrypt cost: 2^14 × 8 × 128 B = 16 MiB and ~50 ms per check: slow for guessing, fine for a token grant
N, R, P = 2 ** 14, 8, 1


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    """The stored form of a client secret (salted scrypt)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=N, r=R, p=P, maxmem=64 * 1024 * 1024)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` is the one ``stored`` was made from (False for any malformed record)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def new_secret() -> str:
    """A fresh client secret (32 random bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def new_token() -> str:
    """A fresh bearer token."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
