"""Reports: balances, statements, integrity checks; typed rows, never formatted text."""
