"""Campaigns: one criteria set, many units' submissions, optionally last year's results — ranked.

A campaign file (`campaign.toml`) names everything a province's yearly scoring round needs, with
paths relative to the file, so the whole round can be re-run and re-derived from one command:

    [campaign]
    id = "dak-nong-2020-departments"
    name = "Chỉ số CCHC năm 2020 của các sở, ban, ngành tỉnh Đắk Nông"
    criteria_set = "../../criteria_sets/dak-nong-departments-2020.toml"
    submissions = ["submissions"]               # files or folders
    previous_results = "previous/results-2019.json"   # optional
    code_mapping = "mapping.toml"               # optional, when the set was revised
    rank_by = "index"                           # or "total_points"
    tie_break = ["total_points", "field:3"]     # optional: splits ties before they are shared
    check_timeout = 60                          # optional: seconds one evidence check may run
    language = "vi"                             # optional: vi or en (default: the set's, else vi)
    date = 2021-02-08                           # optional: the publication decision's date, for reports
    [campaign.cohorts]                          # optional: overrides the set's cohorts
    departments = ["department"]
    districts = ["district"]
    [campaign.data]                             # campaign-wide data files for checks
    dossiers = "data/dossiers.csv"

`load_campaign` checks the file and its set, `load_inputs` the submissions, last year's results and
the mapping — the one list of what a campaign refuses, which `parrules validate campaign.toml` runs
too. `run_campaign` scores every unit, ranks within cohorts, compares with last year and analyses
gaps; `CampaignResult.to_dict()` is the JSON every report is rendered from (`parrules schema
campaign`), naming every input relative to the campaign file's folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from pydantic import Field

from parrules.campaign.gaps import GapAnalysis, analyse
from parrules.campaign.json_writer import campaign_json_chunks
from parrules.campaign.ranking import Placing, Ranking, check_tie_break, rank_units
from parrules.campaign.yoy import (
    CodeMapping,
    PreviousResults,
    YearOverYear,
    compare,
    load_mapping,
    load_previous,
)
from parrules.errors import Problem, ProblemsError, raise_if
from parrules.files.reading import os_reason, path_problem, read_document, shown_path
from parrules.files.seal import sealed
from parrules.files.writing import write_atomic
from parrules.messages import say
from parrules.plugins.registry import Registry, parrules_version
from parrules.scoring.checks import DEFAULT_CHECK_TIMEOUT, Timeout, check_timeout_seconds
from parrules.scoring.collector import no_gc_pauses
from parrules.scoring.engine import Engine
from parrules.scoring.results import RunResult
from parrules.scoring.totals import input_namer
from parrules.sets.codes import field_code
from parrules.sets.criteria_set import CriteriaSet, load_criteria_set
from parrules.sets.validation import StrictModel, validate_model
from parrules.submissions.folders import submission_files
from parrules.submissions.submission import Submission, load_submissions

CAMPAIGN_FORMAT = "parrules.campaign/2"  # 1 repeated names, maxima and explanations in every unit

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as a long run advances (for a progress bar)."""


class CampaignSpec(StrictModel):
    """The `[campaign]` table."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="Stable identifier of the campaign")
    name: str
    criteria_set: str = Field(description="Criteria-set TOML file, relative to the campaign file")
    submissions: list[str] = Field(min_length=1, description="Submission files or folders, relative")
    previous_results: str | None = Field(None, description="Last year's results JSON, relative")
    code_mapping: str | None = Field(None, description="TOML mapping of old criterion codes to new ones")
    rank_by: Literal["index", "total_points"] = "index"
    tie_break: list[str] = Field(default_factory=list,
                                 description="Keys that split ties: total_points, base_points, field:CODE, ...")
    cohorts: dict[str, list[str]] = Field(default_factory=dict, description="Cohort name -> unit kinds")
    data: dict[str, str] = Field(default_factory=dict, description="Campaign-wide data files for checks")
    gaps: bool = Field(True, description="Analyse where each unit lost points")
    check_timeout: Any = Field(None, description="Seconds one evidence check may run before its criterion errors "
                                                 "(0: no limit; default 60); read by check_timeout_seconds")
    date: dt.date | None = Field(None, description="Date of the decision publishing the results, shown in "
                                                  "the reports' title block (none: no date is shown)")
    language: Literal["vi", "en"] | None = Field(
        None, description="Language of every text the campaign's outputs show (vi or en); none: the set's, "
                          "else vi. `--lang` overrides it")


class CampaignFile(StrictModel):
    campaign: CampaignSpec


@dataclass(frozen=True)
class Campaign:
    """A loaded campaign: the validated spec with every path resolved and the criteria set loaded."""

    spec: CampaignSpec
    path: Path
    criteria: CriteriaSet
    submission_files: tuple[Path, ...]
    data: Mapping[str, Path]
    previous_results: Path | None
    code_mapping: Path | None
    check_timeout: float | None = None  # seconds, from the file; None: not given (the default applies)


def load_campaign(path: str | Path, registry: Registry | None = None) -> Campaign:
    """Read and check a campaign file: every path exists, tie-break keys name something."""
    doc = read_document(path, what=say("problem.what.campaign"))
    label = doc.label
    problems: list[Problem] = []
    model = validate_model(CampaignFile, doc.data, file=label, prefix=(), lines=doc.lines, problems=problems)
    if model is None:
        raise ProblemsError(problems)
    assert isinstance(model, CampaignFile)
    spec = model.campaign
    base = doc.path.parent

    def where(*keys: object) -> tuple[str, int | None]:
        from parrules.errors import key_path

        return key_path("campaign", *keys), doc.lines.line("campaign", *keys)

    def existing(rel: str, *keys: object, folder_ok: bool = False) -> Path | None:
        """`rel` under the campaign's folder if it is there; else a problem at the key that names it.
        A path no file can have (a NUL, a name too long) is said as such, never looked at."""
        target = base / rel
        key, line = where(*keys)
        why = path_problem(target)
        if why is None:
            try:
                if target.is_file() or (folder_ok and target.is_dir()):
                    return target
            except OSError as exc:  # the system refuses to look (permissions, a loop of links)
                why = say("problem.campaign.cannot_look", error=os_reason(exc))
        message = say("problem.campaign.bad_path", path=shown_path(rel), why=why) if why else \
            say("problem.campaign.not_found", path=shown_path(rel), folder=shown_path(target.parent))
        problems.append(Problem(label, key, message, line=line, hint=say("problem.campaign.relative")))
        return None

    set_path = existing(spec.criteria_set, "criteria_set")
    files: list[Path] = []
    for i, rel in enumerate(spec.submissions):
        found = existing(rel, "submissions", i, folder_ok=True)
        if found is None:
            continue
        if found.is_dir():
            try:
                files.extend(submission_files(found))
            except OSError as exc:
                key, line = where("submissions", i)
                problems.append(Problem(label, key, say("problem.campaign.folder_unreadable", path=shown_path(rel),
                                                        error=os_reason(exc)), line=line))
        else:
            files.append(found)
    data = {}
    for name, rel in spec.data.items():
        found = existing(rel, "data", name)
        if found is not None:
            data[name] = found
    previous = existing(spec.previous_results, "previous_results") if spec.previous_results else None
    mapping = existing(spec.code_mapping, "code_mapping") if spec.code_mapping else None
    if spec.code_mapping and not spec.previous_results:
        key, line = where("code_mapping")
        problems.append(Problem(label, key, say("problem.campaign.mapping_alone"), line=line))
    if problems:
        raise ProblemsError(problems)
    assert set_path is not None
    criteria = load_criteria_set(set_path, registry)
    timeout = None
    if spec.check_timeout is not None:
        try:
            timeout = check_timeout_seconds(spec.check_timeout)
        except ValueError as exc:
            key, line = where("check_timeout")
            problems.append(Problem(label, key, str(exc), line=line, hint=say("problem.campaign.timeout_example")))
    for message in check_tie_break(spec.tie_break, criteria):
        key, line = where("tie_break")
        problems.append(Problem(label, key, message, line=line))
    if problems:
        raise ProblemsError(problems)
    return Campaign(spec, doc.path, criteria, tuple(files), data, previous, mapping, timeout)


@dataclass(frozen=True, slots=True)
class CampaignResult:
    campaign: CampaignSpec
    criteria: CriteriaSet
    run: RunResult
    ranking: Ranking
    yoy: YearOverYear | None
    gaps: Mapping[str, GapAnalysis]
    language: str = "vi"
    """The language the run's explanations were written in, which its reports speak by default."""

    def to_json(self) -> bytes:
        """The campaign JSON as bytes: the same as `to_json(self.to_dict(), indent=False)`, made faster."""
        with no_gc_pauses():
            return b"".join(campaign_json_chunks(self))

    def write_json(self, path: str | Path) -> Path:
        """Write the campaign JSON atomically, streamed: units are serialised while earlier ones are written."""
        with no_gc_pauses():
            return write_atomic(path, sealed(campaign_json_chunks(self)))

    def to_dict(self, *, units: Any = None) -> dict[str, Any]:
        """The campaign JSON (schema: `parrules schema campaign`); reports are rendered from it.

        `units` stands in for the list of unit entries (the fast writer puts them in itself).
        """
        c = self.criteria
        meta = c.meta
        return {
            "format": CAMPAIGN_FORMAT,
            "complete": self.run.complete,
            "generator": f"parrules {parrules_version()}",
            "campaign": {"id": self.campaign.id, "name": self.campaign.name, "rank_by": self.ranking.rank_by,
                         "tie_break": list(self.ranking.tie_break), "language": self.language,
                         "date": self.campaign.date.isoformat() if self.campaign.date else None},
            "criteria_set": {
                "id": c.id, "name": meta.name, "issuer": meta.issuer, "total_points": meta.total_points,
                "legal_basis": [{"number": b.number, "date": b.date.isoformat() if b.date else None,
                                 "title": b.title, "issuer": b.issuer} for b in meta.legal_basis],
                "decimals": meta.rounding.decimals, "percent_decimals": meta.rounding.percent_decimals,
                "rounding_mode": meta.rounding.mode,
                "bands": [{"code": b.code, "name": b.name, "from": b.from_, "below": b.below} for b in meta.bands],
                "criteria": [{"code": n.code, "name": n.name, "max_points": n.max_points, "depth": n.depth,
                              "field": field_code(n.code), "role": n.role, "leaf": n.is_leaf} for n in c.walk()],
            },
            "statistics": self.ranking.statistics.to_dict(),
            "cohorts": [cohort.to_dict() for cohort in self.ranking.cohorts],
            "year_over_year": self.yoy.to_dict() if self.yoy else None,
            "units": units if units is not None else [self.unit_entry(p) for p in self.ranking.placings],
        }

    def unit_entry(self, placing: Placing) -> dict[str, Any]:
        """One unit in the campaign JSON: its results (nodes and leaves in the compact shape), placing,
        year-over-year change and gap analysis."""
        entry = placing.unit.to_dict(compact=True)
        code = placing.unit.unit.code
        entry["placing"] = placing.to_dict()
        change = self.yoy.units.get(code) if self.yoy else None
        entry["yoy"] = change.to_dict() if change is not None else None
        gap = self.gaps.get(code)
        entry["gaps"] = None if gap is None else gap.to_dict(brief=True)
        return entry


def load_campaign_submissions(campaign: Campaign, progress: Progress | None = None) -> list[Submission]:
    """Every submission of the campaign; problems of all files are raised together."""
    return load_submissions(list(campaign.submission_files), progress)


SubmissionChecks = Callable[[CriteriaSet, Sequence[Submission]], list[Problem]]
"""Further checks of the submissions against the set: problems, none raised (what `validate` adds)."""


@dataclass(frozen=True)
class CampaignInputs:
    """What a campaign reads besides its file and set, read and checked: the submissions, last
    year's results and the code mapping (None when the campaign names none)."""

    submissions: list[Submission]
    previous: PreviousResults | None
    mapping: CodeMapping | None


def load_inputs(campaign: Campaign, *, progress: Progress | None = None,
                submissions: list[Submission] | None = None,
                check: SubmissionChecks | None = None) -> CampaignInputs:
    """Read every input of a loaded campaign; the problems of all of them are raised together.

    The one list of what a campaign refuses for a data reason (with `load_campaign`, which checks
    the file and its set): `run_campaign` runs on what this returns, and `parrules validate
    campaign.toml` calls it with `check` — its checks of each submission against the set — so
    validating and running can never disagree. Scoring then refuses nothing more than the
    submissions' answers against the set, which `check` covers."""
    problems: list[Problem] = []
    subs: list[Submission] = []
    previous = mapping = None
    try:
        subs = submissions if submissions is not None else load_campaign_submissions(campaign, progress)
    except ProblemsError as exc:
        problems.extend(exc.problems)
    if campaign.previous_results:
        try:
            previous = load_previous(campaign.previous_results)
        except ProblemsError as exc:
            problems.extend(exc.problems)
    if campaign.code_mapping:  # checked against this year's set even when last year's results are wrong
        try:
            mapping = load_mapping(campaign.code_mapping, previous or "", campaign.criteria)
        except ProblemsError as exc:
            problems.extend(exc.problems)
    if check is not None and subs:
        problems.extend(check(campaign.criteria, subs))
    raise_if(problems)
    return CampaignInputs(subs, previous, mapping)


def run_campaign(campaign: Campaign, *, progress: Progress | None = None,
                 submissions: list[Submission] | None = None, check_timeout: Timeout = None,
                 language: str | None = None) -> CampaignResult:
    """Score, rank, compare with last year and analyse gaps; every input file is named relative to
    the campaign file's folder, so the run gives the same bytes from any working directory.

    `check_timeout` (seconds, 0: no limit) wins over the file's `check_timeout`; None leaves the file's,
    else the default, to apply. `language` (the CLI's --lang) wins over the file's `language`, which
    wins over the set's: the language the explanations are written in."""
    inputs = load_inputs(campaign, progress=progress, submissions=submissions)
    if check_timeout is None:
        check_timeout = DEFAULT_CHECK_TIMEOUT if campaign.check_timeout is None else campaign.check_timeout
    return campaign_result(campaign.spec, campaign.criteria, inputs.submissions, data=campaign.data,
                           previous=inputs.previous, mapping=inputs.mapping, progress=progress,
                           relative_to=campaign.path.parent, check_timeout=check_timeout, language=language)


def campaign_result(spec: CampaignSpec, criteria: CriteriaSet, subs: list[Submission], *,
                    data: Mapping[str, Path] | None = None,
                    previous: PreviousResults | None = None, mapping: CodeMapping | None = None,
                    progress: Progress | None = None, relative_to: str | Path | None = None,
                    check_timeout: Timeout = DEFAULT_CHECK_TIMEOUT, language: str | None = None) -> CampaignResult:
    """The campaign pipeline on submissions already in memory (what the benchmark times); `language`
    None: the campaign's `language`, else the set's."""
    with no_gc_pauses():
        return _campaign_result(spec, criteria, subs, data=data, previous=previous, mapping=mapping,
                                progress=progress, relative_to=relative_to, check_timeout=check_timeout,
                                language=language)


def _campaign_result(spec: CampaignSpec, criteria: CriteriaSet, subs: list[Submission], *,
                     data: Mapping[str, Path] | None, previous: PreviousResults | None,
                     mapping: CodeMapping | None, progress: Progress | None,
                     relative_to: str | Path | None, check_timeout: Timeout, language: str | None) -> CampaignResult:
    if progress:
        progress("scoring", 0, len(subs))
    language = language or spec.language or getattr(criteria.meta, "language", None) or "vi"
    run = Engine().score_many(criteria, subs, data=data, relative_to=relative_to, check_timeout=check_timeout,
                              language=language)
    if progress:
        progress("scoring", len(subs), len(subs))
    ranking = rank_units(criteria, run.units, cohorts=spec.cohorts, rank_by=spec.rank_by, tie_break=spec.tie_break)
    yoy = None
    if previous is not None:
        yoy = compare(criteria, ranking.placings, previous, mapping, cohorts=spec.cohorts, rank_by=spec.rank_by)
        if relative_to is not None:  # named like the provenance's inputs
            name = input_namer(relative_to)
            yoy = replace(yoy, previous_path=name(yoy.previous_path),
                          mapping_path=name(yoy.mapping_path) if yoy.mapping_path else "")
    gaps = analyse(criteria, ranking) if spec.gaps else {}
    if progress:
        progress("ranking", len(subs), len(subs))
    return CampaignResult(spec, criteria, run, ranking, yoy, MappingProxyType(gaps), language)


def spec_for(criteria: CriteriaSet, **values: Any) -> CampaignSpec:
    """A campaign spec for units scored without a campaign file (tests, the benchmark, `report`)."""
    values.setdefault("id", "campaign")
    values.setdefault("name", criteria.meta.name)
    values.setdefault("criteria_set", str(criteria.path or ""))
    values.setdefault("submissions", ["-"])
    return CampaignSpec(**values)
