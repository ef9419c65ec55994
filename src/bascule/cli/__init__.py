"""The command line: thin Typer commands; every Rich rendering lives in render.py."""
