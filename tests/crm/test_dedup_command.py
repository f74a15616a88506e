"""``manage.py find_duplicates`` on CSV files."""

import csv

import pytest
from django.core.management import CommandError, call_command

HEADER = "ID;Prénom;Nom;Naissance;No;Voie;CP;Ville;Tel\n"
ROWS = [
    "1;Jean-Pierre;Dupré;12/03/1970;12;bd St Michel;75005;Paris;06 12 34 56 78\n",
    "2;jean pierre;DUPRE;1970-03-12;12;boulevard Saint-Michel;75005;PARIS;+33612345678\n",
    "3;Jean;Dupré;19820704;4;rue de la Paix;69001;Lyon;0478000000\n",
    "4;trop;court\n",
    ";Sans;Identifiant;;;;;;\n",
    "5;Marie;Curie;31/02/1867;1;r Pierre;75005;Paris;\n",
    "1;Même;Identifiant;;;;;;\n",
    "6;Dupré;Jean-Pierre;19700312;12;Bd Saint Michel;75005;Paris;\n",
]
MAPS = [
    "Prénom=first_name",
    "Nom=last_name",
    "Naissance=birth_date",
    "No+Voie=street",
    "CP=postal_code",
    "Ville=city",
    "Tel=phone",
]


@pytest.fixture
def input_csv(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes((HEADER + "".join(ROWS)).encode("latin-1"))
    return path


def run(path, out, *extra, maps=MAPS):
    args = [str(path), "--id", "ID", "-o", str(out), *extra]
    for spec in maps:
        args += ["--map", spec]
    call_command("find_duplicates", *args)
    with open(out, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_pairs_written_with_header_and_scores(input_csv, tmp_path, capsys):
    rows = run(input_csv, tmp_path / "pairs.csv")
    assert rows[0] == ["id_a", "id_b", "score"]
    pairs = {tuple(sorted(row[:2])) for row in rows[1:]}
    # Latin-1 and ";" were sniffed; dates in three formats; names swapped on row 6.
    assert pairs == {("1", "2"), ("1", "6"), ("2", "6")}
    assert all(0.5 <= float(row[2]) <= 1 for row in rows[1:])


def test_malformed_rows_are_reported_with_line_numbers_not_fatal(input_csv, tmp_path, capsys):
    run(input_csv, tmp_path / "pairs.csv")
    err = capsys.readouterr().err
    assert "ligne 5 : 3 valeurs au lieu de 9, ignorée." in err
    assert "ligne 6 : identifiant vide, ignorée." in err
    assert "ligne 7 : date de naissance « 31/02/1867 » illisible" in err
    assert "ligne 8 : identifiant « 1 » en double, ignorée." in err
    assert "5 lignes lues, 3 ignorées." in err
    assert "comparaison" in err  # progress


def test_plus_concatenates_columns(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        "ID,n,street_number,address_1,pc\n"
        "a,Martin,12,rue des Lilas,69003\n"
        "b,Martin,12 rue,des Lilas,69003\n"
        "c,Martin,40,rue des Lilas,69003\n",
        encoding="utf-8-sig",
    )
    rows = run(
        path,
        tmp_path / "o.csv",
        "--threshold",
        "0.01",
        maps=["n=last_name", "street_number+address_1=street", "pc=postal_code"],
    )
    scores = {tuple(sorted(r[:2])): float(r[2]) for r in rows[1:]}
    # Same street and number once joined; another number of the same street is weaker.
    assert scores[("a", "b")] > scores.get(("a", "c"), 0)


def test_threshold_filters_pairs(input_csv, tmp_path):
    rows = run(input_csv, tmp_path / "pairs.csv", "--threshold", "1")
    assert rows == [["id_a", "id_b", "score"]] or all(float(r[2]) >= 1 for r in rows[1:])


@pytest.mark.parametrize(
    ("maps", "extra", "message"),
    [
        (["Inconnue=last_name"], [], "colonne inconnue « Inconnue »"),
        (["Nom=surname"], [], "champ inconnu « surname »"),
        (["Nom"], [], "correspondance invalide « Nom »"),
        ([], [], "aucune correspondance"),
        (MAPS, ["--threshold", "2"], "--threshold attend un nombre entre 0 et 1"),
    ],
)
def test_bad_arguments_fail_with_a_french_message(input_csv, tmp_path, maps, extra, message):
    with pytest.raises(CommandError, match=message):
        run(input_csv, tmp_path / "o.csv", *extra, maps=maps)


def test_unreadable_or_empty_file(tmp_path):
    with pytest.raises(CommandError, match="fichier illisible"):
        run(tmp_path / "absent.csv", tmp_path / "o.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="fichier vide"):
        run(empty, tmp_path / "o.csv")


def test_unknown_id_column_message_names_the_column(input_csv, tmp_path):
    with pytest.raises(CommandError, match="colonne inconnue « Id »"):
        call_command(
            "find_duplicates",
            str(input_csv),
            "--id",
            "Id",
            "--map",
            "Nom=last_name",
            "-o",
            str(tmp_path / "o.csv"),
        )


def test_formula_like_ids_are_neutralised_in_the_output(tmp_path):
    path = tmp_path / "hostile.csv"
    path.write_text(
        "ID,Prénom,Nom,Naissance,CP\n"
        "=1+1,Jean,Dupré,1970-03-12,75005\n"
        "@SUM(A1),Jean,Dupré,1970-03-12,75005\n"
        "+33,Jean,Dupre,1970-03-12,75005\n"
        "-2,Jean,Dupré,1970-03-12,75005\n",
        encoding="utf-8",
    )
    rows = run(
        path,
        tmp_path / "o.csv",
        maps=["Prénom=first_name", "Nom=last_name", "Naissance=birth_date", "CP=postal_code"],
    )
    cells = {cell for row in rows[1:] for cell in row[:2]}
    assert cells == {"'=1+1", "'@SUM(A1)", "'+33", "'-2"}
    # The raw bytes too: no cell of the file starts with a formula character.
    text = (tmp_path / "o.csv").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), line


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16", b""), ("utf-16-le", b""), ("utf-16-be", b""), ("utf-32", b"")],
    ids=["utf16-bom", "utf16le-no-bom", "utf16be-no-bom", "utf32-bom"],
)
def test_utf16_and_utf32_files_are_read(tmp_path, encoding, bom):
    path = tmp_path / "unicode.csv"
    path.write_bytes(bom + (HEADER + "".join(ROWS)).encode(encoding))
    rows = run(path, tmp_path / "pairs.csv")
    pairs = {tuple(sorted(row[:2])) for row in rows[1:]}
    assert pairs == {("1", "2"), ("1", "6"), ("2", "6")}  # accents read right: "Dupré"


def test_binary_file_gives_a_clear_french_message(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"ID;Nom\n\x00\x00\x01\x02PK\x03\x04" * 20)
    with pytest.raises(CommandError, match=r"fichier illisible : .*octets nuls.*CSV UTF-8"):
        run(path, tmp_path / "o.csv", maps=["Nom=last_name"])


def test_utf16_bom_with_broken_content_gives_a_clear_french_message(tmp_path):
    path = tmp_path / "broken.csv"
    # A UTF-16 BOM then a lone high surrogate: not valid UTF-16.
    path.write_bytes(b"\xff\xfe" + "ID;Nom\n".encode("utf-16-le") + b"\x00\xd8")
    with pytest.raises(CommandError, match=r"encodage UTF-16 annoncé mais contenu invalide"):
        run(path, tmp_path / "o.csv", maps=["Nom=last_name"])


TWINS_CSV = (
    "ID,prenom,nom,naissance,adresse,cp,ville,tel\n"
    "a,Jean,Martin,1962-03-12,5 rue des Lilas,69003,Lyon,06 12 34 56 78\n"
    "b,Hugo,Martin,1962-03-12,5 rue des Lilas,69003,Lyon,07 98 76 54 32\n"
    "c,Jean-Pierre,Dupré,1970-03-12,12 bd Saint-Michel,75005,Paris,06 11 22 33 44\n"
    "d,jean pierre,DUPRE,12/03/1970,12 boulevard Saint-Michel,75005,Paris,0611223344\n"
)
TWINS_MAPS = [
    "prenom=first_name",
    "nom=last_name",
    "naissance=birth_date",
    "adresse=street",
    "cp=postal_code",
    "ville=city",
    "tel=phone",
]


def test_pairs_to_check_go_to_their_own_file_and_the_pairs_file_keeps_its_form(tmp_path, capsys):
    # Twins (other first names, one birth date, each their own mobile) are under the
    # threshold: never in the pairs file, whose header and contents scripts rely on.
    path = tmp_path / "twins.csv"
    path.write_text(TWINS_CSV, encoding="utf-8")
    review = tmp_path / "a_verifier.csv"
    rows = run(path, tmp_path / "pairs.csv", "--review", str(review), maps=TWINS_MAPS)
    assert rows[0] == ["id_a", "id_b", "score"]
    assert {tuple(sorted(row[:2])) for row in rows[1:]} == {("c", "d")}
    with open(review, encoding="utf-8", newline="") as handle:
        checked = list(csv.reader(handle))
    assert checked[0] == ["id_a", "id_b", "score", "motif"]
    assert [sorted(row[:2]) for row in checked[1:]] == [["a", "b"]]
    assert float(checked[1][2]) < 0.5 and checked[1][3].startswith("À vérifier : jumeaux")
    assert "1 paire à vérifier écrite" in capsys.readouterr().err


def test_without_review_file_the_pairs_to_check_are_counted_not_written(tmp_path, capsys):
    path = tmp_path / "twins.csv"
    path.write_text(TWINS_CSV, encoding="utf-8")
    rows = run(path, tmp_path / "pairs.csv", maps=TWINS_MAPS)
    assert [sorted(row[:2]) for row in rows[1:]] == [["c", "d"]]
    assert "1 paire sous le seuil est à vérifier" in capsys.readouterr().err
