"""``manage.py check_text``: one JSON verdict per line, from a file or standard input."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from stdnum.fr import nir as stdnum_nir

ROOT = Path(__file__).resolve().parents[2]
NIR = "2951099126111" + stdnum_nir.calc_check_digits("2951099126111")
TEXTS = [
    "Bonjour, comment déclarer mes droits d'auteur ?",
    "Quel con, ce contrat !",
    "Espèce de C0NNARD",
    "Merde, encore refusé",
    "",
    f"Mon numéro de sécu : {NIR}",
]
WORDS = "word,action\ncon,censor\nconnard,block\nmerde,replace:zut\nrefusé,flag\n"


@pytest.fixture
def texts(tmp_path):
    path = tmp_path / "textes.txt"
    path.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def words(tmp_path):
    path = tmp_path / "mots.csv"
    path.write_text(WORDS, encoding="utf-8")
    return path


def run(*args, stdin=None):
    out = io.StringIO()
    call_command("check_text", *[str(arg) for arg in args], stdout=out, stdin=stdin)
    return out.getvalue()


def verdicts(output):
    return [json.loads(line) for line in output.splitlines()]


def test_file_with_words_gives_one_verdict_per_line(texts, words):
    result = verdicts(run("--words", words, texts))
    assert len(result) == len(TEXTS)
    assert [v["action"] for v in result] == [
        "allow", "censor", "block", "flag", "allow", "require_approval"
    ]  # fmt: skip
    assert result[0] == {"action": "allow", "reasons": [], "text": TEXTS[0]}
    assert result[1]["text"] == "Quel ***, ce contrat !"
    assert result[1]["reasons"] == ["« con » (liste : « con ») a été masqué."]
    assert result[2]["text"] == "Espèce de C0NNARD"
    # flag (refusé) outranks the replacement, which still applies
    assert result[3]["text"] == "Zut, encore refusé"
    assert len(result[3]["reasons"]) == 2
    assert result[4] == {"action": "allow", "reasons": [], "text": ""}
    assert result[5]["reasons"][0].startswith(
        "Votre message semble contenir un numéro de sécurité sociale"
    )


def test_output_is_utf8_json_not_escaped(texts, words):
    output = run("--words", words, texts)
    assert "Espèce" in output and "\\u00e8" not in output
    assert all(line.startswith('{"action": ') for line in output.splitlines())


def test_without_a_list_only_personal_data_is_checked(texts):
    result = verdicts(run(texts))
    assert [v["action"] for v in result] == ["allow"] * 5 + ["require_approval"]
    assert result[2]["text"] == "Espèce de C0NNARD"


def test_standard_input_through_call_command(words):
    stream = io.StringIO("t'es un c o n\r\nrien à signaler\n")
    result = verdicts(run("--words", words, "-", stdin=stream))
    assert result == [
        {
            "action": "censor",
            "reasons": ["« c o n » (liste : « con ») a été masqué."],
            "text": "t'es un *****",
        },
        {"action": "allow", "reasons": [], "text": "rien à signaler"},
    ]


def test_standard_input_of_a_real_process(words):
    completed = subprocess.run(  # noqa: S603 - a fixed command of this repository
        [sys.executable, "manage.py", "check_text", "--words", str(words), "-"],
        input="Quel connard\nécris-moi : jean@exemple.fr\n".encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    result = verdicts(completed.stdout.decode("utf-8"))
    assert [v["action"] for v in result] == ["block", "require_approval"]
    assert result[1]["text"] == "écris-moi : jean@exemple.fr"


def test_bad_csv_names_the_line_and_prints_nothing(texts, tmp_path):
    bad = tmp_path / "mauvais.csv"
    bad.write_text("word,action\ncon,censor\nmerde,remplacer:zut\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"ligne 3 : action « remplacer:zut » inconnue"):
        call_command("check_text", "--words", str(bad), str(texts), stdout=out)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("con,censor,en trop\n", "ligne 1 : 3 colonne"),
        ("con\n", "ligne 1 : 1 colonne"),
        ("con,replace:\n", "ligne 1 : l'action « replace » attend un texte"),
        ("arnaque,link:ftp://x\n", "ligne 1 : l'adresse « ftp://x » n'est pas un lien"),
        ("word,action\n,block\n", "ligne 2 : mot vide"),
    ],
)
def test_each_bad_csv_line_is_a_french_error(texts, tmp_path, content, message):
    bad = tmp_path / "mauvais.csv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("--words", bad, texts)


def test_csv_from_excel_in_windows_1252_is_read(texts, tmp_path):
    latin = tmp_path / "excel.csv"
    latin.write_bytes("mot;action\ncontrat;flag\nrefusé;block\n".encode("cp1252"))
    result = verdicts(run("--words", latin, texts))
    assert [v["action"] for v in result][1:4] == ["flag", "allow", "block"]


def test_missing_files_are_french_errors(texts, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire la liste"):
        run("--words", tmp_path / "absent.csv", texts)
    with pytest.raises(CommandError, match="Impossible de lire « .*absent.txt »"):
        run(tmp_path / "absent.txt")


def test_input_not_in_utf8_is_refused_before_any_output(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("première ligne\ndeuxième\n".encode("latin-1"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="n'est pas en UTF-8"):
        call_command("check_text", str(path), stdout=out)
    assert out.getvalue() == ""


@pytest.mark.django_db
def test_unknown_community_is_refused(texts):
    with pytest.raises(CommandError, match="Communauté inconnue : « artistes-auteurs »"):
        run("--community", "artistes-auteurs", texts)


def test_community_list_is_read_from_its_back_office(community, texts):
    from relais.community.models import BannedWord

    BannedWord.objects.create(community=community, word="connard", action="block")
    BannedWord.objects.create(
        community=community, word="merde", action="replace", replacement="zut"
    )
    result = verdicts(run("--community", community.slug, texts))
    assert [v["action"] for v in result] == [
        "allow", "allow", "block", "censor", "allow", "require_approval"
    ]  # fmt: skip
    assert result[3]["text"] == "Zut, encore refusé"


def test_words_take_precedence_over_the_community(community, texts, words):
    result = verdicts(run("--community", community.slug, "--words", words, texts))
    assert result[2]["action"] == "block"
    assert result[1]["action"] == "censor"  # 'con' is in the file's list only


def test_standard_input_not_in_utf8_names_its_line():
    completed = subprocess.run(  # noqa: S603 - a fixed command of this repository
        [sys.executable, "manage.py", "check_text", "-"],
        input=b"bonjour\n" + "deuxième\n".encode("latin-1"),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert verdicts(completed.stdout.decode("utf-8")) == [
        {"action": "allow", "reasons": [], "text": "bonjour"}
    ]
    assert "« entrée standard, ligne 2 » n'est pas en UTF-8" in completed.stderr.decode("utf-8")
