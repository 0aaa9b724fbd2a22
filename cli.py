"""The moralbank command's entry point; the commands live in ``moralbank/cli/``, one module per group."""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    """Run the command line; ``--version`` and the root's help answer before the commands are built."""
    if sys.argv[1:] == ["--version"]:
        from moralbank import __version__

        print(f"moralbank {__version__}")
        return
    if not sys.argv[1:] or "--help" in sys.argv[1:]:  # perhaps the root's help: printed without typer
        from moralbank.cli.root_help import answered

        if answered(sys.argv[1:]):
            return
    from moralbank.cli import main as run

    run()


def __getattr__(name: str) -> Any:  # ``cli.app``: the commands, built on first use
    if name == "app":
        from moralbank.cli import app

        return app
    raise AttributeError(name)


if __name__ == "__main__":
    main()
