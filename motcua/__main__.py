"""`python -m motcua` is the `motcua` command."""

from motcua.cli import main

main()
