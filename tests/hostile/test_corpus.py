"""The hostile-input corpus: every case of `cases.toml`, run through `parrules` as a user runs it.

Each case is a small folder of inputs under `cases/`, laid over the shared inputs of `common/` (a set
with every built-in rule kind, three good units and a campaign file) in a fresh working folder, plus,
for what is too big or too odd to commit (a 100 KB line, nesting 5,000 deep, a FIFO, a symlink out of
the folder, an XLSX declaring a million rows), content a generator of this module writes there. The
command runs in-process (`parrules.cli.main.main`) from that folder, with only the built-in plugins
and those the case names. Every case asserts:

- the exit code (1 data, 2 usage, 3 incomplete; see docs/cli.md);
- that standard error names the file, the key path and the line the manifest gives, on one line;
- no traceback: nothing escapes `main`, and "Traceback" is printed nowhere;
- no partial or stray file: every file of the working folder (inputs, outputs that stood there, the
  folders) is byte for byte what it was, but for the outputs the manifest lists; no temporary file
  is left in the system's temporary folder either;
- for a campaign or a score where one unit is hostile, that the other units' figures (points of
  every node and leaf, totals, index, band, rank) equal those of the same run without that unit;
- what a case adds: a time bound, output that must hold or lack a text, a size bound, the same bytes
  when run from another working folder.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import types
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import parrules
from parrules import Measurement, hookimpl
from parrules.cli.main import main
from parrules.plugins.contracts import Scored

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
COMMON = HERE / "common"
CASES_DIR = HERE / "cases"
CASES: list[dict[str, Any]] = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]

#: what a case of cases.toml may say (a typo in the manifest fails test_the_manifest_is_well_formed)
CASE_KEYS = {
    "id": "the case's name, and the folder under cases/ holding its files (if it has any)",
    "class": "the class of the issue's 'What was found' it covers, or 'own'",
    "description": "one line: what the hostile input is",
    "args": "the command line after `parrules`, run from the working folder",
    "exit": "the exit code expected",
    "file": "the file the message must name (as the command names it: relative to the working folder)",
    "key": "the key path the message must name, on the same line as the file",
    "line": "the line number the message must give, as file:line",
    "expect": "fragments that must all stand on one line of standard error",
    "stderr": "fragments that must each stand somewhere in standard error",
    "absent": "fragments that must stand nowhere in standard error or output",
    "outputs": "files the command writes (relative); every other file must stay as it was",
    "hostile": "the hostile unit's submission: the others' figures must equal a run without it",
    "results": "the JSON with the units' figures, for `hostile` and `incomplete` (an output, or '-' for standard output)",
    "incomplete": "a table: unit code -> its incomplete criteria as 'code:status', exactly, in the `results` JSON",
    "plugins": "plugins besides the built-ins: names in PLUGINS",
    "generate": "names in GENERATORS, writing content into the working folder before the run",
    "remove": "files of common/ the case does without",
    "seconds": "the run must take less than this (wall clock)",
    "contains": "a table: output file -> fragments it must contain",
    "lacks": "a table: output file -> fragments it must not contain",
    "max_bytes": "a table: output file -> the size it must stay under",
    "same_from_elsewhere": "the outputs are the same bytes when run from another working folder",
    "env": "environment variables for the run",
    "full_disk": "every write fails as on a full disk (ENOSPC)",
    "feed_fifo": "a FIFO among the inputs: after 5 s a thread writes to it, so a reader that blocks is freed",
}


#: the classes of the issue's "What was found" (#11), each with cases, and the corpus's own
CLASSES = {"campaigns-hide-errors", "silent-zero", "gamed-scores", "validate-gap", "traceback", "cost",
           "harmful-output", "plugin-ends-run", "accepted-mistakes", "nothing-lost", "own"}


# -- hostile plugins ------------------------------------------------------------------------------
def _check_module(name: str, measure: Callable[..., Any]) -> types.ModuleType:
    module = types.ModuleType(f"hostile_{name.replace('.', '_')}")

    @hookimpl
    def register_checks(register: Callable[..., Any]) -> None:
        register(name, measure, description=f"a hostile check: {name}", metrics={"rate": "a rate in %"})

    module.register_checks = register_checks  # type: ignore[attr-defined]
    return module


def _rule_module(name: str, score: Callable[..., Any]) -> types.ModuleType:
    module = types.ModuleType(f"hostile_{name.replace('.', '_')}")

    @hookimpl
    def register_rule_kinds(register: Callable[..., Any]) -> None:
        register(name, score, description=f"a hostile rule: {name}",
                 params_schema={"type": "object", "additionalProperties": False},
                 input_schema={"type": ["number", "string"]})

    module.register_rule_kinds = register_rule_kinds  # type: ignore[attr-defined]
    return module


def _measure_exit(units, params):
    sys.exit(7)


def _measure_raise(units, params):
    raise RuntimeError("the export server is down")


def _measure_inf(units, params):
    return {u.code: Measurement({"rate": float("inf")}, {"rate": "∞ %"}) for u in units}


def _measure_nan(units, params):
    return {u.code: Measurement({"rate": Decimal("NaN")}, {"rate": "NaN %"}) for u in units}


RELEASE = threading.Event()  # what the hanging check waits for: set when its case ends


def _measure_hang(units, params):
    RELEASE.wait(30)  # bounded, so a build without the time limit fails, not hangs
    return {u.code: Measurement({"rate": 50}, {"rate": "50 %"}) for u in units}


def _rule_returning(points: Any) -> Callable[..., Any]:
    def score(leaf, values):
        return [Scored(points, "as the plugin says") for _ in values]

    return score


def _tthc() -> object:
    return importlib.import_module("parrules_tthc")


PLUGINS: dict[str, Callable[[], object]] = {
    "tthc": _tthc,
    "check.exit": lambda: _check_module("hostile.exits", _measure_exit),
    "check.raise": lambda: _check_module("hostile.raises", _measure_raise),
    "check.inf": lambda: _check_module("hostile.infinite", _measure_inf),
    "check.nan": lambda: _check_module("hostile.nan", _measure_nan),
    "check.hang": lambda: _check_module("hostile.hangs", _measure_hang),
    "rule.over": lambda: _rule_module("hostile.over_max", _rule_returning(Decimal("1E+6"))),
    "rule.negative": lambda: _rule_module("hostile.negative", _rule_returning(Decimal("-1"))),
    "rule.nan": lambda: _rule_module("hostile.nan_points", _rule_returning(Decimal("NaN"))),
    "rule.float": lambda: _rule_module("hostile.float_points", _rule_returning(float("inf"))),
    "rule.text": lambda: _rule_module("hostile.text_points", _rule_returning("2")),
}


def _registry(names: list[str]) -> parrules.Registry:
    registry = parrules.Registry(entry_points=False)
    for name in names:
        plugin = PLUGINS[name]()
        registry.add_plugin(plugin, name=getattr(plugin, "__name__", name))
    return registry


# -- generated content: too big or too odd to commit -----------------------------------------------
UNIT = '[unit]\ncode = "SZ"\nname = "Sở Z"\nkind = "department"\nperiod = 2024\n\n[self_assessment]\n"1.4" = 1\n\n'
ANSWERS = ('[answers]\n"1.1" = true\n"1.2" = "Hoàn thành"\n"1.3" = 0\n"2.1" = 90\n"2.2" = 20\n"2.3" = {}\n'
           '"3" = { "Hài lòng" = 1 }\n"T.1" = 0\n"P.1" = 0\n')


def _hostile_unit(work: Path, *lines: str) -> None:
    (work / "submissions" / "zz-hostile.toml").write_text(UNIT + ANSWERS + "".join(lines), encoding="utf-8")


def gen_unit_missing_answer(work: Path) -> None:
    """A unit that leaves 2.1 out of its answers."""
    _hostile_unit(work)
    path = work / "submissions" / "zz-hostile.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"2.1" = 90\n', ""), encoding="utf-8")


def gen_tthc_set(work: Path) -> None:
    """The set with 2.2 taken from the dossier export (check tthc.dossiers, metric online_rate)."""
    path = work / "set.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'rule = "proportional"\ncap = 50', 'rule = "proportional"\ncap = 50\ncheck = "tthc.dossiers"\n'
        'metric = "online_rate"'), encoding="utf-8")


def gen_set_decimals(work: Path) -> None:
    path = work / "set.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("decimals = 2", "decimals = 1000000000"),
                    encoding="utf-8")


def gen_long_key_line(work: Path) -> None:
    """A 100 KB dotted key: the line-number scan must cost what the line's length does."""
    _hostile_unit(work, '"' + '"."'.join(["a"] * 25_000) + '" = 1\n')


def gen_long_string_line(work: Path) -> None:
    """A 100 KB text answer of escaped quotes and backslashes (what made the old regex backtrack)."""
    _hostile_unit(work)
    path = work / "submissions" / "zz-hostile.toml"
    text = path.read_text(encoding="utf-8").replace('"1.2" = "Hoàn thành"', '"1.2" = "' + '\\\\\\" ' * 25_000 + '"')
    path.write_text(text, encoding="utf-8")


def gen_long_comment_line(work: Path) -> None:
    _hostile_unit(work, "# " + "= [ \" ' . " * 10_000 + "\n")


def gen_deep_array_toml(work: Path) -> None:
    _hostile_unit(work, '[figures]\ndeep = ' + "[" * 5_000 + "]" * 5_000 + "\n")


def gen_deep_inline_table_toml(work: Path) -> None:
    _hostile_unit(work, '[figures]\ndeep = ' + "{ a = " * 5_000 + "1" + " }" * 5_000 + "\n")


def gen_deep_header_toml(work: Path) -> None:
    _hostile_unit(work, "[figures." + ".".join(["a"] * 30_000) + "]\nx = 1\n")


def gen_deep_json(work: Path) -> None:
    (work / "submissions" / "zz-hostile.json").write_text(
        '{"unit": {"code": "SZ", "name": "Sở Z", "kind": "department", "period": 2024}, "figures": {"deep": '
        + "[" * 100_000 + "]" * 100_000 + "}}", encoding="utf-8")


def gen_huge_int_toml(work: Path) -> None:
    _hostile_unit(work, '[figures]\nhuge = ' + "9" * 5_000 + "\n")


def gen_huge_int_json(work: Path) -> None:
    (work / "submissions" / "zz-hostile.json").write_text(
        '{"unit": {"code": "SZ", "name": "Sở Z", "kind": "department", "period": 2024}, '
        '"self_assessment": {"1.4": ' + "9" * 5_000 + "}}", encoding="utf-8")


def gen_many_keys(work: Path) -> None:
    """50,000 answers to codes the set does not have: one problem each would be a 5 MB message."""
    _hostile_unit(work, "".join(f'"9.{i}" = 1\n' for i in range(50_000)))


def gen_deep_set(work: Path) -> None:
    """A set 3,000 levels deep: 1 > 1.1 > 1.1.1 > …"""
    levels = 3_000
    head = ('[set]\nid = "deep"\nname = "Bộ tiêu chí rất sâu"\nlevel = "department"\ntotal_points = 1\n\n')
    parts = []
    for depth in range(1, levels + 1):
        code = ".".join(["1"] * depth)
        rule = '\nrule = "yes_no"' if depth == levels else ""
        parts.append(f'[criteria."{code}"]\nname = "Mức {depth}"\nmax_points = 1{rule}\n')
    (work / "deep-set.toml").write_text(head + "\n".join(parts), encoding="utf-8")


def gen_wide_set(work: Path) -> None:
    """A set of 20,000 leaves under one field, each 0.0005 points: big, but a set like any other."""
    count = 20_000
    head = ('[set]\nid = "wide"\nname = "Bộ tiêu chí rất rộng"\nlevel = "department"\ntotal_points = 10\n'
            'rounding = { decimals = 4 }\n\n[criteria."1"]\nname = "Lĩnh vực"\nmax_points = 10\n\n')
    parts = [f'[criteria."1.{i}"]\nname = "Tiêu chí {i}"\nmax_points = 0.0005\nrule = "yes_no"\n'
             for i in range(1, count + 1)]
    (work / "wide-set.toml").write_text(head + "\n".join(parts), encoding="utf-8")
    answers = "".join(f'"1.{i}" = {"true" if i % 3 else "false"}\n' for i in range(1, count + 1))
    (work / "wide-unit.toml").write_text(UNIT.replace('"1.4" = 1\n', "") + "[answers]\n" + answers,
                                         encoding="utf-8")


def gen_long_path(work: Path) -> None:
    path = work / "campaign.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('criteria_set = "set.toml"',
                                                             f'criteria_set = "{"a" * 5_000}.toml"'),
                    encoding="utf-8")


def gen_long_name(work: Path) -> None:
    path = work / "campaign.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('criteria_set = "set.toml"',
                                                             f'criteria_set = "{"a" * 300}.toml"'),
                    encoding="utf-8")


def gen_fifo(work: Path) -> None:
    os.mkfifo(work / "out.pipe")


def gen_fifo_submission(work: Path) -> None:
    os.mkfifo(work / "submissions" / "zz-pipe.toml")


def _feed(fifo: Path, stop: threading.Event) -> threading.Thread:
    """Free a reader blocked on `fifo` after 5 s (a build that reads FIFOs then fails on time, not hangs)."""
    def feed() -> None:
        if stop.wait(5):
            return
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # nobody is reading it: nothing to free
            return
        os.write(fd, b"[unit]\n")
        os.close(fd)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


def gen_symlink_evidence(work: Path) -> None:
    (work / "secret.txt").write_text("not evidence\n", encoding="utf-8")
    os.symlink(work / "secret.txt", work / "submissions" / "evidence.txt")


def gen_symlink_data(work: Path) -> None:
    (work / "secret.csv").write_text("Mã hồ sơ\n1\n", encoding="utf-8")
    os.symlink(work / "secret.csv", work / "submissions" / "dossiers.csv")


def gen_submission_dir_named_toml(work: Path) -> None:
    (work / "submissions" / "folder.toml").mkdir()


def gen_dangling_symlink(work: Path) -> None:
    os.symlink(work / "nowhere.toml", work / "submissions" / "zz-dangling.toml")


def gen_unreadable(work: Path) -> None:
    if os.geteuid() == 0:  # root reads anything: make it a folder instead, which no one reads as a file
        (work / "submissions" / "zz-unreadable.toml").mkdir()
        return
    path = work / "submissions" / "zz-unreadable.toml"
    path.write_text(UNIT + ANSWERS, encoding="utf-8")
    path.chmod(0)


def gen_xlsx_huge_dimension(work: Path) -> None:
    """A 3-row dossier export whose sheet declares A1:XFD1048576: reading must follow the real rows."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã hồ sơ", "Mã đơn vị", "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả"])
    sheet.append(["H1", "SA", "Trực tuyến", "02/01/2024", "10/01/2024", "05/01/2024"])
    sheet.append(["H2", "SB", "Trực tiếp", "02/01/2024", "10/01/2024", "12/01/2024"])
    sheet.append(["H3", "SC", "Trực tiếp", "02/01/2024", "10/01/2024", "09/01/2024"])
    plain = work / "plain.xlsx"
    book.save(plain)
    target = work / "data" / "dossiers.xlsx"
    target.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                start = text.index("<dimension ref=\"")
                end = text.index("\"", start + len("<dimension ref=\""))
                text = text[:start] + "<dimension ref=\"A1:XFD1048576" + text[end:]
                data = text.encode("utf-8")
            dst.writestr(item, data)
    plain.unlink()


def _run_aside(work: Path, name: str) -> None:
    """The campaign JSON of common/'s campaign (made by this run of the code) as `work/name`."""
    (work / "aside.toml").write_text((COMMON / "campaign.toml").read_text(encoding="utf-8"), encoding="utf-8")
    _quiet_main(["campaign", "aside.toml", "-o", "aside", "--formats", "json"], work)
    (work / "aside" / "hostile-2024.json").rename(work / name)
    (work / "aside").rmdir()
    (work / "aside.toml").unlink()


def gen_previous_results(work: Path) -> None:
    """Last year's results, as `parrules campaign` wrote them (made by this run of the code)."""
    _run_aside(work, "previous.json")


def gen_campaign_json(work: Path) -> None:
    """A campaign JSON written by `parrules campaign -o`, for `report` cases to edit by hand."""
    _run_aside(work, "run.json")


def _edit_json(path: Path, edit: Callable[[dict[str, Any]], None], *, raw: Callable[[str], str] | None = None) -> None:
    data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    edit(data)
    text = parrules.to_json(data).decode("utf-8")
    path.write_text(raw(text) if raw else text, encoding="utf-8")


def gen_previous_hand_edited(work: Path) -> None:
    """Last year's JSON after a clerk 'corrected' a figure: a text where the index stood."""
    gen_previous_results(work)
    _edit_json(work / "previous.json", lambda d: d["units"][1].__setitem__("index", "73,68"))


def gen_previous_nan(work: Path) -> None:
    gen_previous_results(work)
    _edit_json(work / "previous.json", lambda d: None,
               raw=lambda text: text.replace('"total_points": 17.98', '"total_points": NaN', 1))


def gen_previous_huge(work: Path) -> None:
    gen_previous_results(work)
    _edit_json(work / "previous.json", lambda d: None,
               raw=lambda text: text.replace('"total_points": 17.98', '"total_points": 1e99999999', 1))


def gen_previous_ranks_wrong(work: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["units"][0]["placing"]["rank"] = "1"
        data["units"][2]["placing"]["field_ranks"] = ["1", "2"]

    gen_previous_results(work)
    _edit_json(work / "previous.json", edit)


def gen_report_json_nan(work: Path) -> None:
    gen_campaign_json(work)
    _edit_json(work / "run.json", lambda d: None,
               raw=lambda text: text.replace('"index": 89.9', '"index": NaN', 1))


def gen_report_json_decimals(work: Path) -> None:
    gen_campaign_json(work)
    _edit_json(work / "run.json", lambda d: d["criteria_set"].__setitem__("decimals", 1_000_000_000))


def gen_report_json_text_points(work: Path) -> None:
    gen_campaign_json(work)
    _edit_json(work / "run.json", lambda d: d["units"][0].__setitem__("total_points", "17,98"))


def gen_report_json_huge(work: Path) -> None:
    gen_campaign_json(work)
    _edit_json(work / "run.json", lambda d: None,
               raw=lambda text: text.replace('"total_points": 17.98', '"total_points": 1e99999999', 1))


def gen_report_json_units_missing(work: Path) -> None:
    gen_campaign_json(work)
    _edit_json(work / "run.json", lambda d: d.pop("units"))


def gen_report_json_name_formula(work: Path) -> None:
    gen_campaign_json(work)
    _edit_json(work / "run.json", lambda d: d["units"][0]["unit"].__setitem__("name", "=HYPERLINK(\"http://x\")"))


GENERATORS: dict[str, Callable[[Path], None]] = {
    name[len("gen_"):]: value for name, value in list(globals().items()) if name.startswith("gen_")
}


# -- running ----------------------------------------------------------------------------------------
@dataclass
class Ran:
    code: int | None
    out: str
    err: str
    seconds: float
    escaped: str | None  # the traceback of an exception that escaped `main`


def _run(args: list[str], cwd: Path, registry: parrules.Registry, capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> Ran:
    with monkeypatch.context() as patch:
        patch.chdir(cwd)
        patch.setattr("parrules.plugins.registry._default", registry)
        started = time.monotonic()
        escaped = None
        try:
            code: int | None = main(args)
        except SystemExit as exc:  # argparse's usage errors: exit 2, as the real command
            code = exc.code if isinstance(exc.code, int) else None
        except BaseException as exc:  # noqa: BLE001 - whatever escapes is the failure this corpus looks for
            code, escaped = None, "".join(traceback.format_exception(exc))
        seconds = time.monotonic() - started
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err, seconds, escaped)


def _quiet_main(args: list[str], cwd: Path) -> None:
    """Run `parrules` to make an input of a case (built-ins only); it must succeed."""
    import contextlib
    import io

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        patch.setattr("parrules.plugins.registry._default", _registry([]))
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            code = main(args)
    assert code == 0, err.getvalue()


def _snapshot(root: Path) -> dict[str, str]:
    """Every entry under `root`: its kind and, for a file, the hash of its bytes."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = f"link:{os.readlink(path)}"
        elif path.is_dir():
            found[rel] = "dir"
        elif path.is_file():
            try:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:  # unreadable on purpose: its mode says it stayed
                found[rel] = f"unreadable:{oct(path.stat().st_mode)}"
        else:
            found[rel] = f"special:{oct(path.stat().st_mode)}"
    return found


def _prepare(case: dict[str, Any], work: Path) -> None:
    shutil.copytree(COMMON, work)
    for rel in case.get("remove", []):
        target = work / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    folder = CASES_DIR / case["id"]
    if folder.is_dir():
        shutil.copytree(folder, work, dirs_exist_ok=True)
    for name in case.get("generate", []):
        GENERATORS[name](work)


def _stderr_names(err: str, file: str | None, key: str | None, line: int | None) -> bool:
    """Whether one line of `err` names `file` (at `line`) and then the key path `key` or a key under it
    (`criteria."2.1".bands` is named by `criteria."2.1".bands[0].from`)."""
    for text in err.splitlines():
        if file is not None and file not in text:
            continue
        if line is not None and f"{file}:{line}: " not in text:
            continue
        after = text.split(file, 1)[1] if file is not None else text
        if key is not None and not any(after[at + len(key) + 2:][:1] in (":", ".", "[")
                                       for at in _finds(after, f": {key}")):
            continue
        return True
    return False


def _finds(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _figures(unit: dict[str, Any]) -> dict[str, Any]:
    """What a published figure is made of, for one unit of a results or campaign JSON."""
    placing = unit.get("placing") or {}
    return {
        "totals": [unit.get(k) for k in ("total_points", "base_points", "bonus_points", "penalty_points",
                                         "applicable_max", "index", "band")],
        "nodes": {n["code"]: (n.get("points"), n.get("percent"), n.get("applicable_max")) for n in unit["nodes"]},
        "leaves": {leaf["code"]: (leaf.get("status"), leaf.get("final_points"), leaf.get("explanation"))
                   for leaf in unit["leaves"]},
        "rank": (placing.get("cohort"), placing.get("rank"), placing.get("field_ranks")),
        "incomplete": unit.get("incomplete"),
    }


def _units(ran: Ran, work: Path, results: str) -> dict[str, dict[str, Any]]:
    text = ran.out if results == "-" else (work / results).read_text(encoding="utf-8")
    data = json.loads(text, parse_float=Decimal)
    return {u["unit"]["code"]: _figures(u) for u in data["units"]}


def _elsewhere(args: list[str], work: Path) -> list[str]:
    """The same command run from the working folder's parent: every path argument gets the prefix."""
    out = []
    for i, arg in enumerate(args):
        path_like = not arg.startswith("-") and i > 0 and (
            (work / arg).exists() or args[i - 1] in ("-o", "--output", "--output-dir"))
        out.append(f"{work.name}/{arg}" if path_like else arg)
    return out


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("parrules.files.writing.os.fsync", no_space)
    monkeypatch.setattr("parrules.files.writing._datasync", no_space, raising=False)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_input(case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    _prepare(case, work)
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    for name, value in case.get("env", {}).items():
        monkeypatch.setenv(name, str(value))
    plugins = case.get("plugins", [])
    before = _snapshot(work)
    RELEASE.clear()
    stop_feeding = threading.Event()
    feeder = _feed(work / case["feed_fifo"], stop_feeding) if "feed_fifo" in case else None
    with monkeypatch.context() as patch:
        if case.get("full_disk"):
            _full_disk(patch)
        try:
            ran = _run(case["args"], work, _registry(plugins), capsys, monkeypatch)
        finally:
            RELEASE.set()  # a hanging check's abandoned thread ends with its case
            stop_feeding.set()
            if feeder is not None:
                feeder.join()
    said = f"exit {ran.code} in {ran.seconds:.1f}s\n--- stderr:\n{ran.err[-3000:]}\n--- stdout:\n{ran.out[-1500:]}"

    assert ran.escaped is None, f"an exception escaped parrules:\n{ran.escaped}"
    assert "Traceback" not in ran.err and "Traceback" not in ran.out, said
    assert ran.code == case["exit"], f"{case['description']}: expected exit {case['exit']}, got {said}"
    if "seconds" in case:
        assert ran.seconds < case["seconds"], f"took {ran.seconds:.1f}s, bound {case['seconds']}s\n{said}"
    if "file" in case or "key" in case:
        assert _stderr_names(ran.err, case.get("file"), case.get("key"), case.get("line")), (
            f"no line of stderr names {case.get('file')}{':' + str(case['line']) if 'line' in case else ''} "
            f"and {case.get('key')}\n{said}")
    if "expect" in case:
        assert any(all(f in text for f in case["expect"]) for text in ran.err.splitlines()), (
            f"no line of stderr holds all of {case['expect']}\n{said}")
    for fragment in case.get("stderr", []):
        assert fragment in ran.err, f"{fragment!r} not in stderr\n{said}"
    for fragment in case.get("absent", []):
        assert fragment not in ran.err and fragment not in ran.out, f"{fragment!r} was printed\n{said}"
    assert len(ran.err) < 20_000, f"a message of {len(ran.err)} characters is not one clear message\n{said}"

    after = _snapshot(work)
    outputs = set(case.get("outputs", []))
    new_dirs = {p.as_posix() for rel in outputs for p in Path(rel).parents if p.as_posix() != "."}
    changed = {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}
    stray = changed - outputs - new_dirs
    assert not stray, f"files changed or left behind: {sorted(stray)}\n{said}"
    missing = {rel for rel in outputs if rel not in after}
    assert not missing, f"outputs not written: {sorted(missing)}\n{said}"
    assert not list(system_tmp.iterdir()), f"left in the temporary folder: {list(system_tmp.iterdir())}"

    for rel, fragments in case.get("contains", {}).items():
        content = ran.out if rel == "-" else _read_output(work / rel)
        for fragment in fragments:
            assert fragment in content, f"{fragment!r} not in {rel}"
    for rel, fragments in case.get("lacks", {}).items():
        content = ran.out if rel == "-" else _read_output(work / rel)
        for fragment in fragments:
            assert fragment not in content, f"{fragment!r} is in {rel}"
    for rel, size in case.get("max_bytes", {}).items():
        found = len(ran.out.encode()) if rel == "-" else (work / rel).stat().st_size
        assert found < size, f"{rel} is {found} bytes, bound {size}"

    if "incomplete" in case:  # the statuses themselves, whatever the language of the messages
        units = _units(ran, work, case["results"])
        for code, want in case["incomplete"].items():
            got = {f"{i['code']}:{i['status']}" for i in units[code]["incomplete"] or []}
            assert got == set(want), f"unit {code} is incomplete for {sorted(got)}, expected {sorted(want)}"
    if "hostile" in case:
        _assert_others_unchanged(case, ran, work, tmp_path, plugins, capsys, monkeypatch)
    if case.get("same_from_elsewhere"):
        _assert_same_from_elsewhere(case, work, tmp_path, plugins, capsys, monkeypatch)


def _read_output(path: Path) -> str:
    if path.suffix in (".xlsx", ".docx"):  # the text of every sheet, or of the document
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8-sig")


def _assert_others_unchanged(case: dict[str, Any], ran: Ran, work: Path, tmp_path: Path, plugins: list[str],
                             capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The other units' figures equal those of the same run without the hostile unit."""
    hostile = case["hostile"]
    with_it = _units(ran, work, case["results"])
    base = tmp_path / "without"
    _prepare(case, base)
    (base / hostile).unlink()
    alone = _run(case["args"], base, _registry(plugins), capsys, monkeypatch)
    assert alone.escaped is None and alone.code == 0, f"the run without {hostile}: exit {alone.code}\n{alone.err}"
    without = _units(alone, base, case["results"])
    gone = set(with_it) - set(without)
    assert len(gone) == 1, f"{hostile} should be exactly one unit of the run, not {sorted(gone)}"
    for code, figures in without.items():
        assert with_it[code] == figures, f"unit {code} changed because of {hostile}"


def _assert_same_from_elsewhere(case: dict[str, Any], work: Path, tmp_path: Path, plugins: list[str],
                                capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same inputs from another working folder (and another absolute path) give the same bytes."""
    other = tmp_path / "other-place" / "work"
    _prepare(case, other)
    again = _run(_elsewhere(case["args"], other), other.parent, _registry(plugins), capsys, monkeypatch)
    assert again.escaped is None and again.code == case["exit"], again.err
    for rel in case.get("outputs", []):
        first, second = (work / rel).read_bytes(), (other / rel).read_bytes()
        assert first == second, f"{rel} differs when run from another folder"


def test_the_manifest_is_well_formed() -> None:
    """Every case says what it needs, names known generators and plugins, and every folder is a case."""
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "a case id is used twice"
    for case in CASES:
        unknown = set(case) - set(CASE_KEYS)
        assert not unknown, f"{case['id']}: unknown keys {unknown}"
        for key in ("id", "class", "description", "args", "exit"):
            assert key in case, f"{case['id']}: {key} is missing"
        assert set(case.get("generate", [])) <= set(GENERATORS), case["id"]
        assert set(case.get("plugins", [])) <= set(PLUGINS), case["id"]
        assert ("hostile" in case or "incomplete" in case) == ("results" in case), f"{case['id']}: results unused or needed"
        assert case["exit"] in (0, 1, 2, 3), case["id"]
    assert {c["class"] for c in CASES} == CLASSES, "a class has no case, or a case names an unknown class"
    folders = {p.name for p in CASES_DIR.iterdir() if p.is_dir()}
    assert folders <= set(ids), f"folders no case uses: {sorted(folders - set(ids))}"
