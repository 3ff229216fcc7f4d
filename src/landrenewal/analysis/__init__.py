"""Evaluation, identification and explanation runs: read the store, apply the domain, store the result."""
