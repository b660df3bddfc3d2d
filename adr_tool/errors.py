"""Exceptions for conditions that stop a whole command (bad input files are diagnostics)."""

from __future__ import annotations


class AdrError(Exception):
    """A fatal, user-facing error: the CLI prints its message on one line and exits 1."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFoundError(AdrError):
    """A record, folder or file named by the user does not exist."""


class ConfigError(AdrError):
    """The configuration in pyproject.toml or .adr.toml is invalid."""
