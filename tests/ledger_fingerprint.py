"""What a ledger shows its users, as plain data: an upgrade must leave every part of it identical.

Only APIs that release 0.1.0 already had are used, so the same function made
``tests/data/release-0.1.0.expected.json`` with that release's own code:

    git worktree add /tmp/rel-0.1.0 821239d && cd /tmp/rel-0.1.0 && python3 -m venv .venv
    .venv/bin/pip install -e . && cp <repo>/tests/data/release-0.1.0.db /tmp/r.db
    .venv/bin/python <repo>/tests/ledger_fingerprint.py /tmp/r.db > <repo>/tests/data/release-0.1.0.expected.json
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from moralbank.domain.credit_policy import load_policy
from moralbank.reports.credit import rate
from moralbank.reports.heads import checkpoints
from moralbank.reports.integrity import verify
from moralbank.reports.passbook import balance
from moralbank.reports.registry import household_rows
from moralbank.resources import fixtures_dir
from moralbank.storage.models import Board

RATED_ON = date(2026, 12, 1)  # the release file's demo ran on this day


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False, sort_keys=True))


def fingerprint(session: Session) -> dict[str, Any]:
    """Verify's verdict, every chain head, every balance, every published board, every rating and all hashes."""
    report = verify(session)
    chain = session.execute(text("SELECT village, seq, prev_hash, hash FROM entry ORDER BY village, seq")).all()
    boards = session.exec(select(Board).order_by(Board.id)).all()  # type: ignore[arg-type]
    return _plain(
        {
            "verify": {
                "ok": report.ok,
                "villages": report.villages,
                "entries": report.entries,
                "boards": report.boards,
                "problems": [dataclasses.asdict(p) for p in report.problems],
            },
            # The ledger chains' heads: release 0.1.0 had no stock chains.
            "checkpoints": [
                {"village": p.village, "seq": p.seq, "hash": p.hash} for p in checkpoints(session) if p.village != "*"
            ],
            "balances": [dataclasses.asdict(balance(session, household=row.code)) for row in household_rows(session)],
            "boards": [board.model_dump() for board in boards],
            "ratings": dataclasses.asdict(
                rate(session, load_policy(fixtures_dir() / "credit_policy.toml"), as_of=RATED_ON)
            ),
            "chain_sha256": hashlib.sha256(json.dumps([list(row) for row in chain]).encode()).hexdigest(),
        }
    )


if __name__ == "__main__":
    from moralbank.storage.db import open_engine, reading

    with reading(open_engine(sys.argv[1])) as session:
        print(json.dumps(fingerprint(session), ensure_ascii=False, indent=1, sort_keys=True))
