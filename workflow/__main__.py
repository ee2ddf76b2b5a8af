"""`python -m workflow`: the same as the `ccp` command."""

from workflow.cli import cli

cli()
