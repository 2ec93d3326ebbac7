"""ABC-SMC's proposal: one Gaussian with the particles' weighted mean and per-parameter variance,
on the fit scale (the priors' normal scores, :mod:`sim.fitting.priors`).

Why not pyabc's default (a multivariate-normal kernel around each particle, Silverman's bandwidth):
in 15-21 dimensions with 100-200 particles, the kernels hardly overlap, so the proposal density
at a new particle is set by its own kernel's height and varies by orders of magnitude from one
particle to the next; the importance weights prior/proposal inherit that spread, and the full
covariance estimated from so few particles is nearly singular in some directions. The first
default calibration's weights spanned 10^4-10^8 and its effective sample size was 1.6 of 100
(docs/calibration.md, "Why the first posterior was degenerate"). A single smooth Gaussian, with
the diagonal of the weighted covariance (times :data:`VARIANCE_SCALING`), keeps the weights even
where the posterior is close to a product of normals on the fit scale, which is what the priors
become there and what the parameters the data leave open stay. It ignores the posterior's
correlations (a cost in acceptance, not in correctness: the weights correct for any proposal
that covers the posterior, and a standard normal prior is covered by any Gaussian).

Independence proposals of this kind are the population Monte Carlo family (Cappe et al. 2004,
J. Comput. Graph. Stat. 13(4)); pyabc takes any :class:`pyabc.transition.Transition`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyabc  # this module is imported only when a calibration runs (pyabc is the calibration extra)

VARIANCE_SCALING = 1.0
"""Multiplies the weighted variances: 1 matches the posterior's spread (docs/calibration.md)."""


class DiagonalGaussianProposal(pyabc.transition.Transition):
    """A pyabc transition: N(weighted mean, VARIANCE_SCALING x diag(weighted variance)), independent of the particle."""

    def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
        values = X.to_numpy(dtype=float)
        weights = np.asarray(w, dtype=float) / np.sum(w)
        self.mean = weights @ values
        variance = weights @ (values - self.mean) ** 2
        # a parameter the particles all share (one particle carries the weight) keeps a floor of spread
        self.sd = np.sqrt(np.maximum(variance * VARIANCE_SCALING, 1e-6))

    def rvs_single(self) -> pyabc.Parameter:
        draw = self.mean + self.sd * np.random.standard_normal(len(self.mean))
        return pyabc.Parameter(dict(zip(self.X.columns, draw, strict=True)))

    def pdf(self, x: Any) -> float | np.ndarray:
        if isinstance(x, pd.DataFrame):
            arr = x[self.X.columns].to_numpy(dtype=float)
        else:
            arr = np.array([x[k] for k in self.X.columns], dtype=float)
        z = (arr - self.mean) / self.sd
        log_density = -0.5 * np.sum(z ** 2, axis=-1) - np.sum(np.log(self.sd)) - 0.5 * len(self.sd) * np.log(2 * np.pi)
        return np.exp(log_density)
