"""`python -m refactor` is the `refactor` command."""

from refactor.cli import main

main()
