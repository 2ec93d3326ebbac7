"""The model's books: every transfer of money and people is booked, so stocks equal their flows."""

from __future__ import annotations

import pytest

import sim


def books_balance(m: sim.InsurgencyModel) -> None:
    """Money and people are conserved (every transfer is booked)."""
    money, people = m.accounts.money, m.accounts.people
    traders = m.traders.wealth.sum()
    expected = (money["initial_trader_wealth"] + money["trade_income"] - money["consumption"]
                - money["destroyed"] - money["zakat"])
    assert traders == pytest.approx(expected, rel=1e-9, abs=1e-6)
    is_money = m.treasury + m.cells.money.sum() + m.mechanisms.badia_front.supplies
    assert is_money == pytest.approx(money["initial_is_money"] + money["zakat"] + money["regime_payments"]
                                     + money["badia_loot"]
                                     - money["is_spending"] - money["seized"], rel=1e-9, abs=1e-6)
    # fighters waiting in the Badia for a movement cell (supply_lines) are IS members outside any cell
    in_cells = int(m.cells.fighters.sum() + m.cells.supporters.sum() + m.mechanisms.supply_lines.fighters_in_training)
    assert in_cells == (people["initial_fighters"] + people["initial_supporters"] + people["recruited_fighters"]
                        + people["recruited_supporters"] - people["fighters_arrested"]
                        - people["supporters_arrested"] - people["supporters_dispersed"] - people["is_killed"]
                        - people["fighters_left"] + people["escaped"] + people["amnesty_rejoined"])
    assert m.detainees == (people["initial_detainees"] + people["fighters_arrested"] + people["supporters_arrested"]
                           - people["detainees_killed"] - people["escaped"] - people["amnestied"])
