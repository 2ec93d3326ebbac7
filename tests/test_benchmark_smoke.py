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
