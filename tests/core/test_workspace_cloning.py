"""The sandbox registry and core's set-based copy, reset and deletion of a workspace's records."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.interactions.models import Interaction
from relais.core.jobs.models import Job
from relais.core.workspaces.cloning import (
    workspace_records_clone,
    workspace_records_delete,
    workspace_records_reset,
)
from relais.core.workspaces.models import Membership, Workspace
from relais.core.workspaces.sandbox import (
    has_workspace_field,
    is_sandbox_model,
    register_sandbox_models,
    sandbox_models,
    unregister_sandbox_models,
    workspace_rows,
)
from tests.factories import CompanyFactory, PersonFactory, UserFactory, WorkspaceFactory

# What ``relais.training.records`` kept out of its introspection before the registry.
_KEPT_BEFORE = {
    "workspaces.membership",
    "jobs.job",
    "audit.auditentry",
    "training.schoolbase",
    "training.anomaly",
}
# Kernel tables added since, that the former introspection would have swept into every sandbox
# (the reason for an opt-in registry): they are not sandbox records.
# Apps added since, whose tables are (rightly) never copied into a sandbox.
_ADDED_SINCE = {"notifications", "knowledge", "calendars", "community", "frontdoor", "journeys"}


def _introspected_record_models() -> tuple:
    """The record models as the former introspection found them (relais/training/records.py
    before issue 8): every model with a workspace key, minus a kept list, plus the models
    hanging from one by a non-null foreign key, parents first."""

    def foreign_keys(model):
        return [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model is not model
        ]

    direct = [
        m
        for m in apps.get_models()
        if not m._meta.proxy
        and m._meta.label_lower not in _KEPT_BEFORE
        and m._meta.app_label not in _ADDED_SINCE
        and any(
            f.name == "workspace"
            and isinstance(f, models.ForeignKey)
            and f.related_model is Workspace
            for f in m._meta.concrete_fields
        )
    ]
    children = [
        m
        for m in apps.get_models()
        if m not in direct
        and not m._meta.proxy
        and m._meta.label_lower not in _KEPT_BEFORE
        and m._meta.app_label not in _ADDED_SINCE
        and any(not f.null and f.related_model in direct for f in foreign_keys(m))
    ]
    candidates = direct + children
    ordered, pending = [], list(candidates)
    while pending:
        for m in list(pending):
            if {f.related_model for f in foreign_keys(m)} & set(candidates) <= set(ordered):
                ordered.append(m)
                pending.remove(m)
    return tuple(ordered)


def test_the_registry_holds_exactly_what_introspection_carried_in_the_same_order():
    assert sandbox_models() == _introspected_record_models()
    labels = {m._meta.label for m in sandbox_models()}
    assert {"crm.Customer", "crm.InvoiceLine", "contacts.CompanyContact"} <= labels
    assert {"crm.DuplicateCandidate", "crm.CampaignRecipient", "interactions.Interaction"} <= labels


def test_parents_come_before_children():
    order = {model: index for index, model in enumerate(sandbox_models())}
    for model in order:
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.related_model in order
                and field.related_model is not model
            ):
                assert order[field.related_model] < order[model], (model, field.name)


def test_nothing_hangs_from_a_sandbox_model_without_being_registered():
    """A child row whose parent a reset deletes with raw SQL must be deleted with it."""
    registered = set(sandbox_models())
    orphans = [
        (model._meta.label, field.name)
        for model in apps.get_models()
        if model not in registered and not has_workspace_field(model)
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and not field.null
        and field.related_model in registered
    ]
    assert orphans == []


def test_kept_models_are_not_registered():
    for model in (Membership, Job, AuditEntry):
        assert not is_sandbox_model(model)
    assert {m._meta.label_lower for m in sandbox_models()}.isdisjoint(_KEPT_BEFORE)


def test_registering_twice_or_a_model_outside_workspaces_is_refused():
    with pytest.raises(ImproperlyConfigured):
        register_sandbox_models(Person)
    with pytest.raises(ImproperlyConfigured):
        register_sandbox_models(Workspace)  # no workspace key, no parent with one


def test_a_registered_child_needs_its_parent_registered():
    unregister_sandbox_models(Company)
    try:
        with pytest.raises(ImproperlyConfigured, match="contacts.Company"):
            sandbox_models()
    finally:
        register_sandbox_models(Company)
    assert Company in sandbox_models()


@pytest.fixture
def source(organization):
    return WorkspaceFactory(organization=organization, name="Modèle")


@pytest.fixture
def target(organization):
    return WorkspaceFactory(organization=organization, name="Copie")


def _fill(workspace, user):
    person = PersonFactory(workspace=workspace)
    company = CompanyFactory(workspace=workspace)
    CompanyContact.objects.create(company=company, person=person, role="Gérante")
    Interaction.objects.create(
        workspace=workspace,
        person=person,
        channel="phone",
        direction="in",
        topic="Appel",
        started_at=datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC),
        actor=user,
        source_type=None,
    )
    Job.objects.create(workspace=workspace, owner=user, kind="test", label="Export")
    return person, company


@pytest.mark.django_db
def test_clone_copies_registered_records_with_links_inside_the_copy(source, target):
    user = UserFactory(organization=source.organization)
    person, _company = _fill(source, user)
    written = workspace_records_clone(source=source, target=target)
    assert written == 4  # person, company, its contact, the interaction
    copy = Person.objects.get(workspace=target)
    assert copy.pk != person.pk and copy.public_id != person.public_id
    assert copy.last_name == person.last_name and copy.birth_date == person.birth_date
    link = CompanyContact.objects.get(company__workspace=target)
    assert link.person_id == copy.pk and link.company.workspace_id == target.pk
    interaction = Interaction.objects.get(workspace=target)
    assert interaction.person_id == copy.pk
    assert interaction.actor_id == user.pk  # user links are kept by default
    # The source is untouched.
    assert workspace_rows(Person, source).get() == person
    assert workspace_rows(CompanyContact, source).count() == 1


@pytest.mark.django_db
def test_an_unregistered_workspace_model_is_not_cloned_reset_nor_deleted(source, target):
    user = UserFactory(organization=source.organization)
    _fill(source, user)
    Job.objects.create(workspace=target, owner=user, kind="test", label="Déjà là")
    workspace_records_clone(source=source, target=target)
    assert list(Job.objects.filter(workspace=target).values_list("label", flat=True)) == ["Déjà là"]
    counts = workspace_records_reset(workspace=target, source=source)
    assert counts.deleted == 4 and counts.copied == 4
    assert Job.objects.filter(workspace=target).count() == 1
    assert workspace_records_delete(target) == 4
    assert Job.objects.filter(workspace=target).count() == 1
    assert Person.objects.filter(workspace=target).count() == 0
    assert Person.objects.filter(workspace=source).count() == 1


@pytest.mark.django_db
def test_clone_options_owner_exclude_and_dates(source, target):
    user = UserFactory(organization=source.organization)
    learner = UserFactory(organization=source.organization)
    _fill(source, user)

    def a_week_later(cursor, model, field, column, source):
        if isinstance(field, models.DateTimeField):
            return column, []
        if connection.vendor == "postgresql":
            return f"({column} + 7)", []
        return f"date({column}, '+7 days')", []

    written = workspace_records_clone(
        source=source,
        target=target,
        exclude=[Company, CompanyContact],
        owner=learner,
        date_sql=a_week_later,
    )
    assert written == 2
    assert not Company.objects.filter(workspace=target).exists()
    assert Interaction.objects.get(workspace=target).actor_id == learner.pk
    assert Person.objects.get(workspace=target).birth_date == datetime.date(1980, 5, 24)


@pytest.mark.django_db
def test_another_workspace_is_untouched_by_a_reset(source, target, other_workspace):
    user = UserFactory(organization=source.organization)
    _fill(source, user)
    bystander = PersonFactory(workspace=other_workspace)
    workspace_records_reset(workspace=target, source=source)
    workspace_records_delete(target)
    assert Person.objects.filter(pk=bystander.pk).exists()
    assert Person.objects.filter(workspace=other_workspace).count() == 1


# --- the differential reset -------------------------------------------------------------------


def _dump(workspace) -> dict:
    """Every row of every registered table of ``workspace``, keys included, but for the
    columns a copy writes afresh (public ids, creation and modification times)."""

    def made_new(field):
        return (isinstance(field, models.UUIDField) and field.unique) or (
            isinstance(field, models.DateField)
            and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        )

    return {
        model._meta.label: sorted(
            workspace_rows(model, workspace).values_list(
                *[f.attname for f in model._meta.concrete_fields if not made_new(f)]
            ),
            key=repr,
        )
        for model in sandbox_models()
    }


@pytest.mark.django_db
def test_a_differential_reset_rewrites_only_the_rows_that_differ(source, target):
    from django.db import transaction

    from relais.core.workspaces.cloning import workspace_records_copy

    user = UserFactory(organization=source.organization)
    person, _company = _fill(source, user)
    PersonFactory(workspace=source, last_name="Second")
    copy = workspace_records_copy(source=source, target=target)
    fresh = _dump(target)
    assert copy.written == 5 and set(copy.key_map["tables"]) >= {"contacts.person"}

    # Changed, added, deleted — and a link moved to the learner's own row.
    changed = Person.objects.filter(workspace=target).order_by("pk").first()
    Person.objects.filter(pk=changed.pk).update(first_name="Changée")
    added = PersonFactory(workspace=target, last_name="Ajoutée")
    Interaction.objects.filter(workspace=target).update(person=added)
    CompanyContact.objects.filter(company__workspace=target).delete()

    with transaction.atomic():
        counts = workspace_records_reset(workspace=target, source=source, key_map=copy.key_map)
        connection.check_constraints()
        assert counts.differential
        # Deleted: the changed person, the added one, the interaction that pointed to it.
        assert (counts.deleted, counts.copied) == (3, 3)
        assert counts.key_map == copy.key_map
        differential = _dump(target)
        transaction.set_rollback(True)
    full = workspace_records_reset(
        workspace=target, source=source, key_map=copy.key_map, differential=False
    )
    assert not full.differential and full.deleted == 5 and full.copied == 5
    assert differential == _dump(target) == fresh


@pytest.mark.django_db
def test_a_key_map_that_no_longer_fits_gives_a_full_reset_under_new_keys(source, target):
    from relais.core.workspaces.cloning import workspace_records_copy

    user = UserFactory(organization=source.organization)
    _fill(source, user)
    copy = workspace_records_copy(source=source, target=target)
    before = set(Person.objects.filter(workspace=target).values_list("pk", flat=True))
    PersonFactory(workspace=source, last_name="Nouvelle")  # beyond the range the map reserved
    counts = workspace_records_reset(workspace=target, source=source, key_map=copy.key_map)
    assert not counts.differential
    assert Person.objects.filter(workspace=target).count() == 2
    assert before.isdisjoint(Person.objects.filter(workspace=target).values_list("pk", flat=True))
    assert counts.key_map != copy.key_map
    # A map of another source does not fit either.
    other = WorkspaceFactory(organization=source.organization, name="Autre modèle")
    assert not workspace_records_reset(
        workspace=target, source=other, key_map=counts.key_map
    ).differential
    assert not Person.objects.filter(workspace=target).exists()
