"""`ccp demo`: a complete worked example on plainly fictional data.

Every person, place and number here is invented. Dates are set relative to today so the
demo's referrals are always in time for its first meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from workflow.cases.referrals import add_referral
from workflow.cases.restriction import restrict_case
from workflow.contract import Referral
from workflow.core.dates import as_of, today
from workflow.core.errors import WorkspaceError
from workflow.core.files import write_text
from workflow.demo.data import (
    complete_demo_minutes,
    demo_panel_yaml,
    demo_referrals,
    demo_strategic_yaml,
)
from workflow.demo.history import accept_demo_referrals, demo_rng, demo_year
from workflow.demo.interval import demo_interval
from workflow.demo.papers import write_paper
from workflow.demo.word_filler import fill
from workflow.documents.pdf import find_soffice
from workflow.forms.loading import dump_yaml
from workflow.forms.word import write_referral_form
from workflow.meetings.agenda import agenda_for, strategic_file
from workflow.meetings.minutes import draft_data, draft_minutes
from workflow.meetings.pack import build_pack
from workflow.meetings.recording import record_minutes
from workflow.meetings.records import complete_path
from workflow.meetings.signing import sign_minutes, verify_document
from workflow.register import Register
from workflow.workspace.initialise import init_workspace, panel_meeting_dates
from workflow.workspace.paths import Workspace


@dataclass
class DemoResult:
    root: Path
    sections: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, heading: str, paths: list[Path]) -> None:
        shown = []
        for path in paths:
            try:
                shown.append(str(path.relative_to(self.root)))
            except ValueError:
                shown.append(str(path))
        self.sections.append((heading, shown))


WORD_FORM_REFERRAL = 2  # this practitioner sends the Word form; the others send YAML
# One case shown restricted to two agencies: other members' papers leave it out.
RESTRICTED_CASE = 2
RESTRICTED_TO = ("Children's social care", "CAMHS")


def _filled_word_form(target: Path, data: dict[str, Any]) -> Path:
    """The referral typed into the generated Word form, as Word would store it."""
    blank = write_referral_form(target.with_name(".blank-form.docx"))
    answers = Referral.model_validate(data).model_dump(mode="json")
    try:
        return fill(blank, answers, target)
    finally:
        blank.unlink(missing_ok=True)


def write_demo_inbox(inbox: Path, referrals: list[dict[str, Any]]) -> list[Path]:
    """The referrals as practitioners send them (YAML or the Word form), with papers."""
    files = []
    for number, data in enumerate(referrals, start=1):
        for key, given in (data.get("attachments") or {}).items():
            title = key.replace("_", " ").capitalize()
            write_paper(
                inbox / given,
                f"{title}: demo case {number}",
                [f"{title} for demo case {number}.", "Entry 1: fictional event.", "Entry 2."],
            )
        if number == WORD_FORM_REFERRAL:
            files.append(_filled_word_form(inbox / f"referral-{number}.docx", data))
            continue
        target = inbox / f"referral-{number}.yaml"
        header = f"# Demo referral {number}. Fictional: every person and place is invented.\n"
        write_text(target, header + dump_yaml(data))
        files.append(target)
    return files


def build_demo(root: Path) -> DemoResult:
    """Build the demo workspace in root and walk a meeting cycle through it.

    The demo runs "as of" the days each step would really happen: referrals three
    weeks before the meeting, the pack two weeks before, minutes just after it.
    """
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise WorkspaceError(f"{root}: already exists and is not empty; choose a new folder")
    now = today()
    meetings = panel_meeting_dates(now + timedelta(days=21))
    first, second = meetings[0], meetings[1]
    result = DemoResult(root)
    result.add("Workspace", init_workspace(root, panel_yaml=demo_panel_yaml(meetings, now.month)))
    workspace = Workspace(root)

    inbox = root / "inbox"
    received = write_demo_inbox(inbox, demo_referrals(first, now))
    result.add("Referrals received (fictional; referral-2 is a filled Word form)", received)

    accepted, case_ids = [], []
    for file in received:
        outcome = add_referral(workspace, file)
        case_ids.append(outcome.case_id)
        accepted += [path for path in outcome.written if path.suffix == ".docx"]
    result.add("Referrals accepted (formal Word referrals)", accepted)
    restricted = restrict_case(
        workspace,
        case_ids[RESTRICTED_CASE - 1],
        list(RESTRICTED_TO),
        reason="Fictional: a live police investigation names a family member",
    )
    result.sections.append(("Need to know", [restricted.summary()]))

    strategic = strategic_file(workspace, first)
    write_text(strategic, demo_strategic_yaml())
    # The demo runs anywhere: without LibreOffice it makes the Word pack and says so.
    pdf = find_soffice() is not None
    with as_of(first - timedelta(days=14)):
        pack = build_pack(workspace, first, pdf=pdf)
    result.add(f"Pack for the {first.isoformat()} meeting", pack.written)
    if pack.pdf_skipped:
        result.sections.append(("PDF", [pack.pdf_skipped]))
    if pack.warnings:
        result.sections.append(("For the administrator (circulation)", pack.warnings))

    with as_of(first + timedelta(days=1)):
        drafted = draft_minutes(workspace, first)
        register = Register.load(workspace.register_file)
        completed = complete_demo_minutes(
            draft_data(agenda_for(workspace, first, register)), second
        )
        done = complete_path(workspace, first)
        write_text(done, "# The demo's completed minutes (fictional).\n" + dump_yaml(completed))
        recorded = record_minutes(workspace, done)
    result.add(
        "Minutes drafted, completed and recorded", [*drafted.written, done, *recorded.written[:1]]
    )
    with as_of(first + timedelta(days=3)):
        signed = sign_minutes(workspace, first, workspace.panel.chair.name)
    result.add(f"Minutes signed by {signed.signed_by} (with per-child extracts)", signed.written)
    if signed.warnings:
        # An extract with no e-mail draft (a key worker without an address) goes by hand.
        result.sections.append(("For the administrator (extracts)", signed.warnings))
    check = verify_document(workspace, signed.written[0])
    result.sections.append(("Verified", [check.message]))

    demo_interval(workspace, first, second, result)
    # The second meeting's new referrals come in three weeks before it, so its pack has them.
    rng = demo_rng()
    accept_demo_referrals(workspace, second, 0, rng)
    with as_of(second - timedelta(days=14)):
        later = build_pack(workspace, second, pdf=pdf)
    result.add(f"Pack for the {second.isoformat()} meeting (progress reviews)", later.written)

    demo_year(workspace, meetings, now, result, pdf=pdf, rng=rng, accepted=frozenset({second}))
    result.add("Register", [workspace.register_file])
    return result
