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
import functools
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
    return _derived_keys(secret)


@functools.lru_cache(maxsize=8)
def _derived_keys(secret: str) -> tuple[bytes, bytes, bytes]:
    # Derived once per secret: a snapshot seals or opens one key per customer.
    base = hashlib.sha256(b"relais.training.snapshot.identity\x00" + secret.encode()).digest()
    return tuple(_hmac(base, label) for label in (b"enc", b"mac", b"siv"))


def _hmac(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 (``hmac.digest``: the same value as ``hmac.new(…).digest()``, in one
    call to OpenSSL)."""
    return hmac.digest(key, message, "sha256")


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(_hmac(key, nonce + counter.to_bytes(4, "big")))
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    # As whole numbers: one operation instead of a Python step per byte.
    size = len(data)
    if len(stream) != size:
        raise ValueError("data and stream differ in length")
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(size, "big")


def seal(value: str, context: str) -> str:
    """The token carrying ``value``, bound to ``context`` (where it is written)."""
    enc, mac, siv = _keys()
    data = value.encode()
    where = context.encode() + b"\x00"
    nonce = _hmac(siv, where + data)[:NONCE]
    cipher = _xor(data, _stream(enc, nonce, len(data)))
    tag = _hmac(mac, where + nonce + cipher)[:TAG]
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
    expected = _hmac(mac, where + nonce + cipher)[:TAG]
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
