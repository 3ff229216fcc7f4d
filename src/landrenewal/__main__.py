"""``python -m landrenewal`` runs the command line."""

from landrenewal.cli.main import main

main()
