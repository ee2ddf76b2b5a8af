"""Build the shipped Word templates in templates/ with python-docx (rerun after any change).

One builder module per template in scripts/template_builders/, sharing `house` (Jinja
tags, tables, saving) and `workflow.documents.house_style` (the look the blank forms share too):

    python scripts/build_templates.py                  # every template
    python scripts/build_templates.py agenda.docx      # one
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))  # also when a test loads this file by its path

from template_builders import (  # noqa: E402
    agenda,
    annual_report,
    minutes,
    pack_cover,
    progress_report,
    referral,
)

TEMPLATES = SCRIPTS.parent / "templates"
build_referral = referral.build

# The shipped templates, by file name; a new template is one more builder here.
BUILDERS: dict[str, Callable[[Path], None]] = {
    "referral.docx": referral.build,
    "agenda.docx": agenda.build,
    "pack-cover.docx": pack_cover.build,
    "minutes.docx": minutes.build,
    "minutes-extract.docx": minutes.build_extract,
    "progress-report.docx": progress_report.build,
    "annual-report.docx": annual_report.build,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=TEMPLATES, help="directory to write (default: templates/)"
    )
    parser.add_argument(
        "names", nargs="*", help=f"templates to build (default: all of {list(BUILDERS)})"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BUILDERS))
    if unknown:
        parser.error(f"no builder for {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or BUILDERS:
        BUILDERS[name](args.out / name)
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
