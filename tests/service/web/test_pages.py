"""The web pages without a browser (FastAPI's TestClient): sessions and CSRF, refusals, escaping,
upload checks, conflicts that keep typed work, the reader's language, and the catalogue behind them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parrules.messages import CORE
from parrules.service.app import create_app
from parrules.service.problems import ServiceProblem
from parrules.service.roles import Phase, Role
from parrules.service.settings import Settings
from parrules.service.web import forms
from parrules.service.web.calls import KNOWN

from .conftest import CAMPAIGN, CHEAP_ARGON2, PASSWORD, fresh_database, prepare

TEMPLATES = Path(__file__).resolve().parents[3] / "parrules" / "service" / "web" / "templates"
UNIT_PAGE = f"/c/{CAMPAIGN}/units/01"
LIMIT = 4096


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app_settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The example campaign on a fresh database of each kind, shared by this module's tests."""
    folder = tmp_path_factory.mktemp("web-pages")
    settings = Settings(data_dir=folder, database_url=fresh_database(request.param, request, folder),
                        argon2=CHEAP_ARGON2, max_evidence_bytes=LIMIT)
    prepare(settings)
    return settings


@pytest.fixture
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings), base_url="http://testserver") as c:
        yield c


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; the page's CSRF token afterwards."""
    form = client.get("/login")
    nonce = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert nonce
    done = client.post("/login", data={"csrf": nonce.group(1), "username": username, "password": password,
                                       "next": "/home"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return csrf_of(client.get("/home").text)


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_a_session_is_an_httponly_samesite_cookie_and_logout_revokes_it(client: TestClient) -> None:
    form = client.get("/login")
    nonce = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    done = client.post("/login", data={"csrf": nonce, "username": "clerk-01", "password": PASSWORD},
                       follow_redirects=False)
    cookie = done.headers["set-cookie"]
    assert "parrules_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    token = client.cookies["parrules_session"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    csrf = csrf_of(client.get("/home").text)
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    client.cookies.set("parrules_session", token)
    assert client.get("/home", follow_redirects=False).headers["location"].startswith("/login")


def test_a_wrong_password_is_said_on_the_form_and_opens_no_session(client: TestClient) -> None:
    form = client.get("/login")
    nonce = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    done = client.post("/login", data={"csrf": nonce, "username": "clerk-01", "password": "wrong password!"})
    assert CORE.text("web.error.unauthenticated", "vi") in done.text
    assert "parrules_session" not in client.cookies


def test_the_login_form_needs_its_own_token_and_never_sends_you_to_another_site(client: TestClient) -> None:
    client.get("/login")
    forged = client.post("/login", data={"csrf": "guess", "username": "clerk-01", "password": PASSWORD},
                         follow_redirects=False)
    assert forged.status_code == 403 and "parrules_session" not in client.cookies
    nonce = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    done = client.post("/login", data={"csrf": nonce, "username": "clerk-01", "password": PASSWORD,
                                       "next": "//evil.example/steal"}, follow_redirects=False)
    assert done.headers["location"] == "/home"


def test_every_write_needs_the_session_csrf_token_from_our_own_origin(client: TestClient) -> None:
    csrf = login(client, "clerk-01")
    leaf = {"version": 0, "self_assessment": "1"}
    save = f"{UNIT_PAGE}/criteria/1.1.2"
    for headers in ({}, {"X-CSRF-Token": "0" * 64}, {"X-CSRF-Token": csrf, "Origin": "https://evil.example"}):
        refused = client.post(save, json=leaf, headers=headers)
        assert refused.status_code == 403, headers
        assert refused.json()["message"] == CORE.text("web.error.csrf", "vi")
    form = client.post(f"{UNIT_PAGE}/save", data={"v:1.1.2": "0", "sa:1.1.2": "0"})
    assert form.status_code == 403
    page = client.get(UNIT_PAGE).text
    assert 'data-code="1.1.2" data-version="1"' in page  # nothing was saved by the refused requests (imported: v1)
    moved = client.post(f"/c/{CAMPAIGN}/phase", data={"to": "appraisal_1", "version": "1"})
    assert moved.status_code == 403


def test_a_clerk_is_refused_other_units_the_same_way_whether_they_exist_or_not(client: TestClient) -> None:
    csrf = login(client, "clerk-01")
    existing = client.get(f"/c/{CAMPAIGN}/units/94")
    missing = client.get(f"/c/{CAMPAIGN}/units/no-such-unit")
    assert existing.status_code == missing.status_code == 403
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(existing.text).group(0) == main.search(missing.text).group(0)  # type: ignore[union-attr]
    assert "Sóc Trăng" not in existing.text
    saved = client.post(f"/c/{CAMPAIGN}/units/94/criteria/1.1.2", json={"version": 1, "self_assessment": "0"},
                        headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 403 and saved.json()["kind"] == "forbidden"
    assert client.get(f"/c/{CAMPAIGN}/council").status_code == 403  # the council's dashboard is for readers
    assert client.get(f"/c/{CAMPAIGN}/units/94/documents/1/file").status_code == 403


def test_what_people_typed_is_escaped_on_every_page(client: TestClient) -> None:
    csrf = login(client, "clerk-01")
    page = client.get(UNIT_PAGE)
    assert "&lt;b&gt;(thử)&lt;/b&gt;" in page.text and "<b>(thử)</b>" not in page.text
    evil = "<script>alert(1)</script>"
    made = client.post(f"{UNIT_PAGE}/documents", json={"title": evil, "criteria": ["1.1.1"]},
                       headers={"X-CSRF-Token": csrf})
    assert made.status_code == 200, made.text
    page = client.get(UNIT_PAGE).text
    assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    headers = client.get(UNIT_PAGE).headers
    assert "script-src 'self'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"


def test_uploads_are_limited_and_their_content_checked(client: TestClient) -> None:
    csrf = login(client, "clerk-01")
    made = client.post(f"{UNIT_PAGE}/documents", json={"title": "Kế hoạch", "criteria": ["1.1.1"]},
                       headers={"X-CSRF-Token": csrf}).json()
    url = f"{UNIT_PAGE}/documents/{made['id']}/file?version={made['version']}"

    def put(content: bytes, media_type: str) -> tuple[int, str]:
        answer = client.put(url, content=content, headers={"X-CSRF-Token": csrf, "Content-Type": media_type})
        return answer.status_code, answer.json().get("kind", "")

    assert put(b"MZ\x90\x00 not a pdf", "application/pdf") == (415, "unsupported-media-type")
    assert put(b"text\x00with a NUL", "text/plain") == (415, "unsupported-media-type")
    assert put(b"#!/bin/sh\n", "application/x-sh") == (415, "unsupported-media-type")
    assert put(b"%PDF-1.4\n" + b"0" * LIMIT, "application/pdf") == (413, "too-large")
    status, _ = put(b"%PDF-1.4\n%%EOF\n", "application/pdf")
    assert status == 200
    got = client.get(f"{UNIT_PAGE}/documents/{made['id']}/file")
    assert got.content == b"%PDF-1.4\n%%EOF\n" and got.headers["content-disposition"].startswith("attachment")


def test_a_stale_save_keeps_what_was_typed_and_says_what_is_stored(client: TestClient) -> None:
    csrf = login(client, "clerk-01")
    save = f"{UNIT_PAGE}/criteria/1.4.2"
    first = client.post(save, json={"version": 1, "answer": "85"}, headers={"X-CSRF-Token": csrf})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2 and first.json()["points"] == "0,25"  # 80–100 % → 0,25 of 0,5
    stale = client.post(save, json={"version": 1, "answer": "100"}, headers={"X-CSRF-Token": csrf})
    assert stale.status_code == 409 and stale.json()["kind"] == "stale-version"
    assert stale.json()["current_version"] == 2
    stored = client.get(save).json()
    assert stored == {"version": 2, "self_assessment": stored["self_assessment"], "answer": "85"}
    # the whole form, sent with the version the page was read at: refused, the typed value stays in the field
    page = client.post(f"{UNIT_PAGE}/save", data={"csrf": csrf, "v:1.4.2": "1", "ans:1.4.2": "99,5",
                                                  "sa:1.4.2": stored["self_assessment"]})
    assert page.status_code == 409
    field = re.search(r'<input id="c-1-4-2-ans"[^>]*value="([^"]*)"', page.text)
    assert field and field.group(1) == "99,5"
    assert CORE.text("web.error.stale-version", "vi") in page.text
    # without the script: the whole form saves what changed (and only that)
    saved = client.post(f"{UNIT_PAGE}/save", data={"csrf": csrf, "v:1.4.2": "2", "ans:1.4.2": "99,5",
                                                   "sa:1.4.2": stored["self_assessment"], "v:1.1.2": "1"},
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    assert client.get(save).json()["answer"] == "99.5"
    for broken in ({"version": "ba", "answer": "90"}, {"version": -1, "answer": "90"}):
        refused = client.post(save, json=broken, headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 422 and refused.json()["kind"] == "invalid", broken
    bad = client.post(save, json={"version": 3, "answer": "chín mươi"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422 and "chín mươi" in bad.json()["message"]
    # the page's script is told why in the reader's language: the library's problems, never the API's English
    assert bad.json()["detail"] == ""  # the sentence above says it all; the API's "1 problem found" is not shown
    assert stale.json()["detail"] == ""  # the API says "version 1 is stale…": the page has its own sentence


def test_the_home_page_says_what_is_due_and_by_when(client: TestClient) -> None:
    login(client, "clerk-01")
    home = client.get("/home").text
    assert CORE.text("web.due.self_assess", "vi") in home
    assert "Hạn chót: 17:00 10/01/2099" in home  # the deadline, in the service's time zone
    assert "đã tự chấm 76/76 tiêu chí" in home
    login(client, "appraiser")
    assert CORE.text("web.home.nothing_due", "vi") in client.get("/home").text
    assert client.get("/home?lang=en").text.count("Nothing is due from you in this phase.") == 1


def test_an_administrator_sets_a_deadline_on_the_dashboard_and_the_chair_may_not(client: TestClient) -> None:
    csrf = login(client, "chair")
    dashboard = client.get(f"/c/{CAMPAIGN}/council").text
    assert 'name="closes_at"' not in dashboard and 'id="next-phase"' in dashboard
    refused = client.post(f"/c/{CAMPAIGN}/schedule/appraisal_1", data={"csrf": csrf, "closes_at": "2099-02-01T17:00"})
    assert refused.status_code == 403
    csrf = login(client, "admin")
    assert 'name="closes_at"' in client.get(f"/c/{CAMPAIGN}/council").text
    done = client.post(f"/c/{CAMPAIGN}/schedule/appraisal_1", data={"csrf": csrf, "closes_at": "2099-02-01T17:00"},
                       follow_redirects=False)
    assert done.status_code == 303
    dashboard = client.get(done.headers["location"]).text
    assert "17:00 01/02/2099" in dashboard and CORE.text("web.council.dates_saved", "vi") in dashboard
    api = client.get(f"/api/v1/campaigns/{CAMPAIGN}",
                     headers={"Authorization": f"Bearer {client.cookies['parrules_session']}"}).json()
    assert api["schedule"]["appraisal_1"]["closes_at"] == "2099-02-01T10:00:00+00:00"  # 17:00 in Hồ Chí Minh City
    bad = client.post(f"/c/{CAMPAIGN}/schedule/appraisal_1", data={"csrf": csrf, "closes_at": "mai"})
    assert bad.status_code == 422


def test_the_council_reads_a_unit_but_never_changes_its_self_assessment(client: TestClient) -> None:
    csrf = login(client, "appraiser")
    page = client.get(UNIT_PAGE)
    assert page.status_code == 200 and CORE.text("web.appraise.unit_side", "vi") in page.text
    assert 'name="sa:' not in page.text and "/appraisal/" not in page.text  # self-assessment phase: no round yet
    refused = client.post(f"{UNIT_PAGE}/criteria/1.1.2", json={"version": 1, "self_assessment": "0"},
                          headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403 and refused.json()["message"] == CORE.text("web.error.forbidden", "vi")
    login(client, "viewer")
    page = client.get(UNIT_PAGE).text
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # a viewer reads only


def test_the_form_is_in_english_when_asked(client: TestClient) -> None:
    login(client, "clerk-01")
    page = client.get(f"{UNIT_PAGE}?lang=en").text
    assert "Self-assessment: Thành phố Hà Nội" in page and "at most 1.00 points" in page
    assert "Tự đánh giá" not in page


def test_published_results_are_not_public_before_publication(client: TestClient) -> None:
    assert client.get(f"/results/{CAMPAIGN}").status_code == 404
    assert client.get(f"/results/{CAMPAIGN}/files/{CAMPAIGN}.json").status_code == 404


def test_pages_speak_english_when_asked(client: TestClient) -> None:
    page = client.get("/login?lang=en")
    assert "<h1>Log in</h1>" in page.text and 'lang="en"' in page.text
    assert "<h1>Log in</h1>" in client.get("/login").text  # the choice is kept in a cookie


def test_every_catalogue_key_the_pages_use_exists_in_both_languages() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["'](web\.[a-z0-9_.-]+)["']""", template.read_text("utf-8")))
        used |= {f"web.js.{k}" for k in re.findall(r'"([a-z_]+)"', template.read_text("utf-8"))
                 if f"web.js.{k}" in CORE}
    used |= {f"web.phase.{p.value}" for p in Phase} | {f"web.role.{r.value}" for r in Role}
    used |= {f"web.error.{kind}" for kind in KNOWN}
    used = {key for key in used if not key.endswith(".")}
    assert len(used) > 100, "the scan found too few keys: it would pass whatever the templates say"
    missing = sorted(key for key in used if key not in CORE)
    assert not missing
    for key in used:
        assert CORE.text(key, "vi").strip() and CORE.text(key, "en").strip()


@pytest.mark.parametrize("typed, value", [("98,7", Decimal("98.7")), ("98.7", Decimal("98.7")),
                                          ("1.234,5", Decimal("1234.5")), (" 100 ", Decimal("100")),
                                          ("0,10", Decimal("0.10"))])
def test_figures_are_read_exactly_in_either_style(typed: str, value: Decimal) -> None:
    got = forms.figure(typed, "answer")
    assert got == value and str(got) == str(value)


@pytest.mark.parametrize("typed", ["abc", "NaN", "Infinity", "1,2,3", ""])
def test_a_figure_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(ServiceProblem) as refused:
        forms.figure(typed, "answer")
    assert refused.value.status == 422


def test_the_form_fits_each_rule_of_the_2018_set(app_settings: Settings) -> None:
    from parrules import load_criteria_set

    criteria = load_criteria_set(Path(__file__).resolve().parents[3] / "criteria_sets" / "par-province-2018.toml")
    kinds = {code: forms.field_for(criteria, code) for code in criteria.leaves}
    assert kinds["1.1.1"].kind == "yes_no"
    assert kinds["1.3.2"].kind == "choice" and kinds["1.3.2"].options[0] == "Xử lý 100% vấn đề phát hiện"
    assert kinds["1.1.2"].kind == "figure" and kinds["1.1.2"].unit == "%"
    assert kinds["1.2.1"].kind == "count" and kinds["5.3.1"].kind == "severities"
    assert kinds["1.5.1"].kind == "none"  # manual: only the council scores it
    assert forms.answer(kinds["5.3.1"], {"Sai phạm nhỏ": "2", "Sai phạm nghiêm trọng": ""}) == {"Sai phạm nhỏ": 2}
    with pytest.raises(ServiceProblem):
        forms.answer(kinds["1.2.1"], "1,5")  # occurrences are whole
    assert replace(app_settings).max_evidence_bytes == LIMIT
