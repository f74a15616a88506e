"""``manage.py segment_publics``: output format, events, rules, reproducibility, French errors."""

import csv
import json
from io import StringIO

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from sklearn.metrics import adjusted_rand_score

from tests.journeys.segment_data import planted_persons


def run(*args):
    err = StringIO()
    call_command("segment_publics", *[str(a) for a in args], stderr=err, stdout=StringIO())
    return err.getvalue()


def read_output(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def planted():
    return planted_persons(600, groups=3, seed=5)


@pytest.fixture
def persons_csv(tmp_path, planted):
    persons, _ = planted
    path = tmp_path / "personnes.csv"
    persons.rename({"id": "numero"}).write_csv(path)
    return path


def test_output_is_id_segment_in_input_order(tmp_path, planted, persons_csv):
    persons, truth = planted
    out = tmp_path / "segments.csv"
    report = run(persons_csv, "--id", "numero", "-o", out, "--k-max", "6")
    rows = read_output(out)
    assert rows[0] == ["id", "segment"]
    assert [r[0] for r in rows[1:]] == persons.get_column("id").to_list()
    labels = [r[1] for r in rows[1:]]
    assert set(labels) == {"S1", "S2", "S3"}
    assert adjusted_rand_score(truth, labels) > 0.9
    assert "600 personnes, 3 segments (classification)" in report
    assert "k = 3 (choisi par la silhouette" in report
    assert "stabilité : ARI moyen" in report


def test_same_seed_same_file(tmp_path, persons_csv):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    run(persons_csv, "--id", "numero", "-o", first, "--seed", "4", "--k-max", "5")
    run(persons_csv, "--id", "numero", "-o", second, "--seed", "4", "--k-max", "5")
    assert first.read_bytes() == second.read_bytes()


def test_ids_stay_text_and_semicolons_are_read(tmp_path):
    path = tmp_path / "p.csv"
    lines = ["\ufeffmatricule;age;compte"]
    lines += [f"{i:05d};{20 + (i % 3) * 25};{'oui' if i % 3 else 'non'}" for i in range(60)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "s.csv"
    run(path, "--id", "matricule", "-o", out, "--segments", "3")
    rows = read_output(out)
    assert rows[1][0] == "00000" and rows[60][0] == "00059"
    # Three ages, each with its own online-account answer: three clean segments.
    by_age = {}
    for i, (_, segment) in enumerate(rows[1:]):
        by_age.setdefault(20 + (i % 3) * 25, set()).add(segment)
    assert all(len(s) == 1 for s in by_age.values())
    assert len(set().union(*by_age.values())) == 3


def test_events_add_per_person_features(tmp_path, planted, persons_csv):
    persons, _ = planted
    ids = persons.get_column("id").to_list()
    # Heavy chasers: the first 150 persons call six times on three files; the others write once.
    rows = []
    for index, person in enumerate(ids):
        count = 6 if index < 150 else 1
        for event in range(count):
            rows.append(
                {
                    "qui": person,
                    "dossier": f"{person}-{event % 3}",
                    "etape": "Relance" if count > 1 else "Demande",
                    "date": f"2025-03-{1 + event:02d}T10:00:00+01:00",
                    "canal": "telephone" if count > 1 else "courriel",
                }
            )
    events = tmp_path / "evenements.csv"
    pl.DataFrame(rows).write_csv(events)
    out, profiles = tmp_path / "s.csv", tmp_path / "profils.json"
    run(
        persons_csv,
        "--id",
        "numero",
        "--events",
        events,
        "--person",
        "qui",
        "--case",
        "dossier",
        "--activity",
        "etape",
        "--timestamp",
        "date",
        "--channel",
        "canal",
        "-o",
        out,
        "--profiles",
        profiles,
        "--k-max",
        "6",
    )
    document = json.loads(profiles.read_text(encoding="utf-8"))
    assert {"nb_contacts", "nb_dossiers", "contacts_par_dossier", "jours_actifs"} <= set(
        document["columns"]["numeric"]
    )
    assert "canal_principal" in document["columns"]["categorical"]
    assert {"canaux", "demarches"} <= set(document["columns"]["multi"])
    assert sum(p["size"] for p in document["profiles"]) == 600
    assert all(p["persona"].startswith("Persona « ") for p in document["profiles"])
    assert document["stability"]["runs"] == 5
    labels = dict(read_output(out)[1:])
    chasers = {labels[i] for i in ids[:150]}
    # The chasers stand apart: no segment mixes them with the others.
    assert not chasers & {labels[i] for i in ids[150:]}


def test_rules_file(tmp_path, persons_csv, planted):
    persons, _ = planted
    rules = tmp_path / "regles.txt"
    rules.write_text("Seniors : age >= 65\nJeunes : age < 30\n", encoding="utf-8")
    out = tmp_path / "s.csv"
    report = run(persons_csv, "--id", "numero", "--rules", rules, "-o", out, "--k-max", "5")
    labels = [r[1] for r in read_output(out)[1:]]
    for age, label in zip(persons.get_column("age").to_list(), labels, strict=True):
        if age >= 65:
            assert label == "Seniors"
        elif age < 30:
            assert label == "Jeunes"
        else:
            assert label.startswith("S") and label[1:].isdigit()
    assert "(règles + classification)" in report


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda d: [write(d / "p.csv", "id,age\n1,3\n"), "--id", "numero"],
            r"colonne « numero » absente de .*p\.csv \(colonnes : id, age\)",
        ),
        (lambda d: [d / "absent.csv", "--id", "id"], r"fichier illisible : .*absent\.csv"),
        (lambda d: [write(d / "p.csv", ""), "--id", "id"], r"le fichier .*p\.csv est vide"),
        (lambda d: [write(d / "p.csv", "id,age\n"), "--id", "id"], "aucune ligne de données"),
        (
            lambda d: [write(d / "p.csv", "id,age\n1,3\n2,4,5\n3,5\n"), "--id", "id"],
            r"p\.csv, ligne 3 : 3 champs au lieu de 2",
        ),
        (
            lambda d: [write(d / "p.csv", "id,age\n1,3\n2,4\n1,5\n"), "--id", "id"],
            r"identifiant en double « 1 » \(ligne 4\)",
        ),
        (
            lambda d: [write(d / "p.csv", "id,age\n1,3\n,4\n"), "--id", "id"],
            r"identifiant vide ligne 3",
        ),
        (
            lambda d: [
                write(d / "p.csv", "id,age\n1,3\n2,4\n"),
                "--id",
                "id",
                "--events",
                write(d / "e.csv", "personne,date\n1,2025-01-01\n"),
                "--person",
                "qui",
            ],
            r"colonne « qui » absente de .*e\.csv",
        ),
        (
            lambda d: [
                write(d / "p.csv", "id,age\n1,3\n2,4\n"),
                "--id",
                "id",
                "--events",
                write(d / "e.csv", "qui,date\n1,hier\n2,demain\n"),
                "--person",
                "qui",
                "--timestamp",
                "date",
            ],
            r"e\.csv : colonne « date » : aucune date lisible \(par exemple « hier »\)",
        ),
        (
            lambda d: [write(d / "p.csv", "id,age\n1,3\n"), "--id", "id", "--events", "e.csv"],
            "--events demande --person",
        ),
        (
            lambda d: [write(d / "p.csv", "id,age\n1,3\n"), "--id", "id", "--case", "dossier"],
            "--case ne sert qu'avec --events",
        ),
        (
            lambda d: [
                write(d / "p.csv", "id,age\n1,3\n2,5\n"),
                "--id",
                "id",
                "--rules",
                write(d / "r.txt", "Seniors age > 3\n"),
            ],
            r"règles .*r\.txt : ligne 1 : « nom : conditions » attendu",
        ),
        (
            lambda d: [
                write(d / "p.csv", "id,age\n1,3\n2,5\n"),
                "--id",
                "id",
                "--rules",
                write(d / "r.txt", "Vieux : branche = x\n"),
            ],
            "la règle cite la colonne « branche », absente des données",
        ),
        (
            lambda d: [write(d / "p.csv", "id,age\n1,3\n2,5\n"), "--id", "id", "--segments", "1"],
            "--segments attend un nombre au moins égal à 2",
        ),
        (
            lambda d: [write(d / "p.csv", "id,age\n1,3\n2,5\n3,8\n"), "--id", "id"],
            r"trop peu de personnes \(3\)",
        ),
    ],
    ids=[
        "missing-id-column",
        "unreadable",
        "empty",
        "header-only",
        "ragged-line",
        "duplicate-id",
        "empty-id",
        "missing-event-column",
        "unreadable-dates",
        "events-without-person",
        "case-without-events",
        "bad-rule",
        "rule-unknown-column",
        "one-segment",
        "too-few",
    ],
)
def test_errors_are_clear_and_nothing_is_written(tmp_path, setup, message):
    out = tmp_path / "segments.csv"
    with pytest.raises(CommandError, match=message):
        run(*setup(tmp_path), "-o", out)
    assert not out.exists()
    assert not list(tmp_path.glob("*.part"))


def test_unwritable_output(tmp_path, persons_csv):
    with pytest.raises(CommandError, match="impossible d'écrire"):
        run(persons_csv, "--id", "numero", "-o", tmp_path / "absent" / "s.csv", "--k-max", "3")


def test_levels_and_the_stability_table(tmp_path, persons_csv):
    out = tmp_path / "s.csv"
    report = run(persons_csv, "--id", "numero", "-o", out, "--segments", "2", "--levels", "2")
    labels = {r[1] for r in read_output(out)[1:]}
    assert all(label.count(".") <= 1 and label.startswith("S") for label in labels)
    assert "k   silhouette   stabilité (ARI moyen)" in report
    assert "k = 2 (imposé)" in report
    assert ": subdivisé (k = " in report or ": non subdivisé (k = " in report


def test_spreadsheet_exports_windows_1252_and_french_decimals(tmp_path):
    from relais.journeys.management.commands.segment_publics import read_table

    path = tmp_path / "export.csv"
    lines = ["numero;région;revenu;code"]
    lines += [f"{i:03d};Île-de-France;{1000 + i},5;{i}" for i in range(20)]
    lines += ["020;Corse;12,25;2A"]  # a Corsican code: the column stays text
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    frame = read_table(str(path), text_columns=["numero"])
    assert frame.columns == ["numero", "région", "revenu", "code"]
    assert frame.get_column("numero").to_list()[:2] == ["000", "001"]
    assert frame.get_column("région").to_list()[0] == "Île-de-France"
    assert frame.schema["revenu"] == pl.Float64
    assert frame.get_column("revenu").to_list()[-1] == 12.25
    assert frame.schema["code"] == pl.String
    out = tmp_path / "s.csv"
    run(path, "--id", "numero", "-o", out, "--segments", "2")
    assert [r[0] for r in read_output(out)[1:3]] == ["000", "001"]


def test_a_segment_name_is_never_a_spreadsheet_formula(tmp_path):
    persons = write(tmp_path / "p.csv", "id,age\n=1+1,70\n2,20\n")
    rules = write(tmp_path / "r.txt", '"=HYPERLINK(1)" : age > 60\nJeunes : *\n')
    out = tmp_path / "s.csv"
    run(persons, "--id", "id", "--rules", rules, "-o", out)
    assert read_output(out) == [["id", "segment"], ["=1+1", "'=HYPERLINK(1)"], ["2", "Jeunes"]]
