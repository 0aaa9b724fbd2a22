"""Services: the register, the standards and the ledger (the only writer of entries)."""
