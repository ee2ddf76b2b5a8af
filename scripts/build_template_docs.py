"""Write docs/templates.md: the variables each Word template receives (rerun after changes)."""

from __future__ import annotations

import sys
from pathlib import Path

from workflow.templates.data import markdown

DOCS = Path(__file__).resolve().parent.parent / "docs" / "templates.md"


def main() -> int:
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(markdown(), encoding="utf-8")
    print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
