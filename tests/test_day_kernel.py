"""The day's folded kernels (tiny world) give what the steps they fold gave, to the last bit and draw for draw."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import embed_cell, tiny_model

import sim
from sim import modifiers
from sim.compiled import stream_of
from sim.mechanisms.patrols import village_guard
from sim.mechanisms.raids import NO_CHANCE, NO_RATE, draw_finds, draw_raids, raid_day


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    m = tiny_model(tmp_path)
    for _ in range(6):  # cells hiding in SDF-held land, some of them named by captured members
        m.add_cell(0, 0, 0, 3)
    for row in np.flatnonzero(m.cells.alive):
        embed_cell(m, int(row), "Easttown")
    m.cells.exposure[::2] = 0.5
    m.mechanisms.patrols.day()
    return m


def _both(m: sim.InsurgencyModel) -> tuple[tuple, tuple]:
    """Today's raids drawn step by step (rates, raids, then the named cells when none was raided) and by
    :func:`raid_day`, from the same state of the model's Generator: each path's outputs and the state after."""
    raids, rng = m.mechanisms.raids, m.rng
    sites = m.cell_sites()
    rows, near, named = sites.in_sdf, sites.near_sdf, float(m.p.sdf_operations * m.p.exposed_detection)
    n, start = len(m.villages), rng.bit_generator.state
    drawn, hits = np.zeros((3, n), np.int64), np.zeros((3, len(rows)), np.int64)
    k = draw_raids(stream_of(m), raids.raid_rate(), drawn[0], drawn[1], drawn[2])
    found = -1 if k else draw_finds(stream_of(m), rows, near, drawn[0], NO_CHANCE, named, m.cells.exposure, hits[0],
                                    hits[1], hits[2])
    steps = (k, found, drawn.copy(), hits.copy(), rng.bit_generator.state)
    rng.bit_generator.state = start
    drawn, hits = np.zeros((3, n), np.int64), np.zeros((3, len(rows)), np.int64)
    k, found = raid_day(stream_of(m), NO_RATE, True, *raids.rate_inputs(), drawn, rows, near, named,
                        m.cells.exposure, hits)
    return steps, (k, found, drawn, hits, rng.bit_generator.state)


def test_the_day_kernel_draws_the_raids_and_the_named_cells_as_the_steps_do(model: sim.InsurgencyModel) -> None:
    p = model.p
    p.sdf_operations, p.exposed_detection = 4.0, 0.25  # a named cell's daily chance: 4 x 0.25 x its exposure
    model.villages.influence[:] = 1.0
    quiet, busy = 0, 0
    for day in range(40):
        # quiet days mostly; every fifth day raids everywhere (the kernel stops before the finds)
        p.detection_base = 1.0 if day % 5 == 0 else 1e-9
        steps, folded = _both(model)
        assert steps[:2] == folded[:2] and steps[4] == folded[4]
        assert np.array_equal(steps[2], folded[2]) and np.array_equal(steps[3], folded[3])
        quiet, busy = quiet + (folded[0] == 0 and folded[1] > 0), busy + (folded[0] > 0)
    assert quiet and busy  # both kinds of day were drawn, quiet ones with named cells


def test_a_replaced_raid_rate_is_the_one_drawn(model: sim.InsurgencyModel) -> None:
    raids, east = model.mechanisms.raids, model.village_index["Easttown"]
    model.p.raid_suspects_mean = 0.0
    rate = np.zeros(len(model.villages))
    rate[east] = 50.0
    raids.raid_rate = lambda: rate
    raids.day()
    assert model.accounts.totals["raids"] == model.accounts.totals_by_village[("raids", east)] > 0


def test_the_guard_kernel_is_the_numpy_rule(model: sim.InsurgencyModel) -> None:
    m, p, v, u = model, model.p, model.villages, model.units
    patrols = m.mechanisms.patrols
    u.strength[0] = 37
    m.policy.withdraw_coalition(m.day, ["raqqa"])
    on = patrols.on_patrol()
    rows, counts, fade = patrols.reach(on)
    pull = np.repeat(u.strength[on] / p.sdf_unit_size, counts)
    cover = np.bincount(rows, weights=pull * fade, minlength=len(v))
    plain = (cover * modifiers.presence(m, np.arange(len(v))) / p.guard_saturation).clip(0.0, 1.0)
    plain[~v.sdf_held] = 0.0
    assert np.array_equal(village_guard(m, on, (rows, counts, fade)), plain)


def test_the_fade_kernel_applies_the_retention(model: sim.InsurgencyModel) -> None:
    v, influence = model.villages, model.mechanisms.influence
    v.influence[:] = np.linspace(0.0, 1.0, len(v))
    v.fear[:] = 0.5
    v.has_council[::2] = v.has_chairman[::2] = True
    entrench = influence.entrenchment()
    assert entrench is not None
    plain = v.influence * influence.retention()
    plain = (plain + entrench * (1.0 - plain)).clip(0.0, 1.0)
    influence.day()
    assert np.array_equal(v.influence, plain)
    assert np.array_equal(model.grid.is_influence.data[v.x, v.y], plain)
