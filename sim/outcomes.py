"""What a run reports: daily state (Mesa's DataCollector) and monthly outcomes.

Every outcome is defined once here, with a description, so the CLI, the plots, the notebooks
and the validation read the same numbers. :class:`sim.recorder.Recorder` writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS
from sim.compiled import kernel, pairwise_sum
from sim.mechanisms.councils import vacuum
from sim.world.names import EAST_STRIP, HASAKA, KARAMA_RAQQA, RIC_GOVERNORATES

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

RIC_KINDS: tuple[str, ...] = ("killings", "attacks", "prison_attacks")
"""Incident kinds the Rojava Information Center counts as attacks: assassinations and targeted killings,
IEDs, armed attacks, ambushes and car bombs (``attacks``), and assaults such as the prison raid. Never
zakat demands, checkpoints, retaliations on traders, or attacks on the regime in the Badia."""


@kernel
def mean_where(values: np.ndarray, first: np.ndarray, second: np.ndarray) -> float:
    """The mean of the float ``values`` where both masks are true (0 where none is), as ``ndarray.mean`` gives it:
    numpy's pairwise sum of them (:func:`sim.compiled.pairwise_sum`), divided by their count. One call instead of
    three numpy operations: the month's record and the daily reporters ask for several."""
    picked = values[first & second]
    return pairwise_sum(picked) / len(picked) if len(picked) else 0.0


@kernel
def total_where(values: np.ndarray, mask: np.ndarray) -> int:
    """The sum of the integer ``values`` where ``mask`` is true."""
    total = 0
    for i in range(len(values)):
        if mask[i]:
            total += values[i]
    return total


def _zone_mean(model: InsurgencyModel, column: str, zone: str) -> float:
    v = model.villages
    return mean_where(getattr(v, column), model.world.in_zone(zone), v.sdf_held)


def _held_mean(model: InsurgencyModel, column: str) -> float:
    v = model.villages
    return mean_where(getattr(v, column), v.sdf_held, v.sdf_held)


STATE: dict[str, tuple[str, Callable[[InsurgencyModel], Any]]] = {
    "is_fighters": ("IS fighters in active cells", lambda m: total_where(m.cells.fighters, m.cells.alive)),
    "is_supporters": ("IS supporters attached to cells", lambda m: total_where(m.cells.supporters, m.cells.alive)),
    "is_cells": ("IS cells not dismantled", lambda m: len(m.cell_sites().alive)),
    "command_share": ("share of IS fighters in cells that follow the Badia command's guidance",
                      lambda m: m.mechanisms.command.share()),
    "is_weapons_cached_usd": ("weapons and explosives IS holds in village caches (leftover arsenals and deliveries)",
                              lambda m: m.mechanisms.arsenals.cached_usd()),
    "is_fighters_in_transit": ("IS fighters of the day-one cells still passing through on their way out (exodus)",
                               lambda m: m.mechanisms.exodus.fighters_in_transit()),
    "is_treasury_usd": ("money held by the IS organisation", lambda m: float(m.treasury + m.cells.money.sum())),
    "detainees": ("IS members in SDF detention", lambda m: int(m.detainees)),
    "mean_influence": ("mean IS influence over SDF-held villages", lambda m: _held_mean(m, "influence")),
    "influence_east_strip": ("mean IS influence, eastern Deir ez-Zor strip",
                             lambda m: _zone_mean(m, "influence", EAST_STRIP)),
    "influence_karama_raqqa": ("mean IS influence, Raqqa and al-Karama",
                               lambda m: _zone_mean(m, "influence", KARAMA_RAQQA)),
    "influence_hasaka": ("mean IS influence, al-Hasaka city", lambda m: _zone_mean(m, "influence", HASAKA)),
    "mean_trust": ("mean trust in the administration (SDF-held villages)", lambda m: _held_mean(m, "trust")),
    "mean_fear": ("mean fear of IS (SDF-held villages)", lambda m: _held_mean(m, "fear")),
    "strongholds": ("villages meeting enough stronghold criteria",
                    lambda m: int(np.count_nonzero(m.mechanisms.strongholds.strongholds()))),
    "mean_stronghold_score": ("mean stronghold score, SDF-held villages",
                              lambda m: mean_where(m.mechanisms.strongholds.score(), m.villages.sdf_held,
                                                   m.villages.sdf_held)),
    "councils_without_chairman": ("SDF-held villages with no council or no chairman",
                                  lambda m: int(np.count_nonzero(vacuum(m.villages.has_council, m.villages.has_chairman,
                                                                        m.villages.sdf_held)))),
    "pledged_villages": ("villages where most officials swore allegiance",
                         lambda m: int(np.count_nonzero(m.mechanisms.allegiance.pledged_villages()))),
    "sdf_strength_south": ("SDF fighters deployed in the south",
                           lambda m: total_where(m.units.strength, m.units.active)),
    "sdf_local_share": ("share of the SDF's southern strength recruited locally",
                        lambda m: m.mechanisms.sdf_recruitment.local_share()),
    "traders_active": ("traders still trading", lambda m: int(np.count_nonzero(m.traders.active))),
    "coalition_present": ("share of SDF-held districts where the US-led Coalition is present (1 all, 0 none)",
                          modifiers.coalition_share),
}

MONTHLY_EXTRA: dict[str, str] = {
    "zakat_revenue_usd": "zakat paid to IS this month",
    "zakat_east_strip_share": "share of all zakat so far paid in the eastern strip",
    "ric_attacks": "attacks as the Rojava Information Center counts them (killings, IEDs, armed attacks, "
                   "car bombs) in SDF-held territory this month",
    **{f"ric_attacks_{g}": f"ric_attacks in the {g.replace('_', ' ')} governorate this month"
       for g in RIC_GOVERNORATES},
}

COUNTED_PER_MONTH: tuple[str, ...] = (*INCIDENTS, "zakat_revenue_usd", "ric_attacks",
                                      *(f"ric_attacks_{g}" for g in RIC_GOVERNORATES))
"""Outcomes that count something per month: a run's total is their sum (``total_<name>`` in the
runs table), and their value in the last month is ``last_month_<name>``."""

DESCRIPTIONS: dict[str, str] = {
    **{k: d for k, (d, _) in STATE.items()},
    **{k: f"incidents this month: {k.replace('_', ' ')}" for k in INCIDENTS},
    **MONTHLY_EXTRA,
}


def state_outcome(name: str, model: InsurgencyModel) -> Any:
    """The :data:`STATE` outcome ``name`` of ``model``: a daily reporter as ``partial(state_outcome, name)``,
    which Mesa's DataCollector calls with the model and which pickles with it (a lambda does not)."""
    return STATE[name][1](model)


def date_of(model: InsurgencyModel) -> str:
    """The model's date, as ISO text (the daily table's ``date``)."""
    return model.date.isoformat()


DAILY_REPORTERS: dict[str, Callable[[InsurgencyModel], Any]] = {
    "date": date_of,
    **{k: partial(state_outcome, k) for k in (
        "is_fighters", "is_cells", "detainees", "mean_influence", "influence_east_strip",
        "influence_karama_raqqa", "mean_trust", "councils_without_chairman", "coalition_present",
    )},
}

OUTCOMES: tuple[str, ...] = tuple(DESCRIPTIONS)
