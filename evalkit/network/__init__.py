"""Network: offices share aggregates (``share``), a coordinator pools them (``pool``).

Only aggregates leave an office (:mod:`evalkit.network.disclosure`): a bundle
(:mod:`evalkit.network.bundle`) holds counts, means and variances, KPI numerators and
denominators, and a disclosure log. :mod:`evalkit.network.pool` verifies bundles and pools
them (Mantel–Haenszel, CMH tests, random-effects meta-analysis in
:mod:`evalkit.network.meta`); :mod:`evalkit.network.funnel` gives network KPIs with funnel
limits. See docs/network.md.
"""

from evalkit.network.bundle import read_bundle, write_bundle
from evalkit.network.meta import meta_analysis
from evalkit.network.pool import load_bundles, pool, pool_bundles
from evalkit.network.share import aggregate_frame, share_from_workspace

__all__ = [
    "aggregate_frame",
    "load_bundles",
    "meta_analysis",
    "pool",
    "pool_bundles",
    "read_bundle",
    "share_from_workspace",
    "write_bundle",
]
