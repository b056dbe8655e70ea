"""Encryption at rest for personal data (ID numbers) and keyed hashes for de-duplication.

The key comes from ``settings.FIELD_ENCRYPTION_KEY`` (environment). Fernet gives
authenticated encryption; the keyed hash (HMAC-SHA256) lets us refuse duplicates without
storing anything an attacker could reverse with a dictionary of valid ID numbers.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@cache
def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(("enc:" + key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or tampered data
        raise ValueError("cannot decrypt: wrong key or corrupted value") from exc


def keyed_hash(value: str) -> str:
    key = hashlib.sha256(("mac:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
