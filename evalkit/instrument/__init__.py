"""Instruments: the model, the loader and the shipped library."""

from evalkit.instrument.library import library_dir, library_files, load_instrument, load_library
from evalkit.instrument.load import Problem, check_instrument_file, load_instrument_file
from evalkit.instrument.model import (
    Choice,
    ChoiceList,
    Instrument,
    Item,
    Ratio,
    Scale,
    Section,
    Source,
    Term,
    Text,
)

__all__ = [
    "Choice",
    "ChoiceList",
    "Instrument",
    "Item",
    "Problem",
    "Ratio",
    "Scale",
    "Section",
    "Source",
    "Term",
    "Text",
    "check_instrument_file",
    "library_dir",
    "library_files",
    "load_instrument",
    "load_instrument_file",
    "load_library",
]
