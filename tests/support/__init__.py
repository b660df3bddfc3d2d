"""Helpers shared by the reliability tests (pipeline runner, hostile-input generators)."""
