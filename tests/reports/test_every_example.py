"""Every report of every example campaign, in Vietnamese: no catalogue key shown instead of its text,
and no number with more decimals than the set declares (#12's proof)."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from parrules.campaign.run import load_campaign, run_campaign
from parrules.messages import CORE, speaking
from parrules.reports import render

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/campaign.toml"))
# In Vietnamese the decimal sign is a comma and the point groups thousands: 1.234,5.
_VI_DECIMALS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})*,(\d+)(?![\d.,])")
_KEY = re.compile(r"\b(?:" + "|".join(sorted({k.split(".")[0] for k in CORE.keys()})) + r")\.[a-z_]+(?:\.[a-z_]+)*\b")  # noqa: SIM118 - a Catalogue, not a dict


def _texts(data: dict, fmt: str) -> list[str]:
    out = render(data, fmt)
    if fmt == "docx":
        document = docx.Document(io.BytesIO(out))
        return [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]
    if fmt == "xlsx":  # the text of every cell, shared or inline
        with zipfile.ZipFile(io.BytesIO(out)) as book:
            xml = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/") and n.endswith(".xml"))
        return [html.unescape(t) for t in re.findall(r"<t(?: [^>]*)?>([^<]*)</t>", xml)]
    text = out.decode("utf-8-sig")
    if fmt == "html":  # what a reader sees: no style sheet, no markup
        text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", text, flags=re.S)))
    return [text]


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.parent.name)
def example(request) -> dict:
    with speaking("vi"):
        result = run_campaign(load_campaign(request.param))
    return json.loads(result.to_json(), parse_float=Decimal)


@pytest.mark.parametrize("fmt", ["csv", "md", "html", "xlsx", "docx"])
def test_no_key_and_no_number_finer_than_the_set(example: dict, fmt: str) -> None:
    cs = example["criteria_set"]
    allowed = max(cs["decimals"], cs["percent_decimals"])
    with speaking("vi"):
        texts = _texts(example, fmt)
    joined = "\n".join(texts)
    assert joined.strip()
    keys = [k for k in _KEY.findall(joined) if k in CORE]
    assert not keys, keys[:5]
    too_fine = [m.group(0) for t in texts for m in _VI_DECIMALS.finditer(t) if len(m.group(1)) > allowed]
    assert not too_fine, too_fine[:5]


def test_the_scan_finds_what_it_looks_for() -> None:
    assert [m.group(1) for m in _VI_DECIMALS.finditer("57,14285714 % và 1.234,5 điểm; 05/03/2024")] == ["14285714", "5"]
    assert _KEY.findall("Cột report.col.total bị lộ") == ["report.col.total"]
