"""``python -m benchmarks.suite <pytest args>``: pytest for the runner, quiet when interrupted.

The runner (``python -m benchmarks``) starts the suites in a child process.
A Ctrl-C that lands while that child is still importing pytest would print a
traceback from deep inside the import system; here it ends the child with
status 130 instead, and once pytest runs it handles Ctrl-C as usual (it stops,
reports what ran and writes the benchmarks measured so far).
"""

from __future__ import annotations

import signal
import sys


def main() -> int:
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    import pytest

    signal.signal(signal.SIGINT, signal.default_int_handler)
    return int(pytest.main(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
