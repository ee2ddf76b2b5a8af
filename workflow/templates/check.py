"""`ccp templates copy` and `ccp templates check`: Word templates a panel can own safely.

The check reads a template the way docxtpl will (paragraph by paragraph, part by part)
and reports every error in one run, each with the part (body, header, footer), the
paragraph or table cell, the text around it and how to fix it. It knows the data each
template receives from `template_data`, so a misspelt variable, a field that does not
exist (``child.adress.town``) or a filter that does not exist is caught before a command
fails on it in front of the panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workflow.core.errors import TemplateError
from workflow.templates.checker import Checker, Finding
from workflow.templates.copy import did_you_mean
from workflow.templates.data import TEMPLATES, template_data
from workflow.templates.parts import read_parts

# --- copy ------------------------------------------------------------------------------------


# --- reading a template as docxtpl does ------------------------------------------------------


# --- problems --------------------------------------------------------------------------------


@dataclass
class TemplateReport:
    name: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.error]


@dataclass
class CheckResult:
    reports: list[TemplateReport]

    @property
    def errors(self) -> list[Finding]:
        return [error for report in self.reports for error in report.errors]

    @property
    def failed(self) -> int:
        return sum(1 for report in self.reports if report.errors)

    def lines(self) -> list[str]:
        lines = []
        for report in self.reports:
            if report.findings:
                lines += [finding.line() for finding in report.findings]
            else:
                lines.append(f"{report.name}: OK")
        return lines


def check_templates(path: Path) -> CheckResult:
    """Check a folder of templates (or one .docx) against the data each will receive."""
    path = Path(path)
    if path.is_dir():
        files = sorted(
            file
            for file in path.iterdir()
            if file.suffix.lower() == ".docx" and not file.name.startswith(("~$", "."))
        )
        if not files:
            raise TemplateError(
                f"{path}: no Word templates (.docx) here; start one with `ccp templates copy NAME`"
            )
    elif path.is_file():
        files = [path]
    else:
        raise TemplateError(f"{path}: no such file or folder")
    return CheckResult([check_template(file) for file in files])


def check_template(path: Path, name: str | None = None) -> TemplateReport:
    """Every error of one template; `name` is the shipped template it stands for."""
    name = name or path.name
    report = TemplateReport(path.name)
    data = template_data(name)
    if data is None:
        report.findings.append(
            Finding(
                path.name,
                "",
                "is not a template ccp renders: name an edited copy as the shipped one"
                + did_you_mean(name, TEMPLATES),
            )
        )
        return report
    try:
        parts = read_parts(path)
    except TemplateError as err:
        report.findings.append(Finding(path.name, "", str(err).split(": ", 1)[-1]))
        return report
    checker = Checker(path.name, data.variables)
    for part in parts:
        checker.check_part(part)
    checker.check_header_footer(parts)
    report.findings = checker.findings
    return report
