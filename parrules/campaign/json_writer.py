"""The campaign JSON, written fast: each unit's entry is put together from raw JSON of shared results.

A campaign's units share leaf and node results (see `parrules.scoring.sharing`), so there are far
fewer distinct results, and gap losses, than units × criteria. Each distinct one is serialised once,
in caches this writer owns for one campaign (`parrules.scoring.json_writer.RawJson`, which also
writes the run JSON), and a unit's entry is one bytes template filled with those pieces and a few
small `orjson` calls: building a dict per unit for a general serialiser cost more than all the scoring.

The bytes are exactly those of `to_json(CampaignResult.to_dict(), indent=False)` (sorted keys,
exact decimals); `tests/campaign/test_campaign.py` and `tests/scoring/test_columnwise.py` compare them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from parrules.scoring.json_writer import RawJson, kept
from parrules.scoring.sharing import PerResult

if TYPE_CHECKING:
    from parrules.campaign.gaps import GapAnalysis, Target
    from parrules.campaign.ranking import Placing
    from parrules.campaign.run import CampaignResult

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
# A unit's entry, keys in sorted order as orjson writes them (CampaignResult.unit_entry has the same keys).
_UNIT = (b'{"applicable_max":%b,"band":%b,"base_points":%b,"bonus_points":%b,"gaps":%b,"incomplete":%b,"index":%b,'
         b'"leaves":[%b],"nodes":[%b],"penalty_points":%b,"placing":%b,"provenance":%b,"total_points":%b,'
         b'"unit":%b,"warnings":%b,"yoy":%b}')
_GAPS = b'{"losses":[%b],"next_band":%b,"next_rank":%b}'
_LOSS = b'{"code":%b,"lost":%b}'
_TARGET = (b'{"criteria":%b,"gain":%b,"kind":%b,"label":%b,"needed_index":%b,"reachable":%b,'
           b'"resulting_index":%b}')


def campaign_json_chunks(result: CampaignResult, batch: int = 200) -> Iterator[bytes | memoryview]:
    """The campaign JSON in pieces (whole units each) that join to the full document."""
    writer = _Writer()
    marker = b'"' + secrets.token_hex(16).encode() + b'"'  # where the units go
    head, tail = writer.dumps(result.to_dict(units=orjson.Fragment(marker))).split(marker)
    yield head + b"["
    placings = result.ranking.placings
    try:
        for start in range(0, len(placings), batch):
            if start:
                yield b","
            yield b",".join([writer.unit(result, p) for p in placings[start:start + batch]])
    finally:
        writer.forget()
    yield b"]" + tail + b"\n"


class _Writer(RawJson):
    """Raw JSON of numbers and shared results, each made once while one campaign is written."""

    def __init__(self) -> None:
        super().__init__()
        self._losses: PerResult[Any, bytes] = PerResult(
            lambda loss: _LOSS % (self.text(loss.code), self.number(loss.lost)))  # Loss.to_dict(brief=True)
        # Provenance hashes by value: equal stamps write the same JSON.
        self._provenances: PerResult[Any, bytes] = PerResult(lambda item: kept(self.dumps(item.to_dict())))

    def _gaps(self, gap: GapAnalysis | None) -> bytes:
        if gap is None:
            return b"null"
        return _GAPS % (b",".join(self._losses.many(gap.losses)), self._target(gap.next_band), self._target(gap.next_rank))

    def _target(self, target: Target | None) -> bytes:
        """Target.to_dict() as raw JSON."""
        if target is None:
            return b"null"
        num = self.number
        return _TARGET % (orjson.dumps(target.criteria), num(target.gain), self.text(target.kind),
                          self.text(target.label), num(target.needed_index), b"true" if target.reachable else b"false",
                          num(target.resulting_index))

    def unit(self, result: CampaignResult, placing: Placing) -> bytes:
        """One unit's entry: the same as `dumps(result.unit_entry(placing))`."""
        unit = placing.unit
        num, dumps = self.number, self.dumps
        code = unit.unit.code
        change = result.yoy.units.get(code) if result.yoy else None
        return _UNIT % (
            num(unit.applicable_max), self.text(unit.band), num(unit.base_points), num(unit.bonus_points),
            self._gaps(result.gaps.get(code)), dumps(unit.incomplete_dict()) if unit.incomplete else b"[]",
            num(unit.index), self.compact_leaves(unit.leaves), self.compact_nodes(unit.nodes),
            num(unit.penalty_points), dumps(placing.to_dict()), self._provenances(unit.provenance),
            num(unit.total_points),
            dumps(unit.unit.to_dict()), dumps(unit.warnings) if unit.warnings else b"[]",
            b"null" if change is None else dumps(change.to_dict()),
        )
