"""``manage.py route_requests``: the batch routing command, its output format and its errors."""

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

HEADER = ["id", "bodies", "confidence", "critical", "explanation"]
KNOWN = {"URSSAF", "CAF", "CPAM", "CARSAT", "FRANCE_TRAVAIL", "CIBTP"}


def write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding, newline="")
    return path


def run(tmp_path, source, id_column="ref", text_column="message"):
    output = tmp_path / "sortie.csv"
    call_command(
        "route_requests", str(source), "--id", id_column, "--text", text_column, "-o", str(output)
    )
    with open(output, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_writes_one_routed_line_per_request(tmp_path):
    source = write(
        tmp_path / "demandes.csv",
        "ref,canal,message\n"
        'D1,web,"bjr attestation de vigilence svp, le client bloque"\n'
        'D2,tel,"mon gars est mort sur le chantier"\n'
        'D3,mail,"Bonjour, j\'ai une question."\n',
    )
    rows = run(tmp_path, source)
    assert rows[0] == HEADER
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {"D1", "D2", "D3"}
    assert by_id["D1"][1].split("|")[0] == "URSSAF"
    assert by_id["D1"][3] == "0"
    assert by_id["D2"][3] == "1"
    assert {"CPAM", "CARSAT"} <= set(by_id["D2"][1].split("|"))
    for row in rows[1:]:
        codes = row[1].split("|")
        assert codes and set(codes) <= KNOWN  # a best guess even under the threshold
        assert 0.0 <= float(row[2]) <= 1.0
        assert row[4].startswith(("Organismes", "Texte vide"))
    assert "répartiteur" in by_id["D3"][4]


def test_the_text_column_alone_decides(tmp_path):
    one = write(tmp_path / "a.csv", 'ref,canal,message\nX,web,"je cherche un macon en CDI"\n')
    other = write(tmp_path / "b.csv", 'ref,canal,message\nY,urssaf,"je cherche un macon en CDI"\n')
    first, second = run(tmp_path, one)[1], run(tmp_path, other)[1]
    assert first[1:] == second[1:]


def test_semicolons_and_a_windows_encoding_from_excel(tmp_path):
    source = write(
        tmp_path / "excel.csv",
        "ref;message\r\nE1;Arrêt maladie de mon salarié, les indemnités journalières\r\n",
        encoding="cp1252",
    )
    rows = run(tmp_path, source)
    assert rows[1][0] == "E1" and rows[1][1].split("|")[0] == "CPAM"


def test_a_formula_in_a_cell_is_neutralised(tmp_path):
    source = write(tmp_path / "f.csv", 'ref,message\n=HYPERLINK("x"),"=1+1 cotisations"\n')
    rows = run(tmp_path, source)
    assert rows[1][0].startswith("'=")


def test_a_missing_column_is_refused_in_french(tmp_path):
    source = write(tmp_path / "d.csv", "ref,texte\nD1,bonjour\n")
    output = tmp_path / "sortie.csv"
    with pytest.raises(CommandError, match="Colonne\\(s\\) absente\\(s\\) : « message »"):
        call_command(
            "route_requests", str(source), "--id", "ref", "--text", "message", "-o", str(output)
        )
    assert not output.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("absent.csv", None, "introuvable"),
        ("vide.csv", b"", "vide"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "illisible"),
    ],
    ids=["missing", "empty", "binary"],
)
def test_an_unreadable_file_is_refused_in_french(tmp_path, name, content, message):
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    output = tmp_path / "sortie.csv"
    with pytest.raises(CommandError, match=message):
        call_command(
            "route_requests", str(source), "--id", "ref", "--text", "message", "-o", str(output)
        )
    assert not output.exists()


def test_an_output_folder_that_does_not_exist_is_refused(tmp_path):
    source = write(tmp_path / "d.csv", "ref,message\nD1,bonjour\n")
    with pytest.raises(CommandError, match="Dossier .* introuvable"):
        call_command(
            "route_requests",
            str(source),
            "--id",
            "ref",
            "--text",
            "message",
            "-o",
            str(tmp_path / "nulle" / "part.csv"),
        )


def test_a_directory_as_input_is_refused(tmp_path):
    with pytest.raises(CommandError, match="dossier"):
        call_command(
            "route_requests",
            str(tmp_path),
            "--id",
            "ref",
            "--text",
            "message",
            "-o",
            str(tmp_path / "sortie.csv"),
        )
