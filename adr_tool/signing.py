"""The per-user key that signs every cache file we unpickle or execute, and the MAC itself.

Cache files live in the user's cache folder, but a shared or restored folder can hold files
someone else wrote; pickles and template bytecode run code when loaded. So each is signed
with a secret only this user can read, and a file whose signature does not check is a miss
(DR-018). One key and one MAC (HMAC-SHA256, DR-021) for every cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
from pathlib import Path

MAC_SIZE = 32
"""Bytes of a signature (HMAC-SHA256)."""


def user_cache_base() -> Path:
    """``$XDG_CACHE_HOME/adr-tool`` (default ``~/.cache/adr-tool``): where the key lives."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "adr-tool"


def user_key() -> bytes | None:
    """The secret that signs cache files, created on first use; None when it cannot be kept."""
    path = user_cache_base() / "key"
    with contextlib.suppress(OSError):
        data = path.read_bytes()
        if len(data) >= 32:
            return data[:32]
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with contextlib.suppress(OSError):
            data = path.read_bytes()
            if len(data) >= 32:
                return data[:32]
        return None
    except OSError:
        return None
    secret = os.urandom(32)
    try:
        os.write(fd, secret)
    finally:
        os.close(fd)
    return secret


def mac(key: bytes, payload: bytes | memoryview) -> bytes:
    """The signature of *payload* (HMAC-SHA256: with the SHA extensions of current CPUs it
    checks an 80 MB pack 3x faster than keyed BLAKE2b, DR-021)."""
    return hmac.new(key, payload, hashlib.sha256).digest()


def streaming_mac(key: bytes) -> hmac.HMAC:
    """An incremental ``mac`` for files verified chunk by chunk."""
    return hmac.new(key, digestmod=hashlib.sha256)


def signed(key: bytes, magic: bytes, payload: bytes) -> tuple[bytes, bytes, bytes]:
    """*magic*, signature, *payload*: the chunks of a signed file, to write in order."""
    return (magic, mac(key, payload), payload)


def verified(key: bytes | None, magic: bytes, data: bytes) -> memoryview | None:
    """The payload of a file written with ``signed``, or None when it is not one of ours."""
    head = len(magic) + MAC_SIZE
    if key is None or len(data) < head or not data.startswith(magic):
        return None
    payload = memoryview(data)[head:]
    if not hmac.compare_digest(data[len(magic):head], mac(key, payload)):
        return None
    return payload
