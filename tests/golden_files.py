"""Golden files: rendered output compared byte for byte, with a switch to rewrite them."""

from __future__ import annotations

import os
import re
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
# MORALBANK_REGEN_GOLDEN=1 rewrites the golden files instead of comparing; review the diff before committing.
REGENERATE = os.environ.get("MORALBANK_REGEN_GOLDEN") == "1"


def normalised(output: str) -> str:
    """Output with what changes run to run (hashes, times) replaced by placeholders."""
    output = re.sub(r"\b[0-9a-f]{64}\b", "<hash>", output)
    return re.sub(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\+00:00|Z)?| \d{2}:\d{2})", "<time>", output)


def assert_golden(name: str, text: str) -> Path:
    """Check ``text`` against ``tests/golden/<name>`` (line endings included); returns the file's path."""
    path = GOLDEN / name
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs; MORALBANK_REGEN_GOLDEN=1 rewrites it"
    return path
