"""Scenario events: dated changes to the model's state, scheduled with Mesa's ``schedule_event``.

Each kind has a pydantic model of its arguments (so scenario files are checked before a run) and
an ``apply`` that changes the model's :class:`~sim.policy.Policy` or calls the mechanism it
concerns (which carries the citations). Districts named by an event are checked against the map
when the scenario is loaded (:func:`sim.scenario.load_scenario`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.policy import COMMUNITY, CONVENTIONAL

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class EventArgs(BaseModel):
    """Base of every event's arguments: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")
    description: str = Field("", description="free text shown when the event fires")

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError


DISTRICTS = Field(None, description="district names from the map's district_legend (default: every district)")


class CoalitionWithdrawal(EventArgs):
    """The US-led Coalition leaves some districts (all by default): no more intelligence or air
    support there, and IS's patience there ends (in October 2019 US forces left the Aleppo and Raqqa
    governorates and part of al-Hasaka but stayed in Deir ez-Zor)."""

    kind: Literal["coalition_withdrawal"] = "coalition_withdrawal"
    districts: list[str] | None = DISTRICTS

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        rows = model.policy.withdraw_coalition(model.day, self.districts)
        return {"districts": [model.policy.district_names[i] for i in rows]} if self.districts else {}


class CoalitionReturn(EventArgs):
    """The Coalition comes back to some districts (all by default), restoring intelligence and air support."""

    kind: Literal["coalition_return"] = "coalition_return"
    districts: list[str] | None = DISTRICTS

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        rows = model.policy.return_coalition(self.districts)
        return {"districts": [model.policy.district_names[i] for i in rows]} if self.districts else {}


class SDFAttentionNorth(EventArgs):
    """A share of the SDF's southern units is redeployed to the Turkish front (0 brings them back)."""

    kind: Literal["sdf_attention_north"] = "sdf_attention_north"
    share: float = Field(0.3, ge=0.0, le=1.0, description="share of SDF units sent north")

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        return model.mechanisms.turkish_front.redeploy(self.share)


class Amnesty(EventArgs):
    """Detainees are released; some rejoin IS."""

    kind: Literal["amnesty"] = "amnesty"
    released: int = Field(283, ge=0, le=100_000, description="detainees released")

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        return model.mechanisms.prison.amnesty(self.released)


class PrisonAttack(EventArgs):
    """IS storms the al-Sina'a prison in al-Hasaka on this date if it can pay and spare the fighters;
    what the attack yields comes from the model."""

    kind: Literal["prison_attack"] = "prison_attack"
    attackers_share: float | None = Field(None, ge=0.0, le=1.0, description="share of IS fighters committed")

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        return model.mechanisms.prison.attack(self.attackers_share)


class PrisonAttackWindow(EventArgs):
    """An opportunity to storm the prison opens on this date and closes on ``window_closes`` (when a
    safer prison opens): IS decides whether and when to prepare and attack."""

    kind: Literal["prison_attack_window"] = "prison_attack_window"
    window_closes: dt.date = Field(..., description="last day on which IS can attack")

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        return model.mechanisms.prison.open_window(model.day_of(self.window_closes))


class CommunityPolicing(EventArgs):
    """Community-oriented policing starts (or stops, with enabled = false)."""

    kind: Literal["community_policing"] = "community_policing"
    enabled: bool = True

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        model.policy.policing = COMMUNITY if self.enabled else CONVENTIONAL
        return {"policing": model.policy.policing}


class EliteBargain(EventArgs):
    """An elite bargain on the al-Karama model is struck in one district."""

    kind: Literal["elite_bargain"] = "elite_bargain"
    district: str = Field(..., description="a district name from the map's district_legend")

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        return model.mechanisms.elite_bargain.strike(self.district)


class FeedingTheRoad(EventArgs):
    """The regime pays IS to keep the Badia roads open (or stops, with enabled = false)."""

    kind: Literal["feeding_the_road"] = "feeding_the_road"
    enabled: bool = True

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        model.policy.feeding_the_road = self.enabled
        return {"enabled": self.enabled}


class RegimeOffensive(EventArgs):
    """The regime and Russia's Badia counter-offensive (June 2021) starts or ends."""

    kind: Literal["regime_offensive"] = "regime_offensive"
    enabled: bool = True

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        model.policy.regime_offensive = self.enabled
        return {"enabled": self.enabled}


class SetParameters(EventArgs):
    """Change parameters mid-run (validated like the scenario's own)."""

    kind: Literal["set_parameters"] = "set_parameters"
    parameters: dict[str, Any] = Field(default_factory=dict)

    def apply(self, model: InsurgencyModel) -> dict[str, Any]:
        for name, value in self.parameters.items():
            setattr(model.p, name, value)
        return dict(self.parameters)


EVENT_KINDS: dict[str, type[EventArgs]] = {
    cls.model_fields["kind"].default: cls
    for cls in (CoalitionWithdrawal, CoalitionReturn, SDFAttentionNorth, Amnesty, PrisonAttack, PrisonAttackWindow,
                CommunityPolicing, EliteBargain, FeedingTheRoad, RegimeOffensive, SetParameters)
}


class ScheduledEvent:
    """One event bound to its day; the model keeps these alive (Mesa holds weak references)."""

    def __init__(self, model: InsurgencyModel, day: int, args: EventArgs) -> None:
        self.model = model
        self.day = day
        self.args = args

    def fire(self) -> None:
        """Apply the event at the start of its day, and log it."""
        self.model.day = self.day
        details = self.args.apply(self.model)
        self.model.log_event(self.args.kind, description=self.args.description, **details)
