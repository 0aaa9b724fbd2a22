"""The report of an unexpected error (a bug): the traceback, without local values or personal data."""

from __future__ import annotations

import os
import platform
import re
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from moralbank import __version__

# Digit runs shaped like a resident ID (17 digits and a digit or X, or the old 15 digits) or a
# mobile number: whatever the exception text or the command line carried, they never reach the file.
_PERSONAL = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15}|1\d{10})(?!\d)")


def scrub(value: str) -> str:
    """``value`` with every ID- or phone-shaped digit run masked to its first and last digits."""
    return _PERSONAL.sub(lambda m: m.group()[:1] + "*" * (len(m.group()) - 2) + m.group()[-1:], value)


def report_folder() -> Path:
    """Where reports go: ``MORALBANK_CRASH_DIR``, else the system's temporary folder."""
    return Path(os.environ.get("MORALBANK_CRASH_DIR") or tempfile.gettempdir())


def write_report(exc: BaseException) -> Path:
    """Write the report of ``exc`` to a new file and return its path.

    Tracebacks are formatted without local variables, and database engines hide bound SQL
    parameters, so the file holds code locations and messages, not the data being processed.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    text = "\n".join(
        [
            f"moralbank {__version__}, Python {platform.python_version()}, {platform.platform()}",
            f"at {stamp} UTC",
            "command: " + " ".join(sys.argv[1:2]),  # the subcommand only: its arguments may be personal
            "",
            "".join(traceback.format_exception(exc)),
        ]
    )
    try:
        folder = report_folder()
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f"moralbank-error-{stamp}-", suffix=".txt", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(scrub(text))
        return Path(name)
    except OSError:
        return Path(os.devnull)
