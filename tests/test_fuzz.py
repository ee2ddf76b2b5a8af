"""Fuzzing the readers of outside input (issue 12): every input gives a result or a CcpError.

YAML and JSON forms, the Word referral form and the attachment checks each get random and
mutated input. Anything other than a valid result or a CcpError (a RecursionError, a
ValueError from a library) is a traceback a user would have seen. Bounded in examples and
time so the suite stays quick; raise FUZZ_EXAMPLES to search longer.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testdata import DATA

from workflow.cases.attachments import PaperLimits, check_papers, paper_suffix
from workflow.contract import Referral
from workflow.core.errors import CcpError
from workflow.forms.loading import parse_json, parse_yaml, read_data, validate

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=3),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("FUZZ_RANDOM") is None,  # the same inputs in every CI run
)
REFERRAL = yaml.safe_load((DATA / "referral.yaml").read_text(encoding="utf-8"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)


def outcome(call: Any, *args: Any) -> Any:
    """The call's result, or None when it refused the input with a CcpError."""
    try:
        return call(*args)
    except CcpError as err:
        lines = err.lines()
    assert lines, "an error with nothing to say"
    assert all(isinstance(line, str) and line for line in lines)
    return None


# --- YAML and JSON forms -----------------------------------------------------------------------

YAML_PIECES = [
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "? ",
    "|",
    ">",
    "'",
    '"',
    "\n",
    "  ",
    "#",
    ".inf",
    "1e400",
    "0x",
    "2027-02-30",
    "!!binary ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\t",
    "\x00",
    "\ufeff",
    "<<: ",
]


@FUZZ
@given(st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=8), max_size=60).map("".join))
def test_yaml_parser_gives_data_or_an_error(text):
    outcome(parse_yaml, text, "fuzz.yaml")


@FUZZ
@given(st.text(max_size=300))
def test_json_parser_gives_data_or_an_error(text):
    outcome(parse_json, text, "fuzz.json")


@FUZZ
@given(values, st.sampled_from(["yaml", "json"]), st.integers(min_value=0, max_value=120))
def test_form_files_give_a_mapping_or_an_error(value, kind, depth):
    """Whole files through read_data, nested up to well past the depth limit."""
    for _ in range(depth):
        value = [value]
    text = json.dumps(value) if kind == "json" else yaml.safe_dump(value)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"form.{kind}"
        path.write_text(text, encoding="utf-8")
        data = outcome(read_data, path)
    assert data is None or isinstance(data, dict)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(data, dict):
        for key, item in data.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found += _paths(item, (*prefix, index))
    return found


@FUZZ
@given(st.data())
def test_a_mutated_referral_validates_or_names_its_problems(data):
    """One field of a valid referral replaced by anything: a Referral, or FormInvalid lines."""
    referral = copy.deepcopy(REFERRAL)
    where = data.draw(st.sampled_from(_paths(referral)[1:]))
    target = referral
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = data.draw(values)
    result = outcome(validate, Referral, referral, Path("referral.yaml"))
    assert result is None or isinstance(result, Referral)


# --- the Word referral form ---------------------------------------------------------------------


@functools.cache
def filled_form() -> bytes:
    from workflow.demo.word_filler import fill
    from workflow.forms.word import write_referral_form

    with tempfile.TemporaryDirectory() as folder:
        blank = write_referral_form(Path(folder) / "blank.docx")
        answers = Referral.model_validate(REFERRAL).model_dump(mode="json")
        return fill(blank, answers, Path(folder) / "filled.docx").read_bytes()


def _rezip(original: bytes, member: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = data if info.filename == member else source.read(info.filename)
            target.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


XML_PIECES = [
    b"<",
    b">",
    b"</w:p>",
    b"<w:sdt>",
    b"&amp;",
    b"&x;",
    b"<!DOCTYPE x>",
    b'"',
    b"\x00",
    b'<w:tag w:val="child.name"/>',
    b"</w:sdtContent>",
    b"<?pi?>",
    b"\xff\xfe",
    b"]]>",
]


def _read_form(raw: bytes) -> Any:
    from workflow.forms.word import read_referral_form

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.docx"
        path.write_bytes(raw)
        return read_referral_form(path)


@FUZZ
@given(st.data())
def test_a_mutated_word_form_reads_or_is_refused(data):
    raw = filled_form()
    how = data.draw(st.sampled_from(["bytes", "truncate", "xml"]))
    if how == "bytes":
        buffer = bytearray(raw)
        for _ in range(data.draw(st.integers(1, 20))):
            buffer[data.draw(st.integers(0, len(buffer) - 1))] = data.draw(st.integers(0, 255))
        raw = bytes(buffer)
    elif how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    else:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            member = data.draw(st.sampled_from([i.filename for i in archive.infolist()]))
            xml = archive.read(member)
        for _ in range(data.draw(st.integers(1, 5))):
            at = data.draw(st.integers(0, len(xml)))
            cut = data.draw(st.integers(0, 40))
            xml = (
                xml[:at]
                + data.draw(st.sampled_from(XML_PIECES) | st.binary(max_size=8))
                + xml[at + cut :]
            )
        raw = _rezip(raw, member, xml)
    answers = outcome(_read_form, raw)
    assert answers is None or isinstance(answers, dict)


# --- attachment checks -------------------------------------------------------------------------

CHRONOLOGY = (DATA / "papers" / "chronology.docx").read_bytes()
RISK_PDF = (DATA / "papers" / "risk-assessment.pdf").read_bytes()


@FUZZ
@given(st.data())
def test_attachment_checks_accept_a_paper_or_refuse_it(data):
    base = data.draw(st.sampled_from([CHRONOLOGY, RISK_PDF, b"%PDF-1.7\n", b"PK\x03\x04", b""]))
    how = data.draw(st.sampled_from(["bytes", "truncate", "append", "pdf-text"]))
    buffer = bytearray(base)
    if how == "bytes" and buffer:
        for _ in range(data.draw(st.integers(1, 30))):
            buffer[data.draw(st.integers(0, len(buffer) - 1))] = data.draw(st.integers(0, 255))
    elif how == "truncate":
        buffer = buffer[: data.draw(st.integers(0, len(buffer)))]
    elif how == "append":
        buffer += data.draw(st.binary(max_size=200))
    else:
        text = data.draw(st.text(max_size=200)).encode("latin-1", "replace")
        buffer = bytearray(b"%PDF-1.4\n" + text + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    name = data.draw(st.sampled_from(["paper.docx", "paper.pdf", "paper.doc", "paper", "a\\b.PDF"]))
    suffix = outcome(paper_suffix, bytes(buffer), name, PaperLimits())
    assert suffix in (None, ".docx", ".pdf")


@FUZZ
@given(st.text(max_size=60))
def test_any_attachment_path_is_confined_or_refused(given_path):
    referral = Referral.model_validate(REFERRAL)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "inbox"
        root.mkdir()
        (root / "chronology.docx").write_bytes(CHRONOLOGY)
        (Path(folder) / "outside.docx").write_bytes(CHRONOLOGY)
        attachments = referral.attachments.model_copy(update={"chronology": given_path})
        checked = check_papers(
            referral.model_copy(update={"attachments": attachments}),
            root / "referral.yaml",
            PaperLimits(),
        )
    assert all(paper.data == CHRONOLOGY for paper in checked.papers.values())
    if "chronology" in checked.papers:
        # Only ever the file inside the folder: the outside one is never read.
        assert ".." not in given_path.replace("\\", "/").split("/")
