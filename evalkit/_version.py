"""The evalkit version, kept in one place (read by hatchling and by ``evalkit --version``)."""

__version__ = "0.1.0"
