"""Suite-wide settings: Qt runs offscreen, so the suite needs no screen."""

import os

# Without a display and without this, a Qt test process aborts.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
