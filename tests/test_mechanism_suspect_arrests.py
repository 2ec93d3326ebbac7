"""Suspects detained on every raid (tiny world): counted as arrests, the innocents among them cost trust."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tiny_world import tiny_model

import sim
from sim.policy import COMMUNITY

# many raids, few finds, no bystanders (so arrests = members of found cells + suspects)
RAIDS_NO_FINDS = {"detection_base": 1.0, "sdf_operations": 4.0, "raid_find_prob": 0.01, "exposed_detection": 0.0,
                  "raid_bystander_share": 0.0}


def _run(folder: Path, **parameters: object) -> sim.InsurgencyModel:
    """Sixty days of patrols and raids on the tiny world."""
    m = tiny_model(folder, **{**RAIDS_NO_FINDS, **parameters})
    m.villages.influence[:] = 1.0  # the SDF raid where IS shows: raids every few days on each village
    for _ in range(60):
        m.mechanisms.patrols.day()
        m.mechanisms.raids.day()
    return m


def test_every_raid_detains_suspects_at_the_mean_even_when_it_finds_no_cell(tmp_path: Path) -> None:
    m = _run(tmp_path, raid_suspects_mean=3.0)
    t = m.accounts.totals
    raids, members = t["raids"], t["members_arrested"]
    assert raids > 50  # the test needs many raids
    suspects = t["arrests"] - members
    # Poisson(3 x raids): within five standard deviations of its mean
    assert abs(suspects - 3.0 * raids) < 5 * np.sqrt(3.0 * raids)
    assert t["arrests"] > 2 * raids > 0 and members < t["arrests"] / 4


def test_off_or_zero_is_the_model_without_suspects_draw_for_draw(tmp_path: Path) -> None:
    """No random number is drawn when off, so the rest of the run is unchanged; the mean then does nothing."""
    off = _run(tmp_path / "off", suspect_arrests_enabled=False, raid_suspects_mean=3.0)
    off5 = _run(tmp_path / "off5", suspect_arrests_enabled=False, raid_suspects_mean=5.0)
    zero = _run(tmp_path / "zero", raid_suspects_mean=0.0)
    on = _run(tmp_path / "on", raid_suspects_mean=3.0)
    assert off.accounts.totals == off5.accounts.totals == zero.accounts.totals
    assert np.array_equal(off.villages.trust, zero.villages.trust)
    assert on.accounts.totals["arrests"] > off.accounts.totals["arrests"]
    # no random number drawn when off or at 0, even with raids to detain on
    for m, setting in ((off, {}), (on, {"raid_suspects_mean": 0.0})):
        for key, value in setting.items():
            setattr(m.p, key, value)
        before = m.rng.bit_generator.state
        assert m.mechanisms.suspect_arrests.detain(np.array([0, 1]), np.array([3, 2])) == 0
        assert m.rng.bit_generator.state == before
    on.p.raid_suspects_mean = 3.0
    on.mechanisms.suspect_arrests.detain(np.array([0, 1]), np.array([3, 2]))  # on, it draws
    assert on.rng.bit_generator.state != before


def test_the_innocents_among_the_suspects_cost_the_village_trust(tmp_path: Path) -> None:
    m = tiny_model(tmp_path)
    p, v = m.p, m.villages
    i = m.village_index["Easttown"]
    p.raid_suspects_mean, p.trust_loss_per_wrongful_arrest = 4.0, 0.001
    arrests = m.mechanisms.suspect_arrests

    p.sweep_wrongful_share = 1.0  # every suspect innocent: each costs the village's trust
    before = v.trust[i]
    detained = arrests.detain(np.array([i]), np.array([20]))
    assert 40 < detained < 130  # Poisson(80)
    assert np.isclose(v.trust[i], before - 0.001 * detained)
    assert m.accounts.totals["civilian_arrests"] == detained and m.accounts.totals["arrests"] == detained
    assert m.accounts.people["suspects_held"] == 0

    p.sweep_wrongful_share = 0.0  # no innocents: trust untouched, every suspect held
    before = v.trust[i]
    detained = arrests.detain(np.array([i]), np.array([20]))
    assert detained > 0 and v.trust[i] == before and m.accounts.people["suspects_held"] == detained

    p.sweep_wrongful_share, p.civilian_arrests_enabled = 1.0, False  # the cost belongs to civilian_arrests
    before = v.trust[i]
    assert arrests.detain(np.array([i]), np.array([20])) > 0 and v.trust[i] == before


def test_community_policing_takes_fewer_innocents(tmp_path: Path) -> None:
    """The wrongful share is policing's: community policing lowers it (sim.modifiers.wrongful_share)."""
    held = {}
    for policing in (False, True):
        m = tiny_model(tmp_path / str(policing))
        if policing:
            m.policy.policing = COMMUNITY
        m.p.raid_suspects_mean, m.p.sweep_wrongful_share, m.p.community_policing_wrongful_factor = 4.0, 0.8, 0.3
        i = m.village_index["Easttown"]
        detained = m.mechanisms.suspect_arrests.detain(np.array([i]), np.array([100]))
        held[policing] = m.accounts.people["suspects_held"] / detained
    # held shares about 0.2 without and 0.76 with community policing
    assert held[False] < 0.35 < 0.6 < held[True]
