"""``python -m govrules``: the command line, as the ``govrules`` script runs it."""

import sys

from govrules.cli.main import main

sys.exit(main())
