"""The commands about a panel meeting: pack, minutes, verify, and the annual report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from workflow.cli.base import ISO_DATE, CcpFailure, cli, open_workspace, say_written, warn
from workflow.core.dates import uk_date


@cli.command()
@click.argument("meeting", type=ISO_DATE)
@click.option("--strict", is_flag=True, help="Exit 1 while anything blocks circulation.")
@click.option("--attach", is_flag=True, help="Attach the pack to each email draft.")
@click.option(
    "--per-recipient",
    is_flag=True,
    help='Give each member a PDF marked "Copy for NAME" on every page.',
)
@click.option("--no-pdf", is_flag=True, help="Make the Word pack only (without LibreOffice, say).")
@click.pass_context
def pack(
    ctx: click.Context,
    meeting: date,
    strict: bool,
    attach: bool,
    per_recipient: bool,
    no_pdf: bool,
) -> None:
    """Build the circulation pack for a meeting: agenda, Word and PDF pack, emails.

    Also prints and saves a readiness report: missing papers, late referrals,
    progress reports not yet received.

    \b
    Example:  ccp pack 2027-03-11 --strict
    """
    from workflow.meetings.pack import build_pack

    workspace = open_workspace(ctx)
    result = build_pack(
        workspace, meeting, attach=attach, per_recipient=per_recipient, pdf=not no_pdf
    )
    say_written(result.written, workspace.root)
    if result.pdf_skipped:
        click.echo(result.pdf_skipped, err=True)
    warn(result.warnings)
    for line in result.readiness.lines():
        click.echo(line)
    if not result.readiness.blocking:
        click.echo("Ready: nothing blocks circulation.")
    elif strict:
        raise CcpFailure(
            [f"{len(result.readiness.blocking)} thing(s) block circulation (see above)"], 1
        )


@cli.group(invoke_without_command=True)
@click.pass_context
def minutes(ctx: click.Context) -> None:
    """Minutes: the pre-filled draft, recording, signing, amending.

    Without a command: is each meeting's paperwork on time (panel.yaml timeliness),
    and which Red actions have no note saying why.

    \b
    Example:  ccp minutes
    """
    if ctx.invoked_subcommand is not None:
        return
    from workflow.core.dates import today
    from workflow.meetings.timeliness import RED, lateness
    from workflow.register import Register

    workspace = open_workspace(ctx)
    workspace.require()
    panel = workspace.panel
    rules = panel.timeliness
    now = today()
    found = lateness(Register.load(workspace.register_file), panel, now)
    click.echo(
        f"Minutes on time (targets in working days: decisions summary "
        f"{rules.decisions_summary_days}, draft {rules.draft_minutes_days}, signed "
        f"{rules.signed_minutes_days}); as of {uk_date(now)}:"
    )
    for paperwork in found.meetings:
        click.echo(f"  {uk_date(paperwork.meeting)}")
        for step in paperwork.steps:
            click.echo(f"    {step.describe(now)}")
    if not found.meetings:
        click.echo("  No meeting held yet.")
    counts = found.actions.counts
    click.echo(f"Open actions: {counts[RED]} Red, {counts['Amber']} Amber, {counts['Green']} Green")
    late = found.late_lines()
    if late:
        click.echo(f"Late ({len(late)}):")
        for line in late:
            click.echo(f"  {line}")
    else:
        click.echo("Nothing is late.")


@minutes.command("draft")
@click.argument("meeting", type=ISO_DATE)
@click.option("--force", is_flag=True, help="Replace an existing draft minutes.yaml.")
@click.pass_context
def minutes_draft(ctx: click.Context, meeting: date, force: bool) -> None:
    """Write a minutes record to complete (YAML) and a Word draft for the note-taker.

    \b
    Example:  ccp minutes draft 2027-03-11
    """
    from workflow.meetings.minutes import draft_minutes

    workspace = open_workspace(ctx)
    say_written(draft_minutes(workspace, meeting, force=force).written, workspace.root)


@minutes.command("record")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def minutes_record(ctx: click.Context, file: Path) -> None:
    """Check completed minutes and put actions and decisions into the register.

    Recording again before signing replaces that meeting's rows.

    \b
    Example:  ccp minutes record meetings/2027-03-11/minutes.yaml
    """
    from workflow.meetings.recording import record_minutes

    workspace = open_workspace(ctx)
    recorded = record_minutes(workspace, file)
    click.echo(
        f"Recorded the {recorded.meeting} minutes (version {recorded.version}): "
        f"{len(recorded.action_ids)} action(s)"
    )
    say_written(recorded.written, workspace.root)


@minutes.command("sign")
@click.argument("meeting", type=ISO_DATE)
@click.option("--chair", "signer", required=True, help="The chair or deputy signing.")
@click.pass_context
def minutes_sign(ctx: click.Context, meeting: date, signer: str) -> None:
    """Sign the recorded minutes as a true record; the record is then locked.

    Writes the final minutes (Word, and PDF/A: LibreOffice is required) and an extract
    per child for their key worker, with an e-mail draft each.

    \b
    Example:  ccp minutes sign 2027-03-11 --chair "Alex Sample"
    """
    from workflow.meetings.signing import sign_minutes

    workspace = open_workspace(ctx)
    signed = sign_minutes(workspace, meeting, signer)
    click.echo(f"Signed version {signed.version} of the {meeting} minutes as {signed.signed_by}")
    say_written(signed.written, workspace.root)
    warn(signed.warnings)


@minutes.command("amend")
@click.argument("meeting", type=ISO_DATE)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def minutes_amend(ctx: click.Context, meeting: date, file: Path) -> None:
    """Correct signed minutes: a new version with its change log, to be signed again.

    \b
    Example:  ccp minutes amend 2027-03-11 corrected-minutes.yaml
    """
    from workflow.meetings.recording import amend_minutes

    workspace = open_workspace(ctx)
    recorded = amend_minutes(workspace, meeting, file)
    click.echo(
        f"Recorded version {recorded.version} of the {meeting} minutes; "
        f"sign it with: ccp minutes sign {meeting} --chair NAME"
    )
    say_written(recorded.written, workspace.root)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def verify(ctx: click.Context, file: Path) -> None:
    """Say whether FILE is exactly a signed document the register records.

    Exit status 0 when it is, 1 when it is not.

    \b
    Example:  ccp verify output/2027-03-11/minutes-2027-03-11-v1.pdf
    """
    from workflow.meetings.signing import verify_document

    result = verify_document(open_workspace(ctx), file)
    if not result.matches:
        raise CcpFailure([result.message], 1)
    click.echo(result.message)


@cli.group()
def report() -> None:
    """Reports: the annual report to the Safeguarding Children Board."""


@report.command("annual")
@click.option(
    "--year",
    type=click.IntRange(1901, 9999),
    required=True,
    help="The year the report's year starts in (panel.yaml report_year_starts, default 01-01).",
)
@click.option("--from", "start", type=ISO_DATE, help="First day (default: the year's start).")
@click.option("--to", "end", type=ISO_DATE, help="Last day (default: a year after the start).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (no LibreOffice needed).")
@click.option(
    "--template",
    "template_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the chair's commentary file (YAML) to fill in, and stop.",
)
@click.option(
    "--commentary",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The chair's filled commentary file: commentary, impact, themes, recommendations.",
)
@click.pass_context
def report_annual(
    ctx: click.Context,
    year: int,
    start: date | None,
    end: date | None,
    no_pdf: bool,
    template_out: Path | None,
    commentary: Path | None,
) -> None:
    """Write the chair's annual report: Word, PDF/A and the figures workbook.

    Counts of children from 1 to 4 show as "fewer than 5" (panel.yaml
    small_number_threshold), and any figure that would give one away is not shown.
    The chair's commentary, impact, themes and recommendations come from a YAML file:
    --template writes it ready to fill, --commentary uses it.

    \b
    Example:  ccp report annual --year 2027 --template chair-2027.yaml
    Example:  ccp report annual --year 2027 --commentary chair-2027.yaml
    Example:  ccp report annual --year 2027 --from 2027-04-01 --to 2028-03-31
    """
    from workflow.reports.commentary import load_commentary, write_commentary_template
    from workflow.reports.counting import panel_period
    from workflow.reports.files import write_annual_report

    workspace = open_workspace(ctx)
    period = panel_period(workspace.panel, year, start, end)
    if template_out is not None:
        if commentary is not None:
            raise click.UsageError("--template and --commentary: give one or the other")
        written = write_commentary_template(workspace, period, template_out)
        click.echo(f"The chair fills this in, then: --commentary {template_out}")
        say_written([written], workspace.root)
        return
    chair = load_commentary(commentary) if commentary is not None else None
    result = write_annual_report(workspace, period, pdf=not no_pdf, commentary=chair)
    small, hidden = result.hidden_counts
    click.echo(
        f"Annual report {period.label} ({result.figures.period.words}): {small} figure(s) "
        f'shown as "fewer than {result.figures.threshold}", {hidden} not shown to protect them'
    )
    say_written(result.written, workspace.root)
    if chair is None:
        warn(
            [
                "The report is marked as a draft: it has no chair's commentary "
                "(--template FILE writes one to fill in; --commentary FILE uses it)"
            ]
        )
