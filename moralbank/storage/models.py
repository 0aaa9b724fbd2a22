"""SQLModel tables mapped onto schema.sql (which creates them; these classes only map).

The tables a decision touches are built here; the others (boards, exports, the bank's answers,
the shop, imports, register history, records) in ``models_deferred``, on first use of one of
them: building a table class costs about 4 ms, and ``award`` is mostly start-up (issue 16,
bench/RESULTS.md). ``from moralbank.storage.models import Board`` works as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Field, SQLModel

if TYPE_CHECKING:
    from moralbank.storage.models_deferred import BankImport as BankImport
    from moralbank.storage.models_deferred import BankResult as BankResult
    from moralbank.storage.models_deferred import Board as Board
    from moralbank.storage.models_deferred import ExportedRow as ExportedRow
    from moralbank.storage.models_deferred import ExportLog as ExportLog
    from moralbank.storage.models_deferred import HouseholdChange as HouseholdChange
    from moralbank.storage.models_deferred import Record as Record
    from moralbank.storage.models_deferred import SheetImport as SheetImport
    from moralbank.storage.models_deferred import ShopItem as ShopItem
    from moralbank.storage.models_deferred import StockMovement as StockMovement
    from moralbank.storage.models_deferred import VillagePolicy as VillagePolicy

# Built on first use, by ``__getattr__`` below.
DEFERRED = (
    "Board",
    "ExportLog",
    "ShopItem",
    "StockMovement",
    "VillagePolicy",
    "SheetImport",
    "ExportedRow",
    "BankImport",
    "BankResult",
    "HouseholdChange",
    "Record",
)


class Village(SQLModel, table=True):
    """A village: its own chain of entries and its publication settings."""

    code: str = Field(primary_key=True)
    name: str
    town: str
    county: str
    notice_days: int = 0
    black_list: int = 0
    maker_checker: int = 0
    created_at: str
    committee: str = ""
    contact: str = ""


class Household(SQLModel, table=True):
    """A registered household; the ID number and phone are stored whole and shown masked."""

    code: str = Field(primary_key=True)
    village: str = Field(foreign_key="village.code")
    head_name: str
    id_number: str
    phone: str = ""
    members: int
    grid: str = ""
    address: str = ""
    consent_board: int
    consent_bank: int
    registered_on: str


class Resolution(SQLModel, table=True):
    """The assembly meeting that adopted a set of standards."""

    id: int | None = Field(default=None, primary_key=True)
    village: str | None = Field(default=None, foreign_key="village.code")
    held_on: str
    body: str
    members: int
    present: int
    in_favour: int
    against: int
    abstain: int
    minutes: str = ""
    operator: str
    recorded_at: str


class Standard(SQLModel, table=True):
    """One version of one behaviour standard."""

    id: str = Field(primary_key=True)
    scope: str
    code: str
    version: int
    title: str
    category: str
    points: int
    monthly_cap: int | None = None
    veto: int = 0
    effective_from: str
    effective_to: str | None = None
    resolution_id: int = Field(foreign_key="resolution.id")


class Entry(SQLModel, table=True):
    """One ledger entry: a transfer of whole coins, linked into its village's hash chain."""

    id: int | None = Field(default=None, primary_key=True)
    village: str = Field(foreign_key="village.code")
    seq: int
    kind: str
    household: str = Field(foreign_key="household.code")
    debit: str
    credit: str
    amount: int
    coins: int
    earned: int
    standard_id: str | None = Field(default=None, foreign_key="standard.id")
    qty: int | None = None
    event_date: str
    booked_on: str
    ref_seq: int | None = None
    note: str = ""
    operator: str
    idem_key: str | None = None
    recorded_at: str
    prev_hash: str
    hash: str
    chain_format: int = 1  # the rule that hashed this entry (domain/chain.CHAIN_FORMATS)


class Operator(SQLModel, table=True):
    """One registration of an operator with a role; a name's role is its latest row (append-only)."""

    __tablename__ = "operator"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    role: str
    added_by: str
    recorded_at: str


# --- records (issue 10) ---


class CurrentHousehold(SQLModel, table=True):
    """A household's current details (the view household_current): its registration, latest change applied."""

    __tablename__ = "household_current"

    code: str = Field(primary_key=True)
    village: str
    head_name: str
    id_number: str
    phone: str = ""
    members: int
    grid: str = ""
    address: str = ""
    consent_board: int
    consent_bank: int
    registered_on: str


class HouseholdMove(SQLModel, table=True):
    """A household's move between villages: from, to, on a date, why, who, and the two entries that carried its coins."""

    __tablename__ = "household_move"

    id: int | None = Field(default=None, primary_key=True)
    household: str = Field(foreign_key="household.code")
    from_village: str = Field(foreign_key="village.code")
    to_village: str = Field(foreign_key="village.code")
    on_date: str
    out_seq: int
    in_seq: int
    reason: str
    operator: str
    recorded_at: str


class Consent(SQLModel, table=True):
    """A household's grant or withdrawal of consent for one recipient (the board, a bank, or every bank: '*')."""

    id: int | None = Field(default=None, primary_key=True)
    household: str = Field(foreign_key="household.code")
    recipient: str
    bank: str = ""
    action: str
    on_date: str
    form_ref: str = ""
    reason: str = ""
    source: str = ""
    operator: str
    recorded_at: str


def __getattr__(name: str) -> Any:  # a deferred table, built when first named
    if name in DEFERRED:
        from moralbank.storage import models_deferred

        return getattr(models_deferred, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
