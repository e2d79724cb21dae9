"""Partners over the years (issue 22): the register of partner names, and their lifecycle.

:mod:`evalkit.partners.register` reads the office's ``partners.yaml`` (canonical ids, names,
aliases, type, country, legacy ties), resolves the names found in the workspace to canonical
ids, lists the names the register lacks and proposes merges of look-alike names.
"""

from __future__ import annotations

from evalkit.partners.register import (
    PARTNER_TYPES,
    Partner,
    PartnerRegisterError,
    Register,
    fold,
    load_register,
)

__all__ = [
    "PARTNER_TYPES",
    "Partner",
    "PartnerRegisterError",
    "Register",
    "fold",
    "load_register",
]
