"""The panel register, register.xlsx: the administrator's workbook, which ccp edits in place.

Reading is lazy and follows the need: a sheet is read whole (python-calamine) the first
time a command asks for all its rows; ``select`` finds the rows holding some values (one
meeting's cases, one action ID) and ``tokens`` the IDs a sheet names, both by searching the
sheet's XML without reading the rest (``scan``): a search at memory speed and a dict only
for the rows wanted, not one for each of ten years' rows. Saving writes only the cells that
changed and the rows that were added, into the workbook as it was read (see ``workbook``):
everything else a person made survives.
Every row is found by its key (a meeting date, case ID, action ID, file hash), never by its
position, so sorting or filtering the sheets in Excel changes no result.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from workflow.core import dates, files
from workflow.core.errors import FileInUse, RegisterError, RegisterLocked
from workflow.register.cells import (
    READERS,
    CellProblem,
    MissingColumns,
    Table,
    cell_problems,
    check_storable,
    head_table,
    read_table,
)
from workflow.register.edits import LoadedSheet, sheet_columns, sheet_edits
from workflow.register.found import adopt, column_values, latest, latest_date, tokens
from workflow.register.lock import current_user, refuse_if_open, register_lock, step_lock
from workflow.register.new_sheet import new_workbook, sheet_xml
from workflow.register.schema import SHEETS, Column
from workflow.xlsx.package import REPAIR, WorkbookRefused
from workflow.xlsx.rows import SheetEdits
from workflow.xlsx.scan import ScanUnsupported, SheetScan
from workflow.xlsx.workbook import Workbook

__all__ = [
    "SHEETS",
    "CellProblem",
    "Column",
    "Register",
    "current_user",
    "register_lock",
    "step_lock",
]

# Sheets a register made before they existed gains on its next write (with an Audit row).
ADDED_SHEETS = ("Signatures", "Disclosures", "Retention holds", "Tombstones")


class Register:
    """The register's sheets as lists of rows (dicts keyed by ``Column.key``).

    Change a row's values, ``append`` rows, then ``save``: only those cells are written.
    Columns an administrator added are read under their header text and kept.
    """

    def __init__(self, data: bytes, name: str = "register.xlsx"):
        import python_calamine

        self._data = data
        self._name = name
        try:
            self._workbook = Workbook(data)
            self._reader = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except WorkbookRefused as err:
            raise RegisterError(f"{name}: {err}; nothing was changed") from err
        except python_calamine.CalamineError as err:
            raise RegisterError(
                f"{name}: not a readable Excel workbook ({err}); {REPAIR}; nothing was changed"
            ) from err
        actual = {
            sheet.name
            for sheet in self._reader.sheets_metadata
            if sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
        }
        self._found = {
            name.casefold(): name for name in self._workbook.sheet_names() if name in actual
        }
        self._sheets: dict[str, LoadedSheet] = {}
        self._new_sheets: list[str] = []
        # A tab renamed since the file was read: its new name -> the name the reader knows.
        self._renamed: dict[str, str] = {}
        self._path: Path | None = None

    # -- opening --

    @classmethod
    def create(cls) -> Register:
        """A new, empty register (headers, widths, filters, drop-downs, highlighting)."""
        return cls(_new_workbook_bytes())

    @classmethod
    def load(cls, path: Path, sheets: list[str] | None = None) -> Register:
        """Open register.xlsx; each sheet is read when first used (``sheets`` reads some now)."""
        path = Path(path)
        if not path.is_file():
            raise RegisterError(f"{path.name}: the register is missing ({path})")
        try:
            data = path.read_bytes()
        except OSError as err:
            raise RegisterError(f"{path.name}: cannot be read ({err})") from err
        register = cls(data, path.name)
        register._path = path
        for sheet in sheets or ():
            register._sheet(sheet)
        return register

    # -- reading --

    def _sheet(self, sheet: str) -> LoadedSheet:
        """The sheet with all its rows read."""
        loaded = self._sheets.get(sheet)
        if loaded is not None and not loaded.partial:
            return loaded
        columns = sheet_columns(sheet)
        actual = self._actual_or_added(sheet)
        if actual is None:
            return self._sheets[sheet]
        grid = self._grid(actual)
        with self._missingsheet_columns(sheet):
            table = read_table(sheet, columns, grid, self._workbook.formula_rows(actual))
        del grid
        originals = {
            id(row): (number, tuple(row.values()))
            for row, number in zip(table.rows, table.numbers, strict=True)
        }
        if loaded is not None:
            # Rows found by ``select`` before stay the same objects (a command may hold and
            # have changed them); rows appended before the sheet was read follow those read.
            keys = [column.key for column in columns] + [key for key, _ in table.extras]
            where = {number: index for index, number in enumerate(table.numbers)}
            for row in loaded.table.rows:
                entry = loaded.originals.get(id(row))
                index = where.get(entry[0]) if entry is not None else None
                if index is None:
                    for key in keys:
                        row.setdefault(key, None)
                    table.rows.append(row)
                    continue
                fresh = table.rows[index]
                for key, value in fresh.items():
                    row.setdefault(key, value)
                table.rows[index] = row
                originals[id(row)] = originals.pop(id(fresh))
        loaded = LoadedSheet(table, originals, set())
        self._sheets[sheet] = loaded
        return loaded

    def _grid(self, actual: str) -> list[list[Any]]:
        """Every cell of a sheet from A1, as python-calamine reads them."""
        import python_calamine

        misread = self._workbook.misread_cells(actual)
        if misread:
            raise RegisterError(
                f"{self._name}: sheet {actual}, cell {misread[0]}: stored in a form ccp cannot "
                "read reliably (an inline text that also carries a value); open the register "
                "in Excel or LibreOffice, save it, and run the command again"
            )
        try:
            sheet = self._reader.get_sheet_by_name(self._renamed.get(actual, actual))
            return sheet.to_python(skip_empty_area=False)
        except python_calamine.CalamineError as err:
            raise RegisterError(
                f"{self._name}: sheet {actual} cannot be read ({err}); {REPAIR}; "
                "nothing was changed"
            ) from err

    def _head(self, sheet: str) -> LoadedSheet:
        """The sheet known at least by its header: enough to append rows to it."""
        loaded = self._sheets.get(sheet)
        if loaded is not None:
            return loaded
        columns = sheet_columns(sheet)
        actual = self._actual_or_added(sheet)
        if actual is None:
            return self._sheets[sheet]
        try:
            header_row, header = self._workbook.sheet_header(actual)
        except WorkbookRefused as err:
            raise RegisterError(f"{self._name}: {err}; nothing was changed") from err

        def last_row() -> int:
            # Read through the sheet (streamed) only when a row is added.
            try:
                return self._workbook.sheet_head(actual)[2]
            except WorkbookRefused as err:
                raise RegisterError(f"{self._name}: {err}; nothing was changed") from err

        with self._missingsheet_columns(sheet):
            table = head_table(columns, header, header_row, last_row)
        loaded = LoadedSheet(table, {}, set(), partial=True)
        self._sheets[sheet] = loaded
        return loaded

    def _actual_or_added(self, sheet: str) -> str | None:
        """The sheet's name in the file; None for a sheet ccp adds (registered as new)."""
        actual = self._found.get(sheet.casefold())
        if actual is not None:
            return actual
        if sheet in self._new_sheets:
            return None
        if sheet in ADDED_SHEETS:
            self._start_sheet(sheet)
            return None
        raise RegisterError(
            f"{self._name}: sheet {sheet} is missing; restore it{self._backup_hint()}"
        )

    @contextmanager
    def _missingsheet_columns(self, sheet: str) -> Iterator[None]:
        try:
            yield
        except MissingColumns as err:
            names = ", ".join(f"'{name}'" for name in err.headers)
            what, verb, pronoun = (
                ("column", "is", "it") if len(err.headers) == 1 else ("columns", "are", "them")
            )
            raise RegisterError(
                f"{self._name}: sheet {sheet}: {what} {names} {verb} missing; restore {pronoun}"
                f"{self._backup_hint()}"
            ) from None

    def _backup_hint(self) -> str:
        if self._path is None:
            return ""
        backups = self._path.parent / "backups"
        return f" (a backup is in {backups.name}/)" if backups.is_dir() else ""

    def rows(self, sheet: str) -> list[dict[str, Any]]:
        """The sheet's rows in file order: the live list, so changes to a row are saved."""
        return self._sheet(sheet).table.rows

    def select(
        self,
        sheet: str,
        key: str,
        values: Iterable[str],
        *,
        prefix: bool = False,
        loose: bool | None = None,
    ) -> list[dict[str, Any]]:
        """The rows whose ``key`` column holds one of ``values`` (with ``prefix``, a text
        starting with one), in file order: the same live rows ``rows`` gives, found without
        reading the rest of the sheet (``scan``). Rows appended since are included. ``loose``
        (the default for a drop-down column) ignores capitals and extra spaces. A column
        with no header is left out of rows read so (ccp never writes one)."""
        column = {c.key: c for c in sheet_columns(sheet)}.get(key)
        if loose is None:
            loose = column is not None and column.kind == "choice"

        def plain(value: Any) -> Any:
            if not isinstance(value, str):
                return None
            return " ".join(value.split()).casefold() if loose else value

        wanted = tuple(dict.fromkeys(values))
        plain_wanted = tuple(plain(value) for value in wanted)
        if prefix:

            def matches(row: dict[str, Any]) -> bool:
                value = plain(row.get(key))
                return value is not None and value.startswith(plain_wanted)
        else:
            chosen = set(plain_wanted)

            def matches(row: dict[str, Any]) -> bool:
                return plain(row.get(key)) in chosen

        if key not in self.keys(sheet):
            raise ValueError(f"{sheet}: no column with key {key!r}")
        loaded = self._head(sheet)
        if not loaded.partial or not wanted:
            return [row for row in loaded.table.rows if matches(row)]
        actual = self._actual_or_added(sheet)
        table = loaded.table
        if actual is None or key not in table.positions:
            return [row for row in table.rows if matches(row)]

        try:
            found = SheetScan(self._workbook, actual).rows(
                () if prefix else wanted, wanted if prefix else (), loose=loose
            )
        except ScanUnsupported:
            # Read every cell (python-calamine, quick) but type only the rows kept.
            index = table.positions[key]
            read = READERS[column.kind](column) if column else (lambda value: value)
            found = [
                (number, raw)
                for number, raw in enumerate(self._grid(actual), start=1)
                if number > table.header_row
                and index < len(raw)
                and matches({key: read(raw[index])})
            ]
        except WorkbookRefused as err:
            raise RegisterError(f"{self._name}: {err}; {REPAIR}; nothing was changed") from err
        adopt(sheet_columns(sheet), loaded, found)
        return [row for row in table.rows if matches(row)]

    def latest(self, sheet: str, key: str, count: int) -> list[dict[str, Any]]:
        """The ``count`` rows with the latest date-times in column ``key``, latest first (a
        value that is not one counts as the oldest; ties: the earlier row first), read from
        that column alone when the sheet allows (see ``found.latest``)."""
        return latest(self, sheet, key, count)

    def tokens(self, sheet: str, prefix: str) -> set[str]:
        """Every token of the sheet's text that starts with ``prefix`` (then letters, digits,
        hyphens), in any column: ``tokens("Audit", "CCP-2027-")`` is every case or action
        ID of 2027 the Audit sheet names, found without reading its rows (see
        ``found.tokens``)."""
        return tokens(self, sheet, prefix)

    def latest_date(self, sheet: str, key: str) -> datetime | None:
        """The latest date-time in column ``key`` (None: none there), read from that
        column alone when the sheet allows."""
        return latest_date(self, sheet, key)

    def keys(self, sheet: str) -> list[str]:
        """Every key a row of this sheet has: the known columns, then those added by hand."""
        table = self._head(sheet).table
        return [column.key for column in sheet_columns(sheet)] + [key for key, _ in table.extras]

    def find(self, sheet: str, **match: Any) -> list[dict[str, Any]]:
        """Rows whose values equal every one of ``match`` (``find("Cases", case_id=...)``)."""
        unknown = sorted(set(match) - set(self.keys(sheet)))
        if unknown:
            raise ValueError(f"{sheet}: no column with key {', '.join(map(repr, unknown))}")
        items = list(match.items())
        return [row for row in self.rows(sheet) if all(row.get(k) == v for k, v in items)]

    def column_values(self, sheet: str, key: str) -> list[Any]:
        """One column's values as stored, below the header (blank cells left out), without
        building a dict per row: which case numbers were ever used, say."""
        return column_values(self, sheet, key)

    def row_number(self, sheet: str, row: dict[str, Any]) -> int | None:
        """The Excel row number ``row`` was read from (None for a row not yet saved)."""
        entry = self._head(sheet).originals.get(id(row))
        return entry[0] if entry else None

    def problems(self, sheet: str | None = None) -> list[CellProblem]:
        """Values typed by hand that do not fit their column, in the sheets read so far."""
        names = [sheet] if sheet else [name for name, s in self._sheets.items() if not s.partial]
        return [problem for name in names for problem in self._problems(name)]

    def _problems(self, sheet: str) -> list[CellProblem]:
        loaded = self._sheet(sheet)
        if loaded.problems is None:
            # Worked out from the values as read, whatever the command has changed since.
            columns = sheet_columns(sheet)
            order = self._read_keys(sheet)
            loaded.problems = [
                problem
                for number, values in sorted(loaded.originals.values(), key=lambda e: e[0])
                for problem in cell_problems(
                    sheet, columns, number, dict(zip(order, values, strict=False))
                )
            ]
        return loaded.problems

    def _read_keys(self, sheet: str) -> list[str]:
        """The key order of the rows as read (the header is enough: ``select``ed rows)."""
        table = self._head(sheet).table
        known = [column.key for column in sheet_columns(sheet)]
        present = [key for key in known if key in table.positions]
        absent = [key for key in known if key not in table.positions]
        return present + absent + [key for key, _ in table.extras]

    def has_sheet(self, sheet: str) -> bool:
        """Whether the file holds this sheet (a sheet added later may not be there yet)."""
        return sheet.casefold() in self._found

    def sheet_names(self) -> list[str]:
        """The worksheets' names as the file has them (and as renamed since it was read)."""
        return list(self._found.values())

    # -- changing --

    def append(self, sheet: str, row: dict[str, Any]) -> dict[str, Any]:
        """Add a row at the end; keys not given are None. Returns the stored row."""
        keys = self.keys(sheet)
        unknown = [key for key in row if key not in keys]
        if unknown:
            raise ValueError(
                f"{sheet}: no column with key {', '.join(map(repr, unknown))}; "
                f"the keys are {', '.join(keys)}"
            )
        for key, value in row.items():
            check_storable(value, f"{sheet}: {key}")
        if all(value is None or value == "" for value in row.values()):
            # A blank row reads as no row: it would be lost.
            raise ValueError(f"{sheet}: a row with no values cannot be stored")
        stored = {key: row.get(key) for key in keys}
        # No need to read the rows to add one: a sheet known by its header will do.
        self._head(sheet).table.rows.append(stored)
        return stored

    def remove(self, sheet: str, row: dict[str, Any]) -> None:
        """Take a row out (moving it elsewhere in a migration: ccp never drops data)."""
        loaded = self._sheet(sheet)
        loaded.table.rows.remove(row)
        entry = loaded.originals.pop(id(row), None)
        if entry is not None:
            loaded.removed.add(entry[0])

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
            when = dates.now()
        elif when.tzinfo is not None:
            when = when.astimezone().replace(tzinfo=None)
        self.append(
            "Audit",
            {
                "when": when,
                "who": who or current_user(),
                "command": command,
                "action": action,
                "target": target,
                "detail": detail or None,
            },
        )

    def archive_sheet(self, sheet: str, name: str) -> None:
        """Rename the tab of ``sheet`` to ``name`` (no row is read, moved or rewritten; the
        tab is read later under its new name) and start ``sheet`` afresh, empty, as a new
        tab at the end: past years' Audit rows are never rewritten again."""
        actual = self._actual_or_added(sheet)
        if actual is None:
            raise ValueError(f"{sheet}: no such sheet in the file to rename")
        try:
            self._workbook.rename_sheet(actual, name)
        except WorkbookRefused as err:
            raise RegisterError(f"{self._name}: {err}; nothing was changed") from err
        self._renamed[name] = self._renamed.pop(actual, actual)
        del self._found[sheet.casefold()]
        self._found[name.casefold()] = name
        loaded = self._sheets.pop(sheet, None)
        if loaded is not None:
            self._sheets[name] = loaded
        self._start_sheet(sheet)

    def scrub(self, texts: Iterable[str], replacement: str) -> None:
        """On save, replace ``texts`` in every part still holding them (erasure)."""
        self._workbook.scrub = (tuple(texts), replacement)

    # -- saving --

    def save(
        self, path: Path, *, backups_dir: Path, keep_backups: int = 20, mode: int | None = None
    ) -> Path | None:
        """Write the changes atomically; the previous file goes into ``backups_dir``.

        Refuses (RegisterLocked) while Excel or LibreOffice has the file open. Returns the
        backup made, or None when there was no previous file (or ``keep_backups`` is 0).
        On any failure the previous register is left as it was and no temporary file remains.
        """
        path = Path(path)
        backups_dir = Path(backups_dir)
        if keep_backups < 0:
            raise ValueError(f"keep_backups must be 0 or more, not {keep_backups}")
        if path.is_symlink():
            # A register that is a link (to a shared drive, say) is written through: the
            # workbook it points to is updated and the link stays a link.
            refuse_if_open(path)
            path = path.resolve()
        refuse_if_open(path)
        if self._path is not None and path.resolve() == self._path.resolve():
            self._refuse_if_changed_since_read(path)
        for sheet in list(self._new_sheets):
            if self._sheets[sheet].table.rows or sheet in ADDED_SHEETS:
                self._add_sheet(sheet)
        try:
            for sheet in list(self._sheets):
                self._workbook.edit_sheet(self._actual(sheet), self._edits(sheet))
            # A formula typed into one of ccp's columns is read back by its cached value;
            # every other formula loses its value, so that Calc calculates it afresh.
            self._workbook.keep_cached = self._own_columns
        except WorkbookRefused as err:
            raise RegisterError(f"{path.name}: {err}; nothing was changed") from err
        existed = path.exists()
        previous_mode = path.stat().st_mode & 0o777 if existed else None
        file_mode = mode if mode is not None else (previous_mode or files.PRIVATE_FILE)
        backup: list[Path] = []

        def keep_backup() -> None:
            if existed and keep_backups > 0:
                backup.append(files.backup_copy(path, backups_dir, mode=file_mode))

        try:
            files.write_atomic(
                path, self._workbook.write, mode=file_mode, before_replace=keep_backup
            )
        except FileInUse as err:
            for made in backup:
                made.unlink(missing_ok=True)
            raise RegisterLocked(str(err)) from None
        except WorkbookRefused as err:
            # A sheet is rewritten as it streams into the new file: what stops it (a formula
            # where ccp writes, a protected sheet) is found there, before anything is replaced.
            for made in backup:
                made.unlink(missing_ok=True)
            raise RegisterError(f"{path.name}: {err}; nothing was changed") from err
        except BaseException:
            for made in backup:
                made.unlink(missing_ok=True)
            raise
        if existed:
            files.rotate_backups(path, backups_dir, keep_backups)
        # The saved file is now what this object describes; a second save edits it again.
        self.__init__(path.read_bytes(), path.name)  # type: ignore[misc]
        self._path = path
        return backup[0] if backup else None

    def _own_columns(self, actual: str) -> set[int]:
        """The columns of sheet ``actual`` (as named in the file) that ccp owns."""
        sheet = next((name for name in SHEETS if self._actual(name) == actual), None)
        if sheet is None or self._actual_or_added(sheet) is None:
            return set()
        keys = {column.key for column in sheet_columns(sheet)}
        return {index for key, index in self._head(sheet).table.positions.items() if key in keys}

    def _refuse_if_changed_since_read(self, path: Path) -> None:
        try:
            current = path.read_bytes()
        except OSError:
            return
        if current != self._data:
            raise RegisterError(
                f"{path.name} changed on disk while this command ran (saved in Excel?); "
                "nothing was written: run the command again"
            )

    def _actual(self, sheet: str) -> str:
        return self._found.get(sheet.casefold(), sheet)

    def _start_sheet(self, sheet: str) -> None:
        """``sheet``, empty, to be added to the file as a new tab when the register is saved."""
        columns = sheet_columns(sheet)
        table = Table([], [], {c.key: i for i, c in enumerate(columns)}, [], 1, 1)
        self._sheets[sheet] = LoadedSheet(table, {}, set())
        self._new_sheets.append(sheet)

    def _add_sheet(self, sheet: str) -> None:
        style = None
        for other in SHEETS:
            if other in self._found.values() or other.casefold() in self._found:
                style = self._workbook.header_style(self._actual(other))
                if style is not None:
                    break
        self._workbook.add_sheet(sheet, sheet_xml(sheet, style))
        self._found[sheet.casefold()] = sheet
        self._new_sheets.remove(sheet)
        if sheet not in ADDED_SHEETS:
            return  # started afresh by ``archive_sheet``, which has said why
        self.audit(
            command="register",
            action="added sheet",
            target=sheet,
            detail=f"the register gained the {sheet} sheet",
        )

    def _edits(self, sheet: str) -> SheetEdits:
        loaded = self._sheets[sheet]
        return sheet_edits(
            sheet,
            loaded,
            self._read_keys(sheet) if loaded.originals else [],
            lambda: self._workbook.header_style(self._actual(sheet)),
            self._name,
        )


@cache
def _new_workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    new_workbook().save(buffer)
    return buffer.getvalue()
