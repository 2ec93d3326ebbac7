"""Morris screening at a tiny size: output shape, and a parameter that matters outranks one never read."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.errors import InputError
from sim.sensitivity import RELATIVE_SPAN, factors, screen
from sim.sensitivity.morris import bounds, is_screenable

PARAMS = ["recruitment_rate", "reveal_prob_open", "killing_prob", "badia_attack_prob"]


def test_factor_selection_and_bounds():
    from sim.sources import load_parameter_specs

    chosen = {f.name: f for f in factors()}
    specs = load_parameter_specs()
    assert "compartmentalisation" not in chosen and "repentance_start" not in chosen
    assert all(specs[n].is_assumption for n in chosen)
    assert all(is_screenable(specs[n]) for n in chosen)
    f = chosen["recruitment_rate"]
    assert f.low == pytest.approx(f.default * (1 - RELATIVE_SPAN)) and f.high == pytest.approx(f.default * 1.5)
    assert bounds(0.9, 0, 1) == (0.45, 1.0)  # clipped to the table's range
    with pytest.raises(InputError):
        factors(["no_such_parameter"])


def test_tiny_screening(tmp_path):
    table = screen(PARAMS, ["is_fighters", "total_killings"], trajectories=2, months=3, out=tmp_path, workers=1)
    assert table.attrs["n_runs"] == 2 * (len(PARAMS) + 1)
    assert len(table) == 2 * len(PARAMS)
    assert set(table.columns) >= {"outcome", "parameter", "mu_star", "sigma", "rank"}
    saved = pd.read_csv(tmp_path / "morris.csv")
    assert len(saved) == len(table)
    assert (tmp_path / "morris.png").stat().st_size > 1000
    fighters = table[table["outcome"] == "is_fighters"].set_index("parameter")
    # reveal_prob_open is only read when compartmentalisation is off: its effect is exactly nil
    assert fighters.loc["reveal_prob_open", "mu_star"] == 0
    assert fighters.loc["recruitment_rate", "mu_star"] > 0
    assert fighters.loc["recruitment_rate", "rank"] < fighters.loc["reveal_prob_open", "rank"]


def test_cli_registers_sensitivity_and_bad_input_exits_2(capsys):
    from sim.cli import build_parser, main

    args = build_parser().parse_args(["sensitivity", "--parameters", "recruitment_rate,killing_prob", "--months", "3"])
    assert args.func.__module__ == "sim.sensitivity.command" and args.trajectories == 4
    assert main(["sensitivity", "--parameters", "no_such_parameter", "--months", "3"]) == 2
    assert "no_such_parameter" in capsys.readouterr().err


def test_a_design_that_cannot_be_drawn_exits_2_before_anything_runs(capsys, tmp_path):
    """Fewer than two grid levels made SALib divide by zero (a traceback, exit 1); too few trajectories
    were reported after announcing the runs. Both now exit 2 naming the key, and nothing is written."""
    from sim.cli import main

    base = ["sensitivity", "--parameters", "recruitment_rate,killing_prob", "--months", "1", "--quiet"]
    for option, value in (("--levels", "1"), ("--levels", "0"), ("--trajectories", "1")):
        out = tmp_path / f"{option[2:]}{value}"
        assert main([*base, option, value, "--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert f"insim sensitivity: error: {option[2:]}: needs at least 2 (got {value})" in captured.err
        assert "Traceback" not in captured.err and "Morris screening of" not in captured.out
        assert not out.exists()
