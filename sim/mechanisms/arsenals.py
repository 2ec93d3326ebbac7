"""The caliphate's leftover arsenals: weapons hidden in the villages on day one, used up or seized.

Sources. As its last pocket fell in March 2019, IS was already preparing its return to insurgency,
seeding sleeper cells across the areas it had ruled (WP 2019). What it had stockpiled as a state
did not vanish with the territory: the SDF went looking for weapons caches among the families of
al-Karama after the battle of 2017 and gave up when IS's men in the camp thwarted them (EUI 2022,
fn 37); in January 2022 IS relied on weapons hidden in advance near al-Sina'a prison for its
largest operation since 2019 (s.1, fn 16), and the escapees took the depot by the jail and went
from house to house where informants said arms were kept (s.1). Neither source gives a quantity.

Rule (our reading; the quantity is an assumption). On day one each cell based outside the Badia
has ``arsenal_per_fighter_usd`` x its fighters of weapons and explosives hidden in the village at
its base (or the village nearest its hideout). They go into the villages' caches, which the
supply lines already use (:mod:`supply_lines`): strikes within reach use them up, SDF raids seize
what is cached in the village they search, and transport cells top a cache up only when what is
within reach falls below their target, so nothing is hauled from the Badia while the old stock
lasts. The stock is not replaced: once it is spent or seized, strikes run on what the treasury
pays the transport cells to bring. So the 2019 remnants can strike more than IS's income would
allow, for as long as their stock lasts and the raids leave it to them. Needs the supply lines
(caches mean nothing without them); with either switch off, or the amount at 0, nothing is
hidden and the model is the one before this mechanism, draw for draw (no random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.base import Mechanism
from sim.world.names import REGIME

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class Arsenals(Mechanism):
    """Day-one weapons caches of the post-caliphate cells (a stock, never replaced)."""

    name = "arsenals"
    switch = "arsenals_enabled"
    params = ("arsenals_enabled", "arsenal_per_fighter_usd")
    reads = ("supply_lines_enabled",)

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self.hidden_usd = 0.0  # hidden on day one, in total
        if self.enabled and model.p.supply_lines_enabled and model.p.arsenal_per_fighter_usd > 0:
            self.hide()

    def hide(self) -> None:
        """Put each day-one cell's stock (outside the Badia) into the cache of the village at or nearest its base."""
        m = self.model
        c, v = m.cells, m.villages
        if not len(c) or not len(v):
            return
        outside_badia = m.geography.holder[c.base_x, c.base_y] != REGIME
        rows = np.nonzero(outside_badia & (c.fighters > 0))[0]
        if not len(rows):
            return
        index = m.world.index
        at = index.at[c.base_x[rows], c.base_y[rows]]
        missing = at < 0  # a desert hideout: the stock is kept in the nearest village
        if missing.any():
            at[missing] = index.nearest_many(c.base_x[rows][missing], c.base_y[rows][missing])
        usd = m.p.arsenal_per_fighter_usd * c.fighters[rows].astype(float)
        np.add.at(v.cache, at, usd)
        self.hidden_usd = float(usd.sum())
        m.accounts.money["initial_is_arsenal"] = self.hidden_usd

    def cached_usd(self) -> float:
        """Weapons (USD) in all village caches now: what is left of the arsenals plus what transport brought."""
        return float(self.model.villages.cache.sum())
