"""`parrules report` on a campaign JSON: the file as a run wrote it is recognised by its seal and not
checked again; any edit breaks the seal and the file is checked in full, and refused as before.

Whether the check ran is told by a counter around `check_campaign` — behaviour, not timing."""

from __future__ import annotations

import copy
import hashlib
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import parrules
import parrules.reports.common as common
from parrules.campaign.run import campaign_result, spec_for
from parrules.cli.main import main
from parrules.files.schema_check import compile_schema
from parrules.files.schemas import shipped_schema
from parrules.files.seal import SEAL_KEY, is_sealed, seal_bytes, sealed

from ..campaign_data import hand_set, split, unit
from .test_report_input import EDITS


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A campaign JSON as `parrules campaign -o` writes it, sealed (by the writer, or here as it would)."""
    folder = tmp_path_factory.mktemp("sealed")
    criteria = hand_set(folder)
    subs = [unit("A", split("87.59")), unit("B", split("83.55")), unit("C", split("60")),
            unit("H", split("75"), kind="district")]
    path = campaign_result(spec_for(criteria, id="r"), criteria, subs).write_json(folder / "r.json")
    if not is_sealed(path.read_bytes()):  # until the campaign writer stamps it itself
        path.write_bytes(seal_bytes(path.read_bytes()))
    return path


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files `check_campaign` was asked to check, the real check still made."""
    seen: list[str] = []
    real = common.check_campaign

    def counted(data: Any, file: str) -> None:
        seen.append(file)
        real(data, file)
    monkeypatch.setattr(common, "check_campaign", counted)
    return seen


def _report(source: Path, capsys: pytest.CaptureFixture[str], fmt: str = "csv") -> tuple[int, str, Path]:
    out = source.with_name(f"report.{fmt}")
    code = main(["report", str(source), "--format", fmt, "-o", str(out), "-q"])
    return code, capsys.readouterr().err, out


def test_the_seal_is_the_digest_of_the_document_without_it(written: Path) -> None:
    raw = written.read_bytes()
    data = json.loads(raw)
    unsealed = raw[:raw.rindex(b',"' + SEAL_KEY.encode())] + b"}\n"
    assert data[SEAL_KEY] == "sha256:" + hashlib.sha256(unsealed).hexdigest()
    assert json.loads(unsealed) == {k: v for k, v in data.items() if k != SEAL_KEY}
    assert is_sealed(raw) and not is_sealed(unsealed)
    pieces = [unsealed[i:i + 7] for i in range(0, len(unsealed), 7)]  # streamed in pieces, the same bytes
    assert b"".join(sealed(pieces)) == raw == seal_bytes(unsealed)


def test_any_changed_byte_breaks_the_seal(written: Path) -> None:
    raw = written.read_bytes()
    rng = random.Random(13)
    for at in [0, len(raw) - 3, len(raw) - 70, *rng.sample(range(len(raw)), 200)]:
        changed = bytearray(raw)
        changed[at] = (changed[at] + 1) % 256
        assert not is_sealed(bytes(changed)), at
    assert not is_sealed(b"\xef\xbb\xbf" + raw)  # a byte-order mark an editor added
    assert not is_sealed(raw.rstrip(b"\n"))


def test_a_sealed_file_is_rendered_without_the_check(written: Path, checks: list[str],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, err, out = _report(written, capsys)
    assert code == 0, err
    assert checks == []
    assert "83,55" in out.read_text(encoding="utf-8-sig") or "83.55" in out.read_text(encoding="utf-8-sig")


def test_a_file_another_version_sealed_is_checked(tmp_path: Path, written: Path, checks: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    raw = written.read_bytes()
    unsealed = raw[:raw.rindex(b',"' + SEAL_KEY.encode())] + b"}\n"
    generator = json.loads(raw)["generator"]
    other = unsealed.replace(f'"generator":"{generator}"'.encode(), b'"generator":"parrules 0.0.1"', 1)
    assert other != unsealed
    source = tmp_path / "older.json"
    source.write_bytes(seal_bytes(other))
    assert is_sealed(source.read_bytes())
    code, err, _ = _report(source, capsys)
    assert code == 0, err
    assert checks == [str(source)]


def test_the_seal_is_not_part_of_the_report(written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err, out = _report(written, capsys, "json")
    assert code == 0, err
    assert SEAL_KEY not in json.loads(out.read_bytes())


def test_an_edited_file_is_checked_and_rendered(tmp_path: Path, written: Path, checks: list[str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(written.read_bytes(), parse_float=Decimal)  # the seal kept, now stale
    data["units"][0]["unit"]["name"] += " (sửa tay)"
    source = tmp_path / "edited.json"
    source.write_bytes(parrules.to_json(data))
    code, err, _ = _report(source, capsys)
    assert code == 0, err
    assert checks == [str(source)]


@pytest.mark.parametrize(("case", "edit", "where", "words"), EDITS[:15], ids=[c[0] for c in EDITS[:15]])
def test_an_edited_sealed_file_is_refused_as_an_unsealed_one(tmp_path: Path, written: Path, checks: list[str],
                                                            capsys: pytest.CaptureFixture[str], case: str,
                                                            edit: Any, where: str, words: str) -> None:
    """The seal left in, the figures edited: the same problem as without a seal, at the same key."""
    data = json.loads(written.read_bytes(), parse_float=Decimal)
    edit(data)
    problems = []
    for name, content in (("stale-seal.json", data), ("no-seal.json", {k: v for k, v in data.items() if k != SEAL_KEY})):
        source = tmp_path / name
        source.write_bytes(parrules.to_json(content))
        code, err, out = _report(source, capsys)
        assert code == 1 and "Traceback" not in err and not out.exists(), err
        first = err.splitlines()[0]
        assert first.startswith(f"error: {source}: {where}"), first
        problems.append(first.removeprefix(f"error: {source}"))
    assert problems[0] == problems[1]
    assert len(checks) == 2


def _mutations(data: dict[str, Any], rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Copies of `data` with one value replaced by another of a different kind, anywhere in it."""
    replacements: list[Any] = [None, True, 0, -1, Decimal("1.5"), "x", "", [], {}, [1], {"a": 1}]
    paths: list[tuple[Any, ...]] = []

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, inner in items:
            walk(inner, (*path, key))
    walk(data, ())
    out = []
    for path in rng.sample(paths[1:], min(count, len(paths) - 1)):
        copied = copy.deepcopy(data)
        *parents, last = path
        target = copied
        for key in parents:
            target = target[key]
        target[last] = rng.choice(replacements)
        out.append(copied)
        if isinstance(target, dict) and rng.random() < 0.3:  # and sometimes a key dropped or added
            dropped = copy.deepcopy(copied)
            holder = dropped
            for key in parents:
                holder = holder[key]
            del holder[last]
            out.append(dropped)
            added = copy.deepcopy(data)
            holder = added
            for key in parents:
                holder = holder[key]
            holder["not_a_key"] = 1
            out.append(added)
    return out


def test_the_compiled_schema_agrees_with_jsonschema(written: Path) -> None:
    """Valid where jsonschema says valid, invalid where it says invalid, on hundreds of edits."""
    schema = shipped_schema("campaign")
    valid = compile_schema(schema)
    assert valid is not None
    reference = jsonschema.Draft202012Validator(schema)
    data = json.loads(written.read_bytes(), parse_float=Decimal)
    del data[SEAL_KEY]
    assert valid(data) and reference.is_valid(data)
    cases = _mutations(data, random.Random(2026), 400)
    for _name, edit, _, _ in EDITS:
        edited = copy.deepcopy(data)
        edit(edited)
        cases.append(edited)
    verdicts = [(valid(case), reference.is_valid(case)) for case in cases]
    assert all(ours == theirs for ours, theirs in verdicts), [i for i, (a, b) in enumerate(verdicts) if a != b]
    assert sum(not theirs for _, theirs in verdicts) > 100  # the edits do reach the schema's refusals


def test_a_schema_with_what_the_checks_do_not_know_is_left_to_jsonschema() -> None:
    assert compile_schema({"type": "string", "maxLength": 3}) is None
    assert compile_schema({"$ref": "https://example.org/other.json"}) is None
    assert compile_schema({"enum": [1, "a"]}) is None
    assert compile_schema({"oneOf": [{"type": "string"}]}) is None
    assert compile_schema({"items": {"$id": "https://example.org/inner", "$ref": "#/$defs/x"}, "$defs": {"x": {}}}) is None


def test_the_compiled_schema_follows_jsonschemas_types() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}, "x": {"type": "number"},
                                               "t": {"enum": ["a", None]}, "p": {"pattern": "^sha256:[0-9a-f]{4}$"}},
              "required": ["n"], "additionalProperties": False}
    valid = compile_schema(schema)
    assert valid is not None
    reference = jsonschema.Draft202012Validator(schema)
    values: list[Any] = [0, 1, -1, True, False, 1.0, 2.5, Decimal("3"), Decimal("-0.5"), "1", None, [], {}]
    for n in values:
        for x in values:
            for t in ("a", None, "b", 0, False):
                for p in ("sha256:00af", "sha256:00AF", "x sha256:00af", 7):
                    case = {"n": n, "x": x, "t": t, "p": p}
                    assert valid(case) == reference.is_valid(case), case
    assert not valid({"x": 1}) and not valid({"n": 1, "y": 2}) and not valid("not an object")
