"""Design-based intervals cover under a simulated cluster sample (issue 20, "done when").

A population of 600 districts (clusters) in two strata, 10-50 schools each, with a district
effect (intra-class correlation about 0.25); each replicate samples 20 districts per stratum
without replacement and every school in them, and the 95% interval of the overall mean that
``evalkit analyze`` reports for a design, mean +- t SE on the design's df (40 PSUs - 2 strata
= 38; R ``confint(svymean(...), df=degf(design))``), is checked against the population mean.
The normal interval (R's default ``confint``) covered 92.4-94.4% here, at the lower edge.
Ignoring the clusters (each school its own PSU) is shown to under-cover, so the test can tell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze import _dist
from evalkit.analyze.survey import domain_means, sample_design


def _population(rng):
    n_districts = 600
    stratum = np.repeat([0, 1], n_districts // 2)
    size = rng.integers(10, 51, n_districts)
    effect = rng.normal(0, 1.0, n_districts) + 0.8 * stratum
    district = np.repeat(np.arange(n_districts), size)
    y = 5 + effect[district] + rng.normal(0, 1.7, len(district))
    return pd.DataFrame({"district": district, "stratum": stratum[district], "y": y})


def _coverage(pop, rng, reps, cluster):
    """Share of ``reps`` samples whose interval holds the population mean."""
    truth = pop.y.mean()
    rows = pop.groupby("district").indices
    per = pop.groupby("stratum").district.unique()
    hits = 0
    for _ in range(reps):
        chosen = np.concatenate([rng.choice(per[h], 20, replace=False) for h in (0, 1)])
        s = pop.iloc[np.concatenate([rows[c] for c in chosen])].reset_index(drop=True)
        s["N"] = 300  # districts per stratum
        w = np.full(len(s), 300 / 20)
        d = sample_design(s, w, strata="stratum", cluster="district" if cluster else None,
                          fpc="N" if cluster else None)  # fmt: skip
        _, mean, cov, _, _ = domain_means(np.zeros(len(s), int), s.y.to_numpy(), w, 1, d)
        q = _dist.t.ppf(0.975, d.degf)
        hits += abs(mean[0] - truth) <= q * np.sqrt(cov[0, 0])
    return hits / reps


def test_cluster_design_interval_covers_and_ignoring_clusters_does_not():
    """Three populations, 800 samples each (the pooled coverage has an SE of about 0.45%)."""
    covered = []
    for seed in (20, 21, 22):
        rng = np.random.default_rng(seed)
        covered.append(_coverage(_population(rng), rng, 800, cluster=True))
    assert 0.93 <= np.mean(covered) <= 0.97, covered
    rng = np.random.default_rng(23)
    naive = _coverage(_population(rng), rng, 200, cluster=False)
    assert naive < 0.80, naive
