"""`python -m jpoa` is the `jpoa` command."""

from jpoa.cli import main

main()
