"""Several days in one kernel call (``sim.night_acts.days_in_a_row``, from ``InsurgencyModel.run_for``) give, to
the bit, what one day a step gives; a call never runs past a month's end, an event or the end of ``run_for``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from run_digest import digest_of

import sim
import sim.night_acts as night_acts_module
from sim.model import month_ends


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int]]:
    """Each call of ``days_in_a_row`` from now on: its first day, the days it was allowed and the days it ran."""
    calls: list[tuple[int, int, int]] = []
    kernel = night_acts_module.days_in_a_row

    def recording(*args: Any) -> Any:
        out = kernel(*args)
        calls.append((args[3], args[2], out[0] + 1))
        return out

    monkeypatch.setattr(night_acts_module, "days_in_a_row", recording)
    return calls


def _model(scenario: str, months: int | None, seed: int, **parameters: Any) -> sim.InsurgencyModel:
    parsed = sim.load_scenario(scenario, months=months) if months else sim.load_scenario(scenario)
    return sim.InsurgencyModel(parsed, rng=seed, collect_daily=False, **parameters)


@pytest.mark.parametrize(("scenario", "months", "seed", "parameters"), [
    ("baseline", 24, 3, {}),
    # the repentance campaigns start mid-month (by default on the first of June 2019, after a month's end)
    ("baseline", 6, 4, {"repentance_start": dt.date(2019, 6, 17)}),
    ("history", None, 2, {}),  # the Coalition's withdrawals, the SDF's moves north, a prison attack and its siege
    ("prison_attack_2022", None, 1, {}),
    ("amnesty", None, 1, {}),
])
def test_a_run_is_the_same_day_by_day(monkeypatch: pytest.MonkeyPatch, scenario: str, months: int | None,
                                      seed: int, parameters: dict[str, Any]) -> None:
    calls = _calls(monkeypatch)
    several = digest_of(_model(scenario, months, seed, **parameters).run())
    assert max(ran for _, _, ran in calls) > 1  # several days in one call did happen
    calls.clear()
    model = _model(scenario, months, seed, **parameters)
    for _ in range(model.n_days):
        model.step()  # a bare step is one day
    assert {allowed for _, allowed, _ in calls} == {1}
    assert digest_of(model) == several


def test_run_for_in_pieces_is_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_for`` stops where it is asked to, whatever a call could have run: pieces make the same run."""
    calls = _calls(monkeypatch)
    whole = digest_of(_model("baseline", 6, 4).run())
    model = _model("baseline", 6, 4)
    for piece in (17, 1, 40, 3):
        calls.clear()
        first = model.steps
        model.run_for(piece)
        assert model.steps == first + piece and model.day == first + piece - 1
        assert max(day + ran - 1 for day, _, ran in calls) <= model.day
    model.run()
    assert digest_of(model) == whole


def test_no_call_runs_past_a_month_end_or_an_event(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call's days end at the month's end (the month end follows them in Python) and before the day of a
    scenario's event; the days it may run are those it was allowed."""
    calls = _calls(monkeypatch)
    model = _model("history", None, 1).run()
    ends = {day for day, end in enumerate(month_ends(model.start_date, model.n_days)) if end}
    event_days = {event["day"] for event in model.event_log}
    assert event_days
    for first, allowed, ran in calls:
        assert ran <= allowed
        days = set(range(first, first + ran))
        assert not ends & (days - {first + ran - 1})  # a month's end only as a call's last day
        assert not event_days & (days - {first})  # an event's day only as a call's first (the event before it)


class _Recorder:
    """A user's event: notes the day and the attacks so far when it fires (Mesa's events take no lambdas)."""

    def __init__(self, model: sim.InsurgencyModel) -> None:
        self.model = model
        self.seen: list[tuple[int, float]] = []

    def fire(self) -> None:
        self.seen.append((self.model.steps, self.model.accounts.totals["attacks"]))
        self.model.p.night_activity_prob = 0.5  # and changes the nights after it


def test_an_event_a_user_schedules_is_met_on_its_day() -> None:
    """An event scheduled mid-month by a user fires after the days before it and before the days after it, and a
    parameter it sets rules the days after it, as with one day a step."""
    runs = []
    for by_step in (False, True):
        model = _model("baseline", 12, 5)
        user = _Recorder(model)
        model.schedule_event(user.fire, at=200.5)
        if by_step:
            for _ in range(model.n_days):
                model.step()
        else:
            model.run()
        assert [steps for steps, _ in user.seen] == [200]
        runs.append((user.seen, digest_of(model)))
    assert runs[0] == runs[1]


def test_days_are_one_a_call_while_the_daily_state_is_collected(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _calls(monkeypatch)
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=3), rng=2, collect_daily=True).run()
    assert calls and {allowed for _, allowed, _ in calls} == {1}
    assert len(model.daily_frame()) == model.n_days


def test_the_mechanisms_say_when_their_daily_inputs_change() -> None:
    model = _model("baseline", 3, 1)
    repentance, prison = model.mechanisms.repentance, model.mechanisms.prison
    start = repentance.start_day()
    assert 0 < start < model.n_days
    assert repentance.steady_through(0) == start - 1 and repentance.steady_through(start) is None
    assert prison.steady_through(0) is None  # no siege
    prison.siege_until = 40
    assert prison.steady_through(10) == 40 and prison.steady_through(41) is None


def test_the_validation_record_has_day_one_to_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """The validation's recording model snapshots the state after day one: its first step does that day alone,
    whatever the model would allow; later steps may do several days."""
    from sim.validation.record import recording_model

    monkeypatch.setattr(sim.InsurgencyModel, "last_day_of_step", lambda self: self.day + 29)
    model = recording_model()(sim.load_scenario("baseline", months=2), rng=2, collect_daily=False)
    assert model.last_day_of_step() == 0 and model.days_ahead(model.last_day_of_step()) == 1
    model.day = 5
    assert model.last_day_of_step() == 34
