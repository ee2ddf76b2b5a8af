"""`python -m workflow`: the same as the `ccp` command."""

from .cli import cli

cli()
