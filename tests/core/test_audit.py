"""The audit log: who did what to which record, before and after."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from relais.core.audit.models import AuditEntry
from relais.core.audit.services import audit_log, snapshot
from relais.core.organizations.models import Organization
from tests.factories import InvoiceFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_snapshot_holds_the_stored_values(workspace):
    person = PersonFactory(
        workspace=workspace,
        first_name="Hélène",
        last_name="Dupont",
        birth_date=datetime.date(1980, 5, 17),
    )
    data = snapshot(person)
    assert data["first_name"] == "Hélène"
    assert data["last_name"] == "Dupont"
    assert data["birth_date"] == datetime.date(1980, 5, 17)
    assert data["workspace_id"] == workspace.pk
    assert data["public_id"] == person.public_id


def test_snapshot_stores_a_file_by_its_name(db):
    organization = Organization(name="Garage", slug="garage", logo="branding/logo.png")
    assert snapshot(organization)["logo"] == "branding/logo.png"


def test_audit_log_stores_actor_target_and_before_after(workspace, agent):
    person = PersonFactory(workspace=workspace, last_name="Dupont")
    before = snapshot(person)
    person.last_name = "Durand"
    person.save()
    entry = audit_log(
        actor=agent, action="person.update", target=person, before=before, after=snapshot(person)
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == agent
    assert entry.action == "person.update"
    assert entry.workspace == workspace
    assert entry.target_type == "contacts.Person"
    assert entry.target_id == str(person.public_id)
    assert entry.target_repr == str(person)
    assert entry.before["last_name"] == "Dupont"
    assert entry.after["last_name"] == "Durand"
    assert entry.created_at == timezone.now()


def test_audit_log_serialises_dates_decimals_and_uuids(workspace, agent):
    invoice = InvoiceFactory(customer__workspace=workspace, total_incl_tax=Decimal("120.50"))
    entry = audit_log(
        actor=agent, action="invoice.delete", target=invoice, before=snapshot(invoice)
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.before["total_incl_tax"] == "120.50"
    assert entry.before["issued_on"] == "2025-06-02"
    assert entry.before["public_id"] == str(invoice.public_id)
    assert entry.after is None


def test_audit_log_without_a_signed_in_actor_stores_none(workspace):
    person = PersonFactory(workspace=workspace)
    assert audit_log(actor=AnonymousUser(), action="import", target=person).actor is None
    assert audit_log(actor=None, action="import", target=person).actor is None


def test_audit_log_uses_the_given_workspace_for_unscoped_targets(workspace, agent):
    entry = audit_log(actor=agent, action="user.update", target=agent, workspace=workspace)
    assert entry.workspace == workspace
    assert entry.target_id == str(agent.pk)
    assert audit_log(actor=agent, action="user.update", target=agent).workspace is None


def test_audit_log_cuts_a_long_representation(workspace, agent):
    person = PersonFactory(workspace=workspace, first_name="A" * 100, last_name="B" * 100)
    assert len(audit_log(actor=agent, action="x", target=person).target_repr) == 200


def test_audit_entries_survive_the_deletion_of_their_actor(workspace, agent):
    entry = audit_log(actor=agent, action="x", target=PersonFactory(workspace=workspace))
    agent.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.action == "x"


def test_audit_entries_are_listed_newest_first(workspace, agent, fixed_clock):
    person = PersonFactory(workspace=workspace)
    first = audit_log(actor=agent, action="first", target=person)
    fixed_clock.shift(60)
    second = audit_log(actor=agent, action="second", target=person)
    assert list(AuditEntry.objects.all()) == [second, first]
