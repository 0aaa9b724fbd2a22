"""Workflows that span layers: a report rendered to a file, signed, placed and logged."""
