"""The `ccp` command line: parse, call one library function, say what was written.

Only click is imported at start-up; each command imports the library it needs, so that
`ccp --help` stays fast (docxtpl, openpyxl and pydantic cost ~0.4 s together).
"""

from workflow.cli import cases, meetings, rights, workspace  # noqa: F401  (each registers its commands)
from workflow.cli.base import cli

__all__ = ["cli"]
