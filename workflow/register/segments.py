"""A sheet part ccp wrote, kept in three independently deflated segments, so that appending a
row costs the rows appended, not the sheet.

Every command appends to the Audit sheet; after ten busy years it is 90 MB of XML, and
inflating and deflating all of it to add one row was most of what `referral add` cost. So
when ccp writes a sheet it deflates the part as three segments, each ending at a full flush
(byte-aligned, history reset: one can be inflated, or replaced, without the others):

    head   the XML up to and with <sheetData> (the dimension, which an append changes)
    body   every row
    tail   from </sheetData> on (filters, formats, validations that grow with the rows)

and notes, in a zip extra field of the part's entry, each segment's compressed and inflated
length and CRC-32, the CRC-32 of the body's compressed bytes, the last row's number and its
cell styles (a new row takes them). An append then inflates the head and the tail (a few
KB), keeps the body's compressed bytes as they are, deflates only the new rows after them,
and computes the entry's CRC-32 from the segments' (``crc32_combine``).

The note describes bytes, it is not a second copy of any fact: it is used only when every
check holds (lengths, each small segment's CRC, the body's compressed CRC, the entry's CRC
and sizes); a file saved by Excel or LibreOffice has no such note (they drop extra fields they
do not know), and anything that does not check is ignored, so the part is edited the long
way, which writes the note afresh. Zip readers skip extra fields they do not know
(APPNOTE 4.6.1).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

EXTRA_ID = 0x4343  # "CC"
_MAGIC = b"ccp1"
_SEGMENT = struct.Struct("<QQI")  # compressed length, inflated length, CRC-32
_HEAD = struct.Struct("<4s3QI3Q")
_STYLE = struct.Struct("<HI")
_POLY = 0xEDB88320


def _multiply(a: int, b: int) -> int:
    """a * b modulo the CRC-32 polynomial (bit-reflected, as zlib's multmodp)."""
    m = 1 << 31
    product = 0
    while True:
        if a & m:
            product ^= b
            if not a & (m - 1):
                break
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _powers() -> list[int]:
    table = [1 << 30]  # x^1
    for _ in range(31):
        table.append(_multiply(table[-1], table[-1]))
    return table


_X2N = _powers()  # x^(2^k) modulo the polynomial


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from A's, B's and B's length (zlib's crc32_combine, which
    Python's zlib does not offer)."""
    power, k, n = 1 << 31, 3, length2  # x^0; a byte is 8 = 2^3 bits
    while n:
        if n & 1:
            power = _multiply(_X2N[k & 31], power)
        n >>= 1
        k += 1
    return _multiply(power, crc1) ^ crc2


@dataclass(frozen=True)
class Segment:
    compressed: int
    size: int
    crc: int


@dataclass(frozen=True)
class SegmentIndex:
    head: Segment
    body: Segment
    tail: Segment
    body_deflated_crc: int  # CRC-32 of the body's compressed bytes: proves they are ours
    last_row: int
    last_styles: dict[int, int]

    def extra(self) -> bytes:
        """The zip extra-field record holding this index."""
        payload = _HEAD.pack(
            _MAGIC,
            self.head.compressed,
            self.body.compressed,
            self.tail.compressed,
            self.body_deflated_crc,
            self.head.size,
            self.body.size,
            self.tail.size,
        )
        payload += struct.pack("<III", self.head.crc, self.body.crc, self.tail.crc)
        payload += struct.pack("<II", self.last_row, len(self.last_styles))
        payload += b"".join(_STYLE.pack(c, s) for c, s in sorted(self.last_styles.items()))
        if len(payload) > 0xFFFF - 4:
            return b""  # a row with thousands of styled cells: no note, the long way
        return struct.pack("<HH", EXTRA_ID, len(payload)) + payload

    @property
    def crc(self) -> int:
        crc = crc32_combine(self.head.crc, self.body.crc, self.body.size)
        return crc32_combine(crc, self.tail.crc, self.tail.size)

    @property
    def size(self) -> int:
        return self.head.size + self.body.size + self.tail.size

    @property
    def compressed(self) -> int:
        return self.head.compressed + self.body.compressed + self.tail.compressed


def index_record(extra: bytes) -> bytes:
    """Our record among a zip entry's extra fields (b"" when there is none)."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        end = position + 4 + length
        if kind == EXTRA_ID:
            return extra[position:end]
        position = end
    return b""


def read_index(extra: bytes) -> SegmentIndex | None:
    """The index in a zip entry's extra fields, or None (absent, or not one we can read)."""
    record = index_record(extra)
    if len(record) < 4 + _HEAD.size + 20:
        return None
    payload = record[4:]
    try:
        magic, hc, bc, tc, body_crc, hs, bs, ts = _HEAD.unpack_from(payload)
        if magic != _MAGIC:
            return None
        crcs = struct.unpack_from("<III", payload, _HEAD.size)
        last_row, count = struct.unpack_from("<II", payload, _HEAD.size + 12)
        start = _HEAD.size + 20
        styles = dict(
            _STYLE.unpack_from(payload, start + _STYLE.size * number) for number in range(count)
        )
    except struct.error:
        return None
    return SegmentIndex(
        Segment(hc, hs, crcs[0]),
        Segment(bc, bs, crcs[1]),
        Segment(tc, ts, crcs[2]),
        body_crc,
        last_row,
        styles,
    )


def inflate_segment(data: bytes, segment: Segment, *, last: bool) -> bytes | None:
    """A segment's XML, if its bytes inflate to its length and CRC and end where a segment
    ends (a full flush; the stream's end for the last); else None."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, segment.size + 1)
    except zlib.error:
        return None
    if len(out) != segment.size or zlib.crc32(out) != segment.crc:
        return None
    if inflater.unconsumed_tail or inflater.unused_data or inflater.eof != last:
        return None
    return out
