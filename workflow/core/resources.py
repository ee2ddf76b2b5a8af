"""Where the shipped Word templates and JSON Schemas live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # workflow/, two levels up from core/


def bundled(kind: str) -> Path:
    """The directory of shipped `templates` or `schemas`.

    A wheel carries them inside the package (`_bundled/`, see pyproject.toml); a source
    checkout or editable install has them at the top of the repository.
    """
    installed = _PACKAGE / "_bundled" / kind
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / kind


def bundled_template(name: str) -> Path:
    return bundled("templates") / name


# The shipped Word templates, by what they make (`ccp templates copy` lists them).
REFERRAL_TEMPLATE = "referral.docx"
AGENDA_TEMPLATE = "agenda.docx"
COVER_TEMPLATE = "pack-cover.docx"
MINUTES_TEMPLATE = "minutes.docx"
EXTRACT_TEMPLATE = "minutes-extract.docx"
PROGRESS_TEMPLATE = "progress-report.docx"
ANNUAL_REPORT_TEMPLATE = "annual-report.docx"
