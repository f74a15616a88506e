"""The public pages: « Poser une question » (no sign-in, French errors, honeypot), the
acknowledgement page with the tracking code, the tracking page."""

from django.core import mail
from django.urls import reverse

from relais.frontdoor.models import Request

VALID = {
    "requester_role": "employer",
    "legal_name": "Charpente du Lauragais",
    "siret": "732 829 320 00074",
    "naf_code": "4391a",
    "last_name": "Martin",
    "first_name": "Paul",
    "email": "paul@charpente.fr",
    "phone": "05 61 00 00 00",
    "subject": "Accident sur un chantier",
    "text": "Un salarié est tombé d'un échafaudage ce matin.",
    "critical": "on",
    "site": "",
    "website": "",
}


def test_the_form_needs_no_sign_in(client, net):
    response = client.get(reverse("frontdoor:ask"))
    assert response.status_code == 200
    assert "Poser une question" in response.content.decode()


def test_errors_are_in_french_and_nothing_is_written(client, net):
    response = client.post(
        reverse("frontdoor:ask"), {**VALID, "email": "pas-une-adresse", "siret": "123", "text": ""}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in body
    assert "Saisissez une adresse e-mail valide" in body
    assert "Le SIRET compte 14 chiffres." in body
    assert 'aria-invalid="true"' in body
    assert not Request.objects.exists()


def test_a_wrong_siret_key_is_explained(client, net):
    response = client.post(reverse("frontdoor:ask"), {**VALID, "siret": "73282932000075"})
    assert response.status_code == 422
    assert "clé de contrôle incorrecte" in response.content.decode()


def test_the_honeypot_refuses_robots(client, net):
    response = client.post(reverse("frontdoor:ask"), {**VALID, "website": "http://spam"})
    assert response.status_code == 422
    assert not Request.objects.exists()


def test_a_question_is_acknowledged_with_its_tracking_code(
    client, net, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("frontdoor:ask"), VALID, HTTP_REFERER="https://www.urssaf.fr/accueil"
        )
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.critical and request.priority == "critical"
    assert request.company.naf_code == "43.91A"
    page = client.get(response["Location"])
    assert request.tracking_code in page.content.decode()
    assert "L114-3" in page.content.decode()
    assert mail.outbox[0].to == ["paul@charpente.fr"]


def test_the_referrer_site_is_kept(client, net):
    form = client.get(reverse("frontdoor:ask"), HTTP_REFERER="https://www.caf.fr/employeurs")
    assert 'value="www.caf.fr"' in form.content.decode()
    client.post(reverse("frontdoor:ask"), {**VALID, "site": "www.caf.fr"})
    assert Request.objects.get().source_site == "www.caf.fr"


def test_script_in_the_question_is_escaped(client, net):
    client.post(reverse("frontdoor:ask"), {**VALID, "subject": "<script>alert(1)</script>"})
    request = Request.objects.get()
    page = client.post(
        reverse("frontdoor:tracking"),
        {"tracking_code": request.tracking_code, "email": "paul@charpente.fr"},
    )
    body = page.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_tracking_needs_the_code_and_the_email(client, net):
    client.post(reverse("frontdoor:ask"), VALID)
    request = Request.objects.get()
    wrong = client.post(
        reverse("frontdoor:tracking"),
        {"tracking_code": request.tracking_code, "email": "autre@exemple.fr"},
    )
    assert wrong.status_code == 422
    assert "Aucune demande ne correspond" in wrong.content.decode()
    assert request.subject not in wrong.content.decode()
    right = client.post(
        reverse("frontdoor:tracking"),
        {"tracking_code": request.tracking_code.lower(), "email": "PAUL@charpente.fr"},
    )
    assert right.status_code == 200
    assert request.subject in right.content.decode()
    # A fall from scaffolding is a critical event: its bodies were seized on receipt.
    assert "Transmise, en attente de prise en charge" in right.content.decode()


def test_the_acknowledgement_page_without_a_request_goes_back_to_the_form(client, net):
    response = client.get(reverse("frontdoor:acknowledgement"))
    assert response.status_code == 302
    assert response["Location"] == reverse("frontdoor:ask")


def test_a_wrong_phone_number_is_explained_on_its_field(client, net):
    response = client.post(reverse("frontdoor:ask"), {**VALID, "phone": "12"})
    assert response.status_code == 422
    assert "n&#x27;est pas un numéro de téléphone" in response.content.decode()
    assert 'id="id_phone_error"' in response.content.decode()
    assert not Request.objects.exists()
