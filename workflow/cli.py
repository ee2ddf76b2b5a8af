"""The `ccp` command line: parse, call one library function, say what was written.

Only click is imported at start-up; each command imports the library it needs, so that
`ccp --help` stays fast (docxtpl, openpyxl and pydantic cost ~0.4 s together).
"""

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
            _say_templates_used(ctx)


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


def _workspace(ctx: click.Context) -> Any:
    from workflow.workspace.paths import Workspace

    workspace = Workspace(ctx.obj["workspace"])
    ctx.obj.setdefault("opened", []).append(workspace)
    return workspace


def _say_templates_used(ctx: click.Context) -> None:
    """Name once each edited template (workspace templates/) the command rendered with."""
    for workspace in (ctx.obj or {}).get("opened", []):
        for path in workspace.used_custom_templates:
            click.echo(f"Used your edited template {workspace.relative(path)}", err=True)


def _say_written(paths: Iterable[Path], root: Path | None = None) -> None:
    for path in paths:
        shown = path
        if root is not None:
            try:
                shown = path.relative_to(root)
            except ValueError:
                shown = path
        click.echo(f"Wrote {shown}{'/' if path.is_dir() else ''}")


def _warn(lines: Iterable[str]) -> None:
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

    result = check_workspace(_workspace(ctx))
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
    _say_written(written)
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

    workspace = _workspace(ctx)
    written = write_referral_template(
        out, form_format, workspace=workspace if workspace.exists() else None, force=force
    )
    _say_written([written])


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

    workspace = _workspace(ctx)
    checked = check_referral(
        file,
        workspace=workspace if workspace.exists() else None,
        meeting=meeting,
        late_accepted_by=late_accepted_by,
    )
    _warn(checked.warnings)
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

    workspace = _workspace(ctx)
    accepted = add_referral(workspace, file, meeting=meeting, late_accepted_by=late_accepted_by)
    _warn(accepted.warnings)
    for note in accepted.notes:
        click.echo(f"Note: {note}")
    click.echo(f"Accepted as {accepted.case_id} for the {accepted.meeting} meeting")
    _say_written(accepted.written, workspace.root)


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

    workspace = _workspace(ctx)
    result = build_pack(
        workspace, meeting, attach=attach, per_recipient=per_recipient, pdf=not no_pdf
    )
    _say_written(result.written, workspace.root)
    if result.pdf_skipped:
        click.echo(result.pdf_skipped, err=True)
    for line in result.readiness.lines():
        click.echo(line)
    if not result.readiness.blocking:
        click.echo("Ready: nothing blocks circulation.")
    elif strict:
        raise CcpFailure(
            [f"{len(result.readiness.blocking)} thing(s) block circulation (see above)"], 1
        )


@cli.group()
def minutes() -> None:
    """Minutes: the pre-filled draft, recording, signing, amending."""


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

    workspace = _workspace(ctx)
    _say_written(draft_minutes(workspace, meeting, force=force).written, workspace.root)


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

    workspace = _workspace(ctx)
    recorded = record_minutes(workspace, file)
    click.echo(
        f"Recorded the {recorded.meeting} minutes (version {recorded.version}): "
        f"{len(recorded.action_ids)} action(s)"
    )
    _say_written(recorded.written, workspace.root)


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

    workspace = _workspace(ctx)
    signed = sign_minutes(workspace, meeting, signer)
    click.echo(f"Signed version {signed.version} of the {meeting} minutes as {signed.signed_by}")
    _say_written(signed.written, workspace.root)
    _warn(signed.warnings)


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

    workspace = _workspace(ctx)
    recorded = amend_minutes(workspace, meeting, file)
    click.echo(
        f"Recorded version {recorded.version} of the {meeting} minutes; "
        f"sign it with: ccp minutes sign {meeting} --chair NAME"
    )
    _say_written(recorded.written, workspace.root)


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

    result = verify_document(_workspace(ctx), file)
    if not result.matches:
        raise CcpFailure([result.message], 1)
    click.echo(result.message)


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

    _say_written(export_schemas(directory))


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
        _workspace(ctx),
        as_of=as_of,
        overdue_only=overdue_only,
        case=case_id,
        agency=agency,
        owner=owner,
        include_closed=include_closed,
    )
    _warn(listing.warnings)
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

    workspace = _workspace(ctx)
    updated = update_action(
        workspace,
        action_id,
        status=status,
        note=note,
        completed_on=completed_on,
        reason=reason,
    )
    click.echo(updated.summary())
    _say_written(updated.written, workspace.root)


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

    workspace = _workspace(ctx)
    reminders = draft_reminders(workspace, as_of=as_of, days=days)
    _warn(reminders.warnings)
    for owner in reminders.without_email:
        ask = owner.ask.describe() if owner.ask else "the chair"
        _warn([f"{owner.owner}: no e-mail address, so no reminder drafted; ask {ask}"])
    click.echo(f"{len(reminders.owners)} owner(s) with actions due by {reminders.until} or overdue")
    _say_written(reminders.written, workspace.root)


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

    workspace = _workspace(ctx)
    _say_written([write_progress_template(workspace, case_id, form_format, out, force=force)])


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

    checked = check_progress(_workspace(ctx), file)
    _warn(checked.warnings)
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

    workspace = _workspace(ctx)
    added = add_progress(workspace, file)
    _warn(added.warnings)
    click.echo(f"Added the {added.case_id} progress report for the {added.meeting} meeting")
    for change in added.changes:
        click.echo(f"  {change}")
    _say_written(added.written, workspace.root)


@cli.group()
def case() -> None:
    """One case: its whole history."""


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

    history = case_history(_workspace(ctx), case_id)
    _warn(history.warnings)
    shown = history_json(history) if output_format == "json" else history_text(history)
    click.echo(shown, nl=False)


@cli.group()
def report() -> None:
    """Reports: the annual report to the Safeguarding Children Board."""


@report.command("annual")
@click.option("--year", type=click.IntRange(1901, 9999), required=True, help="The report's year.")
@click.option("--from", "start", type=ISO_DATE, help="First day (default: 1 January).")
@click.option("--to", "end", type=ISO_DATE, help="Last day (default: 31 December).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (no LibreOffice needed).")
@click.pass_context
def report_annual(
    ctx: click.Context, year: int, start: date | None, end: date | None, no_pdf: bool
) -> None:
    """Write the chair's annual report: Word, PDF/A and the figures workbook.

    Counts of children from 1 to 4 show as "fewer than 5" (panel.yaml
    small_number_threshold), and any figure that would give one away is not shown.

    \b
    Example:  ccp report annual --year 2027
    Example:  ccp report annual --year 2027 --from 2027-04-01 --to 2028-03-31
    """
    from workflow.reports.counting import report_period
    from workflow.reports.files import write_annual_report

    workspace = _workspace(ctx)
    result = write_annual_report(workspace, report_period(year, start, end), pdf=not no_pdf)
    small, hidden = result.hidden_counts
    click.echo(
        f"Annual report {year} ({result.figures.period.words}): {small} figure(s) shown as "
        f'"fewer than {result.figures.threshold}", {hidden} not shown to protect them'
    )
    _say_written(result.written, workspace.root)


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

    workspace = _workspace(ctx).require()
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
    workspace = _workspace(ctx)
    _say_written([copy_template(workspace, name, force=force)], workspace.root)


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

    workspace = _workspace(ctx)
    result = check_templates(directory or workspace.require().templates_dir)
    for line in result.lines():
        click.echo(line)
    if result.errors:
        raise CcpFailure(
            [f"{len(result.errors)} error(s) in {result.failed} template(s) (see above)"], 1
        )
