"""Renewal and disposal projects (docs/projects.md): workflows as policy data, an append-only
event archive from which stages and deadlines are derived, the consent ledger and collective votes.

Pure: no I/O. Storage, files, web and the command line depend on this package, never the reverse.
"""
