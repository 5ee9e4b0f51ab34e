"""The year's work in a real browser: Debian's Chromium driven by Playwright (`executable_path`, the
helpers of tests/reports/test_html_browser.py), against a throw-away service on the loopback with the
example campaign (63 provinces, the 2018 central set of 76 leaves).

A clerk logs in, fills the self-assessment (the score updating as they type) and attaches evidence;
the chair closes the phase; an appraiser scores round 1 with a reason; the clerk explains; round 2;
the clerk explains round 2's deduction (counted on the council's dashboard); the chair publishes; the public ranking shows every province's figures as the library computes them
from the same inputs (the example's files with the same changes, run by `parrules.run_campaign`).
On the way: screenshots at desktop and phone width, no console errors, axe-core finds no serious or
critical violation, and a clerk opening another unit's page is refused. The page's serving time and
the time from a changed answer to its new score on the page are printed (p95), not asserted.
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import parrules
from parrules.messages.numbers import format_number

from ...reports.test_html_browser import DESKTOP, PHONE
from .conftest import CAMPAIGN, EXAMPLE, PASSWORD, ROOT, Served, campaign_phase

UNIT, OTHER = "01", "94"
LEAF = "1.1.2"  # bands on a rate: from 100 % → 1, 80–100 % → 0,5, below 80 % → 0
OTHER_LEAF = "1.4.2"  # saved from two tabs at once
EVIL = "<script>alert(1)</script>"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _say(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print(f"\n{text}", file=sys.stderr)


def leaf_of(page: Any, code: str) -> Any:
    return page.locator(f"section.leaf[data-code='{code}']")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


class Tab:
    """A page of one person's browser context, with every console error and page error it produced."""

    def __init__(self, chrome: Any, served: Served, viewport: dict[str, int]) -> None:
        self.context = chrome.new_context(viewport=viewport, base_url=served.url)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))

    def login(self, username: str) -> None:
        self.page.goto("/login")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_url("**/home")

    def close(self) -> None:
        self.context.close()


def axe_serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} nodes"
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def advance(chrome: Any, served: Served, to: str) -> None:
    chair = Tab(chrome, served, DESKTOP)
    chair.login("chair")
    chair.page.goto(f"/c/{CAMPAIGN}/council")
    chair.page.locator("#next-phase").click()
    chair.page.wait_for_url("**/council?done=phase")
    assert campaign_phase(served) == to
    assert not chair.problems, chair.problems
    chair.close()


def fully_appraised(round: int) -> int:
    """How many of the example's units have a round's points on all 76 criteria (from its files)."""
    import tomllib

    count = 0
    for path in (EXAMPLE.parent / "submissions").glob("*.toml"):
        data = tomllib.loads(path.read_text("utf-8"))
        count += len({a["code"] for a in data.get("appraisals", []) if a["round"] == round}) >= 76
    return count


def expected_results(tmp: Path, answers: list[str]) -> dict[str, Any]:
    """The campaign as the library scores it from the example's own files, with the browser's changes."""
    import tomllib

    folder = tmp / "examples" / "province-2018"
    shutil.copytree(EXAMPLE.parent, folder)
    (tmp / "criteria_sets").mkdir()
    shutil.copy(ROOT / "criteria_sets" / "par-province-2018.toml", tmp / "criteria_sets")
    source = folder / "submissions" / f"{UNIT}.toml"
    data = tomllib.loads(source.read_text("utf-8"), parse_float=Decimal)
    data["answers"][LEAF] = Decimal(answers[-1])
    data["answers"][OTHER_LEAF] = Decimal("90")  # the phone's value, kept over the desktop's by the clerk
    data["self_assessment"][LEAF] = Decimal("1")
    data.setdefault("appraisals", []).extend([
        {"code": LEAF, "round": 1, "points": Decimal("0.5"), "reason": EVIL},
        {"code": LEAF, "round": 2, "points": Decimal("0.75"), "reason": "chấp nhận một phần giải trình"}])
    source.unlink()
    parrules.write_atomic(folder / "submissions" / f"{UNIT}.json", parrules.to_json(data))
    return parrules.run_campaign(parrules.load_campaign(folder / "campaign.toml")).to_dict()


def test_the_year_in_a_browser(browser: Any, served: Served, artefacts: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    clerk = Tab(browser, served, DESKTOP)
    clerk.login(f"clerk-{UNIT}")
    home = clerk.page.locator("main")
    assert "Cần làm: tự đánh giá" in home.inner_text() and "Hạn chót: 17:00 10/01/2099" in home.inner_text()
    assert "<b>" in clerk.page.locator(".who").inner_text()  # the display name is shown as text, escaped

    # the self-assessment page: served time (Navigation Timing, first byte asked → last byte received)
    served_ms = []
    for _ in range(21):
        clerk.page.goto(f"/c/{CAMPAIGN}/units/{UNIT}")
        served_ms.append(clerk.page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0]; return n.responseEnd - n.requestStart; }"))
    leaves = clerk.page.locator("section.leaf").count()
    assert leaves == 76

    # typing an answer: the new score shown (from the change to the page updated)
    leaf = clerk.page.locator(f"section.leaf[data-code='{LEAF}']")
    answer = leaf.locator("[data-part='answer']")
    typed = ["85", "70", "100", "95,5", "79.99", "100"] * 3 + ["60", "100"]
    shown = []
    for i, value in enumerate(typed, 1):
        answer.fill(value)
        answer.press("Tab")
        clerk.page.wait_for_function(f"() => window.parrulesTimings.length >= {i}")
        shown.append(leaf.locator(f"#c-{LEAF.replace('.', '-')}-points").inner_text())
    score_ms = clerk.page.evaluate("() => window.parrulesTimings")
    assert shown[:3] == ["0,50", "0,00", "1,00"]  # the set's bands, as the engine applies them
    leaf.locator("[data-part='self']").fill("1")
    leaf.locator("[data-part='self']").press("Tab")
    clerk.page.wait_for_function(f"() => window.parrulesTimings.length >= {len(typed) + 1}")

    # evidence for the criterion
    leaf.locator("input[type=file]").set_input_files({"name": "ke-hoach.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF})
    leaf.get_by_label("Trích yếu").fill(f"Kế hoạch {EVIL}")
    leaf.get_by_role("button", name="Tải lên").click()
    leaf.get_by_text("Đã tải lên").wait_for()
    clerk.page.locator("#submit-assessment").click()
    clerk.page.wait_for_url(f"**/units/{UNIT}?saved=*")
    assert clerk.page.locator(f"#c-{LEAF.replace('.', '-')}-documents").get_by_text(f"Kế hoạch {EVIL}").count() == 1

    clerk.page.screenshot(path=str(artefacts / f"web-{served.kind}-self-assessment-desktop.png"), full_page=False)
    violations = axe_serious(clerk.page)
    phone = Tab(browser, served, PHONE)
    phone.login(f"clerk-{UNIT}")
    phone.page.goto(f"/c/{CAMPAIGN}/units/{UNIT}")

    # the same criterion saved meanwhile on the desktop: the phone's typing is kept, the conflict shown
    other = leaf_of(clerk.page, OTHER_LEAF).locator("[data-part='answer']")
    before = clerk.page.evaluate("() => window.parrulesTimings.length")
    other.fill("85")
    other.press("Tab")
    clerk.page.wait_for_function(f"() => window.parrulesTimings.length > {before}")
    mine = leaf_of(phone.page, OTHER_LEAF)
    mine.locator("[data-part='answer']").fill("90")
    mine.locator("[data-part='answer']").press("Tab")
    box = mine.locator(".conflict")
    box.wait_for(state="visible")
    assert "85" in box.inner_text() and mine.locator("[data-part='answer']").input_value() == "90"
    box.get_by_role("button", name="Lưu giá trị của tôi").click()
    phone.page.wait_for_function("() => window.parrulesTimings.length >= 1")
    assert mine.locator(".save-state").inner_text() == "Đã lưu"
    phone.page.reload()
    assert leaf_of(phone.page, OTHER_LEAF).locator("[data-part='answer']").input_value() == "90"
    # the browser logs the refused save (409) as a failed resource: that one message, and no other
    assert [p for p in phone.problems if "409" not in p] == [] and len(phone.problems) == 1, phone.problems
    phone.page.screenshot(path=str(artefacts / f"web-{served.kind}-self-assessment-phone.png"), full_page=False)
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide at phone width"
    phone.close()

    # another unit's page is refused, and says so
    before = len(clerk.problems)
    refused = clerk.page.goto(f"/c/{CAMPAIGN}/units/{OTHER}")
    assert refused is not None and refused.status == 403
    # the browser logs the refused page itself as a failed resource: that one message, and no other
    assert [p for p in clerk.problems[before:] if "403" not in p] == []
    del clerk.problems[before:]
    assert "Bạn không có quyền" in clerk.page.locator("main").inner_text()
    assert OTHER not in clerk.page.locator("h1").inner_text()

    # round 1
    advance(browser, served, "appraisal_1")
    appraiser = Tab(browser, served, DESKTOP)
    appraiser.page.goto("/login")  # by keyboard only: the skip link, then the form in order
    appraiser.page.keyboard.press("Tab")
    assert appraiser.page.evaluate("() => document.activeElement.className") == "skip"
    for _ in range(8):
        appraiser.page.keyboard.press("Tab")
        if appraiser.page.evaluate("() => document.activeElement.id") == "username":
            break
    appraiser.page.keyboard.type("appraiser")
    appraiser.page.keyboard.press("Tab")
    appraiser.page.keyboard.type(PASSWORD)
    appraiser.page.keyboard.press("Enter")
    appraiser.page.wait_for_url("**/home")
    appraiser.page.goto(f"/c/{CAMPAIGN}/units/{UNIT}")
    assert f"Vòng 1: {fully_appraised(1)}/63 đơn vị" in appraiser.page.locator("main").inner_text()
    row = appraiser.page.locator(f"#c-{LEAF.replace('.', '-')}")
    row.get_by_label("Điểm thẩm định").first.fill("0,5")
    row.get_by_label("Lý do").first.fill(EVIL)
    row.get_by_role("button", name="Lưu điểm vòng 1").click()
    appraiser.page.wait_for_url("**saved=1*")
    assert appraiser.page.locator(f"#c-{LEAF.replace('.', '-')}-r1-reason").input_value() == EVIL
    appraiser.page.screenshot(path=str(artefacts / f"web-{served.kind}-appraisal-desktop.png"))
    violations += axe_serious(appraiser.page)

    # the clerk explains
    advance(browser, served, "explanation")
    clerk.page.goto(f"/c/{CAMPAIGN}/units/{UNIT}")
    explain = clerk.page.locator(f"#c-{LEAF.replace('.', '-')}-explain")
    assert EVIL in explain.inner_text()  # the appraiser's reason, as text
    explain.get_by_label("Giải trình của đơn vị").fill("Đã hoàn thành kế hoạch, xem báo cáo số 12/BC")
    explain.get_by_role("button", name="Gửi giải trình").click()
    clerk.page.wait_for_url("**saved=1*")

    # round 2
    advance(browser, served, "appraisal_2")
    appraiser.page.goto(f"/c/{CAMPAIGN}/units/{UNIT}")
    row = appraiser.page.locator(f"#c-{LEAF.replace('.', '-')}")
    assert "Đã hoàn thành kế hoạch" in row.inner_text()
    row.locator(f"#c-{LEAF.replace('.', '-')}-r2-points").fill("0.75")
    row.locator(f"#c-{LEAF.replace('.', '-')}-r2-reason").fill("chấp nhận một phần giải trình")
    row.get_by_role("button", name="Lưu điểm vòng 2").click()
    appraiser.page.wait_for_url("**saved=1*")

    # the clerk explains round 2's deduction (0,75 of the 1 point claimed); the dashboard counts it
    advance(browser, served, "explanation_2")
    chair = Tab(browser, served, DESKTOP)
    chair.login("chair")

    def explained_round_2() -> tuple[int, int]:
        chair.page.goto(f"/c/{CAMPAIGN}/council")
        found = re.search(r"(\d+)/(\d+)", chair.page.locator("#explained-progress").inner_text())
        assert found is not None
        return int(found[1]), int(found[2])

    done, of = explained_round_2()
    clerk.page.goto(f"/c/{CAMPAIGN}/units/{UNIT}")
    assert "Giai đoạn: giải trình vòng 2" in clerk.page.locator("main").inner_text()
    explain = clerk.page.locator(f"#c-{LEAF.replace('.', '-')}-explain")
    assert "vòng 2 chấm 0,75" in explain.inner_text() and "chấp nhận một phần giải trình" in explain.inner_text()
    explain.get_by_label("Giải trình của đơn vị").fill("Tỷ lệ 100 %: xem báo cáo số 15/BC")
    explain.get_by_role("button", name="Gửi giải trình").click()
    clerk.page.wait_for_url("**saved=1*")
    assert "Tỷ lệ 100 %: xem báo cáo số 15/BC" in clerk.page.locator(f"#c-{LEAF.replace('.', '-')}").inner_text()
    assert explained_round_2() == (done + 1, of)
    assert "Giải trình vòng 2" in chair.page.locator("table.units thead").inner_text()
    violations += axe_serious(chair.page)
    chair.close()
    appraiser.page.goto(f"/c/{CAMPAIGN}/units/{UNIT}")
    assert "Tỷ lệ 100 %: xem báo cáo số 15/BC" in appraiser.page.locator(f"#c-{LEAF.replace('.', '-')}").inner_text()

    # the bonus and penalty step (the 2018 set has none of those criteria), survey, publication, published
    advance(browser, served, "bonus_penalty")
    advance(browser, served, "bonus_penalty_explanation")
    advance(browser, served, "survey")
    advance(browser, served, "publication")
    chair = Tab(browser, served, DESKTOP)
    chair.login("chair")
    chair.page.goto(f"/c/{CAMPAIGN}/council")
    chair.page.screenshot(path=str(artefacts / f"web-{served.kind}-council-desktop.png"))
    violations += axe_serious(chair.page)
    chair.page.locator("#publish").click()
    chair.page.wait_for_url("**done=published", timeout=300_000)
    assert campaign_phase(served) == "published"

    # the public ranking, for anyone with the link
    public = Tab(browser, served, DESKTOP)
    public.page.goto(f"/results/{CAMPAIGN}")
    expected = expected_results(tmp_path, typed)
    rows = public.page.locator("table.ranking tbody tr")
    assert rows.count() == len(expected["units"]) == 63
    got = {r.get_attribute("data-unit"): (r.locator(".rank").inner_text(), r.locator(".total").inner_text(),
                                          r.locator(".index").inner_text()) for r in rows.all()}
    want = {u["unit"]["code"]: (str(u["placing"]["rank"]), format_number(Decimal(u["total_points"]), 2, "vi"),
                                format_number(Decimal(u["index"]), 2, "vi")) for u in expected["units"]}
    assert got == want
    public.page.screenshot(path=str(artefacts / f"web-{served.kind}-results-desktop.png"))
    violations += axe_serious(public.page)
    phone = Tab(browser, served, PHONE)
    phone.page.goto(f"/results/{CAMPAIGN}")
    phone.page.screenshot(path=str(artefacts / f"web-{served.kind}-results-phone.png"))
    phone.close()
    mine = next(u for u in expected["units"] if u["unit"]["code"] == UNIT)
    public.page.locator(f"tr[data-unit='{UNIT}'] a").click()
    public.page.wait_for_url(f"**/results/{CAMPAIGN}/units/{UNIT}")
    summary = public.page.locator(".summary").inner_text()
    assert format_number(Decimal(mine["total_points"]), 2, "vi") in summary
    assert public.page.locator("table.criteria tbody tr").count() == 76
    # the downloads are the publication's files, byte for byte as the API serves them to the chair
    public.page.goto(f"/results/{CAMPAIGN}")
    links = public.page.locator("ul.downloads a")
    names = [links.nth(i).inner_text() for i in range(links.count())]
    assert {f"{CAMPAIGN}.json", f"{CAMPAIGN}.html", f"{CAMPAIGN}.xlsx", "campaign-files.zip"} <= set(names)
    token = public.page.request.post("/api/v1/auth/login", data={"username": "chair", "password": PASSWORD}).json()
    for name in names:
        body = public.page.request.get(f"/results/{CAMPAIGN}/files/{name}").body()
        api = public.page.request.get(f"/api/v1/campaigns/{CAMPAIGN}/publication/{name}",
                                      headers={"Authorization": f"Bearer {token['token']}"})
        assert api.status == 200 and body == api.body(), name

    problems = clerk.problems + appraiser.problems + chair.problems + public.problems
    for tab in (clerk, appraiser, chair, public):
        tab.close()
    assert not problems, problems
    assert not violations, violations
    _say(capsys, f"web performance (2018 central set, {leaves} leaves, example campaign of 63 units, {served.kind}):\n"
                 f"  self-assessment page served: first (cold cache) {served_ms[0]:.0f} ms; then "
                 f"p50 {statistics.median(served_ms[1:]):.0f} ms, p95 {p95(served_ms[1:]):.0f} ms (n={len(served_ms) - 1})\n"
                 f"  changed answer → new score shown: p50 {statistics.median(score_ms):.0f} ms, "
                 f"p95 {p95(score_ms):.0f} ms (n={len(score_ms)})\n  screenshots in {artefacts}")
