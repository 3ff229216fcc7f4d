"""The ``landrenewal`` command."""
