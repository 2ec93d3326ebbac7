"""Detention, prison attacks and amnesties.

NES holds IS detainees in 27 detention centres (EUI 2022, fn 1), in unfit buildings such as
al-Sina'a, a former technical school guarded by 90 young, poorly trained men (s.1, fn 2). On 20
January 2022 IS stormed it with fighters gathered over six months, nearly 10% of its operational
capacity of about 1,000 fighters, at a cost near half a million dollars (s.1, fn 17, 22-23);
escapees held Ghuweiran and al-Zuhur for at least five days while the SDF put 7,000 men in two
cordons; 374 IS members, 40 SDF, 77 guards and over 30 civilians died; a few dozen prisoners got
away (s.1, fn 11-15), to Iraq or the Badia (fn 41). The raid set off no domino effect (s.2).

The SDF released 283 detainees at tribes' request in 2019 (WP 2019); amnesties were nearly
dropped after several amnestied prisoners rejoined IS, with only two remissions in 2021 (fn 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import recruitment

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def attack(model: InsurgencyModel, attackers_share: float | None = None, escapees: int | None = None) -> dict:
    """IS storms the prison. Returns what happened (also logged as a scenario event)."""
    p, c, v = model.p, model.cells, model.villages
    share = p.prison_attack_share_of_fighters if attackers_share is None else attackers_share
    escapees = int(p.prison_escapees if escapees is None else escapees)
    alive = np.nonzero(c.alive)[0]
    total = int(c.fighters[alive].sum())
    wanted = int(round(share * total))
    cost = p.prison_attack_cost_usd
    if wanted == 0 or model.treasury < cost:
        return {"attackers": 0, "aborted": "no fighters" if wanted == 0 else "not enough money"}
    model.treasury -= cost
    model.accounts.money["is_spending"] += cost
    # attackers are drawn from across the organisation, a few from each cell
    taken = 0
    for row in model.rng.permutation(alive):
        if taken >= wanted:
            break
        k = min(int(c.fighters[row]) - 1, wanted - taken)
        if k > 0:
            c.fighters[row] -= k
            taken += k
    killed_attackers = int(round(taken * p.prison_attackers_killed_share))
    killed_inmates = min(model.detainees, max(0, int(p.prison_is_killed) - killed_attackers))
    escaped = min(escapees, model.detainees - killed_inmates)
    model.detainees -= killed_inmates + escaped
    survivors = taken - killed_attackers
    model.accounts.incident("prison_attacks")
    model.accounts.incident("is_killed", killed_attackers + killed_inmates)
    model.accounts.incident("escapes", escaped)
    model.accounts.incident("sdf_killed", int(p.prison_sdf_killed))
    model.accounts.people["is_killed"] += killed_attackers
    model.accounts.people["detainees_killed"] += killed_inmates
    model.accounts.people["escaped"] += escaped
    model.accounts.people["sdf_killed"] += int(p.prison_sdf_killed)
    # survivors and escapees go back to the Badia (or Iraq) as new cells
    recruitment.form_cells(model, survivors + escaped, 0, base_kind=0)
    # the neighbourhoods: a violent takeover, not a return to sympathisers
    hood = np.nonzero(model.geography_district_names[v.district] == "hasaka_neighbourhoods")[0]
    v.fear[hood] = 1.0
    v.influence[hood] = np.maximum(v.influence[hood], p.prison_neighbourhood_influence)
    # the SDF pull units into the two cordons for the days the neighbourhoods are held
    _cordon(model)
    details = {"attackers": taken, "escapees": escaped, "is_killed": killed_attackers + killed_inmates}
    return details


def _cordon(model: InsurgencyModel) -> None:
    p, u = model.p, model.units
    on = np.nonzero(u.active & (u.strength > 0))[0]
    need, held = p.cordon_fighters, 0
    cordon = np.zeros(len(u), bool)
    # the nearest units to al-Hasaka go first
    if model.prison_xy is not None and len(on):
        px, py = model.prison_xy
        order = on[np.argsort(np.maximum(np.abs(u.x[on] - px), np.abs(u.y[on] - py)))]
        for k in order:
            if held >= need:
                break
            cordon[k] = True
            held += int(u.strength[k])
    model.units_in_cordon = cordon
    model.hasaka_siege_until = model.day + int(p.neighbourhoods_held_days)
    model.units_version += 1


def amnesty(model: InsurgencyModel, released: int) -> dict:
    """Release detainees; some rejoin IS (fn 3), the rest go home, and tribes' trust rises."""
    p, v = model.p, model.villages
    released = min(int(released), model.detainees)
    model.detainees -= released
    rejoin = int(model.rng.binomial(released, p.amnesty_rejoin_share))
    fighters = int(model.rng.binomial(rejoin, p.recruit_fighter_share))
    model.accounts.people["amnestied"] += released
    model.accounts.people["amnesty_rejoined"] += rejoin
    recruitment.form_cells(model, fighters, rejoin - fighters, base_kind=2)
    model.accounts.people["amnesty_returned_home"] += released - rejoin
    east = v.sdf_held & (model.zone_of == "east_strip")
    v.trust[east] = np.minimum(1.0, v.trust[east] + p.amnesty_trust_gain)
    details = {"released": released, "rejoined": rejoin}
    return details
