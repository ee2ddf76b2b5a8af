"""A panel workspace on disk: panel.yaml, register.xlsx and the folders beside them."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path

from workflow.contract import PanelConfig
from workflow.core.errors import WorkspaceError
from workflow.core.resources import bundled_template
from workflow.forms.loading import load_form


class Workspace:
    """Every path a command reads or writes, derived from the workspace root."""

    def __init__(self, root: Path):
        self.root = Path(root)
        # Edited templates a render used, each once, for the command to tell the user.
        self.used_custom_templates: list[Path] = []

    @property
    def panel_file(self) -> Path:
        return self.root / "panel.yaml"

    @property
    def register_file(self) -> Path:
        return self.root / "register.xlsx"

    @property
    def cases_dir(self) -> Path:
        return self.root / "cases"

    @property
    def meetings_dir(self) -> Path:
        return self.root / "meetings"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    @property
    def templates_dir(self) -> Path:
        """Edited copies of the Word templates; a template not found here is the shipped one."""
        return self.root / "templates"

    def exists(self) -> bool:
        return self.panel_file.is_file()

    def require(self) -> Workspace:
        if not self.exists():
            raise WorkspaceError(
                f"{self.root}: not a panel workspace (no panel.yaml); "
                "run `ccp init` there, or pass --workspace"
            )
        if not self.register_file.is_file():
            raise WorkspaceError(
                f"{self.register_file}: the register is missing; restore it from "
                f"{self.backups_dir.name}/ or run `ccp init` in a new folder"
            )
        return self

    @cached_property
    def panel(self) -> PanelConfig:
        self.require()
        return load_form(PanelConfig, self.panel_file)

    def template(self, name: str) -> Path:
        edited = self.templates_dir / name
        if not edited.is_file():
            return bundled_template(name)
        if edited not in self.used_custom_templates:
            self.used_custom_templates.append(edited)
        return edited

    def case_dir(self, case_id: str) -> Path:
        return self.cases_dir / case_id

    def meeting_output(self, meeting: date) -> Path:
        return self.output_dir / meeting.isoformat()

    def meeting_dir(self, meeting: date) -> Path:
        """Where a meeting's records live: the draft, the recorded versions."""
        return self.meetings_dir / meeting.isoformat()

    def minutes_draft(self, meeting: date) -> Path:
        return self.meeting_dir(meeting) / "minutes.yaml"

    def recorded_minutes(self, meeting: date, version: int) -> Path:
        return self.meeting_dir(meeting) / f"minutes-v{version}.json"

    def signed_minutes(self, meeting: date, version: int, suffix: str) -> Path:
        return self.meeting_output(meeting) / f"minutes-{meeting.isoformat()}-v{version}{suffix}"

    def extract(self, meeting: date, case_id: str, version: int, suffix: str = ".docx") -> Path:
        name = f"{case_id}-minutes-extract-v{version}{suffix}"
        return self.meeting_output(meeting) / "extracts" / name

    def signing_stage(self, meeting: date, version: int) -> Path:
        """Files of a signing between the register commit and their publication."""
        return self.meeting_output(meeting) / f".signing-v{version}"

    def relative(self, path: Path) -> str:
        """A path as the register and documents store it: relative to the workspace, with
        forward slashes on every system (a register written on Windows reads the same on
        a Mac, and Excel shows one spelling)."""
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()
