"""Fill a generated Word form the way Word stores a practitioner's answers.

The demo uses it to produce a filled form, and the tests to check the reader against the
ways Word writes answers: typed runs, line breaks, ticked boxes, chosen list items, dates
picked or typed, and table rows copied to add entries.
"""

from __future__ import annotations

import copy
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from workflow.contract import LABELS
from workflow.core.dates import uk_date
from workflow.core.files import write_atomic
from workflow.forms.word.controls import CHECKED, NS, UNCHECKED, properties, qn, tag_of

__all__ = ["NS", "Filler", "fill", "put_text", "qn", "read_zip", "sdt_pr", "write_zip"]

DOCUMENT = "word/document.xml"


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    def write(handle: Any) -> None:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)

    return write_atomic(path, write)


sdt_pr = properties  # the control's w:sdtPr child by name


def put_text(sdt: Any, text: str, *, paragraphs: bool) -> None:
    """Replace the placeholder by typed text; lines as Word breaks, or as new paragraphs."""
    flag = sdt_pr(sdt, "w:showingPlcHdr")
    if flag is not None:
        flag.getparent().remove(flag)
    content = sdt.find("w:sdtContent", NS)
    for child in list(content):
        content.remove(child)
    lines = text.split("\n")
    first, rest = (lines[:1], lines[1:]) if paragraphs else (lines, [])
    typed_run(content, "\n".join(first))
    paragraph = sdt.getparent()
    for line in rest:
        new = etree.Element(qn("w:p"))
        paragraph.addnext(new)
        paragraph = new
        typed_run(new, line)


def typed_run(parent: Any, text: str) -> None:
    """A run as Word writes typed text: w:br for a line break, w:tab for a tab."""
    run = etree.SubElement(parent, qn("w:r"))
    for number, line in enumerate(text.split("\n")):
        if number:
            etree.SubElement(run, qn("w:br"))
        for part_number, part in enumerate(line.split("\t")):
            if part_number:
                etree.SubElement(run, qn("w:tab"))
            if part:
                t = etree.SubElement(run, qn("w:t"))
                t.text = part
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


class Filler:
    """Types answers into a generated form's boxes as Word would store them."""

    def __init__(self, form: Path, *, paragraphs: bool = False):
        self.members = read_zip(form)
        self.root = etree.fromstring(self.members[DOCUMENT])
        self.paragraphs = paragraphs
        self.dates_typed = 0

    def save(self, out: Path) -> Path:
        self.members[DOCUMENT] = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")
        return write_zip(out, self.members)

    def boxes(self, tag: str, within: Any = None) -> list[Any]:
        return (self.root if within is None else within).xpath(
            ".//w:sdt[w:sdtPr/w:tag/@w:val=$tag]", namespaces=NS, tag=tag
        )

    def fill(self, answers: dict[str, Any]) -> Filler:
        for name, value in answers.items():
            if value is None:
                continue  # left blank, or a box this form does not have (the chair's)
            if isinstance(value, dict):
                for key, item in value.items():
                    self.put(self.only(f"{name}.{key}"), item)
            elif isinstance(value, list) and self.has_options(name):
                for code in value:
                    self.put(self.only(f"{name}[]={code}"), True)
            elif isinstance(value, list):
                self.fill_table(name, value)
            else:
                self.put(self.only(name), value)
        return self

    def has_options(self, name: str) -> bool:
        """A list of codes is a tick box per option, tagged 'criteria[]=high_risk'."""
        return bool(
            self.root.xpath(
                "//w:tag[starts-with(@w:val, $prefix)]", namespaces=NS, prefix=f"{name}[]="
            )
        )

    def only(self, tag: str) -> Any:
        [box] = self.boxes(tag)
        return box

    def fill_table(self, name: str, items: list[Any]) -> None:
        rows = [tr for tr in self.root.iter(qn("w:tr")) if self.row_boxes(tr, name)]
        while len(rows) < len(items):
            # Word's copy and paste of a whole row: the same boxes, the same tags.
            copied = copy.deepcopy(rows[-1])
            rows[-1].addnext(copied)
            rows.append(copied)
        for tr, item in zip(rows, items, strict=False):
            if isinstance(item, dict):
                for key, value in item.items():
                    [box] = self.boxes(f"{name}[].{key}", tr)
                    self.put(box, value)
            else:
                [box] = self.boxes(f"{name}[]", tr)
                self.put(box, item)

    def row_boxes(self, tr: Any, name: str) -> list[Any]:
        return [sdt for sdt in tr.iter(qn("w:sdt")) if (tag_of(sdt) or "").startswith(f"{name}[]")]

    def put(self, sdt: Any, value: Any) -> None:
        if value is None:
            return  # left as the placeholder, as a person skipping it would
        box = sdt_pr(sdt, "w14:checkbox")
        if box is not None:
            box.find("w14:checked", NS).set(qn("w14:val"), "1" if value else "0")
            sdt.find(".//w:t", NS).text = CHECKED if value else UNCHECKED
            return
        picker = sdt_pr(sdt, "w:date")
        if picker is not None:
            picker.set(qn("w:fullDate"), f"{value}T00:00:00Z")
            # Picked from the calendar (shown per w:dateFormat), or typed in two ways.
            styles = [uk_date(date.fromisoformat(value)), value, _slashed(value)]
            value = styles[self.dates_typed % 3]
            self.dates_typed += 1
        listing = sdt_pr(sdt, "w:dropDownList")
        if listing is not None:
            listing.set(qn("w:lastValue"), value)
            value = LABELS[value]
        put_text(sdt, value, paragraphs=self.paragraphs)


def _slashed(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def fill(form: Path, answers: dict[str, Any], out: Path, *, paragraphs: bool = False) -> Path:
    return Filler(form, paragraphs=paragraphs).fill(answers).save(out)
