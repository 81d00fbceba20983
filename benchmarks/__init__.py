"""The benchmarks of govrules' performance work, each a module with ``measure(quick)``, and the
command that runs them all and prints one table of ratios (benchmarks/README.md).

    python -m benchmarks --quick             # every benchmark in its quick mode

Importing the package imports nothing else: each benchmark module runs in its own process.
"""

__all__: list[str] = []
