"""Work done once per shared result is never shared between results that merely compare equal."""

from __future__ import annotations

from decimal import Decimal

from parrules.scoring.results import NodeResult
from parrules.scoring.sharing import PerResult, mapped, situation_keys


def test_equal_results_spelled_differently_are_made_for_separately() -> None:
    a = NodeResult("1", "Một", 0, Decimal(5), Decimal("2.5"), Decimal(1), None)
    b = NodeResult("1", "Một", 0, Decimal(5), Decimal("2.50"), Decimal(1), None)
    assert a == b  # by value, as Decimals compare
    shown = PerResult(lambda node: str(node.applicable_max))
    assert shown.many([a, b, a]) == ["2.5", "2.50", "2.5"]
    assert len(shown.values()) == 2


def test_situation_keys_tell_spellings_and_types_apart() -> None:
    keys = situation_keys([Decimal("1.5"), Decimal("1.50"), Decimal("1.5"), None])
    assert keys[0] == keys[2] and len({keys[0], keys[1], keys[3]}) == 3
    mixed = situation_keys([True, 1, Decimal(1), "1"])
    assert len(set(mixed)) == 4


def test_mapped_makes_once_per_spelling() -> None:
    calls: list[Decimal] = []
    out = mapped([Decimal("2.5"), Decimal("2.50"), Decimal("2.5")], lambda v: calls.append(v) or str(v))
    assert out == ["2.5", "2.50", "2.5"] and calls == [Decimal("2.5"), Decimal("2.50")]
