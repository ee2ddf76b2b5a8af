"""Answers written into a generated Word form before it is sent (a pre-filled form).

ccp pre-fills the progress report form with the case, the meeting and each action; what it
writes is what Word itself stores when a person types, ticks, picks a date or a list item,
or copies a table row. ``lock`` and ``drop_spare_rows`` finish a pre-filled form.
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
from workflow.forms.word.controls import (
    CHECKED,
    CONTEXT_STYLE,
    NS,
    UNCHECKED,
    properties,
    qn,
    tag_of,
)

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


class FormEditor:
    """Puts answers into a generated form's boxes as Word stores them."""

    def __init__(self, form: Path, *, paragraphs: bool = False):
        self.members = read_zip(form)
        self.root = etree.fromstring(self.members[DOCUMENT])
        self.paragraphs = paragraphs

    def save(self, out: Path) -> Path:
        self.members[DOCUMENT] = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")
        return write_zip(out, self.members)

    def boxes(self, tag: str, within: Any = None) -> list[Any]:
        return (self.root if within is None else within).xpath(
            ".//w:sdt[w:sdtPr/w:tag/@w:val=$tag]", namespaces=NS, tag=tag
        )

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
            value = self.shown_date(value)
        listing = sdt_pr(sdt, "w:dropDownList")
        if listing is not None:
            listing.set(qn("w:lastValue"), value)
            value = LABELS[value]
        put_text(sdt, value, paragraphs=self.paragraphs)

    def shown_date(self, iso: str) -> str:
        """A date as Word shows one picked from the calendar (per the form's w:dateFormat)."""
        return uk_date(date.fromisoformat(iso))

    def lock(self, tag: str) -> None:
        """Make every box with this tag read-only in Word (ccp's own answers)."""
        for sdt in self.boxes(tag):
            lock = sdt_pr(sdt, "w:lock")
            if lock is None:
                lock = copy.deepcopy(sdt_pr(sdt, "w:id"))
                lock.tag = qn("w:lock")
                lock.attrib.clear()
                sdt_pr(sdt, "w:id").addnext(lock)
            lock.set(qn("w:val"), "sdtContentLocked")

    def drop_spare_rows(self, name: str, key: str) -> None:
        """Remove the table rows whose ``key`` box was left blank (the form's spare rows)."""
        for tr in [tr for tr in self.root.iter(qn("w:tr")) if self.row_boxes(tr, name)]:
            [box] = self.boxes(f"{name}[].{key}", tr)
            if box.find("w:sdtPr/w:showingPlcHdr", NS) is not None:
                tr.getparent().remove(tr)

    def lines_in_rows(self, name: str, key: str, lines: dict[str, list[str]]) -> None:
        """Lines of text under the ``key`` box of each ``name`` row, chosen by its answer.

        Paragraphs in the box's cell in the context style: the person reads what the row
        is about where they answer it, and the form's reader never takes them as data.
        """
        for tr in [tr for tr in self.root.iter(qn("w:tr")) if self.row_boxes(tr, name)]:
            [box] = self.boxes(f"{name}[].{key}", tr)
            answer = "".join(box.find("w:sdtContent", NS).itertext()).strip()
            anchor = box.getparent()
            for line in lines.get(answer, []):
                paragraph = etree.Element(qn("w:p"))
                style = etree.SubElement(etree.SubElement(paragraph, qn("w:pPr")), qn("w:pStyle"))
                style.set(qn("w:val"), CONTEXT_STYLE)
                typed_run(paragraph, line)
                anchor.addnext(paragraph)
                anchor = paragraph

    def lines_above_table(self, name: str, lines: list[str]) -> None:
        """Lines of text after the hint above the table of ``name`` rows, styled as the hint."""
        rows = [tr for tr in self.root.iter(qn("w:tr")) if self.row_boxes(tr, name)]
        table = next((tr.getparent() for tr in rows if tr.getparent() is not None), None)
        if table is None:
            return
        hint = table.getprevious()
        anchor = hint
        for line in lines:
            paragraph = copy.deepcopy(hint)
            for run in paragraph.findall("w:r", NS)[1:]:
                paragraph.remove(run)
            paragraph.findall(".//w:t", NS)[0].text = line
            anchor.addnext(paragraph)
            anchor = paragraph
