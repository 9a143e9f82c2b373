"""`python -m refactor` is the `refactor` command."""

from refactor.cli.app import main

main()
