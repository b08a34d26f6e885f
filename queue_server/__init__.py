"""The motcua server: FastAPI app, SQLite store, event log and command line."""
