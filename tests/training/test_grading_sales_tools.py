"""The sales-tool exercises (build a target, send a campaign, merge duplicates), graded on a
real sandbox cloned from a school base against the base's hidden identities."""

import datetime
import io
import zipfile
from collections import defaultdict

import pytest
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.demo import generate_customers
from relais.crm.models import Customer, Invoice, InvoiceKind, Segment, Vehicle
from relais.crm.segments.query import segment_customers
from relais.crm.segments.services import segment_create
from relais.training import grading, sales_grading
from relais.training.catalogue import CATALOGUE, SEGMENT_NAME
from relais.training.models import Exercise, ExerciseResult, SchoolBase, TrainingClass
from relais.training.services.exercises import (
    exercise_catalogue_ensure,
    exercise_catalogue_install,
    exercise_check,
    exercise_open,
)
from relais.training.services.sandboxes import sandbox_create
from tests.factories import CustomerFactory, PersonFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 15)  # the fixed clock of tests/conftest.py
SALES_CODES = ("construire-cible", "envoyer-campagne", "fusionner-doublons")


# --- fixtures: a school base with duplicates and homonyms, two cloned sandboxes -------------


@pytest.fixture
def school(organization, trainer):
    """A 120-customer school base: it carries a duplicate pair and a homonym pair."""
    template = WorkspaceFactory(
        organization=organization, name="Base école ventes", kind=WorkspaceKind.TEMPLATE
    )
    anomalies = []
    generate_customers(
        workspace=template, count=120, seed=3, today=TODAY, owner=trainer, anomalies=anomalies
    )
    SchoolBase.objects.create(workspace=template, seed=3, reference_date=TODAY, customer_count=120)
    kinds = {a["kind"] for a in anomalies}
    assert {"duplicate", "homonym"} <= kinds
    return template, anomalies


@pytest.fixture
def sales_class(organization, trainer, school):
    return TrainingClass.objects.create(
        organization=organization, name="Session ventes", template=school[0], trainer=trainer
    )


def _learner(sales_class, trainer, username):
    user = UserFactory(username=username, role=Role.LEARNER, organization=sales_class.organization)
    return sandbox_create(actor=trainer, training_class=sales_class, learner=user, today=TODAY)


@pytest.fixture
def pupil(sales_class, trainer):
    return _learner(sales_class, trainer, "eleve")


@pytest.fixture
def neighbour(sales_class, trainer):
    return _learner(sales_class, trainer, "voisine")


@pytest.fixture
def catalogue():
    exercise_catalogue_install()
    return {e.code: e for e in Exercise.objects.filter(organization__isnull=True)}


def _check(enrollment, exercise):
    return exercise_check(actor=enrollment.learner, enrollment=enrollment, exercise=exercise)


def _messages(result):
    return " | ".join(item["message"] for item in result.feedback)


# --- the target: an area with right customers and some wrong ones --------------------------


def _matches(customer, today=TODAY) -> bool:
    old = Vehicle.objects.filter(
        customer=customer, first_registration_date__lt=sales_grading.months_before(today, 48)
    ).exists()
    recent = Invoice.objects.filter(
        customer=customer,
        kind=InvoiceKind.AFTER_SALES,
        issued_on__gte=sales_grading.months_before(today, 12),
        issued_on__lte=today,
    ).exists()
    return old and not recent


def _move_to(customer, area):
    contact = customer.contact
    type(contact).objects.filter(pk=contact.pk).update(postal_code=f"{area}100")


@pytest.fixture
def target_area(pupil):
    """The pupil's target area (postcode prefix), given three more right customers and three
    wrong ones (one with a recent visit, two without an old vehicle)."""
    sandbox = pupil.sandbox
    area = sales_grading.area_pick(sandbox)
    assert area
    customers = list(Customer.objects.in_workspace(sandbox).select_related("person", "company"))
    in_area = {c.pk for c in customers if c.contact.postal_code.startswith(area)}
    right = [c for c in customers if c.pk not in in_area and _matches(c)]
    wrong_recent = [
        c
        for c in customers
        if c.pk not in in_area
        and not _matches(c)
        and Vehicle.objects.filter(
            customer=c, first_registration_date__lt=TODAY.replace(2021)
        ).exists()
    ]
    wrong_new = [c for c in customers if c.pk not in in_area and not c.vehicles.exists()]
    for customer in right[:3] + wrong_recent[:1] + wrong_new[:2]:
        _move_to(customer, area)
    expected = sales_grading.expected_customers(
        sandbox, rule="vehicule-ancien-sans-atelier", area=area, today=TODAY
    )
    assert len(expected) >= 4
    assert sales_grading.area_pick(sandbox) == area
    return area


def _area_only(area):
    return {
        "match": "all",
        "conditions": [{"field": "customer.postal_code", "op": "startswith", "value": area}],
    }


def _perfect_definition(area):
    return {
        "match": "all",
        "conditions": [
            {"field": "customer.postal_code", "op": "startswith", "value": area},
            {
                "field": "vehicle.first_registration_date",
                "op": "older_than",
                "value": {"amount": 4, "unit": "years"},
            },
            {
                "entity": "invoice",
                "quantifier": "none",
                "match": "all",
                "conditions": [
                    {"field": "invoice.kind", "op": "eq", "value": "apv"},
                    {
                        "field": "invoice.issued_on",
                        "op": "in_last",
                        "value": {"amount": 12, "unit": "months"},
                    },
                ],
            },
        ],
        "sort": [],
    }


def _save_segment(enrollment, definition, name=SEGMENT_NAME):
    return segment_create(
        actor=enrollment.learner, workspace=enrollment.sandbox, name=name, definition=definition
    )


def _expected(enrollment, area):
    return sales_grading.expected_customers(
        enrollment.sandbox, rule="vehicule-ancien-sans-atelier", area=area, today=TODAY
    )


# --- catalogue, class, results, SCORM -------------------------------------------------------


def test_sales_exercises_are_in_the_catalogue_with_valid_checks(catalogue):
    for code in SALES_CODES:
        exercise = catalogue[code]
        assert exercise.instructions and exercise.category
        assert grading.validate_checks(exercise.checks) == exercise.checks
    assert [c["code"] for c in CATALOGUE][-3:] == list(SALES_CODES)


def test_an_older_install_receives_the_new_exercises(catalogue):
    Exercise.objects.filter(code__in=SALES_CODES, organization__isnull=True).delete()
    exercise_catalogue_ensure()
    assert set(SALES_CODES) <= set(
        Exercise.objects.filter(organization__isnull=True).values_list("code", flat=True)
    )


def test_sales_checks_refuse_unknown_rules_in_french():
    with pytest.raises(grading.CheckError, match="Règle inconnue"):
        grading.validate_check({"type": "merges", "rule": "tout", "points": 1})
    with pytest.raises(grading.CheckError, match="Canal inconnu"):
        grading.validate_check(
            {"type": "campaign", "rule": "sent", "channel": "fax", "points": 1,
             "target": "vehicule-ancien-sans-atelier"}
        )  # fmt: skip
    with pytest.raises(grading.CheckError, match="nom du segment"):
        grading.validate_check(
            {"type": "segment", "rule": "saved", "name": " ", "points": 1,
             "target": "vehicule-ancien-sans-atelier"}
        )  # fmt: skip


def test_class_results_export_and_scorm_include_the_sales_exercises(
    client, trainer, sales_class, pupil, catalogue
):
    _check(pupil, catalogue["fusionner-doublons"])
    client.force_login(trainer)
    kwargs = {"class_id": sales_class.public_id}
    html = client.get(reverse("training:class-results", kwargs=kwargs)).content.decode()
    for title in ("Construire une cible", "Envoyer une campagne", "Fusionner les doublons"):
        assert title in html
    export = client.get(reverse("training:class-results-export", kwargs=kwargs) + "?format=csv")
    assert "Fusionner les doublons" in export.content.decode("utf-8-sig")
    package = client.get(reverse("training:scorm-package", kwargs=kwargs))
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    for code in SALES_CODES:
        assert any(code in name for name in names)


def test_trainer_preview_explains_the_scoring(trainer_client, catalogue):
    url = reverse(
        "training:exercise-detail",
        kwargs={"exercise_id": catalogue["fusionner-doublons"].public_id},
    )
    html = trainer_client.get(url).content.decode()
    assert "comparés aux identités réelles de la base" in html
    url = reverse(
        "training:exercise-detail", kwargs={"exercise_id": catalogue["construire-cible"].public_id}
    )
    html = trainer_client.get(url).content.decode()
    assert "Cible tirée pour chaque apprenant : le département" in html
    assert "crédit partiel" in html


# --- build a target -------------------------------------------------------------------------


def test_target_perfect_segment_gets_full_score(pupil, target_area, catalogue):
    exercise = catalogue["construire-cible"]
    result = exercise_open(actor=pupil.learner, enrollment=pupil, exercise=exercise)
    assert result.target == {"kind": "area", "id": target_area, "label": target_area}
    segment = _save_segment(pupil, _perfect_definition(target_area))
    assert set(segment_customers(segment).values_list("pk", flat=True)) == _expected(
        pupil, target_area
    )
    result = _check(pupil, exercise)
    assert result.score == result.max_score == 5
    assert result.passed
    assert "exactement les" in _messages(result)


def test_target_name_is_compared_without_case_or_accents(pupil, target_area, catalogue):
    _save_segment(pupil, _perfect_definition(target_area), name="  RELANCE  atélier ")
    assert _check(pupil, catalogue["construire-cible"]).score == 5


def test_target_partial_answers_get_partial_credit(pupil, target_area, catalogue):
    exercise = catalogue["construire-cible"]
    expected = _expected(pupil, target_area)
    # The area alone: every right customer, plus the wrong ones of the area.
    segment = _save_segment(
        pupil,
        _area_only(target_area),
    )
    got = set(segment_customers(segment).values_list("pk", flat=True))
    assert expected < got
    result = _check(pupil, exercise)
    assert 1 < result.score < 5 and not result.passed
    message = result.feedback[1]["message"]
    assert f"0 manquant(s), {len(got - expected)} en trop" in message
    assert 0 < result.feedback[1]["earned"] < 4
    # Right conditions, but only the individuals of two first names: some are missing.
    names = list(
        Customer.objects.filter(pk__in=expected, person__isnull=False).values_list(
            "person__last_name", flat=True
        )
    )[:2]
    definition = _perfect_definition(target_area)
    definition["conditions"].append({"field": "customer.last_name", "op": "in", "value": names})
    segment.definition = definition
    segment.save()
    got = set(segment_customers(segment).values_list("pk", flat=True))
    assert got < expected
    result = _check(pupil, exercise)
    assert 1 < result.score < 5
    assert f"{len(expected - got)} manquant(s), 0 en trop" in result.feedback[1]["message"]


def test_target_empty_sandbox_scores_zero_with_a_french_hint(pupil, target_area, catalogue):
    result = _check(pupil, catalogue["construire-cible"])
    assert result.score == 0 and result.max_score == 5
    assert "Aucun segment nommé « Relance atelier » dans votre base" in _messages(result)


def test_target_wrong_name_is_named_back(pupil, target_area, catalogue):
    _save_segment(pupil, _perfect_definition(target_area), name="Ma cible")
    result = _check(pupil, catalogue["construire-cible"])
    assert result.score == 0
    assert "Vos segments : « Ma cible »." in _messages(result)


def test_target_another_learners_segment_never_counts(pupil, neighbour, target_area, catalogue):
    # Same template: the neighbour builds the perfect segment in their sandbox.
    area = sales_grading.area_pick(neighbour.sandbox)
    _save_segment(neighbour, _perfect_definition(area))
    Segment.objects.create(
        workspace=neighbour.sandbox, name="relance atelier 2", definition=_perfect_definition(area)
    )
    result = _check(pupil, catalogue["construire-cible"])
    assert result.score == 0
    assert _check(neighbour, catalogue["construire-cible"]).score > 0


def test_target_feedback_never_names_customers(pupil, target_area, catalogue):
    _save_segment(
        pupil,
        _area_only(target_area),
    )
    text = _messages(_check(pupil, catalogue["construire-cible"]))
    for customer in Customer.objects.in_workspace(pupil.sandbox).select_related("person"):
        assert customer.identity_key not in text
        if customer.person:
            assert customer.person.last_name not in text


def test_learner_page_shows_the_area_and_partial_credit(client, pupil, target_area, catalogue):
    client.force_login(pupil.learner)
    exercise = catalogue["construire-cible"]
    kwargs = {"exercise_id": exercise.public_id}
    html = client.get(reverse("training:exercise-detail", kwargs=kwargs)).content.decode()
    assert f"dont le code postal commence par {target_area}" in html
    _save_segment(
        pupil,
        _area_only(target_area),
    )
    html = client.post(reverse("training:exercise-check", kwargs=kwargs)).content.decode()
    assert "En partie réussi" in html
    assert "Score : " in html


# --- send a campaign ------------------------------------------------------------------------


def _send(enrollment, segment, channel="email"):
    from relais.crm.campaigns.services import campaign_send
    from relais.crm.models import Campaign

    campaign = Campaign.objects.create(
        workspace=enrollment.sandbox,
        name="Retour atelier",
        channel=channel,
        subject="Votre véhicule mérite une visite",
        body="Bonjour, prenez rendez-vous.",
        segment=segment,
        created_by=enrollment.learner,
    )
    campaign_send(actor=enrollment.learner, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def refusing(pupil, target_area):
    """One right customer of the area refuses e-mails: a correct campaign leaves them out."""
    expected = sorted(_expected(pupil, target_area))
    customer = Customer.objects.get(pk=expected[0])
    contact = customer.contact
    type(contact).objects.filter(pk=contact.pk).update(consent_email=False)
    others = Customer.objects.filter(pk__in=expected[1:])
    for other in others:
        type(other.contact).objects.filter(pk=other.contact.pk).update(
            consent_email=True, email=f"client{other.pk}@example.fr"
        )
    return customer


def test_campaign_perfect_answer_gets_full_score(pupil, target_area, refusing, catalogue):
    segment = _save_segment(pupil, _perfect_definition(target_area))
    campaign = _send(pupil, segment)
    assert campaign.status in ("sending", "sent")
    assert campaign.recipients.get(customer=refusing).excluded_reason == "no_consent"
    result = _check(pupil, catalogue["envoyer-campagne"])
    assert [i["message"] for i in result.feedback if not i["ok"]] == []
    assert result.score == result.max_score == 6
    assert result.passed


def test_campaign_recipients_compared_with_the_target(pupil, target_area, refusing, catalogue):
    from relais.crm.models import CampaignRecipient

    segment = _save_segment(
        pupil,
        _area_only(target_area),
    )
    campaign = _send(pupil, segment)
    extra = CampaignRecipient.objects.filter(campaign=campaign, excluded_reason="").exclude(
        customer__in=_expected(pupil, target_area)
    )
    assert extra.exists()
    result = _check(pupil, catalogue["envoyer-campagne"])
    by_label = {i["label"]: i for i in result.feedback}
    assert by_label["Campagne e-mail envoyée"]["ok"]
    recipients = by_label[f"Les bons destinataires du département {target_area}"]
    assert 0 < recipients["earned"] < 3
    assert "en trop" in recipients["message"]
    assert by_label["Consentements respectés"]["ok"]


def test_campaign_recipient_without_consent_loses_the_consent_points(
    pupil, target_area, refusing, catalogue
):
    from relais.crm.models import CampaignRecipient

    segment = _save_segment(pupil, _perfect_definition(target_area))
    campaign = _send(pupil, segment)
    # A row forced past the consent rules (as a hand-made import would do).
    CampaignRecipient.objects.filter(campaign=campaign, customer=refusing).update(
        excluded_reason=""
    )
    result = _check(pupil, catalogue["envoyer-campagne"])
    by_label = {i["label"]: i for i in result.feedback}
    assert by_label["Consentements respectés"]["earned"] == 0
    assert "1 client(s) sans consentement" in by_label["Consentements respectés"]["message"]
    assert result.score < 6


def test_campaign_unsubscription_after_the_send_is_not_held_against_the_learner(
    pupil, target_area, refusing, catalogue, fixed_clock
):
    from relais.crm.models import CampaignRecipient

    segment = _save_segment(pupil, _perfect_definition(target_area))
    campaign = _send(pupil, segment)
    fixed_clock.shift(datetime.timedelta(days=2))
    row = CampaignRecipient.objects.filter(campaign=campaign, excluded_reason="").first()
    row.unsubscribed = True
    row.save()
    contact = row.customer.contact
    contact.consent_email = False
    contact.save()
    assert _check(pupil, catalogue["envoyer-campagne"]).score == 6


def test_campaign_wrong_channel_or_draft_or_nothing(pupil, target_area, refusing, catalogue):
    from relais.crm.models import Campaign

    exercise = catalogue["envoyer-campagne"]
    result = _check(pupil, exercise)
    assert result.score == 0 and result.max_score == 6
    assert "Aucune campagne par e-mail envoyée dans votre base." in _messages(result)
    segment = _save_segment(pupil, _perfect_definition(target_area))
    Campaign.objects.create(
        workspace=pupil.sandbox, name="Brouillon", channel="email", segment=segment
    )
    assert "n'est pas encore envoyée" in _messages(_check(pupil, exercise))
    for customer in Customer.objects.filter(pk__in=_expected(pupil, target_area)):
        type(customer.contact).objects.filter(pk=customer.contact.pk).update(consent_mail=True)
    _send(pupil, segment, channel="letter")
    result = _check(pupil, exercise)
    assert result.score == 0
    assert "est partie par courrier : il fallait l'envoyer par e-mail" in _messages(result)


def test_campaign_of_another_learner_never_counts(
    pupil, neighbour, target_area, refusing, catalogue
):
    area = sales_grading.area_pick(neighbour.sandbox)
    _send(neighbour, _save_segment(neighbour, _perfect_definition(area)))
    result = _check(pupil, catalogue["envoyer-campagne"])
    assert result.score == 0
    assert "Aucune campagne par e-mail envoyée" in _messages(result)


# --- merge duplicates -----------------------------------------------------------------------


def _groups(workspace) -> dict[str, list[Customer]]:
    groups = defaultdict(list)
    for customer in Customer.objects.in_workspace(workspace).order_by("pk"):
        if customer.identity_key:
            groups[customer.identity_key].append(customer)
    return {k: v for k, v in groups.items() if len(v) > 1}


@pytest.fixture
def duplicates(pupil, school):
    """The base's duplicate pair, and two more copies planted in the pupil's sandbox."""
    sandbox = pupil.sandbox
    involved = {r["identity_key"] for a in school[1] for r in a["records"]}
    originals = list(
        Customer.objects.in_workspace(sandbox)
        .filter(person__isnull=False)
        .exclude(identity_key__in=involved)
        .order_by("pk")[:2]
    )
    for original in originals:
        person = PersonFactory(
            workspace=sandbox,
            first_name=original.person.first_name,
            last_name=original.person.last_name,
        )
        CustomerFactory(
            workspace=sandbox, kind="individual", person=person,
            identity_key=original.identity_key,
        )  # fmt: skip
    groups = _groups(sandbox)
    assert len(groups) == 3
    return groups


def _homonyms(enrollment, anomalies):
    keys = next(a for a in anomalies if a["kind"] == "homonym")["records"]
    return [
        Customer.objects.in_workspace(enrollment.sandbox).get(identity_key=r["identity_key"])
        for r in keys
    ]


def _merge(enrollment, survivor, absorbed):
    from relais.crm.dedup.merge import customers_merge

    return customers_merge(
        actor=enrollment.learner, survivor=survivor, absorbed=absorbed, choices={}
    )


def test_merges_perfect_answer_gets_full_score(pupil, duplicates, catalogue):
    for survivor, absorbed in duplicates.values():
        _merge(pupil, survivor, absorbed)
    result = _check(pupil, catalogue["fusionner-doublons"])
    assert result.score == result.max_score == 6
    assert result.passed
    assert "3 doublon(s) fusionné(s) sur 3 ; il en reste 0." in _messages(result)


def test_merges_partial_answer_gets_partial_credit(pupil, duplicates, catalogue):
    survivor, absorbed = next(iter(duplicates.values()))
    _merge(pupil, survivor, absorbed)
    result = _check(pupil, catalogue["fusionner-doublons"])
    merged, no_wrong = result.feedback
    assert merged["earned"] == 1 and not merged["ok"]  # 4 points × 1/3
    assert "1 doublon(s) fusionné(s) sur 3 ; il en reste 2." in merged["message"]
    assert no_wrong["ok"] and no_wrong["earned"] == 2
    assert result.score == 3 and not result.passed


def test_merging_homonyms_is_penalised_heavily(pupil, school, duplicates, catalogue):
    pairs = list(duplicates.values())
    _merge(pupil, *pairs[0])
    _merge(pupil, *pairs[1])
    first, second = _homonyms(pupil, school[1])
    _merge(pupil, first, second)
    result = _check(pupil, catalogue["fusionner-doublons"])
    merged, no_wrong = result.feedback
    # Two right merges, one wrong: (2 − 2 × 1) / 3 → nothing.
    assert merged["earned"] == 0
    assert "1 fusion(s) erronée(s)" in merged["message"]
    assert no_wrong["earned"] == 0
    assert "des homonymes ?" in no_wrong["message"]
    assert result.score == 0


def test_an_undone_merge_does_not_count(pupil, duplicates, catalogue, school):
    from relais.crm.dedup.merge import customer_merge_undo

    survivor, absorbed = next(iter(duplicates.values()))
    merge = _merge(pupil, survivor, absorbed)
    first, second = _homonyms(pupil, school[1])
    wrong = _merge(pupil, first, second)
    assert _check(pupil, catalogue["fusionner-doublons"]).score == 0
    customer_merge_undo(actor=pupil.learner, merge=wrong)
    assert _check(pupil, catalogue["fusionner-doublons"]).score == 3
    customer_merge_undo(actor=pupil.learner, merge=merge)
    result = _check(pupil, catalogue["fusionner-doublons"])
    assert result.score == 0
    assert "Aucune fusion enregistrée : il reste 3 doublon(s) à fusionner" in _messages(result)
    assert result.best_score == 3


def test_merges_empty_sandbox_scores_zero_with_a_french_hint(pupil, duplicates, catalogue):
    result = _check(pupil, catalogue["fusionner-doublons"])
    assert result.score == 0 and result.max_score == 6
    assert "il reste 3 doublon(s) à fusionner (utilisez l'outil de dédoublonnage)" in _messages(
        result
    )
    assert "Aucune fusion enregistrée dans votre base." in _messages(result)


def test_merges_of_another_learner_never_count(pupil, neighbour, catalogue):
    for survivor, absorbed in _groups(neighbour.sandbox).values():
        _merge(neighbour, survivor, absorbed)
    assert _check(neighbour, catalogue["fusionner-doublons"]).passed
    result = _check(pupil, catalogue["fusionner-doublons"])
    assert result.score == 0
    assert "il reste 1 doublon(s)" in _messages(result)


def test_a_base_without_duplicates_says_so(enrollment, catalogue):
    # The shared fixture's sandbox: 10 generated customers, no anomaly.
    assert not _groups(enrollment.sandbox)
    result = _check(enrollment, catalogue["fusionner-doublons"])
    assert result.score == 0
    assert "Votre base ne contient aucun doublon à fusionner" in _messages(result)


def test_learner_typed_records_are_not_judged(pupil, duplicates, catalogue):
    # Two records the learner typed have no identity key: merging them is neither right
    # nor wrong.
    people = [PersonFactory(workspace=pupil.sandbox, last_name="Neuf") for _ in range(2)]
    typed = [CustomerFactory(workspace=pupil.sandbox, kind="individual", person=p) for p in people]
    _merge(pupil, *typed)
    result = _check(pupil, catalogue["fusionner-doublons"])
    assert result.score == 0
    assert ExerciseResult.objects.filter(enrollment=pupil).count() == 1
