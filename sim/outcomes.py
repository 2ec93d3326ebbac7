"""What a run reports: daily state (Mesa's DataCollector) and monthly outcomes.

Every outcome is defined once here, with a description, so the CLI, the plots, the notebooks
and the validation read the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.accounts import INCIDENTS
from sim.mechanisms import councils, sdf_recruitment

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def _zone_mean(model: InsurgencyModel, column: str, zone: str) -> float:
    v = model.villages
    mask = (model.zone_of == zone) & v.sdf_held
    return float(getattr(v, column)[mask].mean()) if mask.any() else 0.0


def _strongholds(model: InsurgencyModel) -> int:
    score = model.villages.stronghold_score(model.p.stronghold_criterion_count)
    return int((score >= model.p.stronghold_threshold).sum())


STATE: dict[str, tuple[str, Callable[[InsurgencyModel], Any]]] = {
    "is_fighters": ("IS fighters in active cells", lambda m: int(m.cells.fighters[m.cells.alive].sum())),
    "is_supporters": ("IS supporters attached to cells", lambda m: int(m.cells.supporters[m.cells.alive].sum())),
    "is_cells": ("IS cells not dismantled", lambda m: int(m.cells.alive.sum())),
    "is_treasury_usd": ("money held by the IS organisation", lambda m: float(m.treasury + m.cells.money.sum())),
    "detainees": ("IS members in SDF detention", lambda m: int(m.detainees)),
    "mean_influence": ("mean IS influence over SDF-held villages",
                       lambda m: float(m.villages.influence[m.villages.sdf_held].mean())),
    "influence_east_strip": ("mean IS influence, eastern Deir ez-Zor strip",
                             lambda m: _zone_mean(m, "influence", "east_strip")),
    "influence_karama_raqqa": ("mean IS influence, Raqqa and al-Karama",
                               lambda m: _zone_mean(m, "influence", "karama_raqqa")),
    "influence_hasaka": ("mean IS influence, al-Hasaka city", lambda m: _zone_mean(m, "influence", "hasaka")),
    "mean_trust": ("mean trust in the administration (SDF-held villages)",
                   lambda m: float(m.villages.trust[m.villages.sdf_held].mean())),
    "mean_fear": ("mean fear of IS (SDF-held villages)", lambda m: float(m.villages.fear[m.villages.sdf_held].mean())),
    "strongholds": ("villages meeting enough stronghold criteria", _strongholds),
    "mean_stronghold_score": ("mean stronghold score, SDF-held villages",
                              lambda m: float(m.villages.stronghold_score(m.p.stronghold_criterion_count)[
                                  m.villages.sdf_held].mean())),
    "councils_without_chairman": ("SDF-held villages with no council or no chairman",
                                  lambda m: int(councils.vacuum(m).sum())),
    "pledged_villages": ("villages where most officials swore allegiance",
                         lambda m: int((m.villages.pledged >= m.p.allegiance_truce_threshold).sum())),
    "sdf_strength_south": ("SDF fighters deployed in the south",
                           lambda m: int(m.units.strength[m.units.active].sum())),
    "sdf_local_share": ("share of the SDF's southern strength recruited locally", sdf_recruitment.local_share),
    "traders_active": ("traders still trading", lambda m: int(m.traders.active.sum())),
    "coalition_present": ("US-led Coalition present (1) or gone (0)", lambda m: int(m.coalition_present)),
}

MONTHLY_EXTRA: dict[str, str] = {
    "zakat_revenue_usd": "zakat paid to IS this month",
    "zakat_east_strip_share": "share of all zakat so far paid in the eastern strip",
}

DESCRIPTIONS: dict[str, str] = {
    **{k: d for k, (d, _) in STATE.items()},
    **{k: f"incidents this month: {k.replace('_', ' ')}" for k in INCIDENTS},
    **MONTHLY_EXTRA,
}

DAILY_REPORTERS: dict[str, Callable[[InsurgencyModel], Any]] = {
    "date": lambda m: m.date.isoformat(),
    **{k: f for k, (_, f) in {k: STATE[k] for k in (
        "is_fighters", "is_cells", "detainees", "mean_influence", "influence_east_strip",
        "influence_karama_raqqa", "mean_trust", "councils_without_chairman", "coalition_present",
    )}.items()},
}


def monthly_record(model: InsurgencyModel) -> dict[str, Any]:
    """The month's row: date, incidents this month, and the state at month end."""
    row: dict[str, Any] = {"month": len(model.monthly) + 1, "date": model.date.replace(day=1).isoformat()}
    tally = model.accounts.close_month()
    row.update(tally)
    zakat_total = model.accounts.money["zakat"]
    row["zakat_revenue_usd"] = zakat_total - model._zakat_at_last_month
    model._zakat_at_last_month = zakat_total
    east = model.zone_of == "east_strip"
    all_zakat = model.zakat_by_village.sum()
    row["zakat_east_strip_share"] = float(model.zakat_by_village[east].sum() / all_zakat) if all_zakat else np.nan
    for name, (_, fn) in STATE.items():
        row[name] = fn(model)
    return row


OUTCOMES: tuple[str, ...] = tuple(DESCRIPTIONS)
