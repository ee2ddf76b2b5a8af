"""The panel register, register.xlsx: read fast with calamine, rewritten whole with openpyxl."""

from __future__ import annotations

import getpass
import io
import math
import os
import re
import secrets
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import python_calamine

from .errors import RegisterError, RegisterLocked

KINDS = ("text", "long_text", "date", "datetime", "int", "number", "yesno", "choice")


@dataclass(frozen=True)
class Column:
    """One known column of a register sheet: what Excel shows and what Python calls it."""

    header: str
    key: str
    kind: str
    width: int
    choices: tuple[str, ...] = ()
    # A column added after registers were in use: an older register without it reads as
    # empty and gains the column (header at the right) on its next write.
    later: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.header!r}: unknown kind {self.kind!r}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"column {self.header!r}: choices go with kind 'choice' only")


def _text(header: str, key: str, width: int = 20) -> Column:
    return Column(header, key, "text", width)


def _long(header: str, key: str, width: int = 50) -> Column:
    return Column(header, key, "long_text", width)


def _date(header: str, key: str, width: int = 12) -> Column:
    return Column(header, key, "date", width)


MEETING_STATUSES = ("scheduled", "pack sent", "minuted", "signed", "amended")
CASE_STATUSES = ("open", "closed")
ACTION_STATUSES = ("Open", "In progress", "Completed", "Cancelled")
OPEN_ACTION_STATUSES = ("Open", "In progress")
# Why an action was closed without being done (ToR 12: panels review these differently).
REASONS_NOT_DONE = ("circumstances changed", "not undertaken")
YES, NO = "Yes", "No"

SHEETS: dict[str, tuple[Column, ...]] = {
    "Meetings": (
        _date("Date", "meeting"),
        Column("Status", "status", "choice", 12, MEETING_STATUSES),
        _text("Chair", "chair", 22),
        _long("Present", "present"),
        _long("Apologies", "apologies", 40),
        _text("Cases discussed", "cases", 30),
        Column("Minutes version", "version", "int", 17),
        _text("Signed by", "signed_by", 22),
        _date("Signed on", "signed_on"),
        _text("Minutes file", "minutes_file", 40),
        _text("SHA-256", "sha256", 24),
        _long("Notes", "notes"),
    ),
    "Cases": (
        _text("Case ID", "case_id", 16),
        _text("Local ID", "local_id", 16),
        _text("Child name", "child_name", 24),
        _date("Date of birth", "date_of_birth", 15),
        _date("Referral date", "referral_date", 15),
        _date("Accepted on", "accepted_on", 14),
        _date("Meeting", "meeting"),
        _text("Referring agency", "referring_agency", 24),
        _text("Referrer", "referrer", 22),
        _text("Key worker", "key_worker", 30),
        _text("Legal status", "legal_status", 26),
        Column("Status", "status", "choice", 10, CASE_STATUSES),
        _text("Risk at referral", "risk_at_referral", 18),
        _text("Risk latest", "risk_latest", 14),
        _long("Agencies", "agencies", 40),
        _long("Criteria", "criteria", 40),
        _date("Next progress due", "next_progress_due", 19),
        Column("Escalated", "escalated", "yesno", 12),
        _date("Closed on", "closed_on"),
        _long("Notes", "notes"),
    ),
    "Actions": (
        _text("Action ID", "action_id", 18),
        _text("Case ID", "case_id", 16),
        _date("Meeting", "meeting"),
        _long("Action", "action"),
        _text("Agency", "agency", 24),
        _text("Owner", "owner", 22),
        _date("Due", "due"),
        Column("Status", "status", "choice", 14, ACTION_STATUSES),
        _date("Completed on", "completed_on", 15),
        Column("Carried forward", "carried_forward", "int", 17, later=True),
        Column("Reason not done", "reason_not_done", "choice", 22, REASONS_NOT_DONE, later=True),
        _long("Notes", "notes"),
    ),
    "Resources": (
        _text("Case ID", "case_id", 16),
        _date("Meeting", "meeting"),
        _text("Agency", "agency", 24),
        _long("Description", "description"),
        Column("Amount", "amount", "number", 12),
        Column("Confirmed", "confirmed", "yesno", 12),
        _long("Notes", "notes"),
    ),
    "Progress": (
        _text("Case ID", "case_id", 16),
        _date("Due meeting", "due_meeting", 14),
        _text("Format", "format", 12),
        _date("Received on", "received_on", 14),
        _text("File", "file", 40),
        _long("Notes", "notes"),
    ),
    "Audit": (
        Column("When", "when", "datetime", 17),
        _text("Who", "who", 16),
        _text("Command", "command", 18),
        _text("Action", "action", 24),
        _text("Target", "target", 18),
        _long("Detail", "detail", 60),
    ),
}

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"
# Excel refuses longer cell text, and openpyxl would silently cut it.
MAX_CELL_TEXT = 32_767
# Validation lists and the overdue highlight reach this far below the last row, so rows an
# administrator adds by hand between runs get the drop-down too (the next save extends it).
HEADROOM_ROWS = 1000
OVERDUE_FILL = "FFFFC7CE"  # Excel's own "light red fill with dark red text"
OVERDUE_FONT = "FF9C0006"
EXTRA_COLUMN_WIDTH = 20

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Readers decode _xHHHH_ in cell text as a character; a literal one must be escaped as _x005F_.
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))

_YES_WORDS = frozenset(("yes", "y", "true", "1"))
_NO_WORDS = frozenset(("no", "n", "false", "0"))
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_WORDS_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]+)\.?,?[ -](\d{4})")
_DATETIME_TEXT = re.compile(r"(.+?)(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?")
_INT_TEXT = re.compile(r"[+-]?\d+(?:\.0*)?")
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class Register:
    """The register's six tables in memory, plus whatever was added to the file by hand.

    Rows are plain dicts keyed by ``Column.key``; columns an administrator added by hand are
    keyed by their header text and written back, after the known columns, on save. Sheets
    added by hand are written back too (values only). What a rewrite cannot keep: cell
    formatting, comments, charts, and formulas, which are read as the value Excel last
    calculated and saved (a formula cell with no saved value reads as empty).
    """

    def __init__(
        self,
        tables: dict[str, list[dict[str, Any]]],
        extras: dict[str, list[tuple[str, Any]]] | None = None,
        other_sheets: list[tuple[str, list[list[Any]]]] | None = None,
    ):
        self._tables = tables
        # Per sheet: (key, header as found) of each column added by hand, in file order.
        self._extras = extras or {name: [] for name in SHEETS}
        # Sheets added by hand: name and their cell values, kept so a save does not drop them.
        self._other_sheets = other_sheets or []

    @classmethod
    def create(cls) -> Register:
        return cls({name: [] for name in SHEETS})

    @classmethod
    def load(cls, path: Path) -> Register:
        """Read register.xlsx, taking each known column from wherever its header now is.

        A hand-typed formula reads as its cached value; the next save stores that value.
        """
        path = Path(path)
        if not path.is_file():
            raise RegisterError(f"{path.name}: the register is missing ({path})")
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            found = {name.casefold(): name for name in _worksheet_names(book)}
            tables: dict[str, list[dict[str, Any]]] = {}
            extras: dict[str, list[tuple[str, Any]]] = {}
            for sheet, columns in SHEETS.items():
                actual = found.pop(sheet.casefold(), None)
                if actual is None:
                    raise RegisterError(
                        f"{path.name}: sheet {sheet} is missing; restore it{_backup_hint(path)}"
                    )
                grid = book.get_sheet_by_name(actual).to_python(skip_empty_area=False)
                tables[sheet], extras[sheet] = _read_table(path, sheet, columns, grid)
            other_sheets = [
                (name, _trimmed(book.get_sheet_by_name(name).to_python(skip_empty_area=False)))
                for name in found.values()
            ]
        except python_calamine.CalamineError as err:
            raise RegisterError(
                f"{path.name}: not a readable Excel workbook ({err}); restore it"
                f"{_backup_hint(path)}"
            ) from err
        except OSError as err:
            raise RegisterError(f"{path.name}: cannot be read ({err})") from err
        return cls(tables, extras, other_sheets)

    def rows(self, sheet: str) -> list[dict[str, Any]]:
        """The sheet's rows, in file order: the live list, so changes to a row are saved."""
        self._columns(sheet)
        return self._tables[sheet]

    def keys(self, sheet: str) -> list[str]:
        """Every key a row of this sheet has: the known columns, then those added by hand."""
        return [column.key for column in self._columns(sheet)] + [
            key for key, _ in self._extras[sheet]
        ]

    def append(self, sheet: str, row: dict[str, Any]) -> dict[str, Any]:
        """Add a row at the end; keys not given are None. Returns the stored row."""
        stored = self._new_row(sheet, row)
        self._tables[sheet].append(stored)
        return stored

    def find(self, sheet: str, **match: Any) -> list[dict[str, Any]]:
        """Rows whose values equal every one of ``match`` (``find("Cases", case_id=...)``)."""
        unknown = sorted(set(match) - set(self.keys(sheet)))
        if unknown:
            raise ValueError(f"{sheet}: no column with key {', '.join(map(repr, unknown))}")
        items = list(match.items())
        return [row for row in self._tables[sheet] if all(row.get(k) == v for k, v in items)]

    def replace_rows(
        self,
        sheet: str,
        keep: Callable[[dict[str, Any]], bool],
        new_rows: list[dict[str, Any]],
    ) -> None:
        """Drop the rows ``keep`` rejects, then append ``new_rows`` (re-recording a meeting)."""
        added = [self._new_row(sheet, row) for row in new_rows]
        table = self._tables[sheet]
        table[:] = [row for row in table if keep(row)]
        table.extend(added)

    def audit(
        self,
        *,
        command: str,
        action: str,
        target: str,
        detail: str = "",
        who: str | None = None,
        when: datetime | None = None,
    ) -> None:
        """Record one change the tool made: who, when, which command, what, to what."""
        if when is None:
            # Whole seconds: Excel keeps no more, so the row reads back equal.
            when = datetime.now().replace(microsecond=0)
        elif when.tzinfo is not None:
            when = when.astimezone().replace(tzinfo=None)
        self.append(
            "Audit",
            {
                "when": when,
                "who": who or _current_user(),
                "command": command,
                "action": action,
                "target": target,
                "detail": detail or None,
            },
        )

    def save(self, path: Path, *, backups_dir: Path, keep_backups: int = 20) -> Path | None:
        """Write the whole register atomically; the previous file goes into ``backups_dir``.

        Refuses (RegisterLocked) while Excel or LibreOffice has the file open. Returns the
        backup made, or None when there was no previous file (or ``keep_backups`` is 0).
        On any failure the previous register is left as it was and no temporary file remains.
        """
        path = Path(path)
        backups_dir = Path(backups_dir)
        if keep_backups < 0:
            raise ValueError(f"keep_backups must be 0 or more, not {keep_backups}")
        _refuse_if_open(path)
        # Beside the register, so the final rename stays on one file system.
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            previous_mode = path.stat().st_mode & 0o7777 if path.exists() else None
            file = open(temp, "xb")  # noqa: SIM115 - closed in the try below
        except OSError as err:
            raise RegisterError(f"{path.name}: cannot be saved ({err})") from err
        backup = None
        try:
            with file:
                _write_workbook(self, file)
                file.flush()
                os.fsync(file.fileno())
            if previous_mode is not None:
                os.chmod(temp, previous_mode)
            if previous_mode is not None and keep_backups > 0:
                backup = _backup(path, backups_dir)
            os.replace(temp, path)
        except BaseException as err:
            temp.unlink(missing_ok=True)
            if backup is not None:
                backup.unlink(missing_ok=True)
            if isinstance(err, OSError):
                raise RegisterError(
                    f"{path.name}: cannot be saved ({err}); the previous version is unchanged"
                ) from err
            raise
        _fsync_dir(path.parent)
        if previous_mode is not None:
            _rotate(path, backups_dir, keep_backups)
        return backup

    def _columns(self, sheet: str) -> tuple[Column, ...]:
        try:
            return SHEETS[sheet]
        except KeyError:
            raise ValueError(
                f"no register sheet {sheet!r}; the sheets are {', '.join(SHEETS)}"
            ) from None

    def _new_row(self, sheet: str, row: dict[str, Any]) -> dict[str, Any]:
        keys = self.keys(sheet)
        unknown = [key for key in row if key not in keys]
        if unknown:
            raise ValueError(
                f"{sheet}: no column with key {', '.join(map(repr, unknown))}; "
                f"the keys are {', '.join(keys)}"
            )
        for key, value in row.items():
            _check_storable(value, f"{sheet}: {key}")
        return {key: row.get(key) for key in keys}


@contextmanager
def register_lock(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the register for one command: no other ccp may change it, nor may it be open.

    The lock is a hidden file beside the register (.register.xlsx.lock).
    """
    from filelock import FileLock, Timeout

    path = Path(path)
    _refuse_if_open(path)
    lock = FileLock(path.with_name(f".{path.name}.lock"), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise RegisterLocked(
            f"another ccp command is updating {path.name}; try again when it finishes"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _refuse_if_open(path: Path) -> None:
    excel = path.with_name(f"~${path.name}")
    if excel.exists():
        raise RegisterLocked(
            f"{path.name} is open in Excel ({excel.name} exists): close it, then run the "
            f"command again (if Excel is not running, delete {excel.name})"
        )
    libreoffice = path.with_name(f".~lock.{path.name}#")
    if libreoffice.exists():
        raise RegisterLocked(
            f"{path.name} is open in LibreOffice ({libreoffice.name} exists): close it, then "
            f"run the command again (if LibreOffice is not running, delete {libreoffice.name})"
        )


def _current_user() -> str:
    user = os.environ.get("CCP_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name, e.g. a container without a passwd entry
        return "unknown"


# --- reading -------------------------------------------------------------------------------


def _worksheet_names(book: python_calamine.CalamineWorkbook) -> list[str]:
    return [
        sheet.name
        for sheet in book.sheets_metadata
        if sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]


def _backup_hint(path: Path) -> str:
    backups = path.parent / "backups"
    return f" (a backup is in {backups.name}/)" if backups.is_dir() else ""


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _trimmed(grid: list[list[Any]]) -> list[list[Any]]:
    end = len(grid)
    while end and all(map(_blank, grid[end - 1])):
        end -= 1
    return grid[:end]


def _header_text(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if not _blank(value) else ""


def _read_table(
    path: Path, sheet: str, columns: tuple[Column, ...], grid: list[list[Any]]
) -> tuple[list[dict[str, Any]], list[tuple[str, Any]]]:
    # The header is the first row with anything in it (rows above it are blank).
    start = next((i for i, row in enumerate(grid) if not all(map(_blank, row))), len(grid))
    header = grid[start] if start < len(grid) else []
    positions: dict[str, int] = {}
    taken: set[int] = set()
    for column in columns:
        wanted = _header_text(column.header)
        for index, value in enumerate(header):
            if index not in taken and _header_text(value) == wanted:
                positions[column.key] = index
                taken.add(index)
                break
    missing = [
        column.header for column in columns if column.key not in positions and not column.later
    ]
    if missing:
        names = ", ".join(f"'{name}'" for name in missing)
        what, verb, pronoun = (
            ("column", "is", "it") if len(missing) == 1 else ("columns", "are", "them")
        )
        raise RegisterError(
            f"{path.name}: sheet {sheet}: {what} {names} {verb} missing; restore {pronoun}"
            f"{_backup_hint(path)}"
        )

    body = grid[start + 1 :]
    width = max((len(row) for row in grid), default=0)
    used = set(positions)
    extras: list[tuple[str, Any]] = []
    extra_positions: list[tuple[str, int]] = []
    for index in range(width):
        if index in taken:
            continue
        value = header[index] if index < len(header) else ""
        has_data = any(index < len(row) and not _blank(row[index]) for row in body)
        if _blank(value) and not has_data:
            continue
        key = _extra_key(value, index, used)
        used.add(key)
        extras.append((key, None if _blank(value) else value))
        extra_positions.append((key, index))

    readers = [
        (column.key, positions[column.key], _READERS[column.kind](column))
        for column in columns
        if column.key in positions
    ]
    absent = [column.key for column in columns if column.key not in positions]
    rows = []
    for raw in body:
        if all(map(_blank, raw)):
            continue
        row = {key: read(raw[index]) for key, index, read in readers}
        row.update(dict.fromkeys(absent))
        for key, index in extra_positions:
            value = raw[index] if index < len(raw) else None
            row[key] = None if _blank(value) else value
        rows.append(row)
    return rows, extras


def _extra_key(header: Any, index: int, used: set[str]) -> str:
    if _blank(header):
        from_header = ""
    else:
        from_header = (header if isinstance(header, str) else _shown(header)).strip()
    base = from_header or f"Column {_column_letter(index)}"
    key, number = base, 2
    while key in used:
        key = f"{base} ({number})"
        number += 1
    return key


def _column_letter(index: int) -> str:
    # openpyxl has one, but reading must not pay openpyxl's import time.
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _shown(value: Any) -> str:
    """A non-text value as Excel shows it, for a text column: what the person saw."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if value.second == 0 else "%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _text_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if type(value) is str:
            return value or None
        return None if value is None else _shown(value)

    return read


def _choice_reader(column: Column) -> Callable[[Any], Any]:
    canonical = {choice.casefold(): choice for choice in column.choices}

    def read(value: Any) -> Any:
        if _blank(value):
            return None
        text = value if type(value) is str else _shown(value)
        return canonical.get(" ".join(text.split()).casefold(), text)

    return read


def _date_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if _blank(value):
            return None
        if isinstance(value, datetime):
            # A time of day typed into a date column is kept rather than dropped.
            return value.date() if value.time() == time() else value
        if isinstance(value, str):
            return _parse_date(value) or value
        return value

    return read


def _datetime_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if _blank(value):
            return None
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime.combine(value, time())
        if isinstance(value, str):
            return _parse_datetime(value) or value
        return value

    return read


def _int_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if _blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
            return int(value.strip().partition(".")[0])
        return value

    return read


def _number_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if _blank(value):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            plain = value.strip().removeprefix("£").replace(",", "")
            if _NUMBER_TEXT.fullmatch(plain):
                return float(plain)
        return value

    return read


def _yesno_reader(column: Column) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if _blank(value):
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            word = value.strip().casefold()
            if word in _YES_WORDS:
                return True
            if word in _NO_WORDS:
                return False
        return value

    return read


_READERS: dict[str, Callable[[Column], Callable[[Any], Any]]] = {
    "text": _text_reader,
    "long_text": _text_reader,
    "choice": _choice_reader,
    "date": _date_reader,
    "datetime": _datetime_reader,
    "int": _int_reader,
    "number": _number_reader,
    "yesno": _yesno_reader,
}


def _parse_date(text: str) -> date | None:
    """A date typed as text, the British way or ISO; None when it is not one."""
    text = text.strip()
    try:
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = map(int, match.groups())
            return date(year, month, day)
        if match := _UK_DATE.fullmatch(text):
            day, month = int(match[1]), int(match[2])
            year = int(match[3]) if len(match[3]) == 4 else _full_year(int(match[3]))
            return date(year, month, day)
        if match := _WORDS_DATE.fullmatch(text):
            month = _MONTHS.get(match[2].casefold())
            return date(int(match[3]), month, int(match[1])) if month else None
    except ValueError:  # 31/02/2027 and the like: not a date, kept as typed
        return None
    return None


def _full_year(two_digits: int) -> int:
    # Excel's own rule for a two-digit year: 00-29 is 20xx, 30-99 is 19xx.
    return 2000 + two_digits if two_digits < 30 else 1900 + two_digits


def _parse_datetime(text: str) -> datetime | None:
    """A date and time typed as text (the time optional); None when it is not one."""
    text = text.strip()
    if match := _DATETIME_TEXT.fullmatch(text):
        day = _parse_date(match[1])
        try:
            clock = time(int(match[2]), int(match[3]), int(match[4] or 0))
        except ValueError:
            return None
        return datetime.combine(day, clock) if day else None
    day = _parse_date(text)
    return datetime.combine(day, time()) if day else None


# --- writing -------------------------------------------------------------------------------


def _problem(value: Any) -> str | None:
    """Why Excel cannot hold this value, or None when it can."""
    if value is None or isinstance(value, bool | int | date | time | timedelta):
        if isinstance(value, datetime | time) and value.tzinfo is not None:
            return f"Excel cannot store a time zone ({value!r})"
        return None
    if isinstance(value, float | Decimal):
        return None if math.isfinite(value) else f"Excel cannot store {value!r}"
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            return f"text longer than Excel's {MAX_CELL_TEXT:,} characters"
        bad = _XML_ILLEGAL.search(value)
        if bad:
            return f"control character U+{ord(bad.group()):04X} cannot be stored in Excel"
        return None
    return f"a {type(value).__name__} cannot be stored in the register"


def _check_storable(value: Any, where: str) -> None:
    problem = _problem(value)
    if problem:
        raise ValueError(f"{where}: {problem}")


class _Cells:
    """SpreadsheetML for cell values: text always as text, dates as Excel serial numbers.

    openpyxl writes everything around the cells (styles, panes, filters, validations,
    formatting), but its per-cell writer costs ~7 us a cell even in write-only mode, which
    puts a 70,000-cell register over the one-second budget of a command; rows are therefore
    written here, as the inline strings and numbers openpyxl itself would write, and spliced
    into the sheets openpyxl wrote. Text is always an inline string (never a formula or an
    error value), whatever it begins with.
    """

    def __init__(self, sheet: Any):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils.datetime import to_excel

        def style(**options: Any) -> str:
            cell = WriteOnlyCell(sheet)
            for name, value in options.items():
                setattr(cell, name, value)
            return f' s="{cell.style_id}"'

        self._to_excel = to_excel
        self.header = style(font=Font(bold=True))
        self.wrap = style(alignment=Alignment(wrap_text=True, vertical="top"))
        self.date = style(number_format=DATE_FORMAT)
        self.datetime = style(number_format=DATETIME_FORMAT)
        self.time = style(number_format=TIME_FORMAT)
        self.duration = style(number_format="[h]:mm:ss")

    def row(
        self, number: int, values: list[Any], kinds: list[str | None], letters: list[str]
    ) -> str:
        parts = [f'<row r="{number}">']
        for value, kind, letter in zip(values, kinds, letters, strict=True):
            if value is None or value == "":
                continue
            parts.append(self.cell(f"{letter}{number}", value, kind))
        parts.append("</row>")
        return "".join(parts)

    def cell(self, ref: str, value: Any, kind: str | None, style: str = "") -> str:
        """One <c> element; raises ValueError (the caller says where) for what Excel cannot hold."""
        value_type = type(value)
        if value_type is str:
            return self.text(ref, value, self.wrap if kind == "long_text" else style)
        if value_type is bool:
            if kind == "yesno":
                return self.text(ref, YES if value else NO, style)
            return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
        if value_type is int:
            return f'<c r="{ref}"{style}><v>{value}</v></c>'
        if value_type is date:
            return f'<c r="{ref}"{self.date}><v>{self._to_excel(value)}</v></c>'
        problem = _problem(value)
        if problem:
            raise ValueError(problem)
        if value_type is float:
            return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
        if value_type is Decimal:
            return f'<c r="{ref}"{style}><v>{value}</v></c>'
        if value_type is datetime:
            return f'<c r="{ref}"{self.datetime}><v>{self._to_excel(value)!r}</v></c>'
        if value_type is time:
            return f'<c r="{ref}"{self.time}><v>{self._to_excel(value)!r}</v></c>'
        if value_type is timedelta:
            return f'<c r="{ref}"{self.duration}><v>{self._to_excel(value)!r}</v></c>'
        # Subclasses (a str or int enum from the models) are stored as their plain value.
        if isinstance(value, str):
            return self.cell(ref, str.__str__(value), kind, style)
        if isinstance(value, int):
            return self.cell(ref, int(value), kind, style)
        if isinstance(value, float):
            return self.cell(ref, float(value), kind, style)
        if isinstance(value, datetime):
            plain = datetime(*value.timetuple()[:6], value.microsecond)
            return self.cell(ref, plain, kind, style)
        if isinstance(value, date):
            return self.cell(ref, date(value.year, value.month, value.day), kind, style)
        raise ValueError(f"a {value_type.__name__} cannot be stored in the register")

    def text(self, ref: str, value: str, style: str) -> str:
        if len(value) > MAX_CELL_TEXT or _XML_ILLEGAL.search(value):
            raise ValueError(_problem(value))
        if "_x" in value:
            value = _EXCEL_ESCAPE.sub(r"_x005F_\1", value)
        if "&" in value:
            value = value.replace("&", "&amp;")
        if "<" in value:
            value = value.replace("<", "&lt;")
        if ">" in value:
            value = value.replace(">", "&gt;")
        if "\r" in value:  # a bare carriage return would read back as a line feed
            value = value.replace("\r", "&#13;")
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def _write_workbook(register: Register, file: IO[bytes]) -> None:
    """The whole register as a new workbook: openpyxl's frame, rows spliced in."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheets = {name: workbook.create_sheet(name) for name in SHEETS}
    cells = _Cells(sheets["Meetings"])
    sheet_rows: list[tuple[Any, list[str]]] = []
    for name, columns in SHEETS.items():
        sheet = sheets[name]
        sheet_rows.append((sheet, _table_rows(sheet, cells, name, columns, register)))
    for name, grid in register._other_sheets:
        sheet_rows.append((workbook.create_sheet(name), _grid_rows(cells, name, grid)))
    frame = io.BytesIO()
    workbook.save(frame)
    # A sheet's part name (xl/worksheets/sheetN.xml) is known only once it is saved.
    members = {sheet.path.lstrip("/"): rows for sheet, rows in sheet_rows}
    _splice(frame, members, file)


def _table_rows(
    sheet: Any, cells: _Cells, name: str, columns: tuple[Column, ...], register: Register
) -> list[str]:
    from openpyxl.utils import get_column_letter

    rows = register._tables[name]
    extras = register._extras[name]
    keys = [column.key for column in columns] + [key for key, _ in extras]
    kinds: list[str | None] = [column.kind for column in columns] + [None] * len(extras)
    headers = [column.header for column in columns] + [header for _, header in extras]
    letters = [get_column_letter(index) for index in range(1, len(keys) + 1)]
    last_row = len(rows) + 1

    for letter, column in zip(letters, columns, strict=False):
        sheet.column_dimensions[letter].width = column.width
    for letter in letters[len(columns) :]:
        sheet.column_dimensions[letter].width = EXTRA_COLUMN_WIDTH
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{letters[-1]}{last_row}"
    reach = last_row + HEADROOM_ROWS
    for letter, column in zip(letters, columns, strict=False):
        if column.kind in ("choice", "yesno"):
            sheet.data_validations.append(_drop_down(column, f"{letter}2:{letter}{reach}"))
    if name == "Actions":
        _highlight_overdue(sheet, columns, f"A2:{letters[-1]}{reach}")

    header = "".join(
        cells.cell(
            f"{letter}1", text if isinstance(text, str) else _shown(text), None, cells.header
        )
        for letter, text in zip(letters, headers, strict=True)
        if not _blank(text)
    )
    out = [f'<row r="1">{header}</row>']
    allowed = set(keys)
    for number, row in enumerate(rows, start=2):
        if not allowed.issuperset(row):
            stray = ", ".join(sorted(map(repr, set(row) - allowed)))
            raise ValueError(f"sheet {name}: row {number}: no column with key {stray}")
        values = [row.get(key) for key in keys]
        try:
            out.append(cells.row(number, values, kinds, letters))
        except ValueError:
            for key, value in zip(keys, values, strict=True):
                _check_storable(value, f"sheet {name}: row {number}: {key}")
            raise
    return out


def _grid_rows(cells: _Cells, name: str, grid: list[list[Any]]) -> list[str]:
    from openpyxl.utils import get_column_letter

    width = max((len(row) for row in grid), default=0)
    letters = [get_column_letter(index) for index in range(1, width + 1)]
    out = []
    for number, row in enumerate(grid, start=1):
        values = list(row) + [None] * (width - len(row))
        try:
            out.append(cells.row(number, values, [None] * width, letters))
        except ValueError:
            for value in values:
                _check_storable(value, f"sheet {name}: row {number}")
            raise
    return out


def _splice(frame: io.BytesIO, sheet_rows: dict[str, list[str]], file: IO[bytes]) -> None:
    """Copy openpyxl's workbook into ``file``, each sheet's rows put into its sheetData."""
    with (
        zipfile.ZipFile(frame) as source,
        zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            rows = sheet_rows.get(info.filename)
            if rows is not None:
                data = _with_rows(data, "".join(rows).encode("utf-8"), info.filename)
            target.writestr(info.filename, data)


def _with_rows(sheet_xml: bytes, rows: bytes, member: str) -> bytes:
    # openpyxl writes an empty write-only sheet as <sheetData></sheetData>; a cell cannot
    # contain that tag (text is escaped), so the first occurrence is the sheet's own.
    for empty in (b"<sheetData></sheetData>", b"<sheetData/>", b"<sheetData />"):
        at = sheet_xml.find(empty)
        if at >= 0:
            return (
                sheet_xml[:at]
                + b"<sheetData>"
                + rows
                + b"</sheetData>"
                + sheet_xml[at + len(empty) :]
            )
    raise RuntimeError(f"{member}: openpyxl wrote no empty sheetData to fill")


def _drop_down(column: Column, cells: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = column.choices if column.kind == "choice" else (YES, NO)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showDropDown=False,  # False shows the arrow: the OOXML attribute means "hide it"
        showErrorMessage=True,
        errorTitle=column.header,
        error=f"Choose one of: {', '.join(choices)}",
    )
    validation.add(cells)
    return validation


def _highlight_overdue(sheet: Any, columns: tuple[Column, ...], cells: str) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    letters = {column.key: get_column_letter(i) for i, column in enumerate(columns, start=1)}
    due, status = f"${letters['due']}2", f"${letters['status']}2"
    formula = f'AND(ISNUMBER({due}),{due}<TODAY(),OR({status}="Open",{status}="In progress"))'
    sheet.conditional_formatting.add(
        cells,
        FormulaRule(
            formula=[formula],
            fill=PatternFill(start_color=OVERDUE_FILL, end_color=OVERDUE_FILL, fill_type="solid"),
            font=Font(color=OVERDUE_FONT),
        ),
    )


# --- saving safely -------------------------------------------------------------------------

_BACKUP_STAMP = re.compile(r"\d{8}T\d{12}")


def _backup(path: Path, backups_dir: Path) -> Path:
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now()
    while True:
        target = backups_dir / f"{path.stem}-{stamp:%Y%m%dT%H%M%S%f}{path.suffix}"
        if not target.exists():
            break
        stamp += timedelta(microseconds=1)
    shutil.copy2(path, target)
    return target


def _rotate(path: Path, backups_dir: Path, keep: int) -> None:
    if not backups_dir.is_dir():
        return
    prefix, suffix = f"{path.stem}-", path.suffix
    backups = sorted(
        file
        for file in backups_dir.iterdir()
        if file.name.startswith(prefix)
        and file.name.endswith(suffix)
        and _BACKUP_STAMP.fullmatch(file.name[len(prefix) : len(file.name) - len(suffix)])
    )
    for old in backups[: max(len(backups) - keep, 0)]:
        try:
            old.unlink()
        except OSError:  # e.g. a backup open in Excel on Windows: the next save retries
            continue


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; Windows cannot open a directory, and needs not.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
