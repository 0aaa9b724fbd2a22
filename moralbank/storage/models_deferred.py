"""The tables a decision never touches, mapped as ``models`` maps the others (built on first use)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Board(SQLModel, table=True):
    """A published monthly board: its snapshot, the checkpoint it was made at, and its hash."""

    id: int | None = Field(default=None, primary_key=True)
    village: str = Field(foreign_key="village.code")
    month: str
    seq: int
    head_hash: str
    snapshot: str
    snapshot_hash: str
    operator: str
    published_at: str


class ExportLog(SQLModel, table=True):
    """One signed credit export handed to a bank; the log is append-only."""

    __tablename__ = "export_log"

    id: int | None = Field(default=None, primary_key=True)
    exported_at: str
    operator: str
    bank: str
    as_of: str
    format: str
    row_count: int
    full_id: int
    file_name: str
    file_sha256: str
    policy_hash: str
    key_id: str
    replaced: int = 0


class ShopItem(SQLModel, table=True):
    """One version of one points-supermarket item: its name, unit and price in coins from a date."""

    __tablename__ = "shop_item"

    id: str = Field(primary_key=True)
    scope: str
    code: str
    version: int
    name: str
    unit: str = ""
    price: int
    low_stock: int = 0
    effective_from: str
    retired: int = 0
    operator: str
    recorded_at: str


class StockMovement(SQLModel, table=True):
    """Goods in or out of one village's supermarket, linked into the village's stock chain."""

    __tablename__ = "stock_movement"

    id: int | None = Field(default=None, primary_key=True)
    village: str = Field(foreign_key="village.code")
    seq: int
    item: str
    kind: str
    qty: int
    value_fen: int | None = None
    entry_seq: int | None = None
    household: str | None = Field(default=None, foreign_key="household.code")
    booked_on: str
    note: str = ""
    operator: str
    idem_key: str | None = None
    recorded_at: str
    prev_hash: str
    hash: str


class VillagePolicy(SQLModel, table=True):
    """A village's supermarket and year rules; a village without a row has the defaults."""

    __tablename__ = "village_policy"

    village: str = Field(primary_key=True, foreign_key="village.code")
    min_balance: int = 0
    redemption_days: str = ""
    year_end_clearing: int = 0
    base_score: int = 0
    star_titles: str = ""


class SheetImport(SQLModel, table=True):
    """One imported sheet: its file's name and SHA-256, rows, operator, and the entries it wrote."""

    __tablename__ = "sheet_import"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    file_name: str
    file_sha256: str
    row_count: int
    entry_count: int = 0
    entries: str = ""
    operator: str
    imported_at: str


# --- the bank's answer (issue 15) ---


class ExportedRow(SQLModel, table=True):
    """One household of a signed export as the list showed it (the ID number masked, always)."""

    __tablename__ = "export_row"

    export_id: int = Field(primary_key=True, foreign_key="export_log.id")
    row_no: int = Field(primary_key=True)
    household: str = Field(foreign_key="household.code")
    id_masked: str
    head_name: str


class BankImport(SQLModel, table=True):
    """One table a bank sent back: its bank, the export it answers, its file and rows."""

    __tablename__ = "bank_import"

    id: int | None = Field(default=None, primary_key=True)
    bank: str
    export_id: int = Field(foreign_key="export_log.id")
    kind: str
    file_name: str
    file_sha256: str
    row_count: int
    operator: str
    imported_at: str


class BankResult(SQLModel, table=True):
    """One line of a bank's table matched to a household of an export; amounts in fen."""

    __tablename__ = "bank_result"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="bank_import.id")
    source_row: int
    bank: str
    export_id: int
    export_row: int
    household: str = Field(foreign_key="household.code")
    kind: str
    on_date: str
    amount_fen: int
    approved: int | None = None
    term_months: int | None = None
    overdue_days: int | None = None
    note: str = ""


class HouseholdChange(SQLModel, table=True):
    """One recorded change of a household's details: the details after it, who, when and why."""

    __tablename__ = "household_change"

    id: int | None = Field(default=None, primary_key=True)
    household: str = Field(foreign_key="household.code")
    head_name: str
    members: int
    phone: str
    grid: str
    address: str
    reason: str
    operator: str
    changed_at: str


class Record(SQLModel, table=True):
    """The canonical body of one covered row, in its scope's hash chain."""

    id: int | None = Field(default=None, primary_key=True)
    scope: str
    seq: int
    kind: str
    ref: str
    body: str
    recorded_at: str
    prev_hash: str
    hash: str
