"""The differential sandbox reset: after any series of learner actions, rewriting only the rows
that differ gives exactly the database state of a full reset (every row of every copied table,
keys included); the full reset stays the fallback, and the choice between them is tested."""

import datetime
import random

import pytest
from django.db import connection, models, transaction

from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Person
from relais.core.interactions.models import Interaction
from relais.core.workspaces.sandbox import sandbox_models, workspace_rows
from relais.crm.dedup.merge import customers_merge
from relais.crm.models import Activity, Customer, Invoice, Lead, Note, Vehicle
from relais.crm.services.customers import customer_create, customer_update
from relais.crm.services.deletion import customer_delete
from relais.crm.services.records import (
    activity_create,
    activity_delete,
    activity_update,
    note_create,
    vehicle_delete,
    vehicle_update,
)
from relais.training.models import Enrollment
from relais.training.services import sandboxes
from relais.training.services.sandboxes import (
    sandbox_create,
    sandbox_reset,
    sandbox_reset_by_operator,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def differential_resets(monkeypatch):
    """On by default; pinned here so that these tests test it whatever the default
    (``sandboxes.DIFFERENTIAL_RESET``)."""
    monkeypatch.setattr(sandboxes, "DIFFERENTIAL_RESET", True)


TODAY = datetime.date(2025, 6, 15)


def _made_new(field) -> bool:
    """Columns a copy writes afresh each time: not part of the compared state."""
    if isinstance(field, models.UUIDField) and field.unique:
        return True
    return isinstance(field, models.DateField) and (
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    )


def canonical(workspace) -> dict:
    """Every row of every copied table of ``workspace``, keys included, as sorted tuples.
    Leads are drawn again by any reset, under new keys: compared without them."""
    state = {}
    for model in sandbox_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not _made_new(f) and not (model is Lead and f.primary_key)
        ]
        rows = workspace_rows(model, workspace).values_list(*names)
        state[model._meta.label] = sorted(rows, key=repr)
    return state


@pytest.fixture
def learner_account(organization):
    from relais.core.accounts.roles import Role

    return UserFactory(username="apprenti", role=Role.LEARNER, organization=organization)


@pytest.fixture
def cloned(trainer, training_class, learner_account):
    return sandbox_create(
        actor=trainer, training_class=training_class, learner=learner_account, today=TODAY
    )


def _last_reset(sandbox) -> dict:
    return (
        AuditEntry.objects.filter(action="training.sandbox_reset", workspace=sandbox)
        .order_by("-pk")
        .first()
        .after
    )


def _learner_session(enrollment, rng: random.Random, steps: int) -> None:
    """A random series of what a learner does, through the services and behind them (a bulk
    update stands for an import or the API)."""
    learner, sandbox = enrollment.learner, enrollment.sandbox

    def customers():
        return list(
            Customer.objects.in_workspace(sandbox)
            .select_related("person", "company")
            .order_by("pk")
        )

    def edit_contact():
        customer = rng.choice(customers())
        data = {"email": f"change{rng.randrange(999)}@exemple.fr"}
        if customer.person_id:
            data["last_name"] = customer.person.last_name + "-modifié"
        customer_update(actor=learner, customer=customer, contact_data=data)

    def create_customer():
        customer_create(
            actor=learner,
            workspace=sandbox,
            kind="individual",
            contact_data={"first_name": "Nina", "last_name": f"Nouvelle{rng.randrange(999)}"},
        )

    def delete_customer():
        customer_delete(actor=learner, customer=rng.choice(customers()))

    def merge():
        people = [c for c in customers() if c.person_id]
        if len(people) >= 2:
            survivor, absorbed = rng.sample(people, 2)
            customers_merge(actor=learner, survivor=survivor, absorbed=absorbed, choices={})

    def activity():
        choice = rng.randrange(3)
        existing = list(Activity.objects.in_workspace(sandbox).order_by("pk"))
        if choice == 0 or not existing:
            activity_create(
                actor=learner,
                customer=rng.choice(customers()),
                data={"kind": "call", "direction": "out", "subject": "Relance"},
            )
        elif choice == 1:
            activity_update(actor=learner, activity=rng.choice(existing), data={"subject": "Vu"})
        else:
            activity_delete(actor=learner, activity=rng.choice(existing))

    def vehicle():
        vehicles = list(Vehicle.objects.in_workspace(sandbox).order_by("pk"))
        if not vehicles:
            return
        if rng.random() < 0.5:
            vehicle_update(actor=learner, vehicle=rng.choice(vehicles), data={"trim": "Zen"})
        else:
            vehicle_delete(actor=learner, vehicle=rng.choice(vehicles))

    def note():
        note_create(actor=learner, customer=rng.choice(customers()), data={"projects": "Un SUV"})

    def behind_the_services():
        # An import, the API, a bulk action: rows changed without any service's knowledge.
        invoices = list(Invoice.objects.in_workspace(sandbox).order_by("pk"))
        if invoices:
            Invoice.objects.filter(pk=rng.choice(invoices).pk).update(
                issued_on=datetime.date(2030, 1, 1)
            )
        Interaction.objects.in_workspace(sandbox).filter(
            pk__in=Interaction.objects.in_workspace(sandbox).order_by("pk").values("pk")[:2]
        ).update(topic="réécrit", actor=None)
        Lead.objects.in_workspace(sandbox).filter(
            pk__in=Lead.objects.in_workspace(sandbox).values("pk")[:1]
        ).delete()

    actions = [
        edit_contact,
        create_customer,
        delete_customer,
        merge,
        activity,
        vehicle,
        note,
        behind_the_services,
    ]
    for _step in range(steps):
        rng.choice(actions)()


def _state_after(enrollment, **reset) -> tuple[dict, dict]:
    """The sandbox's canonical state after a reset, and its audit entry, then rolled back."""
    with transaction.atomic():
        sandbox_reset_by_operator(enrollment=enrollment, today=TODAY, **reset)
        connection.check_constraints()  # the deferred foreign keys hold
        state, audit = canonical(enrollment.sandbox), _last_reset(enrollment.sandbox)
        transaction.set_rollback(True)
    return state, audit


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_a_differential_reset_equals_a_full_reset_after_any_learner_session(cloned, seed):
    fresh = canonical(cloned.sandbox)
    _learner_session(cloned, random.Random(seed), steps=8)
    assert canonical(cloned.sandbox) != fresh

    differential, audit = _state_after(cloned)
    assert audit["differential"] is True
    full, audit = _state_after(cloned, full=True)
    assert audit["differential"] is False
    assert differential == full
    # Same keys as the clone's (the map's ranges are reused): the sandbox is as fresh.
    assert differential == fresh
    # The differential rewrote only a part of the rows.
    with transaction.atomic():
        sandbox_reset(actor=cloned.learner, enrollment=cloned, today=TODAY)
        after = _last_reset(cloned.sandbox)
        transaction.set_rollback(True)
    total = sum(len(rows) for rows in fresh.values())
    assert after["deleted"] < total / 2


def test_resets_are_full_unless_differential_resets_are_switched_on(cloned, monkeypatch):
    monkeypatch.setattr(sandboxes, "DIFFERENTIAL_RESET", False)
    sandbox_reset(actor=cloned.learner, enrollment=cloned, today=TODAY)
    assert _last_reset(cloned.sandbox)["differential"] is False


def test_an_untouched_sandbox_is_reset_without_rewriting_a_row(cloned):
    """Leads are always drawn again; nothing else is written."""
    sandbox_reset(actor=cloned.learner, enrollment=cloned, today=TODAY)
    audit = _last_reset(cloned.sandbox)
    leads = Lead.objects.in_workspace(cloned.sandbox).count()
    assert audit["differential"] is True
    assert (audit["deleted"], audit["copied"]) == (leads, leads)


def test_a_reset_keeps_the_learners_work_out_and_the_keys_in(cloned):
    sandbox = cloned.sandbox
    fresh = canonical(sandbox)
    kept = Customer.objects.in_workspace(sandbox).order_by("pk")[1]
    changed = Customer.objects.in_workspace(sandbox).order_by("pk").first()
    customer_update(
        actor=cloned.learner, customer=changed, contact_data={"email": "quimper@exemple.fr"}
    )
    Person.objects.filter(pk=kept.person_id).update(last_name="Changé")
    created = customer_create(
        actor=cloned.learner,
        workspace=sandbox,
        kind="individual",
        contact_data={"first_name": "Ada", "last_name": "Ajoutée"},
    )
    note_create(actor=cloned.learner, customer=created, data={"projects": "Rien"})
    kept_public_id = Customer.objects.get(pk=kept.pk).public_id

    sandbox_reset(actor=cloned.learner, enrollment=cloned, today=TODAY)
    assert canonical(sandbox) == fresh
    assert not Customer.objects.filter(pk=created.pk).exists()
    assert not Note.objects.in_workspace(sandbox).filter(projects="Rien").exists()
    # An unchanged row is kept as it is: its public id (bookmarks, open pages) still works.
    assert Customer.objects.get(pk=kept.pk).public_id == kept_public_id


def test_the_choice_between_the_differential_and_the_full_reset(cloned, school_template):
    sandbox = cloned.sandbox
    fresh = canonical(sandbox)

    # The same week: differential.
    sandbox_reset(actor=cloned.learner, enrollment=cloned, today=TODAY)
    assert _last_reset(sandbox)["differential"] is True

    # Another week: every dated row moves, so everything is copied again, under the same keys.
    cloned.refresh_from_db()
    next_week = TODAY + datetime.timedelta(days=7)
    sandbox_reset(actor=cloned.learner, enrollment=cloned, today=next_week)
    assert _last_reset(sandbox)["differential"] is False
    state = canonical(sandbox)
    for label in state:
        if label != "crm.Lead":
            assert [row[0] for row in state[label]] == [row[0] for row in fresh[label]], label
    # ... and the week after, differential again (dated for that week).
    cloned.refresh_from_db()
    _learner_session(cloned, random.Random(9), steps=4)
    with transaction.atomic():
        sandbox_reset(actor=cloned.learner, enrollment=cloned, today=next_week)
        assert _last_reset(sandbox)["differential"] is True
        differential = canonical(sandbox)
        transaction.set_rollback(True)
    cloned.refresh_from_db()
    sandbox_reset_by_operator(enrollment=cloned, today=next_week, full=True)
    assert canonical(sandbox) == differential

    # The school base gained a customer since the copy: its key lies beyond the map's range,
    # so the map no longer fits and the full reset copies everything under new keys.
    from relais.crm.demo import generate_customers

    generate_customers(workspace=school_template, count=1, seed=77, today=TODAY, owner=None)
    cloned.refresh_from_db()
    former = cloned.clone_keys
    sandbox_reset(actor=cloned.learner, enrollment=cloned, today=next_week)
    assert _last_reset(sandbox)["differential"] is False
    assert Customer.objects.in_workspace(sandbox).count() == 21
    cloned.refresh_from_db()
    assert cloned.clone_keys["tables"]["crm.customer"] != former["tables"]["crm.customer"]
    # ... and the new map fits again: the next reset is differential.
    sandbox_reset(actor=cloned.learner, enrollment=cloned, today=next_week)
    assert _last_reset(sandbox)["differential"] is True
    assert Customer.objects.in_workspace(sandbox).count() == 21


def test_a_sandbox_copied_before_the_key_map_gets_a_full_reset_then_a_differential_one(
    enrollment,
):
    """The conftest's sandboxes were filled without a copy (no key map)."""
    assert enrollment.clone_keys is None
    sandbox_reset(actor=enrollment.learner, enrollment=enrollment, today=TODAY)
    assert _last_reset(enrollment.sandbox)["differential"] is False
    enrollment.refresh_from_db()
    assert enrollment.clone_keys["tables"]
    sandbox_reset(actor=enrollment.learner, enrollment=enrollment, today=TODAY)
    assert _last_reset(enrollment.sandbox)["differential"] is True


def test_keys_freed_by_a_learner_are_not_given_to_the_next_sandbox(
    cloned, trainer, training_class, organization
):
    """A learner deletes the rows with the highest keys of their copy; another sandbox is
    copied next: its keys must not take the freed ones, which the reset puts back."""
    from relais.core.accounts.roles import Role

    sandbox = cloned.sandbox
    fresh = canonical(sandbox)
    top = Interaction.objects.in_workspace(sandbox).order_by("-pk")[:3]
    Interaction.objects.filter(pk__in=[i.pk for i in top]).delete()
    other = UserFactory(username="suivant", role=Role.LEARNER, organization=organization)
    second = sandbox_create(
        actor=trainer, training_class=training_class, learner=other, today=TODAY
    )
    second_state = canonical(second.sandbox)
    sandbox_reset(actor=cloned.learner, enrollment=cloned, today=TODAY)
    connection.check_constraints()
    assert canonical(sandbox) == fresh
    assert canonical(second.sandbox) == second_state
    assert Enrollment.objects.get(pk=second.pk).clone_keys != cloned.clone_keys
