"""The Word referral form: generated from the model, filled the way Word fills it, read back."""

from __future__ import annotations

import copy
import io
import os
import shutil
import struct
import subprocess
import typing
import zipfile
from enum import Enum
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import BaseModel

from workflow.contract import Referral
from workflow.core.errors import FileUnreadable, FormInvalid
from workflow.core.resources import bundled_template
from workflow.demo.word_filler import Filler, fill
from workflow.forms.loading import validate
from workflow.forms.word import REFERRAL_FORM, form_label, read_referral_form, write_referral_form
from workflow.forms.word.prefill import put_text, read_zip, write_zip

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = {"w": W, "w14": W14}
DOCUMENT = "word/document.xml"
CUSTOM = "docProps/custom.xml"


def qn(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


# --- a full referral ---------------------------------------------------------------------

TRICKY = 'Smith & Sons <b>{{ name }}</b> "quoted" =SUM(A1) Zoë مرحبا بالعالم'


@pytest.fixture
def full_referral(referral_data: dict[str, Any]) -> Referral:
    """The test referral with more rows than the form's blank tables and awkward text."""
    data = copy.deepcopy(referral_data)
    data["history"] = data["history"] + TRICKY + "\n\tIndented line after a tab."
    data["professionals"].append(
        {
            "name": "Dr Ama Fictional",
            "role": "Consultant psychiatrist",
            "agency": "CAMHS",
            "phone": "01234 567890",
            "key_worker": False,
        }
    )
    data["processes_tried"] += [
        {"process": "lac_review", "date": "2027-02-01", "outcome": "Recommended this panel."},
        {"process": "escalation", "date": "2027-02-05", "outcome": "Line one.\nLine two."},
        {"process": "other", "date": "2027-02-06", "outcome": TRICKY},
    ]
    data["outcomes_sought"] += ["School place kept open", "Weekly contact with brothers"]
    data["child"]["ethnicity"] = "White and Black Caribbean"
    return Referral.model_validate(data)


# --- filling a form the way Word stores answers ------------------------------------------


@pytest.fixture(scope="module")
def blank_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_referral_form(tmp_path_factory.mktemp("form") / "referral-form.docx")


def soffice(source: Path, out_dir: Path, fmt: str) -> Path:
    """Convert with LibreOffice on a profile of its own (two runs on one profile collide)."""
    profile = out_dir / f"lo-profile-{os.getpid()}-{fmt}"
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = out_dir / f"{source.stem}.{fmt}"
    assert result.returncode == 0, result.stderr
    assert converted.is_file(), result.stderr
    shutil.rmtree(profile, ignore_errors=True)
    return converted


# --- round trips -------------------------------------------------------------------------


def test_filled_form_reads_back_as_the_same_referral(blank_form, full_referral, tmp_path):
    filled = fill(blank_form, full_referral.model_dump(mode="json"), tmp_path / "filled.docx")

    data = read_referral_form(filled)

    assert Referral.model_validate(data) == full_referral
    assert len(data["professionals"]) == 4  # one more than the blank rows: a copied row
    assert [item["name"] for item in data["special_invitations"]] == ["Jo Placeholder"]
    assert data["history"].endswith(TRICKY + "\n\tIndented line after a tab.")


@pytest.mark.libreoffice
def test_form_saved_by_libreoffice_reads_back_the_same(blank_form, full_referral, tmp_path):
    """LibreOffice 7.4 drops every w:tag and placeholder flag and moves line breaks out of
    the boxes; answers typed as paragraphs (Enter) survive, and the reader finds the boxes
    by their bookmarks and table columns."""
    answers = full_referral.model_dump(mode="json")
    filled = fill(blank_form, answers, tmp_path / "filled.docx", paragraphs=True)
    out_dir = tmp_path / "lo"
    out_dir.mkdir()

    resaved = soffice(filled, out_dir, "docx")

    assert Referral.model_validate(read_referral_form(resaved)) == full_referral


def test_boxes_that_lost_their_tags_are_found_by_bookmark_and_column(
    blank_form, full_referral, tmp_path
):
    """What LibreOffice leaves: no w:tag, no placeholder flag; bookmarks and tables stay."""
    filler = Filler(blank_form).fill(full_referral.model_dump(mode="json"))
    for name in ("w:tag", "w:showingPlcHdr"):
        for element in list(filler.root.iter(qn(name))):
            element.getparent().remove(element)
    stripped = filler.save(tmp_path / "stripped.docx")

    assert Referral.model_validate(read_referral_form(stripped)) == full_referral


def test_box_split_by_writing_direction_reads_as_one_answer(blank_form, tmp_path):
    """LibreOffice 7.4 saves a box holding mixed-direction text as one box per stretch,
    each repeating the whole text; the reader takes the text once."""
    whole = "Kai said: مرحبا بالعالم, then left"
    filler = Filler(blank_form)
    box = filler.only("benefits")
    put_text(box, whole, paragraphs=False)
    previous = box
    for stretch in ("مرحبا بالعالم", ", then left"):
        copied = copy.deepcopy(box)
        put_text(copied, stretch + whole, paragraphs=False)
        previous.addnext(copied)
        previous = copied

    data = read_referral_form(filler.save(tmp_path / "filled.docx"))

    assert data["benefits"] == whole


@pytest.mark.libreoffice
def test_blank_form_saved_by_libreoffice_is_still_blank(blank_form, tmp_path):
    out_dir = tmp_path / "lo"
    out_dir.mkdir()

    data = read_referral_form(soffice(blank_form, out_dir, "docx"))

    assert data == read_referral_form(blank_form)
    assert data["child"]["name"] is None  # the hint text is not taken for an answer
    assert data["risks"] == []


LONG_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Cn"), include_characters="\n\t"),
    min_size=1,
    max_size=200,
).filter(lambda text: text.strip())


@given(text=LONG_TEXT)
@example(text="a & b < c > d")
@example(text="{{ child.name }} {% if x %}")
@example(text="مرحبا بالعالم\nשלום עולם")
@example(text="  leading and trailing spaces  \n\n")
@example(text="Zoë, Ōtautahi, naïve café")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_free_text_comes_back_unchanged(blank_form, tmp_path_factory, text):
    out = tmp_path_factory.mktemp("hypothesis") / "filled.docx"

    data = read_referral_form(fill(blank_form, {"history": text}, out))

    assert data["history"] == text


def test_row_added_without_boxes_is_read_by_its_columns(blank_form, tmp_path):
    """Tab in the last cell adds a row with no boxes: what is typed there still counts."""
    filler = Filler(blank_form)
    [first] = filler.boxes("outcomes_sought[]")[:1]
    tr = next(el for el in first.iterancestors() if el.tag == qn("w:tr"))
    typed = copy.deepcopy(tr)
    for sdt in list(typed.iter(qn("w:sdt"))):
        sdt.getparent().remove(sdt)
    cells = typed.findall("w:tc", NS)
    etree.SubElement(
        etree.SubElement(cells[1].find("w:p", NS), qn("w:r")), qn("w:t")
    ).text = "Typed in a plain row"
    tr.getparent().append(typed)

    data = read_referral_form(filler.save(tmp_path / "filled.docx"))

    assert data["outcomes_sought"] == ["Typed in a plain row"]


def test_hint_left_in_by_libreoffice_is_not_part_of_the_answer(blank_form, tmp_path):
    """LibreOffice shows a box's hint as ordinary text: people type after it."""
    filler = Filler(blank_form)
    box = filler.only("child.gender")
    hint = "".join(box.itertext())
    put_text(box, f"{hint}Female", paragraphs=False)

    data = read_referral_form(filler.save(tmp_path / "filled.docx"))

    assert data["child"]["gender"] == "Female"


def test_one_answer_in_two_boxes_is_a_problem(blank_form, tmp_path):
    filler = Filler(blank_form)
    box = filler.only("child.gender")
    tr = next(el for el in box.iterancestors() if el.tag == qn("w:tr"))
    tr.addnext(copy.deepcopy(tr))
    first, second = filler.boxes("child.gender")
    put_text(first, "Female", paragraphs=False)
    put_text(second, "Male", paragraphs=False)
    filled = filler.save(tmp_path / "filled.docx")

    with pytest.raises(FormInvalid) as caught:
        read_referral_form(filled)

    assert caught.value.lines() == [
        "filled.docx: child.gender: is answered in more than one box; keep one answer"
    ]


# --- the form follows the model ----------------------------------------------------------


def model_paths(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    """Every answer's field path ('risks[].level') with its innermost type, from the model."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        kind, is_list = info.annotation, False
        while typing.get_args(kind):
            is_list = is_list or typing.get_origin(kind) is list
            kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        path = f"{prefix}{name}{'[]' if is_list else ''}"
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found |= model_paths(kind, f"{path}.")
        else:
            found[path] = kind
    return found


def form_tags(form: Path) -> list[str]:
    root = etree.fromstring(read_zip(form)[DOCUMENT])
    return root.xpath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS)


def test_every_box_is_a_model_field_and_every_field_has_a_box(blank_form):
    """Every field but the chair's: a late referral is accepted by the chair, not the referrer."""
    paths = model_paths(Referral)
    assert REFERRAL_FORM.omitted == ("late_accepted_by",)
    del paths["late_accepted_by"]
    tags = [tag for tag in form_tags(blank_form) if tag != "ccp-form"]

    boxed = set()
    for tag in tags:
        path, _, code = tag.partition("=")
        assert path in paths, f"{tag} is not a field of the Referral model"
        if code:
            assert code in {member.value for member in paths[path]}
        boxed.add(tag if not code else path)
    assert boxed == set(paths)
    enum_lists = [path for path, kind in paths.items() if path.endswith("[]") and _enum(kind)]
    for path in enum_lists:
        options = {tag.partition("=")[2] for tag in tags if tag.startswith(f"{path}=")}
        assert options == {member.value for member in paths[path]}


def _enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Enum)


def test_boxes_have_the_right_kind_and_help(blank_form):
    root = etree.fromstring(read_zip(blank_form)[DOCUMENT])

    def box(tag: str) -> Any:
        return root.xpath("(//w:sdt[w:sdtPr/w:tag/@w:val=$tag])[1]", namespaces=NS, tag=tag)[0]

    picker = box("child.date_of_birth").find("w:sdtPr/w:date/w:dateFormat", NS)
    assert picker.get(qn("w:val")) == "d MMMM yyyy"
    # Rich-text boxes: LibreOffice prints a plain-text box's hint as if it were an answer.
    assert box("family").find("w:sdtPr/w:text", NS) is None
    assert box("child.name").find("w:sdtPr/w:text", NS) is None
    hint_style = box("child.name").find("w:sdtContent/w:r/w:rPr/w:rStyle", NS)
    assert hint_style.get(qn("w:val")) == "PlaceholderText"
    items = box("risks[].level").findall("w:sdtPr/w:dropDownList/w:listItem", NS)
    assert [(i.get(qn("w:displayText")), i.get(qn("w:value"))) for i in items] == [
        ("Low", "low"),
        ("Medium", "medium"),
        ("High", "high"),
        ("Very high", "very_high"),
    ]
    assert box("professionals[].key_worker").find("w:sdtPr/w14:checkbox", NS) is not None
    alias = box("child.date_of_birth").find("w:sdtPr/w:alias", NS).get(qn("w:val"))
    assert alias == "Child's date of birth"
    hint = "".join(box("child.local_id").itertext())
    assert hint == "The case-management system number, e.g. LCS-000731."
    assert box("child.name").find("w:sdtPr/w:showingPlcHdr", NS) is not None


def test_sections_are_numbered_as_the_referral_document_and_header_has_marking(tmp_path):
    form = write_referral_form(
        tmp_path / "form.docx", protective_marking="OFFICIAL", panel_name="Testshire Panel"
    )

    document = docx.Document(str(form))

    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    referral = docx.Document(str(bundled_template("referral.docx")))
    numbered = [p.text for p in referral.paragraphs if p.style.name == "Heading 1"]
    assert [heading.split(" (", 1)[0] for heading in headings] == numbered
    assert headings[0] == "1. The child and family"
    assert "3. Assessments (if any)" in headings
    assert "6. Obstacles to effective planning" in headings  # required (ToR 13.ii)
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header == ["OFFICIAL", "Testshire Panel  |  Referral form"]
    assert [p.text for p in document.paragraphs[:2]] == [
        "Complex Child Panel referral",
        "Testshire Panel",
    ]
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("child.date_of_birth", "Child's date of birth"),
        ("risks[2].level", "Risk 2: Level"),
        ("processes_tried[1].outcome", "Process tried 1: Outcome"),
        ("professionals[3]", "Professional 3"),
        ("outcomes_sought[2]", "Outcome sought 2"),
        ("professionals", "Professionals involved"),
        ("criteria", "Criteria met"),
        ("meeting", "Panel meeting"),
        ("iro", "IRO / independent chair"),
        ("key_social_worker.consulted_on", "Date consulted"),
        ("child.shoe_size", None),
        ("", None),
    ],
    ids=lambda value: str(value),
)
def test_form_label(field, label):
    assert form_label(field) == label


def test_problems_name_the_label_the_practitioner_saw(blank_form, full_referral, tmp_path):
    answers = full_referral.model_dump(mode="json")
    answers["child"]["name"] = None
    answers["risks"][1]["level"] = None
    filled = fill(blank_form, answers, tmp_path / "filled.docx")

    with pytest.raises(FormInvalid) as caught:
        validate(Referral, read_referral_form(filled), filled, labels=form_label)

    assert caught.value.lines() == [
        "filled.docx: Child's full name (child.name): is required",
        "filled.docx: Risk 2: Level (risks[2].level): is required",
    ]


# --- hostile and broken files ------------------------------------------------------------


def rewrite(form: Path, out: Path, **changes: Any) -> Path:
    members = read_zip(form)
    for name, change in changes.items():
        key = {"document": DOCUMENT, "custom": CUSTOM}[name]
        members[key] = change(members[key]) if callable(change) else change
    return write_zip(out, members)


def with_version(marker: str) -> dict[str, Any]:
    def swap(data: bytes) -> bytes:
        return data.replace(b"referral v1", marker.encode())

    return {"document": swap, "custom": swap}


def central_directory_size(data: bytes, member: str, size: int) -> bytes:
    """Declare an uncompressed size for member in the zip's central directory."""
    at = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        name = data[at + 46 : at + 46 + name_length].decode()
        if name == member:
            return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]
        extra, comment = struct.unpack_from("<HH", data, at + 30)
        at += 46 + name_length + extra + comment


def ole2(*streams: str) -> bytes:
    """The start of an OLE2 compound file naming its streams (as .doc and encrypted files do)."""
    names = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in streams)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + names + bytes(512)


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="' + W.encode() + b'"><w:body><w:p><w:r><w:t>&x;</w:t></w:r>'
    b"</w:p></w:body></w:document>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<w:document xmlns:w="' + W.encode() + b'"><w:body>&lol2;</w:body></w:document>'
)
UTF16_DOCTYPE = XXE.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"').decode()


def hostile_files(form: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    def file(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    form_bytes = form.read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in read_zip(form).items():
            archive.writestr(name, data + b" " * 5_000_000 if name == DOCUMENT else data)
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    return {
        "text file": (
            file("notes.docx", b"Dear panel,\nsee the referral.\n"),
            "is not a Word .docx",
        ),
        "pdf": (file("referral.docx", b"%PDF-1.7\n%..."), "is a PDF, not a Word form"),
        "renamed .doc": (
            file("old.docx", ole2("Root Entry", "WordDocument", "1Table")),
            "is an old Word 97-2003 (.doc) file",
        ),
        "password-protected": (
            file("locked.docx", ole2("Root Entry", "EncryptionInfo", "EncryptedPackage")),
            "is password-protected",
        ),
        "truncated zip": (
            file("cut.docx", form_bytes[: len(form_bytes) // 2]),
            "is damaged or incomplete",
        ),
        "absurd declared size": (
            file("huge.docx", central_directory_size(form_bytes, DOCUMENT, 0xFFFFFFF0)),
            "would unpack to more than 100 MB",
        ),
        "compression ratio": (file("bomb.docx", bomb.getvalue()), "possible zip bomb"),
        "external entity": (
            rewrite(form, tmp_path / "xxe.docx", document=XXE),
            "contains a DOCTYPE or entity declaration",
        ),
        "billion laughs": (
            rewrite(form, tmp_path / "laughs.docx", document=LAUGHS),
            "contains a DOCTYPE or entity declaration",
        ),
        "doctype in utf-16": (
            rewrite(form, tmp_path / "utf16.docx", document=UTF16_DOCTYPE.encode("utf-16")),
            "contains a DOCTYPE declaration",
        ),
        "not a ccp form": (plain, "not a ccp referral form: fill in the form from `ccp referral"),
        "older form": (
            rewrite(form, tmp_path / "v0.docx", **with_version("referral v0")),
            "is an older referral form (version 0); this ccp reads version 1",
        ),
        "newer form": (
            rewrite(form, tmp_path / "v2.docx", **with_version("referral v2")),
            "is a newer referral form (version 2); this ccp reads version 1",
        ),
        "other ccp form": (
            rewrite(form, tmp_path / "minutes.docx", **with_version("minutes v1")),
            "is a ccp minutes form, not a referral form",
        ),
    }


HOSTILE = [
    "text file",
    "pdf",
    "renamed .doc",
    "password-protected",
    "truncated zip",
    "absurd declared size",
    "compression ratio",
    "external entity",
    "billion laughs",
    "doctype in utf-16",
    "not a ccp form",
    "older form",
    "newer form",
    "other ccp form",
]


@pytest.mark.parametrize("case", HOSTILE, ids=HOSTILE)
def test_hostile_or_broken_file_is_refused_with_one_message(blank_form, tmp_path, case):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path, expected = hostile_files(blank_form, inbox)[case]
    before = sorted(inbox.iterdir())

    with pytest.raises(FileUnreadable) as caught:
        read_referral_form(path)

    message = str(caught.value)
    assert message.startswith(f"{path.name}: ")
    assert expected in message
    assert "\n" not in message
    assert sorted(inbox.iterdir()) == before  # nothing written


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileUnreadable, match="no such file"):
        read_referral_form(tmp_path / "absent.docx")


def test_late_word_referral_takes_the_chair_from_the_administrator(
    runner, workspace, inbox, referral_data, monkeypatch
):
    """The form has no box for the chair's late acceptance: `--late-accepted-by` gives it."""
    from workflow.cli import cli

    monkeypatch.setenv("CCP_TODAY", "2027-03-01")
    answers = Referral.model_validate(referral_data).model_dump(mode="json")
    answers["authorised_by"]["date"] = "2027-03-01"
    blank = write_referral_form(inbox / "blank.docx")
    late = fill(blank, answers, inbox / "late.docx")
    base = ["-w", str(workspace.root), "referral"]

    refused = runner.invoke(cli, [*base, "add", str(late)])
    assert refused.exit_code == 1
    assert "after the referral deadline" in refused.stderr
    not_chair = runner.invoke(cli, [*base, "check", str(late), "--late-accepted-by", "Jo Bloggs"])
    assert not_chair.exit_code == 1
    assert "late.docx: late_accepted_by: must be the panel's chair or deputy" in not_chair.stderr

    accepted = runner.invoke(cli, [*base, "add", str(late), "--late-accepted-by", "Alex Sample"])
    assert accepted.exit_code == 0, accepted.output
    assert "Accepted as CCP-2027-001" in accepted.stdout
    case = (workspace.root / "cases" / "CCP-2027-001" / "case.json").read_text(encoding="utf-8")
    assert '"late_accepted_by": "Alex Sample"' in case


# --- what it looks like ------------------------------------------------------------------


@pytest.mark.libreoffice
def test_form_prints_with_every_heading(blank_form, tmp_path):
    pdf = soffice(blank_form, tmp_path, "pdf")

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    for name, info in Referral.model_fields.items():
        assert (info.title in text) == (name not in REFERRAL_FORM.omitted), name
    assert text.count("OFFICIAL-SENSITIVE") >= 2
