"""Data access: one module per resource, each function named for what it answers.

Functions take an open connection and keyword-only arguments, and return plain
dicts ready for orjson, so a route never re-shapes rows.
"""
