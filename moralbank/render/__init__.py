"""Renderers and exports: turn report rows into tables, CSV, JSON and journals."""
