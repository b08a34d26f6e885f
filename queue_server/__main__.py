"""`python -m queue_server` is the `motcua` command (kept from contract version 1)."""

from motcua.cli import main

main()
