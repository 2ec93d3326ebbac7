"""Every shipped scenario loads, its events fall inside the run, and a short run completes."""

from __future__ import annotations

import datetime as dt

import pytest
from accounting import books_balance

import sim
from sim.errors import InputError
from sim.scenario import available

SHIPPED = sorted(available())
LIBRARY = ("baseline", "us_withdrawal", "us_withdrawal_late", "turkish_escalation", "amnesty", "prison_attack_2022",
           "community_policing", "elite_bargain", "feeding_the_road")


def test_the_library_is_complete() -> None:
    assert set(LIBRARY) <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_scenario_loads_with_description_sources_and_events_in_the_run(name: str) -> None:
    s = sim.load_scenario(name)
    assert s.name == name
    assert len(s.description.split()) >= 30, "a one-paragraph description"
    assert s.sources, "the seed passages it rests on"
    for event in s.events:
        assert s.start <= event.date < s.end, (event.kind, event.date)
        assert 0 <= event.day < s.days


@pytest.mark.parametrize("name", SHIPPED)
def test_short_run_completes(name: str) -> None:
    s = sim.load_scenario(name)
    model = sim.InsurgencyModel(s, rng=1)
    model.run_for(90)  # three months (the events of the shipped scenarios all come later or earlier)
    frame = model.monthly_frame()
    ends = sum((s.start + dt.timedelta(days=d + 1)).day == 1 for d in range(90))
    assert model.steps == 90 and len(frame) == ends  # one row per month end
    months = [sim.scenario.add_months(s.start.replace(day=1), k).isoformat() for k in range(ends)]
    assert frame["date"].tolist() == months
    # the books balance: everyone in the cells came from the start, recruitment, escapes or amnesties
    books_balance(model)


def test_turkish_escalation_overrides_the_baseline_share() -> None:
    s = sim.load_scenario("turkish_escalation")
    shares = [e.args.share for e in s.events if e.kind == "sdf_attention_north"]
    assert shares[-1] == 0.5  # fires after the baseline's 0.2 on the same day


def test_scenario_specific_events() -> None:
    kinds = {name: {e.kind for e in sim.load_scenario(name).events} for name in LIBRARY}
    assert "coalition_withdrawal" in kinds["us_withdrawal"] and "coalition_withdrawal" in kinds["us_withdrawal_late"]
    assert "prison_attack_window" in kinds["prison_attack_2022"]
    assert "amnesty" in kinds["amnesty"]
    assert "community_policing" in kinds["community_policing"]
    assert "elite_bargain" in kinds["elite_bargain"]
    assert "feeding_the_road" in kinds["feeding_the_road"]
    released = [e.args.released for e in sim.load_scenario("amnesty").events if e.kind == "amnesty"]
    assert released[0] == 283 and max(released) > 283


def test_a_file_anywhere_can_extend_a_shipped_scenario_by_name(tmp_path) -> None:
    """``extends = "history"`` (or ``"history.toml"``) in a file outside ``scenarios/`` was 'not found next to
    this file'; it now finds the shipped one, while a file of that name next to it still comes first."""
    from sim.scenario import load_scenario

    shipped = load_scenario("history")
    for name in ("history", "history.toml"):
        mine = tmp_path / f"mine_{name.replace('.', '_')}.toml"
        mine.write_text(f'extends = "{name}"\nname = "mine"\n[parameters]\npatience_tolerance = 0.7\n')
        loaded = load_scenario(mine)
        assert loaded.events == shipped.events and loaded.months == shipped.months
        assert loaded.parameters["patience_tolerance"] == 0.7
    (tmp_path / "history.toml").write_text('name = "local"\nmonths = 3\n')  # next to the file: it wins
    assert load_scenario(tmp_path / "mine_history_toml.toml").months == 3
    missing = tmp_path / "missing.toml"
    missing.write_text('extends = "histroy"\n')
    with pytest.raises(InputError, match=r"shipped scenario's name: .*history"):
        load_scenario(missing)


def test_a_file_that_shortens_the_run_it_extends_leaves_out_the_events_it_no_longer_reaches(tmp_path) -> None:
    """As ``--set months=6`` does (and says): the parent's later events are left out and listed; the
    file's own events outside its run are still an error, named by the file and its index."""
    from sim.scenario import load_scenario

    parent = tmp_path / "parent.toml"
    parent.write_text('extends = "baseline"\nname = "parent"\nmonths = 24\ninherit_events = false\n'
                      '[[events]]\nkind = "amnesty"\ndate = "+1 months"\n'
                      '[[events]]\nkind = "amnesty"\ndate = "+20 months"\n')
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\nname = "child"\nmonths = 6\n'
                     '[[events]]\nkind = "coalition_withdrawal"\ndate = "+2 months"\n')
    loaded = load_scenario(child)
    assert [e.kind for e in loaded.events] == ["amnesty", "coalition_withdrawal"]
    assert loaded.dropped_events == ["amnesty on 2020-12-01"]
    assert load_scenario(parent).dropped_events == [] and len(load_scenario(parent).events) == 2
    child.write_text(child.read_text().replace('date = "+2 months"', 'date = "+10 months"'))
    with pytest.raises(InputError, match=r"child\.toml: events\[0\]\.date: 2020-02-01 is outside the run"):
        load_scenario(child)
