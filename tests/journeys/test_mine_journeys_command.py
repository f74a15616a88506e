"""``manage.py mine_journeys``: the JSON written for each format, and French errors that leave
no file behind. Expected values are those computed by hand in ``test_mining``."""

import gzip
import json

import pytest
from django.core.management import CommandError, call_command

from tests.journeys.logs import BASIC, DATA, INTERVALS, write_parquet, write_xes

BASIC_ARGS = ["--case", "case", "--activity", "activity", "--timestamp", "timestamp"]

EXPECTED_BASIC = {
    "n_cases": 5,
    "n_events": 11,
    "n_activities": 4,
    "activity_counts": {"Dépôt": 5, "Relance": 3, "Décision": 2, "Appel": 1},
    "start_activities": {"Dépôt": 5},
    "end_activities": {"Dépôt": 2, "Décision": 2, "Relance": 1},
    "dfg": {
        "Appel -> Décision": 1,
        "Dépôt -> Appel": 1,
        "Dépôt -> Relance": 2,
        "Relance -> Décision": 1,
        "Relance -> Relance": 1,
    },
    "n_variants": 4,
    "variants": [
        {"activities": ["Dépôt"], "count": 2},
        {"activities": ["Dépôt", "Relance", "Relance", "Décision"], "count": 1},
        {"activities": ["Dépôt", "Appel", "Décision"], "count": 1},
        {"activities": ["Dépôt", "Relance"], "count": 1},
    ],
    "case_durations": {"A": 7200.5, "B": 3600.0, "C": 0.0, "D": 1800.0, "E": 0.0},
    "rework_cases_per_activity": {"Relance": 1},
}


def _run(*args) -> None:
    call_command("mine_journeys", *[str(a) for a in args])


def _read(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _check_basic(out: dict) -> None:
    performance = out.pop("performance_dfg")
    assert out == EXPECTED_BASIC
    assert performance["Relance -> Décision"] == {
        "mean": 1800.5,
        "median": 1800.5,
        "min": 1800.5,
        "max": 1800.5,
        "sum": 1800.5,
        "stdev": None,
    }
    assert performance["Dépôt -> Relance"]["stdev"] == pytest.approx(2545.584412271571, abs=1e-9)
    assert set(performance) == set(EXPECTED_BASIC["dfg"])


def test_csv(tmp_path):
    output = tmp_path / "out.json"
    _run(BASIC, *BASIC_ARGS, "-o", output)
    _check_basic(_read(output))


def test_csv_gz_xes_gz_and_parquet_give_the_same_json(tmp_path):
    gz = tmp_path / "basic.csv.gz"
    gz.write_bytes(gzip.compress(BASIC.read_bytes()))
    _run(gz, *BASIC_ARGS, "-o", tmp_path / "gz.json")
    _check_basic(_read(tmp_path / "gz.json"))

    xes = write_xes(tmp_path / "basic.xes.gz", compress=True)
    _run(xes, "-o", tmp_path / "xes.json")  # standard XES keys by default
    _check_basic(_read(tmp_path / "xes.json"))

    parquet = write_parquet(tmp_path / "basic.parquet")
    _run(parquet, *BASIC_ARGS, "-o", tmp_path / "parquet.json")
    _check_basic(_read(tmp_path / "parquet.json"))


def test_start_timestamp_option(tmp_path):
    output = tmp_path / "out.json"
    _run(
        INTERVALS,
        *["--case", "case", "--activity", "activity", "--timestamp", "end"],
        *["--start-timestamp", "start", "-o", output],
    )
    out = _read(output)
    assert out["performance_dfg"]["Instruction -> Contrôle"]["min"] == -3600.0
    assert out["case_durations"] == {"X": 15300.0, "Y": 1200.0}
    assert out["variants"][0]["activities"] == ["Dépôt", "Instruction", "Contrôle", "Décision"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [DATA / "bad_timestamp.csv", "--case", "dossier", "--activity", "activite"]
            + ["--timestamp", "horodatage"],
            "Ligne 3 : horodatage illisible « 2024-03-32T09:00:00Z » (colonne « horodatage »).",
        ),
        (
            [DATA / "empty_case.csv", "--case", "dossier", "--activity", "activite"]
            + ["--timestamp", "horodatage"],
            "Ligne 3 : identifiant de dossier vide (colonne « dossier »).",
        ),
        (
            [BASIC, "--case", "case"],
            "Option(s) obligatoire(s) pour ce format : --activity, --timestamp.",
        ),
        (
            [BASIC, *BASIC_ARGS[:4], "--timestamp", "quand"],
            "Colonne « quand » (horodatage) absente",
        ),
        ([DATA / "absent.csv", *BASIC_ARGS], "Fichier introuvable"),
        ([DATA / "basic.txt", *BASIC_ARGS], "Format de fichier non reconnu"),
    ],
    ids=["timestamp", "case", "options", "column", "missing-file", "extension"],
)
def test_errors_are_french_and_leave_no_file(tmp_path, args, message):
    output = tmp_path / "out.json"
    with pytest.raises(CommandError) as caught:
        _run(*args, "-o", output)
    assert message in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_output_survives_a_failed_run(tmp_path):
    output = tmp_path / "out.json"
    output.write_text('{"avant": true}', encoding="utf-8")
    with pytest.raises(CommandError):
        _run(DATA / "bad_timestamp.csv", "--case", "dossier", "--activity", "activite",
             "--timestamp", "horodatage", "-o", output)  # fmt: skip
    assert _read(output) == {"avant": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_output_must_be_json_in_an_existing_folder(tmp_path):
    with pytest.raises(CommandError, match=r"extension \.json"):
        _run(BASIC, *BASIC_ARGS, "-o", tmp_path / "out.csv")
    with pytest.raises(CommandError, match="introuvable"):
        _run(BASIC, *BASIC_ARGS, "-o", tmp_path / "absent" / "out.json")
