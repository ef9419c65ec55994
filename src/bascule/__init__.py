"""bascule: the yearly identity rollover of French collèges."""

__version__ = "0.1.0"
