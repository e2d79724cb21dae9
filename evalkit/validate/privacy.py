"""Keep personal data out of the analysis frame.

Items marked ``pii: true`` are dropped. An item that is both ``role: id`` and ``pii: true``
(an e-mail address or participant code) is replaced by ``<item>__key``: HMAC-SHA256 of the
trimmed, case-folded identifier under a per-workspace secret key. The same person gets the
same key in every survey of that workspace, so follow-ups link to earlier responses, while
the workspace never holds the identifier itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.instrument.model import Instrument

KEY_SUFFIX = "__key"


def new_key() -> str:
    """A fresh random secret (64 hex digits) for a workspace."""
    return secrets.token_hex(32)


def keyed_hash(identifier: str, key: str) -> str:
    """HMAC-SHA256 of a normalised identifier (trimmed, case-folded), as hex.

    Examples
    --------
    >>> keyed_hash(" Ana@Example.org ", "k") == keyed_hash("ana@example.org", "k")
    True
    >>> len(keyed_hash("ana@example.org", "k"))
    64
    """
    normalised = identifier.strip().casefold().encode("utf-8")
    return hmac.new(key.encode("utf-8"), normalised, hashlib.sha256).hexdigest()


def protect(frame: pd.DataFrame, instrument: Instrument, key: str | None) -> pd.DataFrame:
    """The frame without pii columns; id+pii items as keyed hashes (dropped when no key).

    The input frame is not modified.
    """
    out = frame
    for item in instrument.pii_items:
        if item.id not in out:
            continue
        if item.role == "id" and key is not None:
            values = out[item.id].astype("string")
            uniques = values.dropna().unique()
            # one HMAC per distinct identifier, not per row
            hashes = {v: keyed_hash(v, key) for v in uniques if v.strip()}
            out = out.assign(**{item.id + KEY_SUFFIX: values.map(hashes).astype("string")})
        out = out.drop(columns=[item.id])
    return out.reset_index(drop=True)
