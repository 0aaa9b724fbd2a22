"""moralbank: a tamper-evident moral-credit points ledger for village committees."""

__version__ = "0.2.0"
