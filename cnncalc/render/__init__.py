"""Renderers: turn a report or diagnostics into text. Only ``table.py`` imports rich."""
