"""The HTML report as a reader gets it: in a real headless browser at desktop and phone width and in
print, and as the markup the templates write.

The browser is Debian's Chromium driven by Playwright through `executable_path` (Playwright's own
browser download is not used). The session fixture installs Chromium when it is missing and we are
root (as on CI and the developer machines); otherwise the test fails with what to run — it never skips.
Screenshots and the printed PDF go to `$PARRULES_ARTEFACTS` when it is set, else to a folder of the
test run; each test that writes some prints where.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import parrules
from parrules.campaign.run import campaign_result, spec_for
from parrules.campaign.yoy import load_previous
from parrules.errors import OutputError
from parrules.messages import CORE, speaking
from parrules.reports import FOLDER_MARK, ReportFiles, render, write_files, write_report
from parrules.reports.common import ReportData
from parrules.reports.html import html_report, render_html

from ..campaign_data import SET, hand_set, split

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "parrules" / "reports" / "templates"
EVIL = "<script>alert(1)</script>"
CHROMIUM = "/usr/bin/chromium"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


# --- the campaigns ----------------------------------------------------------------------------------

def _sub(code: str, points: dict[str, str], *, name: str, kind: str = "department", period: int = 2024,
         appraisals: list[dict[str, Any]] | None = None) -> parrules.Submission:
    return parrules.submission_from_dict({
        "unit": {"code": code, "name": name, "kind": kind, "period": period},
        "self_assessment": {c: (p if p == "na" else Decimal(p)) for c, p in points.items()},
        "appraisals": appraisals or []})


def sample_campaign(tmp_path: Path) -> dict[str, Any]:
    """Two cohorts, last year's results, two appraisal rounds with the unit's explanation, a criterion
    the unit marks N/A, an incomplete unit, a unit named `<script>`, a name too long for one line."""
    text = SET.replace('name = "Tiêu chí 2.2"\nmax_points = 15\nrule = "manual"',
                       'name = "Tiêu chí 2.2"\nmax_points = 15\nrule = "manual"\nallow_na = true')
    criteria = hand_set(tmp_path, text)
    last = parrules.score_many(criteria, [
        _sub("A", split("70"), name="Sở Nội vụ", period=2023), _sub("B", split("83.55"), name="Sở Tư pháp", period=2023),
        _sub("X", split("76"), name=EVIL, period=2023),
        _sub("H", split("78"), name="Huyện Đắk Mil", kind="district", period=2023)])
    previous = tmp_path / "previous.json"
    parrules.write_atomic(previous, parrules.to_json(last.to_dict()))
    rounds = [{"code": "2.1", "points": Decimal("20"), "round": 1, "reason": "thiếu <b>kế hoạch</b>",
               "by": "Hội đồng thẩm định", "at": datetime.date(2024, 3, 5), "response": "đã bổ sung kế hoạch 12/KH"},
              {"code": "2.1", "points": Decimal("23.5"), "round": 2, "reason": "chấp nhận một phần giải trình",
               "by": "Tổ thư ký", "at": datetime.date(2024, 3, 20)}]
    missing = split("60")
    del missing["1.3"]
    na = split("80")
    na["2.2"] = "na"
    subs = [_sub("A", split("87.59"), name="Sở Nội vụ", appraisals=rounds), _sub("B", split("83.55"), name="Sở Tư pháp"),
            _sub("X", split("83.55"), name=EVIL),
            _sub("C", missing, name="Sở Kế hoạch và Đầu tư tỉnh, một tên rất dài để thử xuống dòng"),
            _sub("N", na, name="Sở Ngoại vụ"), _sub("D", split("62.25"), name="Sở Du lịch"),
            _sub("H", split("71.2"), name="Huyện Đắk Mil", kind="district"),
            _sub("R", split("90"), name="Huyện Đắk R'Lấp", kind="district")]
    spec = spec_for(criteria, id="mau", name="Chỉ số CCHC năm 2024 của các sở, huyện (mẫu)")
    return campaign_result(spec, criteria, subs, previous=load_previous(previous)).to_dict()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return sample_campaign(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def province() -> dict[str, Any]:
    """The shipped example campaign examples/province-2018 (63 provinces, last year through a revision)."""
    return parrules.run_campaign(parrules.load_campaign(ROOT / "examples" / "province-2018" / "campaign.toml")).to_dict()


def page(data: dict[str, Any], language: str = "vi") -> str:
    with speaking(language):
        return render_html(ReportData(data))


# --- the browser ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            lock = ["-o", "DPkg::Lock::Timeout=600"]
            subprocess.run(["apt-get", *lock, "update"], check=True, env=env, capture_output=True, timeout=900)
            subprocess.run(["apt-get", *lock, "install", "-y", "chromium"], check=True, env=env,
                           capture_output=True, timeout=1800)
        if not Path(CHROMIUM).exists():
            pytest.fail("the browser test needs Chromium from Debian's packages: run "
                        "`apt-get update && apt-get install -y chromium` as root", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser test needs Playwright: `.venv/bin/pip install -e '.[test]'` (the browser is "
                    "Debian's Chromium; do not run `playwright install`)", pytrace=False)
    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield found
        found.close()


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ["PARRULES_ARTEFACTS"]) if os.environ.get("PARRULES_ARTEFACTS") \
        else tmp_path_factory.mktemp("html-artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Visit:
    """A page opened in the browser, with every console message and page error it produced."""

    def __init__(self, browser: Any, path: Path, viewport: dict[str, int]) -> None:
        self.page = browser.new_page(viewport=viewport)
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.goto(path.as_uri())

    def __enter__(self) -> Visit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.page.close()


def _say(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print(f"\n{text}")


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.fixture(scope="module")
def sample_file(sample: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample-page") / "report.html"
    path.write_text(page(sample), encoding="utf-8")
    return path


def test_console_capture_sees_errors(browser, tmp_path) -> None:
    """The check below can fail: a page that logs an error or throws is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<p>x</p><script>console.error("hỏng"); missingFunction();</script>', encoding="utf-8")
    with Visit(browser, bad, DESKTOP) as visit:
        assert any("hỏng" in p for p in visit.problems)
        assert any("missingFunction" in p for p in visit.problems)


def test_desktop_renders_without_errors_and_shows_script_as_text(browser, sample_file, artefacts, capsys) -> None:
    with Visit(browser, sample_file, DESKTOP) as visit:
        p = visit.page
        assert visit.problems == []
        assert p.locator("script").count() == 0
        names = p.locator("table.ranking th.name a").all_inner_texts()
        assert EVIL in names and "Huyện Đắk Mil" in names  # the <script> name is text in the page
        assert p.locator("p.incomplete[role=alert]").inner_text().startswith("KẾT QUẢ CHƯA ĐẦY ĐỦ")
        # Field names head the heat map's columns, and the legend says what the colours mean.
        headers = p.locator("table.ranking th.field").all_inner_texts()
        assert any("Lĩnh vực một" in h for h in headers) and any("Lĩnh vực hai" in h for h in headers)
        assert "tỷ lệ điểm đạt được so với điểm tối đa" in p.locator("ul.legend").first.inner_text()
        # Following a unit's link opens its collapsed block.
        p.locator("table.ranking th.name a", has_text="Sở Nội vụ").click()
        assert p.locator("details.unit[open]").count() == 1
        assert "Thẩm định lần 2" in p.locator("details.unit[open]").inner_text()
        shot = artefacts / "sample-desktop.png"
        p.screenshot(path=str(shot), full_page=True)
    _say(capsys, f"HTML report screenshots in {artefacts}")
    assert shot.stat().st_size > 50_000


def test_phone_width_scrolls_the_table_not_the_page(browser, sample_file, artefacts) -> None:
    with Visit(browser, sample_file, PHONE) as visit:
        p = visit.page
        assert visit.problems == []
        assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the body does not overflow
        box = p.locator("table.ranking").first.locator("xpath=..")
        wide, shown = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert wide > shown  # the wide table scrolls inside its box
        name = p.locator("table.ranking th.name", has_text="Sở Tư pháp").first
        total = name.locator("xpath=following-sibling::td[1]")
        before, total_before = name.bounding_box(), total.bounding_box()
        box.evaluate("e => { e.scrollLeft = 300 }")
        after, total_after = name.bounding_box(), total.bounding_box()
        assert total_before["x"] - total_after["x"] > 250  # the table scrolled …
        assert abs(after["x"] - before["x"]) < 2  # … and the unit's name stayed in view (sticky)
        assert before["width"] >= 120  # and is not squeezed to a word per line
        long = p.locator("table.ranking th.name", has_text="tên rất dài").first.bounding_box()
        assert long["height"] < 6 * 20
        p.screenshot(path=str(artefacts / "sample-phone.png"), full_page=True)


def test_print_keeps_headings_with_their_content_and_units_whole(browser, sample_file, artefacts) -> None:
    with Visit(browser, sample_file, DESKTOP) as visit:
        p = visit.page
        p.emulate_media(media="print")
        style = p.evaluate("""() => {
            const get = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
            return {h2: get('h2', 'breakAfter'), h3: get('h3', 'breakAfter'), unit: get('details.unit', 'breakInside'),
                    body: get('main', 'maxWidth')};
        }""")
        assert style == {"h2": "avoid", "h3": "avoid", "unit": "avoid", "body": "none"}
        (artefacts / "sample-print.pdf").write_bytes(p.pdf(format="A4"))


def test_the_example_campaign_prints_in_a_few_pages(browser, province, tmp_path, artefacts, capsys) -> None:
    path = tmp_path / "province-2018.html"
    path.write_text(page(province), encoding="utf-8")
    with Visit(browser, path, DESKTOP) as visit:
        assert visit.problems == []
        visit.page.screenshot(path=str(artefacts / "province-2018-desktop.png"))
        visit.page.emulate_media(media="print")
        pdf = visit.page.pdf(format="A4")
    with Visit(browser, path, PHONE) as visit:
        assert visit.problems == []
        assert visit.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        visit.page.screenshot(path=str(artefacts / "province-2018-phone.png"))
    (artefacts / "province-2018-print.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    _say(capsys, f"examples/province-2018 HTML prints on {pages} A4 pages ({artefacts / 'province-2018-print.pdf'})")
    assert 2 <= pages <= 20  # the ranking, the charts and a line per unit — not the 538 pages of the old report


def test_a_report_that_is_a_folder_links_both_ways(browser, sample, tmp_path, artefacts) -> None:
    with speaking("vi"):
        files = html_report(ReportData(sample), one_file_up_to=0, page_up_to=1)
    assert isinstance(files, ReportFiles)
    main = write_files(files, tmp_path / "report")
    with Visit(browser, main, PHONE) as visit:
        p = visit.page
        assert visit.problems == []
        p.locator("table.ranking th.name a", has_text="Sở Nội vụ").click()
        p.wait_for_load_state()
        assert re.search(r"/units/\d{3}\.html#u\d+$", p.url)
        assert p.locator("details.unit[open]").count() == 1  # the link opened the unit's block
        assert "Giải trình của đơn vị: đã bổ sung kế hoạch 12/KH" in p.locator("details.unit[open]").inner_text()
        assert visit.problems == []
        p.screenshot(path=str(artefacts / "folder-detail-phone.png"))
        p.locator("header a").click()
        p.wait_for_load_state()
        assert p.url.endswith("/report/index.html")


# --- the markup ---------------------------------------------------------------------------------------

def _said_in_templates(folder: Path) -> set[tuple[str, str]]:
    """Every literal key given to `say(...)` in the templates (tests/messages/test_catalogue.py reads the Python code)."""
    found = set()
    for file in folder.glob("*.html"):
        for key in re.findall(r"""\bsay\(\s*["']([^"']+)["']""", file.read_text(encoding="utf-8")):
            found.add((file.name, key))
    return found


def test_every_key_the_templates_say_is_in_the_catalogue() -> None:
    used = _said_in_templates(TEMPLATES)
    assert len(used) > 50, "the scan found few say() calls: it would pass whatever the templates do"
    assert not sorted(f"{file}: {key}" for file, key in used if key not in CORE)


def test_every_html_key_of_the_catalogue_is_used() -> None:
    """A key no template or code says is a translation nobody reads: html.toml holds only what is shown."""
    defined = {key for key in CORE.keys() if key.startswith("html.")}  # noqa: SIM118 - a Catalogue has no __iter__
    said = {key for _, key in _said_in_templates(TEMPLATES)}
    said |= set(re.findall(r"""\bsay\(\s*["']([^"']+)["']""",
                           (ROOT / "parrules" / "reports" / "html.py").read_text(encoding="utf-8")))
    assert defined and not sorted(defined - said)


def test_the_template_scan_finds_a_missing_key(tmp_path) -> None:
    (tmp_path / "x.html").write_text("{{ say('html.no_such_key', n=1) }} {{ say(\"html.col.rank\") }}", encoding="utf-8")
    assert _said_in_templates(tmp_path) == {("x.html", "html.no_such_key"), ("x.html", "html.col.rank")}
    assert "html.no_such_key" not in CORE


class _Text(HTMLParser):
    """The text a reader sees (no markup, no style sheet); `why=False` leaves out the explanations the
    rules wrote (`<span class="why">`), to read only what the report itself writes."""

    def __init__(self, why: bool = True) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.why = why
        self.skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip or tag == "style" or (not self.why and ("class", "why") in attrs):
            self.skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str, *, why: bool = True) -> str:
    parser = _Text(why)
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def test_numbers_are_rounded_as_the_set_declares_in_the_readers_style(province, sample) -> None:
    for data in (province, sample):
        vi, en = visible_text(page(data, "vi")), visible_text(page(data, "en"))  # explanations too
        assert not re.findall(r"\d,\d{3,}", vi)  # no 57,142857…: at most the set's 2 decimals
        assert not re.findall(r"\d\.\d{3,}", en)
    vi, en = page(sample, "vi"), page(sample, "en")
    assert "83,55" in vi and "83.55" not in visible_text(vi)
    assert "83.55" in en and 'lang="en"' in en and "Ranking — departments" in en
    assert 'lang="vi"' in vi and "Xếp hạng — departments" in vi


def test_same_data_same_bytes(sample) -> None:
    assert page(sample) == page(sample)
    with speaking("vi"):
        first = html_report(ReportData(sample), one_file_up_to=0, page_up_to=1)
        second = html_report(ReportData(sample), one_file_up_to=0, page_up_to=1)
    assert isinstance(first, ReportFiles) and dict(first) == dict(second)


def test_everything_from_the_data_is_escaped(sample) -> None:
    html = page(sample)
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower() and "thiếu &lt;b&gt;kế hoạch&lt;/b&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html)  # one file: only in-page links
    assert "@import" not in html and "url(" not in html


def test_last_year_and_the_appraisal_trail_are_shown(sample) -> None:
    text = visible_text(page(sample))
    # Sở Nội vụ: 70,00 points and 3rd last year; index change in percentage points, labelled so.
    assert "Năm trước: 70,00 điểm, xếp hạng 3, xếp loại Nhóm C" in text
    assert "+16,09 điểm %" in text and "Chỉ số (điểm %)" in text and "tăng 1 bậc" in text
    assert "Thẩm định lần 1: 20,00 điểm; lý do: thiếu <b>kế hoạch</b>; người thẩm định: Hội đồng thẩm định; " \
           "ngày 05/03/2024" in text
    assert "Giải trình của đơn vị: đã bổ sung kế hoạch 12/KH" in text
    assert "Thẩm định lần 2: 23,50 điểm; lý do: chấp nhận một phần giải trình; người thẩm định: Tổ thư ký" in text
    assert "Không có kết quả năm trước để so sánh." in text  # Sở Du lịch was not assessed last year
    assert "Biến động so với năm trước" in text and "Xếp loại năm trước và năm nay" in text


def test_na_is_shown_as_such_never_as_zero(sample) -> None:
    html = page(sample)
    block = html[html.index("Sở Ngoại vụ</span>"):]
    block = block[:block.index("</details>")]
    row = next(r for r in block.split("<tr>") if r.startswith("<td>2.2</td>"))
    assert "không áp dụng" in row and "0,00" not in row


def test_bands_in_order_with_counts_and_share(sample) -> None:
    data = {**sample, "criteria_set": {**sample["criteria_set"],
                                       "bands": list(reversed(sample["criteria_set"]["bands"]))}}  # C, B, A
    html = page(data)
    chart = html[html.index('id="c1-bands-t"'):]
    chart = chart[:chart.index("</svg>")]
    labels = re.findall(r'<text x="0" y="\d+">([^<]+)</text>', chart)
    assert labels == ["Nhóm A", "Nhóm B", "Nhóm C", "Chưa đủ dữ liệu"]
    assert "4 đơn vị · 66,67 %" in chart  # 4 of the 6 departments


def test_without_last_year_there_are_no_empty_columns(province) -> None:
    assert province["year_over_year"] and '<td class="band">—</td>' not in page(province)  # 2017 had no bands
    data = {**province, "year_over_year": None, "units": [{**u, "yoy": None} for u in province["units"]]}
    text = visible_text(page(data))
    assert "Năm trước" not in text and "Biến động so với năm trước" not in text


def test_a_large_report_is_a_folder_of_pages_under_the_budget(sample, tmp_path) -> None:
    budget = 6_000
    with speaking("vi"):
        files = html_report(ReportData(sample), one_file_up_to=20_000, page_up_to=budget)
        whole = html_report(ReportData(sample))
    assert isinstance(whole, bytes)  # a small campaign stays one file
    assert isinstance(files, ReportFiles) and files.main == "index.html" and len(files) > 2
    main = files["index.html"].decode()
    assert 'id="c1"' in main and "<details" not in main  # the ranking here, the detail on its pages
    targets = {}
    for name in files:
        if name.startswith("units/"):
            detail = files[name].decode()
            blocks = detail.count("<details")
            assert len(detail.encode()) <= budget + 15_000 or blocks == 1  # the page frame, plus at most the budget
            targets.update({f"{name}#{a}": True for a in re.findall(r'id="(u\d+)"', detail)})
            assert 'href="../index.html"' in detail
    links = re.findall(r'<a href="(units/\d+\.html#u\d+)">', main)
    assert len(links) == len(sample["units"]) and all(link in targets for link in links)


def test_10000_units_give_no_file_over_25_mb(province) -> None:
    """Measured on the example: the main page grows by its ranking rows, the detail is paged."""
    with speaking("vi"):
        files = html_report(ReportData(province), one_file_up_to=0)
    assert isinstance(files, ReportFiles)
    per_unit = len(files["index.html"]) / len(province["units"])
    assert per_unit * 10_000 < 25 * 2**20
    assert max(len(files[name]) for name in files) <= 4 * 2**20 + 100_000


def test_render_refuses_a_folder_and_write_report_writes_it(sample, tmp_path) -> None:
    registry = parrules.Registry(entry_points=False)  # an html format that always makes a folder
    registry.report_formats["html"] = dataclasses.replace(
        registry.report_formats["html"],
        render=lambda data, **_: html_report(ReportData(data), one_file_up_to=0, page_up_to=1))
    with pytest.raises(OutputError, match="is a folder of"):
        render(sample, "html", registry=registry)
    opened = write_report(sample, "html", tmp_path / "out" / "mau.html", registry=registry)
    assert opened == tmp_path / "out" / "mau" / "index.html" and opened.is_file()
    assert (tmp_path / "out" / "mau" / FOLDER_MARK).is_file()
    stale = tmp_path / "out" / "mau" / "units" / "999.html"
    stale.write_text("old", encoding="utf-8")
    write_report(sample, "html", tmp_path / "out" / "mau.html", registry=registry)
    assert not stale.exists()  # written again as a whole: no page of an earlier run stays
    mine = tmp_path / "mine"
    (mine / "notes.txt").parent.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match="parrules did not write"):
        write_report(sample, "html", tmp_path / "mine.html", registry=registry)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("bad", ["/abs.html", "../up.html", "a/../../b.html", FOLDER_MARK, ""])
def test_report_files_stay_inside_their_folder(bad) -> None:
    with pytest.raises(parrules.PluginError):
        ReportFiles({"index.html": b"", bad: b"x"}, main="index.html")


def test_render_writes_in_the_language_asked_for(sample) -> None:
    """`render(..., language=)` enters the voice, so every format (a plugin's too) speaks it."""
    en, vi = render(sample, "html", language="en").decode(), render(sample, "html", language="vi").decode()
    assert 'lang="en"' in en and "Ranking — departments" in en and "83.55" in en
    assert 'lang="vi"' in vi and "Xếp hạng — departments" in vi and "83,55" in vi
