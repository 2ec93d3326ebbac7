"""The ABC-SMC proposal keeps the importance weights usable where pyabc's default kernel does not.

A toy with the calibration's shape: many parameters with uniform priors, of which the summaries
identify three and leave the rest open (as the record leaves most of the 21 fitted parameters
open), on the fit scale of :mod:`sim.fitting.priors` (standard-normal priors). The same toy,
seed and sizes are fitted twice, with pyabc's default multivariate-normal kernel and with
:class:`sim.fitting.proposal.DiagonalGaussianProposal`; the claim tested is only the comparison
(the last generation's effective sample size is larger with ours), no tuned threshold.

Run as a script for the table in docs/calibration.md::

    .venv/bin/python tests/test_fitting_proposal.py 21 200 5
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest

pyabc = pytest.importorskip("pyabc")

from scipy.special import ndtr  # noqa: E402

from sim.fitting.proposal import DiagonalGaussianProposal  # noqa: E402
from sim.fitting.report_text import effective_sample_size  # noqa: E402

OBSERVED = {"a": 0.6, "b": 0.1, "c": 0.3}


class Toy:
    """Three noisy summaries of the first three parameters (priors uniform on [0, 1], fitted as normal scores)."""

    def __init__(self, dimension: int, seed: int) -> None:
        self.names = [f"p{i:02d}" for i in range(dimension)]
        self.rng = np.random.default_rng(seed)

    def __call__(self, scores: dict[str, float]) -> dict[str, float]:
        u = [float(ndtr(scores[n])) for n in self.names[:3]]
        noise = self.rng.normal(0.0, 0.1, 3)
        return {"a": u[0] + 0.5 * u[1] + noise[0], "b": u[1] - u[2] + noise[1], "c": u[2] + noise[2]}


def toy_distance(x: dict[str, float], y: dict[str, float]) -> float:
    return sum(abs(x[k] - y[k]) for k in OBSERVED)


def ess_by_generation(proposal: object, dimension: int, population: int, generations: int, folder: Path,
                      seed: int = 3) -> tuple[list[float], int]:
    """Effective sample size / population per generation, and the number of model runs."""
    logging.getLogger("ABC").setLevel(logging.WARNING)
    model = Toy(dimension, seed)
    prior = pyabc.Distribution(**{n: pyabc.RV("norm", 0.0, 1.0) for n in model.names})
    np.random.seed(seed)
    abc = pyabc.ABCSMC(model, prior, toy_distance, population_size=population, transitions=proposal,
                       sampler=pyabc.sampler.SingleCoreSampler())
    abc.new(f"sqlite:///{folder / f'{type(proposal).__name__}.db'}", OBSERVED)
    history = abc.run(max_nr_populations=generations)
    shares = [effective_sample_size(history.get_distribution(t=t)[1]) / population for t in range(history.max_t + 1)]
    return shares, int(history.get_all_populations()["samples"].sum())


@pytest.mark.slow
def test_the_gaussian_proposal_keeps_more_effective_particles_than_the_default_kernel(tmp_path):
    ours, _ = ess_by_generation(DiagonalGaussianProposal(), 15, 60, 3, tmp_path)
    default, _ = ess_by_generation(pyabc.MultivariateNormalTransition(), 15, 60, 3, tmp_path)
    assert ours[-1] > default[-1], (ours, default)


if __name__ == "__main__":
    import tempfile

    d, n, g = (int(a) for a in sys.argv[1:4])
    with tempfile.TemporaryDirectory() as tmp:
        for proposal in (pyabc.MultivariateNormalTransition(), DiagonalGaussianProposal()):
            shares, runs = ess_by_generation(proposal, d, n, g, Path(tmp))
            print(f"{type(proposal).__name__}: ESS/N by generation {[round(s, 2) for s in shares]}, {runs} runs")
