"""Word rendering: the referral template's content, typed text kept exact, template errors."""

from __future__ import annotations

import copy
import importlib.util
import re
import sys
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.core.errors import TemplateError
from workflow.core.resources import bundled_template
from workflow.documents.render import render_docx
from workflow.documents.text import document_text

DATA = Path(__file__).parents[1] / "data"
REFERRAL_TEMPLATE = bundled_template("referral.docx")
BUILD_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_templates.py"

LABELS = {
    "supported_accommodation": "Supported accommodation",
    "section_20": "Section 20 (accommodated by agreement)",
    "missing": "Missing episodes",
    "exploitation": "Exploitation",
    "high": "High",
    "very_high": "Very high",
    "resources": "Resources",
    "cross_agency": "Cross-agency working",
    "high_risk": "High-risk young person",
    "multiple_needs": "Multiple complex needs at risk of poor outcomes",
    "strategy_meeting": "Strategy meeting",
    "lac_review": "Looked-after child review",
}

HEADINGS = [
    "1. The child and family",
    "2. Relevant history",
    "3. Assessments",
    "4. Professionals involved",
    "5. Current risks",
    "6. Obstacles to effective planning",
    "7. Criteria met",
    "8. Processes already tried",
    "9. Benefits sought from the panel",
    "10. Outcomes sought",
    "11. The child's views",
    "12. Consultation and authorisation",
    "13. Special invitations",
    "14. Papers for circulation",
]

HOSTILE = (
    "Smith & Sons <b>x</b> \"q\" 'q' café مرحبا שלום {{ case_id }} {% if %} =SUM(A1) "
    "{_{ }_} {_% %_} &amp; </w:t>"
)


# --- the context the referral template receives ------------------------------------------

OPTIONAL = {
    "child": ["preferred_name", "ethnicity", "placement_location", "legal_status_since"],
    "referrer": ["phone"],
    "key_social_worker": ["email"],
}


def referral_context(referral: dict[str, Any]) -> dict[str, Any]:
    """The shape callers build: every optional field present (None if not given)."""
    referral = copy.deepcopy(referral)
    for section, names in OPTIONAL.items():
        for name in names:
            referral[section].setdefault(name, None)
    for person in referral["professionals"]:
        person.setdefault("email", None)
        person.setdefault("phone", None)
    for name in ("assessments", "obstacles", "special_invitations"):
        referral.setdefault(name, [])
    referral.setdefault("iro", None)
    referral.setdefault("late_accepted_by", None)
    papers = referral.get("attachments") or {}
    referral["attachments"] = {
        name: papers.get(name) for name in ("chronology", "risk_assessment", "last_review_report")
    }
    return {
        "case_id": "CCP-2027-004",
        "accepted_on": date(2027, 2, 20),
        "panel": {
            "name": "Northshire Complex Child Panel",
            "protective_marking": "OFFICIAL-SENSITIVE",
        },
        "referral": referral,
        "referring_agency": referral["referrer"]["agency"],
    }


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return yaml.safe_load((DATA / "referral-example.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def context(example: dict[str, Any]) -> dict[str, Any]:
    return referral_context(example)


def render(context: dict[str, Any], out: Path, template: Path = REFERRAL_TEMPLATE) -> Path:
    return render_docx(template, context, out, labels=LABELS)


@pytest.fixture(scope="module")
def rendered(example: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(referral_context(example), tmp_path_factory.mktemp("example") / "referral.docx")


def heading_texts(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name == "Heading 1"]


def table_after(path: Path, heading: str) -> Table | None:
    """The first table after a Heading 1, or None if another heading comes first."""
    document = Document(str(path))
    seen = False
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            if seen:
                return block
        elif block.style.name == "Heading 1":
            if seen:
                return None
            seen = block.text == heading
    return None


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def labelled(table: Table) -> dict[str, str]:
    return {row[0]: row[1] for row in rows(table)}


def section_text(path: Path, heading: str) -> list[str]:
    """The body paragraphs (not tables) between a heading and the next."""
    lines: list[str] = []
    inside = False
    for paragraph in Document(str(path)).paragraphs:
        if paragraph.style.name == "Heading 1":
            inside = paragraph.text == heading
        elif inside:
            lines.append(paragraph.text)
    return lines


def make_template(folder: Path, *paragraphs: str, header: str | None = None) -> Path:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header is not None:
        document.sections[0].header.paragraphs[0].add_run(header)
    path = folder / "mini.docx"
    document.save(str(path))
    return path


# --- the referral document: what a reader sees -------------------------------------------


def test_sections_follow_the_terms_of_reference_in_order(rendered):
    assert heading_texts(rendered) == HEADINGS


def test_title_and_summary_block(rendered):
    document = Document(str(rendered))
    assert document.paragraphs[0].text == "Complex Child Panel referral"
    assert document.paragraphs[0].style.name == "Title"
    assert rows(document.tables[0]) == [
        ["Case ID", "CCP-2027-004", "Panel meeting", "11 March 2027"],
        ["Referring agency", "Children's social care", "Accepted on", "20 February 2027"],
    ]


def test_child_table(rendered):
    child = labelled(table_after(rendered, "1. The child and family"))
    assert child == {
        "Name": "Kai Example-Rivers",
        "Preferred name": "Kai",
        "Date of birth": "17 August 2010 (aged 16 on the panel date)",
        "Gender": "male",
        "Ethnicity": "White British",
        "Local case number": "LCS-000731",
        "Living situation": "Supported accommodation",
        "Placement location": "Supported flat, Northtown",
        "Placed out of area": "No",
        "Legal status": "Section 20 (accommodated by agreement)",
        "Legal status since": "3 November 2025",
    }
    family = section_text(rendered, "1. The child and family")
    assert family[0] == "Family and network"
    assert family[1].startswith("Mother (parental responsibility) lives locally;")


def test_free_text_sections(rendered, example):
    assert section_text(rendered, "2. Relevant history") == [example["history"]]
    assert section_text(rendered, "9. Benefits sought from the panel") == [example["benefits"]]
    [views] = section_text(rendered, "11. The child's views")
    assert views == example["child_views"]
    assert section_text(rendered, "7. Criteria met") == [
        "High-risk young person",
        "Multiple complex needs at risk of poor outcomes",
        "How the criteria are met",
        example["criteria_detail"],
    ]
    assert section_text(rendered, "10. Outcomes sought") == example["outcomes_sought"]


def test_list_tables(rendered):
    assert rows(table_after(rendered, "3. Assessments")) == [
        ["Assessment", "Date", "Author", "Summary"],
        [
            "CAMHS assessment",
            "2 December 2026",
            "Dr P. Invented, CAMHS",
            "Low mood, sleep disturbance; not meeting threshold for specialist input.",
        ],
    ]
    assert rows(table_after(rendered, "4. Professionals involved")) == [
        ["Name", "Role", "Agency", "Contact", "Key worker"],
        ["Dana Fictional", "Social worker", "Children's social care", "dana@example.org", "Yes"],
        ["PC Sam Madeup", "Missing persons officer", "Police", "Not given", ""],
        ["Lee Notreal", "Youth justice worker", "Youth justice service", "Not given", ""],
    ]
    assert rows(table_after(rendered, "6. Obstacles to effective planning")) == [
        ["Obstacle", "Detail"],
        ["Resources", "No specialist exploitation worker available until June."],
        ["Cross-agency working", "Education and youth justice plans set different priorities."],
    ]
    assert rows(table_after(rendered, "8. Processes already tried")) == [
        ["Process", "Date", "Outcome"],
        ["Strategy meeting", "9 January 2027", "Safety plan agreed; missing episodes continued."],
        [
            "Looked-after child review",
            "1 February 2027",
            "Review recommended referral to this panel.",
        ],
    ]
    assert rows(table_after(rendered, "13. Special invitations")) == [
        ["Name", "Role", "Agency", "Reason"],
        ["Jo Placeholder", "Head of year", "Northtown Academy", "Education plan"],
    ]


def test_risks_keep_known_and_suspected_apart(rendered):
    assert rows(table_after(rendered, "5. Current risks")) == [
        ["Category", "Description", "Level", "Known or suspected"],
        [
            "Missing episodes",
            "Eleven missing episodes in four months, found out of county twice.",
            "High",
            "Known",
        ],
        [
            "Exploitation",
            "Suspected involvement in drug supply by older peers.",
            "Very high",
            "Unknown or suspected",
        ],
    ]


def test_consultation_and_papers(rendered):
    assert labelled(table_after(rendered, "12. Consultation and authorisation")) == {
        "Referrer": "Dana Fictional, Social worker, Children's social care\ndana@example.org",
        "Key social worker": "Dana Fictional, Adolescent team 1\ndana@example.org",
        "Key social worker consulted": "10 February 2027",
        "IRO or independent chair": "Robin Imaginary",
        "IRO consulted": "12 February 2027",
        "Authorised by": "Morgan Pretend, Service manager, Children's social care",
        "Date authorised": "15 February 2027",
        "Family aware of the referral": "Yes",
    }
    assert labelled(table_after(rendered, "14. Papers for circulation")) == {
        "Chronology": "Supplied",
        "Current risk assessment": "Supplied",
        "Last review report": "Not supplied",
    }


def test_contacts_and_late_acceptance_when_given(context, tmp_path):
    referral = context["referral"]
    referral["professionals"][1]["email"] = "sam@example.org"
    referral["professionals"][1]["phone"] = "01234 567890"
    referral["professionals"][2]["phone"] = "07700 900123"
    referral["referrer"]["phone"] = "01234 000000"
    referral["late_accepted_by"] = "Alex Chair"
    out = render(context, tmp_path / "late.docx")

    contacts = [row[3] for row in rows(table_after(out, "4. Professionals involved"))]
    assert contacts[2:] == ["sam@example.org\n01234 567890", "07700 900123"]
    consultation = labelled(table_after(out, "12. Consultation and authorisation"))
    assert consultation["Late referral accepted by"] == "Alex Chair (panel chair)"
    assert consultation["Referrer"].endswith("dana@example.org  ·  01234 000000")


def test_renders_the_context_the_referral_service_builds(example, tmp_path):
    """The template against the real context (workflow.cases.store) and the models' words."""
    from workflow.cases.store import CaseRecord, case_context
    from workflow.contract import LABELS as WORDS
    from workflow.contract import PanelConfig, Referral

    panel = PanelConfig.model_validate(
        yaml.safe_load((DATA / "panel.yaml").read_text(encoding="utf-8"))
    )
    record = CaseRecord(
        case_id="CCP-2027-004",
        accepted_on=date(2027, 2, 20),
        referral=Referral.model_validate(example),
        attachments={
            "chronology": "attachments/chronology.docx",
            "risk_assessment": None,
            "last_review_report": None,
        },
    )
    out = render_docx(
        REFERRAL_TEMPLATE, case_context(record, panel), tmp_path / "r.docx", labels=WORDS
    )

    assert heading_texts(out) == HEADINGS
    child = labelled(table_after(out, "1. The child and family"))
    assert child["Living situation"] == "Supported accommodation"
    assert child["Legal status"] == "Section 20 (accommodated by agreement)"
    papers = labelled(table_after(out, "14. Papers for circulation"))
    assert list(papers.values()) == ["Supplied", "Not supplied", "Not supplied"]


def test_header_has_marking_and_panel_but_never_the_child(rendered):
    section = Document(str(rendered)).sections[0]
    header = [p for p in section.header.paragraphs if p.text]
    assert header[0].text == "OFFICIAL-SENSITIVE"
    assert all(run.bold or header[0].style.font.bold for run in header[0].runs)
    assert "Northshire Complex Child Panel" in header[1].text
    footer = "\n".join(p.text for p in section.footer.paragraphs)
    assert footer.startswith("Case CCP-2027-004\tOFFICIAL-SENSITIVE\tPage ")
    for place in (header[0].text + header[1].text, footer):
        assert "Kai" not in place
        assert "Example-Rivers" not in place


def test_footer_numbers_pages_with_fields(rendered):
    footer = Document(str(rendered)).sections[0].footer._element
    codes = [code.text.strip() for code in footer.iter(qn("w:instrText"))]
    assert codes == ["PAGE", "NUMPAGES"]


def test_template_keeps_child_data_out_of_header_and_footer():
    """Guards an edited template: only panel and case ID may be used on every page."""
    with zipfile.ZipFile(REFERRAL_TEMPLATE) as package:
        parts = [name for name in package.namelist() if re.match(r"word/(header|footer)", name)]
        assert parts
        for name in parts:
            assert "referral." not in package.read(name).decode("utf-8")


def test_committed_template_matches_the_build_script(tmp_path, monkeypatch):
    """templates/referral.docx is what `python scripts/build_templates.py` writes."""
    spec = importlib.util.spec_from_file_location("build_templates", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.build_referral(tmp_path / "referral.docx")
    assert (tmp_path / "referral.docx").read_bytes() == REFERRAL_TEMPLATE.read_bytes()


# --- typed text stays exact --------------------------------------------------------------


def test_hostile_text_arrives_exactly(context, tmp_path):
    referral = context["referral"]
    referral["child"]["name"] = HOSTILE
    referral["family"] = HOSTILE + "\nsecond line\n\nafter a blank line"
    referral["risks"][0]["description"] = HOSTILE
    context["panel"]["name"] = HOSTILE
    context["panel"]["protective_marking"] = "OFFICIAL-SENSITIVE & <PERSONAL>"
    out = render(context, tmp_path / "hostile.docx")

    assert labelled(table_after(out, "1. The child and family"))["Name"] == HOSTILE
    assert section_text(out, "1. The child and family")[1] == referral["family"]
    assert rows(table_after(out, "5. Current risks"))[1][1] == HOSTILE
    header = [p.text for p in Document(str(out)).sections[0].header.paragraphs]
    assert header[0] == "OFFICIAL-SENSITIVE & <PERSONAL>"
    assert header[1].startswith(HOSTILE)


def test_line_breaks_are_word_line_breaks_and_crlf_never_doubles(context, tmp_path):
    context["referral"]["history"] = "first\r\nsecond\rthird\nfourth"
    out = render(context, tmp_path / "breaks.docx")
    document = Document(str(out))
    [paragraph] = [p for p in document.paragraphs if p.text.startswith("first")]
    assert paragraph.text == "first\nsecond\nthird\nfourth"
    assert len(paragraph._p.findall(f".//{qn('w:br')}")) == 3
    assert "\r" not in paragraph._p.xml


def test_very_long_unbroken_text(context, tmp_path):
    long = "X" * 20_000
    context["referral"]["history"] = long
    context["referral"]["risks"][0]["description"] = long
    out = render(context, tmp_path / "long.docx")
    assert section_text(out, "2. Relevant history") == [long]
    assert rows(table_after(out, "5. Current risks"))[1][1] == long


def test_none_never_shows_as_none(context, tmp_path):
    referral = context["referral"]
    for name in OPTIONAL["child"]:
        referral["child"][name] = None
    referral["referrer"]["phone"] = None
    referral["key_social_worker"]["email"] = None
    for person in referral["professionals"]:
        person["email"] = person["phone"] = None
    referral["iro"] = None
    referral["late_accepted_by"] = None
    out = render(context, tmp_path / "optional.docx")

    text = document_text(out)
    assert re.findall(r"\bNone\b(?! recorded)", text) == []
    child = labelled(table_after(out, "1. The child and family"))
    assert child["Preferred name"] == "Not given"
    assert child["Ethnicity"] == child["Placement location"] == "Not recorded"
    assert child["Legal status since"] == "Not recorded"
    consultation = labelled(table_after(out, "12. Consultation and authorisation"))
    assert consultation["IRO or independent chair"] == "Not applicable"
    assert consultation["IRO consulted"] == "Not applicable"
    assert consultation["Key social worker"] == "Dana Fictional, Adolescent team 1"
    assert consultation["Referrer"] == (
        "Dana Fictional, Social worker, Children's social care\ndana@example.org"
    )
    assert "Late referral accepted by" not in consultation


@pytest.mark.parametrize(
    ("field", "heading"),
    [
        ("assessments", "3. Assessments"),
        ("obstacles", "6. Obstacles to effective planning"),
        ("special_invitations", "13. Special invitations"),
        ("outcomes_sought", "10. Outcomes sought"),
        ("criteria", "7. Criteria met"),
    ],
    ids=["assessments", "obstacles", "invitations", "outcomes", "criteria"],
)
def test_empty_list_says_none_recorded_not_an_empty_table(context, tmp_path, field, heading):
    context["referral"][field] = []
    out = render(context, tmp_path / "empty.docx")
    assert section_text(out, heading)[0] == "None recorded."
    assert table_after(out, heading) is None


def test_papers_not_supplied(context, tmp_path):
    context["referral"]["attachments"] = dict.fromkeys(
        ("chronology", "risk_assessment", "last_review_report")
    )
    out = render(context, tmp_path / "papers.docx")
    papers = labelled(table_after(out, "14. Papers for circulation"))
    assert set(papers.values()) == {"Not supplied"}


# Text XML can hold: no surrogates, no control characters but line breaks and tabs. U+FFFE
# and U+FFFF are not characters XML allows either (the models refuse them at the door).
typed = st.lists(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(["\n", "\t", "{_{", "}_}", "&", "<", "{{ case_id }}", "=", "مرحبا"]),
    max_size=60,
).map("".join)


@settings(max_examples=50, deadline=None)
@given(history=typed, name=typed)
def test_any_typed_text_comes_back_unchanged(history, name):
    context = referral_context(
        yaml.safe_load((DATA / "referral-example.yaml").read_text(encoding="utf-8"))
    )
    context["referral"]["history"] = history
    context["referral"]["child"]["name"] = name
    with tempfile.TemporaryDirectory() as scratch:
        out = render(context, Path(scratch) / "typed.docx")
        assert section_text(out, "2. Relevant history") == [history]
        assert labelled(table_after(out, "1. The child and family"))["Name"] == name
        assert history in document_text(out)


# --- filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "values", "shown"),
    [
        ("{{ d|uk_date }}", {"d": date(2027, 1, 4)}, "4 January 2027"),
        ("{{ d|uk_date }}", {"d": datetime(2027, 12, 25, 9, 30)}, "25 December 2027"),
        ("{{ d|uk_date }}", {"d": None}, ""),
        ("{{ d }}", {"d": date(2027, 1, 14)}, "14 January 2027"),
        ("{{ c|words }}", {"c": "very_high"}, "Very high"),
        ("{{ c|words }}", {"c": "not_a_label"}, "Not a label"),
        ("{{ b|yesno }}", {"b": True}, "Yes"),
        ("{{ b|yesno }}", {"b": False}, "No"),
        ("{{ b|yesno }}", {"b": None}, ""),
        ("{{ b }}", {"b": False}, "No"),
        ('{{ b|yesno("Known", "Suspected") }}', {"b": False}, "Suspected"),
        ('{{ x|blank("Not recorded") }}', {"x": None}, "Not recorded"),
        ('{{ x|blank("Not recorded") }}', {"x": "  "}, "Not recorded"),
        ('{{ x|blank("Not recorded") }}', {"x": "given"}, "given"),
        ("[{{ x }}]", {"x": None}, "[]"),
        ("{{ d|age(on) }}", {"d": date(2010, 8, 17), "on": date(2027, 8, 16)}, "16"),
        ("{{ d|age(on) }}", {"d": date(2010, 8, 17), "on": date(2027, 8, 17)}, "17"),
    ],
    ids=[
        "date",
        "datetime",
        "date-none",
        "bare-date",
        "label",
        "unlabelled-code",
        "true",
        "false",
        "bool-none",
        "bare-bool",
        "own-words",
        "blank-none",
        "blank-spaces",
        "blank-given",
        "bare-none",
        "age-day-before",
        "age-birthday",
    ],
)
def test_filters(tmp_path, expression, values, shown):
    template = make_template(tmp_path, expression)
    out = render_docx(template, values, tmp_path / "out.docx", labels={"very_high": "Very high"})
    assert document_text(out) == shown


# --- failures leave nothing behind -------------------------------------------------------


def assert_nothing_written(folder: Path, out: Path) -> None:
    assert not out.exists()
    assert [path.name for path in folder.iterdir() if path.name != "mini.docx"] == []


def test_missing_template(tmp_path):
    with pytest.raises(TemplateError, match=r"nowhere\.docx: Word template not found"):
        render_docx(tmp_path / "nowhere.docx", {}, tmp_path / "out.docx", labels={})
    assert not (tmp_path / "out.docx").exists()


def test_not_a_word_file(tmp_path):
    (tmp_path / "mini.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"mini\.docx: not a Word"):
        render_docx(tmp_path / "mini.docx", {}, tmp_path / "out.docx", labels={})
    assert_nothing_written(tmp_path, tmp_path / "out.docx")


@pytest.mark.parametrize(
    ("paragraph", "message"),
    [
        ("{{ refferal.history }}", r"undefined variable: 'refferal' is undefined"),
        ("{{ referral.histroy }}", r"no attribute 'histroy'.*\{\{ referral\.histroy \}\}"),
        ("{% if referral %}no end", r"template syntax error: .*'endif'"),
        ("{{ referral|nonsense }}", r"No filter named 'nonsense'"),
        ("{{ ''.__class__.__mro__ }}", r"not allowed in a template: .*__class__"),
        ("{{ referral.__class__ }}", r"not allowed in a template"),
    ],
    ids=["undefined", "typo-in-attribute", "unclosed-if", "unknown-filter", "mro", "dunder"],
)
def test_template_errors_name_the_template_and_the_tag(tmp_path, paragraph, message):
    template = make_template(tmp_path, "Intro", paragraph)
    out = tmp_path / "out" / "result.docx"
    with pytest.raises(TemplateError, match=message) as caught:
        render_docx(template, {"referral": {"history": "h"}}, out, labels={})
    assert str(caught.value).startswith("mini.docx: ")
    assert "in the body" in str(caught.value)
    assert caught.value.__cause__ is not None
    assert not out.exists()


def test_error_in_header_says_header(tmp_path):
    template = make_template(tmp_path, "Body", header="{{ panel.nmae }}")
    with pytest.raises(TemplateError, match=r"in the header, at: \{\{ panel\.nmae \}\}"):
        render_docx(template, {"panel": {"name": "P"}}, tmp_path / "out.docx", labels={})
    assert_nothing_written(tmp_path, tmp_path / "out.docx")


def test_failed_render_keeps_the_previous_document(tmp_path):
    template = make_template(tmp_path, "{{ missing }}")
    out = tmp_path / "out.docx"
    out.write_bytes(b"the earlier document")
    with pytest.raises(TemplateError):
        render_docx(template, {}, out, labels={})
    assert out.read_bytes() == b"the earlier document"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mini.docx", "out.docx"]


def test_control_character_is_an_error_not_a_lost_paragraph(tmp_path):
    template = make_template(tmp_path, "{{ text }}")
    with pytest.raises(TemplateError, match=r"U\+000B"):
        render_docx(template, {"text": "a\x0bb"}, tmp_path / "out.docx", labels={})
    assert_nothing_written(tmp_path, tmp_path / "out.docx")


def test_render_creates_the_folder_and_returns_the_path(tmp_path):
    template = make_template(tmp_path, "{{ x }}")
    out = tmp_path / "a" / "b" / "out.docx"
    assert render_docx(template, {"x": "y"}, out, labels={}) == out
    assert document_text(out) == "y"


# --- reading text back -------------------------------------------------------------------


def test_document_text_reads_headers_body_tables_and_footers_in_order(tmp_path):
    document = Document()
    document.sections[0].header.paragraphs[0].add_run("HEADER")
    document.add_paragraph("before").paragraph_format.tab_stops.add_tab_stop(Cm(3))
    table = document.add_table(rows=2, cols=2)
    for index, cell in enumerate(table._cells):
        cell.text = f"cell {index}"
    document.add_paragraph("after")
    document.sections[0].footer.paragraphs[0].add_run("FOOTER")
    path = tmp_path / "order.docx"
    document.save(str(path))
    assert document_text(path).split("\n") == [
        "HEADER",
        "before",
        "cell 0",
        "cell 1",
        "cell 2",
        "cell 3",
        "after",
        "FOOTER",
    ]


def test_document_text_reads_content_controls(tmp_path):
    """python-docx's paragraphs skip text inside content controls; document_text must not."""
    from docx.oxml import OxmlElement

    document = Document()
    document.add_paragraph("before")
    control = OxmlElement("w:sdt")
    content = OxmlElement("w:sdtContent")
    control.append(content)
    content.append(Document().add_paragraph("inside a control")._p)
    document.paragraphs[0]._p.addnext(control)
    path = tmp_path / "form.docx"
    document.save(str(path))
    assert document_text(path) == "before\ninside a control"


def test_shaded_cells_keep_word_schema_order(tmp_path):
    """docxtpl's cellbg writes w:shd before w:tcW; Word wants tcW first (damaged file)."""
    import zipfile

    from docx import Document

    from workflow.documents.render import render_docx

    template = tmp_path / "shaded.docx"
    document = Document()
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).width = 914400
    table.cell(0, 0).paragraphs[0].add_run("{% cellbg colour %}{{ word }}")
    document.save(str(template))
    out = render_docx(
        template, {"colour": "FF0000", "word": "Red"}, tmp_path / "out.docx", labels={}
    )
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    properties = xml[xml.index("<w:tcPr>") : xml.index("</w:tcPr>")]
    assert "<w:shd" in properties
    assert properties.index("<w:tcW") < properties.index("<w:shd")
