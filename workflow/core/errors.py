"""The CcpError hierarchy: every failure the library reports to a user."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class CcpError(Exception):
    """Base of every error the library raises on purpose.

    The CLI prints ``str(error)`` (one line per entry of ``lines()``) to stderr and exits
    with ``exit_code``: 1 for bad input, 3 for a problem with the environment.
    """

    exit_code = 1

    def lines(self) -> list[str]:
        return [str(self)]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form: the field path (``child.date_of_birth``) and the rule."""

    field: str
    message: str
    label: str | None = None  # the label a person saw in a Word form, where there is one

    def __str__(self) -> str:
        where = f"{self.label} ({self.field})" if self.label else self.field
        return f"{where}: {self.message}" if where else self.message


class FormInvalid(CcpError):
    """Raised when a referral, panel.yaml or minutes file breaks one or more rules."""

    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path = Path(path)
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.path.name}: {problem}" for problem in self.problems]


class FileUnreadable(CcpError):
    """Raised when an input file is missing, too large, or not the format it claims."""


class WorkspaceError(CcpError):
    """Raised when a directory is not a panel workspace, or already is one."""


class ReferralRejected(CcpError):
    """Raised when a valid referral cannot be accepted (duplicate, unknown meeting, late)."""


class CaseNotFound(CcpError):
    """Raised when a case ID has no folder in the workspace."""


class MinutesLocked(CcpError):
    """Raised when a signed meeting's record would change other than by amendment."""


class NotAuthorisedToSign(CcpError):
    """Raised when someone other than the chair or deputy named in panel.yaml signs."""


class RegisterError(CcpError):
    """Raised when register.xlsx is damaged: a sheet or header column is missing."""


class FileInUse(CcpError):
    """Raised when another program (Excel, Word, a PDF reader) holds a file ccp must replace."""

    exit_code = 3


class FileUnwritable(CcpError):
    """Raised when a file cannot be written (no permission, disk full); names the file."""

    exit_code = 3


class RegisterLocked(FileInUse):
    """Raised when Excel (or another ccp) holds register.xlsx open."""


class TemplateError(CcpError):
    """Raised when a Word template is missing or cannot render the data it is given."""


class ConversionFailed(CcpError):
    """Raised when LibreOffice is missing or fails to convert a document."""

    exit_code = 3


class PaperRefused(CcpError):
    """Raised when a stored paper (chronology, risk assessment...) cannot go into a pack."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))

    def lines(self) -> list[str]:
        return list(self.problems)


class DamagedFile(CcpError):
    """Raised when a file ccp wrote itself (case.json, ...) no longer reads back."""


class SettingInvalid(CcpError):
    """Raised when an environment variable or option setting is unusable (CCP_TODAY=...)."""

    exit_code = 3


class OptionsConflict(CcpError):
    """Raised when options asked of a command cannot be honoured together (never dropped)."""


class ActionRejected(CcpError):
    """Raised when an action ID is unknown, or a status change breaks the action rules."""


class RegisterCellInvalid(CcpError):
    """Raised when a hand-edited register cell a command would write holds an unusable value.

    Each problem names the sheet, the row, the column and the value.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))

    def lines(self) -> list[str]:
        return list(self.problems)


class RestrictionRejected(CcpError):
    """Raised when a case restriction names an unknown agency, or cannot be made or lifted."""


class RecordsRefused(CcpError):
    """Raised when a subject access export or a retention step cannot go ahead: the case is
    on legal hold or not yet due, was already disposed of, or the output folder is in use."""
