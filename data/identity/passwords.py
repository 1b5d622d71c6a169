"""Password hashing with argon2id (argon2-cffi): the PasswordHasher port."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.identity.passwords import normalised


class Argon2Hasher:
    """argon2id with argon2-cffi's recommended parameters; `fast` only for tests, never for real accounts."""

    def __init__(self, *, fast: bool = False) -> None:
        self._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if fast else PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalised(password))

    def verify(self, password_hash: str, password: str) -> bool:
        same = normalised(password)
        # A hash made before passwords were normalised was made of the password as typed: it still opens.
        return self._check(password_hash, same) or (same != password and self._check(password_hash, password))

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
