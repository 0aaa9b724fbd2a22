"""The wheel's build step: compile the message catalogues (.po) into the .mo files the program reads.

An installed moralbank reads moralbank/locale/<locale>/LC_MESSAGES/moralbank.mo; a source tree
reads the .po files themselves, so an editable install needs nothing compiled.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Compiles every catalogue with Babel into build/locale and ships it inside the package."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        sys.path.insert(0, str(root / "tools"))
        from catalogue import LOCALE_DIR, compile_all  # tools/catalogue.py, with Babel

        out = root / "build" / "locale"
        for mo in compile_all(out):
            inside = mo.relative_to(out).as_posix()
            build_data["force_include"][str(mo)] = f"{LOCALE_DIR.relative_to(root).as_posix()}/{inside}"
