"""evalkit: measure what city international-affairs engagements achieve, in person,
virtually and in hybrid form.

The public API is imported lazily so that ``import evalkit`` (and ``evalkit --help``) stays fast.
"""

from __future__ import annotations

from typing import Any

from evalkit._version import __version__

_LAZY = {
    "load_instrument": "evalkit.instrument",
    "load_library": "evalkit.instrument",
    "check_instrument_file": "evalkit.instrument",
    "Instrument": "evalkit.instrument",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
