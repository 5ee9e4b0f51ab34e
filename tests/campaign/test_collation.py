"""Vietnamese alphabetical order: a hand-checked list, NFC/NFD, and ICU's Vietnamese collation as oracle."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from parrules.campaign.collation import ALPHABET, vietnamese_key

# Checked by hand against the rules a Vietnamese dictionary follows (letter by letter in the alphabet
# a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y; word by word; tones none, huyền, hỏi,
# ngã, sắc, nặng; then lower case before upper case: "Ma" before "mà"). Shuffled before sorting.
EXPECTED = [
    "an", "An Giang", "An Phú", "Anh Sơn", "ăn", "Ăn", "ân", "Ân Thi",
    "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Cư Jút", "Dương Minh Châu", "Đà Nẵng", "Đắk Glong", "Đắk Mil", "Đắk R'Lấp", "Đắk Song",
    "Gia Nghĩa", "Krông Nô", "ma", "Ma", "mà", "mả", "mã", "má", "mạ",
    "Phan Rang-Tháp Chàm", "Phan Thiết", "Quận 2", "Quận 10", "Quận 12", "Tuy Đức", "Yên Bái",
]


def test_a_hand_checked_list_sorts_as_a_vietnamese_reader_expects() -> None:
    shuffled = EXPECTED[:]
    random.Random(12).shuffle(shuffled)
    assert sorted(shuffled, key=vietnamese_key) == EXPECTED


@pytest.mark.parametrize(("before", "after"), [
    ("Đắk R'Lấp", "Tuy Đức"),  # code-point order puts Đ (U+0110) after every ASCII letter
    ("Dương", "Đà"), ("Dz", "Đa"),  # Đ is a letter after D, not a D with a stroke
    ("Az", "Ăa"), ("Ăz", "Âa"),  # Ă after A, Â after Ă: letters of their own
    ("Ozz", "Ôa"), ("Ôz", "Ơa"), ("Uz", "Ưa"), ("Ez", "Êa"),
    ("An Giang", "Anh"),  # word by word: a space before any letter
    ("Hoa", "Hòa"), ("Hòa", "Hỏa"), ("Hỏa", "Hõa"), ("Hõa", "Hóa"), ("Hóa", "Họa"),  # the tones in order
    ("hòa", "Hòa"),  # case last
    ("Quận 9", "Quận 10"),
])
def test_pairs(before: str, after: str) -> None:
    assert vietnamese_key(before) < vietnamese_key(after)


def test_nfc_and_nfd_are_the_same_name() -> None:
    for name in EXPECTED:
        assert vietnamese_key(unicodedata.normalize("NFD", name)) == vietnamese_key(name)


def test_different_texts_never_compare_equal_and_word_breaks_count_once() -> None:
    assert vietnamese_key("Phan Rang-Tháp")[:3] == vietnamese_key("Phan  Rang Tháp ")[:3]
    assert vietnamese_key("Phan Rang-Tháp") != vietnamese_key("Phan Rang Tháp")  # the text decides last
    assert vietnamese_key("Ea H'Leo")[:1] == vietnamese_key("Ea HLeo")[:1]  # an apostrophe is no letter


def _syllables(rng: random.Random, count: int) -> list[str]:
    """Random words of Vietnamese letters with random tones and cases (no apostrophe or hyphen, where
    we choose differently from ICU on purpose), composed or decomposed."""
    letters = [c for c in ALPHABET if c not in "fjwz"]
    tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    out = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(1, 3)):
            word = "".join(rng.choice(letters) for _ in range(rng.randint(1, 4)))
            at = rng.randrange(len(word))
            word = word[:at + 1] + rng.choice(tones) + word[at + 1:]
            words.append(word.capitalize() if rng.random() < 0.5 else word)
        text = " ".join(words) + (f" {rng.randint(0, 120)}" if rng.random() < 0.2 else "")
        out.append(unicodedata.normalize(rng.choice(["NFC", "NFD"]), text))
    return out


def test_the_same_order_as_icu_vietnamese_collation() -> None:
    """ICU's Vietnamese collator is the oracle. PyICU needs a compiler and libicu to install, so it is
    not a dependency: the order it gave is committed (`tests/fixtures/icu-vietnamese-order.txt`, with
    how it was made), and our key must give the same order for those names, given in any spelling."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "icu-vietnamese-order.txt"
    expected = [line for line in fixture.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert len(expected) > 2000
    rng = random.Random(7)
    given = [unicodedata.normalize(rng.choice(["NFC", "NFD"]), n) for n in expected]
    rng.shuffle(given)
    ours = [unicodedata.normalize("NFC", n) for n in sorted(given, key=vietnamese_key)]
    assert ours == expected
