"""The committed JSON Schemas match the models (regenerate: ccp schemas export schemas)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.contract.schemas import SCHEMAS, schema_text

SCHEMA_DIR = Path(__file__).parents[2] / "schemas"


@pytest.mark.parametrize(("name", "model"), SCHEMAS.items(), ids=list(SCHEMAS))
def test_committed_schema_matches_model(name, model):
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == schema_text(model), f"run: ccp schemas export schemas ({name} is stale)"


def test_no_stray_schema_files():
    assert sorted(path.name for path in SCHEMA_DIR.glob("*.json")) == sorted(SCHEMAS)
