"""Record exports (dossiers, catalogues, registers, survey forms) opened as DuckDB views.

A province has millions of dossiers a year and the country hundreds of millions, so checks never turn
rows into Python objects: `open_records` puts a view with *canonical* column names over the file
(CSV, XLSX or Parquet) and a check computes every unit's metrics in ONE SQL query grouped by the unit
column, then finishes the few hundred result rows in Python (exact `Decimal` rates, NFC-normalised
codes and labels). DuckDB is the engine because it reads CSV and Parquet in parallel, streaming and
out of core, with no server: a clerk's laptop runs the same code as a national benchmark.

Typical use in a check::

    con = parrules.records.connect()
    rec = parrules.records.open_records(
        con, path, {**DEFAULTS, **params.get("columns", {})},
        required=("unit", "received"), optional=("apology_no",), dates=("received",))
    rows = parrules.records.fetch(con, f"SELECT unit, count(*) FROM {rec.view} GROUP BY ALL", rec)

In the view every requested column is present under its canonical name: text columns as VARCHAR
exactly as written in the file (trim, NFC and case-folding are left to the check: to Python on the
grouped keys, or to `normalized_sql` inside the query), columns asked for as `typed` in the file's own
type (an integer id stays an integer), an optional column missing from the file as NULL, and each
date column `d` as a DATE parsed from dd/mm/yyyy or ISO text (or taken from a typed Parquet/XLSX date)
plus a BOOLEAN `d__given` that is true when the file had *something* in that cell — so a check can
tell a missing date (`NOT d__given`) from an invalid one such as 31/02 (`d__given AND d IS NULL`).
A text date column's usual format is read off its first rows and tried first; the others are still
tried on every cell it misses, so the result is that of trying them all, at the cost of one.

A run's checks share one database through `session()`: each check's `connect()` is then a cursor on
it, and a file opened by one check is not described or (when small) parsed again by the next.

Problems a clerk can fix (file not found, a required column missing, an unreadable file) raise
`ProblemsError` naming the file and the column and suggesting the nearest header, in the voice of the
run (`records.toml` in the message catalogue).

The module also holds what several checks share, so that no plugin has to import another (each
standard plugin is its own distribution and installs alone, in any order): the headers of the
national one-stop-shop dossier export (`DOSSIER_COLUMNS`) and how its submission channel is read
(`is_online_channel`), the optional unit catalogue (`read_unit_catalogue`), how a rate is shown
(`format_rate`), how a record file is named to a clerk (`said_what`), and the deadline verdict of a
plan or document (`deadline_param`, `DeadlineVerdict`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from operator import itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    import duckdb

from parrules.amounts import percent, round_to
from parrules.errors import Problem, ProblemsError, did_you_mean
from parrules.files.digest import sha256_digest
from parrules.messages import CORE, say
from parrules.plugins.contracts import UnitEvidence

__all__ = [
    "DATE_FORMATS",
    "DOSSIER_COLUMNS",
    "UNIT_CATALOGUE_PARAMS",
    "DeadlineVerdict",
    "FileGroup",
    "RecordSession",
    "Records",
    "UnitCodes",
    "connect",
    "deadline_param",
    "fetch",
    "file_sha256",
    "format_rate",
    "group_units",
    "is_online_channel",
    "normalize_label",
    "normalized_sql",
    "open_records",
    "percent",
    "read_unit_catalogue",
    "remembered",
    "said_what",
    "session",
    "sha256_digest",
]

#: Date formats tried in order: Vietnamese exports write dd/mm/yyyy, databases write ISO.
DATE_FORMATS: tuple[str, ...] = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                                 "%Y-%m-%d %H:%M:%S", "%d-%m-%Y")

T = TypeVar("T")

_SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
             ".parquet": "parquet", ".pq": "parquet"}
_DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")


@dataclass(frozen=True)
class Records:
    """An opened record file: the view to query and where each canonical column came from.

    `view` is a quoted SQL identifier to put after FROM; `headers` maps each canonical column that was
    found to the file's header (absent optional columns are not in it); `sha256` is "sha256:<hex>" for
    provenance stamps. The hash is computed in a background thread while the query runs (hashlib
    releases the GIL), so reading `sha256` after the query costs nothing extra on a multi-core machine.
    """

    path: Path
    format: str
    view: str
    headers: Mapping[str, str]
    digest: Future[str] = field(repr=False, compare=False)
    file_headers: tuple[str, ...] = field(default=(), repr=False)
    types: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    """Canonical column → its DuckDB type in the view: VARCHAR, DATE, or a `typed` column's own type."""

    @property
    def sha256(self) -> str:
        return self.digest.result()

    def has(self, column: str) -> bool:
        """True when the file has the canonical column (an absent optional column reads as NULL)."""
        return column in self.headers


def connect(*, threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection set up for record files.

    Spill files go to the system temp folder (not the clerk's working folder). `memory_limit` (e.g.
    "1GB") caps DuckDB's buffers; the environment variables PARRULES_DUCKDB_THREADS and
    PARRULES_DUCKDB_MEMORY_LIMIT set the defaults for a whole run. Inside a `session` (and with no
    setting of its own asked for) it is a cursor on the session's one database, so a check that
    connects, opens its files and closes pays for none of it again: closing the cursor leaves the
    session's database and the files it has read open for the next check.
    """
    active = _SESSION.get()
    if active is not None and threads is None and memory_limit is None:
        return active.cursor()
    return _new_database(threads, memory_limit)


def _new_database(threads: int | None, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    import duckdb  # only when a check reads records: `parrules --help` loads every plugin

    con = duckdb.connect(":memory:")
    import tempfile

    spill = Path(tempfile.gettempdir()) / f"parrules-duckdb-{os.getpid()}"
    con.execute(f"SET temp_directory = {_literal(str(spill))}")
    threads = threads or int(os.environ.get("PARRULES_DUCKDB_THREADS", "0") or 0) or None
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    memory_limit = memory_limit or os.environ.get("PARRULES_DUCKDB_MEMORY_LIMIT")
    if memory_limit:
        con.execute(f"SET memory_limit = {_literal(memory_limit)}")
    return con


class RecordSession:
    """One DuckDB database and the record files opened in it, shared by every check of a run.

    A campaign calls one check per (check, parameters) — 19 calls for the 63-province example — and
    several read the same small files (the dossier export, the unit catalogue). Without a session each
    call opens a database, sniffs and describes each file and parses it again; in one, `connect` hands
    out cursors on one database, `open_records` describes a file once, keeps a small CSV or XLSX
    (up to `SMALL_FILE_BYTES`) in a table after its first read, reuses a view asked for twice with
    the same columns, and hashes each file once. A file changed on disk during the run (another size or
    modification time) is read afresh. Views and tables live in the session's database under names of
    their own (`Records.view`), so a check running in another thread (the engine's time limit) sees
    them through its cursor. Use it through `session()`.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._names = 0
        self.described: dict[tuple[Any, ...], tuple[str, dict[str, str]]] = {}
        self.views: dict[tuple[Any, ...], Records] = {}
        self.digests: dict[tuple[Any, ...], Future[str]] = {}
        self.formats: dict[tuple[Any, ...], str | None] = {}
        self.remembered: dict[tuple[str, str], Any] = {}

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                self._con = _new_database(None, None)
            return self._con.cursor()

    def name(self, prefix: str) -> str:
        with self._lock:
            self._names += 1
            return f"{prefix}__{self._names}"

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
            self.described.clear()
            self.views.clear()
            self.formats.clear()
            self.remembered.clear()


#: A CSV or XLSX file at most this big is kept in a table of the session's database after its first
#: read (a province's unit catalogue, a 63-unit example export); a bigger one is read where it is by
#: each query, as outside a session, so that a national export never has to fit in memory.
SMALL_FILE_BYTES = 16 * 2**20

_SESSION: ContextVar[RecordSession | None] = ContextVar("parrules_records_session", default=None)


@contextmanager
def session() -> Iterator[RecordSession]:
    """Share one DuckDB database, and the record files read into it, between every check in the block.

    The engine enters it once around a run's checks; a program scoring many campaigns may enter it
    around all of them. Inside an active session it is that session (nothing new is opened). Checks
    need not know: `connect`, `open_records` and `fetch` behave alike in and out of a session, only
    faster inside one. A check runs in a copy of the caller's context, so a session entered in the
    caller's thread is seen in the check's.
    """
    active = _SESSION.get()
    if active is not None:
        yield active
        return
    opened = RecordSession()
    token = _SESSION.set(opened)
    try:
        yield opened
    finally:
        _SESSION.reset(token)
        opened.close()


def remembered(rec: Records, name: str, compute: Callable[[], T]) -> T:
    """`compute()` for an opened file, worked out once per session under `name` and handed to every
    later caller that asks for the same `name` on the same view; outside a session, `compute()`.

    For what several calls of a check read alike from a small file — the 10 document checks of the
    2018 set each read the whole register — so that each reads it from memory after the first. A
    session's view is the file as it was first opened (a file changed on disk gets a new view), so
    the remembered value is what `compute()` would give again; it must not be changed by a caller."""
    active = _SESSION.get()
    if active is None:
        return compute()
    key = (rec.view, name)
    with active.lock:
        if key in active.remembered:
            return active.remembered[key]
    value = compute()  # not under the lock: a check past its time limit must not hold up the next
    with active.lock:
        return active.remembered.setdefault(key, value)


def file_sha256(path: str | Path) -> str:
    """'sha256:<hex>' of a file, read in 1 MiB blocks (hashlib releases the GIL on large blocks)."""
    with open(path, "rb") as fh:
        return sha256_digest(iter(partial(fh.read, 1 << 20), b""))


def normalize_label(text: object) -> str:
    """How codes and labels are compared: NFC, trimmed, inner spaces collapsed, case-folded."""
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def normalized_sql(expr: str) -> str:
    """SQL for `normalize_label` of a VARCHAR expression, for a check that classifies labels inside
    its query: NFC, runs of spaces (tabs, no-break spaces) made one, trimmed, lower-cased (which is
    case-folding for Vietnamese). NULL stays NULL."""
    return f"lower(trim(regexp_replace(nfc_normalize({expr}), '[\\s\\x{{00A0}}\\x{{3000}}]+', ' ', 'g')))"


def said_what(what: str) -> str:
    """The name of a record file in the voice of the run: a standard name ("dossier export") from the
    catalogue (`records.what.*`), another check's own words as it wrote them."""
    key = "records.what." + what.replace(" ", "_")
    return say(key) if key in CORE else what


def open_records(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    columns: Mapping[str, str],
    *,
    required: Iterable[str] = (),
    optional: Iterable[str] = (),
    dates: Iterable[str] = (),
    typed: Iterable[str] = (),
    date_formats: Sequence[str] = DATE_FORMATS,
    view: str = "records",
    what: str = "data file",
    key: str = "columns",
) -> Records:
    """Create a view over the file at `path` with canonical column names; return its `Records`.

    `columns` maps canonical names to the file's headers (matched exactly, else ignoring case, spaces
    and Unicode normalisation). `required` columns must be in the file; `optional` ones read as NULL
    when absent; columns listed in `dates` (required or optional) are parsed as described in the
    module docstring. Columns listed in `typed` keep the file's own type when it is not text (a
    Parquet BIGINT id stays BIGINT, so comparing and sorting ids costs what integers cost; a BOOLEAN
    stays BOOLEAN); `Records.types` says what each column is in the view. `what` names the file for
    messages ("dossier export"), `key` is the setting a clerk edits to fix a header
    ("check_params.columns"). The format follows the suffix: .csv (UTF-8, BOM or not, delimiter
    sniffed), .xlsx (first sheet, via openpyxl), .parquet. The view is called `view` outside a
    session, and has a name of its own inside one: query `Records.view`.
    """
    path = Path(path)
    shown = str(path)
    named = said_what(what)
    if not path.is_file():
        raise ProblemsError([Problem(shown, "", say("records.not_found", what=named),
                                     hint=say("records.not_found_hint"), code="not_found")])
    stat = path.stat()
    if stat.st_size == 0:
        raise ProblemsError([Problem(shown, "", say("records.empty", what=named), hint=say("records.empty_hint"),
                                     code="empty")])
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ProblemsError([Problem(shown, "", say("records.suffix", what=named, suffix=path.suffix),
                                     hint=say("records.suffix_hint"), code="unsupported_format")])
    required, optional, date_cols, keep = list(required), list(optional), set(dates), set(typed)
    active = _SESSION.get()
    identity = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if active is None:
        source, types = _describe(con, path, fmt, view, named)
    else:
        with active.lock:
            if identity not in active.described:
                active.described[identity] = _describe(con, path, fmt, active.name("file"), named,
                                                       keep=fmt != "parquet" and stat.st_size <= SMALL_FILE_BYTES)
            source, types = active.described[identity]
    file_headers = tuple(types)
    by_label: dict[str, str] = {}
    for header in file_headers:
        by_label.setdefault(normalize_label(header), header)

    problems: list[Problem] = []
    found: dict[str, str] = {}
    for name in [*required, *optional]:
        wanted = columns.get(name)
        if wanted is None:
            if name in required:
                problems.append(Problem(shown, f"{key}.{name}", say("records.unmapped", name=name),
                                        hint=say("records.unmapped_hint", name=name, key=key), code="missing_column"))
            continue
        header = wanted if wanted in types else by_label.get(normalize_label(wanted))
        if header is not None:
            found[name] = header
        elif name in required:
            hint = did_you_mean(wanted, file_headers) or say("records.headers", headers=", ".join(file_headers))
            problems.append(Problem(shown, f"{key}.{name}", say("records.no_column", what=named, header=wanted, name=name),
                                    hint=hint, code="missing_column"))
    if problems:
        raise ProblemsError(problems)

    text_dates = [found[name] for name in [*required, *optional]
                  if name in date_cols and name in found and types[found[name]] not in _DATE_TYPES]
    detected = _detect_formats(con, source, text_dates, tuple(date_formats), types, named, active, identity)
    inner: list[str] = []  # read from the file (text dates parsed once, as `name__text` and `name`)
    select: list[str] = []  # the view's columns, over `inner`
    shape: dict[str, str] = {}
    for name in [*required, *optional]:
        alias = _ident(name)
        given = _ident(name + "__given")
        header = found.get(name)
        if name in date_cols:
            shape[name] = "DATE"
            if header is None:
                select += [f"NULL::DATE AS {alias}", f"false AS {given}"]
                continue
            col, typ = _ident(header), types[header]
            if typ in _DATE_TYPES:
                inner.append(f"{col}::DATE AS {alias}, ({col} IS NOT NULL) AS {given}")
            else:
                text = _ident(name + "__text")
                inner.append(f"{col if typ == 'VARCHAR' else f'{col}::VARCHAR'} AS {text}")
                inner.append(f"{_parse_date(text, detected.get(header), date_formats)} AS {alias}")
                # A parsed cell had something in it; only a cell that did not parse is trimmed to tell an
                # empty one from an invalid one (trimming every cell cost as much as parsing it: a CASE, whose
                # branches DuckDB evaluates only on their rows, unlike OR's). Spelt
                # rtrim(ltrim()) so that DuckDB does not take it for the parse's trim() and compute that
                # one for every cell, ahead of both.
                select.append(f"{alias}, CASE WHEN {alias} IS NOT NULL THEN true WHEN {text} IS NULL THEN false "
                              f"ELSE rtrim(ltrim({text})) <> '' END AS {given}")
                continue
            select.append(f"{alias}, {given}")
        elif header is None:
            select.append(f"NULL::VARCHAR AS {alias}")
            shape[name] = "VARCHAR"
        else:
            col, typ = _ident(header), types[header]
            if typ == "VARCHAR" or name in keep:
                inner.append(f"{col} AS {alias}")
                shape[name] = typ
            else:
                inner.append(f"{col}::VARCHAR AS {alias}")
                shape[name] = "VARCHAR"
            select.append(alias)
    body = f"SELECT {', '.join(select)} FROM (SELECT {', '.join(inner) or 'NULL AS _'} FROM {source})"
    if active is None:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {_ident(view)} AS {body}")
        return Records(path, fmt, _ident(view), found, _hash_in_background(path), file_headers, shape)
    with active.lock:
        cached = active.views.get((identity, body))
        if cached is not None:
            return cached
        name = _ident(active.name(view))
        con.execute(f"CREATE VIEW {name} AS {body}")
        digest = active.digests.get(identity)
        if digest is None:
            digest = active.digests[identity] = _hash_in_background(path)
        rec = active.views[(identity, body)] = Records(path, fmt, name, found, digest, file_headers, shape)
        return rec


def _describe(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, name: str, what: str, *,
              keep: bool = False) -> tuple[str, dict[str, str]]:
    """(FROM clause, {header: DuckDB type}) of a file; `keep` reads it into a table `name` once."""
    import duckdb  # only when a check reads records: `parrules --help` loads every plugin

    source = _source(con, path, fmt, name, what)
    try:
        if keep and fmt == "csv":
            table = _ident(name)
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}")
            source = table
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except duckdb.Error as exc:
        raise ProblemsError([_read_problem(str(path), what, exc)]) from None
    return source, {str(row[0]): str(row[1]).upper() for row in described}


#: Rows read from the top of a file to find the one format each of its text date columns is written in.
DATE_SAMPLE_ROWS = 2048


def _detect_formats(con: duckdb.DuckDBPyConnection, source: str, headers: Sequence[str], formats: tuple[str, ...],
                    types: Mapping[str, str], what: str, active: RecordSession | None,
                    identity: tuple[Any, ...]) -> dict[str, str | None]:
    """The format most of each text date column's first cells are written in (None: no cell parsed).

    A column is nearly always written in one format, and trying it alone first costs a fraction of
    trying every format on every cell (an ISO column read with dd/mm/yyyy tried first took 2.4× the
    CPU time). The sample only orders the attempts: `_parse_date` still tries every format on a cell
    the guess does not parse, so a mixed column reads as it would with no guess at all. A column
    with nothing parsable in the sample takes the format found for the file's other date columns.
    """
    import duckdb  # only when a check reads records: `parrules --help` loads every plugin

    known = active.formats if active is not None else {}
    wanted = [h for h in headers if (identity, h, formats) not in known]
    guesses = {h: known[(identity, h, formats)] for h in headers if h not in wanted}
    if wanted:
        cells = [_ident(h) if types[h] == "VARCHAR" else f"{_ident(h)}::VARCHAR" for h in wanted]
        inner = ", ".join(f"{cell} AS c{i}" for i, cell in enumerate(cells))
        counts = ", ".join(f"count(try_strptime(trim(c{i}), {_literal(f)}))"
                           for i in range(len(wanted)) for f in formats)
        try:
            row = con.execute(f"SELECT {counts} FROM (SELECT {inner} FROM {source} LIMIT {DATE_SAMPLE_ROWS})").fetchone()
        except duckdb.Error as exc:
            raise ProblemsError([_read_problem(identity[0], what, exc)]) from None
        assert row is not None
        for i, header in enumerate(wanted):
            hits = row[i * len(formats):(i + 1) * len(formats)]
            best = max(range(len(formats)), key=lambda k: (hits[k], -k))
            guesses[header] = formats[best] if hits[best] else None
            if active is not None:
                active.formats[(identity, header, formats)] = guesses[header]
    seen = Counter(f for f in guesses.values() if f)
    common = seen.most_common(1)[0][0] if seen else None
    return {h: guesses[h] or common for h in headers}


def _parse_date(text: str, guess: str | None, formats: Sequence[str]) -> str:
    """SQL parsing a text date: the column's usual format first, then every format on what it missed.

    The formats do not overlap — no cell is read by two of them as different dates — so the result is
    that of trying the formats in any order; trying the right one first only spends less.
    """
    every = "[" + ", ".join(_literal(f) for f in formats) + "]"
    if guess is None:
        return f"try_strptime(trim({text}), {every})::DATE"
    return f"coalesce(try_strptime({text}, {_literal(guess)}), try_strptime(trim({text}), {every}))::DATE"


def fetch(con: duckdb.DuckDBPyConnection, sql: str, records: Records | Sequence[Records],
          params: Sequence[Any] | None = None, *, what: str = "data file") -> list[tuple[Any, ...]]:
    """Run a query over opened records; a file DuckDB cannot parse becomes a `ProblemsError` naming it.

    CSV files are parsed while the query runs, so a ragged line or a non-UTF-8 file surfaces here.
    """
    import duckdb  # only when a check reads records: `parrules --help` loads every plugin

    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.Error as exc:
        recs = [records] if isinstance(records, Records) else list(records)
        shown = ", ".join(str(r.path) for r in recs) or "<query>"
        raise ProblemsError([_read_problem(shown, said_what(what), exc)]) from None


@dataclass(frozen=True)
class FileGroup:
    """Units whose records are in the same file read with the same column mapping: one query for all."""

    path: Path
    columns: Mapping[str, str]
    units: tuple[UnitEvidence, ...]


def group_units(units: Sequence[UnitEvidence], data_name: str, columns: Mapping[str, str], *,
                what: str = "data file") -> tuple[list[FileGroup], dict[str, ProblemsError]]:
    """Group units by the file named `data_name` in their evidence, so each file is read once.

    A campaign-wide file (``--data dossiers=...``) puts every unit in one group; a unit's own
    ``[data]`` file overrides it. A unit may adjust the header mapping for its file with the figure
    ``columns = { <data_name> = { canonical = "header" } }`` in its submission; `columns` are the
    check's defaults merged with its ``check_params``. Units that name no such file come back as
    errors (unit code → `ProblemsError`) for the engine to mark, so the rest of the run goes on.
    """
    groups: dict[tuple[Path, tuple[tuple[str, str], ...]], list[UnitEvidence]] = {}
    failed: dict[str, ProblemsError] = {}
    for unit in units:
        path = unit.data.get(data_name)
        if path is None:
            failed[unit.code] = ProblemsError([Problem(
                f"unit {unit.code}", f"data.{data_name}", say("records.not_given", what=said_what(what)),
                hint=say("records.not_given_hint", name=data_name), code="missing_file")])
            continue
        override = unit.figures.get("columns", {})
        override = override.get(data_name, {}) if isinstance(override, Mapping) else {}
        mapping = {**columns, **{str(k): str(v) for k, v in override.items()}} if isinstance(override, Mapping) \
            else dict(columns)
        groups.setdefault((Path(path).resolve(), tuple(sorted(mapping.items()))), []).append(unit)
    return [FileGroup(path, dict(mapping), tuple(members)) for (path, mapping), members in groups.items()], failed


class UnitCodes:
    """Unit codes as written in an export, matched to the units being scored or a unit catalogue.

    Codes are compared after `normalize_label` (NFC, trimmed, case-folded). A code that is neither a
    scored unit nor in the catalogue is *unknown*: its rows belong to nobody and must be reported.
    """

    def __init__(self, scored: Iterable[str], known: Iterable[str] = ()) -> None:
        self._scored = {normalize_label(code): code for code in scored}
        self._known = {normalize_label(code) for code in known} | set(self._scored)

    def match(self, raw: object) -> str | None:
        """The scored unit's own code for a code as written in the file, or None."""
        return self._scored.get(normalize_label(raw))

    def is_known(self, raw: object) -> bool:
        return normalize_label(raw) in self._known

    @staticmethod
    def shown(raw: object) -> str:
        """A code as written, for messages about unknown codes ("(để trống)" / "(blank)" for an empty cell)."""
        text = "" if raw is None else str(raw).strip()
        return text or say("records.blank")


# -- shared by the standard checks ---------------------------------------------------------------------
# Kept here, in parrules' public API, because each standard plugin is its own distribution: a helper
# that two of them need must not live in either (installing them in any order must work).

#: Canonical column → header in the national one-stop-shop dossier export. `tthc.dossiers` and
#: `dvc.services` read the same export, so they must agree on its headers; a check's
#: ``check_params.columns`` overrides them (``{**DOSSIER_COLUMNS, **params.get("columns", {})}``).
#: Read-only: a check that changed it would change every other check's defaults.
DOSSIER_COLUMNS: Mapping[str, str] = MappingProxyType({
    "id": "Mã hồ sơ",
    "unit": "Mã đơn vị",
    "procedure": "Mã TTHC",
    "level": "Mức độ DVC",
    "channel": "Hình thức nộp",
    "received": "Ngày tiếp nhận",
    "due": "Ngày hẹn trả",
    "completed": "Ngày trả kết quả",
    "postal_return": "Trả kết quả qua BCCI",
    "apology_no": "Số thư xin lỗi",
    "apology_date": "Ngày thư xin lỗi",
})

#: The ``check_params`` properties `read_unit_catalogue` reads, for a check's params JSON Schema
#: (``"properties": {..., **UNIT_CATALOGUE_PARAMS}``): every check that takes the catalogue documents
#: and validates the two settings the same way.
UNIT_CATALOGUE_PARAMS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "units": {"type": "string", "description": "data name of an optional unit catalogue (default 'units')"},
    "units_column": {"type": "string", "description": "unit-code header in the unit catalogue"},
})


def is_online_channel(channel: object) -> bool:
    """True for a dossier submitted online, from the export's channel (Hình thức nộp) as written.

    'Trực tuyến', 'Trực tuyến mức độ 4', 'DVC trực tuyến', 'online' are online; the counter (Trực
    tiếp) and the post (Bưu chính công ích) are not. Shared so that the online share of `tthc.dossiers`
    and the online use of `dvc.services` count the same dossiers as online.
    """
    label = normalize_label(channel)
    return "trực tuyến" in label or "online" in label or label.startswith("dvc")


def format_rate(value: Decimal | None) -> str:
    """A rate for explanations, in the voice of the run: '86,67 %' in Vietnamese, '86.67 %' in English,
    '75 %', and '—' when there is none (nothing to divide by).

    Rounded to 2 decimals half-up for people only; the metric itself stays exact. Shared so that every
    check words the same rate the same way.
    """
    return say("records.rate_none") if value is None else say("records.rate", rate=round_to(value, 2))


def read_unit_catalogue(con: duckdb.DuckDBPyConnection, units: Sequence[UnitEvidence],
                        params: Mapping[str, Any]) -> tuple[set[str], dict[str, str]]:
    """Unit codes in the optional unit catalogue, and {path: "sha256:…"} of the catalogue files read.

    The catalogue is the data file named ``params["units"]`` (default 'units') in the units' evidence,
    with the unit codes under the header ``params["units_column"]`` (default 'Mã đơn vị'); see
    `UNIT_CATALOGUE_PARAMS`. A campaign-wide catalogue tells units that exist but are not being scored
    (their rows in an export are fine) from codes that exist nowhere (reported as unknown): pass the
    codes to `UnitCodes` as `known`. No catalogue given: no codes, no sources.
    """
    name = params.get("units", "units")
    column = params.get("units_column", DOSSIER_COLUMNS["unit"])
    paths = {u.data[name] for u in units if name in u.data}
    codes: set[str] = set()
    sources: dict[str, str] = {}
    for path in sorted(paths):
        rec = open_records(con, path, {"unit": column}, required=("unit",), view="unit_catalogue",
                           what="unit catalogue", key="check_params.units_column")
        codes.update(str(row[0]) for row in fetch(con, f"SELECT DISTINCT unit FROM {rec.view}", rec,
                                                 what="unit catalogue") if row[0] is not None)
        sources[str(path)] = rec.sha256
    return codes, sources


def deadline_param(params: Mapping[str, Any], key: str = "deadline") -> dt.date:
    """``check_params[key]`` as a date; a ValueError a clerk can act on when it is not a TOML date.

    The check schemas accept any value there (a TOML date has no JSON Schema type), so the check
    itself must refuse "31/01/2024" written as a string; the error marks the criterion, not the run.
    """
    value = params.get(key)
    if not isinstance(value, dt.date):
        raise ValueError(f"check_params.{key} must be a TOML date such as 2024-01-31 (got {value!r})")
    return value


@dataclass(frozen=True)
class DeadlineVerdict:
    """Was a document (a plan, a decision) issued by its deadline?

    "A plan counts only if issued by its deadline" is the commonest evidence rule in provincial forms,
    checked both on the documents a unit attaches (the built-in `document.deadline`) and on the
    province's document register (`documents.plan`); one verdict keeps their metrics and wording
    identical. `issued` is the date of the earliest matching document, None when it has no date
    (then it is not on time and its lateness is unknown).
    """

    issued: dt.date | None
    deadline: dt.date

    @property
    def on_time(self) -> bool:
        return self.issued is not None and self.issued <= self.deadline

    @property
    def days_late(self) -> int | None:
        """Days after the deadline (0 when on time), None for an undated document."""
        return None if self.issued is None else max(0, (self.issued - self.deadline).days)

    def metrics(self) -> dict[str, Any]:
        """The metrics of a check that found the document: issued, on_time, days_late."""
        return {"issued": True, "on_time": self.on_time, "days_late": self.days_late}

    def explain(self, document: str) -> str:
        """'<document>: đúng hạn (thời hạn 31/01/2024)', '…: trễ 5 ngày …', or '…: không ghi ngày ban hành
        nên không được tính là đúng hạn …', in the voice of the run."""
        from parrules.messages import say

        if self.issued is None:  # never 'None days late': the document carries no date to count from
            return say("check.deadline.undated", document=document, deadline=self.deadline)
        if self.on_time:
            return say("check.deadline.on_time", document=document, deadline=self.deadline)
        if self.days_late == 1:
            return say("check.deadline.late_one", document=document, deadline=self.deadline)
        return say("check.deadline.late", document=document, days=self.days_late, deadline=self.deadline)


# -- internals ---------------------------------------------------------------------------------------

_hasher: ThreadPoolExecutor | None = None


def _hash_in_background(path: Path) -> Future[str]:
    global _hasher
    if _hasher is None:
        from concurrent.futures import ThreadPoolExecutor

        _hasher = ThreadPoolExecutor(max_workers=2, thread_name_prefix="parrules-sha256")
    return _hasher.submit(file_sha256, path)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _source(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, view: str, what: str) -> str:
    """The FROM clause reading the file (XLSX is first copied into a table: a temporary one outside a
    session, one of the session's database inside, where every check's cursor sees it)."""
    if fmt == "parquet":
        return f"read_parquet({_literal(str(path))})"
    if fmt == "csv":
        return (f"read_csv({_literal(str(path))}, header = true, all_varchar = true, "
                "encoding = 'utf-8')")
    table = _ident(view + "__xlsx")
    _load_xlsx(con, path, table, what, temp=_SESSION.get() is None)
    return table


def _load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str, what: str, *, temp: bool = True) -> None:
    """Copy the first sheet into a DuckDB temp table through a temporary CSV.

    DuckDB's own excel extension is downloaded at run time (impossible offline) and the PyPI repack
    `duckdb-extension-excel` pins one exact DuckDB build, so openpyxl (read-only streaming mode) is
    used, at a cost that follows the cells in the file (`_sheet_rows`); the query itself still runs
    in DuckDB. Date cells become ISO text, integral numbers lose their ".0".
    """
    import duckdb  # only when a check reads records: `parrules --help` loads every plugin

    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency of parrules
        raise ProblemsError([Problem(str(path), "", say("records.xlsx.needs_openpyxl", what=what),
                                     hint=say("records.xlsx.needs_openpyxl_hint"), code="unreadable")]) from None
    damaged = say("records.hint.damaged_xlsx")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile/openpyxl raise many types for a damaged workbook
        raise ProblemsError([Problem(str(path), "", say("records.xlsx.not_a_workbook", what=what, detail=exc),
                                     hint=damaged, code="unreadable")]) from None
    import csv
    import tempfile

    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="parrules-xlsx-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            try:
                csv.writer(out).writerows(_sheet_rows(book.worksheets[0], str(path), what))
            except ProblemsError:
                raise
            except Exception as exc:  # a damaged or forged sheet: bad XML, a cell reference or a string index
                raise ProblemsError([Problem(str(path), "", say("records.xlsx.bad_sheet", what=what,
                                                                  detail=f"{type(exc).__name__}: {str(exc)[:200]}"),
                                             hint=damaged, code="unreadable")]) from None
            finally:
                book.close()
        con.execute(f"CREATE OR REPLACE {'TEMP ' if temp else ''}TABLE {table} AS SELECT * FROM read_csv({_literal(tmp)}, "
                    "header = true, all_varchar = true, encoding = 'utf-8')")
    except duckdb.Error as exc:
        raise ProblemsError([_read_problem(str(path), what, exc)]) from None
    finally:
        os.unlink(tmp)


#: The last row an XLSX sheet can have (Excel's limit): a sheet with rows past it is damaged or forged.
XLSX_MAX_ROWS = 1_048_576
#: Cells a sheet may write out with most of them empty; past that, at least one in `_XLSX_SPARSEST` of
#: the cells under a header must be filled. A real export is a dense table far inside both.
_XLSX_FREE_CELLS, _XLSX_SPARSEST = 4_000_000, 16


def _sheet_rows(sheet: Any, shown: str, what: str) -> Iterator[list[str]]:
    """The sheet's header row and its data rows as text, read at a cost that follows the cells the
    file actually holds.

    A sheet declares its size (`<dimension ref="A1:XFD1048576"/>`) and openpyxl pads every row to
    it, so a 2 KB workbook could have 17 billion cells read one by one. So the declared size is
    ignored (`reset_dimensions`): each row comes as wide as its own last cell and a row the file does
    not have comes empty, skipped at no cost. Only the columns with a header are kept — a column
    without one cannot be named in `columns` — so a stray cell far to the right of the table costs
    nothing either. Two bounds refuse what no spreadsheet writes: a row past `XLSX_MAX_ROWS`, and a
    table whose cells under a header are nearly all empty (a stray cell far right in the header row
    widens every row to it).
    """
    sheet.reset_dimensions()
    pick: Any = None
    written = filled = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > XLSX_MAX_ROWS:
            raise ProblemsError([Problem(shown, "", say("records.xlsx.too_many_rows", what=what, limit=XLSX_MAX_ROWS),
                                         hint=say("records.xlsx.too_many_rows_hint"), code="unreadable")])
        if not row:  # a row the file does not have, or one without cells
            continue
        if pick is None:  # the first row with something in it is the header
            keep = [i for i, cell in enumerate(row) if cell is not None and cell != ""]
            if keep:
                pick = (lambda r, i=keep[0]: (r[i],)) if len(keep) == 1 else itemgetter(*keep)
                width = keep[-1] + 1
                yield [_cell(row[i]) for i in keep]
            continue
        if len(row) < width:
            row = row + (None,) * (width - len(row))  # a row that ends before the header does
        values = pick(row)
        blank = values.count(None) + values.count("")
        written += len(values)
        filled += len(values) - blank
        if written > _XLSX_FREE_CELLS and written > _XLSX_SPARSEST * filled:
            raise ProblemsError([Problem(shown, "", say("records.xlsx.too_sparse", what=what, columns=len(values),
                                                        filled=filled, written=written),
                                         hint=say("records.xlsx.too_sparse_hint"), code="unreadable")])
        if blank < len(values):
            yield ["" if value is None else _cell(value) for value in values]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_problem(shown: str, what: str, exc: BaseException) -> Problem:
    """DuckDB's long CSV error → the line number and the one sentence a clerk needs."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines()]
    head = lines[0] if lines and lines[0] else type(exc).__name__
    detail = next((ln for ln in lines[1:] if ln and not ln.startswith(("Original Line", "Possible Solution"))
                   and "=" not in ln and not ln.startswith("LINE ")), "")
    found = re.search(r"CSV Error on Line: (\d+)", head)
    line = int(found.group(1)) if found else None
    text = detail if (found and detail) else head
    if "utf-8" in text.lower() or "unicode" in text.lower():
        hint = say("records.hint.utf8")
    else:
        hint = say("records.hint.columns")
    return Problem(shown, "", say("records.unreadable", what=what, detail=text), line=line, hint=hint, code="unreadable")
