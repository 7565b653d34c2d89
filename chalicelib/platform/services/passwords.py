"""Password hashing with argon2id.

Parameters are OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): the API functions have
128 MB, and the library default (64 MiB) would push a login close to that limit.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

MIN_LENGTH = 12
# Bounded so that a megabyte-long "password" cannot make hashing a denial of service.
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher().hash("decoy password for unknown accounts")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists, so timing does not reveal accounts."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash or _decoy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
