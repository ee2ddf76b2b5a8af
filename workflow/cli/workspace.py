"""The commands about the workspace and the machine: init, demo, doctor, check, serve,
schemas, templates."""

from __future__ import annotations

from pathlib import Path

import click

from workflow.cli.base import CcpFailure, cli, open_workspace, say_written


@cli.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check this computer and the workspace: one line each, OK or what to do.

    \b
    Example:  ccp -w "S:\\Panel\\northshire-panel" doctor
    Exit status 3 when anything is in the way.
    """
    from workflow.workspace.doctor import diagnose

    checks = diagnose(ctx.obj["workspace"])
    for check in checks:
        click.echo(check.line())
    if not all(check.ok for check in checks):
        ctx.exit(3)


@cli.command("check")
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check that the register agrees with the recorded minutes, signatures and files.

    \b
    Example:  ccp check
    One line per disagreement (after a hand edit in Excel, say); exit status 1 if any.
    """
    from workflow.reports.consistency import check_workspace

    result = check_workspace(open_workspace(ctx))
    for problem in result.problems:
        click.echo(problem)
    counted = ", ".join(f"{count} {what}" for what, count in result.checked.items())
    if result.clean:
        click.echo(f"OK: the register agrees with the minutes and the signed files ({counted})")
    else:
        click.echo(f"{len(result.problems)} disagreement(s) ({counted})", err=True)
        ctx.exit(1)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(directory: Path) -> None:
    """Create a panel workspace: panel.yaml, register.xlsx and folders.

    \b
    Example:  ccp init northshire-panel
    Then edit panel.yaml: the panel's name, chair, members and meeting dates.
    """
    from workflow.workspace.initialise import init_workspace

    written = init_workspace(directory)
    say_written(written)
    click.echo(f"Next: edit {directory / 'panel.yaml'} (members and meeting dates).")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="ccp-demo")
def demo(directory: Path) -> None:
    """Build a complete worked example on fictional data.

    \b
    Example:  ccp demo ccp-demo
    """
    from workflow.demo.build import build_demo

    result = build_demo(directory)
    for heading, paths in result.sections:
        click.echo(f"{heading}:")
        for path in paths:
            click.echo(f"  {path}")
    click.echo(f"The demo workspace is {directory}; try: ccp -w {directory} --help")


@cli.group()
def schemas() -> None:
    """JSON Schemas of the forms, for editors and other systems."""


@schemas.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="schemas")
def schemas_export(directory: Path) -> None:
    """Write the JSON Schemas (2020-12) of panel.yaml and the referral.

    \b
    Example:  ccp schemas export schemas
    """
    from workflow.contract.schemas import export_schemas

    say_written(export_schemas(directory))


@cli.command()
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port (default: a free one)."
)
@click.option("--no-browser", is_flag=True, help="Print the link; do not open a browser.")
@click.pass_context
def serve(ctx: click.Context, port: int, no_browser: bool) -> None:
    """Open the panel's work in your browser: a private web app on this computer only.

    It listens on 127.0.0.1 alone and is reached through a one-time link; stop it with
    Ctrl+C.

    \b
    Example:  ccp serve -w ccp-demo
    """
    from workflow.web.serve import serve as run

    workspace = open_workspace(ctx).require()
    run(workspace.root, port=port, open_browser=not no_browser, say=click.echo)


@cli.group()
def templates() -> None:
    """Word templates: start an edited copy, check edited ones."""


@templates.command("copy")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Replace the workspace's copy if it exists.")
@click.pass_context
def templates_copy(ctx: click.Context, name: str | None, force: bool) -> None:
    """Copy a shipped template into the workspace's templates/ to edit (without NAME: list).

    Every command then uses your copy and says so.

    \b
    Example:  ccp templates copy minutes.docx
    """
    from workflow.templates.copy import copy_template, shipped_templates

    if name is None:
        for shipped in shipped_templates():
            click.echo(f"{shipped.name}\t{shipped.description}")
        return
    workspace = open_workspace(ctx)
    say_written([copy_template(workspace, name, force=force)], workspace.root)


@templates.command("check")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
@click.pass_context
def templates_check(ctx: click.Context, directory: Path | None) -> None:
    """Check edited templates against the data they will receive; list every error.

    DIRECTORY (or one .docx) defaults to the workspace's templates/ folder.

    \b
    Example:  ccp templates check
    """
    from workflow.templates.check import check_templates

    workspace = open_workspace(ctx)
    result = check_templates(directory or workspace.require().templates_dir)
    for line in result.lines():
        click.echo(line)
    if result.errors:
        raise CcpFailure(
            [f"{len(result.errors)} error(s) in {result.failed} template(s) (see above)"], 1
        )
