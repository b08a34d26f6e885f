"""The motcua server: FastAPI app, SQLite store, event log and event stream."""
