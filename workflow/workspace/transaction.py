"""One command's change to the register: lock, read, change, tighten, save with a backup.

Every command that writes the register goes through ``transaction``; nothing is saved
unless the command calls ``commit()``, so a failure part-way leaves the register as it was.
Files a command publishes are staged first and moved into place after ``commit()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from workflow.core import dates, files
from workflow.register import Register, register_lock
from workflow.register.audit_years import start_audit_year
from workflow.register.migrations import migrate_signatures
from workflow.workspace import disposal_stage
from workflow.workspace.paths import Workspace
from workflow.workspace.privacy import Tightened, loose_paths, register_mode, tighten_workspace


@dataclass
class Transaction:
    """The register as one command reads and changes it, under the register lock."""

    workspace: Workspace
    command: str
    register: Register
    committed: bool = field(default=False, init=False)

    def commit(self, *, backups_dir: Path | None = None) -> Tightened:
        """Record any loosened permissions in Audit, then save (the old file to backups/,
        or to ``backups_dir``: a disposal keeps it in its stage, to go with the stage)."""
        tightened = tighten_workspace(self.workspace, self.register, command=self.command)
        self.register.save(
            self.workspace.register_file,
            backups_dir=backups_dir or self.workspace.backups_dir,
            keep_backups=self.workspace.panel.backups_kept,
            mode=register_mode(self.workspace),
        )
        self.committed = True
        return tightened


@contextmanager
def transaction(
    workspace: Workspace, command: str, *, sheets: Sequence[str] | None = None
) -> Iterator[Transaction]:
    """Hold the register lock while ``command`` reads and changes the register.

    ``sheets`` are read at once (the rest when first used). Registers of an older layout
    are brought up to date in the same change.
    """
    workspace.require()
    with register_lock(workspace.register_file):
        # Read under the lock: a command that finished a moment ago is seen.
        register = Register.load(workspace.register_file, list(sheets) if sheets else None)
        start_audit_year(register, dates.today())
        migrate_signatures(register)
        if disposal_stage.pending(workspace):
            # A disposal killed part-way: finished or undone before anything else is read.
            disposal_stage.recover(workspace, register)
        yield Transaction(workspace, command, register)


def tighten_and_record(workspace: Workspace, *, command: str) -> Tightened:
    """For a command that does not otherwise save the register: tighten, and if anything was
    loose, record it (taking the register lock only then)."""
    entries = files.tree(workspace.root) if workspace.root.is_dir() else []
    if not loose_paths(workspace, entries):
        files.sweep_temporaries(workspace.root, entries=entries)
        return Tightened()
    with transaction(workspace, command) as change:
        return change.commit()
