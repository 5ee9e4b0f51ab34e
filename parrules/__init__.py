"""parrules: score public administrations against configurable criteria sets (Vietnam's PAR Index).

The public API is what this module exports; plugins and examples use nothing else.

Each name is imported from its module the first time it is used (`from parrules import Engine`
works as ever): `parrules --help` and a plugin that only needs `hookimpl` must not pay for DuckDB,
pydantic and the campaign code they never run. Type checkers read the imports under
`TYPE_CHECKING` below; `_PUBLIC` says where each name lives at run time (tests/cli/test_startup.py
checks that the two agree).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parrules import records
    from parrules.amounts import format_points, round_to, to_decimal
    from parrules.campaign.run import Campaign, CampaignResult, load_campaign, run_campaign
    from parrules.errors import ParrulesError, PluginError, Problem, ProblemsError
    from parrules.files.writing import to_json, write_atomic
    from parrules.messages import LANGUAGES, Catalogue, CatalogueError, Voice, current_voice, speaking
    from parrules.plugins.contracts import (
        CheckKind,
        Document,
        EvidenceFile,
        Leaf,
        Measurement,
        RuleKind,
        Scored,
        UnitEvidence,
    )
    from parrules.plugins.hookspecs import hookimpl
    from parrules.plugins.registry import Registry, default_registry
    from parrules.scoring.engine import Engine, score, score_many
    from parrules.scoring.results import Flag, LeafResult, NodeResult, Provenance, RunResult, UnitResult
    from parrules.scoring.stages import rounded_percent, rounded_points
    from parrules.sets.criteria_set import CriteriaSet, Node, criteria_set_from_text, load_criteria_set
    from parrules.submissions.submission import (
        Submission,
        load_submission,
        load_submissions,
        submission_from_dict,
    )

__version__ = "0.1.0"

_PUBLIC: dict[str, str] = {
    "records": "parrules.records",
    **dict.fromkeys(("format_points", "round_to", "to_decimal"), "parrules.amounts"),
    **dict.fromkeys(("Campaign", "CampaignResult", "load_campaign", "run_campaign"), "parrules.campaign.run"),
    **dict.fromkeys(("ParrulesError", "PluginError", "Problem", "ProblemsError"), "parrules.errors"),
    **dict.fromkeys(("to_json", "write_atomic"), "parrules.files.writing"),
    **dict.fromkeys(("LANGUAGES", "Catalogue", "CatalogueError", "Voice", "current_voice", "speaking"),
                    "parrules.messages"),
    **dict.fromkeys(("CheckKind", "Document", "EvidenceFile", "Leaf", "Measurement", "RuleKind", "Scored",
                     "UnitEvidence"), "parrules.plugins.contracts"),
    "hookimpl": "parrules.plugins.hookspecs",
    **dict.fromkeys(("Registry", "default_registry"), "parrules.plugins.registry"),
    **dict.fromkeys(("Engine", "score", "score_many"), "parrules.scoring.engine"),
    **dict.fromkeys(("Flag", "LeafResult", "NodeResult", "Provenance", "RunResult", "UnitResult"),
                    "parrules.scoring.results"),
    **dict.fromkeys(("rounded_percent", "rounded_points"), "parrules.scoring.stages"),
    **dict.fromkeys(("CriteriaSet", "Node", "criteria_set_from_text", "load_criteria_set"),
                    "parrules.sets.criteria_set"),
    **dict.fromkeys(("Submission", "load_submission", "load_submissions", "submission_from_dict"),
                    "parrules.submissions.submission"),
}
"""Public name → the module it is imported from when first used."""

__all__ = [
    "LANGUAGES",
    "Campaign",
    "CampaignResult",
    "Catalogue",
    "CatalogueError",
    "CheckKind",
    "CriteriaSet",
    "Document",
    "Engine",
    "EvidenceFile",
    "Flag",
    "Leaf",
    "LeafResult",
    "Measurement",
    "Node",
    "NodeResult",
    "ParrulesError",
    "PluginError",
    "Problem",
    "ProblemsError",
    "Provenance",
    "Registry",
    "RuleKind",
    "RunResult",
    "Scored",
    "Submission",
    "UnitEvidence",
    "UnitResult",
    "Voice",
    "__version__",
    "criteria_set_from_text",
    "current_voice",
    "default_registry",
    "format_points",
    "hookimpl",
    "load_campaign",
    "load_criteria_set",
    "load_submission",
    "load_submissions",
    "records",
    "round_to",
    "rounded_percent",
    "rounded_points",
    "run_campaign",
    "score",
    "score_many",
    "speaking",
    "submission_from_dict",
    "to_decimal",
    "to_json",
    "write_atomic",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use and kept here (the next use is a plain
    attribute look-up)."""
    where = _PUBLIC.get(name)
    if where is None:
        raise AttributeError(f"module 'parrules' has no attribute {name!r}")
    module = importlib.import_module(where)
    value = module if where == f"parrules.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
