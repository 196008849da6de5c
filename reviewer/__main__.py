"""``python -m reviewer`` runs the command line."""

from reviewer.cli.app import main

main()
