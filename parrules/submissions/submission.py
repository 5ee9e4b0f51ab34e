"""A unit's submission: identity, self-assessed points, declared figures, evidence and appraisals.

Submissions come as TOML or JSON files (from a clerk, or exported by a province's scoring web app).
Paths to evidence documents and data files are relative to the submission's folder and must stay
inside it, so a submission can never make parrules read /etc/passwd.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import Field

from parrules.amounts import plain, shown, to_decimal
from parrules.errors import Problem, ProblemsError, did_you_mean, key_path
from parrules.files.digest import sha256_digest
from parrules.files.reading import InputDocument, LineIndex, nesting_problem, nfc, path_problem, read_document
from parrules.files.schema_check import Check, compile_schema
from parrules.messages import say
from parrules.plugins.contracts import EvidenceFile, UnitEvidence
from parrules.sets.codes import foreign_digit
from parrules.sets.criteria_set import CriteriaSet
from parrules.sets.validation import StrictModel, schema_message, validate_model

NA = "na"
PointsOrNA = Decimal | Literal["na"]


class UnitSpec(StrictModel):
    code: str = Field(min_length=1)
    name: str
    kind: str = ""
    period: str | int = ""
    cohort: str = ""


class DocumentSpec(StrictModel):
    number: str = ""
    date: dt.date | None = None
    issuer: str = ""
    title: str = ""
    kind: str = ""
    file: str | None = None
    criteria: list[str] = []


class AppraisalSpec(StrictModel):
    code: str
    points: PointsOrNA
    round: int = Field(1, ge=1, le=99, description="1 for the first appraisal, 2 after the unit's explanation, …")
    reason: str = Field("", description="the council's reason, required when it lowers a score")
    by: str = ""
    at: dt.date | None = None
    response: str = Field("", description="the unit's explanation (giải trình) answering this round")


class SubmissionFile(StrictModel):
    """The submission format; `parrules schema submission` prints its JSON Schema."""

    unit: UnitSpec
    criteria_set: str = Field("", description="id of the criteria set this submission answers")
    self_assessment: dict[str, PointsOrNA] = Field(default_factory=dict, description="code -> self-assessed points")
    answers: dict[str, Any] = Field(default_factory=dict, description="code -> declared answer or figure")
    figures: dict[str, Any] = Field(default_factory=dict, description="named declared figures (số liệu kê khai)")
    documents: list[DocumentSpec] = []
    data: dict[str, str] = Field(default_factory=dict, description="name -> data file (relative path)")
    appraisals: list[AppraisalSpec] = []


@dataclass(frozen=True)
class Appraisal:
    code: str
    points: Decimal | None
    not_applicable: bool
    round: int
    reason: str
    by: str
    at: dt.date | None
    response: str = ""


@dataclass(frozen=True)
class Submission:
    """One unit's submission, loaded and path-checked."""

    code: str
    name: str
    kind: str
    period: str
    cohort: str
    criteria_set: str
    self_assessment: Mapping[str, Decimal | None]
    self_na: frozenset[str]
    answers: Mapping[str, Any]
    figures: Mapping[str, Any]
    documents: tuple[EvidenceFile, ...]
    data: Mapping[str, Path]
    appraisals: Mapping[str, tuple[Appraisal, ...]]
    base_dir: Path
    source: str = "<memory>"
    sha256: str = ""
    missing_files: tuple[str, ...] = ()
    lines: LineIndex = field(default_factory=LineIndex, repr=False, compare=False)

    def evidence(self, shared_data: Mapping[str, Path] | None = None) -> UnitEvidence:
        data = dict(shared_data or {})
        data.update(self.data)
        return UnitEvidence(self.code, self.name, self.kind, self.period, self.figures, self.documents,
                            data, self.base_dir)


def load_submission(path: str | Path) -> Submission:
    """Read one submission file (TOML or JSON); raise `ProblemsError` with every problem in it."""
    document = read_document(path, what=say("problem.what.submission"))
    return _build(document)


def load_submissions(paths: Sequence[str | Path],
                     progress: Callable[[str, int, int], None] | None = None) -> list[Submission]:
    """Read many submissions; problems of all files (and unit codes used twice) are raised together.

    `progress("loading", done, total)` is called after each file, for a progress bar on long runs.
    """
    out: list[Submission] = []
    problems: list[Problem] = []
    for i, path in enumerate(paths, start=1):
        try:
            out.append(load_submission(path))
        except ProblemsError as exc:
            problems.extend(exc.problems)
        if progress:
            progress("loading", i, len(paths))
    codes: dict[str, str] = {}
    for sub in out:
        if sub.code in codes:
            problems.append(Problem(sub.source, "unit.code", say("problem.submission.unit_twice", code=sub.code,
                                                                 other=codes[sub.code])))
        codes[sub.code] = sub.source
    if problems:
        raise ProblemsError(problems)
    return out


def submission_from_dict(data: Mapping[str, Any], base_dir: str | Path = ".", source: str = "<memory>") -> Submission:
    """Build a submission from a mapping, e.g. JSON a web app posted (numbers should be Decimal or str)."""
    document = InputDocument(Path(source), dict(data), b"", LineIndex())
    return _build(document, Path(base_dir))


def _inside(base: Path, relative: str, *, file: str, path: tuple[object, ...], lines: LineIndex,
            problems: list[Problem]) -> Path | None:
    bad = path_problem(relative)
    if bad is not None:  # the system would refuse it later with a traceback: said here, with its key
        problems.append(Problem(file, key_path(*path), say("problem.submission.bad_path", why=bad), line=lines.line(*path),
                                hint=say("problem.submission.bad_path_hint"), code="bad_path"))
        return None
    candidate = (base / relative).resolve()
    if not candidate.is_relative_to(base.resolve()):
        problems.append(Problem(file, key_path(*path), say("problem.submission.outside", path=relative),
                                line=lines.line(*path), hint=say("problem.submission.outside_hint"),
                                code="path_outside"))
        return None
    return candidate


def _is_file(path: Path) -> bool:
    """Whether `path` is a file that can be read; a folder that may not be entered is 'missing' too."""
    try:
        return path.is_file()
    except OSError:
        return False


def _build(document: InputDocument, base_dir: Path | None = None) -> Submission:
    file = document.label
    deep = nesting_problem(document.data, file, document.lines)
    if deep is not None:  # validation, scoring and the results all walk the answers: one problem first
        raise ProblemsError([deep])
    problems: list[Problem] = []
    spec = validate_model(SubmissionFile, document.data, file=file, prefix=(), lines=document.lines,
                          problems=problems)
    if spec is None:
        raise ProblemsError(problems)
    assert isinstance(spec, SubmissionFile)
    base = base_dir if base_dir is not None else document.path.parent
    missing: list[str] = []
    documents = []
    for i, doc in enumerate(spec.documents):
        resolved = None
        if doc.file:
            resolved = _inside(base, doc.file, file=file, path=("documents", i, "file"), lines=document.lines,
                               problems=problems)
            if resolved is not None and not _is_file(resolved):
                missing.append(doc.file)
        documents.append(EvidenceFile(nfc(doc.number), doc.date, nfc(doc.issuer), nfc(doc.title), nfc(doc.kind),
                                  resolved, tuple(nfc(c) for c in doc.criteria)))
    data = {}
    for name, rel in spec.data.items():
        resolved = _inside(base, rel, file=file, path=("data", name), lines=document.lines, problems=problems)
        if resolved is not None:
            data[name] = resolved
    if problems:
        raise ProblemsError(problems)
    appraisals: dict[str, list[Appraisal]] = {}
    for a in spec.appraisals:
        na = a.points == NA
        appraisals.setdefault(nfc(a.code), []).append(
            Appraisal(nfc(a.code), None if na else a.points, na, a.round, a.reason, a.by, a.at, a.response)  # type: ignore[arg-type]
        )
    self_points = {nfc(k): (None if v == NA else v) for k, v in spec.self_assessment.items()}
    return Submission(
        code=nfc(spec.unit.code), name=nfc(spec.unit.name), kind=nfc(spec.unit.kind), period=str(spec.unit.period),
        cohort=nfc(spec.unit.cohort), criteria_set=spec.criteria_set,
        self_assessment=self_points, self_na=frozenset(k for k, v in self_points.items() if v is None),
        answers={nfc(k): _json_safe(v) for k, v in spec.answers.items()},
        figures={nfc(k): _json_safe(v) for k, v in spec.figures.items()},
        documents=tuple(documents), data=data,
        appraisals={k: tuple(sorted(v, key=lambda a: a.round)) for k, v in appraisals.items()},
        base_dir=base, source=file,
        sha256=sha256_digest(document.raw) if document.raw else "",
        missing_files=tuple(missing), lines=document.lines,
    )


def validate_submission(criteria: CriteriaSet, sub: Submission) -> list[Problem]:
    """Problems of a submission against the set it answers: unknown codes, points out of range...,
    and data files it names that are not there (scoring would error the criteria a check of them
    measures; `validate` says so before the run)."""
    return [*_submission_problems(criteria, sub, _input_checks(criteria)), *_missing_data(sub)]


def _missing_data(sub: Submission) -> list[Problem]:
    return [Problem(sub.source, key_path("data", name), say("problem.submission.data_missing", name=name, path=path),
                    line=sub.lines.line("data", name), code="missing_file",
                    hint=say("problem.submission.data_missing_hint"))
            for name, path in sub.data.items() if not _is_file(path)]


def _submission_problems(criteria: CriteriaSet, sub: Submission,
                         input_checks: Callable[[str], SchemaChecks | None]) -> list[Problem]:
    problems: list[Problem] = []
    file = sub.source
    leaves = set(criteria.leaves)

    def add(path: tuple[object, ...], message: str, hint: str | None = None) -> None:
        problems.append(Problem(file, key_path(*path), message, line=sub.lines.line(*path), hint=hint))

    if criteria.meta.unit_kinds and sub.kind and sub.kind not in criteria.meta.unit_kinds:
        add(("unit", "kind"), say("problem.submission.unit_kind", kind=sub.kind, set=criteria.id),
            hint=", ".join(criteria.meta.unit_kinds))
    if sub.criteria_set and sub.criteria_set != criteria.id:
        add(("criteria_set",), say("problem.submission.other_set", answered=sub.criteria_set, set=criteria.id))

    strangers: dict[str, int] = {}  # per section, codes the set does not have

    def stranger(section: str, path: tuple[object, ...], message: str, hint: Callable[[], str | None]) -> None:
        """A code the set does not have: said for the first ones of each section, counted beyond (a
        generated file of 50,000 unknown codes gets a few lines, not a 5 MB message)."""
        count = strangers[section] = strangers.get(section, 0) + 1
        if count <= _LISTED:
            add(path, message, hint=hint())

    def known(section: str, code: str) -> bool:
        if code in leaves:
            return True
        if code in criteria.nodes:
            add((section, code), say("problem.submission.not_a_leaf", code=code))
        else:
            stranger(section, (section, code), say("problem.submission.unknown_code", code=shown(code), set=criteria.id),
                     functools.partial(_code_hint, code, leaves))
        return False

    def in_range(path: tuple[object, ...], code: str, points: Decimal | None, na: bool) -> None:
        node = criteria.nodes[code]
        if na and not node.spec.allow_na:
            add(path, say("problem.submission.no_na", code=code), hint=say("problem.submission.no_na_hint"))
        elif points is not None and not 0 <= points <= node.max_points:
            add(path, say("problem.submission.out_of_range", points=plain(points), max=plain(node.max_points), code=code))

    for code, points in sub.self_assessment.items():
        if known("self_assessment", code):
            in_range(("self_assessment", code), code, points, points is None)
    for code, rounds in sub.appraisals.items():
        if known("appraisals", code):
            seen: set[int] = set()
            for a in rounds:
                in_range(("appraisals",), code, a.points, a.not_applicable)
                if a.round in seen:
                    add(("appraisals",), say("problem.submission.round_twice", code=code, round=a.round),
                        hint=say("problem.submission.round_twice_hint"))
                seen.add(a.round)
    for i, doc in enumerate(sub.documents):
        for code in doc.criteria:
            if code not in criteria.nodes:
                stranger("documents", ("documents", i, "criteria"),
                         say("problem.submission.document_code", document=shown(doc.number or doc.title),
                             code=shown(code), set=criteria.id),
                         functools.partial(did_you_mean, code, leaves))
    for code, value in sub.answers.items():
        if not known("answers", code):
            continue
        node = criteria.nodes[code]
        if value == NA:
            if not (node.spec.allow_na or not node.spec.applicable):
                add(("answers", code), say("problem.submission.no_na", code=code))
            continue
        if node.rule is not None and not node.rule.needs_input:
            add(("answers", code), say("problem.submission.appraisers_only", code=code))
            continue
        if not _finite(value):
            add(("answers", code), say("problem.submission.not_a_figure", value=shown(value)),
                hint=say("problem.figure.hint"))
            continue
        checks = input_checks(code)
        if checks is not None:
            error = _input_error(checks, value)
            if error is not None:
                add(("answers", code), say("problem.submission.answer_for_rule", rule=node.rule.name,  # type: ignore[union-attr]
                                           error=schema_message(error)))
    for section, count in strangers.items():
        if count > _LISTED:
            add((section,), say("problem.submission.more_unknown", n=count - _LISTED, section=section, set=criteria.id),
                hint=say("problem.submission.more_unknown_hint"))
    return problems


_LISTED = 10
"""Unknown codes said one by one per section of a submission; the rest are counted."""


def _code_hint(code: str, leaves: set[str]) -> str | None:
    """What to write instead of a code the set does not have: a code of the set it looks like, or why
    it is no code at all (a digit of another script: '2.١' is not '2.1')."""
    return foreign_digit(code) or did_you_mean(code, leaves)


class _Unanswered:
    def __repr__(self) -> str:
        return "<missing>"


UNANSWERED: Any = _Unanswered()
"""What a column of answers holds for a unit that did not answer."""

AnswerColumn = Callable[[str], Sequence[Any]]
"""Every unit's answer to one criterion (UNANSWERED where there is none), in the units' order."""


_INT64 = 2 ** 63


def _json_safe(value: Any) -> Any:
    """An integer too wide for 64 bits becomes the Decimal of the same value, inside tables too: a
    hostile answer of 10^30 is then refused as a figure and written back as it was (orjson cannot
    write such an integer). Nesting is bounded when the file is read."""
    if type(value) is int:
        return Decimal(value) if not -_INT64 <= value < _INT64 else value
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def unscored_criteria(criteria: CriteriaSet, sub: Submission) -> list[Problem]:
    """Base criteria nothing in the submission would score: no answer the rule reads, no
    self-assessment and no appraisal (as far as the set's precedence uses them), no evidence check.

    Scoring does not refuse them — the criterion is 'not evaluated' and the unit's figure is marked
    incomplete — but `validate` says so first, so a clerk can fix the file before the run.
    """
    precedence = set(criteria.meta.precedence)
    out = []
    for code in criteria.leaves:
        node = criteria.nodes[code]
        if node.check is not None or node.role != "base" or not node.spec.applicable:
            continue
        answer = sub.answers.get(code, UNANSWERED)
        if "computed" in precedence and answer is not UNANSWERED and (
                (node.rule is not None and node.rule.needs_input) or (type(answer) is str and answer == NA)):
            continue
        if "self" in precedence and (code in sub.self_assessment or code in sub.self_na):
            continue
        if "appraisal" in precedence and code in sub.appraisals:
            continue
        out.append(Problem(sub.source, key_path("answers", code),
                           say("problem.submission.unscored", code=code, name=node.name),
                           hint=say("problem.submission.unscored_hint"),
                           code="not_evaluated"))
    return out


def validate_submissions(criteria: CriteriaSet, subs: Sequence[Submission],
                      answer_column: AnswerColumn | None = None) -> list[Problem]:
    """Problems of many submissions against one set, with each distinct answer checked once.

    A campaign's answers repeat (many units give the same few values per criterion), so the
    answers and self-assessed points are checked column by column (`answer_column` lets the engine
    share the columns it reads anyway); a submission is then checked in full, for its messages, only
    when something about it is not plainly valid.
    """
    if answer_column is None:
        answers = [sub.answers for sub in subs]

        def answer_column(code: str) -> Sequence[Any]:
            return [a.get(code, UNANSWERED) for a in answers]

    if not _columns_valid(criteria, subs, answer_column):
        suspects: Sequence[Submission] = subs
    else:
        leaves = criteria.leaves_set
        kinds = criteria.meta.unit_kinds
        suspects = [sub for sub in subs
                    if sub.appraisals or (kinds and sub.kind and sub.kind not in kinds)
                    or (sub.criteria_set and sub.criteria_set != criteria.id)
                    or not sub.answers.keys() <= leaves or not sub.self_assessment.keys() <= leaves
                    or any(code not in criteria.nodes for doc in sub.documents for code in doc.criteria)]
    input_checks = _input_checks(criteria)
    return [p for sub in suspects for p in _submission_problems(criteria, sub, input_checks)]


def _columns_valid(criteria: CriteriaSet, subs: Sequence[Submission], answer_column: AnswerColumn) -> bool:
    """Whether every answer and self-assessed figure passes what validate_submission checks, leaf by leaf.

    Types are checked per distinct type, so the values themselves are looked at only when the rule's
    input schema says more than a type (a range, a pattern).
    """
    own = [sub.self_assessment for sub in subs]
    self_assessed = set().union(*own)
    for code in criteria.leaves:
        node = criteria.nodes[code]
        spec = node.spec
        values: Sequence[Any] = answer_column(code)
        kinds = set(map(type, values))
        if _Unanswered in kinds:
            values = [v for v in values if v is not UNANSWERED] if len(kinds) > 1 else []
            kinds.discard(_Unanswered)
        if str in kinds and NA in values:
            if not (spec.allow_na or not spec.applicable):
                return False
            values = [v for v in values if not (type(v) is str and v == NA)]
            kinds = set(map(type, values))
        if values:
            if node.rule is not None and not node.rule.needs_input:
                return False
            if kinds == {Decimal}:  # the common column: NaN and ∞ found in C; a figure beyond the
                if False in map(Decimal.is_finite, values):  # bounds errors its criterion in the rule
                    return False
            elif (Decimal in kinds or float in kinds) and False in map(_finite, values):  # mixed with ints
                return False
            schema = node.rule.input_schema if node.rule else None
            if schema is not None:
                checks = _schema_checks(schema)
                types = checks.plain_types
                if types is None or not all(issubclass(kind, types[0]) and (types[1] or kind is not bool)
                                            for kind in kinds) \
                        or (types[2] is not None and min(values) < types[2]) \
                        or (types[3] is not None and max(values) > types[3]):
                    try:
                        distinct: Any = set(zip(map(type, values), values))
                    except TypeError:  # tables: each is checked
                        distinct = zip(map(type, values), values)
                    if any(_input_error(checks, value) is not None for _, value in distinct):
                        return False
        points = [o[code] for o in own if code in o] if code in self_assessed else []
        if points:
            if None in points:
                if not spec.allow_na:
                    return False
                points = [v for v in points if v is not None]
            if points and not (min(points) >= 0 and max(points) <= node.max_points):
                return False
    return True


# Input types a rule's input schema often is no more than ({"type": [...]}): checked without
# jsonschema, whose validation of every answer of a campaign would cost more than the scoring.
_PLAIN_TYPES: dict[str, Any] = {"number": (int, float, Decimal), "string": str, "boolean": bool, "object": dict}


class SchemaChecks(NamedTuple):
    """How answers are checked against one input schema: its plain types (None when the schema says
    more than a type and bounds), the valid-or-not checks `compile_schema` makes of it (None when it
    cannot), and the schema's content key, from which its jsonschema validator is made the first
    time an answer needs its words (a run whose answers all pass never imports jsonschema)."""

    plain_types: tuple[tuple[type, ...], bool, Any, Any] | None
    valid: Check | None
    key: Hashable


def _input_checks(criteria: CriteriaSet) -> Callable[[str], SchemaChecks | None]:
    """The checks of a leaf's answers by its code, each looked up once for a run over many submissions."""
    found: dict[str, SchemaChecks | None] = {}

    def checks(code: str) -> SchemaChecks | None:
        if code not in found:
            rule = criteria.nodes[code].rule
            found[code] = None if rule is None or rule.input_schema is None else _schema_checks(rule.input_schema)
        return found[code]

    return checks


def _input_error(checks: SchemaChecks, value: Any) -> Any:
    """The best jsonschema error for `value`, or None; plain type-only schemas take a fast path."""
    types = checks.plain_types
    if types is not None and isinstance(value, types[0]) and (types[1] or not isinstance(value, bool)) \
            and (types[2] is None or value >= types[2]) and (types[3] is None or value <= types[3]):
        return None
    if checks.valid is not None and checks.valid(value):
        return None
    import jsonschema

    return jsonschema.exceptions.best_match(_validator(checks.key).iter_errors(value))


def _finite(value: Any) -> bool:
    """False for NaN and infinities (a TOML `nan`, a JSON `Infinity`), which no rule can score.

    Scoring refuses these in every unit alike. A figure beyond the bounds of a PAR figure, or a
    non-figure inside a table, errors its criterion when scored (`scoring.rules`), also in every unit
    alike; `figure_problems` lets `validate` report them first."""
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def _figure(value: Any) -> bool:
    """Whether a value is, or holds only, numbers a PAR figure can be (see `amounts.bounded`)."""
    if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
        try:
            to_decimal(value)
        except (ValueError, TypeError):
            return False
        return True
    if isinstance(value, Mapping):
        return all(map(_figure, value.values()))
    if isinstance(value, (list, tuple)):
        return all(map(_figure, value))
    return True


def figure_problems(criteria: CriteriaSet, sub: Submission) -> list[Problem]:
    """What scoring would error in one submission's answers; see `answer_problems`."""
    return answer_problems(criteria, [sub])


def answer_problems(criteria: CriteriaSet, subs: Sequence[Submission]) -> list[Problem]:
    """Answers that scoring would not refuse but would error their criterion on, leaving the unit's
    figure incomplete: a number no PAR figure can be (beyond 10^16, finer than 10^-20, NaN inside a
    table), or a value the criterion's rule cannot score (text where a number belongs, a negative
    count, a rate no band covers). `validate` says so before a run, with file, key and line.

    The judge is the one scoring uses: `scoring.rules.score_column`, the criterion's own rule called
    once over the distinct answers, so `validate` reports exactly the answers a run would error, for
    built-in rules and plugins' alike. Answers `validate_submission` already refuses (unknown codes,
    N/A where not allowed, NaN and ∞, the wrong type for the rule) are not judged again.
    """
    from parrules.scoring.rules import score_column  # scoring reads submissions: imported when used

    found: list[tuple[int, int, Problem]] = []
    input_checks = _input_checks(criteria)
    for order, code in enumerate(criteria.leaves):
        node = criteria.nodes[code]
        if node.rule is None or not node.rule.needs_input:
            continue
        checks = input_checks(code)
        judged: list[tuple[int, Any]] = []
        for i, sub in enumerate(subs):
            value = sub.answers.get(code, UNANSWERED)
            if value is UNANSWERED or (type(value) is str and value == NA) or not _finite(value) \
                    or (checks is not None and _input_error(checks, value) is not None):
                continue
            if not _figure(value):
                found.append((i, order, _answer_problem(sub, code, say("problem.submission.not_a_figure", value=shown(value)),
                                                        say("problem.figure.hint"))))
                continue
            judged.append((i, value))
        if not judged:
            continue
        verdicts = score_column(node, [value for _, value in judged], list(range(len(judged))))
        for j, (i, _) in enumerate(judged):
            error = verdicts[j].error
            if error is not None:
                found.append((i, order, _answer_problem(subs[i], code, say("problem.submission.cannot_score",
                                                                           rule=node.rule.name, error=error),
                                                        say("problem.submission.cannot_score_hint"))))
    found.sort(key=lambda item: item[:2])
    return [problem for _, _, problem in found]


def _answer_problem(sub: Submission, code: str, message: str, hint: str) -> Problem:
    return Problem(sub.source, key_path("answers", code), message, line=sub.lines.line("answers", code), hint=hint,
                   code="answer")


def _schema_checks(schema: Mapping[str, Any]) -> SchemaChecks:
    """The checks of a schema, made once per distinct schema content."""
    return _checks_for(_content_key(schema))


@functools.lru_cache(maxsize=256)
def _checks_for(key: Hashable) -> SchemaChecks:
    schema = _from_key(key)
    return SchemaChecks(_plain_types(schema), compile_schema(schema), key)


@functools.lru_cache(maxsize=256)
def _validator(key: Hashable) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(_from_key(key))


def _content_key(value: Any) -> Hashable:
    """A hashable copy of a JSON value that tells apart what compares equal but validates differently
    (1, 1.0 and True; a list and a table), and from which `_from_key` rebuilds the value."""
    if isinstance(value, Mapping):
        return ("table", tuple((str(k), _content_key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", type(value) is tuple, tuple(_content_key(v) for v in value))
    return ("value", type(value), value)


def _from_key(key: Any) -> Any:
    kind, *rest = key
    if kind == "table":
        return {k: _from_key(v) for k, v in rest[0]}
    if kind == "list":
        items = [_from_key(v) for v in rest[1]]
        return tuple(items) if rest[0] else items
    return rest[1]


def _plain_types(schema: Mapping[str, Any]) -> tuple[tuple[type, ...], bool, Any, Any] | None:
    """For a schema that is only a type (and, for numbers, a minimum and maximum): the Python types it
    accepts, whether bool is one, and the bounds."""
    if "type" not in schema or not set(schema) <= {"type", "minimum", "maximum"}:
        return None
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if any(kind not in _PLAIN_TYPES for kind in kinds) or (len(schema) > 1 and kinds != ["number"]):
        return None
    types: list[type] = []
    for kind in kinds:
        found = _PLAIN_TYPES[kind]
        types.extend(found if isinstance(found, tuple) else (found,))
    return tuple(types), "boolean" in kinds, schema.get("minimum"), schema.get("maximum")
