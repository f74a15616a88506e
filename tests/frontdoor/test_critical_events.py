"""Critical events detected in the words employers really write, and their look-alikes."""

import pytest

from relais.frontdoor.routing import critical_event, critical_events, route

CRITICAL = [
    ("mon gars est mort sur le chantier", "ACCIDENT_MORTEL"),
    ("un ouvrier a fait une chute mortelle", "ACCIDENT_MORTEL"),
    ("MON OUVIER EST MORT CE MATIN IL EST TOMBER DU TOIT", "ACCIDENT_MORTEL"),
    ("notre salarié est décédé après sa chute sur le chantier", "ACCIDENT_MORTEL"),
    ("un compagnon s'est tué en tombant de l'échafaudage", "ACCIDENT_MORTEL"),
    ("le gars a pas survecu, les pompiers ont rien pu faire", "ACCIDENT_MORTEL"),
    ("un gars est tombé de 6 mètres il est en réa", "ACCIDENT_GRAVE"),
    ("mon apprenti s'est fait amputer un doigt par la scie", "ACCIDENT_GRAVE"),
    ("je peux plus payer les salaires", "SALAIRES_IMPAYES"),
    ("jpeux pas payer mes gars ce mois", "SALAIRES_IMPAYES"),
    ("les salaires de mars n'ont pas été payés", "SALAIRES_IMPAYES"),
    ("huissier demain matin", "SAISIE"),
    ("l'huissier va saisir mes comptes", "SAISIE"),
    ("nos comptes sont saisis", "SAISIE"),
    ("mon compte pro a été saisi par l'urssaf", "SAISIE"),
    ("avis à tiers détenteur sur mon compte", "SAISIE"),
    ("on est en cessation de paiment", "CESSATION_PAIEMENTS"),
    ("je dois déposer le bilan", "CESSATION_PAIEMENTS"),
    ("ma boite est en redressement judicaire", "PROCEDURE_COLLECTIVE"),
    ("liquidation judiciaire prononcée hier", "PROCEDURE_COLLECTIVE"),
    ("je vais tout arreter", "DETRESSE"),
    ("j'ai envie d'en finir", "DETRESSE"),
    ("jen peux plus jvais tout lacher", "DETRESSE"),
    ("un salarié parle de se suicider", "DETRESSE"),
    ("Je songe à mettre fin à mes jours", "DETRESSE"),
    # Phrasings written after the held-out set, to probe the catalogue beyond it.
    ("un salarié a été retrouvé inanimé, les secours n'ont rien pu faire", "ACCIDENT_MORTEL"),
    ("notre couvreur nous a quittés hier après sa chute", "ACCIDENT_MORTEL"),
    ("un collègue s'est noyé dans le bassin du chantier", "ACCIDENT_MORTEL"),
    ("le chef de chantier a été victime d'un accident fatal", "ACCIDENT_MORTEL"),
    ("on n'a plus un rond pour les salaires", "SALAIRES_IMPAYES"),
    ("les gars sont pas payés depuis deux mois", "SALAIRES_IMPAYES"),
    ("la banque a rejeté les virements des salaires", "SALAIRES_IMPAYES"),
    ("le tribunal a mis la boite en redressement", "PROCEDURE_COLLECTIVE"),
    ("je veux plus vivre", "DETRESSE"),
    ("tout s'écroule, je vois plus comment m'en sortir", "DETRESSE"),
]

LOOK_ALIKES = [
    "mort de rire, l'urssaf me réclame 3 euros",
    "mdr vous me reclamez 0,50 euros",
    "accident de parcours cette année, je voudrais un délai pour les cotisations",
    "redressement URSSAF suite au contrôle, je conteste la lettre d'observations",
    "erreur de saisie dans ma DSN, comment corriger",
    "je veux liquider ma retraite au 1er janvier",
    "liquidation des congés payés en fin de contrat",
    "angle mort du camion, le salarié a été légèrement heurté, rien de grave",
    "le mortier a gelé sur le chantier",
    "cette dette urssaf me tue, je veux un échéancier",
    "les salaires sont payés mais pas les charges ce mois",
    "je voudrais arrêter mon activité de plaquiste, radiation",
    "petite chute sans gravité, une entorse, registre des accidents bénins",
    "mon compte en ligne urssaf est bloqué après trois essais",
    "je ferme ma boite en fin d'année",
    "décès du père d'un salarié, congé pour événement familial",
    "le contrôleur a parlé de risque mortel de chute, il exige des garde-corps",
    "je n'arrive pas à saisir mes identifiants sur mon compte",
    "la saisie des congés sur le compte de la caisse",
    "dépôt du bilan comptable au greffe pour les comptes annuels",
    "je vais tout arrêter le chantier demain car il va neiger",
    "liquidation amiable de la société après mon départ en retraite",
    "mon gars s'est tué à la tâche toute la semaine",
    "je suis mort de fatigue",
    "personne n'est mort, heureusement, le mur est tombé la nuit",
    "la tranchée s'est effondrée, personne n'a été blessé",
    "les IJ de mon ouvrier ne sont toujours pas payées",
    "un salarié qui ne peut plus payer son loyer, la CAF peut aider ?",
    "le salarié ne s'est pas présenté, inconscient des conséquences",
    "on a fait une tentative de conciliation avec le client",
    "le salarié a quitté l'entreprise hier",
]


@pytest.mark.parametrize(("text", "code"), CRITICAL, ids=[c for _t, c in CRITICAL])
def test_critical_events_are_detected_in_real_words(text, code):
    decision = route(text)
    assert code in decision.critical, decision.explanation["critical"]


@pytest.mark.parametrize("text", LOOK_ALIKES, ids=range(len(LOOK_ALIKES)))
def test_look_alikes_are_not_critical(text):
    assert route(text).critical == []


def test_a_fatal_accident_supersedes_the_serious_one():
    decision = route("un ouvrier électrocuté est mort sur place")
    assert decision.critical == ["ACCIDENT_MORTEL"]


def test_the_bodies_to_alert_are_added_to_the_routing():
    decision = route("le jeune est décédé sur le chantier")
    assert {"CPAM", "CARSAT"} <= set(decision.codes)
    item = decision.explanation["critical"][0]
    assert item["code"] == "ACCIDENT_MORTEL"
    assert item["callback_hours"] == critical_event("ACCIDENT_MORTEL").callback_hours
    assert item["words"]


def test_every_event_has_a_label_a_callback_deadline_and_a_checklist():
    events = critical_events()
    codes = {event.code for event in events}
    assert {
        "ACCIDENT_MORTEL",
        "ACCIDENT_GRAVE",
        "SALAIRES_IMPAYES",
        "SAISIE",
        "CESSATION_PAIEMENTS",
        "PROCEDURE_COLLECTIVE",
        "DETRESSE",
    } <= codes
    for event in events:
        assert event.label and event.callback_hours > 0 and event.checklist, event.code
        assert all(step.step for step in event.checklist)


def test_the_fatal_accident_checklist_has_the_legal_deadlines():
    steps = critical_event("ACCIDENT_MORTEL").checklist
    by_hours = {step.hours: step for step in steps}
    assert "CPAM" in by_hours[48].step and "R441-3" in by_hours[48].basis
    assert "inspection du travail" in by_hours[12].step


def test_an_unknown_event_is_refused():
    with pytest.raises(KeyError):
        critical_event("NOPE")


def test_the_classifier_net_catches_an_event_worded_beyond_the_triggers():
    from relais.frontdoor.routing import default_model
    from relais.frontdoor.routing.phrases import Text

    text = "Nous déplorons la disparition brutale de notre collaborateur sur le chantier"
    model = default_model()
    assert model.catalogue.detect(Text.of(text)) == []  # no trigger says it
    decision = route(text, model=model)
    assert decision.critical
    item = decision.explanation["critical"][0]
    assert item["source"] == "classifier"
    assert item["probability"] >= model.params.critical_threshold
    from relais.frontdoor.routing import explanation_text

    assert "selon le classifieur, à vérifier" in explanation_text(decision, model=model)


def test_the_net_can_be_switched_off_by_its_threshold():
    from relais.frontdoor.routing import default_model, train
    from relais.frontdoor.routing.model import Params

    base = default_model()
    off = train((), base=base, params=Params(critical_threshold=1.01))
    text = "Nous déplorons la disparition brutale de notre collaborateur sur le chantier"
    assert route(text, model=off).critical == []
    # The triggers still work without the net.
    assert route("mon gars est mort sur le chantier", model=off).critical == ["ACCIDENT_MORTEL"]
