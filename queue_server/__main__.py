"""`python -m queue_server` is the `motcua` command."""

from queue_server.cli import main

main()
