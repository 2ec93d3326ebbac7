"""Initial conditions: the villages, traders, IS cells, SDF units and detainees of day one.

Every level here is a parameter of the seeds table (owned by the world, see ``PARAMS`` in
:mod:`sim.world`), set per zone of the brief's analysis: eastern Deir ez-Zor disaffiliated from the
administration (EUI 2022, s.4), Raqqa's elites holding the institutions (fn 38), al-Hasaka's
Ghuweiran and al-Zuhur hostile to the Kurdish movement yet not sympathetic to IS (s.2, fn 30-32),
councils rarely formed in the north-east strip and Margadeh (s.2).

With ``comparable_start`` (the validation configuration of issue 13) none of that favours the
eastern strip: every village IS once held starts at ``initial_influence_former_is`` (IS seeded
sleeper cells across the areas it had held, WP 2019; al-Hasaka city and the Jazira steppe at 0),
every eastern-strip village has a council with chance ``council_share_initial_east``, and the
strip's trust is ``trust_other``. The sourced exceptions stay: Ghuweiran and al-Zuhur (fn 30) and
Raqqa's elites (fn 38).

The map's kin-network label of each named place (``tribe``) is not copied onto the villages: no
mechanism uses kinship yet (issue 13, item I: shelter by kin group, flight across the Iraqi
border by kin, amnesty trust by kin). Flight into Iraq from the border strip is modelled without
it, in :mod:`sim.mechanisms.cell_bases`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.agents import CRITERIA, SDFUnitTable, TraderTable, VillageTable
from sim.world.names import (
    EAST_STRIP,
    HASAKA,
    HASAKA_NEIGHBOURHOODS,
    KARAMA_RAQQA,
    NEVER_COUNCILLED,
    NEVER_HELD_BY_IS,
    SDF,
)
from sim.world.population import form_cells

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def build_villages(model: InsurgencyModel) -> tuple[VillageTable, list[str]]:
    """One row per settlement cell of the map, sorted by (x, y), and the villages' names."""
    g, p, rng = model.geography, model.p, model.random
    s = g.settlements
    n = len(s.names)
    comparable = bool(p.comparable_start)
    east_trust = p.trust_other if comparable else p.trust_east
    base_trust = {EAST_STRIP: east_trust, KARAMA_RAQQA: p.trust_karama_raqqa, HASAKA: p.trust_hasaka}
    # what depends on the district only, once per district
    hood = [d.name == HASAKA_NEIGHBOURHOODS for d in g.districts]
    trust = [p.trust_hasaka_neighbourhoods if h else base_trust.get(d.zone, p.trust_other)
             for d, h in zip(g.districts, hood, strict=True)]
    influence = [initial_influence(p, d.name, d.zone) for d in g.districts]
    sympathy = [p.sympathy_hasaka_neighbourhoods if h else 1.0 for h in hood]
    market = [p.village_market if d.village_market is None else d.village_market for d in g.districts]
    council_share = [initial_council_share(p, d.name, d.zone) for d in g.districts]
    district = s.district.tolist()
    sdf = g.holder[s.x, s.y] == SDF
    # one draw per SDF-held village, in the villages' order
    has_council = [held and rng.random() < council_share[d] for held, d in zip(sdf.tolist(), district, strict=True)]
    camp_pop, village_pop = p.camp_population, p.village_population
    by_district = np.array(district, dtype=np.intp)
    template = VillageTable.empty().columns()

    def column(name: str, values: Any) -> np.ndarray:
        return np.array(values, dtype=template[name].dtype)

    def per_district(name: str, values: list) -> np.ndarray:
        return column(name, values)[by_district]

    table = VillageTable(
        x=column("x", s.x), y=column("y", s.y),
        population=column("population", [pl.population if pl is not None else camp_pop if c else village_pop
                                         for pl, c in zip(s.place, s.camp, strict=True)]),
        # shepherd camps hold no market: no traders, no zakat
        market=column("market", [pl.market if pl is not None else 0.0 if c else market[d]
                                 for pl, c, d in zip(s.place, s.camp, district, strict=True)]),
        oil=column("oil", [pl is not None and pl.oil for pl in s.place]),
        district=column("district", s.district), zone=column("zone", s.zone), sdf_held=sdf,
        has_council=column("has_council", has_council), has_chairman=column("has_chairman", has_council),
        officials=column("officials", [p.officials_per_council if h else 0 for h in has_council]),
        pledged=np.zeros(n), trust=per_district("trust", trust), trust_baseline=per_district("trust_baseline", trust),
        fear=per_district("fear", influence), influence=per_district("influence", influence),
        # full appeal is the reference the recruitment rate is measured against, so 1 is a unit, not a level
        sympathy=per_district("sympathy", sympathy),
        tawba_pressure=np.zeros(n), guard=np.zeros(n), is_present=np.zeros(n, template["is_present"].dtype),
        bargain=np.zeros(n, bool), cache=np.zeros(n), criteria=np.zeros((n, len(CRITERIA))),
    )
    return table, list(s.names)


def initial_influence(p: Any, district: str, zone: str) -> float:
    """IS influence on day one in a village of ``district`` (in ``zone``)."""
    if p.comparable_start:
        return 0.0 if district in NEVER_HELD_BY_IS else float(p.initial_influence_former_is)
    return float(p.initial_influence_east if zone == EAST_STRIP else p.initial_influence_other)


def initial_council_share(p: Any, district: str, zone: str) -> float:
    """Chance that an SDF-held village of ``district`` (in ``zone``) has a council on day one."""
    if p.comparable_start and zone == EAST_STRIP:
        return float(p.council_share_initial_east)
    return float(p.council_share_northeast if district in NEVER_COUNCILLED else p.council_share_other)


def build_traders(model: InsurgencyModel) -> TraderTable:
    """Traders in the SDF-held markets (where the brief describes the zakat racket).

    With ``oil_economy_enabled``, the oil villages of the triangle (the map's ``oil``) have
    ``oil_traders_per_village`` more traders (smugglers and well operators) and all their traders
    are ``oil_trader_wealth_factor`` times richer: the triangle is the heart of the racket because
    the economic circuits, smuggling and oil wells are there (EUI 2022, s.2), and the largest
    demands are made there (fn 24).
    """
    p, v, rng = model.p, model.villages, model.rng
    oil = v.oil & v.sdf_held if p.oil_economy_enabled else np.zeros(len(v), bool)
    counts = np.rint(v.market * p.traders_per_market_unit).astype(int) + oil * int(p.oil_traders_per_village)
    counts[~v.sdf_held] = 0
    village = np.repeat(np.arange(len(v)), counts)
    n = len(village)
    wealth = rng.lognormal(np.log(p.trader_wealth_median_usd), p.trader_wealth_sigma, n)
    wealth[oil[village]] *= p.oil_trader_wealth_factor
    model.accounts.money["initial_trader_wealth"] = float(wealth.sum())
    return TraderTable(
        village=village.astype(np.int32), wealth=wealth, income=wealth * p.trader_daily_return,
        status=np.zeros(n, np.int8),
        # IS's demands reach traders at different times of the year, not all on day one
        next_demand=rng.integers(0, max(1, int(p.zakat_interval_days)), n).astype(np.int32),
        zakat_paid=np.zeros(n), losses=np.zeros(n),
    )


def build_cells(model: InsurgencyModel) -> None:
    """IS's share of fighters and supporters on this map, formed into cells (``model.cells`` must exist, empty).

    ``is_fighters_total`` is a 2022 estimate (EUI fn 23); in 2019 IS was stronger (WP 2019: hundreds
    had slipped out of eastern Syria, and several thousand were thought to hide in remote parts of
    Iraq), so the start scales it by ``is_fighters_2019_factor``; the
    surplus passes through and leaves the map (:mod:`sim.mechanisms.exodus`).
    """
    p = model.p
    fighters = int(round(p.is_fighters_total * p.is_fighters_2019_factor * p.region_share_of_is))
    supporters = int(round(p.is_supporters_total * p.region_share_of_is))
    rows = np.array(form_cells(model, fighters, sleeper_share=float(p.sleeper_seed_share)), dtype=np.int64)
    if len(rows):
        share = np.full(len(rows), supporters // len(rows))
        share[: supporters - share.sum()] += 1
        model.cells.supporters[rows] = share
    else:
        model.accounts.people["supporters_dispersed"] += supporters
    model.treasury = float(p.is_money_initial_usd)
    model.accounts.money["initial_is_money"] = float(p.is_money_initial_usd)
    model.accounts.people["initial_fighters"] = int(model.cells.fighters.sum())
    model.accounts.people["initial_supporters"] = int(model.cells.supporters.sum()) + (0 if len(rows) else supporters)


def build_units(model: InsurgencyModel) -> SDFUnitTable:
    """SDF garrisons in the SDF-held towns and villages (not the camps), more where more people live.

    A garrison's home is drawn with weight population ** ``garrison_population_exponent``; units
    start at full strength (``sdf_unit_size``), a share ``sdf_local_share_initial`` recruited locally.
    """
    p, v, rng = model.p, model.villages, model.rng
    n = int(round(p.sdf_fighters_region / p.sdf_unit_size))
    held = np.nonzero(v.sdf_held & (v.population > p.camp_population))[0]
    if not len(held):
        held = np.nonzero(v.sdf_held)[0]
    if not len(held):
        n = 0
    w = v.population[held].astype(float) ** p.garrison_population_exponent + 1e-9
    homes = held[rng.choice(len(held), size=n, p=w / w.sum())] if n else np.zeros(0, np.int64)
    local = rng.random(n) < p.sdf_local_share_initial
    size = int(p.sdf_unit_size)
    return SDFUnitTable(
        x=v.x[homes].copy(), y=v.y[homes].copy(), home=homes.astype(np.int32),
        strength=np.full(n, size, np.int32), nominal=np.full(n, size, np.int32), local=local, active=np.ones(n, bool),
    )
