"""Appending to a sheet ccp wrote in segments: the body's deflated bytes kept, the result the
same XML as the long way gives, and any index that does not check ignored."""

from __future__ import annotations

import functools
import io
import os
import random
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from workbook_checks import DECORATED, through_libreoffice

from workflow.register import Register
from workflow.xlsx import workbook as workbook_module
from workflow.xlsx.segments import EXTRA_ID, crc32_combine, read_index


@pytest.fixture(autouse=True)
def small_segments(monkeypatch):
    """Segments of ~2 KB: a test register of 40 rows is cut into many."""
    monkeypatch.setattr(workbook_module, "SEGMENT_ROWS", 2048)


def test_crc32_combine_is_zlibs():
    generator = random.Random(9)
    for _ in range(100):
        first = os.urandom(generator.randint(0, 3000))
        second = os.urandom(generator.randint(0, 3000))
        assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(
            first + second
        )


def _saved(tmp_path: Path, actions: int = 40) -> Path:
    path = tmp_path / "register.xlsx"
    register = Register.create()
    for number in range(1, actions + 1):
        register.append(
            "Actions",
            {
                "action_id": f"CCP-2027-001-A{number}",
                "case_id": "CCP-2027-001",
                "meeting": date(2027, 3, 11),
                "status": "Open",
                "carried_forward": 0,
            },
        )
    register.audit(command="referral add", action="accepted referral", target="CCP-2027-001")
    register.save(path, backups_dir=tmp_path / "backups")
    return path


@functools.cache
def _base() -> bytes:
    import tempfile

    original = workbook_module.SEGMENT_ROWS
    workbook_module.SEGMENT_ROWS = 2048
    try:
        with tempfile.TemporaryDirectory() as folder:
            return _saved(Path(folder)).read_bytes()
    finally:
        workbook_module.SEGMENT_ROWS = original


def _index(path: Path, part: str = "xl/worksheets/sheet7.xml"):
    with zipfile.ZipFile(path) as archive:
        return read_index(archive.getinfo(part).extra)


@pytest.fixture
def spliced(monkeypatch):
    """Records which edits took the append-only way."""
    taken: list[tuple[str, bool]] = []
    original = workbook_module.Workbook._edit_segmented

    def spy(self, sheet, part, edits):
        done = original(self, sheet, part, edits)
        taken.append((sheet, done))
        return done

    monkeypatch.setattr(workbook_module.Workbook, "_edit_segmented", spy)
    return taken


def _append(
    path: Path,
    rows: list[dict],
    backups: Path,
    changed: list[int] = (),
    status: str = "Completed",
) -> None:
    register = Register.load(path)
    for row in rows:
        register.append("Actions", row)
    wanted = [f"CCP-2027-001-A{number}" for number in changed]
    for row in register.select("Actions", "action_id", wanted):
        row["status"] = status
        row["carried_forward"] = (row.get("carried_forward") or 0) + 1
    register.audit(
        command="actions update",
        action="changed status",
        target="CCP-2027-001",
        when=datetime(2027, 3, 1, 9, 30),  # the same in both files compared
    )
    register.save(path, backups_dir=backups)


def _inflated(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


ROW_VALUES = st.fixed_dictionaries(
    {
        "action_id": st.from_regex(r"CCP-2027-00[1-9]-A[0-9]{1,3}", fullmatch=True),
        "action": st.text(
            st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
            min_size=1,
            max_size=40,
        ),
        "due": st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
        "carried_forward": st.integers(min_value=0, max_value=9),
        "status": st.sampled_from(["Open", "Completed", "In progress"]),
    }
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.tuples(
            st.lists(ROW_VALUES, max_size=4),
            st.lists(st.integers(min_value=1, max_value=45), max_size=4),
            st.sampled_from(["Completed", "Cancelled", "In progress"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_edits_to_segments_give_the_xml_the_long_way_gives(tmp_path_factory, batches):
    """Appends and changed cells, in a part cut into many small segments: keeping the
    untouched segments deflated gives what rewriting the whole part gives."""
    folder = tmp_path_factory.mktemp("segments")
    quick, slow = folder / "quick.xlsx", folder / "slow.xlsx"
    quick.write_bytes(_base())
    slow.write_bytes(_base())
    for appended, changed, status in batches:
        _append(quick, appended, folder / "backups", changed, status)
        original = workbook_module.Workbook._edit_segmented
        workbook_module.Workbook._edit_segmented = lambda *args: False
        try:
            _append(slow, appended, folder / "backups", changed, status)
        finally:
            workbook_module.Workbook._edit_segmented = original
    assert _inflated(quick) == _inflated(slow)
    # The same rows in the end; how they were deflated and cut into segments may differ.
    for part in ("xl/worksheets/sheet3.xml", "xl/worksheets/sheet7.xml"):
        a, b = _index(quick, part), _index(slow, part)
        assert (a.last_row, a.body[-1].last_styles, a.head, a.tail, a.size, a.crc) == (
            b.last_row,
            b.body[-1].last_styles,
            b.head,
            b.tail,
            b.size,
            b.crc,
        )


def test_an_append_keeps_the_bodys_deflated_bytes_and_reads_back(tmp_path, spliced):
    path = _saved(tmp_path)
    spliced.clear()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet3.xml")
        index = read_index(info.extra)
        raw = path.read_bytes()
    assert index is not None
    assert index.last_row == 41
    _append(
        path,
        [{"action_id": "CCP-2027-001-A41", "due": date(2027, 4, 1), "status": "Open"}],
        tmp_path / "backups",
    )
    assert spliced == [("Actions", True), ("Audit", True)]
    after = zipfile.ZipFile(path)
    new_info = after.getinfo("xl/worksheets/sheet3.xml")
    # The old body's deflated bytes are in the new entry as they were.
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    assert len(index.body) > 3  # cut into many segments; all but the last kept as they were
    kept = sum(rows.segment.compressed for rows in index.body[:-1])
    body = raw[start + index.head.compressed : start + index.head.compressed + kept]
    assert body in path.read_bytes()
    assert read_index(new_info.extra).last_row == 42
    register = Register.load(path)
    [row] = register.select("Actions", "action_id", ["CCP-2027-001-A41"])
    assert row["due"] == date(2027, 4, 1)
    assert register.row_number("Actions", row) == 42
    sheet = load_workbook(path)["Actions"]
    assert sheet["A42"].value == "CCP-2027-001-A41"
    assert sheet["G42"].is_date  # the Due column's date style, from the row above


def test_the_header_and_last_row_come_from_the_index_as_from_the_rows(tmp_path):
    path = _saved(tmp_path)
    workbook = workbook_module.Workbook(path.read_bytes())
    quick = workbook.sheet_head("Actions")
    part = workbook.sheets["Actions"].part
    assert quick == workbook._sheet_head_streamed(part)
    assert quick[0] == 1
    assert quick[2] == 41


def _with_extra(path: Path, change) -> None:
    """The file rewritten by Python's zipfile, each entry's extra field changed by ``change``
    (which may also recompress): what another zip tool could leave."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            clone.compress_type = zipfile.ZIP_DEFLATED
            clone.extra = change(info.extra)
            target.writestr(clone, data, compresslevel=9)
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda extra: extra, id="recompressed, index kept"),
        pytest.param(
            lambda extra: extra[:-1] + bytes([extra[-1] ^ 1]) if extra else extra,
            id="index damaged",
        ),
        pytest.param(
            lambda extra: (
                (EXTRA_ID).to_bytes(2, "little") + (4).to_bytes(2, "little") + b"ccp1"
                if extra
                else extra
            ),
            id="index too short",
        ),
    ],
)
def test_an_index_that_does_not_describe_the_bytes_is_ignored(tmp_path, spliced, change):
    path = _saved(tmp_path)
    _with_extra(path, change)
    spliced.clear()
    _append(path, [{"action_id": "CCP-2027-001-A99", "status": "Open"}], tmp_path / "b")
    assert spliced == [("Actions", False), ("Audit", False)]
    register = Register.load(path)
    assert [row["action_id"] for row in register.rows("Actions")][-1] == "CCP-2027-001-A99"
    assert len(register.rows("Actions")) == 41
    # Written the long way, with a fresh index: the next append is quick again.
    spliced.clear()
    _append(path, [{"action_id": "CCP-2027-001-A100", "status": "Open"}], tmp_path / "b")
    assert spliced == [("Actions", True), ("Audit", True)]


def test_a_changed_cell_goes_the_long_way_and_keeps_the_index(tmp_path, spliced):
    path = _saved(tmp_path)
    register = Register.load(path)
    [row] = register.select("Actions", "action_id", ["CCP-2027-001-A3"])
    row["status"] = "Completed"
    register.save(path, backups_dir=tmp_path / "b")
    assert ("Actions", False) in spliced
    assert _index(path, "xl/worksheets/sheet3.xml") is not None
    assert (
        Register.load(path).select("Actions", "action_id", ["CCP-2027-001-A3"])[0]["status"]
        == "Completed"
    )


def test_the_index_is_a_zip_extra_field_other_readers_skip(tmp_path):
    path = _saved(tmp_path)
    _append(path, [{"action_id": "CCP-2027-001-A77", "status": "Open"}], tmp_path / "b")
    with zipfile.ZipFile(path) as archive:
        extra = archive.getinfo("xl/worksheets/sheet3.xml").extra
        assert int.from_bytes(extra[:2], "little") == EXTRA_ID
        assert archive.testzip() is None
    import python_calamine

    grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Actions")
    assert grid.to_python()[-1][0] == "CCP-2027-001-A77"


def test_libreoffice_opens_a_spliced_register_and_its_save_drops_the_index(tmp_path, spliced):
    path = _saved(tmp_path)
    _append(path, [{"action_id": "CCP-2027-001-A55", "status": "Open"}], tmp_path / "b")
    assert ("Actions", True) in spliced
    saved = through_libreoffice(path, tmp_path / "calc")
    ids = [row[0] for row in load_workbook(saved)["Actions"].iter_rows(values_only=True)]
    assert [value for value in ids if value][-1] == "CCP-2027-001-A55"
    assert _index(saved, "xl/worksheets/sheet3.xml") is None
    spliced.clear()
    _append(saved, [{"action_id": "CCP-2027-001-A56", "status": "Open"}], tmp_path / "b")
    assert ("Actions", False) in spliced  # Calc's file: the long way, which writes an index
    assert Register.load(saved).rows("Actions")[-1]["action_id"] == "CCP-2027-001-A56"


def test_a_spreadsheet_programs_file_is_appended_to_the_long_way(tmp_path, spliced):
    path = tmp_path / "register.xlsx"
    path.write_bytes(DECORATED.read_bytes())
    register = Register.load(path)
    register.audit(
        command="referral add",
        action="accepted referral",
        target="CCP-2027-009",
        when=datetime(2027, 3, 1, 9, 0),
    )
    register.save(path, backups_dir=tmp_path / "b")
    assert spliced == [("Audit", False)]
    spliced.clear()
    register = Register.load(path)
    register.audit(command="x", action="y", target="CCP-2027-010")
    register.save(path, backups_dir=tmp_path / "b")
    assert spliced == [("Audit", True)]
    targets = [row["target"] for row in Register.load(path).rows("Audit")]
    assert targets[-2:] == ["CCP-2027-009", "CCP-2027-010"]
