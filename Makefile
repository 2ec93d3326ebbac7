# The two commands of the README. Both set everything up first (scripts/setup.sh).
.PHONY: setup demo test lint

setup:
	@bash scripts/setup.sh

# The main job: a real batch, baseline against a US withdrawal, with its plots in results/demo.
# --resume: running it again finishes an interrupted batch (or just redraws) and never overwrites.
demo: setup
	.venv/bin/insim batch scenarios/baseline.toml scenarios/us_withdrawal.toml --reps 20 --seed 2019 --out results/demo --resume
	@echo "plots: results/demo/plots/"

# The whole test suite (what .ci/run calls).
test: setup
	.venv/bin/python -m ruff check sim tests benchmarks
	.venv/bin/python -m pytest
