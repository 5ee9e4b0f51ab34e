"""Units in the same situation share one result: the one module that knows it.

Most units of a campaign answer a criterion alike (yes/no, a few options, rates with one decimal),
so the engine scores each distinct *situation* of a criterion once — the unit's answer and its
self-assessment; an appraisal or an attached document makes the situation the unit's own — and
every unit in that situation gets the same `LeafResult` object. Node sums are likewise worked out
once per distinct value. Results are frozen, so sharing them is safe by construction.

This module holds every piece of that knowledge, and nothing else does:
- `Units`: per-unit lookups made once per run (answers read column by column);
- `situation_keys`: which units are in the same situation for one criterion;
- `LeafColumn`: one criterion for every unit, as its distinct results and per unit a slot;
- `spread`, `mapped`, `add`: amounts that are one value for all units or one per unit;
- `PerResult`: work done once per distinct result object by a consumer (the campaign JSON, gap
  analysis), kept in a dictionary the consumer owns for one run — never on the results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import add as int_add
from operator import itemgetter
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from parrules.scoring.inputs import MISSING
from parrules.scoring.results import LeafResult
from parrules.submissions.submission import Submission

K = TypeVar("K")
V = TypeVar("V")


class Units:
    """Per-unit lookups every criterion needs, made once per run."""

    __slots__ = ("subs", "answers", "self_points", "answered", "self_assessed", "special", "_attached",
                 "_answer_columns", "_self_columns")

    def __init__(self, subs: Sequence[Submission]) -> None:
        self.subs = subs
        self.answers = [sub.answers for sub in subs]
        self.self_points = [sub.self_assessment for sub in subs]
        self.answered: set[str] = set().union(*self.answers)  # codes any unit answered
        self.self_assessed: set[str] = set().union(*self.self_points)
        self._answer_columns: dict[str, list[Any]] | None = None
        self._self_columns: dict[str, list[Any]] | None = None
        self._attached = [_documents_by_code(sub) if sub.documents else _NO_DOCUMENTS for sub in subs]
        special: dict[str, list[int]] = {}  # code -> units with an appraisal or a document for it
        for i, sub in enumerate(subs):
            for code in (*sub.appraisals, *self._attached[i]):
                positions = special.setdefault(code, [])
                if not positions or positions[-1] != i:
                    positions.append(i)
        self.special = special

    def attached(self, i: int) -> Mapping[str, list[Any]]:
        """Unit i's evidence files by the criteria they are attached to."""
        return self._attached[i]

    def answer_column(self, code: str) -> list[Any]:
        """Every unit's answer to `code` (MISSING where none), read once for checking and for scoring."""
        if self._answer_columns is None:
            self._answer_columns = _transposed(self.answers, sorted(self.answered))
        return self._answer_columns.get(code) or [MISSING] * len(self.subs)

    def self_column(self, code: str) -> list[Any]:
        """Every unit's self-assessed points for `code` (None for N/A, MISSING where none)."""
        if self._self_columns is None:
            self._self_columns = _transposed(self.self_points, sorted(self.self_assessed))
        return self._self_columns.get(code) or [MISSING] * len(self.subs)

    def situations(self, code: str, own_when_unanswered: bool) -> tuple[list[int], list[int]]:
        """Units grouped by their situation for criterion `code`: (one unit of each situation, and per
        unit the slot of its situation among those).

        The key tells apart what results tell apart: 1.50 from 1.5, true from 1; self-assessed None is
        N/A. A unit with an appraisal or a document for the criterion is a situation of its own.
        `own_when_unanswered` (a criterion the set marks not applicable) keeps units that left it
        unanswered apart from those that declared "na", since only the latter show as declared.
        """
        if code not in self.self_assessed:
            keys = situation_keys(self.answer_column(code))
        elif code not in self.answered:
            keys = situation_keys(self.self_column(code))
        else:
            keys = list(zip(situation_keys(self.answer_column(code)), situation_keys(self.self_column(code))))
        special = self.special.get(code)
        if special or own_when_unanswered:
            for i in special or ():
                keys[i] = (_Own, i)
            if own_when_unanswered:
                keys = [(_Own, k) if code not in answers else k for k, answers in zip(keys, self.answers)]
        try:
            where = dict(zip(keys, range(len(keys))))  # each distinct key at one of its units (any will do)
        except TypeError:  # an unhashable answer (a table): keyed by its frozen contents
            keys = [_frozen(key) for key in keys]
            where = dict(zip(keys, range(len(keys))))
        slot_of = {key: j for j, key in enumerate(where)}
        return list(where.values()), list(map(slot_of.__getitem__, keys))


def _transposed(rows: list[Mapping[str, Any]], codes: list[str]) -> dict[str, list[Any]]:
    """Per-unit mappings turned into one list per code (MISSING where a unit lacks the code).

    One C-level lookup of all codes per unit, then a transpose, instead of a lookup per unit and
    code from Python: most units answer every criterion.
    """
    if not codes or not rows:
        return {}
    get = itemgetter(*codes) if len(codes) > 1 else (lambda row, code=codes[0]: (row[code],))
    table = []
    for row in rows:
        try:
            table.append(get(row))
        except KeyError:
            table.append(tuple([row.get(code, MISSING) for code in codes]))
    return {code: list(column) for code, column in zip(codes, zip(*table))}


def _documents_by_code(sub: Submission) -> dict[str, list[Any]]:
    """A unit's evidence files by the criteria they are attached to (looked up once per unit)."""
    out: dict[str, list[Any]] = {}
    for doc in sub.documents:
        for code in doc.criteria:
            out.setdefault(code, []).append(doc)
    return out


_NO_DOCUMENTS: Mapping[str, list[Any]] = MappingProxyType({})


class _Own:
    """Marks a unit whose result for a criterion is its own (never shared)."""


_SPELLED = {Decimal, type(None), type(MISSING)}  # keyed by str(): no two of these spell alike
_PLAIN = {bool, str, int}  # a column of one of these types is its own key (equal means same spelling)


def situation_keys(values: list[Any]) -> list[Any]:
    """Sharing keys of one column of answers or self-assessed points, made in C where the types allow.

    Equal keys must mean equal results: numbers are keyed by their spelling (1.50 is shown as
    declared, apart from 1.5; -0.0 apart from 0.0), and values of mixed types by type too (true is not 1).
    """
    kinds = set(map(type, values))
    if kinds <= _SPELLED:
        return list(map(spelling, values))  # Decimal spellings, None (N/A) and <missing> never meet
    if len(kinds) == 1 and kinds <= _PLAIN:
        return values
    return [((kind := v.__class__), spelling(v) if kind is Decimal or kind is float else v) for v in values]


def _frozen(key: Any) -> Any:
    """A sharing key holding a table (dict or list) answer: the table is keyed by its repr, which
    tells apart what results tell apart (1.50 from 1.5; keys in another order merely share less)."""
    kind = key.__class__
    if kind is tuple:
        return tuple(_frozen(v) for v in key)
    if kind is dict or kind is list:
        return (kind, spelling(key))
    try:
        hash(key)
    except TypeError:
        return (_Own, object())  # nothing to key it by: never shared
    return key


_ONE_KIND = frozenset({Decimal, str, int})  # within one of these types, equal keys mean the same spelling


def distinct_inputs(values: list[Any]) -> tuple[list[Any], list[int]]:
    """The distinct values of a rule's input column, and per value the slot of its distinct value.

    Rules are pure functions of (criterion, value), so scoring each distinct value once gives the
    same verdicts as scoring every unit. Numbers are told apart by spelling (75.00 and 75, or -0 and
    0, may score differently); unhashable inputs (tables) are passed as they are.
    """
    kinds = set(map(type, values))
    if len(kinds) == 1 and kinds <= _ONE_KIND:  # a column of one simple type (most): its keys made in C
        keys = list(map(spelling, values)) if Decimal in kinds else values
        order = dict.fromkeys(keys)  # the distinct keys, in the order they first come
        first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))  # each key's first place
        slot_of = dict(zip(order, range(len(order))))
        return [values[first[key]] for key in order], list(map(slot_of.__getitem__, keys))
    distinct: list[Any] = []
    where: dict[tuple[type, Any], int] = {}
    slots: list[int] = []
    for value in values:
        try:
            kind = type(value)
            key: tuple[type, Any] | None = (kind, spelling(value) if kind is Decimal or kind is float else value)
            found = where.get(key)  # type: ignore[arg-type]
        except TypeError:  # unhashable
            key, found = None, None
        if found is None:
            found = len(distinct)
            distinct.append(value)
            if key is not None:
                where[key] = found
        slots.append(found)
    return distinct, slots


class LeafColumn:
    """One criterion for every unit: the distinct results, and per unit the slot of its result."""

    __slots__ = ("table", "slots")

    def __init__(self, table: list[LeafResult], slots: list[int]) -> None:
        self.table = table
        self.slots = slots

    @property
    def results(self) -> list[LeafResult]:
        """Every unit's result, in the units' order (shared objects)."""
        return list(map(self.table.__getitem__, self.slots))

    def per_unit(self, values: list[Any]) -> Any:
        """Per-result values spread to units; one value when every result gives the same (spelling too)."""
        first = spelling(values[0])
        if all(spelling(v) == first for v in values):
            return values[0]
        return list(map(values.__getitem__, self.slots))


# An amount for every unit: one value when all units have the same, else a list with one per unit.
Amounts = Any


def add(x: Amounts, y: Amounts, plus: Callable[[Any, Any], Any] = int_add) -> Amounts:
    """x + y where either is one amount or one per unit; `plus` is exact Decimal addition or int `add`."""
    if type(x) is list:
        return list(map(plus, x, y)) if type(y) is list else [plus(v, y) for v in x]
    if type(y) is list:
        return [plus(x, v) for v in y]
    return plus(x, y)


def spread(value: Amounts, count: int) -> list[Any]:
    """One value per unit."""
    return value if type(value) is list else [value] * count  # type: ignore[no-any-return]


def mapped(values: Amounts, make: Callable[[Any], V]) -> Any:
    """`make` applied once per distinct value, spread back (results share objects, not work).

    Integers (points at a common scale, alone or first in a tuple whose other parts are spelled out)
    are distinct when they differ; Decimals are told apart by spelling, as JSON shows them.
    """
    if type(values) is not list:
        return make(values)
    first = values[0] if values else 0
    if type(first) is int or (type(first) is tuple and type(first[0]) is int):
        done = {v: make(v) for v in set(values)}
        return list(map(done.__getitem__, values))
    keys = list(map(spelling, values))
    made: dict[str, Any] = {}
    for key, value in zip(keys, values):
        if key not in made:
            made[key] = make(value)
    return list(map(made.__getitem__, keys))


class PerResult(Generic[K, V]):
    """`make(result)` once per distinct result object, for a consumer's one run over shared results.

    Shared results (`LeafResult`, `NodeResult`, gap losses) hash by identity, so a plain dictionary
    keyed by them holds one entry per distinct object — two equal but distinct results (1.5 and
    1.50 compare equal) are never mixed up — and looking up a unit's results is C-level work. The
    dictionary belongs to the consumer and is dropped with it; nothing is stored on the results.
    """

    __slots__ = ("_made", "_make")

    def __init__(self, make: Callable[[K], V]) -> None:
        self._made: dict[K, V] = {}
        self._make = make

    def __call__(self, item: K) -> V:
        found = self._made.get(item, _ABSENT)
        if found is _ABSENT:
            found = self._made[item] = self._make(item)
        return found  # type: ignore[no-any-return]

    def many(self, items: Sequence[K]) -> list[V]:
        """`make` of each item, in order; each distinct object made once."""
        made = self._made
        found = list(map(made.get, items, repeat(_ABSENT)))
        make = self._make
        find = found.index  # the items not made yet are found in C; with distinct answers, half a unit's
        i = -1
        while True:
            try:
                i = find(_ABSENT, i + 1)
            except ValueError:  # none left (only `find` is inside: an error of `make` is the caller's)
                return found
            item = items[i]  # made here, unless the same object came earlier in `items`
            f = made.get(item, _ABSENT)
            found[i] = made[item] = make(item) if f is _ABSENT else f

    def values(self) -> list[V]:
        """What was made so far, once per distinct object."""
        return list(self._made.values())

    def clear(self) -> None:
        """Drop what was made. A consumer whose `make` is its own method holds a reference cycle, which
        only a full collection would free; clearing gives its cache back at once."""
        self._made.clear()


_ABSENT: Any = object()


#: What tells values apart where results must differ: numbers by their spelling, as JSON shows them
#: (1.50 apart from 1.5, -0 apart from 0). Callers that may meet values of several types key by
#: (type, spelling), so True is not 1. The built-in itself, so that mapping it over a column stays
#: C-level work.
spelling = str

