"""`python -m disclosure_cli` is the `disclosure` command."""

from .cli import run

run()
