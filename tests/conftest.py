"""Shared fixtures: short runs of the shipped scenarios."""

from __future__ import annotations

import pytest

import sim


@pytest.fixture(scope="session")
def baseline_short() -> sim.InsurgencyModel:
    """The baseline over 12 months, seed 3."""
    return sim.InsurgencyModel(sim.load_scenario("baseline", months=12), rng=3).run()
