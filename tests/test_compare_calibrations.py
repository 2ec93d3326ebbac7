"""The rule that picks the default calibration (scripts/compare_calibrations.py)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "compare_calibrations.py"
spec = importlib.util.spec_from_file_location("compare_calibrations", SCRIPT)
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def report(r2019: float, r2021: float, per_month: tuple[float, float], shares: tuple[float, float, float]) -> dict:
    """A hindcast report with what the rule reads: levels, reported months, governorate shares."""
    observed = (0.72, 0.17, 0.11)
    months = {"2019": 7, "2021": 5}
    years = {y: {"ratio": r, "reported_months": {"months": ["m"] * months[y], "median": pm * months[y]}}
             for y, r, pm in (("2019", r2019, per_month[0]), ("2021", r2021, per_month[1]))}
    regions = {name: {"median_share": s, "observed_share": o}
               for name, s, o in zip(compare.REGIONS, shares, observed, strict=True)}
    return {"years": years, "regions": regions}


RAIDS = 19.9  # RIC's raids a month (the record's value is checked by test_fitting)


def test_a_fit_at_the_record_meets_all_five_and_scores_zero():
    judged = compare.judge(report(1.0, 1.0, (40.0, 15.0), (0.72, 0.17, 0.11)), RAIDS)
    assert judged["met"] == 5
    assert judged["score"] == pytest.approx(0.0, abs=1e-12)


def test_each_target_fails_on_its_own_miss():
    judged = compare.judge(report(0.6, 1.6, (40.0, 25.0), (0.5, 0.17, 0.11)), 5.0)
    assert not any(judged["targets"].values())
    assert judged["score"] == pytest.approx(abs(math.log(0.6)) + math.log(1.6) + abs(math.log(0.5 / 0.72)))


def test_a_candidate_needs_more_targets_or_a_clearly_lower_score():
    default = {"met": 5, "score": 1.0}
    assert not compare.replaces(default, {"met": 5, "score": 0.95})  # within the margin
    assert compare.replaces(default, {"met": 5, "score": 0.85})
    assert not compare.replaces(default, {"met": 4, "score": 0.1})
    assert compare.replaces({"met": 4, "score": 0.1}, {"met": 5, "score": 2.0})


def test_a_folder_without_a_calibration_stops_with_exit_2_before_any_run(tmp_path, capsys):
    assert compare.main([str(tmp_path / "nothing"), str(tmp_path / "nothing2"), "--out", str(tmp_path / "out")]) == 2
    assert "nothing/particles.parquet: missing" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # no hindcast was started
