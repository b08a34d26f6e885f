"""The apps' only way to the server (REST client, event stream, Qt bridge)."""
