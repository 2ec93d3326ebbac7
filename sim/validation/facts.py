"""Stylised facts from the two source documents, and how to check a set of runs against them.

Pattern-oriented validation: the model is not fitted to these facts (its parameters come from
``seeds/``); each fact is a qualitative pattern the sources report, turned into one number per
seed (a *measure*) and a threshold that the number must pass. Thresholds are stated here, with
their reasons, before any run is looked at; a failing fact is reported, not tuned away.

A fact names the *variants* it needs (a shipped scenario, possibly with a mechanism switched off)
and is measured on the runs of those variants that share a seed, so comparisons are paired.

Sources: ``wp2019`` (Washington Post, 7 March 2019) and ``eui2022`` (Haenni and Quesnay, *Coming
Up Through the Cracks*, EUI, 2022), cited by section (s.) and footnote (fn).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# ------------------------------------------------------------------------------------ variants


@dataclass(frozen=True)
class Variant:
    """A scenario with optional parameter overrides, run over the validation's seeds."""

    key: str
    scenario: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)


VARIANTS: dict[str, Variant] = {v.key: v for v in (
    Variant("baseline", "baseline"),
    Variant("us_withdrawal", "us_withdrawal"),
    Variant("history", "history"),
    Variant("prison_attack", "history"),
    Variant("no_prison_attack", "history", {"prison_attack_share_of_fighters": 0.0}),
    Variant("amnesty", "amnesty"),
    Variant("no_repentance", "baseline", {"repentance_enabled": False}),
    Variant("open_networks", "baseline", {"compartmentalisation": False}),
    Variant("no_thin_evidence", "baseline", {"thin_evidence_share": 0.0}),
)}


# ------------------------------------------------------------------------------------ one run


@dataclass
class RunRecord:
    """What validation keeps of one run: the monthly table and village snapshots at each month end.

    Village arrays have shape (months, villages); ``violence`` and ``zakat`` are cumulative.
    """

    variant: str
    rep: int
    seed: int
    start: dt.date
    monthly: pd.DataFrame
    influence: np.ndarray
    violence: np.ndarray
    zakat: np.ndarray
    pledged: np.ndarray
    vacuum: np.ndarray
    stronghold: np.ndarray
    zone: np.ndarray
    district: np.ndarray
    sdf_held: np.ndarray
    truce_threshold: float
    sdf_recruits: dict[str, int]
    events: list[dict[str, Any]]

    def month_of(self, date: dt.date) -> int:
        """Row index (0-based) of the month containing ``date``."""
        return (date.year - self.start.year) * 12 + date.month - self.start.month

    def event_month(self, kind: str, last: bool = False) -> int | None:
        """Row index of the month in which the first (or, with ``last``, the last) event of ``kind`` fired."""
        for e in reversed(self.events) if last else self.events:
            if e.get("event") == kind:
                return self.month_of(dt.date.fromisoformat(e["date"]))
        return None

    def mask(self, *, zones: tuple[str, ...] = (), districts: tuple[str, ...] = (), invert: bool = False) -> np.ndarray:
        """SDF-held villages in the given zones or districts (or, with ``invert``, all other SDF-held ones)."""
        chosen = np.isin(self.zone, zones) | np.isin(self.district, districts)
        return self.sdf_held & (~chosen if invert else chosen)


def record_run(variant: Variant, rep: int, seed: int, months: int) -> RunRecord:
    """Run one variant for one seed and keep what the facts need (runs in a worker process)."""
    from sim.mechanisms.councils import vacuum
    from sim.model import InsurgencyModel
    from sim.scenario import load_scenario

    class _Recording(InsurgencyModel):
        def month_end(self) -> None:
            super().month_end()
            v = self.villages
            self.__dict__.setdefault("_snaps", []).append((
                v.influence.copy(), self.violence_by_village.copy(), self.zakat_by_village.copy(), v.pledged.copy(),
                vacuum(v.has_council, v.has_chairman, v.sdf_held), self.mechanisms.strongholds.strongholds()))

    scenario = load_scenario(variant.scenario, months=months, **variant.params)
    model = _Recording(scenario, rng=seed).run()
    cols = [np.array(c) for c in zip(*model._snaps, strict=True)]
    return RunRecord(
        variant=variant.key, rep=rep, seed=seed, start=model.start_date, monthly=model.monthly_frame(),
        influence=cols[0], violence=cols[1], zakat=cols[2], pledged=cols[3], vacuum=cols[4], stronghold=cols[5],
        zone=np.asarray(model.world.zone_of), district=np.asarray(model.world.district_of),
        sdf_held=model.villages.sdf_held.copy(), truce_threshold=float(model.p.allegiance_truce_threshold),
        sdf_recruits=dict(model.mechanisms.sdf_recruitment.recruits), events=list(model.event_log),
    )


# ------------------------------------------------------------------------------------ facts

Runs = dict[str, RunRecord]
"""The runs of one seed, by variant key."""


@dataclass(frozen=True)
class Fact:
    """A stylised fact: a pattern from the sources, a measure over one seed's runs, and a threshold.

    ``direction`` is ``">="`` (the measure must be at least ``threshold``), ``"<="`` (at most), or
    ``"in"`` (within ``threshold`` = (low, high)). A measure returns NaN when the pattern cannot be
    observed in that seed (e.g. no village ever pledged); such seeds count as not passing.
    """

    id: str
    statement: str
    citation: str
    variants: tuple[str, ...]
    measure_name: str
    measure: Callable[[Runs], float]
    threshold: float | tuple[float, float]
    direction: str
    reason: str
    min_months: int = 24

    def passes(self, value: float) -> bool:
        """Does one measured value meet the threshold?"""
        if value is None or not np.isfinite(value):
            return False
        if self.direction == ">=":
            return value >= self.threshold
        if self.direction == "<=":
            return value <= self.threshold
        low, high = self.threshold  # type: ignore[misc]
        return low <= value <= high

    @property
    def threshold_text(self) -> str:
        """The threshold as text, e.g. ``>= 3``."""
        if self.direction == "in":
            low, high = self.threshold  # type: ignore[misc]
            return f"in [{low:g}, {high:g}]"
        return f"{self.direction} {self.threshold:g}"


def _safe_ratio(a: float, b: float) -> float:
    if b == 0:
        return np.inf if a > 0 else np.nan
    return a / b


def _last_year(arr: np.ndarray) -> np.ndarray:
    return arr[-min(12, len(arr)):]


EAST = ("east_strip",)
TRIANGLE = ("zakat_triangle", "hajin")
NORTHEAST = ("northeast_strip", "margadeh")
HOODS = ("hasaka_neighbourhoods",)
VIOLENT = ("killings", "attacks", "checkpoints", "retaliations")


# -- measures -------------------------------------------------------------------------------------

def east_influence_ratio(runs: Runs) -> float:
    """Mean influence over the last year: eastern strip / other SDF-held villages."""
    r = runs["baseline"]
    infl = _last_year(r.influence).mean(axis=0)
    return _safe_ratio(infl[r.mask(zones=EAST)].mean(), infl[r.mask(zones=EAST, invert=True)].mean())


def strongholds_in_east(runs: Runs) -> float:
    """Share of stronghold village-months (last year) that lie in the eastern strip (NaN if none)."""
    r = runs["baseline"]
    s = _last_year(r.stronghold) & r.sdf_held
    total = s.sum()
    return float(s[:, r.mask(zones=EAST)].sum() / total) if total else np.nan


def karama_influence(runs: Runs) -> float:
    """Highest monthly mean influence in Raqqa and al-Karama over the run."""
    return float(runs["baseline"].monthly["influence_karama_raqqa"].max())


def karama_violence_ratio(runs: Runs) -> float:
    """Violence per village: Raqqa-al-Karama / eastern strip (whole run)."""
    r = runs["baseline"]
    v = r.violence[-1]
    return _safe_ratio(v[r.mask(zones=("karama_raqqa",))].mean(), v[r.mask(zones=EAST)].mean())


def triangle_zakat_share(runs: Runs) -> float:
    """Share of all zakat paid over the run in the zakat triangle and Hajin."""
    r = runs["baseline"]
    z = r.zakat[-1]
    return _safe_ratio(z[r.mask(districts=TRIANGLE)].sum(), z.sum())


def northeast_zakat_ratio(runs: Runs) -> float:
    """Zakat per village: north-east strip and Margadeh / zakat triangle and Hajin."""
    r = runs["baseline"]
    z = r.zakat[-1]
    return _safe_ratio(z[r.mask(districts=NORTHEAST)].mean(), z[r.mask(districts=TRIANGLE)].mean())


def northeast_vacuum_gap(runs: Runs) -> float:
    """Share of villages without council or chairman (last year): north-east minus all other SDF-held."""
    r = runs["baseline"]
    vac = _last_year(r.vacuum).mean(axis=0)
    return float(vac[r.mask(districts=NORTHEAST)].mean() - vac[r.mask(districts=NORTHEAST, invert=True)].mean())


def _crossings(r: RunRecord, window: int) -> list[tuple[int, int]]:
    """(village, month) where the pledged share first reaches the truce threshold, ``window`` months from the ends."""
    out = []
    n = len(r.pledged)
    for i in np.nonzero(r.sdf_held)[0]:
        hit = np.nonzero(r.pledged[:, i] >= r.truce_threshold)[0]
        if len(hit) and window <= hit[0] <= n - 1 - window:
            out.append((int(i), int(hit[0])))
    return out


def pledged_violence_ratio(runs: Runs, window: int = 6) -> float:
    """Violence per village-month in the ``window`` months after a village's officials pledged / before."""
    r = runs["baseline"]
    pairs = _crossings(r, window)
    if not pairs:
        return np.nan
    before = sum(r.violence[m, i] - r.violence[m - window, i] for i, m in pairs)
    after = sum(r.violence[m + window, i] - r.violence[m, i] for i, m in pairs)
    return _safe_ratio(float(after), float(before))


def pledged_influence_gain(runs: Runs, window: int = 6) -> float:
    """Mean influence change over the ``window`` months after the pledge, minus the change over those before."""
    r = runs["baseline"]
    pairs = _crossings(r, window)
    if not pairs:
        return np.nan
    gains = [(r.influence[m + window, i] - r.influence[m, i]) - (r.influence[m, i] - r.influence[m - window, i])
             for i, m in pairs]
    return float(np.mean(gains))


def pledged_influence_level(runs: Runs, window: int = 6) -> float:
    """Mean influence over the ``window`` months after the pledge minus the mean over the ``window`` months before."""
    r = runs["baseline"]
    pairs = _crossings(r, window)
    if not pairs:
        return np.nan
    return float(np.mean([r.influence[m + 1:m + 1 + window, i].mean() - r.influence[m - window:m, i].mean()
                          for i, m in pairs]))


def repentance_local_share_drop(runs: Runs) -> float:
    """SDF local share of southern strength (last-year mean): baseline minus repentance switched off."""
    def share(r: RunRecord) -> float:
        return float(_last_year(r.monthly["sdf_local_share"].to_numpy()).mean())
    return share(runs["baseline"]) - share(runs["no_repentance"])


def repentance_local_recruits_drop(runs: Runs) -> float:
    """Share of SDF recruits raised locally over the run: baseline minus repentance switched off."""
    def share(r: RunRecord) -> float:
        total = r.sdf_recruits["local"] + r.sdf_recruits["external"]
        return r.sdf_recruits["local"] / total if total else np.nan
    return share(runs["baseline"]) - share(runs["no_repentance"])


def repentance_vacuum_gain(runs: Runs) -> float:
    """Eastern-strip villages without council or chairman (last-year mean): baseline minus no repentance."""
    def vac(r: RunRecord) -> float:
        return float(_last_year(r.vacuum)[:, r.mask(zones=EAST)].sum(axis=1).mean())
    return vac(runs["baseline"]) - vac(runs["no_repentance"])


def recovery_after_arrests(runs: Runs, after: int = 12) -> float:
    """IS fighters ``after`` months after the month of most arrests (in the first half) / the month before it."""
    m = runs["baseline"].monthly
    half = max(2, len(m) // 2)
    peak = int(m["members_arrested"].iloc[1:half].to_numpy().argmax()) + 1
    if peak + after >= len(m):
        return np.nan
    return _safe_ratio(float(m["is_fighters"].iloc[peak + after]), float(m["is_fighters"].iloc[peak - 1]))


def compartment_strength_ratio(runs: Runs) -> float:
    """IS fighters at the end: compartmented baseline / open networks."""
    return _safe_ratio(float(runs["baseline"].monthly["is_fighters"].iloc[-1]),
                       float(runs["open_networks"].monthly["is_fighters"].iloc[-1]))


def incident_rate(runs: Runs) -> float:
    """Median monthly killings + attacks + checkpoints + retaliations, after the first year (baseline)."""
    m = runs["baseline"].monthly
    return float(m[list(VIOLENT)].sum(axis=1).iloc[12:].median())


def killings_to_attacks(runs: Runs) -> float:
    """Targeted killings / attacks on SDF positions, while the Coalition is present (baseline, whole run)."""
    m = runs["baseline"].monthly
    return _safe_ratio(float(m["killings"].sum()), float(m["attacks"].sum()))


def _withdrawal_window(runs: Runs) -> tuple[int, int, int] | None:
    r = runs["us_withdrawal"]
    w = r.event_month("coalition_withdrawal", last=True)  # history withdraws from some districts first
    if w is None or w < 12 or w + 18 > len(r.monthly):
        return None
    return w - 12, w, w + 6  # 12 months before, and months +6 to +18 (after the escalation ramp)


def withdrawal_escalation(runs: Runs) -> float:
    """Attacks per month in months +6..+18 after the withdrawal / in the 12 months before (us_withdrawal)."""
    win = _withdrawal_window(runs)
    if win is None:
        return np.nan
    pre, w, post = win
    a = runs["us_withdrawal"].monthly["attacks"].to_numpy()
    return _safe_ratio(a[post:post + 12].mean(), a[pre:w].mean())


def withdrawal_vs_baseline(runs: Runs) -> float:
    """Attacks per month in months +6..+18 after the withdrawal: us_withdrawal / history (same months)."""
    win = _withdrawal_window(runs)
    if win is None:
        return np.nan
    _, _, post = win
    a = runs["us_withdrawal"].monthly["attacks"].to_numpy()[post:post + 12].mean()
    b = runs["history"].monthly["attacks"].to_numpy()[post:post + 12].mean()
    return _safe_ratio(a, b)


def hasaka_decay(runs: Runs, after: int = 6) -> float:
    """Influence in Ghuweiran and al-Zuhur ``after`` months after the prison attack / at the attack's month end."""
    r = runs["prison_attack"]
    m = r.event_month("prison_attack")
    if m is None or m + after >= len(r.monthly):
        return np.nan
    hood = r.mask(districts=HOODS)
    return _safe_ratio(r.influence[m + after, hood].mean(), r.influence[m, hood].mean())


def no_domino(runs: Runs, after: int = 3) -> float:
    """Violence in the eastern strip in the ``after`` months from the prison attack: history / no attack."""
    r, b = runs["prison_attack"], runs["no_prison_attack"]
    m = r.event_month("prison_attack")
    if m is None or m + after >= len(r.monthly):
        return np.nan
    east = r.mask(zones=EAST)

    def added(x: RunRecord) -> float:
        return float(x.violence[m + after, east].sum() - x.violence[m - 1, east].sum())
    return _safe_ratio(added(r), added(b))


def amnesty_members_gain(runs: Runs) -> float:
    """IS fighters + supporters at the end: amnesty minus history (the amnesty branches from history)."""
    def members(r: RunRecord) -> float:
        last = r.monthly.iloc[-1]
        return float(last["is_fighters"] + last["is_supporters"])
    return members(runs["amnesty"]) - members(runs["history"])


def thin_evidence_trust_gain(runs: Runs) -> float:
    """Mean trust over the last year: no wrongful arrests minus default."""
    def trust(r: RunRecord) -> float:
        return float(_last_year(r.monthly["mean_trust"].to_numpy()).mean())
    return trust(runs["no_thin_evidence"]) - trust(runs["baseline"])


def thin_evidence_recruit_ratio(runs: Runs) -> float:
    """IS recruits over the run: default / no wrongful arrests."""
    return _safe_ratio(float(runs["baseline"].monthly["recruits"].sum()),
                       float(runs["no_thin_evidence"].monthly["recruits"].sum()))


# -- the facts -----------------------------------------------------------------------------------

FACTS: tuple[Fact, ...] = (
    Fact("F1a_east_concentration",
         "IS influence is concentrated in the strip of about 100 km in the far east of Deir ez-Zor.",
         "eui2022 s.2", ("baseline",), "influence east strip / other SDF-held villages (last year)",
         east_influence_ratio, 3.0, ">=",
         "the only stronghold in NES: several times the level elsewhere, not a gentle gradient"),
    Fact("F1b_strongholds_east",
         "The villages that meet several stronghold criteria lie in the eastern strip.",
         "eui2022 s.2 (Map 2)", ("baseline",), "share of stronghold village-months in the east strip (last year)",
         strongholds_in_east, 0.8, ">=",
         "eastern Deir ez-Zor is the only stronghold the brief sees; a few stray villages elsewhere tolerated"),
    Fact("F1c_karama_calm",
         "In al-Karama and Raqqa IS fails to re-activate its networks; the area stays calm.",
         "eui2022 s.2, fn 37-38", ("baseline",), "highest monthly mean influence, Raqqa and al-Karama",
         karama_influence, 0.05, "<=",
         "former militants are held in check: influence stays near its low start (0.02), never a foothold"),
    Fact("F1d_karama_violence",
         "Violence is an eastern affair: Raqqa and al-Karama see a small fraction of it.",
         "eui2022 s.2", ("baseline",), "killings+attacks per village, Raqqa-Karama / east strip",
         karama_violence_ratio, 0.1, "<=",
         "the area stayed quiet: an order of magnitude less violence per village than the strip"),
    Fact("F2a_zakat_triangle",
         "Zakat is paid mostly in al-Zir, Dhiban and al-Buseyrah (the triangle) and Hajin.",
         "eui2022 s.2, fn 24", ("baseline",), "share of all zakat paid in zakat_triangle + hajin",
         triangle_zakat_share, 0.7, ">=", "the centre of the racket: a clear majority"),
    Fact("F2b_northeast_pays_little",
         "The north-east strip to al-Suwar and Margadeh pays little zakat, for lack of resources.",
         "eui2022 s.2", ("baseline",), "zakat per village, northeast_strip+margadeh / triangle+hajin",
         northeast_zakat_ratio, 0.2, "<=", "little zakat pressure there: at most a fifth per village"),
    Fact("F2c_northeast_vacuum",
         "The north-east strip and Margadeh are an administrative vacuum: councils never really formed.",
         "eui2022 s.2", ("baseline",), "share without council/chairman, northeast minus elsewhere (last year)",
         northeast_vacuum_gap, 0.3, ">=", "the AANES hardly ever set up councils there: a large gap"),
    Fact("F3a_pledged_quiet",
         "Where officials have sworn allegiance, attacks stop: quiet is not weakness.",
         "eui2022 s.2, fn 29 (Tayyana)", ("baseline",), "violence 6 months after pledge / 6 months before",
         pledged_violence_ratio, 0.5, "<=", "attacks stopped in Tayyana: at least halved"),
    Fact("F3b_pledged_control",
         "Allegiance lets IS control rise while it falls quiet.",
         "eui2022 s.2", ("baseline",), "influence trend after pledge minus trend before",
         pledged_influence_gain, 0.0, ">=", "the oath infiltrates the order: influence should not fall off after it"),
    Fact("F3c_pledged_level",
         "Allegiance lets IS control rise while it falls quiet (levels rather than trends).",
         "eui2022 s.2", ("baseline",), "mean influence 6 months after pledge minus 6 months before",
         pledged_influence_level, 0.0, ">=",
         "IS holds more, not less, once officials are pledged (added after F3b, whose trend measure is biased "
         "by selection: pledges follow fast-rising influence)"),
    Fact("F4a_repentance_local_share",
         "Repentance empties the SDF's local ranks: the local share of its strength falls.",
         "eui2022 s.2, fn 27-28", ("baseline", "no_repentance"), "SDF local share: baseline - no repentance",
         repentance_local_share_drop, -0.01, "<=", "any clear fall (one point or more) counts"),
    Fact("F4b_repentance_local_recruits",
         "Where people repent the SDF cannot recruit locally and bring soldiers from elsewhere.",
         "eui2022 s.2 (Sweidan, Tayyana)", ("baseline", "no_repentance"),
         "local share of SDF recruits: baseline - no repentance", repentance_local_recruits_drop, -0.02, "<=",
         "a visible shift (two points or more) towards external recruits"),
    Fact("F4c_repentance_vacuum",
         "Repentance leaves councils without chairmen in the eastern strip.",
         "eui2022 s.2 (Darnaj, Sweidan)", ("baseline", "no_repentance"),
         "east-strip villages without council/chairman: baseline - no repentance", repentance_vacuum_gain, 0.5,
         ">=", "at least half a village more on average over the last year"),
    Fact("F5a_recovers_after_arrests",
         "Dismantling cells does not break the organisation: IS strength recovers after a wave of arrests.",
         "eui2022 s.3, fn 53", ("baseline",), "fighters 12 months after peak-arrest month / month before",
         recovery_after_arrests, 1.0, ">=", "back to (at least) its strength before the wave within a year"),
    Fact("F5b_compartmentalisation",
         "Without compartmentalisation arrests would cascade through the network.",
         "eui2022 s.3, fn 53", ("baseline", "open_networks"), "fighters at end: compartmented / open",
         compartment_strength_ratio, 1.5, ">=", "is why dismantling fails: a large difference, not a nuance"),
    Fact("F6_incident_rate",
         "IS incidents in the region number some tens a month.",
         "wp2019 (ACLED: >60 a month in Iraq); eui2022 fn 65 (257 offensives in Iraq, 2021)", ("baseline",),
         "median monthly killings+attacks+checkpoints+retaliations (after year 1)", incident_rate, (10.0, 60.0),
         "in", "Iraq-wide: >60 a month (2019) and ~21 offensives a month (2021). The map is one theatre, a "
         "strip of ~100 km plus al-Hasaka, but Syria's resurgence is the more dramatic (s.4) and our count also "
         "holds night checkpoints and retaliations on traders. So: at least ten, at most the whole of Iraq."),
    Fact("F7a_patience",
         "While the Coalition stays IS avoids open confrontation but keeps killing officials.",
         "eui2022 s.4, fn 62-63; fn 25", ("baseline",), "targeted killings / attacks on SDF positions",
         killings_to_attacks, 2.0, ">=", "killings stay frequent while open attacks are held back"),
    Fact("F7b_escalation",
         "After a US withdrawal IS escalates against the SDF.",
         "eui2022 s.4, fn 63", ("us_withdrawal",), "attacks/month, months +6..+18 after withdrawal / 12 before",
         withdrawal_escalation, 2.0, ">=", "patience while the US stays: at least a doubling",
         min_months=39),
    Fact("F7c_escalation_vs_baseline",
         "The escalation is due to the withdrawal, not the passing of time.",
         "eui2022 s.4, fn 63", ("us_withdrawal", "history"), "attacks/month after withdrawal: us_withdrawal/history",
         withdrawal_vs_baseline, 2.0, ">=", "the same doubling against the paired baseline", min_months=39),
    Fact("F8a_hasaka_vacuum",
         "al-Hasaka's Ghuweiran and al-Zuhur are a security vacuum, not a stronghold: IS's grip fades.",
         "eui2022 s.2, fn 30-34", ("prison_attack",), "influence in the neighbourhoods 6 months after / at attack",
         hasaka_decay, 0.5, "<=", "no sign that IS entrenched itself: at least halved in six months",
         min_months=41),
    Fact("F8b_no_domino",
         "The prison attack sets off no domino effect in eastern Deir ez-Zor.",
         "eui2022 s.2, fn 35", ("prison_attack", "no_prison_attack"),
         "east-strip violence in 3 months after: attack/none",
         no_domino, 1.5, "<=", "attacks were improvised responses with next to no effect",
         min_months=38),
    Fact("F9_amnesty",
         "Amnesties feed the organisation: amnestied prisoners rejoin it.",
         "eui2022 fn 3; wp2019", ("amnesty", "history"), "IS fighters+supporters at end: amnesty - history",
         amnesty_members_gain, 50.0, ">=", "1,283 released; 'several' rejoined: at least 50 members more"),
    Fact("F10a_thin_evidence_trust",
         "Arrests on thin evidence erode trust in the forces.",
         "wp2019; eui2022 fn 36", ("no_thin_evidence", "baseline"), "mean trust (last year): none - default",
         thin_evidence_trust_gain, 0.02, ">=", "mutual distrust is hard to solve: a visible gap"),
    Fact("F10b_thin_evidence_recruits",
         "Distrust eases IS recruitment.",
         "wp2019 (Hassan: trust is the main vulnerability)", ("baseline", "no_thin_evidence"),
         "IS recruits over the run: default / no wrongful arrests", thin_evidence_recruit_ratio, 1.05, ">=",
         "at least 5% more recruits with wrongful arrests"),
)


def needed_variants(facts: tuple[Fact, ...] | list[Fact]) -> list[str]:
    """The variants the given facts need, in VARIANTS order."""
    wanted = {v for f in facts for v in f.variants}
    return [k for k in VARIANTS if k in wanted]


def evaluate(facts: tuple[Fact, ...] | list[Fact], runs: list[RunRecord]) -> pd.DataFrame:
    """One row per fact: median and range of the measure over seeds, the threshold, pass/fail, share passing."""
    by_rep: dict[int, Runs] = {}
    for r in runs:
        by_rep.setdefault(r.rep, {})[r.variant] = r
    rows = []
    for fact in facts:
        values = []
        for rep in sorted(by_rep):
            seed_runs = by_rep[rep]
            if all(v in seed_runs for v in fact.variants):
                with np.errstate(all="ignore"):
                    values.append(float(fact.measure(seed_runs)))
        arr = np.array(values, dtype=float)
        finite = arr[np.isfinite(arr)]
        median = float(np.median(finite)) if len(finite) else np.nan
        defined = len(finite) >= max(1, len(arr) / 2)
        rows.append({
            "fact": fact.id, "statement": fact.statement, "citation": fact.citation, "measure": fact.measure_name,
            "median": median, "low": float(finite.min()) if len(finite) else np.nan,
            "high": float(finite.max()) if len(finite) else np.nan, "threshold": fact.threshold_text,
            "passed": bool(defined and fact.passes(median)),
            "share_seeds_passing": float(np.mean([fact.passes(x) for x in arr])) if len(arr) else np.nan,
            "n_seeds": len(arr), "n_defined": len(finite), "reason": fact.reason, "values": arr.tolist(),
        })
    return pd.DataFrame(rows)
