"""Core contact services: create, update, consent, batches, with validation, access and audit."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from relais.core.accounts import permissions
from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, ConsentChannel, Person
from relais.core.contacts.services import (
    ValueChange,
    companies_create_many,
    company_build,
    company_create,
    company_update,
    consent_set,
    contact_values_replace_many,
    person_build,
    person_create,
    person_update,
    persons_create_many,
)
from relais.core.exceptions import AccessDenied, NotFound
from tests.factories import CompanyFactory, PersonFactory, UserFactory


@pytest.fixture
def viewer(workspace, monkeypatch):
    """A member of the workspace whose role may read contacts but not change them.

    No shipped role is read-only on contacts: the test grants ``contacts.view`` alone to the
    community's "member" role, for the time of the test, in the real permission table.
    """
    monkeypatch.setitem(permissions._GRANTS, Role.MEMBER, {"contacts.view"})
    return UserFactory(
        role=Role.MEMBER, organization=workspace.organization, workspaces=[workspace]
    )


# --- person_create / person_update -----------------------------------------------------------


def test_person_create_normalises_validates_and_audits(agent, workspace):
    person = person_create(
        actor=agent,
        workspace=workspace,
        first_name="  Hélène ",
        last_name="Dupont",
        phone_mobile="0612345678",
        postal_code="75011",
        city="Paris",
        consent_email=True,
    )
    person.refresh_from_db()
    assert person.workspace == workspace
    assert person.first_name == "Hélène"
    assert person.phone_mobile == "06 12 34 56 78"
    assert person.consent_email is True
    assert person.consent_updated_at == timezone.now()
    entry = AuditEntry.objects.get(action="person.create")
    assert entry.actor == agent and entry.workspace == workspace
    assert entry.target_id == str(person.public_id)
    assert entry.after["phone_mobile"] == "06 12 34 56 78"


def test_person_create_without_consent_leaves_consent_date_empty(agent, workspace):
    person = person_create(actor=agent, workspace=workspace, last_name="Martin")
    assert person.consent_updated_at is None


def test_person_create_reports_errors_in_french_and_writes_nothing(agent, workspace):
    with pytest.raises(ValidationError) as exc:
        person_create(
            actor=agent,
            workspace=workspace,
            last_name="",
            phone_mobile="01 23",
            postal_code="75011",
            city="Lyon",
            birth_date=datetime.date(2030, 1, 1),
        )
    errors = exc.value.message_dict
    assert "last_name" in errors
    assert any("numéro de téléphone" in m for m in errors["phone_mobile"])
    assert errors["city"] == ["La ville « Lyon » ne correspond pas au code postal 75011."]
    assert errors["birth_date"] == ["La date de naissance ne peut pas être dans le futur."]
    assert not Person.objects.exists()
    assert not AuditEntry.objects.exists()


def test_person_create_refuses_unknown_fields(agent, workspace):
    with pytest.raises(TypeError):
        person_create(actor=agent, workspace=workspace, last_name="Martin", legal_name="X")


def test_person_create_refusals(agent, viewer, workspace, other_workspace, other_agent):
    # Another organization's user: the workspace looks absent.
    with pytest.raises(NotFound):
        person_create(actor=other_agent, workspace=workspace, last_name="Martin")
    # A member of another workspace cannot write into this one, even of the same body.
    with pytest.raises(NotFound):
        person_create(actor=agent, workspace=other_workspace, last_name="Martin")
    with pytest.raises(AccessDenied):
        person_create(actor=viewer, workspace=workspace, last_name="Martin")
    with pytest.raises(AccessDenied):
        person_create(actor=AnonymousUser(), workspace=workspace, last_name="Martin")
    assert not Person.objects.exists()


def test_person_update_changes_given_fields_and_audits_before_after(agent, workspace):
    person = PersonFactory(workspace=workspace, first_name="Hélène", email="h@exemple.fr")
    person_update(actor=agent, person=person, email="helene@exemple.fr", consent_sms=True)
    person.refresh_from_db()
    assert person.email == "helene@exemple.fr" and person.first_name == "Hélène"
    assert person.consent_sms and person.consent_updated_at == timezone.now()
    entry = AuditEntry.objects.get(action="person.update")
    assert entry.before["email"] == "h@exemple.fr"
    assert entry.after["email"] == "helene@exemple.fr"


def test_person_update_without_change_writes_nothing(agent, workspace):
    person = PersonFactory(workspace=workspace)
    stamp = person.updated_at
    person_update(actor=agent, person=person, first_name=person.first_name)
    person.refresh_from_db()
    assert person.updated_at == stamp
    assert not AuditEntry.objects.exists()


def test_person_update_refusals(viewer, other_agent, workspace):
    person = PersonFactory(workspace=workspace, first_name="Hélène")
    with pytest.raises(NotFound):
        person_update(actor=other_agent, person=person, first_name="Pirate")
    with pytest.raises(AccessDenied):
        person_update(actor=viewer, person=person, first_name="Pirate")
    person.refresh_from_db()
    assert person.first_name == "Hélène"


def test_person_update_validation_error_in_french(agent, workspace):
    person = PersonFactory(workspace=workspace)
    with pytest.raises(ValidationError) as exc:
        person_update(actor=agent, person=person, email="pas-une-adresse")
    assert exc.value.message_dict["email"] == [
        "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."
    ]


# --- company_create / company_update ---------------------------------------------------------


def test_company_create_compacts_siret_deduces_siren_and_audits(agent, workspace):
    company = company_create(
        actor=agent,
        workspace=workspace,
        legal_name=" Transports Martin ",
        siret="732 829 320 00074",
        naf_code="4941a",
        postal_code="69003",
        city="Lyon",
    )
    company.refresh_from_db()
    assert company.legal_name == "Transports Martin"
    assert company.siret == "73282932000074" and company.siren == "732829320"
    assert company.naf_code == "49.41A"
    assert AuditEntry.objects.filter(action="company.create", actor=agent).count() == 1


def test_company_create_reports_siren_errors_in_french(agent, workspace):
    with pytest.raises(ValidationError) as exc:
        company_create(actor=agent, workspace=workspace, legal_name="X", siren="732829321")
    assert exc.value.message_dict["siren"] == [
        "Le SIREN 732829321 n'est pas valide (clé de contrôle incorrecte)."
    ]


def test_company_parent_of_another_workspace_is_not_found(agent, workspace, other_workspace):
    foreign = CompanyFactory(workspace=other_workspace)
    with pytest.raises(NotFound):
        company_create(actor=agent, workspace=workspace, legal_name="Filiale", parent=foreign)
    company = CompanyFactory(workspace=workspace)
    with pytest.raises(NotFound):
        company_update(actor=agent, company=company, parent=foreign)


def test_company_update_audits_and_refuses_outsiders(agent, other_agent, workspace):
    company = CompanyFactory(workspace=workspace, legal_name="Transports Martin")
    company_update(actor=agent, company=company, trade_name="Martin Express")
    entry = AuditEntry.objects.get(action="company.update")
    assert entry.before["trade_name"] == "" and entry.after["trade_name"] == "Martin Express"
    with pytest.raises(NotFound):
        company_update(actor=other_agent, company=company, trade_name="Pirate")
    company.refresh_from_db()
    assert company.trade_name == "Martin Express"


def test_company_cannot_be_its_own_parent(agent, workspace):
    company = CompanyFactory(workspace=workspace)
    with pytest.raises(ValidationError) as exc:
        company_update(actor=agent, company=company, parent=company)
    assert exc.value.message_dict["parent"] == [
        "Une société ne peut pas être sa propre société mère."
    ]


# --- consent_set -----------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ConsentChannel.values)
def test_consent_set_per_channel_with_source_date_and_audit(agent, workspace, channel):
    person = PersonFactory(workspace=workspace)
    at = timezone.now() - datetime.timedelta(days=2)
    consent_set(
        actor=agent, contact=person, channel=channel, granted=True, source="formulaire", at=at
    )
    person.refresh_from_db()
    field = f"consent_{channel}"
    assert getattr(person, field) is True
    assert person.consent_updated_at == at
    assert person.consents() == [channel]
    entry = AuditEntry.objects.get(action="contact.consent")
    assert entry.actor == agent and entry.workspace == workspace
    assert entry.before == {field: False, "consent_updated_at": None}
    assert entry.after[field] is True
    assert entry.after["channel"] == channel and entry.after["source"] == "formulaire"


def test_consent_withdrawal_on_a_company_and_unchanged_value(agent, workspace):
    company = CompanyFactory(workspace=workspace, consent_email=True, consent_mail=True)
    consent_set(actor=agent, contact=company, channel="email", granted=False, source="appel")
    # Only the channel that changed is recorded.
    assert AuditEntry.objects.get(action="contact.consent").after["channel"] == "email"
    company.refresh_from_db()
    assert company.consent_email is False and company.consent_updated_at == timezone.now()
    # The same word again changes nothing and records nothing.
    consent_set(actor=agent, contact=company, channel="email", granted=False, source="appel")
    assert AuditEntry.objects.filter(action="contact.consent").count() == 1


def test_consent_set_by_the_system_and_with_a_specific_action(workspace):
    person = PersonFactory(workspace=workspace, consent_sms=True)
    consent_set(
        actor=None,
        contact=person,
        channel="sms",
        granted=False,
        source="campaign:1",
        action="contact.unsubscribe",
    )
    entry = AuditEntry.objects.get(action="contact.unsubscribe")
    assert entry.actor is None and entry.after["consent_sms"] is False


def test_consent_set_refusals_and_errors(agent, viewer, other_agent, workspace):
    person = PersonFactory(workspace=workspace)
    with pytest.raises(NotFound):
        consent_set(actor=other_agent, contact=person, channel="sms", granted=True, source="x")
    with pytest.raises(AccessDenied):
        consent_set(actor=viewer, contact=person, channel="sms", granted=True, source="x")
    with pytest.raises(ValidationError) as exc:
        consent_set(actor=agent, contact=person, channel="fax", granted=True, source="x")
    assert exc.value.messages == ["Canal de consentement inconnu : fax."]
    with pytest.raises(ValidationError) as exc:
        consent_set(actor=agent, contact=person, channel="sms", granted=True, source=" ")
    assert exc.value.messages == ["Indiquez l'origine du consentement."]
    person.refresh_from_db()
    assert person.consent_sms is False


# --- batches ---------------------------------------------------------------------------------


def test_persons_create_many_validates_the_whole_batch_first(agent, workspace):
    rows = [
        person_build(workspace=workspace, last_name="Martin", phone_mobile="0612345678"),
        person_build(workspace=workspace, last_name="", email="x"),
        person_build(workspace=workspace, last_name="Durand", postal_code="75011", city="Lyon"),
    ]
    with pytest.raises(ValidationError) as exc:
        persons_create_many(actor=agent, workspace=workspace, persons=rows)
    messages = exc.value.messages
    assert any(m.startswith("Ligne 2, last_name : ") for m in messages)
    assert any(m.startswith("Ligne 2, email : ") for m in messages)
    assert "Ligne 3, city : La ville « Lyon » ne correspond pas au code postal 75011." in messages
    assert not Person.objects.exists()


def test_persons_create_many_writes_and_audits_once(agent, workspace):
    rows = [person_build(workspace=workspace, last_name=f"Martin{i}") for i in range(3)]
    created = persons_create_many(actor=agent, workspace=workspace, persons=rows)
    assert Person.objects.in_workspace(workspace).count() == 3
    assert all(person.pk for person in created)
    entry = AuditEntry.objects.get(action="person.create_many")
    assert entry.after == {"count": 3} and entry.workspace == workspace


def test_batches_without_full_clean_keep_anomalies_but_need_a_name(workspace):
    odd = person_build(workspace=workspace, last_name="Martin", postal_code="75011", city="Lyon")
    persons_create_many(actor=None, workspace=workspace, persons=[odd], full_clean=False)
    assert Person.objects.get().city == "Lyon"
    assert not AuditEntry.objects.exists()  # a system batch is not audited
    with pytest.raises(ValidationError):
        companies_create_many(
            actor=None,
            workspace=workspace,
            companies=[company_build(workspace=workspace, legal_name=" ")],
            full_clean=False,
        )


def test_batches_refuse_rows_of_another_workspace_and_outsiders(
    agent, other_agent, workspace, other_workspace
):
    with pytest.raises(NotFound):
        companies_create_many(
            actor=agent,
            workspace=workspace,
            companies=[company_build(workspace=other_workspace, legal_name="X")],
        )
    with pytest.raises(NotFound):
        persons_create_many(
            actor=other_agent,
            workspace=workspace,
            persons=[person_build(workspace=workspace, last_name="X")],
        )
    assert not Person.objects.exists() and not Company.objects.exists()


def test_batches_use_the_given_inserter(workspace):
    class Inserter:
        def __init__(self):
            self.calls = []

        def insert(self, model, objects):
            self.calls.append((model, len(objects)))
            model.objects.bulk_create(objects)

    inserter = Inserter()
    companies_create_many(
        actor=None,
        workspace=workspace,
        companies=[company_build(workspace=workspace, legal_name="Transports Martin")],
        inserter=inserter,
    )
    assert inserter.calls == [(Company, 1)]


def test_contact_values_replace_many_is_compare_and_set(agent, workspace, other_workspace):
    mine = PersonFactory(workspace=workspace, city="paris")
    edited = PersonFactory(workspace=workspace, city="PARIS")
    foreign = PersonFactory(workspace=other_workspace, city="paris")
    changes = [
        ValueChange(pk=mine.pk, field="city", before="paris", after="Paris"),
        ValueChange(pk=edited.pk, field="city", before="paris", after="Paris"),
        ValueChange(pk=foreign.pk, field="city", before="paris", after="Paris"),
    ]
    written = contact_values_replace_many(
        actor=agent, workspace=workspace, model=Person, changes=changes
    )
    assert written == changes[:1]
    assert [p.city for p in Person.objects.order_by("pk")] == ["Paris", "PARIS", "paris"]
    assert AuditEntry.objects.get(action="person.update_many").after == {"city": 1}


def test_contact_values_replace_many_refuses_consents_and_outsiders(agent, other_agent, workspace):
    person = PersonFactory(workspace=workspace)
    with pytest.raises(TypeError):
        contact_values_replace_many(
            actor=agent,
            workspace=workspace,
            model=Person,
            changes=[ValueChange(pk=person.pk, field="consent_sms", before=False, after=True)],
        )
    with pytest.raises(NotFound):
        contact_values_replace_many(
            actor=other_agent,
            workspace=workspace,
            model=Person,
            changes=[ValueChange(pk=person.pk, field="city", before="Paris", after="X")],
        )


def test_person_build_writes_nothing(workspace):
    person = person_build(workspace=workspace, last_name="Martin", public_id=uuid.uuid4())
    assert person.pk is None and not Person.objects.exists()


def test_consents_given_in_create_and_update_enter_the_history(agent, workspace):
    from relais.core.contacts.selectors import consent_history

    person = person_create(
        actor=agent, workspace=workspace, last_name="Martin", consent_sms=True, consent_mail=True
    )
    person_update(actor=agent, person=person, consent_sms=False, consent_source="appel entrant")
    person_update(actor=agent, person=person, first_name="Luc")  # no consent change
    history = [
        (
            entry.after["channel"],
            entry.after[f"consent_{entry.after['channel']}"],
            entry.after["source"],
        )
        for entry in consent_history(user=agent, contact=person).order_by("pk")
    ]
    assert history == [
        ("sms", True, "person.create"),
        ("mail", True, "person.create"),
        ("sms", False, "appel entrant"),
    ]
