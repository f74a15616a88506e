"""Who may see, import, rename, delete or compare with an organization's event logs: members
with the journeys roles only; another organization's user gets « not found » and changes
nothing, whatever the page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.core.exceptions import NotFound
from relais.journeys import selectors_logs
from relais.journeys.eventlogs import ColumnMapping, to_canonical
from relais.journeys.models import EventLog, EventLogSource, SampleContact
from relais.journeys.services import journey_from_template
from relais.journeys.services_logs import log_delete, log_store_frame
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(name, **kwargs):
    return reverse(f"journeys:{name}", kwargs=kwargs)


@pytest.fixture
def log(organization):
    import polars as pl

    raw = pl.DataFrame(
        {"c": ["A", "A"], "a": ["Dépôt", "Décision"], "t": ["2026-01-05", "2026-01-20"]}
    )
    frame = to_canonical(raw, ColumnMapping(case="c", activity="a", timestamp="t"))
    return log_store_frame(
        actor=None,
        organization=organization,
        name="Journal de l'organisme",
        source=EventLogSource.FILE,
        frame=frame,
    )


@pytest.fixture
def outsider_client(client, other_workspace):
    """A supervisor of another body, in that body's workspace."""
    user = UserFactory(
        username="intrus",
        role=Role.SUPERVISOR,
        organization=other_workspace.organization,
        workspaces=[other_workspace],
    )
    client.force_login(user)
    return client


def test_another_organization_sees_none_of_the_logs_and_changes_nothing(outsider_client, log):
    page = outsider_client.get(_url("log-list")).content.decode()
    assert "Journal de l&#x27;organisme" not in page
    for name in ("log-detail", "log-rename", "log-mapping"):
        assert outsider_client.get(_url(name, log_id=log.public_id)).status_code == 404
    for name in ("log-delete", "log-restore", "log-rename"):
        response = outsider_client.post(_url(name, log_id=log.public_id), {"name": "Pirate"})
        assert response.status_code == 404
    log.refresh_from_db()
    assert log.name == "Journal de l'organisme" and log.deleted_at is None


def test_another_organization_cannot_compare_with_the_log(outsider_client, log, other_workspace):
    journey = journey_from_template("affiliation", other_workspace.organization)
    url = _url("journey-compare", journey_id=journey.public_id)
    page = outsider_client.get(url).content.decode()
    assert str(log.public_id) not in page
    response = outsider_client.post(url, {"log": str(log.public_id)})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_an_agent_reads_logs_but_cannot_import_or_delete(agent_client, log, organization):
    assert agent_client.get(_url("log-detail", log_id=log.public_id)).status_code == 200
    page = agent_client.get(_url("log-list")).content.decode()
    assert _url("log-upload") not in page and _url("log-delete", log_id=log.public_id) not in page
    assert agent_client.get(_url("log-upload")).status_code == 403
    response = agent_client.post(
        _url("log-upload"), {"name": "x", "file": SimpleUploadedFile("a.csv", b"a,b\n1,2\n")}
    )
    assert response.status_code == 403
    assert agent_client.post(_url("log-delete", log_id=log.public_id)).status_code == 403
    assert agent_client.post(_url("log-extract"), {"name": "x"}).status_code == 403
    assert EventLog.objects.count() == 1 and EventLog.objects.get().deleted_at is None


def test_selectors_and_services_check_the_organization(other_agent, log, agent):
    with pytest.raises(NotFound):
        selectors_logs.log_get(
            user=other_agent, organization=log.organization, public_id=log.public_id
        )
    with pytest.raises(NotFound):
        selectors_logs.log_get(user=agent, organization=log.organization, public_id="pas-un-id")
    from relais.core.exceptions import AccessDenied

    with pytest.raises((AccessDenied, NotFound)):
        log_delete(actor=other_agent, log=log)
    log.refresh_from_db()
    assert log.deleted_at is None


def test_a_sample_contact_of_another_body_cannot_be_removed(outsider_client, organization, agent):
    from relais.journeys.services_samples import sample_record

    contact = sample_record(
        actor=agent,
        organization=organization,
        channel="phone",
        reason="Où en est mon dossier ?",
        demand="failure",
        failure_kind="chasing",
    )
    response = outsider_client.post(_url("sample-delete", sample_id=contact.public_id))
    assert response.status_code == 404
    assert SampleContact.objects.filter(pk=contact.pk).exists()
    page = outsider_client.get(_url("sample")).content.decode()
    assert "Où en est mon dossier" not in page
