"""JSON Schemas (2020-12) generated from the models, for editors and other systems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from workflow.contract import MinutesRecord, PanelConfig, Referral
from workflow.contract.commentary import Commentary
from workflow.contract.progress import ProgressReport
from workflow.core.files import write_text

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# File name -> model. Later forms (minutes, progress reports) are added here.
SCHEMAS: dict[str, type[BaseModel]] = {
    "panel.schema.json": PanelConfig,
    "referral.schema.json": Referral,
    "minutes.schema.json": MinutesRecord,
    "progress.schema.json": ProgressReport,
    "commentary.schema.json": Commentary,
}


def schema_for(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema}


def schema_text(model: type[BaseModel]) -> str:
    return json.dumps(schema_for(model), indent=2, ensure_ascii=False) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    written = []
    for name, model in SCHEMAS.items():
        written.append(write_text(directory / name, schema_text(model)))
    return written
