"""The command line: thin Typer commands (app, school, spaces, targets, feeds) and their Rich
rendering (render*.py). Imports bascule.operations, domain values, errors and settings, and
web.app for `bascule serve`; never a stage below operations."""
