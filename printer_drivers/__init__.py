"""Vietnamese tickets on ESC/POS thermal printers."""
