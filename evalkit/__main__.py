"""``python -m evalkit`` runs the command-line interface."""

from evalkit.cli._entry import main

main()
