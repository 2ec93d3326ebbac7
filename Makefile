# The two commands of the README. Both set everything up first (scripts/setup.sh).
.PHONY: setup demo test lint

setup:
	@bash scripts/setup.sh

# The main job: a real batch, history against its US-withdrawal branch, with its plots in
# results/demo, and the hindcast of history against the observed record in results/demo/hindcast.
# --resume: running it again finishes an interrupted batch (or just redraws) and never overwrites.
# Once a calibrated posterior is committed in calib/default/, both run over 20 posterior draws
# (one per replicate, the same in both scenarios); until then over 20 seeds at the default values.
DEMO_RUNS = $(if $(wildcard calib/default/particles.parquet),--posterior calib/default --draws 20,--reps 20)
demo: setup
	.venv/bin/insim batch scenarios/history.toml scenarios/us_withdrawal.toml $(DEMO_RUNS) --seed 2019 --out results/demo --resume
	.venv/bin/insim hindcast history $(DEMO_RUNS) --seed 2019 --out results/demo/hindcast --quiet
	@echo "plots: results/demo/plots/ and results/demo/hindcast/hindcast.png"

# The whole test suite (what .ci/run calls), on one pytest worker per core (pytest-xdist; most
# tests run in one process, so a single pytest left half of a 2-core machine idle).
test: setup
	.venv/bin/python -m ruff check sim tests benchmarks scripts docs/hooks
	.venv/bin/python -m pytest -n auto --dist worksteal
