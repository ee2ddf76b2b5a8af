"""Content controls (w:sdt), bookmarks and tick boxes: what python-docx has no API for.

Writing, filling and reading a form all go through these names, so the form's XML
vocabulary lives in this one module. Works on lxml elements (python-docx's included);
nothing here imports python-docx, so reading a form stays light.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NS = {"w": W, "w14": W14}
_PREFIXES = {"w": W, "w14": W14, "xml": XML_NS}

CHECKED, UNCHECKED = "\u2612", "\u2610"
BOX_FONT = "MS Gothic"  # what Word itself uses for check box glyphs
# Word's built-in character style for a control's hint: Word drops it when a person types.
HINT_STYLE = "PlaceholderText"
# ccp's own words in an answer's cell (what a pre-filled row is about): never an answer.
CONTEXT_STYLE = "Formcontext"
MARKER = "ccp-form"  # the tag of the version box (and the custom property's name)


def qn(name: str) -> str:
    """'w:tag' -> '{namespace}tag'."""
    prefix, local = name.split(":")
    return f"{{{_PREFIXES[prefix]}}}{local}"


def add(
    parent: Any, name: str, attrs: dict[str, str] | None = None, text: str | None = None
) -> Any:
    element = etree.SubElement(parent, qn(name))
    for key, value in (attrs or {}).items():
        element.set(qn(key), value)
    if text is not None:
        element.text = text
    return element


def text_run(parent: Any, text: str, *, style: str | None = None) -> Any:
    run = add(parent, "w:r")
    if style:
        add(add(run, "w:rPr"), "w:rStyle", {"w:val": style})
    add(run, "w:t", text=text).set(qn("xml:space"), "preserve")
    return run


def add_control(
    paragraph: Any,
    *,
    tag: str,
    alias: str,
    control_id: int,
    kind: str,
    hint: str = "",
    choices: tuple[tuple[str, str], ...] = (),
    locked: bool = False,
) -> Any:
    """A content control at the end of `paragraph`; kind: text, date, choice, bool or fixed.

    Text answers are rich-text controls: LibreOffice (7.4) keeps the hint's grey italic
    style in those, where it prints a plain-text control's hint as if it were an answer.
    `choices` are (code, words) pairs; `fixed` is ccp's own text the person cannot edit.
    """
    sdt = add(paragraph, "w:sdt")
    pr = add(sdt, "w:sdtPr")
    add(pr, "w:alias", {"w:val": alias})
    add(pr, "w:tag", {"w:val": tag})
    add(pr, "w:id", {"w:val": str(control_id)})
    if kind == "fixed":
        add(pr, "w:lock", {"w:val": "sdtContentLocked"})
        add(pr, "w:text")
    elif locked:
        add(pr, "w:lock", {"w:val": "sdtLocked"})
    if kind not in ("bool", "fixed"):
        add(pr, "w:showingPlcHdr")
    if kind == "date":
        picker = add(pr, "w:date")
        add(picker, "w:dateFormat", {"w:val": "d MMMM yyyy"})
        add(picker, "w:lid", {"w:val": "en-GB"})
        add(picker, "w:storeMappedDataAs", {"w:val": "date"})
        add(picker, "w:calendar", {"w:val": "gregorian"})
    elif kind == "choice":
        listing = add(pr, "w:dropDownList")
        for code, words in choices:
            add(listing, "w:listItem", {"w:displayText": words, "w:value": code})
    elif kind == "bool":
        box = add(pr, "w14:checkbox")
        add(box, "w14:checked", {"w14:val": "0"})
        for state, glyph in (("w14:checkedState", CHECKED), ("w14:uncheckedState", UNCHECKED)):
            add(box, state, {"w14:val": f"{ord(glyph):04X}", "w14:font": BOX_FONT})
    content = add(sdt, "w:sdtContent")
    if kind == "bool":
        run = add(content, "w:r")
        rpr = add(run, "w:rPr")
        add(rpr, "w:rFonts", {k: BOX_FONT for k in ("w:ascii", "w:eastAsia", "w:hAnsi")})
        add(rpr, "w:sz", {"w:val": "24"})
        add(run, "w:t", text=UNCHECKED)
    else:
        text_run(content, hint, style=None if kind == "fixed" else HINT_STYLE)
    return sdt


def add_bookmark(paragraph: Any, name: str, number: int) -> None:
    """An empty bookmark: LibreOffice keeps these where it drops a control's tag."""
    add(paragraph, "w:bookmarkStart", {"w:id": str(number), "w:name": name})
    add(paragraph, "w:bookmarkEnd", {"w:id": str(number)})


# --- reading ---------------------------------------------------------------------------


def properties(sdt: Any, name: str) -> Any:
    """One child of the control's w:sdtPr ('w:tag', 'w14:checkbox'), or None."""
    return sdt.find(f"w:sdtPr/{name}", NS)


def tag_of(sdt: Any) -> str | None:
    tag = properties(sdt, "w:tag")
    return tag.get(qn("w:val")) if tag is not None else None


def showing_hint(sdt: Any) -> bool:
    return properties(sdt, "w:showingPlcHdr") is not None


def content_of(sdt: Any) -> Any:
    return sdt.find("w:sdtContent", NS)
