"""IS recruitment: supporters from the villages it holds, fighters trained in the Badia.

Recruitment is the first of the brief's stronghold criteria (EUI 2022, s.2). Recruits are
trained in the Badia before being sent out (s.3); Ghuweiran and al-Zuhur resent the Kurdish
movement yet do not sympathise with IS (s.2, fn 32), so recruiting there is hard. Distrust of
the security forces revives IS's appeal (WP 2019). Recruits cost money: IS's treasury, fed by
zakat and by the regime's payments in the Badia, limits how many it takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLES
from sim.agents.village import CRITERION

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def collect_money(model: InsurgencyModel) -> None:
    """Cells remit their takings to the centralised organisation (EUI s.1)."""
    c = model.cells
    model.treasury += float(c.money.sum())
    c.money[:] = 0.0


def month_end(model: InsurgencyModel) -> None:
    """New supporters in each village; new fighters formed into cells in the Badia."""
    p, v = model.p, model.villages
    collect_money(model)
    if not p.recruitment_enabled:
        return
    appeal = v.influence * (1.0 - v.trust) * v.sympathy * v.sdf_held
    expected = v.population * p.recruitment_rate * appeal
    affordable = max(0.0, model.treasury) / p.recruit_cost_usd
    want = model.rng.poisson(expected)
    total = int(want.sum())
    if total > affordable:
        want = np.floor(want * affordable / total).astype(int)
        total = int(want.sum())
    if total == 0:
        return
    model.treasury -= total * p.recruit_cost_usd
    model.accounts.money["is_spending"] += total * p.recruit_cost_usd
    v.criteria[want > 0, CRITERION["recruitment"]] += 1
    model.accounts.incident("recruits", total)
    fighters = int(model.rng.binomial(total, p.recruit_fighter_share))
    supporters = total - fighters
    model.accounts.people["recruited_fighters"] += fighters
    model.accounts.people["recruited_supporters"] += supporters
    form_cells(model, fighters, supporters)


def form_cells(model: InsurgencyModel, fighters: int, supporters: int, base_kind: int = 0) -> None:
    """Group ``fighters`` into new cells at hideouts of one kind (0 Badia, 1 camp, 2 village)."""
    p = model.p
    made = []
    while fighters > 0:
        size = min(fighters, max(2, int(model.rng.poisson(p.cell_size_mean))))
        x, y = model._pick_base(base_kind)
        role = int(model.rng.choice(len(ROLES), p=model.role_weights))
        made.append(model.add_cell(x, y, role, size))
        fighters -= size
    if supporters:
        alive = np.nonzero(model.cells.alive)[0]
        if len(alive):
            np.add.at(model.cells.supporters, model.rng.choice(alive, size=supporters), 1)
        else:
            model.accounts.people["supporters_dispersed"] += supporters
