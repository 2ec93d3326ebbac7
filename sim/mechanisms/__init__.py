"""One module per mechanism, each a :class:`~sim.mechanisms.base.Mechanism` citing its sources.

Night: ``night_movement`` (dusk and dawn; ``margadeh_coordination`` sends part of the Margadeh
cells' strikes across the eastern strip), ``supply_lines`` (fighters and weapons from the Badia),
``command`` (couriers bring the post-Baghouz cells under the command's guidance), ``checkpoints``,
``zakat``, ``repentance``, ``allegiance``, ``killings``, ``attacks``, ``governance``,
``badia_front``. Day: ``prison`` (a staged attack), ``patrols``, ``raids`` (with
``compartmentalisation``, ``civilian_arrests`` and ``suspect_arrests``), ``trade``, ``influence``.
Month end: ``councils`` (the administrative vacuum), ``elite_bargain`` (vacant chairs refilled),
``trust``, ``remittance`` (the cells' takings to the treasury), ``recruitment``, ``prison`` (IS's
decision to prepare an attack), ``sdf_recruitment``, ``cell_bases``, ``exodus`` (the post-Baghouz
cells passing through leave), ``badia_front`` (supplies and hunger), ``repentance`` (fading
memories), ``strongholds``, ``strategic_patience`` (the Coalition's attention, which the night's
strikes raise and IS's decision to strike or hold reads). Scenario-driven: ``prison`` (the attack's
window or date, amnesties), ``elite_bargain``, ``turkish_front``. Day one only: ``arsenals`` (the
caliphate's leftover weapons hidden in the villages' caches). Conditions several read (Coalition,
policing, the chance of IS's decision to strike) are multipliers in :mod:`sim.modifiers`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from sim.mechanisms.allegiance import Allegiance
from sim.mechanisms.arsenals import Arsenals
from sim.mechanisms.attacks import Attacks
from sim.mechanisms.badia_front import BadiaFront
from sim.mechanisms.base import Mechanism
from sim.mechanisms.cell_bases import CellBases
from sim.mechanisms.checkpoints import Checkpoints
from sim.mechanisms.civilian_arrests import CivilianArrests
from sim.mechanisms.command import Command
from sim.mechanisms.compartmentalisation import Compartmentalisation
from sim.mechanisms.councils import Councils
from sim.mechanisms.elite_bargain import EliteBargain
from sim.mechanisms.exodus import Exodus
from sim.mechanisms.governance import Governance
from sim.mechanisms.influence import Influence
from sim.mechanisms.killings import Killings
from sim.mechanisms.margadeh_coordination import MargadehCoordination
from sim.mechanisms.night_movement import NightMovement, Visits
from sim.mechanisms.patrols import Patrols
from sim.mechanisms.prison import Prison
from sim.mechanisms.raids import Raids
from sim.mechanisms.recruitment import Recruitment
from sim.mechanisms.remittance import Remittance
from sim.mechanisms.repentance import Repentance
from sim.mechanisms.sdf_recruitment import SDFRecruitment
from sim.mechanisms.strategic_patience import StrategicPatience
from sim.mechanisms.strongholds import Strongholds
from sim.mechanisms.supply_lines import SupplyLines
from sim.mechanisms.suspect_arrests import SuspectArrests
from sim.mechanisms.trade import Trade
from sim.mechanisms.trust import Trust
from sim.mechanisms.turkish_front import TurkishFront
from sim.mechanisms.zakat import Zakat

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


@dataclass
class Mechanisms:
    """Every mechanism of one model, by name (``model.mechanisms.zakat``)."""

    night_movement: NightMovement
    margadeh_coordination: MargadehCoordination
    supply_lines: SupplyLines
    command: Command
    arsenals: Arsenals
    exodus: Exodus
    checkpoints: Checkpoints
    zakat: Zakat
    repentance: Repentance
    allegiance: Allegiance
    killings: Killings
    attacks: Attacks
    governance: Governance
    badia_front: BadiaFront
    patrols: Patrols
    raids: Raids
    civilian_arrests: CivilianArrests
    suspect_arrests: SuspectArrests
    compartmentalisation: Compartmentalisation
    trade: Trade
    influence: Influence
    councils: Councils
    trust: Trust
    remittance: Remittance
    recruitment: Recruitment
    sdf_recruitment: SDFRecruitment
    cell_bases: CellBases
    strongholds: Strongholds
    prison: Prison
    elite_bargain: EliteBargain
    turkish_front: TurkishFront
    strategic_patience: StrategicPatience

    @classmethod
    def build(cls, model: InsurgencyModel) -> Mechanisms:
        """One instance of each mechanism for ``model``."""
        return cls(**{f.name: CLASSES[f.name](model) for f in fields(cls)})

    def __iter__(self) -> Iterator[Mechanism]:
        return (getattr(self, f.name) for f in fields(self))

    def get(self, name: str) -> Mechanism:
        """The mechanism called ``name``."""
        return getattr(self, name)


CLASSES: dict[str, type[Mechanism]] = {cls.name: cls for cls in (
    NightMovement, Checkpoints, Zakat, Repentance, Allegiance, Killings, Attacks, Governance, BadiaFront, Patrols,
    Raids, CivilianArrests, Compartmentalisation, Trade, Influence, Councils, Trust, Remittance, Recruitment,
    SDFRecruitment, CellBases, Strongholds, Prison, EliteBargain, TurkishFront, SupplyLines, StrategicPatience,
    Command, Arsenals, SuspectArrests, Exodus, MargadehCoordination,
)}
"""Every mechanism class by name."""

__all__ = ["CLASSES", "Mechanism", "Mechanisms", "Visits"]
