"""The hub's HTTP routes: thin, each parses, asks the store, serializes."""
