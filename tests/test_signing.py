"""Every signed cache file round-trips, and any change to it makes it a miss."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
import pytest

from adr_tool.signing import MAC_SIZE, signed, user_key, verified

KEY = bytes(range(32))
MAGIC = b"TEST1\n"


@given(st.binary(max_size=512))
def test_signed_payload_round_trips(payload: bytes) -> None:
    data = b"".join(signed(KEY, MAGIC, payload))
    found = verified(KEY, MAGIC, data)
    assert found is not None and bytes(found) == payload


@given(st.binary(min_size=1, max_size=256), st.data())
def test_any_flipped_byte_is_a_miss(payload: bytes, data: st.DataObject) -> None:
    blob = bytearray(b"".join(signed(KEY, MAGIC, payload)))
    index = data.draw(st.integers(0, len(blob) - 1))
    blob[index] ^= data.draw(st.integers(1, 255))
    assert verified(KEY, MAGIC, bytes(blob)) is None


def test_other_key_no_key_and_short_files_are_misses() -> None:
    data = b"".join(signed(KEY, MAGIC, b"payload"))
    assert verified(bytes(32), MAGIC, data) is None
    assert verified(None, MAGIC, data) is None
    assert verified(KEY, MAGIC, data[: len(MAGIC) + MAC_SIZE - 1]) is None
    assert verified(KEY, b"OTHER\n", data) is None


def test_user_key_is_created_once_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = user_key()
    assert first is not None and len(first) == 32
    assert user_key() == first
    assert (tmp_path / "adr-tool" / "key").stat().st_mode & 0o077 == 0
