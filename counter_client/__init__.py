"""The clerk's desk application (PySide6)."""
