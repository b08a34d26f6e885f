"""`python -m display_board --server URL --token TOKEN`."""

from display_board.cli import command

command()
