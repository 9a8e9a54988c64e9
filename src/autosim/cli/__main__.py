"""``python -m autosim.cli``: the same as the ``autosim`` command."""

import sys

from autosim.cli.main import main

sys.exit(main())
