"""The zip package of an .xlsx: its parts read once, changed parts replaced, the rest copied raw.

An .xlsx is a zip of XML parts. A part ccp does not change (a chart, an image, a comment, the
administrator's own sheet) is copied as stored: the same compressed bytes, never inflated
and deflated again, so nothing ccp does not own can change. The zip is written here from
the published format (PKWARE APPNOTE: local headers, central directory, end record),
because the standard library can copy a stored entry raw only through its private
attributes. Nothing is added that a spreadsheet program does not know: no extra fields.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from lxml import etree

from workflow.core.errors import CcpError

_MAX_PART = 512 << 20  # no register part is this large; a zip bomb is
# Parts larger than this are compressed fast rather than small (a 40 MB sheet costs 0.27 s
# at level 6 and 0.10 s at level 1; the file is ~20% larger until Excel saves it).
_FAST_COMPRESS_OVER = 4 << 20
# Pieces a part is inflated and searched in: every piece is copied a few times on its way
# (carried over, cut at a row), so a 1 MiB piece cost ~6 MiB at peak; 256 KiB is as quick.
CHUNK = 1 << 18
_ZIP32_LIMIT = 0xFFFFFFFF

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_TYPE = REL_NS + "/worksheet"
TABLE_TYPE = REL_NS + "/table"
CALC_CHAIN_TYPE = REL_NS + "/calcChain"
SHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_blank_text=False
)

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


class WorkbookRefused(CcpError):
    """The workbook cannot be edited safely; the message says why and what to do."""


# What a person can do about a damaged workbook.
REPAIR = "open it in Excel or LibreOffice and save it again, or put back a copy from backups/"


class WorkbookDamaged(WorkbookRefused):
    """A part of the workbook cannot be read or parsed; the message adds what to do."""

    def __str__(self) -> str:
        return f"{super().__str__()}; {REPAIR}"


def local_name(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_xml(data: bytes, name: str) -> Any:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise WorkbookRefused(
            f"part {name} declares a DTD or entities, which a workbook never does"
        )
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as err:
        raise WorkbookDamaged(f"part {name} is not well-formed XML ({err})") from err


def serialise(root: Any) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class Package:
    """The zip parts of one .xlsx, read once; changed parts are replaced on save."""

    def __init__(self, data: bytes):
        self.data = data
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError) as err:
            raise WorkbookDamaged(f"not an .xlsx workbook ({err})") from err
        self.names = {info.filename: info for info in self.infos}
        # A changed part: its bytes, or what makes them piece by piece when the file is
        # written (a sheet rewritten as it streams by, never held whole).
        self.changed: dict[str, bytes | Callable[[], Iterable[bytes]]] = {}
        self._read: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.added: list[str] = []
        # Parts whose bytes are known only once the others are written (the styles, which
        # gain a date format while a sheet streams by): last in the file; None: unchanged.
        self.late: dict[str, Callable[[], bytes | None]] = {}

    def has(self, name: str) -> bool:
        return (name in self.names or name in self.changed) and name not in self.removed

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self.names.get(name)
        if info is None:
            raise WorkbookDamaged(f"part {name} is missing")
        if info.file_size > _MAX_PART:
            raise WorkbookDamaged(f"part {name} is implausibly large ({info.file_size:,} bytes)")
        return info

    def read(self, name: str) -> bytes:
        if name in self.changed:
            changed = self.changed[name]
            return changed if isinstance(changed, bytes) else b"".join(changed())
        if name not in self._read:
            # Kept: a sheet is read for its rows, then again to edit it.
            try:
                self._read[name] = self.zip.read(self._info(name))
            except (zipfile.BadZipFile, zlib.error, OSError) as err:
                raise WorkbookDamaged(f"part {name} is damaged ({err})") from err
        return self._read[name]

    def stream(self, name: str, chunk: int = CHUNK) -> Iterator[bytes]:
        """The part's bytes in pieces of about ``chunk``, inflated as they are needed: a
        search or a sheet's head needs only as much as it reads."""
        changed = self.changed.get(name)
        if changed is not None and not isinstance(changed, bytes):
            yield from changed()
            return
        if changed is not None or name in self._read:
            data = self.read(name)
            for start in range(0, len(data), chunk):
                yield data[start : start + chunk]
            return
        yield from self.stream_stored(name, chunk)

    def stream_stored(self, name: str, chunk: int = CHUNK) -> Iterator[bytes]:
        """The part as the file holds it, inflated in pieces (whatever has changed since)."""
        try:
            with self.zip.open(self._info(name)) as source:
                while piece := source.read(chunk):
                    yield piece
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
            raise WorkbookDamaged(f"part {name} is damaged ({err})") from err

    def xml(self, name: str) -> Any:
        return parse_xml(self.read(name), name)

    def put(self, name: str, data: bytes | Callable[[], Iterable[bytes]]) -> None:
        """Replace a part: its bytes, or a function giving them in pieces when written."""
        if name not in self.names and name not in self.changed:
            self.added.append(name)
        self.changed[name] = data
        self._read.pop(name, None)
        self.removed.discard(name)

    def remove(self, name: str) -> None:
        self.removed.add(name)
        self.changed.pop(name, None)

    def write(self, handle: IO[bytes]) -> None:
        """The package with unchanged parts copied raw (same bytes, same compression)."""
        writer = _ZipWriter(handle)
        for info in self.infos:
            name = info.filename
            if name in self.removed or name in self.late:
                continue
            if name in self.changed:
                writer.add(name, self.changed[name], info.date_time, info.file_size)
            else:
                writer.copy(info, self.stored(info))
        for name in self.added:
            if name not in self.removed and name not in self.late:
                writer.add(name, self.changed[name], (1980, 1, 1, 0, 0, 0))
        for name, make in self.late.items():
            if name in self.removed:
                continue
            data = make()
            if data is not None:
                self.put(name, data)
            info = self.names.get(name)
            if name in self.changed:
                when = info.date_time if info else (1980, 1, 1, 0, 0, 0)
                writer.add(name, self.changed[name], when, info.file_size if info else 0)
            elif info is not None:
                writer.copy(info, self.stored(info))
        writer.finish()

    def stored(self, info: zipfile.ZipInfo) -> memoryview:
        """A part's bytes as stored in the zip (compressed), without inflating them."""
        offset = info.header_offset
        header = self.data[offset : offset + _LOCAL.size]
        if len(header) < _LOCAL.size or header[:4] != b"PK\x03\x04":
            raise WorkbookDamaged(f"part {info.filename} is damaged (bad local header)")
        name_length, extra_length = struct.unpack_from("<2H", header, 26)
        start = offset + _LOCAL.size + name_length + extra_length
        return memoryview(self.data)[start : start + info.compress_size]


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time[:6]
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


class _ZipWriter:
    """A zip written entry by entry: stored bytes copied as they are, new ones deflated."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.offset = 0
        self.central: list[bytes] = []

    def _entry(
        self,
        name: str,
        method: int,
        date_time: tuple[int, ...],
        crc: int,
        sizes: tuple[int, int],
        stored: bytes | memoryview,
        attributes: tuple[int, int],
    ) -> None:
        compressed, size = sizes
        made_by, external = attributes
        if max(compressed, size, self.offset) >= _ZIP32_LIMIT:
            raise WorkbookRefused(f"part {name} is too large for a workbook ccp can edit")
        encoded = name.encode("utf-8")
        flags = 0x800 if not name.isascii() else 0  # the name is UTF-8
        clock, day = _dos_time(date_time)
        common = (20, flags, method, clock, day, crc, compressed, size, len(encoded))
        local = _LOCAL.pack(b"PK\x03\x04", *common, 0)
        self.central.append(
            _CENTRAL.pack(b"PK\x01\x02", made_by, *common, 0, 0, 0, 0, external, self.offset)
            + encoded
        )
        self.handle.write(local + encoded)
        self.handle.write(stored)
        self.offset += len(local) + len(encoded) + len(stored)

    def copy(self, info: zipfile.ZipInfo, stored: bytes | memoryview) -> None:
        self._entry(
            info.filename,
            info.compress_type,
            info.date_time,
            info.CRC,
            (info.compress_size, info.file_size),
            stored,
            ((info.create_system << 8) | 20, info.external_attr),
        )

    def add(
        self,
        name: str,
        data: bytes | Callable[[], Iterable[bytes]],
        date_time: tuple[int, ...],
        size_hint: int = 0,
    ) -> None:
        """A new or changed part, deflated as its pieces come (the header is written first
        and completed afterwards, so a streamed sheet is never held whole)."""
        pieces = [data] if isinstance(data, bytes) else data()
        if not isinstance(data, bytes) and not self.handle.seekable():
            pieces = [b"".join(pieces)]
        fast = max(size_hint, len(data) if isinstance(data, bytes) else 0) > _FAST_COMPRESS_OVER
        deflate = zlib.compressobj(1 if fast else 6, zlib.DEFLATED, -15)
        attributes = ((3 << 8) | 20, 0o600 << 16)  # as ZipFile.writestr gives on Unix
        self._entry(name, zipfile.ZIP_DEFLATED, date_time, 0, (0, 0), b"", attributes)
        crc = size = compressed = 0
        for piece in pieces:
            crc = zlib.crc32(piece, crc)
            size += len(piece)
            out = deflate.compress(piece)
            compressed += len(out)
            self.handle.write(out)
        out = deflate.flush()
        compressed += len(out)
        self.handle.write(out)
        self.offset += compressed
        if max(compressed, size, self.offset) >= _ZIP32_LIMIT:
            raise WorkbookRefused(f"part {name} is too large for a workbook ccp can edit")
        # The sizes and checksum, now known, in the local header and the directory entry.
        here = self.handle.tell()
        self.handle.seek(here - compressed - self._header_length(name) + 14)
        self.handle.write(struct.pack("<3L", crc, compressed, size))
        self.handle.seek(here)
        entry = bytearray(self.central[-1])
        struct.pack_into("<3L", entry, 16, crc, compressed, size)
        self.central[-1] = bytes(entry)

    @staticmethod
    def _header_length(name: str) -> int:
        return _LOCAL.size + len(name.encode("utf-8"))

    def finish(self) -> None:
        directory = b"".join(self.central)
        count = len(self.central)
        self.handle.write(directory)
        self.handle.write(
            _END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), self.offset, 0)
        )
