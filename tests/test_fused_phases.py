"""The night's and the day's acts in one compiled call each (``sim.night_acts``, ``sim.day_acts``) give, to the
bit, what the hooks give one by one; the kernels' state (``sim.kernel_state``) never holds a replaced array."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from run_digest import digest_of
from tiny_world import tiny_model

import sim
import sim.day_acts as day_acts_module
import sim.kernel_state as kernel_state_module
import sim.night_acts as night_acts_module
from sim.day_acts import BLOCK as DAY_BLOCK
from sim.fused import RUN, SKIP, STOP
from sim.model import PHASES, PhaseHooks
from sim.night_acts import BLOCK


def _run(fused: bool, scenario: str, months: int | None, seed: int, **parameters: Any) -> str:
    """A digest of every output of a run, with the night's and the day's acts fused or hook by hook."""
    parsed = sim.load_scenario(scenario, months=months) if months else sim.load_scenario(scenario)
    return _digest(sim.InsurgencyModel(parsed, rng=seed, collect_daily=False, **parameters), fused)


def _digest(model: sim.InsurgencyModel, fused: bool) -> str:
    """A digest of every output of ``model``'s run, with the night's and the day's acts fused or hook by hook."""
    model.night_acts.enabled = model.day_acts.enabled = fused
    return digest_of(model.run())


CASES = [
    ("baseline", 24, 3, {}),
    # the checkpoints need Python every night (the supply lines do not arm them): a stop before them
    ("baseline", 12, 4, {"supply_lines_enabled": False}),
    # mechanisms of the block switched off are skipped as their hooks would be
    ("baseline", 12, 5, {"killings_enabled": False, "repentance_enabled": False, "command_consolidation_enabled": False,
                         "governance_enabled": False}),
    ("baseline", 12, 6, {"checkpoints_enabled": False, "zakat_enabled": False, "allegiance_enabled": False,
                         "attacks_enabled": False, "trade_enabled": False}),
    # the day's block hook by hook when the raids are off; the influence off
    ("baseline", 12, 7, {"raids_enabled": False}),
    ("baseline", 12, 8, {"influence_enabled": False, "patrols_enabled": False}),
    # what follows a raid in the day's kernel (raids.raided_today) with its switches off: no suspects detained;
    # suspects detained whose innocents cost no trust
    ("baseline", 12, 10, {"suspect_arrests_enabled": False}),
    ("baseline", 12, 12, {"civilian_arrests_enabled": False, "raid_suspects_mean": 4.0}),
    # no cell goes out: the night's block has no visits, and the Badia front still acts
    ("baseline", 12, 9, {"night_movement_enabled": False}),
    # the Margadeh cells' strikes are sent away in Python between the choices and the arrival
    ("baseline", 12, 11, {"margadeh_coordination_share": 0.5}),
    # events between nights: the Coalition leaves, the SDF's units move north
    ("us_withdrawal", None, 1, {}),
    ("turkish_offensive_2019", None, 2, {}),
]


@pytest.mark.parametrize(("scenario", "months", "seed", "parameters"), CASES)
def test_fused_night_gives_the_hooks_outputs(scenario: str, months: int | None, seed: int,
                                             parameters: dict[str, Any]) -> None:
    assert _run(True, scenario, months, seed, **parameters) == _run(False, scenario, months, seed, **parameters)


def test_the_grids_presence_layer_is_the_hooks_one() -> None:
    """The visualizer's layer of SDF presence, which no digest holds, is written as the patrols write it when the
    kernel makes the presence again after units were hit (``patrols.presence_after_hits``)."""
    layers = []
    for fused in (True, False):
        model = sim.InsurgencyModel(sim.load_scenario("baseline", months=12), rng=3, collect_daily=False)
        model.night_acts.enabled = model.day_acts.enabled = fused
        model.run()
        layers.append(model.grid.sdf_presence.data.copy())
    assert layers[0].any() and np.array_equal(layers[0], layers[1])


def test_the_presence_layer_holds_each_villages_presence() -> None:
    """The grid's layer of SDF presence (``patrols.presence_made_from``, whichever path made it) is each village's
    presence on its square and 0 elsewhere, after a run in which units were hit."""
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=12), rng=3, collect_daily=False).run()
    v, layer = model.villages, model.grid.sdf_presence.data
    assert np.array_equal(layer[v.x, v.y], v.guard)
    elsewhere = np.ones(layer.shape, bool)
    elsewhere[v.x, v.y] = False
    assert v.guard.any() and not layer[elsewhere].any()


def test_every_way_out_of_the_kernel_is_taken_in_a_baseline_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run above goes through the block's returns (from the whole night's kernel and from the block's own
    calls after a stop): all hooks done, and a hook that needs a wider cache table (Python runs it). Killings
    and attacks are carried out in the kernel: attacks come back to Python only when the units on patrol
    changed during the night, which is rarer than the nights with attacks."""
    seen: Counter = Counter()
    block = night_acts_module.night_acts

    def count(k: int, targets: np.ndarray) -> None:
        if k >= 0:  # a return from the block (not the whole night's before it)
            seen["done" if k == len(BLOCK) else f"{BLOCK[k]} {'strikes' if len(targets) else 'python'}"] += 1

    def recording_block(*args: Any) -> Any:
        out = block(*args)
        count(out[0], out[1])
        return out

    monkeypatch.setattr(night_acts_module, "night_acts", recording_block)
    _record_nights(monkeypatch, lambda night: count(night[0], night[1]))
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=24), rng=3, collect_daily=False)
    nights_with_attacks = 0
    for _ in range(model.n_days):
        before = model.accounts.totals["attacks"]
        model.step()
        nights_with_attacks += model.accounts.totals["attacks"] > before
    assert model.night_acts.enabled
    assert seen["done"] > 0
    assert seen["killings strikes"] == 0  # killings are carried out in the kernel
    assert nights_with_attacks > 0 and seen["attacks strikes"] < nights_with_attacks
    assert model.accounts.totals["killings"] > 0
    assert sum(seen[f"{name} python"] for name in ("supply_lines", "checkpoints", "killings", "attacks")) > 0


def test_attacks_after_the_patrols_changed_are_struck_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the units on patrol are not those the patrols' tables were made for (here: the tables given to the
    kernel leave out the last unit on patrol), the kernel hands the attacks back and Python strikes with tables
    made then: the run is the hooks' to the bit."""
    gather = night_acts_module.NightActs.gather
    handed_back: Counter = Counter()

    def stale_patrols(self: Any, base_todo: np.ndarray, start: int) -> tuple:
        *inputs, (on, counts, rows, fade, unit_size, cordon) = gather(self, base_todo, start)
        return (*inputs, (on[:-1], counts, rows, fade, unit_size, cordon))

    strike = sim.mechanisms.attacks.Attacks.strike

    def counting(self: Any, targets: np.ndarray) -> None:
        handed_back["nights"] += 1
        strike(self, targets)

    monkeypatch.setattr(night_acts_module.NightActs, "gather", stale_patrols)
    monkeypatch.setattr(sim.mechanisms.attacks.Attacks, "strike", counting)
    fused = _run(True, "baseline", 12, 3)
    assert handed_back["nights"] > 0
    assert fused == _run(False, "baseline", 12, 3)


def _record_nights(monkeypatch: pytest.MonkeyPatch, record: Callable[[tuple], None]) -> Counter:
    """Call ``record`` with what the whole night's kernel (``moves_and_acts``) returned, each night from now on:
    called from Python, or in ``days_in_a_row`` (its last night as it returns it, the whole days before it as
    nights done). Returns how many nights each way came (Python's, the several days' last, their whole ones)."""
    ways: Counter = Counter()
    whole, several = night_acts_module.moves_and_acts, night_acts_module.days_in_a_row
    done = (len(BLOCK), np.zeros(0, np.int64))

    def one_night(*args: Any) -> Any:
        out = whole(*args)
        ways["python"] += 1
        record(out)
        return out

    def days_in_a_row(*args: Any) -> Any:
        out = several(*args)
        ways["several"] += 1
        ways["whole days"] += out[0]
        nights = [done] * out[0] + [out[1]]
        # a call given tonight's visits goes on with a night recorded already, where the call before stopped
        for night in nights[1:] if len(args[_GIVEN]) else nights:
            record(night)
        return out

    monkeypatch.setattr(night_acts_module, "moves_and_acts", one_night)
    monkeypatch.setattr(night_acts_module, "days_in_a_row", days_in_a_row)
    return ways


_GIVEN, _START = 11, 12
"""The places of ``days_in_a_row``'s arguments ``given`` (tonight's visits) and ``day_start``."""


def _whole_nights(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How the whole night's kernel (``moves_and_acts``) returns, counted from now on (:func:`_record_nights`)."""
    seen: Counter = Counter()
    names = {night_acts_module.NOBODY: "nobody", night_acts_module.PENDING: "pending",
             night_acts_module.MOVED: "moved"}

    def record(night: tuple) -> None:
        seen[names.get(night[0], "done" if night[0] == len(BLOCK) else "stop")] += 1

    _record_nights(monkeypatch, record)
    return seen


def test_every_way_out_of_the_whole_night_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole night's kernel does most nights to the end of the block, and returns early on the others: a
    table to make or widen first (pending), fighters to move in Python (moved), a stop in the block."""
    seen = _whole_nights(monkeypatch)
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=24), rng=3, collect_daily=False).run()
    assert {"done", "moved", "pending", "stop"} <= set(seen)
    assert seen["done"] > model.steps / 2  # the usual night
    assert sum(seen.values()) == model.steps  # one a night


def test_nights_with_nobody_out_give_the_hooks_outputs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """In the tiny world a cell or two may go out: on some nights nobody does, and the whole night's kernel
    returns before the moves; the run is the hooks' to the bit."""
    seen = _whole_nights(monkeypatch)
    fused = _digest(tiny_model(tmp_path / "fused", seed=3, months=6, night_activity_prob=0.14), True)
    assert seen["nobody"] > 0 and seen["done"] > 0
    assert fused == _digest(tiny_model(tmp_path / "hooks", seed=3, months=6, night_activity_prob=0.14), False)


def test_the_plan_splits_the_night_around_the_block() -> None:
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=1, collect_daily=False,
                                killings_enabled=False)
    on = PhaseHooks(model.mechanisms, "night", dict(PHASES)["night"]).enabled(model.p)
    before, block, after, todo = model.night_acts.plan(on)
    assert before == ()
    assert after == ()
    assert [h is None for h in block] == [name == "killings" for name in BLOCK]
    assert todo.tolist() == [SKIP if name == "killings" else RUN for name in BLOCK]
    assert STOP not in todo


def test_a_stop_leaves_the_hook_to_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the supply lines off the checkpoints stop the kernel every night: it returns before them, Python
    runs them, and the kernel is called again for the hooks after them."""
    calls: list[tuple[int, int]] = []  # Python's calls of the block: (what it was to do with the checkpoints, where
    kernel = night_acts_module.night_acts  # it returned)
    checkpoints = BLOCK.index("checkpoints")

    def recording(*args: Any) -> Any:
        out = kernel(*args)
        calls.append((int(args[5][checkpoints]), out[0]))
        return out

    monkeypatch.setattr(night_acts_module, "night_acts", recording)
    stops: Counter = Counter()  # where the whole night's kernel returned, each night
    _record_nights(monkeypatch, lambda night: stops.update([night[0]]))
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=2, collect_daily=False,
                                supply_lines_enabled=False).run()
    assert stops[checkpoints] > 0 and stops[len(BLOCK)] == 0  # no night done whole
    assert all(k == checkpoints for k in stops if 0 <= k < len(BLOCK))
    again = [k for todo, k in calls if todo == SKIP]  # the calls after Python ran the checkpoints
    assert len(again) >= stops[checkpoints] and all(k > checkpoints for k in again)
    assert model.accounts.totals["checkpoints"] > 0


@pytest.mark.parametrize(("scenario", "months", "seed", "parameters"), [CASES[0], CASES[1], CASES[4]])
def test_the_kernels_state_never_holds_a_replaced_array(monkeypatch: pytest.MonkeyPatch, scenario: str,
                                                       months: int | None, seed: int,
                                                       parameters: dict[str, Any]) -> None:
    """Every ask of the kernels' state in a run (cells forming, tables growing, events) finds each of its
    fields to be the model's current array (``kernel_state.CHECK_FRESH``)."""
    monkeypatch.setattr(kernel_state_module, "CHECK_FRESH", True)
    asks = Counter()
    ask = kernel_state_module.kernel_state

    def counting(model: Any) -> Any:
        asks["asks"] += 1
        return ask(model)

    monkeypatch.setattr(night_acts_module, "kernel_state", counting)
    _run(True, scenario, months, seed, **parameters)
    assert asks["asks"] > 100


@pytest.mark.parametrize(("scenario", "months", "seed", "parameters"), [
    CASES[0], CASES[1], ("community_policing", None, 3, {}), ("us_withdrawal", None, 1, {})])
def test_the_nights_kept_rules_are_those_made_anew(monkeypatch: pytest.MonkeyPatch, scenario: str,
                                                    months: int | None, seed: int, parameters: dict[str, Any]) -> None:
    """Every night's ask of the rules kept per parameter version (``NightActs.rules``) finds them equal to rules
    made anew from the model as it is (``night_acts.CHECK_RULES``), through events that change the policy."""
    monkeypatch.setattr(night_acts_module, "CHECK_RULES", True)
    _run(True, scenario, months, seed, **parameters)


def test_a_parameter_set_mid_run_reaches_the_kept_rules() -> None:
    """Killings stop the night after ``killing_prob`` is set to 0 between steps: the kept rules are made again."""
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=12), rng=4, collect_daily=False)
    model.run_for(120)
    before = model.accounts.totals["killings"]
    assert before > 0
    model.p.killing_prob = 0.0
    model.run_for(120)
    assert model.accounts.totals["killings"] == before


def test_a_replaced_column_is_noticed() -> None:
    """A user who replaces a column (here the villages' fear) gets kernels that write into the new one."""
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=1, collect_daily=False)
    model.run_for(3)
    before = kernel_state_module.kernel_state(model)
    model.villages.fear = model.villages.fear.copy()
    after = kernel_state_module.kernel_state(model)
    assert after is not before
    fear = model.villages.fear
    assert np.shares_memory(kernel_state_module.fields_of(after)["v_fear"], fear)
    assert not np.shares_memory(kernel_state_module.fields_of(before)["v_fear"], fear)


def test_cells_formed_are_pointed_at_in_the_same_state() -> None:
    """New cells replace every column of the cell table and nothing else: the state is kept, its cell fields
    pointed at the new columns (``set_cells``); a replaced village column still makes a new state."""
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=2, collect_daily=False)
    model.run_for(3)
    before = kernel_state_module.kernel_state(model)
    old_alive = model.cells.alive
    rows = model.add_cells(np.array([1]), np.array([1]), np.array([0]), np.array([5]))
    after = kernel_state_module.kernel_state(model)
    assert after is before and model.cells.alive is not old_alive
    held = kernel_state_module.fields_of(after)
    for name in ("alive", "fighters", "base_x", "role"):
        assert np.shares_memory(held[f"c_{name}"], getattr(model.cells, name))
        assert len(held[f"c_{name}"]) == rows[0] + 1
    assert np.shares_memory(held["v_fear"], model.villages.fear)
    model.villages.fear = model.villages.fear.copy()
    assert kernel_state_module.kernel_state(model) is not after


def test_the_day_kernel_stops_where_a_capture_dismantled_a_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most days the kernel does the whole block (what follows a raid and the captures that leave the cells alive
    included); on a day when a capture dismantled a cell it returns after the captures, with that cell among the
    finds, and is called again for the rest once Python has removed the cell's Mesa agent."""
    seen: Counter = Counter()
    kernel, several = day_acts_module.day_acts, night_acts_module.days_in_a_row
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=24), rng=3, collect_daily=False)

    def count(day: tuple) -> None:
        if day[0] == len(DAY_BLOCK):
            seen["done"] += 1
            return
        seen["found"] += 1
        rows = model.mechanisms.raids.found_rows(day[2])
        seen["stops with a cell dismantled"] += bool(len(rows)) and not model.cells.alive[rows].all()

    def recording(*args: Any) -> Any:
        out = kernel(*args)
        count(out)
        return out

    def days_in_a_row(*args: Any) -> Any:  # the days done in the night's kernel call: whole, and the last one's
        out = several(*args)
        seen["done"] += out[0]
        if out[2][0] != night_acts_module.NOT_DONE:
            count(out[2])
        return out

    monkeypatch.setattr(day_acts_module, "day_acts", recording)
    monkeypatch.setattr(night_acts_module, "days_in_a_row", days_in_a_row)
    model.run()
    assert seen["done"] > seen["found"] > 0
    assert seen["stops with a cell dismantled"] == seen["found"]
    assert seen["done"] == model.steps  # a day with a stop calls it again, for trade and influence


def test_a_replaced_raid_rate_is_used_by_the_fused_day() -> None:
    """A what-if that replaces ``Raids.raid_rate`` (no raids anywhere) is obeyed by the fused day as by the hook."""
    digests = []
    for fused in (True, False):
        model = sim.InsurgencyModel(sim.load_scenario("baseline", months=6), rng=2, collect_daily=False)
        model.night_acts.enabled = model.day_acts.enabled = fused
        model.mechanisms.raids.raid_rate = lambda villages=None, m=model: np.zeros(len(m.villages))
        model.run()
        assert model.accounts.totals["raids"] == 0
        digests.append(model.monthly_frame().to_csv())
    assert digests[0] == digests[1]


def _resumes(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Where ``days_in_a_row`` goes on after Python stepped in (``NightActs.whole_night``'s ``GoOn``), counted from now
    on: the night's acts (after the moves or the fighters Python made), the whole day, the day after the raids."""
    seen: Counter = Counter()
    several = night_acts_module.days_in_a_row

    def days_in_a_row(*args: Any) -> Any:
        if len(args[_GIVEN]):
            start = args[_START]
            seen["acts" if start == night_acts_module.ACTS else "day" if start == 0 else "after the raids"] += 1
        return several(*args)

    monkeypatch.setattr(night_acts_module, "days_in_a_row", days_in_a_row)
    return seen


def test_the_kernel_goes_on_where_python_stepped_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the moves or the fighters Python made, a night Python finished, or the Mesa agents of dismantled cells
    removed, the kernel is called again from there, and the run is the hooks' to the bit."""
    seen = _resumes(monkeypatch)
    fused = _run(True, "baseline", 24, 3)
    assert {"acts", "day", "after the raids"} <= set(seen)
    assert fused == _run(False, "baseline", 24, 3)


def test_python_finishes_a_night_the_kernel_cannot_go_on_with(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the day's inputs could not be joined to the call that goes on (``NightActs.python_from``), Python does
    the rest of the night and of the day from where the kernel stopped: the run is still the hooks'."""
    seen = _resumes(monkeypatch)
    fallen: Counter = Counter()
    whole_night = night_acts_module.NightActs.whole_night

    def not_joined(self: Any, on: tuple, day: Any = None, days: int = 1,
                   given: np.ndarray = night_acts_module.NO_VISITS, start: int = night_acts_module.ACTS) -> Any:
        if len(given):
            fallen["acts" if start == night_acts_module.ACTS else "day" if start == 0 else "after the raids"] += 1
            day = None
        return whole_night(self, on, day, days, given, start)

    monkeypatch.setattr(night_acts_module.NightActs, "whole_night", not_joined)
    fused = _run(True, "baseline", 24, 3)
    assert not seen and {"acts", "day", "after the raids"} <= set(fallen)
    assert fused == _run(False, "baseline", 24, 3)
