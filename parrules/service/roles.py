"""Who may do what, in which phase: the roles, the phases, and the one table that joins them.

Every route asks `authorise(...)` before it reads or writes campaign data, so the rules live here
and nowhere else. A denial is a 403 problem that says what the caller may not do — never whether
another unit, or its data, exists.

Phases follow the yearly cycle (docs/service.md): setup → self-assessment → appraisal round 1 →
explanation (giải trình) → appraisal round 2 → explanation of round 2 → bonus and penalty criteria
(điểm thưởng, điểm trừ) appraised → their explanation → survey import → publication → published.
Every appraisal step is followed by the unit's explanation step, as provinces run it: round 1 is
answered by round 2; round 2 and the bonus/penalty appraisal are the last word on their criteria,
so the council may still revise them during their explanation step, in answer to an explanation.
Only the council chair or an administrator moves a campaign on, one phase at a time; only the
chair publishes. Each phase may have a deadline after which the writes it allows are refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from parrules.service.problems import ServiceProblem, forbidden


class Role(str, Enum):
    ADMINISTRATOR = "administrator"  # runs the campaign: units, accounts, data files, phases
    CLERK = "clerk"                  # a unit's clerk: its self-assessment, evidence and explanations
    APPRAISER = "appraiser"          # the council: scores rounds 1 and 2, never a self-assessment
    CHAIR = "chair"                  # the council chair: appraises, closes rounds, publishes
    VIEWER = "viewer"                # reads everything of the campaign
    SYSTEM = "system"                # another system (API token): reads everything of the campaign


class Phase(str, Enum):
    SETUP = "setup"
    SELF_ASSESSMENT = "self_assessment"
    APPRAISAL_1 = "appraisal_1"
    EXPLANATION = "explanation"
    APPRAISAL_2 = "appraisal_2"
    EXPLANATION_2 = "explanation_2"
    BONUS_PENALTY = "bonus_penalty"
    BONUS_PENALTY_EXPLANATION = "bonus_penalty_explanation"
    SURVEY = "survey"
    PUBLICATION = "publication"
    PUBLISHED = "published"


ORDER = tuple(Phase)
SCHEDULED = ORDER[1:-1]
"""The phases that have dates (opens, deadline): all but setup and the frozen end."""

ROUND_PHASE = {1: Phase.APPRAISAL_1, 2: Phase.APPRAISAL_2}

EXTRA_ROLES = frozenset({"bonus", "penalty"})
"""Criteria roles appraised and explained in a step of their own (the bonus/penalty phases), in one
round (1); base criteria are appraised in rounds 1 and 2."""

EXPLANATION_PHASES = (Phase.EXPLANATION, Phase.EXPLANATION_2, Phase.BONUS_PENALTY_EXPLANATION)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    phases: frozenset[Phase] | None  # None: any phase
    writes: bool
    what: str


def _rule(roles: set[Role], phases: set[Phase] | None, writes: bool, what: str) -> Rule:
    return Rule(frozenset(roles), frozenset(phases) if phases is not None else None, writes, what)


READERS = {Role.ADMINISTRATOR, Role.APPRAISER, Role.CHAIR, Role.VIEWER, Role.SYSTEM}
COUNCIL = {Role.APPRAISER, Role.CHAIR}
BEFORE_PUBLICATION = set(ORDER[:-2])

RULES: dict[str, Rule] = {
    "read_campaign": _rule(set(Role), None, False, "read this campaign"),
    "read_unit": _rule(READERS | {Role.CLERK}, None, False, "read a unit's data"),
    "read_all_units": _rule(READERS, None, False, "read every unit's data and the campaign's results"),
    "self_assess": _rule({Role.CLERK}, {Phase.SELF_ASSESSMENT}, True, "change a self-assessment or an answer"),
    "edit_documents": _rule({Role.CLERK}, {Phase.SELF_ASSESSMENT}, True, "change evidence documents"),
    "appraise_1": _rule(COUNCIL, {Phase.APPRAISAL_1}, True, "appraise round 1"),
    "appraise_2": _rule(COUNCIL, {Phase.APPRAISAL_2, Phase.EXPLANATION_2}, True,
                        "appraise round 2 (or revise it in answer to an explanation)"),
    "appraise_bonus_penalty": _rule(COUNCIL, {Phase.BONUS_PENALTY, Phase.BONUS_PENALTY_EXPLANATION}, True,
                                    "appraise a bonus or penalty criterion"),
    "explain": _rule({Role.CLERK}, {Phase.EXPLANATION}, True, "explain a round-1 deduction"),
    "explain_2": _rule({Role.CLERK}, {Phase.EXPLANATION_2}, True, "explain a round-2 deduction"),
    "explain_bonus_penalty": _rule({Role.CLERK}, {Phase.BONUS_PENALTY_EXPLANATION}, True,
                                   "explain a deduction on a bonus or penalty criterion"),
    "import_data": _rule({Role.ADMINISTRATOR}, {Phase.SETUP, Phase.SURVEY}, True,
                         "replace a campaign data file (the survey import)"),
    "import_history": _rule({Role.ADMINISTRATOR}, BEFORE_PUBLICATION, True,
                            "upload last year's results or the code mapping"),
    "manage_units": _rule({Role.ADMINISTRATOR}, BEFORE_PUBLICATION, True, "add units"),
    "manage_members": _rule({Role.ADMINISTRATOR}, BEFORE_PUBLICATION | {Phase.PUBLICATION}, True,
                            "give accounts roles"),
    "schedule": _rule({Role.ADMINISTRATOR}, BEFORE_PUBLICATION | {Phase.PUBLICATION}, True, "set deadlines"),
    "change_phase": _rule({Role.ADMINISTRATOR, Role.CHAIR}, BEFORE_PUBLICATION | {Phase.PUBLICATION}, True,
                          "move the campaign to another phase"),
    "publish": _rule({Role.CHAIR}, {Phase.PUBLICATION}, True, "publish the campaign"),
    "read_publication": _rule(set(Role), {Phase.PUBLISHED}, False, "download the publication"),
}

DEADLINE_BOUND = {"self_assess", "edit_documents", "appraise_1", "appraise_2", "appraise_bonus_penalty", "explain",
                  "explain_2", "explain_bonus_penalty"}
"""Writes refused after their phase's deadline (the chair still moves the campaign on)."""


@dataclass(frozen=True)
class Standing:
    """What the caller is in a campaign: a role and, for a clerk, the unit (its id and code)."""

    role: Role
    unit_id: int | None = None
    unit_code: str | None = None


def appraisal_action(round: int, criterion_role: str) -> str | None:
    """The action that appraises round `round` of a criterion of this role; None when the criterion
    has no such round (a bonus or penalty criterion has round 1 only)."""
    if criterion_role in EXTRA_ROLES:
        return "appraise_bonus_penalty" if round == 1 else None
    return f"appraise_{round}" if round in ROUND_PHASE else None


def explanation_step(phase: Phase | str, criterion_role: str) -> tuple[str, int]:
    """The action by which a unit explains a deduction on a criterion of this role, and the round it
    answers: round 1 in `explanation`, round 2 in `explanation_2`, a bonus or penalty criterion's
    round in `bonus_penalty_explanation`. In any other phase, the step the criterion would have (so
    the refusal names the phase where it is allowed)."""
    if criterion_role in EXTRA_ROLES:
        return "explain_bonus_penalty", 1
    return ("explain_2", 2) if Phase(phase) is Phase.EXPLANATION_2 else ("explain", 1)


def phase_label(phase: Phase | str) -> str:
    return Phase(phase).value.replace("_", " ")


def authorise(standing: Standing | None, action: str, phase: Phase | str, *,
              campaign_code: str, unit_code: str | None = None,
              deadline: dt.datetime | None = None, now: dt.datetime | None = None) -> Standing:
    """The caller's standing when it may do `action` now; a 403 problem saying why not otherwise.

    A clerk's own unit is checked before anything is looked up about another unit, so a clerk's
    request for unit X gets the same answer whether X exists or not."""
    rule = RULES[action]
    phase = Phase(phase)
    if standing is None:
        raise forbidden(f"you have no role in campaign '{campaign_code}'")
    if standing.role not in rule.roles:
        raise forbidden(f"a {standing.role.value} may not {rule.what}")
    if standing.role is Role.CLERK and unit_code is not None and unit_code != standing.unit_code:
        raise forbidden("a unit clerk sees and changes only their own unit")
    if rule.writes and phase is Phase.PUBLISHED:
        raise ServiceProblem(403, "published", f"campaign '{campaign_code}' is published: nothing in it changes "
                             "any more")
    if rule.phases is not None and phase not in rule.phases:
        allowed = ", ".join(phase_label(p) for p in ORDER if p in rule.phases)
        raise ServiceProblem(403, "wrong-phase", f"to {rule.what} the campaign must be in {allowed}; it is in "
                             f"{phase_label(phase)}", phase=phase.value)
    if action in DEADLINE_BOUND and deadline is not None and (now or dt.datetime.now(dt.timezone.utc)) > deadline:
        raise ServiceProblem(403, "deadline-passed", f"the deadline of {phase_label(phase)} was "
                             f"{deadline.isoformat()}", deadline=deadline.isoformat())
    return standing


def next_phase(phase: Phase | str) -> Phase | None:
    """The phase after `phase` (None after published); publication → published is `publish`'s."""
    index = ORDER.index(Phase(phase))
    return ORDER[index + 1] if index + 1 < len(ORDER) else None
