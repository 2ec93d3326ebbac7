"""The Badia's supplies: hunger drives strikes, strikes bring loot and cost fighters, feeding the road
buys quiet through hunger, and the surplus reaches the treasury (issue 13, plan section 2 A-B)."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounting import books_balance
from tiny_world import tiny_model

import sim
from sim.mechanisms.night_movement import Visits

IN_BADIA = {"base_share_badia": 1.0, "base_share_shepherd": 0.0, "base_share_embedded": 0.0,
            "night_movement_enabled": False, "recruitment_enabled": False, "cell_bases_enabled": False}


def badia_attacks(tmp_path: Path, feed: bool, seed: int) -> int:
    events = [{"kind": "feeding_the_road", "date": "2019-04-01"}] if feed else []
    m = tiny_model(tmp_path / f"{feed}_{seed}", seed=seed, months=4, events=events, badia_attack_prob=0.02,
                   badia_hunger_gain=10.0, badia_loot_usd=0.0, badia_attack_loss_prob=0.0, **IN_BADIA)
    m.run()
    books_balance(m)
    return int(m.accounts.totals["badia_attacks"])


def test_feeding_the_road_buys_quiet_through_hunger(tmp_path: Path) -> None:
    fed = sum(badia_attacks(tmp_path, True, s) for s in range(4))
    hungry = sum(badia_attacks(tmp_path, False, s) for s in range(4))
    assert fed < hungry


def test_hunger_is_the_upkeep_the_supplies_cannot_pay(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, **IN_BADIA)
    front, p = m.mechanisms.badia_front, m.p
    need = p.badia_upkeep_usd_per_fighter * m.cells.fighters[m.cell_sites().in_regime].sum()
    assert need > 0
    front.supplies = need / 4
    front.month_end()
    assert front.hunger == pytest.approx(0.75) and front.supplies == 0
    fed = front.attack_chance()
    front.hunger = 0.0
    assert fed < front.attack_chance() * (1 + p.badia_hunger_gain) and front.attack_chance() < fed


def test_the_surplus_beyond_the_reserve_goes_to_the_treasury(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, **IN_BADIA)
    front, p = m.mechanisms.badia_front, m.p
    need = p.badia_upkeep_usd_per_fighter * m.cells.fighters[m.cell_sites().in_regime].sum()
    before = m.treasury
    front.supplies = 10 * need
    front.month_end()
    assert front.hunger == 0 and front.supplies == pytest.approx(p.badia_reserve_months * need)
    assert m.treasury == pytest.approx(before + 9 * need - p.badia_reserve_months * need)


def test_strikes_bring_loot_and_cost_fighters(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, badia_attack_prob=1.0, badia_attack_loss_prob=1.0, **IN_BADIA)
    fighters = int(m.cells.fighters[m.cells.alive].sum())
    strikers = len(m.cell_sites().in_regime)
    m.mechanisms.badia_front.night(Visits.none())
    assert m.accounts.totals["badia_attacks"] == strikers > 0
    assert m.mechanisms.badia_front.supplies == pytest.approx(strikers * m.p.badia_loot_usd)
    assert int(m.cells.fighters[m.cells.alive].sum()) == fighters - strikers
    books_balance(m)


def test_the_badia_surplus_pays_for_recruits(tmp_path: Path) -> None:
    """Paired: a rich Badia (loot) leaves IS more money for recruits than a poor one."""
    def recruits(loot: float) -> int:
        m = tiny_model(tmp_path / str(loot), months=4, badia_attack_prob=0.2, badia_loot_usd=loot,
                       badia_attack_loss_prob=0.0, is_money_initial_usd=0.0, zakat_enabled=False,
                       recruitment_rate=0.01, **{**IN_BADIA, "recruitment_enabled": True})
        m.run()
        return int(m.accounts.people["recruited_fighters"] + m.accounts.people["recruited_supporters"])
    assert recruits(0.0) == 0 < recruits(20_000.0)


def test_history_runs_with_the_badia_books_balanced() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("history", months=3), rng=2, collect_daily=False).run()
    books_balance(m)
