"""The commands about data subjects' rights and records: `case export`, `retention`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from workflow.cli.base import ISO_DATE, cli, open_workspace, say_written
from workflow.cli.cases import case


@case.command("export")
@click.argument("case_id", metavar="ID")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--received",
    type=ISO_DATE,
    default=None,
    help="The date the subject access request was received (default today).",
)
@click.pass_context
def case_export(ctx: click.Context, case_id: str, out: Path, received: date | None) -> None:
    """Write a subject access bundle: everything held about one child.

    OUT is a new folder: bundle/ (a PDF/A and the source files, with no hidden text or
    metadata) and redaction-log.csv beside it, listing third parties' data to review
    before anything is released. Nothing of any other child is in it.

    \b
    Example:  ccp case export CCP-2027-004 sar-CCP-2027-004 --received 2027-11-15
    """
    from workflow.core.dates import uk_date
    from workflow.rights.export import NO_DISCLOSURES, export_case

    bundle = export_case(open_workspace(ctx), case_id, out, received=received)
    say_written(bundle.written)
    click.echo(
        f"Request received {uk_date(bundle.received)}: reply (or send an extension notice) "
        f"by {uk_date(bundle.due)}"
    )
    click.echo(f"{bundle.flagged} item(s) to review in {bundle.log.name} before release")
    if bundle.disclosures is None:
        click.echo(NO_DISCLOSURES)


@cli.group()
def retention() -> None:
    """Retention: what is due for review or disposal, legal holds, disposal."""


@retention.command("report")
@click.option("--as-of", type=ISO_DATE, default=None, help="The day to report on (default today).")
@click.pass_context
def retention_report_command(ctx: click.Context, as_of: date | None) -> None:
    """List what is due for review or disposal, why, and what is on legal hold.

    \b
    Example:  ccp retention report --as-of 2030-01-01
    """
    from workflow.rights.retention import report_text, retention_report

    click.echo(report_text(retention_report(open_workspace(ctx), as_of)), nl=False)


@retention.command("hold")
@click.argument("case_id", metavar="ID")
@click.option("--reason", default=None, help="Why the case must be kept (litigation, inquiry).")
@click.option("--lift", is_flag=True, help="Lift the case's legal hold.")
@click.pass_context
def retention_hold(ctx: click.Context, case_id: str, reason: str | None, lift: bool) -> None:
    """Put a case on legal hold (never disposed of), or lift the hold.

    \b
    Example:  ccp retention hold CCP-2027-004 --reason "Litigation: claim 2031/77"
    """
    from workflow.core.errors import OptionsConflict
    from workflow.rights.retention import lift_hold, place_hold

    workspace = open_workspace(ctx)
    if lift:
        if reason:
            raise OptionsConflict("--lift and --reason: give one of them")
        lift_hold(workspace, case_id)
        click.echo(f"{case_id}: legal hold lifted")
        return
    place_hold(workspace, case_id, reason or "")
    click.echo(f"{case_id}: on legal hold ({' '.join((reason or '').split())})")


@retention.command("dispose")
@click.argument("case_id", metavar="ID")
@click.option("--authorised-by", metavar="NAME", required=True, help="Who authorised it.")
@click.option(
    "--before-due",
    is_flag=True,
    help="Dispose of a case not yet due under the retention schedule (a hold still stops it).",
)
@click.pass_context
def retention_dispose(
    ctx: click.Context, case_id: str, authorised_by: str, before_due: bool
) -> None:
    """Destroy a case's files everywhere and the child's personal data in the register.

    A tombstone row for each destroyed file (with its SHA-256) stays in the Tombstones
    sheet for good. Refused while the case is on legal hold, and before it is due unless
    --before-due.

    \b
    Example:  ccp retention dispose CCP-2027-004 --authorised-by "Alex Sample"
    """
    from workflow.rights.disposal import dispose_case

    done = dispose_case(
        open_workspace(ctx), case_id, authorised_by=authorised_by, before_due=before_due
    )
    click.echo(
        f"{case_id}: disposed of: {len(done.destroyed)} file(s) destroyed, "
        f"{done.cells} register cell(s) cleared; tombstones in the Tombstones sheet"
    )
    for what in done.destroyed:
        click.echo(f"  destroyed {what}")


@retention.command("dispose-copies")
@click.option("--authorised-by", metavar="NAME", required=True, help="Who authorised it.")
@click.pass_context
def retention_dispose_copies(ctx: click.Context, authorised_by: str) -> None:
    """Destroy the copies due under the retention schedule: minutes extracts and e-mail
    drafts, register backups, staging left by an interrupted command.

    Each destroyed file keeps a tombstone row (with its SHA-256) in the Tombstones sheet.
    A copy about a case on legal hold is kept. `ccp retention report` lists what is due.

    \b
    Example:  ccp retention dispose-copies --authorised-by "Alex Sample"
    """
    from workflow.rights.copies import dispose_copies

    done = dispose_copies(open_workspace(ctx), authorised_by=authorised_by)
    if not done.destroyed:
        click.echo("No copies are due for disposal.")
    else:
        click.echo(
            f"{len(done.destroyed)} {'copy' if len(done.destroyed) == 1 else 'copies'} "
            f"destroyed (disposal {done.disposal}); tombstones in the Tombstones sheet"
        )
        for what in done.destroyed:
            click.echo(f"  destroyed {what}")
    for what in done.held:
        click.echo(f"  kept (its case is on legal hold): {what}")
