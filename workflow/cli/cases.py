"""The commands about one child's case: referral, actions, progress, case."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date
from pathlib import Path

import click

from workflow.cli.base import ISO_DATE, cli, open_workspace, say_written, warn


@cli.group()
def referral() -> None:
    """Referral forms: the blank form, checking one, accepting one."""


@referral.command("template")
@click.option(
    "--format",
    "form_format",
    type=click.Choice(["yaml", "docx"]),
    default="yaml",
    show_default=True,
    help="A commented YAML file, or a fillable Word form.",
)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.pass_context
def referral_template(ctx: click.Context, form_format: str, out: Path, force: bool) -> None:
    """Write a blank referral for a practitioner to fill in.

    The Word form has a box, list or tick box per field, with help text; inside a
    workspace it carries the panel's protective marking.

    \b
    Example:  ccp referral template --format docx referral-form.docx
    """
    from workflow.cases.referrals import write_referral_template

    workspace = open_workspace(ctx)
    written = write_referral_template(
        out, form_format, workspace=workspace if workspace.exists() else None, force=force
    )
    say_written([written])


@referral.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--meeting", type=ISO_DATE, help="Check it for this meeting instead.")
@click.option(
    "--late-accepted-by",
    metavar="NAME",
    help="The chair (or deputy) who accepted a referral sent after the deadline.",
)
@click.pass_context
def referral_check(
    ctx: click.Context, file: Path, meeting: date | None, late_accepted_by: str | None
) -> None:
    """Check a referral (.yaml, .json or a filled Word form) and list every problem.

    Nothing is written.

    Inside a workspace it is also checked against panel.yaml: meeting dates, the
    referral deadline, the chair who may accept a late referral.

    \b
    Example:  ccp referral check referral.yaml
    """
    from workflow.cases.referrals import check_referral

    workspace = open_workspace(ctx)
    checked = check_referral(
        file,
        workspace=workspace if workspace.exists() else None,
        meeting=meeting,
        late_accepted_by=late_accepted_by,
    )
    warn(checked.warnings)
    click.echo(f"{file.name}: ready to accept for the {checked.referral.meeting} meeting")


@referral.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--meeting",
    type=ISO_DATE,
    help="The meeting to accept it for (default: the referral's); one not yet held.",
)
@click.option(
    "--late-accepted-by",
    metavar="NAME",
    help="The chair (or deputy) who accepted a referral sent after the deadline.",
)
@click.pass_context
def referral_add(
    ctx: click.Context, file: Path, meeting: date | None, late_accepted_by: str | None
) -> None:
    """Accept a referral: case ID, register rows, the formal Word referral.

    \b
    Example:  ccp referral add referral.yaml --meeting 2027-03-11
    """
    from workflow.cases.referrals import add_referral

    workspace = open_workspace(ctx)
    accepted = add_referral(workspace, file, meeting=meeting, late_accepted_by=late_accepted_by)
    warn(accepted.warnings)
    for note in accepted.notes:
        click.echo(f"Note: {note}")
    click.echo(f"Accepted as {accepted.case_id} for the {accepted.meeting} meeting")
    say_written(accepted.written, workspace.root)


@cli.group()
def actions() -> None:
    """Actions between meetings: list, update, remind their owners."""


@actions.command("list")
@click.option("--overdue", "overdue_only", is_flag=True, help="Only actions overdue.")
@click.option("--case", "case_id", metavar="ID", help="Only this case's actions.")
@click.option("--agency", help="Only this agency's actions (any case).")
@click.option("--owner", metavar="NAME", help="Only this owner's actions (any case).")
@click.option("--as-of", type=ISO_DATE, help="Overdue as of this date (default: today).")
@click.option("--include-closed", is_flag=True, help="Also list closed cases' actions.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A table for people; CSV or JSON (ISO dates, stable keys) for scripts.",
)
@click.pass_context
def actions_list(
    ctx: click.Context,
    overdue_only: bool,
    case_id: str | None,
    agency: str | None,
    owner: str | None,
    as_of: date | None,
    include_closed: bool,
    output_format: str,
) -> None:
    """List the register's actions; overdue means open and due before today.

    Filters match whole names, ignoring case. Problems in cells edited by hand are
    warnings naming the cell.

    \b
    Example:  ccp actions list --overdue --agency police
    """
    from workflow.cases.actions import FORMATS, read_actions

    listing = read_actions(
        open_workspace(ctx),
        as_of=as_of,
        overdue_only=overdue_only,
        case=case_id,
        agency=agency,
        owner=owner,
        include_closed=include_closed,
    )
    warn(listing.warnings)
    click.echo(FORMATS[output_format](listing), nl=False)


@actions.command("update")
@click.argument("action_id", metavar="ID")
@click.option(
    "--status",
    required=True,
    help="Open, In progress, Completed or Cancelled.",
)
@click.option("--note", help="Appended to the action's notes with today's date.")
@click.option("--completed-on", type=ISO_DATE, help="With --status Completed (default: today).")
@click.option(
    "--reason",
    help='Why it was not done: "circumstances changed" or "not undertaken" (needed to cancel).',
)
@click.pass_context
def actions_update(
    ctx: click.Context,
    action_id: str,
    status: str,
    note: str | None,
    completed_on: date | None,
    reason: str | None,
) -> None:
    """Change an action's status, keeping its earlier notes; recorded in Audit.

    \b
    Example:  ccp actions update CCP-2027-004-A2 --status Completed --note "Plan shared"
    """
    from workflow.cases.actions import update_action

    workspace = open_workspace(ctx)
    updated = update_action(
        workspace,
        action_id,
        status=status,
        note=note,
        completed_on=completed_on,
        reason=reason,
    )
    click.echo(updated.summary())
    say_written(updated.written, workspace.root)


@actions.command("remind")
@click.option("--as-of", type=ISO_DATE, help="Remind as of this date (default: today).")
@click.option(
    "--days", type=int, default=14, show_default=True, help="Include actions due within N days."
)
@click.pass_context
def actions_remind(ctx: click.Context, as_of: date | None, days: int) -> None:
    """Draft an e-mail (.eml) per owner of open actions due soon or overdue.

    One draft per owner, grouped by case ID, and a summary for the administrator that
    lists owners with no e-mail address and whom to ask.

    \b
    Example:  ccp actions remind --days 7
    """
    from workflow.cases.reminders import draft_reminders

    workspace = open_workspace(ctx)
    reminders = draft_reminders(workspace, as_of=as_of, days=days)
    warn(reminders.warnings)
    for owner in reminders.without_email:
        ask = owner.ask.describe() if owner.ask else "the chair"
        warn([f"{owner.owner}: no e-mail address, so no reminder drafted; ask {ask}"])
    click.echo(f"{len(reminders.owners)} owner(s) with actions due by {reminders.until} or overdue")
    say_written(reminders.written, workspace.root)


@cli.group()
def progress() -> None:
    """Progress reports back to the panel: the pre-filled form, checking, accepting."""


@progress.command("template")
@click.argument("case_id", metavar="CASE_ID")
@click.option(
    "--format",
    "form_format",
    type=click.Choice(["yaml", "docx"]),
    default="yaml",
    show_default=True,
    help="Commented YAML, or a fillable Word form.",
)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.pass_context
def progress_template(
    ctx: click.Context, case_id: str, form_format: str, out: Path, force: bool
) -> None:
    """Write the case's progress report for its next due meeting, pre-filled.

    The case ID, the meeting and every action agreed for the case with its status
    now are filled in; the reporter adds progress, risk, views and a recommendation.

    \b
    Example:  ccp progress template CCP-2027-004 --format docx progress-form.docx
    """
    from workflow.cases.progress_form import write_progress_template

    workspace = open_workspace(ctx)
    say_written([write_progress_template(workspace, case_id, form_format, out, force=force)])


@progress.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def progress_check(ctx: click.Context, file: Path) -> None:
    """Check a progress report (.yaml, .json or a filled Word form); list every problem.

    Nothing is written.

    \b
    Example:  ccp progress check progress.yaml
    """
    from workflow.cases.progress import check_progress

    checked = check_progress(open_workspace(ctx), file)
    warn(checked.warnings)
    click.echo(
        f"{file.name}: ready to add: {checked.report.case_id}, for the "
        f"{checked.report.meeting} meeting"
    )


@progress.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def progress_add(ctx: click.Context, file: Path) -> None:
    """Accept a progress report: the Word report, action statuses, latest risk.

    The report is stored under the case and reaches that meeting's pack. A close
    recommendation does not close the case: the panel does, in its minutes.

    \b
    Example:  ccp progress add progress.yaml
    """
    from workflow.cases.progress import add_progress

    workspace = open_workspace(ctx)
    added = add_progress(workspace, file)
    warn(added.warnings)
    click.echo(f"Added the {added.case_id} progress report for the {added.meeting} meeting")
    for change in added.changes:
        click.echo(f"  {change}")
    say_written(added.written, workspace.root)


@cli.group()
def case() -> None:
    """One case: its whole history, or a subject access bundle of it."""


@case.command("show")
@click.argument("case_id", metavar="ID")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for scripts.",
)
@click.pass_context
def case_show(ctx: click.Context, case_id: str, output_format: str) -> None:
    """Show one case's history in date order: referral to closure.

    Only that child's own case: other cases discussed at the same meetings are left out.

    \b
    Example:  ccp case show CCP-2027-004
    """
    from workflow.reports.case_history import case_history, history_json, history_text

    history = case_history(open_workspace(ctx), case_id)
    warn(history.warnings)
    width = _terminal_width()
    shown = history_json(history) if output_format == "json" else history_text(history, width)
    click.echo(shown, nl=False)


def _terminal_width() -> int | None:
    """Wrap to the terminal a person reads; output piped to a file or a script is not
    wrapped unless COLUMNS asks for a width."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit():
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


@case.command("restrict")
@click.argument("case_id", metavar="ID")
@click.option(
    "--agency",
    "agencies",
    multiple=True,
    metavar="A",
    help="An agency in panel.yaml that may see the case (repeat for more).",
)
@click.option("--reason", metavar="TEXT", help="Why the case is restricted (kept in the register).")
@click.option("--lift", is_flag=True, help="Lift the restriction: every member sees the case.")
@click.pass_context
def case_restrict(
    ctx: click.Context, case_id: str, agencies: tuple[str, ...], reason: str | None, lift: bool
) -> None:
    """Restrict a case to named agencies: other members' papers leave it out.

    The chair, deputy and administrator always see every case. Packs, minutes, extracts
    and reminders sent to a member outside the agencies hold nothing of the case.

    \b
    Example:  ccp case restrict CCP-2027-004 --agency Police --reason "Live inquiry"
    """
    from workflow.cases.restriction import restrict_case

    workspace = open_workspace(ctx)
    done = restrict_case(workspace, case_id, list(agencies), reason=reason, lift=lift)
    click.echo(done.summary())
    say_written(done.written, workspace.root)
    warn(done.already_sent)


@cli.command("disclosures")
@click.option("--case", "case_id", metavar="ID", help="Only documents holding this case.")
@click.option("--recipient", metavar="NAME", help="Only documents sent to this person.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A listing for people, or CSV/JSON for scripts.",
)
@click.pass_context
def disclosures(
    ctx: click.Context, case_id: str | None, recipient: str | None, output_format: str
) -> None:
    """List every document released: to whom, when, which cases, why.

    Read from the register's Disclosures sheet, one row per document sent.

    \b
    Example:  ccp disclosures --case CCP-2027-004
    """
    from workflow.cases.disclosures import (
        disclosures_csv,
        disclosures_json,
        disclosures_table,
        list_disclosures,
    )

    rows = list_disclosures(open_workspace(ctx), case_id=case_id, recipient=recipient)
    if output_format == "json":
        click.echo(disclosures_json(rows), nl=False)
    elif output_format == "csv":
        click.echo(disclosures_csv(rows), nl=False)
    else:
        about = " about " + case_id if case_id else ""
        to = " to " + recipient if recipient else ""
        click.echo(disclosures_table(rows, heading=f"Documents released{about}{to}"), nl=False)
