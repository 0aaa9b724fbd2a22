"""The moralbank command's entry point; the commands live in ``moralbank/cli/``, one module per group."""

from __future__ import annotations

from moralbank.cli import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    main()
