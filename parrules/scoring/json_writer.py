"""Results as JSON, written fast: each distinct result serialised once, each number once per spelling.

Units share leaf and node results (see `parrules.scoring.sharing`), so a run of 10,000 units has far
fewer distinct results than units × criteria. `RawJson` holds the raw JSON of the pieces one output
repeats — numbers, short texts, leaves, nodes — made once per distinct object, in caches it owns for
that one output; a unit's JSON is then joined from those pieces. The campaign JSON
(`parrules.campaign.json_writer`) and the run JSON of `parrules score --format json`
(`run_json_chunks`) are both written this way: building a dict per unit and leaf for a general
serialiser, which calls back into Python for every Decimal, cost more than the scoring.

The run JSON is exactly the bytes of `to_json(run.to_dict())` — indented by two spaces, sorted keys,
exact decimals — so what a user reads and diffs does not depend on which path wrote it;
`tests/scoring/test_json_writer.py` compares the two.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from parrules.files.writing import decimal_json, json_default
from parrules.scoring.sharing import PerResult, spelling

if TYPE_CHECKING:
    from parrules.scoring.results import LeafResult, NodeResult, RunResult, UnitResult

_COMPACT = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
_INDENTED = _COMPACT | orjson.OPT_INDENT_2
_SIMPLE = frozenset({str, bool, Decimal})  # declared values written here without a general serialiser


def kept(data: bytes) -> bytes:
    """`data` copied to a buffer of its own size, for a cache that keeps it.

    orjson's result keeps the 4 KiB buffer it started with: 200,000 cached results of 231 bytes held
    800 MiB of memory, their copies 67 MiB.
    """
    return bytes(memoryview(data))


class RawJson:
    """Raw JSON of numbers, texts and shared results, each made once while one output is written."""

    def __init__(self) -> None:
        self._numbers: dict[str, bytes] = {}  # a number's JSON text by its spelling
        self._fragments: dict[str, Any] = {}  # the same as orjson Fragments, for the general serialiser
        self._texts: dict[Any, bytes] = {}  # codes, statuses, stages, bands: a few strings, many times
        self._compact_leaves: PerResult[LeafResult, bytes] = PerResult(self._compact_leaf)
        self._compact_nodes: PerResult[NodeResult, bytes] = PerResult(self._compact_node)
        # leaf templates by criterion: compact with a declared figure, compact without, and full
        self._figure_templates: dict[str, bytes] = {}
        self._plain_templates: dict[str, bytes] = {}
        self._full_templates: dict[str, tuple[Decimal, bytes]] = {}

    # -- numbers and texts --------------------------------------------------------------------------
    def number(self, value: Decimal | None) -> bytes:
        """A Decimal as exact JSON text (1.50 stays 1.50), as `to_json` writes it; None as null."""
        if value is None:
            return b"null"
        key = spelling(value)
        found = self._numbers.get(key)
        if found is None:
            found = self._numbers[key] = decimal_json(value).encode()
        return found

    def _fragment(self, value: Any) -> Any:
        """orjson's `default`: a Decimal as a cached Fragment of its text; anything else as `to_json` does."""
        if type(value) is not Decimal:
            return json_default(value)
        key = spelling(value)
        found = self._fragments.get(key)
        if found is None:
            found = self._fragments[key] = orjson.Fragment(self.number(value))
        return found

    def text(self, value: str | None) -> bytes:
        """A short text written many times (a code, a status, a band), as JSON, made once."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = orjson.dumps(value)
        return found

    def dumps(self, data: Any, *, indent: bool = False) -> bytes:
        """`to_json(data, indent=indent)` without the final newline, Decimals from the cache."""
        return orjson.dumps(data, default=self._fragment, option=_INDENTED if indent else _COMPACT)

    def forget(self) -> None:
        """Drop every cache once the output is written: they are held in cycles (each cache's `make` is a
        method of this writer), which only a full collection would free — hundreds of MB of JSON pieces."""
        for cache in (self._numbers, self._fragments, self._texts, self._figure_templates, self._plain_templates,
                      self._full_templates):
            cache.clear()
        for item in vars(self).values():
            if isinstance(item, PerResult):
                item.clear()

    def value(self, value: Any) -> bytes | None:
        """A declared or verified value of a simple kind (a number, yes/no, a text) as JSON, or None
        for one that needs the general serialiser (a table, a date)."""
        kind = value.__class__
        if kind is Decimal:  # not cached: a unit's own figure, and a shared leaf is written once anyway
            spelled = spelling(value)  # most are fractions written out (73.1234): JSON as they are
            if spelled[-1] != "0" and "." in spelled and "E" not in spelled:
                return spelled.encode()
            return decimal_json(value).encode()
        if kind is bool:
            return b"true" if value else b"false"
        if kind is str:
            return orjson.dumps(value)
        return None

    # -- the campaign format's leaves and nodes ------------------------------------------------------
    def compact_leaves(self, leaves: tuple[LeafResult, ...]) -> bytes:
        """A unit's leaves in the campaign format, joined (`LeafResult.to_dict(compact=True)` each)."""
        return b",".join(self._compact_leaves.many(leaves))

    def compact_nodes(self, nodes: tuple[NodeResult, ...]) -> bytes:
        return b",".join(self._compact_nodes.many(nodes))

    def _compact_node(self, node: NodeResult) -> bytes:
        num = self.number
        return b'{"applicable_max":%b,"code":%b,"percent":%b,"points":%b}' % (
            num(node.applicable_max), self.text(node.code), num(node.percent), num(node.points))

    def _compact_leaf(self, leaf: LeafResult) -> bytes:
        """`LeafResult.to_dict(compact=True)` as JSON, keys in sorted order; a leaf with appraisals,
        flags, an error or a table goes through the general serialiser."""
        declared, computed, final = leaf.declared, leaf.computed_points, leaf.final_points
        figure = declared.__class__ is Decimal
        stage = leaf.final_stage
        if (figure or declared is None) and computed is not None and final is not None and leaf.self_points is None \
                and stage is not None and leaf.error is None and leaf.verified is None \
                and not leaf.appraisals and not leaf.flags:
            # the shape of most leaves (the rule scored a figure): the criterion's template, its code filled in;
            # the few numbers, stages and statuses looked up here, not through `number` and `text`
            templates = self._figure_templates if figure else self._plain_templates
            template = templates.get(leaf.code)
            if template is None:
                template = templates[leaf.code] = _filled(_COMPACT_DECLARED if figure else _COMPACT_PLAIN,
                                                          {0: self.text(leaf.code)})
            numbers, texts = self._numbers, self._texts
            said = numbers.get(spelling(computed)) or self.number(computed)
            final_said = said if final is computed else (numbers.get(spelling(final)) or self.number(final))
            status = leaf.status
            stage_said = texts.get(stage) or self.text(stage)
            status_said = texts.get(status) or self.text(status)
            if figure:  # a unit's own figure: not cached, and a shared leaf is written once anyway
                return template % (said, self.value(declared), orjson.dumps(leaf.explanation), final_said,
                                   stage_said, status_said)
            return template % (said, orjson.dumps(leaf.explanation), final_said, stage_said, status_said)
        if leaf.appraisals or leaf.flags or leaf.error is not None or leaf.verified is not None or (
                declared is not None and declared.__class__ not in _SIMPLE):
            return kept(self.dumps(leaf.to_dict(compact=True)))
        num = self.number
        parts = [b'{"code":', self.text(leaf.code)]
        if computed is not None:
            parts += (b',"computed_points":', num(computed))
        if declared is not None:
            parts += (b',"declared":', self.value(declared))  # type: ignore[list-item]
        parts += (b',"explanation":', orjson.dumps(leaf.explanation))
        if final is not None:
            parts += (b',"final_points":', num(final))
        if leaf.final_stage is not None:
            parts += (b',"final_stage":', self.text(leaf.final_stage))
        if leaf.self_points is not None:
            parts += (b',"self_points":', num(leaf.self_points))
        parts += (b',"status":', self.text(leaf.status), b"}")
        return b"".join(parts)


def _filled(template: bytes, values: dict[int, bytes]) -> bytes:
    """`template` with some of its `%b` fields filled in (by their place) and the others left for `%`."""
    pieces = template.split(b"%b")
    fields = [values[i].replace(b"%", b"%%") if i in values else b"%b" for i in range(len(pieces) - 1)]
    return pieces[0] + b"".join(field + piece for field, piece in zip(fields, pieces[1:]))


_COMPACT_PLAIN = (b'{"code":%b,"computed_points":%b,"explanation":%b,"final_points":%b,"final_stage":%b,'
                  b'"status":%b}')
_COMPACT_DECLARED = (b'{"code":%b,"computed_points":%b,"declared":%b,"explanation":%b,"final_points":%b,'
                     b'"final_stage":%b,"status":%b}')

# `LeafResult.to_dict()` with no appraisals and no flags, as orjson writes it indented, 8 spaces in.
_FULL_LEAF = b"""{
          "appraisals": [],
          "code": %b,
          "computed_points": %b,
          "declared": %b,
          "error": %b,
          "explanation": %b,
          "final_points": %b,
          "final_stage": %b,
          "flags": [],
          "max_points": %b,
          "self_points": %b,
          "status": %b,
          "verified": %b
        }"""

_NODE = b"""{
          "applicable_max": %b,
          "code": %b,
          "depth": %b,
          "max_points": %b,
          "name": %b,
          "percent": %b,
          "points": %b
        }"""

# A unit of the run JSON, 4 spaces in, keys in sorted order (UnitResult.to_dict has the same keys).
_UNIT = b"""{
      "applicable_max": %b,
      "band": %b,
      "base_points": %b,
      "bonus_points": %b,
      "incomplete": %b,
      "index": %b,
      "leaves": %b,
      "nodes": %b,
      "penalty_points": %b,
      "provenance": %b,
      "total_points": %b,
      "unit": %b,
      "warnings": %b
    }"""


def _compact(template: bytes) -> bytes:
    """An indented template without its indentation: the same JSON as orjson writes it compact."""
    return re.sub(rb"\n *", b"", template).replace(b'": ', b'":')


class RunJson(RawJson):
    """The run JSON (`RunResult.to_dict()`) from raw JSON of each distinct result, indented by two
    spaces or compact, as `to_json(..., indent=...)` writes it."""

    def __init__(self, *, indent: bool = False) -> None:
        super().__init__()
        self.indent = indent
        self._leaf_template = _FULL_LEAF if indent else _compact(_FULL_LEAF)
        self._node_template = _NODE if indent else _compact(_NODE)
        self._unit_template = _UNIT if indent else _compact(_UNIT)
        # how items of a unit's lists are put together, and values nested in a unit
        self._open, self._comma, self._close = (b"[\n        ", b",\n        ", b"\n      ]") if indent \
            else (b"[", b",", b"]")
        self._leaves: PerResult[LeafResult, bytes] = PerResult(self.full_leaf)
        self._nodes: PerResult[NodeResult, bytes] = PerResult(self._node)
        # Provenance by value: equal stamps write the same JSON.
        self._provenances: PerResult[Any, bytes] = PerResult(lambda item: kept(self._nested(item.to_dict())))

    def _nested(self, data: Any, spaces: bytes = b"\n      ") -> bytes:
        """A value as it stands in a unit (6 spaces in) or a unit's list (8 spaces in)."""
        if not self.indent:
            return self.dumps(data)
        return self.dumps(data, indent=True).replace(b"\n", spaces)

    def full_leaf(self, leaf: LeafResult) -> bytes:
        """`LeafResult.to_dict()` as JSON, as an item of a unit's leaves; a leaf with appraisals, flags
        or a table goes through the general serialiser."""
        declared, verified = leaf.declared, leaf.verified
        if leaf.appraisals or leaf.flags or (declared is not None and declared.__class__ not in _SIMPLE) or (
                verified is not None and verified.__class__ not in _SIMPLE):
            return kept(self._nested(leaf.to_dict(), b"\n        "))
        num, text = self.number, self.text
        found = self._full_templates.get(leaf.code)
        if found is None or found[0] is not leaf.max_points:  # the criterion's code and maximum filled in
            found = self._full_templates[leaf.code] = (
                leaf.max_points, _filled(self._leaf_template, {0: text(leaf.code), 7: num(leaf.max_points)}))
        computed, final = leaf.computed_points, leaf.final_points
        numbers, texts = self._numbers, self._texts  # looked up here: the few numbers, stages and statuses
        said = b"null" if computed is None else (numbers.get(spelling(computed)) or num(computed))
        stage, status = leaf.final_stage, leaf.status
        return found[1] % (
            said, b"null" if declared is None else self.value(declared),
            b"null" if leaf.error is None else orjson.dumps(leaf.error), orjson.dumps(leaf.explanation),
            said if final is computed else num(final), texts.get(stage) or text(stage),
            b"null" if leaf.self_points is None else num(leaf.self_points),
            texts.get(status) or text(status), b"null" if verified is None else self.value(verified))

    def _node(self, node: NodeResult) -> bytes:
        num = self.number
        return self._node_template % (num(node.applicable_max), self.text(node.code), b"%d" % node.depth,
                                      num(node.max_points), self.text(node.name), num(node.percent),
                                      num(node.points))

    def _items(self, items: list[bytes]) -> bytes:
        return self._open + self._comma.join(items) + self._close if items else b"[]"

    def unit(self, unit: UnitResult) -> bytes:
        """One unit's entry: the same as `to_json(unit.to_dict())` would write it inside the run."""
        num = self.number
        return self._unit_template % (
            num(unit.applicable_max), self.text(unit.band), num(unit.base_points), num(unit.bonus_points),
            self._nested(unit.incomplete_dict()) if unit.incomplete else b"[]", num(unit.index),
            self._items(self._leaves.many(unit.leaves)), self._items(self._nodes.many(unit.nodes)),
            num(unit.penalty_points), self._provenances(unit.provenance), num(unit.total_points),
            self._nested(unit.unit.to_dict()), self._nested(list(unit.warnings)) if unit.warnings else b"[]",
        )


def run_json_chunks(result: RunResult, *, indent: bool = False, batch: int = 100) -> Iterator[bytes]:
    """The run JSON, `to_json(result.to_dict(), indent=indent)`, in pieces of whole units that join to it."""
    writer = RunJson(indent=indent)
    if not result.units:
        yield writer.dumps(result.to_dict(), indent=indent) + b"\n"
        return
    marker = b'"' + secrets.token_hex(16).encode() + b'"'  # where the units go
    head, tail = writer.dumps(result.to_dict(units=orjson.Fragment(marker)), indent=indent).split(marker)
    start, comma, end = (b"[\n    ", b",\n    ", b"\n  ]") if indent else (b"[", b",", b"]")
    yield head + start
    units = result.units
    try:
        for first in range(0, len(units), batch):
            if first:
                yield comma
            yield comma.join([writer.unit(u) for u in units[first:first + batch]])
    finally:
        writer.forget()
    yield end + tail + b"\n"
