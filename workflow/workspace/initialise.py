"""`ccp init`: a new panel workspace with a starter panel.yaml and an empty register."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from workflow.contract import PanelConfig
from workflow.core import files
from workflow.core.dates import today
from workflow.core.errors import WorkspaceError
from workflow.forms.loading import parse_yaml, validate
from workflow.register import Register
from workflow.workspace.paths import Workspace

FOLDERS = ("cases", "meetings", "output", "backups", "templates")

TEMPLATES_README = """\
Edited Word templates go here.

A template in this folder (same file name as the shipped one, e.g. referral.docx)
is used instead of the shipped template. Copy the shipped one in, edit the wording
or styling in Word, keep every {{ ... }} and {% ... %} tag as it is, and make a test
document in a copy of this workspace (for example `ccp -w COPY pack DATE`).
A tag the data does not have stops the command with a message naming it.
"""


def panel_meeting_dates(start: date, count: int = 6, weekday: int = 3) -> list[date]:
    """Bi-monthly meetings (ToR 9): the second Thursday of every other month from `start`."""
    dates = []
    year, month = start.year, start.month
    while len(dates) < count:
        first = date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        second = first + timedelta(days=offset + 7)
        if second >= start:
            dates.append(second)
            month += 2
        else:
            month += 1
        if month > 12:
            year, month = year + 1, month - 12
    return dates


def starter_panel_yaml(meetings: list[date]) -> str:
    dates = "\n".join(f"  - {day.isoformat()}" for day in meetings)
    return f"""\
# panel.yaml: who sits on the Complex Child Panel, when it meets, how papers are marked.
# Replace every example below with your panel's details, then run any ccp command: it
# checks this file first and names any field that is wrong.

# The panel's name, printed on every document.
name: Example Complex Child Panel
# The council or partnership the panel serves (optional).
authority: Example County Council

# Chairs the panel and signs the minutes (ToR 13.iii).
chair:
  name: Chair Name
  role: Deputy Director, Social Care
  agency: Children's social care
  email: chair@example.org
# Chairs and signs in the chair's absence.
deputy:
  name: Deputy Name
  role: Director of Children's Services
  agency: Health
  email: deputy@example.org
# Receives referrals, builds the pack, minutes each case.
administrator:
  name: Administrator Name
  role: Panel administrator
  agency: Children's social care
  email: panel.admin@example.org

# Senior members from each agency (ToR 7): name, role, agency, email.
members:
  - name: Member Name
    role: Detective Inspector
    agency: Police
    email: member@example.org

# Meeting dates, ISO (every two months). A meeting may also be written as
#   - {{date: 2027-01-14, time: "10:00-13:00", venue: County Hall}}
meetings:
{dates}

# Printed in the header of every document.
protective_marking: OFFICIAL-SENSITIVE
# Referrals must be authorised at least this many days before the meeting (ToR 13.i).
referral_deadline_days: 14
# How many earlier copies of register.xlsx to keep in backups/.
backups_kept: 20
"""


def init_workspace(root: Path, *, panel_yaml: str | None = None) -> list[Path]:
    """Create a workspace in root (which may exist, but must not be a workspace yet).

    All or nothing: the workspace is built in a staging folder and put in place at the end,
    panel.yaml last, so a failed init leaves nothing that stops it being run again.
    """
    root = Path(root)
    workspace = Workspace(root)
    if workspace.panel_file.exists():
        raise WorkspaceError(
            f"{workspace.panel_file}: already exists; {root} is already a panel workspace"
        )
    if workspace.register_file.exists():
        raise WorkspaceError(
            f"{workspace.register_file}: already exists without a panel.yaml beside it; "
            "restore that workspace's panel.yaml, or move register.xlsx away and run init again"
        )
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root}: is a file, not a folder")
    text = panel_yaml or starter_panel_yaml(panel_meeting_dates(today() + timedelta(days=1)))
    panel = validate(PanelConfig, parse_yaml(text, "panel.yaml"), workspace.panel_file)
    file_mode = files.file_mode(panel.shared_group)
    dir_mode = files.dir_mode(panel.shared_group)
    empty = not root.exists() or not any(root.iterdir())
    try:
        files.make_dirs(root.parent, mode=dir_mode)
        # An empty or new folder is replaced in one rename; otherwise stage inside it.
        beside = root if empty else root / "workspace"
        with files.staging_dir(beside, mode=dir_mode) as staging:
            _build(Workspace(staging), root.name, text, panel, Register, (file_mode, dir_mode))
            if empty:
                files.publish_dir(staging, root)
            else:
                _publish_into(staging, root)
    except OSError as err:
        raise WorkspaceError(f"{root}: cannot create the workspace there ({err.strerror})") from err
    return [
        workspace.panel_file,
        workspace.register_file,
        *[root / folder for folder in FOLDERS],
    ]


def _build(
    staged: Workspace,
    name: str,
    text: str,
    panel: PanelConfig,
    register_class: Any,
    modes: tuple[int, int],
) -> None:
    file_mode, dir_mode = modes
    for folder in FOLDERS:
        files.make_dirs(staged.root / folder, mode=dir_mode)
    files.write_text(staged.templates_dir / "README.txt", TEMPLATES_README, mode=file_mode)
    register = register_class.create()
    register.audit(command="init", action="created workspace", target=name)
    register.save(
        staged.register_file,
        backups_dir=staged.backups_dir,
        keep_backups=panel.backups_kept,
        mode=file_mode,
    )
    files.write_text(staged.panel_file, text, mode=file_mode)


def _publish_into(staging: Path, root: Path) -> None:
    """Move the staged workspace into an existing folder: folders first, panel.yaml last."""
    for entry in sorted(staging.iterdir(), key=lambda path: path.name == "panel.yaml"):
        target = root / entry.name
        if target.exists():
            continue  # a folder of that name is already there: keep it as it is
        files.replace(entry, target)
    files.fsync_dir(root)
