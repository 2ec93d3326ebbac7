"""Smoke test of benchmarks/bench.py: tiny sizes, one repetition; no timing assertions."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench


def test_bench_quick_writes_figures(tmp_path: Path) -> None:
    """A one-month run at 1x and 2x plus a short Epstein run give positive figures in the JSON."""
    out = tmp_path / "r.json"
    r = bench.run(quick=True, reps=1, factors=(1, 2), months=1, out=out)
    assert out.is_file()
    for key in ("default_run_s", "ours_updates_per_s", "epstein_updates_per_s", "ratio"):
        assert r[key] > 0
    for s in r["scales"].values():
        assert s["updates_per_s"] > 0 and s["maxrss_mib"] > 0 and s["agents_start"] > 0


def test_calibration_busy_prints_and_writes_figures(tmp_path: Path) -> None:
    """A one-generation calibration of 4 particles in-process and one posterior draw give sane figures."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "busy.json"
    proc = subprocess.run([sys.executable, "benchmarks/calibration_busy.py", "--population", "4", "--generations", "1",
                           "--workers", "1", "--draws", "1", "--json", str(out)],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(out.read_text())
    manifest = json.loads((root / "calib" / "default" / "manifest.json").read_text())
    assert r["runs"] >= 4 and 0 < r["busy_share"] <= 1.0 and r["cpu_per_run_s"] > 0
    assert r["posterior"]["cpu_per_run_s"] > 0
    assert r["posterior"]["recorded_runs"] == (manifest["history_matching"]["runs"]
                                               + sum(g["runs"] for g in manifest["generations"])
                                               + manifest["settings"]["posterior_predictive_runs"])
    assert "busy share" in proc.stdout and "expected" in proc.stdout
