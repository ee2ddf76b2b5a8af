"""Referral and panel.yaml validation: every rule of the data contract, one failing input each."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from testdata import DATA, write_yaml

from workflow.contract import PanelConfig, Referral
from workflow.contract.rules import ReferralContext, referral_problems
from workflow.core.errors import FileUnreadable, FormInvalid
from workflow.forms.loading import load_form, validate

TODAY = date(2027, 2, 20)


def problems_for(data: dict[str, Any], panel: PanelConfig | None = None) -> list[str]:
    context = ReferralContext(today=TODAY, panel=panel)
    try:
        validate(
            Referral, data, Path("referral.yaml"), rules=lambda r: referral_problems(r, context)
        )
    except FormInvalid as err:
        return err.lines()
    return []


def test_valid_referral_has_no_problems(referral_data):
    assert problems_for(referral_data) == []


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is DELETE:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value


DELETE = object()

RULES = [
    (
        "child.date_of_birth",
        date(2027, 3, 1),
        "referral.yaml: child.date_of_birth: must be in the past",
    ),
    (
        "child.date_of_birth",
        date(2001, 1, 1),
        "referral.yaml: child.date_of_birth: the child would be 26 on the meeting date",
    ),
    (
        "child.date_of_birth",
        "17/08/2010",
        "child.date_of_birth: must be an ISO date like 2027-01-14",
    ),
    ("child.date_of_birth", "2010-02-30", "child.date_of_birth: '2010-02-30' is not a real date"),
    ("child.name", DELETE, "referral.yaml: child.name: is required"),
    ("child.name", "   ", "child.name: must not be blank"),
    ("child.local_id", 731, "child.local_id: must be text; put the value in quotes"),
    ("child.legal_status", "section20", "child.legal_status: must be one of: none, child_in_need"),
    ("child.legal_status", "section20", "(did you mean section_20?)"),
    ("child.out_of_area", "perhaps", "child.out_of_area: must be true or false"),
    ("risks.0.level", "extreme", "risks[1].level: must be one of: low, medium, high, very_high"),
    ("risks", [], "referral.yaml: risks: needs at least one entry"),
    ("criteria", [], "referral.yaml: criteria: needs at least one entry"),
    ("criteria", ["high_risk", "high_risk"], "criteria: high_risk is listed more than once"),
    ("processes_tried", [], "referral.yaml: processes_tried: needs at least one entry"),
    (
        "professionals.0.key_worker",
        False,
        "professionals: exactly one professional must have key_worker: true (found 0)",
    ),
    ("professionals.1.key_worker", True, "(found 2)"),
    (
        "referrer.email",
        "dana-at-example",
        "referrer.email: 'dana-at-example' is not an email address",
    ),
    ("history", "bad \x0b char", "history: contains the control character U+000B"),
    ("history", "x" * 20_001, "history: is too long (at most 20,000 characters)"),
    (
        "authorised_by.date",
        date(2027, 2, 26),
        "authorised_by.date: 26 February 2027 is after the referral deadline of "
        "25 February 2027 (14 days before the 11 March 2027 meeting); a late referral "
        "needs late_accepted_by",
    ),
    ("authorised_by.date", date(2027, 2, 21), "authorised_by.date: must not be in the future"),
    (
        "key_social_worker.consulted_on",
        date(2027, 2, 16),
        "key_social_worker.consulted_on: must not be after the authorisation date "
        "(15 February 2027)",
    ),
    (
        "iro.consulted_on",
        date(2027, 2, 16),
        "iro.consulted_on: must not be after the authorisation date",
    ),
    (
        "iro",
        DELETE,
        "referral.yaml: iro: is required: the child has a protection plan or is looked after",
    ),
    (
        "criteria",
        ["neglect_long_term"],
        "criteria: neglect_long_term needs a child protection plan of more than 18 months",
    ),
    ("chld_views", "typo", "unknown field 'chld_views'; did you mean 'child_views'?"),
    (
        "child.date_of_brith",
        "2010-08-17",
        "child.date_of_brith: unknown field 'date_of_brith'; did you mean 'date_of_birth'?",
    ),
]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    RULES,
    ids=[f"{f}={str(v)[:20]!s}" if v is not DELETE else f"{f}-missing" for f, v, _ in RULES],
)
def test_each_rule_names_its_field(referral_data, field, value, expected):
    set_path(referral_data, field, value)
    lines = problems_for(referral_data)
    assert any(expected in line for line in lines), lines


def test_every_problem_is_reported_at_once(referral_data):
    referral_data["child"]["gender"] = None
    referral_data["risks"][0]["level"] = "extreme"
    referral_data["referrer"]["email"] = "nope"
    lines = problems_for(referral_data)
    assert lines == [
        "referral.yaml: child.gender: is required",
        "referral.yaml: risks[1].level: must be one of: low, medium, high, very_high",
        "referral.yaml: referrer.email: 'nope' is not an email address",
    ]


def test_long_term_neglect_accepted_with_a_plan_over_18_months(referral_data):
    referral_data["criteria"] = ["neglect_long_term"]
    referral_data["child"]["legal_status"] = "child_protection_plan"
    referral_data["child"]["legal_status_since"] = date(2025, 9, 10)
    assert problems_for(referral_data) == []
    referral_data["child"]["legal_status_since"] = date(2025, 9, 12)
    assert any(
        "the plan began on 12 September 2025" in line for line in problems_for(referral_data)
    )


def test_long_term_neglect_accepted_with_a_refused_care_order(referral_data):
    referral_data["criteria"] = ["neglect_long_term", "care_order_refused"]
    assert problems_for(referral_data) == []


def test_iro_not_needed_for_a_child_in_need(referral_data):
    referral_data["child"]["legal_status"] = "child_in_need"
    del referral_data["iro"]
    assert problems_for(referral_data) == []


def test_late_referral_accepted_by_the_chair(referral_data):
    panel = load_form(PanelConfig, DATA / "panel.yaml")
    referral_data["authorised_by"]["date"] = date(2027, 2, 20)
    referral_data["late_accepted_by"] = "Alex Sample"
    assert problems_for(referral_data, panel) == []
    referral_data["late_accepted_by"] = "Someone Else"
    assert problems_for(referral_data, panel) == [
        "referral.yaml: late_accepted_by: must be the panel's chair or deputy "
        "(Alex Sample or Bailey Specimen)"
    ]


def test_meeting_must_be_in_panel_yaml(referral_data):
    panel = load_form(PanelConfig, DATA / "panel.yaml")
    referral_data["meeting"] = date(2027, 3, 12)
    referral_data["late_accepted_by"] = "Alex Sample"
    lines = problems_for(referral_data, panel)
    assert lines == [
        "referral.yaml: meeting: 2027-03-12 is not a meeting in panel.yaml "
        "(meetings: 2027-01-14, 2027-03-11, 2027-05-13, 2027-07-08)"
    ]


def test_blank_template_sections_count_as_absent(referral_data):
    referral_data["child"]["legal_status"] = "child_in_need"
    referral_data["iro"] = {"name": None, "consulted_on": None}
    referral_data["assessments"].append(
        {"title": None, "date": None, "author": "", "summary": None}
    )
    referral = validate(Referral, referral_data, Path("r.yaml"))
    assert referral.iro is None
    assert len(referral.assessments) == 1


def test_windows_line_breaks_become_single_breaks(referral_data):
    referral_data["history"] = "line one\r\nline two"
    referral = validate(Referral, referral_data, Path("r.yaml"))
    assert referral.history == "line one\nline two"


# --- files -------------------------------------------------------------------------------


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    bad = tmp_path / "referral.yaml"
    bad.write_text("meeting: 2027-03-11\nchild:\n  name: Kai\n   gender: x\n", encoding="utf-8")
    with pytest.raises(FileUnreadable, match=r"^referral.yaml: line 4, column 10: "):
        load_form(Referral, bad)


def test_comma_in_flow_mapping_is_caught_not_dropped(tmp_path, referral_data):
    text = (DATA / "referral.yaml").read_text(encoding="utf-8")
    text = text.replace(
        '"Eleven missing episodes in four months, found out of county twice."',
        "Eleven missing episodes in four months, found out of county twice.",
    )
    path = tmp_path / "referral.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormInvalid) as caught:
        load_form(Referral, path)
    assert caught.value.lines() == [
        "referral.yaml: risks[1].found out of county twice.: unknown field "
        "'found out of county twice.': it looks like part of a text split at a comma; "
        "put the whole text in quotes"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed"),
        ("history: one\nhistory: two\n", "line 2, column 1: 'history' is given twice"),
        ("- just\n- a list\n", "the file must hold a mapping of field: value"),
        ("", "the file is empty"),
        ("!!python/object:os.system {}\n", "could not determine a constructor"),
    ],
    ids=["alias", "duplicate-key", "not-a-mapping", "empty", "python-tag"],
)
def test_unsafe_or_odd_yaml_is_refused(tmp_path, text, message):
    path = tmp_path / "referral.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((FileUnreadable, FormInvalid)) as caught:
        load_form(Referral, path)
    assert message in str(caught.value)


def test_json_duplicate_key_refused(tmp_path):
    path = tmp_path / "referral.json"
    path.write_text('{"history": "a", "history": "b"}', encoding="utf-8")
    with pytest.raises(FileUnreadable, match="'history' is given twice"):
        load_form(Referral, path)


def test_json_referral_is_accepted(tmp_path, referral_data):
    import json

    path = tmp_path / "referral.json"
    path.write_text(json.dumps(referral_data, default=str), encoding="utf-8")
    assert load_form(Referral, path).child.local_id == "LCS-000731"


def test_oversized_and_non_utf8_files_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (3 * 1024 * 1024))
    with pytest.raises(FileUnreadable, match="a form may be at most 2,097,152 bytes"):
        load_form(Referral, big)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("history: caf\xe9".encode("latin-1"))
    with pytest.raises(FileUnreadable, match="is not UTF-8 text"):
        load_form(Referral, latin)
    with pytest.raises(FileUnreadable, match="no such file"):
        load_form(Referral, tmp_path / "missing.yaml")
    with pytest.raises(FileUnreadable, match=r"must be \.yaml, \.yml or \.json"):
        load_form(Referral, tmp_path / "notes.txt")


# --- panel.yaml --------------------------------------------------------------------------


def test_panel_yaml_rules(tmp_path):
    data = {
        "name": "P",
        "chair": {"name": "C", "role": "R", "agency": "A"},
        "deputy": {"name": "D", "role": "R", "agency": "A"},
        "administrator": {"name": "E", "role": "R", "agency": "A"},
        "members": [],
        "meetings": ["2027-01-14", "2027-01-14"],
        "referral_deadline_days": -1,
        "protective_marking": "OFFICIAL-SENSITIVE",
    }
    path = write_yaml(tmp_path / "panel.yaml", data)
    with pytest.raises(FormInvalid) as caught:
        load_form(PanelConfig, path)
    assert caught.value.lines() == [
        "panel.yaml: members: needs at least one entry",
        "panel.yaml: meetings: 2027-01-14 is listed twice",
        "panel.yaml: referral_deadline_days: must be at least 0",
    ]


def test_panel_meetings_accept_dates_or_mappings():
    panel = load_form(PanelConfig, DATA / "panel.yaml")
    assert panel.meeting_dates()[:2] == [date(2027, 1, 14), date(2027, 3, 11)]
    assert panel.meeting(date(2027, 3, 11)).venue == "Room 2, County Hall"
    assert panel.protective_marking == "OFFICIAL-SENSITIVE"
