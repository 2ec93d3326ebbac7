"""Coordination from Margadeh: strikes planned in the Margadeh district, carried out across the vacuum.

Sources. A local security operator told the EUI's researchers that many of the attacks in the
SDF-controlled areas are coordinated in the Margadeh district, where IS is turning into small groups
embedded in the shepherd communities and hard to penetrate (EUI 2022, s.2, fn 26: interview,
Shedadeh, March 2022). The administrative vacuum those attacks feed stretches from the northern
bank of the Euphrates in Deir ez-Zor to the eastern Khabur line and north into Margadeh (s.2, Map
2); Margadeh itself lies in al-Hasaka governorate, where the Rojava Information Center books what
happens there.

Rule (our reading; the share is an assumption, the sources give none). Each night each visit by a
cell based in the Margadeh district is, with chance ``margadeh_coordination_share``, a strike
planned there and carried out elsewhere in the vacuum: its village is redrawn among the SDF-held
villages of the eastern strip outside Margadeh, weighted by what the cell's role looks for there
and by how little SDF presence there is (the night's own weights) but not by distance, since the
group is sent rather than riding out from its camp. The cell still acts by its role where it is
sent and is back at dawn. At share 0 (the default) no random number is drawn: the model before this
mechanism, draw for draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLE
from sim.mechanisms.base import Mechanism
from sim.mechanisms.night_movement import weighted_columns
from sim.world.names import EAST_STRIP, MARGADEH

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class MargadehCoordination(Mechanism):
    """Redraws part of the Margadeh cells' nightly targets across the eastern strip's vacuum."""

    name = "margadeh_coordination"
    switch = None  # a share of 0 is off
    params = ("margadeh_coordination_share",)

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        w = model.world
        try:
            self.district = model.geography.district_index(MARGADEH)
        except KeyError:  # a map without Margadeh: nothing to redirect
            self.district = -1
        # where the planned strikes may fall (the villages never change zone or district)
        self.targets = np.flatnonzero(w.in_zone(EAST_STRIP) & (w.district_of != MARGADEH))

    def redirects(self) -> bool:
        """Whether any planned strike can be sent away tonight: a share above 0, and Margadeh and targets
        on the map (else :meth:`redirect` returns the villages as they were, drawing nothing)."""
        return self.model.p.margadeh_coordination_share > 0 and self.district >= 0 and bool(len(self.targets))

    def redirect(self, rows: np.ndarray, pick: np.ndarray, attraction: np.ndarray) -> np.ndarray:
        """Tonight's villages ``pick`` of cells ``rows``, with the Margadeh cells' planned strikes sent away.

        ``attraction`` is the night's (roles, villages + 1) pull of each village for each role, zero
        outside SDF-held land (:meth:`NightMovement.go_out`); the uncovered share comes from its ``cover``.
        """
        m = self.model
        share = m.p.margadeh_coordination_share
        if not self.redirects() or not len(rows):
            return pick
        c = m.cells
        based = m.geography.district[c.base_x[rows], c.base_y[rows]] == self.district
        sent = np.flatnonzero(based)
        if not len(sent):
            return pick
        sent = sent[m.rng.random(len(sent)) < share]
        if not len(sent):
            return pick
        role = c.role[rows[sent]].astype(np.intp)
        by_aversion = (role == ROLE["zakat"]).astype(np.intp)  # tax collectors' own guard aversion, as at night
        cover = m.mechanisms.night_movement.cover()
        w = attraction[role[:, None], self.targets[None, :]] * cover[by_aversion[:, None], self.targets[None, :]]
        total = w.sum(axis=1)
        sent, w, total = sent[total > 0], w[total > 0], total[total > 0]
        if not len(sent):
            return pick
        pick = pick.copy()
        pick[sent] = self.targets[weighted_columns(w, total, m.rng)]
        return pick
