"""Shell completion, short did-you-mean lists, and help texts that offer only what works."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sim import cli
from sim.completion import completion_script
from sim.errors import InputError
from sim.scenario import LIST_IN_FULL, SUGGESTIONS, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_completion_prints_a_script_for_each_shell(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["completion", "zsh"]) == 0
    assert capsys.readouterr().out.startswith("#compdef insim")
    assert cli.main(["completion", "fish"]) == 2  # not offered


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_and_options(tmp_path: Path) -> None:
    script = tmp_path / "insim.bash"
    script.write_text(completion_script("bash"))
    probe = (f"source {script}; "
             "COMP_WORDS=(insim comp); COMP_CWORD=1; _shtab_insim insim comp insim; echo \"${COMPREPLY[@]}\"; "
             "COMP_WORDS=(insim batch --re); COMP_CWORD=2; _shtab_insim insim --re batch; echo \"${COMPREPLY[@]}\"")
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60)
    first, second = done.stdout.splitlines()[:2]
    assert set(first.split()) == {"compare", "completion"}
    assert set(second.split()) == {"--reps", "--resume"}


def test_misspelt_parameter_lists_a_few_nearest_names() -> None:
    with pytest.raises(InputError) as caught:
        load_scenario("baseline", zakat_min_usdd=5)
    message = str(caught.value)
    offered = message.split("did you mean ", 1)[1].split("?", 1)[0].replace(" or ", ", ").split(", ")
    assert offered[0] == "'zakat_min_usd'" and 1 <= len(offered) <= SUGGESTIONS
    assert "attack_prob" not in message  # a parameter far from the key: the full list is not printed
    assert "seeds/parameters.toml" in message  # but the user is told where it is


def test_short_lists_of_choices_are_given_in_full() -> None:
    from sim.scenario import allowed_names

    few = [f"k{i}" for i in range(LIST_IN_FULL)]
    assert allowed_names(few) == ", ".join(sorted(few))
    assert allowed_names([*few, "one_more"]).startswith(f"one of {LIST_IN_FULL + 1} names")


def test_viz_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("solara")
    assert cli.main(["viz", "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "insim viz us_withdrawal" in out


def test_batch_help_offers_no_set_it_rejects(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["batch", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    offered = text.split("--set KEY=VALUE override a parameter or a top-level key (", 1)[1].split(")", 1)[0]
    assert "seed" in offered and "from --seed" in offered  # named only to say where seeds come from
    assert not any(k.strip() == "seed" for k in offered.split(";")[0].split(","))
    assert cli.main(["batch", "baseline", "--reps", "1", "--set", "seed=3", "--out", str(tmp_path / "b")]) == 2
