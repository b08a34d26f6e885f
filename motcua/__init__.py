"""The `motcua` command: it parses the command line, then imports the one part it starts."""
