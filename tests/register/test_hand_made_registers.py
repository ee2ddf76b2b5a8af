"""Registers as people keep them: a symbolic link to a shared copy, a formula typed into a
ccp cell."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbook_checks import DECORATED

from workflow.core.errors import RegisterError
from workflow.register import Register


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_linked_register_updates_its_target_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "panel-register.xlsx"
    target.parent.mkdir()
    shutil.copyfile(DECORATED, target)
    link = tmp_path / "workspace" / "register.xlsx"
    link.parent.mkdir()
    link.symlink_to(target)

    register = Register.load(link)
    register.append("Actions", {"action_id": "CCP-2027-003-A9", "case_id": "CCP-2027-003"})
    register.save(link, backups_dir=tmp_path / "workspace" / "backups", keep_backups=1)

    assert link.is_symlink()
    assert link.resolve() == target.resolve()
    ids = [row["action_id"] for row in Register.load(target).rows("Actions")]
    assert ids[-1] == "CCP-2027-003-A9"


def test_a_formula_typed_into_a_status_cell_is_not_written_over(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    shutil.copyfile(DECORATED, path)
    workbook = load_workbook(path)
    workbook["Actions"]["H2"] = '=IF(G2<TODAY(),"Overdue","Open")'
    workbook.save(path)
    before = path.read_bytes()

    register = Register.load(path)
    register.rows("Actions")[0]["status"] = "Completed"
    with pytest.raises(RegisterError, match=r"sheet Actions, cell H2 holds a formula \(=IF"):
        register.save(path, backups_dir=tmp_path / "backups", keep_backups=1)
    assert path.read_bytes() == before
