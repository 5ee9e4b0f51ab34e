"""Atomic writes: whole or not at all, streamed pieces included, and an ordinary file's permissions."""

from __future__ import annotations

import os
import stat

import pytest

import parrules


def test_pieces_are_written_in_order_and_whole(tmp_path) -> None:
    pieces = [f"piece {i}\n".encode() * 1000 for i in range(50)]
    target = parrules.write_atomic(tmp_path / "out.json", iter(pieces))
    assert target.read_bytes() == b"".join(pieces)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_failure_while_making_pieces_leaves_the_old_file_and_no_temporary(tmp_path) -> None:
    target = tmp_path / "out.json"
    target.write_text("yesterday's good report", encoding="utf-8")

    def pieces():
        yield b"half of "
        raise RuntimeError("scoring failed half way")

    with pytest.raises(RuntimeError, match="half way"):
        parrules.write_atomic(target, pieces())
    assert target.read_text(encoding="utf-8") == "yesterday's good report"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_written_file_has_the_permissions_open_would_give(tmp_path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    written = parrules.write_atomic(tmp_path / "atomic.txt", "x")
    assert stat.S_IMODE(os.stat(written).st_mode) == stat.S_IMODE(os.stat(plain).st_mode)


def test_bytes_like_content_is_written_whole(tmp_path) -> None:
    for content in (bytearray(b"report"), memoryview(b"report")):
        assert parrules.write_atomic(tmp_path / "r.txt", content).read_bytes() == b"report"


def test_a_replaced_file_keeps_its_permissions(tmp_path) -> None:
    target = tmp_path / "private.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    parrules.write_atomic(target, "new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600 and target.read_text(encoding="utf-8") == "new"
