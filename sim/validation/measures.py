"""The measures of the stylised facts: each turns one seed's runs (by variant key) into one number.

A measure returns NaN when its pattern cannot be observed in that seed (no village ever pledged,
the event fell outside the run); such seeds count as not passing. Measures of flows over time are
NaN on the day-one state too ("undefined at start").
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.validation.record import RunRecord

Runs = dict[str, RunRecord]
"""The runs of one seed, by variant key."""


def safe_ratio(a: float, b: float) -> float:
    """a / b, with inf for a positive numerator over zero and NaN for 0 / 0."""
    if b == 0:
        return np.inf if a > 0 else np.nan
    return a / b


def last_year(arr: np.ndarray) -> np.ndarray:
    """The last twelve rows (or fewer)."""
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
    infl = last_year(r.influence).mean(axis=0)
    return safe_ratio(infl[r.mask(zones=EAST)].mean(), infl[r.mask(zones=EAST, invert=True)].mean())


def strongholds_in_east(runs: Runs) -> float:
    """Share of stronghold village-months (last year) that lie in the eastern strip (NaN if none)."""
    r = runs["baseline"]
    s = last_year(r.stronghold) & r.sdf_held
    total = s.sum()
    return float(s[:, r.mask(zones=EAST)].sum() / total) if total else np.nan


def karama_influence(runs: Runs) -> float:
    """Highest monthly mean influence in Raqqa and al-Karama over the run."""
    return float(runs["baseline"].monthly["influence_karama_raqqa"].max())


def karama_violence_ratio(runs: Runs) -> float:
    """Violence per village: Raqqa-al-Karama / eastern strip (whole run)."""
    r = runs["baseline"]
    v = r.violence[-1]
    return safe_ratio(v[r.mask(zones=("karama_raqqa",))].mean(), v[r.mask(zones=EAST)].mean())


def triangle_zakat_share(runs: Runs) -> float:
    """Share of all zakat paid over the run in the zakat triangle and Hajin."""
    r = runs["baseline"]
    z = r.zakat[-1]
    return safe_ratio(z[r.mask(districts=TRIANGLE)].sum(), z.sum())


def northeast_zakat_ratio(runs: Runs) -> float:
    """Zakat per village: north-east strip and Margadeh / zakat triangle and Hajin."""
    r = runs["baseline"]
    z = r.zakat[-1]
    return safe_ratio(z[r.mask(districts=NORTHEAST)].mean(), z[r.mask(districts=TRIANGLE)].mean())


def northeast_vacuum_gap(runs: Runs) -> float:
    """Share of villages without council or chairman (last year): north-east minus all other SDF-held."""
    r = runs["baseline"]
    vac = last_year(r.vacuum).mean(axis=0)
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
    return safe_ratio(float(after), float(before))


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
        return float(last_year(r.monthly["sdf_local_share"].to_numpy()).mean())
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
        return float(last_year(r.vacuum)[:, r.mask(zones=EAST)].sum(axis=1).mean())
    return vac(runs["baseline"]) - vac(runs["no_repentance"])


def recovery_after_arrests(runs: Runs, after: int = 12) -> float:
    """IS fighters ``after`` months after the month of most arrests (in the first half) / the month before it."""
    m = runs["baseline"].monthly
    half = max(2, len(m) // 2)
    peak = int(m["members_arrested"].iloc[1:half].to_numpy().argmax()) + 1
    if peak + after >= len(m):
        return np.nan
    return safe_ratio(float(m["is_fighters"].iloc[peak + after]), float(m["is_fighters"].iloc[peak - 1]))


def compartment_strength_ratio(runs: Runs) -> float:
    """IS fighters at the end: compartmented baseline / open networks."""
    return safe_ratio(float(runs["baseline"].monthly["is_fighters"].iloc[-1]),
                       float(runs["open_networks"].monthly["is_fighters"].iloc[-1]))


def incident_rate(runs: Runs) -> float:
    """Median monthly killings + attacks + checkpoints + retaliations, after the first year (baseline)."""
    m = runs["baseline"].monthly
    return float(m[list(VIOLENT)].sum(axis=1).iloc[12:].median())


def killings_to_attacks(runs: Runs) -> float:
    """Targeted killings / attacks on SDF positions, while the Coalition is present (baseline, whole run)."""
    m = runs["baseline"].monthly
    return safe_ratio(float(m["killings"].sum()), float(m["attacks"].sum()))


def _withdrawal_window(runs: Runs) -> tuple[int, int, int] | None:
    r = runs["us_withdrawal"]
    w = r.event_month("coalition_withdrawal", last=True)  # history withdraws from some districts first
    if w is None or w < 12 or w + 18 > len(r.monthly):
        return None
    # 12 months before, and months +6 to +18 (the window set in 47c2417 skipped a 180-day ramp; the ramp is
    # gone, the window is kept so the fact measures what it measured)
    return w - 12, w, w + 6


def withdrawal_escalation(runs: Runs) -> float:
    """Attacks per month in months +6..+18 after the withdrawal / in the 12 months before (us_withdrawal)."""
    win = _withdrawal_window(runs)
    if win is None:
        return np.nan
    pre, w, post = win
    a = runs["us_withdrawal"].monthly["attacks"].to_numpy()
    return safe_ratio(a[post:post + 12].mean(), a[pre:w].mean())


def withdrawal_vs_baseline(runs: Runs) -> float:
    """Attacks per month in months +6..+18 after the withdrawal: us_withdrawal / history (same months)."""
    win = _withdrawal_window(runs)
    if win is None:
        return np.nan
    _, _, post = win
    a = runs["us_withdrawal"].monthly["attacks"].to_numpy()[post:post + 12].mean()
    b = runs["history"].monthly["attacks"].to_numpy()[post:post + 12].mean()
    return safe_ratio(a, b)


def hasaka_decay(runs: Runs, after: int = 6) -> float:
    """Influence in Ghuweiran and al-Zuhur ``after`` months after the prison attack / at the attack's month end."""
    r = runs["prison_attack"]
    m = r.event_month("prison_attack")
    if m is None or m + after >= len(r.monthly):
        return np.nan
    hood = r.mask(districts=HOODS)
    return safe_ratio(r.influence[m + after, hood].mean(), r.influence[m, hood].mean())


def no_domino(runs: Runs, after: int = 3) -> float:
    """Violence in the eastern strip in the ``after`` months from the prison attack: history / no attack."""
    r, b = runs["prison_attack"], runs["no_prison_attack"]
    m = r.event_month("prison_attack")
    if m is None or m + after >= len(r.monthly):
        return np.nan
    east = r.mask(zones=EAST)

    def added(x: RunRecord) -> float:
        return float(x.violence[m + after, east].sum() - x.violence[m - 1, east].sum())
    return safe_ratio(added(r), added(b))


def amnesty_members_gain(runs: Runs) -> float:
    """IS fighters + supporters at the end: amnesty minus history (the amnesty branches from history)."""
    def members(r: RunRecord) -> float:
        last = r.monthly.iloc[-1]
        return float(last["is_fighters"] + last["is_supporters"])
    return members(runs["amnesty"]) - members(runs["history"])


def thin_evidence_trust_gain(runs: Runs) -> float:
    """Mean trust over the last year: no wrongful arrests minus default."""
    def trust(r: RunRecord) -> float:
        return float(last_year(r.monthly["mean_trust"].to_numpy()).mean())
    return trust(runs["no_thin_evidence"]) - trust(runs["baseline"])


def thin_evidence_recruit_ratio(runs: Runs) -> float:
    """IS recruits over the run: default / no wrongful arrests."""
    return safe_ratio(float(runs["baseline"].monthly["recruits"].sum()),
                       float(runs["no_thin_evidence"].monthly["recruits"].sum()))




# -- reformulated measures (issue 13): consequences downstream of a mechanism ---------------------

COMPARABLE = "comparable_start"
RAQQA = ("karama_raqqa",)


def east_concentration_emerges(runs: Runs, key: str = COMPARABLE) -> float:
    """min(ratio / 3, ratio / (2 x day-one ratio)); ratio = influence east strip / other SDF-held (last year).

    At least 1 means the eastern strip holds three times the influence of the rest *and* the model
    at least doubled the gap it started from.
    """
    r = runs[key]
    infl = last_year(r.influence).mean(axis=0)
    east, other = r.mask(zones=EAST), r.mask(zones=EAST, invert=True)
    ratio = safe_ratio(infl[east].mean(), infl[other].mean())
    ratio0 = safe_ratio(r.initial_influence[east].mean(), r.initial_influence[other].mean())
    return float(min(ratio / 3.0, safe_ratio(ratio, 2.0 * ratio0)))


def strongholds_in_east_comparable(runs: Runs) -> float:
    """As :func:`strongholds_in_east`, on the comparable start."""
    return strongholds_in_east({"baseline": runs[COMPARABLE]})


def triangle_zakat_share_comparable(runs: Runs) -> float:
    """As :func:`triangle_zakat_share`, on the comparable start."""
    return triangle_zakat_share({"baseline": runs[COMPARABLE]})


def karama_reactivation(runs: Runs, from_month: int = 6) -> float:
    """Highest mean influence in Raqqa and al-Karama over months 7..end / its day-one value (baseline)."""
    r = runs["baseline"]
    rows = r.mask(zones=RAQQA)
    later = r.influence[from_month:, rows]
    if not len(later):
        return np.nan
    return safe_ratio(float(later.mean(axis=1).max()), float(r.initial_influence[rows].mean()))


def karama_reactivation_at_start(runs: Runs) -> float:
    """On the day-one state the highest influence *is* the day-one influence: the ratio is 1."""
    r = runs["baseline"]
    value = r.initial_influence[r.mask(zones=RAQQA)].mean()
    return 1.0 if value > 0 else np.nan


def northeast_vacuum_gap_comparable(runs: Runs) -> float:
    """Share without council or chairman (last year): north-east + Margadeh minus triangle + Hajin (comparable)."""
    r = runs[COMPARABLE]
    vac = last_year(r.vacuum).mean(axis=0)
    return float(vac[r.mask(districts=NORTHEAST)].mean() - vac[r.mask(districts=TRIANGLE)].mean())


def pledged_level_without_bonus(runs: Runs) -> float:
    """:func:`pledged_influence_level` with no influence added by the oath itself."""
    return pledged_influence_level({"baseline": runs["no_pledge_bonus"]})


def east_arrest_rate_ratio(runs: Runs, months: int = 24) -> float:
    """IS members arrested per 100 cell-months of east-strip cells (last 24 months): baseline / no repentance."""
    def rate(r: RunRecord) -> float:
        arrested = float(r.monthly["members_arrested"].to_numpy()[-months:].sum())
        return safe_ratio(100.0 * arrested, float(r.cells_east[-months:].sum()))
    return safe_ratio(rate(runs["baseline"]), rate(runs["no_repentance"]))


def operations_rebound(runs: Runs) -> float:
    """ric_attacks + checkpoints + zakat demands in months +10..+12 after the peak-arrest month / 3 months before."""
    m = runs["baseline"].monthly
    if len(m) < 16:
        return np.nan
    ops = (m["ric_attacks"] + m["checkpoints"] + m["zakat_demands"]).to_numpy()
    half = max(4, len(m) // 2)
    peak = int(m["members_arrested"].iloc[3:half].to_numpy().argmax()) + 3
    if peak + 12 >= len(m):
        return np.nan
    return safe_ratio(float(ops[peak + 10:peak + 13].sum()), float(ops[peak - 3:peak].sum()))


def _months_between(r: RunRecord, first: dt.date, last: dt.date) -> slice:
    lo = max(0, r.month_of(first))
    return slice(lo, max(lo, min(len(r.monthly), r.month_of(last) + 1)))


def ric_level_2019(runs: Runs) -> float:
    """Mean monthly ric_attacks, May to December 2019 (baseline)."""
    r = runs["baseline"]
    s = _months_between(r, dt.date(2019, 5, 1), dt.date(2019, 12, 1))
    values = r.monthly["ric_attacks"].to_numpy()[s]
    return float(values.mean()) if len(values) else np.nan


def ric_decline(runs: Runs) -> float:
    """Mean monthly ric_attacks in 2021 / in 2019 (the months of each year inside the run; baseline)."""
    r = runs["baseline"]
    a = r.monthly["ric_attacks"].to_numpy()
    y2019 = a[_months_between(r, dt.date(2019, 1, 1), dt.date(2019, 12, 1))]
    y2021 = a[_months_between(r, dt.date(2021, 1, 1), dt.date(2021, 12, 1))]
    if not len(y2019) or not len(y2021):
        return np.nan
    return safe_ratio(float(y2021.mean()), float(y2019.mean()))


def ric_share(runs: Runs, governorate: str) -> float:
    """Share of ric_attacks in one governorate, May 2019 to December 2021 (baseline)."""
    r = runs["baseline"]
    s = _months_between(r, dt.date(2019, 5, 1), dt.date(2021, 12, 1))
    m = r.monthly.iloc[s]
    return safe_ratio(float(m[f"ric_attacks_{governorate}"].sum()), float(m["ric_attacks"].sum()))


def ric_share_raqqa(runs: Runs) -> float:
    """Share of ric_attacks in Raqqa governorate, May 2019 to December 2021."""
    return ric_share(runs, "raqqa")


def ric_share_deir_ez_zor(runs: Runs) -> float:
    """Share of ric_attacks in Deir ez-Zor governorate, May 2019 to December 2021."""
    return ric_share(runs, "deir_ez_zor")


def raids_suspended_rise(runs: Runs) -> float:
    """Mean ric_attacks in November-December 2019 / in September 2019 (turkish_offensive_2019)."""
    r = runs["turkish_offensive_2019"]
    a = r.monthly["ric_attacks"].to_numpy()
    sep, nov = r.month_of(dt.date(2019, 9, 1)), r.month_of(dt.date(2019, 11, 1))
    if sep < 0 or nov + 2 > len(a):
        return np.nan
    return safe_ratio(float(a[nov:nov + 2].mean()), float(a[sep]))


def strength_2022(runs: Runs) -> float:
    """IS fighters on the map in January 2022 (end of December 2021) / the run's region_share_of_is (baseline)."""
    r = runs["baseline"]
    i = r.month_of(dt.date(2021, 12, 1))
    if i < 0 or i >= len(r.monthly):
        return np.nan
    return float(r.monthly["is_fighters"].iloc[i]) / r.region_share_of_is


def strength_at_start(runs: Runs) -> float:
    """IS fighters on day one / the run's region_share_of_is."""
    r = runs["baseline"]
    return float(r.monthly["is_fighters"].iloc[0]) / r.region_share_of_is


def patience_pays(runs: Runs) -> float:
    """IS fighters at the end: baseline / strategic patience switched off."""
    return safe_ratio(float(runs["baseline"].monthly["is_fighters"].iloc[-1]),
                      float(runs["no_patience"].monthly["is_fighters"].iloc[-1]))


def sdf_land_fighters_ratio(runs: Runs) -> float:
    """IS fighters based in SDF-held land at the end: default / no wrongful arrests."""
    return safe_ratio(float(runs["baseline"].fighters_sdf_land[-1]),
                      float(runs["no_thin_evidence"].fighters_sdf_land[-1]))
