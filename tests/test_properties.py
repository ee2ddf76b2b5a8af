"""Property: any printable text a practitioner types reaches the document and register unchanged."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from testdata import DATA, write_yaml

from workflow.cases.referrals import add_referral
from workflow.documents.text import document_text
from workflow.workspace.initialise import init_workspace
from workflow.workspace.paths import Workspace

# Printable text as XML can hold it: no surrogates, no control characters but the line
# break. Carriage returns are normalised to line breaks by design, so they are left out.
typed = (
    st.lists(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029")
        | st.sampled_from(
            ["\n", "&", "<", ">", '"', "'", "=", "{{", "}}", "{%", "é", "مرحبا", "שלום"]
        ),
        min_size=1,
        max_size=40,
    )
    .map("".join)
    .filter(lambda text: text.strip() and text == text.strip("\n"))
)

short = typed.filter(lambda text: "\n" not in text)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=typed, child_views=typed, name=short, agency=short)
def test_typed_text_reaches_document_and_register_unchanged(
    referral_data, history, child_views, name, agency
):
    referral_data["history"] = history
    referral_data["child_views"] = child_views
    referral_data["child"]["name"] = name
    referral_data["referrer"]["agency"] = agency
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        init_workspace(root / "ws", panel_yaml=(DATA / "panel.yaml").read_text(encoding="utf-8"))
        shutil.copytree(DATA / "papers", root / "papers")
        accepted = add_referral(Workspace(root / "ws"), write_yaml(root / "r.yaml", referral_data))

        text = document_text(
            root / "ws" / "output" / "2027-03-11" / f"{accepted.case_id}-referral.docx"
        )
        assert history in text
        assert child_views in text
        assert name in text

        cases = load_workbook(root / "ws" / "register.xlsx")["Cases"]
        header = [cell.value for cell in cases[1]]
        row = {key: cell for key, cell in zip(header, cases[2], strict=True)}
        assert row["Child name"].value == name
        assert row["Child name"].data_type == "s"
        assert row["Referring agency"].value == agency
