"""Pure domain: points, dates, identity, canonical bytes, rules. Stdlib and dateutil only."""
