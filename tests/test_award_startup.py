"""What one decision (``award``) imports: the write path without the modules it never uses.

``award`` is mostly start-up (bench/RESULTS.md, issue 16): these tests keep the tables it never
touches, the sheet reader, consents and rich out of its imports, and hold the deferred tables
to the names ``storage.models`` answers for.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlmodel import SQLModel

from moralbank.storage import models, models_deferred

REPO = Path(__file__).resolve().parent.parent
NEVER = ("moralbank.storage.models_deferred", "moralbank.services.sheets", "moralbank.services.consent", "rich")


def test_the_award_path_imports_none_of_what_it_never_uses() -> None:
    code = (
        "import sys, moralbank.cli.ledger, moralbank.services.ledger, moralbank.storage.db\n"
        f"print(','.join(name for name in {NEVER!r} if name in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_every_deferred_table_is_named_through_models() -> None:
    tables = {
        name for name, value in vars(models_deferred).items() if isinstance(value, type) and issubclass(value, SQLModel)
    }
    assert tables - {"SQLModel"} == set(models.DEFERRED)
    for name in models.DEFERRED:
        assert getattr(models, name) is getattr(models_deferred, name)
    from moralbank.storage.models import Board, Record

    assert Board.__tablename__ == "board" and Record.__tablename__ == "record"
