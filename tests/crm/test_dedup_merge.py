"""Merging duplicate customers: field choices, re-linking of every related row, audit, undo."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.interactions.models import Interaction
from relais.core.interactions.services import record
from relais.crm.dedup.merge import (
    customer_merge_undo,
    customers_merge,
    default_choices,
    merge_preview,
)
from relais.crm.models import (
    Activity,
    Appointment,
    Campaign,
    CampaignRecipient,
    Customer,
    CustomerKind,
    CustomerMerge,
    CustomerStatus,
    DuplicateCandidate,
    Invoice,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    InvoiceFactory,
    LeadFactory,
    NoteFactory,
    PersonFactory,
    UserFactory,
    VehicleFactory,
)


@pytest.fixture
def pair(workspace):
    survivor = CustomerFactory(
        workspace=workspace,
        person__first_name="Jean-Pierre",
        person__last_name="Dupont",
        person__email="",
        person__phone_mobile="06 12 34 56 78",
        person__street="12 rue de la Paix",
        person__postal_code="75011",
        person__city="Paris",
        identity_key="id-jp",
    )
    absorbed = CustomerFactory(
        workspace=workspace,
        person__first_name="Jean Pierre",
        person__last_name="DUPONT",
        person__email="jp.dupont@exemple.fr",
        person__phone_mobile="07 81 23 45 67",
        person__street="3 avenue Foch",
        person__postal_code="69003",
        person__city="Lyon",
        dealership="Lyon Est",
        identity_key="id-jp",
    )
    return survivor, absorbed


def _everything(workspace, customer, agent):
    """One row of every kind pointing at ``customer`` or its person."""
    vehicle = VehicleFactory(customer=customer)
    invoice = InvoiceFactory(customer=customer, vehicle=vehicle, kind="apv", mileage=1000)
    reading = MileageReading.objects.create(
        workspace=workspace, vehicle=vehicle, read_on=datetime.date(2025, 1, 10), mileage=900
    )
    activity = ActivityFactory(customer=customer)
    note = NoteFactory(customer=customer)
    lead = LeadFactory(workspace=workspace, customer=customer)
    start = timezone.make_aware(datetime.datetime(2025, 7, 1, 9, 0))
    appointment = Appointment.objects.create(
        workspace=workspace,
        title="Révision",
        customer=customer,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    interaction = record(
        workspace=workspace,
        event_code="crm.activity.logged",
        channel="phone",
        direction="in",
        topic="Appel entrant",
        person=customer.person,
        actor=agent,
    )
    company = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    link = CompanyContact.objects.create(
        company=company.company, person=customer.person, role="Gérant"
    )
    campaign = Campaign.objects.create(workspace=workspace, name="Printemps", channel="email")
    recipient = CampaignRecipient.objects.create(
        workspace=workspace, campaign=campaign, customer=customer
    )
    return {
        "vehicle": vehicle,
        "invoice": invoice,
        "reading": reading,
        "activity": activity,
        "note": note,
        "lead": lead,
        "appointment": appointment,
        "interaction": interaction,
        "link": link,
        "recipient": recipient,
        "campaign": campaign,
    }


def test_merge_relinks_every_related_row_and_deletes_the_absorbed(workspace, agent, pair):
    survivor, absorbed = pair
    rows = _everything(workspace, absorbed, agent)
    person_pk = absorbed.person.pk

    merge = customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})

    assert not Customer.objects.filter(pk=absorbed.pk).exists()
    assert not Person.objects.filter(pk=person_pk).exists()
    for key in ("vehicle", "invoice", "activity", "note", "lead", "appointment", "recipient"):
        rows[key].refresh_from_db()
        assert rows[key].customer_id == survivor.pk, key
    rows["reading"].refresh_from_db()
    assert rows["reading"].vehicle.customer_id == survivor.pk
    rows["interaction"].refresh_from_db()
    assert rows["interaction"].person_id == survivor.person_id
    rows["link"].refresh_from_db()
    assert rows["link"].person_id == survivor.person_id
    survivor.refresh_from_db()
    assert survivor.status == CustomerStatus.CUSTOMER  # the invoice came with it
    assert merge.absorbed_public_id == absorbed.public_id
    assert merge.absorbed_identity_key == "id-jp"
    assert merge.survivor == survivor
    assert "crm.Appointment.customer_id" in merge.snapshot["moved"]
    assert "interactions.Interaction.person_id" in merge.snapshot["moved"]


def test_field_choices_pick_each_value_and_blanks_are_filled(workspace, agent, pair):
    survivor, absorbed = pair
    customers_merge(
        actor=agent,
        survivor=survivor,
        absorbed=absorbed,
        choices={"address": "absorbed", "phone_mobile": str(absorbed.public_id)},
    )
    person = Person.objects.get(pk=survivor.person_id)
    assert person.first_name == "Jean-Pierre"  # survivor kept by default
    assert person.email == "jp.dupont@exemple.fr"  # the survivor had none
    assert person.phone_mobile == "07 81 23 45 67"
    assert (person.street, person.postal_code, person.city) == ("3 avenue Foch", "69003", "Lyon")
    assert Customer.objects.get(pk=survivor.pk).dealership == "Lyon Est"  # blank filled


def test_default_choices_fill_blanks_only(pair):
    survivor, absorbed = pair
    choices = default_choices(survivor, absorbed)
    assert choices["email"] == "absorbed"
    assert choices["first_name"] == "survivor"
    assert choices["dealership"] == "absorbed"


def test_the_merge_is_audited(workspace, agent, pair):
    survivor, absorbed = pair
    merge = customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})
    entry = AuditEntry.objects.get(action="customer.merge")
    assert entry.actor == agent
    assert entry.workspace == workspace
    assert entry.target_id == str(survivor.public_id)
    assert entry.before["absorbed"] == str(absorbed.public_id)
    assert entry.after["merge"] == str(merge.public_id)


def test_undo_restores_the_absorbed_exactly_and_moves_rows_back(workspace, agent, pair):
    survivor, absorbed = pair
    rows = _everything(workspace, absorbed, agent)
    before_customer = Customer.objects.filter(pk=absorbed.pk).values().get()
    before_person = Person.objects.filter(pk=absorbed.person_id).values().get()
    before_survivor = Person.objects.filter(pk=survivor.person_id).values().get()
    merge = customers_merge(
        actor=agent, survivor=survivor, absorbed=absorbed, choices={"address": "absorbed"}
    )

    restored = customer_merge_undo(actor=agent, merge=merge)

    assert restored.pk == absorbed.pk and restored.public_id == absorbed.public_id
    after_customer = Customer.objects.filter(pk=absorbed.pk).values().get()
    for name in ("updated_at", "status", "search_document"):  # derived, recomputed
        after_customer.pop(name), before_customer.pop(name)
    assert after_customer == before_customer
    assert Person.objects.filter(pk=absorbed.person_id).values().get() == before_person
    survivor_person = Person.objects.filter(pk=survivor.person_id).values().get()
    for name in ("street", "postal_code", "city", "email"):
        assert survivor_person[name] == before_survivor[name], name
    for key in ("vehicle", "invoice", "activity", "note", "lead", "appointment", "recipient"):
        rows[key].refresh_from_db()
        assert rows[key].customer_id == absorbed.pk, key
    rows["interaction"].refresh_from_db()
    assert rows["interaction"].person_id == absorbed.person_id
    rows["link"].refresh_from_db()
    assert rows["link"].person_id == absorbed.person_id
    assert Customer.objects.get(pk=absorbed.pk).status == CustomerStatus.CUSTOMER
    assert Customer.objects.get(pk=survivor.pk).status == CustomerStatus.PROSPECT
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert AuditEntry.objects.filter(action="customer.merge_undo").count() == 1


def test_undo_twice_is_refused_in_french(workspace, agent, pair):
    survivor, absorbed = pair
    merge = customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})
    customer_merge_undo(actor=agent, merge=merge)
    with pytest.raises(ValidationError, match="déjà été annulée"):
        customer_merge_undo(actor=agent, merge=merge)


def test_undo_keeps_survivor_values_edited_since(workspace, agent, pair):
    survivor, absorbed = pair
    merge = customers_merge(
        actor=agent, survivor=survivor, absorbed=absorbed, choices={"phone_mobile": "absorbed"}
    )
    Person.objects.filter(pk=survivor.person_id).update(phone_mobile="06 99 88 77 66")
    customer_merge_undo(actor=agent, merge=merge)
    assert Person.objects.get(pk=survivor.person_id).phone_mobile == "06 99 88 77 66"


def test_a_row_that_cannot_move_goes_and_comes_back(workspace, agent, pair):
    """Both were recipients of one campaign: the survivor keeps its own recipient row."""
    survivor, absorbed = pair
    campaign = Campaign.objects.create(workspace=workspace, name="Été", channel="sms")
    mine = CampaignRecipient.objects.create(
        workspace=workspace, campaign=campaign, customer=survivor
    )
    theirs = CampaignRecipient.objects.create(
        workspace=workspace, campaign=campaign, customer=absorbed
    )
    merge = customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})
    assert list(CampaignRecipient.objects.values_list("pk", flat=True)) == [mine.pk]
    assert merge.snapshot["stuck"] == 1
    customer_merge_undo(actor=agent, merge=merge)
    assert CampaignRecipient.objects.get(pk=theirs.pk).customer_id == absorbed.pk


def test_companies_merge_with_contacts_interactions_and_subsidiaries(workspace, agent):
    survivor = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    absorbed = CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="TRANSPORTS MARTIN"
    )
    contact = PersonFactory(workspace=workspace)
    link = CompanyContact.objects.create(company=absorbed.company, person=contact)
    subsidiary = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    Company.objects.filter(pk=subsidiary.company_id).update(parent=absorbed.company)
    interaction = record(
        workspace=workspace,
        event_code="crm.activity.logged",
        channel="email",
        direction="out",
        topic="Devis",
        company=absorbed.company,
    )
    merge = customers_merge(
        actor=agent, survivor=survivor, absorbed=absorbed, choices={"legal_name": "absorbed"}
    )
    link.refresh_from_db()
    interaction.refresh_from_db()
    assert link.company_id == survivor.company_id
    assert interaction.company_id == survivor.company_id
    assert Company.objects.get(pk=subsidiary.company_id).parent_id == survivor.company_id
    assert Company.objects.get(pk=survivor.company_id).legal_name == "TRANSPORTS MARTIN"
    customer_merge_undo(actor=agent, merge=merge)
    link.refresh_from_db()
    assert link.company_id == absorbed.company_id
    assert Company.objects.get(pk=subsidiary.company_id).parent_id == absorbed.company_id


def test_a_chain_of_merges_can_be_undone_in_reverse(workspace, agent, pair):
    survivor, absorbed = pair
    third = CustomerFactory(workspace=workspace, person__last_name="Dupont")
    note = NoteFactory(customer=absorbed)
    first = customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})
    second = customers_merge(actor=agent, survivor=third, absorbed=survivor, choices={})
    first.refresh_from_db()
    assert first.survivor_id == third.pk  # "absorbed into what the survivor is now part of"
    customer_merge_undo(actor=agent, merge=second)
    customer_merge_undo(actor=agent, merge=first)
    note.refresh_from_db()
    assert note.customer_id == absorbed.pk
    assert Customer.objects.filter(pk__in=[survivor.pk, absorbed.pk, third.pk]).count() == 3


def test_merge_refusals(workspace, other_workspace, agent, pair):
    survivor, absorbed = pair
    with pytest.raises(ValidationError, match="elle-même"):
        customers_merge(actor=agent, survivor=survivor, absorbed=survivor, choices={})
    company = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    with pytest.raises(ValidationError, match="particulier ne peut pas être fusionné"):
        customers_merge(actor=agent, survivor=survivor, absorbed=company, choices={})
    foreign = CustomerFactory(workspace=other_workspace)
    with pytest.raises(ValidationError, match="même espace de travail"):
        customers_merge(actor=agent, survivor=survivor, absorbed=foreign, choices={})
    with pytest.raises(ValidationError, match="n'est pas un champ"):
        customers_merge(
            actor=agent, survivor=survivor, absorbed=absorbed, choices={"x": "absorbed"}
        )
    with pytest.raises(ValidationError, match="l'une des deux fiches"):
        customers_merge(
            actor=agent, survivor=survivor, absorbed=absorbed, choices={"email": "<script>"}
        )
    assert Customer.objects.filter(pk=absorbed.pk).exists()
    assert not CustomerMerge.objects.exists()


def test_merge_in_another_workspace_is_not_found(workspace, other_workspace, agent):
    a, b = CustomerFactory(workspace=other_workspace), CustomerFactory(workspace=other_workspace)
    with pytest.raises(NotFound):
        customers_merge(actor=agent, survivor=a, absorbed=b, choices={})
    assert Customer.objects.filter(workspace=other_workspace).count() == 2


def test_a_role_without_edit_right_cannot_merge(workspace, pair):
    survivor, absorbed = pair
    trainer_less = UserFactory(
        role="member", organization=workspace.organization, workspaces=[workspace]
    )
    with pytest.raises(AccessDenied):
        customers_merge(actor=trainer_less, survivor=survivor, absorbed=absorbed, choices={})


def test_a_learner_merges_in_their_sandbox(workspace, pair):
    learner = UserFactory(
        role=Role.LEARNER, organization=workspace.organization, workspaces=[workspace]
    )
    survivor, absorbed = pair
    merge = customers_merge(actor=learner, survivor=survivor, absorbed=absorbed, choices={})
    assert merge.actor == learner


def test_preview_counts_what_moves(workspace, agent, pair):
    survivor, absorbed = pair
    VehicleFactory(customer=absorbed)
    VehicleFactory(customer=absorbed)
    InvoiceFactory(customer=absorbed)
    lines = {
        line["model"]: line["count"] for line in merge_preview(survivor=survivor, absorbed=absorbed)
    }
    assert lines["crm.Vehicle.customer_id"] == 2
    assert lines["crm.Invoice.customer_id"] == 1
    assert Vehicle.objects.filter(customer=absorbed).count() == 2  # nothing moved


def test_merge_keeps_the_pair_for_the_undo(workspace, agent, pair):
    survivor, absorbed = pair
    low, high = sorted((survivor, absorbed), key=lambda c: c.pk)
    DuplicateCandidate.objects.create(
        workspace=workspace, customer_a=low, customer_b=high, score=0.97, sure=True
    )
    merge = customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})
    assert not DuplicateCandidate.objects.exists()
    customer_merge_undo(actor=agent, merge=merge)
    assert DuplicateCandidate.objects.get().score == 0.97


def test_counts_are_unchanged_overall(workspace, agent, pair):
    survivor, absorbed = pair
    _everything(workspace, absorbed, agent)
    models = (Vehicle, Invoice, Activity, Note, Lead, Appointment, Interaction, MileageReading)
    before = {m: m.objects.count() for m in models}
    merge = customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})
    assert {m: m.objects.count() for m in models} == before
    customer_merge_undo(actor=agent, merge=merge)
    assert {m: m.objects.count() for m in models} == before


def test_generic_links_to_the_absorbed_customer_follow_it(workspace, agent, pair):
    survivor, absorbed = pair
    interaction = record(
        workspace=workspace,
        event_code="crm.activity.logged",
        channel="letter",
        direction="out",
        topic="Courrier de bienvenue",
        person=absorbed.person,
        source=absorbed,
    )
    merge = customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})
    interaction.refresh_from_db()
    assert (interaction.source_id, interaction.person_id) == (survivor.pk, survivor.person_id)
    customer_merge_undo(actor=agent, merge=merge)
    interaction.refresh_from_db()
    assert (interaction.source_id, interaction.person_id) == (absorbed.pk, absorbed.person_id)


def test_merging_a_record_already_merged_away_is_refused(workspace, agent, pair):
    survivor, absorbed = pair
    stale = Customer.objects.get(pk=absorbed.pk)
    customers_merge(actor=agent, survivor=survivor, absorbed=absorbed, choices={})
    with pytest.raises(ValidationError, match="n'existe plus"):
        customers_merge(actor=agent, survivor=survivor, absorbed=stale, choices={})
