"""Small-cell suppression: groups below the threshold, and cells derivable from totals.

A group with fewer than ``min_cell`` answers is not shown. Because a table that shows the
total of a row would let a reader recover a single hidden group by subtraction
(total - shown groups), a second, smallest remaining group is suppressed as well
(complementary suppression, as statistical offices do; Hundepool et al. 2012,
*Statistical Disclosure Control*, Wiley, ch. 4).
"""

from __future__ import annotations

import numpy as np

from evalkit.errors import UsageError


def check_min_cell(min_cell: int) -> None:
    """Raise a UsageError unless ``min_cell`` is a non-negative integer."""
    if min_cell < 0:
        raise UsageError(f"--min-cell must be 0 or more, got {min_cell}", hint="the default is 10")


def suppressed_groups(n_by_group, min_cell: int = 10, totals_shown: bool = True) -> np.ndarray:
    """Boolean mask of groups to suppress, given each group's count.

    Groups with ``0 < n < min_cell`` are suppressed (empty groups reveal nothing). When exactly
    one group is suppressed and totals are shown, the smallest other non-empty group is
    suppressed too, so the hidden count cannot be derived as total minus the others.

    Examples
    --------
    >>> suppressed_groups([120, 4, 50, 30]).tolist()
    [False, True, False, True]
    >>> suppressed_groups([120, 4, 5, 30]).tolist()
    [False, True, True, False]
    >>> suppressed_groups([120, 0, 50]).tolist()
    [False, False, False]
    """
    check_min_cell(min_cell)
    n = np.asarray(n_by_group, dtype=float)
    mask = (n > 0) & (n < min_cell)
    if totals_shown and mask.sum() == 1:
        candidates = np.where(~mask & (n > 0), n, np.inf)
        if np.isfinite(candidates).sum() >= 2:  # keep at least one group visible
            mask[int(np.argmin(candidates))] = True
    return mask
