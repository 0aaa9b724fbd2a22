"""Files that travel with the package: the schema, its migrations and the demo fixtures."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _packaged(name: str) -> Path:
    # An installed wheel carries these inside the package; a source checkout has them at the root.
    inside = Path(str(files("moralbank"))) / name
    return inside if inside.exists() else _REPO_ROOT / name


def schema_path() -> Path:
    """The schema DDL, ``schema.sql``."""
    return _packaged("schema.sql")


def fixtures_dir() -> Path:
    """The demo village fixtures folder."""
    return _packaged("fixtures")


def migrations_dir() -> Path:
    """The forward-only schema migrations, ``migrations/NNNN_slug.sql``."""
    return _packaged("migrations")
