"""Fillable Word forms generated from the models, and reading them back.

`layout` walks a model into sections and answer boxes, `writer` builds the blank form
with python-docx in the house style, `controls` holds the content-control XML, `reader`
reads a filled form (with `docx_safety`'s defences) and `filler` types answers in as
Word stores them (the demo and the tests). Only the writer needs python-docx.
"""

from __future__ import annotations

from pathlib import Path

from workflow.forms.word.layout import REFERRAL_FORM, FormSpec, form_label
from workflow.forms.word.reader import read_form, read_referral_form
from workflow.forms.word.writer import write_form as write

__all__ = [
    "REFERRAL_FORM",
    "FormSpec",
    "form_label",
    "read_form",
    "read_referral_form",
    "write_form",
    "write_referral_form",
]


def write_form(
    out: Path,
    spec: FormSpec,
    *,
    protective_marking: str = "OFFICIAL-SENSITIVE",
    panel_name: str = "Complex Child Panel",
) -> Path:
    """Write a blank, fillable Word form of ``spec`` (content controls) from its model."""
    return write(out, spec, protective_marking=protective_marking, panel_name=panel_name)


def write_referral_form(
    out: Path,
    *,
    protective_marking: str = "OFFICIAL-SENSITIVE",
    panel_name: str = "Complex Child Panel",
) -> Path:
    """Write a blank, fillable Word referral form generated from the model."""
    return write_form(
        out, REFERRAL_FORM, protective_marking=protective_marking, panel_name=panel_name
    )
