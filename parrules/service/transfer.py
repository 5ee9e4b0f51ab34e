"""A campaign on disk (the `campaign.toml` format) into the service, and a service campaign back to files.

The export is the campaign as files `parrules campaign` runs: `campaign.toml`, the set as
`criteria-set.toml`, `submissions/<unit>.json` (with evidence files beside them), `data/…`, last
year's results and the code mapping. It is deterministic — the same database state gives the same
bytes — and every name in it is built by the service (a unit's file stem, a file's hash), never a
path a client sent. The service scores a campaign by exporting it to a fresh folder and running the
library there, so what it publishes is, byte for byte, what `parrules campaign` gives on the export.

The import reads a campaign with the library's loaders (`parrules.load_campaign`, `load_submissions`)
and refuses what the service cannot hold yet (a set that `extends` another file, a unit's own data
files), each as a problem naming the file.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parrules import Problem, ProblemsError, load_campaign, load_submissions, to_json, write_atomic
from parrules.service import library
from parrules.service.blobs import DATA_TYPES, EVIDENCE_TYPES, blob_content, put_blob
from parrules.service.models import (
    Appraisal,
    Campaign,
    CampaignData,
    CriteriaSetRecord,
    Document,
    Entry,
    PhaseSchedule,
    Unit,
    utcnow,
)
from parrules.service.roles import SCHEDULED, Phase
from parrules.service.sets import SET_FILE, decode_set, loaded, store_set
from parrules.service.submissions import (
    evidence_name,
    json_text,
    points_text,
    safe_name,
    submission_document,
    unit_rows,
)

CAMPAIGN_FILE = "campaign.toml"
SETTINGS_KEYS = ("rank_by", "tie_break", "cohorts", "gaps", "check_timeout", "language")


def campaign_settings(campaign: Campaign) -> dict[str, Any]:
    return json.loads(campaign.settings or "{}", parse_float=Decimal)


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except that TOML also refuses a raw DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} in campaign.toml")


def campaign_toml(campaign: Campaign, data: Mapping[str, str]) -> str:
    """The `[campaign]` table of the export; `data` is name → path in the export."""
    settings = campaign_settings(campaign)
    lines = [f"# Exported by parrules serve from campaign {_toml_string(campaign.code)}; "
             "`parrules campaign campaign.toml` scores it.", "[campaign]",
             f"id = {_toml_string(campaign.code)}", f"name = {_toml_string(campaign.name)}",
             f"criteria_set = {_toml_string(SET_FILE)}", 'submissions = ["submissions"]']
    if campaign.previous_sha256:
        lines.append(f"previous_results = {_toml_string('previous/' + (campaign.previous_name or 'results.json'))}")
    if campaign.mapping_sha256:
        lines.append(f"code_mapping = {_toml_string(campaign.mapping_name or 'mapping.toml')}")
    for key in ("rank_by", "tie_break", "gaps", "check_timeout", "language"):
        if settings.get(key) is not None:
            lines.append(f"{key} = {_toml_value(settings[key])}")
    if settings.get("cohorts"):
        lines.append("")
        lines.append("[campaign.cohorts]")
        lines += [f"{_toml_string(name)} = {_toml_value(kinds)}" for name, kinds in settings["cohorts"].items()]
    if data:
        lines.append("")
        lines.append("[campaign.data]")
        lines += [f"{_toml_string(name)} = {_toml_string(path)}" for name, path in sorted(data.items())]
    return "\n".join(lines) + "\n"


def data_rows(session: Session, campaign: Campaign) -> list[CampaignData]:
    return list(session.scalars(select(CampaignData).where(CampaignData.campaign_id == campaign.id)
                                .order_by(CampaignData.name)))


def campaign_level_files(session: Session, campaign: Campaign,
                         rows: list[CampaignData] | None = None) -> dict[str, str]:
    """Path in the export → a reference to each campaign-wide file: the sha256 of a blob,
    `set:<sha256>` for the set's text, `text:…` for `campaign.toml` itself; what a live score needs,
    without the units (`file_content` reads one). `rows`: the campaign's data rows, when read."""
    record = session.get(CriteriaSetRecord, campaign.criteria_set_id)
    assert record is not None
    rows = data_rows(session, campaign) if rows is None else rows
    data = {row.name: f"data/{row.file_name}" for row in rows}
    files: dict[str, str] = {f"data/{row.file_name}": row.sha256 for row in rows}
    if campaign.previous_sha256:
        files[f"previous/{campaign.previous_name or 'results.json'}"] = campaign.previous_sha256
    if campaign.mapping_sha256:
        files[campaign.mapping_name or "mapping.toml"] = campaign.mapping_sha256
    files[CAMPAIGN_FILE] = "text:" + campaign_toml(campaign, data)
    files[SET_FILE] = "set:" + record.sha256
    return files


def file_content(session: Session, ref: str) -> bytes:
    """The bytes of a reference `campaign_level_files` gave."""
    if ref.startswith("text:"):
        return ref[5:].encode("utf-8")
    if ref.startswith("set:"):
        text = session.scalar(select(CriteriaSetRecord.toml).where(CriteriaSetRecord.sha256 == ref[4:]))
        assert text is not None
        return text.encode("utf-8")
    return blob_content(session, ref)


def campaign_files(session: Session, campaign: Campaign, *, units: bool = True) -> dict[str, bytes]:
    """The campaign as files: path in the export → bytes (see the module's docstring)."""
    out: dict[str, bytes] = {}
    for path, ref in campaign_level_files(session, campaign).items():
        out[path] = file_content(session, ref)
    out["submissions/.keep"] = b""
    if units:
        record = session.get(CriteriaSetRecord, campaign.criteria_set_id)
        assert record is not None
        for unit in session.scalars(select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.file_stem)):
            entries, appraisals, documents = unit_rows(session, unit)
            out[f"submissions/{unit.file_stem}.json"] = to_json(
                submission_document(unit, record.set_id, entries, appraisals, documents))
            for document in documents:
                name = evidence_name(unit, document)
                if name is not None and f"submissions/{name}" not in out:
                    out[f"submissions/{name}"] = blob_content(session, document.sha256 or "")
    return out


def check_campaign_level(session: Session, campaign: Campaign) -> None:
    """The campaign-wide files as they stand in this transaction (campaign file, set, data, last
    year's results, code mapping), loaded and read by the library as `parrules campaign` would;
    `ProblemsError` naming each file by its path in the export."""
    with tempfile.TemporaryDirectory(prefix="parrules-check-") as folder:
        root = Path(folder)
        path = write_files(campaign_files(session, campaign, units=False), root)
        try:
            library.check_campaign_inputs(load_campaign(path))
        except ProblemsError as exc:
            raise ProblemsError([replace(p, file=_relative(p.file, root)) for p in exc.problems]) from None


def _relative(file: str, root: Path) -> str:
    try:
        return Path(file).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(file).name


def write_files(files: Mapping[str, bytes], folder: Path) -> Path:
    """Write an export into `folder` (each file atomically); returns the campaign file."""
    for path, content in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith("/.keep"):
            continue
        write_atomic(target, content)
    return folder / CAMPAIGN_FILE


def zip_files(files: Mapping[str, bytes], root: str) -> bytes:
    """The export as a zip with fixed dates and sorted names: the same campaign, the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            if path.endswith("/.keep"):
                continue
            info = zipfile.ZipInfo(f"{root}/{path}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path])
    return buffer.getvalue()


# -- import ------------------------------------------------------------------------------------------
def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        stem, dot, suffix = name.partition(".")
        candidate = f"{stem}-{n}{dot}{suffix}"
    taken.add(candidate)
    return candidate


def import_campaign(session: Session, path: str | Path, *, phase: Phase = Phase.SELF_ASSESSMENT,
                    year: int | None = None, account_id: int | None = None, within: Path | None = None) -> Campaign:
    """Import the campaign file at `path` with its set, submissions, data files, last year's results
    and code mapping: an operator's file on the server's disk, or (`within`: the folder an upload
    was unpacked in) a client's, of which every file read must lie inside `within`. Raises
    `ProblemsError`."""
    source = load_campaign(path)
    criteria = source.criteria
    problems: list[Problem] = []
    if len(criteria.sources) > 1:
        problems.append(Problem(str(criteria.path), "extends", "the service keeps sets that extend no other file",
                                hint="import the resolved set: parrules show SET --resolved > resolved.toml",
                                code="extends_refused"))
    if within is not None:
        named = [criteria.path, *source.submission_files, *source.data.values(), source.previous_results,
                 source.code_mapping]
        _confined([Path(p) for p in named if p is not None], within, str(path))
    subs = load_submissions(list(source.submission_files))
    if within is not None:
        _confined([d.file for sub in subs for d in sub.documents if d.file is not None], within, str(path))
    for sub in subs:
        if sub.data:
            problems.append(Problem(sub.source, "data", "a unit's own data files are not kept by the service yet",
                                    hint="give them as campaign data ([campaign.data])", code="unit_data"))
    if problems:
        raise ProblemsError(problems)
    assert criteria.path is not None
    record, _ = store_set(session, decode_set(Path(criteria.path).read_bytes(), str(criteria.path)), account_id)
    stored = loaded(record)
    problems = [p for sub in subs for p in library.validate_submission(stored, sub)]
    if problems:
        raise ProblemsError(problems)
    if session.scalar(select(Campaign.id).where(Campaign.code == source.spec.id)) is not None:
        raise ProblemsError([Problem(str(path), "campaign.id", f"the service already has a campaign "
                                     f"'{source.spec.id}'", code="duplicate")])
    spec = source.spec
    settings = {"rank_by": spec.rank_by, "tie_break": list(spec.tie_break), "cohorts": dict(spec.cohorts),
                "gaps": spec.gaps, "check_timeout": spec.check_timeout, "language": spec.language}
    campaign = Campaign(code=spec.id, name=spec.name, year=year or _year(stored.meta.year, subs),
                        criteria_set_id=record.id, phase=phase.value, settings=json_text(settings),
                        created_at=utcnow())
    if source.previous_results is not None:
        campaign.previous_sha256 = put_blob(session, source.previous_results.read_bytes(), "application/json")
        campaign.previous_name = safe_name(source.previous_results.name, "results.json")
    if source.code_mapping is not None:
        campaign.mapping_sha256 = put_blob(session, source.code_mapping.read_bytes(), "application/toml")
        campaign.mapping_name = safe_name(source.code_mapping.name, "mapping.toml")
    session.add(campaign)
    session.flush()
    for scheduled in SCHEDULED:
        session.add(PhaseSchedule(campaign_id=campaign.id, phase=scheduled.value))
    taken: set[str] = set()
    for name, file in source.data.items():
        suffix = file.suffix.lower()
        if suffix not in DATA_TYPES:
            raise ProblemsError([Problem(str(path), f"campaign.data.{name}", f"'{file.name}': the service keeps "
                                         f"data files of the kinds {', '.join(DATA_TYPES)}", code="data_type")])
        digest = put_blob(session, file.read_bytes(), DATA_TYPES[suffix])
        session.add(CampaignData(campaign_id=campaign.id, name=name, sha256=digest,
                                 file_name=_unique(safe_name(file.name, f"{safe_name(name, 'data')}{suffix}"), taken)))
    stems: set[str] = set()
    for position, sub in enumerate(subs, start=1):
        stem = _unique(safe_name(Path(sub.source).stem, f"unit-{position:04d}"), stems)
        unit = Unit(campaign_id=campaign.id, code=sub.code, name=sub.name, kind=sub.kind, period=sub.period,
                    cohort=sub.cohort, file_stem=stem, figures=json_text(dict(sub.figures)))
        session.add(unit)
        session.flush()
        for code in sorted(set(sub.self_assessment) | set(sub.answers)):
            own = sub.self_assessment.get(code)
            self_points = points_text("na" if code in sub.self_na else own)
            answer = json_text(sub.answers[code]) if code in sub.answers else None
            session.add(Entry(unit_id=unit.id, code=code, self_points=self_points, answer=answer))
        for code, rounds in sub.appraisals.items():
            for a in rounds:
                session.add(Appraisal(unit_id=unit.id, code=code, round=a.round,
                                      points="na" if a.not_applicable else points_text(a.points) or "0",
                                      reason=a.reason, by=a.by, at=a.at, response=a.response))
        for position_in_unit, document in enumerate(sub.documents, start=1):
            digest, suffix = None, ""
            if document.file is not None and document.file.is_file():
                suffix = document.file.suffix.lower()
                digest = put_blob(session, document.file.read_bytes(),
                                  EVIDENCE_TYPES.get(suffix, "application/octet-stream"))
                suffix = suffix if suffix in EVIDENCE_TYPES else ""
            session.add(Document(unit_id=unit.id, position=position_in_unit, number=document.number,
                                 date=document.date, issuer=document.issuer, title=document.title,
                                 kind=document.kind, criteria=json_text(list(document.criteria)),
                                 sha256=digest, suffix=suffix))
    session.flush()
    return campaign


def _confined(paths: list[Path], folder: Path, campaign: str) -> None:
    root = folder.resolve()
    outside = [p for p in paths if not (p.resolve() == root or root in p.resolve().parents)]
    if outside:
        raise ProblemsError([Problem(campaign, "campaign", f"reads a file outside the uploaded folder "
                                     f"({len(outside)} file(s))", code="outside_upload")])


def _year(declared: int | None, subs: list[Any]) -> int:
    if declared:
        return int(declared)
    periods = [s.period for s in subs if str(s.period).isdigit()]
    return int(periods[0]) if periods else utcnow().year
