"""The prison attack is IS's decision and its toll comes from the model (issue 13, plan section 2 F)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from accounting import books_balance
from tiny_world import tiny_model

import sim
from sim.world.names import SDF

DATE = dt.date(2019, 4, 10)
#: a prison every attack breaches (no guards), where all 50 inmates would get out without air support
BREACH = {"is_money_initial_usd": 1_000_000.0, "prison_attackers_min": 1, "prison_attack_share_of_fighters": 0.5,
          "prison_guards": 0, "prison_detainees_held": 50, "prison_breakout_share": 1.0,
          "prison_mutiny_death_share": 0.0, "prison_air_support_block": 1.0}


def attacked(tmp_path: Path, *, withdraw: bool = False, **parameters) -> sim.InsurgencyModel:
    events = [{"kind": "prison_attack", "date": DATE}]
    if withdraw:
        events.insert(0, {"kind": "coalition_withdrawal", "date": DATE - dt.timedelta(days=1)})
    m = tiny_model(tmp_path, events=events, **{**BREACH, **parameters})
    m.run_for(m.day_of(DATE) + 1)
    return m


def test_air_support_where_the_coalition_is_present_stops_the_break_out(tmp_path: Path) -> None:
    present, absent = attacked(tmp_path / "a"), attacked(tmp_path / "b", withdraw=True)
    assert present.accounts.people["escaped"] == 0
    assert absent.accounts.people["escaped"] == 50 and absent.detainees == 0
    assert absent.accounts.people["escaped"] > present.accounts.people["escaped"]
    books_balance(present)
    books_balance(absent)


def test_sdf_dead_are_taken_from_the_unit_nearest_the_prison_and_cut_its_patrols(tmp_path: Path) -> None:
    quiet = attacked(tmp_path / "a", prison_guard_death_share=0.0, prison_sdf_dead_per_is_dead=0.0,
                     prison_attackers_killed_share=0.0)
    bloody = attacked(tmp_path / "b", prison_guards=0, prison_sdf_dead_per_is_dead=5.0,
                      prison_attackers_killed_share=1.0)
    dead = bloody.accounts.people["sdf_killed"]
    assert quiet.accounts.people["sdf_killed"] == 0 and dead > 0
    assert bloody.units.strength[0] == 100 - min(dead, 100)
    home = int(bloody.units.home[0])
    for m in (quiet, bloody):
        m.run_for(m.mechanisms.prison.siege_until - m.day + 1)  # past the cordon
        m.mechanisms.patrols.day()
    assert bloody.villages.guard[home] < quiet.villages.guard[home]


def test_a_guarded_prison_is_breached_less_often(tmp_path: Path) -> None:
    def breaches(guards: int) -> int:
        out = 0
        for seed in range(12):
            m = tiny_model(tmp_path / f"{guards}_{seed}", seed=seed, **{**BREACH, "prison_guards": guards})
            m.run_for(1)
            out += bool(m.mechanisms.prison.attack().get("breached"))
        return out
    assert breaches(0) == 12 and breaches(1000) < 12


def test_without_money_is_does_not_prepare_inside_its_window(tmp_path: Path) -> None:
    window = {"kind": "prison_attack_window", "date": DATE, "window_closes": DATE + dt.timedelta(days=90)}
    m = tiny_model(tmp_path, months=5, events=[window], **{**BREACH, "is_money_initial_usd": 0.0,
                                                           "recruitment_enabled": False, "zakat_enabled": False})
    m.run()
    assert m.accounts.totals["prison_attacks"] == 0 and m.detainees == 50
    assert [e["event"] for e in m.event_log] == ["prison_attack_window"]


def test_staged_attackers_stay_home_then_strike_when_the_window_closes(tmp_path: Path) -> None:
    closes = DATE + dt.timedelta(days=60)
    window = {"kind": "prison_attack_window", "date": DATE, "window_closes": closes}
    m = tiny_model(tmp_path, months=4, events=[window], night_activity_prob=0.57, raids_enabled=False,
                   **{**BREACH, "prison_preparation_months": 6})
    m.run_for(m.day_of(dt.date(2019, 5, 1)))  # through April's month end: IS starts preparing
    prison = m.mechanisms.prison
    staged = prison.staged_rows()
    assert len(staged) == 1 and m.cells.fighters[staged[0]] > 0 and prison.launch_day == m.day_of(closes)
    movement, went_out = m.mechanisms.night_movement, []
    dawn = movement.dawn

    def record_then_dawn() -> None:
        went_out.extend(movement.out.tolist())
        dawn()
    movement.dawn = record_then_dawn
    m.run_for(10)
    assert went_out and staged[0] not in went_out  # every other cell goes out every night
    m.run_for(m.day_of(closes) - m.steps)
    assert m.accounts.totals["prison_attacks"] == 0
    m.run_for(1)
    assert m.accounts.totals["prison_attacks"] == 1
    assert [(e["date"], e["event"]) for e in m.event_log][-1] == (closes.isoformat(), "prison_attack")
    assert not m.cells.alive[staged[0]]


def test_raids_that_find_the_staging_group_break_up_the_plot(tmp_path: Path) -> None:
    closes = DATE + dt.timedelta(days=60)
    window = {"kind": "prison_attack_window", "date": DATE, "window_closes": closes}
    m = tiny_model(tmp_path, months=4, events=[window], **{**BREACH, "exposed_detection": 1.0,
                                                           "raid_capture_share": 1.0})
    m.run_for(m.day_of(dt.date(2019, 5, 1)))
    prison = m.mechanisms.prison
    row = int(prison.staged_rows()[0])
    assert m.geography.holder[m.cells.base_x[row], m.cells.base_y[row]] != SDF  # gathering in the Badia
    m.run_for(prison.position_day + 1 - m.steps)
    assert m.geography.holder[m.cells.base_x[row], m.cells.base_y[row]] == SDF  # pre-positioned near the prison
    m.cells.exposure[row] = 1.0  # the SDF know of the group (fn 8: a cell tasked with the attack was arrested)
    m.run_for(m.day_of(closes) + 1 - m.steps)
    assert m.accounts.totals["prison_attacks"] == 0 and m.accounts.people["escaped"] == 0
    assert m.event_log[-1]["event"] == "prison_attack" and "aborted" in m.event_log[-1]


def test_neighbourhood_influence_grows_with_the_fighters_there() -> None:
    """Ghuweiran and al-Zuhur after a breach: more escapees (no air support) leave IS a stronger hold."""
    def hold(block: float) -> float:
        m = sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=5, is_money_initial_usd=1_000_000,
                                prison_guards=0, prison_air_support_block=block)
        m.run_for(20)
        hood = m.mechanisms.prison.neighbourhoods()
        assert m.mechanisms.prison.attack()["breached"]
        return float(m.villages.influence[hood].mean())
    assert hold(0.0) > hold(1.0) > 0


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_the_cordon_draws_its_share_from_this_map(tmp_path: Path, share: float) -> None:
    m = attacked(tmp_path, cordon_share_from_map=share)
    assert m.mechanisms.prison.units_in_cordon().any() == (share > 0)


def test_the_cordon_holds_its_days_and_only_after_a_breach(tmp_path: Path) -> None:
    """The cordon lasts ``neighbourhoods_held_days`` days, the attack's included; a failed breach holds nothing."""
    m = attacked(tmp_path / "breach", cordon_share_from_map=1.0, neighbourhoods_held_days=3)
    assert m.event_log[-1]["breached"]
    prison, held = m.mechanisms.prison, []
    attack_day = m.day_of(DATE)
    for day in range(attack_day, attack_day + 5):
        m.day = day
        held.append(bool(prison.units_in_cordon().any()))
    assert held == [True, True, True, False, False]
    failed = attacked(tmp_path / "failed", cordon_share_from_map=1.0, prison_guards=10_000)
    assert not failed.event_log[-1]["breached"] and not failed.mechanisms.prison.units_in_cordon().any()


def test_a_dated_attack_sends_the_group_already_gathered(tmp_path: Path) -> None:
    """An attack dated inside a window's preparation launches the staged group; IS pays and gathers only once."""
    window = {"kind": "prison_attack_window", "date": DATE, "window_closes": DATE + dt.timedelta(days=120)}
    # money enough for two operations, so only the fix keeps IS from paying for a second one
    m = tiny_model(tmp_path, months=4, events=[window], raids_enabled=False,
                   **{**BREACH, "is_money_initial_usd": 2_000_000.0})
    m.run_for(m.day_of(dt.date(2019, 5, 1)))  # through April's month end: IS starts preparing
    prison = m.mechanisms.prison
    row = int(prison.staged_rows()[0])
    gathered, spent = int(m.cells.fighters[row]), m.accounts.money["is_spending"]
    fighters = int(m.cells.fighters[m.cells.alive].sum())
    out = prison.attack()
    assert out["attackers"] == gathered and not m.cells.alive[row]
    assert m.accounts.money["is_spending"] == spent  # not paid a second time
    assert not len(prison.staged_rows())  # no second group left waiting
    assert int(m.cells.fighters[m.cells.alive].sum()) <= fighters  # nobody else pulled in
