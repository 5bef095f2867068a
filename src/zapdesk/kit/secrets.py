"""Secrets kept in the database (Cloud API tokens, webhook signing secrets), encrypted with keys from the
environment, so that a database dump alone does not reveal them.

`ENCRYPTION_KEY` holds one or more Fernet keys, comma-separated: the first encrypts, every one decrypts, so a key
can be rotated by putting the new one first. Outside production an unset key is derived from `JWT_SECRET`; in
production a secret cannot be stored without a key of its own.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from zapdesk.config import Settings
from zapdesk.errors import Conflict

_DERIVATION_LABEL = b"zapdesk stored secrets v1|"


class EncryptionKeyMissing(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Set ENCRYPTION_KEY on the server before storing secrets: they are kept encrypted with it.",
            code="encryption_key_missing",
        )


class UnreadableSecret(ValueError):
    """A stored secret none of the configured keys opens (the key was changed without keeping the old one)."""


class SecretBox:
    def __init__(self, settings: Settings) -> None:
        self._keys = [key.strip() for key in settings.encryption_key.split(",") if key.strip()]
        if not self._keys and not settings.is_production:
            digest = hashlib.sha256(_DERIVATION_LABEL + settings.jwt_secret.encode()).digest()
            self._keys = [base64.urlsafe_b64encode(digest).decode()]
        self._fernet = MultiFernet([Fernet(key) for key in self._keys]) if self._keys else None

    def encrypt(self, plain: str) -> str:
        if self._fernet is None:
            raise EncryptionKeyMissing()
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        if self._fernet is None:
            raise UnreadableSecret("ENCRYPTION_KEY is not set, so stored secrets cannot be read.")
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise UnreadableSecret("No key in ENCRYPTION_KEY opens this stored secret.") from exc
