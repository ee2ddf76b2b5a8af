"""A worksheet part read piece by piece, cut where rows end: ten years of Audit (77 MB of
XML in a ten-times-busier register) is searched and rewritten without ever being held whole.

``sheet_pieces`` turns the inflated pieces of a part into its head (everything before
``<sheetData>``), the sheetData opening tag, runs of whole rows, and the tail (from
``</sheetData>`` on). A run of rows never cuts a row, a cell or a CDATA section; CDATA, only
another spelling of text, is spelt the usual way (escaped), so that no text can hide a
``</row>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from workflow.xlsx.package import WorkbookDamaged
from workflow.xlsx.values import escape_text

_SHEET_DATA = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b[^>]*?(/?)>")
_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)
_CDATA_OPEN = b"<![CDATA["
_MAX_HEAD = 64 << 20  # a head this long without <sheetData> is not a worksheet


@dataclass
class Piece:
    """One piece of a worksheet: ``kind`` is "head", "open" (the sheetData tag, b"" when the
    sheet has an empty ``<sheetData/>``), "rows" or "tail"."""

    kind: str
    data: bytes


def spelt_plainly(data: bytes) -> bytes:
    if _CDATA_OPEN not in data:
        return data
    return _CDATA.sub(lambda m: escape_text(m.group(1)), data)


def sheet_pieces(chunks: Iterable[bytes], where: str) -> Iterator[Piece]:
    """The part as head, opening, runs of whole rows and tail (see the module's docstring).

    The prefix of the element names (``x:``, in some files) is in the opening tag."""
    carried = b""
    source = iter(chunks)
    close = b"</sheetData>"
    row_close = b"</row>"
    for chunk in source:
        carried += chunk
        match = _SHEET_DATA.search(carried)
        if match is None:
            if len(carried) > _MAX_HEAD:
                raise WorkbookDamaged(f"{where} has no sheetData")
            continue
        yield Piece("head", spelt_plainly(carried[: match.start()]))
        if match.group(2):  # <sheetData/>: no rows
            yield Piece("open", b"")
            yield Piece("tail", spelt_plainly(carried[match.end() :] + b"".join(source)))
            return
        prefix = match.group(1) + b":" if match.group(1) else b""
        close = b"</" + prefix + b"sheetData>"
        row_close = b"</" + prefix + b"row>"
        yield Piece("open", match.group())
        carried = carried[match.end() :]
        break
    else:
        raise WorkbookDamaged(f"{where} has no sheetData")
    while True:
        if _CDATA_OPEN in carried:
            carried = _CDATA.sub(lambda m: escape_text(m.group(1)), carried)
        # Only what comes before a CDATA section still open can be cut.
        limit = carried.find(_CDATA_OPEN)
        if limit < 0:
            limit = len(carried)
        end = carried.find(close, 0, limit)
        if end >= 0:
            if end:
                yield Piece("rows", carried[:end])
            yield Piece("tail", spelt_plainly(carried[end:] + b"".join(source)))
            return
        cut = carried.rfind(row_close, 0, limit)
        if cut >= 0:
            cut += len(row_close)
            yield Piece("rows", carried[:cut])
            carried = carried[cut:]
        chunk = next(source, None)
        if chunk is None:
            raise WorkbookDamaged(f"{where}: sheetData is not closed")
        carried += chunk
