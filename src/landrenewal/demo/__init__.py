"""A deterministic, realistic demo city."""
