"""The demo's bank: a signed list exported to it, and its answer (approvals, then drawings) made from that list and imported."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from moralbank.domain.credit_policy import CreditPolicy
from moralbank.render.formats import CsvWriter
from moralbank.services.bank_results import Recorded, record_results
from moralbank.services.bank_tables import read_bank_table
from moralbank.services.signing import generate_keys
from moralbank.storage.db import EngineAccess, retrying
from moralbank.workflows.credit_export import ExportResult, export_signed

DEMO_BANK = "于河农商银行"
REFUSAL = "经营资料不全，暂缓授信"


@dataclass(frozen=True)
class BankAnswered:
    """The demo's list and the two tables its bank sent back, recorded."""

    folder: Path
    export: ExportResult
    approvals: Recorded
    drawings: Recorded


def _write(path: Path, rows: list[list[object]]) -> Path:
    stream = io.StringIO()
    CsvWriter(stream, lineterminator="\r\n").writerows(rows)
    path.write_bytes(stream.getvalue().encode("utf-8-sig"))
    return path


def _listed(path: Path) -> list[list[str]]:
    """The list's rows (household, village, village name, head, masked ID, tier, credit line, …)."""
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))[1:]


def _approvals(listed: list[list[str]], on: date) -> list[list[object]]:
    """The bank's 整村授信批量审批表: each household its suggested line in 万元, the last one refused."""
    rows: list[list[object]] = [
        ["序号", "姓名", "身份证号码", "授信金额（万元）", "授信期限（年）", "审批日期", "备注"]
    ]
    for n, (_, _, _, head, masked, _, line, *_) in enumerate(listed, start=1):
        refused = n == len(listed) and n > 1
        amount = "0" if refused else f"{int(line) / 10_000:g}"
        rows.append([n, head, masked, amount, "" if refused else 3, on.isoformat(), REFUSAL if refused else ""])
    return rows


def _drawings(listed: list[list[str]], on: date) -> list[list[object]]:
    """A 用信 table: the first three households have drawn half their line."""
    rows: list[list[object]] = [["户编号", "姓名", "用信金额（元）", "用信日期"]]
    for code, _, _, head, _, _, line, *_ in listed[:3]:
        rows.append([code, head, int(line) // 2, on.isoformat()])
    return rows


def bank_answer(engine: Engine, *, folder: Path, policy: CreditPolicy, operator: str, today: date) -> BankAnswered:
    """Export the demo's list to its bank, then import the bank's approvals and drawings made from it."""
    keys = generate_keys(folder)
    out = folder / "credit_list.csv"
    done = export_signed(
        database=EngineAccess(engine), policy=policy, as_of=today, bank=DEMO_BANK, out=out, file_format="csv",
        signing_key=keys.private, operator=operator,
    )  # fmt: skip
    listed = _listed(out)

    def answer(name: str, rows: list[list[object]]) -> Recorded:
        path = _write(folder / name, rows)
        table = read_bank_table(path, kind=None, on=None, today=today)
        return retrying(
            engine,
            lambda session: record_results(
                session, table=table, path=path, bank=DEMO_BANK, export_id=done.id, operator=operator
            ),
        )

    approvals = answer("approvals.csv", _approvals(listed, today))
    return BankAnswered(folder, done, approvals, answer("drawings.csv", _drawings(listed, today)))
