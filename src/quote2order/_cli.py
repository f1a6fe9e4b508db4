"""What every ``python -m quote2order`` command shares: one-line errors and exit statuses.

Exit status 0: done. 1: the command ran and failed (a store that cannot be reached, an
entry that does not exist, a missing optional extra, a delivery given up on). 2: the
command line is wrong (an unknown option, a bad value, a file named on it that does not
exist). Every error is one line on stderr, never a traceback; ``QUOTE2ORDER_TRACEBACK=1``
lets an unexpected error show its traceback when debugging.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn, TextIO

from quote2order.errors import Quote2OrderError

__all__ = ["EXTRAS", "Parser", "UsageError", "run"]

#: The optional dependencies, by top-level module, and the extra that installs each.
EXTRAS = {
    "fpdf": "pdf",
    "jinja2": "html",
    "psycopg": "postgres",
    "psycopg_pool": "postgres",
    "highspy": "optimize",
    "numpy": "optimize",
}


class UsageError(Exception):
    """The command line cannot be run as given (exit status 2)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are a UsageError, reported by :func:`run`."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _missing_extra(exc: ModuleNotFoundError) -> str | None:
    extra = EXTRAS.get((exc.name or "").partition(".")[0])
    if extra is None:
        return None
    return f"this needs the optional '{extra}' extra: pip install 'quote2order[{extra}]'"


def run(prog: str, body: Callable[[], int], *, err: TextIO | None = None) -> int:
    """Run ``body`` and turn whatever it raises into one line on ``err`` and an exit status."""
    stream = err or sys.stderr

    def fail(message: str, status: int) -> int:
        print(f"{prog}: error: {' '.join(message.split())}", file=stream)
        return status

    try:
        return body()
    except SystemExit as exc:  # --help and --version print and exit with 0
        return exc.code if isinstance(exc.code, int) else fail(str(exc.code), 2)
    except UsageError as exc:
        return fail(f"{exc} (see {prog} --help)", 2)
    except ModuleNotFoundError as exc:
        return fail(_missing_extra(exc) or f"cannot import {exc.name}: {exc}", 1)
    except Quote2OrderError as exc:
        return fail(str(exc), 1)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return fail(f"{where}{exc.strerror or exc}", 1)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except Exception as exc:
        if os.environ.get("QUOTE2ORDER_TRACEBACK"):
            raise
        return fail(f"unexpected {type(exc).__name__}: {exc}", 1)
