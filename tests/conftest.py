"""Suite-wide settings: Qt runs offscreen, so the suite needs no screen."""

import atexit
import os
import shutil
import tempfile

# Without a display and without this, a Qt test process aborts.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Apps started by the tests keep their settings (the kiosk's staff PIN hash, for one) in a
# directory of the run's own, not in the account's ~/.config.
_CONFIG = tempfile.mkdtemp(prefix="motcua-tests-config-")
os.environ["XDG_CONFIG_HOME"] = _CONFIG
atexit.register(shutil.rmtree, _CONFIG, ignore_errors=True)
