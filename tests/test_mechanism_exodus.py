"""The post-Baghouz exodus on the tiny world: the day-one surplus outside the Badia passes through and leaves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from accounting import books_balance
from tiny_world import tiny_model

import sim
from sim.mechanisms.exodus import Exodus
from sim.world.names import REGIME

MORE_CELLS = {"is_fighters_total": 2000, "exodus_enabled": True}  # about 20 cells instead of one; exodus on
# (off by default: the shipped calibration is fitted without it)
# nobody removed or added but by the exodus
QUIET = {"raids_enabled": False, "recruitment_enabled": False, "badia_front_enabled": False, "prison_enabled": False}


def _outside_badia(m: sim.InsurgencyModel) -> np.ndarray:
    c = m.cells
    return np.flatnonzero((m.geography.holder[c.base_x, c.base_y] != REGIME) & c.alive)


def test_the_surplus_over_the_2022_strength_is_in_transit_and_only_outside_the_badia(tmp_path: Path) -> None:
    shares = {}
    for factor in (1.0, 2.0, 4.0):
        ms = [tiny_model(tmp_path / f"{factor}-{seed}", seed=seed, is_fighters_2019_factor=factor, **MORE_CELLS)
              for seed in range(1, 9)]
        outside = sum(len(_outside_badia(m)) for m in ms)
        transit = [m.mechanisms.exodus.in_transit for m in ms]
        assert all(set(t.tolist()) <= set(_outside_badia(m).tolist()) for t, m in zip(transit, ms, strict=True))
        shares[factor] = sum(len(t) for t in transit) / outside
    # expected 0, 1/2 and 3/4 of the cells outside the Badia (binomial over about 100 cells a factor)
    assert shares[1.0] == 0 and 0.35 < shares[2.0] < 0.65 and 0.6 < shares[4.0] < 0.9


def test_cells_in_transit_leave_at_the_monthly_rate_and_the_books_balance(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, months=6, is_fighters_2019_factor=4.0, exodus_months=3.0, **MORE_CELLS, **QUIET)
    transit = m.mechanisms.exodus.in_transit.copy()
    staying = np.setdiff1d(np.flatnonzero(m.cells.alive), transit)
    fighters = int(m.cells.fighters[transit].sum())
    assert len(transit) >= 10
    m.run()
    gone = ~m.cells.alive[transit]
    # each leaves by month 6 with chance 1 - exp(-6/3) = 0.86: most, and not necessarily all
    assert gone.mean() > 0.6
    assert m.cells.alive[staying].all()  # no other cell leaves
    left = m.accounts.people["fighters_left"]
    assert 0 < left <= fighters and left == fighters - int(m.cells.fighters[transit[~gone]].sum())
    assert m.mechanisms.exodus.fighters_in_transit() == int(m.cells.fighters[transit[~gone]].sum())
    books_balance(m)


def test_a_longer_stay_keeps_more_in_transit(tmp_path: Path) -> None:
    left = {}
    for months in (1.0, 24.0):
        m = tiny_model(tmp_path / str(months), months=3, is_fighters_2019_factor=4.0, exodus_months=months,
                       **MORE_CELLS, **QUIET)
        m.run()
        left[months] = m.accounts.people["fighters_left"]
    assert left[1.0] > 2 * left[24.0]


def test_off_or_at_factor_one_nothing_is_in_transit_and_no_draw_is_made(tmp_path: Path) -> None:
    runs = {}
    for name, setting in {"off": {"exodus_enabled": False}, "off_long": {"exodus_enabled": False, "exodus_months": 30},
                          "on": {}}.items():
        m = tiny_model(tmp_path / name, months=3, is_fighters_2019_factor=3.0, **{**MORE_CELLS, **setting})
        m.run()
        runs[name] = m
    assert len(runs["off"].mechanisms.exodus.in_transit) == 0
    assert runs["off"].accounts.totals == runs["off_long"].accounts.totals  # the time is irrelevant when off
    assert runs["off"].accounts.people["fighters_left"] == 0 < runs["on"].accounts.people["fighters_left"]
    one = tiny_model(tmp_path / "one", is_fighters_2019_factor=1.0, **MORE_CELLS)
    assert len(one.mechanisms.exodus.in_transit) == 0
    # no random number drawn when off: a fresh Exodus leaves the generator where it was
    m = runs["off"]
    before = m.rng.bit_generator.state
    Exodus(m)
    assert m.rng.bit_generator.state == before
    m.p.exodus_enabled = True
    Exodus(m)  # on, it draws (so the check above can fail)
    assert m.rng.bit_generator.state != before
