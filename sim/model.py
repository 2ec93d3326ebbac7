"""The insurgency model: north-eastern Syria after the fall of Baghouz, one step a day.

Each step is one day, run as ordered phases:

* night - IS cells leave their hideouts for a village within reach, act there by their role
  (flying checkpoints, zakat demands, targeted killings, attacks, calls to repent and to swear
  allegiance), the Badia front flares or is bought quiet, and the cells melt away at dawn;
* day - SDF units patrol, raid the cells their intelligence finds and arrest, markets trade,
  IS influence and fear relax where the administration is present;
* month end - councils fill or empty, trust moves, IS and the SDF recruit, the stronghold
  criteria are aged, and the month's outcomes are recorded.

Scenario events (a Coalition withdrawal, a prison attack, an amnesty...) are Mesa events
scheduled on their date; they change the plain attributes set in ``_init_policy``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mesa import DataCollector, Model
from mesa.discrete_space import OrthogonalMooreGrid, PropertyLayer

from sim import mechanisms as mech
from sim.accounts import Accounts
from sim.agents import CRITERIA, ISCell, ISCellTable, SDFUnit, SDFUnitTable, Trader, TraderTable, Village, VillageTable
from sim.agents.is_cell import ROLES
from sim.geography import SETTLEMENT_TERRAINS, TERRAINS, Geography, load_map
from sim.outcomes import DAILY_REPORTERS, monthly_record
from sim.parameters import Parameters


class InsurgencyModel(Model):
    """IS resurgence in north-eastern Syria, 2019 onwards.

    Args:
        scenario: a :class:`sim.scenario.Scenario`, a scenario name (``"baseline"``) or path;
            ``None`` means the shipped baseline.
        rng: seed or numpy Generator (what ``mesa.batch_run`` passes).
        seed: alias of ``rng`` for an int seed.
        **parameters: parameter overrides (names from ``seeds/parameters.toml``), validated.
    """

    def __init__(self, scenario: Any = None, *, rng: Any = None, seed: int | None = None, **parameters: Any) -> None:
        from sim.scenario import Scenario, load_scenario  # scenario imports the model's event registry

        if scenario is None:
            scenario = load_scenario("baseline")
        elif not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        if rng is None:
            rng = seed if seed is not None else scenario.seed
        super().__init__(rng=rng)
        self.run_scenario = scenario
        values = {**scenario.parameters, **parameters}
        self.p = Parameters(**values)
        self.start_date: dt.date = scenario.start
        self.n_days: int = scenario.days
        self.geography: Geography = load_map(scenario.map_path)
        self.accounts = Accounts()
        self.monthly: list[dict[str, Any]] = []
        self.day: int = 0  # index of the day being (or last) simulated; day 0 is the start date
        self.event_log: list[dict[str, Any]] = []

        self._init_policy()
        self._init_space()
        self._init_villages()
        self._init_traders()
        self._init_is()
        self._init_sdf()
        self._init_prison()
        self.datacollector = DataCollector(model_reporters=DAILY_REPORTERS)
        self._scheduled = scenario.schedule(self)
        self.running = True

    # ------------------------------------------------------------------ state
    def _init_policy(self) -> None:
        """The state scenario events change mid-run, with its defaults."""
        self.coalition_present: bool = True
        self.withdrawal_day: int | None = None
        self.sdf_attention_north: float = 0.0  # share of SDF units redeployed towards Turkey
        self.policing: str = "conventional"  # or "community"
        self.feeding_the_road: bool = False
        self.regime_offensive: bool = False
        self.hasaka_siege_until: int = -1  # day until which SDF units are held in the al-Hasaka cordon

    def _init_space(self) -> None:
        g = self.geography
        self.grid = OrthogonalMooreGrid((g.width, g.height), torus=False, random=self.random)
        for name, data in g.layers().items():
            self.grid.add_property_layer(PropertyLayer.from_data(name, data))
        for name in ("is_influence", "sdf_presence"):
            self.grid.create_property_layer(name, default_value=0.0, dtype=float)

    def _init_villages(self) -> None:
        g, p = self.geography, self.p
        named = {(pl.x, pl.y): pl for pl in g.places if pl.kind != "prison"}
        settlement = np.isin(g.terrain, [TERRAINS.index(t) for t in SETTLEMENT_TERRAINS])
        coords = sorted(zip(*np.nonzero(settlement), strict=True))
        holder = g.holder
        zones = g.zone
        rows: dict[str, list] = {k: [] for k in VillageTable.empty().columns()}
        names = []
        for x, y in coords:
            x, y = int(x), int(y)
            place = named.get((x, y))
            district = g.districts[g.district[x, y]]
            zone = district.zone
            is_camp = g.terrain[x, y] == TERRAINS.index("camp")
            if place is not None:
                pop, market, oil, tribe, name = place.population, place.market, place.oil, place.tribe, place.name
            else:
                pop = p.camp_population if is_camp else p.village_population
                market = 0.0 if is_camp else (
                    p.village_market if district.village_market is None else district.village_market)
                oil, tribe = False, "shepherds" if is_camp else "local"
                name = f"{'camp' if is_camp else 'village'} {x},{y}"
            sdf = holder[x, y] == 0
            in_northeast = district.name in ("northeast_strip", "margadeh")
            has_council = sdf and (self.random.random() < (p.council_share_northeast if in_northeast else 1.0))
            trust0 = {
                "east_strip": p.trust_east, "karama_raqqa": p.trust_karama_raqqa, "hasaka": p.trust_hasaka,
            }.get(zone, p.trust_other)
            if district.name == "hasaka_neighbourhoods":
                trust0 = p.trust_hasaka_neighbourhoods
            influence0 = p.initial_influence_east if zone == "east_strip" else p.initial_influence_other
            values = dict(
                x=x, y=y, population=pop, market=market, oil=oil, district=g.district[x, y],
                zone=zones[x, y], tribe=g.tribes.index(tribe), sdf_held=sdf, has_council=has_council,
                has_chairman=has_council, officials=p.officials_per_council if has_council else 0, pledged=0.0,
                trust=trust0, trust_baseline=trust0, fear=influence0, influence=influence0,
                sympathy=p.sympathy_hasaka_neighbourhoods if district.name == "hasaka_neighbourhoods" else 1.0,
                tawba_pressure=0.0, guard=0.0, is_present=0, bargain=False,
            )
            for k, v in values.items():
                rows[k].append(v)
            names.append(name)
        template = VillageTable.empty().columns()
        self.villages = VillageTable(
            **{k: np.array(v, dtype=template[k].dtype) for k, v in rows.items() if k != "criteria"},
            criteria=np.zeros((len(names), len(CRITERIA))),
        )
        self.village_names = names
        self.village_agents = [
            Village(self, i, names[i], self.grid[(int(self.villages.x[i]), int(self.villages.y[i]))])
            for i in range(len(names))
        ]
        self.village_index = {n: i for i, n in enumerate(names)}
        self.geography_district_names = np.array([d.name for d in g.districts])
        self.zakat_by_village = np.zeros(len(names))
        self.violence_by_village = np.zeros(len(names))
        self._zakat_at_last_month = 0.0
        # distances between villages (in cells, Chebyshev: Moore moves) for reach and patrols
        # spatial index (performance): the village row on each grid cell, -1 where there is none.
        # Villages are settlement cells, so at most one per cell, and rows are sorted by (x, y).
        self._village_at = np.full((g.width, g.height), -1, dtype=np.int64)
        self._village_at[self.villages.x, self.villages.y] = np.arange(len(names))
        self._nearest_cache: dict[tuple[int, int], int] = {}
        self._within_cache: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = {}
        self.zone_of = np.array([g.zones[z] for z in self.villages.zone])

    def _init_traders(self) -> None:
        p, v = self.p, self.villages
        counts = np.rint(v.market * p.traders_per_market_unit).astype(int)
        counts[~v.sdf_held] = 0  # the zakat racket the brief describes is in SDF-held markets
        village = np.repeat(np.arange(len(v)), counts)
        n = len(village)
        wealth = self.rng.lognormal(np.log(p.trader_wealth_median_usd), p.trader_wealth_sigma, n)
        self.traders = TraderTable(
            village=village.astype(np.int32), wealth=wealth, income=wealth * p.trader_daily_return,
            # IS's demands reach traders at different times of the year, not all on day one
            status=np.zeros(n, np.int8),
            next_demand=self.rng.integers(0, int(p.zakat_interval_days), n).astype(np.int32),
            zakat_paid=np.zeros(n), losses=np.zeros(n),
        )
        self.accounts.money["initial_trader_wealth"] = float(wealth.sum())
        self.trader_agents = [
            Trader(self, i, self.grid[(int(v.x[village[i]]), int(v.y[village[i]]))]) for i in range(n)
        ]

    def _init_is(self) -> None:
        p = self.p
        fighters_total = int(round(p.is_fighters_total * p.region_share_of_is))
        supporters_total = int(round(p.is_supporters_total * p.region_share_of_is))
        sizes = []
        while sum(sizes) < fighters_total:
            sizes.append(max(2, int(self.rng.poisson(p.cell_size_mean))))
        sizes[-1] -= sum(sizes) - fighters_total
        if sizes[-1] < 1:
            sizes.pop()
        n = len(sizes)
        role_weights = np.array([getattr(p, f"role_share_{r}") for r in ROLES])
        self.role_weights = role_weights / role_weights.sum()
        roles = self.rng.choice(len(ROLES), size=n, p=self.role_weights)
        bases = [self._pick_base(kind) for kind in self.rng.choice(
            3, size=n, p=np.array([p.base_share_badia, p.base_share_shepherd, p.base_share_embedded])
            / (p.base_share_badia + p.base_share_shepherd + p.base_share_embedded))]
        bx = np.array([b[0] for b in bases], np.int32)
        by = np.array([b[1] for b in bases], np.int32)
        supporters = np.full(n, supporters_total // n)
        supporters[: supporters_total - supporters.sum()] += 1
        self.cells = ISCellTable(
            x=bx.copy(), y=by.copy(), base_x=bx, base_y=by, role=roles.astype(np.int8),
            fighters=np.array(sizes, np.int32), supporters=supporters.astype(np.int32),
            money=np.zeros(n), alive=np.ones(n, bool), exposure=np.zeros(n),
        )
        self.treasury: float = p.is_money_initial_usd
        self.accounts.money["initial_is_money"] = p.is_money_initial_usd
        self.accounts.people["initial_fighters"] = int(self.cells.fighters.sum())
        self.accounts.people["initial_supporters"] = int(self.cells.supporters.sum())
        self.cell_agents: list[ISCell | None] = [
            ISCell(self, i, self.grid[(int(bx[i]), int(by[i]))]) for i in range(n)
        ]

    def _badia_hideouts(self) -> np.ndarray:
        if not hasattr(self, "_badia_cache"):
            g = self.geography
            desert = g.is_terrain("desert") & (g.holder == 1)
            cand = np.argwhere(desert)
            # Chebyshev distance to the nearest river cell within reach, by dilating the river mask
            # with a (2k+1)-square (one max-filter per axis) instead of a (desert x river) distance
            # matrix, which needs O(map^2) memory on large maps. Desert cells are never river cells
            # (d >= 1 always holds), so the selection and its order are exactly as before.
            near = _dilate(g.is_terrain("river"), int(self.p.badia_hideout_max_cells))
            east = cand[:, 0] >= g.width * 0.4  # the Badia facing eastern Deir ez-Zor
            self._badia_cache = cand[near[cand[:, 0], cand[:, 1]] & east]
        return self._badia_cache

    def _pick_base(self, kind: int) -> tuple[int, int]:
        """A hideout: 0 Badia desert, 1 shepherd camp, 2 a village of the eastern strip."""
        v = self.villages
        if kind == 0:
            cand = self._badia_hideouts()
            x, y = cand[self.rng.integers(len(cand))]
            return int(x), int(y)
        if kind == 1:
            camps = np.nonzero(self.geography.terrain[v.x, v.y] == TERRAINS.index("camp"))[0]
            camps = camps[v.sdf_held[camps]]
            i = camps[self.rng.integers(len(camps))]
        else:
            east = np.nonzero((self.zone_of == "east_strip") & v.sdf_held)[0]
            w = v.influence[east] + 1e-3
            i = east[self.rng.choice(len(east), p=w / w.sum())]
        return int(v.x[i]), int(v.y[i])

    def _init_sdf(self) -> None:
        p, v = self.p, self.villages
        n = int(round(p.sdf_fighters_region / p.sdf_unit_size))
        held = np.nonzero(v.sdf_held & (v.population > p.camp_population))[0]
        w = np.sqrt(v.population[held].astype(float))
        homes = held[self.rng.choice(len(held), size=n, p=w / w.sum())]
        local = self.rng.random(n) < p.sdf_local_share_initial
        self.units = SDFUnitTable(
            x=v.x[homes].copy(), y=v.y[homes].copy(), home=homes.astype(np.int32),
            strength=np.full(n, int(p.sdf_unit_size), np.int32), nominal=np.full(n, int(p.sdf_unit_size), np.int32),
            local=local, active=np.ones(n, bool),
        )
        self.unit_agents = [SDFUnit(self, i, self.grid[(int(v.x[h]), int(v.y[h]))]) for i, h in enumerate(homes)]
        self._guard_version: tuple = ()
        self.units_in_cordon = np.zeros(n, bool)
        self.units_version = 0
        self.sdf_recruits = {"local": 0, "external": 0}

    def _init_prison(self) -> None:
        self.detainees: int = int(self.p.detainees_initial)
        self.accounts.people["initial_detainees"] = self.detainees
        prison = [pl for pl in self.geography.places if pl.kind == "prison"]
        self.prison_xy = (prison[0].x, prison[0].y) if prison else None

    # ------------------------------------------------------------------ time
    @property
    def date(self) -> dt.date:
        """Calendar date of the current day."""
        return self.start_date + dt.timedelta(days=self.day)

    def day_of(self, date: dt.date) -> int:
        """Day index of a calendar date."""
        return (date - self.start_date).days

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One day: night, day, and the month's end when the month turns."""
        self.day = self.steps - 1
        # night
        visits = mech.night_movement.go_out(self)
        mech.checkpoints.night(self, visits)
        mech.zakat.night(self, visits)
        mech.repentance.night(self, visits)
        mech.allegiance.night(self, visits)
        mech.killings.night(self, visits)
        mech.attacks.night(self, visits)
        mech.governance.night(self, visits)
        mech.feeding_the_road.night(self)
        mech.night_movement.dawn(self)
        # day
        mech.patrols.day(self)
        mech.raids.day(self)
        mech.trade.day(self)
        mech.influence.day(self)
        # month end
        tomorrow = self.date + dt.timedelta(days=1)
        if tomorrow.day == 1 or self.day == self.n_days - 1:
            self.month_end()
        self.datacollector.collect(self)
        if self.day >= self.n_days - 1:
            self.running = False

    def month_end(self) -> None:
        """Monthly processes and the month's record."""
        mech.councils.month_end(self)
        mech.trust.month_end(self)
        mech.recruitment.month_end(self)
        mech.sdf_recruitment.month_end(self)
        mech.cell_bases.month_end(self)
        mech.feeding_the_road.month_end(self)
        self.villages.criteria *= self.p.criteria_monthly_decay
        self.villages.tawba_pressure *= self.p.tawba_monthly_decay
        self.monthly.append(monthly_record(self))

    def run(self) -> InsurgencyModel:
        """Run to the end of the scenario (processing its events) and return self."""
        self.run_for(self.n_days - self.steps)
        return self

    # ------------------------------------------------------------------ helpers
    def log_event(self, kind: str, **details: Any) -> None:
        """Note a scenario event that fired (for the viz and the run's outputs)."""
        self.event_log.append({"day": self.day, "date": self.date.isoformat(), "event": kind, **details})

    def nearest_village(self, x: int, y: int) -> int:
        """Row of the village nearest (Chebyshev) to cell (x, y), the lowest row among ties.

        Found by searching square rings around (x, y) in the spatial index, and cached per cell
        (villages never move).
        """
        key = (x, y)
        found = self._nearest_cache.get(key)
        if found is None:
            at = self._village_at
            w, h = at.shape
            for r in range(max(w, h)):
                box = at[max(0, x - r): x + r + 1, max(0, y - r): y + r + 1]
                hits = box[box >= 0]
                if len(hits):
                    found = int(hits.min())  # nothing nearer than r exists: all hits are at distance r
                    break
            else:
                raise ValueError("the map has no villages")
            self._nearest_cache[key] = found
        return found

    def villages_within(self, x: int, y: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the villages within ``radius`` cells (Chebyshev) of (x, y), and their distances.

        Rows come in increasing order; cached per (x, y, radius), so the cost of a night grows with
        the number of cells out, not with the size of the map.
        """
        key = (x, y, radius)
        found = self._within_cache.get(key)
        if found is None:
            box = self._village_at[max(0, x - radius): x + radius + 1, max(0, y - radius): y + radius + 1]
            rows = np.sort(box[box >= 0])
            dist = np.maximum(np.abs(self.villages.x[rows] - x), np.abs(self.villages.y[rows] - y))
            found = self._within_cache[key] = (rows, dist)
        return found

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
                                supporters=supporters, money=0.0, alive=True, exposure=0.0)
        self.cell_agents.append(ISCell(self, row, self.grid[(x, y)]))
        return row

    def add_unit(self, home: int, strength: int, local: bool) -> int:
        """A new SDF unit garrisoning village ``home``."""
        v = self.villages
        row = self.units.append(x=v.x[home], y=v.y[home], home=home, strength=strength, nominal=strength,
                                local=local, active=True)
        self.unit_agents.append(SDFUnit(self, row, self.grid[(int(v.x[home]), int(v.y[home]))]))
        self.units_version += 1
        return row

    # ------------------------------------------------------------------ outputs
    def monthly_frame(self) -> pd.DataFrame:
        """The monthly outcomes as a DataFrame (one row a month)."""
        return pd.DataFrame(self.monthly)

    def daily_frame(self) -> pd.DataFrame:
        """The daily state recorded by Mesa's DataCollector."""
        return self.datacollector.get_model_vars_dataframe()

    def village_frame(self) -> pd.DataFrame:
        """Every village's current state, one row each."""
        v = self.villages
        g = self.geography
        df = pd.DataFrame({k: c for k, c in v.columns().items() if c.ndim == 1})
        df.insert(0, "name", self.village_names)
        df["district"] = [g.districts[d].name for d in v.district]
        df["zone"] = self.zone_of
        df["stronghold_score"] = v.stronghold_score(self.p.stronghold_criterion_count)
        return df

    @property
    def map_path(self) -> Path:
        """The map file this run uses."""
        return self.geography.path


def _dilate(mask: np.ndarray, k: int) -> np.ndarray:
    """True on cells within Chebyshev distance ``k`` of a True cell of ``mask`` (a square max-filter)."""
    out = mask.copy()
    for axis in (0, 1):
        src, out = out, out.copy()
        n = src.shape[axis]
        for shift in range(1, min(k, n - 1) + 1):
            lo = [slice(None)] * 2
            hi = [slice(None)] * 2
            lo[axis], hi[axis] = slice(0, n - shift), slice(shift, n)
            out[tuple(lo)] |= src[tuple(hi)]
            out[tuple(hi)] |= src[tuple(lo)]
    return out
