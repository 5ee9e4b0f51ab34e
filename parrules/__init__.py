"""parrules: score public administrations against configurable criteria sets (Vietnam's PAR Index).

The public API is what this module exports; plugins and examples use nothing else.
"""

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
