"""Importing inventory files: map columns, coerce, validate, report, and upsert atomically."""
