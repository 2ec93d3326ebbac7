"""SDF raids: many small raids on suspicion, each finding the cells hiding in the raided village.

The SDF hold the population tightly through a solid bureaucracy but understand and penetrate IS
networks poorly; disaffiliation from the administration makes eastern Deir ez-Zor opaque to them
(EUI 2022, s.4). They depend on the Coalition's military support, as the al-Sina'a attack showed
(s.1). Cells embedded in
shepherd communities are very hard to penetrate (fn 26); officials who swore allegiance warn
cells of raids and arrest campaigns (s.2); cells in the regime-held Badia or in Iraq are out of
reach. Residents' tips depend on their trust in the authorities (WP 2019).

The Rojava Information Center's record shows the shape of the SDF's effort: many small raids
(395 in 2019, 37-48 a month in mid-2019, 10-21 a month in 2020-2021), each arresting one or a few
people (at least 581 arrests in 2019), suspended during the Turkish offensive of October 2019
(raids -77% by December) and stepped up around al-Busayrah in June 2021, after which attacks in
Deir ez-Zor fell (RIC, 2019 review and July 2021 report). More arrests of cells in 2021 are also
in the brief (EUI fn 8, fn 34).

Rule. Each day each SDF-held village is raided a Poisson number of times, at the rate
``sdf_operations`` (the effort events move) x ``detection_base`` x SDF presence x tips
(``tip_base`` + ``tip_per_trust`` x trust) x Coalition intelligence x policing tips x suspicion
(``raid_suspicion_floor`` + IS influence in the village: the SDF raid where IS shows). A raid
finds each cell hiding at the village with chance ``raid_find_prob`` (x ``shepherd_opacity`` in a
camp, x (1 - informants' leak)), so the chance that a raid finds something grows with the number
of cells there and finds are in proportion to them. Found cells lose a share of their members to
detention (``raid_capture_share`` of fighters, more with Coalition air support;
``raid_supporter_share`` of supporters) and innocent bystanders are taken with them
(``raid_bystander_share`` of a raid's detainees, see ``civilian_arrests``); a cell that loses its
last fighter is dismantled, and the month's takings it still holds are seized. Every raid, found cell
or not, also detains suspects on suspicion (``suspect_arrests``). A cell a captured member named
(``compartmentalisation``) is raided directly with daily chance ``sdf_operations`` x
``exposed_detection`` x its exposure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, MONEY, PEOPLE, book, book_incident, book_incidents, row_of
from sim.compiled import Stream, clipped, kernel, rng_of, stream_of
from sim.draws import binomial
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.allegiance import leaks_at
from sim.mechanisms.base import LastAnswer, Mechanism
from sim.mechanisms.civilian_arrests import bystanders
from sim.mechanisms.compartmentalisation import revealed
from sim.mechanisms.strategic_patience import surge_of
from sim.mechanisms.supply_lines import seized
from sim.mechanisms.suspect_arrests import detained_booked
from sim.modifiers import air_support_at, intel_of

if TYPE_CHECKING:
    from sim.agents.sites import CellSites
    from sim.model import InsurgencyModel

NO_ROWS = np.zeros(0, np.int64)
_RAIDS = row_of(INCIDENTS, "raids")
_MEMBERS_ARRESTED, _ARRESTS, _CIVILIAN_ARRESTS = (row_of(INCIDENTS, k) for k in (
    "members_arrested", "arrests", "civilian_arrests"))
_FIGHTERS_ARRESTED, _SUPPORTERS_ARRESTED, _DISPERSED = (row_of(PEOPLE, k) for k in (
    "fighters_arrested", "supporters_arrested", "supporters_dispersed"))
_SEIZED = row_of(MONEY, "seized")
NO_CHANCE = np.zeros(0)  # no village raided today: no cell's chance to be missed is needed
NO_RATE = np.zeros(0)  # no rate given to the day's kernel: it applies the rule of Raids.raid_rate


@kernel
def raid_rates(villages: np.ndarray, every: bool, scale: float, tip_base: float, tip_per_trust: float,
               tip_factor: float, floor: float, intel_multiplier: float, surge_gain: float, trust: np.ndarray,
               influence: np.ndarray, guard: np.ndarray, held: np.ndarray, attention: np.ndarray,
               governorate: np.ndarray, present: np.ndarray, district: np.ndarray) -> np.ndarray:
    """Expected raids today on each village row of ``villages`` (on every village when ``every``).

    ``scale`` is ``sdf_operations`` x ``detection_base``; the Coalition's intelligence is
    :func:`sim.modifiers.intel_of` with the surge of :func:`sim.mechanisms.strategic_patience.surge_of`
    (the rules :func:`sim.modifiers.intelligence` applies), see :meth:`Raids.raid_rate`.
    """
    n = len(trust) if every else len(villages)
    rate = np.empty(n)
    for k in range(n):
        i = k if every else villages[k]
        if not held[i]:
            rate[k] = 0.0
            continue
        tips = (tip_base + tip_per_trust * trust[i]) * tip_factor
        suspicion = floor + influence[i]
        intel = intel_of(present[district[i]], intel_multiplier, surge_of(surge_gain, attention[governorate[i]]))
        rate[k] = scale * guard[i] * tips * intel * suspicion
    return rate


@kernel
def draw_raids(stream: Stream, rate: np.ndarray, raids: np.ndarray, raided: np.ndarray, counts: np.ndarray) -> int:
    """Today's raids on each village, a Poisson draw of its ``rate`` in village order (as
    ``rng.poisson(rate)`` draws them), written into ``raids``; the rows of the raided villages and
    their raids into the first places of ``raided`` and ``counts``. Returns how many were raided."""
    k = 0
    for i in range(len(rate)):
        raids[i] = rng_of(stream).poisson(rate[i])
        if raids[i] > 0:
            raided[k], counts[k] = i, raids[i]
            k += 1
    return k


@kernel
def draw_finds(stream: Stream, rows: np.ndarray, near: np.ndarray, raids: np.ndarray, missed: np.ndarray,
               named_scale: float, exposure: np.ndarray, hit_rows: np.ndarray, hit_villages: np.ndarray,
               hit_direct: np.ndarray) -> int:
    """The cells at ``rows`` (hiding near village ``near``) found today: by the raids on their village
    (``missed``, the chance that one raid misses each, empty when no village was raided) or named by a
    captured member (daily chance ``named_scale`` x exposure). One uniform for each cell's survival,
    then one for each cell's naming, in order, whether or not anything is found (as two calls of
    ``rng.random(len(rows))`` draw them). The found cells' rows, their villages, and whether each was
    named but not found by a raid (a direct raid) go into the first places of ``hit_rows``,
    ``hit_villages`` and ``hit_direct``, in the order of ``rows``; returns how many were found."""
    n = len(rows)
    survives = np.empty(n)
    for i in range(n):
        survives[i] = rng_of(stream).random()
    k = 0
    for i in range(n):
        named = rng_of(stream).random() < named_scale * exposure[rows[i]]
        found = False
        if len(missed):
            raided = raids[near[i]]
            # a cell survives k raids with chance (1 - q)^k (a float power, as numpy's missed ** k)
            found = raided > 0 and survives[i] >= missed[i] ** np.float64(raided)
        if found or named:
            hit_rows[k], hit_villages[k], hit_direct[k] = rows[i], near[i], named and not found
            k += 1
    return k


@kernel
def raid_day(stream: Stream, given: np.ndarray, ruled: bool, scale: float, tip_base: float, tip_per_trust: float,
             tip_factor: float, floor: float, intel_multiplier: float, surge_gain: float, trust: np.ndarray,
             influence: np.ndarray, guard: np.ndarray, held: np.ndarray, attention: np.ndarray,
             governorate: np.ndarray, present: np.ndarray, district: np.ndarray, drawn: np.ndarray,
             rows: np.ndarray, near: np.ndarray, named_scale: float, exposure: np.ndarray,
             hits: np.ndarray) -> tuple[int, int]:
    """Today's raids in one call: every village's rate (:func:`raid_rates` when ``ruled``, else ``given``),
    its raids (:func:`draw_raids` into the rows of ``drawn``: raids, raided rows, their counts), and, when
    no village was raided (most days), the cells named by captured members (:func:`draw_finds` into the rows
    of ``hits``: rows, villages, direct). Returns how many villages were raided and how many cells were
    found; the finds are not drawn (-1) when a village was raided, since its suspects are drawn first."""
    rate = raid_rates(np.empty(0, np.int64), True, scale, tip_base, tip_per_trust, tip_factor, floor,
                      intel_multiplier, surge_gain, trust, influence, guard, held, attention, governorate, present,
                      district) if ruled else given
    raided = draw_raids(stream, rate, drawn[0], drawn[1], drawn[2])
    if raided:
        return raided, -1
    return 0, draw_finds(stream, rows, near, drawn[0], NO_CHANCE, named_scale, exposure, hits[0], hits[1], hits[2])


@kernel
def find_chances(leak: np.ndarray, in_camp: np.ndarray, find_prob: float, opacity: float) -> np.ndarray:
    """Per cell, the chance that one raid on its village finds it (:meth:`Raids.find_chance`): ``find_prob``
    x (1 - ``leak``, the informants' leak at its village), x ``opacity`` in a camp (``in_camp``), held within
    0..1 as ``ndarray.clip`` holds it (a NaN stays NaN, -0.0 stays -0.0)."""
    out = np.empty(len(leak))
    for k in range(len(leak)):
        chance = find_prob * (1.0 - leak[k])
        if in_camp[k]:
            chance = chance * opacity
        out[k] = clipped(chance, 0.0, 1.0)
    return out


@kernel
def missed_chances(near: np.ndarray, in_camp: np.ndarray, pledged: np.ndarray, rule: tuple) -> np.ndarray:
    """Per cell hiding near village ``near`` (in a camp where ``in_camp``), the chance that one raid on its village
    misses it: 1 - :func:`find_chances` with the informants' leak there (``allegiance.leaks_at`` of the officials'
    ``pledged`` shares); ``rule``: :meth:`Raids.find_rule`."""
    leaks, leak_rate, find_prob, opacity = rule
    return 1.0 - find_chances(leaks_at(leaks, leak_rate, pledged, near), in_camp, find_prob, opacity)


@kernel
def raids_today(stream: Stream, state: KernelState, inputs: tuple) -> tuple[int, int]:
    """:meth:`Raids.day`'s draws: :func:`raid_day` on the kernels' ``state`` (``inputs``: :meth:`Raids.day_inputs`)."""
    given, ruled, numbers, attention, drawn, rows, near, named_scale, hits, _ = inputs
    scale, tip_base, tip_per_trust, tip_factor, floor, intel_multiplier, surge_gain = numbers
    return raid_day(stream, given, ruled, scale, tip_base, tip_per_trust, tip_factor, floor, intel_multiplier,
                    surge_gain, state.v_trust, state.v_influence, state.v_guard, state.v_sdf_held, attention,
                    state.governorate, state.coalition_present_by_district, state.village_district, drawn, rows, near,
                    named_scale, state.c_exposure, hits)


@kernel
def raided_today(stream: Stream, state: KernelState, inputs: tuple, k: int) -> int:
    """What :meth:`Raids.after_draws` does on the ``k`` villages :func:`raids_today` raided before the captures, on
    the kernels' ``state`` (``inputs``: :meth:`Raids.day_inputs`): the caches seized there
    (``SupplyLines.seize``), the raids booked, the suspects detained (``SuspectArrests.detain``), then the cells
    found (:func:`draw_finds`, into the ``hits`` of the inputs). Returns how many cells were found (the day's kernel
    captures them next, :func:`captures_made`)."""
    _, _, _, _, drawn, rows, near, named_scale, hits, after = inputs
    seizes, seized_total, arrests, in_camp, find_rule, _, _ = after
    detains, mean, share, costs_trust, loss = arrests
    raided, counts = drawn[1, :k], drawn[2, :k]
    if seizes:
        seized_total[0] += seized(state.cache, raided)
    book_incidents(state.incidents, _RAIDS, raided, counts)
    if detains:
        detained_booked(stream, mean, raided, counts, share, costs_trust, state.v_trust, loss, state.incidents,
                        state.people, state.people_booked)
    missed = missed_chances(near, in_camp, state.v_pledged, find_rule)
    return draw_finds(stream, rows, near, drawn[0], missed, named_scale, state.c_exposure, hits[0], hits[1], hits[2])


@kernel
def capture_at(stream: Stream, state: KernelState, row: int, village: int, rule: tuple, detained: np.ndarray) -> int:
    """:meth:`Raids.capture` on the kernels' ``state``: members of found cell ``row`` taken in a raid on ``village``
    (``rule``: :meth:`Raids.capture_rule`), booked, with the innocents taken alongside (``civilian_arrests``) and
    what the captured reveal (``compartmentalisation``); a cell left without fighters is dismantled (``alive``
    false: its supporters disperse, its money is seized; Python removes its Mesa agent). ``detained``: the model's
    count of detainees. Returns the number captured."""
    capture_share, air_multiplier, supporter_share, costs_innocents, innocent_share, trust_loss, per_member = rule
    fighters, supporters, exposure = state.c_fighters, state.c_supporters, state.c_exposure
    air = air_support_at(state.coalition_present_by_district[state.village_district[village]], air_multiplier)
    taken = binomial(stream, fighters[row], min(1.0, capture_share * air))
    followers = binomial(stream, supporters[row], supporter_share)
    fighters[row] -= taken
    supporters[row] -= followers
    captured = taken + followers
    exposure[row] = 0.0
    if captured:
        detained[0] += captured
        book_incident(state.incidents, _MEMBERS_ARRESTED, village, captured)
        book(state.people, state.people_booked, _FIGHTERS_ARRESTED, taken)
        book(state.people, state.people_booked, _SUPPORTERS_ARRESTED, followers)
        innocent = 0
        if costs_innocents and innocent_share > 0:
            innocent = bystanders(stream, village, captured, innocent_share, state.v_trust, trust_loss)
            if innocent:
                book_incident(state.incidents, _CIVILIAN_ARRESTS, village, innocent)
        book_incident(state.incidents, _ARRESTS, village, captured + innocent)
        revealed(stream, state.c_alive, row, captured, per_member, exposure)
    if fighters[row] <= 0:
        # what is left of the support network melts back into the population; the takings it had not yet passed
        # on (``remittance``) are seized with it
        book(state.people, state.people_booked, _DISPERSED, supporters[row])
        supporters[row] = 0
        book(state.money, state.money_booked, _SEIZED, state.c_money[row])
        state.c_money[row] = 0.0
        state.c_alive[row] = False
    return captured


@kernel
def raid_at(stream: Stream, state: KernelState, row: int, village: int, rule: tuple, arrests: tuple,
            detained: np.ndarray) -> int:
    """:meth:`Raids.raid` on the kernels' ``state``: a raid aimed at the named cell ``row`` near ``village``, booked,
    its suspects detained (``arrests``: ``SuspectArrests.rule``), then :func:`capture_at`."""
    detains, mean, share, costs_trust, loss = arrests
    book_incident(state.incidents, _RAIDS, village, 1)
    if detains:
        detained_booked(stream, mean, np.full(1, village, np.int64), np.ones(1, np.int64), share, costs_trust,
                        state.v_trust, loss, state.incidents, state.people, state.people_booked)
    return capture_at(stream, state, row, village, rule, detained)


@kernel
def captures_made(stream: Stream, state: KernelState, hits: np.ndarray, found: int, rule: tuple, arrests: tuple,
                  detained: np.ndarray) -> int:
    """:meth:`Raids.captures` on the kernels' ``state``: the first ``found`` of the day's ``hits`` (rows, villages,
    named) captured in order, by their raid (:func:`capture_at`) or by a raid aimed at a named cell
    (:func:`raid_at`); a cell dismantled earlier today is skipped. Returns how many cells were dismantled."""
    alive = state.c_alive
    dismantled = 0
    for k in range(found):
        row, village = hits[0, k], hits[1, k]
        if not alive[row]:
            continue
        if hits[2, k]:
            raid_at(stream, state, row, village, rule, arrests, detained)
        else:
            capture_at(stream, state, row, village, rule, detained)
        dismantled += not alive[row]
    return dismantled


@kernel
def with_attention(inputs: tuple, attention: np.ndarray) -> tuple:
    """:meth:`Raids.day_inputs` with the Coalition's ``attention`` in place of the one they were made with (a day
    done in the night's kernel call reads the attention that night's strikes drew)."""
    given, ruled, numbers, _, drawn, rows, near, named_scale, hits, after = inputs
    return given, ruled, numbers, attention, drawn, rows, near, named_scale, hits, after


class Raids(Mechanism):
    """Raid villages on suspicion and arrest the members of the cells found there."""

    name = "raids"
    switch = "raids_enabled"
    params = ("raids_enabled", "sdf_operations", "detection_base", "raid_suspicion_floor", "raid_find_prob",
              "tip_base", "tip_per_trust", "shepherd_opacity", "exposed_detection", "raid_capture_share",
              "raid_supporter_share")
    # the Coalition's intelligence (sim.modifiers.intel_of) and the patience surge, for the rates' kernel; its air
    # support, for the captures (sim.modifiers.air_support_at)
    reads = ("coalition_intel_multiplier", "coalition_surge_gain", "coalition_raid_multiplier")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self._missed = LastAnswer()
        # the kernels' outputs, reused day after day: per village (raids, raided rows, their counts), and
        # per cell in SDF-held land (found rows, their villages, direct), grown as cells form
        self._drawn = np.empty((3, len(model.villages)), np.int64)
        self._hits = np.empty((3, 0), np.int64)
        self._today: tuple | None = None  # what day_inputs gave after_draws

    def rate_inputs(self) -> tuple:
        """The arguments of :func:`raid_rates` after its first two (and of :func:`raid_day` after its first
        three): today's parameters and columns."""
        m = self.model
        v, patience = m.villages, m.mechanisms.strategic_patience
        return (*self.rate_numbers(), v.trust, v.influence, v.guard, v.sdf_held, patience.attention,
                patience.governorate, m.policy.coalition_present_by_district, m.world.village_district)

    def rate_numbers(self) -> tuple[float, float, float, float, float, float, float]:
        """Today's parameters of the raid rates (the first seven of :meth:`rate_inputs`)."""
        m = self.model
        p = m.p
        # kept while the parameters and the policing style (the tips' factor) are unchanged: asked every day
        return self.kept("rates", lambda: (
            float(p.sdf_operations * p.detection_base), float(p.tip_base), float(p.tip_per_trust),
            float(modifiers.tip_factor(m)), float(p.raid_suspicion_floor), float(p.coalition_intel_multiplier),
            float(p.coalition_surge_gain)), m.policy.policing)

    def raid_rate(self, villages: np.ndarray | None = None) -> np.ndarray:
        """Expected raids today on each village (all villages when ``villages`` is None).

        Computed village by village in :func:`raid_rates`, which applies :func:`sim.modifiers.intelligence`'s
        rule itself (the Coalition's presence by district, the surge by governorate): a change of that
        rule must be made there too (tests/test_mechanism_patience.py checks the surge in both).
        """
        every = villages is None
        rows = NO_ROWS if every else np.arange(len(self.model.villages))[villages]  # any index numpy takes
        return raid_rates(rows, every, *self.rate_inputs())

    def find_chance(self, near: np.ndarray, in_camp: np.ndarray) -> np.ndarray:
        """Chance that one raid on a cell's village finds it (per cell: its village, a camp hideout)."""
        _, _, find_prob, opacity = self.find_rule()
        return find_chances(self.model.mechanisms.allegiance.leak(near), np.asarray(in_camp, np.bool_), find_prob,
                            opacity)

    def find_rule(self) -> tuple[bool, float, float, float]:
        """What :func:`missed_chances` reads besides the cells and the pledges: the informants' leak
        (``Allegiance.leak_rule``), ``raid_find_prob`` and ``shepherd_opacity``."""
        p = self.model.p
        return (*self.model.mechanisms.allegiance.leak_rule(), float(p.raid_find_prob), float(p.shepherd_opacity))

    def missed_once(self, sites: CellSites) -> np.ndarray:
        """Per cell in SDF-held land (``sites.in_sdf``), the chance that one raid on its village misses it
        (read-only, :func:`missed_chances`). Kept until the hideouts, the officials' pledges or the parameters
        change."""
        m = self.model
        key = (sites.key, m.villages.pledged.tobytes(), m.mechanisms.allegiance.enabled,
               self.param_key("raid_find_prob", "shepherd_opacity", "informant_leak"))
        return self._missed.get(key, lambda: missed_chances(sites.near_sdf, sites.camp_sdf, m.villages.pledged,
                                                            self.find_rule()))

    def day(self) -> None:
        """Today's raids: on suspicion in every village, and on the cells captured members named."""
        m = self.model
        inputs = self.day_inputs()  # first: the state is asked for after anything that may grow a table
        self.after_draws(*raids_today(stream_of(m), kernel_state(m), inputs))

    def own_rule(self) -> bool:
        """Whether the raids' rate is :meth:`raid_rate`'s own rule, which the day's kernel applies itself (False
        when it was replaced: a what-if, a test)."""
        return getattr(self.raid_rate, "__func__", None) is Raids.raid_rate

    def day_inputs(self) -> tuple:
        """What :func:`raids_today` and :func:`raided_today` read besides the stream and the kernels' state (and what
        :meth:`after_draws` reads of today: the cells in SDF-held land, the kernel's outputs). Its last item is what
        :func:`raided_today` and :func:`captures_made` read alone: the seizures (``SupplyLines.seizing``), the
        suspects' rule (``SuspectArrests.rule``), which of the cells hide in a camp, the rule of their chance to be
        missed by a raid (:meth:`find_rule`, for :func:`missed_chances`), the captures' rule (:meth:`capture_rule`)
        and the model's count of detainees (``model.detained``)."""
        m = self.model
        p = m.p
        sites = m.cell_sites()
        rows, near = sites.in_sdf, sites.near_sdf
        drawn, hits = self._drawn, self._hits
        if hits.shape[1] < len(rows):
            hits = self._hits = np.empty((3, 2 * len(rows)), np.int64)
        named_scale = float(p.sdf_operations * p.exposed_detection)
        ruled = self.own_rule()
        rate = NO_RATE if ruled else self.raid_rate()
        if not ruled:
            drawn = np.empty((3, len(rate)), np.int64)
        self._today = sites, drawn, hits, named_scale
        mechanisms = m.mechanisms
        after = (*mechanisms.supply_lines.seizing(), mechanisms.suspect_arrests.rule(), sites.camp_sdf,
                 self.kept("find", self.find_rule), self.capture_rule(), m.detained)
        return (rate, ruled, self.rate_numbers(), mechanisms.strategic_patience.attention, drawn, rows, near,
                named_scale, hits, after)

    def after_draws(self, k: int, found: int) -> None:
        """What follows today's draws by :func:`raids_today` (from :meth:`day_inputs`), in Python: the ``k``
        villages raided (caches seized, raids booked, suspects detained, then the cells found), and the
        ``found`` cells captured (:meth:`captures`). The day's kernel does both itself
        (:func:`raided_today`, :func:`captures_made`)."""
        m = self.model
        sites, drawn, hits, named_scale = self._today
        if k:
            raided, counts = drawn[1, :k], drawn[2, :k]
            m.mechanisms.supply_lines.seize(raided)  # a search finds the village's weapons cache
            book_incidents(m.accounts.incidents, _RAIDS, raided, counts)
            m.mechanisms.suspect_arrests.detain(raided, counts)
            # a cell survives k raids on its village with chance (1 - q)^k; the draws are taken whether or
            # not anything is found, so the next draws stay where they were
            found = draw_finds(stream_of(m), sites.in_sdf, sites.near_sdf, drawn[0], self.missed_once(sites),
                               named_scale, m.cells.exposure, hits[0], hits[1], hits[2])
        self.captures(found)

    def captures(self, found: int) -> None:
        """The first ``found`` cells of today's finds (the hits :meth:`day_inputs` gave the kernels) captured, by
        their raid or by a direct raid on a named cell (:func:`captures_made`)."""
        m = self.model
        _, _, hits, _ = self._today
        captures_made(stream_of(m), kernel_state(m), hits, found, self.capture_rule(),
                      m.mechanisms.suspect_arrests.rule(), m.detained)
        self.dismantled_found(found)

    def found_rows(self, found: int) -> np.ndarray:
        """The rows of the first ``found`` cells of today's finds (the hits :meth:`day_inputs` gave the kernels)."""
        return self._today[2][0, :found]

    def dismantled_found(self, found: int) -> None:
        """:meth:`dismantled` of the first ``found`` cells of today's finds (after a kernel captured them)."""
        self.dismantled(self.found_rows(found))

    def dismantled(self, rows: np.ndarray) -> None:
        """The Mesa agents of the cells of ``rows`` that a kernel dismantled (their rows no longer alive) removed."""
        m = self.model
        for row in rows.tolist():
            if not m.cells.alive[row] and m.cell_agents[row] is not None:
                m.remove_cell(row)

    def raid(self, row: int, village: int) -> int:
        """A raid aimed at one cell near ``village`` (a named cell): count it and capture (:func:`raid_at`); returns
        captured."""
        m = self.model
        captured = raid_at(stream_of(m), kernel_state(m), row, village, self.capture_rule(),
                           m.mechanisms.suspect_arrests.rule(), m.detained)
        self.dismantled(np.array([row]))
        return captured

    def capture(self, row: int, village: int) -> int:
        """Members of found cell ``row`` taken in a raid on ``village`` (:func:`capture_at`); returns the number
        captured."""
        m = self.model
        captured = capture_at(stream_of(m), kernel_state(m), row, village, self.capture_rule(), m.detained)
        self.dismantled(np.array([row]))
        return captured

    def capture_rule(self) -> tuple[float, float, float, bool, float, float, float]:
        """What :func:`capture_at` reads besides the cell, the village and the books: the share of a found cell's
        fighters captured, the Coalition's multiplier on it where it is present (``modifiers.air_support_at``), the
        share of its supporters captured, whether innocents are taken alongside (``civilian_arrests`` on), their share
        of the detained (``CivilianArrests.bystander_share``) and the trust each costs, and what a captured member
        reveals (``compartmentalisation``). Kept while the parameters and the policing style are unchanged."""
        m = self.model

        def made() -> tuple[float, float, float, bool, float, float, float]:
            p, mechanisms = m.p, m.mechanisms
            costs_trust, loss = mechanisms.civilian_arrests.wrongful_rule()
            return (float(p.raid_capture_share), float(p.coalition_raid_multiplier), float(p.raid_supporter_share),
                    costs_trust, mechanisms.civilian_arrests.bystander_share(), loss,
                    mechanisms.compartmentalisation.per_member())

        return self.kept("capture", made, m.policy.policing)
