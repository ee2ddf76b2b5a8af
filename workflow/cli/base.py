"""The root `ccp` group: library errors become one `Error:` line and an exit code here."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import click


class CcpFailure(click.ClickException):
    """A library CcpError as click shows it: one `Error: ...` line per problem."""

    def __init__(self, lines: list[str], exit_code: int):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        for line in self.lines:
            click.echo(f"Error: {line}", err=True)


class CcpGroup(click.Group):
    """The root group: the one place library errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from workflow.core.errors import CcpError

        # Whatever the user's umask, nothing a command writes (LibreOffice's PDFs included)
        # is readable by other users; panel.yaml's shared_group widens modes explicitly.
        previous_umask = os.umask(0o077)
        try:
            return super().invoke(ctx)
        except CcpError as err:
            raise CcpFailure(err.lines(), err.exit_code) from err
        finally:
            os.umask(previous_umask)
            say_templates_used(ctx)


class IsoDate(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO date like 2027-01-14", param, ctx)


ISO_DATE = IsoDate()


def open_workspace(ctx: click.Context) -> Any:
    from workflow.workspace.paths import Workspace

    workspace = Workspace(ctx.obj["workspace"])
    ctx.obj.setdefault("opened", []).append(workspace)
    return workspace


def say_templates_used(ctx: click.Context) -> None:
    """Name once each edited template (workspace templates/) the command rendered with."""
    for workspace in (ctx.obj or {}).get("opened", []):
        for path in workspace.used_custom_templates:
            click.echo(f"Used your edited template {workspace.relative(path)}", err=True)


def say_written(paths: Iterable[Path], root: Path | None = None) -> None:
    for path in paths:
        shown = path
        if root is not None:
            try:
                shown = path.relative_to(root)
            except ValueError:
                shown = path
        click.echo(f"Wrote {shown}{'/' if path.is_dir() else ''}")


def warn(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(f"Warning: {line}", err=True)


@click.group(cls=CcpGroup)
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The panel workspace (default: $CCP_WORKSPACE, else the current directory).",
)
@click.version_option(package_name="ccp")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """Complex Child Panel workflow: referrals, packs, minutes and the action register.

    \b
    Try it:  ccp demo ccp-demo
    Start:   ccp init my-panel && cd my-panel
    """
    root = workspace or Path(os.environ.get("CCP_WORKSPACE") or ".")
    ctx.obj = {"workspace": root}
