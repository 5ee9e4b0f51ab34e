"""`parrules doc`: every shipped set renders as the official table, complete, totalled and escaped."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

import parrules
from parrules.cli.main import main
from parrules.sets.official_table import method_text, render_html, render_markdown, vn

ROOT = Path(__file__).resolve().parents[2]
SETS = sorted((ROOT / "criteria_sets").glob("*.toml"))


class _Rows(HTMLParser):
    """Collects the table rows (code, cells) and whether any <script> slipped through."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.scripts = 0
        self._cells: list[str] | None = None
        self._code = ""
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag == "tr" and dict(attrs).get("data-code") is not None:
            self._code, self._cells = dict(attrs)["data-code"] or "", []
        if tag == "td" and self._cells is not None:
            self._cells.append("")
            self._in_cell = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._cells is not None:
            self.rows.append((self._code, self._cells))
            self._cells = None
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._cells is not None and self._in_cell:
            self._cells[-1] += data


def _md_rows(text: str) -> list[list[str]]:
    body = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| STT")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in body]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_markdown_has_every_node_in_order_and_the_total(path: Path) -> None:
    cs = parrules.load_criteria_set(path)
    text = render_markdown(cs)
    assert text.startswith(f"# {cs.meta.name}")
    assert cs.meta.legal_basis[0].number in text if cs.meta.legal_basis else True
    table = _md_rows(text)
    codes = [row[0].strip("*") for row in table[:-1]]
    assert codes == [node.code for node in cs.walk()]
    for row, node in zip(table, cs.walk()):
        assert row[2] == vn(node.max_points), node.code
        if node.is_leaf:
            assert row[3], f"leaf {node.code} has no scoring method"
    assert table[-1][1] == "**TỔNG CỘNG**" and table[-1][2] == f"**{vn(cs.meta.total_points)}**"
    fields = sum((Decimal(row[2].replace(",", ".")) for row in table[:-1] if row[0].startswith("**")), Decimal(0))
    assert fields == cs.meta.total_points


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_html_is_one_page_with_every_leaf(path: Path) -> None:
    cs = parrules.load_criteria_set(path)
    page = render_html(cs)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<link" not in page and "src=" not in page  # self-contained
    parser = _Rows()
    parser.feed(page)
    assert [code for code, _ in parser.rows] == [node.code for node in cs.walk()]
    by_code = dict(parser.rows)
    for code in cs.leaves:
        node = cs.nodes[code]
        cells = by_code[code]
        assert cells[1] == node.name and cells[2] == vn(node.max_points)
        assert cells[3] == method_text(node)
    assert f'<td class="pts">{vn(cs.meta.total_points)}</td>' in page


def test_2018_doc_shows_provenance_and_the_inferred_band() -> None:
    cs = parrules.load_criteria_set(ROOT / "criteria_sets" / "par-province-2018.toml")
    text = render_markdown(cs)
    assert "Nhóm A (từ 80% trở lên) (suy luận, chưa được công bố)" in text
    rows = {row[0].strip("*"): row for row in _md_rows(text)}
    assert rows["1"][5].startswith("Chép từ nguồn")
    assert rows["3.3.1"][5] == "Mô hình"
    assert "Từ 98% trở lên: 2,5 điểm" in rows["3.3.1"][3] or "từ 98% trở lên: 2,5 điểm" in rows["3.3.1"][3]


def test_generated_method_follows_the_rule(make_set) -> None:
    cs = make_set("""
        [criteria."1"]
        name = "Hồ sơ đúng hạn"
        max_points = 10
        rule = "bands"
        bands = [{ below = 90, points = 0 }, { from = 90, below = 98, points = 5 }, { from = 98, points = 10 }]
    """)
    assert method_text(cs.nodes["1"]) == "Từ 98% trở lên: 10 điểm; từ 90% đến dưới 98%: 5 điểm; dưới 90%: 0 điểm"


def test_everything_from_the_set_is_escaped(make_set) -> None:
    cs = make_set("""
        [criteria."1"]
        name = "<script>alert(1)</script> & \\"quotes\\""
        max_points = 10
        rule = "yes_no"
        method = "<img src=x onerror=alert(1)>"
        evidence = ["<b>bold</b>"]
    """, head='description = "<iframe>"\nsources = ["</table><script>x</script>"]\n')
    page = render_html(cs)
    parser = _Rows()
    parser.feed(page)
    assert parser.scripts == 0
    assert "<img" not in page and "<iframe>" not in page and "<b>bold" not in page
    assert parser.rows[0][1][1] == '<script>alert(1)</script> & "quotes"'  # shown as text
    assert "<script>" not in render_markdown(cs)


def test_cli_writes_html_for_a_shipped_set_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "doc.html"
    assert main(["doc", "par-province-2948", "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "2948/QĐ-BNV" in page and page.count('data-code="') == len(
        parrules.load_criteria_set(ROOT / "criteria_sets" / "par-province-2948.toml").nodes)
    assert main(["doc", str(ROOT / "examples" / "first-set" / "criteria.toml")]) == 0
    assert "| **TỔNG CỘNG** | **20** |" in capsys.readouterr().out
