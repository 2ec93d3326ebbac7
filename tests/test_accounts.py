"""The books as arrays (issue 15): they read as the ``Counter`` books did, and kernels book into them.

Each test replays one sequence of bookings into the array books and into the ``Counter`` books the
model kept before (kept here as the reference), and compares every reading.
"""

from __future__ import annotations

import copy
import pickle
from collections import Counter

import numpy as np
import pytest

import sim
from sim.accounts import INCIDENTS, MONEY, PEOPLE, Accounts, book, book_incident, book_incidents, row_of

VILLAGES = 7


def _random_bookings(seed: int, n: int = 300) -> list[tuple[str, int, int | None]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        kind = INCIDENTS[int(rng.integers(len(INCIDENTS)))]
        village = None if rng.random() < 0.2 else int(rng.integers(VILLAGES))
        out.append((kind, int(rng.integers(0, 4)), village))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incidents_read_as_the_counter_books_did(seed: int) -> None:
    acc = Accounts(VILLAGES)
    totals, by_village = Counter(), Counter()
    for kind, n, village in _random_bookings(seed):
        acc.incident(kind, n, village=village)
        if n:  # the Counter books' rule: nothing booked for none
            totals[kind] += n
            if village is not None:
                by_village[(kind, village)] += n
    assert dict(acc.totals) == dict(totals)
    assert dict(acc.totals_by_village) == dict(by_village)
    assert all(acc.totals[k] == totals[k] for k in INCIDENTS)  # a kind never booked reads 0
    assert len(acc.totals) == len(totals) and len(acc.totals_by_village) == len(by_village)
    # each kind's total is its villages' counts and the ones in no village
    assert np.array_equal(acc.incidents[:, -1], acc.incidents[:, :-1].sum(axis=1))


def test_kernels_book_as_the_python_calls_do() -> None:
    by_python, by_kernel = Accounts(VILLAGES), Accounts(VILLAGES)
    for kind, n, village in _random_bookings(4):
        by_python.incident(kind, n, village=village)
        book_incident(by_kernel.incidents, row_of(INCIDENTS, kind), VILLAGES if village is None else village, n)
    assert np.array_equal(by_python.incidents, by_kernel.incidents)
    villages, n = np.array([3, 0, 3, 6]), np.array([2, 1, 5, 1])
    for i, k in zip(villages.tolist(), n.tolist(), strict=True):
        by_python.incident("raids", k, village=i)
    book_incidents(by_kernel.incidents, row_of(INCIDENTS, "raids"), villages, n)
    assert np.array_equal(by_python.incidents, by_kernel.incidents)
    rng = np.random.default_rng(5)
    for usd in rng.lognormal(5.0, 2.0, 200).tolist():
        key = MONEY[int(rng.integers(3))]
        by_python.money[key] += usd
        book(by_kernel.money.values, by_kernel.money.booked, row_of(MONEY, key), usd)
    assert dict(by_python.money) == dict(by_kernel.money)  # the same additions in the same order: bit for bit


def test_money_and_people_read_as_counters() -> None:
    acc, money, people = Accounts(VILLAGES), Counter(), Counter()
    rng = np.random.default_rng(6)
    for _ in range(200):
        usd, k = float(rng.lognormal(3.0, 1.5)), MONEY[int(rng.integers(len(MONEY)))]
        acc.money[k] += usd
        money[k] += usd
        n, j = int(rng.integers(0, 9)), PEOPLE[int(rng.integers(len(PEOPLE)))]
        acc.people[j] += n
        people[j] += n
    assert dict(acc.money) == dict(money) and dict(acc.people) == dict(people)
    assert all(type(acc.people[k]) is int for k in acc.people)
    fresh = Accounts(VILLAGES)
    assert fresh.money["zakat"] == 0 and "zakat" not in fresh.money and not list(fresh.people)
    fresh.money["seized"] = 0.0  # booked, though nothing: listed, as a Counter lists a key set to 0
    assert list(fresh.money) == ["seized"]


def test_bad_bookings_are_refused_naming_what_is_allowed() -> None:
    acc = Accounts(VILLAGES)
    with pytest.raises(KeyError, match="allowed: killings"):
        acc.incident("bombings")
    with pytest.raises(KeyError, match="allowed: initial_trader_wealth"):
        acc.money["loot"] += 1.0
    with pytest.raises(KeyError, match="suspects_held"):
        _ = acc.people["refugees"]
    with pytest.raises(IndexError, match="not among the 7 villages"):
        acc.incident("killings", village=VILLAGES)
    with pytest.raises(TypeError, match="whole number"):
        acc.incident("killings", 0.5)
    with pytest.raises(TypeError, match="whole number"):
        acc.people["escaped"] = 2.5
    assert not acc.incidents.any() and not list(acc.money) and not list(acc.people)


def test_copies_and_pickles_keep_the_books() -> None:
    acc = Accounts(VILLAGES)
    for kind, n, village in _random_bookings(7, 40):
        acc.incident(kind, n, village=village)
    acc.money["zakat"] += 12.5
    acc.people["escaped"] += 3
    for other in (copy.deepcopy(acc), pickle.loads(pickle.dumps(acc))):
        assert repr(other) == repr(acc)
        other.incident("killings", village=0)  # the views follow their own arrays
        assert other.totals["killings"] == acc.totals["killings"] + 1
        assert other.totals_by_village[("killings", 0)] == acc.totals_by_village.get(("killings", 0), 0) + 1


def test_the_months_incident_rows_add_up_to_the_books_in_the_counter_books_order() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=4), rng=3, collect_daily=False)
    m.run()
    rows = m.recorder.incidents
    row_of_name = {name: i for i, name in enumerate(m.world.village_names)}
    assert rows and len(row_of_name) == len(m.world.village_names)
    total: Counter = Counter()
    for date in sorted({r[0] for r in rows}):
        keys = [(r[4], row_of_name[r[1]]) for r in rows if r[0] == date]
        assert keys == sorted(keys)  # the order the Counter books gave: by kind name, then village
        for r in rows:
            if r[0] == date:
                assert type(r[5]) is int and r[5] > 0
                total[(r[4], row_of_name[r[1]])] += r[5]
    assert dict(total) == dict(m.accounts.totals_by_village)  # every month closed: the rows are the books
