"""The simulated year: deterministic with a seed, realistic in its shape (every procedure,
segments on the cases, chasing contacts), and written by ``simulate_journeys_year``."""

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from relais.journeys.eventlogs import read_csv, to_canonical
from relais.journeys.simulation import SIMULATION_MAPPING, simulate_year


def test_the_same_seed_gives_the_same_year_and_another_seed_another():
    first = simulate_year(seed=7, cases=300)
    assert first.equals(simulate_year(seed=7, cases=300))
    assert not first.equals(simulate_year(seed=8, cases=300))


def test_the_default_year_has_every_procedure_segment_and_failure_demand():
    frame = simulate_year()
    assert 20_000 <= frame.height <= 50_000
    assert frame.get_column("case_id").n_unique() == 5000
    assert set(frame.get_column("procedure").unique()) == {
        "Affiliation",
        "Déclaration annuelle des revenus",
        "Action sociale",
        "Retraite — validation des trimestres",
    }
    assert {"web", "phone", "email", "letter", "back_office", "appointment"} <= set(
        frame.get_column("channel").unique()
    )
    # A case's segment attributes are constant along it.
    per_case = frame.group_by("case_id").agg(pl.col("branch", "region", "age_band").n_unique())
    assert per_case.select(pl.col("branch", "region", "age_band").max()).row(0) == (1, 1, 1)
    chasing = frame.filter(pl.col("activity") == "Relance de l'usager")
    assert chasing.height > 500 and set(chasing.get_column("demand").unique()) == {"échec"}
    assert frame.filter(pl.col("activity") == "Demande de pièces manquantes").height > 500
    # Events of a case are in time order and start before they end.
    canonical = to_canonical(frame, SIMULATION_MAPPING)
    assert (canonical["timestamp"] >= canonical["start_timestamp"]).all()
    assert frame.get_column("timestamp").dt.year().unique().min() == 2025


def test_the_command_writes_a_csv_the_importer_reads(tmp_path):
    target = tmp_path / "annee.csv"
    call_command("simulate_journeys_year", "-o", str(target), "--seed", "3", "--cases", "200")
    frame = read_csv(target, SIMULATION_MAPPING)
    assert frame.height == simulate_year(seed=3, cases=200).height
    again = tmp_path / "encore.csv"
    call_command("simulate_journeys_year", "-o", str(again), "--seed", "3", "--cases", "200")
    assert target.read_bytes() == again.read_bytes()


def test_the_command_refuses_bad_arguments_in_french(tmp_path):
    with pytest.raises(CommandError, match="doit finir par .csv"):
        call_command("simulate_journeys_year", "-o", str(tmp_path / "x.txt"))
    with pytest.raises(CommandError, match="entier positif"):
        call_command("simulate_journeys_year", "-o", str(tmp_path / "x.csv"), "--cases", "0")
    assert list(tmp_path.iterdir()) == []


def test_the_commands_explain_themselves(capsys):
    for command in ("simulate_journeys_year", "mine_journeys"):
        with pytest.raises(SystemExit) as exit_info:
            call_command(command, "--help")
        assert exit_info.value.code == 0
    assert "année simulée des démarches des artistes-auteurs" in capsys.readouterr().out
