"""Banned words: French forms, obfuscation, whole words, phrases, actions and their order."""

import unicodedata

import pytest

from relais.community.moderation.forms import inflections
from relais.community.moderation.normalize import fold_text
from relais.community.moderation.textcheck import BannedWords, check_text
from relais.community.moderation.words import (
    VERDICT_ACTIONS,
    WordListError,
    entries_from_pairs,
    make_entry,
    parse_words_csv,
)
from relais.core.text import fold

LIST = [
    ("con", "censor"),
    ("connard", "block"),
    ("cul", "flag"),
    ("pute", "block"),
    ("bite", "require_approval"),
    ("enculé", "block"),
    ("pédé", "block"),
    ("salope", "block"),
    ("voleur", "flag"),
    ("dénonciateur", "flag"),
    ("vicieux", "flag"),
    ("vaurien", "flag"),
    ("naïf", "flag"),
    ("chameau", "flag"),
    ("anormal", "flag"),
    ("sot", "flag"),
    ("abruti", "flag"),
    ("fils de pute", "block"),
    ("ta gueule", "require_approval"),
    ("merde", "replace:zut"),
    ("arnaque", "link:https://exemple.fr/arnaques"),
    ("nique*", "block"),
]


@pytest.fixture(scope="module")
def banned():
    return BannedWords(entries_from_pairs(LIST))


def words_found(banned, text):
    return sorted({hit.entry.word for hit in banned.check(text).hits})


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # case and accents, either way round
        ("CONNARD", "connard"),
        ("Espèce d'enculé", "enculé"),
        ("espece d'encule", "enculé"),
        ("ENCULÉS", "enculé"),
        ("Enculée", "enculé"),
        ("des enculées", "enculé"),
        ("pede", "pédé"),
        ("PÉDÉS", "pédé"),
        # plural and feminine forms
        ("des connards", "connard"),
        ("une connarde", "connard"),
        ("des connardes", "connard"),
        ("quelle conne", "con"),
        ("ces connes", "con"),
        ("bande de cons", "con"),
        ("des culs", "cul"),
        ("des salopes", "salope"),
        ("une voleuse", "voleur"),
        ("des voleuses", "voleur"),
        ("une dénonciatrice", "dénonciateur"),
        ("une vicieuse", "vicieux"),
        ("une vaurienne", "vaurien"),
        ("des vauriennes", "vaurien"),
        ("elle est naïve", "naïf"),
        ("des chameaux", "chameau"),
        ("une chamelle", "chameau"),
        ("anormaux", "anormal"),
        ("une sotte", "sot"),
        ("abrutie", "abruti"),
        ("abrutis", "abruti"),
        # obfuscation: digits and signs, repeated letters, separators, look-alike letters
        ("c0nn@rd", "connard"),
        ("C0NN4RD", "connard"),
        ("$alope", "salope"),
        ("sa1ope", "salope"),
        ("b1te", "bite"),
        ("b!te", "bite"),
        ("pu7e", "pute"),
        ("connnnnnard", "connard"),
        ("cooonnnaaard", "connard"),
        ("c.o.n.n.a.r.d", "connard"),
        ("c o n n a r d", "connard"),
        ("c-o-n-n-a-r-d", "connard"),
        ("t'es un c o n", "con"),
        ("y a c o n s", "con"),
        ("c o n à", "con"),
        ("\u0441\u043eNNARD", "connard"),  # Cyrillic "с" and "о"
        ("@connard tu exagères", "connard"),
        ("nique", "nique*"),
        ("niquer", "nique*"),
        ("NIQUEZ", "nique*"),
    ],
)
def test_variant_is_found(banned, text, word):
    assert word in words_found(banned, text)


@pytest.mark.parametrize(
    "text",
    [
        "Le contrat est signé",
        "Le conseil d'administration",
        "Je suis né à Mâcon",
        "un cône de signalisation",
        "Le balcon donne sur la rue",
        "un concours de circonstances",
        "la seconde fois",
        "Le calcul des cotisations",
        "la culture et les arts",
        "reculer pour mieux sauter",
        "une culotte",
        "le recul de l'âge de départ",
        "il est réputé pour son sérieux",
        "une députée européenne",
        "les disputes entre voisins",
        "ordinateur (computer)",
        "elle habite Lyon",
        "ils habitent ensemble",
        "un débiteur de cotisations",
        "connecter son compte",
        "la connexion échoue",
        "les salopettes de travail",
        "en 2024, 507 dossiers",
        "Il y a à faire",
        "Annexe A B C",
        "S.N.C.F",
        "Bonjour... merci !!!",
        "C O N V E N T I O N",
        "c.u.l.t.u.r.e",
        "S O M M A I R E",
        "un flacon, un faucon, une leçon, une rançon",
        "de cette façon, une icône",
        "conte, compte, comte, contre",
        "un véhicule particulier, la circulation",
        "c'est ridicule",
        "l'orbite, une mort subite, l'habitation",
        "imputer, amputé, les députés",
        "la naïveté",
        "des volets",
        "ésotérique",
        "un sociologue",
        "les disputes",
    ],
)
def test_innocent_words_are_not_hit(banned, text):
    assert words_found(banned, text) == []


def test_banned_word_inside_an_innocent_one_is_missed_but_alone_it_is_hit(banned):
    assert words_found(banned, "Mâcon") == []
    assert words_found(banned, "Mâ con") == ["con"]


@pytest.mark.parametrize(
    "text",
    [
        "Fils de PUTE !",
        "fils-de-pute",
        "fils   de\tpute",
        "des fils de putes",
        "F1ls de pute",
    ],
)
def test_phrase_is_found_in_its_forms(banned, text):
    assert "fils de pute" in words_found(banned, text)


def test_phrase_needs_its_words_in_order_and_together(banned):
    assert words_found(banned, "Ta gueule !") == ["ta gueule"]
    assert words_found(banned, "quelle gueule, ta voiture") == []
    assert words_found(banned, "le fils de Pierre") == []


def test_phrase_and_its_last_word_are_both_reported(banned):
    verdict = banned.check("fils de pute")
    assert sorted(hit.entry.word for hit in verdict.hits) == ["fils de pute", "pute"]
    assert verdict.action == "block"


def test_spaced_letters_are_read_as_the_longest_word(banned):
    verdict = banned.check("c.o.n.n.a.r.d")
    assert [hit.entry.word for hit in verdict.hits] == ["connard"]


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("bonjour", "allow"),
        ("quel con", "censor"),
        ("merde", "censor"),
        ("une arnaque", "censor"),
        ("quel con, et ce cul", "flag"),
        ("quel con, ce cul, ta bite", "require_approval"),
        ("quel con, ce cul, ta bite, connard", "block"),
        ("connard, con", "block"),
    ],
)
def test_strongest_action_wins(banned, text, action):
    assert banned.check(text).action == action


def test_action_order_is_documented_weakest_first():
    assert VERDICT_ACTIONS == ("allow", "censor", "flag", "require_approval", "block")


def test_same_word_in_two_entries_takes_the_strongest():
    banned = BannedWords(entries_from_pairs([("nul", "censor"), ("nul", "flag")]))
    verdict = banned.check("c'est nul")
    assert verdict.action == "flag"
    assert verdict.text == "c'est ***"  # the censoring entry still masks it


def test_censor_masks_the_span_of_the_original_text(banned):
    text = "Ça, c'est très CON, non ? Élodie"
    verdict = banned.check(text)
    assert verdict.text == "Ça, c'est très ***, non ? Élodie"
    (hit,) = verdict.hits
    assert text[hit.start : hit.end] == "CON"


def test_censor_offsets_after_accents_and_ligatures():
    banned = BannedWords(entries_from_pairs([("enculé", "censor")]))
    text = "Œuvre d'été, à côté : ENCULÉS ! Ç'a été dur."
    assert banned.check(text).text == "Œuvre d'été, à côté : ******* ! Ç'a été dur."


def test_censor_of_decomposed_accents_counts_letters_not_code_points():
    banned = BannedWords(entries_from_pairs([("enculé", "censor")]))
    text = unicodedata.normalize("NFD", "Pétrus, enculé !")
    assert banned.check(text).text == "Pétrus, ****** !"


def test_entry_typed_with_decomposed_accents_is_the_same_word():
    banned = BannedWords(entries_from_pairs([(unicodedata.normalize("NFD", "enculé"), "block")]))
    assert banned.check("ENCULÉE").action == "block"
    assert banned.check("encule").action == "block"


def test_censor_of_spaced_and_obfuscated_words(banned):
    assert banned.check("t'es un c o n.").text == "t'es un *****."
    assert banned.check("Quel c0n !").text == "Quel *** !"


def test_replace_keeps_the_case_of_the_word(banned):
    verdict = banned.check("Merde alors, MERDE et merde.")
    assert verdict.text == "Zut alors, ZUT et zut."
    # one reason for the word, however it is capitalised
    assert verdict.reasons == ["« Merde » (liste : « merde ») a été remplacé par « zut »."]


def test_link_makes_the_words_a_markdown_link(banned):
    verdict = banned.check("C'est une arnaque.")
    assert verdict.text == "C'est une [arnaque](https://exemple.fr/arnaques)."
    assert verdict.action == "censor"


def test_link_address_cannot_break_out_of_the_markdown_link():
    banned = BannedWords(entries_from_pairs([("charte", "link:https://x.fr/charte_(2025)")]))
    assert banned.check("la Charte").text == "la [Charte](https://x.fr/charte_%282025%29)"
    relative = BannedWords(entries_from_pairs([("charte", "link:/communaute/charte")]))
    assert relative.check("charte").text == "[charte](/communaute/charte)"


def test_censor_wins_over_replace_on_the_same_words():
    banned = BannedWords(entries_from_pairs([("zut", "replace:flûte"), ("zut", "censor")]))
    assert banned.check("zut !").text == "*** !"


def test_overlapping_transformations_take_the_longest():
    banned = BannedWords(
        entries_from_pairs([("sale type", "replace:personne"), ("type", "censor")])
    )
    assert banned.check("ce sale type").text == "ce personne"


def test_block_reason_names_what_was_written_and_the_entry(banned):
    verdict = banned.check("Espèce de C0NNARD")
    assert verdict.reasons == [
        "« C0NNARD » (liste : « connard ») est interdit : le message ne peut pas être publié."
    ]
    assert verdict.text == "Espèce de C0NNARD"  # blocked, not transformed


def test_each_word_is_reported_once_per_way_it_is_written(banned):
    verdict = banned.check("con con Con")
    assert len(verdict.reasons) == 1
    assert verdict.text == "*** *** ***"


def test_empty_list_allows_everything():
    assert BannedWords([]).check("connard").action == "allow"
    assert check_text("connard").as_dict() == {"action": "allow", "reasons": [], "text": "connard"}


def test_one_compiled_list_checks_many_texts(banned):
    texts = ["bonjour", "connard", "contrat", "c0nne"] * 50
    actions = [banned.check(text).action for text in texts]
    assert actions == ["allow", "block", "allow", "censor"] * 50
    assert len(banned) == len(LIST)


def test_inflections_are_whole_forms_not_stems():
    assert inflections("con") == {"con", "cons", "conne", "connes"}
    assert inflections("cul") == {"cul", "culs", "cule", "cules"}
    assert inflections("salope") == {"salope", "salopes"}
    assert inflections("menteur") == {
        "menteur", "menteurs", "menteuse", "menteuses", "mentrice", "mentrices"
    }  # fmt: skip
    assert inflections("de") == {"de"}
    assert inflections("encule", participle=True) == {"encule", "encules", "enculee", "enculees"}


def test_folding_agrees_with_the_kernel_fold_on_latin_letters():
    for code in range(0x250):
        char = chr(code)
        if len(fold(char)) == 1 and char not in "`´":  # typed for an apostrophe: "'" here
            assert fold_text(char) == fold(char), char


def test_folding_keeps_every_offset():
    text = "Œil ÉTÉ Straße İstanbul ﬁn"
    assert len(fold_text(text)) == len(text)
    assert fold_text("Œil ÉTÉ") == "œil ete"


@pytest.mark.parametrize(
    ("word", "spec", "message"),
    [
        ("con", "bloquer", "action « bloquer » inconnue"),
        ("con", "replace", "l'action « replace » attend un texte"),
        ("con", "replace:", "l'action « replace » attend un texte"),
        ("con", "link:javascript:alert(1)", "n'est pas un lien"),
        ("", "block", "mot vide"),
        ("!!!", "block", "ne contient ni lettre ni chiffre"),
        ("en*cul", "block", "l'étoile n'est permise qu'à la fin"),
        ("en*", "block", "au moins 3 lettres avant l'étoile"),
    ],
)
def test_bad_entries_are_refused_in_french(word, spec, message):
    with pytest.raises(WordListError, match=message):
        make_entry(word, spec)


def test_csv_list_with_header_semicolons_and_blank_lines():
    entries = parse_words_csv("mot;action\n\ncon;censor\nmerde;replace:zut, flûte\n")
    assert [(e.word, e.action, e.argument) for e in entries] == [
        ("con", "censor", ""),
        ("merde", "replace", "zut, flûte"),
    ]


def test_csv_list_error_names_the_line_and_keeps_nothing():
    with pytest.raises(WordListError, match=r"^ligne 3 : 3 colonne\(s\) au lieu de 2"):
        parse_words_csv("word,action\ncon,censor\ncul,flag,en trop\n")
