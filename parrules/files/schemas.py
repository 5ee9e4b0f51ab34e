"""The JSON Schemas parrules publishes: criteria-set and submission formats, and results.

The criteria-set schema is generated from the pydantic models (one source of truth) plus each
registered rule kind's parameter schema, so an editor (Taplo / Even Better TOML, through a
`#:schema` line) checks rule parameters while the clerk types. The shipped copies in
`parrules/schemas/` are kept in sync with the generator by a test.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from parrules.plugins.registry import Registry
from parrules.sets.model import CriteriaSetFile
from parrules.submissions.submission import SubmissionFile

SCHEMA_NAMES = ("criteria-set", "submission", "results", "campaign", "campaign-file")
"""campaign: the campaign JSON a run writes; campaign-file: the `campaign.toml` a province writes."""
_BASE_URL = "https://parrules.readthedocs.io/schemas/"


def criteria_set_schema(registry: Registry | None = None) -> dict[str, Any]:
    registry = registry or Registry(entry_points=False)
    schema = CriteriaSetFile.model_json_schema(by_alias=True)
    criterion = schema["$defs"]["CriterionSpec"]
    branches = []
    for name, kind in sorted(registry.rule_kinds.items()):
        params = dict(kind.params_schema.get("properties", {}))
        branches.append({
            "if": {"properties": {"rule": {"const": name}}, "required": ["rule"]},
            "then": {"properties": params},
        })
    criterion["properties"]["rule"] = {
        "anyOf": [{"enum": sorted(registry.rule_kinds)}, {"type": "string"}],
        "description": criterion["properties"]["rule"].get("description", ""),
    }
    criterion["allOf"] = branches
    criterion["additionalProperties"] = True
    # A tailored set (`extends`) may leave out [set] and [criteria]: the base supplies them.
    schema["properties"].update({
        "extends": {"type": "string", "description": "Path of the base set this one tailors (relative)"},
        "add": {"type": "object", "additionalProperties": {"$ref": "#/$defs/CriterionSpec"},
                "description": "Local criteria the base does not have"},
        "remove": {"type": "array", "items": {"type": "string"}, "description": "Codes removed from the base"},
        "not_applicable": {"type": "array", "items": {"type": "string"},
                           "description": "Codes that do not apply here (N/A for every unit)"},
    })
    # ...and its [set] and [criteria."code"] tables are partial overrides, so the full shapes apply to
    # a set that stands alone only.
    required = schema.pop("required", [])
    strict = {key: schema["properties"][key] for key in ("set", "criteria")}
    schema["properties"].update({key: {"type": "object", "description": value.get("description", "")}
                                 for key, value in strict.items()})
    schema["if"] = {"required": ["extends"]}
    schema["then"] = {"properties": {"criteria": {"additionalProperties": {"type": "object"}}}}
    schema["else"] = {"required": required, "properties": strict}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = _BASE_URL + "criteria-set.schema.json"
    schema["title"] = "parrules criteria set"
    return schema


def submission_schema() -> dict[str, Any]:
    schema = SubmissionFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = _BASE_URL + "submission.schema.json"
    schema["title"] = "parrules submission"
    return schema


def campaign_file_schema() -> dict[str, Any]:
    """The `campaign.toml` format, from its model (for an editor's `#:schema` line, like a set's)."""
    from parrules.campaign.run import CampaignFile

    schema = CampaignFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = _BASE_URL + "campaign-file.schema.json"
    schema["title"] = "parrules campaign file (campaign.toml)"
    return schema


def shipped_schema(name: str) -> dict[str, Any]:
    """The schema file that ships inside the package."""
    text = resources.files("parrules").joinpath(f"schemas/{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def generated_schema(name: str) -> dict[str, Any]:
    """What the generator makes now; results have a hand-written schema, so it is the shipped one."""
    if name == "criteria-set":
        return criteria_set_schema()
    if name == "submission":
        return submission_schema()
    if name == "campaign-file":
        return campaign_file_schema()
    return shipped_schema(name)


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
