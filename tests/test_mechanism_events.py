"""Every scenario event kind changes what it should, on its date, on the tiny world."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model, tiny_scenario

import sim

DATE = dt.date(2019, 4, 20)
Check = Callable[[sim.InsurgencyModel], bool]

EVENTS: dict[str, tuple[dict, Check]] = {
    "coalition_withdrawal": ({}, lambda m: not m.policy.coalition_present_by_district.any()),
    "coalition_withdrawal_by_district": (
        {"kind": "coalition_withdrawal", "districts": ["raqqa"]},
        lambda m: m.policy.coalition_present_by_district.tolist() == [False, True, True]),
    "sdf_attention_north": ({"share": 1.0}, lambda m: m.policy.sdf_attention_north == 1.0 and not m.units.active.any()),
    "amnesty": ({"released": 20}, lambda m: m.detainees == 30 and m.accounts.people["amnestied"] == 20),
    "prison_attack": ({"attackers_share": 0.5}, lambda m: m.accounts.totals["prison_attacks"] == 1),
    "prison_attack_window": ({"window_closes": DATE + dt.timedelta(days=60)},
                             lambda m: m.mechanisms.prison.window_closes == m.day_of(DATE) + 60),
    "community_policing": ({}, lambda m: m.policy.policing == "community"),
    "elite_bargain": ({"district": "zakat_triangle"},
                      lambda m: bool(m.villages.bargain[m.world.district_of == "zakat_triangle"].all())),
    "feeding_the_road": ({}, lambda m: m.policy.feeding_the_road),
    "regime_offensive": ({}, lambda m: m.policy.regime_offensive),
    "set_parameters": ({"parameters": {"zakat_min_usd": 1234.0}}, lambda m: m.p.zakat_min_usd == 1234.0),
}


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_event_changes_state_on_its_date(tmp_path: Path, name: str) -> None:
    args, changed = EVENTS[name]
    event = {"kind": name, "date": DATE, **args} if "kind" not in args else {"date": DATE, **args}
    m = tiny_model(tmp_path, events=[event], is_money_initial_usd=1_000_000.0, prison_attackers_min=1)
    m.run_for(m.day_of(DATE))  # every day before the event's
    assert not changed(m), f"{name} changed the model before its date"
    m.run_for(1)
    assert changed(m), f"{name} did not change the model on its date"
    assert [e["event"] for e in m.event_log] == [event["kind"]] and m.event_log[0]["date"] == DATE.isoformat()


def test_every_event_kind_is_covered() -> None:
    from sim.events import EVENT_KINDS

    covered = {a.get("kind", k) for k, (a, _) in EVENTS.items()} | {"coalition_return"}  # has its own test below
    assert set(EVENT_KINDS) <= covered


def test_coalition_return_restores_presence_in_the_districts_it_names(tmp_path: Path) -> None:
    events = [{"kind": "coalition_withdrawal", "date": DATE},
              {"kind": "coalition_return", "date": DATE + dt.timedelta(days=5), "districts": ["zakat_triangle"]}]
    m = tiny_model(tmp_path, events=events)
    m.run_for(m.day_of(DATE) + 5)
    assert m.policy.coalition_present_by_district.tolist() == [False, False, False]
    m.run_for(1)
    assert m.policy.coalition_present_by_district.tolist() == [False, True, False]


def test_an_unknown_district_is_an_input_error_naming_the_allowed(tmp_path: Path) -> None:
    with pytest.raises(sim.InputError) as err:
        tiny_model(tmp_path, events=[{"kind": "coalition_withdrawal", "date": DATE, "districts": ["aleppo_city"]}])
    text = str(err.value)
    assert "events[0].districts" in text and "aleppo_city" in text and "zakat_triangle" in text


def test_a_parameter_set_by_an_event_takes_effect_the_next_day(tmp_path: Path) -> None:
    """The presence cache must see guard_saturation change (it used to wait for the units to change)."""
    event = {"kind": "set_parameters", "date": DATE, "parameters": {"guard_saturation": 40.0}}
    m = tiny_model(tmp_path, events=[event])
    m.run_for(m.day_of(DATE))
    home = int(m.units.home[0])
    before = m.villages.guard[home]
    m.run_for(1)
    assert 0 < before < 1  # not saturated, so presence scales as 1 / guard_saturation
    assert m.villages.guard[home] == pytest.approx(before * 8.0 / 40.0)


def test_a_switch_set_by_an_event_turns_a_mechanism_off(tmp_path: Path) -> None:
    event = {"kind": "set_parameters", "date": DATE, "parameters": {"checkpoints_enabled": False,
                                                                    "checkpoint_prob": 1.0}}
    m = tiny_model(tmp_path, months=2, events=[event], checkpoint_prob=1.0, capability_at_start=1.0,
                   night_activity_prob=0.57, role_share_checkpoint=1.0, role_share_zakat=0.0,
                   role_share_assassination=0.0, role_share_transport=0.0, role_share_movement=0.0,
                   role_share_car_bombs=0.0, patrols_enabled=False,
                   supply_lines_enabled=False)  # checkpoint cells only: no transport cells bring them arms
    m.run_for(m.day_of(DATE))
    assert m.accounts.totals["checkpoints"] > 0
    before = m.accounts.totals["checkpoints"]
    m.run()
    assert m.accounts.totals["checkpoints"] == before


def test_events_inherit_nothing_hidden(tmp_path: Path) -> None:
    scenario = tiny_scenario(tmp_path)
    assert scenario.events == () or list(scenario.events) == []
    assert np.all(sim.InsurgencyModel(scenario, rng=1).policy.coalition_present_by_district)


def test_the_october_2019_partial_withdrawal_on_the_real_map(tmp_path: Path) -> None:
    """The ODD's example: the Coalition leaves Raqqa and part of al-Hasaka, stays in Deir ez-Zor."""
    nes = Path(sim.__file__).resolve().parents[1] / "scenarios" / "maps" / "nes.toml"
    left = ["raqqa", "al_karama", "al_hasaka", "hasaka_neighbourhoods", "jazira_steppe"]
    (tmp_path / "partial.toml").write_text(
        f'name = "partial"\nmap = "{nes}"\nstart = 2019-09-01\nmonths = 2\nseed = 1\n\n'
        f'[[events]]\nkind = "coalition_withdrawal"\ndate = 2019-10-15\ndistricts = {left!r}\n'.replace("'", '"'))
    m = sim.InsurgencyModel(sim.load_scenario(tmp_path / "partial.toml"), rng=1).run()
    policy = m.policy
    present = dict(zip(policy.district_names, policy.coalition_present_by_district.tolist(), strict=True))
    assert not any(present[d] for d in left)
    assert present["zakat_triangle"] and present["hajin"] and present["western_deir_ez_zor"]
    share = m.monthly_frame()["coalition_present"].tolist()
    held = int(m.world.sdf_districts.sum())
    assert share == [1.0, pytest.approx(1 - len(left) / held)]
