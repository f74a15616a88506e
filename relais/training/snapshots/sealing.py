"""Hidden answers in a snapshot: identity keys sealed with a secret of the installation.

A customer's ``identity_key`` says which records are the same person: it is what the graded
de-duplication exercises score against, so a learner who could read it in their workbook would
have the solution. The workbook therefore carries each key *sealed*: encrypted and
authenticated with keys derived from ``RELAIS_SNAPSHOT_KEY`` (default: ``SECRET_KEY``), with the
standard library only:

* a synthetic nonce ``HMAC(siv, context ‖ key)`` (16 bytes): the same key in the same place
  seals the same way, so exporting an unchanged base twice gives the same workbook; the
  ``context`` (sheet, row id, column) differs from row to row, so two records of one person
  carry unrelated tokens — nothing in the file says which records go together;
* a keystream of ``HMAC-SHA256(enc, nonce ‖ counter)`` blocks XORed with the key;
* a tag ``HMAC-SHA256(mac, context ‖ nonce ‖ ciphertext)`` (16 bytes): a token edited, or
  copied onto another row, does not open.

Token: ``scelle:v1:`` + URL-safe base64 (no padding) of nonce ‖ ciphertext ‖ tag.

On import, a token that opens with this installation's secret gives the key back; one that does
not (a workbook of another installation, or an edited cell) gives no key: the record then has
no known truth, as a record a learner typed (merges of it are neither right nor wrong). Two
installations that must exchange graded bases share ``RELAIS_SNAPSHOT_KEY``; otherwise a school
database is re-derived there from its seed (``generate_school_db``), keys included.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from django.conf import settings

PREFIX = "scelle:v1:"
NONCE = 16
TAG = 16
# Snapshots written before sealing carried the key in clear (32 hex digits).
_PLAIN_KEY = re.compile(r"[0-9a-f]{32}")


def _keys() -> tuple[bytes, bytes, bytes]:
    secret = getattr(settings, "RELAIS_SNAPSHOT_KEY", "") or settings.SECRET_KEY
    base = hashlib.sha256(b"relais.training.snapshot.identity\x00" + secret.encode()).digest()
    return tuple(
        hmac.new(base, label, hashlib.sha256).digest() for label in (b"enc", b"mac", b"siv")
    )


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def seal(value: str, context: str) -> str:
    """The token carrying ``value``, bound to ``context`` (where it is written)."""
    enc, mac, siv = _keys()
    data = value.encode()
    where = context.encode() + b"\x00"
    nonce = hmac.new(siv, where + data, hashlib.sha256).digest()[:NONCE]
    cipher = _xor(data, _stream(enc, nonce, len(data)))
    tag = hmac.new(mac, where + nonce + cipher, hashlib.sha256).digest()[:TAG]
    return PREFIX + base64.urlsafe_b64encode(nonce + cipher + tag).decode().rstrip("=")


def unseal(token: str, context: str) -> str | None:
    """The value sealed in ``token`` at ``context``; None if it does not open here."""
    if not isinstance(token, str) or not token.startswith(PREFIX):
        return None
    body = token[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) < NONCE + TAG:
        return None
    nonce, cipher, tag = raw[:NONCE], raw[NONCE:-TAG], raw[-TAG:]
    enc, mac, _siv = _keys()
    where = context.encode() + b"\x00"
    expected = hmac.new(mac, where + nonce + cipher, hashlib.sha256).digest()[:TAG]
    if not hmac.compare_digest(tag, expected):
        return None
    try:
        return _xor(cipher, _stream(enc, nonce, len(cipher))).decode()
    except UnicodeDecodeError:
        return None


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def open_identity(value, context: str) -> tuple[str, bool]:
    """``(key, opened)`` for a cell of a hidden column: the key of a token that opens here; a
    plain key of an older snapshot as is; ``("", False)`` for anything else."""
    if value in (None, ""):
        return "", True
    if is_sealed(value):
        key = unseal(value, context)
        return (key, True) if key is not None else ("", False)
    if isinstance(value, str) and _PLAIN_KEY.fullmatch(value):
        return value, True
    return "", False
