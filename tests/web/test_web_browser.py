"""The demo year in a real browser: Debian's chromium, driven by Selenium through
/usr/bin/chromedriver, against ccp serve (waitress) on a free loopback port; axe-core
checks every page visited."""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from between_meetings import sheet_rows
from helpers import complete_draft

from workflow.demo.word_filler import fill
from workflow.web.serve import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

pytestmark = pytest.mark.libreoffice  # the pack's PDF and the signed minutes


@pytest.fixture
def served(workspace: Any) -> Any:
    running = make_server(workspace.root, 0)
    thread = threading.Thread(target=running.server.run, daemon=True)
    thread.start()
    yield running
    running.server.close()
    thread.join(timeout=5)


@pytest.fixture
def browser(tmp_path: Path) -> Any:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail(
            "the browser tests need Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1280,1024",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    yield driver
    driver.quit()


class Walk:
    """One person at the browser: pages visited, forms filled, axe run on each page."""

    def __init__(self, driver: Any, base: str):
        self.driver = driver
        self.base = base
        self.axe = AXE.read_text(encoding="utf-8")
        self.checked: list[str] = []

    def by(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def open(self, path: str) -> str:
        self.driver.get(self.base + path)
        return self.page()

    def page(self) -> str:
        self.check_accessible()
        return self.by("main").text

    def check_accessible(self) -> None:
        self.driver.execute_script(self.axe)
        violations = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(r => done(r.violations.map(v => v.id + ': ' + v.help"
            " + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
            ".catch(e => done(['axe failed: ' + e]));"
        )
        where = self.driver.current_url.replace(self.base, "")
        assert violations == [], f"axe on {where}: {violations}"
        self.checked.append(where)

    def submit(self, button_css: str) -> str:
        self.by(button_css).click()
        return self.page()

    def upload(self, input_css: str, *paths: Path) -> None:
        self.by(input_css).send_keys("\n".join(str(path) for path in paths))

    def download(self, link_text: str, name: str, timeout: float = 30) -> bytes:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.PARTIAL_LINK_TEXT, link_text).click()
        target = self.driver.downloads / name
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if target.is_file() and not list(self.driver.downloads.glob("*.crdownload")):
                return target.read_bytes()
            time.sleep(0.1)
        raise AssertionError(f"{name} was not downloaded")


def test_the_demo_year_in_the_browser(
    served, browser, workspace, inbox, referral_data, tmp_path, monkeypatch
):
    base = f"http://127.0.0.1:{served.port}"
    walk = Walk(browser, base)

    # The one-time link: the token is exchanged for a cookie and leaves the address bar.
    browser.get(served.url)
    assert browser.current_url == base + "/"
    assert "token" not in browser.current_url
    assert "Testshire Complex Child Panel" in walk.page()

    # A bad referral: every problem in the error summary, each a link to the field.
    bad = copy.deepcopy(referral_data)
    bad["referrer"]["email"] = "not an address"
    bad["criteria"] = []
    bad_file = inbox / "bad.yaml"
    bad_file.write_text(yaml.safe_dump(bad, sort_keys=False), encoding="utf-8")
    walk.open("/referrals")
    walk.upload("#referral", bad_file)
    shown = walk.submit("button[value=check]")
    assert "There are 2 problems" in shown
    assert "bad.yaml: referrer.email: 'not an address' is not an email address" in shown
    assert "bad.yaml: criteria: needs at least one entry" in shown
    assert browser.switch_to.active_element.get_attribute("class") == "error-summary"
    walk.by(".error-summary a").click()
    assert browser.switch_to.active_element.get_attribute("id") == "referral"

    # The YAML referral with its papers, accepted.
    walk.open("/referrals")
    walk.upload("#referral", inbox / "referral.yaml")
    walk.upload(
        "#papers", inbox / "papers" / "chronology.docx", inbox / "papers" / "risk-assessment.pdf"
    )
    assert "Accepted as CCP-2027-001" in walk.submit("button[value=add]")

    # The blank Word form, downloaded, filled by a practitioner, sent back and accepted.
    blank = walk.download("Download the Word referral form", "referral-form.docx")
    (tmp_path / "blank.docx").write_bytes(blank)
    other = copy.deepcopy(referral_data)
    other["child"].update(name="Riley Samplewood", preferred_name="Riley", local_id="LCS-4512")
    other["attachments"] = {}
    from workflow.contract import Referral

    answers = Referral.model_validate(other).model_dump(mode="json")
    word = fill(tmp_path / "blank.docx", answers, tmp_path / "riley-referral.docx")
    walk.open("/referrals")
    walk.upload("#referral", word)
    assert "Accepted as CCP-2027-002" in walk.submit("button[value=add]")

    # Cases: the list, one case's history (recorded in the access log).
    assert "2 of 2 case(s)" in walk.open("/cases?status=open")
    case_page = walk.open("/cases/CCP-2027-001")
    assert "Referral authorised" in case_page
    assert "CCP-2027-001" in (workspace.root / "access-log.csv").read_text(encoding="utf-8")
    assert "Kai" not in browser.title

    # The pack, built and downloaded.
    walk.open("/meetings/2027-03-11")
    shown = walk.submit("#build-pack")
    deadline = time.monotonic() + 180
    while "Built the pack" not in shown and time.monotonic() < deadline:
        assert "Building the pack for 11 March 2027" in shown
        time.sleep(1)
        shown = walk.submit("a.button")  # "Check again"
    assert "Built the pack" in shown
    pack = workspace.root / "output" / "2027-03-11" / "pack-2027-03-11.pdf"
    assert walk.download("pack-2027-03-11.pdf", pack.name, timeout=60) == pack.read_bytes()

    # After the meeting: draft, record and sign the minutes.
    monkeypatch.setenv("CCP_TODAY", "2027-03-12")
    walk.open("/meetings/2027-03-11")
    assert "Wrote meetings/2027-03-11/minutes.yaml" in walk.submit("form[action$=draft] button")
    completed = complete_draft(
        workspace.root / "meetings" / "2027-03-11" / "minutes.yaml", tmp_path / "minutes.yaml"
    )
    walk.upload("#minutes", completed)
    assert "Recorded version 1 of the 2027-03-11 minutes" in walk.submit("button[value=record]")
    walk.by("#sign a").click()
    assert "I am Alex Sample, and I approve these minutes" in walk.page()
    walk.by("#confirm").click()
    signed = walk.submit("button.primary")
    assert "Signed version 1 of the 2027-03-11 minutes as Alex Sample" in signed

    # Between meetings: an action updated, a progress report added.
    monkeypatch.setenv("CCP_TODAY", "2027-04-20")
    walk.open("/actions?case=CCP-2027-001")
    from selenium.webdriver.support.ui import Select

    Select(walk.by("#action_id")).select_by_value("CCP-2027-001-A2")
    Select(walk.by("#status")).select_by_visible_text("Completed")
    walk.by("#note").send_keys("Plan shared with the school")
    updated = walk.submit("form[action$=update] button")
    assert "CCP-2027-001-A2" in updated
    row = next(
        r
        for r in sheet_rows(workspace.register_file, "Actions")
        if r["Action ID"] == "CCP-2027-001-A2"
    )
    assert row["Status"] == "Completed"

    walk.open("/progress")
    progress_form = walk.download(
        "Progress report form for CCP-2027-001", "progress-CCP-2027-001.docx"
    )
    assert progress_form[:2] == b"PK"
    report = _progress_yaml(workspace, tmp_path)
    walk.upload("#report", report)
    added = walk.submit("button[value=add]")
    assert "Added the CCP-2027-001 progress report for the 13 May 2027 meeting" in added

    # Verify: the signed PDF is exactly the signed one.
    signed_pdf = workspace.root / "output" / "2027-03-11" / "minutes-2027-03-11-v1.pdf"
    walk.open("/verify")
    walk.upload("#document", signed_pdf)
    verified = walk.submit("form button")
    assert "minutes-2027-03-11-v1.pdf: VERIFIED" in verified
    assert "signed by Alex Sample" in verified

    for path in ("/", "/meetings", "/reports", "/retention", "/access-log"):
        walk.open(path)
    assert len(walk.checked) >= 20


def _progress_yaml(workspace: Any, tmp_path: Path) -> Path:
    from workflow.cases.progress_form import write_progress_template

    template = write_progress_template(workspace, "CCP-2027-001", "yaml", tmp_path / "t.yaml")
    data = yaml.safe_load(template.read_text(encoding="utf-8"))
    data.update(
        reported_by={
            "name": "Dana Fictional",
            "role": "Social worker",
            "agency": "Children's social care",
            "email": "dana@example.org",
        },
        date="2027-04-18",
        risk_level="high",
        risk_rationale="Fewer missing episodes.",
        changes="A new flat.",
        child_views="I like it.",
        plan_revised=True,
        still_needed="A specialist worker.",
        recommendation="continue",
        recommendation_reason="The plan is working.",
    )
    for entry in data["actions"]:
        if entry.get("status") not in ("completed", "cancelled"):
            entry.update(status="in_progress", progress="Started.")
        else:
            entry.setdefault("progress", "Done.")
    out = tmp_path / "progress.yaml"
    out.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return out


def test_keyboard_reaches_the_skip_link_first(served, browser):
    from selenium.webdriver.common.keys import Keys

    browser.get(served.url)
    browser.switch_to.active_element.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to main content"
    focused.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#main")


@pytest.mark.parametrize(
    "path", ["/", "/referrals", "/actions", "/meetings/2027-03-11", "/retention?as_of=2090-01-01"]
)
def test_every_control_reached_by_tab_shows_where_the_focus_is(served, browser, path):
    """WCAG 2.4.7: each link, field and button shows a focus indicator when tabbed to."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(served.url)
    browser.get(f"http://127.0.0.1:{served.port}{path}")
    seen = []
    for _ in range(60):
        # Pressed on the page, not sent to an element (a file input takes keys as a path).
        ActionChains(browser).send_keys(Keys.TAB).perform()
        element = browser.switch_to.active_element
        if element.tag_name == "body":
            break
        style = browser.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return [s.outlineStyle, s.outlineWidth, s.boxShadow];",
            element,
        )
        label = element.get_attribute("id") or element.text or element.get_attribute("name")
        seen.append(label)
        outline, width, shadow = style
        assert (outline != "none" and width != "0px") or shadow != "none", (label, style)
    assert len(seen) >= 10
