"""``python -m govrules``: the command line, as the ``govrules`` script runs it."""

import sys

from govrules.cli.main import main

# the guard: a worker process that is spawned, not forked, imports this module without running it
if __name__ == "__main__":
    sys.exit(main())
