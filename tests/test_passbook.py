"""The passbook: a household's statement over a date range."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.runner import Run
from tests.town import build_register


def test_a_statement_range_that_ends_before_it_starts_is_refused(run: Run, engine: Engine) -> None:
    build_register(engine)
    result = run("statement", "NL001", "--from", "2026-11-30", "--to", "2026-10-01")
    assert result.exit_code == 1
    assert "--from 2026-11-30 is after --to 2026-10-01" in result.output
