"""``insim validate`` through the batch engine: the same records as a direct run, resume, exit codes.

The engine builds each run with the validation probe (:class:`sim.validation.record.ValidationProbe`),
stores its snapshots beside the run's tables and reads them back; a direct in-process run
(:func:`sim.validation.record.record_run`) must give the same record and the same fact values.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.batch import engine
from sim.validation import evaluate, read_records, run_variants, select_facts, validation_specs
from sim.validation.evaluation import needed_variants
from sim.validation.record import SNAPSHOT, record_run

MONTHS = 24
# facts reading every part of a record: village snapshots, strongholds, recruits, truce threshold, events
FACTS = select_facts(["F1a_east_concentration", "F3b_pledged_control", "F4b_repentance_local_recruits",
                      "F9_amnesty"], months=MONTHS)


def _same(a, b) -> None:
    assert (a.variant, a.rep, a.seed, a.start) == (b.variant, b.rep, b.seed, b.start)
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    for name in (*SNAPSHOT, "zone", "district", "sdf_held", "initial_influence"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.truce_threshold == b.truce_threshold and a.sdf_recruits == b.sdf_recruits
    assert json.loads(json.dumps(a.events, default=str)) == json.loads(json.dumps(b.events, default=str))


def test_engine_records_equal_direct_runs(tmp_path: Path) -> None:
    assert len(FACTS) == 4
    variants = needed_variants(FACTS)
    through_engine = run_variants(variants, reps=2, months=MONTHS, seed=5, workers=2, out=tmp_path / "runs")
    specs = validation_specs(variants, 2, MONTHS, 5)
    direct = [record_run(next(v for v in variants if v.key == s.scenario), s.rep, s.seed, MONTHS) for s in specs]
    assert len(through_engine) == len(direct) == 2 * len(variants)
    for a, b in zip(through_engine, direct, strict=True):
        _same(a, b)
        _same(a.at_start, b.at_start)
    on_engine, on_direct = evaluate(FACTS, through_engine), evaluate(FACTS, direct)
    assert on_engine["available"].all()
    for column in ("values", "at_start", "mechanism_off", "reproduced"):
        assert json.dumps(list(on_engine[column]), default=str) == json.dumps(list(on_direct[column]), default=str)
    # the runs folder is a batch: its tables load like any batch's
    assert read_records(specs, tmp_path / "runs")[0].monthly.equals(through_engine[0].monthly)


def test_validate_resumes_without_redoing_stored_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "val"
    args = ["validate", "--reps", "2", "--months", "12", "--facts", "F6a", "--workers", "1", "--quiet",
            "--out", str(out), "--json", str(tmp_path / "first.json")]
    status = cli.main(args)
    assert status in (0, 1)
    first = json.loads((tmp_path / "first.json").read_text())
    runs = sorted(p.name for p in (out / "runs" / "runs").iterdir())
    assert len(runs) == 2
    # as if killed before the second run was stored
    for item in (out / "runs" / "runs" / runs[1]).iterdir():
        item.unlink()
    (out / "runs" / "runs" / runs[1]).rmdir()
    manifest = json.loads((out / "runs" / "manifest.json").read_text())
    manifest["status"] = "interrupted"
    del manifest["files"][runs[1]]
    (out / "runs" / "manifest.json").write_text(json.dumps(manifest))

    ran: list[str] = []
    original = engine.run_one

    def counting(spec, probe=None):  # workers=1: the runs are made in this process
        ran.append(spec.run_id)
        return original(spec, probe)

    monkeypatch.setattr(engine, "run_one", counting)
    again = [*args[:-1], str(tmp_path / "again.json"), "--resume"]
    assert cli.main(again) == status
    assert ran == [runs[1]]
    second = json.loads((tmp_path / "again.json").read_text())
    assert [f["values"] for f in second["facts"]] == [f["values"] for f in first["facts"]]
    assert json.loads((out / "runs" / "manifest.json").read_text())["status"] == "complete"

    ran.clear()  # without --resume the validation starts afresh in the same folder
    assert cli.main(args) == status
    assert sorted(ran) == runs
    capsys.readouterr()


def test_validate_refuses_a_folder_of_other_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "val" / "runs").mkdir(parents=True)
    (tmp_path / "val" / "runs" / "notes.txt").write_text("mine")
    assert cli.main(["validate", "--reps", "1", "--months", "12", "--facts", "F6a", "--workers", "1",
                     "--out", str(tmp_path / "val")]) == 2
    assert "not a batch's runs" in capsys.readouterr().err
    assert (tmp_path / "val" / "runs" / "notes.txt").read_text() == "mine"
