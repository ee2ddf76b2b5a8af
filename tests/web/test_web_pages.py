"""Every page through Flask's test client: what a user sees, and that it is the CLI's result."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest
import yaml
from between_meetings import minute_first_meeting, sheet_rows
from helpers import complete_draft
from web_client import text, upload

from workflow.cases.referrals import add_referral, check_referral
from workflow.core.errors import FormInvalid
from workflow.documents.text import document_text
from workflow.reports.case_history import case_history

CHILD = "Kai Example-Rivers"  # tests/data/referral.yaml


def papers(inbox):
    return [upload(inbox / "papers" / n) for n in ("chronology.docx", "risk-assessment.pdf")]


def send_referral(client, inbox, name="referral.yaml", do="add", **form):
    data = {"do": do, "referral": upload(inbox / name), "papers": papers(inbox), **form}
    return client.post("/referrals", data)


def write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def summary_items(page: str) -> list[tuple[str, str]]:
    box = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', box)


def test_dashboard_shows_the_next_meeting_and_its_readiness(client, workspace, inbox):
    send_referral(client, inbox)
    page = text(client.get("/"))
    assert "<title>Dashboard – ccp</title>" in page
    assert "Testshire Complex Child Panel" in page
    assert "11 March 2027" in page
    assert "25 February 2027" in page  # 14 days before: the referral deadline
    assert "BLOCKS: CCP-2027-001: no last review report" in page
    assert "received referral" in page or "referral add" in page  # the Audit row


def test_recent_changes_name_the_person_not_the_login(client, workspace, inbox):
    send_referral(client, inbox)
    assert "<td>test-user</td>" in text(client.get("/"))  # no one claims this login
    panel_file = workspace.root / "panel.yaml"
    panel = yaml.safe_load(panel_file.read_text(encoding="utf-8"))
    panel["administrator"]["login"] = "TEST-USER"
    write(panel_file, panel)
    page = text(client.get("/"))
    assert f"<td>{panel['administrator']['name']}</td>" in page
    assert "<td>test-user</td>" not in page


def test_recent_changes_run_on_into_last_years_audit_tab(client, workspace, monkeypatch):
    from datetime import datetime

    from workflow.register import Register
    from workflow.workspace.transaction import transaction

    register = Register.load(workspace.register_file)
    register.audit(
        command="x", action="an old change", target="CCP-2026-009", when=datetime(2026, 11, 2)
    )
    register.save(workspace.register_file, backups_dir=workspace.backups_dir)
    monkeypatch.setenv("CCP_TODAY", "2028-01-05")
    with transaction(workspace, "test") as change:  # the year's first writing command
        change.commit()
    assert "Audit to 2027" in Register.load(workspace.register_file).sheet_names()
    page = text(client.get("/"))
    recent = page.split('id="recent"', 1)[1]
    assert "started the year&#39;s audit" in recent or "started the year's audit" in recent
    assert "CCP-2026-009" in recent  # last year's tab tops the list up


def docx_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "downloaded.docx"
    path.write_bytes(data)
    return document_text(path)


def test_blank_word_form_downloads(client, tmp_path):
    response = client.get("/referrals/referral-form.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "Testshire Complex Child Panel" in docx_text(response.data, tmp_path)


def test_check_then_accept_a_yaml_referral_with_its_papers(client, workspace, inbox):
    checked = send_referral(client, inbox, do="check")
    assert checked.status_code == 200
    assert "referral.yaml: ready to accept for the 11 March 2027 meeting" in text(checked)
    assert not (workspace.root / "cases" / "CCP-2027-001").exists()

    accepted = send_referral(client, inbox)

    assert accepted.status_code == 200
    assert "Accepted as CCP-2027-001" in text(accepted)
    case = workspace.root / "cases" / "CCP-2027-001"
    assert (case / "attachments").is_dir()
    stored = sorted(p.suffix for p in (case / "attachments").iterdir())
    assert stored == [".docx", ".pdf"]
    rows = sheet_rows(workspace.register_file, "Cases")
    assert [row["Case ID"] for row in rows] == ["CCP-2027-001"]
    assert not any((workspace.root / ".web-uploads").iterdir())


def test_a_bad_referral_lists_every_problem_the_cli_would(client, workspace, inbox, referral_data):
    bad = copy.deepcopy(referral_data)
    bad["referrer"]["email"] = "not an address"
    bad["criteria"] = []
    path = write(inbox / "bad.yaml", bad)
    with pytest.raises(FormInvalid) as cli_says:
        check_referral(path, workspace=workspace)

    response = send_referral(client, inbox, name="bad.yaml")

    assert response.status_code == 400
    items = summary_items(text(response))
    assert [line for _, line in items] == [
        line.replace("&", "&amp;").replace("'", "&#39;") for line in cli_says.value.lines()
    ]
    assert len(items) == 2
    assert {anchor for anchor, _ in items} == {"referral"}
    assert 'id="referral"' in text(response)
    assert sheet_rows(workspace.register_file, "Cases") == []


def test_a_late_referral_needs_the_chair_who_accepted_it(
    client, workspace, inbox, referral_data, monkeypatch
):
    monkeypatch.setenv("CCP_TODAY", "2027-03-01")
    late = copy.deepcopy(referral_data)
    late["authorised_by"]["date"] = "2027-03-01"
    write(inbox / "late.yaml", late)

    refused = send_referral(client, inbox, name="late.yaml")
    assert refused.status_code == 400
    assert "is after the referral deadline of 25 February 2027" in text(refused)

    accepted = send_referral(client, inbox, name="late.yaml", late_accepted_by="Alex Sample")
    assert "Accepted as CCP-2027-001" in text(accepted)


def test_cases_list_filters_and_case_page_is_the_case_history(client, workspace, inbox):
    send_referral(client, inbox)
    listing = text(client.get("/cases?status=open"))
    assert 'href="/cases/CCP-2027-001"' in listing
    assert "CCP-2027-001" not in text(client.get("/cases?status=closed")).split("<tbody>")[1]

    page = text(client.get("/cases/CCP-2027-001"))

    history = case_history(workspace, "CCP-2027-001")
    assert "<title>CCP-2027-001 – ccp</title>" in page
    assert CHILD in page
    for event in history.events:
        assert event.summary in page
    assert "/files/cases/CCP-2027-001/case.json" in page
    log = (workspace.root / "access-log.csv").read_text(encoding="utf-8").splitlines()
    assert log[0] == "when,case_id,user"
    assert log[1].endswith(",CCP-2027-001,test-user")  # the Audit sheet's user (CCP_USER)
    assert "CCP-2027-001" in text(client.get("/access-log"))


def test_no_childs_name_in_any_url_title_or_access_log(client, workspace, inbox):
    send_referral(client, inbox)
    for url in ["/", "/cases", "/cases/CCP-2027-001", "/meetings/2027-03-11", "/actions"]:
        page = text(client.get(url))
        title = re.search(r"<title>(.*)</title>", page).group(1)
        assert CHILD not in title
        assert "Kai" not in title
        for href in re.findall(r'(?:href|action)="([^"]+)"', page):
            assert "Kai" not in href
    assert "Kai" not in (workspace.root / "access-log.csv").read_text(encoding="utf-8")


def test_unknown_or_malformed_case_ids(client):
    assert client.get("/cases/CCP-2027-999").status_code == 400
    assert "no such case" in text(client.get("/cases/CCP-2027-999"))
    assert client.get("/cases/..%2fpanel.yaml").status_code == 404
    assert client.get("/progress/not-a-case/progress-form.docx").status_code == 404


def test_a_change_made_by_the_cli_shows_at_once(client, workspace, inbox):
    assert "0 of 0 case(s)" in text(client.get("/cases"))
    add_referral(workspace, inbox / "referral.yaml")  # as `ccp referral add` would
    assert "1 of 1 case(s)" in text(client.get("/cases"))


def test_meeting_page_builds_the_pack_and_drafts_minutes(client, workspace, inbox):
    send_referral(client, inbox)
    page = text(client.get("/meetings/2027-03-11"))
    assert "Meeting of 11 March 2027" in page
    assert 'href="/cases/CCP-2027-001"' in page

    started = client.post("/meetings/2027-03-11/pack", {"no_pdf": "yes"})
    assert started.status_code == 303
    assert started.headers["Location"] == "/meetings/2027-03-11/pack"
    client.app.config["CCP_JOBS"].get("pack-2027-03-11").thread.join(timeout=120)
    built = client.get("/meetings/2027-03-11/pack")
    assert built.status_code == 200
    assert "Built the pack in" in text(built)
    pack = workspace.root / "output" / "2027-03-11" / "pack-2027-03-11.docx"
    download = client.get("/files/output/2027-03-11/pack-2027-03-11.docx")
    assert download.data == pack.read_bytes()
    assert "/files/output/2027-03-11/circulation/" in text(built)

    drafted = client.post("/meetings/2027-03-11/draft")
    assert "Wrote meetings/2027-03-11/minutes.yaml" in text(drafted)
    again = client.post("/meetings/2027-03-11/draft")
    assert again.status_code == 400
    assert "already exists" in text(again)


def test_the_pack_page_says_how_far_it_has_got_and_refusals_show(client, workspace, inbox):
    import threading

    from workflow.web.jobs import Job

    send_referral(client, inbox)
    jobs = client.app.config["CCP_JOBS"]
    release = threading.Event()
    jobs.start("pack-2027-03-11", release.wait)  # a pack still building
    page = text(client.get("/meetings/2027-03-11/pack"))
    assert "Building the pack for 11 March 2027" in page
    assert "Check again" in page
    assert "The pack is being built" in text(client.get("/meetings/2027-03-11"))
    release.set()
    jobs.get("pack-2027-03-11").thread.join(timeout=10)

    (workspace.root / "~$register.xlsx").write_bytes(b"lock")
    client.post("/meetings/2027-03-11/pack", {"no_pdf": "yes"})
    jobs.get("pack-2027-03-11").thread.join(timeout=60)
    refused = client.get("/meetings/2027-03-11/pack")
    assert refused.status_code == 409
    assert "register.xlsx is open in Excel" in text(refused)
    assert isinstance(jobs.get("pack-2027-03-11"), Job)


def test_unknown_meeting_is_not_found(client):
    assert client.get("/meetings/2027-03-12").status_code == 404
    assert client.get("/meetings/not-a-date").status_code == 404


def test_record_minutes_then_sign_needs_a_confirmation(client, workspace, inbox, tmp_path):
    send_referral(client, inbox)
    client.post("/meetings/2027-03-11/draft")
    done = complete_draft(
        workspace.root / "meetings" / "2027-03-11" / "minutes.yaml", tmp_path / "minutes.yaml"
    )
    checked = client.post("/meetings/2027-03-11/minutes", {"do": "check", "minutes": upload(done)})
    assert "minutes.yaml: ready to record" in text(checked)

    recorded = client.post(
        "/meetings/2027-03-11/minutes", {"do": "record", "minutes": upload(done)}
    )
    assert "Recorded version 1 of the 2027-03-11 minutes: 2 action(s)" in text(recorded)
    assert "CCP-2027-001-A1" in {
        r["Action ID"] for r in sheet_rows(workspace.register_file, "Actions")
    }

    confirm = text(client.get("/meetings/2027-03-11/sign?signer=Alex+Sample"))
    assert "I am Alex Sample, and I approve these minutes as a true record" in confirm
    unconfirmed = client.post("/meetings/2027-03-11/sign", {"signer": "Alex Sample"})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm you are Alex Sample" in text(unconfirmed)
    assert client.get("/meetings/2027-03-11/sign?signer=Casey+Mockup").status_code == 404


def test_another_meetings_minutes_are_refused_on_this_page(client, workspace, inbox, tmp_path):
    send_referral(client, inbox)
    client.post("/meetings/2027-03-11/draft")
    done = complete_draft(
        workspace.root / "meetings" / "2027-03-11" / "minutes.yaml", tmp_path / "minutes.yaml"
    )
    response = client.post(
        "/meetings/2027-05-13/minutes", {"do": "record", "minutes": upload(done)}
    )
    assert response.status_code == 400
    assert "minutes.yaml: these are the minutes of 2027-03-11" in text(response)
    assert "CCP-2027-001-A1" not in {
        r["Action ID"] for r in sheet_rows(workspace.register_file, "Actions")
    }


def test_bad_minutes_are_listed_against_the_upload(client, workspace, inbox, tmp_path):
    send_referral(client, inbox)
    client.post("/meetings/2027-03-11/draft")
    draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
    response = client.post(
        "/meetings/2027-03-11/minutes", {"do": "record", "minutes": upload(draft)}
    )
    assert response.status_code == 400
    items = summary_items(text(response))
    assert items
    assert {anchor for anchor, _ in items} == {"minutes"}


@pytest.fixture
def minuted(workspace, inbox, referral_data, tmp_path, monkeypatch):
    cases = minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    monkeypatch.setenv("CCP_TODAY", "2027-04-20")
    return cases


def test_actions_filter_update_and_remind(client, workspace, minuted):
    page = text(client.get("/actions?overdue=yes&agency=Police"))
    assert "CCP-2027-001-A2" in page
    assert "CCP-2027-001-A1" not in page.split("<tbody>")[1]

    updated = client.post(
        "/actions/update",
        {
            "action_id": "CCP-2027-001-A2",
            "status": "Completed",
            "note": "Plan shared & agreed",
            "completed_on": "2027-04-01",
        },
    )
    assert updated.status_code == 200
    row = next(
        r
        for r in sheet_rows(workspace.register_file, "Actions")
        if r["Action ID"] == "CCP-2027-001-A2"
    )
    assert row["Status"] == "Completed"
    assert "Plan shared & agreed" in row["Notes"]

    refused = client.post(
        "/actions/update", {"action_id": "CCP-2027-001-A1", "status": "Cancelled"}
    )
    assert refused.status_code == 400
    assert "There is a problem" in text(refused)

    reminded = client.post("/actions/remind", {"days": "14"})
    assert "owner(s) with actions due by" in text(reminded)
    assert "/files/output/reminders/2027-04-20/" in text(reminded)


def test_progress_form_download_check_and_add(client, workspace, minuted, tmp_path):
    form = client.get("/progress/CCP-2027-001/progress-form.docx")
    assert form.status_code == 200
    assert "CCP-2027-001" in docx_text(form.data, tmp_path)

    from workflow.cases.progress_form import write_progress_template

    data = yaml.safe_load(
        write_progress_template(workspace, "CCP-2027-001", "yaml", tmp_path / "t.yaml").read_text()
    )
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
        changes="New flat.",
        child_views="I like it.",
        plan_revised=True,
        still_needed="A worker.",
        recommendation="continue",
        recommendation_reason="Working.",
    )
    for entry in data["actions"]:
        entry.update(status="in_progress", progress="Started.")
    report = write(tmp_path / "progress.yaml", data)

    checked = client.post("/progress", {"do": "check", "report": upload(report)})
    assert "ready to add: CCP-2027-001, for the 13 May 2027 meeting" in text(checked)
    added = client.post("/progress", {"do": "add", "report": upload(report)})
    assert "Added the CCP-2027-001 progress report for the 13 May 2027 meeting" in text(added)
    assert (workspace.root / "cases" / "CCP-2027-001" / "progress").is_dir()


def test_reports_page_builds_the_annual_report(client, workspace, minuted):
    response = client.post("/reports", {"year": "2027", "no_pdf": "yes"})
    assert response.status_code == 200
    assert "Annual report 2027" in text(response)
    assert "/files/output/annual/annual-2027.docx" in text(response)
    assert client.post("/reports", {"year": "twenty"}).status_code == 400


def test_verify_says_not_verified_for_an_unknown_file(client, tmp_path):
    other = tmp_path / "minutes-2027-03-11-v1.pdf"
    other.write_bytes(b"%PDF-1.7 not signed")
    response = client.post("/verify", {"document": upload(other)})
    assert "NOT VERIFIED" in text(response)


@pytest.mark.libreoffice
def test_sign_then_verify_the_signed_pdf(client, workspace, inbox, tmp_path):
    send_referral(client, inbox)
    client.post("/meetings/2027-03-11/draft")
    done = complete_draft(
        workspace.root / "meetings" / "2027-03-11" / "minutes.yaml", tmp_path / "minutes.yaml"
    )
    client.post("/meetings/2027-03-11/minutes", {"do": "record", "minutes": upload(done)})
    signed = client.post("/meetings/2027-03-11/sign", {"signer": "Alex Sample", "confirm": "yes"})
    assert "Signed version 1 of the 2027-03-11 minutes as Alex Sample" in text(signed)
    assert "VERIFIED: output/2027-03-11/minutes-2027-03-11-v1.pdf" in text(signed)

    pdf = workspace.root / "output" / "2027-03-11" / "minutes-2027-03-11-v1.pdf"
    verified = text(client.post("/verify", {"document": upload(pdf)}))
    from workflow.meetings.signing import verify_document

    assert verify_document(workspace, pdf).message.replace("'", "&#39;") in verified  # = CLI
    assert "minutes-2027-03-11-v1.pdf: VERIFIED: output/2027-03-11/" in verified
    assert "signed by Alex Sample" in verified
    changed = tmp_path / pdf.name
    changed.write_bytes(pdf.read_bytes() + b"\n")
    assert "NOT VERIFIED" in text(client.post("/verify", {"document": upload(changed)}))

    # Recording over signed minutes is refused; an amendment is a new version, signed again.
    again = client.post("/meetings/2027-03-11/minutes", {"do": "record", "minutes": upload(done)})
    assert again.status_code == 400
    record = yaml.safe_load(done.read_text(encoding="utf-8"))
    record["cases"][0]["discussion"] = "Corrected: missing episodes fell in February."
    corrected = write(tmp_path / "corrected.yaml", record)
    amended = client.post(
        "/meetings/2027-03-11/minutes", {"do": "amend", "amended": upload(corrected)}
    )
    assert "Recorded version 2 of the 2027-03-11 minutes" in text(amended)
    client.post("/meetings/2027-03-11/sign", {"signer": "Bailey Specimen", "confirm": "yes"})
    versions = text(client.get("/meetings/2027-03-11")).split("Signed versions", 1)[1]
    assert "minutes-2027-03-11-v2.pdf: VERIFIED" in versions
    assert "superseded: a newer version (2) exists" in versions


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("agency=Police", ["CCP-2027-001", "CCP-2027-002"]),
        ("agency=Health", ["CCP-2027-002"]),
        ("risk=Very+high", ["CCP-2027-001", "CCP-2027-002"]),
        ("risk=Low", []),
        ("meeting=2027-03-11&status=open", ["CCP-2027-001", "CCP-2027-002"]),
        ("status=closed", []),
    ],
    ids=["agency-in-list", "referring-agency", "risk", "no-risk", "meeting", "closed"],
)
def test_cases_filters(client, workspace, inbox, referral_data, query, shown):
    from helpers import accept_two

    accept_two(workspace, inbox, referral_data)
    page = text(client.get(f"/cases?{query}"))
    listed = re.findall(r'<td><a href="/cases/(CCP-[\d-]+)">', page)
    assert listed == shown


def test_the_access_log_is_only_appended_to(client, workspace, inbox, referral_data):
    from helpers import accept_two

    accept_two(workspace, inbox, referral_data)
    client.get("/cases/CCP-2027-001")
    log = workspace.root / "access-log.csv"
    first = log.read_text(encoding="utf-8")
    client.get("/cases/CCP-2027-002")
    client.get("/cases/CCP-2027-002")
    now = log.read_text(encoding="utf-8")
    assert now.startswith(first)
    viewed = [line.split(",")[1] for line in now.splitlines()[1:]]
    assert viewed == ["CCP-2027-001", "CCP-2027-002", "CCP-2027-002"]
    page = text(client.get("/access-log"))
    assert re.findall(r"<td>(CCP-[\d-]+)</td>", page) == viewed[::-1]  # newest first


def test_the_access_log_is_private_to_the_user(client, workspace, inbox, referral_data):
    import os
    import stat

    from helpers import accept_two

    accept_two(workspace, inbox, referral_data)
    previous = os.umask(0o022)  # the usual umask: the log must not follow it
    try:
        client.get("/cases/CCP-2027-001")
    finally:
        os.umask(previous)
    mode = stat.S_IMODE((workspace.root / "access-log.csv").stat().st_mode)
    assert mode == 0o600


def test_two_browsers_accepting_at_once_lose_nothing(app, workspace, inbox, referral_data):
    import threading

    from web_client import Client

    others = []
    for number in range(2):
        data = copy.deepcopy(referral_data)
        data["child"].update(name=f"Fictional Child {number}", local_id=f"LCS-90{number}")
        data["attachments"] = {}
        others.append(write(inbox / f"child-{number}.yaml", data))
    browsers = [Client(app) for _ in others]
    browsers[0].login()
    browsers[1].client.set_cookie(
        "ccp_session", app.config["CCP_SECRETS"].session, domain="127.0.0.1"
    )
    results: list[str] = []

    def accept(browser, path):
        response = browser.post("/referrals", {"do": "add", "referral": upload(path)})
        results.append(text(response))

    threads = [
        threading.Thread(target=accept, args=pair) for pair in zip(browsers, others, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    accepted = sorted(re.findall(r"Accepted as (CCP-2027-\d+)", "".join(results)))
    assert accepted == ["CCP-2027-001", "CCP-2027-002"]
    rows = sheet_rows(workspace.register_file, "Cases")
    assert sorted(row["Case ID"] for row in rows) == accepted


def test_what_people_typed_is_shown_as_text_never_markup(client, workspace, inbox, referral_data):
    typed = copy.deepcopy(referral_data)
    typed["referrer"]["name"] = '<script>alert("x")</script> Smith & Sons {{ 7*7 }}'
    write(inbox / "typed.yaml", typed)
    assert "Accepted as CCP-2027-001" in text(send_referral(client, inbox, name="typed.yaml"))

    page = text(client.get("/cases/CCP-2027-001"))

    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Smith &amp; Sons {{ 7*7 }}" in page


def test_an_edit_made_in_excel_shows_at_once(client, workspace, minuted):
    from between_meetings import edit_cells

    before = text(client.get("/cases/CCP-2027-001"))
    assert "latest Very high" in before
    edit_cells(
        workspace.register_file, "Cases", {"Case ID": "CCP-2027-001"}, {"Risk latest": "Low"}
    )
    edit_cells(
        workspace.register_file,
        "Actions",
        {"Action ID": "CCP-2027-002-A2"},
        {"Owner": "Jo Newname"},
    )

    assert "latest Low" in text(client.get("/cases/CCP-2027-001"))
    assert "CCP-2027-001" in text(client.get("/cases?risk=Low")).split("<tbody>")[1]
    assert "Jo Newname" in text(client.get("/actions?owner=Jo+Newname"))


@pytest.mark.libreoffice
def test_a_pack_built_in_the_browser_uses_the_libreoffice_kept_running(client, workspace, inbox):
    from workflow.documents.office import WarmOffice, find_office_python
    from workflow.documents.pdf import keep_running

    send_referral(client, inbox)
    python = find_office_python()
    assert python.path is not None, python.reason
    with WarmOffice(python.path) as office, keep_running(office):  # as `ccp serve` runs
        client.post("/meetings/2027-03-11/pack")
        client.app.config["CCP_JOBS"].get("pack-2027-03-11").thread.join(timeout=300)
        built = text(client.get("/meetings/2027-03-11/pack"))
    assert "Built the pack in" in built
    assert office.conversions == 1
    assert office.starts == 1
    pack = workspace.root / "output" / "2027-03-11" / "pack-2027-03-11.pdf"
    assert pack.read_bytes().startswith(b"%PDF")
    assert client.get("/files/output/2027-03-11/pack-2027-03-11.pdf").data == pack.read_bytes()


def test_the_actions_list_comes_in_pages_that_keep_the_filters(client, minuted, monkeypatch):
    from workflow.web.views import actions as actions_view

    every = text(client.get("/actions?agency=Police"))
    listed = re.findall(r"<tr(?: class=overdue)?><td>(CCP-[\d-]+-A\d+)</td>", every)
    assert len(listed) >= 2
    monkeypatch.setattr(actions_view, "PER_PAGE", 1)

    first = text(client.get("/actions?agency=Police"))
    assert f"{len(listed)} action(s)" in first
    assert "Showing 1 to 1." in first
    assert f"Page 1 of {len(listed)}" in first
    assert re.findall(r"<tr(?: class=overdue)?><td>(CCP-[\d-]+-A\d+)</td>", first) == listed[:1]
    assert "Previous page" not in first
    assert 'href="/actions?page=2&amp;agency=Police" rel="next"' in first
    assert f"<title>Actions, page 1 of {len(listed)}" in first

    second = text(client.get("/actions?page=2&agency=Police"))
    assert re.findall(r"<tr(?: class=overdue)?><td>(CCP-[\d-]+-A\d+)</td>", second) == listed[1:2]
    assert 'href="/actions?page=1&amp;agency=Police" rel="prev"' in second
    # The update form offers the actions on the page being read.
    assert f'<option value="{listed[1]}">' in second
    assert f'<option value="{listed[0]}">' not in second

    last = text(client.get("/actions?page=999&agency=Police"))  # past the end: the last page
    assert f"Page {len(listed)} of {len(listed)}" in last
    for nonsense in ("0", "-1", "two", "9" * 40):
        assert f"Page 1 of {len(listed)}" in text(
            client.get(f"/actions?page={nonsense}&agency=Police")
        )


def test_a_restricted_case_is_badged_and_its_page_lists_who_was_sent_it(client, workspace, inbox):
    """Issue 23: the list and the page say "Restricted"; "Sent to" is the Disclosures sheet."""
    from workflow.cases.restriction import restrict_case
    from workflow.meetings.pack import build_pack

    send_referral(client, inbox)
    assert "Restricted" not in text(client.get("/cases")).split("<tbody>")[1]
    restrict_case(workspace, "CCP-2027-001", ["Police"], reason="Live inquiry")
    build_pack(workspace, date(2027, 3, 11), pdf=False)

    row = text(client.get("/cases")).split("<tbody>")[1].split("</tr>")[0]
    assert '<span class="badge">Restricted</span>' in row
    page = text(client.get("/cases/CCP-2027-001"))
    assert "Restricted to Police (and the chair, deputy and administrator): Live inquiry." in page
    sent = page.split("<h2>Sent to (", 1)[1].split("</table>", 1)[0]
    assert sent.startswith("3)")  # the chair, the deputy, the police member; not CAMHS
    assert "DI Frankie Fiction" in sent
    assert "Ellis Pretendy" not in sent
    assert "output/2027-03-11/pack-2027-03-11.docx" in sent


def test_retention_page_shows_what_the_cli_report_does(client, workspace, inbox, runner):
    from workflow.cli import cli

    send_referral(client, inbox)
    page = text(client.get("/retention"))
    assert "<title>Retention – ccp</title>" in page
    assert "No case or signed minutes are due for review or disposal." in page
    assert "No case is on legal hold." in page
    assert "No copies are due." in page
    held = runner.invoke(
        cli, ["-w", str(workspace.root), "retention", "hold", "CCP-2027-001", "--reason", "Inquiry"]
    )
    assert held.exit_code == 0, held.output
    later = text(client.get("/retention?as_of=2090-01-01"))
    assert "Records due on 1 January 2090" in later
    assert "<td>CCP-2027-001</td><td>referral and case papers</td>" in later
    assert "held: Inquiry" in later
    assert "Legal holds (1)" in later
    assert "<summary>register backups: " in later  # every backup is due by 2090
    assert CHILD.split()[0] not in later  # case IDs only, never the child's name
    cli_report = runner.invoke(
        cli, ["-w", str(workspace.root), "retention", "report", "--as-of", "2090-01-01"]
    ).output
    assert "CCP-2027-001 (referral and case papers), due" in cli_report


def test_retention_page_refuses_a_date_that_is_not_one(client):
    response = client.get("/retention?as_of=31/01/2030")
    assert response.status_code == 400
    assert summary_items(text(response)) == [
        ("as_of", "As of: give a date as YYYY-MM-DD, for example 2030-01-31")
    ]
