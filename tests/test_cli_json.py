"""``--json`` on scenarios, check and compare; a closed pipe ends the command quietly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim import cli
from sim.batch import batch
from sim.scenario import SCENARIOS, available

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two scenarios x 3 replications of 3 months (paired by replication)."""
    out = tmp_path_factory.mktemp("json") / "batch"
    batch(["baseline", "us_withdrawal"], reps=3, seed=5, sets={"months": 3}, out=out, workers=1)
    return out


def test_scenarios_json_to_stdout_lists_every_shipped_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scenarios", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)  # nothing but JSON on stdout
    assert [r["name"] for r in records] == list(available())
    baseline = next(r for r in records if r["name"] == "baseline")
    assert baseline["months"] > 0 and baseline["start"][:4].isdigit()
    assert baseline["n_events"] == len(baseline["events"])


def test_check_json_to_file_keeps_the_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "check.json"
    files = [str(SCENARIOS / "baseline.toml"), "amnesty"]
    assert cli.main(["check", *files, f"--json={target}"]) == 0
    assert capsys.readouterr().out.count("OK  ") == 2
    records = json.loads(target.read_text())
    assert [r["file"] for r in records] == files and all(r["ok"] for r in records)
    assert records[1]["name"] == "amnesty" and records[0]["map_places"] > 0


def test_check_json_bad_file_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "baseline", f"--json={tmp_path}"]) == 2  # a folder is no JSON file
    assert "--json" in capsys.readouterr().err


def test_compare_json_holds_the_table(small_batch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["compare", str(small_batch), "--outcomes", "killings,mean_trust", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["reference"] == "baseline"
    rows = {(r["outcome"], r["variant"]): r for r in payload["rows"]}
    assert set(rows) == {(o, v) for o in ("killings", "mean_trust") for v in ("baseline", "us_withdrawal")}
    assert rows[("killings", "baseline")]["worse_share"] is None  # NaN becomes null
    other = rows[("killings", "us_withdrawal")]
    assert other["n"] == 3 and 0 <= other["worse_share"] <= 1


def test_output_piped_into_head_ends_quietly() -> None:
    # a long listing read only in part: the writer meets a closed pipe
    shell = f"{sys.executable} -m sim scenarios | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() and len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert done.returncode in (0, 141)
