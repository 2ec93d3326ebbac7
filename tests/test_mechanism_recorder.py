"""The recorder: RIC-style attack counts by governorate, raids and arrests, the incident table, read-only."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim
from sim.agents.is_cell import ROLE
from sim.mechanisms import Visits
from sim.world.names import BADIA


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path)


def _visit(m: sim.InsurgencyModel, role: str, village: str) -> Visits:
    m.cells.role[0] = ROLE[role]
    return Visits(np.zeros(1, int), np.array([m.village_index[village]]))


def _certain(m: sim.InsurgencyModel) -> None:
    p = m.p
    p.checkpoint_prob = p.killing_prob = p.capability_at_start = 1.0
    p.strategic_patience = False
    m.villages.guard[:] = 0.0
    m.villages.influence[:] = 0.5
    m.villages.cache[:] = 1e6  # weapons at hand everywhere (supply_lines)
    m.traders.next_demand[:] = 0


def test_zakat_demands_and_checkpoints_are_not_ric_attacks(model: sim.InsurgencyModel) -> None:
    _certain(model)
    model.mechanisms.zakat.night(_visit(model, "zakat", "Easttown"))
    model.mechanisms.checkpoints.night(_visit(model, "checkpoint", "Easttown"))
    row = model.recorder.close_month(model)
    assert row["zakat_demands"] > 0 and row["checkpoints"] == 1
    assert row["ric_attacks"] == 0 and row["ric_attacks_deir_ez_zor"] == 0


def test_a_killing_in_a_raqqa_village_counts_in_raqqa(model: sim.InsurgencyModel) -> None:
    _certain(model)
    model.mechanisms.killings.night(_visit(model, "assassination", "Westtown"))
    row = model.recorder.close_month(model)
    assert row["killings"] == 1
    assert (row["ric_attacks"], row["ric_attacks_raqqa"], row["ric_attacks_deir_ez_zor"]) == (1, 1, 0)
    frame = model.incident_frame()
    killing = frame[frame.kind == "killings"].iloc[0]
    assert (killing.village, killing.district, killing.governorate, killing["count"]) == (
        "Westtown", "raqqa", "raqqa", 1)


def test_badia_attacks_are_not_ric_attacks(model: sim.InsurgencyModel) -> None:
    model.p.badia_attack_prob = 1.0
    model.mechanisms.cell_bases.move(0, *model.world.hideouts.pick(BADIA))
    model.mechanisms.badia_front.night(Visits.none())
    row = model.recorder.close_month(model)
    assert row["badia_attacks"] > 0 and row["ric_attacks"] == 0


def test_raids_and_arrests_are_counted_with_the_innocents(model: sim.InsurgencyModel) -> None:
    east = model.village_index["Easttown"]
    c = model.cells
    c.fighters[0], c.supporters[0] = 4, 0
    model.p.raid_capture_share = 1.0
    model.mechanisms.raids.raid(0, east)
    row = model.recorder.close_month(model)
    assert row["raids"] == 1 and row["members_arrested"] == 4
    # the members, the bystanders taken with them, and the suspects the raid detained (innocent or held)
    people = model.accounts.people
    assert row["arrests"] == 4 + model.accounts.totals["civilian_arrests"] + people["suspects_held"]


def test_months_are_differences_and_recording_changes_nothing(model: sim.InsurgencyModel) -> None:
    _certain(model)
    model.mechanisms.killings.night(_visit(model, "assassination", "Westtown"))
    state = copy.deepcopy((model.accounts, model.villages.columns(), model.treasury))
    first = model.recorder.close_month(model)
    assert copy.deepcopy((model.accounts, model.villages.columns(), model.treasury)).__repr__() == state.__repr__()
    second = model.recorder.close_month(model)
    assert first["killings"] == 1 and second["killings"] == 0 and second["ric_attacks"] == 0


def test_incident_frame_of_a_run_adds_up_to_the_monthly_table(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, months=3).run()
    incidents, monthly = m.incident_frame(), m.monthly_frame()
    assert list(incidents.columns) == ["date", "village", "district", "governorate", "kind", "count"]
    for kind in ("killings", "zakat_demands", "checkpoints", "raids"):
        by_month = incidents[incidents.kind == kind].groupby("date")["count"].sum()
        expected = monthly.set_index("date")[kind]
        assert by_month.reindex(expected.index, fill_value=0).tolist() == expected.tolist()


def test_incident_codes_are_the_incident_rows_whenever_each_is_asked_for(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, months=8)
    while not m.recorder.incidents and len(m.recorder.monthly) < 4:
        m.run_for(30)
    early = list(m.recorder.incidents)  # some months listed before the run goes on
    m.run()
    rows = m.recorder.incidents
    assert rows[:len(early)] == early and len(rows) > len(early) > 0
    codes = m.recorder.incident_codes()
    assert codes is not None and len(codes["count"]) == len(rows)
    columns = []
    for name in ("date", "village", "district", "governorate", "kind", "count"):
        column = codes[name]
        if isinstance(column, tuple):  # text: (codes, texts)
            columns.append([column[1][i] for i in column[0].tolist()])
        else:
            columns.append(column.tolist())
    assert list(zip(*columns, strict=True)) == rows
    assert tiny_model(tmp_path / "none", months=1).recorder.incident_codes() is None  # no month recorded yet
