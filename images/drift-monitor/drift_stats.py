"""Drift statistics: the numbers the monitor publishes and alerts compare with each model's thresholds.

Each follows Evidently's definition of the same method (evidently 0.7.21,
src/evidently/legacy/calculations/stattests/{psi,jensenshannon,wasserstein_distance_norm,utils}.py), so the
Evidently report the job writes beside the metrics shows the same values. Only methods where a larger value means
more drift are offered: hypothesis-test p-values (Evidently's `ks`, `chisquare`) flag trivial shifts once a window
holds thousands of requests, which every served model's does.

Needs numpy and scipy only (Debian: python3-numpy, python3-scipy), so the unit tests run without Evidently.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import stats
from scipy.spatial import distance

METHODS = ("psi", "jensenshannon", "wasserstein")
# Evidently's rule: a numerical column with at most this many distinct reference values is binned per value.
MAX_DISTINCT_AS_CATEGORIES = 20
ZERO_SHARE = 0.0001


def _fill_zeroes(shares: np.ndarray) -> np.ndarray:
    """An empty bin gets a tiny share so PSI's logarithm stays finite (Evidently's `feel_zeroes`)."""
    nonzero = shares[shares != 0]
    fill = nonzero.min() / 10**6 if nonzero.min() <= ZERO_SHARE else ZERO_SHARE
    return np.where(shares == 0, fill, shares)


def binned_shares(reference: Sequence, current: Sequence, categorical: bool, fill_zeroes: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Share of each window's values per bin: Sturges bins over both windows for numerical data with more than 20
    distinct reference values, one bin per value otherwise."""
    ref = np.asarray(reference)
    cur = np.asarray(current)
    if not len(ref) or not len(cur):
        raise ValueError("both windows need at least one value")
    if not categorical and len(np.unique(ref)) > MAX_DISTINCT_AS_CATEGORIES:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]).astype(float), bins="sturges")
        ref_shares = np.histogram(ref, edges)[0] / len(ref)
        cur_shares = np.histogram(cur, edges)[0] / len(cur)
    else:
        keys = sorted(set(ref.tolist()) | set(cur.tolist()), key=str)
        ref_values, ref_counts = np.unique(ref.astype(str), return_counts=True)
        cur_values, cur_counts = np.unique(cur.astype(str), return_counts=True)
        ref_by, cur_by = dict(zip(ref_values, ref_counts)), dict(zip(cur_values, cur_counts))
        ref_shares = np.array([ref_by.get(str(k), 0) for k in keys]) / len(ref)
        cur_shares = np.array([cur_by.get(str(k), 0) for k in keys]) / len(cur)
    if fill_zeroes:
        return _fill_zeroes(ref_shares), _fill_zeroes(cur_shares)
    return ref_shares.astype(float), cur_shares.astype(float)


def psi(reference: Sequence, current: Sequence, categorical: bool = False) -> float:
    """Population stability index: sum over bins of (ref - cur) * ln(ref / cur). Rule of thumb: < 0.1 stable,
    0.1-0.2 moderate shift, > 0.2 significant."""
    r, c = binned_shares(reference, current, categorical)
    return float(np.sum((r - c) * np.log(r / c)))


def jensenshannon(reference: Sequence, current: Sequence, categorical: bool = False) -> float:
    """Jensen-Shannon distance (natural logarithm, so between 0 and sqrt(ln 2) ~ 0.833) of the binned shares."""
    r, c = binned_shares(reference, current, categorical, fill_zeroes=False)
    return float(distance.jensenshannon(r, c))


def wasserstein(reference: Sequence, current: Sequence, categorical: bool = False) -> float:
    """First Wasserstein distance divided by the reference's standard deviation (at least 0.001): how far, in
    reference standard deviations, the distribution moved."""
    if categorical:
        raise ValueError("wasserstein needs numerical values")
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    if not len(ref) or not len(cur):
        raise ValueError("both windows need at least one value")
    return float(stats.wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001))


def score(method: str, reference: Sequence, current: Sequence, categorical: bool) -> float:
    """The drift score of one feature by the named method (one of METHODS)."""
    if method not in METHODS:
        raise ValueError(f"unknown drift method {method!r}; allowed: {', '.join(METHODS)}")
    return {"psi": psi, "jensenshannon": jensenshannon, "wasserstein": wasserstein}[method](reference, current, categorical)


def performance_drop(reference_labels: Sequence[float], current_labels: Sequence[float]) -> float:
    """How much the mean label (1 = the answer was right/accepted, 0 = not) fell from the reference window to the
    current one; negative when it improved."""
    if not len(reference_labels) or not len(current_labels):
        raise ValueError("both windows need at least one label")
    return float(np.mean(np.asarray(reference_labels, dtype=float)) - np.mean(np.asarray(current_labels, dtype=float)))
