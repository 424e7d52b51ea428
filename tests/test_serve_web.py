"""The node's web page (docs/serve.md#web): accounts with argon2id hashes and roles, sessions, CSRF,
the Content-Security-Policy, the inbox, search, the package page — under the test client, and in a
real browser (Debian's Chromium driven by Selenium through Debian's chromedriver)."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from edossier.serve import accounts, db  # noqa: E402
from edossier.serve.app import create_app  # noqa: E402
from serve_support import Server  # noqa: E402
from test_serve import make_node, packages, send  # noqa: E402,F401

PASSWORD = "correct horse battery"


@pytest.fixture
def web(tmp_path, pki, trust):
    node = make_node(tmp_path, pki, trust)
    with TestClient(create_app(node)) as c:
        for name, role in (("clerk1", "clerk"), ("viewer1", "viewer")):
            accounts.add_user(node.Session, name, role, PASSWORD)
        c.node = node
        yield c


def sign_in(c, name: str, password: str = PASSWORD):
    form = c.get("/ui/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return c.post("/ui/login", data={"csrf": token, "name": name, "password": password, "next": "/ui/inbox"},
                  follow_redirects=False)


def csrf_of(c, path="/ui/inbox") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get(path).text).group(1)


def test_sign_in_sessions_and_password_hashes(web):
    r = web.get("/ui/inbox", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
    login = web.get("/ui/login")
    csp = login.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    assert "<script" not in login.text
    # a sign-in without the form's token (cross-site) is refused
    assert web.post("/ui/login", data={"csrf": "forged", "name": "clerk1", "password": PASSWORD}).status_code == 403
    bad = sign_in(web, "clerk1", "wrong password!")
    assert bad.status_code == 303 and "failed=1" in bad.headers["location"]
    ok = sign_in(web, "clerk1")
    assert ok.status_code == 303 and ok.headers["location"] == "/ui/inbox"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert web.get("/ui/inbox").status_code == 200
    with web.node.Session() as s:
        stored = s.query(db.User).filter_by(name="clerk1").one().password_hash
        tokens = [w.token_sha256 for w in s.query(db.WebSession)]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert web.cookies.get("edossier_session") not in tokens and all(len(t) == 64 for t in tokens)
    # signing out needs the session's CSRF token too
    assert web.post("/ui/logout", data={"csrf": "forged"}).status_code == 403
    web.post("/ui/logout", data={"csrf": csrf_of(web)})
    assert web.get("/ui/inbox", follow_redirects=False).status_code == 303


def test_roles_and_upload_through_the_page(web, packages):
    sign_in(web, "viewer1")
    assert web.get("/ui/upload").status_code == 403
    web.cookies.clear()
    sign_in(web, "clerk1")
    token = csrf_of(web, "/ui/upload")
    raw = packages["p2"].read_bytes()
    assert web.post("/ui/upload", data={"csrf": "forged"}, files={"package": ("2.edp", raw)}).status_code == 403
    r = web.post("/ui/upload", data={"csrf": token}, files={"package": ("../2.edp", raw)}, follow_redirects=False)
    assert r.status_code == 303
    sid = r.headers["location"].rsplit("/", 1)[1]
    assert web.node.wait(sid, timeout=120)
    page = web.get(f"/ui/validations/{sid}")
    assert 'id="verdict" class="accept"' in page.text and "2.edp" in page.text
    zh = web.get(f"/ui/validations/{sid}", params={"lang": "zh-CN"})
    assert "接收" in zh.text and 'lang="zh-CN"' in zh.text


def test_inbox_search_flags_and_package_page(web, pki, trust, packages, tmp_path):
    for name, role in (("p2", "procuratorate"), ("p1", "police")):
        pkg = tmp_path / f"{name}.edp"
        pkg.write_bytes(packages[name].read_bytes())
        last = send(web, pkg, pki, trust=trust, cred=pki / f"{role}.p12")
    sign_in(web, "viewer1")
    inbox = web.get("/ui/inbox")
    case = last.submission["case_number"]
    assert inbox.text.count("<tr>") == 3 and "ROLLBACK" in inbox.text  # header + 2 rows; the older one flagged
    from html import escape

    assert escape(case) in inbox.text
    assert web.get("/ui/inbox", params={"case": "no such case"}).text.count("<tr>") == 0
    assert web.get("/ui/inbox", params={"case": case[:6]}).text.count("<tr>") == 3
    page = web.get(f"/ui/inbox/{last.id}")
    assert 'id="flag"' in page.text and "N001" in page.text and f"/v1/inbox/{last.id}/receipt" in page.text
    import datetime as dt
    from zoneinfo import ZoneInfo

    received = db.as_utc(web.node.get(last.id).created)  # stored in UTC
    beijing = received.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert received.utcoffset() == dt.timedelta(0)
    assert f"{beijing} +08:00" in page.text  # shown in Beijing time, 8 hours ahead of UTC
    audit = page.text.split('id="audit"', 1)[1].split("</table>", 1)[0]
    assert "submitted" in audit and "validated" in audit and "accept, rollback" in audit
    report = web.get(f"/v1/inbox/{last.id}", params={"format": "html"})
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")


# --- a real browser -----------------------------------------------------------------------------------

def _browser():
    missing = [p for p in ("chromium", "chromedriver") if shutil.which(p) is None]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if missing:
        why = f"missing {', '.join(missing)} (apt-get install chromium chromium-driver; pip install selenium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test is required on CI: {why}")
        print(f"\n*** SKIPPING the browser test: {why} ***\n")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)


def test_browser_login_upload_and_read_the_verdict(tmp_path):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    from test_serve_socket import build_demo_packages

    data = tmp_path / "edossier-node"
    server = Server(data)
    driver = None
    try:
        pkgs = build_demo_packages(tmp_path, data / "pki")
        driver = _browser()
        driver.get(server.url + "/ui/inbox")
        assert "/ui/login" in driver.current_url
        driver.find_element(By.ID, "name").send_keys("demo")
        driver.find_element(By.ID, "password").send_keys(server.password())
        driver.find_element(By.ID, "signin").click()
        # wait for the sign-in's redirect (the login page's own URL ends in ?next=/ui/inbox too)
        end = time.monotonic() + 30
        while urlparse(driver.current_url).path != "/ui/inbox":
            assert time.monotonic() < end, f"the sign-in did not lead to the inbox: {driver.current_url}"
            time.sleep(0.2)
        driver.get(server.url + "/ui/upload")
        driver.find_element(By.ID, "package").send_keys(str(Path(pkgs["p2"]).resolve()))
        driver.find_element(By.ID, "send").click()
        # under load the upload's answer (a redirect to the package page) can take a while to arrive
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(driver, 120).until(EC.presence_of_element_located((By.ID, "verdict")))
        end = time.monotonic() + 120

        def verdict_now() -> str:
            # the page reloads itself (meta refresh) while validating: between two loads there is no element
            found = driver.find_elements(By.ID, "verdict")
            return found[0].text if found else "…"

        while "validating" in (verdict := verdict_now()).lower() or "…" in verdict:
            assert time.monotonic() < end, f"the page never showed a verdict: {driver.page_source[:500]}"
            time.sleep(0.5)
            driver.refresh()
        assert verdict == "ACCEPT"
        driver.get(driver.current_url.split("?")[0] + "?lang=zh-CN")
        assert driver.find_element(By.ID, "verdict").text == "接收"
        # the page has no script, and its styles come from the one stylesheet the policy allows
        assert driver.execute_script("return document.scripts.length") == 0
        # the page viewer: the police document has two pages; page 1 is drawn, then the next page
        driver.get(driver.current_url.split("?")[0] + "?lang=en")
        driver.find_element(By.CSS_SELECTOR, "#documents a.doc").click()

        def drawn(label: str) -> int:
            """naturalWidth of the viewer's image once the page says `label` and the image has loaded."""
            end = time.monotonic() + 60
            while True:
                assert time.monotonic() < end, f"{label} was never drawn: {driver.current_url}"
                try:
                    number = driver.find_elements(By.ID, "page-number")
                    if number and number[0].text == label:
                        img = driver.find_element(By.ID, "page-image")
                        if driver.execute_script("return arguments[0].complete", img):
                            return driver.execute_script("return arguments[0].naturalWidth", img)
                except StaleElementReferenceException:  # the next page replaced it between two calls
                    pass
                time.sleep(0.3)

        assert drawn("Page 1 of 2") > 0
        assert "/documents/1" in driver.current_url
        driver.find_element(By.ID, "next").click()
        assert drawn("Page 2 of 2") > 0
    finally:
        if driver is not None:
            driver.quit()
        server.stop()


def test_node_user_and_serve_refusals(tmp_path, pki):
    from click.testing import CliRunner

    from edossier.cli.main import main

    runner = CliRunner()
    data = tmp_path / "node"
    ok = runner.invoke(main, ["--lang", "en", "node-user", "add", "li", "--role", "viewer", "--data", str(data),
                              "--password-env", "PW"], env={"PW": PASSWORD})
    assert ok.exit_code == 0, ok.output
    engine = db.make_engine(db.sqlite_url(data))
    assert accounts.login(db.sessions(engine), "li", PASSWORD) is not None
    engine.dispose()
    short = runner.invoke(main, ["--lang", "zh-CN", "node-user", "add", "li", "--role", "viewer", "--data", str(data),
                                 "--password-env", "PW"], env={"PW": "short"})
    assert short.exit_code == 2 and "10" in short.output
    no_trust = runner.invoke(main, ["serve", "--data", str(data), "--port", "0"])
    assert no_trust.exit_code == 2 and "--trust" in no_trust.output
    bad_db = runner.invoke(main, ["--lang", "en", "serve", "--data", str(data), "--port", "0", "--trust",
                                  str(pki / "trustlist.xml"), "--db", "postgresql+psycopg://nobody@/x?host=/nonexistent"])
    assert bad_db.exit_code == 2 and "cannot start" in bad_db.output and "Traceback" not in bad_db.output


def test_package_page_shows_the_statutory_periods(web, pki, trust, tmp_path):
    """The bundled sample's police layer records detention events: its periods are on the package page."""
    from edossier.building.pipeline import build_package
    from edossier.caserules.deadlines import compute
    from edossier.signing.cades import load_credential

    sample = Path(__file__).resolve().parents[1] / "samples" / "theft-fasttrack" / "police"
    pkg = tmp_path / "sample.edp"
    build_package(sample, pkg, load_credential(pki / "police.p12"))
    res = send(web, pkg, pki, trust=trust, cred=pki / "police.p12")
    rep = web.node.report_object(res.id)
    expected = compute([x.record for x in rep.layers if x.record]).periods
    assert expected, "the sample records no period"
    sign_in(web, "viewer1")
    page = web.get(f"/ui/inbox/{res.id}", params={"lang": "zh-CN"}).text
    table = page.split('id="deadlines"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr") == len(expected)
    assert all(p.zh in table for p in expected)
