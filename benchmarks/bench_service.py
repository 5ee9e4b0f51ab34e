"""`parrules serve` under load (issue #14): concurrent clients saving answers and appraisals, each save
re-scoring the unit on the 2018 central set, against two uvicorn worker processes sharing one database.

    .venv/bin/python benchmarks/bench_service.py            # 100 clients, 60 s, PostgreSQL and SQLite
    .venv/bin/python benchmarks/bench_service.py --quick    # 100 clients, 8 s per run
    .venv/bin/python benchmarks/bench_service.py --databases sqlite --seconds 20 --think 5

The campaign is `examples/province-2018` (63 provinces, their evidence and the campaign's data files),
imported twice: `bench-self` in the self-assessment phase, where each clerk client saves its own
province's self-scores, and `bench-appraisal` in appraisal round 1, where each appraiser client
appraises criteria of provinces picked at random (two may pick the same one: the second is told
409 and re-reads, as a person would). Every save's answer carries the unit's live score, computed by
the engine after the commit. Tokens are issued directly in the database before the run: logging in
(argon2, 64 MiB) is not what is measured.

Two client models, both printed:

- **people** — each client is a person at a form: after each answer it waits a think time drawn
  from an exponential distribution (mean `--think` seconds, 5 by default) before the next save;
- **closed loop** — no think time: each client sends its next save as soon as it has the answer, so
  the offered load is whatever the server can take, and latency is mostly queueing.

Printed per database and model: saves, saves/s, p50/p95/p99 latency of the saves, conflicts (409:
the optimistic versions at work, not errors), errors (anything else that is not a 200 with a score,
transport errors included), and lost updates — the database read back afterwards and checked
against every save a client was told succeeded (`tests/service/ledger.py`: each acknowledged
version in the audit trail, each row at its newest acknowledged version, each row equal to its
newest audit row).

The stateless endpoint (`POST /criteria-sets/{sha}/score`, the 63 submissions in one request, one
request at a time) is compared with its honest peer in the same run: the library in process on the
same 63 documents (`submission_from_dict`, `Engine.score_many`, `RunResult.to_json`: the fast writer), also one batch at a time.

The bars (issue #14, on this 2-core machine): p95 ≤ 250 ms for a save and rescore, errors = 0, lost
updates = 0, stateless ≥ 0.5× the in-process rate. The clients run in this process (asyncio, one
connection each) and take their share of the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

import parrules  # noqa: E402
from parrules.service.auth import SESSION, issue_token  # noqa: E402
from parrules.service.db import Database, migrate  # noqa: E402
from parrules.service.models import Account, Campaign, CriteriaSetRecord, Membership, Unit, utcnow  # noqa: E402
from parrules.service.roles import Phase, Role  # noqa: E402
from parrules.service.sets import loaded  # noqa: E402
from parrules.service.submissions import unit_submission  # noqa: E402
from parrules.service.transfer import import_campaign  # noqa: E402
from tests.service.ledger import Ledger  # noqa: E402
from tests.service.processes import Server, Unavailable, create_database, throwaway_postgres  # noqa: E402

EXAMPLE = ROOT / "examples" / "province-2018"
SELF, APPRAISAL = "bench-self", "bench-appraisal"
P95_BAR_MS = 250.0
STATELESS_BAR = 0.5


# -- the campaigns ----------------------------------------------------------------------------------
def campaign_copy(folder: Path, code: str) -> Path:
    """examples/province-2018's campaign file under another id, every path in it absolute."""
    text = (EXAMPLE / "campaign.toml").read_text("utf-8")
    source = parrules.load_campaign(EXAMPLE / "campaign.toml")
    lines = ["[campaign]", f'id = "{code}"', f'name = "{source.spec.name} ({code})"',
             f'criteria_set = "{Path(source.criteria.path).resolve().as_posix()}"',
             f'submissions = ["{(EXAMPLE / "submissions").as_posix()}"]']
    if "previous_results" in text and source.previous_results is not None:
        lines.append(f'previous_results = "{source.previous_results.resolve().as_posix()}"')
    if source.code_mapping is not None:
        lines.append(f'code_mapping = "{source.code_mapping.resolve().as_posix()}"')
    lines.append("[campaign.data]")
    lines += [f'{name} = "{path.resolve().as_posix()}"' for name, path in source.data.items()]
    path = folder / f"{code}.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@dataclass
class Client:
    """One simulated person: a clerk of one province, or an appraiser of any."""

    number: int
    role: str
    campaign: str
    token: str
    units: list[str]
    candidates: dict[str, list[Decimal]]  # criterion → points this person may give
    versions: dict[tuple[str, str], int] = field(default_factory=dict)


def prepare(database: Database, folder: Path, clients: int) -> tuple[list[Client], str, list[dict[str, Any]]]:
    """Both campaigns, one account and token per client; the set's sha256 and the 63 submissions."""
    migrate(database.engine)
    made: list[Client] = []
    with database.writing() as session:
        import_campaign(session, campaign_copy(folder, SELF), phase=Phase.SELF_ASSESSMENT)
        import_campaign(session, campaign_copy(folder, APPRAISAL), phase=Phase.APPRAISAL_1)
    with database.writing() as session:
        campaigns = {c.code: c for c in session.scalars(select(Campaign))}
        record = session.get(CriteriaSetRecord, campaigns[SELF].criteria_set_id)
        assert record is not None
        criteria = loaded(record)
        units = {code: list(session.scalars(select(Unit).where(Unit.campaign_id == c.id).order_by(Unit.code)))
                 for code, c in campaigns.items()}
        submissions = [unit_submission(session, u, record.set_id) for u in units[SELF]]
        clerks = min(clients // 2, len(units[SELF]))
        for i in range(clients):
            role, campaign = (Role.CLERK, SELF) if i < clerks else (Role.APPRAISER, APPRAISAL)
            account = Account(username=f"bench-{i:03d}", display_name=f"Bench client {i}", administrator=False,
                              password_hash=None, created_at=utcnow())
            session.add(account)
            session.flush()
            unit = units[SELF][i] if role is Role.CLERK else None
            session.add(Membership(account_id=account.id, campaign_id=campaigns[campaign].id, role=role.value,
                                   unit_id=unit.id if unit else None))
            token, _ = issue_token(session, account, SESSION, dt.timedelta(hours=6), "bench")
            mine = [unit.code] if unit else [u.code for u in units[APPRAISAL]]
            made.append(Client(i, role.value, campaign, token, mine, {}))
        admin = Account(username="bench-admin", display_name="Bench admin", administrator=True, password_hash=None,
                        created_at=utcnow())
        session.add(admin)
        session.flush()
        admin_token, _ = issue_token(session, admin, SESSION, dt.timedelta(hours=6), "bench")
    leaves = [code for code in criteria.leaves if criteria.nodes[code].role == "base"]
    for client in made:
        client.candidates = {code: sorted({Decimal(0), criteria.nodes[code].max_points,
                                           (criteria.nodes[code].max_points / 2).quantize(Decimal("0.01"))})
                             for code in leaves}
    for document in submissions:  # stateless: no file names a path on the server
        for d in document["documents"]:
            d.pop("file", None)
    return made, admin_token, submissions


# -- the load ---------------------------------------------------------------------------------------
@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    saves: int = 0


async def _versions(http: httpx.AsyncClient, client: Client, unit: str) -> None:
    answer = await http.get(f"/campaigns/{client.campaign}/units/{unit}")
    answer.raise_for_status()
    body = answer.json()
    if client.role == Role.CLERK.value:
        client.versions.update({(unit, e["code"]): e["version"] for e in body["entries"]})
    else:
        client.versions.update({(unit, a["code"]): a["version"] for a in body["appraisals"] if a["round"] == 1})


async def _save(http: httpx.AsyncClient, client: Client, ledger: Ledger, outcome: Outcome, rng: random.Random,
                timed: bool) -> None:
    unit = rng.choice(client.units)
    code = rng.choice(sorted(client.candidates))
    points = rng.choice(client.candidates[code])
    if client.role == Role.CLERK.value:
        path, body, key = f"/campaigns/{client.campaign}/units/{unit}/criteria/{code}", \
            {"self_assessment": str(points)}, (client.campaign, unit, code, 0)
    else:
        path, body, key = f"/campaigns/{client.campaign}/units/{unit}/criteria/{code}/appraisals/1", \
            {"points": str(points), "reason": f"bench client {client.number}"}, (client.campaign, unit, code, 1)
    if (unit, code) not in client.versions:
        await _versions(http, client, unit)
    body["version"] = client.versions.get((unit, code), 0)
    started = time.perf_counter()
    try:
        answer = await http.put(path, content=json.dumps(body))
    except httpx.HTTPError as exc:
        outcome.errors.append(f"{type(exc).__name__}: {exc}")
        return
    elapsed = time.perf_counter() - started
    if timed:
        outcome.latencies.append(elapsed)
        outcome.saves += 1
    if answer.status_code == 409:
        if timed:
            outcome.conflicts += 1
            if os.environ.get("BENCH_DEBUG"):
                print(client.role, key, body["version"], answer.text[:300], file=sys.stderr)
        client.versions[(unit, code)] = answer.json()["current_version"]
        return
    document = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
    saved = document.get("entry") or document.get("appraisal")
    if answer.status_code != 200 or not saved or "total_points" not in document.get("score", {}):
        outcome.errors.append(f"{answer.status_code} {answer.text[:200]}")
        client.versions.pop((unit, code), None)
        return
    client.versions[(unit, code)] = saved["version"]
    ledger.saved(key, saved["version"], saved["self_assessment"] if key[3] == 0 else saved["points"])


async def _person(base: str, client: Client, ledger: Ledger, outcome: Outcome, stop: float, think: float,
                  warm_until: float, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as http:
        if think:  # people do not all start at the same instant
            await asyncio.sleep(rng.uniform(0, think))
        while time.monotonic() < stop:
            await _save(http, client, ledger, outcome, rng, timed=time.monotonic() >= warm_until)
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))


def run_load(base: str, clients: list[Client], ledger: Ledger, seconds: float, think: float,
             warm: float) -> tuple[Outcome, float]:
    """All clients for `seconds` after `warm` seconds not counted; the outcome and the counted time."""
    outcome = Outcome()

    async def main() -> None:
        start = time.monotonic()
        await asyncio.gather(*(_person(base, c, ledger, outcome, start + warm + seconds, think, start + warm,
                                       c.number * 7919 + int(think * 1000)) for c in clients))

    asyncio.run(main())
    return outcome, seconds


def warm_workers(base: str, clients: list[Client]) -> float:
    """Every worker measures the campaigns' evidence once (its first live score does, for all units)
    before the clock starts: reads of a score, eight at a time on new connections, so that a busy
    worker leaves the next connection to the other."""
    started = time.perf_counter()

    def read(campaign: str) -> None:
        client = next(c for c in clients if c.campaign == campaign)
        httpx.get(f"{base}/campaigns/{campaign}/units/{client.units[0]}/score",
                  headers={"Authorization": f"Bearer {client.token}"}, timeout=300).raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        for campaign in (SELF, APPRAISAL):
            list(pool.map(read, [campaign] * 16))
    return time.perf_counter() - started


# -- stateless --------------------------------------------------------------------------------------
def stateless(base: str, admin_token: str, set_text: str, submissions: list[dict[str, Any]],
              rounds: int) -> tuple[float, float, bool]:
    """Units scored per second: the endpoint (one request at a time) and the library in process
    (one batch at a time); and whether their results were the same bytes."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=300) as http:
        uploaded = http.post("/criteria-sets", content=set_text.encode("utf-8"),
                             headers={"Content-Type": "application/toml"})
        uploaded.raise_for_status()
        sha = uploaded.json()["sha256"]
        body = parrules.to_json({"submissions": submissions}, indent=False)
        http.post(f"/criteria-sets/{sha}/score", content=body, headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        for _ in range(rounds):
            served = http.post(f"/criteria-sets/{sha}/score", content=body, headers={"Content-Type": "application/json"})
            served.raise_for_status()
        endpoint = rounds * len(submissions) / (time.perf_counter() - started)
    criteria = parrules.criteria_set_from_text(set_text, name="criteria-set.toml")

    def library_once() -> bytes:
        with tempfile.TemporaryDirectory(prefix="parrules-bench-") as empty:
            subs = [parrules.submission_from_dict(d, base_dir=empty, source=f"submissions[{i}]")
                    for i, d in enumerate(json.loads(body, parse_float=Decimal)["submissions"])]
            language = criteria.meta.language or "vi"
            rounding = criteria.meta.rounding
            with parrules.speaking(language, decimals=rounding.decimals, percent_decimals=rounding.percent_decimals):
                return parrules.Engine().score_many(criteria, subs).to_json()

    ours = library_once()
    started = time.perf_counter()
    for _ in range(rounds):
        library_once()
    in_process = rounds * len(submissions) / (time.perf_counter() - started)
    return endpoint, in_process, ours == served.content


# -- one database -----------------------------------------------------------------------------------
@contextlib.contextmanager
def database_url(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{(folder / 'data' / 'parrules.db').resolve()}"
        return
    with throwaway_postgres(max_connections=100, durable=True) as server:
        yield create_database(server, "parrules_bench")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]


def bench_database(kind: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix=f"parrules-bench-{kind}-"))
    rows: list[dict[str, Any]] = []
    try:
        with database_url(kind, folder) as url:
            database = Database(url)
            started = time.perf_counter()
            clients, admin_token, submissions = prepare(database, folder, args.clients)
            print(f"[{kind}] imported both campaigns, {len(clients)} accounts in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            with Server(url, folder / "data", workers=args.workers) as server:
                print(f"[{kind}] {args.workers} workers warmed in {warm_workers(server.base, clients):.1f} s",
                      file=sys.stderr)
                for model, think in (("people", args.think), ("closed loop", 0.0)):
                    ledger = Ledger()
                    outcome, seconds = run_load(server.base, clients, ledger, args.seconds, think, args.warm)
                    lost = ledger.check(database)
                    lat = [x * 1000 for x in outcome.latencies]
                    rows.append({"database": kind, "model": model, "think": think, "saves": outcome.saves,
                                 "rate": outcome.saves / seconds, "p50": percentile(lat, 50),
                                 "p95": percentile(lat, 95), "p99": percentile(lat, 99),
                                 "conflicts": outcome.conflicts, "errors": len(outcome.errors),
                                 "acknowledged": ledger.count, "lost": len(lost)})
                    for line in (outcome.errors[:5] + lost[:5]):
                        print(f"[{kind}] {model}: {line}", file=sys.stderr)
                    print(f"[{kind}] {model}: {outcome.saves} saves", file=sys.stderr)
                set_text = Path(parrules.load_campaign(EXAMPLE / "campaign.toml").criteria.path).read_text("utf-8")
                endpoint, in_process, same = stateless(server.base, admin_token, set_text, submissions, args.rounds)
                rows.append({"database": kind, "model": "stateless", "endpoint": endpoint, "in_process": in_process,
                             "same": same})
                server_errors = server.errors().strip()
                if server_errors:
                    print(f"[{kind}] the server wrote:\n{server_errors[-3000:]}", file=sys.stderr)
            database.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def table(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    out = [f"parrules serve under load: {args.clients} clients, {args.seconds:g} s per run (after {args.warm:g} s "
           f"not counted), {args.workers} uvicorn workers, 2018 central set, 63 provinces; "
           f"'people' think {args.think:g} s on average (exponential), 'closed loop' none",
           "",
           "| database | clients | saves | saves/s | p50 ms | p95 ms | p99 ms | conflicts (409) | errors | "
           "acknowledged | lost updates | p95 ≤ 250 ms |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["model"] == "stateless":
            continue
        ok = "yes" if r["p95"] <= P95_BAR_MS else "no"
        out.append(f"| {r['database']} | {r['model']} | {r['saves']} | {r['rate']:.1f} | {r['p50']:.0f} | "
                   f"{r['p95']:.0f} | {r['p99']:.0f} | {r['conflicts']} | {r['errors']} | {r['acknowledged']} | "
                   f"{r['lost']} | {ok} |")
    out += ["", "| database | stateless endpoint (units/s) | library in process (units/s) | ratio | ≥ 0.5× | "
                "same bytes |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["model"] != "stateless":
            continue
        ratio = r["endpoint"] / r["in_process"]
        out.append(f"| {r['database']} | {r['endpoint']:.0f} | {r['in_process']:.0f} | {ratio:.2f} | "
                   f"{'yes' if ratio >= STATELESS_BAR else 'no'} | {'yes' if r['same'] else 'NO'} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 s per run, 3 stateless rounds")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, help="counted seconds per run (default 60; 8 with --quick)")
    parser.add_argument("--warm", type=float, help="seconds of load not counted before each run (default 5; 2 with --quick)")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time of the 'people' model, seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, help="stateless batches timed (default 10; 3 with --quick)")
    parser.add_argument("--databases", default="postgresql,sqlite")
    args = parser.parse_args(argv)
    args.seconds = args.seconds if args.seconds is not None else (8.0 if args.quick else 60.0)
    args.warm = args.warm if args.warm is not None else (2.0 if args.quick else 5.0)
    args.rounds = args.rounds if args.rounds is not None else (3 if args.quick else 10)
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", file=sys.stderr)
    rows: list[dict[str, Any]] = []
    for kind in args.databases.split(","):
        try:
            rows += bench_database(kind.strip(), args)
        except Unavailable as exc:
            print(f"[{kind}] not run: {exc}", file=sys.stderr)
    print(table(rows, args))
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", file=sys.stderr)
    failed = [r for r in rows if r["model"] != "stateless" and (r["errors"] or r["lost"])]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
