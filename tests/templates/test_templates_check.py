"""`ccp templates check` and `copy`: one small fixture template per kind of defect.

Each fixture is the shipped template with one defect typed into it (python-docx), so the
check must find exactly that defect, name its part and paragraph or cell, and quote it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from docx import Document

from workflow.cli import cli
from workflow.core.resources import bundled_template
from workflow.documents.text import document_text
from workflow.templates.check import check_template, check_templates
from workflow.templates.data import TEMPLATES, markdown

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = list(TEMPLATES)


def edited(tmp_path: Path, name: str, change) -> Path:
    """The shipped `name` with `change(document)` applied, saved under the same name."""
    document = Document(str(bundled_template(name)))
    change(document)
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    path = folder / name
    document.save(str(path))
    return path


def add(text: str):
    return lambda document: document.add_paragraph(text)


def lines(path: Path) -> list[str]:
    return [finding.line() for finding in check_template(path).findings]


def errors(path: Path) -> list[str]:
    return [finding.line() for finding in check_template(path).errors]


# --- the shipped templates ------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_template_passes(name):
    assert lines(bundled_template(name)) == []


def test_the_command_checks_a_folder_and_says_ok(runner, tmp_path):
    result = runner.invoke(cli, ["templates", "check", str(bundled_template("x").parent)])
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == sorted(f"{name}: OK" for name in SHIPPED)


def test_committed_annual_template_matches_its_builder(tmp_path, monkeypatch):
    script = ROOT / "scripts" / "build_templates.py"
    spec = importlib.util.spec_from_file_location("build_templates", script)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    module.BUILDERS["annual-report.docx"](tmp_path / "annual-report.docx")
    built = (tmp_path / "annual-report.docx").read_bytes()
    assert built == bundled_template("annual-report.docx").read_bytes()


def test_docs_list_what_each_template_receives():
    committed = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    assert committed == markdown(), "run: python scripts/build_template_docs.py"
    for name in SHIPPED:
        assert f"## {name}" in committed
    assert "| `referral.child.date_of_birth` | Child's date of birth: ISO date" in committed


# --- one fixture per defect -----------------------------------------------------------------


def test_undeclared_variable_with_did_you_mean(tmp_path):
    path = edited(tmp_path, "agenda.docx", add("Chaired by {{ chiar.name }} on the day."))
    [line] = errors(path)
    assert line.startswith("agenda.docx: body, paragraph ")
    assert "chiar is not in the data agenda.docx receives; did you mean chair?" in line
    assert '(at: "Chaired by {{ chiar.name }} on the day.")' in line


def test_nested_attribute_that_does_not_exist(tmp_path):
    path = edited(tmp_path, "referral.docx", add("Lives at {{ referral.child.adress.town }}"))
    [line] = errors(path)
    assert "referral.child has no field adress; its fields: name, preferred_name" in line
    path = edited(tmp_path, "minutes.docx", add("{{ meeting.nxt_date|uk_date }}"))
    [line] = errors(path)
    assert "meeting has no field nxt_date; did you mean meeting.next_date?" in line


def test_a_list_used_as_a_record(tmp_path):
    path = edited(tmp_path, "minutes-extract.docx", add("Owner: {{ case.actions.owner }}"))
    [line] = errors(path)
    assert "case.actions is a list, so it has no field owner: loop over it" in line


def test_unknown_filter(tmp_path):
    path = edited(tmp_path, "agenda.docx", add("{{ meeting.date|uk_dat }}"))
    [line] = errors(path)
    assert "there is no filter called uk_dat; did you mean |uk_date?" in line


def test_syntax_error_located_in_its_table_cell(tmp_path):
    def change(document):
        document.tables[0].rows[0].cells[1].paragraphs[0].add_run(" {{ meeting.date | }}")

    path = edited(tmp_path, "agenda.docx", change)
    [line] = errors(path)
    assert line.startswith("agenda.docx: body, table 1, row 1, cell 2: template syntax error")
    assert "{{ meeting.date | }}" in line


def test_tag_split_across_runs(tmp_path):
    def change(document):
        paragraph = document.add_paragraph("Panel: ")
        paragraph.add_run("{{ panel.")
        paragraph.add_run("name }}").bold = True

    [line] = errors(edited(tmp_path, "pack-cover.docx", change))
    assert "{{ panel.name }} is split across 2 pieces of Word formatting (runs)" in line
    assert "body, paragraph " in line


def test_curly_quotes_in_a_tag(tmp_path):
    path = edited(tmp_path, "agenda.docx", add("{{ previous|blank(\u201cnone yet\u201d) }}"))
    found = errors(path)
    assert any("has Word's curly quotes (\u201c \u201d)" in line for line in found)


def test_header_without_marking_or_page_numbers(tmp_path):
    def change(document):
        section = document.sections[0]
        for part in (section.header, section.footer):
            for paragraph in part.paragraphs:
                paragraph._p.getparent().remove(paragraph._p)
            part.add_paragraph("Northshire panel papers")

    found = errors(edited(tmp_path, "minutes.docx", change))
    assert len(found) == 3
    assert found[0].startswith("minutes.docx: header, paragraph 1: no protective marking")
    assert "no page numbers in the header or footer" in found[1]
    assert "no panel name in the header or footer" in found[2]


def test_row_tag_outside_a_table(tmp_path):
    def change(document):
        document.add_paragraph("{%tr for p in present %}")
        document.add_paragraph("{{ p.name }}")
        document.add_paragraph("{%tr endfor %}")

    found = errors(edited(tmp_path, "minutes-extract.docx", change))
    assert "{%tr ...%} works only inside a table row (docxtpl repeats" in found[0]
    assert "{%tr ...%} works only inside a table row" in found[1]  # the closing too


def test_paragraph_tag_with_text_beside_it(tmp_path):
    def change(document):
        document.add_paragraph("{%p if case.close_case %} Closed:")
        document.add_paragraph("{%p endif %}")

    [line] = errors(edited(tmp_path, "minutes-extract.docx", change))
    assert 'so the rest of it ("Closed:") is lost' in line


def test_mangled_row_tag(tmp_path):
    def change(document):
        cell = document.tables[0].rows[0].cells[0]
        cell.paragraphs[0].add_run("{% tr for x in present %}")

    found = errors(edited(tmp_path, "minutes-extract.docx", change))
    assert len(found) == 1
    assert "looks like docxtpl's {%tr ...} tag with a space after {%: write {%tr" in found[0]
    assert "body, table 1, row 1, cell 1" in found[0]


def test_rich_text_tag_on_plain_data(tmp_path):
    [line] = errors(edited(tmp_path, "minutes-extract.docx", add("{{r case.case_id }}")))
    assert "{{r case.case_id }} needs a docxtpl RichText value" in line


def test_block_left_open_and_mismatched_kinds(tmp_path):
    def change(document):
        document.add_paragraph("{%p if case.close_case %}")
        document.add_paragraph("Closed.")

    [line] = errors(edited(tmp_path, "minutes-extract.docx", change))
    assert "{%p if case.close_case %} is never closed in the body: add {%p endif %}" in line

    def mixed(document):
        document.add_paragraph("{%p if case.close_case %}")
        document.add_paragraph("Closed. {% endif %}")

    found = errors(edited(tmp_path, "minutes-extract.docx", mixed))
    assert "is a {% %} tag but its {%p if case.close_case %}" in found[0]


def test_childs_details_in_a_header_and_variables_only_there(tmp_path):
    def change(document):
        header = document.sections[0].header
        header.add_paragraph("{{ child.name }}")
        header.add_paragraph("{{ key_worker.phone }}")

    findings = check_template(edited(tmp_path, "minutes-extract.docx", change)).findings
    shown = [finding.line() for finding in findings]
    assert any(
        line.startswith("minutes-extract.docx: header, paragraph 3: child.name would print")
        for line in shown
    )
    warnings = [f.line() for f in findings if not f.error]
    assert warnings == [
        "minutes-extract.docx: header, paragraph 4: warning: key_worker.phone is used only in "
        "the header: docxtpl's own variable list leaves headers and footers out, so check it "
        'is meant to be here (at: "{{ key_worker.phone }}")'
    ]


def test_undeclared_variable_only_in_a_footer(tmp_path):
    def change(document):
        document.sections[0].footer.add_paragraph("{{ panel.nmae }}")

    [line] = errors(edited(tmp_path, "agenda.docx", change))
    assert line.startswith("agenda.docx: footer, paragraph 2: panel has no field nmae")
    assert "did you mean panel.name?" in line


def test_every_error_of_a_template_in_one_run(runner, tmp_path):
    def change(document):
        document.add_paragraph("{{ chiar.name }}")
        document.add_paragraph("{{ meeting.date|uk_dat }}")
        document.add_paragraph("{%p if previous %}")

    path = edited(tmp_path, "agenda.docx", change)
    edited(tmp_path, "minutes.docx", lambda document: None)
    result = runner.invoke(cli, ["templates", "check", str(path.parent)])
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert len([line for line in out if line.startswith("agenda.docx:")]) == 3
    assert "minutes.docx: OK" in out
    assert result.stderr == "Error: 3 error(s) in 1 template(s) (see above)\n"


def test_a_template_ccp_does_not_render(tmp_path):
    path = edited(tmp_path, "agenda.docx", lambda document: None)
    other = path.with_name("agenda-v2.docx")
    path.rename(other)
    [line] = errors(other)
    assert "is not a template ccp renders" in line
    assert "did you mean agenda.docx?" in line


def test_not_a_word_file_and_no_templates(runner, tmp_path):
    bad = tmp_path / "minutes.docx"
    bad.write_text("not a zip")
    [line] = errors(bad)
    assert "not a Word (.docx) file" in line
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["templates", "check", str(empty)])
    assert result.exit_code == 1
    assert "no Word templates (.docx) here" in result.stderr
    assert check_templates(bad).failed == 1


# --- copy -----------------------------------------------------------------------------------


def test_copy_lists_starts_and_refuses_to_overwrite(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace.root), "templates", "copy"])
    assert result.exit_code == 0
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == SHIPPED

    args = ["-w", str(workspace.root), "templates", "copy", "minutes"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Wrote templates/minutes.docx\n"
    copy = workspace.templates_dir / "minutes.docx"
    assert copy.read_bytes() == bundled_template("minutes.docx").read_bytes()

    copy.write_bytes(b"my edits")
    again = runner.invoke(cli, args)
    assert again.exit_code == 1
    assert "templates/minutes.docx: already exists" in again.stderr
    assert copy.read_bytes() == b"my edits"
    forced = runner.invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0
    assert copy.read_bytes() == bundled_template("minutes.docx").read_bytes()

    wrong = runner.invoke(cli, ["-w", str(workspace.root), "templates", "copy", "minuts.docx"])
    assert wrong.exit_code == 1
    assert wrong.stderr == "Error: minuts.docx: no such template; did you mean minutes.docx?\n"


def test_check_defaults_to_the_workspace_templates(runner, workspace):
    runner.invoke(cli, ["-w", str(workspace.root), "templates", "copy", "agenda.docx"])
    result = runner.invoke(cli, ["-w", str(workspace.root), "templates", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "agenda.docx: OK\n"


# --- the declared data against what commands really render ----------------------------------


def _walk(value, var, path: str, seen: set[str], extra: list[str]) -> None:
    seen.add(path)
    if value is None:
        return
    if var.fields is not None:
        if hasattr(value, "model_dump"):
            value = value.model_dump()
        assert isinstance(value, dict), f"{path} is declared a mapping"
        for key, item in value.items():
            if key not in var.fields:
                extra.append(f"{path}.{key}")
                continue
            _walk(item, var.fields[key], f"{path}.{key}", seen, extra)
    elif var.items is not None:
        assert isinstance(value, list), f"{path} is declared a list"
        for item in value:
            _walk(item, var.items, f"{path}[]", seen, extra)


@pytest.mark.libreoffice
def test_the_demo_renders_exactly_the_declared_data(tmp_path, monkeypatch):
    """Run the whole demo, catch every context a template is rendered with, and compare."""
    from workflow.demo.build import build_demo
    from workflow.documents import render as documents
    from workflow.templates.data import template_data

    rendered: dict[str, list[dict]] = {}
    real = documents.render_docx

    def spy(template, context, out, **options):
        rendered.setdefault(Path(template).name, []).append(context)
        return real(template, context, out, **options)

    # Every module that renders imported render_docx by name: spy on each of them.
    for module in list(sys.modules.values()):
        if getattr(module, "render_docx", None) is real and module.__name__.startswith("workflow"):
            monkeypatch.setattr(module, "render_docx", spy)
    build_demo(tmp_path / "demo")
    assert set(rendered) == set(TEMPLATES)
    for name, contexts in rendered.items():
        variables = template_data(name).variables
        seen: set[str] = set()
        extra: list[str] = []
        for context in contexts:
            assert set(context) == set(variables), name
            for key, value in context.items():
                _walk(value, variables[key], key, seen, extra)
        assert extra == [], f"{name}: what is rendered and template_data.py disagree"
        assert seen >= set(variables)


@pytest.mark.libreoffice
def test_every_command_uses_the_workspace_copy_and_says_so(runner, workspace, inbox):
    """Each template edited in the workspace: every command that renders it uses the copy."""
    from helpers import complete_draft

    marks = {}
    for name in ("referral.docx", "agenda.docx", "pack-cover.docx", "minutes.docx",
                 "minutes-extract.docx"):  # fmt: skip
        marks[name] = f"Edited {name} (fictional panel wording)."
        edited(workspace.root, name, add(marks[name]))
    ws = ["-w", str(workspace.root)]

    def run(*args: str):
        result = runner.invoke(cli, [*ws, *args])
        assert result.exit_code == 0, result.output
        return result

    def says(result, *names: str) -> None:
        for name in names:
            assert result.stderr.count(f"Used your edited template templates/{name}\n") == 1

    added = run("referral", "add", str(inbox / "referral.yaml"))
    says(added, "referral.docx")
    [referral_doc] = list(workspace.output_dir.rglob("*-referral.docx"))
    assert marks["referral.docx"] in document_text(referral_doc)

    packed = run("pack", "2027-03-11", "--no-pdf")
    says(packed, "agenda.docx", "pack-cover.docx")
    [pack] = list(workspace.output_dir.rglob("pack-*.docx"))
    assert marks["agenda.docx"] in document_text(pack)
    assert marks["pack-cover.docx"] in document_text(pack)

    drafted = run("minutes", "draft", "2027-03-11")
    says(drafted, "minutes.docx")
    draft = workspace.meetings_dir / "2027-03-11" / "minutes.yaml"
    done = complete_draft(draft, draft.with_name("done.yaml"))
    run("minutes", "record", str(done))
    signed = run("minutes", "sign", "2027-03-11", "--chair", "Alex Sample")
    says(signed, "minutes.docx", "minutes-extract.docx")
    [extract] = list(workspace.output_dir.rglob("*-minutes-extract-v1.docx"))
    assert marks["minutes-extract.docx"] in document_text(extract)
