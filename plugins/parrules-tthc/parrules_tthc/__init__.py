"""parrules check `tthc.dossiers`: administrative-procedure dossiers verified from a one-stop-shop export.

The PAR Index rewards resolving dossiers (hồ sơ TTHC) by their due date, apologising in writing for
every late one (thư xin lỗi), using the public postal service (bưu chính công ích) and online
submission. Units declare these figures; this check recomputes them from the dossier export, one row
per dossier, for every unit of a campaign in ONE DuckDB query (GROUP BY unit), so a province's
millions of dossiers never become Python objects.

Bad rows are counted per unit and reported, never silently dropped: a missing or impossible date
(31/02) or a dossier completed before it was received cannot be classified and is left out of the
rates; rows sharing a dossier id are all flagged but still counted (which copy is genuine cannot be
told from the export); rows whose unit code is neither a scored unit nor in the optional unit
catalogue belong to nobody and are reported to every unit scored from that file. A dossier still
open after its due date on the `as_of` date counts as late. `as_of` defaults to something the data
fixes, never the day of the run, so the same files always give the same scores: the last day of the
unit's period when the period is a year (31/12/2024 for 2024), else the latest received or completion
date in the export (the day it was taken, near enough).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import parrules
from parrules import Measurement, UnitEvidence, hookimpl
from parrules.records import (
    DOSSIER_COLUMNS,
    UNIT_CATALOGUE_PARAMS,
    FileGroup,
    Records,
    UnitCodes,
    fetch,
    format_rate,
    is_online_channel,
    normalize_label,
    normalized_sql,
    open_records,
    percent,
    read_unit_catalogue,
)

from .texts import MESSAGES, say

__all__ = [
    "COLUMNS",
    "MESSAGES",
    "DossierCounts",
    "ValueMap",
    "evaluate",
    "is_online",
    "is_postal",
    "known_units",
    "pct",
    "unknown_note",
    "value_maps",
]

# The names this plugin exported before these helpers moved to parrules.records, kept for plugins
# that import them from here.
COLUMNS = DOSSIER_COLUMNS
is_online = is_online_channel
pct = format_rate
known_units = read_unit_catalogue

# Canonical columns of the export read here; their headers are parrules.records.DOSSIER_COLUMNS (shared
# with dvc.services, which reads the same export), overridden with check_params.columns. The id is read
# only when repeated ids are looked for.
REQUIRED = ("id", "unit", "received", "due", "completed")
OPTIONAL = ("channel", "level", "postal_return", "apology_no", "apology_date")
DATES = ("received", "due", "completed", "apology_date")
TYPED = ("id", "postal_return")  # an integer id sorts as an integer; a BOOLEAN return is read as one

METRICS = {
    "dossier_count": "dossiers of the unit counted (rows without faults that prevent classification)",
    "resolved_count": "counted dossiers with a completion date",
    "on_time_rate": "% of resolved dossiers resolved by their due date",
    "late_count": "dossiers resolved after their due date or still open past it",
    "late_with_apology": "late dossiers with an apology letter",
    "apology_rate": "% of late dossiers with an apology letter (none when no dossier was late)",
    "apology_missing": "late dossiers without an apology letter",
    "apology_after_due": "late dossiers whose apology letter is dated after the due date",
    "postal_rate": "% of counted dossiers received or returned via the public postal service (BCCI)",
    "online_rate": "% of counted dossiers submitted online",
    "online_level3_rate": "% of counted dossiers submitted online for a level-3 service (none when the export "
                          "says nothing of levels)",
    "online_level4_rate": "% of counted dossiers submitted online for a level-4 service (none when the export "
                          "says nothing of levels)",
    "fully_online_rate": "% of counted dossiers handled fully online (toàn trình, or level 4)",
    "partly_online_rate": "% of counted dossiers handled partly online (một phần, or level 3)",
    "bad_rows": "rows of the unit with a fault (missing/invalid date, completed before received, shared id)",
}

ISSUES = {
    "missing_date": "missing received or due date",
    "invalid_date": "invalid date",
    "completed_before_received": "completed before received",
    "duplicate_id": "dossier id also used on another row",
}

# -- classifying the export's values, in SQL ------------------------------------------------------------
# Each counted dossier gets a channel class and, when submitted online, an online level; what a value
# means comes from check_params.values (matched as normalize_label compares labels), else from the
# default rules below, which are what this check always did with the national export's labels. A
# value neither names is counted as unclassified and reported — never silently taken as "not online".

#: Channel classes → the code the query uses. online_level3 … online_partial say the level as well.
CHANNEL_CLASSES = {"counter": 1, "postal": 2, "online": 3, "online_level3": 4, "online_level4": 5,
                   "online_full": 6, "online_partial": 7}
#: Level classes (read for a dossier whose channel is plain `online`) → code; `other` is a level that is
#: none of the four (level 1 or 2).
LEVEL_CLASSES = {"other": 1, "level3": 3, "level4": 4, "full": 5, "partial": 6}
POSTAL_RETURN_CLASSES = {"yes": "true", "no": "false"}
_ONLINE_LEVEL = {4: 3, 5: 4, 6: 5, 7: 6}  # a channel class that says the level → that level's code

_YES = ("có", "co", "x", "yes", "y", "1", "true", "đúng")
_NO = ("", "không", "khong", "no", "n", "0", "false", "sai")
#: Labels as the national export writes them, compared as written before anything is normalised: on
#: millions of rows the normalising is only paid for a label written some other way.
_AS_WRITTEN = {
    "channel": ("Trực tuyến", "Trực tiếp", "Bưu chính công ích", "online", "counter", "postal"),
    "level": ("Mức độ 2", "Mức độ 3", "Mức độ 4", "Toàn trình", "Một phần", "2", "3", "4"),
    "postal_return": ("Có", "Không", "true", "false", "x"),
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def default_channel(label: str) -> int:
    """The channel class code of a normalised label under the default rules (0: no class)."""
    if "trực tuyến" in label or "online" in label or label.startswith("dvc"):
        return CHANNEL_CLASSES["online"]
    if "bưu chính" in label or "bcci" in label or "postal" in label:
        return CHANNEL_CLASSES["postal"]
    if "trực tiếp" in label or "tại quầy" in label or "counter" in label or "in person" in label:
        return CHANNEL_CLASSES["counter"]
    return 0


def default_level(label: str) -> int:
    """The level class code of a normalised label under the default rules (0: no class)."""
    if "toàn trình" in label or "full" in label:
        return LEVEL_CLASSES["full"]
    if "một phần" in label or "partial" in label or "partly" in label:
        return LEVEL_CLASSES["partial"]
    number = re.search(r"(\d+)\s*$", label)
    if number:
        return {"3": LEVEL_CLASSES["level3"], "4": LEVEL_CLASSES["level4"]}.get(number.group(1),
                                                                               LEVEL_CLASSES["other"])
    return 0


def default_postal_return(label: str) -> str:
    return "true" if label in _YES else "false" if label in _NO else "NULL"


_DEFAULT_SQL = {  # the same rules as the three functions above, over the normalised label {n}
    "channel": ("CASE WHEN contains({n}, 'trực tuyến') OR contains({n}, 'online') OR starts_with({n}, 'dvc') THEN 3 "
                "WHEN contains({n}, 'bưu chính') OR contains({n}, 'bcci') OR contains({n}, 'postal') THEN 2 "
                "WHEN contains({n}, 'trực tiếp') OR contains({n}, 'tại quầy') OR contains({n}, 'counter') "
                "OR contains({n}, 'in person') THEN 1 ELSE 0 END"),
    "level": ("CASE WHEN contains({n}, 'toàn trình') OR contains({n}, 'full') THEN 5 "
              "WHEN contains({n}, 'một phần') OR contains({n}, 'partial') OR contains({n}, 'partly') THEN 6 "
              "WHEN regexp_extract({n}, '(\\d+)\\s*$', 1) = '3' THEN 3 "
              "WHEN regexp_extract({n}, '(\\d+)\\s*$', 1) = '4' THEN 4 "
              "WHEN regexp_extract({n}, '(\\d+)\\s*$', 1) <> '' THEN 1 ELSE 0 END"),
    "postal_return": ("CASE WHEN {n} IS NULL OR {n} IN (" + ", ".join(_literal(v) for v in _NO) + ") THEN false "
                      "WHEN {n} IN (" + ", ".join(_literal(v) for v in _YES) + ") THEN true END"),
}
_DEFAULT_PY: dict[str, Callable[[str], Any]] = {
    "channel": default_channel, "level": default_level, "postal_return": default_postal_return}
_CODES: dict[str, Mapping[str, Any]] = {
    "channel": CHANNEL_CLASSES, "level": LEVEL_CLASSES, "postal_return": POSTAL_RETURN_CLASSES}


@dataclass(frozen=True)
class ValueMap:
    """check_params.values for one column: the file's values (normalised) → class name."""

    column: str
    given: Mapping[str, str]
    written: tuple[str, ...] = ()  # the mapping's values as the set wrote them (before normalising)

    def code(self, raw: str) -> Any:
        label = normalize_label(raw)
        if label in self.given:
            return _CODES[self.column][self.given[label]]
        return _DEFAULT_PY[self.column](_nfc(label))

    def sql(self, expr: str) -> str:
        """A CASE giving each row's class code: as-written labels first, then the normalised label
        against the mapping, then the default rules."""
        n = normalized_sql(expr)
        slow = _DEFAULT_SQL[self.column].format(n=n)
        if self.given:
            whens = " ".join(f"WHEN {_literal(k)} THEN {_CODES[self.column][v]}" for k, v in self.given.items())
            slow = f"CASE {n} {whens} ELSE {slow} END"
        fast = {}  # the mapping's own values first: an export that needs a mapping writes them
        for raw in (*self.written, *_AS_WRITTEN[self.column]):
            fast.setdefault(_nfc(raw), self.code(raw))
        whens = " ".join(f"WHEN {_literal(raw)} THEN {code}" for raw, code in fast.items() if code not in (0, "NULL"))
        return f"CASE {expr} {whens} ELSE {slow} END"


def value_maps(params: Mapping[str, Any]) -> dict[str, ValueMap]:
    """check_params.values, one `ValueMap` per column (an empty one: the default rules only)."""
    given = params.get("values") or {}
    return {column: ValueMap(column, {normalize_label(k): str(v) for k, v in (given.get(column) or {}).items()},
                             tuple(given.get(column) or ()))
            for column in _CODES}


# One pass: per-row flags and classes, then one GROUP BY unit. `rows` is inlined for Parquet (the
# duplicate scan then reads the id column only) and materialised for CSV/XLSX when ids are checked,
# where parsing the file twice would cost more than keeping the slim rows in memory; `classed` is
# never materialised (DuckDB would otherwise keep every column of every row, since an inlined `rows`
# reads it twice). Repeated ids are found by sorting the ids (typed: an integer id sorts as one) and
# comparing each with its neighbour: on 10 M distinct ids that took about half the CPU time of a hash
# GROUP BY id (docs/benchmarks.md). Each row is then marked once (`dup`, a semi-join against the few
# repeated ids). The counts are `count_if(x)`, not `count(*) FILTER (WHERE x)`: the same numbers (a NULL
# condition counts for neither; a unit whose every condition is NULL gets NULL, read as 0), but DuckDB
# evaluates 21 filters as 21 separate selections and 21 conditions as one projection; on 10 M rows that
# was about 30 % of the query's CPU time.
_CLASSED = """
WITH classed AS NOT MATERIALIZED (
    SELECT unit, {id} AS id,
        received, received__given, due, due__given, completed, completed__given, apology_no,
        apology_date, apology_date__given,
        {channel} AS ch, {level} AS lv, {postal_return} AS pr,
        {channel_raw} AS channel_raw, {level_raw} AS level_raw, {return_raw} AS return_raw
    FROM {view}
),
"""
_ROWS = """
rows AS {materialized} (
    SELECT unit, id,
        (NOT received__given OR NOT due__given) AS missing_date,
        ((received__given AND received IS NULL) OR (due__given AND due IS NULL)
            OR (completed__given AND completed IS NULL)
            OR (apology_date__given AND apology_date IS NULL)) AS invalid_date,
        coalesce(completed < received, false) AS before_received,
        completed <= due AS on_time,
        completed > due AS resolved_late,
        (NOT completed__given AND due < ?) AS open_late,
        (nullif(trim(apology_no), '') IS NOT NULL OR apology_date__given) AS apology,
        coalesce(apology_date > due, false) AS apology_after,
        ch, pr,
        CASE ch WHEN 4 THEN 3 WHEN 5 THEN 4 WHEN 6 THEN 5 WHEN 7 THEN 6 WHEN 3 THEN lv END AS ol
    FROM classed
),
"""
_DUPLICATES = """
duplicated AS (
    SELECT DISTINCT id
    FROM (SELECT id, lag(id) OVER (ORDER BY id) AS previous FROM rows WHERE id IS NOT NULL)
    WHERE id = previous
),
flagged AS (
    SELECT *, (missing_date OR invalid_date OR before_received) AS left_out,
        coalesce(id IN (SELECT id FROM duplicated), false) AS dup
    FROM rows
)
"""
_NO_DUPLICATES = """
flagged AS (
    SELECT *, (missing_date OR invalid_date OR before_received) AS left_out, false AS dup
    FROM rows
)
"""
_COUNTS = """
SELECT unit,
    count(*),
    count_if(dup),
    count_if(missing_date),
    count_if(invalid_date),
    count_if(before_received),
    count_if(left_out OR dup),
    count_if(NOT left_out),
    count_if(NOT left_out AND on_time),
    count_if(NOT left_out AND resolved_late),
    count_if(NOT left_out AND open_late),
    count_if(NOT left_out AND (resolved_late OR open_late) AND apology),
    count_if(NOT left_out AND (resolved_late OR open_late) AND apology AND apology_after),
    count_if(NOT left_out AND (ch = 2 OR pr)),
    count_if(NOT left_out AND ch >= 3),
    count_if(NOT left_out AND ol = 3),
    count_if(NOT left_out AND ol = 4),
    count_if(NOT left_out AND ol = 5),
    count_if(NOT left_out AND ol = 6),
    count_if(NOT left_out AND ch = 0),
    count_if(NOT left_out AND ol = 0),
    count_if(NOT left_out AND pr IS NULL)
FROM flagged
GROUP BY unit
"""
# The values behind unclassified counts, asked for only when there are some (one more scan, for the note
# that tells the clerk what to map): a few of each kind, as written in the file.
_EXAMPLES = """
SELECT DISTINCT kind, value FROM (
    SELECT CASE WHEN ch = 0 THEN channel_raw END AS unclassified_channel,
        CASE WHEN ch = 3 AND lv = 0 THEN level_raw END AS unclassified_level,
        CASE WHEN pr IS NULL THEN return_raw END AS unclassified_postal_return
    FROM classed
) UNPIVOT (value FOR kind IN (unclassified_channel, unclassified_level, unclassified_postal_return))
"""
_COUNTED = ("rows", "duplicate_id", "missing_date", "invalid_date", "completed_before_received", "bad_rows",
            "counted", "on_time", "resolved_late", "open_late", "late_with_apology",
            "apology_after_due", "postal", "online", "online_level3", "online_level4", "full_label",
            "partial_label", "unclassified_channel", "unclassified_level", "unclassified_postal_return")
UNCLASSIFIED = ("unclassified_channel", "unclassified_level", "unclassified_postal_return")


@dataclass
class DossierCounts:
    """Exact per-unit counts from the query; metrics are derived from these with Decimal."""

    rows: int = 0
    duplicate_id: int = 0
    missing_date: int = 0
    invalid_date: int = 0
    completed_before_received: int = 0
    bad_rows: int = 0
    counted: int = 0
    resolved: int = 0
    on_time: int = 0
    resolved_late: int = 0
    open_late: int = 0
    late_with_apology: int = 0
    apology_after_due: int = 0
    postal: int = 0
    online: int = 0
    online_level3: int = 0
    online_level4: int = 0
    online_full: int = 0
    online_partial: int = 0
    unclassified_channel: int = 0
    unclassified_level: int = 0
    unclassified_postal_return: int = 0
    unclassified_values: dict[str, set[str]] = field(default_factory=dict)
    levels_known: bool = True
    unknown_units: Counter[str] = field(default_factory=Counter)

    def add(self, values: Sequence[Any]) -> None:
        """Add one query row (`_COUNTED`): a resolved counted dossier is on time or late, never both or
        neither (its dates are valid), and fully online means level 4 or labelled toàn trình."""
        got = dict(zip(_COUNTED, (int(v or 0) for v in values)))  # count_if over only NULLs is NULL
        got["resolved"] = got["on_time"] + got["resolved_late"]
        got["online_full"] = got["online_level4"] + got.pop("full_label")
        got["online_partial"] = got["online_level3"] + got.pop("partial_label")
        for name, value in got.items():
            setattr(self, name, getattr(self, name) + value)


def is_postal(channel: object, postal_return: object = None) -> bool:
    """Received via the public postal service, or the result returned by it ('Có', 'x', 'yes', '1'),
    under the default rules (what the query does for an export without check_params.values)."""
    if default_channel(normalize_label(channel)) == CHANNEL_CLASSES["postal"]:
        return True
    return normalize_label(postal_return) in _YES


def unknown_note(unknown: Counter[str]) -> str:
    """'1 row in the file with unit code 000.00.99.H21 that is neither a scored unit nor in the unit
    catalogue (not counted for anyone)', in the voice of the run."""
    if not unknown:
        return ""
    codes = ", ".join(sorted(unknown)[:5]) + (", …" if len(unknown) > 5 else "")
    return _one_or_many("tthc.unknown_units", sum(unknown.values()), codes=codes)


def _as_of(params: Mapping[str, Any], period: object = None) -> dt.date | None:
    """`as_of` from the params, else 31 December of a year period, else None (latest date in the export)."""
    value = params.get("as_of")
    if value is None:
        text = str(period or "").strip()
        return dt.date(int(text), 12, 31) if len(text) == 4 and text.isdigit() else None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def query(rec: Records, maps: Mapping[str, ValueMap], *, check_ids: bool = True) -> str:
    """The one query over an opened export: one row per unit code as written, counts as `_COUNTED`
    and then two sample values of each unclassified kind (min, max)."""
    def classed(column: str, otherwise: str) -> str:
        if not rec.has(column):
            return otherwise
        typ = rec.types.get(column, "VARCHAR")
        if column == "postal_return" and typ == "BOOLEAN":
            return f"coalesce({column}, false)"
        return maps[column].sql(column if typ == "VARCHAR" else f"{column}::VARCHAR")

    def raw(column: str) -> str:
        return f"coalesce({column}::VARCHAR, '')" if rec.has(column) else "NULL::VARCHAR"

    fields = {
        "view": rec.view, "id": "id" if check_ids else "NULL",
        "channel": classed("channel", "-1"), "level": classed("level", "NULL::INTEGER"),
        "postal_return": classed("postal_return", "false"),
        "channel_raw": raw("channel"), "level_raw": raw("level"), "return_raw": raw("postal_return"),
        "materialized": "MATERIALIZED" if check_ids and rec.format != "parquet" else "NOT MATERIALIZED",
    }
    return _CLASSED.format(**fields) + _ROWS.format(**fields) + (_DUPLICATES if check_ids else _NO_DUPLICATES) + _COUNTS


def examples(con: Any, rec: Records, maps: Mapping[str, ValueMap]) -> dict[str, set[str]]:
    """The file's values that match no class, by kind (`UNCLASSIFIED`), as written: for the notes."""
    sql = query(rec, maps, check_ids=False)
    sql = sql[:sql.index("rows AS")].rstrip().rstrip(",") + "\n" + _EXAMPLES
    found: dict[str, set[str]] = {}
    for kind, value in fetch(con, sql, rec, what="dossier export"):
        found.setdefault(kind, set()).add(str(value))
    return found


def count_group(con: Any, group: FileGroup, codes: UnitCodes, as_of: dt.date | None, *,
                check_ids: bool = True, maps: Mapping[str, ValueMap] | None = None,
                ) -> tuple[Records, dict[str, DossierCounts], dt.date]:
    """Run the one query over one file; counts per scored unit of the group (+ unknown codes).

    `as_of` None means the latest received or completion date in the file (one extra scan of two
    columns); the date used is returned. Finding repeated dossier ids means sorting every id of the
    file: on Parquet that is about half of the query's cost, which `check_ids=False`
    (check_params.duplicate_ids = false) skips — the id column is then not even read — for exports
    whose ids are a database key. `maps` classify the channel, level and postal-return values
    (`value_maps`; default: the default rules only).
    """
    maps = maps or value_maps({})
    required = REQUIRED if check_ids else tuple(c for c in REQUIRED if c != "id")
    rec = open_records(con, group.path, group.columns, required=required, optional=OPTIONAL, dates=DATES,
                       typed=TYPED, view="dossiers", what="dossier export", key="check_params.columns")
    if as_of is None:
        latest = fetch(con, f"SELECT max(greatest(received, completed)) FROM {rec.view}", rec,
                       what="dossier export")[0][0]
        as_of = latest if latest is not None else dt.date.min  # no dated row: nothing can be open-late
    rows = fetch(con, query(rec, maps, check_ids=check_ids), rec, [as_of], what="dossier export")
    members = {u.code for u in group.units}
    counts = {code: DossierCounts() for code in members}
    unknown: Counter[str] = Counter()
    for unit_raw, *values in rows:
        code = codes.match(unit_raw)
        if code is None:
            if not codes.is_known(unit_raw):
                unknown[codes.shown(unit_raw)] += int(values[0])
            continue
        if code in members:
            counts[code].add(values)
    if any(getattr(c, kind) for c in counts.values() for kind in UNCLASSIFIED):
        seen = examples(con, rec, maps)
        for c in counts.values():
            c.unclassified_values = seen
    levels_known = rec.has("level") or any(v.startswith("online_") for v in maps["channel"].given.values())
    for c in counts.values():
        c.unknown_units = unknown
        c.levels_known = levels_known
    return rec, counts, as_of


def _unclassified_notes(c: DossierCounts, *kinds: str) -> list[str]:
    """'2 dossiers with a channel that matches no class (kiosk, web): add them to check_params.values.channel'."""
    notes = []
    for kind in kinds:
        n = getattr(c, kind)
        if n:
            values = sorted(c.unclassified_values.get(kind, ()))
            shown = ", ".join(v or say("tthc.blank") for v in values[:5]) + (", …" if len(values) > 5 else "")
            notes.append(_one_or_many(f"tthc.{kind}", n, values=shown))
    return notes


def measure(c: DossierCounts, as_of: dt.date, sources: Mapping[str, str], *, check_ids: bool = True) -> Measurement:
    """Turn one unit's counts into metrics (exact Decimal rates) and a clerk's explanations, written
    in the voice of the run with every rate rounded as the set declares."""
    late = c.resolved_late + c.open_late
    with_apology = c.late_with_apology
    on_time_rate = percent(c.on_time, c.resolved)
    apology_rate = percent(with_apology, late)
    postal_rate = percent(c.postal, c.counted)
    online_rate = percent(c.online, c.counted)
    levels = {name: percent(getattr(c, name), c.counted) if c.levels_known else None
              for name in ("online_level3", "online_level4", "online_full", "online_partial")}
    faults = {key: getattr(c, key) for key in ISSUES if getattr(c, key)}
    issues = dict(faults)
    if c.unknown_units:
        issues["unknown_unit"] = sum(c.unknown_units.values())
    issues.update({kind: getattr(c, kind) for kind in UNCLASSIFIED if getattr(c, kind)})

    left_out = c.rows - c.counted
    said = {k: say(f"tthc.issue.{k}", n=n) for k, n in faults.items()}  # each fault worded once, used twice
    fault_text = ", ".join(said.values())
    left_text = ", ".join(text for k, text in said.items() if k != "duplicate_id")
    notes = [_one_or_many("tthc.left_out", left_out, faults=left_text)] if left_out else []
    if c.duplicate_id:
        notes.append(_one_or_many("tthc.shared_id", c.duplicate_id))
    note = say("tthc.notes", notes="; ".join(notes)) if notes else ""

    def with_notes(*kinds: str) -> str:
        extra = _unclassified_notes(c, *kinds)
        return say("tthc.notes", notes="; ".join([*notes, *extra])) if notes or extra else ""

    bad = _one_or_many("tthc.bad_rows", c.bad_rows, faults=fault_text) if c.bad_rows else say("tthc.bad_rows.none")
    if c.duplicate_id:
        bad += say("tthc.bad_rows.shared_counted")
    unknown = unknown_note(c.unknown_units)
    if unknown:
        bad += "; " + unknown
    if not check_ids:
        bad += say("tthc.bad_rows.ids_not_checked")
    late_text = say("tthc.late.one") if late == 1 else say("tthc.late.many", late=late)
    if c.open_late:
        late_text += say("tthc.late.open", resolved=c.resolved_late, open=c.open_late, day=as_of)
    none_counted = say("tthc.none_counted")

    metrics = {
        "dossier_count": c.counted,
        "resolved_count": c.resolved,
        "on_time_rate": on_time_rate,
        "late_count": late,
        "late_with_apology": with_apology,
        "apology_rate": apology_rate,
        "apology_missing": late - with_apology,
        "apology_after_due": c.apology_after_due,
        "postal_rate": postal_rate,
        "online_rate": online_rate,
        "online_level3_rate": levels["online_level3"],
        "online_level4_rate": levels["online_level4"],
        "fully_online_rate": levels["online_full"],
        "partly_online_rate": levels["online_partial"],
        "bad_rows": c.bad_rows,
    }
    postal_note = with_notes("unclassified_channel", "unclassified_postal_return")
    online_note = with_notes("unclassified_channel")
    level_note = with_notes("unclassified_channel", "unclassified_level")
    explanations = {
        "dossier_count": say("tthc.dossier_count", counted=c.counted, rows=c.rows, note=note),
        "resolved_count": say("tthc.resolved_count", resolved=c.resolved, counted=c.counted, note=note),
        "on_time_rate": say("tthc.on_time_rate", on_time=c.on_time, resolved=c.resolved, note=note,
                            rate=parrules.rounded_percent(on_time_rate)) if c.resolved else say("tthc.no_resolved") + note,
        "late_count": late_text + note,
        "late_with_apology": say("tthc.late_with_apology", letters=with_apology, late=late, note=note),
        "apology_rate": _one_or_many("tthc.apology_rate", with_apology, late=late_text, note=note,
                                     rate=parrules.rounded_percent(apology_rate), count_as="letters")
                        if late else say("tthc.no_late") + note,
        "apology_missing": say("tthc.apology_missing", missing=late - with_apology, late=late, note=note),
        "apology_after_due": _one_or_many("tthc.apology_after_due", c.apology_after_due, note=note,
                                          count_as="letters"),
        "postal_rate": say("tthc.postal_rate", postal=c.postal, counted=c.counted, note=postal_note,
                           rate=parrules.rounded_percent(postal_rate)) if c.counted else none_counted + postal_note,
        "online_rate": say("tthc.online_rate", online=c.online, counted=c.counted, note=online_note,
                           rate=parrules.rounded_percent(online_rate)) if c.counted else none_counted + online_note,
        "bad_rows": bad,
    }
    for metric, name in (("online_level3_rate", "online_level3"), ("online_level4_rate", "online_level4"),
                         ("fully_online_rate", "online_full"), ("partly_online_rate", "online_partial")):
        if not c.levels_known:
            explanations[metric] = say("tthc.no_levels")
        elif not c.counted:
            explanations[metric] = none_counted + level_note
        else:
            explanations[metric] = say(f"tthc.{metric}", dossiers=getattr(c, name), counted=c.counted,
                                       note=level_note, rate=parrules.rounded_percent(levels[name]))
    return Measurement(metrics, explanations, dict(sources), issues)


def _one_or_many(key: str, n: int, *, count_as: str = "rows", **values: Any) -> str:
    """`key.one` for one, `key.many` (with the count as `count_as`) for more: English says "1 row" and
    "2 rows"."""
    return say(f"{key}.one", **values) if n == 1 else say(f"{key}.many", **{count_as: n}, **values)


def evaluate(units: Sequence[UnitEvidence], params: Mapping[str, Any]) -> dict[str, Measurement | BaseException]:
    """Every unit's TTHC metrics: one query per distinct dossier file (normally one for the campaign)."""
    data_name = params.get("data", "dossiers")
    columns = {**DOSSIER_COLUMNS, **params.get("columns", {})}
    check_ids = bool(params.get("duplicate_ids", True))
    maps = value_maps(params)
    groups, failed = parrules.records.group_units(units, data_name, columns, what="dossier export")
    out: dict[str, Measurement | BaseException] = dict(failed)
    con = parrules.records.connect()
    try:
        known, catalogue_sources = read_unit_catalogue(con, units, params)
        codes = UnitCodes((u.code for u in units), known)
        for group in _by_as_of(groups, params):
            try:
                rec, counts, as_of = count_group(con, group, codes, _as_of(params, group.units[0].period),
                                                 check_ids=check_ids, maps=maps)
                sources = {str(rec.path): rec.sha256, **catalogue_sources}
            except parrules.ProblemsError as exc:
                out.update({u.code: exc for u in group.units})
                continue
            for code, c in counts.items():
                out[code] = measure(c, as_of, sources, check_ids=check_ids)
    finally:
        con.close()
    return out


def _by_as_of(groups: Sequence[FileGroup], params: Mapping[str, Any]) -> list[FileGroup]:
    """Split file groups whose units would get different default `as_of` dates (periods 2023 and 2024
    scored from one file): one query per date, normally still one for the whole campaign."""
    out = []
    for group in groups:
        parts: dict[dt.date | None, list[UnitEvidence]] = {}
        for unit in group.units:
            parts.setdefault(_as_of(params, unit.period), []).append(unit)
        out += [FileGroup(group.path, group.columns, tuple(members)) for members in parts.values()]
    return out


def _value_map_schema(classes: Mapping[str, Any], what: str) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"enum": list(classes)},
            "description": f"{what} as written in the export → one of: " + ", ".join(classes)}


PARAMS_SCHEMA = {
    "type": "object",
    "properties": {
        "data": {"type": "string", "description": "data name of the dossier export (default 'dossiers')"},
        "columns": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "canonical column → header in the file: " + ", ".join(DOSSIER_COLUMNS)},
        "as_of": {"description": "date on which still-open dossiers past their due date count as late "
                                 "(TOML date; default: 31 December of the unit's period when it is a year, else the "
                                 "latest received or completion date in the export)"},
        "duplicate_ids": {"type": "boolean", "description": "look for rows sharing a dossier id (default true; "
                                                            "false only for exports whose ids are a database key)"},
        "values": {
            "type": "object", "additionalProperties": False,
            "description": "what the export's values mean, by column (matched ignoring case, spaces and Unicode "
                           "form); a value not named here is classified by the default rules, and one they do not "
                           "know either is counted and reported as unclassified",
            "properties": {
                "channel": _value_map_schema(CHANNEL_CLASSES, "submission channel value"),
                "level": _value_map_schema(LEVEL_CLASSES, "service level value (read for dossiers submitted online)"),
                "postal_return": _value_map_schema(POSTAL_RETURN_CLASSES, "returned-by-post value"),
            },
        },
        **UNIT_CATALOGUE_PARAMS,
    },
    "additionalProperties": False,
}


@hookimpl
def register_checks(register: Callable[..., Any]) -> None:
    register(
        "tthc.dossiers",
        evaluate,
        description="Administrative-procedure dossiers from a one-stop-shop export: on time, late with "
                    "apology letters, postal, online and per-level shares, bad rows",
        metrics=METRICS,
        params_schema=PARAMS_SCHEMA,
    )
