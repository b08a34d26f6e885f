"""The ticket kiosk and the counter-top rating tablet (PySide6)."""
