"""Validate: the instrument's pandera schema, the ValidationReport, quarantine and privacy."""

from evalkit.validate.codes import CATALOGUE
from evalkit.validate.privacy import keyed_hash, new_key, protect
from evalkit.validate.report import (
    FAILURE_COLUMNS,
    ValidationReport,
    validate_file,
    validate_responses,
)
from evalkit.validate.schema import instrument_to_schema

__all__ = [
    "CATALOGUE",
    "FAILURE_COLUMNS",
    "ValidationReport",
    "instrument_to_schema",
    "keyed_hash",
    "new_key",
    "protect",
    "validate_file",
    "validate_responses",
]
