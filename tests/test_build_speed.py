"""The model's grid is Mesa's Moore grid, freed with its model; the day's phase hooks follow their switches."""

from __future__ import annotations

import copy
import copyreg
import itertools
import pickle
import random

import pytest
from mesa.discrete_space import OrthogonalMooreGrid

import sim
from sim.model import PhaseHooks
from sim.world.space import MooreGrid


def _cell_state(cell) -> tuple:
    return (cell.coordinate, cell._position, cell.capacity, cell.properties, cell._agents,
            list(cell.connections), [c.coordinate for c in cell.connections.values()])


@pytest.mark.parametrize("dims", [(1, 1), (1, 3), (3, 1), (2, 2), (5, 4), (54, 53)])
def test_our_grid_is_mesas_moore_grid(dims: tuple[int, int]) -> None:
    mesa_grid, ours = OrthogonalMooreGrid(dims, random=random.Random(1)), MooreGrid(dims, random=random.Random(1))
    assert isinstance(ours, OrthogonalMooreGrid)
    # Mesa's connecting pass also caches all_cells, which is made on demand
    assert set(mesa_grid.__dict__) - {"all_cells"} == set(ours.__dict__)
    for name in ("torus", "dimensions", "_try_random", "_ndims", "capacity", "_empties"):
        assert getattr(ours, name) == getattr(mesa_grid, name)
    assert list(ours._cells) == list(mesa_grid._cells)
    assert [_cell_state(c) for c in ours._celllist] == [_cell_state(c) for c in mesa_grid._celllist]
    for cell in ours._celllist:
        assert type(cell) is ours.cell_klass and cell.random is ours.random and not hasattr(cell, "_empty")
        assert all(n is ours._cells[n.coordinate] for n in cell.connections.values())
    assert ours.cell_klass.__bases__ == mesa_grid.cell_klass.__bases__
    assert ours.cell_klass._mesa_properties == mesa_grid.cell_klass._mesa_properties == {"empty"}
    assert (ours.empty.data == mesa_grid.empty.data).all()
    corner = (0, 0)
    assert ({c.coordinate for c in ours[corner].get_neighborhood(radius=2)}
            == {c.coordinate for c in mesa_grid[corner].get_neighborhood(radius=2)})


def test_our_grid_pickles_as_mesas_and_is_not_kept_by_copyreg() -> None:
    before = len(copyreg.dispatch_table)
    ours, mesa_grid = MooreGrid((4, 3), random=random.Random(1)), OrthogonalMooreGrid((4, 3), random=random.Random(1))
    assert len(copyreg.dispatch_table) == before + 1  # Mesa's grid registered its cell class; ours did not
    cell, mesa_cell = pickle.loads(pickle.dumps(ours[(1, 1)])), pickle.loads(pickle.dumps(mesa_grid[(1, 1)]))
    assert type(cell).__bases__ == type(mesa_cell).__bases__
    assert (cell.coordinate, cell.connections) == (mesa_cell.coordinate, mesa_cell.connections)  # neighbours' squares
    copy = pickle.loads(pickle.dumps(ours))
    assert [_cell_state(c) for c in copy._celllist] == [_cell_state(c) for c in ours._celllist]


def test_phase_hooks_follow_their_switches() -> None:
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=1, collect_daily=False)
    night = model._hooks["night"]
    assert isinstance(night, PhaseHooks)
    assert night.enabled(model.p) == tuple(hook for _, hook in night.hooks)
    model.p.zakat_enabled = False
    assert model.mechanisms.zakat.night not in night.enabled(model.p)
    assert len(night.enabled(model.p)) == len(night.hooks) - 1
    model.p.zakat_enabled = True
    assert night.enabled(model.p) == tuple(hook for _, hook in night.hooks)
    assert list(itertools.chain(night.enabled(model.p))) == [hook for _, hook in night.hooks]


def test_a_deep_copy_runs_on() -> None:
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=4, collect_daily=False)
    model.run_for(10)
    twin = copy.deepcopy(model)
    assert twin.grid[(3, 3)].coordinate == (3, 3) and twin.grid[(3, 3)] is not model.grid[(3, 3)]
    model.run_for(40)
    twin.run_for(40)
    assert (twin.steps, twin.time) == (model.steps, model.time) == (50, 50.0)
    assert len(twin.monthly) == len(model.monthly) == 1  # (its random streams are new: sim.compiled)


def test_a_deep_copys_agents_stand_on_its_own_grid_and_it_copies_again() -> None:
    """Every agent of a copy stands on the copy's grid cell of its square (the cells' neighbours are cells),
    and a copy of the copy is made and runs: a cell's agents point back at it, so a copy must not make the
    cell twice."""
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=4, collect_daily=False)
    model.run_for(10)
    for twin in (copy.deepcopy(model), copy.deepcopy(copy.deepcopy(model))):
        on = [a for a in twin.agents if getattr(a, "cell", None) is not None]
        assert {type(a).__name__ for a in on} == {"Village", "Trader", "SDFUnit", "ISCell"}
        assert all(a.cell is twin.grid[a.cell.coordinate] for a in on)
        assert all(a in a.cell.agents for a in on if type(a).__name__ != "ISCell")  # IS cells follow their rows
        corner = twin.grid[(0, 0)]
        assert all(n is twin.grid[n.coordinate] for n in corner.connections.values())
        twin.run_for(5)


def test_the_collector_is_paused_during_a_build_and_restored_after(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from sim import collector

    seen = []
    real = sim.model.MooreGrid

    def grid(*args, **kwargs):  # called while the model is being built
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.model, "MooreGrid", grid)
    assert gc.isenabled()
    sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=1, collect_daily=False)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ValueError), collector.paused():  # a failed build leaves it on too
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:  # off before: off after
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_batch_run_frees_its_finished_model_at_once_and_leaves_the_collector_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A finished model is cycles that only the collector frees: a batch's run keeps the collector off until
    its results are read, then collects the young objects, which frees the model before ``run_one`` returns
    (no later, older-generation collection has to look at it again)."""
    import gc
    import weakref

    from sim.batch import engine
    from sim.resources import scenarios_dir

    built, on = [], []
    real = engine.build_model

    def build(spec, *args):
        model = real(spec, *args)
        built.append(weakref.ref(model))
        on.append(gc.isenabled())
        return model

    monkeypatch.setattr(engine, "build_model", build)
    spec = engine.RunSpec(run_id="r", scenario="baseline", path=str(scenarios_dir() / "baseline.toml"), sweep={},
                          rep=0, seed=3, sets={"months": 1})
    gc.collect()
    result = engine.run_one(spec)
    assert result.ok and on == [False] and gc.isenabled()
    assert built[0]() is None  # freed, though its grid's cells refer to one another
    gc.disable()
    try:  # off before: off after, and nothing collected
        engine.run_one(spec)
        assert not gc.isenabled()
    finally:
        gc.enable()
