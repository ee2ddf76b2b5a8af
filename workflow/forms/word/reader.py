"""Reading a filled Word form back: the answers, as the mapping its model validates.

Reads the XML with lxml (no entities, no network), never python-docx, which cannot see
inside content controls. LibreOffice (7.4) keeps the boxes but drops their w:tag and
placeholder flag, and moves line breaks out of them: so an answer is the whole table cell
holding the box, the cell is found by its tag or its bookmark, a table's columns by its
header row, and a hint by its text as well as its flag.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from workflow.contract import LABELS
from workflow.core.errors import FileUnreadable, FormInvalid, Problem
from workflow.forms.docx_safety import (
    FORM_LIMITS,
    OLE2_MAGIC,
    ZIP_MAGIC,
    main_document,
    open_zip,
    package_targets,
    part_name,
    read_bounded,
    xml_part,
)
from workflow.forms.word.controls import (
    CONTEXT_STYLE,
    MARKER,
    UNCHECKED,
    content_of,
    qn,
    showing_hint,
    tag_of,
)
from workflow.forms.word.layout import REFERRAL_FORM, Field, FormSpec, fields_by_name, parts

CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_T, _R, _P, _TC, _TR, _TBL = (qn(f"w:{n}") for n in ("t", "r", "p", "tc", "tr", "tbl"))
_SDT = qn("w:sdt")
_BOOKMARK = qn("w:bookmarkStart")
_CHECKBOX, _CHECKED = qn("w14:checkbox"), qn("w14:checked")
_RUN_TEXT = {
    qn("w:tab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "\u2011",
    qn("w:softHyphen"): "\u00ad",
}
# Tracked deletions and moved-away text are not part of the answer.
_NOT_TEXT = {qn("w:del"), qn("w:moveFrom")}
_PPR, _PSTYLE = qn("w:pPr"), qn("w:pStyle")
_TICKS = set("\u2612\u2611\u2713\u2714\u2717\u2718")
_YES = {"yes", "y", "true", "x"}
_NO = {"no", "n", "false"}


def read_referral_form(path: Path) -> dict[str, Any]:
    """The answers in a filled Word referral form, as the mapping the model validates.

    Raises FileUnreadable for anything that is not a ccp referral form of this version,
    and FormInvalid where the form holds contradictory answers.
    """
    return read_form(path, REFERRAL_FORM)


def read_form(path: Path, spec: FormSpec) -> dict[str, Any]:
    """The answers in a filled Word form of ``spec``, with the referral form's defences."""
    path = Path(path)
    raw = _read_bytes(path, f"{spec.kind} form")
    document, custom = _unpack(raw, path.name, spec.hint)
    body = document.find(qn("w:body"))
    if body is None:
        raise FileUnreadable(f"{path.name}: is not a Word document (it has no body)")
    _check_version(_marker(custom, body), path.name, spec)
    data, problems = _answers(body, spec)
    if problems:
        raise FormInvalid(path, problems)
    return data


def _read_bytes(path: Path, what: str = "referral form") -> bytes:
    return read_bounded(path, FORM_LIMITS.max_file_bytes, what)


def _unpack(raw: bytes, name: str, hint: str = REFERRAL_FORM.hint) -> tuple[Any, Any]:
    """The main document and the custom properties (or None), checked before unpacking."""
    if raw.startswith(OLE2_MAGIC):
        # Word keeps a password-protected .docx inside an OLE2 container whose streams are
        # named (in UTF-16) EncryptionInfo and EncryptedPackage.
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise FileUnreadable(
                f"{name}: is password-protected; open it in Word, remove the password "
                "(File > Info > Protect Document > Encrypt with Password, then clear it), "
                "save it and try again"
            )
        raise FileUnreadable(
            f"{name}: is an old Word 97-2003 (.doc) file, which cannot hold the form's answer "
            f"boxes; {hint} and save it as .docx"
        )
    if raw.startswith(b"%PDF"):
        raise FileUnreadable(f"{name}: is a PDF, not a Word form; {hint}")
    if not raw.startswith(ZIP_MAGIC):
        raise FileUnreadable(f"{name}: is not a Word .docx file; {hint}")
    with open_zip(raw, name) as archive:
        targets = package_targets(archive, name)
        document = main_document(archive, name, targets)
        custom_target = targets.get("custom-properties")
        custom = xml_part(archive, part_name(custom_target), name) if custom_target else None
    return document, custom


def _marker(custom: Any, body: Any) -> str | None:
    if custom is not None:
        for prop in custom.iter(f"{{{CUSTOM_NS}}}property"):
            if prop.get("name") == MARKER:
                return "".join(prop.itertext()).strip()
    for sdt in body.iter(_SDT):
        if tag_of(sdt) == MARKER:
            content = content_of(sdt)
            return _text(content).strip() if content is not None else ""
    return None


def _check_version(marker: str | None, name: str, spec: FormSpec = REFERRAL_FORM) -> None:
    hint, wanted = spec.hint, spec.kind
    if marker is None:
        raise FileUnreadable(f"{name}: not a ccp {wanted} form: {hint}")
    match = re.fullmatch(r"([\w-]+) v(\d+)", marker)
    if not match:
        raise FileUnreadable(f"{name}: has an unrecognised ccp form marker {marker!r}; {hint}")
    kind, version = match[1], int(match[2])
    if kind != wanted:
        raise FileUnreadable(f"{name}: is a ccp {kind} form, not a {wanted} form; {hint}")
    if version != spec.version:
        age = "an older" if version < spec.version else "a newer"
        raise FileUnreadable(
            f"{name}: is {age} {wanted} form (version {version}); this ccp reads version "
            f"{spec.version}: copy the answers into a new form from `{spec.command}`"
        )


# The answers, cell by cell. LibreOffice (7.4) keeps the boxes but drops their w:tag and
# placeholder flag, and moves line breaks out of them: so an answer is the whole table
# cell holding the box, the cell is found by its tag or its bookmark, a table's columns
# by its header row, and a placeholder by its text as well as its flag.


def _nearest(element: Any, tag: str) -> Any:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _grouped(body: Any, tag: str, owner: str) -> dict[Any, list[Any]]:
    """Elements by their nearest `owner` ancestor (rows by table, cells by row), in order."""
    groups: dict[Any, list[Any]] = {}
    for element in body.iter(tag):
        groups.setdefault(_nearest(element, owner), []).append(element)
    return groups


def _names_in(container: Any, spec: FormSpec = REFERRAL_FORM) -> list[Field]:
    known = fields_by_name(spec)
    found = []
    for sdt in container.iter(_SDT):
        leaf = known.get(tag_of(sdt) or "")
        if leaf is not None and leaf not in found:
            found.append(leaf)
    for mark in container.iter(_BOOKMARK):
        leaf = known.get(mark.get(qn("w:name"), ""))
        if leaf is not None and leaf not in found:
            found.append(leaf)
    return found


def _unknown_tags(body: Any, spec: FormSpec = REFERRAL_FORM) -> list[str]:
    known = fields_by_name(spec)
    return [
        tag
        for sdt in body.iter(_SDT)
        if (tag := tag_of(sdt)) and tag != MARKER and tag not in known
    ]


def _answers(body: Any, spec: FormSpec = REFERRAL_FORM) -> tuple[dict[str, Any], list[Problem]]:
    scalars: dict[str, list[Any]] = {}
    lists: dict[str, list[Any]] = {}
    cells_by_row = _grouped(body, _TC, _TR)
    for rows in _grouped(body, _TR, _TBL).values():
        columns: dict[int, Field] = {}
        for tr in rows:
            for index, tc in enumerate(cells_by_row.get(tr, [])):
                for leaf in _names_in(tc, spec):
                    if leaf.is_column:
                        columns.setdefault(index, leaf)
        for tr in rows:
            cells = cells_by_row.get(tr, [])
            for tc in cells:
                for leaf in _names_in(tc, spec):
                    if not leaf.is_column:
                        scalars.setdefault(leaf.path, []).append(_value(tc, leaf))
            if columns and not _is_header(tr, cells, columns):
                for list_name, item in _row_items(cells, columns):
                    lists.setdefault(list_name, []).append(item)
    for sdt in body.iter(_SDT):
        # A box moved out of its table (Word allows it) is still read, on its own.
        leaf = fields_by_name(spec).get(tag_of(sdt) or "")
        if leaf is not None and not leaf.is_column and _nearest(sdt, _TC) is None:
            scalars.setdefault(leaf.path, []).append(_value(sdt, leaf))

    problems = [
        Problem(tag, "is not a box of this form; copy the answer into the right box")
        for tag in _unknown_tags(body, spec)
    ]
    data: dict[str, Any] = {}
    for part in parts(spec):
        if part.layout == "table":
            data[part.name] = lists.get(part.name, [])
        elif part.layout == "options":
            data[part.name] = [
                leaf.key
                for leaf in part.fields
                if any(value is True for value in scalars.get(leaf.path, []))
            ]
        else:
            answers = {}
            for leaf in part.fields:
                answer, problem = _one_answer(leaf, scalars.get(leaf.path, []))
                answers[leaf.key] = answer
                problems += [problem] if problem else []
            data[part.name] = answers[part.name] if part.layout == "single" else answers
    return data, problems


def _one_answer(leaf: Field, values: list[Any]) -> tuple[Any, Problem | None]:
    if leaf.kind == "bool" and values:
        if any(value is True for value in values):
            return True, None
        typed = [value for value in values if isinstance(value, str)]
        return (typed[0] if typed else False), None
    given = list(dict.fromkeys(value for value in values if value is not None))
    if len(given) > 1:
        return None, Problem(
            leaf.path.split("=")[0], "is answered in more than one box; keep one answer"
        )
    return (given[0] if given else None), None


def _is_header(tr: Any, cells: list[Any], columns: dict[int, Field]) -> bool:
    """The column titles (the original header or a copy of it), not an entry."""
    if next(tr.iter(_SDT), None) is not None:
        return False
    texts = {index: _text(cells[index]).strip() for index in columns if index < len(cells)}
    return all(text in ("", columns[index].shown_title) for index, text in texts.items())


def _row_items(cells: list[Any], columns: dict[int, Field]) -> Iterator[tuple[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for index, leaf in columns.items():
        value = _value(cells[index], leaf) if index < len(cells) else None
        items.setdefault(leaf.list_name, {})[leaf.key] = value
    for list_name, item in items.items():
        if all(value in (None, False) for value in item.values()):
            continue  # a spare row left blank
        yield list_name, item[""] if list(item) == [""] else item


def _value(tc: Any, leaf: Field) -> Any:
    """One answer from the cell holding its box, in the shape the model validates."""
    if leaf.kind == "bool":
        return _ticked(tc, leaf)
    text = _without_hint(_text(tc), leaf.placeholder)
    if not text.strip():
        return None
    if leaf.kind == "date":
        return _iso_date(text.strip())
    if leaf.kind == "choice":
        return _code(text, leaf)
    return text


def _without_hint(text: str, hint: str) -> str:
    """The answer without the box's hint, which LibreOffice leaves in as ordinary text."""
    stripped = text.strip()
    if stripped == hint:
        return ""
    if stripped.startswith(hint):
        return stripped[len(hint) :].lstrip()
    if stripped.endswith(hint):
        return stripped[: -len(hint)].rstrip()
    return text


def _ticked(tc: Any, leaf: Field) -> bool | str:
    box = next(tc.iter(_CHECKBOX), None)
    if box is not None:
        checked = box.find(_CHECKED)
        return checked is not None and checked.get(qn("w14:val"), "").lower() in {"1", "true"}
    # No box (a row added by hand, or a box deleted): read what was typed in the cell.
    text = _text(tc).replace(leaf.help, "").strip()
    if _TICKS & set(text) or text.lower() in _YES:
        return True
    if not text or UNCHECKED in text or text.lower() in _NO:
        return False
    return text


def _code(text: str, leaf: Field) -> str:
    """Word stores a drop-down's displayed words: map them (or a typed code) to the code."""
    wanted = " ".join(text.split()).casefold()
    for code in leaf.choices:
        if wanted in (LABELS[code].casefold(), code):
            return code
    return text.strip()


_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_WORDY_DATE = re.compile(
    r"(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+Z?)?")


def _iso_date(text: str) -> str:
    """'17 August 2010', '17/08/2010' or '2010-08-17' -> '2010-08-17'; else the text as typed."""
    parts: tuple[int, int, int] | None = None
    if match := _ISO_DATE.fullmatch(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _NUMERIC_DATE.fullmatch(text):
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif (match := _WORDY_DATE.fullmatch(text)) and match[2].lower() in _MONTHS:
        parts = (int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    if parts is None:
        return text
    try:
        return date(*parts).isoformat()
    except ValueError:
        return text  # not a real date: the model says so, naming the field


def _text(container: Any) -> str:
    """What a person typed: paragraphs and line breaks as '\\n', placeholders left out."""
    hidden = set()
    for sdt in container.iter(_SDT):
        if showing_hint(sdt):
            hidden.add(content_of(sdt))
    hidden |= set(container.iter(*_NOT_TEXT))
    paragraphs = [p for p in container.iter(_P) if not _is_context(p)] or [container]
    return "\n".join(_runs_text(p, hidden, container) for p in paragraphs)


def _is_context(paragraph: Any) -> bool:
    """ccp's own words about a pre-filled row (the action agreed), not the person's."""
    style = paragraph.find(f"{_PPR}/{_PSTYLE}")
    return style is not None and style.get(qn("w:val")) == CONTEXT_STYLE


def _runs_text(paragraph: Any, hidden: set[Any], container: Any) -> str:
    pieces: list[list[Any]] = []  # [the box a run is in (or None), its text], merged per box
    for run in paragraph.iter(_R):
        if _inside(run, hidden, container):
            continue
        text = []
        for child in run:
            if child.tag == _T:
                text.append(child.text or "")
            elif child.tag in _RUN_TEXT:
                text.append(_RUN_TEXT[child.tag])
            elif child.tag == qn("w:sym"):
                text.append(chr(int(child.get(qn("w:char"), "0"), 16)))
        box = _outermost(run, _SDT, paragraph)
        if pieces and pieces[-1][0] is box:
            pieces[-1][1] += "".join(text)
        else:
            pieces.append([box, "".join(text)])
    return "".join(_unsplit(pieces))


def _outermost(element: Any, tag: str, stop: Any) -> Any:
    found = None
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            found = parent
        parent = parent.getparent()
    return found


def _unsplit(pieces: list[list[Any]]) -> Iterator[str]:
    """Undo LibreOffice 7.4's export of a box whose text mixes writing directions.

    It writes one box per stretch of text, each holding that stretch and then the whole
    text again ('abc', 'مرحبا abc', ...). Adjacent boxes that all end with the first box's
    text, with the stretches adding up to that text's end, are that bug: the first box's
    text is the answer. Word never writes adjacent boxes in one answer cell.
    """
    index = 0
    while index < len(pieces):
        box, text = pieces[index]
        end = index + 1
        while end < len(pieces) and pieces[end][0] is not None:
            end += 1
        following = [piece[1] for piece in pieces[index + 1 : end]]
        if (
            box is not None
            and text
            and following
            and all(other.endswith(text) for other in following)
        ):
            stretches = "".join(other[: -len(text)] for other in following)
            if text.endswith(stretches):
                yield text
                index = end
                continue
        yield text
        index += 1


def _inside(element: Any, hidden: set[Any], container: Any) -> bool:
    if not hidden:
        return False
    parent = element.getparent()
    while parent is not None and parent is not container:
        if parent in hidden:
            return True
        parent = parent.getparent()
    return False
