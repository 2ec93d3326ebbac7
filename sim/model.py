"""The insurgency model: north-eastern Syria after the fall of Baghouz, one step a day.

The model builds the world (:mod:`sim.world`), keeps the state events change
(:class:`~sim.policy.Policy`) and runs the day as the explicit :data:`PHASES`:

* night - at dusk IS cells leave their hideouts for a village within reach (``night_movement``);
  there they act by their role (flying checkpoints, zakat demands, calls to repent and to swear
  allegiance, targeted killings, attacks, shadow governance); the Badia front flares or is bought
  quiet; at dawn the cells are back at their hideouts;
* day - SDF units patrol, raid the cells their intelligence finds and arrest, markets trade,
  IS influence and fear relax where the administration is present;
* month end - councils fill or empty, trust moves, IS and the SDF recruit, exposed cells move,
  the regime pays for the road, memories fade, and the recorder writes the month's outcomes.

Each mechanism (:mod:`sim.mechanisms`) owns its parameters, state and switch; the model holds
only the shared world: the agent tables, the IS treasury, the detainees and the books. Scenario
events are Mesa events scheduled on their date (:mod:`sim.events`).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mesa import DataCollector, Model
from mesa.discrete_space import PropertyLayer

from sim import collector
from sim.accounts import Accounts
from sim.agents import ISCell, ISCellTable, SDFUnit, Trader, Village
from sim.agents.sites import CellSites
from sim.day_acts import BLOCK as DAY_BLOCK
from sim.day_acts import DayActs
from sim.filecache import cached_by_file
from sim.geography import Geography, load_map
from sim.mechanisms import Mechanisms
from sim.mechanisms.base import Mechanism, values_of
from sim.mechanisms.patrols import day_one_presence
from sim.night_acts import ACTS, NO_VISITS, GoOn, NightActs
from sim.parameters import KeptRules, Parameters
from sim.policy import Policy
from sim.readonly import mark_readonly, readonly_arrays
from sim.recorder import DAILY_REPORTERS, Recorder
from sim.world import World
from sim.world.initial import build_cells, build_traders, build_units, build_villages
from sim.world.space import MooreGrid

read_map = cached_by_file(load_map)
"""The map parsed once per process and file version (models treat their Geography as read-only)."""

PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("night", ("supply_lines", "command", "checkpoints", "zakat", "repentance", "allegiance", "killings", "attacks",
               "governance", "badia_front", "strategic_patience")),
    ("day", ("prison", "patrols", "raids", "trade", "influence")),
    ("month_end", ("councils", "elite_bargain", "trust", "remittance", "recruitment", "prison", "sdf_recruitment",
                   "cell_bases", "exodus", "badia_front", "repentance", "strongholds", "strategic_patience")),
)
"""The day's phases and, in each, the mechanisms whose hook of that name runs, in order.

The night is bracketed by ``night_movement``: the cells go out before it and are back after it.
"""


class PhaseHooks:
    """The hooks of one phase whose mechanism's switch is on, in order (the rule of ``Mechanism.enabled``).

    The switches are read once a phase, in one call; the list of hooks is rebuilt only when they changed
    (an event or a user turned a mechanism on or off), instead of one switch read per hook and day. No
    hook changes a switch, so reading them at the phase's start is reading them before each hook.
    """

    __slots__ = ("hooks", "kept", "key", "on", "switches")

    def __init__(self, mechanisms: Mechanisms, phase: str, names: tuple[str, ...]) -> None:
        self.hooks = [(mechanisms.get(n).switch, getattr(mechanisms.get(n), phase)) for n in names]
        switches = tuple(dict.fromkeys(switch for switch, _ in self.hooks if switch is not None))
        self.switches = (values_of(switches) if len(switches) > 1
                         else lambda p: tuple(getattr(p, n) for n in switches))
        self.key: tuple | None = None
        self.on: tuple = ()
        self.kept = KeptRules()  # the switches are read again only when the parameters may have changed

    def enabled(self, p: Parameters) -> tuple:
        """The hooks to run now, given the parameters ``p``."""
        return self.kept.get(p, lambda: self._switched_on(p))

    def _switched_on(self, p: Parameters) -> tuple:
        key = self.switches(p)
        if key != self.key:
            self.key, self.on = key, tuple(hook for switch, hook in self.hooks if switch is None or getattr(p, switch))
        return self.on


def month_ends(start: dt.date, days: int) -> list[bool]:
    """For each day of a run of ``days`` days from ``start``: whether the month's end follows it (the
    month's last day, or the run's last day)."""
    ends = [False] * days
    year, month = start.year, start.month
    while True:  # one step a month: the day before each first of a month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        last = (dt.date(year, month, 1) - start).days - 1
        if last >= days:
            break
        ends[last] = True
    if days:
        ends[-1] = True
    return ends


def month_end_from(ends: list[bool]) -> list[int]:
    """For each day, the first day from it on that a month's end follows (``ends``: :func:`month_ends`)."""
    out = [len(ends) - 1] * len(ends)
    nxt = len(ends) - 1
    for day in range(len(ends) - 1, -1, -1):
        if ends[day]:
            nxt = day
        out[day] = nxt
    return out


def fresh_seed() -> int:
    """A new seed from the operating system's entropy (a run asked for no seed)."""
    return int(np.random.SeedSequence().generate_state(1)[0])


class InsurgencyModel(Model):
    """IS resurgence in north-eastern Syria, 2019 onwards.

    Args:
        scenario: a :class:`sim.scenario.Scenario`, a scenario name (``"baseline"``) or path;
            ``None`` means the shipped baseline.
        rng: seed (int or numpy integer) or numpy Generator, what ``mesa.batch_run`` passes;
            ``None`` (and no ``seed``) draws a fresh seed, kept in ``model.seed``. For the
            scenario's own seed pass ``rng=scenario.seed`` (``sim.run`` and the CLI do).
        seed: alias of ``rng`` for an integer seed.
        collect_daily: record the daily state with Mesa's DataCollector (``daily_frame``); batches
            and calibration, which read only the monthly outcomes, pass ``False`` (about 10% faster).
        **parameters: parameter overrides (names from ``seeds/parameters.toml``), validated.
    """

    @collector.paused()  # a build's objects all live through the run: collecting them finds nothing (see there)
    def __init__(self, scenario: Any = None, *, rng: Any = None, seed: Any = None, collect_daily: bool = True,
                 **parameters: Any) -> None:
        from sim.scenario import Scenario, load_scenario  # scenario imports the model's event registry

        if scenario is None:
            scenario = load_scenario("baseline")
        elif not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        if rng is None:
            rng = seed if seed is not None else fresh_seed()
        if isinstance(rng, numbers.Integral):
            rng = int(rng)  # numpy integers too
        self.seed = rng if isinstance(rng, int) else None
        super().__init__(rng=rng)
        self.run_scenario = scenario
        self.p = Parameters(**{**scenario.parameters, **parameters})
        self.start_date: dt.date = scenario.start
        self.n_days: int = scenario.days
        self.day: int = 0  # index of the day being (or last) simulated; day 0 is the start date
        self._dated = (0, self.start_date)  # (day, its date): the date is asked many times a day
        self._month_ends = month_ends(self.start_date, self.n_days)
        self._month_end_from = month_end_from(self._month_ends)
        self._run_through = -1  # the last day of the running run_for (-1: one day a step, as a bare step())
        self.geography: Geography = read_map(scenario.map_path)
        self.policy = Policy.initial([d.name for d in self.geography.districts])
        self.event_log: list[dict[str, Any]] = []
        self.units_version = 0  # bumped whenever SDF units change, so presence is recomputed
        self._sites: CellSites | None = None
        self._build_world()
        self.mechanisms = Mechanisms.build(self)
        # each phase's hooks with their mechanism's switch (16 hooks a day and 12 more at each month's end,
        # where the property's calls cost a few percent)
        self._hooks = {phase: PhaseHooks(self.mechanisms, phase, names) for phase, names in PHASES}
        self.night_acts = NightActs(self)  # the night's hooks after the moves in one compiled call
        # the mechanisms whose daily inputs change on a set day (they bound how many days run in one call)
        self._steady = [m for m in self.mechanisms if type(m).steady_through is not Mechanism.steady_through]
        self.day_acts = DayActs(self)  # and the day's raids, trade and influence
        self.recorder = Recorder()
        self.collect_daily = collect_daily
        self.datacollector = DataCollector(model_reporters=DAILY_REPORTERS)
        self._scheduled = scenario.schedule(self)
        self.running = True
        self._told_ended = False

    # ------------------------------------------------------------------ copies
    def __getstate__(self) -> dict[str, Any]:
        """The model's state for ``copy.deepcopy`` and ``pickle``, with the list of its read-only arrays, so
        that their copies are read-only too (:mod:`sim.readonly`: the kernels then take the copy's arrays
        with the types they were compiled for)."""
        return {**self.__dict__, "_readonly_arrays": readonly_arrays(self)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        mark_readonly(state.pop("_readonly_arrays", ()))
        self.__dict__.update(state)

    # ------------------------------------------------------------------ world
    def _build_world(self) -> None:
        g = self.geography
        self.grid = MooreGrid((g.width, g.height), torus=False, random=self.random)
        for name, data in g.layers().items():
            self.grid.add_property_layer(PropertyLayer.from_data(name, data))
        for name in ("is_influence", "sdf_presence"):
            self.grid.create_property_layer(name, default_value=0.0, dtype=float)
        self.villages, names = build_villages(self)
        self.accounts = Accounts(len(names))
        self.world = World.build(self, names)
        self.village_agents = [Village(self, i, self.grid[(int(x), int(y))], names[i])
                               for i, (x, y) in enumerate(zip(self.villages.x, self.villages.y, strict=True))]
        self.zakat_by_village = np.zeros(len(names))  # USD paid, for the zakat share of each zone
        self.violence_by_village = np.zeros(len(names))  # killings and attacks
        self.traders = build_traders(self)
        self.trader_agents = [Trader(self, i, self.village_agents[int(k)].cell)
                              for i, k in enumerate(self.traders.village)]
        self.cells = ISCellTable.empty()
        self.cell_agents: list[ISCell | None] = []
        self.treasury = 0.0
        # the SDF's garrisons and their presence first: the first cells hide away from them (world/hideouts)
        self.units = build_units(self)
        self.villages.guard[:] = day_one_presence(self)
        build_cells(self)
        self.unit_agents = [SDFUnit(self, i, self.village_agents[int(h)].cell) for i, h in enumerate(self.units.home)]
        # the detainees' count, in an array the raids' kernels add their captures to (see detainees)
        self.detained = np.full(1, int(self.p.detainees_initial), np.int64)
        self.accounts.people["initial_detainees"] = self.detainees

    @property
    def detainees(self) -> int:
        """IS members in SDF detention (:attr:`detained`, the array the raids' kernels add their captures to)."""
        return int(self.detained[0])

    @detainees.setter
    def detainees(self, n: int) -> None:
        self.detained[0] = n

    @property
    def village_names(self) -> list[str]:
        """Every village's name, by row."""
        return self.world.village_names

    @property
    def village_index(self) -> dict[str, int]:
        """Row of each village by name."""
        return self.world.village_index

    # ------------------------------------------------------------------ time
    @property
    def date(self) -> dt.date:
        """Calendar date of the current day."""
        day, date = self._dated
        if day != self.day:
            date = self.start_date + dt.timedelta(days=self.day)
            self._dated = (self.day, date)
        return date

    def day_of(self, date: dt.date) -> int:
        """Day index of a calendar date."""
        return (date - self.start_date).days

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One day: the phases in order, the month's end only when the month turns.

        Nothing once the scenario's last day is done (``running`` is False): a run covers its scenario's
        months and no more (load the scenario with more ``months`` to run longer). Within ``run_for`` (and
        ``run``) a step does the days after its own up to :meth:`last_day_of_step` (to the month's end, before the
        next event), several in one kernel call where it can (:meth:`days_ahead`); Mesa's ``steps`` and ``time``
        then move on to the last of them, as if each had been a step.
        """
        if not self.running:
            self._say_ended()
            return
        own = self.day = self.steps - 1
        last = self.last_day_of_step()  # the same from each of its days: no event fires within a step
        while True:
            if not self.night(through=last):
                self.daytime()
            if self._month_ends[self.day]:
                self.month_end()
            if self.collect_daily:
                self.datacollector.collect(self)
            if self.day >= last:
                break
            self.day += 1
        if self.day > own:  # the days after this step's own were done too: Mesa's clock moves on to the last
            # (its step generator schedules the next step a day after the model's time when this step returns)
            self.steps = self.day + 1
            self.time = float(self.steps)
        if self.steps >= self.n_days:
            self.running = False

    def night(self, through: int | None = None) -> bool:
        """The night phase: cells go out, the night's mechanisms act, cells are back at dawn. ``through``: the
        running step's last day (:meth:`last_day_of_step`), or None; with it the day's phase may be done in the
        same kernel call, after the night (``DayActs.joined``), and whole days after it, as many as
        :meth:`days_ahead` allows (``day`` then moves on to the last night run); returns whether the last night's
        day was done. Where Python steps in on such a night, the kernel is called again from where it stopped
        (``NightActs.whole_night``), with the day's inputs made again."""
        on, day_on = self._hooks["night"].enabled(self.p), self._hooks["day"].enabled(self.p)
        given, start = NO_VISITS, ACTS
        while True:
            day = None if through is None else self.day_acts.joined(day_on)
            days = 1 if day is None else self.days_ahead(through)
            left = self.night_acts.whole_night(on, day, days, given, start)
            if not isinstance(left, GoOn):
                break
            given, start = left
        self.mechanisms.night_movement.dawn()
        if 0 < left < len(DAY_BLOCK):  # the day's block from hook ``left`` on, in Python
            self.day_acts.day(day_on, left)
        return left > 0

    def last_day_of_step(self) -> int:
        """The last day the running step may do, from today: the month's last day (its month end follows), the
        running ``run_for``'s last day and the day before the next Mesa event (a scenario's, a user's); today for a
        bare ``step()`` and while the daily state is collected."""
        if self.collect_daily:
            return self.day
        last = min(self._month_end_from[self.day], self._run_through)
        events = self._event_list  # the step's own next event is scheduled after this step
        coming = [] if events.is_empty() else events.peek_ahead(1)
        if coming:
            last = min(last, math.ceil(coming[0].time) - 2)  # day d runs at time d + 1, after events before it
        return max(last, self.day)

    def days_ahead(self, last: int) -> int:
        """How many days from today may run in one kernel call (``sim.night_acts.days_in_a_row``): to the step's
        ``last`` day (:meth:`last_day_of_step`), while the mechanisms' daily inputs are steady."""
        for mechanism in self._steady:
            through = mechanism.steady_through(self.day)
            if through is not None:
                last = min(last, through)
        return max(last - self.day + 1, 1)

    def daytime(self) -> None:
        """The day phase."""
        self.day_acts.day(self._hooks["day"].enabled(self.p))

    def month_end(self) -> None:
        """The month-end phase, then the month's record."""
        self._run_hooks("month_end")
        self.recorder.close_month(self)

    def _run_hooks(self, phase: str, *args: Any) -> None:
        for hook in self._hooks[phase].enabled(self.p):
            hook(*args)

    def run(self) -> InsurgencyModel:
        """Run to the end of the scenario (processing its events) and return self."""
        self.run_for(self.n_days - self.steps)
        return self

    def run_for(self, duration: float | int) -> None:
        """Advance ``duration`` days (Mesa's ``run_for``), but not past the scenario's last day."""
        left = self.n_days - self.steps
        if duration > left:
            self._say_ended()
            duration = max(left, 0)
        # the last day this call steps through: its steps may do several days each (last_day_of_step), not past it
        self._run_through = math.floor(self.time + duration) - 1
        try:
            with collector.paused():  # a run's days make no cyclic garbage: collections would find nothing (see there)
                super().run_for(duration)
        finally:
            self._run_through = -1

    def _say_ended(self) -> None:
        # once per model: a loop of steps past the end would otherwise warn every day
        if not self._told_ended:
            self._told_ended = True
            warnings.warn(f"the scenario ends on {self.start_date + dt.timedelta(days=self.n_days - 1)} (day "
                          f"{self.n_days}): the run stops there; load it with more months to run longer",
                          UserWarning, stacklevel=3)

    # ------------------------------------------------------------------ changes to the world
    def log_event(self, kind: str, **details: Any) -> None:
        """Note a scenario event that fired (for the viz and the run's outputs)."""
        self.event_log.append({"day": self.day, "date": self.date.isoformat(), "event": kind, **details})

    def units_changed(self) -> None:
        """Say that SDF units changed (strength, deployment), so presence is recomputed."""
        self.units_version += 1

    def cell_sites(self) -> CellSites:
        """Where the living cells hide and what is there (kept until a cell dies, forms or moves base)."""
        key = CellSites.key_of(self)
        if self._sites is None or self._sites.key != key:
            self._sites = CellSites.build(self, key)
        return self._sites

    def place_cell_agents(self, rows: np.ndarray) -> None:
        """Move the Mesa agents of the given cells to where their table rows say they are."""
        c, agents, grid = self.cells, self.cell_agents, self.grid
        for row, x, y in zip(rows.tolist(), c.x[rows].tolist(), c.y[rows].tolist(), strict=True):
            agent = agents[row]
            if agent is not None:
                agent.cell = grid[(x, y)]

    def remove_cell(self, row: int) -> None:
        """A dismantled cell: its row stays (for the books), its Mesa agent goes."""
        self.cells.alive[row] = False
        agent = self.cell_agents[row]
        if agent is not None:
            agent.remove()
            self.cell_agents[row] = None

    def add_cell(self, x: int, y: int, role: int, fighters: int, supporters: int = 0) -> int:
        """A new cell (from recruits or escapees) based at (x, y)."""
        row = self.cells.append(x=x, y=y, base_x=x, base_y=y, role=role, fighters=fighters,
                                supporters=supporters, money=0.0, alive=True, exposure=0.0, under_command=True)
        self.cell_agents.append(ISCell(self, row, self.grid[(x, y)]))
        return row

    def add_cells(self, x: np.ndarray, y: np.ndarray, role: np.ndarray, fighters: np.ndarray) -> list[int]:
        """New cells (with no supporters yet) based at (x, y), in one go; their rows."""
        rows = self.cells.extend(len(x), x=x, y=y, base_x=x, base_y=y, role=role, fighters=fighters, alive=True,
                                 under_command=True)
        self.cell_agents.extend(ISCell(self, int(r), self.grid[(int(a), int(b))])
                                for r, a, b in zip(rows, x, y, strict=True))
        return rows.tolist()

    def add_unit(self, home: int, strength: int, local: bool) -> int:
        """A new SDF unit garrisoning village ``home``."""
        v = self.villages
        row = self.units.append(x=v.x[home], y=v.y[home], home=home, strength=strength, nominal=strength,
                                local=local, active=True)
        self.unit_agents.append(SDFUnit(self, row, self.village_agents[home].cell))
        self.units_changed()
        return row

    # ------------------------------------------------------------------ outputs
    @property
    def monthly(self) -> list[dict[str, Any]]:
        """The monthly records so far (one dict a month)."""
        return self.recorder.monthly

    def monthly_frame(self) -> pd.DataFrame:
        """The monthly outcomes as a DataFrame (one row a month)."""
        return pd.DataFrame(self.recorder.monthly)

    def incident_frame(self) -> pd.DataFrame:
        """Incidents by month and village: date, village, district, governorate, kind, count."""
        return self.recorder.incident_frame()

    def daily_frame(self) -> pd.DataFrame:
        """The daily state recorded by Mesa's DataCollector (empty when built with ``collect_daily=False``)."""
        return self.datacollector.get_model_vars_dataframe()

    def village_frame(self) -> pd.DataFrame:
        """Every village's current state, one row each."""
        v, w = self.villages, self.world
        df = pd.DataFrame({k: c for k, c in v.columns().items() if c.ndim == 1})
        df.insert(0, "name", w.village_names)
        df["district"] = w.district_of
        df["zone"] = w.zone_of
        df["governorate"] = w.governorate_of
        df["stronghold_score"] = self.mechanisms.strongholds.score()
        return df

    @property
    def map_path(self) -> Path:
        """The map file this run uses."""
        return self.geography.path
