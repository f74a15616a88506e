"""Low-data mode: staff record contacts in the quick form, the page extrapolates them with the
yearly volumes (Wilson intervals), and the sample becomes an event log; the volumes and
survey CSV imports are all or nothing with French errors and their line."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from relais.journeys.eventlog_store import load_frame
from relais.journeys.models import ChannelVolume, EventLog, EventLogSource, SampleContact
from relais.journeys.models_observed import StepSurvey
from relais.journeys.services_samples import sample_record

pytestmark = pytest.mark.django_db


def _url(name, **kwargs):
    return reverse(f"journeys:{name}", kwargs=kwargs)


CONTACT = {
    "reason": "Toujours pas de nouvelles de mon affiliation",
    "channel": "phone",
    "demand": "failure",
    "failure_kind": "chasing",
    "procedure": "Affiliation",
    "step": "",
    "case_reference": "",
}


def test_an_agent_records_contacts_with_the_quick_form(agent_client, organization):
    page = agent_client.get(_url("sample")).content.decode()
    assert "autofocus" in page and "Noter un contact" in page
    response = agent_client.post(_url("sample"), CONTACT)
    assert response.status_code == 302
    contact = SampleContact.objects.get()
    assert (contact.channel, contact.demand, contact.failure_kind) == (
        "phone",
        "failure",
        "chasing",
    )
    page = agent_client.get(_url("sample")).content.decode()
    # Ready for the next contact: same channel and procedure, an empty reason.
    assert '<option value="phone" selected>' in page and 'value="Affiliation"' in page
    assert "Toujours pas de nouvelles de mon affiliation" in page  # in the recent list


def test_recording_errors_are_french_and_nothing_is_saved(agent_client):
    bad = {**CONTACT, "reason": "", "failure_kind": ""}
    response = agent_client.post(_url("sample"), bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ce champ est obligatoire" in page
    response = agent_client.post(_url("sample"), {**CONTACT, "failure_kind": ""})
    assert response.status_code == 400
    assert "Précisez la nature de l&#x27;échec." in response.content.decode()
    # A value contact carries no failure kind, whatever was sent.
    agent_client.post(_url("sample"), {**CONTACT, "demand": "value"})
    assert SampleContact.objects.get().failure_kind == ""


def test_script_in_a_reason_is_shown_as_text(agent_client):
    agent_client.post(_url("sample"), {**CONTACT, "reason": "<script>alert(1)</script>"})
    page = agent_client.get(_url("sample")).content.decode()
    assert "<script>alert(1)</script>" not in page


def _record(agent, organization, count, **fields):
    for _n in range(count):
        sample_record(actor=agent, organization=organization, **{**CONTACT, **fields})


def test_extrapolation_with_yearly_volumes_and_intervals(
    supervisor_client, supervisor, organization
):
    ChannelVolume.objects.create(
        organization=organization, year=2025, channel="phone", contacts=50_000
    )
    _record(supervisor, organization, 30)
    _record(
        supervisor, organization, 70, demand="value", failure_kind="", reason="Première question"
    )
    page = supervisor_client.get(_url("sample-extrapolation") + "?weeks=4").content.decode()
    # 30 of 100 calls are chasing: 30 % of 50,000 = 15,000 a year.
    assert "Environ 15000 contacts évitables par an sur 50000" in page
    assert "volume annuel fourni" in page
    assert "IC 95 %" in page
    # Wilson's 95 % interval on 30/100: 21.9 % – 39.6 %, times 50,000.
    assert "10947 – 19792" in page


def test_without_volumes_each_channel_is_annualised(supervisor_client, supervisor, organization):
    _record(supervisor, organization, 4, channel="email")
    page = supervisor_client.get(_url("sample-extrapolation") + "?weeks=2").content.decode()
    assert "échantillon annualisé" in page and "Aucun volume annuel importé" in page
    assert "Environ 104 contacts évitables par an sur 104" in page


def test_the_sample_becomes_an_event_log(supervisor_client, supervisor, organization, fixed_clock):
    sample_record(
        actor=supervisor, organization=organization, **{**CONTACT, "case_reference": "D1"}
    )
    fixed_clock.shift(timedelta(days=3))
    sample_record(
        actor=supervisor,
        organization=organization,
        **{**CONTACT, "case_reference": "D1", "channel": "email", "step": "Examen"},
    )
    response = supervisor_client.post(_url("sample-log"), {"name": "Relevé de juin"})
    log = EventLog.objects.get(source=EventLogSource.SAMPLE)
    assert response.status_code == 302 and log.status == "ready"
    frame = load_frame(log)
    assert frame.get_column("case_id").to_list() == ["D1", "D1"]
    assert frame.get_column("activity").to_list() == ["Affiliation", "Affiliation — Examen"]
    assert frame.get_column("demand").to_list() == ["échec", "échec"]
    assert log.first_event_at < log.last_event_at <= timezone.now()


def test_volumes_import_replaces_and_refuses_a_bad_line_whole(supervisor_client, organization):
    good = "annee;canal;contacts\n2025;Téléphone;51 436\n2025;email;76892\n"
    response = supervisor_client.post(
        _url("volumes"),
        {"kind": "volumes", "volumes-file": SimpleUploadedFile("v.csv", good.encode())},
    )
    assert response.status_code == 302
    assert dict(ChannelVolume.objects.values_list("channel", "contacts")) == {
        "phone": 51436,
        "email": 76892,
    }
    bad = "annee,canal,contacts\n2025,phone,60000\n2025,pigeon,3\n"
    response = supervisor_client.post(
        _url("volumes"),
        {"kind": "volumes", "volumes-file": SimpleUploadedFile("v.csv", bad.encode())},
    )
    assert response.status_code == 400
    assert "Ligne 3 : canal « pigeon » inconnu" in response.content.decode()
    assert ChannelVolume.objects.get(channel="phone").contacts == 51436  # nothing half-imported


def test_surveys_import_with_errors_and_line(supervisor_client, organization):
    bad = "annee,demarche,etape,repondants,satisfaction\n2025,Affiliation,Dépôt,120,7,5\n"
    response = supervisor_client.post(
        _url("volumes"),
        {"kind": "surveys", "surveys-file": SimpleUploadedFile("s.csv", bad.encode())},
    )
    assert response.status_code == 400
    assert "Ligne 2 : 6 valeurs pour 5 colonnes." in response.content.decode()
    good = 'annee,demarche,etape,repondants,satisfaction\n2025,Affiliation,Dépôt,120,"7,5"\n'
    supervisor_client.post(
        _url("volumes"),
        {"kind": "surveys", "surveys-file": SimpleUploadedFile("s.csv", good.encode())},
    )
    survey = StepSurvey.objects.get()
    assert (survey.step, survey.respondents, survey.satisfaction) == ("Dépôt", 120, 7.5)
    page = supervisor_client.get(_url("volumes")).content.decode()
    assert "Dépôt" in page and "7,5" in page


def test_an_agent_cannot_import_volumes(agent_client):
    good = "annee,canal,contacts\n2025,phone,1\n"
    response = agent_client.post(
        _url("volumes"),
        {"kind": "volumes", "volumes-file": SimpleUploadedFile("v.csv", good.encode())},
    )
    assert response.status_code == 403 and not ChannelVolume.objects.exists()
