"""Scores, always by the library's engine: a unit's live score, a whole campaign, stateless runs.

- **A unit's live score** is the engine run on the unit's submission as the database holds it (or
  as a save's transaction committed it), with the campaign's data files. Those are copied once into
  a folder under the cache named by the hash of the campaign-wide files, so every worker builds the
  same folder from the same rows; the checks' measurements are remembered by content
  (`measurements`), and nothing else is kept in a process.
- **A campaign's results** are computed by exporting it to a fresh folder and running
  `parrules.run_campaign` there: the service's results document is, byte for byte, what
  `parrules campaign` writes for the export.
- **Stateless scoring** builds submissions from the JSON a client posted
  (`parrules.submission_from_dict`) inside an empty folder, so a document's `file` can name nothing
  on the server.

Every run speaks as the CLI does: the campaign's (or the set's) language, the set's decimals.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from parrules import (
    CampaignResult,
    CriteriaSet,
    Engine,
    UnitResult,
    load_campaign,
    run_campaign,
    submission_from_dict,
    write_atomic,
)
from parrules.service import library, measurements
from parrules.service.blobs import blob_content
from parrules.service.models import Campaign, CampaignData, CriteriaSetRecord, Unit
from parrules.service.sets import loaded
from parrules.service.submissions import UnitState, unit_state
from parrules.service.transfer import (
    campaign_files,
    campaign_level_files,
    campaign_settings,
    data_rows,
    file_content,
    write_files,
)


def campaign_criteria(session: Session, campaign: Campaign) -> tuple[CriteriaSetRecord, CriteriaSet]:
    """The campaign's set: its row (the text is read only if the set is not loaded in this worker
    yet: a large set's text need not cross from the database on every save) and the set, loaded."""
    record = session.get(CriteriaSetRecord, campaign.criteria_set_id, options=[defer(CriteriaSetRecord.toml)])
    assert record is not None
    return record, loaded(record)


def live_folder(session: Session, cache: Path, campaign: Campaign, rows: list[CampaignData] | None = None) -> Path:
    """The campaign-wide files on disk (set, data, last year, mapping), for evidence checks."""
    files = campaign_level_files(session, campaign, rows)
    key = hashlib.sha256("\n".join(f"{path}\0{hashlib.sha256(ref.encode()).hexdigest()}"
                                   for path, ref in sorted(files.items())).encode()).hexdigest()
    folder = cache / "campaigns" / f"{campaign.id}-{key[:24]}"
    marker = folder / ".complete"
    if not marker.is_file():
        for path, ref in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, file_content(session, ref))
        (folder / "submissions").mkdir(parents=True, exist_ok=True)
        write_atomic(marker, b"")
    return folder


def unit_submission_in(session: Session, folder: Path, unit: Unit, set_id: str,
                       state: UnitState | None = None) -> Any:
    """The unit's submission as the library reads it (as `state` holds it, else as the database
    does now), its evidence files written into `folder/submissions`."""
    state = state or unit_state(session, unit, set_id)
    for name, digest in state.files:
        target = folder / "submissions" / name
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, blob_content(session, digest))
    return submission_from_dict(state.document, base_dir=folder / "submissions",
                                source=str(folder / "submissions" / f"{unit.file_stem}.json"))


def score_unit(session: Session, cache: Path, campaign: Campaign, unit: Unit, *,
               state: UnitState | None = None) -> UnitResult:
    """The unit's score, by the engine, with the campaign's data files: as the database holds it now,
    or as `state` (what a save's transaction committed) holds it.

    The evidence checks remember what they measured by content (`measurements`), so after a save
    that changed no evidence only the rules and sums run again. When a measurement is missing (the
    worker's first score of these files, new evidence), the checks measure every unit of the
    campaign in one call — as `parrules campaign` does — and the unit is scored again."""
    record, criteria = campaign_criteria(session, campaign)
    rows = data_rows(session, campaign)
    folder = live_folder(session, cache, campaign, rows)
    settings = campaign_settings(campaign)
    data = {row.name: folder / "data" / row.file_name for row in rows}
    timeout = settings.get("check_timeout")
    with library.speaking(settings.get("language"), criteria):
        submission = unit_submission_in(session, folder, unit, record.set_id, state)
        with measurements.remembered_only() as missed:
            run = Engine().score_many(criteria, [submission], data=data, relative_to=folder, check_timeout=timeout)
        if missed:
            with _MEASURING:  # requests that miss together wait for one measurement of the campaign
                with measurements.remembered_only() as missed:
                    run = Engine().score_many(criteria, [submission], data=data, relative_to=folder,
                                              check_timeout=timeout)
                if missed:
                    units = session.scalars(select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.id))
                    everyone = [submission if u.id == unit.id else
                                unit_submission_in(session, folder, u, record.set_id) for u in units]
                    run = Engine().score_many(criteria, everyone, data=data, relative_to=folder,
                                              check_timeout=timeout)
                    return next(u for u in run.units if u.unit.code == unit.code)
    return run.units[0]


_MEASURING = threading.Lock()


@dataclass(frozen=True)
class CampaignRun:
    """A campaign run on its export: the library's result, the campaign JSON bytes, the files run."""

    result: CampaignResult
    json: bytes
    files: Mapping[str, bytes]
    language: str
    reports: Mapping[str, bytes]


def run_exported(session: Session, cache: Path, campaign: Campaign, *, report_formats: Sequence[str] = ()) -> CampaignRun:
    """Export the campaign to a fresh folder and run `parrules campaign` on it, in process; with
    `report_formats`, render those reports too (as `parrules campaign -o` would)."""
    files = campaign_files(session, campaign)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix="run-") as folder:
        loaded_campaign = load_campaign(write_files(files, Path(folder)))
        language = loaded_campaign.spec.language or getattr(loaded_campaign.criteria.meta, "language", None) or "vi"
        with library.speaking(language, loaded_campaign.criteria):
            result = run_campaign(loaded_campaign)
            body = result.write_json(Path(folder) / "results.json").read_bytes()  # as `parrules campaign` writes it
            reports: dict[str, bytes] = {}
            if report_formats:
                data = result.to_dict()
                for fmt in report_formats:
                    reports[fmt] = library.render_report(data, fmt, language)
    return CampaignRun(result, body, files, language, reports)


def score_posted(criteria: CriteriaSet, documents: Sequence[Mapping[str, Any]]) -> bytes:
    """Stateless scoring of posted submissions (no data files; a document's file names nothing):
    the results JSON, as `parrules score --format json` writes it. Each submission is named
    `submissions[i]` in problems, as a file would be named by its path."""
    with tempfile.TemporaryDirectory(prefix="parrules-posted-") as empty:
        submissions = [submission_from_dict(doc, base_dir=empty, source=f"submissions[{i}]")
                       for i, doc in enumerate(documents)]
        with library.speaking(None, criteria), measurements.unremembered():
            return Engine().score_many(criteria, submissions).to_json()
