"""`-o` writes only regular files: a device, a pipe or a directory is never replaced by a file, and a
failed write leaves neither a partial file nor a temporary one behind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import parrules
from parrules.cli.main import main
from parrules.errors import OutputError
from parrules.files.writing import output_path, write_atomic

from ..conftest import ROOT

SET = ROOT / "examples" / "first-set" / "criteria.toml"
SUBS = ROOT / "examples" / "first-set" / "submissions"


def test_write_atomic_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic(fifo, b"x")
    assert fifo.exists() and not fifo.is_file()  # still the pipe
    with pytest.raises(OutputError, match="is a directory"):
        write_atomic(tmp_path, b"x")
    (tmp_path / "afile").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        write_atomic(tmp_path / "afile" / "out.json", b"x")
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "keep"
    with pytest.raises(OutputError, match="NUL"):
        output_path(str(tmp_path / "a\0b"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "pipe"]  # no temporary file left


def test_dev_null_is_never_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    before = os.stat("/dev/null")
    assert main(["score", str(SET), str(SUBS), "-o", "/dev/null"]) == 2
    err = capsys.readouterr().err
    assert "/dev/null" in err and "not a regular file" in err and "Traceback" not in err
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_rdev) == (before.st_mode, before.st_rdev)


def test_bad_output_is_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("keep", encoding="utf-8")
    assert main(["score", str(SET), str(SUBS), "-o", str(tmp_path / "afile" / "x.txt")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was scored and printed
    assert "is a file, not a folder" in captured.err
    campaign = ROOT / "examples" / "dak-mil-2020-communes" / "campaign.toml"
    assert main(["campaign", str(campaign), "-o", str(tmp_path / "afile")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "is a file, not a folder" in captured.err  # no ranking was printed
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "keep"


def test_dash_is_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["score", str(SET), str(SUBS), "--format", "json", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["format"] == "parrules.results/1"
    assert not (tmp_path / "-").exists()


def test_a_full_disk_leaves_the_target_as_it_was(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "results.json"
    target.write_bytes(b"old")

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(parrules.ParrulesError, match="No space left on device"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
