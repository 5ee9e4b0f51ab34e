"""What the service needs of parrules beyond `parrules.__all__`, in one module.

The service uses the library through its public API. Six things it needs are not exported yet; they
are imported here, and only here, so that when `parrules/__init__.py` exports them (see
docs/service.md, "Changes asked of the library") this module shrinks to re-exports and nothing else
in the service changes:

- `speaking`: the voice (language, decimals) a run's texts are written in. The CLI speaks the set's
  or the campaign's language with the set's decimals; the service must too, or its results JSON
  would not be the CLI's bytes.
- `validate_submission`: the checks the engine runs before scoring one submission, so a save is
  refused with the library's own problems before it is committed (scoring the whole unit would hold
  the write transaction through every evidence check).
- `render_markdown` / `render_html`: `parrules doc`.
- `diff_sets` / `render_diff_text`: `parrules diff`.
- `render_report` / `report_suffixes`: `parrules report`, for the files a publication freezes.
- `results_schema`: the JSON Schema of the results document, for the OpenAPI description.
- `check_campaign_inputs`: `parrules.campaign.run.load_inputs`, the one list of what a campaign
  refuses in last year's results and the code mapping, so an upload of either is refused with the
  library's problems, as `parrules validate campaign.toml` would refuse it.
- `read_messages`: the core message catalogue read whole when a worker starts. The catalogue reads
  its files on demand, and two threads asking at once can see a key missing while a third is
  reading (docs/service.md, "Changes asked of the library"): a worker serves many requests at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from parrules import Campaign, CriteriaSet, Problem, Submission


def speaking(language: str | None, criteria: CriteriaSet | None = None) -> AbstractContextManager[Any]:
    """Write every text inside the block as `parrules score`/`campaign` would for this set: in
    `language` (None: the set's declared language, else Vietnamese) with the set's decimals."""
    from parrules.messages import speaking as voice

    rounding = criteria.meta.rounding if criteria is not None else None
    declared = getattr(criteria.meta, "language", None) if criteria is not None else None
    return voice(language or declared or "vi", decimals=rounding.decimals if rounding else None,
                 percent_decimals=rounding.percent_decimals if rounding else None)


def validate_submission(criteria: CriteriaSet, submission: Submission) -> list[Problem]:
    """The problems scoring would raise for this submission (unknown codes, points out of range, N/A
    where the set does not allow it, answers of the wrong type for the rule)."""
    from parrules.submissions.submission import validate_submission as check

    return [p for p in check(criteria, submission) if p.code != "missing_file"]


def render_markdown(criteria: CriteriaSet, language: str | None = None) -> str:
    from parrules.sets.official_table import render_markdown as render

    return render(criteria, language)


def render_html(criteria: CriteriaSet, language: str | None = None) -> str:
    from parrules.sets.official_table import render_html as render

    return render(criteria, language)


def diff_sets(old: CriteriaSet, new: CriteriaSet) -> dict[str, Any]:
    """`parrules diff --format json` as data."""
    from parrules.sets.diff import diff_sets as diff

    return diff(old, new).to_dict()


def render_diff_text(old: CriteriaSet, new: CriteriaSet) -> str:
    from parrules.sets.diff import diff_sets as diff
    from parrules.sets.diff import render_text

    return render_text(diff(old, new))


def report_suffixes() -> Mapping[str, str]:
    """Registered report formats → file suffix (json → .json, html → .html, …)."""
    from parrules.reports import suffixes

    return suffixes()


def render_report(data: Mapping[str, Any], fmt: str, language: str) -> bytes:
    """One report of a campaign JSON as bytes, in `language`; a report too large for one file raises
    `parrules.ParrulesError` (the service then publishes the formats that fit)."""
    from parrules.reports import render

    return render(data, fmt, vietnamese=language == "vi", language=language)


def results_schema() -> dict[str, Any]:
    """The JSON Schema of `parrules score --format json` (parrules/schemas/results.schema.json)."""
    from importlib.resources import files

    return json.loads((files("parrules") / "schemas" / "results.schema.json").read_text("utf-8"))


def check_campaign_inputs(campaign: Campaign) -> None:
    """Read last year's results and the code mapping of a loaded campaign as a run would (with no
    submissions); `ProblemsError` with every problem."""
    from parrules.campaign.run import load_inputs

    load_inputs(campaign, submissions=[])


def read_messages() -> int:
    """Read every file of the core message catalogue now; the number of messages."""
    from parrules.messages import CORE

    return len(list(CORE.keys()))
