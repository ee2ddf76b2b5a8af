"""Fill a generated Word form the way Word stores a practitioner's answers.

The demo uses it to produce a filled form, and the tests to check the reader against the
ways Word writes answers: typed runs, line breaks, ticked boxes, chosen list items, dates
picked or typed, and table rows copied to add entries. Production code pre-fills forms
with ``forms.word.prefill`` instead, which writes every date as a picked one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.forms.word.prefill import FormEditor


class Filler(FormEditor):
    """Types answers as a person would: a date picked, typed the ISO way, or typed d/m/y."""

    def __init__(self, form: Path, *, paragraphs: bool = False):
        super().__init__(form, paragraphs=paragraphs)
        self.dates_typed = 0

    def shown_date(self, iso: str) -> str:
        styles = [super().shown_date(iso), iso, _slashed(iso)]
        self.dates_typed += 1
        return styles[(self.dates_typed - 1) % 3]

    def fill(self, answers: dict[str, Any]) -> Filler:
        for name, value in answers.items():
            if value is None:
                continue  # left blank, or a box this form does not have (the chair's)
            if isinstance(value, dict):
                for key, item in value.items():
                    self.put(self.only(f"{name}.{key}"), item)
            elif isinstance(value, list) and self.has_options(name):
                for code in value:
                    self.put(self.only(f"{name}[]={code}"), True)
            elif isinstance(value, list):
                self.fill_table(name, value)
            else:
                self.put(self.only(name), value)
        return self


def _slashed(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def fill(form: Path, answers: dict[str, Any], out: Path, *, paragraphs: bool = False) -> Path:
    return Filler(form, paragraphs=paragraphs).fill(answers).save(out)
