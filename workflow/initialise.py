"""`ccp init`: a new panel workspace with a starter panel.yaml and an empty register."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from .errors import WorkspaceError
from .forms import parse_yaml, validate
from .models import PanelConfig
from .rules import today
from .workspace import Workspace

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
    """Create a workspace in root (which may exist, but must not be a workspace yet)."""
    from .register import Register

    workspace = Workspace(root)
    for existing in (workspace.panel_file, workspace.register_file):
        if existing.exists():
            raise WorkspaceError(f"{existing}: already exists; {root} is already a panel workspace")
    text = panel_yaml or starter_panel_yaml(panel_meeting_dates(today() + timedelta(days=1)))
    panel = validate(PanelConfig, parse_yaml(text, "panel.yaml"), workspace.panel_file)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for folder in FOLDERS:
        (root / folder).mkdir(exist_ok=True)
    readme = workspace.templates_dir / "README.txt"
    readme.write_text(TEMPLATES_README, encoding="utf-8")
    workspace.panel_file.write_text(text, encoding="utf-8")
    written.append(workspace.panel_file)
    register = Register.create()
    register.audit(command="init", action="created workspace", target=str(root.name))
    register.save(
        workspace.register_file,
        backups_dir=workspace.backups_dir,
        keep_backups=panel.backups_kept,
    )
    written.append(workspace.register_file)
    written += [root / folder for folder in FOLDERS]
    return written
