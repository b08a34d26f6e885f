"""The wall display board and its Vietnamese voice (PySide6)."""
